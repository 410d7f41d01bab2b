/*
 * guest_mem.h - a lab-2 guest's memory: one contiguous run of host pages,
 * seen by the guest at GUEST_BASE through page tables the hypervisor builds.
 *
 * Lab 2 has no EPT: the guest's CR3 holds a host-physical address and its
 * page tables map guest-virtual addresses straight to host-physical frames.
 * The tables live outside the guest's memory, but nothing stops the guest
 * from loading a CR3 of its own that maps any host memory: the guest is NOT
 * isolated. Lab 3 (EPT) closes that gap.
 *
 * Every pointer a guest hands the hypervisor (a hypercall buffer, a string
 * I/O buffer) goes through guest_mem_ptr(), which accepts only ranges that
 * lie wholly inside [GUEST_BASE, GUEST_BASE + size).
 */
#ifndef HVLAB_GUEST_MEM_H
#define HVLAB_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>
#include "pt.h"

#define GUEST_MEM_MIN_SIZE  (256ul * 1024)   /* at least this much, image included */
#define GUEST_STACK_MIN     (16ul * 1024)    /* free space kept above the image */

struct guest_mem {
	uint64_t pa;       /* host-physical base of the run (pages_alloc) */
	size_t pages;      /* its length in 4 KiB pages */
	uint64_t base;     /* guest-virtual address of its first byte: GUEST_BASE */
	uint64_t size;     /* pages * PAGE_SIZE */
	struct pt pt;      /* the guest's page tables; pt.root is its CR3 */
};

/**
 * Allocate memory for an image of @image_size bytes (rounded up to hold the
 * image, a stack of GUEST_STACK_MIN, and at least GUEST_MEM_MIN_SIZE), build
 * page tables mapping it at GUEST_BASE, and copy @image in at GUEST_BASE.
 * 0, or -1 when memory runs out (nothing is left allocated).
 */
int guest_mem_init(struct guest_mem *m, const uint8_t *image, size_t image_size);
/** Free the pages and the page tables: pmm_free_count() is as before init. */
void guest_mem_destroy(struct guest_mem *m);
/**
 * The host pointer for the @len bytes at guest-virtual @gva, or NULL when
 * any of them lies outside the guest's memory. Written so that no sum can
 * overflow: a guest may pass any 64-bit values.
 */
static inline void *guest_mem_ptr(const struct guest_mem *m, uint64_t gva, uint64_t len)
{
	if (gva < m->base)
		return NULL;
	uint64_t off = gva - m->base;
	if (off > m->size || len > m->size - off)
		return NULL;
	return (void *)(uintptr_t)(m->pa + off);
}

#endif
