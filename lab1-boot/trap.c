/*
 * trap.c - dispatching traps and reporting the exceptions nobody handles.
 *
 * The report is the student's main debugging tool, so it says everything
 * at once: which exception (by name), on which CPU, the error code decoded,
 * CR2, every register, the faulting function by name, and a backtrace.
 * It is written without the console lock (like panic()): the fault may
 * have happened inside the console code with the lock held.
 */
#include "console.h"
#include "gdt.h"
#include "idt.h"
#include "ksyms.h"
#include "ktest.h"
#include "lapic.h"
#include "panic.h"
#include "percpu.h"
#include "printf.h"
#include "trap.h"
#include "x86.h"

/* Page-fault error code bits (Intel SDM Vol. 3A, 4.7, Figure 4-12). */
#define PF_P    (1u << 0)   /* 0: page not present, 1: protection violation */
#define PF_W    (1u << 1)   /* access was a write */
#define PF_U    (1u << 2)   /* access came from user mode */
#define PF_RSVD (1u << 3)   /* reserved bit set in a paging entry */
#define PF_I    (1u << 4)   /* instruction fetch */
/* Selector error code bits (6.13): EXT, IDT, TI, then the index. */
#define SEL_EXT (1u << 0)
#define SEL_IDT (1u << 1)
#define SEL_TI  (1u << 2)

static const char *const exception_names[T_EXCEPTIONS][2] = {
	[T_DE] = { "#DE", "divide error" },
	[T_DB] = { "#DB", "debug" },
	[T_NMI] = { "NMI", "non-maskable interrupt" },
	[T_BP] = { "#BP", "breakpoint" },
	[T_OF] = { "#OF", "overflow" },
	[T_BR] = { "#BR", "BOUND range exceeded" },
	[T_UD] = { "#UD", "invalid opcode" },
	[T_NM] = { "#NM", "device not available" },
	[T_DF] = { "#DF", "double fault" },
	[9] = { "#CSO", "coprocessor segment overrun" },
	[T_TS] = { "#TS", "invalid TSS" },
	[T_NP] = { "#NP", "segment not present" },
	[T_SS] = { "#SS", "stack-segment fault" },
	[T_GP] = { "#GP", "general protection" },
	[T_PF] = { "#PF", "page fault" },
	[T_MF] = { "#MF", "x87 floating-point error" },
	[T_AC] = { "#AC", "alignment check" },
	[T_MC] = { "#MC", "machine check" },
	[T_XM] = { "#XM", "SIMD floating-point" },
	[T_VE] = { "#VE", "virtualization exception" },
	[T_CP] = { "#CP", "control protection" },
	[28] = { "#HV", "hypervisor injection" },
	[29] = { "#VC", "VMM communication" },
	[30] = { "#SX", "security exception" },
};

static trap_handler_t handlers[T_VECTORS];
/* Per CPU: set while it prints a report, to catch a fault inside the report. */
static volatile int reporting[MAX_CPUS];
/* The CPU printing a report, so two CPUs' reports do not interleave. */
static volatile int report_owner = -1;

const char *trap_name(uint64_t vector)
{
	if (vector >= T_EXCEPTIONS)
		return "IRQ";
	return exception_names[vector][0] ? exception_names[vector][0] : "reserved";
}

static const char *trap_long_name(uint64_t vector)
{
	if (vector >= T_EXCEPTIONS)
		return "interrupt";
	return exception_names[vector][1] ? exception_names[vector][1] : "reserved vector";
}

trap_handler_t trap_register(int vector, trap_handler_t fn)
{
	if (vector < 0 || vector >= T_VECTORS)
		panic("trap_register: vector %d out of range (0..%d)", vector, T_VECTORS - 1);
	return __atomic_exchange_n(&handlers[vector], fn, __ATOMIC_SEQ_CST);
}

void trap_init_ap(int cpu)
{
	gdt_load(cpu);
	idt_load();
}

void trap_init(void)
{
	gdt_init();
	idt_init();
	trap_init_ap(this_cpu()->index);
	kprintf("trap: IDT with %d vectors loaded; #DF on IST%d, NMI on IST%d\n",
		T_VECTORS, IST_DF, IST_NMI);
}

/* Spell out the error code where its bits have a meaning of their own. */
static void report_error_code(const struct trap_frame *tf)
{
	uint64_t e = tf->error_code;
	if (tf->vector == T_PF) {
		panic_printf("  error code 0x%lx: %s, %s, %s mode%s\n", e,
		       e & PF_P ? "protection violation" : "page not present",
		       e & PF_I ? "instruction fetch" : e & PF_W ? "write" : "read",
		       e & PF_U ? "user" : "supervisor",
		       e & PF_RSVD ? ", reserved bit set in a paging entry" : "");
	} else if ((tf->vector == T_GP || tf->vector == T_TS || tf->vector == T_NP ||
		    tf->vector == T_SS) && e) {
		panic_printf("  error code 0x%lx: %s index %lu%s\n", e,
		       e & SEL_IDT ? "IDT" : e & SEL_TI ? "LDT" : "GDT", e >> 3,
		       e & SEL_EXT ? ", external event" : "");
	} else {
		panic_printf("  error code 0x%lx\n", e);
	}
}

static void report_symbol(const char *label, uint64_t addr)
{
	unsigned long off;
	const char *name = ksyms_lookup(addr, &off);
	if (name)
		panic_printf("  %s %016lx %s+0x%lx\n", label, addr, name, off);
	else
		panic_printf("  %s %016lx (no symbol)\n", label, addr);
}

static void report_frame(const struct trap_frame *tf, int cpu)
{
	panic_printf("EXCEPTION on cpu %d: vector %lu (%s %s)\n", cpu, tf->vector,
	       trap_name(tf->vector), trap_long_name(tf->vector));
	report_error_code(tf);
	panic_printf("  CR2 %016lx\n", read_cr2());
	report_symbol("RIP", tf->rip);
	panic_printf("  RSP %016lx RFLAGS %016lx CS %04lx SS %04lx\n",
	       tf->rsp, tf->rflags, tf->cs, tf->ss);
	panic_printf("  RAX %016lx RBX %016lx RCX %016lx\n", tf->rax, tf->rbx, tf->rcx);
	panic_printf("  RDX %016lx RSI %016lx RDI %016lx\n", tf->rdx, tf->rsi, tf->rdi);
	panic_printf("  RBP %016lx R8  %016lx R9  %016lx\n", tf->rbp, tf->r8, tf->r9);
	panic_printf("  R10 %016lx R11 %016lx R12 %016lx\n", tf->r10, tf->r11, tf->r12);
	panic_printf("  R13 %016lx R14 %016lx R15 %016lx\n", tf->r13, tf->r14, tf->r15);
	panic_printf("  CR0 %016lx CR3 %016lx CR4 %016lx\n", read_cr0(), read_cr3(), read_cr4());
	backtrace_print(tf->rbp);
}

void trap_fatal(const struct trap_frame *tf)
{
	int cpu = this_cpu()->index;
	const char *name = trap_name(tf->vector);

	cli();
	if (reporting[cpu]) {
		/* The report itself faulted (a bad frame pointer, say): stop here. */
		panic_printf("cpu %d: exception %lu (%s) while reporting an exception; halting\n",
		       cpu, tf->vector, name);
		halt_forever();
	}
	reporting[cpu] = 1;
	int expected = -1;
	while (!__atomic_compare_exchange_n(&report_owner, &expected, cpu, false,
					    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		expected = -1;
		cpu_relax();
	}

	report_frame(tf, cpu);
	const char *test = ktest_current();
	if (test) {
		unsigned long off = 0;
		const char *fn = ksyms_lookup(tf->rip, &off);
		panic_printf("FAIL: %s: unexpected exception %lu (%s) on cpu %d at %s+0x%lx\n",
		       test, tf->vector, name, cpu, fn ? fn : "?", off);
	}
	panic_printf("cpu %d halted after exception %lu (%s)\n", cpu, tf->vector, name);
	__atomic_store_n(&report_owner, -1, __ATOMIC_RELEASE);
	halt_forever();
}

/*
 * Called by trap_common with the frame it built. Handlers run with
 * interrupts off (every gate is an interrupt gate).
 */
void trap_dispatch(struct trap_frame *tf)
{
	uint64_t v = tf->vector;
	trap_handler_t h = v < T_VECTORS ? __atomic_load_n(&handlers[v], __ATOMIC_ACQUIRE) : NULL;

	if (h)
		h(tf);
	else if (v < T_EXCEPTIONS)
		trap_fatal(tf);
	else if (v != T_SPURIOUS)
		kprintf("trap: unexpected interrupt vector %lu on cpu %d (no handler registered); ignored\n",
			v, this_cpu()->index);

	/* The spurious vector is the one LAPIC vector that must not get an EOI
	 * (Intel SDM Vol. 3A, 10.9). */
	if (v >= T_EXCEPTIONS && v != T_SPURIOUS)
		lapic_eoi();
}
