/*
 * msr.c - RDMSR/WRMSR exits through the MSR bitmaps (Intel SDM Vol. 3C,
 * 25.6.9): the policy is documented in hypercall.h. Emulated MSRs read
 * back what was written, forbidden writes and unknown MSRs raise #GP(0),
 * and the MSRs the guest owns do not exit at all.
 */
#include "grt.h"
#include "gtest.h"
#include "hcall.h"
#include "probe.h"
#include "x86.h"

/* Architectural MSRs (SDM Vol. 4, Table 2-2). */
#define MSR_IA32_TSC            0x10
#define MSR_FS_BASE             0xc0000100
#define MSR_KERNEL_GS_BASE      0xc0000102
#define EFER_LME                (1ull << 8)
#define EFER_LMA                (1ull << 10)
/* IA32_FEATURE_CONTROL bits (SDM Vol. 3C, 23.7). */
#define FC_LOCKED               (1ull << 0)
#define FC_VMX_OUTSIDE_SMX      (1ull << 2)

#define MSR_UNKNOWN_HV          (HC_MSR_SCRATCH + 1)   /* hypervisor range, not emulated */
#define MSR_UNKNOWN_AMD         0xc0010000             /* an AMD-only MSR */

GTEST(msr_scratch_read_after_write)
{
	uint64_t v = 0;

	GASSERT_EQ(probe_wrmsr(HC_MSR_SCRATCH, 0x0123456789abcdef), PROBE_NO_FAULT);
	GASSERT_EQ(probe_rdmsr(HC_MSR_SCRATCH, &v), PROBE_NO_FAULT);
	GASSERT_EQ(v, 0x0123456789abcdef);
	/* Both halves (EDX:EAX) travel: a value with the high half only. */
	wrmsr(HC_MSR_SCRATCH, 0xfedcba9800000000);
	GASSERT_EQ(rdmsr(HC_MSR_SCRATCH), 0xfedcba9800000000);
}

/* MSRs the hypervisor does not know raise #GP(0), on read and on write. */
GTEST(msr_unknown_gp)
{
	uint64_t v;
	const uint32_t msrs[] = { MSR_UNKNOWN_HV, MSR_UNKNOWN_AMD };

	for (unsigned i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		GASSERTF(probe_rdmsr(msrs[i], &v) == VEC_GP, "RDMSR %#x did not raise #GP", msrs[i]);
		GASSERT_EQ(grt_last_trap.error_code, 0);
		GASSERTF(probe_wrmsr(msrs[i], 1) == VEC_GP, "WRMSR %#x did not raise #GP", msrs[i]);
		GASSERT_EQ(grt_last_trap.error_code, 0);
	}
}

/* IA32_FEATURE_CONTROL reads "locked, VMX off"; writing it raises #GP. */
GTEST(msr_feature_control)
{
	uint64_t v = 0;

	GASSERT_EQ(probe_rdmsr(MSR_IA32_FEATURE_CONTROL, &v), PROBE_NO_FAULT);
	GASSERTF((v & FC_LOCKED) && !(v & FC_VMX_OUTSIDE_SMX),
		 "IA32_FEATURE_CONTROL reads %#lx: not 'locked, VMX off'", (unsigned long)v);
	GASSERT_EQ(probe_wrmsr(MSR_IA32_FEATURE_CONTROL, v | FC_VMX_OUTSIDE_SMX), VEC_GP);
	GASSERT_EQ(rdmsr(MSR_IA32_FEATURE_CONTROL), v);
}

/* IA32_TSC reads pass through (between two RDTSCs); writes are forbidden. */
GTEST(msr_tsc)
{
	uint64_t a = rdtsc();
	uint64_t m = rdmsr(MSR_IA32_TSC);
	uint64_t b = rdtsc();

	GASSERTF(a < m && m < b, "RDTSC %#lx, RDMSR(IA32_TSC) %#lx, RDTSC %#lx",
		 (unsigned long)a, (unsigned long)m, (unsigned long)b);
	GASSERT_EQ(probe_wrmsr(MSR_IA32_TSC, 0), VEC_GP);
	GASSERTF(rdtsc() > b, "the TSC went back: the forbidden write happened");
}

/* EFER and the segment-base MSRs are the guest's own: no exit at all. */
GTEST(msr_passthrough_no_exit)
{
	long r0 = hc_read_counter(HC_COUNTER_EXITS_REASON, HC_EXIT_RDMSR);
	long w0 = hc_read_counter(HC_COUNTER_EXITS_REASON, HC_EXIT_WRMSR);

	uint64_t efer = rdmsr(MSR_EFER);
	uint64_t old = rdmsr(MSR_KERNEL_GS_BASE);
	wrmsr(MSR_KERNEL_GS_BASE, 0x0000123456789000);
	uint64_t back = rdmsr(MSR_KERNEL_GS_BASE);
	wrmsr(MSR_KERNEL_GS_BASE, old);
	uint64_t fs = rdmsr(MSR_FS_BASE);

	long r1 = hc_read_counter(HC_COUNTER_EXITS_REASON, HC_EXIT_RDMSR);
	long w1 = hc_read_counter(HC_COUNTER_EXITS_REASON, HC_EXIT_WRMSR);
	GASSERTF((efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA),
		 "EFER %#lx: a 64-bit guest has LME and LMA", (unsigned long)efer);
	GASSERT_EQ(back, 0x0000123456789000);
	GASSERT_EQ(fs, 0);   /* loading FS with a flat selector cleared its base */
	/* SVM: the EFER read exits (the guest's EFER.SVME is 1 for VMRUN and
	 * must read as 0); the rest run without exits on both vendors. */
	GASSERT_EQ(r1 - r0, hc_use_vmmcall ? 1 : 0);
	GASSERT_EQ(w1 - w0, 0);
}
