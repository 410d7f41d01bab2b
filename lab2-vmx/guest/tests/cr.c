/*
 * cr.c - control-register accesses (Intel SDM Vol. 3C, 25.3 "Changes to
 * Instruction Behavior in VMX Non-Root Operation": MOV to/from CR0/CR4
 * with guest/host masks and read shadows; qualification in 27.2.1).
 *
 * hvlab's policy (lab2-vmx/vmx/vmx_vcpu.c, vmx_exit_slow.c): the CR0/CR4 bits
 * that VMX operation fixes (and the bits the CPU lacks) are host-owned: the
 * guest reads its own value from the read shadow, and writing them exits.
 * CR0: PE, NE, PG on Bochs; clearing PE or PG, a bit above 31, or NW
 * without CD is #GP(0); anything else is accepted into the shadow.
 * CR4: VMXE and the bits this CPU lacks; setting either is #GP(0), and so
 * is clearing PAE. Every other bit is the guest's own and never exits.
 */
#include "grt.h"
#include "gtest.h"
#include "hcall.h"
#include "probe.h"
#include "x86.h"

/* CR0 and CR4 bits (SDM Vol. 3A, 2.5, Figures 2-7 and 2-8). */
#define CR0_PE    (1ul << 0)
#define CR0_NE    (1ul << 5)
#define CR0_WP    (1ul << 16)
#define CR0_TS (1ull << 3)
#define CR0_AM    (1ul << 18)
#define CR0_NW    (1ul << 29)
#define CR0_CD    (1ul << 30)
#define CR0_PG    (1ul << 31)
#define CR0_HIGH  (1ul << 32)       /* reserved: bits 63:32 must be 0 */
#define CR4_TSD   (1ul << 2)
#define CR4_PAE   (1ul << 5)
#define CR4_VMXE  (1ul << 13)
#define CR4_HIGH  (1ul << 63)       /* reserved */

static long cr_exits(void)
{
	return hc_read_counter(HC_COUNTER_EXITS_REASON, HC_EXIT_CR);
}

/* What a 64-bit guest's CR0 and CR4 show: its own settings, no VMXE. */
GTEST(cr_read_shadows)
{
	uint64_t cr0 = read_cr0(), cr4 = read_cr4();

	GASSERTF((cr0 & (CR0_PE | CR0_PG)) == (CR0_PE | CR0_PG), "CR0 %#lx", (unsigned long)cr0);
	GASSERTF(cr4 & CR4_PAE, "CR4 %#lx lacks PAE", (unsigned long)cr4);
	GASSERTF(!(cr4 & CR4_VMXE), "CR4 %#lx shows VMXE: the read shadow does not hide it",
		 (unsigned long)cr4);
}

/* A guest-owned CR4 bit (TSD) is written and read back without an exit. */
GTEST(cr4_guest_bit_no_exit)
{
	uint64_t cr4 = read_cr4();
	long before = cr_exits();

	write_cr4(cr4 ^ CR4_TSD);
	uint64_t flipped = read_cr4();
	write_cr4(cr4);
	GASSERT_EQ(flipped, cr4 ^ CR4_TSD);
	GASSERT_EQ(read_cr4(), cr4);
	/* VMX: TSD is outside the CR4 guest/host mask. SVM has no CR4 mask:
	 * both writes exit (hvlab must refuse VMXE, which QEMU would accept). */
	GASSERT_EQ(cr_exits() - before, hc_use_vmmcall ? 2 : 0);
}

/* Setting CR4.VMXE exits and raises #GP(0); CR4 stays as it was. So does
 * a reserved bit, and clearing PAE in long mode. */
GTEST(cr4_vmxe_gp)
{
	uint64_t cr4 = read_cr4();
	long before = cr_exits();

	GASSERT_EQ(probe_write_cr4(cr4 | CR4_VMXE), VEC_GP);
	GASSERT_EQ(grt_last_trap.error_code, 0);
	GASSERT_EQ(cr_exits() - before, 1);
	GASSERT_EQ(read_cr4(), cr4);
	GASSERT_EQ(probe_write_cr4(cr4 | CR4_HIGH), VEC_GP);
	GASSERT_EQ(probe_write_cr4(cr4 & ~CR4_PAE), VEC_GP);
	GASSERT_EQ(read_cr4(), cr4);
}

/* CR0.NE is host-owned (VMX fixes it to 1): clearing it exits, is accepted,
 * and the guest reads its own value back from the shadow. */
GTEST(cr0_host_bit_shadowed)
{
	uint64_t cr0 = read_cr0();
	long before = cr_exits();

	GASSERT(cr0 & CR0_NE);
	GASSERT_EQ(probe_write_cr0(cr0 & ~CR0_NE), PROBE_NO_FAULT);
	uint64_t seen = read_cr0();
	GASSERT_EQ(probe_write_cr0(cr0), PROBE_NO_FAULT);
	GASSERT_EQ(seen, cr0 & ~CR0_NE);
	GASSERT_EQ(read_cr0(), cr0);
	GASSERT_EQ(cr_exits() - before, 2);
}

/* A guest-owned CR0 bit (TS, outside VMX's guest/host mask) changes
 * without an exit on VMX. SVM has no mask: hvlab intercepts every CR0
 * write there (svm_cr.c says why), so both writes exit. The guest uses no
 * x87 or SSE instruction, so TS set for a moment is safe. */
GTEST(cr0_guest_bit_no_exit)
{
	uint64_t cr0 = read_cr0();
	long before = cr_exits();

	write_cr0(cr0 ^ CR0_TS);
	uint64_t flipped = read_cr0();
	write_cr0(cr0);
	GASSERT_EQ(flipped, cr0 ^ CR0_TS);
	GASSERT_EQ(read_cr0(), cr0);
	GASSERT_EQ(cr_exits() - before, hc_use_vmmcall ? 2 : 0);
}

/* Forbidden CR0 values: #GP(0), CR0 unchanged. */
GTEST(cr0_forbidden_gp)
{
	uint64_t cr0 = read_cr0();

	GASSERT_EQ(probe_write_cr0(cr0 & ~CR0_PG), VEC_GP);
	GASSERT_EQ(grt_last_trap.error_code, 0);
	GASSERT_EQ(probe_write_cr0(cr0 & ~CR0_PE), VEC_GP);
	GASSERT_EQ(probe_write_cr0(cr0 | CR0_HIGH), VEC_GP);
	GASSERT_EQ(probe_write_cr0((cr0 | CR0_NW) & ~CR0_CD), VEC_GP);
	GASSERT_EQ(read_cr0(), cr0);
}

/* CR3 reads back what was written (the guest's own page tables). */
GTEST(cr3_read_write)
{
	uint64_t cr3 = read_cr3();

	write_cr3(cr3);
	GASSERT_EQ(read_cr3(), cr3);
}
