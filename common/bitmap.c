/*
 * bitmap.c - range operations on bitmaps (see bitmap.h).
 *
 * A range [start, end) touches a first partial word, whole words, and a
 * last partial word; next_chunk() hands them out one at a time as
 * (word index, mask of the range's bits in that word), so each operation
 * below is one short loop.
 */
#include "bitmap.h"

/* The next word of [*start, end) and the mask of the range's bits in it;
 * advances *start past that word. Call only while *start < end. */
static size_t next_chunk(size_t *start, size_t end, uint64_t *mask)
{
	size_t w = *start / BITMAP_WORD_BITS;
	size_t lo = *start % BITMAP_WORD_BITS;
	size_t word_end = (w + 1) * BITMAP_WORD_BITS;
	size_t hi = end < word_end ? end % BITMAP_WORD_BITS : BITMAP_WORD_BITS;
	uint64_t below_hi = hi == BITMAP_WORD_BITS ? ~0ull : (1ull << hi) - 1;

	*mask = below_hi & ~((1ull << lo) - 1);
	*start = end < word_end ? end : word_end;
	return w;
}

void bitmap_set_range(uint64_t *bm, size_t start, size_t n)
{
	uint64_t mask;
	for (size_t end = start + n; start < end;) {
		size_t w = next_chunk(&start, end, &mask);
		bm[w] |= mask;
	}
}

void bitmap_clear_range(uint64_t *bm, size_t start, size_t n)
{
	uint64_t mask;
	for (size_t end = start + n; start < end;) {
		size_t w = next_chunk(&start, end, &mask);
		bm[w] &= ~mask;
	}
}

bool bitmap_all_set(const uint64_t *bm, size_t start, size_t n)
{
	uint64_t mask;
	for (size_t end = start + n; start < end;) {
		size_t w = next_chunk(&start, end, &mask);
		if ((bm[w] & mask) != mask)
			return false;
	}
	return true;
}

bool bitmap_all_clear(const uint64_t *bm, size_t start, size_t n)
{
	uint64_t mask;
	for (size_t end = start + n; start < end;) {
		size_t w = next_chunk(&start, end, &mask);
		if (bm[w] & mask)
			return false;
	}
	return true;
}

size_t bitmap_find_set(const uint64_t *bm, size_t nbits, size_t from)
{
	if (from >= nbits)
		return nbits;
	size_t w = from / BITMAP_WORD_BITS;
	uint64_t word = bm[w] & (~0ull << (from % BITMAP_WORD_BITS));
	for (;;) {
		if (word) {
			size_t i = w * BITMAP_WORD_BITS + (size_t)__builtin_ctzll(word);
			return i < nbits ? i : nbits;
		}
		if (++w >= BITMAP_WORDS(nbits))
			return nbits;
		word = bm[w];
	}
}

size_t bitmap_count(const uint64_t *bm, size_t start, size_t n)
{
	size_t count = 0;
	uint64_t mask;
	for (size_t end = start + n; start < end;) {
		size_t w = next_chunk(&start, end, &mask);
		/* Clear the lowest set bit until none is left (no libgcc popcount in the kernel). */
		for (uint64_t x = bm[w] & mask; x; x &= x - 1)
			count++;
	}
	return count;
}
