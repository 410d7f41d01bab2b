/*
 * vmx_check_host.c - checks on the host-state area (Intel SDM Vol. 3C,
 * 26.2.2 "Checks on Host Control Registers and MSRs", 26.2.3 "Checks on
 * Host Segment and Descriptor-Table Registers", 26.2.4 "Checks Related to
 * Address-Space Size"). A broken rule here makes VMLAUNCH fail with
 * VMfailValid, VM-instruction error 8.
 */
#include "vmx/vmx_check_rules.h"

static bool host_64(struct vmcheck_ctx *c)
{
	return vc_exit(c) & VMX_EXIT_HOST_ADDR_SPACE_SIZE;
}

/* CR0 and CR4 in VMX operation: every FIXED0 bit set, no bit outside FIXED1
 * (SDM 23.8 "Restrictions on VMX Operation", A.7, A.8). */
static void check_fixed(struct vmcheck_ctx *c, unsigned long field, uint64_t value,
			uint64_t fixed0, uint64_t fixed1)
{
	uint64_t need1 = fixed0 & ~value, need0 = value & ~fixed1;
	if (need1)
		vc_fail(c, field, "bits %#llx must be 1 (FIXED0 %#llx)", (unsigned long long)need1,
			(unsigned long long)fixed0);
	else if (need0)
		vc_fail(c, field, "bits %#llx must be 0 (FIXED1 %#llx)", (unsigned long long)need0,
			(unsigned long long)fixed1);
}

void vmcheck_host_cr0_fixed(struct vmcheck_ctx *c)
{
	check_fixed(c, VMCS_HOST_CR0, vc_get(c, VMCS_HOST_CR0), c->s->caps.cr0_fixed0,
		    c->s->caps.cr0_fixed1);
}

void vmcheck_host_cr4_fixed(struct vmcheck_ctx *c)
{
	check_fixed(c, VMCS_HOST_CR4, vc_get(c, VMCS_HOST_CR4), c->s->caps.cr4_fixed0,
		    c->s->caps.cr4_fixed1);
}

void vmcheck_host_cr3_width(struct vmcheck_ctx *c)
{
	if (!vc_phys_ok(c, vc_get(c, VMCS_HOST_CR3)))
		vc_fail(c, VMCS_HOST_CR3, "beyond MAXPHYADDR %u", c->s->caps.maxphyaddr);
}

/* Shared by host and guest: the SYSENTER MSRs hold linear addresses. */
static void check_canonical(struct vmcheck_ctx *c, unsigned long field)
{
	if (!vc_canonical(c, vc_get(c, field)))
		vc_fail(c, field, "not canonical");
}

void vmcheck_host_sysenter_canon(struct vmcheck_ctx *c)
{
	check_canonical(c, VMCS_HOST_IA32_SYSENTER_ESP);
	check_canonical(c, VMCS_HOST_IA32_SYSENTER_EIP);
}

void vmcheck_host_pat(struct vmcheck_ctx *c)
{
	if ((vc_exit(c) & VMX_EXIT_LOAD_PAT) && !vc_pat_ok(vc_get(c, VMCS_HOST_IA32_PAT)))
		vc_fail(c, VMCS_HOST_IA32_PAT, "an entry is 2, 3 or above 7");
}

void vmcheck_host_efer_reserved(struct vmcheck_ctx *c)
{
	if (!(vc_exit(c) & VMX_EXIT_LOAD_EFER))
		return;
	uint64_t efer = vc_get(c, VMCS_HOST_IA32_EFER);
	if (efer & ~VC_EFER_ALLOWED)
		vc_fail(c, VMCS_HOST_IA32_EFER, "reserved bits %#llx", (unsigned long long)(efer & ~VC_EFER_ALLOWED));
}

void vmcheck_host_efer_lma(struct vmcheck_ctx *c)
{
	if (!(vc_exit(c) & VMX_EXIT_LOAD_EFER))
		return;
	uint64_t efer = vc_get(c, VMCS_HOST_IA32_EFER);
	bool lma = efer & VC_EFER_LMA, lme = efer & VC_EFER_LME, asz = host_64(c);
	if (lma != asz || lme != asz)
		vc_fail(c, VMCS_HOST_IA32_EFER, "LMA %d LME %d, host address-space size %d", lma, lme, asz);
}

void vmcheck_host_sel_rpl_ti(struct vmcheck_ctx *c)
{
	static const unsigned long sels[] = {
		VMCS_HOST_ES_SELECTOR, VMCS_HOST_CS_SELECTOR, VMCS_HOST_SS_SELECTOR,
		VMCS_HOST_DS_SELECTOR, VMCS_HOST_FS_SELECTOR, VMCS_HOST_GS_SELECTOR,
		VMCS_HOST_TR_SELECTOR,
	};
	for (unsigned i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
		uint64_t s = vc_get(c, sels[i]);
		if (s & 7)
			vc_fail(c, sels[i], "RPL %u TI %u", (unsigned)(s & 3), (unsigned)((s >> 2) & 1));
	}
}

void vmcheck_host_cs_null(struct vmcheck_ctx *c)
{
	if (vc_get(c, VMCS_HOST_CS_SELECTOR) == 0)
		vc_fail(c, VMCS_HOST_CS_SELECTOR, "null selector");
}

void vmcheck_host_tr_null(struct vmcheck_ctx *c)
{
	if (vc_get(c, VMCS_HOST_TR_SELECTOR) == 0)
		vc_fail(c, VMCS_HOST_TR_SELECTOR, "null selector");
}

void vmcheck_host_ss_null(struct vmcheck_ctx *c)
{
	if (!host_64(c) && vc_get(c, VMCS_HOST_SS_SELECTOR) == 0)
		vc_fail(c, VMCS_HOST_SS_SELECTOR, "null selector with a 32-bit host");
}

void vmcheck_host_base_canon(struct vmcheck_ctx *c)
{
	check_canonical(c, VMCS_HOST_FS_BASE);
	check_canonical(c, VMCS_HOST_GS_BASE);
	check_canonical(c, VMCS_HOST_TR_BASE);
	check_canonical(c, VMCS_HOST_GDTR_BASE);
	check_canonical(c, VMCS_HOST_IDTR_BASE);
}

void vmcheck_host_asz_cpu(struct vmcheck_ctx *c)
{
	bool lma = c->s->caps.cpu_efer & VC_EFER_LMA, asz = host_64(c);
	if (lma != asz)
		vc_fail(c, VMCS_VM_EXIT_CONTROLS, "'host address-space size' %d, IA32_EFER.LMA %d", asz, lma);
}

void vmcheck_host_asz_guest(struct vmcheck_ctx *c)
{
	if (!(c->s->caps.cpu_efer & VC_EFER_LMA) && vc_ia32e_guest(c))
		vc_fail(c, VMCS_VM_ENTRY_CONTROLS, "'IA-32e mode guest' from a 32-bit host");
}

void vmcheck_host_asz_cr4(struct vmcheck_ctx *c)
{
	uint64_t cr4 = vc_get(c, VMCS_HOST_CR4);
	if (host_64(c) && !(cr4 & VC_CR4_PAE))
		vc_fail(c, VMCS_HOST_CR4, "PAE = 0 with a 64-bit host");
	else if (!host_64(c) && (cr4 & VC_CR4_PCIDE))
		vc_fail(c, VMCS_HOST_CR4, "PCIDE = 1 with a 32-bit host");
}

void vmcheck_host_rip(struct vmcheck_ctx *c)
{
	uint64_t rip = vc_get(c, VMCS_HOST_RIP);
	if (host_64(c) && !vc_canonical(c, rip))
		vc_fail(c, VMCS_HOST_RIP, "not canonical");
	else if (!host_64(c) && (rip >> 32))
		vc_fail(c, VMCS_HOST_RIP, "bits 63:32 set with a 32-bit host");
}
