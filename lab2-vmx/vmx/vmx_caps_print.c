/*
 * vmx_caps_print.c - the readable capability report of `vmx=caps`.
 *
 * Everything is decoded by name: each control with what the CPU allows
 * ("0 or 1", "must be 1", "must be 0"), the EPT/VPID capabilities, the
 * preemption-timer rate, and the CR0/CR4 bits VMX operation fixes.
 * Intel SDM Vol. 3D, Appendix A; Vol. 3C, 23.8 "Restrictions on VMX
 * Operation" for the fixed bits.
 */
#include "printf.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_vcpu.h"
#include "string.h"
#include "init.h"
#include "cmdline.h"

static const char *const memtype_names[16] = { [0] = "UC", [6] = "WB" };

static const char *const cr0_names[64] = {
	[0] = "PE", [1] = "MP", [2] = "EM", [3] = "TS", [4] = "ET", [5] = "NE",
	[16] = "WP", [18] = "AM", [29] = "NW", [30] = "CD", [31] = "PG",
};
static const char *const cr4_names[64] = {
	[0] = "VME", [1] = "PVI", [2] = "TSD", [3] = "DE", [4] = "PSE", [5] = "PAE",
	[6] = "MCE", [7] = "PGE", [8] = "PCE", [9] = "OSFXSR", [10] = "OSXMMEXCPT",
	[11] = "UMIP", [12] = "LA57", [13] = "VMXE", [14] = "SMXE", [16] = "FSGSBASE",
	[17] = "PCIDE", [18] = "OSXSAVE", [19] = "KL", [20] = "SMEP", [21] = "SMAP",
	[22] = "PKE", [23] = "CET", [24] = "PKS",
};

static const char *yn(bool b) { return b ? "yes" : "no"; }

/* One control field: its MSR halves, then each bit the SDM names. */
static void print_ctl(const struct vmx_caps *c, enum vmx_ctl_field f)
{
	const struct vmx_ctl_cap *cap = &c->ctl[f];
	kprintf("vmx caps: %s controls: allowed-0 0x%08x (1 = must be 1), "
		"allowed-1 0x%08x (0 = must be 0)%s\n", vmx_ctl_field_name(f), cap->must1,
		cap->may1, c->true_ctls && f != VMX_CTL_PROC2 ? " [TRUE_ MSR]" : "");
	for (unsigned bit = 0; bit < 32; bit++) {
		uint32_t m = 1u << bit;
		const char *name = vmx_ctl_bit_name(f, bit);
		const char *how = (cap->must1 & m) ? "must be 1" : (cap->may1 & m) ? "0 or 1" :
			"must be 0";
		if (name)
			kprintf("  %2u %-36s %s\n", bit, name, how);
		else if (cap->must1 & m)
			kprintf("  %2u %-36s %s\n", bit, "(reserved, default1)", how);
	}
}

/* "PE NE PG" for the bits of @mask that have names, then the rest in hex. */
static void print_bits(const char *label, uint64_t mask, const char *const names[64])
{
	char line[200];
	int n = ksnprintf(line, sizeof(line), "    %s:", label);
	uint64_t unnamed = 0;
	for (unsigned bit = 0; bit < 64; bit++) {
		if (!(mask & (1ull << bit)))
			continue;
		if (names[bit] && n < (int)sizeof(line))
			n += ksnprintf(line + n, sizeof(line) - (size_t)n, " %s", names[bit]);
		else
			unnamed |= 1ull << bit;
	}
	if (unnamed && n < (int)sizeof(line))
		ksnprintf(line + n, sizeof(line) - (size_t)n, " (others %#lx)", unnamed);
	else if (!mask && n < (int)sizeof(line))
		ksnprintf(line + n, sizeof(line) - (size_t)n, " none");
	kprintf("%s\n", line);
}

/* 23.8: bits set in FIXED0 must be 1, bits clear in FIXED1 must be 0. */
static void print_fixed(const char *reg, uint64_t fixed0, uint64_t fixed1,
			const char *const names[64])
{
	kprintf("vmx caps: %s in VMX operation: FIXED0 %#018lx, FIXED1 %#018lx\n",
		reg, fixed0, fixed1);
	print_bits("must be 1", fixed0, names);
	print_bits("may be 0 or 1", fixed1 & ~fixed0, names);
	uint64_t must0 = ~fixed1;
	if (must0 >> 32 == 0xffffffff)
		must0 &= 0xffffffff;   /* the upper half is reserved anyway: keep the line short */
	print_bits("must be 0 (low 32 bits)", must0, names);
}

static void print_ept_vpid(const struct vmx_caps *c)
{
	if (!c->ept_vpid) {
		kprintf("vmx caps: EPT/VPID: neither offered (no IA32_VMX_EPT_VPID_CAP)\n");
		return;
	}
	kprintf("vmx caps: IA32_VMX_EPT_VPID_CAP %#018lx:\n", c->ept_vpid);
#define CAP_LINE(name, bit) \
	kprintf("  %2u %-40s %s\n", bit, #name, yn(c->ept_vpid & (1ull << (bit))));
	VMX_EPT_VPID_CAPS(CAP_LINE)
#undef CAP_LINE
}

void vmx_caps_print(const struct vmx_caps *c)
{
	unsigned memtype = (unsigned)((c->basic >> VMX_BASIC_MEMTYPE_SHIFT) & VMX_BASIC_MEMTYPE_MASK);
	kprintf("vmx caps: IA32_FEATURE_CONTROL %#lx: %s, VMX outside SMX %s\n",
		c->feature_control,
		c->feature_control & FEATURE_CONTROL_LOCKED ? "locked" : "unlocked",
		c->feature_control & FEATURE_CONTROL_VMX_OUTSIDE_SMX ? "on" : "off");
	kprintf("vmx caps: IA32_VMX_BASIC %#018lx: VMCS revision %#x, region %u bytes, "
		"memory type %s (%u), 32-bit addresses only %s, INS/OUTS info %s, TRUE_ controls %s\n",
		c->basic, c->revision, c->vmcs_size,
		memtype_names[memtype] ? memtype_names[memtype] : "?", memtype,
		yn(c->basic & VMX_BASIC_32BIT_ADDR), yn(c->basic & VMX_BASIC_INS_OUTS_INFO),
		yn(c->true_ctls));
	for (int f = 0; f < VMX_CTL_NFIELDS; f++) {
		if (f == VMX_CTL_PROC2 && !(c->ctl[VMX_CTL_PROC].may1 & VMX_PROC_SECONDARY_CTLS)) {
			kprintf("vmx caps: secondary controls: not offered\n");
			continue;
		}
		print_ctl(c, (enum vmx_ctl_field)f);
	}
	print_ept_vpid(c);
	kprintf("vmx caps: IA32_VMX_MISC %#018lx: preemption timer ticks every 2^%u = %u TSC "
		"ticks; activity states HLT %s, shutdown %s, wait-for-SIPI %s; %u CR3 targets; "
		"MSR lists up to %u entries; VMWRITE to exit-information fields %s\n",
		c->misc, c->preempt_rate, 1u << c->preempt_rate,
		yn(c->misc & VMX_MISC_ACT_HLT), yn(c->misc & VMX_MISC_ACT_SHUTDOWN),
		yn(c->misc & VMX_MISC_ACT_SIPI),
		(unsigned)((c->misc >> VMX_MISC_CR3_TARGETS_SHIFT) & VMX_MISC_CR3_TARGETS_MASK),
		512u * (unsigned)(((c->misc >> VMX_MISC_MSR_LIST_SHIFT) & VMX_MISC_MSR_LIST_MASK) + 1),
		yn(c->misc & VMX_MISC_VMWRITE_ANY));
	print_fixed("CR0", c->cr0_fixed0, c->cr0_fixed1, cr0_names);
	print_fixed("CR4", c->cr4_fixed0, c->cr4_fixed1, cr4_names);
}

/* vmx=caps: the report above, then the controls lab 2's vCPUs compute. */
static int lab2_vmx_caps(void)
{
	char what[16];
	if (!cmdline_get("vmx", what, sizeof(what)))
		return 0;
	if (strcmp(what, "caps") != 0) {
		kprintf("vmx=%s: unknown; vmx=caps prints the VMX capability report\n", what);
		return 0;
	}
	if (vmx_caps_get()) {
		kprintf("VMX not available: %s\n", vmx_unavailable_reason());
		return 0;
	}
	vmx_caps_print(&vmx_caps);
	/* What lab 2's vCPUs get from those MSRs (vmx_compute_controls). */
	struct vmx_vcpu x;
	if (vmx_compute_controls(&x, true) == 0)
		kprintf("vmx caps: controls hvlab computes: pin-based %#010x, primary %#010x, "
			"secondary %#010x, exit %#010x, entry %#010x\n",
			x.pin, x.proc, x.proc2, x.exit, x.entry);
	return 0;
}
INITCALL(21, lab2_vmx_caps);
