/*
 * vmx_check_cpu.c - the kernel side of the VM-entry checker: fill a
 * snapshot from the current VMCS, the capability MSRs and the CPU, run the
 * rules (vmx_check.c), print what is broken.
 */
#include "cmdline.h"
#include "heap.h"
#include "memmap.h"
#include "printf.h"
#include "string.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_check.h"
#include "x86.h"

#define CPUID_EXT_ADDR_SIZES 0x80000008u    /* EAX[7:0] = MAXPHYADDR */
#define CPUID_EXT_MAX        0x80000000u
#define DEFAULT_MAXPHYADDR   36             /* SDM Vol. 3A, 4.1.4, when CPUID lacks the leaf */
#define CR4_LA57             (1ull << 12)
#define APIC_BASE_X2APIC     (1ull << 10)
#define VMCS_NO_CURRENT      0xffffffffffffffffull

/* True when [pa, pa + len) lies in usable RAM, which the kernel maps 1:1
 * (paging.h): only then may the checker look into guest-supplied memory. */
static bool ram_range(uint64_t pa, uint64_t len)
{
	for (int i = 0; i < boot_memmap.count; i++) {
		const struct mem_region *r = &boot_memmap.r[i];
		if (r->type == MEM_USABLE && pa >= r->base && pa - r->base <= r->len &&
		    len <= r->len - (pa - r->base))
			return true;
	}
	return false;
}

/* The capability MSRs (SDM Vol. 3D, appendix A) and the CPU state entry
 * checks against (26.2.4: the processor's own IA32_EFER.LMA). */
static void fill_caps(struct vmcheck_caps *k)
{
	k->basic = rdmsr(MSR_IA32_VMX_BASIC);
	k->pinbased = rdmsr(MSR_IA32_VMX_PINBASED_CTLS);
	k->procbased = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
	k->exit = rdmsr(MSR_IA32_VMX_EXIT_CTLS);
	k->entry = rdmsr(MSR_IA32_VMX_ENTRY_CTLS);
	if (k->basic & VMX_BASIC_TRUE_CTLS) {
		k->true_pinbased = rdmsr(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
		k->true_procbased = rdmsr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
		k->true_exit = rdmsr(MSR_IA32_VMX_TRUE_EXIT_CTLS);
		k->true_entry = rdmsr(MSR_IA32_VMX_TRUE_ENTRY_CTLS);
	}
	/* PROCBASED_CTLS2 and EPT_VPID_CAP exist only where the control that
	 * needs them may be 1 (A.3.3, A.10). */
	if ((k->procbased >> 32) & VMX_PROC_SECONDARY_CTLS) {
		k->procbased2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
		if ((k->procbased2 >> 32) & (VMX_PROC2_ENABLE_EPT | VMX_PROC2_ENABLE_VPID))
			k->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	}
	k->misc = rdmsr(MSR_IA32_VMX_MISC);
	k->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	k->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	k->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	k->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	k->maxphyaddr = DEFAULT_MAXPHYADDR;
	if (cpuid(CPUID_EXT_MAX, 0).eax >= CPUID_EXT_ADDR_SIZES)
		k->maxphyaddr = cpuid(CPUID_EXT_ADDR_SIZES, 0).eax & 0xff;
	k->linear_width = (read_cr4() & CR4_LA57) ? 57 : 48;
	k->cpu_efer = rdmsr(MSR_EFER);
	k->x2apic_mode = rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_X2APIC;
}

/* The memory a few checks read: the VM-entry MSR-load area (26.4) and the
 * revision word at the VMCS link pointer (26.3.1.5), when they are in RAM. */
static void fill_memory(struct vmcs_snapshot *s)
{
	uint64_t count, addr, link;
	if (vmcs_snapshot_get(s, VMCS_VM_ENTRY_MSR_LOAD_COUNT, &count) && count &&
	    vmcs_snapshot_get(s, VMCS_VM_ENTRY_MSR_LOAD_ADDR, &addr)) {
		unsigned n = count < VMCHECK_MSR_AREA_MAX ? (unsigned)count : VMCHECK_MSR_AREA_MAX;
		if (ram_range(addr, n * sizeof(struct vmcheck_msr_entry))) {
			memcpy(s->entry_msr, (const void *)addr, n * sizeof(struct vmcheck_msr_entry));
			s->entry_msr_copied = n;
		}
	}
	if (vmcs_snapshot_get(s, VMCS_VMCS_LINK_POINTER, &link) && link != VMCS_NO_CURRENT &&
	    !(link & 0xfff) && ram_range(link, sizeof(uint32_t))) {
		s->link_revision = *(const volatile uint32_t *)link;
		s->link_revision_known = true;
	}
}

/*
 * Fields that exist only where the control using them may be 1 (SDM Vol.
 * 3D, appendix B: "this field exists only on processors that support the
 * 1-setting of ..."). VMREAD of a missing field fails anyway, but Bochs
 * then logs an error line that would confuse whoever reads bochs.log.
 */
static bool field_exists(const struct vmcheck_caps *k, unsigned long f)
{
	uint32_t pin1 = k->pinbased >> 32, exit1 = k->exit >> 32, entry1 = k->entry >> 32;
	uint32_t proc2_1 = k->procbased2 >> 32;
	switch (f) {
	case VMCS_POSTED_INTR_NV:
	case VMCS_POSTED_INTR_DESC_ADDR:
		return pin1 & VMX_PIN_POSTED_INTR;
	case VMCS_GUEST_BNDCFGS:
		return (entry1 & VMX_ENTRY_LOAD_BNDCFGS) || (exit1 & VMX_EXIT_CLEAR_BNDCFGS);
	case VMCS_XSS_EXIT_BITMAP:
		return proc2_1 & VMX_PROC2_ENABLE_XSAVES;
	case VMCS_TSC_MULTIPLIER:
		return proc2_1 & VMX_PROC2_TSC_SCALING;
	case VMCS_PML_ADDRESS:
	case VMCS_GUEST_PML_INDEX:
		return proc2_1 & VMX_PROC2_ENABLE_PML;
	case VMCS_VM_FUNCTION_CONTROL:
	case VMCS_EPTP_LIST_ADDRESS:
		return proc2_1 & VMX_PROC2_ENABLE_VMFUNC;
	case VMCS_VMREAD_BITMAP:
	case VMCS_VMWRITE_BITMAP:
		return proc2_1 & VMX_PROC2_VMCS_SHADOWING;
	}
	return true;
}

int vmcs_snapshot_fill(struct vmcs_snapshot *s)
{
	int unread = 0;
	vmcs_snapshot_init(s);
	fill_caps(&s->caps);
	for (int slot = 0; slot < VMCS_NSLOTS; slot++) {
		unsigned long f = vmcs_slot_field(slot);
		uint64_t v;
		if (field_exists(&s->caps, f) && vmcs_read_raw(f, &v) == VMX_OK)
			vmcs_snapshot_set(s, f, v);
		else
			unread++;
	}
	fill_memory(s);
	return unread;
}

bool vmx_check_enabled(void)
{
	char val[8];
	return !(cmdline_get("vmcheck", val, sizeof(val)) && strcmp(val, "off") == 0);
}

void vmcheck_report_print(const struct vmcheck_report *r)
{
	char line[320];
	for (unsigned i = 0; i < r->nstored; i++) {
		vmcheck_format(&r->f[i], line, sizeof(line));
		kprintf("%s\n", line);
	}
	if (r->broken > r->nstored)
		kprintf("vmcheck: ... and %u more\n", r->broken - r->nstored);
	for (unsigned i = 0; i < r->nunchecked_stored; i++) {
		const char *f = vmcs_field_name(r->u[i].field);
		kprintf("vmcheck: %s [%s] not checked: %s could not be read\n",
			vmcheck_rule_section(r->u[i].rule), vmcheck_rule_id(r->u[i].rule), f ? f : "?");
	}
	if (r->broken)
		kprintf("vmcheck: %u broken rule%s: VM entry would fail (SDM Vol. 3C, chapter 26)\n",
			r->broken, r->broken == 1 ? "" : "s");
}

int vmx_check_current(bool print)
{
	if (vmptrst() == VMCS_NO_CURRENT) {
		if (print)
			kprintf("vmcheck: no current VMCS on this CPU\n");
		return -1;
	}
	struct vmcs_snapshot *s = kmalloc(sizeof(*s));
	struct vmcheck_report *r = kmalloc(sizeof(*r));
	int n = -1;
	if (!s || !r) {
		kprintf("vmcheck: out of memory for a snapshot (%zu bytes)\n", sizeof(*s) + sizeof(*r));
	} else {
		vmcs_snapshot_fill(s);
		n = vmx_check_snapshot(s, r);
		if (print)
			vmcheck_report_print(r);
	}
	kfree(s);
	kfree(r);
	return n;
}
