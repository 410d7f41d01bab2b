/*
 * vmxinsn.c - VMX instructions executed by the guest. In VMX non-root
 * operation each one exits unconditionally (Intel SDM Vol. 3C, 25.1.2);
 * hvlab offers no nested VMX, so the hypervisor injects #UD, as a CPU
 * without VMX would raise (SDM Vol. 3C, chapter 31, each instruction's
 * "Protected Mode Exceptions"). The guest must then go on normally.
 */
#include "grt.h"
#include "gtest.h"
#include "probe.h"

#define INVEPT_SINGLE_CONTEXT 1

/* A page-aligned address for the pointer operands: the image's first page
 * (never used as a VMXON region or VMCS: the instructions exit first). */
static uint64_t region_pa(void) { return (uint64_t)__image_start; }

/* Expect #UD from one probe; the message names the instruction. */
#define EXPECT_UD(name, probe) \
	do { int v_ = (probe); \
	     GASSERTF(v_ == VEC_UD, "%s: expected #UD, got %s", name, \
		      v_ == PROBE_NO_FAULT ? "no exception" : grt_vector_name((unsigned)v_)); \
	} while (0)

GTEST(vmx_vmxon_ud)   { EXPECT_UD("VMXON", probe_vmxon(region_pa())); }
GTEST(vmx_vmclear_ud) { EXPECT_UD("VMCLEAR", probe_vmclear(region_pa())); }
GTEST(vmx_vmptrld_ud) { EXPECT_UD("VMPTRLD", probe_vmptrld(region_pa())); }

GTEST(vmx_vmread_ud)
{
	uint64_t v;
	EXPECT_UD("VMREAD", probe_vmread(0x681e /* GUEST_RIP */, &v));
}

GTEST(vmx_vmwrite_ud) { EXPECT_UD("VMWRITE", probe_vmwrite(0x681e /* GUEST_RIP */, 0)); }
GTEST(vmx_vmlaunch_ud) { EXPECT_UD("VMLAUNCH", probe_vmlaunch()); }

GTEST(vmx_invept_ud)
{
	const uint64_t desc[2] = { 0, 0 };
	EXPECT_UD("INVEPT", probe_invept(INVEPT_SINGLE_CONTEXT, desc));
}
