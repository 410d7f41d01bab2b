/*
 * pmm.c - the kernel's physical page allocator: one pmm_core covering all
 * frames from address 0 to the top of RAM, behind a spinlock.
 *
 * The kernel is identity-mapped (virtual == physical for all RAM), so a
 * frame's physical address is also a pointer to its bytes.
 */
#include "memerr.h"
#include "memmap.h"
#include "panic.h"
#include "pmm.h"
#include "pmm_core.h"
#include "printf.h"
#include "spinlock.h"

/* Below 1 MiB live the BIOS data, the EBDA, the SMP trampoline (0x8000)
 * and the legacy ROMs: never hand it out. */
#define PMM_LOW_RESERVED (1ull << 20)

extern char _kernel_start[], _kernel_end[];   /* kernel.ld */

/* Ranges named by pmm_reserve_early() before pmm_init(): boot modules. */
#define PMM_EARLY_MAX 8

static struct pmm_core kpmm;
static struct spinlock pmm_lock = SPINLOCK_INIT("pmm");
static struct { uint64_t base, len; } early[PMM_EARLY_MAX];
static int nearly;

static uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

void pmm_reserve_early(uint64_t base, uint64_t len)
{
	if (nearly == PMM_EARLY_MAX)
		panic("pmm_reserve_early: more than %d ranges", PMM_EARLY_MAX);
	early[nearly].base = base;
	early[nearly].len = len;
	nearly++;
}

/*
 * Find room for the bitmaps: the first usable region with enough space above
 * the low MiB, the kernel image and every early reservation (boot modules
 * usually follow the kernel). Runs before any allocator exists.
 */
static uint64_t place_metadata(const struct memmap *m, uint64_t bytes)
{
	uint64_t floor = align_up((uint64_t)(uintptr_t)_kernel_end, PAGE_SIZE);

	if (floor < PMM_LOW_RESERVED)
		floor = PMM_LOW_RESERVED;
	for (int i = 0; i < nearly; i++)
		if (early[i].base + early[i].len > floor)
			floor = early[i].base + early[i].len;
	for (int i = 0; i < m->count; i++) {
		const struct mem_region *r = &m->r[i];
		if (r->type != MEM_USABLE)
			continue;
		uint64_t start = align_up(r->base > floor ? r->base : floor, PAGE_SIZE);
		if (start + bytes <= r->base + r->len)
			return start;
	}
	panic("pmm_init: no usable region holds the %lu bytes of frame bitmaps", bytes);
}

/* Withdraw a range at boot; nothing is allocated yet, so it cannot fail. */
static void reserve_at_boot(uint64_t base, uint64_t len, const char *what)
{
	int err = pmm_core_reserve(&kpmm, base, len);
	if (err)
		panic("pmm_init: reserving %s [%#lx, +%#lx): %s", what, base, len,
		      mem_strerror(err));
}

/*
 * Provided (not a student part): walking the firmware's map is bookkeeping,
 * not the allocator's idea. Usable regions become free; then everything
 * else in the map, the low MiB, the kernel image, the early reservations
 * and the bitmaps themselves are withdrawn, in that order, so that an
 * overlap in the map can only ever make less memory usable, never more.
 */
void pmm_init(const struct memmap *m)
{
	uint64_t top = align_up(memmap_top(m), PAGE_SIZE);
	size_t nframes = top / PAGE_SIZE;
	uint64_t meta_bytes = align_up(pmm_core_meta_bytes(nframes), PAGE_SIZE);
	uint64_t meta = place_metadata(m, meta_bytes);
	uint64_t kstart = (uint64_t)(uintptr_t)_kernel_start;
	uint64_t kend = (uint64_t)(uintptr_t)_kernel_end;

	pmm_core_init(&kpmm, (void *)(uintptr_t)meta, 0, nframes);
	for (int i = 0; i < m->count; i++)
		if (m->r[i].type == MEM_USABLE)
			pmm_core_add(&kpmm, m->r[i].base, m->r[i].len);
	for (int i = 0; i < m->count; i++)
		if (m->r[i].type != MEM_USABLE)
			reserve_at_boot(m->r[i].base, m->r[i].len, mem_type_name(m->r[i].type));
	reserve_at_boot(0, PMM_LOW_RESERVED, "the first MiB");
	reserve_at_boot(kstart, kend - kstart, "the kernel image");
	for (int i = 0; i < nearly; i++)
		reserve_at_boot(early[i].base, early[i].len, "an early reservation");
	reserve_at_boot(meta, meta_bytes, "the frame bitmaps");
	kprintf("pmm: %lu frames free (%lu KiB), bitmaps at %#lx (%lu KiB)\n",
		kpmm.nfree, kpmm.nfree * PAGE_SIZE >> 10, meta, meta_bytes >> 10);
}

/* For memory found to be in use after boot (pmm_reserve_early() is for
 * what the loader left behind). */
int pmm_reserve(uint64_t base, uint64_t len)
{
	spin_lock_irqsave(&pmm_lock);
	int err = pmm_core_reserve(&kpmm, base, len);
	spin_unlock_irqrestore(&pmm_lock);
	return err;
}

/*
 * Zero @n frames from @pa, eight words per loop turn: common/string.c's
 * memset goes byte by byte, and under Bochs every instruction counts
 * (pmm_exhaust zeroes all of RAM). volatile keeps gcc from turning the
 * loop back into a call to that memset.
 */
static void frames_zero(uint64_t pa, size_t n)
{
	volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)pa;
	for (size_t i = 0; i < n * PAGE_SIZE / sizeof(*w); i += 8) {
		w[i] = 0; w[i + 1] = 0; w[i + 2] = 0; w[i + 3] = 0;
		w[i + 4] = 0; w[i + 5] = 0; w[i + 6] = 0; w[i + 7] = 0;
	}
}

/*
 * page_alloc - one zeroed 4 KiB frame for the kernel, or 0 when none is left.
 *
 * What to do: under pmm_lock (taken with spin_lock_irqsave, since page
 * allocations may one day happen in interrupt handlers and on every CPU),
 * ask the core for one frame (pmm_core_alloc(&kpmm, 1, &pa)). Release the
 * lock, then zero the frame (frames_zero) and return its address; return 0
 * if the core reports -MEM_ENOMEM. Callers rely on the zeroing: a fresh page
 * table must have every entry's P bit clear (Intel SDM Vol. 3A, 4.5, Tables
 * 4-14..4-20: bit 0 of each entry is "present").
 */
uint64_t page_alloc(void)
{
	/* BEGIN SOLUTION lab1 */
	uint64_t pa = 0;

	spin_lock_irqsave(&pmm_lock);
	int err = pmm_core_alloc(&kpmm, 1, &pa);
	spin_unlock_irqrestore(&pmm_lock);
	if (err)
		return 0;
	frames_zero(pa, 1);
	return pa;
	/* END SOLUTION */
	/* STUB lab1
	NOT_IMPLEMENTED("lab1");
	*/
}

/* page_alloc() for a run; the core does the aligning. */
uint64_t pages_alloc(size_t n)
{
	uint64_t pa = 0;

	spin_lock_irqsave(&pmm_lock);
	int err = pmm_core_alloc(&kpmm, n, &pa);
	spin_unlock_irqrestore(&pmm_lock);
	if (err)
		return 0;
	frames_zero(pa, n);
	return pa;
}

/*
 * Freeing what is not allocated is a bug in the caller: stop there, naming
 * the address and what was wrong, before it corrupts anything.
 */
void page_free(uint64_t pa)
{
	spin_lock_irqsave(&pmm_lock);
	int err = pmm_core_free(&kpmm, pa, 1);
	spin_unlock_irqrestore(&pmm_lock);
	if (err)
		panic("page_free: frame %#lx: %s", pa, mem_strerror(err));
}

void pages_free(uint64_t pa, size_t n)
{
	spin_lock_irqsave(&pmm_lock);
	int err = pmm_core_free(&kpmm, pa, n);
	spin_unlock_irqrestore(&pmm_lock);
	if (err)
		panic("pages_free: %lu frame(s) at %#lx: %s", n, pa, mem_strerror(err));
}

/* Read under the lock so a count taken while another CPU allocates is a
 * value that really existed. */
size_t pmm_free_count(void)
{
	spin_lock_irqsave(&pmm_lock);
	size_t n = kpmm.nfree;
	spin_unlock_irqrestore(&pmm_lock);
	return n;
}

/* Lets tests check the allocator's view of a frame, not just return codes. */
bool pmm_is_allocated(uint64_t pa)
{
	spin_lock_irqsave(&pmm_lock);
	bool allocated = pmm_core_state(&kpmm, pa) == PMM_ALLOCATED;
	spin_unlock_irqrestore(&pmm_lock);
	return allocated;
}
