/*
 * vmx_cpu.c - entering and leaving VMX root operation on each CPU
 * (vmx_cpu.h). Intel SDM Vol. 3C, 23.7 "Enabling and Entering VMX
 * Operation", 23.8 "Restrictions on VMX Operation", 30.3 "VMXON".
 */
#include "percpu.h"
#include "platform.h"
#include "pmm.h"
#include "printf.h"
#include "panic.h"
#include "smp.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_cpu.h"
#include "x86.h"

#define CR4_VMXE        (1ull << 13)
#define AP_WAIT_US      200000     /* bound on waiting for an AP to answer */

struct vmx_percpu {
	volatile bool on;
	uint64_t vmxon_pa;         /* the VMXON region (one page) */
	uint64_t cr4_before;       /* CR4 as it was before VMXON, restored by VMXOFF */
};
static struct vmx_percpu vmx_percpu[MAX_CPUS];
static bool exit_hook_set;

static void vmx_exit_hook(void)
{
	vmx_disable_all();
}

bool vmx_cpu_is_on(int cpu)
{
	return cpu >= 0 && cpu < MAX_CPUS && vmx_percpu[cpu].on;
}

/*
 * 23.7 "Enabling and Entering VMX Operation": VMXON needs IA32_FEATURE_CONTROL locked with "VMX outside SMX"
 * set (firmware may have locked it either way; if it is unlocked we set
 * and lock it ourselves), CR4.VMXE set, CR0 and CR4 obeying the FIXED0/
 * FIXED1 MSRs (23.8 "Restrictions on VMX Operation"), and a 4-KiB-aligned VMXON region whose first 32 bits
 * hold the VMCS revision identifier from IA32_VMX_BASIC (bit 31 clear).
 */
static int vmx_enter_root(struct vmx_percpu *pc, int cpu)
{
	/* BEGIN SOLUTION lab2 */
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		fc |= FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
	} else if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		kprintf("VMX not available: cpu %d: IA32_FEATURE_CONTROL %#lx is locked with "
			"VMX outside SMX off\n", cpu, fc);
		return -1;
	}

	uint64_t cr0 = read_cr0(), cr4 = read_cr4();
	uint64_t new_cr0 = (cr0 | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1;
	uint64_t new_cr4 = ((cr4 | CR4_VMXE) | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1;
	if (!(new_cr4 & CR4_VMXE)) {
		kprintf("vmx: cpu %d: CR4_FIXED1 %#lx does not allow CR4.VMXE\n", cpu,
			vmx_caps.cr4_fixed1);
		return -1;
	}
	pc->cr4_before = cr4;
	write_cr0(new_cr0);
	write_cr4(new_cr4);

	uint64_t pa = page_alloc();
	if (!pa) {
		write_cr4(cr4);
		kprintf("vmx: cpu %d: no memory for the VMXON region\n", cpu);
		return -1;
	}
	*(volatile uint32_t *)(uintptr_t)pa = vmx_caps.revision;
	enum vmx_status st = vmxon(pa);
	if (st != VMX_OK) {
		page_free(pa);
		write_cr4(cr4);
		kprintf("vmx: cpu %d: VMXON failed: %s (CR0 %#lx, CR4 %#lx, revision %#x)\n",
			cpu, vmx_status_name(st), new_cr0, new_cr4, vmx_caps.revision);
		return -1;
	}
	pc->vmxon_pa = pa;
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)pc;
	(void)cpu;
	NOT_IMPLEMENTED("lab2");
	*/
}

int vmx_cpu_enable(void)
{
	int cpu = this_cpu()->index;
	struct vmx_percpu *pc = &vmx_percpu[cpu];
	if (pc->on)
		return 0;
	if (vmx_caps_get()) {
		kprintf("VMX not available: %s\n", vmx_unavailable_reason());
		return -1;
	}
	if (vmx_enter_root(pc, cpu))
		return -1;
	pc->on = true;
	/* Whichever CPU turns VMX on first makes sure it goes off at the end. */
	if (!__atomic_exchange_n(&exit_hook_set, true, __ATOMIC_SEQ_CST))
		platform_on_exit(vmx_exit_hook);
	return 0;
}

/* 30.3 "VMX Instructions", VMXOFF: leave VMX operation; then CR4.VMXE may be cleared again. */
void vmx_cpu_disable(void)
{
	int cpu = this_cpu()->index;
	struct vmx_percpu *pc = &vmx_percpu[cpu];
	if (!pc->on)
		return;
	enum vmx_status st = vmxoff();
	if (st != VMX_OK) {
		kprintf("vmx: cpu %d: VMXOFF failed: %s\n", cpu, vmx_status_name(st));
		return;
	}
	write_cr4(pc->cr4_before & ~CR4_VMXE);
	page_free(pc->vmxon_pa);
	pc->vmxon_pa = 0;
	pc->on = false;
}

struct ap_request { volatile int rc; };

static void enable_on_ap(void *arg)
{
	((struct ap_request *)arg)->rc = vmx_cpu_enable();
}

static void disable_on_ap(void *arg)
{
	(void)arg;
	vmx_cpu_disable();
}

/* Run @fn on AP @cpu and wait for it (BSP only: smp_wait uses the PIT). */
static bool run_on_ap(int cpu, void (*fn)(void *), void *arg)
{
	return smp_run_on(cpu, fn, arg) == 0 && smp_wait(cpu, AP_WAIT_US);
}

int vmx_enable_all(void)
{
	if (vmx_caps_get()) {
		kprintf("VMX not available: %s\n", vmx_unavailable_reason());
		return ncpus;
	}
	if (this_cpu()->index != 0)
		panic("vmx_enable_all: call it on the bootstrap processor (it waits on the PIT)");
	int failed = vmx_cpu_enable() != 0;
	for (int cpu = 1; cpu < ncpus; cpu++) {
		if (!cpus[cpu].online || vmx_percpu[cpu].on)
			continue;
		struct ap_request req = { .rc = -1 };
		if (!run_on_ap(cpu, enable_on_ap, &req)) {
			kprintf("vmx: cpu %d did not answer the VMXON request within %u ms\n",
				cpu, AP_WAIT_US / 1000);
			failed++;
		} else if (req.rc) {
			failed++;
		}
	}
	return failed;
}

void vmx_disable_all(void)
{
	int me = this_cpu()->index;
	for (int cpu = 0; cpu < ncpus; cpu++) {
		if (cpu == me || !vmx_percpu[cpu].on)
			continue;
		if (me != 0 || !run_on_ap(cpu, disable_on_ap, NULL))
			kprintf("vmx: cpu %d could not be asked to leave VMX operation\n", cpu);
	}
	vmx_cpu_disable();
}
