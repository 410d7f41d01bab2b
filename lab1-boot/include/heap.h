/*
 * heap.h - the kernel heap: small objects carved from pmm pages.
 * INTERFACE (fixed): kmalloc/kzalloc/kfree, 16-byte aligned, NULL on exhaustion.
 */
#ifndef HVLAB_HEAP_H
#define HVLAB_HEAP_H
#include <stddef.h>
/** Set up the heap (it takes no page until the first kmalloc). */
void heap_init(void);
/** @n bytes (0 counts as 1), 16-byte aligned, not zeroed; NULL when memory
 *  runs out. Blocks above 1 KiB are whole contiguous pages. (heap_core.h) */
void *kmalloc(size_t n);
/** kmalloc() and zero the block. */
void *kzalloc(size_t n);
/** Free a kmalloc'd block; a double free or a foreign pointer panics with its address. */
void kfree(void *p);
#endif
