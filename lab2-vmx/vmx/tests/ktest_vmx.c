/*
 * ktest_vmx.c - in-kernel tests of lab 2's hypervisor core: VMXON on every
 * CPU, controls computed from the capability MSRs, guests that exit with
 * their own code, exit counts, the watchdog and the host timer during a
 * spinning guest, leak-free create/destroy, hostile hypercall pointers,
 * and deaths (unhandled exit, double fault) that stop only their guest.
 *
 * On a CPU without VMX every test is skipped with the reason.
 * The tiny guests are in ktest_vmx_guests.S.
 */
#include "ktest.h"
#include "percpu.h"
#include "pmm.h"
#include "string.h"
#include "vcpu.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_vcpu.h"
#include "x86.h"

#define KT_GUEST_DECL(n) extern const uint8_t ktg_##n##_start[], ktg_##n##_end[]
KT_GUEST_DECL(exit);
KT_GUEST_DECL(cpuid5);
KT_GUEST_DECL(spin);
KT_GUEST_DECL(spin_cli);
KT_GUEST_DECL(console);
KT_GUEST_DECL(invd);
KT_GUEST_DECL(ud2);

#define TRY_LAUNCH_TRIES   4
#define SPIN_BUDGET        (1ull << 22)   /* TSC ticks: ~40 host timer ticks under Bochs */
#define SPIN_MIN_TICKS     2              /* host timer ticks the spin must not stop */
#define HC_ERR_STATUS(e)   (128 + (e))    /* how the console guest reports an error */
#define VMCS_UNSUPPORTED_FIELD 0x4ffe     /* a 32-bit encoding no CPU defines */

/* A guest image from one of the .S guests (sized at run time). */
static struct guest_image kt_image(const char *name, const uint8_t *start, const uint8_t *end)
{
	struct guest_image g = { name, start, (size_t)(end - start) };
	return g;
}
#define KT_IMG(n) kt_image("kt-" #n, ktg_##n##_start, ktg_##n##_end)

#define NEED_VMX() \
	do { \
		if (vmx_caps_get()) \
			KSKIP("VMX not available: %s", vmx_unavailable_reason()); \
		KASSERTF(vmx_cpu_enable() == 0, "VMXON failed on cpu %d", this_cpu()->index); \
	} while (0)

/* Create a quiet vCPU for @img, run it, destroy it; its result. */
static int kt_run(const struct guest_image *img, struct vcpu **keep)
{
	struct vcpu *v = vcpu_create(img);
	if (!v)
		return INT32_MIN;
	v->quiet = true;
	int rc = vcpu_run(v);
	if (keep)
		*keep = v;
	else
		vcpu_destroy(v);
	return rc;
}

KTEST(vmx_on_all_cpus)
{
	if (vmx_caps_get())
		KSKIP("VMX not available: %s", vmx_unavailable_reason());
	KASSERTF(vmx_enable_all() == 0, "VMXON failed on some CPU");
	for (int cpu = 0; cpu < ncpus; cpu++)
		if (cpus[cpu].online)
			KASSERTF(vmx_cpu_is_on(cpu), "cpu %d online but not in VMX operation", cpu);
	/* Control registers obey the fixed bits (23.8) and VMXE is on. */
	uint64_t cr0 = read_cr0(), cr4 = read_cr4();
	KASSERT((cr0 & vmx_caps.cr0_fixed0) == vmx_caps.cr0_fixed0);
	KASSERT((cr0 & ~vmx_caps.cr0_fixed1) == 0);
	KASSERT((cr4 & vmx_caps.cr4_fixed0) == vmx_caps.cr4_fixed0);
	KASSERT(cr4 & X86_CR4_VMXE);
	/* A second VMXON on this CPU is refused by the hardware; vmx_cpu_enable
	 * knows VMX is on and does not try. */
	KASSERT(vmx_cpu_enable() == 0);
}

/* Every control field the VMCS got respects the capability MSRs, and has
 * the controls lab 2 needs; a control the CPU refuses is an error. */
KTEST(vmx_controls_respect_msrs)
{
	NEED_VMX();
	struct guest_image img = KT_IMG(exit);
	struct vcpu *v = vcpu_create(&img);
	KASSERT(v);
	uint32_t pin = vmcs_read32(VMCS_PIN_BASED_VM_EXEC_CONTROL);
	uint32_t proc = vmcs_read32(VMCS_CPU_BASED_VM_EXEC_CONTROL);
	uint32_t exit = vmcs_read32(VMCS_VM_EXIT_CONTROLS);
	uint32_t entry = vmcs_read32(VMCS_VM_ENTRY_CONTROLS);
	uint32_t proc2 = proc & VMX_PROC_SECONDARY_CTLS ?
		vmcs_read32(VMCS_SECONDARY_VM_EXEC_CONTROL) : 0;
	vcpu_destroy(v);

	KASSERTF(vmx_ctl_valid(VMX_CTL_PIN, pin), "pin-based %#x", pin);
	KASSERTF(vmx_ctl_valid(VMX_CTL_PROC, proc), "primary %#x", proc);
	KASSERTF(vmx_ctl_valid(VMX_CTL_EXIT, exit), "exit %#x", exit);
	KASSERTF(vmx_ctl_valid(VMX_CTL_ENTRY, entry), "entry %#x", entry);
	if (proc & VMX_PROC_SECONDARY_CTLS)
		KASSERTF(vmx_ctl_valid(VMX_CTL_PROC2, proc2), "secondary %#x", proc2);
	KASSERT(pin & VMX_PIN_EXT_INTR_EXITING);
	KASSERT((proc & (VMX_PROC_HLT_EXITING | VMX_PROC_USE_IO_BITMAPS | VMX_PROC_USE_MSR_BITMAPS)) ==
		(VMX_PROC_HLT_EXITING | VMX_PROC_USE_IO_BITMAPS | VMX_PROC_USE_MSR_BITMAPS));
	KASSERT(exit & VMX_EXIT_HOST_ADDR_SPACE_SIZE);
	KASSERT(exit & VMX_EXIT_ACK_INTR_ON_EXIT);
	KASSERT(entry & VMX_ENTRY_IA32E_MODE_GUEST);

	/* Some field has a bit the CPU forbids: wanting it must fail. */
	for (int f = 0; f < VMX_CTL_NFIELDS; f++) {
		uint32_t forbidden = ~vmx_caps.ctl[f].may1;
		if (!forbidden || (f == VMX_CTL_PROC2 && !vmx_caps.ctl[f].may1))
			continue;
		uint32_t bit = forbidden & -forbidden, out = 0;
		KASSERTF(vmx_ctl_compute((enum vmx_ctl_field)f, bit, 0, &out) == -1,
			 "%s control bit %#x is not allowed-1, yet was accepted",
			 vmx_ctl_field_name((enum vmx_ctl_field)f), bit);
		/* And required-1 bits come back even when nobody asked. */
		KASSERT(vmx_ctl_compute((enum vmx_ctl_field)f, 0, 0, &out) == 0);
		KASSERT((out & vmx_caps.ctl[f].must1) == vmx_caps.ctl[f].must1);
		return;
	}
	KASSERTF(0, "no control bit is forbidden on this CPU: nothing to test the refusal with");
}

/* A guest exits with the code it asked for, and a code out of range is refused. */
KTEST(vmx_guest_exit_code)
{
	NEED_VMX();
	struct guest_image img = KT_IMG(exit);
	const uint64_t codes[] = { 0, 42, 255, (uint64_t)(rdtsc() & 0xff) };
	for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct vcpu *v = vcpu_create(&img);
		KASSERT(v);
		v->quiet = true;
		v->regs.rdi = codes[i];
		int rc = vcpu_run(v);
		enum vcpu_stop stop = v->stop;
		vcpu_destroy(v);
		KASSERTF(rc == (int)codes[i], "asked for %lu, got %d", codes[i], rc);
		KASSERT(stop == VCPU_STOP_EXIT);
	}
	struct vcpu *v = vcpu_create(&img);
	KASSERT(v);
	v->quiet = true;
	v->regs.rdi = 256;
	int rc = vcpu_run(v);
	vcpu_destroy(v);
	KASSERTF(rc == HC_ERR_STATUS(HC_EINVAL), "HC_EXIT(256) gave %d", rc);
}

/* Exit counts per reason: five CPUIDs and one VMCALL, whatever else came. */
KTEST(vmx_exit_counts)
{
	NEED_VMX();
	struct guest_image img = KT_IMG(cpuid5);
	struct vcpu *v;
	int rc = kt_run(&img, &v);
	KASSERT(rc != INT32_MIN);
	uint64_t cpuid = v->exit_counts[EXIT_REASON_CPUID];
	uint64_t vmcall = v->exit_counts[EXIT_REASON_VMCALL];
	uint64_t irq = v->exit_counts[EXIT_REASON_EXTERNAL_INTERRUPT];
	uint64_t total = vcpu_exits_total(v);
	vcpu_destroy(v);
	KASSERTF(rc == 0, "rc %d", rc);
	KASSERTF(cpuid == 5, "%lu CPUID exits", cpuid);
	KASSERTF(vmcall == 1, "%lu VMCALL exits", vmcall);
	KASSERTF(total == 6 + irq, "total %lu, interrupts %lu", total, irq);
}

/* What a spinning guest's run looked like to the host. */
struct spin_run {
	int rc;
	uint64_t host_ticks;     /* this CPU's timer ticks during the run */
	uint64_t tsc;            /* TSC ticks the run took */
	uint64_t irq_exits, timer_exits;
};

/* Run a guest that spins forever under a small watchdog budget. */
static bool spin_run(struct guest_image *img, struct spin_run *r)
{
	struct vcpu *v = vcpu_create(img);
	if (!v)
		return false;
	v->quiet = true;
	v->watchdog_budget = SPIN_BUDGET;
	uint64_t ticks0 = this_cpu()->ticks, tsc0 = rdtsc();
	r->rc = vcpu_run(v);
	r->host_ticks = this_cpu()->ticks - ticks0;
	r->tsc = rdtsc() - tsc0;
	r->irq_exits = v->exit_counts[EXIT_REASON_EXTERNAL_INTERRUPT];
	r->timer_exits = v->exit_counts[EXIT_REASON_PREEMPTION_TIMER];
	vcpu_destroy(v);
	return true;
}

/*
 * A guest that spins: the host timer keeps ticking (external-interrupt
 * exits, handed to lab 1's trap dispatch) and the preemption-timer
 * watchdog ends it.
 */
KTEST(vmx_spin_host_timer_ticks)
{
	NEED_VMX();
	if (!vmx_ctl_allowed(VMX_CTL_PIN, VMX_PIN_PREEMPTION_TIMER))
		KSKIP("no VMX-preemption timer on this CPU");
	struct guest_image img = KT_IMG(spin);
	struct spin_run r;
	KASSERT(spin_run(&img, &r));
	KASSERTF(r.rc == -VCPU_EWATCHDOG, "rc %d", r.rc);
	KASSERTF(r.timer_exits >= 1, "%lu preemption-timer exits", r.timer_exits);
	KASSERTF(r.tsc >= SPIN_BUDGET, "stopped after %lu TSC ticks, budget %llu", r.tsc,
		 SPIN_BUDGET);
	/* The host ran a little too (the entry checker, with interrupts on):
	 * a tick may fall there; the others came as exits. */
	KASSERTF(r.host_ticks >= SPIN_MIN_TICKS && r.irq_exits >= SPIN_MIN_TICKS &&
		 r.irq_exits + 1 >= r.host_ticks,
		 "host timer ticks during the guest: %lu (interrupt exits %lu)", r.host_ticks,
		 r.irq_exits);
}

/*
 * The same guest with interrupts off: the host's timer must still tick
 * during it, and the watchdog must end it. On hardware the timer would
 * exit the guest as usual, since external-interrupt exiting ignores the
 * guest's RFLAGS.IF (25.2); Bochs 2.7 takes no interrupt while the
 * guest's IF is 0, so there the preemption timer's time slices are what
 * give the host its CPU back.
 */
KTEST(vmx_spin_cli_stopped_by_watchdog)
{
	NEED_VMX();
	if (!vmx_ctl_allowed(VMX_CTL_PIN, VMX_PIN_PREEMPTION_TIMER))
		KSKIP("no VMX-preemption timer on this CPU");
	struct guest_image img = KT_IMG(spin_cli);
	struct spin_run r;
	KASSERT(spin_run(&img, &r));
	KASSERTF(r.rc == -VCPU_EWATCHDOG, "rc %d", r.rc);
	KASSERTF(r.timer_exits >= 1, "%lu preemption-timer exits", r.timer_exits);
	KASSERTF(r.tsc >= SPIN_BUDGET, "stopped after %lu TSC ticks, budget %llu", r.tsc,
		 SPIN_BUDGET);
	KASSERTF(r.host_ticks >= SPIN_MIN_TICKS, "host timer ticks during the guest: %lu",
		 r.host_ticks);
}

/* Create and destroy (with a run between) give back every page. */
KTEST(vmx_create_destroy_no_leak)
{
	NEED_VMX();
	struct guest_image img = KT_IMG(cpuid5);
	size_t before = pmm_free_count();
	struct vcpu *v = vcpu_create(&img);
	KASSERT(v);
	KASSERTF(pmm_free_count() < before, "vcpu_create took no pages?");
	vcpu_destroy(v);
	KASSERTF(pmm_free_count() == before, "leak after create/destroy: %zu -> %zu pages free",
		 before, pmm_free_count());
	KASSERT(kt_run(&img, NULL) == 0);
	KASSERTF(pmm_free_count() == before, "leak after a run: %zu -> %zu pages free",
		 before, pmm_free_count());
}

/* HC_CONSOLE_WRITE with pointers outside the guest: -HC_EFAULT, never a read. */
KTEST(vmx_hostile_hypercall_pointer)
{
	NEED_VMX();
	struct guest_image img = KT_IMG(console);
	static const char secret[] = "host memory";
	struct { uint64_t ptr, len; int want; } cases[] = {
		{ 0x1000, 4, HC_ERR_STATUS(HC_EFAULT) },                 /* host low memory */
		{ (uint64_t)secret, 4, HC_ERR_STATUS(HC_EFAULT) },       /* a kernel object */
		{ GUEST_BASE - 1, 2, HC_ERR_STATUS(HC_EFAULT) },         /* straddles the start */
		{ ~0ull - 1, 4, HC_ERR_STATUS(HC_EFAULT) },              /* wraps around */
		{ GUEST_BASE, HC_CONSOLE_MAX + 1, HC_ERR_STATUS(HC_EINVAL) },
		{ GUEST_BASE, 4, 4 },                                    /* its own memory: fine */
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vcpu *v = vcpu_create(&img);
		KASSERT(v);
		v->quiet = true;
		v->regs.r8 = cases[i].ptr;
		v->regs.r9 = cases[i].len;
		int rc = vcpu_run(v);
		vcpu_destroy(v);
		KASSERTF(rc == cases[i].want, "pointer %#lx len %lu: status %d, want %d",
			 cases[i].ptr, cases[i].len, rc, cases[i].want);
	}
	/* Straddling the end of its memory. */
	struct vcpu *v = vcpu_create(&img);
	KASSERT(v);
	v->quiet = true;
	v->regs.r8 = v->mem.base + v->mem.size - 2;
	v->regs.r9 = 4;
	int rc = vcpu_run(v);
	vcpu_destroy(v);
	KASSERTF(rc == HC_ERR_STATUS(HC_EFAULT), "straddling the end: status %d", rc);
}

/* An exit nobody handles kills that guest only: the next one runs. */
KTEST(vmx_unhandled_exit_kills_guest)
{
	NEED_VMX();
	struct guest_image bad = KT_IMG(invd), good = KT_IMG(exit);
	struct vcpu *v;
	int rc = kt_run(&bad, &v);
	KASSERT(rc != INT32_MIN);
	enum vcpu_stop stop = v->stop;
	uint64_t invd = v->exit_counts[EXIT_REASON_INVD];
	bool named = v->stop_why && strncmp(v->stop_why, "unhandled exit 13 (INVD)", 24) == 0;
	vcpu_destroy(v);
	KASSERTF(rc == -VCPU_EKILLED, "rc %d", rc);
	KASSERT(stop == VCPU_STOP_KILLED);
	KASSERT(invd == 1);
	KASSERTF(named, "the reason does not name the exit");
	v = vcpu_create(&good);
	KASSERT(v);
	v->quiet = true;
	v->regs.rdi = 7;
	rc = vcpu_run(v);
	vcpu_destroy(v);
	KASSERTF(rc == 7, "the next guest got %d", rc);
}

/* A guest without an IDT that raises #UD dies of a double fault (the
 * exception bitmap catches #DF), with its registers dumped. */
KTEST(vmx_guest_double_fault_killed)
{
	NEED_VMX();
	struct guest_image img = KT_IMG(ud2);
	struct vcpu *v;
	int rc = kt_run(&img, &v);
	KASSERT(rc != INT32_MIN);
	uint64_t exc = v->exit_counts[EXIT_REASON_EXCEPTION_NMI];
	uint64_t triple = v->exit_counts[EXIT_REASON_TRIPLE_FAULT];
	enum vcpu_stop stop = v->stop;
	vcpu_destroy(v);
	KASSERTF(rc == -VCPU_EKILLED && stop == VCPU_STOP_KILLED, "rc %d", rc);
	KASSERTF(exc + triple == 1, "%lu exception exits, %lu triple faults", exc, triple);
}

/* With nothing intercepted, the guest that loads an empty IDT and raises
 * #BP cannot deliver the #DF either: a real triple fault (25.2 "Other
 * Causes of VM Exits"), which stops that guest with a named reason. */
KTEST(vmx_guest_triple_fault_killed)
{
	NEED_VMX();
	const struct guest_image *img = guest_image_find("lab2-triple");
	KASSERT(img);
	struct vcpu *v = vcpu_create(img);
	KASSERT(v);
	v->quiet = true;
	vcpu_intercept_exceptions(v, 0);
	int rc = vcpu_run(v);
	uint64_t exc = v->exit_counts[EXIT_REASON_EXCEPTION_NMI];
	uint64_t triple = v->exit_counts[EXIT_REASON_TRIPLE_FAULT];
	enum vcpu_stop stop = v->stop;
	const char *why = v->stop_why ? v->stop_why : "";
	bool named = strncmp(why, "triple fault", 12) == 0;
	vcpu_destroy(v);
	KASSERTF(rc == -VCPU_EKILLED && stop == VCPU_STOP_KILLED, "rc %d", rc);
	KASSERTF(triple == 1 && exc == 0, "%lu triple-fault exits, %lu exception exits",
		 triple, exc);
	KASSERTF(named, "stopped for '%s'", why);
}

/* One VMLAUNCH of a fresh, valid VMCS enters and comes back with the
 * guest's first exit (or a host interrupt: then try again). */
KTEST(vmx_try_launch_valid)
{
	NEED_VMX();
	struct guest_image img = KT_IMG(cpuid5);
	struct vmx_launch_result r, r2;
	for (int i = 0; i < TRY_LAUNCH_TRIES; i++) {
		struct vcpu *v = vcpu_create(&img);
		KASSERT(v);
		int rc = vmx_try_launch(v, &r);
		int again = vmx_try_launch(v, &r2) == -1;   /* launched now: refused */
		vcpu_destroy(v);
		KASSERT(rc == 0);
		KASSERTF(r.outcome == VMX_LAUNCH_EXITED, "outcome %s, error %u, reason %#x",
			 vmx_launch_outcome_name(r.outcome), r.insn_error, r.exit_reason);
		KASSERT(again);
		if (r.basic_reason == EXIT_REASON_EXTERNAL_INTERRUPT)
			continue;
		KASSERTF(r.basic_reason == EXIT_REASON_CPUID, "first exit %u (%s)",
			 r.basic_reason, vmx_exit_reason_name(r.basic_reason));
		return;
	}
	KASSERTF(0, "%d launches in a row were cut short by host interrupts", TRY_LAUNCH_TRIES);
}

/* A VMWRITE the CPU refuses is reported, counted and returned, not lost. */
KTEST(vmx_vmwrite_failure_reported)
{
	NEED_VMX();
	struct guest_image img = KT_IMG(exit);
	struct vcpu *v = vcpu_create(&img);
	KASSERT(v);
	unsigned long before = vmcs_failures;
	int rc = vmcs_write32((enum vmcs_field)VMCS_UNSUPPORTED_FIELD, 1);
	uint32_t err = vmcs_insn_error();
	vcpu_destroy(v);
	KASSERT(rc == -1);
	KASSERT(vmcs_failures == before + 1);
	KASSERTF(err == 12, "VM-instruction error %u (%s)", err, vmx_insn_error_name(err));
}

/* A control the CPU refuses makes VMLAUNCH fail with VMfailValid: the run
 * says so (entry failure), and nothing is left behind. */
KTEST(vmx_entry_failure_stops_guest)
{
	NEED_VMX();
	struct guest_image img = KT_IMG(exit);
	size_t before = pmm_free_count();
	struct vcpu *v = vcpu_create(&img);
	KASSERT(v);
	v->quiet = true;
	/* More CR3-target values than the CPU supports (26.2.1.1). */
	unsigned targets = (unsigned)((vmx_caps.misc >> VMX_MISC_CR3_TARGETS_SHIFT) &
				      VMX_MISC_CR3_TARGETS_MASK);
	KASSERT(vmcs_write32(VMCS_CR3_TARGET_COUNT, targets + 1) == 0);
	int rc = vcpu_run(v);
	enum vcpu_stop stop = v->stop;
	vcpu_destroy(v);
	KASSERTF(rc == -VCPU_EENTRY && stop == VCPU_STOP_ENTRY_FAILED, "rc %d", rc);
	KASSERT(pmm_free_count() == before);
}

/* A guest-state check that fails after VMLAUNCH began is a VM exit with
 * bit 31 set (26.7 "VM-Entry Failures During or After Loading Guest
 * State"), told apart from an ordinary exit: here a VMCS link pointer
 * that is not all ones, qualification 4 (26.3.1.5). */
KTEST(vmx_entry_failure_bit31)
{
	NEED_VMX();
	struct guest_image img = KT_IMG(exit);
	struct vcpu *v = vcpu_create(&img);
	KASSERT(v);
	KASSERT(vmcs_write64(VMCS_VMCS_LINK_POINTER, 0) == 0);
	struct vmx_launch_result r;
	int rc = vmx_try_launch(v, &r);
	bool launched = v->launched;
	vcpu_destroy(v);
	KASSERT(rc == 0);
	KASSERTF(r.outcome == VMX_LAUNCH_ENTRY_FAILED, "outcome %s (reason %#x, error %u)",
		 vmx_launch_outcome_name(r.outcome), r.exit_reason, r.insn_error);
	KASSERT(r.exit_reason & VMX_EXIT_REASON_FAILED_ENTRY);
	KASSERTF(r.basic_reason == EXIT_REASON_INVALID_GUEST_STATE, "basic reason %u (%s)",
		 r.basic_reason, vmx_exit_reason_name(r.basic_reason));
	KASSERTF(r.qualification == VMX_ENTRY_FAIL_QUAL_LINK_PTR, "qualification %lu",
		 r.qualification);
	KASSERT(!launched);
}
