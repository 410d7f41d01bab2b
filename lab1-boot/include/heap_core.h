/*
 * heap_core.h - the kernel heap's pure logic: power-of-two size classes
 * carved from whole pages ("slabs"), and contiguous pages for big blocks.
 * heap.c wraps one instance for kmalloc/kfree; host tests drive others.
 *
 * Layout. Every page the heap holds starts with a header whose first word
 * is a magic number saying what the page is:
 *
 *   slab page:   [struct heap_slab | slot 0 | slot 1 | ... ]   all slots one class
 *   large block: [struct heap_large | the caller's bytes ...]  one or more pages
 *   given back:  magic HEAP_DEAD_MAGIC (until the page is reused)
 *
 * So kfree(p) finds the header at p rounded down to a page, and can tell
 * a live block from a double free (slot already free, page given back) or a
 * foreign pointer (no magic, or not the start of a slot). A slab whose slots
 * are all free goes back to the page allocator at once, so the pages the
 * heap holds return to zero when every block is freed: leak checks by
 * pmm_free_count() see through the heap.
 */
#ifndef HVLAB_HEAP_CORE_H
#define HVLAB_HEAP_CORE_H

#include <stddef.h>
#include <stdint.h>

#define HEAP_ALIGN 16                /* every block's address is a multiple of this */
#define HEAP_PAGE_SIZE 4096ul
#define HEAP_MIN_SHIFT 4             /* the smallest class: 16 bytes */
#define HEAP_CLASSES 7               /* 16, 32, ..., 1024 bytes */
#define HEAP_SMALL_MAX (1ul << (HEAP_MIN_SHIFT + HEAP_CLASSES - 1))
#define HEAP_SLAB_MAX_SLOTS (HEAP_PAGE_SIZE >> HEAP_MIN_SHIFT)

/* Page magics: "hvlabSLB", "hvlabLRG", "hvlabDED" spelled in ASCII hex. */
#define HEAP_SLAB_MAGIC  0x68766c6162534c42ull   /* a page of slots */
#define HEAP_LARGE_MAGIC 0x68766c61624c5247ull   /* the first page of a large block */
#define HEAP_DEAD_MAGIC  0x68766c6162444544ull   /* a page the heap gave back */

/* The header at the start of a slab page. */
struct heap_slab {
	uint64_t magic;                 /* HEAP_SLAB_MAGIC */
	uint32_t size;                  /* bytes per slot */
	uint32_t nslots;                /* slots in this page */
	uint32_t nfree;                 /* slots free now */
	int cls;                        /* size class: size == 16 << cls */
	struct heap_slab *prev, *next;  /* in heap.partial[cls] while nfree > 0 */
	uint64_t free[HEAP_SLAB_MAX_SLOTS / 64];   /* bit i set: slot i is free */
};
/* Slots start after the header, rounded up so each stays 16-byte aligned. */
#define HEAP_SLAB_HDR ((sizeof(struct heap_slab) + HEAP_ALIGN - 1) / HEAP_ALIGN * HEAP_ALIGN)

/* The header at the start of a large block's first page. */
struct heap_large {
	uint64_t magic;                 /* HEAP_LARGE_MAGIC */
	uint64_t npages;                /* pages in the block, header included */
};
#define HEAP_LARGE_HDR ((sizeof(struct heap_large) + HEAP_ALIGN - 1) / HEAP_ALIGN * HEAP_ALIGN)

struct heap {
	/* Where pages come from: @n contiguous page-aligned pages, or NULL. */
	void *(*pages_alloc)(size_t n, void *ctx);
	void (*pages_free)(void *p, size_t n, void *ctx);
	void *ctx;
	struct heap_slab *partial[HEAP_CLASSES];   /* slabs with a free slot, per class */
};

/** An empty heap drawing its pages from the two callbacks. */
void heap_core_init(struct heap *h, void *(*pages_alloc)(size_t, void *),
		    void (*pages_free)(void *, size_t, void *), void *ctx);
/** A block of at least @n bytes (n == 0 counts as 1), HEAP_ALIGN-aligned,
 *  not zeroed; NULL when no page is left or @n is absurdly large. */
void *heap_alloc(struct heap *h, size_t n);
/** Free @p (NULL is ignored): 0, -MEM_EDOUBLE for a block already free,
 *  -MEM_EFOREIGN for a pointer heap_alloc() did not return. On error
 *  nothing changes. */
int heap_free(struct heap *h, void *p);

/* Building blocks for heap_alloc()/heap_free(), provided. */

/** The size class for @n bytes (0 for 1..16, 1 for 17..32, ...), or -1
 *  when @n is above HEAP_SMALL_MAX and needs a large block. */
int heap_class(size_t n);
/** A fresh slab page for class @cls, every slot free, already on
 *  h->partial[cls]; NULL when the page allocator is empty. */
struct heap_slab *heap_slab_new(struct heap *h, int cls);
/** Give back a slab whose slots are all free (takes it off its list). */
void heap_slab_release(struct heap *h, struct heap_slab *s);
/** Put @s on / take @s off the list of slabs with free slots of its class. */
void heap_partial_push(struct heap *h, struct heap_slab *s);
void heap_partial_remove(struct heap *h, struct heap_slab *s);

#endif
