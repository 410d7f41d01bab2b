/*
 * boot_state.c - the start state a lab-3 guest finds (lab3-ept/include/
 * vm.h, "What a lab-3 guest finds at start", modelled on Intel SDM Vol.
 * 3A, 9.1.1 "Processor State After Reset"), as rt/entry16.S recorded it
 * in real mode, and each mode switch on the way to long mode.
 */
#include "grt.h"
#include "grt3.h"
#include "gtest.h"
#include "hcall.h"
#include "string.h"
#include "x86.h"

#define CR0_PE    (1ull << 0)
#define CR0_ET    (1ull << 4)
#define CR0_PG    (1ull << 31)
#define CR4_PAE   (1ull << 5)
#define EFER_LME  (1ull << 8)
#define EFER_LMA  (1ull << 10)
#define RFLAGS_FIXED 0x2           /* bit 1 is always set (SDM Vol. 1, 3.4.3) */
#define LAR_L     (1u << 21)       /* LAR's copy of the descriptor's L bit */
#define LAR_D     (1u << 22)

/* Real mode, CR0: only ET, as the guest reads it (the read shadow hides
 * the NE that VMX forces on underneath: SDM Vol. 3C, 24.6.6). */
GTEST(boot_real_mode_cr0)
{
	GASSERT_EQ(grt_boot.cr0_real, CR0_ET);
}

/* CS = (entry >> 4) & 0xF000 with IP = entry - CS base; data segments 0.
 * The IP a CALL pushed proves CS:IP, and the start address computed from
 * them is the image's first byte. */
GTEST(boot_real_mode_segments)
{
	GASSERT_EQ(grt_boot.cs, GRT3_BASE >> 4);
	GASSERT_EQ(grt_boot.ip_probe, (uint64_t)grt_entry16_probe - GRT3_BASE);
	GASSERT_EQ(grt_boot.start, (uint64_t)grt_entry16);
	GASSERT_EQ(grt_boot.ds, 0);
	GASSERT_EQ(grt_boot.es, 0);
	GASSERT_EQ(grt_boot.ss, 0);
	GASSERT_EQ(grt_boot.fs, 0);
	GASSERT_EQ(grt_boot.gs, 0);
}

/* GDTR and IDTR: base 0, limit 0xFFFF (the real-mode IVT). */
GTEST(boot_real_mode_descriptor_tables)
{
	GASSERT_EQ(grt_boot.gdtr_real.base, 0);
	GASSERT_EQ(grt_boot.gdtr_real.limit, 0xffff);
	GASSERT_EQ(grt_boot.idtr_real.base, 0);
	GASSERT_EQ(grt_boot.idtr_real.limit, 0xffff);
}

/* RFLAGS 0x2 (interrupts off), ESP 0. */
GTEST(boot_real_mode_flags_and_stack)
{
	GASSERT_EQ(grt_boot.eflags_real, RFLAGS_FIXED);
	GASSERT_EQ(grt_boot.esp, 0);
}

/* EDI = RAM size: page-granular, holding the image, and what the runtime
 * got as its memory size. */
GTEST(boot_edi_is_ram_size)
{
	GASSERT_EQ(grt_boot.edi, grt_mem_size);
	GASSERT_EQ(grt_mem_size % 4096, 0);
	GASSERTF(grt_mem_size >= (uint64_t)__image_end, "RAM %#lx ends inside the image (ends at %p)",
		 (unsigned long)grt_mem_size, __image_end);
}

/* EDX = CPUID.01H:EAX, as after a reset (SDM Vol. 3A, 9.1.4). */
GTEST(boot_edx_is_cpu_signature)
{
	GASSERT_EQ(grt_boot.edx, cpuid(1, 0).eax);
	GASSERT(grt_boot.edx != 0);
}

/* Protected mode was reached: CR0.PE set (paging still off), CS from the
 * boot GDT. */
GTEST(boot_protected_mode)
{
	GASSERT_EQ(grt_boot.cr0_pm32 & (CR0_PE | CR0_PG), CR0_PE);
	GASSERT_EQ(grt_boot.cs_pm32, GRT3_CS32);
}

/* Long mode: PE, PG, PAE, EFER.LME and LMA, CR3 at the image's PML4,
 * seen right after the switch and again now. */
GTEST(boot_long_mode)
{
	GASSERT_EQ(grt_boot.cr0_long & (CR0_PE | CR0_PG), CR0_PE | CR0_PG);
	GASSERT(grt_boot.cr4_long & CR4_PAE);
	GASSERT_EQ(grt_boot.efer_long & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA);
	GASSERT_EQ(grt_boot.cr3_long & PTE_ADDR_MASK, (uint64_t)grt_pml4);
	GASSERT_EQ(rdmsr(MSR_EFER) & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA);
	GASSERT_EQ(read_cr3() & PTE_ADDR_MASK, (uint64_t)grt_pml4);
}

/* CS is a 64-bit code segment: LAR shows L = 1, D = 0 (SDM Vol. 3A,
 * 5.2.1 "Code-Segment Descriptor in 64-bit Mode"). */
GTEST(boot_cs_is_64bit)
{
	uint16_t cs;
	uint32_t ar = 0;
	uint8_t ok;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	__asm__ volatile("lar %2, %0; setz %1" : "=r"(ar), "=q"(ok) : "r"((uint32_t)cs) : "cc");
	GASSERT_EQ(cs, GRT_CS64);
	GASSERTF(ok, "LAR refused CS %#x", cs);
	GASSERTF((ar & (LAR_L | LAR_D)) == LAR_L, "CS access rights %#x: L=%u D=%u", ar,
		 !!(ar & LAR_L), !!(ar & LAR_D));
}

/* The identity map covers 4 GiB with 2 MiB pages, nothing above. */
GTEST(boot_identity_page_tables)
{
	GASSERT_EQ(grt_pml4[0] & PTE_ADDR_MASK, (uint64_t)grt_pdpt);
	for (unsigned i = 0; i < 4; i++)
		GASSERT_EQ(grt_pdpt[i] & PTE_ADDR_MASK, (uint64_t)grt_pd[i]);
	GASSERT_EQ(grt_pdpt[4], 0);
	GASSERT_EQ(grt_pml4[1], 0);
	GASSERT_EQ(grt_pd[0][1] & (PTE_ADDR_MASK | PTE_P | PTE_W | PTE_PS),
		   0x200000 | PTE_P | PTE_W | PTE_PS);
	GASSERT_EQ(grt_pd[3][511] & PTE_ADDR_MASK, 0xffe00000);
}

/* CPUID exits and reports the hypervisor's signature. */
GTEST(cpuid_hypervisor_leaf)
{
	struct cpuid_regs r = cpuid(HC_CPUID_LEAF, 0);
	char sig[13];

	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = '\0';
	GASSERTF(memcmp(sig, HC_CPUID_SIGNATURE, 12) == 0, "signature \"%s\"", sig);
	GASSERT(r.eax >= HC_CPUID_LEAF);
}

/* Hypercalls: the ABI version, and an exit counter that counts. */
GTEST(hypercalls_work)
{
	GASSERT_EQ(hc_version(), HC_ABI_VERSION);
	long a = hc_read_counter(HC_COUNTER_EXITS, 0);
	long b = hc_read_counter(HC_COUNTER_EXITS, 0);
	GASSERTF(a > 0 && b > a, "exit counter %ld then %ld", a, b);
}
