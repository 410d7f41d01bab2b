/*
 * vmx_ctls.h - the bits of the VMX controls and of the VMCS fields whose
 * layout the SDM fixes, by their SDM names.
 *
 * Intel SDM Vol. 3C, 24.6 "VM-Execution Control Fields" (Tables 24-5, 24-6,
 * 24-7), 24.7.1 "VM-Exit Controls" (Table 24-11), 24.8.1 "VM-Entry Controls"
 * (Table 24-13), 24.4.1 "Guest Register State" (access rights, Table 24-2),
 * 24.4.2 "Guest Non-Register State" (activity and interruptibility state),
 * 24.8.3 "VM-Entry Controls for Event Injection" (Table 24-16).
 * Each control's bit is also listed, with its name, in the X-macro tables
 * below, so that dumps print "HLT exiting" instead of a hex digit.
 */
#ifndef HVLAB_VMX_CTLS_H
#define HVLAB_VMX_CTLS_H

/* X(macro name, bit, SDM name) */
#define VMX_PIN_CTLS(X) \
	X(PIN_EXT_INTR_EXITING,        0, "external-interrupt exiting") \
	X(PIN_NMI_EXITING,             3, "NMI exiting") \
	X(PIN_VIRTUAL_NMIS,            5, "virtual NMIs") \
	X(PIN_PREEMPTION_TIMER,        6, "activate VMX-preemption timer") \
	X(PIN_POSTED_INTR,             7, "process posted interrupts")

#define VMX_PROC_CTLS(X) \
	X(PROC_INTR_WINDOW_EXITING,    2, "interrupt-window exiting") \
	X(PROC_TSC_OFFSETTING,         3, "use TSC offsetting") \
	X(PROC_HLT_EXITING,            7, "HLT exiting") \
	X(PROC_INVLPG_EXITING,         9, "INVLPG exiting") \
	X(PROC_MWAIT_EXITING,         10, "MWAIT exiting") \
	X(PROC_RDPMC_EXITING,         11, "RDPMC exiting") \
	X(PROC_RDTSC_EXITING,         12, "RDTSC exiting") \
	X(PROC_CR3_LOAD_EXITING,      15, "CR3-load exiting") \
	X(PROC_CR3_STORE_EXITING,     16, "CR3-store exiting") \
	X(PROC_CR8_LOAD_EXITING,      19, "CR8-load exiting") \
	X(PROC_CR8_STORE_EXITING,     20, "CR8-store exiting") \
	X(PROC_TPR_SHADOW,            21, "use TPR shadow") \
	X(PROC_NMI_WINDOW_EXITING,    22, "NMI-window exiting") \
	X(PROC_MOV_DR_EXITING,        23, "MOV-DR exiting") \
	X(PROC_UNCOND_IO_EXITING,     24, "unconditional I/O exiting") \
	X(PROC_USE_IO_BITMAPS,        25, "use I/O bitmaps") \
	X(PROC_MONITOR_TRAP_FLAG,     27, "monitor trap flag") \
	X(PROC_USE_MSR_BITMAPS,       28, "use MSR bitmaps") \
	X(PROC_MONITOR_EXITING,       29, "MONITOR exiting") \
	X(PROC_PAUSE_EXITING,         30, "PAUSE exiting") \
	X(PROC_SECONDARY_CTLS,        31, "activate secondary controls")

#define VMX_PROC2_CTLS(X) \
	X(PROC2_VIRT_APIC_ACCESSES,    0, "virtualize APIC accesses") \
	X(PROC2_ENABLE_EPT,            1, "enable EPT") \
	X(PROC2_DESC_TABLE_EXITING,    2, "descriptor-table exiting") \
	X(PROC2_ENABLE_RDTSCP,         3, "enable RDTSCP") \
	X(PROC2_VIRT_X2APIC_MODE,      4, "virtualize x2APIC mode") \
	X(PROC2_ENABLE_VPID,           5, "enable VPID") \
	X(PROC2_WBINVD_EXITING,        6, "WBINVD exiting") \
	X(PROC2_UNRESTRICTED_GUEST,    7, "unrestricted guest") \
	X(PROC2_APIC_REGISTER_VIRT,    8, "APIC-register virtualization") \
	X(PROC2_VIRT_INTR_DELIVERY,    9, "virtual-interrupt delivery") \
	X(PROC2_PAUSE_LOOP_EXITING,   10, "PAUSE-loop exiting") \
	X(PROC2_RDRAND_EXITING,       11, "RDRAND exiting") \
	X(PROC2_ENABLE_INVPCID,       12, "enable INVPCID") \
	X(PROC2_ENABLE_VMFUNC,        13, "enable VM functions") \
	X(PROC2_VMCS_SHADOWING,       14, "VMCS shadowing") \
	X(PROC2_ENCLS_EXITING,        15, "enable ENCLS exiting") \
	X(PROC2_RDSEED_EXITING,       16, "RDSEED exiting") \
	X(PROC2_ENABLE_PML,           17, "enable PML") \
	X(PROC2_EPT_VIOLATION_VE,     18, "EPT-violation #VE") \
	X(PROC2_CONCEAL_VMX_FROM_PT,  19, "conceal VMX from PT") \
	X(PROC2_ENABLE_XSAVES,        20, "enable XSAVES/XRSTORS") \
	X(PROC2_MODE_BASED_EPT_EXEC,  22, "mode-based execute control for EPT") \
	X(PROC2_TSC_SCALING,          25, "use TSC scaling")

#define VMX_EXIT_CTLS(X) \
	X(EXIT_SAVE_DEBUG_CTLS,        2, "save debug controls") \
	X(EXIT_HOST_ADDR_SPACE_SIZE,   9, "host address-space size") \
	X(EXIT_LOAD_PERF_GLOBAL_CTRL, 12, "load IA32_PERF_GLOBAL_CTRL") \
	X(EXIT_ACK_INTR_ON_EXIT,      15, "acknowledge interrupt on exit") \
	X(EXIT_SAVE_PAT,              18, "save IA32_PAT") \
	X(EXIT_LOAD_PAT,              19, "load IA32_PAT") \
	X(EXIT_SAVE_EFER,             20, "save IA32_EFER") \
	X(EXIT_LOAD_EFER,             21, "load IA32_EFER") \
	X(EXIT_SAVE_PREEMPT_TIMER,    22, "save VMX-preemption timer value") \
	X(EXIT_CLEAR_BNDCFGS,         23, "clear IA32_BNDCFGS")

#define VMX_ENTRY_CTLS(X) \
	X(ENTRY_LOAD_DEBUG_CTLS,       2, "load debug controls") \
	X(ENTRY_IA32E_MODE_GUEST,      9, "IA-32e mode guest") \
	X(ENTRY_TO_SMM,               10, "entry to SMM") \
	X(ENTRY_DEACT_DUAL_MONITOR,   11, "deactivate dual-monitor treatment") \
	X(ENTRY_LOAD_PERF_GLOBAL_CTRL,13, "load IA32_PERF_GLOBAL_CTRL") \
	X(ENTRY_LOAD_PAT,             14, "load IA32_PAT") \
	X(ENTRY_LOAD_EFER,            15, "load IA32_EFER") \
	X(ENTRY_LOAD_BNDCFGS,         16, "load IA32_BNDCFGS")

#define VMX_CTL_BIT(name, bit, text) enum { VMX_##name = 1u << bit };
VMX_PIN_CTLS(VMX_CTL_BIT)
VMX_PROC_CTLS(VMX_CTL_BIT)
VMX_PROC2_CTLS(VMX_CTL_BIT)
VMX_EXIT_CTLS(VMX_CTL_BIT)
VMX_ENTRY_CTLS(VMX_CTL_BIT)
#undef VMX_CTL_BIT

/* Name lookups by field and bit: vmx_ctl_bit_name() in vmx_caps.h. */

/* Segment access rights as the VMCS holds them (24.4.1, Table 24-2). */
#define VMX_AR_TYPE(ar)     ((ar) & 0xfu)        /* bits 3:0 */
#define VMX_AR_S            (1u << 4)            /* code/data (1) or system (0) */
#define VMX_AR_DPL(ar)      (((ar) >> 5) & 3u)   /* bits 6:5 */
#define VMX_AR_P            (1u << 7)
#define VMX_AR_AVL          (1u << 12)
#define VMX_AR_L            (1u << 13)           /* 64-bit code segment */
#define VMX_AR_DB           (1u << 14)
#define VMX_AR_G            (1u << 15)           /* limit in 4-KByte units */
#define VMX_AR_UNUSABLE     (1u << 16)
#define VMX_AR_RESERVED     0xfffe0f00u          /* bits 31:17 and 11:8 */

/* Guest activity state (24.4.2, Table 24-3). */
#define VMX_ACTIVITY_ACTIVE    0
#define VMX_ACTIVITY_HLT       1
#define VMX_ACTIVITY_SHUTDOWN  2
#define VMX_ACTIVITY_WAIT_SIPI 3

/* Guest interruptibility state (24.4.2, Table 24-3). */
#define VMX_INTR_BLOCK_STI     (1u << 0)
#define VMX_INTR_BLOCK_MOV_SS  (1u << 1)
#define VMX_INTR_BLOCK_SMI     (1u << 2)
#define VMX_INTR_BLOCK_NMI     (1u << 3)
#define VMX_INTR_ENCLAVE       (1u << 4)
#define VMX_INTR_RESERVED      0xffffffe0u       /* bits 31:5 */

/* VM-entry interruption information and VM-exit interruption information
 * (24.8.3 Table 24-16, 24.9.2 Table 24-19): same layout. */
#define VMX_INTR_INFO_VECTOR(i)   ((i) & 0xffu)
#define VMX_INTR_INFO_TYPE(i)     (((i) >> 8) & 7u)
#define VMX_INTR_INFO_ERRCODE     (1u << 11)
#define VMX_INTR_INFO_NMI_UNBLOCK (1u << 12)     /* exit information only */
#define VMX_INTR_INFO_VALID       (1u << 31)
#define VMX_INTR_INFO_RESERVED    0x7ffff000u    /* bits 30:12 on entry */
#define VMX_INTR_TYPE_EXT_INTR    0
#define VMX_INTR_TYPE_RESERVED    1
#define VMX_INTR_TYPE_NMI         2
#define VMX_INTR_TYPE_HW_EXC      3
#define VMX_INTR_TYPE_SW_INTR     4
#define VMX_INTR_TYPE_PRIV_SW_EXC 5
#define VMX_INTR_TYPE_SW_EXC      6
#define VMX_INTR_TYPE_OTHER       7

/* Exit qualification of a VM-entry failure (26.7 "VM-Entry Failures
 * During or After Loading Guest State"). */
#define VMX_ENTRY_FAIL_QUAL_DEFAULT  0
#define VMX_ENTRY_FAIL_QUAL_PDPTE    2
#define VMX_ENTRY_FAIL_QUAL_NMI_INJ  3
#define VMX_ENTRY_FAIL_QUAL_LINK_PTR 4

#endif
