/*
 * pmm.h - the physical page allocator: 4 KiB frames of RAM.
 *
 * INTERFACE (fixed; other modules and later labs rely on it):
 *   page_alloc()/page_free() for single zeroed frames, pages_alloc()/pages_free()
 *   for physically contiguous runs, pmm_free_count() for leak checks.
 * Every function returns 0 / an error on failure; the kernel decides whether
 * that is fatal. (Implementation: see pmm.c.)
 */
#ifndef HVLAB_PMM_H
#define HVLAB_PMM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096ul
struct memmap;

/** Keep [@base, @base + @len) out of the allocator from the start: call it
 *  before pmm_init() for what the loader left in RAM (multiboot modules).
 *  At most 8 ranges. */
void pmm_reserve_early(uint64_t base, uint64_t len);
/** Hand every usable frame of @m to the allocator, except the first MiB,
 *  the kernel image, the early reservations and its own bitmaps. */
void pmm_init(const struct memmap *m);
/** One zeroed 4 KiB frame; its physical address, or 0 when memory is exhausted. */
uint64_t page_alloc(void);
/** Return a frame from page_alloc(). Freeing a free or foreign frame panics
 *  with its address. */
void page_free(uint64_t pa);
/** @n contiguous zeroed frames aligned to @n rounded up to a power of two
 *  (at most 2 MiB alignment); 0 when no such run exists. */
uint64_t pages_alloc(size_t n);
/** Return @n frames from @pa (a pages_alloc() run, or part of one); panics
 *  like page_free() if one of them is not allocated. */
void pages_free(uint64_t pa, size_t n);
/** Frames currently free. */
size_t pmm_free_count(void);
/** Withdraw every frame touching [@base, @base + @len) from the allocator
 *  for good, after boot. Returns 0, or -MEM_EBUSY (memerr.h), changing
 *  nothing, when one of those frames is already handed out. */
int pmm_reserve(uint64_t base, uint64_t len);
/** True when the frame holding @pa is handed out right now (for tests). */
bool pmm_is_allocated(uint64_t pa);
#endif
