/*
 * exceptions.c - the exception bitmap (Intel SDM Vol. 3C, 24.6.3, 25.2).
 * hvlab intercepts only #DF (lab2-vmx/vmx/vmx_vcpu.c: a double fault means the
 * guest's IDT or stack is broken, and the hypervisor stops that guest; the
 * lab2-triple guest shows it). Every other exception is the guest's own:
 * it goes straight to the guest's IDT, with its error code and CR2, and
 * causes no VM exit at all.
 */
#include "grt.h"
#include "gtest.h"
#include "hcall.h"
#include "probe.h"

#define NONCANONICAL_ADDR 0x8000000000000000ul
#define UNMAPPED_ADDR     0x1000ul          /* below GUEST_BASE: never mapped */
#define PF_ERR_PRESENT    (1u << 0)         /* SDM Vol. 3A, 4.7, Figure 4-12 */
#define PF_ERR_WRITE      (1u << 1)
#define PF_ERR_USER       (1u << 2)

static long exception_exits(void)
{
	return hc_read_counter(HC_COUNTER_EXITS_REASON, HC_EXIT_EXCEPTION);
}

/* INT3, UD2 and a divide by zero each reach the guest's own handler. */
GTEST(exc_guest_owned_no_exit)
{
	long before = exception_exits();

	GASSERT_EQ(probe_int3(), VEC_BP);
	GASSERT_EQ(probe_ud2(), VEC_UD);
	GASSERT_EQ(probe_div(1, 0), VEC_DE);
	GASSERT_EQ(exception_exits() - before, 0);
}

/* #GP(0) for a non-canonical address (SDM Vol. 3A, 3.3.7.1). */
GTEST(exc_gp_noncanonical)
{
	uint64_t v;
	long before = exception_exits();

	GASSERT_EQ(probe_read64(NONCANONICAL_ADDR, &v), VEC_GP);
	GASSERT_EQ(grt_last_trap.error_code, 0);
	GASSERT_EQ(exception_exits() - before, 0);
}

/* #PF for an address the guest's page tables do not map: CR2 holds the
 * address, the error code says "not present, read, supervisor". */
GTEST(exc_pf_unmapped)
{
	uint64_t v;
	long before = exception_exits();

	GASSERT_EQ(probe_read64(UNMAPPED_ADDR, &v), VEC_PF);
	GASSERT_EQ(grt_last_trap.cr2, UNMAPPED_ADDR);
	GASSERT_EQ(grt_last_trap.error_code & (PF_ERR_PRESENT | PF_ERR_WRITE | PF_ERR_USER), 0);
	GASSERT_EQ(exception_exits() - before, 0);
}
