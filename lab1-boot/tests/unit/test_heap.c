/*
 * test_heap.c - the heap's logic (heap_core.c) on the host, drawing its
 * pages from a pmm_core over an aligned arena, as the kernel draws them
 * from the real page allocator.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "heap_core.h"
#include "memerr.h"
#include "pmm_core.h"

#define ARENA_PAGES 64

static struct pmm_core frames;
static void *arena, *meta;
static struct heap h;
static long pages_out;   /* pages the heap holds right now */

/* Pages come back dirty on purpose: the heap must not rely on zeroed pages. */
static void *arena_pages_alloc(size_t n, void *ctx)
{
	uint64_t pa;
	if (pmm_core_alloc(&frames, n, &pa))
		return NULL;
	memset((void *)(uintptr_t)pa, 0xa5, n * HEAP_PAGE_SIZE);
	pages_out += (long)n;
	return (void *)(uintptr_t)pa;
}

static void arena_pages_free(void *p, size_t n, void *ctx)
{
	int err = pmm_core_free(&frames, (uintptr_t)p, n);
	cr_assert_eq(err, 0, "the heap gave back %zu page(s) at %p: %s", n, p, mem_strerror(err));
	pages_out -= (long)n;
}

static void setup(void)
{
	arena = aligned_alloc(HEAP_PAGE_SIZE, ARENA_PAGES * HEAP_PAGE_SIZE);
	meta = malloc(pmm_core_meta_bytes(ARENA_PAGES));
	cr_assert(arena && meta);
	pmm_core_init(&frames, meta, (uintptr_t)arena / HEAP_PAGE_SIZE, ARENA_PAGES);
	pmm_core_add(&frames, (uintptr_t)arena, ARENA_PAGES * HEAP_PAGE_SIZE);
	heap_core_init(&h, arena_pages_alloc, arena_pages_free, NULL);
	pages_out = 0;
}

static void teardown(void)
{
	free(arena);
	free(meta);
}

TestSuite(heap, .init = setup, .fini = teardown);

Test(heap, classes)
{
	cr_expect_eq(heap_class(0), 0);
	cr_expect_eq(heap_class(1), 0);
	cr_expect_eq(heap_class(16), 0);
	cr_expect_eq(heap_class(17), 1);
	cr_expect_eq(heap_class(1024), HEAP_CLASSES - 1);
	cr_expect_eq(heap_class(1025), -1);
}

Test(heap, small_blocks_aligned_and_disjoint)
{
	enum { N = 200 };
	unsigned char *b[N];
	size_t len[N];

	for (int i = 0; i < N; i++) {
		len[i] = 1 + (size_t)(i * 37) % HEAP_SMALL_MAX;
		b[i] = heap_alloc(&h, len[i]);
		cr_assert(b[i], "alloc %d (%zu bytes)", i, len[i]);
		cr_assert_eq((uintptr_t)b[i] % HEAP_ALIGN, 0);
		cr_assert((uintptr_t)b[i] >= (uintptr_t)arena &&
			  (uintptr_t)b[i] + len[i] <= (uintptr_t)arena + ARENA_PAGES * HEAP_PAGE_SIZE);
		memset(b[i], i, len[i]);
	}
	for (int i = 0; i < N; i++)
		for (size_t k = 0; k < len[i]; k++)
			cr_assert_eq(b[i][k], (unsigned char)i, "block %d byte %zu overwritten", i, k);
	for (int i = 0; i < N; i++)
		cr_assert_eq(heap_free(&h, b[i]), 0);
	cr_expect_eq(pages_out, 0, "every slab page goes back once empty");
}

Test(heap, zero_bytes_and_null)
{
	void *a = heap_alloc(&h, 0), *b = heap_alloc(&h, 0);
	cr_expect(a && b && a != b, "malloc(0) gives distinct blocks");
	cr_expect_eq(heap_free(&h, NULL), 0);
	cr_expect_eq(heap_free(&h, a), 0);
	cr_expect_eq(heap_free(&h, b), 0);
}

Test(heap, freed_slot_is_reused)
{
	void *keep = heap_alloc(&h, 100), *a = heap_alloc(&h, 100);
	cr_assert_eq(heap_free(&h, a), 0);
	cr_expect_eq(heap_alloc(&h, 128), a, "same class, the freed slot first");
	cr_expect_eq(pages_out, 1);
	(void)keep;
}

Test(heap, large_blocks_use_contiguous_pages)
{
	unsigned char *p = heap_alloc(&h, 5000);
	cr_assert(p);
	cr_expect_eq((uintptr_t)p % HEAP_ALIGN, 0);
	cr_expect_eq(pages_out, 2, "5000 bytes plus a header: two pages");
	memset(p, 0x11, 5000);
	cr_expect_eq(heap_free(&h, p), 0);
	cr_expect_eq(pages_out, 0);

	/* Exactly one page's worth does not fit in one page with the header. */
	p = heap_alloc(&h, HEAP_PAGE_SIZE);
	cr_expect_eq(pages_out, 2);
	cr_expect_eq(heap_free(&h, p), 0);
}

Test(heap, out_of_memory)
{
	cr_expect_null(heap_alloc(&h, SIZE_MAX), "would wrap around");
	cr_expect_null(heap_alloc(&h, SIZE_MAX - HEAP_PAGE_SIZE));
	cr_expect_null(heap_alloc(&h, (ARENA_PAGES + 1) * HEAP_PAGE_SIZE), "more than the arena");
	cr_expect_eq(pages_out, 0, "a failed allocation keeps nothing");

	/* Fill the arena with small blocks until the heap says no. */
	static void *b[ARENA_PAGES * HEAP_PAGE_SIZE / 64];
	int n = 0;
	while ((b[n] = heap_alloc(&h, 64)) != NULL)
		n++;
	cr_expect_eq(pages_out, ARENA_PAGES);
	cr_expect_gt(n, (ARENA_PAGES - 1) * (int)((HEAP_PAGE_SIZE - HEAP_SLAB_HDR) / 64));
	cr_expect_null(heap_alloc(&h, 2000), "no page left for a large block");
	while (n--)
		cr_assert_eq(heap_free(&h, b[n]), 0);
	cr_expect_eq(pages_out, 0);
}

Test(heap, double_free_small)
{
	void *keep = heap_alloc(&h, 32), *a = heap_alloc(&h, 32);
	cr_assert_eq(heap_free(&h, a), 0);
	cr_expect_eq(heap_free(&h, a), -MEM_EDOUBLE);
	/* The refused free changed nothing: the slot is handed out once more, once. */
	void *b = heap_alloc(&h, 32), *c = heap_alloc(&h, 32);
	cr_expect_eq(b, a);
	cr_expect_neq(c, a);
	cr_expect_eq(heap_free(&h, keep), 0);
	cr_expect_eq(heap_free(&h, b), 0);
	cr_expect_eq(heap_free(&h, c), 0);
	/* The slab went back to the page source; a free now finds a dead page. */
	cr_expect_eq(pages_out, 0);
	cr_expect_eq(heap_free(&h, c), -MEM_EDOUBLE);
}

Test(heap, double_free_large)
{
	void *p = heap_alloc(&h, 10000);
	cr_assert_eq(heap_free(&h, p), 0);
	cr_expect_eq(heap_free(&h, p), -MEM_EDOUBLE);
	cr_expect_eq(pages_out, 0);
}

Test(heap, foreign_pointers)
{
	unsigned char *s = heap_alloc(&h, 64), *l = heap_alloc(&h, 9000);
	long before = pages_out;

	cr_expect_eq(heap_free(&h, s + 1), -MEM_EFOREIGN, "misaligned");
	cr_expect_eq(heap_free(&h, s + 32), -MEM_EFOREIGN, "inside a 64-byte slot");
	uintptr_t slab = (uintptr_t)s / HEAP_PAGE_SIZE * HEAP_PAGE_SIZE;
	cr_expect_eq(heap_free(&h, (void *)(slab + 16)), -MEM_EFOREIGN, "inside the slab header");
	uint32_t nslots = ((struct heap_slab *)slab)->nslots;
	cr_expect_eq(heap_free(&h, (void *)(slab + HEAP_SLAB_HDR + nslots * 64)), -MEM_EFOREIGN,
		     "past the last slot");
	cr_expect_eq(heap_free(&h, l + 16), -MEM_EFOREIGN, "inside a large block");
	cr_expect_eq(heap_free(&h, l + HEAP_PAGE_SIZE), -MEM_EFOREIGN, "its second page");

	/* A page the heap never had, full of garbage. */
	uint64_t pa;
	cr_assert_eq(pmm_core_alloc(&frames, 1, &pa), 0);
	memset((void *)(uintptr_t)pa, 0x5c, HEAP_PAGE_SIZE);
	cr_expect_eq(heap_free(&h, (void *)(uintptr_t)(pa + 256)), -MEM_EFOREIGN);

	cr_expect_eq(pages_out, before, "refused frees change nothing");
	cr_expect_eq(heap_free(&h, s), 0);
	cr_expect_eq(heap_free(&h, l), 0);
	cr_expect_eq(pages_out, 0);
}

/* Random sizes, random order; every block keeps its bytes until freed. */
Test(heap, random_against_model)
{
	enum { LIVE = 48 };
	unsigned char *b[LIVE] = { 0 };
	size_t len[LIVE] = { 0 };

	srand(3);
	for (int step = 0; step < 4000; step++) {
		int i = rand() % LIVE;
		if (b[i]) {
			for (size_t k = 0; k < len[i]; k++)
				cr_assert_eq(b[i][k], (unsigned char)(i + len[i]),
					     "block %d (%zu bytes) damaged at %zu", i, len[i], k);
			cr_assert_eq(heap_free(&h, b[i]), 0);
			b[i] = NULL;
			continue;
		}
		len[i] = (size_t)rand() % (rand() % 8 ? 600 : 7000);
		b[i] = heap_alloc(&h, len[i]);
		if (!b[i])
			continue;   /* the arena is small: running out is allowed */
		cr_assert_eq((uintptr_t)b[i] % HEAP_ALIGN, 0);
		memset(b[i], (unsigned char)(i + len[i]), len[i]);
	}
	for (int i = 0; i < LIVE; i++)
		cr_assert_eq(heap_free(&h, b[i]), 0);
	cr_expect_eq(pages_out, 0);
}
