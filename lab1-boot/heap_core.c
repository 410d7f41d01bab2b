/*
 * heap_core.c - size-class slabs and large blocks (see heap_core.h).
 *
 * Why size classes and not one free list with coalescing: a block's size
 * is implied by its page, allocation and free are O(1) apart from a short
 * bitmap scan, and a double free is caught exactly by the slot's bit. The
 * price is internal waste (a 600-byte block takes a 1024-byte slot), which
 * a teaching kernel can afford.
 */
#include "bitmap.h"
#include "heap_core.h"
#include "memerr.h"
#include "panic.h"

void heap_core_init(struct heap *h, void *(*pages_alloc)(size_t, void *),
		    void (*pages_free)(void *, size_t, void *), void *ctx)
{
	h->pages_alloc = pages_alloc;
	h->pages_free = pages_free;
	h->ctx = ctx;
	for (int c = 0; c < HEAP_CLASSES; c++)
		h->partial[c] = NULL;
}

int heap_class(size_t n)
{
	if (n > HEAP_SMALL_MAX)
		return -1;
	int cls = 0;
	while ((1ul << (HEAP_MIN_SHIFT + cls)) < n)
		cls++;
	return cls;
}

void heap_partial_push(struct heap *h, struct heap_slab *s)
{
	s->prev = NULL;
	s->next = h->partial[s->cls];
	if (s->next)
		s->next->prev = s;
	h->partial[s->cls] = s;
}

void heap_partial_remove(struct heap *h, struct heap_slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		h->partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
}

struct heap_slab *heap_slab_new(struct heap *h, int cls)
{
	struct heap_slab *s = h->pages_alloc(1, h->ctx);
	if (!s)
		return NULL;
	s->magic = HEAP_SLAB_MAGIC;
	s->cls = cls;
	s->size = 1u << (HEAP_MIN_SHIFT + cls);
	s->nslots = (uint32_t)((HEAP_PAGE_SIZE - HEAP_SLAB_HDR) / s->size);
	s->nfree = s->nslots;
	bitmap_clear_range(s->free, 0, HEAP_SLAB_MAX_SLOTS);
	bitmap_set_range(s->free, 0, s->nslots);
	heap_partial_push(h, s);
	return s;
}

void heap_slab_release(struct heap *h, struct heap_slab *s)
{
	heap_partial_remove(h, s);
	s->magic = HEAP_DEAD_MAGIC;
	h->pages_free(s, 1, h->ctx);
}

/*
 * heap_alloc - the kernel's malloc: a block of at least @n bytes.
 *
 * What to do:
 *  - Treat n == 0 as 1, so every call returns a distinct block to free.
 *  - Small (heap_class(n) >= 0): take the first slab on h->partial[cls],
 *    or make one with heap_slab_new() (NULL if that fails). Take its first
 *    free slot (bitmap_find_set on s->free), clear the slot's bit, lower
 *    s->nfree, and take a slab that became full off the list
 *    (heap_partial_remove). Slot i lives at (char *)s + HEAP_SLAB_HDR + i * s->size.
 *  - Large: pages for n bytes plus a struct heap_large header
 *    (HEAP_LARGE_HDR bytes) from h->pages_alloc; fill in the header
 *    (magic, npages) and return the address just after it. Refuse (NULL) an
 *    n so large that adding the header would wrap around.
 * 16-byte alignment comes free: pages are 4 KiB aligned, the headers are
 * rounded to 16 bytes and every slot size is a multiple of 16.
 */
void *heap_alloc(struct heap *h, size_t n)
{
	/* BEGIN SOLUTION lab1 */
	if (n == 0)
		n = 1;
	int cls = heap_class(n);
	if (cls < 0) {
		if (n > SIZE_MAX - HEAP_LARGE_HDR - HEAP_PAGE_SIZE)
			return NULL;
		size_t npages = (n + HEAP_LARGE_HDR + HEAP_PAGE_SIZE - 1) / HEAP_PAGE_SIZE;
		struct heap_large *l = h->pages_alloc(npages, h->ctx);
		if (!l)
			return NULL;
		l->magic = HEAP_LARGE_MAGIC;
		l->npages = npages;
		return (char *)l + HEAP_LARGE_HDR;
	}
	struct heap_slab *s = h->partial[cls];
	if (!s && !(s = heap_slab_new(h, cls)))
		return NULL;
	size_t i = bitmap_find_set(s->free, s->nslots, 0);
	bitmap_clear(s->free, i);
	if (--s->nfree == 0)
		heap_partial_remove(h, s);
	return (char *)s + HEAP_SLAB_HDR + i * s->size;
	/* END SOLUTION */
	/* STUB lab1
	NOT_IMPLEMENTED("lab1");
	*/
}

/*
 * heap_free - the kernel's free, which refuses to guess.
 *
 * What to do (check everything before changing anything):
 *  - NULL: nothing to do, return 0.
 *  - Not HEAP_ALIGN-aligned: no block starts there, -MEM_EFOREIGN.
 *  - Read the magic at the start of @p's page (p rounded down to 4 KiB):
 *    HEAP_LARGE_MAGIC: @p must be the page + HEAP_LARGE_HDR, else
 *      -MEM_EFOREIGN; mark the page HEAP_DEAD_MAGIC, then give back npages.
 *    HEAP_SLAB_MAGIC: @p must be the start of a slot (offset from the first
 *      slot a multiple of s->size, index below s->nslots), else
 *      -MEM_EFOREIGN; a slot whose bit is already set was freed before:
 *      -MEM_EDOUBLE. Otherwise set the bit, raise s->nfree; a slab that was
 *      full goes back on its list (heap_partial_push), a slab now entirely
 *      free goes back to the page allocator (heap_slab_release).
 *    HEAP_DEAD_MAGIC: the page was given back already: -MEM_EDOUBLE.
 *    Anything else: -MEM_EFOREIGN.
 */
int heap_free(struct heap *h, void *p)
{
	/* BEGIN SOLUTION lab1 */
	if (!p)
		return 0;
	uintptr_t addr = (uintptr_t)p;
	if (addr % HEAP_ALIGN)
		return -MEM_EFOREIGN;
	uintptr_t page = addr / HEAP_PAGE_SIZE * HEAP_PAGE_SIZE;
	switch (*(const uint64_t *)page) {
	case HEAP_LARGE_MAGIC: {
		struct heap_large *l = (struct heap_large *)page;
		if (addr != page + HEAP_LARGE_HDR)
			return -MEM_EFOREIGN;
		l->magic = HEAP_DEAD_MAGIC;
		h->pages_free(l, l->npages, h->ctx);
		return 0;
	}
	case HEAP_SLAB_MAGIC: {
		struct heap_slab *s = (struct heap_slab *)page;
		uintptr_t off = addr - page;
		if (off < HEAP_SLAB_HDR || (off - HEAP_SLAB_HDR) % s->size)
			return -MEM_EFOREIGN;
		size_t i = (off - HEAP_SLAB_HDR) / s->size;
		if (i >= s->nslots)
			return -MEM_EFOREIGN;
		if (bitmap_test(s->free, i))
			return -MEM_EDOUBLE;
		bitmap_set(s->free, i);
		if (s->nfree++ == 0)
			heap_partial_push(h, s);
		if (s->nfree == s->nslots)
			heap_slab_release(h, s);
		return 0;
	}
	case HEAP_DEAD_MAGIC:
		return -MEM_EDOUBLE;
	default:
		return -MEM_EFOREIGN;
	}
	/* END SOLUTION */
	/* STUB lab1
	NOT_IMPLEMENTED("lab1");
	*/
}
