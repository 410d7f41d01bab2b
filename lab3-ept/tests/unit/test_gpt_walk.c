/*
 * test_gpt_walk.c - the guest page-table walker (gpt_walk.c) on the host.
 *
 * "Guest-physical memory" is a host byte array of MEM_SIZE bytes; the read
 * callback indexes it and refuses anything outside, as the hypervisor's
 * does for addresses no memory backs. Each test writes the tables it needs
 * (entry formats: SDM Vol. 3A, 4.3 to 4.5) and checks the translation, the
 * entries the walk read, the rights, and where a failing walk stopped.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gpt_walk.h"

#define MEM_SIZE 0x100000ull

#define P   (1ull << 0)
#define RW  (1ull << 1)
#define US  (1ull << 2)
#define PS  (1ull << 7)
#define XD  (1ull << 63)

#define CR0_PG   GPT_CR0_PG
#define CR4_PSE  GPT_CR4_PSE
#define CR4_PAE  GPT_CR4_PAE
#define CR4_LA57 GPT_CR4_LA57
#define EFER_NXE GPT_EFER_NXE
#define EFER_LMA GPT_EFER_LMA
#define EFER_LME (1ull << 8)

static uint8_t mem[MEM_SIZE];
static unsigned nreads;
static unsigned read_sizes;   /* OR of the sizes asked for */

static int fake_read(void *ctx, uint64_t gpa, unsigned size, uint64_t *val)
{
	cr_assert_eq(ctx, mem, "the walk must pass its ctx through");
	cr_assert(size == 4 || size == 8, "read of %u bytes", size);
	cr_assert_eq(gpa % size, 0, "misaligned entry read at %#lx", (unsigned long)gpa);
	nreads++;
	read_sizes |= size;
	if (gpa >= MEM_SIZE || gpa + size > MEM_SIZE)
		return -1;
	uint64_t v = 0;
	memcpy(&v, mem + gpa, size);
	*val = v;
	return 0;
}

static void put64(uint64_t gpa, uint64_t v)
{
	cr_assert(gpa + 8 <= MEM_SIZE);
	memcpy(mem + gpa, &v, 8);
}

static void put32(uint64_t gpa, uint32_t v)
{
	cr_assert(gpa + 4 <= MEM_SIZE);
	memcpy(mem + gpa, &v, 4);
}

static void setup(void)
{
	memset(mem, 0, sizeof(mem));
	nreads = 0;
	read_sizes = 0;
}

TestSuite(gpt_walk, .init = setup);

static int walk(enum gpt_mode mode, uint64_t cr3, uint64_t cr4, uint64_t efer, uint64_t gva,
		struct gpt_result *r)
{
	memset(r, 0xa5, sizeof(*r));   /* the walk must fill it all */
	return gpt_walk(mode, cr3, cr4, efer, gva, fake_read, mem, r);
}

/* A 4-level (or 5-level) address from its indices, sign-extended from bit 47 (56). */
static uint64_t va4(uint64_t i4, uint64_t i3, uint64_t i2, uint64_t i1, uint64_t off)
{
	uint64_t v = i4 << 39 | i3 << 30 | i2 << 21 | i1 << 12 | off;
	return (uint64_t)((int64_t)(v << 16) >> 16);
}

static uint64_t va5(uint64_t i5, uint64_t i4, uint64_t i3, uint64_t i2, uint64_t i1, uint64_t off)
{
	uint64_t v = i5 << 48 | i4 << 39 | i3 << 30 | i2 << 21 | i1 << 12 | off;
	return (uint64_t)((int64_t)(v << 7) >> 7);
}

/* ---- modes ---- */

Test(gpt_walk, mode_of_control_registers)
{
	cr_assert_eq(gpt_mode_of(0, 0, 0), GPT_MODE_OFF);
	cr_assert_eq(gpt_mode_of(0x11, CR4_PAE, EFER_LME), GPT_MODE_OFF);   /* PE only */
	cr_assert_eq(gpt_mode_of(CR0_PG | 1, 0, 0), GPT_MODE_32);
	cr_assert_eq(gpt_mode_of(CR0_PG | 1, CR4_PSE, EFER_NXE), GPT_MODE_32);
	cr_assert_eq(gpt_mode_of(CR0_PG | 1, CR4_PAE, 0), GPT_MODE_PAE);
	cr_assert_eq(gpt_mode_of(CR0_PG | 1, CR4_PAE, EFER_LME), GPT_MODE_PAE);  /* LME without LMA */
	cr_assert_eq(gpt_mode_of(CR0_PG | 1, CR4_PAE | CR4_LA57, 0), GPT_MODE_PAE);
	cr_assert_eq(gpt_mode_of(CR0_PG | 1, CR4_PAE, EFER_LME | EFER_LMA), GPT_MODE_LONG4);
	cr_assert_eq(gpt_mode_of(CR0_PG | 1, CR4_PAE | CR4_LA57, EFER_LME | EFER_LMA),
		     GPT_MODE_LONG5);
	cr_assert_str_eq(gpt_mode_name(GPT_MODE_OFF), "paging off");
	cr_assert_str_eq(gpt_mode_name(GPT_MODE_32), "32-bit");
	cr_assert_str_eq(gpt_mode_name(GPT_MODE_PAE), "PAE");
	cr_assert_str_eq(gpt_mode_name(GPT_MODE_LONG4), "4-level");
	cr_assert_str_eq(gpt_mode_name(GPT_MODE_LONG5), "5-level");
	cr_assert_str_eq(gpt_mode_name((enum gpt_mode)9), "bad paging mode");
	cr_assert_str_eq(gpt_strerror(-GPT_ENOTPRESENT), "not present");
	cr_assert_str_eq(gpt_strerror(-GPT_EUNBACKED), "table not backed by guest memory");
	cr_assert_str_eq(gpt_strerror(-42), "unknown gpt_walk error");
}

Test(gpt_walk, paging_off_is_identity)
{
	struct gpt_result r;
	cr_assert_eq(walk(GPT_MODE_OFF, 0x1000, 0, 0, 0xfee00300, &r), 0);
	cr_assert_eq(r.gpa, 0xfee00300);
	cr_assert_eq(r.page_size, 0);
	cr_assert_eq(r.levels, 0);
	cr_assert_eq(r.fault_level, 0);
	cr_assert(r.writable && r.user && !r.nx);
	cr_assert_eq(nreads, 0);
	cr_assert_eq(walk(GPT_MODE_OFF, 0, 0, 0, 1ull << 32, &r), -GPT_ENONCANONICAL);
}

/* ---- 32-bit paging (SDM 4.3) ---- */

Test(gpt_walk, bits32_4k_page)
{
	struct gpt_result r;
	/* gva 0x00401123: PDE index 1, PTE index 1, offset 0x123 */
	put32(0x1000 + 1 * 4, 0x2000 | P | RW | US);
	put32(0x1000 + 2 * 4, 0xffffffff);          /* a neighbour that must not leak in */
	put32(0x2000 + 1 * 4, 0x5000 | P | US);
	put32(0x2000 + 2 * 4, 0xffffffff);
	cr_assert_eq(walk(GPT_MODE_32, 0x1000 | 0x18 /* PWT PCD */, 0, EFER_NXE, 0x00401123, &r), 0);
	cr_assert_eq(r.gpa, 0x5123);
	cr_assert_eq(r.page_size, 0x1000);
	cr_assert_eq(r.levels, 2);
	cr_assert_eq(r.entry_gpa[0], 0x1004);
	cr_assert_eq(r.entry_gpa[1], 0x2004);
	cr_assert_eq(r.entry[0], 0x2000 | P | RW | US);
	cr_assert_eq(r.entry[1], 0x5000 | P | US);
	cr_assert(!r.writable && r.user && !r.nx);
	cr_assert_eq(read_sizes, 4, "32-bit paging reads 4-byte entries");
	cr_assert_eq(r.fault_level, 0);
}

Test(gpt_walk, bits32_4m_page_needs_cr4_pse)
{
	struct gpt_result r;
	/* gva 0x00c12345: PDE index 3 */
	put32(0x1000 + 3 * 4, 0x00c00000 | PS | P | RW);
	cr_assert_eq(walk(GPT_MODE_32, 0x1000, CR4_PSE, 0, 0x00c12345, &r), 0);
	cr_assert_eq(r.gpa, 0x00c12345);
	cr_assert_eq(r.page_size, 4ull << 20);
	cr_assert_eq(r.levels, 1);
	cr_assert(r.writable && !r.user);
	/* Without CR4.PSE the PS bit is ignored: the entry points at a page
	 * table at 0xc00000, which no memory backs here. */
	cr_assert_eq(walk(GPT_MODE_32, 0x1000, 0, 0, 0x00c12345, &r), -GPT_EUNBACKED);
	cr_assert_eq(r.fault_level, 1);
	cr_assert_eq(r.levels, 1);
	cr_assert_eq(r.entry_gpa[1], 0x00c00000 + 0x12 * 4);
}

Test(gpt_walk, bits32_pse36_and_reserved_bit21)
{
	struct gpt_result r;
	/* PSE-36: PDE bits 20:13 are address bits 39:32 (Table 4-4). */
	put32(0x1000 + 1 * 4, 0x00400000 | (0x12u << 13) | PS | P | RW | US);
	cr_assert_eq(walk(GPT_MODE_32, 0x1000, CR4_PSE, 0, 0x00456789, &r), 0);
	cr_assert_eq(r.gpa, 0x1200456789ull);
	put32(0x1000 + 1 * 4, 0x00400000 | (1u << 21) | PS | P);
	cr_assert_eq(walk(GPT_MODE_32, 0x1000, CR4_PSE, 0, 0x00456789, &r), -GPT_ERESERVED);
	cr_assert_eq(r.reserved, 1u << 21);
	cr_assert_eq(r.fault_level, 2);
}

Test(gpt_walk, bits32_not_present_and_wide_gva)
{
	struct gpt_result r;
	cr_assert_eq(walk(GPT_MODE_32, 0x1000, 0, 0, 0x00401000, &r), -GPT_ENOTPRESENT);
	cr_assert_eq(r.fault_level, 2);
	cr_assert_eq(r.levels, 1);
	put32(0x1004, 0x2000 | P | RW);
	put32(0x2004, 0x5000 | RW);                 /* no P */
	cr_assert_eq(walk(GPT_MODE_32, 0x1000, 0, 0, 0x00401000, &r), -GPT_ENOTPRESENT);
	cr_assert_eq(r.fault_level, 1);
	cr_assert_eq(r.levels, 2);
	cr_assert_eq(r.entry[1], 0x5000 | RW);
	cr_assert_eq(walk(GPT_MODE_32, 0x1000, 0, 0, 0x100401000ull, &r), -GPT_ENONCANONICAL);
	cr_assert_eq(r.fault_level, 2);
	cr_assert_eq(r.levels, 0);
}

/* ---- PAE (SDM 4.4) ---- */

/* The PDPT at CR3 bits 31:5: 32-byte aligned, not page aligned. */
#define PAE_CR3 0x1020ull

Test(gpt_walk, pae_4k_and_2m_pages)
{
	struct gpt_result r;
	/* gva 0xc0201abc: PDPTE 3, PDE 1, PTE 1 */
	put64(PAE_CR3 + 3 * 8, 0x3000 | P);
	put64(0x3000 + 1 * 8, 0x4000 | P | RW | US);
	put64(0x4000 + 1 * 8, 0x7000 | P | RW | US | XD);
	cr_assert_eq(walk(GPT_MODE_PAE, PAE_CR3, 0, EFER_NXE, 0xc0201abc, &r), 0);
	cr_assert_eq(r.gpa, 0x7abc);
	cr_assert_eq(r.page_size, 0x1000);
	cr_assert_eq(r.levels, 3);
	cr_assert_eq(r.entry_gpa[0], PAE_CR3 + 24);
	cr_assert_eq(r.entry_gpa[1], 0x3008);
	cr_assert_eq(r.entry_gpa[2], 0x4008);
	/* a PDPTE has no R/W or U/S: the rights come from the PDE and PTE */
	cr_assert(r.writable && r.user && r.nx);
	cr_assert_eq(read_sizes, 8);

	/* gva 0xc0400123 + 0x12345: PDE 2 maps 2 MiB at 0x40000000 */
	put64(0x3000 + 2 * 8, 0x40000000 | PS | P | RW);
	cr_assert_eq(walk(GPT_MODE_PAE, PAE_CR3, 0, EFER_NXE, 0xc0412345, &r), 0);
	cr_assert_eq(r.gpa, 0x40012345);
	cr_assert_eq(r.page_size, 2ull << 20);
	cr_assert_eq(r.levels, 2);
	cr_assert(r.writable && !r.user && !r.nx);
}

Test(gpt_walk, pae_reserved_bits)
{
	struct gpt_result r;
	put64(PAE_CR3, 0x3000 | P | RW);            /* R/W is reserved in a PAE PDPTE */
	cr_assert_eq(walk(GPT_MODE_PAE, PAE_CR3, 0, EFER_NXE, 0x1000, &r), -GPT_ERESERVED);
	cr_assert_eq(r.fault_level, 3);
	cr_assert_eq(r.reserved, RW);
	put64(PAE_CR3, 0x3000 | P);
	put64(0x3000, 0x4000 | P | RW | XD);         /* XD without EFER.NXE */
	cr_assert_eq(walk(GPT_MODE_PAE, PAE_CR3, 0, 0, 0x1000, &r), -GPT_ERESERVED);
	cr_assert_eq(r.fault_level, 2);
	cr_assert_eq(r.reserved, XD);
	put64(0x3000, 0x4000 | P | RW | (1ull << 52)); /* PAE: bits 62:52 reserved */
	cr_assert_eq(walk(GPT_MODE_PAE, PAE_CR3, 0, EFER_NXE, 0x1000, &r), -GPT_ERESERVED);
	cr_assert_eq(r.reserved, 1ull << 52);
	put64(0x3000, 0x200000 | PS | P | (1ull << 13)); /* 2 MiB page: bits 20:13 reserved */
	cr_assert_eq(walk(GPT_MODE_PAE, PAE_CR3, 0, EFER_NXE, 0x1000, &r), -GPT_ERESERVED);
	cr_assert_eq(r.reserved, 1ull << 13);
	cr_assert_eq(walk(GPT_MODE_PAE, PAE_CR3, 0, EFER_NXE, 1ull << 32, &r), -GPT_ENONCANONICAL);
	cr_assert_eq(r.fault_level, 3);
}

/* ---- 4-level paging (SDM 4.5) ---- */

/* A 4-level chain for va4(255, 1, 2, 3, off): PML4 0x1000, PDPT 0x2000,
 * PD 0x3000, PT 0x4000, page 0x9000. */
static void chain4(uint64_t pte_flags)
{
	put64(0x1000 + 255 * 8, 0x2000 | P | RW | US);
	put64(0x2000 + 1 * 8, 0x3000 | P | RW | US);
	put64(0x3000 + 2 * 8, 0x4000 | P | RW | US);
	put64(0x4000 + 3 * 8, 0x9000 | pte_flags);
}

Test(gpt_walk, long4_4k_page_with_pcid_in_cr3)
{
	struct gpt_result r;
	uint64_t gva = va4(255, 1, 2, 3, 0x456);
	chain4(P | RW | US);
	cr_assert_eq(walk(GPT_MODE_LONG4, 0x1000 | 0x7 /* PCID */, 0, EFER_NXE, gva, &r), 0);
	cr_assert_eq(r.gpa, 0x9456);
	cr_assert_eq(r.page_size, 0x1000);
	cr_assert_eq(r.levels, 4);
	uint64_t want_at[4] = { 0x1000 + 255 * 8, 0x2008, 0x3010, 0x4018 };
	for (int i = 0; i < 4; i++)
		cr_assert_eq(r.entry_gpa[i], want_at[i], "entry %d at %#lx", i,
			     (unsigned long)r.entry_gpa[i]);
	cr_assert_eq(r.entry[3], 0x9000 | P | RW | US);
	cr_assert(r.writable && r.user && !r.nx);
	cr_assert_eq(r.fault_level, 0);
	cr_assert_eq(nreads, 4);
}

Test(gpt_walk, long4_high_half_2m_and_1g_pages)
{
	struct gpt_result r;
	/* 0xffff800000000000 + ...: PML4 index 256 */
	put64(0x1000 + 256 * 8, 0x2000 | P | RW);
	put64(0x2000 + 5 * 8, 0x3000 | P | RW);
	put64(0x3000 + 7 * 8, 0x7fe00000 | PS | P | RW);          /* 2 MiB */
	put64(0x2000 + 6 * 8, 0x1c0000000ull | PS | P);           /* 1 GiB at 7 GiB */
	uint64_t gva = va4(256, 5, 7, 0x1ab, 0xcde);
	cr_assert_eq(gva >> 47, 0x1ffff);
	cr_assert_eq(walk(GPT_MODE_LONG4, 0x1000, 0, 0, gva, &r), 0);
	cr_assert_eq(r.gpa, 0x7fe00000 + (0x1abull << 12) + 0xcde);
	cr_assert_eq(r.page_size, 2ull << 20);
	cr_assert_eq(r.levels, 3);
	cr_assert(r.writable && !r.user);
	gva = va4(256, 6, 0x155, 0x1ab, 0xcde);
	cr_assert_eq(walk(GPT_MODE_LONG4, 0x1000, 0, 0, gva, &r), 0);
	cr_assert_eq(r.gpa, 0x1c0000000ull + (gva & ((1ull << 30) - 1)));
	cr_assert_eq(r.page_size, 1ull << 30);
	cr_assert_eq(r.levels, 2);
	cr_assert(!r.writable, "the 1 GiB PDPTE is read-only");
}

Test(gpt_walk, long4_not_present_at_each_level)
{
	struct gpt_result r;
	uint64_t gva = va4(255, 1, 2, 3, 0);
	static const uint64_t entry_at[4] = { 0x1000 + 255 * 8, 0x2008, 0x3010, 0x4018 };
	chain4(P | RW | US);
	for (int lvl = 4; lvl >= 1; lvl--) {
		int i = 4 - lvl;
		uint64_t saved;
		memcpy(&saved, mem + entry_at[i], 8);
		put64(entry_at[i], saved & ~P);
		cr_assert_eq(walk(GPT_MODE_LONG4, 0x1000, 0, 0, gva, &r), -GPT_ENOTPRESENT,
			     "level %d", lvl);
		cr_assert_eq(r.fault_level, lvl);
		cr_assert_eq(r.levels, i + 1);
		cr_assert_eq(r.entry_gpa[i], entry_at[i]);
		cr_assert_eq(r.entry[i], saved & ~P);
		put64(entry_at[i], saved);
	}
	cr_assert_eq(walk(GPT_MODE_LONG4, 0x1000, 0, 0, gva, &r), 0);
}

Test(gpt_walk, long4_unbacked_tables)
{
	struct gpt_result r;
	uint64_t gva = va4(255, 1, 2, 3, 0);
	/* CR3 itself points outside guest memory */
	cr_assert_eq(walk(GPT_MODE_LONG4, 0x40000000, 0, 0, gva, &r), -GPT_EUNBACKED);
	cr_assert_eq(r.fault_level, 4);
	cr_assert_eq(r.levels, 0);
	cr_assert_eq(r.entry_gpa[0], 0x40000000 + 255 * 8);
	/* a PD entry points outside */
	chain4(P);
	put64(0x3000 + 2 * 8, 0xfff000000ull | P);
	cr_assert_eq(walk(GPT_MODE_LONG4, 0x1000, 0, 0, gva, &r), -GPT_EUNBACKED);
	cr_assert_eq(r.fault_level, 1);
	cr_assert_eq(r.levels, 3);
	cr_assert_eq(r.entry_gpa[3], 0xfff000000ull + 3 * 8);
}

Test(gpt_walk, long4_non_canonical)
{
	struct gpt_result r;
	static const uint64_t bad[] = {
		0x0000800000000000ull, 0xffff7fffffffffffull, 0x8000000000000000ull,
		0x0001000000000000ull,
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(walk(GPT_MODE_LONG4, 0x1000, 0, 0, bad[i], &r), -GPT_ENONCANONICAL,
			     "%#lx", (unsigned long)bad[i]);
		cr_assert_eq(r.fault_level, 4);
		cr_assert_eq(r.levels, 0);
	}
	cr_assert_eq(nreads, 0);
	/* the edges are canonical (and not present here) */
	cr_assert_eq(walk(GPT_MODE_LONG4, 0x1000, 0, 0, 0x00007fffffffffffull, &r),
		     -GPT_ENOTPRESENT);
	cr_assert_eq(walk(GPT_MODE_LONG4, 0x1000, 0, 0, 0xffff800000000000ull, &r),
		     -GPT_ENOTPRESENT);
}

Test(gpt_walk, long4_reserved_bits)
{
	struct gpt_result r;
	uint64_t gva = va4(255, 1, 2, 3, 0);
	chain4(P | RW);
	put64(0x1000 + 255 * 8, 0x2000 | P | RW | PS);     /* PS in a PML4E */
	cr_assert_eq(walk(GPT_MODE_LONG4, 0x1000, 0, EFER_NXE, gva, &r), -GPT_ERESERVED);
	cr_assert_eq(r.fault_level, 4);
	cr_assert_eq(r.reserved, PS);
	chain4(P | RW | XD);                               /* XD without NXE */
	cr_assert_eq(walk(GPT_MODE_LONG4, 0x1000, 0, 0, gva, &r), -GPT_ERESERVED);
	cr_assert_eq(r.fault_level, 1);
	cr_assert_eq(r.reserved, XD);
	cr_assert_eq(walk(GPT_MODE_LONG4, 0x1000, 0, EFER_NXE, gva, &r), 0);
	cr_assert(r.nx);
	put64(0x3000 + 2 * 8, 0x200000 | PS | P | (1ull << 20));   /* 2 MiB: 20:13 */
	cr_assert_eq(walk(GPT_MODE_LONG4, 0x1000, 0, 0, gva, &r), -GPT_ERESERVED);
	cr_assert_eq(r.fault_level, 2);
	cr_assert_eq(r.reserved, 1ull << 20);
	put64(0x2000 + 1 * 8, 0x40000000 | PS | P | (1ull << 21)); /* 1 GiB: 29:13 */
	cr_assert_eq(walk(GPT_MODE_LONG4, 0x1000, 0, 0, gva, &r), -GPT_ERESERVED);
	cr_assert_eq(r.fault_level, 3);
	cr_assert_eq(r.reserved, 1ull << 21);
	/* PAT (bit 7) in a PTE is not PS: a 4 KiB page with PAT set is fine */
	chain4(P | RW | PS);
	cr_assert_eq(walk(GPT_MODE_LONG4, 0x1000, 0, 0, gva, &r), 0);
	cr_assert_eq(r.page_size, 0x1000);
}

/* Rights (SDM 4.6): writable and user only if every level allows it; XD
 * at any level makes the page not executable. */
Test(gpt_walk, long4_rights_accumulate)
{
	struct gpt_result r;
	uint64_t gva = va4(255, 1, 2, 3, 0);
	chain4(P | RW | US);
	put64(0x2000 + 1 * 8, 0x3000 | P | US | XD);       /* PDPTE: read-only, XD */
	cr_assert_eq(walk(GPT_MODE_LONG4, 0x1000, 0, EFER_NXE, gva, &r), 0);
	cr_assert(!r.writable && r.user && r.nx);
	put64(0x2000 + 1 * 8, 0x3000 | P | RW | US);
	put64(0x1000 + 255 * 8, 0x2000 | P | RW);          /* PML4E: supervisor */
	cr_assert_eq(walk(GPT_MODE_LONG4, 0x1000, 0, EFER_NXE, gva, &r), 0);
	cr_assert(r.writable && !r.user && !r.nx);
}

/* ---- 5-level paging ---- */

Test(gpt_walk, long5_walks_five_levels)
{
	struct gpt_result r;
	uint64_t gva = va5(0x1ff, 2, 3, 4, 5, 0x678);      /* the top of the address space */
	cr_assert_eq(gva >> 56, 0xff);
	put64(0x1000 + 0x1ff * 8, 0x2000 | P | RW | US);
	put64(0x2000 + 2 * 8, 0x3000 | P | RW | US);
	put64(0x3000 + 3 * 8, 0x4000 | P | RW | US);
	put64(0x4000 + 4 * 8, 0x5000 | P | RW | US);
	put64(0x5000 + 5 * 8, 0xa000 | P | RW | US);
	cr_assert_eq(walk(GPT_MODE_LONG5, 0x1000, 0, 0, gva, &r), 0);
	cr_assert_eq(r.gpa, 0xa678);
	cr_assert_eq(r.levels, 5);
	cr_assert_eq(r.entry_gpa[0], 0x1000 + 0x1ff * 8);
	cr_assert_eq(r.entry_gpa[4], 0x5000 + 5 * 8);
	/* canonical in 5-level, not in 4-level */
	uint64_t low = va5(0x7f, 0, 0, 0, 0, 0);
	cr_assert_eq(low, 0x007f000000000000ull);
	cr_assert_eq(walk(GPT_MODE_LONG5, 0x1000, 0, 0, low, &r), -GPT_ENOTPRESENT);
	cr_assert_eq(r.fault_level, 5);
	cr_assert_eq(walk(GPT_MODE_LONG4, 0x1000, 0, 0, low, &r), -GPT_ENONCANONICAL);
	cr_assert_eq(walk(GPT_MODE_LONG5, 0x1000, 0, 0, 0x0100000000000000ull, &r),
		     -GPT_ENONCANONICAL);
	cr_assert_eq(r.fault_level, 5);
	put64(0x1000 + 0x1ff * 8, 0x2000 | P | RW | US | PS);   /* PS in a PML5E */
	cr_assert_eq(walk(GPT_MODE_LONG5, 0x1000, 0, 0, gva, &r), -GPT_ERESERVED);
	cr_assert_eq(r.fault_level, 5);
}

/* ---- the trace ---- */

static char buf[512];

/* Walk and format; return the text. */
static const char *trace(enum gpt_mode mode, uint64_t cr3, uint64_t cr4, uint64_t efer,
			 uint64_t gva)
{
	struct gpt_result r;
	int err = walk(mode, cr3, cr4, efer, gva, &r);
	int n = gpt_format(&r, mode, gva, err, buf, sizeof(buf));
	cr_assert_eq(n, (int)strlen(buf), "returned %d for \"%s\"", n, buf);
	return buf;
}

Test(gpt_walk, format_long4)
{
	uint64_t gva = va4(0, 0, 2, 1, 0x23);                 /* 0x401023 */
	put64(0x1000, 0x2000 | P | RW | US);
	put64(0x2000, 0x3000 | P | RW | US);
	put64(0x3010, 0x4000 | P | RW | US);
	put64(0x4008, 0x5000 | P | RW | US);
	cr_assert_str_eq(trace(GPT_MODE_LONG4, 0x1000, 0, EFER_NXE, gva),
			 "gva 0x401023 (4-level): PML4[0]@0x1000=0x2007 -> "
			 "PDPT[0]@0x2000=0x3007 -> PD[2]@0x3010=0x4007 -> PT[1]@0x4008=0x5007 "
			 "-> 4K page 0x5000: gpa 0x5023 [rw user x]");

	put64(0x4008, 0x5000 | P | XD);
	cr_assert_str_eq(trace(GPT_MODE_LONG4, 0x1000, 0, EFER_NXE, gva),
			 "gva 0x401023 (4-level): PML4[0]@0x1000=0x2007 -> "
			 "PDPT[0]@0x2000=0x3007 -> PD[2]@0x3010=0x4007 -> "
			 "PT[1]@0x4008=0x8000000000005001 "
			 "-> 4K page 0x5000: gpa 0x5023 [ro supervisor nx]");
	cr_assert_str_eq(trace(GPT_MODE_LONG4, 0x1000, 0, 0, gva),
			 "gva 0x401023 (4-level): PML4[0]@0x1000=0x2007 -> "
			 "PDPT[0]@0x2000=0x3007 -> PD[2]@0x3010=0x4007 -> "
			 "PT[1]@0x4008=0x8000000000005001: reserved bit set (0x8000000000000000)");

	put64(0x3010, 0x4000 | RW);                           /* PD entry not present */
	cr_assert_str_eq(trace(GPT_MODE_LONG4, 0x1000, 0, EFER_NXE, gva),
			 "gva 0x401023 (4-level): PML4[0]@0x1000=0x2007 -> "
			 "PDPT[0]@0x2000=0x3007 -> PD[2]@0x3010=0x4002: not present");

	put64(0x3010, 0x800000 | P);                          /* PT outside memory */
	cr_assert_str_eq(trace(GPT_MODE_LONG4, 0x1000, 0, EFER_NXE, gva),
			 "gva 0x401023 (4-level): PML4[0]@0x1000=0x2007 -> "
			 "PDPT[0]@0x2000=0x3007 -> PD[2]@0x3010=0x800001 -> "
			 "PT@0x800008: table not backed by guest memory");

	cr_assert_str_eq(trace(GPT_MODE_LONG4, 0x900000, 0, 0, gva),
			 "gva 0x401023 (4-level): PML4@0x900000: table not backed by guest memory");
	cr_assert_str_eq(trace(GPT_MODE_LONG4, 0x1000, 0, 0, 0x800000000000ull),
			 "gva 0x800000000000 (4-level): address not canonical "
			 "(or above 4 GiB outside long mode)");
}

Test(gpt_walk, format_other_modes)
{
	cr_assert_str_eq(trace(GPT_MODE_OFF, 0, 0, 0, 0xb8000),
			 "gva 0xb8000 (paging off): gpa 0xb8000 (identity)");
	put32(0x1000 + 3 * 4, 0x00c00000 | PS | P | RW);
	cr_assert_str_eq(trace(GPT_MODE_32, 0x1000, CR4_PSE, 0, 0x00c12345),
			 "gva 0xc12345 (32-bit): PD[3]@0x100c=0xc00083 "
			 "-> 4M page 0xc00000: gpa 0xc12345 [rw supervisor x]");
	put64(PAE_CR3 + 3 * 8, 0x3000 | P);
	put64(0x3000 + 2 * 8, 0x40000000 | PS | P | RW | US);
	cr_assert_str_eq(trace(GPT_MODE_PAE, PAE_CR3, 0, 0, 0xc0412345),
			 "gva 0xc0412345 (PAE): PDPT[3]@0x1038=0x3001 -> PD[2]@0x3010=0x40000087 "
			 "-> 2M page 0x40000000: gpa 0x40012345 [rw user x]");
	put64(0x2000 + 6 * 8, 0x1c0000000ull | PS | P);
	put64(0x1000, 0x2000 | P | RW | US);
	cr_assert_str_eq(trace(GPT_MODE_LONG4, 0x1000, 0, 0, va4(0, 6, 0, 0, 0x10)),
			 "gva 0x180000010 (4-level): PML4[0]@0x1000=0x2007 -> "
			 "PDPT[6]@0x2030=0x1c0000081 -> 1G page 0x1c0000000: gpa 0x1c0000010 "
			 "[ro supervisor x]");
}

/* A short buffer gets a NUL-terminated prefix; the return says how long the
 * whole line is, as snprintf does. */
Test(gpt_walk, format_into_short_buffer)
{
	struct gpt_result r;
	int err = walk(GPT_MODE_OFF, 0, 0, 0, 0xb8000, &r);
	char *small = malloc(10);
	int n = gpt_format(&r, GPT_MODE_OFF, 0xb8000, err, small, 10);
	cr_assert_str_eq(small, "gva 0xb80");
	cr_assert_eq(n, (int)strlen("gva 0xb8000 (paging off): gpa 0xb8000 (identity)"));
	free(small);
	cr_assert_eq(gpt_format(&r, GPT_MODE_OFF, 0xb8000, err, NULL, 0), n);
}
