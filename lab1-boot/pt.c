/*
 * pt.c - 4-level page tables: walk, map, unmap, protect, translate
 * (see pt.h for the rules; Intel SDM Vol. 3A, 4.5 "4-Level Paging").
 */
#include "memerr.h"
#include "panic.h"
#include "pt.h"

int pt_init(struct pt *pt, uint64_t (*table_alloc)(void *),
	    void (*table_free)(uint64_t, void *), void *ctx)
{
	pt->table_alloc = table_alloc;
	pt->table_free = table_free;
	pt->ctx = ctx;
	pt->root = table_alloc(ctx);
	return pt->root ? 0 : -MEM_ENOMEM;
}

/* Does entry @e of a table at @level point to another table (not a page)? */
static bool points_to_table(uint64_t e, int level)
{
	return (e & PTE_P) && level > PT_LEVEL_PT && !(e & PTE_PS);
}

static void free_tree(struct pt *pt, uint64_t table, int level)
{
	const uint64_t *t = pt_table(table);
	for (int i = 0; i < PT_ENTRIES; i++)
		if (points_to_table(t[i], level))
			free_tree(pt, pte_addr(t[i]), level - 1);
	pt->table_free(table, pt->ctx);
}

void pt_destroy(struct pt *pt)
{
	free_tree(pt, pt->root, PT_LEVEL_PML4);
	pt->root = 0;
}

static unsigned count_tree(uint64_t table, int level)
{
	const uint64_t *t = pt_table(table);
	unsigned n = 1;
	for (int i = 0; i < PT_ENTRIES; i++)
		if (points_to_table(t[i], level))
			n += count_tree(pte_addr(t[i]), level - 1);
	return n;
}

unsigned pt_count_tables(const struct pt *pt)
{
	return count_tree(pt->root, PT_LEVEL_PML4);
}

/*
 * Check a leaf operation's page size and address, and give the level of
 * its entry: 1 for 4 KiB, 2 for 2 MiB. Shared by map, unmap and protect.
 */
static int leaf_level(uint64_t va, uint64_t size, int *level)
{
	if (size == PT_SIZE_4K)
		*level = PT_LEVEL_PT;
	else if (size == PT_SIZE_2M)
		*level = PT_LEVEL_PD;
	else
		return -MEM_EINVAL;
	if (!pt_canonical(va))
		return -MEM_EINVAL;
	return va % size ? -MEM_EALIGN : 0;
}

/*
 * pt_walk - descend from the PML4 to the entry of @level that maps @va.
 *
 * What to do: start with the table at pt->root, at level PT_LEVEL_PML4.
 * While above @level, read the entry at pt_index(va, level):
 *  - not present (P, bit 0, clear): without @create, -MEM_ENOENT; with it,
 *    get a zeroed frame from pt->table_alloc(pt->ctx) (0: -MEM_ENOMEM) and
 *    point the entry at it: its address | PT_TABLE_FLAGS;
 *  - present with PS (bit 7) set: it maps a large page, there is no table
 *    below it: -MEM_EHUGE;
 *  - otherwise follow it: the next table is at pte_addr(entry).
 * At @level, store the address of the entry in *entry and return 0.
 * Entry formats: Intel SDM Vol. 3A, 4.5, Tables 4-14 (CR3), 4-15 (PML4E),
 * 4-16/4-17 (PDPTE), 4-18/4-19 (PDE), 4-20 (PTE).
 */
int pt_walk(struct pt *pt, uint64_t va, int level, bool create, uint64_t **entry)
{
	/* BEGIN SOLUTION lab1 */
	uint64_t *table = pt_table(pt->root);
	for (int l = PT_LEVEL_PML4; l > level; l--) {
		uint64_t *e = &table[pt_index(va, l)];
		if (!(*e & PTE_P)) {
			if (!create)
				return -MEM_ENOENT;
			uint64_t next = pt->table_alloc(pt->ctx);
			if (!next)
				return -MEM_ENOMEM;
			*e = next | PT_TABLE_FLAGS;
		} else if (*e & PTE_PS) {
			return -MEM_EHUGE;
		}
		table = pt_table(pte_addr(*e));
	}
	*entry = &table[pt_index(va, level)];
	return 0;
	/* END SOLUTION */
	/* STUB lab1
	NOT_IMPLEMENTED("lab1");
	*/
}

/*
 * pt_map - make @va (a 4 KiB or 2 MiB page) point at @pa.
 *
 * What to do:
 *  1. Check the arguments: leaf_level() for the size and va; @flags must lie
 *     within PT_LEAF_FLAGS (-MEM_EINVAL); @pa must be a multiple of @size
 *     (-MEM_EALIGN) and fit in 52 bits (-MEM_ERANGE).
 *  2. pt_walk() to the entry, creating tables.
 *  3. A present entry: for 4 KiB, or a 2 MiB page already there,
 *     -MEM_EEXIST. For 2 MiB over a table (PS clear): if the table is empty
 *     (pt_table_empty), free it (pt->table_free) and go on; else -MEM_EEXIST.
 *  4. Write the leaf: pa | flags | PTE_P, plus PTE_PS for a 2 MiB page
 *     (SDM Table 4-18: PS = 1 makes a PD entry map a 2 MiB page whose
 *     address is in bits 51:21; Table 4-20 for a 4 KiB PT entry).
 */
int pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags)
{
	/* BEGIN SOLUTION lab1 */
	int level, err = leaf_level(va, size, &level);
	if (err)
		return err;
	if (flags & ~PT_LEAF_FLAGS)
		return -MEM_EINVAL;
	if (pa % size)
		return -MEM_EALIGN;
	if (pa & ~PT_ADDR_MASK)
		return -MEM_ERANGE;
	uint64_t *e;
	if ((err = pt_walk(pt, va, level, true, &e)))
		return err;
	if (*e & PTE_P) {
		if (level == PT_LEVEL_PT || (*e & PTE_PS) || !pt_table_empty(pte_addr(*e)))
			return -MEM_EEXIST;
		pt->table_free(pte_addr(*e), pt->ctx);
	}
	*e = pa | flags | PTE_P | (level == PT_LEVEL_PD ? PTE_PS : 0);
	return 0;
	/* END SOLUTION */
	/* STUB lab1
	NOT_IMPLEMENTED("lab1");
	*/
}

/*
 * The leaf entry of the page of @size at @va, for unmap and protect:
 * present, and of that size. Provided: the checks pt_unmap() needs too.
 */
static int find_leaf(struct pt *pt, uint64_t va, uint64_t size, uint64_t **entry)
{
	int level, err = leaf_level(va, size, &level);
	if (err)
		return err;
	if ((err = pt_walk(pt, va, level, false, entry)))
		return err;
	if (!(**entry & PTE_P))
		return -MEM_ENOENT;
	if (level == PT_LEVEL_PD && !(**entry & PTE_PS))
		return -MEM_ETABLE;
	return 0;
}

/*
 * pt_unmap - remove the page of @size at @va.
 *
 * What to do: find its leaf entry (find_leaf() does every check: the size
 * and alignment, a walk without creating tables, the entry present and of
 * the right size) and clear the whole entry to 0. A clear P bit alone
 * would do for the CPU (SDM 4.5: a not-present entry's other bits are
 * ignored), but a zero entry leaves nothing stale for a later reader.
 * The caller flushes the TLB entry (INVLPG, SDM 4.10.4.1).
 */
int pt_unmap(struct pt *pt, uint64_t va, uint64_t size)
{
	/* BEGIN SOLUTION lab1 */
	uint64_t *e;
	int err = find_leaf(pt, va, size, &e);
	if (err)
		return err;
	*e = 0;
	return 0;
	/* END SOLUTION */
	/* STUB lab1
	NOT_IMPLEMENTED("lab1");
	*/
}

/* New rights for an existing page; its frame stays. */
int pt_protect(struct pt *pt, uint64_t va, uint64_t size, uint64_t flags)
{
	uint64_t *e;
	if (flags & ~PT_LEAF_FLAGS)
		return -MEM_EINVAL;
	int err = find_leaf(pt, va, size, &e);
	if (err)
		return err;
	*e = pte_addr(*e) | flags | PTE_P | (*e & PTE_PS);
	return 0;
}

/*
 * pt_translate - what the CPU would do with @va: the page walk of SDM
 * 4.5.4 ("Linear-Address Translation with 4-Level Paging"), in software.
 *
 * What to do: check that @va is canonical (-MEM_EINVAL). From the PML4
 * down, read the entry at pt_index(va, level): not present -> -MEM_ENOENT.
 * It is a leaf at level 1, or at levels 2 and 3 when PS is set; then the
 * page's size is PT_LEVEL_SIZE(level), its frame is pte_addr(entry) with
 * the bits below the page size cleared (in a large-page entry, bit 12 is
 * PAT, not address), and m->pa is that frame plus va's offset in the page.
 * m->flags is entry & PT_LEAF_FLAGS. Otherwise descend to pte_addr(entry).
 */
int pt_translate(const struct pt *pt, uint64_t va, struct pt_mapping *m)
{
	/* BEGIN SOLUTION lab1 */
	if (!pt_canonical(va))
		return -MEM_EINVAL;
	const uint64_t *table = pt_table(pt->root);
	for (int level = PT_LEVEL_PML4; level >= PT_LEVEL_PT; level--) {
		uint64_t e = table[pt_index(va, level)];
		if (!(e & PTE_P))
			return -MEM_ENOENT;
		if (level == PT_LEVEL_PT || (level <= PT_LEVEL_PDPT && (e & PTE_PS))) {
			uint64_t size = PT_LEVEL_SIZE(level);
			m->size = size;
			m->pa = (pte_addr(e) & ~(size - 1)) | (va & (size - 1));
			m->flags = e & PT_LEAF_FLAGS;
			return 0;
		}
		table = pt_table(pte_addr(e));
	}
	return -MEM_ENOENT;   /* not reached: level 1 always ends the loop */
	/* END SOLUTION */
	/* STUB lab1
	NOT_IMPLEMENTED("lab1");
	*/
}
