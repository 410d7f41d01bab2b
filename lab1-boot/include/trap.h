/*
 * trap.h - exceptions and interrupts: the trap frame, the vector map and
 * the dispatch table later labs register their handlers in.
 *
 * Every one of the 256 IDT vectors enters through a stub in
 * boot/trapentry.S that builds the same struct trap_frame and calls
 * trap_dispatch(). The dispatcher looks the vector up in a table:
 *   - a registered handler runs and, when it returns, the interrupted code
 *     resumes (a handler may change the frame, e.g. move RIP on);
 *   - an exception (0-31) without a handler prints a full report (vector
 *     name, error code, CR2, registers, backtrace) and halts that CPU;
 *   - an interrupt (32-255) without a handler is reported and ignored.
 * For vectors >= 32 other than the spurious vector, the dispatcher sends
 * the LAPIC its EOI after the handler returns; a handler that does not
 * return must call lapic_eoi() itself first.
 */
#ifndef HVLAB_TRAP_H
#define HVLAB_TRAP_H

#include <stdint.h>

/* Exception vectors (Intel SDM Vol. 3A, 6.3.1, Table 6-1). */
#define T_DE   0    /* divide error */
#define T_DB   1    /* debug */
#define T_NMI  2
#define T_BP   3    /* breakpoint (INT3) */
#define T_OF   4
#define T_BR   5
#define T_UD   6    /* invalid opcode */
#define T_NM   7
#define T_DF   8    /* double fault */
#define T_TS   10
#define T_NP   11
#define T_SS   12
#define T_GP   13   /* general protection */
#define T_PF   14   /* page fault */
#define T_MF   16
#define T_AC   17
#define T_MC   18
#define T_XM   19
#define T_VE   20
#define T_CP   21
#define T_EXCEPTIONS 32   /* vectors below this are reserved for exceptions */
#define T_VECTORS 256

/* The vector map: every interrupt vector the kernel uses is listed here so
 * that later labs pick free ones. */
#define T_IRQ_TIMER     0x20   /* LAPIC timer (lapic.c) */
#define T_PIC_BASE      0x30   /* 8259 remapped here (0x30-0x3f), all masked */
#define T_IRQ_TEST      0xe0   /* free for in-kernel tests */
#define T_IPI_WAKE      0xf0   /* smp.c: "look in your mailbox" */
#define T_IPI_TEST      0xf1   /* free for in-kernel tests */
#define T_IRQ_LAPIC_ERR 0xfe   /* LAPIC error (lapic.c) */
#define T_SPURIOUS      0xff   /* LAPIC spurious vector: no EOI */

/*
 * What the stubs push. From the bottom (first pushed, highest address):
 * the CPU's frame (SS, RSP, RFLAGS, CS, RIP), the error code (the CPU's, or
 * 0 for vectors without one), the vector number, then the general-purpose
 * registers. Intel SDM Vol. 3A, 6.14.2, Figure 6-9.
 */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

/** A handler for one vector. Returning resumes the interrupted code. */
typedef void (*trap_handler_t)(struct trap_frame *tf);

/** Build the GDT, TSSs and IDT and load them on the bootstrap processor. */
void trap_init(void);
/** Load the (already built) GDT, this CPU's TSS and the IDT on an AP. */
void trap_init_ap(int cpu);
/**
 * Route @vector to @fn (NULL restores the default). Returns the previous
 * handler so a caller can chain to it or put it back.
 */
trap_handler_t trap_register(int vector, trap_handler_t fn);
/** Name of an exception vector ("#PF"), "IRQ" for >= 32. */
const char *trap_name(uint64_t vector);
/** Print the full report for @tf and halt this CPU. For handlers that give up. */
void trap_fatal(const struct trap_frame *tf) __attribute__((noreturn));
/** C side of the stubs in boot/trapentry.S. */
void trap_dispatch(struct trap_frame *tf);

#endif
