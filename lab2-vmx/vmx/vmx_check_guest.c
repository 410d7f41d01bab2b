/*
 * vmx_check_guest.c - checks on the guest-state area other than the
 * segment registers (Intel SDM Vol. 3C, 26.3.1.1 control registers, debug
 * registers and MSRs; 26.3.1.3 descriptor-table registers; 26.3.1.4 RIP
 * and RFLAGS; 26.3.1.5 non-register state; 26.3.1.6 PDPTEs) and on the
 * VM-entry MSR-load area (26.4). A broken guest-state rule makes the entry
 * fail with exit reason 33 (bit 31 set: 0x80000021); a bad MSR-load entry
 * with exit reason 34, qualification = the entry's number from 1.
 */
#include "vmx/vmx_check_rules.h"

void vmcheck_guest_cr0_fixed(struct vmcheck_ctx *c)
{
	uint64_t cr0 = vc_get(c, VMCS_GUEST_CR0);
	uint64_t fixed0 = c->s->caps.cr0_fixed0, fixed1 = c->s->caps.cr0_fixed1;
	/* NW and CD are never checked; PE and PG are free with unrestricted guest. */
	fixed0 &= ~(VC_CR0_NW | VC_CR0_CD);
	if (vc_unrestricted(c))
		fixed0 &= ~(VC_CR0_PE | VC_CR0_PG);
	uint64_t need1 = fixed0 & ~cr0, need0 = cr0 & ~fixed1 & ~(VC_CR0_NW | VC_CR0_CD);
	if (need1)
		vc_fail(c, VMCS_GUEST_CR0, "bits %#llx must be 1 (FIXED0 %#llx)",
			(unsigned long long)need1, (unsigned long long)c->s->caps.cr0_fixed0);
	else if (need0)
		vc_fail(c, VMCS_GUEST_CR0, "bits %#llx must be 0 (FIXED1 %#llx)",
			(unsigned long long)need0, (unsigned long long)fixed1);
}

void vmcheck_guest_cr0_pg_pe(struct vmcheck_ctx *c)
{
	uint64_t cr0 = vc_get(c, VMCS_GUEST_CR0);
	if ((cr0 & VC_CR0_PG) && !(cr0 & VC_CR0_PE))
		vc_fail(c, VMCS_GUEST_CR0, "PG = 1, PE = 0");
}

void vmcheck_guest_cr4_fixed(struct vmcheck_ctx *c)
{
	uint64_t cr4 = vc_get(c, VMCS_GUEST_CR4);
	uint64_t need1 = c->s->caps.cr4_fixed0 & ~cr4, need0 = cr4 & ~c->s->caps.cr4_fixed1;
	if (need1)
		vc_fail(c, VMCS_GUEST_CR4, "bits %#llx must be 1 (FIXED0 %#llx)",
			(unsigned long long)need1, (unsigned long long)c->s->caps.cr4_fixed0);
	else if (need0)
		vc_fail(c, VMCS_GUEST_CR4, "bits %#llx must be 0 (FIXED1 %#llx)",
			(unsigned long long)need0, (unsigned long long)c->s->caps.cr4_fixed1);
}

void vmcheck_guest_cr3_width(struct vmcheck_ctx *c)
{
	if (!vc_phys_ok(c, vc_get(c, VMCS_GUEST_CR3)))
		vc_fail(c, VMCS_GUEST_CR3, "beyond MAXPHYADDR %u", c->s->caps.maxphyaddr);
}

void vmcheck_guest_debugctl(struct vmcheck_ctx *c)
{
	if (!(vc_entry(c) & VMX_ENTRY_LOAD_DEBUG_CTLS))
		return;
	uint64_t d = vc_get(c, VMCS_GUEST_IA32_DEBUGCTL);
	if (d & VC_DEBUGCTL_RESERVED)
		vc_fail(c, VMCS_GUEST_IA32_DEBUGCTL, "reserved bits %#llx",
			(unsigned long long)(d & VC_DEBUGCTL_RESERVED));
}

void vmcheck_guest_dr7(struct vmcheck_ctx *c)
{
	if ((vc_entry(c) & VMX_ENTRY_LOAD_DEBUG_CTLS) && (vc_get(c, VMCS_GUEST_DR7) >> 32))
		vc_fail(c, VMCS_GUEST_DR7, "bits 63:32 set");
}

void vmcheck_guest_ia32e_paging(struct vmcheck_ctx *c)
{
	if (!vc_ia32e_guest(c))
		return;
	if (!(vc_get(c, VMCS_GUEST_CR0) & VC_CR0_PG))
		vc_fail(c, VMCS_GUEST_CR0, "PG = 0 in an IA-32e mode guest");
	if (!(vc_get(c, VMCS_GUEST_CR4) & VC_CR4_PAE))
		vc_fail(c, VMCS_GUEST_CR4, "PAE = 0 in an IA-32e mode guest");
}

void vmcheck_guest_pcide(struct vmcheck_ctx *c)
{
	if (!vc_ia32e_guest(c) && (vc_get(c, VMCS_GUEST_CR4) & VC_CR4_PCIDE))
		vc_fail(c, VMCS_GUEST_CR4, "PCIDE = 1 outside IA-32e mode");
}

void vmcheck_guest_sysenter_canon(struct vmcheck_ctx *c)
{
	static const unsigned long f[] = { VMCS_GUEST_SYSENTER_ESP, VMCS_GUEST_SYSENTER_EIP };
	for (unsigned i = 0; i < 2; i++)
		if (!vc_canonical(c, vc_get(c, f[i])))
			vc_fail(c, f[i], "not canonical");
}

void vmcheck_guest_pat(struct vmcheck_ctx *c)
{
	if ((vc_entry(c) & VMX_ENTRY_LOAD_PAT) && !vc_pat_ok(vc_get(c, VMCS_GUEST_IA32_PAT)))
		vc_fail(c, VMCS_GUEST_IA32_PAT, "an entry is 2, 3 or above 7");
}

void vmcheck_guest_efer_reserved(struct vmcheck_ctx *c)
{
	if (!(vc_entry(c) & VMX_ENTRY_LOAD_EFER))
		return;
	uint64_t efer = vc_get(c, VMCS_GUEST_IA32_EFER);
	if (efer & ~VC_EFER_ALLOWED)
		vc_fail(c, VMCS_GUEST_IA32_EFER, "reserved bits %#llx",
			(unsigned long long)(efer & ~VC_EFER_ALLOWED));
}

void vmcheck_guest_efer_lma(struct vmcheck_ctx *c)
{
	if (!(vc_entry(c) & VMX_ENTRY_LOAD_EFER))
		return;
	bool lma = vc_get(c, VMCS_GUEST_IA32_EFER) & VC_EFER_LMA, ia32e = vc_ia32e_guest(c);
	if (lma != ia32e)
		vc_fail(c, VMCS_GUEST_IA32_EFER, "LMA %d, 'IA-32e mode guest' %d", lma, ia32e);
}

void vmcheck_guest_efer_lme(struct vmcheck_ctx *c)
{
	if (!(vc_entry(c) & VMX_ENTRY_LOAD_EFER) || !(vc_get(c, VMCS_GUEST_CR0) & VC_CR0_PG))
		return;
	uint64_t efer = vc_get(c, VMCS_GUEST_IA32_EFER);
	bool lma = efer & VC_EFER_LMA, lme = efer & VC_EFER_LME;
	if (lma != lme)
		vc_fail(c, VMCS_GUEST_IA32_EFER, "LME %d, LMA %d with CR0.PG = 1", lme, lma);
}

void vmcheck_guest_dt_base(struct vmcheck_ctx *c)
{
	static const unsigned long f[] = { VMCS_GUEST_GDTR_BASE, VMCS_GUEST_IDTR_BASE };
	for (unsigned i = 0; i < 2; i++)
		if (!vc_canonical(c, vc_get(c, f[i])))
			vc_fail(c, f[i], "not canonical");
}

void vmcheck_guest_dt_limit(struct vmcheck_ctx *c)
{
	static const unsigned long f[] = { VMCS_GUEST_GDTR_LIMIT, VMCS_GUEST_IDTR_LIMIT };
	for (unsigned i = 0; i < 2; i++)
		if (vc_get(c, f[i]) > 0xffff)
			vc_fail(c, f[i], "above 0xffff");
}

static bool guest_64bit_code(struct vmcheck_ctx *c)
{
	return vc_ia32e_guest(c) && (vc_get(c, VMCS_GUEST_CS_AR_BYTES) & VMX_AR_L);
}

void vmcheck_guest_rip_high(struct vmcheck_ctx *c)
{
	if (!guest_64bit_code(c) && (vc_get(c, VMCS_GUEST_RIP) >> 32))
		vc_fail(c, VMCS_GUEST_RIP, "bits 63:32 set outside 64-bit mode");
}

void vmcheck_guest_rip_canon(struct vmcheck_ctx *c)
{
	if (guest_64bit_code(c) && !vc_canonical(c, vc_get(c, VMCS_GUEST_RIP)))
		vc_fail(c, VMCS_GUEST_RIP, "not canonical");
}

void vmcheck_guest_rflags_reserved(struct vmcheck_ctx *c)
{
	uint64_t f = vc_get(c, VMCS_GUEST_RFLAGS);
	if (f & VC_RFLAGS_RESERVED)
		vc_fail(c, VMCS_GUEST_RFLAGS, "reserved bits %#llx set", (unsigned long long)(f & VC_RFLAGS_RESERVED));
	else if (!(f & VC_RFLAGS_FIXED1))
		vc_fail(c, VMCS_GUEST_RFLAGS, "bit 1 clear");
}

void vmcheck_guest_rflags_vm(struct vmcheck_ctx *c)
{
	bool pe = vc_get(c, VMCS_GUEST_CR0) & VC_CR0_PE;
	if ((vc_ia32e_guest(c) || !pe) && (vc_get(c, VMCS_GUEST_RFLAGS) & VC_RFLAGS_VM))
		vc_fail(c, VMCS_GUEST_RFLAGS, "VM = 1 %s", pe ? "in an IA-32e mode guest" : "with CR0.PE = 0");
}

void vmcheck_guest_rflags_if(struct vmcheck_ctx *c)
{
	uint32_t info = vc_injecting(c);
	if (info && VMX_INTR_INFO_TYPE(info) == VMX_INTR_TYPE_EXT_INTR &&
	    !(vc_get(c, VMCS_GUEST_RFLAGS) & VC_RFLAGS_IF))
		vc_fail(c, VMCS_GUEST_RFLAGS, "IF = 0, injecting vector %u", VMX_INTR_INFO_VECTOR(info));
}

void vmcheck_guest_activity(struct vmcheck_ctx *c)
{
	static const uint64_t need[] = { 0, VC_MISC_ACT_HLT, VC_MISC_ACT_SHUTDOWN, VC_MISC_ACT_WAIT_SIPI };
	uint64_t a = vc_get(c, VMCS_GUEST_ACTIVITY_STATE);
	if (a > VMX_ACTIVITY_WAIT_SIPI)
		vc_fail(c, VMCS_GUEST_ACTIVITY_STATE, "no such state");
	else if (need[a] && !(c->s->caps.misc & need[a]))
		vc_fail(c, VMCS_GUEST_ACTIVITY_STATE, "not supported (IA32_VMX_MISC %#llx)",
			(unsigned long long)c->s->caps.misc);
}

void vmcheck_guest_activity_hlt_dpl(struct vmcheck_ctx *c)
{
	if (vc_get(c, VMCS_GUEST_ACTIVITY_STATE) != VMX_ACTIVITY_HLT)
		return;
	uint64_t ar = vc_get(c, VMCS_GUEST_SS_AR_BYTES);
	if (VMX_AR_DPL(ar) != 0)
		vc_fail(c, VMCS_GUEST_ACTIVITY_STATE, "HLT with SS.DPL %u", (unsigned)VMX_AR_DPL(ar));
}

void vmcheck_guest_activity_block(struct vmcheck_ctx *c)
{
	uint64_t intr = vc_get(c, VMCS_GUEST_INTERRUPTIBILITY_INFO);
	uint64_t a = vc_get(c, VMCS_GUEST_ACTIVITY_STATE);
	if (a != VMX_ACTIVITY_ACTIVE && (intr & (VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS)))
		vc_fail(c, VMCS_GUEST_ACTIVITY_STATE, "state %llu with interruptibility %#llx",
			(unsigned long long)a, (unsigned long long)intr);
}

/* Which events an activity state accepts (26.3.1.5, "Activity state"). */
void vmcheck_guest_activity_event(struct vmcheck_ctx *c)
{
	uint32_t info = vc_injecting(c);
	if (!info)
		return;
	uint64_t a = vc_get(c, VMCS_GUEST_ACTIVITY_STATE);
	unsigned type = VMX_INTR_INFO_TYPE(info), vec = VMX_INTR_INFO_VECTOR(info);
	bool ok = true;
	if (a == VMX_ACTIVITY_HLT)
		ok = type == VMX_INTR_TYPE_EXT_INTR || type == VMX_INTR_TYPE_NMI ||
		     (type == VMX_INTR_TYPE_HW_EXC && (vec == 1 || vec == 18)) ||
		     (type == VMX_INTR_TYPE_OTHER && vec == 0);
	else if (a == VMX_ACTIVITY_SHUTDOWN)
		ok = type == VMX_INTR_TYPE_NMI || (type == VMX_INTR_TYPE_HW_EXC && vec == 18);
	else if (a == VMX_ACTIVITY_WAIT_SIPI)
		ok = false;
	if (!ok)
		vc_fail(c, VMCS_GUEST_ACTIVITY_STATE, "state %llu cannot take event type %u vector %u",
			(unsigned long long)a, type, vec);
}

void vmcheck_guest_intr_reserved(struct vmcheck_ctx *c)
{
	uint64_t intr = vc_get(c, VMCS_GUEST_INTERRUPTIBILITY_INFO);
	if (intr & VMX_INTR_RESERVED)
		vc_fail(c, VMCS_GUEST_INTERRUPTIBILITY_INFO, "bits %#llx", (unsigned long long)(intr & VMX_INTR_RESERVED));
}

void vmcheck_guest_intr_sti_movss(struct vmcheck_ctx *c)
{
	uint64_t both = VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS;
	if ((vc_get(c, VMCS_GUEST_INTERRUPTIBILITY_INFO) & both) == both)
		vc_fail(c, VMCS_GUEST_INTERRUPTIBILITY_INFO, "both set");
}

void vmcheck_guest_intr_sti_if(struct vmcheck_ctx *c)
{
	if ((vc_get(c, VMCS_GUEST_INTERRUPTIBILITY_INFO) & VMX_INTR_BLOCK_STI) &&
	    !(vc_get(c, VMCS_GUEST_RFLAGS) & VC_RFLAGS_IF))
		vc_fail(c, VMCS_GUEST_INTERRUPTIBILITY_INFO, "blocking by STI with RFLAGS.IF = 0");
}

void vmcheck_guest_intr_event(struct vmcheck_ctx *c)
{
	uint32_t info = vc_injecting(c);
	if (!info)
		return;
	uint64_t intr = vc_get(c, VMCS_GUEST_INTERRUPTIBILITY_INFO);
	unsigned type = VMX_INTR_INFO_TYPE(info);
	uint64_t bad = 0;
	if (type == VMX_INTR_TYPE_EXT_INTR)
		bad = intr & (VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS);
	else if (type == VMX_INTR_TYPE_NMI)
		bad = intr & (VMX_INTR_BLOCK_MOV_SS |
			      ((vc_pin(c) & VMX_PIN_VIRTUAL_NMIS) ? VMX_INTR_BLOCK_NMI : 0));
	if (bad)
		vc_fail(c, VMCS_GUEST_INTERRUPTIBILITY_INFO, "blocking %#llx while injecting type %u",
			(unsigned long long)bad, type);
}

void vmcheck_guest_intr_smi(struct vmcheck_ctx *c)
{
	if (vc_get(c, VMCS_GUEST_INTERRUPTIBILITY_INFO) & VMX_INTR_BLOCK_SMI)
		vc_fail(c, VMCS_GUEST_INTERRUPTIBILITY_INFO, "blocking by SMI outside SMM");
}

/* Pending debug exceptions: B3-B0 (3:0), enabled breakpoint (12), BS (14), RTM (16). */
#define VC_PENDING_DBG_ALLOWED 0x1500full
#define VC_PENDING_DBG_BS      (1ull << 14)

void vmcheck_guest_pending_dbg(struct vmcheck_ctx *c)
{
	uint64_t p = vc_get(c, VMCS_GUEST_PENDING_DBG_EXCEPTIONS);
	if (p & ~VC_PENDING_DBG_ALLOWED)
		vc_fail(c, VMCS_GUEST_PENDING_DBG_EXCEPTIONS, "reserved bits %#llx",
			(unsigned long long)(p & ~VC_PENDING_DBG_ALLOWED));
}

void vmcheck_guest_pending_dbg_bs(struct vmcheck_ctx *c)
{
	uint64_t intr = vc_get(c, VMCS_GUEST_INTERRUPTIBILITY_INFO);
	bool blocked = (intr & (VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS)) ||
		       vc_get(c, VMCS_GUEST_ACTIVITY_STATE) == VMX_ACTIVITY_HLT;
	if (!blocked)
		return;
	bool tf = vc_get(c, VMCS_GUEST_RFLAGS) & VC_RFLAGS_TF;
	bool btf = vc_get(c, VMCS_GUEST_IA32_DEBUGCTL) & VC_DEBUGCTL_BTF;
	bool bs = vc_get(c, VMCS_GUEST_PENDING_DBG_EXCEPTIONS) & VC_PENDING_DBG_BS;
	if (bs != (tf && !btf))
		vc_fail(c, VMCS_GUEST_PENDING_DBG_EXCEPTIONS, "BS %d with TF %d, BTF %d", bs, tf, btf);
}

void vmcheck_guest_link_ptr(struct vmcheck_ctx *c)
{
	uint64_t p = vc_get(c, VMCS_VMCS_LINK_POINTER);
	if (p == VC_LINK_PTR_NONE)
		return;
	if (p & 0xfff)
		vc_fail(c, VMCS_VMCS_LINK_POINTER, "not all ones and not 4-KByte aligned");
	else if (!vc_phys_ok(c, p))
		vc_fail(c, VMCS_VMCS_LINK_POINTER, "beyond MAXPHYADDR %u", c->s->caps.maxphyaddr);
}

/* Bit 31 of the revision word marks a shadow VMCS: it must match the
 * "VMCS shadowing" control (26.3.1.5). */
void vmcheck_guest_link_ptr_rev(struct vmcheck_ctx *c)
{
	uint64_t p = vc_get(c, VMCS_VMCS_LINK_POINTER);
	if (p == VC_LINK_PTR_NONE || (p & 0xfff) || !vc_phys_ok(c, p))
		return;
	if (!c->s->link_revision_known) {
		vc_unchecked(c, VMCS_VMCS_LINK_POINTER);
		return;
	}
	uint32_t want = VC_BASIC_REVISION(c->s->caps.basic);
	bool shadow = vc_proc2(c) & VMX_PROC2_VMCS_SHADOWING;
	uint32_t rev = c->s->link_revision;
	if ((rev & 0x7fffffffu) != want || ((rev >> 31) != 0) != shadow)
		vc_fail(c, VMCS_VMCS_LINK_POINTER, "revision word %#x there, want %#x%s", rev, want,
			shadow ? " with bit 31" : "");
}

/* PDPTE bits that must be 0 when present (SDM Vol. 3A, 4.4.1, Table 4-8). */
#define VC_PDPTE_RESERVED 0x1e6ull

void vmcheck_guest_pdpte(struct vmcheck_ctx *c)
{
	uint64_t cr0 = vc_get(c, VMCS_GUEST_CR0), cr4 = vc_get(c, VMCS_GUEST_CR4);
	if (!(vc_proc2(c) & VMX_PROC2_ENABLE_EPT) || !(cr0 & VC_CR0_PG) || !(cr4 & VC_CR4_PAE) ||
	    vc_ia32e_guest(c))
		return;
	static const unsigned long f[] = { VMCS_GUEST_PDPTR0, VMCS_GUEST_PDPTR1,
					   VMCS_GUEST_PDPTR2, VMCS_GUEST_PDPTR3 };
	for (unsigned i = 0; i < 4; i++) {
		uint64_t e = vc_get(c, f[i]);
		if ((e & 1) && ((e & VC_PDPTE_RESERVED) || !vc_phys_ok(c, e & ~0xfffull)))
			vc_fail(c, f[i], "present with reserved bits set");
	}
}

/* MSRs VM entry refuses to load (26.4 "Loading MSRs"). */
#define VC_MSR_FS_BASE          0xc0000100u
#define VC_MSR_GS_BASE          0xc0000101u
#define VC_MSR_SMM_MONITOR_CTL  0x9bu
#define VC_MSR_X2APIC_FIRST     0x800u
#define VC_MSR_X2APIC_LAST      0x8ffu

void vmcheck_entry_msr_entry(struct vmcheck_ctx *c)
{
	uint64_t n = vc_get(c, VMCS_VM_ENTRY_MSR_LOAD_COUNT);
	if (n == 0)
		return;
	unsigned have = c->s->entry_msr_copied, before = c->r->broken;
	for (unsigned i = 0; i < n && i < have && i < VMCHECK_MSR_AREA_MAX; i++) {
		const struct vmcheck_msr_entry *e = &c->s->entry_msr[i];
		bool x2apic = c->s->caps.x2apic_mode && e->index >= VC_MSR_X2APIC_FIRST &&
			      e->index <= VC_MSR_X2APIC_LAST;
		if (e->reserved)
			vc_fail(c, VMCS_VM_ENTRY_MSR_LOAD_ADDR, "entry %u: bits 63:32 = %#x", i + 1, e->reserved);
		else if (e->index == VC_MSR_FS_BASE || e->index == VC_MSR_GS_BASE ||
			 e->index == VC_MSR_SMM_MONITOR_CTL || x2apic)
			vc_fail(c, VMCS_VM_ENTRY_MSR_LOAD_ADDR, "entry %u: MSR %#x cannot be loaded", i + 1,
				e->index);
	}
	/* Entries the snapshot does not hold leave the rule open, unless one
	 * it holds is already wrong. */
	if (n > have && c->r->broken == before)
		vc_unchecked(c, VMCS_VM_ENTRY_MSR_LOAD_ADDR);
}
