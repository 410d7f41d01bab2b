/*
 * test_ept.c - the EPT builder (ept.c) on the host. Tables are real 4 KiB
 * aligned host memory, used as "physical" frames the way the identity-
 * mapped kernel uses them; mapped pages are just numbers, never touched.
 * The table allocator counts, refuses on demand, and checks that every
 * table freed was one it gave out. The raw entries are read with a walker
 * of this file's own, so encodings are checked against the SDM tables and
 * not against ept.c.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ept.h"
#include "memerr.h"

#define MAX_TABLES 1024
#define GiB (1ull << 30)
#define MiB (1ull << 20)
#define KiB (1ull << 10)

static uint64_t live[MAX_TABLES];
static int nlive;
static int budget;      /* tables table_alloc may still hand out */
static struct ept ept;

static uint64_t table_alloc(void *ctx)
{
	cr_assert_eq(ctx, &ept, "table_alloc got the wrong ctx");
	if (budget == 0 || nlive == MAX_TABLES)
		return 0;
	void *t = aligned_alloc(EPT_SIZE_4K, EPT_SIZE_4K);
	cr_assert(t);
	memset(t, 0, EPT_SIZE_4K);
	budget--;
	return live[nlive++] = (uintptr_t)t;
}

static void table_free(uint64_t pa, void *ctx)
{
	cr_assert_eq(ctx, &ept, "table_free got the wrong ctx");
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
	cr_assert_eq(ept_init(&ept, table_alloc, table_free, &ept), 0);
}

/* Every test ends by destroying its tables: none may leak. */
static void teardown(void)
{
	if (!ept.root)
		return;
	cr_expect_eq(ept.tables, (unsigned)nlive, "ept.tables %u, but %d tables are live",
		     ept.tables, nlive);
	ept_destroy(&ept);
	cr_expect_eq(nlive, 0, "%d tables leaked", nlive);
	cr_expect_eq(ept.tables, 0);
}

TestSuite(ept, .init = setup, .fini = teardown);

/* This file's own walk: the leaf entry deciding @gpa and its level, or NULL. */
static uint64_t *raw_leaf(uint64_t gpa, int *level)
{
	uint64_t *t = (uint64_t *)(uintptr_t)ept.root;
	for (int l = 4; l >= 1; l--) {
		uint64_t *p = &t[(gpa >> (12 + 9 * (l - 1))) & 511];
		if (!(*p & 7))
			return NULL;
		if (l == 1 || (*p & (1u << 7))) {
			*level = l;
			return p;
		}
		cr_assert_eq(*p & 0xff8, 0, "non-leaf entry %#lx has bits 11:3 set", *p);
		t = (uint64_t *)(uintptr_t)(*p & 0x000ffffffffff000ull);
	}
	return NULL;
}

static struct ept_mapping translate_ok(uint64_t gpa)
{
	struct ept_mapping m;
	int err = ept_translate(&ept, gpa, &m);
	cr_assert_eq(err, 0, "translate(%#lx): %s", gpa, mem_strerror(err));
	return m;
}

static void expect_unmapped(uint64_t gpa)
{
	struct ept_mapping m;
	int err = ept_translate(&ept, gpa, &m);
	cr_expect_eq(err, -MEM_ENOENT, "translate(%#lx): %s, expected not mapped", gpa,
		     mem_strerror(err));
}

/* @gpa maps to @hpa in a page of @size with @perms, write-back. */
static void expect_map(uint64_t gpa, uint64_t hpa, uint64_t size, unsigned perms)
{
	struct ept_mapping m = translate_ok(gpa);
	cr_expect_eq(m.hpa, hpa, "gpa %#lx: hpa %#lx, expected %#lx", gpa, m.hpa, hpa);
	cr_expect_eq(m.size, size, "gpa %#lx: size %#lx, expected %#lx", gpa, m.size, size);
	cr_expect_eq(m.perms, perms, "gpa %#lx: perms %u, expected %u", gpa, m.perms, perms);
	cr_expect_eq(m.memtype, EPT_MT_WB, "gpa %#lx: memtype %u", gpa, m.memtype);
}

static void map_ok(uint64_t gpa, uint64_t hpa, uint64_t size, unsigned perms)
{
	int err = ept_map(&ept, gpa, hpa, size, perms, EPT_MT_WB);
	cr_assert_eq(err, 0, "map(%#lx -> %#lx, size %#lx): %s", gpa, hpa, size, mem_strerror(err));
}

static void large_pages(void)
{
	ept.has_2m = ept.has_1g = true;
}

/* ---- init, eptp, teardown ---- */

Test(ept, init_out_of_memory)
{
	struct ept other;
	budget = 0;
	cr_expect_eq(ept_init(&other, table_alloc, table_free, &ept), -MEM_ENOMEM);
}

Test(ept, init_state)
{
	cr_expect_eq(ept.tables, 1);
	cr_expect_eq(nlive, 1);
	cr_expect_eq(ept.root, live[0]);
	cr_expect(!ept.ad && !ept.has_2m && !ept.has_1g && !ept.exec_only);
}

/* SDM 24.6.11, Table 24-8: bits 2:0 type 6 (WB), bits 5:3 walk length - 1, bit 6 A/D. */
Test(ept, eptp_encoding)
{
	cr_expect_eq(ept_eptp(&ept), ept.root | 6 | (3 << 3));
	ept.ad = true;
	cr_expect_eq(ept_eptp(&ept), ept.root | 6 | (3 << 3) | (1 << 6));
	cr_expect_eq(ept_eptp(&ept) & ~0xfffull, ept.root);
}

Test(ept, destroy_frees_every_table)
{
	large_pages();
	map_ok(0, 0x100000000ull, EPT_SIZE_1G, EPT_RWX);
	map_ok(2 * GiB, 0, EPT_SIZE_2M, EPT_R);
	map_ok(0x7f0000000000ull, 0x5000, EPT_SIZE_4K, EPT_R | EPT_X);
	cr_assert_eq(ept_unmap(&ept, 4 * KiB, 4 * KiB), 0, "split the 1 GiB page twice");
	cr_expect_gt(nlive, 6);
	ept_destroy(&ept);
	cr_expect_eq(nlive, 0, "%d tables leaked", nlive);
	cr_expect_eq(ept.tables, 0);
	ept_destroy(&ept);   /* twice: harmless */
	cr_expect_eq(nlive, 0);
}

/* ---- map and translate, each size ---- */

/* The entries written are the architectural ones (SDM Tables 28-1, 28-3, 28-5, 28-6). */
Test(ept, map_4k_builds_four_levels)
{
	uint64_t gpa = 0x8040201000ull, hpa = 0x123456000ull;
	cr_assert_eq(ept_map(&ept, gpa, hpa, EPT_SIZE_4K, EPT_R | EPT_W, EPT_MT_UC), 0);
	cr_expect_eq(ept.tables, 4);
	uint64_t *t = (uint64_t *)(uintptr_t)ept.root;
	for (int l = 4; l > 1; l--) {
		uint64_t e = t[(gpa >> (12 + 9 * (l - 1))) & 511];
		cr_assert_eq(e & 0xfff, 7, "level %d: a table entry is RWX and nothing else", l);
		t = (uint64_t *)(uintptr_t)(e & ~0xfffull);
	}
	cr_expect_eq(t[1], hpa | EPT_R | EPT_W | (EPT_MT_UC << 3));

	struct ept_mapping m = translate_ok(gpa + 0xabc);
	cr_expect_eq(m.hpa, hpa + 0xabc);
	cr_expect_eq(m.size, EPT_SIZE_4K);
	cr_expect_eq(m.perms, EPT_R | EPT_W);
	cr_expect_eq(m.memtype, EPT_MT_UC);
	cr_expect(!m.accessed && !m.dirty);
	expect_unmapped(gpa + EPT_SIZE_4K);
	expect_unmapped(gpa - EPT_SIZE_4K);
	expect_unmapped(0);
}

/* SDM Table 28-4: bit 7 set, type in 5:3, address in 51:21. */
Test(ept, map_2m_is_a_pd_leaf)
{
	ept.has_2m = true;
	uint64_t gpa = 0x40200000, hpa = 0x7fe00000;
	cr_assert_eq(ept_map(&ept, gpa, hpa, EPT_SIZE_2M, EPT_RWX, EPT_MT_WB), 0);
	cr_expect_eq(ept.tables, 3, "PML4, PDPT, PD: no PT");
	int level;
	uint64_t *p = raw_leaf(gpa, &level);
	cr_assert(p);
	cr_expect_eq(level, 2);
	cr_expect_eq(*p, hpa | EPT_RWX | (6 << 3) | (1 << 7));
	expect_map(gpa + 0x12345, hpa + 0x12345, EPT_SIZE_2M, EPT_RWX);
	expect_map(gpa + EPT_SIZE_2M - 1, hpa + EPT_SIZE_2M - 1, EPT_SIZE_2M, EPT_RWX);
	expect_unmapped(gpa + EPT_SIZE_2M);
	expect_unmapped(gpa - 1);
}

/* SDM Table 28-2: bit 7 set in a PDPT entry, address in 51:30. */
Test(ept, map_1g_is_a_pdpt_leaf)
{
	ept.has_1g = true;
	uint64_t gpa = 3 * GiB, hpa = 0x3c0000000ull;
	cr_assert_eq(ept_map(&ept, gpa, hpa, EPT_SIZE_1G, EPT_R | EPT_X, EPT_MT_WT), 0);
	cr_expect_eq(ept.tables, 2, "PML4, PDPT");
	int level;
	uint64_t *p = raw_leaf(gpa, &level);
	cr_assert(p);
	cr_expect_eq(level, 3);
	cr_expect_eq(*p, hpa | EPT_R | EPT_X | (EPT_MT_WT << 3) | (1 << 7));
	struct ept_mapping m = translate_ok(gpa + 0x3fffffff);
	cr_expect_eq(m.hpa, hpa + 0x3fffffff);
	cr_expect_eq(m.size, EPT_SIZE_1G);
	cr_expect_eq(m.perms, EPT_R | EPT_X);
	cr_expect_eq(m.memtype, EPT_MT_WT);
	expect_unmapped(gpa + EPT_SIZE_1G);
	expect_unmapped(gpa - 1);
}

Test(ept, map_every_valid_perms_and_memtype)
{
	static const unsigned perms[] = { EPT_R, EPT_R | EPT_W, EPT_R | EPT_X, EPT_RWX };
	static const unsigned types[] = { EPT_MT_UC, EPT_MT_WC, EPT_MT_WT, EPT_MT_WP, EPT_MT_WB };
	uint64_t gpa = 0;
	for (unsigned i = 0; i < 4; i++) {
		for (unsigned j = 0; j < 5; j++, gpa += EPT_SIZE_4K) {
			cr_assert_eq(ept_map(&ept, gpa, gpa + GiB, EPT_SIZE_4K, perms[i], types[j]), 0);
			struct ept_mapping m = translate_ok(gpa);
			cr_expect_eq(m.perms, perms[i]);
			cr_expect_eq(m.memtype, types[j]);
			cr_expect_eq(m.hpa, gpa + GiB);
		}
	}
	cr_expect_eq(ept.tables, 4, "20 neighbouring pages share one PT");
}

/* ---- refusals ---- */

Test(ept, refuses_unsupported_sizes)
{
	cr_expect_eq(ept_map(&ept, 0, 0, EPT_SIZE_2M, EPT_RWX, EPT_MT_WB), -MEM_EINVAL,
		     "2 MiB pages without has_2m");
	cr_expect_eq(ept_map(&ept, 0, 0, EPT_SIZE_1G, EPT_RWX, EPT_MT_WB), -MEM_EINVAL,
		     "1 GiB pages without has_1g");
	large_pages();
	cr_expect_eq(ept_map(&ept, 0, 0, 8 * KiB, EPT_RWX, EPT_MT_WB), -MEM_EINVAL);
	cr_expect_eq(ept_map(&ept, 0, 0, 0, EPT_RWX, EPT_MT_WB), -MEM_EINVAL);
	cr_expect_eq(ept_map(&ept, 0, 0, 512 * GiB, EPT_RWX, EPT_MT_WB), -MEM_EINVAL);
	cr_expect_eq(ept.tables, 1);
}

Test(ept, refuses_misalignment)
{
	large_pages();
	cr_expect_eq(ept_map(&ept, 0x1001, 0x1000, EPT_SIZE_4K, EPT_RWX, EPT_MT_WB), -MEM_EALIGN);
	cr_expect_eq(ept_map(&ept, 0x1000, 0x1800, EPT_SIZE_4K, EPT_RWX, EPT_MT_WB), -MEM_EALIGN);
	cr_expect_eq(ept_map(&ept, 0x201000, 0x200000, EPT_SIZE_2M, EPT_RWX, EPT_MT_WB), -MEM_EALIGN);
	cr_expect_eq(ept_map(&ept, 0x200000, 0x201000, EPT_SIZE_2M, EPT_RWX, EPT_MT_WB), -MEM_EALIGN);
	cr_expect_eq(ept_map(&ept, GiB + 2 * MiB, GiB, EPT_SIZE_1G, EPT_RWX, EPT_MT_WB), -MEM_EALIGN);
	cr_expect_eq(ept_map(&ept, GiB, GiB + 2 * MiB, EPT_SIZE_1G, EPT_RWX, EPT_MT_WB), -MEM_EALIGN);
	cr_expect_eq(ept.tables, 1, "a refused map makes no table");
}

/* SDM 28.2.3.1: write without read is a misconfiguration; so is execute-only unless supported. */
Test(ept, refuses_bad_perms)
{
	static const unsigned bad[] = { 0, EPT_W, EPT_W | EPT_X, EPT_X, 8, EPT_RWX | 8, 0x10 };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(ept_map(&ept, 0, 0, EPT_SIZE_4K, bad[i], EPT_MT_WB), -MEM_EINVAL,
			     "perms %#x must be refused", bad[i]);
	expect_unmapped(0);
	ept.exec_only = true;
	cr_expect_eq(ept_map(&ept, 0, 0, EPT_SIZE_4K, EPT_X, EPT_MT_WB), 0,
		     "execute-only where the CPU supports it");
	cr_expect_eq(translate_ok(0).perms, EPT_X);
	cr_expect_eq(ept_map(&ept, 0x1000, 0, EPT_SIZE_4K, EPT_W, EPT_MT_WB), -MEM_EINVAL,
		     "write-only stays a misconfiguration");
}

/* Memory types 2, 3 and 7 are reserved (SDM 28.2.3.1). */
Test(ept, refuses_reserved_memtypes)
{
	static const unsigned bad[] = { 2, 3, 7, 8, 0xff };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(ept_map(&ept, 0, 0, EPT_SIZE_4K, EPT_RWX, bad[i]), -MEM_EINVAL,
			     "memtype %u must be refused", bad[i]);
	expect_unmapped(0);
}

Test(ept, refuses_out_of_range)
{
	large_pages();
	struct ept_mapping m;
	cr_expect_eq(ept_map(&ept, EPT_GPA_LIMIT, 0, EPT_SIZE_4K, EPT_RWX, EPT_MT_WB), -MEM_ERANGE);
	cr_expect_eq(ept_map(&ept, 1ull << 63, 0, EPT_SIZE_4K, EPT_RWX, EPT_MT_WB), -MEM_ERANGE);
	cr_expect_eq(ept_map(&ept, 0, EPT_HPA_LIMIT, EPT_SIZE_4K, EPT_RWX, EPT_MT_WB), -MEM_ERANGE);
	cr_expect_eq(ept_map(&ept, 0, EPT_HPA_LIMIT - GiB, EPT_SIZE_2M, EPT_RWX, EPT_MT_WB), 0,
		     "the last host-physical GiB is fine");
	cr_expect_eq(ept_translate(&ept, EPT_GPA_LIMIT, &m), -MEM_ERANGE);
	/* The last page below 2^48 is the last the walk reaches. */
	map_ok(EPT_GPA_LIMIT - EPT_SIZE_1G, 0, EPT_SIZE_1G, EPT_R);
	expect_map(EPT_GPA_LIMIT - 1, EPT_SIZE_1G - 1, EPT_SIZE_1G, EPT_R);
	cr_expect_eq(ept_map_range(&ept, EPT_GPA_LIMIT - GiB - 4 * KiB, 0, GiB + 8 * KiB, EPT_R,
				   EPT_MT_WB), -MEM_ERANGE, "a range past 2^48");
}

Test(ept, refuses_overlap)
{
	large_pages();
	map_ok(0x201000, 0x1000, EPT_SIZE_4K, EPT_RWX);
	map_ok(0x600000, 0x600000, EPT_SIZE_2M, EPT_RWX);
	map_ok(2 * GiB, 0, EPT_SIZE_1G, EPT_RWX);
	unsigned tables = ept.tables;
	struct { uint64_t gpa, size; const char *what; } cases[] = {
		{ 0x201000, EPT_SIZE_4K, "the same 4 KiB page" },
		{ 0x200000, EPT_SIZE_2M, "2 MiB over a 4 KiB page" },
		{ 0, EPT_SIZE_1G, "1 GiB over a 4 KiB page" },
		{ 0x7ff000, EPT_SIZE_4K, "4 KiB inside a 2 MiB page" },
		{ 0x600000, EPT_SIZE_2M, "the same 2 MiB page" },
		{ 2 * GiB + 0x5000, EPT_SIZE_4K, "4 KiB inside a 1 GiB page" },
		{ 2 * GiB + 0x400000, EPT_SIZE_2M, "2 MiB inside a 1 GiB page" },
		{ 2 * GiB, EPT_SIZE_1G, "the same 1 GiB page" },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(ept_map(&ept, cases[i].gpa, 0x40000000, cases[i].size, EPT_R, EPT_MT_WB),
			     -MEM_EEXIST, "%s must be refused", cases[i].what);
	cr_expect_eq(ept.tables, tables, "refusals made or freed tables");
	expect_map(0x201000, 0x1000, EPT_SIZE_4K, EPT_RWX);
	expect_map(0x600000, 0x600000, EPT_SIZE_2M, EPT_RWX);
	expect_map(2 * GiB, 0, EPT_SIZE_1G, EPT_RWX);
	/* Neighbours of each are free. */
	map_ok(0x200000, 0, EPT_SIZE_4K, EPT_R);
	map_ok(0x800000, 0, EPT_SIZE_2M, EPT_R);
	map_ok(3 * GiB, 0, EPT_SIZE_1G, EPT_R);
}

/* A walk that runs out of tables half-way leaves none behind, whatever the point. */
Test(ept, map_out_of_memory_leaks_nothing)
{
	uint64_t gpa = 0x123456789000ull;
	for (int b = 0; b < 3; b++) {
		budget = b;
		cr_expect_eq(ept_map(&ept, gpa, 0, EPT_SIZE_4K, EPT_RWX, EPT_MT_WB), -MEM_ENOMEM,
			     "budget %d of the 3 tables needed", b);
		cr_expect_eq(nlive, 1, "budget %d: %d tables left behind", b, nlive);
		cr_expect_eq(ept.tables, 1);
	}
	budget = 3;
	map_ok(gpa, 0, EPT_SIZE_4K, EPT_RWX);
	cr_expect_eq(nlive, 4);
}

/* Tables shared with an existing mapping survive a failed map beside it. */
Test(ept, map_out_of_memory_keeps_shared_tables)
{
	map_ok(0x1000, 0x1000, EPT_SIZE_4K, EPT_RWX);
	budget = 1;   /* the new PD, not the PT below it */
	cr_expect_eq(ept_map(&ept, GiB + 0x200000, 0, EPT_SIZE_4K, EPT_RWX, EPT_MT_WB), -MEM_ENOMEM);
	cr_expect_eq(nlive, 4);
	expect_map(0x1000, 0x1000, EPT_SIZE_4K, EPT_RWX);
	expect_unmapped(GiB + 0x200000);
}

/* ---- map_range ---- */

Test(ept, map_range_uses_largest_pages)
{
	large_pages();
	uint64_t gpa = GiB - 2 * MiB - 4 * KiB, hpa = 5 * GiB - 2 * MiB - 4 * KiB;
	uint64_t len = 4 * KiB + 2 * MiB + GiB + 2 * MiB + 4 * KiB;
	cr_assert_eq(ept_map_range(&ept, gpa, hpa, len, EPT_RWX, EPT_MT_WB), 0);
	expect_map(gpa, hpa, EPT_SIZE_4K, EPT_RWX);
	expect_map(GiB - 2 * MiB, 5 * GiB - 2 * MiB, EPT_SIZE_2M, EPT_RWX);
	expect_map(GiB, 5 * GiB, EPT_SIZE_1G, EPT_RWX);
	expect_map(2 * GiB - 1, 6 * GiB - 1, EPT_SIZE_1G, EPT_RWX);
	expect_map(2 * GiB, 6 * GiB, EPT_SIZE_2M, EPT_RWX);
	expect_map(2 * GiB + 2 * MiB, 6 * GiB + 2 * MiB, EPT_SIZE_4K, EPT_RWX);
	expect_unmapped(gpa - 1);
	expect_unmapped(gpa + len);
	/* PML4, PDPT, PD + PT below 1 GiB, PD + PT above 2 GiB */
	cr_expect_eq(ept.tables, 6);
}

Test(ept, map_range_follows_hpa_alignment)
{
	large_pages();
	/* gpa is 2 MiB aligned, hpa only 4 KiB: only 4 KiB pages fit both. */
	cr_assert_eq(ept_map_range(&ept, 0x200000, 0x301000, 4 * MiB, EPT_R, EPT_MT_WB), 0);
	for (uint64_t off = 0; off < 4 * MiB; off += 0x7f000)
		expect_map(0x200000 + off, 0x301000 + off, EPT_SIZE_4K, EPT_R);
	cr_expect_eq(ept.tables, 5, "two PTs");
}

Test(ept, map_range_follows_cpu_support)
{
	ept.has_2m = true;   /* no 1 GiB pages */
	cr_assert_eq(ept_map_range(&ept, GiB, GiB, GiB, EPT_RWX, EPT_MT_WB), 0);
	expect_map(GiB + 0x12345, GiB + 0x12345, EPT_SIZE_2M, EPT_RWX);
	expect_map(2 * GiB - 1, 2 * GiB - 1, EPT_SIZE_2M, EPT_RWX);
	ept.has_2m = false;
	cr_assert_eq(ept_map_range(&ept, 0, 0, 2 * MiB, EPT_RWX, EPT_MT_WB), 0);
	expect_map(0x1ff000, 0x1ff000, EPT_SIZE_4K, EPT_RWX);
}

Test(ept, map_range_refusals)
{
	cr_expect_eq(ept_map_range(&ept, 0, 0, 0, EPT_RWX, EPT_MT_WB), -MEM_EINVAL);
	cr_expect_eq(ept_map_range(&ept, 0, 0, 0x1800, EPT_RWX, EPT_MT_WB), -MEM_EALIGN);
	cr_expect_eq(ept_map_range(&ept, 0x800, 0, 0x1000, EPT_RWX, EPT_MT_WB), -MEM_EALIGN);
	cr_expect_eq(ept_map_range(&ept, 0, 0x800, 0x1000, EPT_RWX, EPT_MT_WB), -MEM_EALIGN);
	cr_expect_eq(ept_map_range(&ept, 0, 0, 0x1000, EPT_W, EPT_MT_WB), -MEM_EINVAL);
	cr_expect_eq(ept_map_range(&ept, 0, 0, 0x1000, EPT_RWX, 3), -MEM_EINVAL);
	cr_expect_eq(ept_map_range(&ept, 0, EPT_HPA_LIMIT - 0x1000, 0x2000, EPT_RWX, EPT_MT_WB),
		     -MEM_ERANGE);
	cr_expect_eq(ept.tables, 1);
}

/* A range that runs into a mapping is undone: nothing of it stays. */
Test(ept, map_range_overlap_rolls_back)
{
	large_pages();
	map_ok(0x600000 + 0x3000, 0x9000, EPT_SIZE_4K, EPT_R);
	unsigned tables = ept.tables;
	cr_expect_eq(ept_map_range(&ept, 0x1000, 0x1000, 0x800000, EPT_RWX, EPT_MT_WB), -MEM_EEXIST);
	for (uint64_t a = 0x1000; a < 0x801000; a += 0x1000)
		if (a != 0x603000)
			expect_unmapped(a);
	expect_map(0x603000, 0x9000, EPT_SIZE_4K, EPT_R);
	cr_expect_eq(ept.tables, tables);
}

Test(ept, map_range_out_of_memory_rolls_back)
{
	large_pages();
	for (int b = 0; b < 6; b++) {
		budget = b;   /* 6 needed: PDPT, PD, PT below, PDPT... */
		int err = ept_map_range(&ept, 0x1000, 0x1000, 512 * GiB + 4 * MiB, EPT_RWX, EPT_MT_WB);
		cr_expect_eq(err, -MEM_ENOMEM, "budget %d: %s", b, mem_strerror(err));
		cr_expect_eq(nlive, 1, "budget %d: %d tables left", b, nlive);
		expect_unmapped(0x1000);
		expect_unmapped(GiB);
	}
}

/* ---- unmap ---- */

Test(ept, unmap_frees_empty_tables)
{
	map_ok(0x1000, 0x1000, EPT_SIZE_4K, EPT_RWX);
	map_ok(0x2000, 0x2000, EPT_SIZE_4K, EPT_RWX);
	map_ok(0x7f8000000000ull, 0, EPT_SIZE_4K, EPT_RWX);
	cr_expect_eq(ept.tables, 7);
	cr_assert_eq(ept_unmap(&ept, 0x1000, 0x1000), 0);
	expect_unmapped(0x1000);
	expect_map(0x2000, 0x2000, EPT_SIZE_4K, EPT_RWX);
	cr_expect_eq(ept.tables, 7, "the PT still holds 0x2000");
	cr_assert_eq(ept_unmap(&ept, 0x2000, 0x1000), 0);
	cr_expect_eq(ept.tables, 4, "PT, PD, PDPT of the low half freed");
	cr_assert_eq(ept_unmap(&ept, 0, EPT_GPA_LIMIT), 0);
	cr_expect_eq(ept.tables, 1);
	cr_expect_eq(nlive, 1);
}

Test(ept, unmap_nothing_is_fine)
{
	cr_expect_eq(ept_unmap(&ept, 0x5000, 0x1000), 0);
	cr_expect_eq(ept_unmap(&ept, 0, 0), 0);
	cr_expect_eq(ept_unmap(&ept, 0, EPT_GPA_LIMIT), 0);
	cr_expect_eq(ept_unmap(&ept, 0x800, 0x1000), -MEM_EALIGN);
	cr_expect_eq(ept_unmap(&ept, 0x1000, 0x800), -MEM_EALIGN);
	cr_expect_eq(ept_unmap(&ept, EPT_GPA_LIMIT, 0x1000), -MEM_ERANGE);
	cr_expect_eq(ept_unmap(&ept, EPT_GPA_LIMIT - 0x1000, 0x2000), -MEM_ERANGE);
	cr_expect_eq(ept.tables, 1);
}

Test(ept, unmap_whole_large_pages_does_not_split)
{
	large_pages();
	map_ok(0x200000, 0, EPT_SIZE_2M, EPT_RWX);
	map_ok(GiB, 0, EPT_SIZE_1G, EPT_RWX);
	budget = 0;   /* a split would fail */
	cr_expect_eq(ept_unmap(&ept, 0x200000, 2 * MiB), 0);
	cr_expect_eq(ept_unmap(&ept, GiB, GiB), 0);
	expect_unmapped(0x200000);
	expect_unmapped(GiB);
	cr_expect_eq(ept.tables, 1);
}

Test(ept, unmap_splits_2m_page)
{
	ept.has_2m = true;
	map_ok(0x200000, 0x40000000, EPT_SIZE_2M, EPT_R | EPT_W);
	cr_assert_eq(ept_unmap(&ept, 0x201000, 0x2000), 0);
	expect_map(0x200000, 0x40000000, EPT_SIZE_4K, EPT_R | EPT_W);
	expect_map(0x200fff, 0x40000fff, EPT_SIZE_4K, EPT_R | EPT_W);
	expect_unmapped(0x201000);
	expect_unmapped(0x202fff);
	expect_map(0x203000, 0x40003000, EPT_SIZE_4K, EPT_R | EPT_W);
	expect_map(0x3ff123, 0x401ff123, EPT_SIZE_4K, EPT_R | EPT_W);
	expect_unmapped(0x400000);
	cr_expect_eq(ept.tables, 4, "one new PT");
	int level;
	uint64_t *p = raw_leaf(0x203000, &level);
	cr_assert(p);
	cr_expect_eq(*p, 0x40003000 | EPT_R | EPT_W | (6 << 3), "a 4 KiB leaf has no bit 7");
}

Test(ept, unmap_splits_1g_page_twice)
{
	ept.has_1g = true;
	uint64_t g = GiB, h = 8 * GiB;
	map_ok(g, h, EPT_SIZE_1G, EPT_RWX);
	cr_assert_eq(ept_unmap(&ept, g + 2 * MiB + 4 * KiB, 4 * KiB), 0);
	expect_map(g, h, EPT_SIZE_2M, EPT_RWX);
	expect_map(g + 2 * MiB, h + 2 * MiB, EPT_SIZE_4K, EPT_RWX);
	expect_unmapped(g + 2 * MiB + 4 * KiB);
	expect_map(g + 2 * MiB + 8 * KiB, h + 2 * MiB + 8 * KiB, EPT_SIZE_4K, EPT_RWX);
	expect_map(g + 4 * MiB - 1, h + 4 * MiB - 1, EPT_SIZE_4K, EPT_RWX);
	expect_map(g + 4 * MiB, h + 4 * MiB, EPT_SIZE_2M, EPT_RWX);
	expect_map(g + GiB - 1, h + GiB - 1, EPT_SIZE_2M, EPT_RWX);
	cr_expect_eq(ept.tables, 4, "a PD from the 1 GiB page, a PT from one 2 MiB page");
	int level;
	uint64_t *p = raw_leaf(g + 4 * MiB, &level);
	cr_assert(p);
	cr_expect_eq(level, 2);
	cr_expect_eq(*p, (h + 4 * MiB) | EPT_RWX | (6 << 3) | (1 << 7));
}

/* A range from the middle of one 2 MiB page to the middle of the next. */
Test(ept, unmap_across_two_large_pages)
{
	ept.has_2m = true;
	map_ok(0x400000, 0x1000000, EPT_SIZE_2M, EPT_RWX);
	map_ok(0x600000, 0x3000000, EPT_SIZE_2M, EPT_R);
	cr_assert_eq(ept_unmap(&ept, 0x5ff000, 0x2000), 0);
	expect_map(0x5fe000, 0x11fe000, EPT_SIZE_4K, EPT_RWX);
	expect_unmapped(0x5ff000);
	expect_unmapped(0x600000);
	expect_map(0x601000, 0x3001000, EPT_SIZE_4K, EPT_R);
	cr_expect_eq(ept.tables, 5);
	/* Unmapping the rest frees the two PTs and everything above. */
	cr_assert_eq(ept_unmap(&ept, 0x400000, 4 * MiB), 0);
	cr_expect_eq(ept.tables, 1);
}

/* A split keeps the accessed and dirty flags the CPU set on the large page. */
Test(ept, split_keeps_accessed_dirty)
{
	ept.has_2m = ept.ad = true;
	map_ok(0, 0x600000, EPT_SIZE_2M, EPT_RWX);
	int level;
	uint64_t *p = raw_leaf(0, &level);
	cr_assert(p);
	*p |= (1 << 8) | (1 << 9);   /* as the CPU does (SDM 28.2.4) */
	cr_assert_eq(ept_unmap(&ept, 0x100000, 0x1000), 0);
	struct ept_mapping m = translate_ok(0x1ff000);
	cr_expect_eq(m.size, EPT_SIZE_4K);
	cr_expect_eq(m.hpa, 0x7ff000);
	cr_expect(m.accessed && m.dirty);
	cr_expect(translate_ok(0).dirty);
}

Test(ept, unmap_split_out_of_memory_changes_nothing)
{
	large_pages();
	map_ok(0, 0, EPT_SIZE_1G, EPT_RWX);
	budget = 0;
	cr_expect_eq(ept_unmap(&ept, 0x200000, 0x1000), -MEM_ENOMEM);
	expect_map(0x200000, 0x200000, EPT_SIZE_1G, EPT_RWX);
	budget = 1;   /* the 1 GiB page splits, its 2 MiB page does not */
	cr_expect_eq(ept_unmap(&ept, 0x201000, 0x1000), -MEM_ENOMEM);
	expect_map(0x201000, 0x201000, EPT_SIZE_2M, EPT_RWX);
	expect_map(GiB - 1, GiB - 1, EPT_SIZE_2M, EPT_RWX);
}

/* ---- protect ---- */

Test(ept, protect_changes_rights_only)
{
	map_ok(0x1000, 0xabc000, EPT_SIZE_4K, EPT_RWX);
	int level;
	uint64_t *p = raw_leaf(0x1000, &level);
	cr_assert(p);
	uint64_t before = *p;
	cr_assert_eq(ept_protect(&ept, 0x1000, 0x1000, EPT_R), 0);
	cr_expect_eq(*p, (before & ~7ull) | EPT_R);
	expect_map(0x1000, 0xabc000, EPT_SIZE_4K, EPT_R);
	cr_assert_eq(ept_protect(&ept, 0x1000, 0x1000, EPT_R | EPT_X), 0);
	expect_map(0x1000, 0xabc000, EPT_SIZE_4K, EPT_R | EPT_X);
	cr_expect_eq(ept_protect(&ept, 0x1000, 0, EPT_R), 0, "an empty range");
}

Test(ept, protect_splits_2m_at_edges)
{
	ept.has_2m = true;
	map_ok(0x200000, 0x800000, EPT_SIZE_2M, EPT_RWX);
	cr_assert_eq(ept_protect(&ept, 0x201000, 0x1000, EPT_R), 0);
	expect_map(0x200000, 0x800000, EPT_SIZE_4K, EPT_RWX);
	expect_map(0x201000, 0x801000, EPT_SIZE_4K, EPT_R);
	expect_map(0x202000, 0x802000, EPT_SIZE_4K, EPT_RWX);
	expect_map(0x3ff000, 0x9ff000, EPT_SIZE_4K, EPT_RWX);
}

Test(ept, protect_splits_1g_at_edges)
{
	ept.has_1g = ept.has_2m = true;
	map_ok(0, 4 * GiB, EPT_SIZE_1G, EPT_RWX);
	/* From inside one 2 MiB page to inside another, over whole ones between. */
	cr_assert_eq(ept_protect(&ept, 0x3ff000, 0x401000 + 0x1000 - 0x3ff000 + 2 * MiB, EPT_R), 0);
	expect_map(0x3fe000, 4 * GiB + 0x3fe000, EPT_SIZE_4K, EPT_RWX);
	expect_map(0x3ff000, 4 * GiB + 0x3ff000, EPT_SIZE_4K, EPT_R);
	expect_map(0x400000, 4 * GiB + 0x400000, EPT_SIZE_2M, EPT_R);
	expect_map(0x601000, 4 * GiB + 0x601000, EPT_SIZE_4K, EPT_R);
	expect_map(0x602000, 4 * GiB + 0x602000, EPT_SIZE_4K, EPT_RWX);
	expect_map(GiB - 1, 5 * GiB - 1, EPT_SIZE_2M, EPT_RWX);
	cr_expect_eq(ept.tables, 5, "a PD and two PTs");
}

Test(ept, protect_refuses_holes_and_changes_nothing)
{
	ept.has_2m = true;
	map_ok(0, 0, EPT_SIZE_4K, EPT_RWX);
	map_ok(0x2000, 0x2000, EPT_SIZE_4K, EPT_RWX);
	cr_expect_eq(ept_protect(&ept, 0, 0x3000, EPT_R), -MEM_ENOENT);
	expect_map(0, 0, EPT_SIZE_4K, EPT_RWX);
	expect_map(0x2000, 0x2000, EPT_SIZE_4K, EPT_RWX);
	map_ok(0x400000, 0x400000, EPT_SIZE_2M, EPT_RWX);
	unsigned tables = ept.tables;
	cr_expect_eq(ept_protect(&ept, 0x500000, 2 * MiB, EPT_R), -MEM_ENOENT);
	expect_map(0x500000, 0x500000, EPT_SIZE_2M, EPT_RWX);
	cr_expect_eq(ept.tables, tables, "no split before a refusal");
	cr_expect_eq(ept_protect(&ept, 0x10000000, 0x1000, EPT_R), -MEM_ENOENT);
}

Test(ept, protect_refusals)
{
	map_ok(0, 0, EPT_SIZE_4K, EPT_RWX);
	cr_expect_eq(ept_protect(&ept, 0, 0x1000, 0), -MEM_EINVAL, "0: use unmap");
	cr_expect_eq(ept_protect(&ept, 0, 0x1000, EPT_W), -MEM_EINVAL);
	cr_expect_eq(ept_protect(&ept, 0, 0x1000, EPT_X), -MEM_EINVAL);
	cr_expect_eq(ept_protect(&ept, 0, 0x1000, 9), -MEM_EINVAL);
	cr_expect_eq(ept_protect(&ept, 0x800, 0x1000, EPT_R), -MEM_EALIGN);
	cr_expect_eq(ept_protect(&ept, EPT_GPA_LIMIT, 0x1000, EPT_R), -MEM_ERANGE);
	expect_map(0, 0, EPT_SIZE_4K, EPT_RWX);
	ept.exec_only = true;
	cr_expect_eq(ept_protect(&ept, 0, 0x1000, EPT_X), 0);
	cr_expect_eq(translate_ok(0).perms, EPT_X);
}

Test(ept, protect_split_out_of_memory_changes_nothing)
{
	ept.has_2m = true;
	map_ok(0, 0, EPT_SIZE_2M, EPT_RWX);
	budget = 0;
	cr_expect_eq(ept_protect(&ept, 0x1000, 0x1000, EPT_R), -MEM_ENOMEM);
	expect_map(0x1000, 0x1000, EPT_SIZE_2M, EPT_RWX);
}

/* ---- accessed / dirty harvest ---- */

#define MAX_REPORTS 16
static struct { uint64_t gpa, size; } reports[MAX_REPORTS];
static int nreports;

static void record(uint64_t gpa, uint64_t size, void *ctx)
{
	cr_assert_eq(ctx, &nreports);
	cr_assert_lt(nreports, MAX_REPORTS);
	reports[nreports].gpa = gpa;
	reports[nreports].size = size;
	nreports++;
}

/* What the CPU does on an access through @gpa (SDM 28.2.4). */
static void cpu_touch(uint64_t gpa, bool write)
{
	int level;
	uint64_t *p = raw_leaf(gpa, &level);
	cr_assert(p, "touch of unmapped %#lx", gpa);
	*p |= (1 << 8) | (write ? 1 << 9 : 0);
}

static void harvest(uint64_t gpa, uint64_t len)
{
	nreports = 0;
	int err = ept_harvest_dirty(&ept, gpa, len, record, &nreports);
	cr_assert_eq(err, 0, "harvest: %s", mem_strerror(err));
}

Test(ept, harvest_needs_ad)
{
	cr_expect_eq(ept_harvest_dirty(&ept, 0, 0x1000, record, &nreports), -MEM_EINVAL);
	ept.ad = true;
	cr_expect_eq(ept_harvest_dirty(&ept, 0x800, 0x1000, record, &nreports), -MEM_EALIGN);
	cr_expect_eq(ept_harvest_dirty(&ept, EPT_GPA_LIMIT, 0x1000, record, &nreports), -MEM_ERANGE);
}

Test(ept, harvest_reports_dirty_pages_and_clears)
{
	ept.ad = ept.has_2m = true;
	cr_assert_eq(ept_map_range(&ept, 0, 0, 16 * KiB, EPT_RWX, EPT_MT_WB), 0);
	map_ok(0x400000, 0x400000, EPT_SIZE_2M, EPT_RWX);
	cpu_touch(0x1000, true);
	cpu_touch(0x2000, false);   /* read only: accessed, not dirty */
	cpu_touch(0x3000, true);
	cpu_touch(0x456789, true);
	harvest(0, GiB);
	cr_assert_eq(nreports, 3);
	cr_expect_eq(reports[0].gpa, 0x1000);
	cr_expect_eq(reports[0].size, EPT_SIZE_4K);
	cr_expect_eq(reports[1].gpa, 0x3000);
	cr_expect_eq(reports[1].size, EPT_SIZE_4K);
	cr_expect_eq(reports[2].gpa, 0x400000);
	cr_expect_eq(reports[2].size, EPT_SIZE_2M);
	for (uint64_t a = 0; a < 0x4000; a += 0x1000) {
		struct ept_mapping m = translate_ok(a);
		cr_expect(!m.accessed && !m.dirty, "flags of %#lx not cleared", a);
	}
	cr_expect(!translate_ok(0x400000).dirty);
	harvest(0, GiB);
	cr_expect_eq(nreports, 0, "a second harvest finds nothing new");
	cpu_touch(0x0, true);
	harvest(0x1000, 0x3000);
	cr_expect_eq(nreports, 0, "0x0 is outside the range");
	cr_expect(translate_ok(0).dirty, "and keeps its flag");
}

/* A large page across the range's edge is reported clipped and keeps its flags. */
Test(ept, harvest_large_page_across_edge)
{
	ept.ad = ept.has_2m = true;
	map_ok(0x200000, 0x200000, EPT_SIZE_2M, EPT_RWX);
	cpu_touch(0x200000, true);
	harvest(0x201000, 0x2000);
	cr_assert_eq(nreports, 1);
	cr_expect_eq(reports[0].gpa, 0x201000);
	cr_expect_eq(reports[0].size, 0x2000);
	cr_expect(translate_ok(0x200000).dirty, "the rest of the page may be dirty too");
	harvest(0x100000, 0x200000);
	cr_assert_eq(nreports, 1);
	cr_expect_eq(reports[0].gpa, 0x200000);
	cr_expect_eq(reports[0].size, 0x100000);
	harvest(0x200000, 2 * MiB);
	cr_assert_eq(nreports, 1);
	cr_expect_eq(reports[0].size, 2 * MiB);
	cr_expect(!translate_ok(0x200000).dirty);
	cr_expect(!translate_ok(0x200000).accessed);
	cr_expect_eq(ept.tables, 3, "harvest never splits");
}
