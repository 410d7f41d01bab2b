/*
 * test_pt.c - the page-table builder (pt.c) on the host. Tables are real
 * 4 KiB-aligned host memory, used as "physical" frames the way the
 * identity-mapped kernel uses them; mapped pages are just numbers, never
 * touched. The table allocator counts, refuses on demand, and checks that
 * every table freed was one it gave out.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "memerr.h"
#include "pt.h"

#define MAX_TABLES 256

static uint64_t live[MAX_TABLES];
static int nlive;
static int budget;      /* tables table_alloc may still hand out */
static struct pt pt;

static uint64_t table_alloc(void *ctx)
{
	if (budget == 0 || nlive == MAX_TABLES)
		return 0;
	void *t = aligned_alloc(PT_SIZE_4K, PT_SIZE_4K);
	cr_assert(t);
	memset(t, 0, PT_SIZE_4K);
	budget--;
	return live[nlive++] = (uintptr_t)t;
}

static void table_free(uint64_t pa, void *ctx)
{
	for (int i = 0; i < nlive; i++) {
		if (live[i] == pa) {
			live[i] = live[--nlive];
			free((void *)(uintptr_t)pa);
			return;
		}
	}
	cr_assert_fail("table_free(%#lx): not a live table", pa);
}

static void setup(void)
{
	nlive = 0;
	budget = MAX_TABLES;
	cr_assert_eq(pt_init(&pt, table_alloc, table_free, NULL), 0);
}

/* Every test ends by destroying its tables: none may leak. */
static void teardown(void)
{
	if (pt.root)
		pt_destroy(&pt);
	cr_expect_eq(nlive, 0, "%d tables leaked", nlive);
}

TestSuite(pt, .init = setup, .fini = teardown);

static struct pt_mapping translate_ok(uint64_t va)
{
	struct pt_mapping m;
	int err = pt_translate(&pt, va, &m);
	cr_assert_eq(err, 0, "translate(%#lx): %s", va, mem_strerror(err));
	return m;
}

Test(pt, init_out_of_memory)
{
	struct pt other;
	budget = 0;
	cr_expect_eq(pt_init(&other, table_alloc, table_free, NULL), -MEM_ENOMEM);
}

Test(pt, indexes)
{
	uint64_t va = 0xffff8123456789abull;
	cr_expect_eq(pt_index(va, PT_LEVEL_PML4), (va >> 39) & 511);
	cr_expect_eq(pt_index(va, PT_LEVEL_PDPT), (va >> 30) & 511);
	cr_expect_eq(pt_index(va, PT_LEVEL_PD), (va >> 21) & 511);
	cr_expect_eq(pt_index(va, PT_LEVEL_PT), (va >> 12) & 511);
	cr_expect(pt_canonical(0x00007fffffffffffull));
	cr_expect(pt_canonical(0xffff800000000000ull));
	cr_expect(!pt_canonical(0x0000800000000000ull));
	cr_expect(!pt_canonical(0xfff0000000000000ull));
}

/* The entries written are the architectural ones (SDM Tables 4-15..4-20). */
Test(pt, map_4k_builds_four_levels)
{
	uint64_t va = 0xffff800000403000ull, pa = 0x12345000;
	cr_assert_eq(pt_map(&pt, va, pa, PT_SIZE_4K, PTE_W | PTE_NX), 0);
	cr_expect_eq(pt_count_tables(&pt), 4);

	uint64_t *t = pt_table(pt.root);
	for (int level = PT_LEVEL_PML4; level > PT_LEVEL_PT; level--) {
		uint64_t e = t[pt_index(va, level)];
		cr_assert(e & PTE_P, "level %d entry not present", level);
		cr_expect(!(e & PTE_PS), "level %d entry must point to a table", level);
		t = pt_table(pte_addr(e));
	}
	cr_expect_eq(t[pt_index(va, PT_LEVEL_PT)], pa | PTE_P | PTE_W | PTE_NX);

	struct pt_mapping m = translate_ok(va + 0xabc);
	cr_expect_eq(m.pa, pa + 0xabc);
	cr_expect_eq(m.size, PT_SIZE_4K);
	cr_expect_eq(m.flags, PTE_P | PTE_W | PTE_NX);
	/* The neighbours stay unmapped. */
	cr_expect_eq(pt_translate(&pt, va + PT_SIZE_4K, &m), -MEM_ENOENT);
	cr_expect_eq(pt_translate(&pt, va - PT_SIZE_4K, &m), -MEM_ENOENT);
}

Test(pt, map_2m_is_a_pd_leaf)
{
	uint64_t va = 0x40000000, pa = 0x7fe00000;
	cr_assert_eq(pt_map(&pt, va, pa, PT_SIZE_2M, PTE_W | PTE_PCD | PTE_PWT), 0);
	cr_expect_eq(pt_count_tables(&pt), 3, "PML4, PDPT, PD: no PT");
	uint64_t *pdpt = pt_table(pte_addr(pt_table(pt.root)[0]));
	uint64_t *pd = pt_table(pte_addr(pdpt[1]));
	cr_expect_eq(pd[0], pa | PTE_P | PTE_PS | PTE_W | PTE_PCD | PTE_PWT);

	struct pt_mapping m = translate_ok(va + 0x1fffff);
	cr_expect_eq(m.pa, pa + 0x1fffff);
	cr_expect_eq(m.size, PT_SIZE_2M);
	cr_expect_eq(m.flags, PTE_P | PTE_W | PTE_PCD | PTE_PWT, "PS is not a caller's flag");
}

Test(pt, bad_arguments_create_nothing)
{
	cr_expect_eq(pt_map(&pt, 0x1008, 0x2000, PT_SIZE_4K, 0), -MEM_EALIGN, "va");
	cr_expect_eq(pt_map(&pt, 0x1000, 0x2008, PT_SIZE_4K, 0), -MEM_EALIGN, "pa");
	cr_expect_eq(pt_map(&pt, 0x201000, 0x400000, PT_SIZE_2M, 0), -MEM_EALIGN, "va 4K-aligned only");
	cr_expect_eq(pt_map(&pt, 0x200000, 0x401000, PT_SIZE_2M, 0), -MEM_EALIGN, "pa 4K-aligned only");
	cr_expect_eq(pt_map(&pt, 0x1000, 0x2000, 8192, 0), -MEM_EINVAL, "page size");
	cr_expect_eq(pt_map(&pt, 0x40000000, 0, PT_SIZE_1G, 0), -MEM_EINVAL, "1 GiB: not made");
	cr_expect_eq(pt_map(&pt, 0x1000, 0x2000, PT_SIZE_4K, PTE_PS), -MEM_EINVAL, "PS flag");
	cr_expect_eq(pt_map(&pt, 0x1000, 0x2000, PT_SIZE_4K, 0x5000), -MEM_EINVAL, "address bits");
	cr_expect_eq(pt_map(&pt, 0x0000800000000000ull, 0, PT_SIZE_4K, 0), -MEM_EINVAL, "non-canonical");
	cr_expect_eq(pt_map(&pt, 0x1000, 1ull << 52, PT_SIZE_4K, 0), -MEM_ERANGE, "pa beyond 52 bits");
	cr_expect_eq(pt_unmap(&pt, 0x1008, PT_SIZE_4K), -MEM_EALIGN);
	cr_expect_eq(pt_unmap(&pt, 0x1000, 12345), -MEM_EINVAL);
	cr_expect_eq(pt_count_tables(&pt), 1, "only the PML4");
}

Test(pt, already_mapped)
{
	struct pt_mapping m;
	cr_assert_eq(pt_map(&pt, 0x5000, 0xa000, PT_SIZE_4K, PTE_W), 0);
	cr_expect_eq(pt_map(&pt, 0x5000, 0xb000, PT_SIZE_4K, 0), -MEM_EEXIST);
	m = translate_ok(0x5000);
	cr_expect_eq(m.pa, 0xa000, "a refused map leaves the old one");
	cr_expect_eq(m.flags, PTE_P | PTE_W);

	cr_assert_eq(pt_map(&pt, 0x600000, 0x800000, PT_SIZE_2M, 0), 0);
	cr_expect_eq(pt_map(&pt, 0x600000, 0xa00000, PT_SIZE_2M, 0), -MEM_EEXIST);
	/* A 2 MiB page over a table that holds a 4 KiB page. */
	cr_expect_eq(pt_map(&pt, 0, 0x200000, PT_SIZE_2M, 0), -MEM_EEXIST);
	cr_expect_eq(translate_ok(0x5000).pa, 0xa000);
}

/* Chosen behaviour: refuse, never split a 2 MiB page (see pt.h). */
Test(pt, small_page_inside_large_page)
{
	cr_assert_eq(pt_map(&pt, 0x200000, 0x400000, PT_SIZE_2M, PTE_W), 0);
	cr_expect_eq(pt_map(&pt, 0x201000, 0x9000, PT_SIZE_4K, 0), -MEM_EHUGE);
	cr_expect_eq(pt_unmap(&pt, 0x201000, PT_SIZE_4K), -MEM_EHUGE);
	cr_expect_eq(pt_protect(&pt, 0x201000, PT_SIZE_4K, 0), -MEM_EHUGE);
	struct pt_mapping m = translate_ok(0x201234);
	cr_expect_eq(m.pa, 0x401234, "the large page is intact");
	cr_expect_eq(m.size, PT_SIZE_2M);
	cr_expect_eq(pt_count_tables(&pt), 3, "no PT was created under it");
}

Test(pt, large_over_small)
{
	cr_assert_eq(pt_map(&pt, 0x403000, 0x9000, PT_SIZE_4K, 0), 0);
	cr_expect_eq(pt_unmap(&pt, 0x400000, PT_SIZE_2M), -MEM_ETABLE);
	cr_expect_eq(pt_protect(&pt, 0x400000, PT_SIZE_2M, 0), -MEM_ETABLE);
	cr_expect_eq(pt_map(&pt, 0x400000, 0x600000, PT_SIZE_2M, 0), -MEM_EEXIST);
	cr_expect_eq(pt_count_tables(&pt), 4);
	/* Once the table is empty, a 2 MiB map replaces (and frees) it. */
	cr_assert_eq(pt_unmap(&pt, 0x403000, PT_SIZE_4K), 0);
	cr_assert_eq(pt_map(&pt, 0x400000, 0x600000, PT_SIZE_2M, 0), 0);
	cr_expect_eq(pt_count_tables(&pt), 3);
	cr_expect_eq(nlive, 3, "the replaced table was given back");
	cr_expect_eq(translate_ok(0x403000).pa, 0x603000);
}

Test(pt, unmap)
{
	struct pt_mapping m;
	cr_expect_eq(pt_unmap(&pt, 0x7000, PT_SIZE_4K), -MEM_ENOENT, "no tables at all");
	cr_expect_eq(pt_unmap(&pt, 0x200000, PT_SIZE_2M), -MEM_ENOENT);
	cr_expect_eq(pt_count_tables(&pt), 1, "unmap creates no tables");

	cr_assert_eq(pt_map(&pt, 0x7000, 0x9000, PT_SIZE_4K, 0), 0);
	cr_expect_eq(pt_unmap(&pt, 0x8000, PT_SIZE_4K), -MEM_ENOENT, "table there, entry not");
	cr_assert_eq(pt_unmap(&pt, 0x7000, PT_SIZE_4K), 0);
	cr_expect_eq(pt_translate(&pt, 0x7000, &m), -MEM_ENOENT);
	cr_expect_eq(pt_unmap(&pt, 0x7000, PT_SIZE_4K), -MEM_ENOENT, "twice");

	cr_assert_eq(pt_map(&pt, 0x200000, 0x200000, PT_SIZE_2M, 0), 0);
	cr_assert_eq(pt_unmap(&pt, 0x200000, PT_SIZE_2M), 0);
	cr_expect_eq(pt_translate(&pt, 0x2fffff, &m), -MEM_ENOENT);
	/* Both pages can be mapped again. */
	cr_expect_eq(pt_map(&pt, 0x7000, 0xa000, PT_SIZE_4K, 0), 0);
	cr_expect_eq(pt_map(&pt, 0x200000, 0x400000, PT_SIZE_2M, 0), 0);
}

Test(pt, translate_errors)
{
	struct pt_mapping m;
	cr_expect_eq(pt_translate(&pt, 0, &m), -MEM_ENOENT);
	cr_expect_eq(pt_translate(&pt, 0xffffffffffffffffull, &m), -MEM_ENOENT);
	cr_expect_eq(pt_translate(&pt, 0x0000800000000000ull, &m), -MEM_EINVAL);
}

Test(pt, out_of_memory_for_tables)
{
	struct pt_mapping m;
	budget = 1;   /* a 4 KiB map in an empty space needs 3 tables */
	cr_expect_eq(pt_map(&pt, 0x1000, 0x5000, PT_SIZE_4K, 0), -MEM_ENOMEM);
	cr_expect_eq(pt_translate(&pt, 0x1000, &m), -MEM_ENOENT, "nothing half-mapped");
	budget = 1;
	cr_expect_eq(pt_map(&pt, 0x1000, 0x5000, PT_SIZE_4K, 0), -MEM_ENOMEM);
	budget = 1;   /* the tables made on the way stay: one more is enough */
	cr_assert_eq(pt_map(&pt, 0x1000, 0x5000, PT_SIZE_4K, 0), 0);
	cr_expect_eq(translate_ok(0x1000).pa, 0x5000);
	cr_expect_eq(pt_count_tables(&pt), 4);
	budget = 0;   /* a neighbour needs no new table */
	cr_expect_eq(pt_map(&pt, 0x2000, 0x6000, PT_SIZE_4K, 0), 0);
}

Test(pt, protect)
{
	struct pt_mapping m;
	cr_assert_eq(pt_map(&pt, 0x3000, 0x9000, PT_SIZE_4K, PTE_W), 0);
	cr_assert_eq(pt_protect(&pt, 0x3000, PT_SIZE_4K, PTE_NX), 0);
	m = translate_ok(0x3000);
	cr_expect_eq(m.pa, 0x9000, "the frame stays");
	cr_expect_eq(m.flags, PTE_P | PTE_NX);
	cr_expect_eq(pt_protect(&pt, 0x4000, PT_SIZE_4K, 0), -MEM_ENOENT);
	cr_expect_eq(pt_protect(&pt, 0x3000, PT_SIZE_4K, PTE_PS), -MEM_EINVAL);

	cr_assert_eq(pt_map(&pt, 0x400000, 0x600000, PT_SIZE_2M, 0), 0);
	cr_assert_eq(pt_protect(&pt, 0x400000, PT_SIZE_2M, PTE_W | PTE_G), 0);
	m = translate_ok(0x400010);
	cr_expect_eq(m.pa, 0x600010);
	cr_expect_eq(m.size, PT_SIZE_2M, "still a large page");
	cr_expect_eq(m.flags, PTE_P | PTE_W | PTE_G);
}

/* pt.c never makes 1 GiB pages, but reads them, and does not walk through them. */
Test(pt, existing_1g_page)
{
	cr_assert_eq(pt_map(&pt, 0x1000, 0x1000, PT_SIZE_4K, 0), 0);   /* makes PML4[0] -> PDPT */
	uint64_t *pdpt = pt_table(pte_addr(pt_table(pt.root)[0]));
	/* Bit 12 of a large-page entry is PAT, not address (SDM Table 4-16). */
	pdpt[3] = 0xc0000000 | (1ull << 12) | PTE_P | PTE_PS | PTE_W;
	struct pt_mapping m = translate_ok(0xc1234567);
	cr_expect_eq(m.pa, 0xc1234567);
	cr_expect_eq(m.size, PT_SIZE_1G);
	cr_expect_eq(pt_map(&pt, 0xc0200000, 0, PT_SIZE_2M, 0), -MEM_EHUGE);
	cr_expect_eq(pt_map(&pt, 0xc0001000, 0, PT_SIZE_4K, 0), -MEM_EHUGE);
	cr_expect_eq(pt_unmap(&pt, 0xc0000000, PT_SIZE_2M), -MEM_EHUGE);
}

Test(pt, destroy_frees_every_table)
{
	static const uint64_t vas[] = { 0, 0x40000000, 0x8000000000ull, 0xffff800000000000ull,
					0xffffffffffa00000ull };
	for (size_t i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
		cr_assert_eq(pt_map(&pt, vas[i], 0x200000, PT_SIZE_2M, 0), 0);
		cr_assert_eq(pt_map(&pt, vas[i] + PT_SIZE_2M, 0x1000, PT_SIZE_4K, 0), 0);
	}
	cr_expect_eq(pt_count_tables(&pt), (unsigned)nlive);
	pt_destroy(&pt);
	cr_expect_eq(nlive, 0);
}

/* Random maps and unmaps in a 16 MiB window, checked against a model. */
Test(pt, random_against_model)
{
	enum { PAGES = 4096 };            /* 4 KiB pages in the window */
	static uint64_t model[PAGES];     /* pa of each 4 KiB page, 0 when unmapped */
	const uint64_t base = 0xffffc00000000000ull;
	srand(11);
	for (int step = 0; step < 3000; step++) {
		bool big = rand() % 4 == 0;
		uint64_t size = big ? PT_SIZE_2M : PT_SIZE_4K;
		size_t per = size / PT_SIZE_4K;
		size_t first = (size_t)rand() % PAGES / per * per;
		uint64_t va = base + first * PT_SIZE_4K;
		uint64_t pa = ((uint64_t)rand() % 1000 + 1) * PT_SIZE_2M;
		if (rand() % 2) {
			int err = pt_map(&pt, va, pa, size, 0);
			if (err == 0)
				for (size_t k = 0; k < per; k++)
					model[first + k] = pa + k * PT_SIZE_4K;
		} else {
			int err = pt_unmap(&pt, va, size);
			if (err == 0)
				for (size_t k = 0; k < per; k++)
					model[first + k] = 0;
		}
	}
	for (size_t i = 0; i < PAGES; i++) {
		struct pt_mapping m;
		int err = pt_translate(&pt, base + i * PT_SIZE_4K, &m);
		if (model[i])
			cr_assert(err == 0 && m.pa == model[i], "page %zu: err %d pa %#lx, want %#lx",
				  i, err, m.pa, model[i]);
		else
			cr_assert_eq(err, -MEM_ENOENT, "page %zu should be unmapped", i);
	}
}
