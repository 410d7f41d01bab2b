/*
 * smp.c - finding the CPUs, starting the APs, and their idle loop.
 *
 * Storage is static: a stack per CPU, one mailbox per CPU for smp_run_on().
 * APs are started one at a time, each fully online before the next, so the
 * trampoline's single parameter block is never shared.
 */
#include "acpi.h"
#include "lapic.h"
#include "panic.h"
#include "percpu.h"
#include "pit.h"
#include "printf.h"
#include "smp.h"
#include "string.h"
#include "trap.h"
#include "x86.h"

#define AP_STACK_SIZE  16384
#define INIT_DELAY_US  10000      /* SDM 8.4.4.1: wait 10 ms after INIT */
#define SIPI_DELAY_US  200        /* and 200 us after each STARTUP IPI */
#define AP_TIMEOUT_US  1000000    /* give up on an AP after 1 s */
#define POLL_STEP_US   1000
#define AP_TRAMPOLINE_MAX 4096       /* one page at AP_TRAMPOLINE_BASE */
#define IDENTITY_LIMIT (1ull << 32)   /* the kernel identity-maps at least 4 GiB */
#define CR4_PCIDE      (1ull << 17)   /* cannot be set outside long mode */
#define EFER_LME       (1ull << 8)
#define EFER_NXE       (1ull << 11)

/* Mirrors the parameter block at the end of boot/ap_trampoline.S. */
struct ap_boot_params {
	uint64_t cr3, cr4, efer;
	uint64_t stack;
	uint64_t cpu;             /* struct cpu * for ap_main() */
	uint64_t entry;           /* ap_main */
	volatile uint64_t tsc;    /* TSC at the trampoline's first instruction */
	volatile uint32_t stage;  /* AP_STAGE_* */
};

/* Work posted by smp_run_on(), picked up by the AP's idle loop. Only the
 * poster moves a mailbox to POSTED, only its AP moves it on to DONE. */
enum { MAILBOX_EMPTY, MAILBOX_POSTED, MAILBOX_DONE };
struct ap_mailbox {
	void (*fn)(void *);
	void *arg;
	volatile int state;
};

extern const char ap_trampoline_start[], ap_trampoline_params[], ap_trampoline_end[];
extern char boot_stack_top[];

static uint8_t ap_stacks[MAX_CPUS][AP_STACK_SIZE] __attribute__((aligned(16)));
static struct ap_mailbox mailbox[MAX_CPUS];
static uint32_t reported_apic_id[MAX_CPUS];
static uint64_t startup_tsc[MAX_CPUS];
static volatile uint64_t ap_main_tsc[MAX_CPUS];   /* TSC as each AP entered ap_main() */

static const char *const stage_names[] = {
	[AP_STAGE_NONE] = "never ran the trampoline (did the SIPI arrive?)",
	[AP_STAGE_REAL] = "stuck in real mode (trampoline start)",
	[AP_STAGE_PROT] = "stuck in 32-bit protected mode (paging/long-mode switch)",
	[AP_STAGE_LONG] = "reached 64-bit mode but not ap_main()",
	[AP_STAGE_C]    = "in ap_main() but never marked itself online",
};

static struct ap_boot_params *trampoline_params(void)
{
	/* Linker symbols: compare them as addresses, not as C pointers. */
	return (struct ap_boot_params *)(AP_TRAMPOLINE_BASE +
		((uintptr_t)ap_trampoline_params - (uintptr_t)ap_trampoline_start));
}

int smp_online_count(void)
{
	int n = 0;
	for (int i = 0; i < ncpus; i++)
		n += cpus[i].online;
	return n;
}

uint32_t smp_reported_apic_id(int cpu) { return reported_apic_id[cpu]; }
uint64_t smp_startup_tsc(int cpu) { return startup_tsc[cpu]; }

/* IPI T_IPI_WAKE only has to end the target's HLT; the idle loop does the rest. */
static void smp_wake_interrupt(struct trap_frame *tf)
{
	(void)tf;
}

/*
 * An AP's life after boot. The mailbox is checked with interrupts off and
 * the HLT entered with "sti; hlt", so a wake-up IPI arriving in between
 * still ends the HLT rather than being taken before it.
 */
static void __attribute__((noreturn)) ap_idle(int i)
{
	struct ap_mailbox *mb = &mailbox[i];
	for (;;) {
		cli();
		if (__atomic_load_n(&mb->state, __ATOMIC_ACQUIRE) != MAILBOX_POSTED) {
			sti_hlt();
			continue;
		}
		sti();
		mb->fn(mb->arg);
		__atomic_store_n(&mb->state, MAILBOX_DONE, __ATOMIC_RELEASE);
	}
}

/* Where each AP arrives from the trampoline, on its own stack. */
static void __attribute__((noreturn)) ap_main(struct cpu *c)
{
	ap_main_tsc[c->index] = rdtsc();
	trampoline_params()->stage = AP_STAGE_C;
	percpu_install(c);
	trap_init_ap(c->index);
	lapic_init_ap();
	reported_apic_id[c->index] = lapic_id();
	if (reported_apic_id[c->index] != c->apic_id)
		kprintf("smp: cpu %d: MADT says APIC id %u but its LAPIC says %u\n",
			c->index, c->apic_id, reported_apic_id[c->index]);
	kprintf("cpu %d online (APIC id %u)\n", c->index, reported_apic_id[c->index]);
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	ap_idle(c->index);
}

static bool cpu_online(const void *arg)
{
	return __atomic_load_n(&((const struct cpu *)arg)->online, __ATOMIC_ACQUIRE);
}

static bool mailbox_done(const void *arg)
{
	return __atomic_load_n(&((const struct ap_mailbox *)arg)->state, __ATOMIC_ACQUIRE) ==
	       MAILBOX_DONE;
}

/* Poll @done(@arg) for up to @timeout_us of PIT time. */
static bool wait_until(bool (*done)(const void *), const void *arg, uint64_t timeout_us)
{
	for (uint64_t t = 0; t < timeout_us; t += POLL_STEP_US) {
		pit_oneshot_start(POLL_STEP_US);
		while (!pit_oneshot_done())
			if (done(arg))
				return true;
	}
	return done(arg);
}

int smp_run_on(int cpu, void (*fn)(void *), void *arg)
{
	if (cpu <= 0 || cpu >= ncpus || cpu >= MAX_CPUS || !cpus[cpu].online ||
	    __atomic_load_n(&mailbox[cpu].state, __ATOMIC_ACQUIRE) == MAILBOX_POSTED)
		return -1;
	mailbox[cpu].fn = fn;
	mailbox[cpu].arg = arg;
	__atomic_store_n(&mailbox[cpu].state, MAILBOX_POSTED, __ATOMIC_RELEASE);
	lapic_send_ipi(cpus[cpu].apic_id, T_IPI_WAKE);
	return 0;
}

bool smp_wait(int cpu, uint64_t timeout_us)
{
	if (cpu <= 0 || cpu >= ncpus || cpu >= MAX_CPUS)
		return false;
	return wait_until(mailbox_done, &mailbox[cpu], timeout_us);
}

/*
 * Wake the AP whose APIC ID is @apic_id, the way Intel SDM Vol. 3A,
 * 8.4.4.1 "Typical BSP Initialization Sequence" (and MP spec B.4) says:
 * an INIT IPI puts it in the wait-for-SIPI state; 10 ms later a STARTUP
 * IPI, whose 8-bit vector is the page number of the start address, starts
 * it in real mode at @page * 4096; a second STARTUP IPI 200 us later
 * covers a first one that was lost. An AP that is already running ignores
 * it: a SIPI is only recognised in the wait-for-SIPI state.
 */
static void smp_start_ap(uint32_t apic_id, uint8_t page)
{
	/* BEGIN SOLUTION lab1 */
	lapic_send_init(apic_id);
	pit_delay_us(INIT_DELAY_US);
	for (int i = 0; i < 2; i++) {
		lapic_send_sipi(apic_id, page);
		pit_delay_us(SIPI_DELAY_US);
	}
	/* END SOLUTION */
	/* STUB lab1
	(void)apic_id;
	(void)page;
	NOT_IMPLEMENTED("lab1");
	*/
}

/* Fill the trampoline's parameters for cpu @i, start it, wait for it. */
static void smp_boot_ap(int i)
{
	struct ap_boot_params *p = trampoline_params();
	uint64_t cr3 = read_cr3();
	if (cr3 >= IDENTITY_LIMIT)
		panic("smp: CR3 %#lx is above 4 GiB; the trampoline loads it in 32-bit mode", cr3);
	p->cr3 = cr3;
	p->cr4 = read_cr4() & ~CR4_PCIDE;
	p->efer = rdmsr(MSR_EFER) & (EFER_LME | EFER_NXE);
	p->stack = (uint64_t)cpus[i].stack_top;
	p->cpu = (uint64_t)&cpus[i];
	p->entry = (uint64_t)ap_main;
	p->stage = AP_STAGE_NONE;

	uint64_t t0 = rdtsc();
	smp_start_ap(cpus[i].apic_id, AP_TRAMPOLINE_BASE >> 12);
	if (!wait_until(cpu_online, &cpus[i], AP_TIMEOUT_US)) {
		uint32_t stage = p->stage;
		kprintf("smp: cpu %d (APIC id %u) did not come up within %u ms of INIT-SIPI-SIPI: %s; "
			"continuing without it\n", i, cpus[i].apic_id, AP_TIMEOUT_US / 1000,
			stage <= AP_STAGE_C ? stage_names[stage] : "unknown stage");
		return;
	}
	startup_tsc[i] = rdtsc() - t0;
	/* Under Bochs with sync=none the TSC counts instructions, and all CPUs
	 * share it: these are the emulated cost of each step. */
	kprintf("smp: cpu %d TSC ticks after INIT: trampoline +%lu, ap_main +%lu, seen online +%lu\n",
		i, p->tsc - t0, ap_main_tsc[i] - t0, startup_tsc[i]);
}

static const void *identity_map(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	if (pa + len < pa || pa + len > IDENTITY_LIMIT)
		return NULL;
	return (const void *)(uintptr_t)pa;
}

/* The MADT's CPU list, or an error code (printed by the caller). */
static int smp_find_cpus(struct acpi_madt_info *madt)
{
	const struct acpi_phys phys = { identity_map, NULL };
	uint64_t rsdp, pa;
	uint32_t len;
	int err = acpi_find_rsdp_bios(&phys, &rsdp);
	if (!err)
		err = acpi_find_table(&phys, rsdp, "APIC", &pa, &len);
	if (!err)
		err = acpi_parse_madt(identity_map(NULL, pa, len), len, madt);
	if (!err)
		kprintf("acpi: RSDP at %#lx, MADT at %#lx: %d CPU%s enabled, %d disabled%s\n",
			rsdp, pa, madt->ncpus, madt->ncpus == 1 ? "" : "s", madt->disabled,
			madt->dropped ? " (some beyond MAX_CPUS or x2APIC-only: not used)" : "");
	return err;
}

/*
 * cpus[0] is the BSP; the APs get indices 1.. in MADT order.
 */
void smp_init(void)
{
	struct cpu *bsp = &cpus[0];
	bsp->index = 0;
	bsp->apic_id = lapic_id();
	bsp->stack_top = boot_stack_top;
	bsp->online = true;
	reported_apic_id[0] = bsp->apic_id;
	ncpus = 1;
	trap_register(T_IPI_WAKE, smp_wake_interrupt);
	kprintf("cpu 0 online (APIC id %u, bootstrap processor)\n", bsp->apic_id);

	struct acpi_madt_info madt;
	int err = smp_find_cpus(&madt);
	if (err) {
		kprintf("smp: no usable ACPI MADT (%s); running on 1 CPU\n", acpi_strerror(err));
		return;
	}
	for (int k = 0; k < madt.ncpus && ncpus < MAX_CPUS; k++) {
		if (madt.apic_id[k] == bsp->apic_id)
			continue;
		struct cpu *c = &cpus[ncpus];
		c->index = ncpus;
		c->apic_id = madt.apic_id[k];
		c->stack_top = &ap_stacks[ncpus][AP_STACK_SIZE];
		c->online = false;
		ncpus++;
	}

	size_t size = (uintptr_t)ap_trampoline_end - (uintptr_t)ap_trampoline_start;
	if (size > AP_TRAMPOLINE_MAX)
		panic("smp: the AP trampoline is %zu bytes; only %u (one page) fit at its base",
		      size, AP_TRAMPOLINE_MAX);
	memcpy((void *)(uintptr_t)AP_TRAMPOLINE_BASE, ap_trampoline_start, size);
	for (int i = 1; i < ncpus; i++)
		smp_boot_ap(i);

	kprintf("smp: %d of %d CPUs online\n", smp_online_count(), ncpus);
}
