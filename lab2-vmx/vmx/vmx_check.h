/*
 * vmx_check.h - the software VM-entry checker.
 *
 * Before a VMLAUNCH, hvlab can run the checks the processor runs (Intel SDM
 * Vol. 3C, chapter 26 "VM Entries": 26.2 "Checks on VMX Controls and
 * Host-State Area", 26.3 "Checking and Loading Guest State", 26.4 "Loading
 * MSRs") in software, and name every rule a VMCS breaks:
 *
 *   vmcheck: 26.3.1.2 [guest_tr_type] guest TR: type must be 11 (busy 64-bit
 *   TSS) in IA-32e mode, 3 or 11 outside; GUEST_TR_AR_BYTES = 0x89 (type 9)
 *
 * The processor only says "VM-instruction error 8" or "exit reason
 * 0x80000021". The checks are pure logic over a struct vmcs_snapshot (every
 * field value plus the capability MSRs), so they are unit-tested on the
 * host; vmx_check_current() fills a snapshot from the current VMCS.
 */
#ifndef HVLAB_VMX_CHECK_H
#define HVLAB_VMX_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmx/vmcs_fields.h"

/*
 * The rules: X(ENUM_NAME, id, SDM section, what is expected). The id is
 * what log lines and tests use; the text says the rule in one line.
 */
#define VMCHECK_RULES(X) \
	/* 26.2.1.1 VM-execution control fields */ \
	X(CTL_PIN_ALLOWED,        ctl_pin_allowed,        "26.2.1.1", "pin-based controls must have the allowed-0 bits of IA32_VMX_(TRUE_)PINBASED_CTLS set and only its allowed-1 bits") \
	X(CTL_PROC_ALLOWED,       ctl_proc_allowed,       "26.2.1.1", "processor-based controls must have the allowed-0 bits of IA32_VMX_(TRUE_)PROCBASED_CTLS set and only its allowed-1 bits") \
	X(CTL_PROC2_ALLOWED,      ctl_proc2_allowed,      "26.2.1.1", "secondary controls (when activated) may set only the allowed-1 bits of IA32_VMX_PROCBASED_CTLS2") \
	X(CTL_CR3_TARGET_COUNT,   ctl_cr3_target_count,   "26.2.1.1", "CR3-target count must not exceed IA32_VMX_MISC bits 24:16") \
	X(CTL_IO_BITMAP_ADDR,     ctl_io_bitmap_addr,     "26.2.1.1", "with 'use I/O bitmaps', I/O bitmap A and B addresses must be 4-KByte aligned and below 2^MAXPHYADDR") \
	X(CTL_MSR_BITMAP_ADDR,    ctl_msr_bitmap_addr,    "26.2.1.1", "with 'use MSR bitmaps', the MSR-bitmap address must be 4-KByte aligned and below 2^MAXPHYADDR") \
	X(CTL_VAPIC_ADDR,         ctl_vapic_addr,         "26.2.1.1", "with 'use TPR shadow', the virtual-APIC address must be 4-KByte aligned and below 2^MAXPHYADDR") \
	X(CTL_TPR_THRESHOLD,      ctl_tpr_threshold,      "26.2.1.1", "with 'use TPR shadow' and no virtual-interrupt delivery, TPR threshold bits 31:4 must be 0") \
	X(CTL_TPR_SHADOW_DEPS,    ctl_tpr_shadow_deps,    "26.2.1.1", "without 'use TPR shadow', 'virtualize x2APIC mode', 'APIC-register virtualization' and 'virtual-interrupt delivery' must be 0") \
	X(CTL_VIRTUAL_NMIS,       ctl_virtual_nmis,       "26.2.1.1", "without 'NMI exiting', 'virtual NMIs' must be 0") \
	X(CTL_NMI_WINDOW,         ctl_nmi_window,         "26.2.1.1", "without 'virtual NMIs', 'NMI-window exiting' must be 0") \
	X(CTL_APIC_ACCESS_ADDR,   ctl_apic_access_addr,   "26.2.1.1", "with 'virtualize APIC accesses', the APIC-access address must be 4-KByte aligned and below 2^MAXPHYADDR") \
	X(CTL_X2APIC_VS_APIC,     ctl_x2apic_vs_apic,     "26.2.1.1", "'virtualize x2APIC mode' and 'virtualize APIC accesses' must not both be 1") \
	X(CTL_VID_EXT_INTR,       ctl_vid_ext_intr,       "26.2.1.1", "with 'virtual-interrupt delivery', 'external-interrupt exiting' must be 1") \
	X(CTL_POSTED_INTR,        ctl_posted_intr,        "26.2.1.1", "with 'process posted interrupts': virtual-interrupt delivery and 'acknowledge interrupt on exit' 1, notification vector < 256, descriptor 64-byte aligned below 2^MAXPHYADDR") \
	X(CTL_VPID_ZERO,          ctl_vpid_zero,          "26.2.1.1", "with 'enable VPID', the VPID must not be 0 (VPID 0 is the host's)") \
	X(CTL_EPTP_MEMTYPE,       ctl_eptp_memtype,       "26.2.1.1", "EPTP bits 2:0 (memory type) must be a type IA32_VMX_EPT_VPID_CAP allows: 0 (UC, bit 8) or 6 (WB, bit 14)") \
	X(CTL_EPTP_WALK,          ctl_eptp_walk,          "26.2.1.1", "EPTP bits 5:3 (page-walk length - 1) must be 3 (4 levels, IA32_VMX_EPT_VPID_CAP bit 6) or 4 (5 levels, bit 7)") \
	X(CTL_EPTP_AD,            ctl_eptp_ad,            "26.2.1.1", "EPTP bit 6 (accessed/dirty flags) needs IA32_VMX_EPT_VPID_CAP bit 21") \
	X(CTL_EPTP_RESERVED,      ctl_eptp_reserved,      "26.2.1.1", "EPTP bits 11:8 and bits 63:MAXPHYADDR must be 0") \
	X(CTL_PML,                ctl_pml,                "26.2.1.1", "with 'enable PML', 'enable EPT' must be 1 and the PML address 4-KByte aligned below 2^MAXPHYADDR") \
	X(CTL_UNRESTRICTED_EPT,   ctl_unrestricted_ept,   "26.2.1.1", "with 'unrestricted guest', 'enable EPT' must be 1") \
	X(CTL_VMCS_SHADOW_ADDR,   ctl_vmcs_shadow_addr,   "26.2.1.1", "with 'VMCS shadowing', the VMREAD and VMWRITE bitmap addresses must be 4-KByte aligned below 2^MAXPHYADDR") \
	/* 26.2.1.2 VM-exit control fields */ \
	X(CTL_EXIT_ALLOWED,       ctl_exit_allowed,       "26.2.1.2", "VM-exit controls must have the allowed-0 bits of IA32_VMX_(TRUE_)EXIT_CTLS set and only its allowed-1 bits") \
	X(CTL_PREEMPT_SAVE,       ctl_preempt_save,       "26.2.1.2", "without 'activate VMX-preemption timer', 'save VMX-preemption timer value' must be 0") \
	X(CTL_EXIT_MSR_STORE,     ctl_exit_msr_store,     "26.2.1.2", "with a VM-exit MSR-store count, the area must be 16-byte aligned and end below 2^MAXPHYADDR") \
	X(CTL_EXIT_MSR_LOAD,      ctl_exit_msr_load,      "26.2.1.2", "with a VM-exit MSR-load count, the area must be 16-byte aligned and end below 2^MAXPHYADDR") \
	/* 26.2.1.3 VM-entry control fields */ \
	X(CTL_ENTRY_ALLOWED,      ctl_entry_allowed,      "26.2.1.3", "VM-entry controls must have the allowed-0 bits of IA32_VMX_(TRUE_)ENTRY_CTLS set and only its allowed-1 bits") \
	X(CTL_ENTRY_SMM,          ctl_entry_smm,          "26.2.1.3", "'entry to SMM' and 'deactivate dual-monitor treatment' must be 0 outside SMM") \
	X(CTL_ENTRY_MSR_LOAD,     ctl_entry_msr_load,     "26.2.1.3", "with a VM-entry MSR-load count, the area must be 16-byte aligned and end below 2^MAXPHYADDR") \
	X(CTL_INJ_TYPE,           ctl_inj_type,           "26.2.1.3", "injected event type (bits 10:8) must not be 1 (reserved), nor 7 (other event) without monitor-trap-flag support") \
	X(CTL_INJ_VECTOR,         ctl_inj_vector,         "26.2.1.3", "injected event vector: 2 for an NMI, at most 31 for a hardware exception, 0 for type 7") \
	X(CTL_INJ_ERRCODE,        ctl_inj_errcode,        "26.2.1.3", "'deliver error code' (bit 11) must be 1 exactly for hardware exceptions 8, 10-14 and 17, unless 'unrestricted guest' runs with CR0.PE = 0") \
	X(CTL_INJ_RESERVED,       ctl_inj_reserved,       "26.2.1.3", "VM-entry interruption-information bits 30:12 must be 0") \
	X(CTL_INJ_ERRCODE_HIGH,   ctl_inj_errcode_high,   "26.2.1.3", "with 'deliver error code', VM-entry exception error code bits 31:16 must be 0") \
	X(CTL_INJ_INSN_LEN,       ctl_inj_insn_len,       "26.2.1.3", "software interrupts and exceptions (types 4, 5, 6) need a VM-entry instruction length of 1 to 15 (0 only with IA32_VMX_MISC bit 30)") \
	/* 26.2.2 host control registers and MSRs */ \
	X(HOST_CR0_FIXED,         host_cr0_fixed,         "26.2.2",   "host CR0: bits set in IA32_VMX_CR0_FIXED0 must be 1, bits clear in IA32_VMX_CR0_FIXED1 must be 0") \
	X(HOST_CR4_FIXED,         host_cr4_fixed,         "26.2.2",   "host CR4: bits set in IA32_VMX_CR4_FIXED0 (VMXE) must be 1, bits clear in IA32_VMX_CR4_FIXED1 must be 0") \
	X(HOST_CR3_WIDTH,         host_cr3_width,         "26.2.2",   "host CR3 bits 63:MAXPHYADDR must be 0") \
	X(HOST_SYSENTER_CANON,    host_sysenter_canon,    "26.2.2",   "host IA32_SYSENTER_ESP and IA32_SYSENTER_EIP must be canonical") \
	X(HOST_PAT,               host_pat,               "26.2.2",   "with 'load IA32_PAT' on exit, each host PAT entry must be 0, 1, 4, 5, 6 or 7") \
	X(HOST_EFER_RESERVED,     host_efer_reserved,     "26.2.2",   "with 'load IA32_EFER' on exit, host EFER bits other than SCE, LME, LMA, NXE must be 0") \
	X(HOST_EFER_LMA,          host_efer_lma,          "26.2.2",   "with 'load IA32_EFER' on exit, host EFER.LMA and EFER.LME must equal 'host address-space size'") \
	/* 26.2.3 host segment and descriptor-table registers */ \
	X(HOST_SEL_RPL_TI,        host_sel_rpl_ti,        "26.2.3",   "host ES, CS, SS, DS, FS, GS and TR selectors must have RPL = 0 and TI = 0") \
	X(HOST_CS_NULL,           host_cs_null,           "26.2.3",   "host CS selector must not be 0") \
	X(HOST_TR_NULL,           host_tr_null,           "26.2.3",   "host TR selector must not be 0 (load a TSS with LTR and copy its selector)") \
	X(HOST_SS_NULL,           host_ss_null,           "26.2.3",   "host SS selector must not be 0 when 'host address-space size' is 0") \
	X(HOST_BASE_CANON,        host_base_canon,        "26.2.3",   "host FS, GS, TR, GDTR and IDTR bases must be canonical") \
	/* 26.2.4 address-space size */ \
	X(HOST_ASZ_CPU,           host_asz_cpu,           "26.2.4",   "'host address-space size' must equal the processor's IA32_EFER.LMA (1 on a 64-bit host)") \
	X(HOST_ASZ_GUEST,         host_asz_guest,         "26.2.4",   "outside IA-32e mode (IA32_EFER.LMA = 0), 'IA-32e mode guest' must be 0") \
	X(HOST_ASZ_CR4,           host_asz_cr4,           "26.2.4",   "with 'host address-space size' 1, host CR4.PAE must be 1; with 0, host CR4.PCIDE must be 0") \
	X(HOST_RIP,               host_rip,               "26.2.4",   "with 'host address-space size' 1, host RIP must be canonical; with 0, its bits 63:32 must be 0") \
	/* 26.3.1.1 guest control registers, debug registers and MSRs */ \
	X(GUEST_CR0_FIXED,        guest_cr0_fixed,        "26.3.1.1", "guest CR0 must follow IA32_VMX_CR0_FIXED0/FIXED1 (PE and PG are free with 'unrestricted guest')") \
	X(GUEST_CR0_PG_PE,        guest_cr0_pg_pe,        "26.3.1.1", "guest CR0.PG = 1 needs CR0.PE = 1") \
	X(GUEST_CR4_FIXED,        guest_cr4_fixed,        "26.3.1.1", "guest CR4 must follow IA32_VMX_CR4_FIXED0/FIXED1 (VMXE = 1, even with 'unrestricted guest')") \
	X(GUEST_CR3_WIDTH,        guest_cr3_width,        "26.3.1.1", "guest CR3 bits 63:MAXPHYADDR must be 0") \
	X(GUEST_DEBUGCTL,         guest_debugctl,         "26.3.1.1", "with 'load debug controls', guest IA32_DEBUGCTL bits 5:2 and 63:16 must be 0") \
	X(GUEST_DR7,              guest_dr7,              "26.3.1.1", "with 'load debug controls', guest DR7 bits 63:32 must be 0") \
	X(GUEST_IA32E_PAGING,     guest_ia32e_paging,     "26.3.1.1", "with 'IA-32e mode guest', guest CR0.PG and CR4.PAE must be 1") \
	X(GUEST_PCIDE,            guest_pcide,            "26.3.1.1", "without 'IA-32e mode guest', guest CR4.PCIDE must be 0") \
	X(GUEST_SYSENTER_CANON,   guest_sysenter_canon,   "26.3.1.1", "guest IA32_SYSENTER_ESP and IA32_SYSENTER_EIP must be canonical") \
	X(GUEST_PAT,              guest_pat,              "26.3.1.1", "with 'load IA32_PAT' on entry, each guest PAT entry must be 0, 1, 4, 5, 6 or 7") \
	X(GUEST_EFER_RESERVED,    guest_efer_reserved,    "26.3.1.1", "with 'load IA32_EFER' on entry, guest EFER bits other than SCE, LME, LMA, NXE must be 0") \
	X(GUEST_EFER_LMA,         guest_efer_lma,         "26.3.1.1", "with 'load IA32_EFER' on entry, guest EFER.LMA must equal 'IA-32e mode guest'") \
	X(GUEST_EFER_LME,         guest_efer_lme,         "26.3.1.1", "with 'load IA32_EFER' on entry and guest CR0.PG = 1, guest EFER.LME must equal EFER.LMA") \
	/* 26.3.1.2 guest segment registers */ \
	X(GUEST_SEL_TI,           guest_sel_ti,           "26.3.1.2", "guest TR selector TI must be 0 (LDTR's too when usable)") \
	X(GUEST_SS_RPL,           guest_ss_rpl,           "26.3.1.2", "guest SS.RPL must equal CS.RPL (outside virtual-8086 mode, without 'unrestricted guest')") \
	X(GUEST_V86_SEG,          guest_v86_seg,          "26.3.1.2", "in virtual-8086 mode, CS, SS, DS, ES, FS, GS need base = selector << 4, limit 0xffff, access rights 0xf3") \
	X(GUEST_SEG_BASE,         guest_seg_base,         "26.3.1.2", "guest TR, FS, GS (and usable LDTR) bases must be canonical; CS (and usable SS, DS, ES) base bits 63:32 must be 0") \
	X(GUEST_CS_TYPE,          guest_cs_type,          "26.3.1.2", "guest CS type must be 9, 11, 13 or 15 (accessed code); 3 only with 'unrestricted guest'") \
	X(GUEST_SS_TYPE,          guest_ss_type,          "26.3.1.2", "guest SS (when usable) type must be 3 or 7 (accessed read/write data)") \
	X(GUEST_DATA_TYPE,        guest_data_type,        "26.3.1.2", "guest DS, ES, FS, GS (when usable): accessed (type bit 0) must be 1, and a code segment must be readable (type bit 1)") \
	X(GUEST_SEG_S,            guest_seg_s,            "26.3.1.2", "guest CS and usable SS, DS, ES, FS, GS must be code/data segments (S = 1)") \
	X(GUEST_CS_DPL,           guest_cs_dpl,           "26.3.1.2", "guest CS.DPL: 0 for type 3; = SS.DPL for non-conforming code (9, 11); <= SS.DPL for conforming code (13, 15)") \
	X(GUEST_SS_DPL,           guest_ss_dpl,           "26.3.1.2", "guest SS.DPL must equal SS.RPL (without 'unrestricted guest'); 0 when CS type is 3 or CR0.PE = 0") \
	X(GUEST_DATA_DPL,         guest_data_dpl,         "26.3.1.2", "guest DS, ES, FS, GS (usable, type 0-11, no 'unrestricted guest'): DPL must be >= RPL") \
	X(GUEST_SEG_PRESENT,      guest_seg_present,      "26.3.1.2", "guest CS, TR and usable SS, DS, ES, FS, GS, LDTR must be present (P = 1)") \
	X(GUEST_SEG_AR_RESERVED,  guest_seg_ar_reserved,  "26.3.1.2", "guest access rights bits 11:8 and 31:17 must be 0 (CS, TR and usable segments)") \
	X(GUEST_CS_L_D,           guest_cs_l_d,           "26.3.1.2", "with 'IA-32e mode guest' and CS.L = 1, CS.D/B must be 0") \
	X(GUEST_SEG_LIMIT_G,      guest_seg_limit_g,      "26.3.1.2", "guest segment limit vs G: limit bits 11:0 not all 1 needs G = 0; any of limit bits 31:20 set needs G = 1") \
	X(GUEST_TR_TYPE,          guest_tr_type,          "26.3.1.2", "guest TR: type must be 11 (busy 64-bit TSS) in IA-32e mode; 3 (busy 16-bit) or 11 outside") \
	X(GUEST_TR_S,             guest_tr_s,             "26.3.1.2", "guest TR must be a system descriptor (S = 0)") \
	X(GUEST_TR_UNUSABLE,      guest_tr_unusable,      "26.3.1.2", "guest TR must be usable (access-rights bit 16 = 0)") \
	X(GUEST_LDTR_TYPE,        guest_ldtr_type,        "26.3.1.2", "guest LDTR (when usable): type 2 (LDT) with S = 0; a null LDTR must be marked unusable (bit 16)") \
	/* 26.3.1.3 descriptor-table registers */ \
	X(GUEST_DT_BASE,          guest_dt_base,          "26.3.1.3", "guest GDTR and IDTR bases must be canonical") \
	X(GUEST_DT_LIMIT,         guest_dt_limit,         "26.3.1.3", "guest GDTR and IDTR limit bits 31:16 must be 0") \
	/* 26.3.1.4 RIP and RFLAGS */ \
	X(GUEST_RIP_HIGH,         guest_rip_high,         "26.3.1.4", "guest RIP bits 63:32 must be 0 outside 64-bit mode ('IA-32e mode guest' 0 or CS.L = 0)") \
	X(GUEST_RIP_CANON,        guest_rip_canon,        "26.3.1.4", "guest RIP must be canonical in 64-bit mode") \
	X(GUEST_RFLAGS_RESERVED,  guest_rflags_reserved,  "26.3.1.4", "guest RFLAGS bits 63:22, 15, 5 and 3 must be 0 and bit 1 must be 1") \
	X(GUEST_RFLAGS_VM,        guest_rflags_vm,        "26.3.1.4", "guest RFLAGS.VM must be 0 with 'IA-32e mode guest' or CR0.PE = 0") \
	X(GUEST_RFLAGS_IF,        guest_rflags_if,        "26.3.1.4", "injecting an external interrupt needs guest RFLAGS.IF = 1") \
	/* 26.3.1.5 non-register state */ \
	X(GUEST_ACTIVITY,         guest_activity,         "26.3.1.5", "guest activity state must be 0 (active) or one IA32_VMX_MISC allows: 1 HLT (bit 6), 2 shutdown (bit 7), 3 wait-for-SIPI (bit 8)") \
	X(GUEST_ACTIVITY_HLT_DPL, guest_activity_hlt_dpl, "26.3.1.5", "guest activity state HLT needs SS.DPL = 0") \
	X(GUEST_ACTIVITY_BLOCK,   guest_activity_block,   "26.3.1.5", "guest activity state must be active while blocking by STI or MOV SS is set") \
	X(GUEST_ACTIVITY_EVENT,   guest_activity_event,   "26.3.1.5", "an injected event must suit the activity state: none in wait-for-SIPI, only NMI or #MC in shutdown") \
	X(GUEST_INTR_RESERVED,    guest_intr_reserved,    "26.3.1.5", "guest interruptibility state bits 31:5 must be 0") \
	X(GUEST_INTR_STI_MOVSS,   guest_intr_sti_movss,   "26.3.1.5", "guest interruptibility: blocking by STI and by MOV SS must not both be 1") \
	X(GUEST_INTR_STI_IF,      guest_intr_sti_if,      "26.3.1.5", "guest interruptibility: blocking by STI needs RFLAGS.IF = 1") \
	X(GUEST_INTR_EVENT,       guest_intr_event,       "26.3.1.5", "injecting an external interrupt needs no STI or MOV SS blocking; an NMI needs no MOV SS blocking (nor NMI blocking with virtual NMIs)") \
	X(GUEST_INTR_SMI,         guest_intr_smi,         "26.3.1.5", "guest interruptibility: blocking by SMI must be 0 outside SMM") \
	X(GUEST_PENDING_DBG,      guest_pending_dbg,      "26.3.1.5", "guest pending debug exceptions bits 11:4, 13, 15 and 63:17 must be 0") \
	X(GUEST_PENDING_DBG_BS,   guest_pending_dbg_bs,   "26.3.1.5", "with STI/MOV SS blocking or HLT, pending-debug BS must be 1 exactly when RFLAGS.TF = 1 and IA32_DEBUGCTL.BTF = 0") \
	X(GUEST_LINK_PTR,         guest_link_ptr,         "26.3.1.5", "VMCS link pointer must be 0xffffffffffffffff (no shadow VMCS) or a 4-KByte aligned address below 2^MAXPHYADDR") \
	X(GUEST_LINK_PTR_REV,     guest_link_ptr_rev,     "26.3.1.5", "a VMCS link pointer other than all ones must point to a VMCS with IA32_VMX_BASIC's revision identifier") \
	/* 26.3.1.6 PDPTEs */ \
	X(GUEST_PDPTE,            guest_pdpte,            "26.3.1.6", "with EPT and PAE paging (CR0.PG, CR4.PAE, not IA-32e), present guest PDPTEs must have bits 2:1, 8:5 and 63:MAXPHYADDR 0") \
	/* 26.4 loading MSRs */ \
	X(ENTRY_MSR_ENTRY,        entry_msr_entry,        "26.4",     "VM-entry MSR-load entries: bits 63:32 of the first quadword must be 0, and FS_BASE, GS_BASE, IA32_SMM_MONITOR_CTL and x2APIC MSRs (0x800-0x8ff) cannot be loaded")

enum vmcheck_rule {
#define VMCHECK_RULE_ENUM(name, id, sec, text) VMCHECK_##name,
	VMCHECK_RULES(VMCHECK_RULE_ENUM)
#undef VMCHECK_RULE_ENUM
	VMCHECK_NRULES
};

/* Every VMCS field of vmcs_fields.h gets a slot in a snapshot. */
enum vmcs_field_slot {
#define VMCS_SLOT_ENUM(name, enc) VMCS_SLOT_##name,
	VMCS_FIELDS(VMCS_SLOT_ENUM)
#undef VMCS_SLOT_ENUM
	VMCS_NSLOTS
};

/*
 * What the checks compare the VMCS against: the capability MSRs (SDM Vol.
 * 3D, appendix A) and the processor state that entry depends on.
 */
struct vmcheck_caps {
	uint64_t basic;                   /* IA32_VMX_BASIC (bit 55: TRUE_ MSRs exist) */
	uint64_t pinbased, procbased;     /* IA32_VMX_PINBASED_CTLS, _PROCBASED_CTLS */
	uint64_t exit, entry;             /* IA32_VMX_EXIT_CTLS, _ENTRY_CTLS */
	uint64_t true_pinbased, true_procbased, true_exit, true_entry;  /* the TRUE_ ones */
	uint64_t procbased2;              /* IA32_VMX_PROCBASED_CTLS2 */
	uint64_t ept_vpid;                /* IA32_VMX_EPT_VPID_CAP */
	uint64_t misc;                    /* IA32_VMX_MISC */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	unsigned maxphyaddr;              /* CPUID.80000008H:EAX[7:0] */
	unsigned linear_width;            /* 48 (57 with 5-level paging); 0 means 48 */
	uint64_t cpu_efer;                /* the processor's IA32_EFER now (26.2.4) */
	bool x2apic_mode;                 /* the processor's local APIC is in x2APIC mode */
};

/* A VM-entry MSR-load entry (SDM 24.8.2, Table 24-15). */
struct vmcheck_msr_entry {
	uint32_t index;
	uint32_t reserved;
	uint64_t value;
};
#define VMCHECK_MSR_AREA_MAX 16

/*
 * A copy of a VMCS: a value and a "read" flag per field (a field the CPU
 * does not support, or that was never filled, is absent), the capability
 * MSRs, and the memory some checks look into.
 */
struct vmcs_snapshot {
	struct vmcheck_caps caps;
	uint64_t value[VMCS_NSLOTS];
	bool present[VMCS_NSLOTS];
	/* The first entries of the VM-entry MSR-load area (26.4). */
	unsigned entry_msr_copied;
	struct vmcheck_msr_entry entry_msr[VMCHECK_MSR_AREA_MAX];
	/* The revision identifier at the VMCS link pointer, when it could be read. */
	bool link_revision_known;
	uint32_t link_revision;
};

#define VMCHECK_DETAIL_LEN 128
#define VMCHECK_MAX_FINDINGS 24

/* One broken rule: which, on which field, with what value, and the detail. */
struct vmcheck_finding {
	enum vmcheck_rule rule;
	unsigned long field;              /* the field found wrong (its encoding) */
	uint64_t value;                   /* its value */
	char detail[VMCHECK_DETAIL_LEN];  /* decoded value and the numbers expected */
};

/* A rule that could not be checked: a field it needs is absent. */
struct vmcheck_unchecked {
	enum vmcheck_rule rule;
	unsigned long field;
};

struct vmcheck_report {
	unsigned broken;                  /* findings in all (may exceed nstored) */
	unsigned nstored;
	struct vmcheck_finding f[VMCHECK_MAX_FINDINGS];
	unsigned unchecked;               /* rules skipped for want of a field */
	unsigned nunchecked_stored;
	struct vmcheck_unchecked u[VMCHECK_MAX_FINDINGS];
};

/* Errors of the snapshot helpers and of the checker. */
#define VMCHECK_EUNKNOWN  (-1)   /* no such field in vmcs_fields.h */
#define VMCHECK_EWIDTH    (-2)   /* value wider than the field */
#define VMCHECK_ENOCAPS   (-3)   /* the snapshot holds no capability MSRs */

/** Empty @s: every field absent, capabilities zero. */
void vmcs_snapshot_init(struct vmcs_snapshot *s);
/**
 * Record @value for @field. 0, VMCHECK_EUNKNOWN for an encoding not in
 * vmcs_fields.h, VMCHECK_EWIDTH for a value that does not fit the field's
 * width (16 or 32 bits).
 */
int vmcs_snapshot_set(struct vmcs_snapshot *s, unsigned long field, uint64_t value);
/** Mark @field absent (as if VMREAD had failed). 0 or VMCHECK_EUNKNOWN. */
int vmcs_snapshot_clear(struct vmcs_snapshot *s, unsigned long field);
/** True and *@value when @field is present in @s. */
bool vmcs_snapshot_get(const struct vmcs_snapshot *s, unsigned long field, uint64_t *value);
/** The slot of @field, or -1 when vmcs_fields.h does not list it. */
int vmcs_field_slot(unsigned long field);
/** The encoding of the field in @slot (0 <= slot < VMCS_NSLOTS), else 0. */
unsigned long vmcs_slot_field(int slot);

/**
 * Run every rule over @s and fill @r: each broken rule once per field that
 * breaks it, every rule that could not run. Returns r->broken, or
 * VMCHECK_ENOCAPS (and no findings) when s->caps.basic is 0: without the
 * capability MSRs no control can be judged.
 */
int vmx_check_snapshot(const struct vmcs_snapshot *s, struct vmcheck_report *r);

/** The rule's id ("guest_tr_type"), section ("26.3.1.2") and text; NULL if out of range. */
const char *vmcheck_rule_id(enum vmcheck_rule rule);
const char *vmcheck_rule_section(enum vmcheck_rule rule);
const char *vmcheck_rule_text(enum vmcheck_rule rule);
/** The rule whose id is @id, or -1. */
int vmcheck_rule_by_id(const char *id);

/**
 * Format @f as one log line (no newline) into @buf:
 * "vmcheck: SECTION [id] TEXT; FIELD = VALUE (DETAIL)". Returns the length
 * the whole line has (like snprintf).
 */
int vmcheck_format(const struct vmcheck_finding *f, char *buf, size_t size);
/** True when @r holds a finding of @rule (on @field, unless @field is ~0ul). */
bool vmcheck_report_has(const struct vmcheck_report *r, enum vmcheck_rule rule,
			unsigned long field);

/* ---- kernel side (vmx_check_cpu.c) ---- */

/**
 * Fill @s from the current VMCS, the VMX capability MSRs and the CPU (and,
 * where they lie in RAM, the VM-entry MSR-load area and the link pointer's
 * revision). Returns the number of fields VMREAD could not read.
 */
int vmcs_snapshot_fill(struct vmcs_snapshot *s);
/**
 * Check the current VMCS. With @print, each broken rule is printed as one
 * "vmcheck: ..." line, then a summary line. Returns the number of broken
 * rules (findings), or -1 when there is no current VMCS or no memory.
 * Run before the first VM entry of a vCPU unless the command line says
 * "vmcheck=off" (vmx_check_enabled()).
 */
int vmx_check_current(bool print);
/** Print @r: one "vmcheck: ..." line per finding and per unchecked rule, then a summary. */
void vmcheck_report_print(const struct vmcheck_report *r);
/** False when the kernel command line holds vmcheck=off. */
bool vmx_check_enabled(void);

#endif
