/*
 * vmcs_fields.h - every VMCS field hvlab uses, with its SDM name and encoding.
 *
 * One X-macro table gives both the enum (VMCS_<NAME> = encoding) and the
 * names printed in logs, so no code ever writes a bare encoding such as
 * 0x681e. Names follow Linux KVM's arch/x86/include/asm/vmx.h, which follow
 * the SDM's field names. Encodings: Intel SDM Vol. 3D, Appendix B
 * "Field Encoding in VMCS". Bits 14:13 of an encoding give the field's
 * width (Table 24-17 "Structure of VMCS Component Encoding"):
 * 0 = 16-bit, 1 = 64-bit, 2 = 32-bit, 3 = natural width.
 */
#ifndef HVLAB_VMCS_FIELDS_H
#define HVLAB_VMCS_FIELDS_H

#define VMCS_FIELDS(X) \
	/* 16-bit control, guest-state and host-state fields (B.1) */ \
	X(VIRTUAL_PROCESSOR_ID,          0x0000) \
	X(POSTED_INTR_NV,                0x0002) \
	X(GUEST_ES_SELECTOR,             0x0800) \
	X(GUEST_CS_SELECTOR,             0x0802) \
	X(GUEST_SS_SELECTOR,             0x0804) \
	X(GUEST_DS_SELECTOR,             0x0806) \
	X(GUEST_FS_SELECTOR,             0x0808) \
	X(GUEST_GS_SELECTOR,             0x080a) \
	X(GUEST_LDTR_SELECTOR,           0x080c) \
	X(GUEST_TR_SELECTOR,             0x080e) \
	X(GUEST_INTR_STATUS,             0x0810) \
	X(GUEST_PML_INDEX,               0x0812) \
	X(HOST_ES_SELECTOR,              0x0c00) \
	X(HOST_CS_SELECTOR,              0x0c02) \
	X(HOST_SS_SELECTOR,              0x0c04) \
	X(HOST_DS_SELECTOR,              0x0c06) \
	X(HOST_FS_SELECTOR,              0x0c08) \
	X(HOST_GS_SELECTOR,              0x0c0a) \
	X(HOST_TR_SELECTOR,              0x0c0c) \
	/* 64-bit control fields (B.2.1) */ \
	X(IO_BITMAP_A,                   0x2000) \
	X(IO_BITMAP_B,                   0x2002) \
	X(MSR_BITMAP,                    0x2004) \
	X(VM_EXIT_MSR_STORE_ADDR,        0x2006) \
	X(VM_EXIT_MSR_LOAD_ADDR,         0x2008) \
	X(VM_ENTRY_MSR_LOAD_ADDR,        0x200a) \
	X(PML_ADDRESS,                   0x200e) \
	X(TSC_OFFSET,                    0x2010) \
	X(VIRTUAL_APIC_PAGE_ADDR,        0x2012) \
	X(APIC_ACCESS_ADDR,              0x2014) \
	X(POSTED_INTR_DESC_ADDR,         0x2016) \
	X(VM_FUNCTION_CONTROL,           0x2018) \
	X(EPT_POINTER,                   0x201a) \
	X(EOI_EXIT_BITMAP0,              0x201c) \
	X(EOI_EXIT_BITMAP1,              0x201e) \
	X(EOI_EXIT_BITMAP2,              0x2020) \
	X(EOI_EXIT_BITMAP3,              0x2022) \
	X(EPTP_LIST_ADDRESS,             0x2024) \
	X(VMREAD_BITMAP,                 0x2026) \
	X(VMWRITE_BITMAP,                0x2028) \
	X(XSS_EXIT_BITMAP,               0x202c) \
	X(TSC_MULTIPLIER,                0x2032) \
	/* 64-bit read-only data field (B.2.2) */ \
	X(GUEST_PHYSICAL_ADDRESS,        0x2400) \
	/* 64-bit guest-state fields (B.2.3) */ \
	X(VMCS_LINK_POINTER,             0x2800) \
	X(GUEST_IA32_DEBUGCTL,           0x2802) \
	X(GUEST_IA32_PAT,                0x2804) \
	X(GUEST_IA32_EFER,               0x2806) \
	X(GUEST_IA32_PERF_GLOBAL_CTRL,   0x2808) \
	X(GUEST_PDPTR0,                  0x280a) \
	X(GUEST_PDPTR1,                  0x280c) \
	X(GUEST_PDPTR2,                  0x280e) \
	X(GUEST_PDPTR3,                  0x2810) \
	X(GUEST_BNDCFGS,                 0x2812) \
	/* 64-bit host-state fields (B.2.4) */ \
	X(HOST_IA32_PAT,                 0x2c00) \
	X(HOST_IA32_EFER,                0x2c02) \
	X(HOST_IA32_PERF_GLOBAL_CTRL,    0x2c04) \
	/* 32-bit control fields (B.3.1) */ \
	X(PIN_BASED_VM_EXEC_CONTROL,     0x4000) \
	X(CPU_BASED_VM_EXEC_CONTROL,     0x4002) \
	X(EXCEPTION_BITMAP,              0x4004) \
	X(PAGE_FAULT_ERROR_CODE_MASK,    0x4006) \
	X(PAGE_FAULT_ERROR_CODE_MATCH,   0x4008) \
	X(CR3_TARGET_COUNT,              0x400a) \
	X(VM_EXIT_CONTROLS,              0x400c) \
	X(VM_EXIT_MSR_STORE_COUNT,       0x400e) \
	X(VM_EXIT_MSR_LOAD_COUNT,        0x4010) \
	X(VM_ENTRY_CONTROLS,             0x4012) \
	X(VM_ENTRY_MSR_LOAD_COUNT,       0x4014) \
	X(VM_ENTRY_INTR_INFO_FIELD,      0x4016) \
	X(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x4018) \
	X(VM_ENTRY_INSTRUCTION_LEN,      0x401a) \
	X(TPR_THRESHOLD,                 0x401c) \
	X(SECONDARY_VM_EXEC_CONTROL,     0x401e) \
	X(PLE_GAP,                       0x4020) \
	X(PLE_WINDOW,                    0x4022) \
	/* 32-bit read-only data fields (B.3.2) */ \
	X(VM_INSTRUCTION_ERROR,          0x4400) \
	X(VM_EXIT_REASON,                0x4402) \
	X(VM_EXIT_INTR_INFO,             0x4404) \
	X(VM_EXIT_INTR_ERROR_CODE,       0x4406) \
	X(IDT_VECTORING_INFO_FIELD,      0x4408) \
	X(IDT_VECTORING_ERROR_CODE,      0x440a) \
	X(VM_EXIT_INSTRUCTION_LEN,       0x440c) \
	X(VMX_INSTRUCTION_INFO,          0x440e) \
	/* 32-bit guest-state fields (B.3.3) */ \
	X(GUEST_ES_LIMIT,                0x4800) \
	X(GUEST_CS_LIMIT,                0x4802) \
	X(GUEST_SS_LIMIT,                0x4804) \
	X(GUEST_DS_LIMIT,                0x4806) \
	X(GUEST_FS_LIMIT,                0x4808) \
	X(GUEST_GS_LIMIT,                0x480a) \
	X(GUEST_LDTR_LIMIT,              0x480c) \
	X(GUEST_TR_LIMIT,                0x480e) \
	X(GUEST_GDTR_LIMIT,              0x4810) \
	X(GUEST_IDTR_LIMIT,              0x4812) \
	X(GUEST_ES_AR_BYTES,             0x4814) \
	X(GUEST_CS_AR_BYTES,             0x4816) \
	X(GUEST_SS_AR_BYTES,             0x4818) \
	X(GUEST_DS_AR_BYTES,             0x481a) \
	X(GUEST_FS_AR_BYTES,             0x481c) \
	X(GUEST_GS_AR_BYTES,             0x481e) \
	X(GUEST_LDTR_AR_BYTES,           0x4820) \
	X(GUEST_TR_AR_BYTES,             0x4822) \
	X(GUEST_INTERRUPTIBILITY_INFO,   0x4824) \
	X(GUEST_ACTIVITY_STATE,          0x4826) \
	X(GUEST_SMBASE,                  0x4828) \
	X(GUEST_SYSENTER_CS,             0x482a) \
	X(VMX_PREEMPTION_TIMER_VALUE,    0x482e) \
	/* 32-bit host-state field (B.3.4) */ \
	X(HOST_IA32_SYSENTER_CS,         0x4c00) \
	/* natural-width control fields (B.4.1) */ \
	X(CR0_GUEST_HOST_MASK,           0x6000) \
	X(CR4_GUEST_HOST_MASK,           0x6002) \
	X(CR0_READ_SHADOW,               0x6004) \
	X(CR4_READ_SHADOW,               0x6006) \
	X(CR3_TARGET_VALUE0,             0x6008) \
	X(CR3_TARGET_VALUE1,             0x600a) \
	X(CR3_TARGET_VALUE2,             0x600c) \
	X(CR3_TARGET_VALUE3,             0x600e) \
	/* natural-width read-only data fields (B.4.2) */ \
	X(EXIT_QUALIFICATION,            0x6400) \
	X(IO_RCX,                        0x6402) \
	X(IO_RSI,                        0x6404) \
	X(IO_RDI,                        0x6406) \
	X(IO_RIP,                        0x6408) \
	X(GUEST_LINEAR_ADDRESS,          0x640a) \
	/* natural-width guest-state fields (B.4.3) */ \
	X(GUEST_CR0,                     0x6800) \
	X(GUEST_CR3,                     0x6802) \
	X(GUEST_CR4,                     0x6804) \
	X(GUEST_ES_BASE,                 0x6806) \
	X(GUEST_CS_BASE,                 0x6808) \
	X(GUEST_SS_BASE,                 0x680a) \
	X(GUEST_DS_BASE,                 0x680c) \
	X(GUEST_FS_BASE,                 0x680e) \
	X(GUEST_GS_BASE,                 0x6810) \
	X(GUEST_LDTR_BASE,               0x6812) \
	X(GUEST_TR_BASE,                 0x6814) \
	X(GUEST_GDTR_BASE,               0x6816) \
	X(GUEST_IDTR_BASE,               0x6818) \
	X(GUEST_DR7,                     0x681a) \
	X(GUEST_RSP,                     0x681c) \
	X(GUEST_RIP,                     0x681e) \
	X(GUEST_RFLAGS,                  0x6820) \
	X(GUEST_PENDING_DBG_EXCEPTIONS,  0x6822) \
	X(GUEST_SYSENTER_ESP,            0x6824) \
	X(GUEST_SYSENTER_EIP,            0x6826) \
	/* natural-width host-state fields (B.4.4) */ \
	X(HOST_CR0,                      0x6c00) \
	X(HOST_CR3,                      0x6c02) \
	X(HOST_CR4,                      0x6c04) \
	X(HOST_FS_BASE,                  0x6c06) \
	X(HOST_GS_BASE,                  0x6c08) \
	X(HOST_TR_BASE,                  0x6c0a) \
	X(HOST_GDTR_BASE,                0x6c0c) \
	X(HOST_IDTR_BASE,                0x6c0e) \
	X(HOST_IA32_SYSENTER_ESP,        0x6c10) \
	X(HOST_IA32_SYSENTER_EIP,        0x6c12) \
	X(HOST_RSP,                      0x6c14) \
	X(HOST_RIP,                      0x6c16)

enum vmcs_field {
#define VMCS_ENUM(name, enc) VMCS_##name = enc,
	VMCS_FIELDS(VMCS_ENUM)
#undef VMCS_ENUM
};

/* The width bits of an encoding (SDM Vol. 3C, 24.11.2, Table 24-17). */
enum vmcs_width { VMCS_W16 = 0, VMCS_W64 = 1, VMCS_W32 = 2, VMCS_WNAT = 3 };
#define VMCS_FIELD_WIDTH(enc) ((enum vmcs_width)(((enc) >> 13) & 3))

/*
 * Exit reasons (SDM Vol. 3D, Appendix C "VMX Basic Exit Reasons"). Bit 31
 * of the exit-reason field marks a failed VM entry; the basic reason is the
 * low 16 bits.
 */
#define VMX_EXIT_REASONS(X) \
	X(EXCEPTION_NMI,        0) \
	X(EXTERNAL_INTERRUPT,   1) \
	X(TRIPLE_FAULT,         2) \
	X(INIT_SIGNAL,          3) \
	X(SIPI,                 4) \
	X(IO_SMI,               5) \
	X(OTHER_SMI,            6) \
	X(INTERRUPT_WINDOW,     7) \
	X(NMI_WINDOW,           8) \
	X(TASK_SWITCH,          9) \
	X(CPUID,               10) \
	X(GETSEC,              11) \
	X(HLT,                 12) \
	X(INVD,                13) \
	X(INVLPG,              14) \
	X(RDPMC,               15) \
	X(RDTSC,               16) \
	X(RSM,                 17) \
	X(VMCALL,              18) \
	X(VMCLEAR,             19) \
	X(VMLAUNCH,            20) \
	X(VMPTRLD,             21) \
	X(VMPTRST,             22) \
	X(VMREAD,              23) \
	X(VMRESUME,            24) \
	X(VMWRITE,             25) \
	X(VMXOFF,              26) \
	X(VMXON,               27) \
	X(CR_ACCESS,           28) \
	X(DR_ACCESS,           29) \
	X(IO_INSTRUCTION,      30) \
	X(MSR_READ,            31) \
	X(MSR_WRITE,           32) \
	X(INVALID_GUEST_STATE, 33) \
	X(MSR_LOAD_FAIL,       34) \
	X(MWAIT_INSTRUCTION,   36) \
	X(MONITOR_TRAP_FLAG,   37) \
	X(MONITOR_INSTRUCTION, 39) \
	X(PAUSE_INSTRUCTION,   40) \
	X(MCE_DURING_VMENTRY,  41) \
	X(TPR_BELOW_THRESHOLD, 43) \
	X(APIC_ACCESS,         44) \
	X(EOI_INDUCED,         45) \
	X(GDTR_IDTR,           46) \
	X(LDTR_TR,             47) \
	X(EPT_VIOLATION,       48) \
	X(EPT_MISCONFIG,       49) \
	X(INVEPT,              50) \
	X(RDTSCP,              51) \
	X(PREEMPTION_TIMER,    52) \
	X(INVVPID,             53) \
	X(WBINVD,              54) \
	X(XSETBV,              55) \
	X(APIC_WRITE,          56) \
	X(RDRAND,              57) \
	X(INVPCID,             58) \
	X(VMFUNC,              59) \
	X(ENCLS,               60) \
	X(RDSEED,              61) \
	X(PML_FULL,            62) \
	X(XSAVES,              63) \
	X(XRSTORS,             64)

enum vmx_exit_reason {
#define VMX_EXIT_ENUM(name, n) EXIT_REASON_##name = n,
	VMX_EXIT_REASONS(VMX_EXIT_ENUM)
#undef VMX_EXIT_ENUM
	EXIT_REASON_MAX = 65,
};
#define VMX_EXIT_REASON_FAILED_ENTRY (1u << 31)

/* VM-instruction error numbers (SDM Vol. 3C, 30.4 "VM Instruction Error Numbers"). */
#define VMX_INSN_ERRORS(X) \
	X(1,  "VMCALL executed in VMX root operation") \
	X(2,  "VMCLEAR with invalid physical address") \
	X(3,  "VMCLEAR with VMXON pointer") \
	X(4,  "VMLAUNCH with non-clear VMCS") \
	X(5,  "VMRESUME with non-launched VMCS") \
	X(6,  "VMRESUME after VMXOFF") \
	X(7,  "VM entry with invalid control field(s)") \
	X(8,  "VM entry with invalid host-state field(s)") \
	X(9,  "VMPTRLD with invalid physical address") \
	X(10, "VMPTRLD with VMXON pointer") \
	X(11, "VMPTRLD with incorrect VMCS revision identifier") \
	X(12, "VMREAD/VMWRITE from/to unsupported VMCS component") \
	X(13, "VMWRITE to read-only VMCS component") \
	X(15, "VMXON executed in VMX root operation") \
	X(16, "VM entry with invalid executive-VMCS pointer") \
	X(17, "VM entry with non-launched executive VMCS") \
	X(18, "VM entry with executive-VMCS pointer not VMXON pointer") \
	X(19, "VMCALL with non-clear VMCS") \
	X(20, "VMCALL with invalid VM-exit control fields") \
	X(22, "VMCALL with incorrect MSEG revision identifier") \
	X(23, "VMXOFF under dual-monitor treatment of SMIs and SMM") \
	X(24, "VMCALL with invalid SMM-monitor features") \
	X(25, "VM entry with invalid VM-execution control fields in executive VMCS") \
	X(26, "VM entry with events blocked by MOV SS") \
	X(28, "invalid operand to INVEPT/INVVPID")

/** The SDM name of a field ("GUEST_RIP"), or NULL for an unknown encoding. */
const char *vmcs_field_name(unsigned long encoding);
/** The SDM name of a basic exit reason ("CPUID"), or "unknown". */
const char *vmx_exit_reason_name(unsigned reason);
/** The exit kind (hypercall.h, HC_EXIT_*) of basic exit reason @reason. */
enum hc_exit_kind vmx_exit_kind(unsigned reason);
/** The SDM text of a VM-instruction error number, or "unknown error". */
const char *vmx_insn_error_name(unsigned error);

#endif
