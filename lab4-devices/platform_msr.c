/*
 * platform_msr.c - the MSRs and CPUID leaves a PC operating system reads
 * at boot, answered for a lab-4 VM (through the msr_* and cpuid hooks of
 * struct vcpu_ext_ops). What the platform does not own goes on to lab 3
 * (EFER) and lab 2's policy (#GP for anything unknown).
 *
 *   the local APIC's MSRs (IA32_APIC_BASE, x2APIC, TSC deadline): vlapic.c
 *   IA32_PAT, the MTRRs (none: MTRRCAP reads 0), IA32_MISC_ENABLE,
 *   microcode and platform IDs, TSC_AUX: kept per VM, checked as the SDM
 *   says (Vol. 4, "Model-Specific Registers"; Vol. 3A 11.11 and 11.12)
 *
 * CPUID hides what the platform does not emulate, so that a guest never
 * reaches for it: MONITOR/MWAIT (it halts with HLT instead), XSAVE and the
 * AVX family (XSETBV would exit, and the host switches no extended state),
 * the performance-monitoring and thermal leaves, and the speculation-control
 * MSRs. The TSC and crystal-clock leaves (0x15, 0x16) tell the guest the
 * TSC's real rate, and that the local APIC timer counts at that same rate:
 * calibrating against the PIT through VM exits is slow and, under an
 * emulator, too noisy for Linux to accept.
 */
#include "printf.h"
#include "vm_platform_internal.h"
#include "vm_vendor.h"

#define MSR_PLATFORM_ID      0x17
#define MSR_BIOS_SIGN_ID     0x8b
#define MSR_MTRRCAP          0xfe
#define MSR_MISC_ENABLE      0x1a0
#define MSR_MTRR_PHYS_FIRST  0x200
#define MSR_MTRR_PHYS_LAST   0x20f
#define MSR_PAT              0x277
#define MSR_MTRR_DEF_TYPE    0x2ff
#define MSR_TSC_AUX          0xc0000103
#define PAT_POWER_ON         0x0007040600070406ull   /* Vol. 3A, Table 11-12 */
#define MISC_ENABLE_FAST_STRINGS 1ull
#define MTRR_DEF_TYPE_VALID  0xcffull                /* type, FE, E */

/* Each PAT entry must be a defined memory type: 0, 1, 4, 5, 6 or 7 (Vol. 3A, 11.12.2). */
static bool pat_valid(uint64_t pat)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned t = (pat >> (8 * i)) & 0xff;
		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

int platform_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	struct vm_platform *p = v->vm->platform;
	int rc = vlapic_msr_read(&p->lapic, msr, val, platform_now_ns(v->vm), platform_tsc());
	if (rc != 1)
		return rc;   /* the APIC's: 0, or -1 for #GP */
	switch (msr) {
	case MSR_PAT: *val = p->pat; return 0;
	case MSR_MTRRCAP: *val = 0; return 0;   /* no variable or fixed ranges, no WC */
	case MSR_MTRR_DEF_TYPE: *val = p->mtrr_def_type; return 0;
	case MSR_MISC_ENABLE: *val = p->misc_enable; return 0;
	case MSR_PLATFORM_ID: case MSR_BIOS_SIGN_ID: *val = 0; return 0;
	case MSR_TSC_AUX: *val = p->tsc_aux; return 0;
	}
	if (msr >= MSR_MTRR_PHYS_FIRST && msr <= MSR_MTRR_PHYS_LAST) {
		*val = p->mtrr_var[msr - MSR_MTRR_PHYS_FIRST];
		return 0;
	}
	return vm_ext_ops.msr_read(v, msr, val);
}

int platform_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct vm_platform *p = v->vm->platform;
	int rc = vlapic_msr_write(&p->lapic, msr, val, platform_now_ns(v->vm), platform_tsc());
	if (rc != 1) {
		p->timers_dirty = true;   /* the TSC deadline, or the APIC's timer registers */
		return rc;
	}
	switch (msr) {
	case MSR_PAT:
		if (!pat_valid(val))
			return -1;
		p->pat = val;   /* kept: EPT maps RAM write-back, which the PAT cannot weaken here */
		return 0;
	case MSR_MTRR_DEF_TYPE:
		if (val & ~MTRR_DEF_TYPE_VALID)
			return -1;
		p->mtrr_def_type = val;
		return 0;
	case MSR_MISC_ENABLE:
		p->misc_enable = val;
		return 0;
	case MSR_BIOS_SIGN_ID:
		return 0;   /* written before CPUID to read the microcode revision: none */
	case MSR_TSC_AUX:
		if (val >> 32)
			return -1;
		p->tsc_aux = val;
		return 0;
	}
	if (msr >= MSR_MTRR_PHYS_FIRST && msr <= MSR_MTRR_PHYS_LAST) {
		p->mtrr_var[msr - MSR_MTRR_PHYS_FIRST] = val;
		return 0;
	}
	return vm_ext_ops.msr_write(v, msr, val);
}

/* CPUID.01H:ECX and .EDX bits (Vol. 2A, CPUID, Tables 3-10 and 3-11). */
#define ECX1_MONITOR   (1u << 3)
#define ECX1_FMA       (1u << 12)
#define ECX1_XSAVE     (1u << 26)
#define ECX1_OSXSAVE   (1u << 27)
#define ECX1_AVX       (1u << 28)
#define ECX1_F16C      (1u << 29)
/* CPUID.07H.0: EBX TSC_ADJUST (1: its MSR is not emulated), AVX2 (5), AVX-512 (16, 17, 21,
 * 26-28, 30, 31); EDX speculation controls. */
#define EBX7_AVX       ((1u << 1) | (1u << 5) | (1u << 16) | (1u << 17) | (1u << 21) | (7u << 26) | \
			(3u << 30))
#define EDX7_SPEC      ((1u << 10) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 29) | (1u << 31))
#define LEAF_MWAIT     0x5
#define LEAF_THERMAL   0x6
#define LEAF_PERFMON   0xa
#define LEAF_XSAVE     0xd
#define LEAF_TSC       0x15
#define LEAF_FREQ      0x16

void platform_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
	(void)v;
	switch (leaf) {
	case 1:
		r[2] &= ~(ECX1_MONITOR | ECX1_FMA | ECX1_XSAVE | ECX1_OSXSAVE | ECX1_AVX | ECX1_F16C);
		break;
	case 7:
		if (subleaf == 0) {
			r[1] &= ~EBX7_AVX;
			r[3] &= ~EDX7_SPEC;
		}
		break;
	case LEAF_MWAIT: case LEAF_THERMAL: case LEAF_PERFMON: case LEAF_XSAVE:
		r[0] = r[1] = r[2] = r[3] = 0;
		break;
	case LEAF_TSC:
		/* TSC = crystal * EBX / EAX (Vol. 2A, CPUID leaf 15H): the crystal is the TSC itself. */
		r[0] = 1;
		r[1] = 1;
		r[2] = (uint32_t)platform_tsc_hz();
		r[3] = 0;
		break;
	case LEAF_FREQ:
		/* Base, maximum and bus frequencies in MHz (leaf 16H). */
		r[0] = r[1] = (uint32_t)(platform_tsc_hz() / 1000000);
		r[2] = r[0];
		r[3] = 0;
		break;
	}
}

/* Power-on values (Vol. 3A, Table 9-1; 11.12.4 for the PAT). */
void platform_msr_init(struct vm_platform *p)
{
	p->pat = PAT_POWER_ON;
	p->misc_enable = MISC_ENABLE_FAST_STRINGS;
	/* SYSCALL's MSRs are the guest's own: no exits (lab 2 switches them between vCPUs). */
	static const uint32_t syscall_msrs[] = { 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084 };
	for (unsigned i = 0; i < sizeof(syscall_msrs) / sizeof(syscall_msrs[0]); i++)
		vm_vendor_msr_passthrough(p->vm->vcpu, syscall_msrs[i]);
}
