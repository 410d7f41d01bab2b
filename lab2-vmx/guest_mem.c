/*
 * guest_mem.c - a lab-2 guest's memory and the page tables that show it
 * to the guest at GUEST_BASE (guest_mem.h). Built with lab 1's pt.c.
 */
#include "guest_mem.h"
#include "hypercall.h"
#include "memerr.h"
#include "pmm.h"
#include "printf.h"
#include "string.h"

static uint64_t gm_table_alloc(void *ctx)
{
	(void)ctx;
	return page_alloc();
}

static void gm_table_free(uint64_t pa, void *ctx)
{
	(void)ctx;
	page_free(pa);
}

/* Round @n up to a power of two: pages_alloc() aligns runs that way anyway. */
static size_t round_pow2(size_t n)
{
	size_t p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

int guest_mem_init(struct guest_mem *m, const uint8_t *image, size_t image_size)
{
	size_t bytes = image_size + GUEST_STACK_MIN;
	if (bytes < GUEST_MEM_MIN_SIZE)
		bytes = GUEST_MEM_MIN_SIZE;
	size_t pages = round_pow2((bytes + PAGE_SIZE - 1) / PAGE_SIZE);

	memset(m, 0, sizeof(*m));
	m->pa = pages_alloc(pages);
	if (!m->pa) {
		kprintf("guest_mem_init: no run of %zu contiguous pages for the guest\n", pages);
		return -1;
	}
	m->pages = pages;
	m->base = GUEST_BASE;
	m->size = pages * PAGE_SIZE;

	int err = pt_init(&m->pt, gm_table_alloc, gm_table_free, NULL);
	/* Writable, executable, supervisor: the guest runs at CPL 0. */
	for (size_t i = 0; !err && i < pages; i++)
		err = pt_map(&m->pt, m->base + i * PAGE_SIZE, m->pa + i * PAGE_SIZE, PT_SIZE_4K,
			     PTE_W);
	if (err) {
		kprintf("guest_mem_init: page tables for %zu pages: %s\n", pages, mem_strerror(err));
		if (m->pt.root)
			pt_destroy(&m->pt);
		pages_free(m->pa, pages);
		memset(m, 0, sizeof(*m));
		return -1;
	}
	memcpy((void *)(uintptr_t)m->pa, image, image_size);
	return 0;
}

void guest_mem_destroy(struct guest_mem *m)
{
	if (m->pt.root)
		pt_destroy(&m->pt);
	if (m->pa)
		pages_free(m->pa, m->pages);
	memset(m, 0, sizeof(*m));
}
