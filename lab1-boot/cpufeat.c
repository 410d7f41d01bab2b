/*
 * cpufeat.c - detecting VMX or SVM and their main capabilities.
 *
 * Reading a VMX capability MSR on a CPU without VMX raises #GP, so every
 * MSR read here is guarded by the CPUID bit or allowed-1 control bit that
 * says the MSR exists (Intel SDM Vol. 3D, Appendix A).
 */
#include "cpufeat.h"
#include "printf.h"
#include "string.h"
#include "x86.h"

#define CPUID1_ECX_VMX        (1u << 5)
#define CPUID80000001_ECX_SVM (1u << 2)
#define PROC_ACTIVATE_SECONDARY (1u << 31)
#define PIN_PREEMPT_TIMER     (1u << 6)
#define PROC2_EPT             (1u << 1)
#define PROC2_VPID            (1u << 5)
#define PROC2_UNRESTRICTED    (1u << 7)
#define PROC2_PML             (1u << 17)
#define EPT_CAP_2M_1G         (1ull << 17)
#define EPT_CAP_AD            (1ull << 21)
#define FC_LOCKED             (1u << 0)
#define FC_VMX_OUTSIDE_SMX    (1u << 2)

static void probe_vmx(struct cpu_virt_features *f)
{
	f->feature_control = rdmsr(MSR_IA32_FEATURE_CONTROL);
	f->vmx_locked_off = (f->feature_control & FC_LOCKED) &&
			    !(f->feature_control & FC_VMX_OUTSIDE_SMX);
	uint64_t basic = rdmsr(MSR_IA32_VMX_BASIC);
	f->vmcs_revision = (uint32_t)basic & 0x7fffffff;
	/* Allowed-1 settings are the high 32 bits of each control MSR (A.3). */
	uint32_t pin1 = (uint32_t)(rdmsr(MSR_IA32_VMX_PINBASED_CTLS) >> 32);
	uint32_t proc1 = (uint32_t)(rdmsr(MSR_IA32_VMX_PROCBASED_CTLS) >> 32);
	f->preempt_timer = pin1 & PIN_PREEMPT_TIMER;
	f->preempt_rate = (unsigned)(rdmsr(MSR_IA32_VMX_MISC) & 0x1f);
	if (!(proc1 & PROC_ACTIVATE_SECONDARY))
		return;
	uint32_t proc2 = (uint32_t)(rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) >> 32);
	f->ept = proc2 & PROC2_EPT;
	f->vpid = proc2 & PROC2_VPID;
	f->unrestricted = proc2 & PROC2_UNRESTRICTED;
	f->pml = proc2 & PROC2_PML;
	if (f->ept || f->vpid) {
		uint64_t cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
		f->ept_ad = cap & EPT_CAP_AD;
		f->ept_1g = cap & EPT_CAP_2M_1G;
	}
}

void cpufeat_probe(struct cpu_virt_features *f)
{
	memset(f, 0, sizeof(*f));
	struct cpuid_regs r = cpuid(0, 0);
	memcpy(f->vendor + 0, &r.ebx, 4);
	memcpy(f->vendor + 4, &r.edx, 4);
	memcpy(f->vendor + 8, &r.ecx, 4);

	uint32_t max_ext = cpuid(0x80000000, 0).eax;
	if (max_ext >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			r = cpuid(0x80000002 + i, 0);
			memcpy(f->brand + 16 * i, &r, 16);
		}
	}
	f->vmx = cpuid(1, 0).ecx & CPUID1_ECX_VMX;
	if (max_ext >= 0x80000001)
		f->svm = cpuid(0x80000001, 0).ecx & CPUID80000001_ECX_SVM;
	if (f->vmx)
		probe_vmx(f);
	if (f->svm && max_ext >= 0x8000000a) {
		r = cpuid(0x8000000a, 0);
		f->npt = r.edx & 1;
		f->asids = r.ebx;
	}
}

static const char *yn(bool b) { return b ? "yes" : "no"; }

void cpufeat_print(const struct cpu_virt_features *f)
{
	const char *brand = f->brand;
	while (*brand == ' ')
		brand++;
	kprintf("cpu: %s \"%s\"\n", f->vendor, brand);
	if (f->vmx) {
		kprintf("virt: VMX (VMCS revision %#x, IA32_FEATURE_CONTROL %#lx%s)\n",
			f->vmcs_revision, f->feature_control,
			f->vmx_locked_off ? ", locked with VMX disabled: VMXON will fail" : "");
		kprintf("virt: EPT %s (A/D bits %s, 1 GiB pages %s), unrestricted guest %s, VPID %s\n",
			yn(f->ept), yn(f->ept_ad), yn(f->ept_1g), yn(f->unrestricted), yn(f->vpid));
		kprintf("virt: preemption timer %s (rate: TSC/%u), PML %s\n",
			yn(f->preempt_timer), 1u << f->preempt_rate, yn(f->pml));
	}
	if (f->svm)
		kprintf("virt: SVM, nested paging (NPT) %s, %u ASIDs\n", yn(f->npt), f->asids);
	if (!f->vmx && !f->svm)
		kprintf("virt: none (no VMX or SVM in CPUID): labs 2-6 need an emulator that has them\n");
}
