/*
 * init.h - how later labs hook into boot without editing lab 1.
 *
 * After lab 1 has brought the machine up (memory, paging, interrupts, SMP),
 * kmain() runs every function registered with INITCALL(level, fn), in
 * increasing level order. By convention a lab N uses levels N0..N9 for its
 * set-up and 90..99 are "run" hooks (demo guests). A non-zero return is
 * reported with the function's name; boot goes on.
 */
#ifndef HVLAB_INIT_H
#define HVLAB_INIT_H

struct initcall {
	const char *name;
	int (*fn)(void);
};

#define INITCALL(level, f) \
	static const struct initcall initcall_##f \
		__attribute__((section(".initcall." #level), used, aligned(8))) = { #f, f }

/** Run every registered initcall in level order. Returns how many failed. */
int initcalls_run(void);

#endif
