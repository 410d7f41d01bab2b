/*
 * test_bitmap.c - common/bitmap.c against a plain array of bools, over
 * ranges that start and end inside words, on word edges, and span words.
 */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include "bitmap.h"

#define NBITS 300   /* not a multiple of 64: the last word is partial */

static uint64_t bm[BITMAP_WORDS(NBITS)];
static bool ref[NBITS];

static void check_same(void)
{
	for (size_t i = 0; i < NBITS; i++)
		cr_assert_eq(bitmap_test(bm, i), ref[i], "bit %zu", i);
}

Test(bitmap, words_needed)
{
	cr_expect_eq(BITMAP_WORDS(0), 0);
	cr_expect_eq(BITMAP_WORDS(1), 1);
	cr_expect_eq(BITMAP_WORDS(64), 1);
	cr_expect_eq(BITMAP_WORDS(65), 2);
}

Test(bitmap, single_bits)
{
	bitmap_set(bm, 0);
	bitmap_set(bm, 63);
	bitmap_set(bm, 64);
	bitmap_set(bm, 299);
	cr_expect_eq(bm[0], 0x8000000000000001ull);
	cr_expect_eq(bm[1], 1);
	cr_expect(bitmap_test(bm, 299));
	cr_expect(!bitmap_test(bm, 298));
	bitmap_clear(bm, 63);
	cr_expect_eq(bm[0], 1);
}

/* Random ranges, each checked against the bool array after every step. */
Test(bitmap, ranges_match_reference)
{
	srand(1);
	for (int step = 0; step < 2000; step++) {
		size_t start = (size_t)rand() % NBITS;
		size_t n = (size_t)rand() % (NBITS - start + 1);
		bool all_set = true, all_clear = true;
		size_t count = 0;
		for (size_t i = start; i < start + n; i++) {
			all_set &= ref[i];
			all_clear &= !ref[i];
			count += ref[i];
		}
		cr_assert_eq(bitmap_all_set(bm, start, n), all_set, "all_set(%zu, %zu)", start, n);
		cr_assert_eq(bitmap_all_clear(bm, start, n), all_clear, "all_clear(%zu, %zu)", start, n);
		cr_assert_eq(bitmap_count(bm, start, n), count, "count(%zu, %zu)", start, n);

		size_t first = start;
		while (first < NBITS && !ref[first])
			first++;
		cr_assert_eq(bitmap_find_set(bm, NBITS, start), first, "find_set from %zu", start);

		bool value = rand() & 1;
		if (value)
			bitmap_set_range(bm, start, n);
		else
			bitmap_clear_range(bm, start, n);
		for (size_t i = start; i < start + n; i++)
			ref[i] = value;
		check_same();
	}
}

Test(bitmap, find_set_edges)
{
	cr_expect_eq(bitmap_find_set(bm, NBITS, 0), NBITS, "empty map");
	cr_expect_eq(bitmap_find_set(bm, NBITS, NBITS + 5), NBITS, "start past the end");
	bitmap_set_range(bm, 0, BITMAP_WORDS(NBITS) * 64);   /* bits past NBITS too */
	bitmap_clear_range(bm, 0, NBITS);
	cr_expect_eq(bitmap_find_set(bm, NBITS, 0), NBITS, "bits past nbits must not be found");
	bitmap_set(bm, 128);
	cr_expect_eq(bitmap_find_set(bm, NBITS, 0), 128);
	cr_expect_eq(bitmap_find_set(bm, NBITS, 128), 128);
	cr_expect_eq(bitmap_find_set(bm, NBITS, 129), NBITS);
	cr_expect_eq(bitmap_find_set(bm, 128, 0), 128, "limit below the only set bit");
}

Test(bitmap, empty_ranges)
{
	cr_expect(bitmap_all_set(bm, 10, 0));
	cr_expect(bitmap_all_clear(bm, 10, 0));
	cr_expect_eq(bitmap_count(bm, 10, 0), 0);
	bitmap_set_range(bm, 10, 0);
	cr_expect_eq(bitmap_count(bm, 0, NBITS), 0);
}
