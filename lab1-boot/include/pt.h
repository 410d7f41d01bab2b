/*
 * pt.h - building and walking x86-64 4-level page tables: the pure logic
 * behind paging.c, unit-tested on the host (Intel SDM Vol. 3A, 4.5).
 *
 * A table is one 4 KiB frame of 512 eight-byte entries. A virtual address
 * (48 bits, sign-extended to 64: "canonical") picks one entry per level:
 *
 *   level 4 PML4   bits 47:39    entry -> PDPT            (Table 4-15)
 *   level 3 PDPT   bits 38:30    entry -> PD, or 1 GiB page (Tables 4-16, 4-17)
 *   level 2 PD     bits 29:21    entry -> PT, or 2 MiB page (Tables 4-18, 4-19)
 *   level 1 PT     bits 20:12    entry -> 4 KiB page        (Table 4-20)
 *
 * PS (bit 7) in a PDPT or PD entry makes it a leaf: a large page. This code
 * maps 4 KiB and 2 MiB pages; it reads 1 GiB pages but never makes them.
 *
 * Tables are reached through their physical address as a pointer: right in
 * the identity-mapped kernel, and right in host tests, whose "physical"
 * frames are aligned host memory.
 *
 * Choices, documented once here:
 *  - A 4 KiB operation inside a 2 MiB page is refused (-MEM_EHUGE); large
 *    pages are never split behind the caller's back. Unmap the 2 MiB page
 *    and map 4 KiB pages instead.
 *  - A 2 MiB map where a page table already sits replaces that table if
 *    none of its entries is present (the table is freed), and is refused
 *    with -MEM_EEXIST if one is.
 *  - Entries above the leaf allow everything (P, W, U): the effective
 *    rights are the AND of all levels (SDM 4.6), so the leaf alone decides.
 *  - Tables created by a map that then fails stay, empty, for later maps.
 *  - Nothing here touches the TLB: the caller invalidates (paging.c).
 */
#ifndef HVLAB_PT_H
#define HVLAB_PT_H

#include <stdbool.h>
#include <stdint.h>
#include "paging.h"

#define PT_ENTRIES 512
#define PT_LEVELS 4
#define PT_LEVEL_PT 1
#define PT_LEVEL_PD 2
#define PT_LEVEL_PDPT 3
#define PT_LEVEL_PML4 4
/** Bits of the address a level's index starts at: 12, 21, 30, 39. */
#define PT_SHIFT(level) (12 + 9 * ((level) - 1))
/** Bytes one entry of @level covers: 4 KiB, 2 MiB, 1 GiB, 512 GiB. */
#define PT_LEVEL_SIZE(level) (1ull << PT_SHIFT(level))
#define PT_SIZE_4K PT_LEVEL_SIZE(PT_LEVEL_PT)
#define PT_SIZE_2M PT_LEVEL_SIZE(PT_LEVEL_PD)
#define PT_SIZE_1G PT_LEVEL_SIZE(PT_LEVEL_PDPT)
/** Bits 51:12 of an entry: the physical address of a table or a 4 KiB page
 *  (MAXPHYADDR is at most 52, SDM 4.1.4). */
#define PT_ADDR_MASK 0x000ffffffffff000ull
/** Flags a caller may give a leaf; PS is implied by the page size. */
#define PT_LEAF_FLAGS (PTE_P | PTE_W | PTE_U | PTE_PWT | PTE_PCD | PTE_A | PTE_D | PTE_G | PTE_NX)
/** Flags of an entry that points to a table (see "Choices" above). */
#define PT_TABLE_FLAGS (PTE_P | PTE_W | PTE_U)

struct pt {
	uint64_t root;                          /* physical address of the PML4 */
	uint64_t (*table_alloc)(void *ctx);     /* a zeroed 4 KiB frame, or 0 */
	void (*table_free)(uint64_t pa, void *ctx);
	void *ctx;
};

/** What a virtual address maps to. */
struct pt_mapping {
	uint64_t pa;      /* the physical address of the byte at va */
	uint64_t size;    /* the page holding it: PT_SIZE_4K, _2M or _1G */
	uint64_t flags;   /* the leaf entry's flags (PT_LEAF_FLAGS bits) */
};

/** The index of @va's entry in a table of @level. */
static inline unsigned pt_index(uint64_t va, int level)
{
	return (unsigned)(va >> PT_SHIFT(level)) & (PT_ENTRIES - 1);
}

/** The table at physical address @pa, as a pointer (identity map). */
static inline uint64_t *pt_table(uint64_t pa)
{
	return (uint64_t *)(uintptr_t)pa;
}

/** The physical address held in entry @e (of a table or a 4 KiB page). */
static inline uint64_t pte_addr(uint64_t e)
{
	return e & PT_ADDR_MASK;
}

/** Canonical: bits 63:47 all equal (SDM Vol. 1, 3.3.7.1). */
static inline bool pt_canonical(uint64_t va)
{
	int64_t top = (int64_t)va >> 47;
	return top == 0 || top == -1;
}

/** True when no entry of the table at @pa is present. */
static inline bool pt_table_empty(uint64_t pa)
{
	const uint64_t *t = pt_table(pa);
	for (int i = 0; i < PT_ENTRIES; i++)
		if (t[i] & PTE_P)
			return false;
	return true;
}

/** An empty address space: allocates the PML4. 0 or -MEM_ENOMEM. */
int pt_init(struct pt *pt, uint64_t (*table_alloc)(void *),
	    void (*table_free)(uint64_t, void *), void *ctx);
/** Free every table (never the mapped pages). @pt is unusable afterwards. */
void pt_destroy(struct pt *pt);
/** How many tables @pt uses, the PML4 included (for tests and reports). */
unsigned pt_count_tables(const struct pt *pt);

/**
 * Find the entry of @level that maps @va (level 1: a 4 KiB page's PT entry,
 * level 2: a 2 MiB page's PD entry), descending from the PML4; store its
 * address in *@entry. A missing table on the way is created when @create
 * (-MEM_ENOMEM when none can be had) and -MEM_ENOENT otherwise; a large page
 * on the way gives -MEM_EHUGE. The entry itself may or may not be present.
 */
int pt_walk(struct pt *pt, uint64_t va, int level, bool create, uint64_t **entry);
/**
 * Map the page of @size (PT_SIZE_4K or PT_SIZE_2M) at @va to @pa with
 * @flags (PT_LEAF_FLAGS; P is added). Errors: -MEM_EINVAL (size, flags,
 * non-canonical va), -MEM_EALIGN (va or pa not a multiple of size),
 * -MEM_ERANGE (pa beyond 52 bits), -MEM_EEXIST, -MEM_EHUGE, -MEM_ENOMEM.
 */
int pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags);
/**
 * Remove the page of @size at @va. Errors: -MEM_EINVAL, -MEM_EALIGN,
 * -MEM_ENOENT (not mapped), -MEM_EHUGE (4 KiB inside a large page),
 * -MEM_ETABLE (2 MiB over a table of 4 KiB pages).
 */
int pt_unmap(struct pt *pt, uint64_t va, uint64_t size);
/** Give the page of @size at @va new @flags, keeping its frame; errors as pt_unmap(). */
int pt_protect(struct pt *pt, uint64_t va, uint64_t size, uint64_t flags);
/** What @va maps to, in *@m: 0, or -MEM_ENOENT / -MEM_EINVAL (non-canonical). */
int pt_translate(const struct pt *pt, uint64_t va, struct pt_mapping *m);

#endif
