/*
 * grt.h - the guest runtime: what every guest image links with.
 *
 * A guest image provides guest_main(); the runtime's entry code loads the
 * guest's own GDT and IDT, calls guest_main() and ends the vCPU with
 * HC_EXIT(its return value). Output goes to the hypervisor's console
 * through HC_CONSOLE_WRITE.
 *
 * Exceptions: the runtime handles vectors 0-31. An instruction that is
 * expected to fault registers a resume address in the fixup table (see
 * probe.h); the handler then records the vector and error code and resumes
 * there. Any other exception is reported, and inside a test (gtest.h) it
 * fails that test; outside one it ends the guest with GRT_EXIT_EXCEPTION+vector.
 */
#ifndef GUEST_GRT_H
#define GUEST_GRT_H

/* Segment selectors of the guest's own GDT (rt/entry64.S). */
#define GRT_CS64 0x08
#define GRT_DS   0x10

/* Exit codes of the runtime itself: an exception nobody expected (plus
 * its vector); an image started at another address than it was linked at. */
#define GRT_EXIT_EXCEPTION 0x80
#define GRT_EXIT_BAD_START 0x7f

#ifndef __ASSEMBLY__
#include <stdint.h>
#include <stdbool.h>

/* Exception vectors (Intel SDM Vol. 3A, 6.3.1, Table 6-1). */
enum grt_vector {
	VEC_DE = 0, VEC_DB = 1, VEC_NMI = 2, VEC_BP = 3, VEC_OF = 4, VEC_BR = 5,
	VEC_UD = 6, VEC_NM = 7, VEC_DF = 8, VEC_TS = 10, VEC_NP = 11, VEC_SS = 12,
	VEC_GP = 13, VEC_PF = 14, VEC_MF = 16, VEC_AC = 17, VEC_MC = 18, VEC_XM = 19,
	VEC_VE = 20, VEC_CP = 21,
	GRT_NUM_EXCEPTIONS = 32,
};

/** The image's program: its return value becomes the HC_EXIT code. */
int guest_main(void);

/** printf to the hypervisor's console (one HC_CONSOLE_WRITE per call,
 *  at most GRT_PRINTF_MAX bytes; longer output is cut). */
#define GRT_PRINTF_MAX 256
int gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** The name of exception @vector ("#GP"), for messages. */
const char *grt_vector_name(unsigned vector);

/* The registers the exception stubs save (rt/isr64.S builds this frame). */
struct grt_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	/* pushed by the CPU (SDM Vol. 3A, 6.14.2, Figure 6-9) */
	uint64_t rip, cs, rflags, rsp, ss;
};

/* The last exception that hit a fixup (probe.h); vector -1 when none. */
struct grt_trap {
	int vector;
	uint64_t error_code;
	uint64_t rip;
	uint64_t cr2;        /* for #PF: the faulting address */
};
extern volatile struct grt_trap grt_last_trap;

/** Forget the last recorded exception (before a probe). */
static inline void grt_trap_arm(void) { grt_last_trap.vector = -1; }

/**
 * A fixup entry, written by the assembler next to the instruction it
 * covers: if an exception is taken with the saved RIP at label @from,
 * resume at @to. A fault saves the address of the faulting instruction;
 * a trap (INT3) saves the address after it, so a trap's entry names that.
 * Use inside an asm string: "1: rdmsr\n2:\n" GRT_FIXUP("1b", "2b").
 */
#define GRT_FIXUP(from, to) \
	".pushsection grt_fixup, \"a\"\n\t.balign 8\n\t.quad " from ", " to "\n\t.popsection\n"

struct grt_fixup {
	uint64_t insn;
	uint64_t resume;
};

/**
 * Where an unexpected exception goes instead of ending the guest: the test
 * runner sets this while a test runs (gtest.c). The handler calls it with
 * the frame; it must not return (it longjmps out of the test).
 */
extern void (*grt_unexpected_hook)(const struct grt_frame *f);

/* The image's bounds (guest.ld) and the size of the guest's memory, which
 * starts at __image_start (the hypervisor passes it in RDI). A lab-3 guest
 * (lab3-ept/guest/include/grt3.h) has RAM from guest-physical 0 instead. */
extern const char __image_start[], __image_end[];
extern uint64_t grt_mem_size;

/* Entry code and exception set-up (rt/trap.c). */
void grt_trap_init(void);
void grt_start(uint64_t mem_size, uint64_t base) __attribute__((noreturn));

/* A minimal setjmp/longjmp (rt/isr64.S): callee-saved registers, RSP, RIP. */
struct grt_jmp { uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip; };
int grt_setjmp(struct grt_jmp *j) __attribute__((returns_twice));
void grt_longjmp(struct grt_jmp *j, int v) __attribute__((noreturn));

#endif /* !__ASSEMBLY__ */
#endif
