/*
 * heap.c - kmalloc/kzalloc/kfree: one heap_core instance fed by the page
 * allocator, behind a spinlock. The kernel is identity-mapped, so a frame's
 * physical address is a usable pointer.
 */
#include "heap.h"
#include "heap_core.h"
#include "memerr.h"
#include "panic.h"
#include "pmm.h"
#include "printf.h"
#include "spinlock.h"
#include "string.h"

static struct heap kheap;
static struct spinlock heap_lock = SPINLOCK_INIT("heap");

/* The heap's page source: pages_alloc() for any run, so big blocks are
 * physically contiguous too (devices and guests may need that). */
static void *heap_pages_alloc(size_t n, void *ctx)
{
	return (void *)(uintptr_t)pages_alloc(n);
}

static void heap_pages_free(void *p, size_t n, void *ctx)
{
	pages_free((uint64_t)(uintptr_t)p, n);
}

/* No page is taken until the first kmalloc(). */
void heap_init(void)
{
	heap_core_init(&kheap, heap_pages_alloc, heap_pages_free, NULL);
	kprintf("heap: size classes %lu..%lu bytes, larger blocks from contiguous pages\n",
		1ul << HEAP_MIN_SHIFT, HEAP_SMALL_MAX);
}

void *kmalloc(size_t n)
{
	spin_lock_irqsave(&heap_lock);
	void *p = heap_alloc(&kheap, n);
	spin_unlock_irqrestore(&heap_lock);
	return p;
}

void *kzalloc(size_t n)
{
	void *p = kmalloc(n);
	if (p)
		memset(p, 0, n);
	return p;
}

/* A bad free is a bug in the caller: stop with the pointer and the reason. */
void kfree(void *p)
{
	spin_lock_irqsave(&heap_lock);
	int err = heap_free(&kheap, p);
	spin_unlock_irqrestore(&heap_lock);
	if (err)
		panic("kfree: %p: %s", p, mem_strerror(err));
}
