/*
 * pmm_core.h - the physical frame allocator's pure logic: two bitmaps over
 * a range of 4 KiB frames. pmm.c wraps one instance of it for the kernel;
 * host unit tests drive other instances directly.
 *
 * Every frame of the range is in exactly one of three states:
 *
 *     state       bit in 'free'   bit in 'used'
 *     reserved          0               0      not RAM, or RAM the kernel keeps
 *     free              1               0      may be handed out
 *     allocated         0               1      handed out, may be freed
 *
 * Keeping 'reserved' apart from 'allocated' is what lets pmm_core_free()
 * tell a double free from a free of memory that was never RAM.
 * Nothing here touches the frames' contents: zeroing is the kernel's job.
 */
#ifndef HVLAB_PMM_CORE_H
#define HVLAB_PMM_CORE_H

#include <stddef.h>
#include <stdint.h>

#define PMM_FRAME_SHIFT 12
#define PMM_FRAME_SIZE (1ull << PMM_FRAME_SHIFT)
/** pages_alloc() aligns runs to their size rounded up to a power of two, up to this. */
#define PMM_MAX_ALIGN_FRAMES 512   /* 2 MiB */

struct pmm_core {
	uint64_t *free;      /* bit i set: frame i is free */
	uint64_t *used;      /* bit i set: frame i is allocated */
	uint64_t base_pfn;   /* frame number (address >> 12) of bit 0 */
	size_t nframes;      /* frames covered by the bitmaps */
	size_t nfree;        /* bits set in 'free' */
	size_t hint;         /* invariant: no free frame has an index below hint */
};

/** Bytes of bitmap storage pmm_core_init() needs for @nframes frames. */
size_t pmm_core_meta_bytes(size_t nframes);
/** Cover frames [@base_pfn, @base_pfn + @nframes), all reserved, with bitmaps
 *  kept in @meta (pmm_core_meta_bytes(nframes) bytes, 8-byte aligned). */
void pmm_core_init(struct pmm_core *p, void *meta, uint64_t base_pfn, size_t nframes);
/** Make the frames lying wholly inside [@base, @base + @len) free (RAM).
 *  The part outside the covered range is ignored. -MEM_EBUSY, changing
 *  nothing, if one of them is allocated. */
int pmm_core_add(struct pmm_core *p, uint64_t base, uint64_t len);
/** Withdraw every frame touching [@base, @base + @len): it is never handed
 *  out. The part outside the covered range is ignored. -MEM_EBUSY, changing
 *  nothing, if one of them is allocated. */
int pmm_core_reserve(struct pmm_core *p, uint64_t base, uint64_t len);
/** The alignment, in frames, of a run of @n frames: @n rounded up to a
 *  power of two, at most PMM_MAX_ALIGN_FRAMES. */
size_t pmm_core_align(size_t n);
/** Allocate @n contiguous frames aligned to pmm_core_align(n) frames (by
 *  physical address); store the first one's address in *@pa. The lowest
 *  such run is chosen. -MEM_EINVAL for n == 0, -MEM_ENOMEM when none. */
int pmm_core_alloc(struct pmm_core *p, size_t n, uint64_t *pa);
/** Free @n frames from @pa. Checks all of them first and changes nothing on
 *  error: -MEM_EALIGN (pa not frame-aligned), -MEM_EINVAL (n == 0),
 *  -MEM_ERANGE (outside the covered range), -MEM_EDOUBLE (a frame is
 *  free), -MEM_EFOREIGN (a frame is reserved: never handed out). */
int pmm_core_free(struct pmm_core *p, uint64_t pa, size_t n);
enum pmm_frame_state { PMM_RESERVED, PMM_FREE, PMM_ALLOCATED };
/** State of the frame holding @pa; PMM_RESERVED outside the covered range. */
enum pmm_frame_state pmm_core_state(const struct pmm_core *p, uint64_t pa);

#endif
