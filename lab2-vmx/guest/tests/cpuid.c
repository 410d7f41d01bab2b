/*
 * cpuid.c - the CPUID exit (Intel SDM Vol. 3C, 25.1.2: CPUID always exits
 * in VMX non-root operation). The hypervisor hides VMX from its guests and
 * answers the hypervisor leaf with its own signature; everything else is
 * the host's answer.
 */
#include "gtest.h"
#include "hcall.h"
#include "hypercall.h"
#include "string.h"
#include "x86.h"

#define CPUID_1_ECX_VMX        (1u << 5)   /* SDM Vol. 2A, CPUID, Table 3-10 */
#define CPUID_1_ECX_HYPERVISOR (1u << 31)  /* reserved for hypervisors: "one is present" */
#define CPUID_1_EDX_FPU        (1u << 0)
#define CPUID_1_EDX_APIC       (1u << 9)
#define CPUID_SANE_MAX_LEAF    0x100       /* real CPUs stay far below this */
#define CPUID_EXT_BASE         0x80000000u

/* 12 bytes of a signature from three registers, in CPUID's order. */
static void cpuid_sig(char out[13], uint32_t a, uint32_t b, uint32_t c)
{
	memcpy(out, &a, 4);
	memcpy(out + 4, &b, 4);
	memcpy(out + 8, &c, 4);
	out[12] = '\0';
}

/* Leaf 1 ECX bit 5 (VMX) is cleared and bit 31 ("hypervisor present") is
 * set (lab2-vmx/vcpu_policy.c); the rest of leaf 1 is the host's. */
GTEST(cpuid_hides_vmx)
{
	struct cpuid_regs r = cpuid(1, 0);

	GASSERTF(!(r.ecx & CPUID_1_ECX_VMX), "CPUID.1:ECX = %#x still shows VMX (bit 5)", r.ecx);
	GASSERTF(r.ecx & CPUID_1_ECX_HYPERVISOR, "CPUID.1:ECX = %#x lacks the hypervisor bit (31)",
		 r.ecx);
	/* Not an all-zero answer: a 64-bit CPU with a local APIC has FPU and APIC. */
	GASSERTF((r.edx & (CPUID_1_EDX_FPU | CPUID_1_EDX_APIC)) ==
		 (CPUID_1_EDX_FPU | CPUID_1_EDX_APIC),
		 "CPUID.1:EDX = %#x lacks FPU/APIC: the leaf was not passed through", r.edx);
	GASSERTF(r.eax != 0, "CPUID.1:EAX (family/model) is 0");
}

/* Leaf 0x40000000: EBX:ECX:EDX = "hvlabhvlabhv", EAX = the highest hypervisor
 * leaf; the leaves above it (up to 0x4fffffff) answer all zeros. */
GTEST(cpuid_hv_signature)
{
	struct cpuid_regs r = cpuid(HC_CPUID_LEAF, 0);
	char sig[13];

	cpuid_sig(sig, r.ebx, r.ecx, r.edx);
	GASSERTF(strcmp(sig, HC_CPUID_SIGNATURE) == 0,
		 "leaf %#x signature '%s', expected '%s'", HC_CPUID_LEAF, sig, HC_CPUID_SIGNATURE);
	GASSERTF(r.eax >= HC_CPUID_LEAF && r.eax < HC_CPUID_LEAF + CPUID_SANE_MAX_LEAF,
		 "leaf %#x EAX (highest hypervisor leaf) = %#x", HC_CPUID_LEAF, r.eax);

	struct cpuid_regs z = cpuid(r.eax + 1, 0);
	GASSERTF(!z.eax && !z.ebx && !z.ecx && !z.edx, "leaf %#x past the highest: %x %x %x %x",
		 r.eax + 1, z.eax, z.ebx, z.ecx, z.edx);
}

/* Leaf 0: the vendor is the host's (VMX exists only on Intel CPUs, SVM only
 * on AMD ones: the hypercall instruction follows it) and the highest basic
 * leaf is sane; the extended range is there too. */
GTEST(cpuid_vendor_and_max_leaf)
{
	struct cpuid_regs r = cpuid(0, 0);
	char vendor[13];

	cpuid_sig(vendor, r.ebx, r.edx, r.ecx);
	const char *want = hc_use_vmmcall ? "AuthenticAMD" : "GenuineIntel";
	GASSERTF(strcmp(vendor, want) == 0, "vendor '%s', expected '%s'", vendor, want);
	GASSERTF(r.eax >= 1 && r.eax < CPUID_SANE_MAX_LEAF, "highest basic leaf %#x", r.eax);

	struct cpuid_regs e = cpuid(CPUID_EXT_BASE, 0);
	GASSERTF(e.eax > CPUID_EXT_BASE && e.eax < CPUID_EXT_BASE + CPUID_SANE_MAX_LEAF,
		 "highest extended leaf %#x", e.eax);
}

/* The same leaf twice gives the same answer (the handler is a function of
 * the leaf, not of leftover register state). */
GTEST(cpuid_repeatable)
{
	struct cpuid_regs a = cpuid(1, 0), b = cpuid(1, 0);

	/* EBX[31:24] is the initial APIC ID: the same CPU both times. */
	GASSERT_EQ(a.eax, b.eax);
	GASSERT_EQ(a.ebx, b.ebx);
	GASSERT_EQ(a.ecx, b.ecx);
	GASSERT_EQ(a.edx, b.edx);
}
