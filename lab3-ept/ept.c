/*
 * ept.c - extended page tables: walk, map, split, unmap, protect,
 * translate, dirty harvest (see ept.h for the rules; Intel SDM Vol. 3C,
 * 28.2 "The Extended Page Table Mechanism (EPT)").
 */
#include "ept.h"
#include "memerr.h"
#include "panic.h"

/* Every table comes and goes through these two, so e->tables is exact. */
static uint64_t table_new(struct ept *e)
{
	uint64_t pa = e->table_alloc(e->ctx);
	if (pa)
		e->tables++;
	return pa;
}

static void table_del(struct ept *e, uint64_t pa)
{
	e->table_free(pa, e->ctx);
	e->tables--;
}

int ept_init(struct ept *e, uint64_t (*table_alloc)(void *),
	     void (*table_free)(uint64_t, void *), void *ctx)
{
	*e = (struct ept){ .table_alloc = table_alloc, .table_free = table_free, .ctx = ctx };
	e->root = table_new(e);
	return e->root ? 0 : -MEM_ENOMEM;
}

/* Is entry @v of a table at @level a page (not a pointer to a table)? */
static bool is_leaf(uint64_t v, int level)
{
	return level == EPT_LEVEL_PT || (v & EPT_LARGE);
}

static bool points_to_table(uint64_t v, int level)
{
	return ept_present(v) && !is_leaf(v, level);
}

static bool table_empty(uint64_t pa)
{
	const uint64_t *t = ept_table(pa);
	for (int i = 0; i < EPT_ENTRIES; i++)
		if (ept_present(t[i]))
			return false;
	return true;
}

static void free_tree(struct ept *e, uint64_t table, int level)
{
	const uint64_t *t = ept_table(table);
	for (int i = 0; i < EPT_ENTRIES; i++)
		if (points_to_table(t[i], level))
			free_tree(e, t[i] & EPT_ADDR_MASK, level - 1);
	table_del(e, table);
}

void ept_destroy(struct ept *e)
{
	if (e->root)
		free_tree(e, e->root, EPT_LEVEL_PML4);
	e->root = 0;
}

/*
 * ept_eptp - the EPT pointer for the VMCS (SDM 24.6.11, Table 24-8).
 *
 * What to do: bits 2:0 give the memory type the CPU uses to read the EPT
 * tables themselves (write-back, EPTP_MT_WB = 6); bits 5:3 the page-walk
 * length minus one (a 4-level walk: 3); bit 6 enables the accessed and
 * dirty flags (e->ad); bits 51:12 hold the PML4's physical address.
 */
uint64_t ept_eptp(const struct ept *e)
{
	/* BEGIN SOLUTION lab3 */
	return e->root | EPTP_MT_WB | EPTP_WALK_4 | (e->ad ? EPTP_AD : 0);
	/* END SOLUTION */
	/* STUB lab3
	NOT_IMPLEMENTED("lab3");
	*/
}

/* The level whose leaf maps a page of @size, or 0 if this CPU has no such page. */
static int size_level(const struct ept *e, uint64_t size)
{
	if (size == EPT_SIZE_4K)
		return EPT_LEVEL_PT;
	if (size == EPT_SIZE_2M && e->has_2m)
		return EPT_LEVEL_PD;
	if (size == EPT_SIZE_1G && e->has_1g)
		return EPT_LEVEL_PDPT;
	return 0;
}

/*
 * Rights the CPU accepts in a present leaf (SDM 28.2.3.1): write without
 * read is a misconfiguration, and so is execute-only where the CPU does
 * not support it. 0 would be "not present": not a mapping.
 */
static bool perms_valid(const struct ept *e, unsigned perms)
{
	if (perms == 0 || (perms & ~EPT_RWX))
		return false;
	if ((perms & EPT_W) && !(perms & EPT_R))
		return false;
	return perms != EPT_X || e->exec_only;
}

/* Memory types 2, 3 and 7 are reserved: a misconfiguration (SDM 28.2.3.1). */
static bool memtype_valid(unsigned mt)
{
	return mt == EPT_MT_UC || mt == EPT_MT_WC || mt == EPT_MT_WT || mt == EPT_MT_WP ||
	       mt == EPT_MT_WB;
}

/* The host-physical address in leaf @v of @level (page-aligned). */
static uint64_t leaf_addr(uint64_t v, int level)
{
	return v & EPT_ADDR_MASK & ~(EPT_LEVEL_SIZE(level) - 1);
}

/*
 * find_leaf - the entry that decides @gpa: descend from the PML4 and stop
 * at the first entry that is not present or is a leaf.
 *
 * What to do: start with the table at e->root, level EPT_LEVEL_PML4. At
 * each level read the entry at ept_index(gpa, level). Stop there (store
 * its address in *entry and its level in *level) when it is not present
 * (ept_present), or is a leaf: any entry of level 1, or one of level 2 or
 * 3 with EPT_LARGE (bit 7) set. Otherwise descend: the next table's
 * address is entry & EPT_ADDR_MASK (SDM Tables 28-1, 28-3, 28-5).
 */
static void find_leaf(const struct ept *e, uint64_t gpa, uint64_t **entry, int *level)
{
	/* BEGIN SOLUTION lab3 */
	uint64_t *t = ept_table(e->root);
	for (int l = EPT_LEVEL_PML4;; l--) {
		uint64_t *p = &t[ept_index(gpa, l)];
		if (!ept_present(*p) || is_leaf(*p, l)) {
			*entry = p;
			*level = l;
			return;
		}
		t = ept_table(*p & EPT_ADDR_MASK);
	}
	/* END SOLUTION */
	/* STUB lab3
	NOT_IMPLEMENTED("lab3");
	*/
}

/*
 * walk_create - the entry of @level for @gpa, creating the tables on the
 * way. A table entry allows everything: EPT_RWX | the table's address
 * (SDM Tables 28-1, 28-3, 28-5; bits 7:3 stay 0, they are reserved there).
 *
 * What to do: like find_leaf, from the PML4 down to @level, but when an
 * entry above @level is not present, get a zeroed table from table_new(e)
 * (0: -MEM_ENOMEM) and point the entry at it. A leaf above @level (a large
 * page) already maps @gpa: -MEM_EEXIST. Store the entry of @level, present
 * or not, in *entry.
 */
static int walk_create(struct ept *e, uint64_t gpa, int level, uint64_t **entry)
{
	/* BEGIN SOLUTION lab3 */
	uint64_t *t = ept_table(e->root);
	for (int l = EPT_LEVEL_PML4; l > level; l--) {
		uint64_t *p = &t[ept_index(gpa, l)];
		if (!ept_present(*p)) {
			uint64_t next = table_new(e);
			if (!next)
				return -MEM_ENOMEM;
			*p = next | EPT_RWX;
		} else if (is_leaf(*p, l)) {
			return -MEM_EEXIST;
		}
		t = ept_table(*p & EPT_ADDR_MASK);
	}
	*entry = &t[ept_index(gpa, level)];
	return 0;
	/* END SOLUTION */
	/* STUB lab3
	NOT_IMPLEMENTED("lab3");
	*/
}

/*
 * Free the tables on @gpa's path that hold nothing, deepest first, up to
 * the first that still holds something (the PML4 always stays). A failed
 * map calls this for the tables it made; unmap frees its own as it goes.
 */
static void prune(struct ept *e, uint64_t gpa)
{
	uint64_t *path[EPT_LEVEL_PML4 + 1];
	uint64_t *t = ept_table(e->root);
	int l;
	for (l = EPT_LEVEL_PML4; l > EPT_LEVEL_PT; l--) {
		path[l] = &t[ept_index(gpa, l)];
		if (!points_to_table(*path[l], l))
			break;
		t = ept_table(*path[l] & EPT_ADDR_MASK);
	}
	for (int k = l + 1; k <= EPT_LEVEL_PML4; k++) {
		uint64_t table = *path[k] & EPT_ADDR_MASK;
		if (!table_empty(table))
			return;
		*path[k] = 0;
		table_del(e, table);
	}
}

/* Checks shared by map and map_range: everything but size and overlap. */
static int check_map(const struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t len,
		     unsigned perms, unsigned memtype)
{
	if (!perms_valid(e, perms) || !memtype_valid(memtype))
		return -MEM_EINVAL;
	if (gpa >= EPT_GPA_LIMIT || len > EPT_GPA_LIMIT - gpa ||
	    hpa >= EPT_HPA_LIMIT || len > EPT_HPA_LIMIT - hpa)
		return -MEM_ERANGE;
	return 0;
}

/*
 * ept_map - make the page of @size at @gpa point at @hpa.
 *
 * What to do, after the argument checks (provided):
 *  1. walk_create() to the entry of the page's level. On -MEM_ENOMEM the
 *     walk may have made tables that now hold nothing: prune() them.
 *  2. A present entry there (a page, or a table of smaller pages) means
 *     something is mapped: -MEM_EEXIST.
 *  3. Write the leaf (SDM Tables 28-2, 28-4, 28-6): hpa | perms | memtype
 *     in bits 5:3, plus EPT_LARGE for a 1 GiB or 2 MiB page. Ignore-PAT,
 *     accessed and dirty start clear.
 */
int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned perms,
	    unsigned memtype)
{
	int level = size_level(e, size);
	if (!level)
		return -MEM_EINVAL;
	int err = check_map(e, gpa, hpa, size, perms, memtype);
	if (err)
		return err;
	if (gpa % size || hpa % size)
		return -MEM_EALIGN;
	/* BEGIN SOLUTION lab3 */
	uint64_t *p;
	if ((err = walk_create(e, gpa, level, &p))) {
		if (err == -MEM_ENOMEM)
			prune(e, gpa);
		return err;
	}
	if (ept_present(*p))
		return -MEM_EEXIST;
	*p = hpa | perms | ((uint64_t)memtype << EPT_MT_SHIFT) |
	     (level > EPT_LEVEL_PT ? EPT_LARGE : 0);
	return 0;
	/* END SOLUTION */
	/* STUB lab3
	(void)walk_create;
	(void)prune;
	NOT_IMPLEMENTED("lab3");
	*/
}

/* Defined with ept_unmap below; map_range undoes a failed range with it. */
static void clear_range(struct ept *e, uint64_t table, int level, uint64_t base,
			uint64_t start, uint64_t end);

/* The largest page this CPU maps at @gpa -> @hpa within @len bytes. */
static uint64_t best_size(const struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	static const uint64_t sizes[] = { EPT_SIZE_1G, EPT_SIZE_2M, EPT_SIZE_4K };
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t s = sizes[i];
		if (size_level(e, s) && gpa % s == 0 && hpa % s == 0 && len >= s)
			return s;
	}
	return EPT_SIZE_4K;
}

int ept_map_range(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t len, unsigned perms,
		  unsigned memtype)
{
	if (len == 0)
		return -MEM_EINVAL;
	int err = check_map(e, gpa, hpa, len, perms, memtype);
	if (err)
		return err;
	if ((gpa | hpa | len) % EPT_SIZE_4K)
		return -MEM_EALIGN;
	for (uint64_t done = 0; done < len;) {
		uint64_t s = best_size(e, gpa + done, hpa + done, len - done);
		if ((err = ept_map(e, gpa + done, hpa + done, s, perms, memtype))) {
			/* Only whole pages of ours: nothing to split. */
			if (done)
				clear_range(e, e->root, EPT_LEVEL_PML4, 0, gpa, gpa + done);
			return err;
		}
		done += s;
	}
	return 0;
}

/*
 * split - turn the large leaf *@p of @level (2 or 3) into a table of 512
 * leaves of the level below that map the same bytes the same way.
 *
 * What to do: get a table from table_new(e) (0: -MEM_ENOMEM). Entry i of
 * it maps leaf_addr(*p, level) + i * EPT_LEVEL_SIZE(level - 1) with every
 * other bit of *p kept (rights, memory type, ignore-PAT, A/D), except
 * EPT_LARGE, which only a 2 MiB child (level - 1 == 2) keeps. Fill the
 * table before pointing *p at it (table | EPT_RWX): the CPU may walk *p at
 * any moment, and must find either the old page or the complete table.
 */
static int split(struct ept *e, uint64_t *p, int level)
{
	/* BEGIN SOLUTION lab3 */
	uint64_t pa = table_new(e);
	if (!pa)
		return -MEM_ENOMEM;
	uint64_t *t = ept_table(pa);
	uint64_t base = leaf_addr(*p, level), step = EPT_LEVEL_SIZE(level - 1);
	uint64_t flags = *p & ~EPT_ADDR_MASK & ~EPT_LARGE;
	if (level - 1 > EPT_LEVEL_PT)
		flags |= EPT_LARGE;
	for (int i = 0; i < EPT_ENTRIES; i++)
		t[i] = (base + i * step) | flags;
	*p = pa | EPT_RWX;
	return 0;
	/* END SOLUTION */
	/* STUB lab3
	(void)leaf_addr;
	NOT_IMPLEMENTED("lab3");
	*/
}

/*
 * Make @gpa a page boundary: split the large pages that hold it (a 1 GiB
 * page may take two splits). Afterwards a range starting or ending at
 * @gpa is made of whole pages.
 */
static int split_at(struct ept *e, uint64_t gpa)
{
	if (gpa >= EPT_GPA_LIMIT)
		return 0;
	for (;;) {
		uint64_t *p;
		int level;
		find_leaf(e, gpa, &p, &level);
		if (!ept_present(*p) || level == EPT_LEVEL_PT ||
		    gpa % EPT_LEVEL_SIZE(level) == 0)
			return 0;
		int err = split(e, p, level);
		if (err)
			return err;
	}
}

/* Checks of a range operation on [gpa, gpa + len). */
static int check_range(uint64_t gpa, uint64_t len)
{
	if ((gpa | len) % EPT_SIZE_4K)
		return -MEM_EALIGN;
	if (gpa >= EPT_GPA_LIMIT || len > EPT_GPA_LIMIT - gpa)
		return -MEM_ERANGE;
	return 0;
}

/*
 * Clear the leaves of [start, end) below @table (of @level, mapping from
 * @base), and free the tables this empties. The edges are page boundaries
 * (split_at), so each leaf met lies wholly inside.
 */
static void clear_range(struct ept *e, uint64_t table, int level, uint64_t base,
			uint64_t start, uint64_t end)
{
	uint64_t *t = ept_table(table);
	uint64_t size = EPT_LEVEL_SIZE(level);
	unsigned first = (unsigned)((start - base) / size);
	unsigned last = (unsigned)((end - 1 - base) / size);
	for (unsigned i = first; i <= last; i++) {
		uint64_t lo = base + i * size, hi = lo + size;
		if (!ept_present(t[i]))
			continue;
		if (is_leaf(t[i], level)) {
			if (lo < start || hi > end)
				panic("ept: leaf %#lx+%#lx crosses unmap edge", lo, size);
			t[i] = 0;
			continue;
		}
		uint64_t child = t[i] & EPT_ADDR_MASK;
		clear_range(e, child, level - 1, lo, lo > start ? lo : start, hi < end ? hi : end);
		if (table_empty(child)) {
			t[i] = 0;
			table_del(e, child);
		}
	}
}

int ept_unmap(struct ept *e, uint64_t gpa, uint64_t len)
{
	int err = check_range(gpa, len);
	if (err || len == 0)
		return err;
	if ((err = split_at(e, gpa)) || (err = split_at(e, gpa + len)))
		return err;
	clear_range(e, e->root, EPT_LEVEL_PML4, 0, gpa, gpa + len);
	return 0;
}

/*
 * Step through [gpa, end) one leaf or hole at a time: the entry that
 * decides @gpa, its level, and the first address past what it covers.
 */
static uint64_t step(const struct ept *e, uint64_t gpa, uint64_t **p, int *level)
{
	find_leaf(e, gpa, p, level);
	uint64_t size = EPT_LEVEL_SIZE(*level);
	return (gpa & ~(size - 1)) + size;
}

int ept_protect(struct ept *e, uint64_t gpa, uint64_t len, unsigned perms)
{
	if (!perms_valid(e, perms))
		return -MEM_EINVAL;
	int err = check_range(gpa, len);
	if (err)
		return err;
	uint64_t end = gpa + len, *p;
	int level;
	/* All or nothing: look for a hole before changing anything. */
	for (uint64_t a = gpa, next; a < end; a = next) {
		next = step(e, a, &p, &level);
		if (!ept_present(*p))
			return -MEM_ENOENT;
	}
	if ((err = split_at(e, gpa)) || (err = split_at(e, end)))
		return err;
	for (uint64_t a = gpa; a < end;) {
		uint64_t next = step(e, a, &p, &level);
		*p = (*p & ~(uint64_t)EPT_RWX) | perms;
		a = next;
	}
	return 0;
}

/*
 * ept_translate - what the CPU does with @gpa: the walk of SDM 28.2.2, in
 * software.
 *
 * What to do: @gpa past 48 bits: -MEM_ERANGE. find_leaf(); a non-present
 * entry: -MEM_ENOENT. Otherwise the page's size is EPT_LEVEL_SIZE(level),
 * out->hpa is leaf_addr() plus @gpa's offset in the page, perms are bits
 * 2:0, memtype bits 5:3, accessed bit 8, dirty bit 9.
 */
int ept_translate(const struct ept *e, uint64_t gpa, struct ept_mapping *out)
{
	if (gpa >= EPT_GPA_LIMIT)
		return -MEM_ERANGE;
	/* BEGIN SOLUTION lab3 */
	uint64_t *p;
	int level;
	find_leaf(e, gpa, &p, &level);
	if (!ept_present(*p))
		return -MEM_ENOENT;
	uint64_t v = *p, size = EPT_LEVEL_SIZE(level);
	out->size = size;
	out->hpa = leaf_addr(v, level) | (gpa & (size - 1));
	out->perms = v & EPT_RWX;
	out->memtype = (v & EPT_MT_MASK) >> EPT_MT_SHIFT;
	out->accessed = v & EPT_ACCESSED;
	out->dirty = v & EPT_DIRTY;
	return 0;
	/* END SOLUTION */
	/* STUB lab3
	NOT_IMPLEMENTED("lab3");
	*/
}

int ept_harvest_dirty(struct ept *e, uint64_t gpa, uint64_t len,
		      void (*fn)(uint64_t gpa, uint64_t size, void *ctx), void *ctx)
{
	if (!e->ad)
		return -MEM_EINVAL;
	int err = check_range(gpa, len);
	if (err)
		return err;
	uint64_t end = gpa + len;
	for (uint64_t a = gpa, next; a < end; a = next) {
		uint64_t *p;
		int level;
		next = step(e, a, &p, &level);
		if (!ept_present(*p))
			continue;
		uint64_t lo = next - EPT_LEVEL_SIZE(level);
		uint64_t hi = next < end ? next : end;
		if (*p & EPT_DIRTY)
			fn(a, hi - a, ctx);
		if (lo >= gpa && next <= end)
			*p &= ~(EPT_ACCESSED | EPT_DIRTY);
	}
	return 0;
}
