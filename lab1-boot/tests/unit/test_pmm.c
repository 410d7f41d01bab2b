/*
 * test_pmm.c - the frame allocator's logic (pmm_core.c) on the host.
 *
 * The core never touches the frames themselves, so these tests hand it
 * made-up physical ranges; only its bitmaps are real memory.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include "memerr.h"
#include "pmm_core.h"

#define F PMM_FRAME_SIZE
#define BASE_PFN 0x100            /* frames start at 1 MiB */
#define BASE (BASE_PFN * F)

static struct pmm_core p;
static void *meta;

/* Cover @nframes frames from @base_pfn, all reserved. */
static void setup_at(uint64_t base_pfn, size_t nframes)
{
	meta = malloc(pmm_core_meta_bytes(nframes));
	cr_assert(meta);
	pmm_core_init(&p, meta, base_pfn, nframes);
}

static void setup(size_t nframes)
{
	setup_at(BASE_PFN, nframes);
}

static void teardown(void)
{
	free(meta);
}

/* The free count matches the bitmap. */
static void check_consistent(void)
{
	size_t free_frames = 0;
	for (size_t i = 0; i < p.nframes; i++)
		free_frames += pmm_core_state(&p, (p.base_pfn + i) * F) == PMM_FREE;
	cr_assert_eq(p.nfree, free_frames, "nfree %zu, bitmap says %zu", p.nfree, free_frames);
}

static uint64_t alloc_ok(size_t n)
{
	uint64_t pa = 0;
	int err = pmm_core_alloc(&p, n, &pa);
	cr_assert_eq(err, 0, "alloc(%zu): %s", n, mem_strerror(err));
	return pa;
}

Test(pmm, starts_all_reserved, .fini = teardown)
{
	uint64_t pa = 0xdead;
	setup(64);
	cr_expect_eq(p.nfree, 0);
	cr_expect_eq(pmm_core_alloc(&p, 1, &pa), -MEM_ENOMEM);
	cr_expect_eq(pa, 0xdead, "a failed alloc must not write *pa");
	cr_expect_eq(pmm_core_state(&p, BASE), PMM_RESERVED);
}

Test(pmm, alloc_lowest_first_until_empty, .fini = teardown)
{
	uint64_t pa;
	setup(100);
	cr_assert_eq(pmm_core_add(&p, BASE, 100 * F), 0);
	cr_assert_eq(p.nfree, 100);
	for (size_t i = 0; i < 100; i++) {
		pa = alloc_ok(1);
		cr_assert_eq(pa, BASE + i * F, "frame %zu", i);
		cr_assert_eq(pmm_core_state(&p, pa), PMM_ALLOCATED);
	}
	cr_expect_eq(p.nfree, 0);
	cr_expect_eq(pmm_core_alloc(&p, 1, &pa), -MEM_ENOMEM, "exhausted memory");
	cr_expect_eq(pmm_core_alloc(&p, 2, &pa), -MEM_ENOMEM);
	/* Free all, then the same frames come back. */
	for (size_t i = 0; i < 100; i++)
		cr_assert_eq(pmm_core_free(&p, BASE + i * F, 1), 0);
	cr_expect_eq(p.nfree, 100);
	cr_expect_eq(alloc_ok(1), BASE);
	check_consistent();
}

Test(pmm, freed_low_frame_is_reused, .fini = teardown)
{
	setup(10);
	pmm_core_add(&p, BASE, 10 * F);
	for (int i = 0; i < 5; i++)
		alloc_ok(1);
	cr_assert_eq(pmm_core_free(&p, BASE + F, 1), 0);
	cr_expect_eq(alloc_ok(1), BASE + F, "the hint must move back on free");
	cr_expect_eq(alloc_ok(1), BASE + 5 * F);
}

Test(pmm, add_rounds_in_reserve_rounds_out, .fini = teardown)
{
	setup(16);
	/* [BASE + 100, BASE + 4F + 100): only frames 1..3 lie wholly inside. */
	cr_assert_eq(pmm_core_add(&p, BASE + 100, 4 * F), 0);
	cr_expect_eq(p.nfree, 3);
	cr_expect_eq(pmm_core_state(&p, BASE), PMM_RESERVED);
	cr_expect_eq(pmm_core_state(&p, BASE + 4 * F), PMM_RESERVED);
	/* One byte of frame 2 withdraws all of it; so does the last byte of frame 3. */
	cr_assert_eq(pmm_core_reserve(&p, BASE + 2 * F + 5, 1), 0);
	cr_expect_eq(pmm_core_state(&p, BASE + 2 * F), PMM_RESERVED);
	cr_assert_eq(pmm_core_reserve(&p, BASE + 4 * F - 1, 1), 0);
	cr_expect_eq(p.nfree, 1);
	cr_expect_eq(pmm_core_state(&p, BASE + F), PMM_FREE);
	/* Reserving again, or reserving non-RAM, changes nothing. */
	cr_assert_eq(pmm_core_reserve(&p, BASE, 16 * F), 0);
	cr_assert_eq(pmm_core_reserve(&p, BASE, 16 * F), 0);
	cr_expect_eq(p.nfree, 0);
	/* Adding twice counts once. */
	pmm_core_add(&p, BASE, 16 * F);
	pmm_core_add(&p, BASE, 16 * F);
	cr_expect_eq(p.nfree, 16);
	check_consistent();
}

Test(pmm, ranges_outside_are_clipped, .fini = teardown)
{
	setup(8);
	cr_assert_eq(pmm_core_add(&p, 0, UINT64_MAX), 0, "a huge range must not wrap");
	cr_expect_eq(p.nfree, 8);
	cr_assert_eq(pmm_core_reserve(&p, 0, BASE), 0, "below the covered range");
	cr_assert_eq(pmm_core_reserve(&p, BASE + 8 * F, 1 << 20), 0, "above it");
	cr_expect_eq(p.nfree, 8);
	cr_assert_eq(pmm_core_reserve(&p, BASE + 7 * F, UINT64_MAX), 0);
	cr_expect_eq(p.nfree, 7);
}

Test(pmm, free_errors_change_nothing, .fini = teardown)
{
	setup(32);
	pmm_core_add(&p, BASE, 16 * F);   /* frames 16..31 stay reserved */
	uint64_t a = alloc_ok(1), b = alloc_ok(1);
	size_t nfree = p.nfree;

	cr_expect_eq(pmm_core_free(&p, a, 0), -MEM_EINVAL);
	cr_expect_eq(pmm_core_free(&p, a + 8, 1), -MEM_EALIGN);
	cr_expect_eq(pmm_core_free(&p, BASE - F, 1), -MEM_ERANGE, "below the range");
	cr_expect_eq(pmm_core_free(&p, BASE + 32 * F, 1), -MEM_ERANGE, "past the end");
	cr_expect_eq(pmm_core_free(&p, BASE + 31 * F, 2), -MEM_ERANGE, "run crossing the end");
	cr_expect_eq(pmm_core_free(&p, a, SIZE_MAX), -MEM_ERANGE, "huge run");
	cr_expect_eq(pmm_core_free(&p, BASE + 5 * F, 1), -MEM_EDOUBLE, "free frame");
	cr_expect_eq(pmm_core_free(&p, BASE + 20 * F, 1), -MEM_EFOREIGN, "reserved frame");
	/* A run of a, b and a free frame: refused whole, a and b stay allocated. */
	cr_expect_eq(pmm_core_free(&p, a, 3), -MEM_EDOUBLE);
	cr_expect_eq(pmm_core_state(&p, a), PMM_ALLOCATED);
	cr_expect_eq(pmm_core_state(&p, b), PMM_ALLOCATED);
	cr_expect_eq(p.nfree, nfree);

	cr_assert_eq(pmm_core_free(&p, a, 2), 0);
	cr_expect_eq(pmm_core_free(&p, a, 1), -MEM_EDOUBLE, "double free");
	cr_expect_eq(p.nfree, nfree + 2);
	check_consistent();
}

Test(pmm, reserve_and_add_refuse_allocated, .fini = teardown)
{
	setup(8);
	pmm_core_add(&p, BASE, 8 * F);
	uint64_t a = alloc_ok(1);
	cr_expect_eq(pmm_core_reserve(&p, BASE, 8 * F), -MEM_EBUSY);
	cr_expect_eq(pmm_core_add(&p, a, F), -MEM_EBUSY);
	cr_expect_eq(p.nfree, 7, "a refused reserve changes nothing");
	cr_expect_eq(pmm_core_state(&p, a), PMM_ALLOCATED);
}

Test(pmm, alignment_of_runs)
{
	cr_expect_eq(pmm_core_align(1), 1);
	cr_expect_eq(pmm_core_align(2), 2);
	cr_expect_eq(pmm_core_align(3), 4);
	cr_expect_eq(pmm_core_align(512), 512);
	cr_expect_eq(pmm_core_align(513), PMM_MAX_ALIGN_FRAMES, "capped at 2 MiB");
}

/* Runs align by physical frame number, not by bitmap index: start the
 * covered range at an odd frame number. */
Test(pmm, runs_aligned_and_contiguous, .fini = teardown)
{
	static const size_t sizes[] = { 2, 3, 5, 8, 64, 100, 512, 700, 1 };
	uint64_t base_pfn = 0x1003;
	size_t nframes = 4096;

	setup_at(base_pfn, nframes);
	pmm_core_add(&p, base_pfn * F, nframes * F);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s], nfree = p.nfree;
		uint64_t pa = alloc_ok(n);
		uint64_t align = pmm_core_align(n) * F;
		cr_expect_eq(pa % align, 0, "run of %zu at %#lx not aligned to %#lx", n, pa, align);
		cr_expect(pa >= base_pfn * F && pa + n * F <= (base_pfn + nframes) * F);
		for (size_t k = 0; k < n; k++)
			cr_assert_eq(pmm_core_state(&p, pa + k * F), PMM_ALLOCATED,
				     "frame %zu of the run of %zu", k, n);
		cr_expect_eq(p.nfree, nfree - n);
	}
	check_consistent();
}

Test(pmm, run_needs_contiguous_free_frames, .fini = teardown)
{
	uint64_t pa;
	setup(64);
	pmm_core_add(&p, BASE, 64 * F);
	for (int i = 0; i < 64; i++)
		alloc_ok(1);
	for (int i = 0; i < 64; i += 2)          /* free every other frame */
		cr_assert_eq(pmm_core_free(&p, BASE + i * F, 1), 0);
	cr_expect_eq(p.nfree, 32);
	cr_expect_eq(pmm_core_alloc(&p, 2, &pa), -MEM_ENOMEM, "32 free frames, no two adjacent");
	cr_expect_eq(pmm_core_alloc(&p, 0, &pa), -MEM_EINVAL);
	cr_assert_eq(pmm_core_free(&p, BASE + 5 * F, 1), 0);   /* now 4,5 are free */
	cr_expect_eq(alloc_ok(2), BASE + 4 * F);
	/* A run may be freed in parts. */
	cr_assert_eq(pmm_core_free(&p, BASE + 5 * F, 1), 0);
	cr_assert_eq(pmm_core_free(&p, BASE + 4 * F, 1), 0);
	check_consistent();
}

Test(pmm, run_larger_than_memory, .fini = teardown)
{
	uint64_t pa;
	setup(8);
	pmm_core_add(&p, BASE, 8 * F);
	cr_expect_eq(pmm_core_alloc(&p, 9, &pa), -MEM_ENOMEM);
	cr_expect_eq(pmm_core_alloc(&p, SIZE_MAX, &pa), -MEM_ENOMEM);
	cr_expect_eq(alloc_ok(8), BASE, "the whole range is one aligned run");
	cr_expect_eq(p.nfree, 0);
}

/* Random allocations and frees against a model of who owns each frame. */
Test(pmm, random_against_model, .fini = teardown)
{
	enum { NF = 1024, LIVE = 64 };
	uint64_t run_pa[LIVE] = { 0 };
	size_t run_n[LIVE] = { 0 };
	int owner[NF];

	setup(NF);
	pmm_core_add(&p, BASE, NF * F);
	for (int i = 0; i < NF; i++)
		owner[i] = -1;
	srand(7);
	for (int step = 0; step < 5000; step++) {
		int slot = rand() % LIVE;
		if (run_n[slot]) {
			cr_assert_eq(pmm_core_free(&p, run_pa[slot], run_n[slot]), 0);
			for (size_t k = 0; k < run_n[slot]; k++)
				owner[(run_pa[slot] - BASE) / F + k] = -1;
			run_n[slot] = 0;
			continue;
		}
		size_t n = rand() % 4 ? 1 : 1 + (size_t)rand() % 40;
		uint64_t pa;
		int err = pmm_core_alloc(&p, n, &pa);
		if (err) {
			cr_assert_eq(err, -MEM_ENOMEM);
			continue;
		}
		cr_assert_eq(pa % (pmm_core_align(n) * F), 0);
		for (size_t k = 0; k < n; k++) {
			size_t f = (pa - BASE) / F + k;
			cr_assert_eq(owner[f], -1, "frame %zu handed out twice", f);
			owner[f] = slot;
		}
		run_pa[slot] = pa;
		run_n[slot] = n;
	}
	check_consistent();
}
