/*
 * bitmap.h - arrays of bits in 64-bit words, bit i in word i/64 at i%64.
 *
 * Used by the physical page allocator (one bit per 4 KiB frame) and by
 * anything else that tracks many yes/no facts compactly. Range operations
 * work a word at a time where they can, so scanning a 4 GiB frame map
 * (a million bits) stays cheap even under Bochs.
 */
#ifndef HVLAB_BITMAP_H
#define HVLAB_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BITMAP_WORD_BITS 64
/** Words needed for @nbits bits. */
#define BITMAP_WORDS(nbits) (((nbits) + BITMAP_WORD_BITS - 1) / BITMAP_WORD_BITS)

static inline bool bitmap_test(const uint64_t *bm, size_t i)
{
	return (bm[i / BITMAP_WORD_BITS] >> (i % BITMAP_WORD_BITS)) & 1;
}

static inline void bitmap_set(uint64_t *bm, size_t i)
{
	bm[i / BITMAP_WORD_BITS] |= 1ull << (i % BITMAP_WORD_BITS);
}

static inline void bitmap_clear(uint64_t *bm, size_t i)
{
	bm[i / BITMAP_WORD_BITS] &= ~(1ull << (i % BITMAP_WORD_BITS));
}

/** Set bits [@start, @start + @n). */
void bitmap_set_range(uint64_t *bm, size_t start, size_t n);
/** Clear bits [@start, @start + @n). */
void bitmap_clear_range(uint64_t *bm, size_t start, size_t n);
/** True when every bit of [@start, @start + @n) is set (true for n == 0). */
bool bitmap_all_set(const uint64_t *bm, size_t start, size_t n);
/** True when every bit of [@start, @start + @n) is clear (true for n == 0). */
bool bitmap_all_clear(const uint64_t *bm, size_t start, size_t n);
/** Index of the first set bit at or after @from and below @nbits; @nbits when none. */
size_t bitmap_find_set(const uint64_t *bm, size_t nbits, size_t from);
/** Number of set bits in [@start, @start + @n). */
size_t bitmap_count(const uint64_t *bm, size_t start, size_t n);

#endif
