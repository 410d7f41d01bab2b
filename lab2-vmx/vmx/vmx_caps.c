/*
 * vmx_caps.c - reading the VMX capability MSRs, reporting them, and
 * computing control values from them (vmx_caps.h).
 *
 * Intel SDM Vol. 3D, Appendix A "VMX Capability Reporting Facility";
 * Vol. 3C, 23.6 "Discovering Support for VMX" and 24.6-24.8 for the
 * control fields themselves.
 */
#include "panic.h"
#include "printf.h"
#include "vmx/vmx_caps.h"
#include "x86.h"

#define CPUID1_ECX_VMX (1u << 5)

struct vmx_caps vmx_caps;
static int caps_state;            /* 0: not read yet, 1: VMX usable, -1: not usable */
static const char *unavailable;   /* why, when caps_state == -1 */

/* Each control MSR: the plain one, and its TRUE_ twin when bit 55 says so. */
static const struct {
	const char *name;             /* the SDM's name of the field */
	uint32_t msr, true_msr;       /* true_msr 0: there is none */
} ctl_msrs[VMX_CTL_NFIELDS] = {
	[VMX_CTL_PIN]   = { "pin-based VM-execution", MSR_IA32_VMX_PINBASED_CTLS,
			    MSR_IA32_VMX_TRUE_PINBASED_CTLS },
	[VMX_CTL_PROC]  = { "primary processor-based VM-execution", MSR_IA32_VMX_PROCBASED_CTLS,
			    MSR_IA32_VMX_TRUE_PROCBASED_CTLS },
	[VMX_CTL_PROC2] = { "secondary processor-based VM-execution",
			    MSR_IA32_VMX_PROCBASED_CTLS2, 0 },
	[VMX_CTL_EXIT]  = { "VM-exit", MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS },
	[VMX_CTL_ENTRY] = { "VM-entry", MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS },
};

/* Control bit names, from vmx_ctls.h's tables. */
struct ctl_name { unsigned bit; const char *name; };
#define CTL_NAME(macro, bit, text) { bit, text },
static const struct ctl_name pin_names[] = { VMX_PIN_CTLS(CTL_NAME) };
static const struct ctl_name proc_names[] = { VMX_PROC_CTLS(CTL_NAME) };
static const struct ctl_name proc2_names[] = { VMX_PROC2_CTLS(CTL_NAME) };
static const struct ctl_name exit_names[] = { VMX_EXIT_CTLS(CTL_NAME) };
static const struct ctl_name entry_names[] = { VMX_ENTRY_CTLS(CTL_NAME) };
#undef CTL_NAME
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
static const struct { const struct ctl_name *names; size_t n; } ctl_names[VMX_CTL_NFIELDS] = {
	[VMX_CTL_PIN] = { pin_names, ARRAY_LEN(pin_names) },
	[VMX_CTL_PROC] = { proc_names, ARRAY_LEN(proc_names) },
	[VMX_CTL_PROC2] = { proc2_names, ARRAY_LEN(proc2_names) },
	[VMX_CTL_EXIT] = { exit_names, ARRAY_LEN(exit_names) },
	[VMX_CTL_ENTRY] = { entry_names, ARRAY_LEN(entry_names) },
};

const char *vmx_ctl_field_name(enum vmx_ctl_field f)
{
	return f < VMX_CTL_NFIELDS ? ctl_msrs[f].name : "unknown";
}

const char *vmx_ctl_bit_name(enum vmx_ctl_field f, unsigned bit)
{
	if (f >= VMX_CTL_NFIELDS)
		return NULL;
	for (size_t i = 0; i < ctl_names[f].n; i++)
		if (ctl_names[f].names[i].bit == bit)
			return ctl_names[f].names[i].name;
	return NULL;
}

const char *vmx_unavailable_reason(void)
{
	return caps_state < 0 ? unavailable : NULL;
}

static struct vmx_ctl_cap ctl_cap_from_msr(uint64_t v)
{
	/* A.3: allowed 0-settings in bits 31:0, allowed 1-settings in 63:32. */
	return (struct vmx_ctl_cap){ .must1 = (uint32_t)v, .may1 = (uint32_t)(v >> 32) };
}

/*
 * Every MSR read is guarded by what says it exists (A.1-A.10): the VMX
 * MSRs by CPUID.1:ECX.VMX, the TRUE_ ones by VMX_BASIC bit 55, PROCBASED2
 * by "activate secondary controls" being allowed-1, EPT_VPID_CAP by EPT
 * or VPID being allowed-1. A missing MSR would raise #GP.
 */
static void caps_read(struct vmx_caps *c)
{
	c->feature_control = rdmsr(MSR_IA32_FEATURE_CONTROL);
	c->basic = rdmsr(MSR_IA32_VMX_BASIC);
	c->revision = (uint32_t)(c->basic & VMX_BASIC_REVISION_MASK);
	c->vmcs_size = (uint32_t)((c->basic >> VMX_BASIC_SIZE_SHIFT) & VMX_BASIC_SIZE_MASK);
	c->true_ctls = c->basic & VMX_BASIC_TRUE_CTLS;
	for (int f = 0; f < VMX_CTL_NFIELDS; f++) {
		if (f == VMX_CTL_PROC2)
			continue;
		uint32_t msr = c->true_ctls ? ctl_msrs[f].true_msr : ctl_msrs[f].msr;
		c->ctl[f] = ctl_cap_from_msr(rdmsr(msr));
	}
	if (c->ctl[VMX_CTL_PROC].may1 & VMX_PROC_SECONDARY_CTLS)
		c->ctl[VMX_CTL_PROC2] = ctl_cap_from_msr(rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2));
	if (c->ctl[VMX_CTL_PROC2].may1 & (VMX_PROC2_ENABLE_EPT | VMX_PROC2_ENABLE_VPID))
		c->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	c->misc = rdmsr(MSR_IA32_VMX_MISC);
	c->preempt_rate = (unsigned)(c->misc & VMX_MISC_PREEMPT_RATE_MASK);
	c->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
}

int vmx_caps_get(void)
{
	if (caps_state)
		return caps_state > 0 ? 0 : -1;
	vmx_caps.vmx = cpuid(1, 0).ecx & CPUID1_ECX_VMX;
	if (!vmx_caps.vmx) {
		unavailable = "CPUID.1:ECX.VMX is 0 (QEMU TCG has no VMX: use Bochs, or KVM with nested VMX)";
		caps_state = -1;
		return -1;
	}
	caps_read(&vmx_caps);
	if ((vmx_caps.feature_control & FEATURE_CONTROL_LOCKED) &&
	    !(vmx_caps.feature_control & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		unavailable = "IA32_FEATURE_CONTROL is locked with \"VMX outside SMX\" off "
			      "(a firmware setting: enable VT-x in the BIOS)";
		caps_state = -1;
		return -1;
	}
	caps_state = 1;
	return 0;
}

/*
 * The heart of "never hard-code a control value" (SDM Vol. 3C, 24.6-24.8
 * and Vol. 3D, A.3-A.5): start from the bits the CPU requires to be 1,
 * add the ones we need (each must be allowed to be 1, or the vCPU cannot
 * work: say which), and add the optional ones the CPU happens to allow.
 */
int vmx_ctl_compute(enum vmx_ctl_field f, uint32_t want, uint32_t optional, uint32_t *out)
{
	if ((unsigned)f >= VMX_CTL_NFIELDS)
		panic("vmx_ctl_compute: no control field %d", (int)f);
	/* BEGIN SOLUTION lab2 */
	const struct vmx_ctl_cap *cap = &vmx_caps.ctl[f];
	uint32_t refused = want & ~cap->may1;
	if (refused) {
		for (unsigned bit = 0; bit < 32; bit++) {
			if (!(refused & (1u << bit)))
				continue;
			const char *name = vmx_ctl_bit_name(f, bit);
			kprintf("vmx: %s control \"%s\" (bit %u) is not allowed to be 1 on this CPU "
				"(allowed-1 settings %#x)\n", vmx_ctl_field_name(f),
				name ? name : "unnamed", bit, cap->may1);
		}
		return -1;
	}
	*out = cap->must1 | want | (optional & cap->may1);
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)f;
	(void)want;
	(void)optional;
	(void)out;
	NOT_IMPLEMENTED("lab2");
	*/
}

bool vmx_ctl_valid(enum vmx_ctl_field f, uint32_t value)
{
	if ((unsigned)f >= VMX_CTL_NFIELDS)
		return false;
	const struct vmx_ctl_cap *cap = &vmx_caps.ctl[f];
	return (value & cap->must1) == cap->must1 && (value & ~cap->may1) == 0;
}

bool vmx_ctl_allowed(enum vmx_ctl_field f, uint32_t bits)
{
	if ((unsigned)f >= VMX_CTL_NFIELDS)
		return false;
	return (bits & ~vmx_caps.ctl[f].may1) == 0;
}
