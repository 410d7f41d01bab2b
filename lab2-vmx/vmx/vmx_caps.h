/*
 * vmx_caps.h - what this CPU's VMX allows, read from the capability MSRs,
 * and the control values computed from them.
 *
 * Each control MSR reports two 32-bit masks (Intel SDM Vol. 3D, A.3-A.5):
 *   bits 31:0  "allowed 0-settings": a 1 here means the control must be 1
 *   bits 63:32 "allowed 1-settings": a 0 here means the control must be 0
 * When IA32_VMX_BASIC bit 55 is set, the TRUE_ MSRs report the same for the
 * controls that the older MSRs call "default1" (A.2): hvlab reads those.
 * A control value is then: required-1 bits | wanted bits, provided every
 * wanted bit is allowed to be 1 (vmx_ctl_compute). Nothing is hard-coded.
 */
#ifndef HVLAB_VMX_CAPS_H
#define HVLAB_VMX_CAPS_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx/vmx_ctls.h"   /* the control bits by name (VMX_PIN_..., VMX_PROC_...) */

/* Capability MSRs (Vol. 3D, Appendix A; Vol. 4, Table 2-2). */
#define MSR_IA32_VMX_CR0_FIXED0          0x486
#define MSR_IA32_VMX_CR0_FIXED1          0x487
#define MSR_IA32_VMX_CR4_FIXED0          0x488
#define MSR_IA32_VMX_CR4_FIXED1          0x489
#define MSR_IA32_VMX_VMCS_ENUM           0x48a
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS  0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS      0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS     0x490

/* IA32_VMX_BASIC (A.1). */
#define VMX_BASIC_REVISION_MASK  0x7fffffffull
#define VMX_BASIC_SIZE_SHIFT     32          /* bits 44:32: VMCS region size */
#define VMX_BASIC_SIZE_MASK      0x1fffull
#define VMX_BASIC_32BIT_ADDR     (1ull << 48)
#define VMX_BASIC_DUAL_MONITOR   (1ull << 49)
#define VMX_BASIC_MEMTYPE_SHIFT  50          /* bits 53:50 */
#define VMX_BASIC_MEMTYPE_MASK   0xfull
#define VMX_BASIC_INS_OUTS_INFO  (1ull << 54)
#define VMX_BASIC_TRUE_CTLS      (1ull << 55)

/* IA32_VMX_MISC (A.6). */
#define VMX_MISC_PREEMPT_RATE_MASK 0x1full   /* timer ticks every 2^rate TSC ticks */
#define VMX_MISC_STORE_LMA       (1ull << 5)
#define VMX_MISC_ACT_HLT         (1ull << 6)
#define VMX_MISC_ACT_SHUTDOWN    (1ull << 7)
#define VMX_MISC_ACT_SIPI        (1ull << 8)
#define VMX_MISC_CR3_TARGETS_SHIFT 16        /* bits 24:16 */
#define VMX_MISC_CR3_TARGETS_MASK 0x1ffull
#define VMX_MISC_MSR_LIST_SHIFT  25          /* bits 27:25: 512 * (N + 1) entries */
#define VMX_MISC_MSR_LIST_MASK   0x7ull
#define VMX_MISC_VMWRITE_ANY     (1ull << 29)

/* IA32_VMX_EPT_VPID_CAP (A.10). */
#define VMX_EPT_VPID_CAPS(X) \
	X(EPT_EXEC_ONLY,          0) \
	X(EPT_WALK_4,             6) \
	X(EPT_MEMTYPE_UC,         8) \
	X(EPT_MEMTYPE_WB,        14) \
	X(EPT_2M_PAGES,          16) \
	X(EPT_1G_PAGES,          17) \
	X(INVEPT,                20) \
	X(EPT_AD_BITS,           21) \
	X(EPT_ADV_EXIT_INFO,     22) \
	X(INVEPT_SINGLE_CONTEXT, 25) \
	X(INVEPT_ALL_CONTEXT,    26) \
	X(INVVPID,               32) \
	X(INVVPID_ADDRESS,       40) \
	X(INVVPID_SINGLE_CONTEXT,41) \
	X(INVVPID_ALL_CONTEXT,   42) \
	X(INVVPID_SINGLE_CONTEXT_RETAIN_GLOBALS, 43)
#define VMX_CAP_ENUM(name, bit) VMX_CAP_##name = 1ull << (bit),
enum vmx_ept_vpid_cap { VMX_EPT_VPID_CAPS(VMX_CAP_ENUM) };
#undef VMX_CAP_ENUM

/* IA32_FEATURE_CONTROL (Vol. 3C, 23.7 "Enabling and Entering VMX Operation"). */
#define FEATURE_CONTROL_LOCKED            (1ull << 0)
#define FEATURE_CONTROL_VMX_INSIDE_SMX    (1ull << 1)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX   (1ull << 2)


/* One control field's capability: the two halves of its MSR. */
struct vmx_ctl_cap {
	uint32_t must1;    /* allowed-0 settings: 1 = must be 1 ("required-1") */
	uint32_t may1;     /* allowed-1 settings: 0 = must be 0 */
};

/* Which control field (for names and messages). */
enum vmx_ctl_field {
	VMX_CTL_PIN, VMX_CTL_PROC, VMX_CTL_PROC2, VMX_CTL_EXIT, VMX_CTL_ENTRY, VMX_CTL_NFIELDS
};

struct vmx_caps {
	bool vmx;                  /* CPUID.1:ECX.VMX[bit 5] */
	uint64_t feature_control;  /* IA32_FEATURE_CONTROL as found at boot */
	uint64_t basic;            /* IA32_VMX_BASIC */
	uint32_t revision;         /* VMCS revision identifier (bits 30:0) */
	uint32_t vmcs_size;        /* bytes of VMXON/VMCS region the CPU uses */
	bool true_ctls;            /* bit 55: TRUE_ MSRs used for pin/proc/exit/entry */
	struct vmx_ctl_cap ctl[VMX_CTL_NFIELDS];   /* proc2 zero when not offered */
	uint64_t misc;             /* IA32_VMX_MISC */
	uint64_t ept_vpid;         /* IA32_VMX_EPT_VPID_CAP (0 when neither EPT nor VPID) */
	unsigned preempt_rate;     /* preemption timer ticks every 2^rate TSC ticks */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

/** Read once on the BSP by vmx_caps_get(); the same on every CPU. */
extern struct vmx_caps vmx_caps;

/**
 * Fill vmx_caps from CPUID and the MSRs (the first call only). 0, or -1
 * when this CPU has no VMX, after which vmx_unavailable_reason() says why.
 * Never faults: no VMX MSR is read unless CPUID says VMX exists.
 */
int vmx_caps_get(void);
/** Why VMX cannot be used here ("CPUID.1:ECX.VMX is 0 ..."), or NULL. */
const char *vmx_unavailable_reason(void);
/** The full readable report `vmx=caps` prints. */
void vmx_caps_print(const struct vmx_caps *c);

/**
 * The value for control field @f: its required-1 bits plus @want plus
 * whichever of @optional the CPU allows. A bit of @want that the CPU does
 * not allow is an error naming it ("vmx: VM-exit control
 * LOAD_IA32_EFER (bit 21) is not allowed to be 1 on this CPU"): -1.
 */
int vmx_ctl_compute(enum vmx_ctl_field f, uint32_t want, uint32_t optional, uint32_t *out);
/** True when @value respects @f's capability (every must1 bit set, no bit outside may1). */
bool vmx_ctl_valid(enum vmx_ctl_field f, uint32_t value);
/** True when the CPU allows control bit(s) @bits of @f to be 1. */
bool vmx_ctl_allowed(enum vmx_ctl_field f, uint32_t bits);
/** "pin-based", "primary processor-based", ...: the field's SDM name. */
const char *vmx_ctl_field_name(enum vmx_ctl_field f);
/** The SDM name of control bit @bit of @f ("HLT_EXITING"), or NULL. */
const char *vmx_ctl_bit_name(enum vmx_ctl_field f, unsigned bit);

#endif
