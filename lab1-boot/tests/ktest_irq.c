/*
 * ktest_irq.c - in-kernel tests of traps, the LAPIC timer, SMP and spinlocks.
 *
 * Tests that need a second CPU are skipped (SKIP, never PASS) on a machine
 * with one; if the firmware lists a second CPU that did not come up, they
 * fail instead. Every wait is bounded by PIT time, so a broken IPI or a
 * dead AP gives a FAIL line, not a hang.
 */
#include "acpi.h"
#include "gdt.h"
#include "idt.h"
#include "ktest.h"
#include "lapic.h"
#include "percpu.h"
#include "pit.h"
#include "smp.h"
#include "spinlock.h"
#include "trap.h"
#include "x86.h"

#define RFLAGS_IF      (1u << 9)
#define UD2_LEN        2           /* ud2 is always 0F 0B */
#define WAIT_US        200000      /* bound on every wait for another CPU or an IRQ */
#define TIMER_WINDOW_US 200000     /* how long timer tests watch the ticks */
#define SPIN_ITERATIONS 20000

/* Skip when the machine has one CPU; fail when cpu 1 exists but is not up. */
#define NEED_TWO_CPUS() \
	do { \
		if (ncpus < 2) \
			KSKIP("needs 2 CPUs; this machine has %d (QEMU -smp 2, Bochs cpu: count=2)", ncpus); \
		KASSERTF(cpus[1].online, "cpu 1 (APIC id %u) is listed but not online", cpus[1].apic_id); \
	} while (0)

/* Busy-wait until *@v == @want or WAIT_US of PIT time pass. */
static bool wait_for(volatile int *v, int want)
{
	for (uint64_t t = 0; t < WAIT_US; t += PIT_MAX_US) {
		pit_oneshot_start(PIT_MAX_US);
		while (!pit_oneshot_done())
			if (__atomic_load_n(v, __ATOMIC_ACQUIRE) == want)
				return true;
	}
	return __atomic_load_n(v, __ATOMIC_ACQUIRE) == want;
}

/* ---- traps ---- */

KTEST(trap_vectors)
{
	struct desc_ptr p;
	sidt(&p);
	KASSERTF(p.limit == T_VECTORS * sizeof(struct idt_gate) - 1, "IDT limit %#x", p.limit);
	const struct idt_gate *g = (const struct idt_gate *)p.base;
	for (int v = 0; v < T_VECTORS; v++) {
		uint64_t off = g[v].offset_lo | (uint64_t)g[v].offset_mid << 16 |
			       (uint64_t)g[v].offset_hi << 32;
		KASSERTF(g[v].type_attr == (IDT_GATE_P | IDT_GATE_DPL0 | IDT_TYPE_INTR64),
			 "vector %d: type/attributes %#x, want a present DPL0 interrupt gate",
			 v, g[v].type_attr);
		KASSERTF(g[v].selector == GDT_KCODE_SEL, "vector %d: selector %#x", v, g[v].selector);
		KASSERTF(off == trap_stub_table[v], "vector %d: handler %#lx, its stub is %#lx",
			 v, off, trap_stub_table[v]);
		KASSERTF(v == 0 || trap_stub_table[v] > trap_stub_table[v - 1],
			 "vectors %d and %d do not have distinct stubs", v - 1, v);
		int want_ist = v == T_DF ? IST_DF : v == T_NMI ? IST_NMI : 0;
		KASSERTF((g[v].ist & 7) == want_ist, "vector %d: IST %d, want %d",
			 v, g[v].ist & 7, want_ist);
	}
}

KTEST(trap_tss_loaded)
{
	int cpu = this_cpu()->index;
	KASSERTF(read_tr() == GDT_TSS_SEL(cpu), "TR %#x, want %#x", read_tr(), GDT_TSS_SEL(cpu));
	const struct tss64 *t = gdt_tss(cpu);
	KASSERT(t->ist[IST_DF - 1] == gdt_ist_top(cpu, IST_DF));
	KASSERT(t->ist[IST_NMI - 1] == gdt_ist_top(cpu, IST_NMI));
	KASSERT(t->ist[IST_DF - 1] != t->ist[IST_NMI - 1]);
}

static volatile int bp_hits;
static struct trap_frame bp_frame;

static void bp_handler(struct trap_frame *tf)
{
	bp_frame = *tf;
	bp_hits++;
}

/* INT3 is a trap: the handler returns and execution continues after it. */
KTEST(trap_breakpoint)
{
	uint64_t after;
	trap_handler_t old = trap_register(T_BP, bp_handler);
	bp_hits = 0;
	__asm__ volatile("int3\n1:\n\tleaq 1b(%%rip), %0" : "=r"(after) : : "memory");
	trap_register(T_BP, old);
	KASSERTF(bp_hits == 1, "handler ran %d times, want 1", bp_hits);
	KASSERTF(bp_frame.vector == T_BP, "frame vector %lu", bp_frame.vector);
	KASSERTF(bp_frame.rip == after, "frame RIP %#lx, want the instruction after int3 %#lx",
		 bp_frame.rip, after);
	KASSERTF(bp_frame.error_code == 0, "error code %#lx for a vector without one",
		 bp_frame.error_code);
	KASSERTF(bp_frame.cs == GDT_KCODE_SEL, "frame CS %#lx", bp_frame.cs);
	KASSERTF(bp_frame.rflags & RFLAGS_IF, "frame RFLAGS %#lx: IF was on", bp_frame.rflags);
}

static void regs_handler(struct trap_frame *tf)
{
	bp_frame = *tf;
	bp_hits++;
	tf->rax = ~tf->rax;    /* changes made here must reach the interrupted code */
	tf->r15 = ~tf->r15;
}

/* Every register lands in its own field, and the frame is restored on return. */
KTEST(trap_frame_layout)
{
	/* Register first: a call between setting register variables and the
	 * asm that uses them may clobber them (GCC manual, "Local Register
	 * Variables"). */
	trap_handler_t old = trap_register(T_BP, regs_handler);
	bp_hits = 0;
	uint64_t rax = 0x1111, rbx = 0x2222, rcx = 0x3333, rdx = 0x4444, rsi = 0x5555, rdi = 0x6666;
	register uint64_t r8 __asm__("r8") = 0x8888;
	register uint64_t r9 __asm__("r9") = 0x9999;
	register uint64_t r10 __asm__("r10") = 0xaaaa;
	register uint64_t r11 __asm__("r11") = 0xbbbb;
	register uint64_t r12 __asm__("r12") = 0xcccc;
	register uint64_t r13 __asm__("r13") = 0xdddd;
	register uint64_t r14 __asm__("r14") = 0xeeee;
	register uint64_t r15 __asm__("r15") = 0xffff;

	__asm__ volatile("int3"
			 : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi), "+D"(rdi),
			   "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11), "+r"(r12), "+r"(r13),
			   "+r"(r14), "+r"(r15)
			 : : "memory");
	trap_register(T_BP, old);
	const struct trap_frame *f = &bp_frame;
	KASSERT(bp_hits == 1);
	KASSERT(f->rax == 0x1111 && f->rbx == 0x2222 && f->rcx == 0x3333 && f->rdx == 0x4444);
	KASSERT(f->rsi == 0x5555 && f->rdi == 0x6666);
	KASSERT(f->r8 == 0x8888 && f->r9 == 0x9999 && f->r10 == 0xaaaa && f->r11 == 0xbbbb);
	KASSERT(f->r12 == 0xcccc && f->r13 == 0xdddd && f->r14 == 0xeeee && f->r15 == 0xffff);
	KASSERTF(rax == ~0x1111ull, "RAX after return %#lx: the handler's change was lost", rax);
	KASSERTF(r15 == ~0xffffull, "R15 after return %#lx: the handler's change was lost", r15);
	KASSERT(rbx == 0x2222 && r12 == 0xcccc);
}

static volatile int ud_hits;
static volatile uint64_t ud_rip;

static void ud_handler(struct trap_frame *tf)
{
	ud_rip = tf->rip;
	ud_hits++;
	tf->rip += UD2_LEN;    /* a fault: RIP points at the faulting instruction */
}

/* #UD is a fault; a handler that moves RIP past the instruction resumes. */
KTEST(trap_ud_resume)
{
	uint64_t at;
	trap_handler_t old = trap_register(T_UD, ud_handler);
	ud_hits = 0;
	__asm__ volatile("leaq 1f(%%rip), %0\n1:\tud2" : "=r"(at) : : "memory");
	trap_register(T_UD, old);
	KASSERTF(ud_hits == 1, "handler ran %d times", ud_hits);
	KASSERTF(ud_rip == at, "frame RIP %#lx, want the ud2 at %#lx", ud_rip, at);
}

static volatile int irq_hits;
static volatile int irq_in_service;

static void test_irq_handler(struct trap_frame *tf)
{
	irq_in_service = lapic_in_service((uint8_t)tf->vector);
	__atomic_add_fetch(&irq_hits, 1, __ATOMIC_SEQ_CST);
}

/* A registered vector >= 32 is dispatched, and the dispatcher's EOI lets
 * the next one in. */
KTEST(trap_irq_dispatch)
{
	KASSERTF(read_rflags() & RFLAGS_IF, "interrupts are off in the test runner");
	trap_handler_t old = trap_register(T_IRQ_TEST, test_irq_handler);
	irq_hits = 0;
	irq_in_service = 0;
	lapic_send_self_ipi(T_IRQ_TEST);
	bool first = wait_for(&irq_hits, 1);
	lapic_send_self_ipi(T_IRQ_TEST);
	bool second = wait_for(&irq_hits, 2);
	trap_register(T_IRQ_TEST, old);
	KASSERTF(first, "self-IPI on vector %#x never reached its handler", T_IRQ_TEST);
	KASSERTF(irq_in_service, "LAPIC ISR bit not set while the handler ran");
	KASSERTF(second, "second self-IPI lost: was the first one EOI'd?");
	KASSERTF(!lapic_in_service(T_IRQ_TEST), "vector %#x still in service after return",
		 T_IRQ_TEST);
}

/* ---- timer ---- */

/* Ticks over TIMER_WINDOW_US of PIT time on @c, compared with LAPIC_TIMER_HZ. */
static uint64_t ticks_during_window(volatile struct cpu *c)
{
	uint64_t t0 = c->ticks;
	pit_delay_us(TIMER_WINDOW_US);
	return c->ticks - t0;
}

#define TIMER_EXPECTED ((uint64_t)LAPIC_TIMER_HZ * TIMER_WINDOW_US / 1000000)

KTEST(timer_ticks)
{
	KASSERTF(read_rflags() & RFLAGS_IF, "interrupts are off in the test runner");
	KASSERT(lapic_timer_count() != 0);
	uint64_t d = ticks_during_window(this_cpu());
	KASSERTF(d >= TIMER_EXPECTED / 2 && d <= TIMER_EXPECTED * 2,
		 "%lu ticks in %u ms of PIT time; at %u Hz expected about %lu",
		 d, TIMER_WINDOW_US / 1000, LAPIC_TIMER_HZ, TIMER_EXPECTED);
}

/* With interrupts off the count must not move: the interrupt is what counts. */
KTEST(timer_stops_with_cli)
{
	cli();
	uint64_t t0 = this_cpu()->ticks;
	pit_delay_us(TIMER_WINDOW_US / 4);
	uint64_t t1 = this_cpu()->ticks;
	sti();
	uint64_t d = ticks_during_window(this_cpu());
	KASSERTF(t1 == t0, "ticks moved from %lu to %lu with interrupts off", t0, t1);
	KASSERTF(d > 0, "no ticks after interrupts came back on");
}

KTEST(timer_ticks_ap)
{
	NEED_TWO_CPUS();
	uint64_t d = ticks_during_window(&cpus[1]);
	KASSERTF(d >= TIMER_EXPECTED / 2 && d <= TIMER_EXPECTED * 2,
		 "cpu 1: %lu ticks in %u ms; expected about %lu", d, TIMER_WINDOW_US / 1000,
		 TIMER_EXPECTED);
}

/* ---- SMP ---- */

static const void *identity(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	return pa + len <= (1ull << 32) ? (const void *)(uintptr_t)pa : NULL;
}

/* Re-read the MADT independently of smp_init and compare. */
KTEST(smp_all_online)
{
	const struct acpi_phys phys = { identity, NULL };
	struct acpi_madt_info m;
	uint64_t rsdp, pa;
	uint32_t len;
	int want = 1;
	if (acpi_find_rsdp_bios(&phys, &rsdp) == ACPI_OK &&
	    acpi_find_table(&phys, rsdp, "APIC", &pa, &len) == ACPI_OK &&
	    acpi_parse_madt(identity(NULL, pa, len), len, &m) == ACPI_OK && m.ncpus > 0)
		want = m.ncpus;
	KASSERTF(ncpus == want, "ncpus %d but the MADT lists %d usable CPUs", ncpus, want);
	KASSERTF(smp_online_count() == want, "%d of %d CPUs online", smp_online_count(), want);
	for (int i = 0; i < ncpus; i++) {
		KASSERTF(cpus[i].online && cpus[i].index == i, "cpu %d: online %d index %d",
			 i, cpus[i].online, cpus[i].index);
		KASSERTF(smp_reported_apic_id(i) == cpus[i].apic_id,
			 "cpu %d: its LAPIC says APIC id %u, the MADT %u", i,
			 smp_reported_apic_id(i), cpus[i].apic_id);
		for (int j = 0; j < i; j++)
			KASSERTF(cpus[i].apic_id != cpus[j].apic_id, "cpus %d and %d share APIC id %u",
				 j, i, cpus[i].apic_id);
	}
}

static volatile int ipi_hits;
static volatile int ipi_cpu;

static void ipi_handler(struct trap_frame *tf)
{
	(void)tf;
	ipi_cpu = this_cpu()->index;
	__atomic_add_fetch(&ipi_hits, 1, __ATOMIC_SEQ_CST);
}

KTEST(smp_ipi)
{
	NEED_TWO_CPUS();
	trap_handler_t old = trap_register(T_IPI_TEST, ipi_handler);
	ipi_hits = 0;
	ipi_cpu = -1;
	bool ok = true;
	int rounds = 3;
	for (int i = 1; i <= rounds && ok; i++) {
		lapic_send_ipi(cpus[1].apic_id, T_IPI_TEST);
		ok = wait_for(&ipi_hits, i);
	}
	trap_register(T_IPI_TEST, old);
	KASSERTF(ok, "cpu 1 took %d of %d IPIs on vector %#x", ipi_hits, rounds, T_IPI_TEST);
	KASSERTF(ipi_cpu == 1, "the IPI for cpu 1 ran on cpu %d", ipi_cpu);
}

struct run_probe {
	volatile int cpu;
	volatile uint64_t rflags;
};

static void probe_fn(void *arg)
{
	struct run_probe *p = arg;
	p->rflags = read_rflags();
	p->cpu = this_cpu()->index;
}

KTEST(smp_run_on)
{
	NEED_TWO_CPUS();
	struct run_probe p = { .cpu = -1 };
	KASSERTF(smp_run_on(0, probe_fn, &p) < 0, "cpu 0 (the caller) accepted work");
	KASSERTF(smp_run_on(ncpus, probe_fn, &p) < 0, "cpu %d (absent) accepted work", ncpus);
	KASSERT(smp_run_on(1, probe_fn, &p) == 0);
	KASSERTF(smp_wait(1, WAIT_US), "cpu 1 did not finish within %u ms", WAIT_US / 1000);
	KASSERTF(p.cpu == 1, "work for cpu 1 ran on cpu %d", p.cpu);
	KASSERTF(p.rflags & RFLAGS_IF, "work ran with interrupts off (RFLAGS %#lx)", p.rflags);
}

/* ---- spinlocks across CPUs ---- */

static struct spinlock test_lock = SPINLOCK_INIT("ktest");
static volatile uint64_t shared_counter;
static volatile int lock_ready, lock_go, owner_errors;

/* Both CPUs start together (ready/go), then count under the lock with a
 * plain read-modify-write: without mutual exclusion updates get lost. */
static void count_under_lock(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&lock_ready, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&lock_go, __ATOMIC_ACQUIRE))
		cpu_relax();
	for (int i = 0; i < SPIN_ITERATIONS; i++) {
		spin_lock(&test_lock);
		if (test_lock.owner != this_cpu()->index)
			owner_errors++;
		shared_counter = shared_counter + 1;
		spin_unlock(&test_lock);
	}
}

KTEST(spinlock_two_cpus)
{
	NEED_TWO_CPUS();
	shared_counter = 0;
	lock_ready = 0;
	lock_go = 0;
	owner_errors = 0;
	KASSERT(smp_run_on(1, count_under_lock, NULL) == 0);
	KASSERTF(wait_for(&lock_ready, 1), "cpu 1 did not start the work");
	__atomic_store_n(&lock_go, 1, __ATOMIC_RELEASE);
	count_under_lock(NULL);
	KASSERTF(smp_wait(1, WAIT_US * 10), "cpu 1 did not finish its %d iterations",
		 SPIN_ITERATIONS);
	KASSERTF(shared_counter == 2ull * SPIN_ITERATIONS, "counter %lu, want %d: updates lost",
		 shared_counter, 2 * SPIN_ITERATIONS);
	KASSERTF(owner_errors == 0, "%d times the lock's owner was another CPU", owner_errors);
	KASSERT(!test_lock.locked && test_lock.owner == -1);
}

static volatile int hold_release;

/* Take the lock, say so, hold it until told, let go. */
static void hold_lock(void *arg)
{
	(void)arg;
	spin_lock(&test_lock);
	__atomic_store_n(&lock_ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&hold_release, __ATOMIC_ACQUIRE))
		cpu_relax();
	spin_unlock(&test_lock);
}

KTEST(spinlock_trylock_held)
{
	NEED_TWO_CPUS();
	lock_ready = 0;
	hold_release = 0;
	KASSERT(smp_run_on(1, hold_lock, NULL) == 0);
	bool held = wait_for(&lock_ready, 1);
	bool got = spin_trylock(&test_lock);
	int owner = test_lock.owner;
	if (got)
		spin_unlock(&test_lock);
	__atomic_store_n(&hold_release, 1, __ATOMIC_RELEASE);
	KASSERTF(held, "cpu 1 never took the lock");
	KASSERTF(!got, "trylock succeeded while cpu 1 held the lock");
	KASSERTF(owner == 1, "owner %d while cpu 1 held it", owner);
	KASSERTF(smp_wait(1, WAIT_US), "cpu 1 did not release the lock");
	KASSERTF(spin_trylock(&test_lock), "trylock failed after cpu 1 released the lock");
	spin_unlock(&test_lock);
}

/* spin_lock_irqsave keeps the timer out until the matching restore. */
KTEST(spinlock_irqsave)
{
	spin_lock_irqsave(&test_lock);
	bool if_off = !(read_rflags() & RFLAGS_IF);
	uint64_t t0 = this_cpu()->ticks;
	pit_delay_us(TIMER_WINDOW_US / 4);
	uint64_t t1 = this_cpu()->ticks;
	spin_unlock_irqrestore(&test_lock);
	KASSERTF(if_off, "interrupts still on inside spin_lock_irqsave");
	KASSERTF(t1 == t0, "timer ticked %lu times while the irqsave lock was held", t1 - t0);
	KASSERTF(read_rflags() & RFLAGS_IF, "interrupts not back on after the restore");
}
