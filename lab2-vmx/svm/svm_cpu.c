/*
 * svm_cpu.c - SVM on every CPU: the twin of vmx/vmx_cpu.c.
 *
 * AMD64 APM Vol. 2, 15.4 "Enabling SVM": SVM exists when CPUID
 * 80000001h:ECX.SVM is 1, and may be used when VM_CR.SVMDIS is 0; setting
 * EFER.SVME then enables the SVM instructions. Before the first VMRUN,
 * VM_HSAVE_PA must hold the physical address of a page where VMRUN saves
 * the host's state (15.30.4). Unlike VMXON there is no region to hand
 * over and no fixed CR0/CR4 bits to honour.
 */
#include "cmdline.h"
#include "init.h"
#include "string.h"
#include "percpu.h"
#include "platform.h"
#include "pmm.h"
#include "printf.h"
#include "panic.h"
#include "smp.h"
#include "svm/svm.h"
#include "svm/svm_cpu.h"
#include "x86.h"

#define AP_WAIT_US      200000     /* bound on waiting for an AP to answer */
#define CPUID_EXT_MAX   0x80000000u
#define CPUID_EXT_FEAT  0x80000001u
#define CPUID_ADDR_SIZE 0x80000008u

struct svm_percpu {
	volatile bool on;
	uint64_t hsave_pa;         /* VM_HSAVE_PA: VMRUN's host save area */
	uint64_t host_save_pa;     /* VMSAVE/VMLOAD of the host's FS, GS, TR, ... */
};
static struct svm_percpu svm_percpu[MAX_CPUS];
static bool exit_hook_set;
struct svm_caps svm_caps;

int svm_caps_get(void)
{
	if (svm_caps.revision || svm_caps.present)
		return svm_caps.present ? 0 : -1;
	if (cpuid(CPUID_EXT_MAX, 0).eax < CPUID_SVM_FEATURES ||
	    !(cpuid(CPUID_EXT_FEAT, 0).ecx & CPUID_80000001_ECX_SVM)) {
		svm_caps.why = "CPUID.80000001h:ECX.SVM is 0 (not an AMD CPU with SVM)";
		return -1;
	}
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		svm_caps.why = "VM_CR.SVMDIS is set: the firmware disabled SVM";
		return -1;
	}
	struct cpuid_regs r = cpuid(CPUID_SVM_FEATURES, 0);
	svm_caps.revision = r.eax & 0xff;
	svm_caps.nasids = r.ebx;
	svm_caps.features = r.edx;
	svm_caps.phys_bits = cpuid(CPUID_ADDR_SIZE, 0).eax & 0xff;
	svm_caps.present = true;
	return 0;
}

void svm_caps_print(void)
{
	static const struct { uint32_t bit; const char *name; } feats[] = {
		{ SVM_FEAT_NP, "nested paging" }, { SVM_FEAT_LBRV, "LBR virtualization" },
		{ SVM_FEAT_SVML, "SVM lock" }, { SVM_FEAT_NRIPS, "NRIPS (next RIP saved)" },
		{ SVM_FEAT_TSC_RATE, "TSC rate" }, { SVM_FEAT_VMCB_CLEAN, "VMCB clean bits" },
		{ SVM_FEAT_FLUSH_BY_ASID, "flush by ASID" },
		{ SVM_FEAT_DECODE_ASSISTS, "decode assists" },
		{ SVM_FEAT_PAUSE_FILTER, "PAUSE filter" }, { SVM_FEAT_AVIC, "AVIC" },
		{ SVM_FEAT_VLS, "virtual VMLOAD/VMSAVE" }, { SVM_FEAT_VGIF, "virtual GIF" },
		{ SVM_FEAT_ADDR_CHK, "SVME address check" },
	};
	kprintf("svm caps: SVM revision %u, %u ASIDs, %u physical address bits, "
		"CPUID 8000000Ah EDX %#010x\n", svm_caps.revision, svm_caps.nasids,
		svm_caps.phys_bits, svm_caps.features);
	for (unsigned i = 0; i < sizeof(feats) / sizeof(feats[0]); i++)
		kprintf("svm caps:   %-24s %s\n", feats[i].name,
			svm_caps.features & feats[i].bit ? "yes" : "no");
	kprintf("svm caps: VM_CR %#lx, EFER %#lx\n", rdmsr(MSR_VM_CR), rdmsr(MSR_EFER));
}

static void svm_exit_hook(void)
{
	svm_disable_all();
}

bool svm_cpu_is_on(int cpu)
{
	return cpu >= 0 && cpu < MAX_CPUS && svm_percpu[cpu].on;
}

uint64_t svm_host_save_pa(int cpu)
{
	return svm_percpu[cpu].host_save_pa;
}

/* EFER.SVME, then the host save area (APM 15.4, 15.30.4). */
static int svm_enter(struct svm_percpu *pc, int cpu)
{
	/* BEGIN SOLUTION lab2 */
	pc->hsave_pa = page_alloc();
	pc->host_save_pa = page_alloc();
	if (!pc->hsave_pa || !pc->host_save_pa) {
		if (pc->hsave_pa)
			page_free(pc->hsave_pa);
		if (pc->host_save_pa)
			page_free(pc->host_save_pa);
		pc->hsave_pa = pc->host_save_pa = 0;
		kprintf("svm: cpu %d: no memory for the host save areas\n", cpu);
		return -1;
	}
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, pc->hsave_pa);
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)pc;
	(void)cpu;
	NOT_IMPLEMENTED("lab2");
	*/
}

int svm_cpu_enable(void)
{
	int cpu = this_cpu()->index;
	struct svm_percpu *pc = &svm_percpu[cpu];
	if (pc->on)
		return 0;
	if (svm_caps_get()) {
		kprintf("SVM not available: %s\n", svm_caps.why);
		return -1;
	}
	if (svm_enter(pc, cpu))
		return -1;
	pc->on = true;
	if (!__atomic_exchange_n(&exit_hook_set, true, __ATOMIC_SEQ_CST))
		platform_on_exit(svm_exit_hook);
	return 0;
}

void svm_cpu_disable(void)
{
	int cpu = this_cpu()->index;
	struct svm_percpu *pc = &svm_percpu[cpu];
	if (!pc->on)
		return;
	wrmsr(MSR_VM_HSAVE_PA, 0);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~EFER_SVME);
	page_free(pc->hsave_pa);
	page_free(pc->host_save_pa);
	pc->hsave_pa = pc->host_save_pa = 0;
	pc->on = false;
}

struct ap_request { volatile int rc; };

static void enable_on_ap(void *arg)
{
	((struct ap_request *)arg)->rc = svm_cpu_enable();
}

static void disable_on_ap(void *arg)
{
	(void)arg;
	svm_cpu_disable();
}

static bool run_on_ap(int cpu, void (*fn)(void *), void *arg)
{
	return smp_run_on(cpu, fn, arg) == 0 && smp_wait(cpu, AP_WAIT_US);
}

int svm_enable_all(void)
{
	if (svm_caps_get()) {
		kprintf("SVM not available: %s\n", svm_caps.why);
		return ncpus;
	}
	if (this_cpu()->index != 0)
		panic("svm_enable_all: call it on the bootstrap processor (it waits on the PIT)");
	int failed = svm_cpu_enable() != 0;
	for (int cpu = 1; cpu < ncpus; cpu++) {
		if (!cpus[cpu].online || svm_percpu[cpu].on)
			continue;
		struct ap_request req = { .rc = -1 };
		if (!run_on_ap(cpu, enable_on_ap, &req)) {
			kprintf("svm: cpu %d did not answer the EFER.SVME request within %u ms\n",
				cpu, AP_WAIT_US / 1000);
			failed++;
		} else if (req.rc) {
			failed++;
		}
	}
	return failed;
}

void svm_disable_all(void)
{
	int me = this_cpu()->index;
	for (int cpu = 0; cpu < ncpus; cpu++) {
		if (cpu == me || !svm_percpu[cpu].on)
			continue;
		if (me != 0 || !run_on_ap(cpu, disable_on_ap, NULL))
			kprintf("svm: cpu %d could not be asked to turn SVM off\n", cpu);
	}
	svm_cpu_disable();
}

/* svm=caps: the twin report for AMD SVM (CPUID 8000000Ah, VM_CR). */
static int lab2_svm_caps(void)
{
	char what[16];
	if (!cmdline_get("svm", what, sizeof(what)))
		return 0;
	if (strcmp(what, "caps") != 0) {
		kprintf("svm=%s: unknown; svm=caps prints the SVM capability report\n", what);
		return 0;
	}
	if (svm_caps_get()) {
		kprintf("SVM not available: %s\n", svm_caps.why);
		return 0;
	}
	svm_caps_print();
	return 0;
}
INITCALL(21, lab2_svm_caps);
