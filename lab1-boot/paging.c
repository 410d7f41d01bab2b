/*
 * paging.c - the kernel's own page tables, built with pt.c and loaded in
 * CR3, replacing entry.S's throwaway 4 GiB map (Intel SDM Vol. 3A, 4.5).
 *
 * The kernel stays identity-mapped: every address it uses, RAM or device,
 * means the same virtual and physical. What is mapped:
 *  - [0, end of RAM and of every firmware region below 3 GiB): write-back,
 *    so the BIOS areas, the ACPI tables and the kernel itself stay reachable;
 *  - the top GiB below 4 GiB, uncached (PCD|PWT): the LAPIC (0xfee00000),
 *    the IOAPIC (0xfec00000), PCI devices and the firmware ROM;
 *  - RAM above 4 GiB, if the machine has any, write-back.
 * 2 MiB pages wherever a range is 2 MiB aligned, 4 KiB pages at the edges.
 * No W^X split of the kernel image: lab 1 keeps it simple.
 */
#include "memerr.h"
#include "memmap.h"
#include "paging.h"
#include "panic.h"
#include "pmm.h"
#include "printf.h"
#include "pt.h"
#include "spinlock.h"
#include "x86.h"

#define DEVICE_WINDOW_BASE 0xc0000000ull   /* 3 GiB */
#define DEVICE_WINDOW_END  0x100000000ull  /* 4 GiB */
#define FLAGS_RAM    (PTE_W)
#define FLAGS_DEVICE (PTE_W | PTE_PCD | PTE_PWT)   /* SDM 11.12.3: PCD+PWT = UC */

uint64_t kernel_pml4;
static struct pt kpt;
static struct spinlock paging_lock = SPINLOCK_INIT("paging");

/* Page tables come from the page allocator, zeroed (every entry not present). */
static uint64_t kpt_table_alloc(void *ctx)
{
	return page_alloc();
}

static void kpt_table_free(uint64_t pa, void *ctx)
{
	page_free(pa);
}

/* Identity-map [start, end) (both 4 KiB aligned): 2 MiB pages where the
 * address is 2 MiB aligned and a whole one fits, 4 KiB pages elsewhere. */
static void identity_map(uint64_t start, uint64_t end, uint64_t flags)
{
	for (uint64_t a = start; a < end;) {
		uint64_t size = a % PT_SIZE_2M == 0 && end - a >= PT_SIZE_2M ? PT_SIZE_2M : PT_SIZE_4K;
		int err = pt_map(&kpt, a, a, size, flags);
		if (err)
			panic("paging_init: identity-mapping %#lx (%lu KiB page): %s",
			      a, size >> 10, mem_strerror(err));
		a += size;
	}
}

static uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

/* One past the highest address below the device window that the memory
 * map mentions: RAM, and the firmware regions (ACPI tables) above it. */
static uint64_t low_memory_end(const struct memmap *m)
{
	uint64_t end = memmap_top(m);
	for (int i = 0; i < m->count; i++) {
		uint64_t r_end = m->r[i].base + m->r[i].len;
		if (m->r[i].base < DEVICE_WINDOW_BASE && r_end > end)
			end = r_end;
	}
	if (end > DEVICE_WINDOW_BASE)
		end = DEVICE_WINDOW_BASE;
	return align_up(end, PT_SIZE_4K);
}

void paging_init(const struct memmap *m)
{
	if (pt_init(&kpt, kpt_table_alloc, kpt_table_free, NULL))
		panic("paging_init: no frame for the kernel's PML4");
	uint64_t low_end = low_memory_end(m);
	uint64_t top = align_up(memmap_top(m), PT_SIZE_4K);
	uint64_t mapped = low_end + (DEVICE_WINDOW_END - DEVICE_WINDOW_BASE);

	identity_map(0, low_end, FLAGS_RAM);
	identity_map(DEVICE_WINDOW_BASE, DEVICE_WINDOW_END, FLAGS_DEVICE);
	if (top > DEVICE_WINDOW_END) {
		identity_map(DEVICE_WINDOW_END, top, FLAGS_RAM);
		mapped += top - DEVICE_WINDOW_END;
	}
	kernel_pml4 = kpt.root;
	write_cr3(kernel_pml4);   /* SDM 4.10.4.1: also flushes the old non-global TLB entries */
	kprintf("paging: kernel page tables at %#lx, %lu MiB identity-mapped (%u tables)\n",
		kernel_pml4, mapped >> 20, pt_count_tables(&kpt));
}

/*
 * Filling a not-present entry needs no flush: the CPU caches nothing from
 * an entry whose P bit is 0 (SDM 4.10.4.3). A 2 MiB map may have replaced
 * an empty page table that the paging-structure caches still remember;
 * INVLPG drops those too (SDM 4.10.4.1).
 */
int paging_map(uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	spin_lock_irqsave(&paging_lock);
	int err = pt_map(&kpt, va, pa, size, flags);
	if (!err && size == PT_SIZE_2M)
		invlpg(va);
	spin_unlock_irqrestore(&paging_lock);
	return err;
}

/* INVLPG on any address of a large page drops the whole page's translation. */
int paging_unmap(uint64_t va, uint64_t size)
{
	spin_lock_irqsave(&paging_lock);
	int err = pt_unmap(&kpt, va, size);
	if (!err)
		invlpg(va);
	spin_unlock_irqrestore(&paging_lock);
	return err;
}

/* The old rights may sit in the TLB: flush them like an unmap. */
int paging_protect(uint64_t va, uint64_t size, uint64_t flags)
{
	spin_lock_irqsave(&paging_lock);
	int err = pt_protect(&kpt, va, size, flags);
	if (!err)
		invlpg(va);
	spin_unlock_irqrestore(&paging_lock);
	return err;
}

/* Under the lock, so that a concurrent change is seen whole or not at all. */
int paging_translate(uint64_t va, struct pt_mapping *m)
{
	spin_lock_irqsave(&paging_lock);
	int err = pt_translate(&kpt, va, m);
	spin_unlock_irqrestore(&paging_lock);
	return err;
}
