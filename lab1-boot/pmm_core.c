/*
 * pmm_core.c - the physical frame allocator's logic (see pmm_core.h).
 *
 * A frame's index i in the bitmaps is its frame number minus base_pfn; its
 * physical address is (base_pfn + i) << 12. The kernel covers all memory
 * from address 0 (base_pfn 0); host tests cover small ranges anywhere.
 */
#include "bitmap.h"
#include "memerr.h"
#include "panic.h"
#include "pmm_core.h"

size_t pmm_core_meta_bytes(size_t nframes)
{
	return 2 * BITMAP_WORDS(nframes) * sizeof(uint64_t);
}

void pmm_core_init(struct pmm_core *p, void *meta, uint64_t base_pfn, size_t nframes)
{
	size_t words = BITMAP_WORDS(nframes);

	p->free = meta;
	p->used = p->free + words;
	p->base_pfn = base_pfn;
	p->nframes = nframes;
	p->nfree = 0;
	p->hint = 0;
	bitmap_clear_range(p->free, 0, words * BITMAP_WORD_BITS);
	bitmap_clear_range(p->used, 0, words * BITMAP_WORD_BITS);
}

/*
 * Clip the frame numbers [first, end) to the covered range and turn them
 * into bitmap indexes; false when nothing is left.
 */
static bool clip(const struct pmm_core *p, uint64_t first, uint64_t end,
		 size_t *index, size_t *count)
{
	uint64_t lo = p->base_pfn, hi = p->base_pfn + p->nframes;

	if (first < lo)
		first = lo;
	if (end > hi)
		end = hi;
	if (first >= end)
		return false;
	*index = first - lo;
	*count = end - first;
	return true;
}

/* One past the last byte of [base, base + len), saturating instead of wrapping. */
static uint64_t range_end(uint64_t base, uint64_t len)
{
	return base + len < base ? UINT64_MAX : base + len;
}

int pmm_core_add(struct pmm_core *p, uint64_t base, uint64_t len)
{
	/* Only frames wholly inside the range: round the start up, the end down. */
	uint64_t first = (base >> PMM_FRAME_SHIFT) + (base % PMM_FRAME_SIZE != 0);
	uint64_t end = range_end(base, len) >> PMM_FRAME_SHIFT;
	size_t i, n;

	if (!clip(p, first, end, &i, &n))
		return 0;
	if (!bitmap_all_clear(p->used, i, n))
		return -MEM_EBUSY;
	p->nfree += n - bitmap_count(p->free, i, n);
	bitmap_set_range(p->free, i, n);
	if (i < p->hint)
		p->hint = i;
	return 0;
}

int pmm_core_reserve(struct pmm_core *p, uint64_t base, uint64_t len)
{
	/* Every frame the range touches: round the start down, the end up. */
	uint64_t first = base >> PMM_FRAME_SHIFT;
	uint64_t end = range_end(base, len) >> PMM_FRAME_SHIFT;
	size_t i, n;

	if (range_end(base, len) % PMM_FRAME_SIZE)
		end++;
	if (!clip(p, first, end, &i, &n))
		return 0;
	if (!bitmap_all_clear(p->used, i, n))
		return -MEM_EBUSY;
	p->nfree -= bitmap_count(p->free, i, n);
	bitmap_clear_range(p->free, i, n);
	return 0;
}

size_t pmm_core_align(size_t n)
{
	size_t align = 1;
	while (align < n && align < PMM_MAX_ALIGN_FRAMES)
		align *= 2;
	return align;
}

/*
 * pmm_core_alloc - find and take the lowest free run of @n frames whose
 * first frame number is a multiple of pmm_core_align(n).
 *
 * What to do:
 *  1. n == 0 is a caller's bug: return -MEM_EINVAL.
 *  2. Search from p->hint (no free frame lies below it): take the next free
 *     frame (bitmap_find_set on p->free), round its frame number
 *     (p->base_pfn + index) up to the alignment, and check that the n frames
 *     from there are all free (bitmap_all_set). If not, search again one
 *     frame further. Running past p->nframes means -MEM_ENOMEM.
 *  3. Move the run from 'free' to 'used' (bitmap_clear_range/bitmap_set_range),
 *     lower p->nfree, and for a single frame move p->hint past it (for a run,
 *     free frames may remain below it, so leave the hint alone).
 *  4. Store the run's physical address, (p->base_pfn + index) << 12, in *pa.
 * The alignment is what lets lab 3 back a guest's 2 MiB pages with one run:
 * a 2 MiB page must start on a 2 MiB boundary (Intel SDM Vol. 3A, 4.5,
 * Table 4-17: a PDE that maps a 2 MiB page holds bits 51:21 of its address).
 */
int pmm_core_alloc(struct pmm_core *p, size_t n, uint64_t *pa)
{
	/* BEGIN SOLUTION lab1 */
	if (n == 0)
		return -MEM_EINVAL;
	size_t align = pmm_core_align(n);
	size_t i = p->hint;
	for (;;) {
		i = bitmap_find_set(p->free, p->nframes, i);
		uint64_t pfn = (p->base_pfn + i + align - 1) / align * align;
		i = pfn - p->base_pfn;
		if (i >= p->nframes || n > p->nframes - i)
			return -MEM_ENOMEM;
		if (bitmap_all_set(p->free, i, n))
			break;
		i++;
	}
	bitmap_clear_range(p->free, i, n);
	bitmap_set_range(p->used, i, n);
	p->nfree -= n;
	if (n == 1)
		p->hint = i + 1;
	*pa = (p->base_pfn + i) << PMM_FRAME_SHIFT;
	return 0;
	/* END SOLUTION */
	/* STUB lab1
	NOT_IMPLEMENTED("lab1");
	*/
}

/*
 * pmm_core_free - give back @n frames from @pa, after checking that every
 * one of them is allocated right now.
 *
 * What to do:
 *  1. Check the arguments, in this order: n == 0 -> -MEM_EINVAL; @pa not a
 *     multiple of PMM_FRAME_SIZE -> -MEM_EALIGN; any frame outside
 *     [base_pfn, base_pfn + nframes) -> -MEM_ERANGE (beware of overflow).
 *  2. Check every frame before changing anything: a frame whose 'used' bit
 *     is clear is either free (-MEM_EDOUBLE: a double free) or reserved
 *     (-MEM_EFOREIGN: never handed out, e.g. the kernel image or a hole in
 *     RAM). Report the first such frame's state.
 *  3. Move the frames from 'used' to 'free', raise p->nfree, and lower
 *     p->hint to the run's index if it lies below it (keep the invariant).
 * Catching these bugs here, with the address, is far easier than chasing
 * the corruption a double free causes later.
 */
int pmm_core_free(struct pmm_core *p, uint64_t pa, size_t n)
{
	/* BEGIN SOLUTION lab1 */
	if (n == 0)
		return -MEM_EINVAL;
	if (pa % PMM_FRAME_SIZE)
		return -MEM_EALIGN;
	uint64_t pfn = pa >> PMM_FRAME_SHIFT;
	if (pfn < p->base_pfn || pfn - p->base_pfn >= p->nframes ||
	    n > p->nframes - (pfn - p->base_pfn))
		return -MEM_ERANGE;
	size_t i = pfn - p->base_pfn;
	for (size_t k = i; k < i + n; k++)
		if (!bitmap_test(p->used, k))
			return bitmap_test(p->free, k) ? -MEM_EDOUBLE : -MEM_EFOREIGN;
	bitmap_clear_range(p->used, i, n);
	bitmap_set_range(p->free, i, n);
	p->nfree += n;
	if (i < p->hint)
		p->hint = i;
	return 0;
	/* END SOLUTION */
	/* STUB lab1
	NOT_IMPLEMENTED("lab1");
	*/
}

enum pmm_frame_state pmm_core_state(const struct pmm_core *p, uint64_t pa)
{
	uint64_t pfn = pa >> PMM_FRAME_SHIFT;

	if (pfn < p->base_pfn || pfn - p->base_pfn >= p->nframes)
		return PMM_RESERVED;
	size_t i = pfn - p->base_pfn;
	if (bitmap_test(p->used, i))
		return PMM_ALLOCATED;
	return bitmap_test(p->free, i) ? PMM_FREE : PMM_RESERVED;
}
