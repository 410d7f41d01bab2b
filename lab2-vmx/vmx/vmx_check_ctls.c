/*
 * vmx_check_ctls.c - checks on the VMX controls (Intel SDM Vol. 3C,
 * 26.2.1 "Checks on VMX Controls": 26.2.1.1 execution controls, 26.2.1.2
 * exit controls, 26.2.1.3 entry controls). A broken rule here makes
 * VMLAUNCH fail with VMfailValid, VM-instruction error 7.
 */
#include <stddef.h>
#include "vmx/vmx_check_rules.h"

/* The SDM names of the control bits, from vmx_ctls.h's tables. (The
 * checker keeps its own lookup: it also runs on the host, without
 * vmx_caps.c.) */
#define CTL_NAME(macro, bit, text) [bit] = text,
static const char *const pin_names[32] = { VMX_PIN_CTLS(CTL_NAME) };
static const char *const proc_names[32] = { VMX_PROC_CTLS(CTL_NAME) };
static const char *const proc2_names[32] = { VMX_PROC2_CTLS(CTL_NAME) };
static const char *const exit_names[32] = { VMX_EXIT_CTLS(CTL_NAME) };
static const char *const entry_names[32] = { VMX_ENTRY_CTLS(CTL_NAME) };
#undef CTL_NAME

/*
 * A control field against its capability MSR (SDM Vol. 3D, A.3-A.5): the
 * low half lists bits that must be 1 (allowed-0 settings), the high half
 * bits that may be 1 (allowed-1 settings). One finding names the first
 * offending bit in each direction.
 */
static void check_allowed(struct vmcheck_ctx *c, unsigned long field, const char *const names[32],
			  uint32_t value, uint64_t msr)
{
	uint32_t allowed0 = (uint32_t)msr, allowed1 = (uint32_t)(msr >> 32);
	uint32_t need1 = allowed0 & ~value, need0 = value & ~allowed1;
	if (!need1 && !need0)
		return;
	uint32_t bad = need1 ? need1 : need0;
	unsigned bit = (unsigned)__builtin_ctz(bad);
	const char *name = names[bit];
	vc_fail(c, field, "bit %u%s%s%s must be %d; must-be-1 %#x, may-be-1 %#x",
		bit, name ? " '" : "", name ? name : "", name ? "'" : "", need1 ? 1 : 0,
		allowed0, allowed1);
}

/* The TRUE_ MSRs let default-1 controls be 0 where IA32_VMX_BASIC bit 55
 * says they exist (SDM Vol. 3D, A.2). */
static uint64_t ctl_msr(struct vmcheck_ctx *c, uint64_t plain, uint64_t truemsr)
{
	return (c->s->caps.basic & VC_BASIC_TRUE_CTLS) ? truemsr : plain;
}

/* An address the processor will use as a page (or area) base: aligned to
 * @align and inside the physical-address width (26.2.1.1). */
static void check_addr(struct vmcheck_ctx *c, unsigned long field, uint64_t align)
{
	uint64_t a = vc_get(c, field);
	if (a & (align - 1))
		vc_fail(c, field, "not %llu-byte aligned", (unsigned long long)align);
	else if (!vc_phys_ok(c, a))
		vc_fail(c, field, "beyond MAXPHYADDR %u", c->s->caps.maxphyaddr);
}

void vmcheck_ctl_pin_allowed(struct vmcheck_ctx *c)
{
	check_allowed(c, VMCS_PIN_BASED_VM_EXEC_CONTROL, pin_names, vc_pin(c),
		      ctl_msr(c, c->s->caps.pinbased, c->s->caps.true_pinbased));
}

void vmcheck_ctl_proc_allowed(struct vmcheck_ctx *c)
{
	check_allowed(c, VMCS_CPU_BASED_VM_EXEC_CONTROL, proc_names, vc_proc(c),
		      ctl_msr(c, c->s->caps.procbased, c->s->caps.true_procbased));
}

void vmcheck_ctl_proc2_allowed(struct vmcheck_ctx *c)
{
	if (vc_proc(c) & VMX_PROC_SECONDARY_CTLS)
		check_allowed(c, VMCS_SECONDARY_VM_EXEC_CONTROL, proc2_names, vc_proc2(c),
			      c->s->caps.procbased2);
}

void vmcheck_ctl_cr3_target_count(struct vmcheck_ctx *c)
{
	uint64_t n = vc_get(c, VMCS_CR3_TARGET_COUNT);
	unsigned max = VC_MISC_CR3_TARGETS(c->s->caps.misc);
	if (n > max)
		vc_fail(c, VMCS_CR3_TARGET_COUNT, "%llu targets, at most %u", (unsigned long long)n, max);
}

void vmcheck_ctl_io_bitmap_addr(struct vmcheck_ctx *c)
{
	if (!(vc_proc(c) & VMX_PROC_USE_IO_BITMAPS))
		return;
	check_addr(c, VMCS_IO_BITMAP_A, 4096);
	check_addr(c, VMCS_IO_BITMAP_B, 4096);
}

void vmcheck_ctl_msr_bitmap_addr(struct vmcheck_ctx *c)
{
	if (vc_proc(c) & VMX_PROC_USE_MSR_BITMAPS)
		check_addr(c, VMCS_MSR_BITMAP, 4096);
}

void vmcheck_ctl_vapic_addr(struct vmcheck_ctx *c)
{
	if (vc_proc(c) & VMX_PROC_TPR_SHADOW)
		check_addr(c, VMCS_VIRTUAL_APIC_PAGE_ADDR, 4096);
}

void vmcheck_ctl_tpr_threshold(struct vmcheck_ctx *c)
{
	if (!(vc_proc(c) & VMX_PROC_TPR_SHADOW) || (vc_proc2(c) & VMX_PROC2_VIRT_INTR_DELIVERY))
		return;
	if (vc_get(c, VMCS_TPR_THRESHOLD) & ~0xfull)
		vc_fail(c, VMCS_TPR_THRESHOLD, "bits 31:4 set");
}

void vmcheck_ctl_tpr_shadow_deps(struct vmcheck_ctx *c)
{
	uint32_t deps = VMX_PROC2_VIRT_X2APIC_MODE | VMX_PROC2_APIC_REGISTER_VIRT |
			VMX_PROC2_VIRT_INTR_DELIVERY;
	if (!(vc_proc(c) & VMX_PROC_TPR_SHADOW) && (vc_proc2(c) & deps))
		vc_fail(c, VMCS_SECONDARY_VM_EXEC_CONTROL, "bits %#x set without 'use TPR shadow'",
			vc_proc2(c) & deps);
}

void vmcheck_ctl_virtual_nmis(struct vmcheck_ctx *c)
{
	uint32_t pin = vc_pin(c);
	if (!(pin & VMX_PIN_NMI_EXITING) && (pin & VMX_PIN_VIRTUAL_NMIS))
		vc_fail(c, VMCS_PIN_BASED_VM_EXEC_CONTROL, "'virtual NMIs' without 'NMI exiting'");
}

void vmcheck_ctl_nmi_window(struct vmcheck_ctx *c)
{
	if (!(vc_pin(c) & VMX_PIN_VIRTUAL_NMIS) && (vc_proc(c) & VMX_PROC_NMI_WINDOW_EXITING))
		vc_fail(c, VMCS_CPU_BASED_VM_EXEC_CONTROL, "'NMI-window exiting' without 'virtual NMIs'");
}

void vmcheck_ctl_apic_access_addr(struct vmcheck_ctx *c)
{
	if (vc_proc2(c) & VMX_PROC2_VIRT_APIC_ACCESSES)
		check_addr(c, VMCS_APIC_ACCESS_ADDR, 4096);
}

void vmcheck_ctl_x2apic_vs_apic(struct vmcheck_ctx *c)
{
	uint32_t both = VMX_PROC2_VIRT_X2APIC_MODE | VMX_PROC2_VIRT_APIC_ACCESSES;
	if ((vc_proc2(c) & both) == both)
		vc_fail(c, VMCS_SECONDARY_VM_EXEC_CONTROL, "both set");
}

void vmcheck_ctl_vid_ext_intr(struct vmcheck_ctx *c)
{
	if ((vc_proc2(c) & VMX_PROC2_VIRT_INTR_DELIVERY) && !(vc_pin(c) & VMX_PIN_EXT_INTR_EXITING))
		vc_fail(c, VMCS_PIN_BASED_VM_EXEC_CONTROL, "'external-interrupt exiting' is 0");
}

void vmcheck_ctl_posted_intr(struct vmcheck_ctx *c)
{
	if (!(vc_pin(c) & VMX_PIN_POSTED_INTR))
		return;
	if (!(vc_proc2(c) & VMX_PROC2_VIRT_INTR_DELIVERY))
		vc_fail(c, VMCS_PIN_BASED_VM_EXEC_CONTROL, "'virtual-interrupt delivery' is 0");
	if (!(vc_exit(c) & VMX_EXIT_ACK_INTR_ON_EXIT))
		vc_fail(c, VMCS_VM_EXIT_CONTROLS, "'acknowledge interrupt on exit' is 0");
	if (vc_get(c, VMCS_POSTED_INTR_NV) > 0xff)
		vc_fail(c, VMCS_POSTED_INTR_NV, "vector above 255");
	check_addr(c, VMCS_POSTED_INTR_DESC_ADDR, 64);
}

void vmcheck_ctl_vpid_zero(struct vmcheck_ctx *c)
{
	if ((vc_proc2(c) & VMX_PROC2_ENABLE_VPID) && vc_get(c, VMCS_VIRTUAL_PROCESSOR_ID) == 0)
		vc_fail(c, VMCS_VIRTUAL_PROCESSOR_ID, "VPID 0 with 'enable VPID'");
}

/* EPTP layout: SDM 24.6.11 "Extended-Page-Table Pointer (EPTP)", Table 24-8. */
void vmcheck_ctl_eptp_memtype(struct vmcheck_ctx *c)
{
	if (!(vc_proc2(c) & VMX_PROC2_ENABLE_EPT))
		return;
	uint64_t eptp = vc_get(c, VMCS_EPT_POINTER), cap = c->s->caps.ept_vpid;
	unsigned t = eptp & 7;
	if (!((t == 0 && (cap & VC_EPT_UC)) || (t == 6 && (cap & VC_EPT_WB))))
		vc_fail(c, VMCS_EPT_POINTER, "memory type %u; EPT_VPID_CAP %#llx", t,
			(unsigned long long)cap);
}

void vmcheck_ctl_eptp_walk(struct vmcheck_ctx *c)
{
	if (!(vc_proc2(c) & VMX_PROC2_ENABLE_EPT))
		return;
	uint64_t eptp = vc_get(c, VMCS_EPT_POINTER), cap = c->s->caps.ept_vpid;
	unsigned w = (eptp >> 3) & 7;
	if (!((w == 3 && (cap & VC_EPT_WALK4)) || (w == 4 && (cap & VC_EPT_WALK5))))
		vc_fail(c, VMCS_EPT_POINTER, "walk length - 1 = %u", w);
}

void vmcheck_ctl_eptp_ad(struct vmcheck_ctx *c)
{
	if (!(vc_proc2(c) & VMX_PROC2_ENABLE_EPT))
		return;
	if ((vc_get(c, VMCS_EPT_POINTER) & (1u << 6)) && !(c->s->caps.ept_vpid & VC_EPT_AD))
		vc_fail(c, VMCS_EPT_POINTER, "A/D bit 6 set, not supported");
}

void vmcheck_ctl_eptp_reserved(struct vmcheck_ctx *c)
{
	if (!(vc_proc2(c) & VMX_PROC2_ENABLE_EPT))
		return;
	uint64_t eptp = vc_get(c, VMCS_EPT_POINTER);
	if (eptp & 0xf00)
		vc_fail(c, VMCS_EPT_POINTER, "bits 11:8 = %#llx", (unsigned long long)((eptp >> 8) & 0xf));
	else if (!vc_phys_ok(c, eptp))
		vc_fail(c, VMCS_EPT_POINTER, "beyond MAXPHYADDR %u", c->s->caps.maxphyaddr);
}

void vmcheck_ctl_pml(struct vmcheck_ctx *c)
{
	uint32_t p2 = vc_proc2(c);
	if (!(p2 & VMX_PROC2_ENABLE_PML))
		return;
	if (!(p2 & VMX_PROC2_ENABLE_EPT))
		vc_fail(c, VMCS_SECONDARY_VM_EXEC_CONTROL, "'enable PML' without 'enable EPT'");
	check_addr(c, VMCS_PML_ADDRESS, 4096);
}

void vmcheck_ctl_unrestricted_ept(struct vmcheck_ctx *c)
{
	uint32_t p2 = vc_proc2(c);
	if ((p2 & VMX_PROC2_UNRESTRICTED_GUEST) && !(p2 & VMX_PROC2_ENABLE_EPT))
		vc_fail(c, VMCS_SECONDARY_VM_EXEC_CONTROL, "'unrestricted guest' without 'enable EPT'");
}

void vmcheck_ctl_vmcs_shadow_addr(struct vmcheck_ctx *c)
{
	if (!(vc_proc2(c) & VMX_PROC2_VMCS_SHADOWING))
		return;
	check_addr(c, VMCS_VMREAD_BITMAP, 4096);
	check_addr(c, VMCS_VMWRITE_BITMAP, 4096);
}

void vmcheck_ctl_exit_allowed(struct vmcheck_ctx *c)
{
	check_allowed(c, VMCS_VM_EXIT_CONTROLS, exit_names, vc_exit(c),
		      ctl_msr(c, c->s->caps.exit, c->s->caps.true_exit));
}

void vmcheck_ctl_preempt_save(struct vmcheck_ctx *c)
{
	if ((vc_exit(c) & VMX_EXIT_SAVE_PREEMPT_TIMER) && !(vc_pin(c) & VMX_PIN_PREEMPTION_TIMER))
		vc_fail(c, VMCS_VM_EXIT_CONTROLS, "save without an active preemption timer");
}

/* An MSR area of @count 16-byte entries (24.7.2, 24.8.2): aligned, and its
 * last byte inside the physical-address width. */
static void check_msr_area(struct vmcheck_ctx *c, unsigned long count_field, unsigned long addr_field)
{
	uint64_t n = vc_get(c, count_field);
	if (n == 0)
		return;
	uint64_t a = vc_get(c, addr_field);
	if (a & 0xf)
		vc_fail(c, addr_field, "not 16-byte aligned (%llu entries)", (unsigned long long)n);
	else if (!vc_phys_ok(c, a) || !vc_phys_ok(c, a + n * 16 - 1))
		vc_fail(c, addr_field, "%llu entries end beyond MAXPHYADDR %u", (unsigned long long)n,
			c->s->caps.maxphyaddr);
}

void vmcheck_ctl_exit_msr_store(struct vmcheck_ctx *c)
{
	check_msr_area(c, VMCS_VM_EXIT_MSR_STORE_COUNT, VMCS_VM_EXIT_MSR_STORE_ADDR);
}

void vmcheck_ctl_exit_msr_load(struct vmcheck_ctx *c)
{
	check_msr_area(c, VMCS_VM_EXIT_MSR_LOAD_COUNT, VMCS_VM_EXIT_MSR_LOAD_ADDR);
}

void vmcheck_ctl_entry_allowed(struct vmcheck_ctx *c)
{
	check_allowed(c, VMCS_VM_ENTRY_CONTROLS, entry_names, vc_entry(c),
		      ctl_msr(c, c->s->caps.entry, c->s->caps.true_entry));
}

void vmcheck_ctl_entry_smm(struct vmcheck_ctx *c)
{
	uint32_t smm = VMX_ENTRY_TO_SMM | VMX_ENTRY_DEACT_DUAL_MONITOR;
	if (vc_entry(c) & smm)
		vc_fail(c, VMCS_VM_ENTRY_CONTROLS, "bits %#x set outside SMM", vc_entry(c) & smm);
}

void vmcheck_ctl_entry_msr_load(struct vmcheck_ctx *c)
{
	check_msr_area(c, VMCS_VM_ENTRY_MSR_LOAD_COUNT, VMCS_VM_ENTRY_MSR_LOAD_ADDR);
}

/* Event injection (26.2.1.3, on the fields of 24.8.3). */
void vmcheck_ctl_inj_type(struct vmcheck_ctx *c)
{
	uint32_t info = vc_injecting(c);
	if (!info)
		return;
	unsigned type = VMX_INTR_INFO_TYPE(info);
	uint64_t procmsr = ctl_msr(c, c->s->caps.procbased, c->s->caps.true_procbased);
	bool mtf = (procmsr >> 32) & VMX_PROC_MONITOR_TRAP_FLAG;
	if (type == VMX_INTR_TYPE_RESERVED || (type == VMX_INTR_TYPE_OTHER && !mtf))
		vc_fail(c, VMCS_VM_ENTRY_INTR_INFO_FIELD, "type %u", type);
}

void vmcheck_ctl_inj_vector(struct vmcheck_ctx *c)
{
	uint32_t info = vc_injecting(c);
	if (!info)
		return;
	unsigned type = VMX_INTR_INFO_TYPE(info), vec = VMX_INTR_INFO_VECTOR(info);
	if ((type == VMX_INTR_TYPE_NMI && vec != 2) || (type == VMX_INTR_TYPE_HW_EXC && vec > 31) ||
	    (type == VMX_INTR_TYPE_OTHER && vec != 0))
		vc_fail(c, VMCS_VM_ENTRY_INTR_INFO_FIELD, "type %u vector %u", type, vec);
}

void vmcheck_ctl_inj_errcode(struct vmcheck_ctx *c)
{
	uint32_t info = vc_injecting(c);
	if (!info)
		return;
	unsigned type = VMX_INTR_INFO_TYPE(info), vec = VMX_INTR_INFO_VECTOR(info);
	bool pe = vc_get(c, VMCS_GUEST_CR0) & VC_CR0_PE;
	bool pushes = vec == 8 || (vec >= 10 && vec <= 14) || vec == 17;
	bool want = (!vc_unrestricted(c) || pe) && type == VMX_INTR_TYPE_HW_EXC && pushes;
	bool has = info & VMX_INTR_INFO_ERRCODE;
	if (want != has)
		vc_fail(c, VMCS_VM_ENTRY_INTR_INFO_FIELD, "type %u vector %u: deliver-error-code %d, must be %d",
			type, vec, has, want);
}

void vmcheck_ctl_inj_reserved(struct vmcheck_ctx *c)
{
	uint32_t info = vc_injecting(c);
	if (info & VMX_INTR_INFO_RESERVED)
		vc_fail(c, VMCS_VM_ENTRY_INTR_INFO_FIELD, "bits 30:12 = %#x", (info & VMX_INTR_INFO_RESERVED) >> 12);
}

void vmcheck_ctl_inj_errcode_high(struct vmcheck_ctx *c)
{
	uint32_t info = vc_injecting(c);
	if (!(info & VMX_INTR_INFO_ERRCODE))
		return;
	if (vc_get(c, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE) & 0xffff0000u)
		vc_fail(c, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, "bits 31:16 set");
}

void vmcheck_ctl_inj_insn_len(struct vmcheck_ctx *c)
{
	uint32_t info = vc_injecting(c);
	unsigned type = VMX_INTR_INFO_TYPE(info);
	if (!info || (type != VMX_INTR_TYPE_SW_INTR && type != VMX_INTR_TYPE_PRIV_SW_EXC &&
		      type != VMX_INTR_TYPE_SW_EXC))
		return;
	uint64_t len = vc_get(c, VMCS_VM_ENTRY_INSTRUCTION_LEN);
	bool zero_ok = c->s->caps.misc & VC_MISC_INJ_LEN0;
	if (len > 15 || (len == 0 && !zero_ok))
		vc_fail(c, VMCS_VM_ENTRY_INSTRUCTION_LEN, "length %llu for event type %u",
			(unsigned long long)len, type);
}
