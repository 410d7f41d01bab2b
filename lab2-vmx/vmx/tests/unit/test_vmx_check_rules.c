/*
 * test_vmx_check_rules.c - each rule of the VM-entry checker broken alone
 * on the valid baseline (vmcheck_fixture.c): the checker must report
 * exactly that rule, on that field, with its value. Grouped by SDM Vol. 3C
 * section.
 */
#include <criterion/criterion.h>
#include "vmcheck_fixture.h"

#define BREAK(tname, rule, field, ...) \
	Test(vmcheck_break, tname, .init = baseline) { __VA_ARGS__; expect_only(VMCHECK_##rule, field); }

/* 26.2.1.1 */
BREAK(pin_must_be_1, CTL_PIN_ALLOWED, VMCS_PIN_BASED_VM_EXEC_CONTROL,
      clear_bits(VMCS_PIN_BASED_VM_EXEC_CONTROL, 0x2))
BREAK(pin_not_allowed, CTL_PIN_ALLOWED, VMCS_PIN_BASED_VM_EXEC_CONTROL,
      or_bits(VMCS_PIN_BASED_VM_EXEC_CONTROL, 1u << 8))
/* Without TRUE_ MSRs (IA32_VMX_BASIC bit 55 clear) CR3-load exiting, a
 * default-1 control, must be 1 (the exit and entry MSRs are made equal to
 * their TRUE_ versions so that only the processor-based controls differ). */
BREAK(proc_default1_without_true, CTL_PROC_ALLOWED, VMCS_CPU_BASED_VM_EXEC_CONTROL,
      snap.caps.basic &= ~(1ull << 55); snap.caps.exit = snap.caps.true_exit;
      snap.caps.entry = snap.caps.true_entry)
BREAK(proc_not_allowed, CTL_PROC_ALLOWED, VMCS_CPU_BASED_VM_EXEC_CONTROL,
      or_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, 1u << 17))
BREAK(proc2_not_allowed, CTL_PROC2_ALLOWED, VMCS_SECONDARY_VM_EXEC_CONTROL,
      or_bits(VMCS_SECONDARY_VM_EXEC_CONTROL, 1u << 20))
BREAK(cr3_target_count, CTL_CR3_TARGET_COUNT, VMCS_CR3_TARGET_COUNT,
      set(VMCS_CR3_TARGET_COUNT, 5))
BREAK(io_bitmap_unaligned, CTL_IO_BITMAP_ADDR, VMCS_IO_BITMAP_B,
      set(VMCS_IO_BITMAP_B, 0x101800))
BREAK(io_bitmap_too_high, CTL_IO_BITMAP_ADDR, VMCS_IO_BITMAP_A,
      set(VMCS_IO_BITMAP_A, 1ull << 40))
BREAK(msr_bitmap_unaligned, CTL_MSR_BITMAP_ADDR, VMCS_MSR_BITMAP,
      set(VMCS_MSR_BITMAP, 0x102010))
BREAK(vapic_unaligned, CTL_VAPIC_ADDR, VMCS_VIRTUAL_APIC_PAGE_ADDR,
      or_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, VMX_PROC_TPR_SHADOW);
      set(VMCS_VIRTUAL_APIC_PAGE_ADDR, 0x107004))
BREAK(tpr_threshold, CTL_TPR_THRESHOLD, VMCS_TPR_THRESHOLD,
      or_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, VMX_PROC_TPR_SHADOW);
      set(VMCS_VIRTUAL_APIC_PAGE_ADDR, 0x107000); set(VMCS_TPR_THRESHOLD, 0x10))
BREAK(x2apic_without_tpr_shadow, CTL_TPR_SHADOW_DEPS, VMCS_SECONDARY_VM_EXEC_CONTROL,
      or_bits(VMCS_SECONDARY_VM_EXEC_CONTROL, VMX_PROC2_VIRT_X2APIC_MODE))
BREAK(virtual_nmis_without_nmi_exiting, CTL_VIRTUAL_NMIS, VMCS_PIN_BASED_VM_EXEC_CONTROL,
      or_bits(VMCS_PIN_BASED_VM_EXEC_CONTROL, VMX_PIN_VIRTUAL_NMIS))
BREAK(nmi_window_without_virtual_nmis, CTL_NMI_WINDOW, VMCS_CPU_BASED_VM_EXEC_CONTROL,
      or_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, VMX_PROC_NMI_WINDOW_EXITING))
BREAK(apic_access_unaligned, CTL_APIC_ACCESS_ADDR, VMCS_APIC_ACCESS_ADDR,
      or_bits(VMCS_SECONDARY_VM_EXEC_CONTROL, VMX_PROC2_VIRT_APIC_ACCESSES);
      set(VMCS_APIC_ACCESS_ADDR, 0xfee00100))
BREAK(x2apic_and_apic_access, CTL_X2APIC_VS_APIC, VMCS_SECONDARY_VM_EXEC_CONTROL,
      or_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, VMX_PROC_TPR_SHADOW);
      set(VMCS_VIRTUAL_APIC_PAGE_ADDR, 0x107000); set(VMCS_APIC_ACCESS_ADDR, 0xfee00000);
      or_bits(VMCS_SECONDARY_VM_EXEC_CONTROL, VMX_PROC2_VIRT_X2APIC_MODE | VMX_PROC2_VIRT_APIC_ACCESSES))
BREAK(vid_without_ext_intr_exiting, CTL_VID_EXT_INTR, VMCS_PIN_BASED_VM_EXEC_CONTROL,
      or_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, VMX_PROC_TPR_SHADOW);
      set(VMCS_VIRTUAL_APIC_PAGE_ADDR, 0x107000);
      or_bits(VMCS_SECONDARY_VM_EXEC_CONTROL, VMX_PROC2_VIRT_INTR_DELIVERY);
      clear_bits(VMCS_PIN_BASED_VM_EXEC_CONTROL, VMX_PIN_EXT_INTR_EXITING))
BREAK(posted_intr_without_vid, CTL_POSTED_INTR, VMCS_PIN_BASED_VM_EXEC_CONTROL,
      or_bits(VMCS_PIN_BASED_VM_EXEC_CONTROL, VMX_PIN_POSTED_INTR);
      set(VMCS_POSTED_INTR_DESC_ADDR, 0x108000))
BREAK(vpid_zero, CTL_VPID_ZERO, VMCS_VIRTUAL_PROCESSOR_ID,
      set(VMCS_VIRTUAL_PROCESSOR_ID, 0))
BREAK(eptp_memtype_wt, CTL_EPTP_MEMTYPE, VMCS_EPT_POINTER,
      enable_ept(); set(VMCS_EPT_POINTER, 0x103000 | 4 | (3 << 3)))
BREAK(eptp_walk_length, CTL_EPTP_WALK, VMCS_EPT_POINTER,
      enable_ept(); set(VMCS_EPT_POINTER, 0x103000 | 6 | (2 << 3)))
BREAK(eptp_ad_unsupported, CTL_EPTP_AD, VMCS_EPT_POINTER,
      enable_ept(); snap.caps.ept_vpid &= ~(1ull << 21);
      set(VMCS_EPT_POINTER, 0x103000 | 6 | (3 << 3) | (1 << 6)))
BREAK(eptp_reserved, CTL_EPTP_RESERVED, VMCS_EPT_POINTER,
      enable_ept(); or_bits(VMCS_EPT_POINTER, 1u << 11))
BREAK(pml_without_ept, CTL_PML, VMCS_SECONDARY_VM_EXEC_CONTROL,
      or_bits(VMCS_SECONDARY_VM_EXEC_CONTROL, VMX_PROC2_ENABLE_PML);
      set(VMCS_PML_ADDRESS, 0x109000))
BREAK(unrestricted_without_ept, CTL_UNRESTRICTED_EPT, VMCS_SECONDARY_VM_EXEC_CONTROL,
      or_bits(VMCS_SECONDARY_VM_EXEC_CONTROL, VMX_PROC2_UNRESTRICTED_GUEST))
BREAK(vmcs_shadow_bitmap_unaligned, CTL_VMCS_SHADOW_ADDR, VMCS_VMWRITE_BITMAP,
      or_bits(VMCS_SECONDARY_VM_EXEC_CONTROL, VMX_PROC2_VMCS_SHADOWING);
      set(VMCS_VMWRITE_BITMAP, 0x105008))
/* 26.2.1.2 */
BREAK(exit_must_be_1, CTL_EXIT_ALLOWED, VMCS_VM_EXIT_CONTROLS,
      clear_bits(VMCS_VM_EXIT_CONTROLS, 1u << 0))
BREAK(exit_not_allowed, CTL_EXIT_ALLOWED, VMCS_VM_EXIT_CONTROLS,
      or_bits(VMCS_VM_EXIT_CONTROLS, 1u << 28))
BREAK(preempt_save_without_timer, CTL_PREEMPT_SAVE, VMCS_VM_EXIT_CONTROLS,
      or_bits(VMCS_VM_EXIT_CONTROLS, VMX_EXIT_SAVE_PREEMPT_TIMER))
BREAK(exit_msr_store_unaligned, CTL_EXIT_MSR_STORE, VMCS_VM_EXIT_MSR_STORE_ADDR,
      set(VMCS_VM_EXIT_MSR_STORE_COUNT, 1); set(VMCS_VM_EXIT_MSR_STORE_ADDR, 0x106008))
BREAK(exit_msr_load_end_too_high, CTL_EXIT_MSR_LOAD, VMCS_VM_EXIT_MSR_LOAD_ADDR,
      set(VMCS_VM_EXIT_MSR_LOAD_COUNT, 2); set(VMCS_VM_EXIT_MSR_LOAD_ADDR, (1ull << 40) - 16))
/* 26.2.1.3 */
BREAK(entry_must_be_1, CTL_ENTRY_ALLOWED, VMCS_VM_ENTRY_CONTROLS,
      clear_bits(VMCS_VM_ENTRY_CONTROLS, 1u << 12))
BREAK(entry_to_smm, CTL_ENTRY_SMM, VMCS_VM_ENTRY_CONTROLS,
      or_bits(VMCS_VM_ENTRY_CONTROLS, VMX_ENTRY_DEACT_DUAL_MONITOR))
BREAK(entry_msr_load_unaligned, CTL_ENTRY_MSR_LOAD, VMCS_VM_ENTRY_MSR_LOAD_ADDR,
      set(VMCS_VM_ENTRY_MSR_LOAD_COUNT, 1); set(VMCS_VM_ENTRY_MSR_LOAD_ADDR, 0x106204);
      snap.entry_msr_copied = 1; snap.entry_msr[0].index = 0x174)
BREAK(inject_reserved_type, CTL_INJ_TYPE, VMCS_VM_ENTRY_INTR_INFO_FIELD,
      inject(VMX_INTR_TYPE_RESERVED, 32, false))
BREAK(inject_nmi_vector, CTL_INJ_VECTOR, VMCS_VM_ENTRY_INTR_INFO_FIELD,
      inject(VMX_INTR_TYPE_NMI, 3, false))
BREAK(inject_gp_without_errcode, CTL_INJ_ERRCODE, VMCS_VM_ENTRY_INTR_INFO_FIELD,
      inject(VMX_INTR_TYPE_HW_EXC, 13, false))
BREAK(inject_ud_with_errcode, CTL_INJ_ERRCODE, VMCS_VM_ENTRY_INTR_INFO_FIELD,
      inject(VMX_INTR_TYPE_HW_EXC, 6, true))
BREAK(inject_reserved_bits, CTL_INJ_RESERVED, VMCS_VM_ENTRY_INTR_INFO_FIELD,
      inject(VMX_INTR_TYPE_EXT_INTR, 32, false);
      or_bits(VMCS_GUEST_RFLAGS, 1u << 9); or_bits(VMCS_VM_ENTRY_INTR_INFO_FIELD, 1u << 12))
BREAK(inject_errcode_high, CTL_INJ_ERRCODE_HIGH, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE,
      inject(VMX_INTR_TYPE_HW_EXC, 13, true); set(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, 0x10000))
BREAK(inject_soft_int_len0, CTL_INJ_INSN_LEN, VMCS_VM_ENTRY_INSTRUCTION_LEN,
      inject(VMX_INTR_TYPE_SW_INTR, 0x80, false); set(VMCS_VM_ENTRY_INSTRUCTION_LEN, 0))
/* 26.2.2 */
BREAK(host_cr0_pe_clear, HOST_CR0_FIXED, VMCS_HOST_CR0,
      clear_bits(VMCS_HOST_CR0, 1))
BREAK(host_cr4_vmxe_clear, HOST_CR4_FIXED, VMCS_HOST_CR4,
      clear_bits(VMCS_HOST_CR4, 1u << 13))
BREAK(host_cr4_unsupported_bit, HOST_CR4_FIXED, VMCS_HOST_CR4,
      or_bits(VMCS_HOST_CR4, 1u << 12))
BREAK(host_cr3_too_wide, HOST_CR3_WIDTH, VMCS_HOST_CR3,
      or_bits(VMCS_HOST_CR3, 1ull << 45))
BREAK(host_sysenter_eip_noncanonical, HOST_SYSENTER_CANON, VMCS_HOST_IA32_SYSENTER_EIP,
      set(VMCS_HOST_IA32_SYSENTER_EIP, 0x0000800000000000ull))
BREAK(host_pat_type2, HOST_PAT, VMCS_HOST_IA32_PAT,
      or_bits(VMCS_VM_EXIT_CONTROLS, VMX_EXIT_LOAD_PAT); set(VMCS_HOST_IA32_PAT, 0x0007040600070402ull))
BREAK(host_efer_reserved, HOST_EFER_RESERVED, VMCS_HOST_IA32_EFER,
      or_bits(VMCS_HOST_IA32_EFER, 1u << 2))
BREAK(host_efer_lma_clear, HOST_EFER_LMA, VMCS_HOST_IA32_EFER,
      clear_bits(VMCS_HOST_IA32_EFER, 1u << 10))
/* 26.2.3 */
BREAK(host_ds_rpl, HOST_SEL_RPL_TI, VMCS_HOST_DS_SELECTOR,
      set(VMCS_HOST_DS_SELECTOR, 0x13))
BREAK(host_cs_null, HOST_CS_NULL, VMCS_HOST_CS_SELECTOR,
      set(VMCS_HOST_CS_SELECTOR, 0))
BREAK(host_tr_null, HOST_TR_NULL, VMCS_HOST_TR_SELECTOR,
      set(VMCS_HOST_TR_SELECTOR, 0))
BREAK(host_tr_base_noncanonical, HOST_BASE_CANON, VMCS_HOST_TR_BASE,
      set(VMCS_HOST_TR_BASE, 0xffff000000000000ull))
BREAK(host_gs_base_noncanonical, HOST_BASE_CANON, VMCS_HOST_GS_BASE,
      set(VMCS_HOST_GS_BASE, 0x0001000000000000ull))
/* 26.2.4: a 32-bit host (EFER.LMA = 0) with its own consequences */
BREAK(host_ss_null_32bit, HOST_SS_NULL, VMCS_HOST_SS_SELECTOR,
      snap.caps.cpu_efer = 0; clear_bits(VMCS_VM_EXIT_CONTROLS, VMX_EXIT_HOST_ADDR_SPACE_SIZE);
      clear_bits(VMCS_VM_EXIT_CONTROLS, VMX_EXIT_LOAD_EFER);
      clear_bits(VMCS_VM_ENTRY_CONTROLS, VMX_ENTRY_IA32E_MODE_GUEST | VMX_ENTRY_LOAD_EFER);
      clear_bits(VMCS_GUEST_CS_AR_BYTES, VMX_AR_L);
      set(VMCS_HOST_RIP, 0x101000); set(VMCS_HOST_SS_SELECTOR, 0))
BREAK(host_asz_0_on_64bit_cpu, HOST_ASZ_CPU, VMCS_VM_EXIT_CONTROLS,
      clear_bits(VMCS_VM_EXIT_CONTROLS, VMX_EXIT_HOST_ADDR_SPACE_SIZE | VMX_EXIT_LOAD_EFER);
      set(VMCS_HOST_RIP, 0x101000))
BREAK(host_asz_ia32e_guest_from_32bit, HOST_ASZ_GUEST, VMCS_VM_ENTRY_CONTROLS,
      snap.caps.cpu_efer = 0;
      clear_bits(VMCS_VM_EXIT_CONTROLS, VMX_EXIT_HOST_ADDR_SPACE_SIZE | VMX_EXIT_LOAD_EFER);
      set(VMCS_HOST_RIP, 0x101000))
BREAK(host_cr4_pae_clear_64bit, HOST_ASZ_CR4, VMCS_HOST_CR4,
      clear_bits(VMCS_HOST_CR4, 1u << 5))
BREAK(host_rip_noncanonical, HOST_RIP, VMCS_HOST_RIP,
      set(VMCS_HOST_RIP, 0x0000900000000000ull))
/* 26.3.1.1 */
BREAK(guest_cr0_ne_clear, GUEST_CR0_FIXED, VMCS_GUEST_CR0,
      clear_bits(VMCS_GUEST_CR0, 1u << 5))
BREAK(guest_cr0_pg_without_pe, GUEST_CR0_PG_PE, VMCS_GUEST_CR0,
      or_bits(VMCS_SECONDARY_VM_EXEC_CONTROL, VMX_PROC2_ENABLE_EPT | VMX_PROC2_UNRESTRICTED_GUEST);
      clear_bits(VMCS_VM_ENTRY_CONTROLS, VMX_ENTRY_IA32E_MODE_GUEST | VMX_ENTRY_LOAD_EFER);
      clear_bits(VMCS_GUEST_CS_AR_BYTES, VMX_AR_L);
      clear_bits(VMCS_GUEST_CR0, 1u << 0))
BREAK(guest_cr4_vmxe_clear, GUEST_CR4_FIXED, VMCS_GUEST_CR4,
      clear_bits(VMCS_GUEST_CR4, 1u << 13))
BREAK(guest_cr3_too_wide, GUEST_CR3_WIDTH, VMCS_GUEST_CR3,
      or_bits(VMCS_GUEST_CR3, 1ull << 50))
BREAK(guest_debugctl_reserved, GUEST_DEBUGCTL, VMCS_GUEST_IA32_DEBUGCTL,
      or_bits(VMCS_VM_ENTRY_CONTROLS, VMX_ENTRY_LOAD_DEBUG_CTLS);
      set(VMCS_GUEST_IA32_DEBUGCTL, 1u << 3))
BREAK(guest_dr7_high, GUEST_DR7, VMCS_GUEST_DR7,
      or_bits(VMCS_VM_ENTRY_CONTROLS, VMX_ENTRY_LOAD_DEBUG_CTLS);
      set(VMCS_GUEST_DR7, 0x100000400ull))
BREAK(guest_ia32e_without_pae, GUEST_IA32E_PAGING, VMCS_GUEST_CR4,
      clear_bits(VMCS_GUEST_CR4, 1u << 5))
BREAK(guest_pcide_outside_ia32e, GUEST_PCIDE, VMCS_GUEST_CR4,
      clear_bits(VMCS_VM_ENTRY_CONTROLS, VMX_ENTRY_IA32E_MODE_GUEST | VMX_ENTRY_LOAD_EFER);
      clear_bits(VMCS_GUEST_CS_AR_BYTES, VMX_AR_L);
      or_bits(VMCS_GUEST_CR4, 1u << 17))
BREAK(guest_sysenter_esp_noncanonical, GUEST_SYSENTER_CANON, VMCS_GUEST_SYSENTER_ESP,
      set(VMCS_GUEST_SYSENTER_ESP, 0x8000000000000000ull))
BREAK(guest_pat_type3, GUEST_PAT, VMCS_GUEST_IA32_PAT,
      or_bits(VMCS_VM_ENTRY_CONTROLS, VMX_ENTRY_LOAD_PAT); set(VMCS_GUEST_IA32_PAT, 0x0007040600070403ull))
BREAK(guest_efer_reserved, GUEST_EFER_RESERVED, VMCS_GUEST_IA32_EFER,
      or_bits(VMCS_GUEST_IA32_EFER, 1u << 1))
BREAK(guest_efer_lma_vs_ia32e, GUEST_EFER_LMA, VMCS_GUEST_IA32_EFER,
      set(VMCS_GUEST_IA32_EFER, 0))
BREAK(guest_efer_lme_clear, GUEST_EFER_LME, VMCS_GUEST_IA32_EFER,
      set(VMCS_GUEST_IA32_EFER, 0x400))
/* 26.3.1.2 */
BREAK(guest_tr_ti, GUEST_SEL_TI, VMCS_GUEST_TR_SELECTOR,
      set(VMCS_GUEST_TR_SELECTOR, 0x1c))
BREAK(guest_ss_rpl_vs_cs, GUEST_SS_RPL, VMCS_GUEST_SS_SELECTOR,
      set(VMCS_GUEST_CS_SELECTOR, 0x0b))
BREAK(guest_v86_limit, GUEST_V86_SEG, VMCS_GUEST_DS_LIMIT,
      /* a 32-bit protected-mode guest in virtual-8086 mode, correct but for DS's limit */
      clear_bits(VMCS_VM_ENTRY_CONTROLS, VMX_ENTRY_IA32E_MODE_GUEST | VMX_ENTRY_LOAD_EFER);
      clear_bits(VMCS_GUEST_CR4, 1u << 5); set(VMCS_GUEST_TR_AR_BYTES, 0x8b);
      or_bits(VMCS_GUEST_RFLAGS, 1u << 17); v86_segments();
      set(VMCS_GUEST_DS_LIMIT, 0xfffff))
BREAK(guest_cs_base_high, GUEST_SEG_BASE, VMCS_GUEST_CS_BASE,
      set(VMCS_GUEST_CS_BASE, 1ull << 32))
BREAK(guest_fs_base_noncanonical, GUEST_SEG_BASE, VMCS_GUEST_FS_BASE,
      set(VMCS_GUEST_FS_BASE, 0x0000800000000000ull))
BREAK(guest_cs_not_accessed, GUEST_CS_TYPE, VMCS_GUEST_CS_AR_BYTES,
      clear_bits(VMCS_GUEST_CS_AR_BYTES, 1))
BREAK(guest_ss_code, GUEST_SS_TYPE, VMCS_GUEST_SS_AR_BYTES,
      set(VMCS_GUEST_SS_AR_BYTES, 0xc09b))
BREAK(guest_ds_not_accessed, GUEST_DATA_TYPE, VMCS_GUEST_DS_AR_BYTES,
      clear_bits(VMCS_GUEST_DS_AR_BYTES, 1))
BREAK(guest_gs_execute_only, GUEST_DATA_TYPE, VMCS_GUEST_GS_AR_BYTES,
      set(VMCS_GUEST_GS_AR_BYTES, 0xc099))
BREAK(guest_es_system, GUEST_SEG_S, VMCS_GUEST_ES_AR_BYTES,
      clear_bits(VMCS_GUEST_ES_AR_BYTES, VMX_AR_S))
BREAK(guest_cs_dpl_vs_ss, GUEST_CS_DPL, VMCS_GUEST_CS_AR_BYTES,
      or_bits(VMCS_GUEST_CS_AR_BYTES, 3u << 5))
BREAK(guest_ss_dpl_vs_rpl, GUEST_SS_DPL, VMCS_GUEST_SS_AR_BYTES,
      or_bits(VMCS_GUEST_SS_AR_BYTES, 3u << 5); or_bits(VMCS_GUEST_CS_AR_BYTES, 3u << 5))
BREAK(guest_fs_dpl_below_rpl, GUEST_DATA_DPL, VMCS_GUEST_FS_AR_BYTES,
      set(VMCS_GUEST_FS_SELECTOR, 0x13))
BREAK(guest_cs_not_present, GUEST_SEG_PRESENT, VMCS_GUEST_CS_AR_BYTES,
      clear_bits(VMCS_GUEST_CS_AR_BYTES, VMX_AR_P))
BREAK(guest_ss_ar_reserved, GUEST_SEG_AR_RESERVED, VMCS_GUEST_SS_AR_BYTES,
      or_bits(VMCS_GUEST_SS_AR_BYTES, 1u << 8))
BREAK(guest_cs_l_and_d, GUEST_CS_L_D, VMCS_GUEST_CS_AR_BYTES,
      or_bits(VMCS_GUEST_CS_AR_BYTES, VMX_AR_DB))
BREAK(guest_ds_limit_g0_too_big, GUEST_SEG_LIMIT_G, VMCS_GUEST_DS_AR_BYTES,
      clear_bits(VMCS_GUEST_DS_AR_BYTES, VMX_AR_G))
BREAK(guest_tr_limit_g1_low_bits, GUEST_SEG_LIMIT_G, VMCS_GUEST_TR_AR_BYTES,
      or_bits(VMCS_GUEST_TR_AR_BYTES, VMX_AR_G))
BREAK(guest_tr_available, GUEST_TR_TYPE, VMCS_GUEST_TR_AR_BYTES,
      set(VMCS_GUEST_TR_AR_BYTES, 0x89))
BREAK(guest_tr_16bit_in_ia32e, GUEST_TR_TYPE, VMCS_GUEST_TR_AR_BYTES,
      set(VMCS_GUEST_TR_AR_BYTES, 0x83))
BREAK(guest_tr_code_data, GUEST_TR_S, VMCS_GUEST_TR_AR_BYTES,
      or_bits(VMCS_GUEST_TR_AR_BYTES, VMX_AR_S))
BREAK(guest_tr_unusable, GUEST_TR_UNUSABLE, VMCS_GUEST_TR_AR_BYTES,
      or_bits(VMCS_GUEST_TR_AR_BYTES, VMX_AR_UNUSABLE))
BREAK(guest_ldtr_null_but_usable, GUEST_LDTR_TYPE, VMCS_GUEST_LDTR_AR_BYTES,
      set(VMCS_GUEST_LDTR_AR_BYTES, 0x80))
/* 26.3.1.3 */
BREAK(guest_gdtr_base_noncanonical, GUEST_DT_BASE, VMCS_GUEST_GDTR_BASE,
      set(VMCS_GUEST_GDTR_BASE, 0x0000800000000000ull))
BREAK(guest_idtr_limit_high, GUEST_DT_LIMIT, VMCS_GUEST_IDTR_LIMIT,
      set(VMCS_GUEST_IDTR_LIMIT, 0x10000))
/* 26.3.1.4 */
BREAK(guest_rip_high_32bit_code, GUEST_RIP_HIGH, VMCS_GUEST_RIP,
      clear_bits(VMCS_GUEST_CS_AR_BYTES, VMX_AR_L); or_bits(VMCS_GUEST_CS_AR_BYTES, VMX_AR_DB);
      set(VMCS_GUEST_RIP, 0x100000000ull))
BREAK(guest_rip_noncanonical, GUEST_RIP_CANON, VMCS_GUEST_RIP,
      set(VMCS_GUEST_RIP, 0x0000800000000000ull))
BREAK(guest_rflags_bit1_clear, GUEST_RFLAGS_RESERVED, VMCS_GUEST_RFLAGS,
      set(VMCS_GUEST_RFLAGS, 0))
BREAK(guest_rflags_reserved_bit15, GUEST_RFLAGS_RESERVED, VMCS_GUEST_RFLAGS,
      or_bits(VMCS_GUEST_RFLAGS, 1u << 15))
BREAK(guest_rflags_vm_in_ia32e, GUEST_RFLAGS_VM, VMCS_GUEST_RFLAGS,
      or_bits(VMCS_GUEST_RFLAGS, 1u << 17); v86_segments())
BREAK(guest_inject_intr_with_if_clear, GUEST_RFLAGS_IF, VMCS_GUEST_RFLAGS,
      inject(VMX_INTR_TYPE_EXT_INTR, 0x20, false))
/* 26.3.1.5 */
BREAK(guest_activity_bad, GUEST_ACTIVITY, VMCS_GUEST_ACTIVITY_STATE,
      set(VMCS_GUEST_ACTIVITY_STATE, 4))
BREAK(guest_activity_unsupported, GUEST_ACTIVITY, VMCS_GUEST_ACTIVITY_STATE,
      snap.caps.misc &= ~(1ull << 8); set(VMCS_GUEST_ACTIVITY_STATE, 3))
BREAK(guest_hlt_with_dpl3, GUEST_ACTIVITY_HLT_DPL, VMCS_GUEST_ACTIVITY_STATE,
      set(VMCS_GUEST_ACTIVITY_STATE, 1);
      set(VMCS_GUEST_CS_SELECTOR, 0x0b); or_bits(VMCS_GUEST_CS_AR_BYTES, 3u << 5);
      set(VMCS_GUEST_SS_SELECTOR, 0x13); or_bits(VMCS_GUEST_SS_AR_BYTES, 3u << 5))
BREAK(guest_hlt_with_sti_blocking, GUEST_ACTIVITY_BLOCK, VMCS_GUEST_ACTIVITY_STATE,
      set(VMCS_GUEST_ACTIVITY_STATE, 2); or_bits(VMCS_GUEST_RFLAGS, 1u << 9);
      set(VMCS_GUEST_INTERRUPTIBILITY_INFO, VMX_INTR_BLOCK_STI))
BREAK(guest_shutdown_with_gp, GUEST_ACTIVITY_EVENT, VMCS_GUEST_ACTIVITY_STATE,
      set(VMCS_GUEST_ACTIVITY_STATE, 2); inject(VMX_INTR_TYPE_HW_EXC, 13, true))
BREAK(guest_intr_reserved, GUEST_INTR_RESERVED, VMCS_GUEST_INTERRUPTIBILITY_INFO,
      set(VMCS_GUEST_INTERRUPTIBILITY_INFO, 1u << 5))
BREAK(guest_intr_sti_and_movss, GUEST_INTR_STI_MOVSS, VMCS_GUEST_INTERRUPTIBILITY_INFO,
      or_bits(VMCS_GUEST_RFLAGS, 1u << 9);
      set(VMCS_GUEST_INTERRUPTIBILITY_INFO, VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS))
BREAK(guest_intr_sti_with_if_clear, GUEST_INTR_STI_IF, VMCS_GUEST_INTERRUPTIBILITY_INFO,
      set(VMCS_GUEST_INTERRUPTIBILITY_INFO, VMX_INTR_BLOCK_STI))
BREAK(guest_inject_nmi_under_movss, GUEST_INTR_EVENT, VMCS_GUEST_INTERRUPTIBILITY_INFO,
      inject(VMX_INTR_TYPE_NMI, 2, false); set(VMCS_GUEST_INTERRUPTIBILITY_INFO, VMX_INTR_BLOCK_MOV_SS))
BREAK(guest_intr_smi_blocked, GUEST_INTR_SMI, VMCS_GUEST_INTERRUPTIBILITY_INFO,
      set(VMCS_GUEST_INTERRUPTIBILITY_INFO, VMX_INTR_BLOCK_SMI))
BREAK(guest_pending_dbg_reserved, GUEST_PENDING_DBG, VMCS_GUEST_PENDING_DBG_EXCEPTIONS,
      set(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 1u << 4))
BREAK(guest_pending_bs_without_tf, GUEST_PENDING_DBG_BS, VMCS_GUEST_PENDING_DBG_EXCEPTIONS,
      set(VMCS_GUEST_ACTIVITY_STATE, 1); set(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 1u << 14))
BREAK(link_pointer_zero, GUEST_LINK_PTR, VMCS_VMCS_LINK_POINTER,
      set(VMCS_VMCS_LINK_POINTER, 0x123))
BREAK(link_pointer_bad_revision, GUEST_LINK_PTR_REV, VMCS_VMCS_LINK_POINTER,
      set(VMCS_VMCS_LINK_POINTER, 0x10a000); snap.link_revision_known = true;
      snap.link_revision = 0)
/* 26.3.1.6 */
BREAK(guest_pdpte_reserved, GUEST_PDPTE, VMCS_GUEST_PDPTR2,
      enable_ept();
      clear_bits(VMCS_VM_ENTRY_CONTROLS, VMX_ENTRY_IA32E_MODE_GUEST | VMX_ENTRY_LOAD_EFER);
      clear_bits(VMCS_GUEST_CS_AR_BYTES, VMX_AR_L); set(VMCS_GUEST_PDPTR0, 0x5001);
      set(VMCS_GUEST_PDPTR2, 0x6001 | (1u << 5)))
/* 26.4 */
BREAK(entry_msr_load_fs_base, ENTRY_MSR_ENTRY, VMCS_VM_ENTRY_MSR_LOAD_ADDR,
      set(VMCS_VM_ENTRY_MSR_LOAD_COUNT, 2); snap.entry_msr_copied = 2;
      snap.entry_msr[0].index = 0x174; snap.entry_msr[1].index = 0xc0000100)
