/*
 * heap.h - the kernel heap: small objects carved from pmm pages.
 * INTERFACE (fixed): kmalloc/kzalloc/kfree, 16-byte aligned, NULL on exhaustion.
 */
#ifndef HVLAB_HEAP_H
#define HVLAB_HEAP_H
#include <stddef.h>
void heap_init(void);
void *kmalloc(size_t n);
void *kzalloc(size_t n);
/** Free a kmalloc'd block; a double free or a foreign pointer panics with its address. */
void kfree(void *p);
#endif
