/*
 * panic.h - fatal errors that name themselves.
 */
#ifndef HVLAB_PANIC_H
#define HVLAB_PANIC_H

/**
 * Print "PANIC on cpu N: <message>" and a backtrace, then stop this CPU.
 * Never returns. The grader treats a PANIC line as the end of a run.
 */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/**
 * printf to the UART without taking the console lock: for panic() and the
 * exception report, which may run while this CPU holds that lock.
 */
void panic_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Stop this CPU for good with interrupts off (NMIs wake it; it halts again). */
void halt_forever(void) __attribute__((noreturn));

/** Print a frame-pointer backtrace starting at @rbp. */
void backtrace_print(unsigned long rbp);

/**
 * The stub left in the student handout where a function is to be written.
 * It names the lab and the function so the console says exactly what is
 * missing, e.g. "lab1: page_alloc() not implemented".
 */
#define NOT_IMPLEMENTED(lab) panic("%s: %s() not implemented", lab, __func__)

#define assert(c) \
	do { if (!(c)) panic("assertion failed: %s at %s:%d", #c, __FILE__, __LINE__); } while (0)

#endif
