/*
 * ept.h - building and walking extended page tables (EPT): the pure logic
 * that maps a guest's physical addresses to host-physical ones, unit-tested
 * on the host (Intel SDM Vol. 3C, 28.2 "The Extended Page Table Mechanism").
 *
 * The shape is the 4-level paging of lab 1 (pt.h), indexed by a
 * guest-physical address (48 bits, SDM 28.2.2):
 *
 *   level 4 PML4   bits 47:39    entry -> PDPT                 (Table 28-1)
 *   level 3 PDPT   bits 38:30    entry -> PD, or 1 GiB page    (Tables 28-2, 28-3)
 *   level 2 PD     bits 29:21    entry -> PT, or 2 MiB page    (Tables 28-4, 28-5)
 *   level 1 PT     bits 20:12    entry -> 4 KiB page           (Table 28-6)
 *
 * but the entries differ from the guest's own page tables:
 *  - there is no P bit: bits 2:0 are read, write and execute, and an entry
 *    with all three clear is not present;
 *  - a leaf holds the memory type in bits 5:3 (EPT_MT_*) and "ignore PAT"
 *    in bit 6 (kept 0: the guest's PAT combines with the type, SDM 28.2.7);
 *  - bit 7 makes a PDPT or PD entry a 1 GiB or 2 MiB page;
 *  - bits 8 and 9 are the accessed and dirty flags, written by the CPU
 *    when the EPTP enables them (SDM 28.2.4).
 *
 * Tables are reached through their physical address as a pointer: right in
 * the identity-mapped kernel, and right in host tests, whose "physical"
 * frames are aligned host memory.
 *
 * Choices, documented once here:
 *  - Entries above a leaf allow read, write and execute: the rights that
 *    apply are the AND over the walk (SDM 28.2.3.2), so the leaf decides.
 *  - Refused as the CPU would refuse them, with -MEM_EINVAL: write without
 *    read (an EPT misconfiguration, SDM 28.2.3.1), execute-only unless
 *    e->exec_only says the CPU supports it (IA32_VMX_EPT_VPID_CAP bit 0),
 *    a reserved memory type (2, 3, 7), a page size the CPU lacks.
 *  - No tables stay empty: unmap frees them, and a map that fails half-way
 *    frees the tables it created. e->tables counts what is allocated.
 *  - A range operation that starts or ends inside a large page splits it
 *    (1 GiB into 512 x 2 MiB, 2 MiB into 512 x 4 KiB) with the same
 *    address, rights, memory type and A/D flags, so the rest keeps mapping
 *    what it mapped. A split is invisible to the guest.
 *  - Nothing here invalidates cached translations: after unmap, protect,
 *    a split or a harvest the caller runs INVEPT (SDM 28.3.3.1).
 */
#ifndef HVLAB_EPT_H
#define HVLAB_EPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bits 2:0 of every entry: the access rights (SDM 28.2.2, Tables 28-1..28-6). */
#define EPT_R   1u
#define EPT_W   2u
#define EPT_X   4u
#define EPT_RWX 7u

/* Memory types for bits 5:3 of a leaf (SDM 28.2.7; 2, 3 and 7 are reserved). */
#define EPT_MT_UC 0u
#define EPT_MT_WC 1u
#define EPT_MT_WT 4u
#define EPT_MT_WP 5u
#define EPT_MT_WB 6u

#define EPT_ENTRIES 512
#define EPT_LEVEL_PT   1
#define EPT_LEVEL_PD   2
#define EPT_LEVEL_PDPT 3
#define EPT_LEVEL_PML4 4
/** Bits of the address a level's index starts at: 12, 21, 30, 39. */
#define EPT_SHIFT(level) (12 + 9 * ((level) - 1))
/** Bytes one entry of @level covers: 4 KiB, 2 MiB, 1 GiB, 512 GiB. */
#define EPT_LEVEL_SIZE(level) (1ull << EPT_SHIFT(level))
#define EPT_SIZE_4K EPT_LEVEL_SIZE(EPT_LEVEL_PT)
#define EPT_SIZE_2M EPT_LEVEL_SIZE(EPT_LEVEL_PD)
#define EPT_SIZE_1G EPT_LEVEL_SIZE(EPT_LEVEL_PDPT)
/** A 4-level walk translates guest-physical addresses below 2^48. */
#define EPT_GPA_LIMIT (1ull << 48)
/** Host-physical addresses stop at MAXPHYADDR, at most 52 bits (SDM 28.2.2). */
#define EPT_HPA_LIMIT (1ull << 52)

/* Entry bits other than the rights (SDM Tables 28-1..28-6). */
#define EPT_MT_SHIFT  3
#define EPT_MT_MASK   (7ull << EPT_MT_SHIFT)   /* leaf: memory type */
#define EPT_IPAT      (1ull << 6)              /* leaf: ignore PAT */
#define EPT_LARGE     (1ull << 7)              /* PDPT/PD entry: a 1 GiB/2 MiB page */
#define EPT_ACCESSED  (1ull << 8)
#define EPT_DIRTY     (1ull << 9)              /* leaf only */
/** Bits 51:12: a table's or a 4 KiB page's host-physical address. */
#define EPT_ADDR_MASK 0x000ffffffffff000ull

/* EPTP fields (SDM 24.6.11, Table 24-8). */
#define EPTP_MT_WB       6ull
#define EPTP_WALK_4      ((4ull - 1) << 3)     /* page-walk length minus one */
#define EPTP_AD          (1ull << 6)

struct ept {
	uint64_t root;                          /* physical address of the PML4 */
	uint64_t (*table_alloc)(void *ctx);     /* a zeroed 4 KiB frame, or 0 */
	void (*table_free)(uint64_t pa, void *ctx);
	void *ctx;
	bool ad;          /* accessed/dirty flags enabled (EPTP bit 6) */
	bool has_2m;      /* 2 MiB pages supported (IA32_VMX_EPT_VPID_CAP bit 16) */
	bool has_1g;      /* 1 GiB pages supported (IA32_VMX_EPT_VPID_CAP bit 17) */
	bool exec_only;   /* execute-only entries supported (IA32_VMX_EPT_VPID_CAP bit 0) */
	unsigned tables;  /* tables allocated now, the PML4 included */
};

/** What a guest-physical address maps to. */
struct ept_mapping {
	uint64_t hpa;       /* host-physical address of the byte at gpa */
	uint64_t size;      /* the page holding it: EPT_SIZE_4K, _2M or _1G */
	unsigned perms;     /* EPT_R | EPT_W | EPT_X */
	unsigned memtype;   /* EPT_MT_* */
	bool accessed, dirty;
};

/** The index of @gpa's entry in a table of @level. */
static inline unsigned ept_index(uint64_t gpa, int level)
{
	return (unsigned)(gpa >> EPT_SHIFT(level)) & (EPT_ENTRIES - 1);
}

/** The table at physical address @pa, as a pointer (identity map). */
static inline uint64_t *ept_table(uint64_t pa)
{
	return (uint64_t *)(uintptr_t)pa;
}

/** Present: any of read, write, execute allowed (SDM 28.2.2). */
static inline bool ept_present(uint64_t entry)
{
	return (entry & EPT_RWX) != 0;
}

/**
 * An empty EPT: allocates the PML4. 0 or -MEM_ENOMEM. ad, has_2m, has_1g
 * and exec_only start false; the caller sets them from the CPU's
 * capabilities before mapping.
 */
int ept_init(struct ept *e, uint64_t (*table_alloc)(void *),
	     void (*table_free)(uint64_t, void *), void *ctx);
/** Free every table (never the mapped pages); e->tables is 0 afterwards. */
void ept_destroy(struct ept *e);
/** The VMCS EPT pointer: root | WB | walk length 4 | A/D enable (SDM 24.6.11). */
uint64_t ept_eptp(const struct ept *e);

/**
 * Map one page of @size (EPT_SIZE_4K, _2M or _1G) at @gpa to @hpa.
 * Errors: -MEM_EINVAL (size not supported, bad @perms or @memtype),
 * -MEM_EALIGN (gpa or hpa not a multiple of size), -MEM_ERANGE (gpa past
 * 48 bits, hpa past 52), -MEM_EEXIST (anything mapped in the page),
 * -MEM_ENOMEM (no table; nothing is left allocated then).
 */
int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, unsigned perms,
	    unsigned memtype);
/**
 * Map [@gpa, @gpa + @len) to [@hpa, ...), each page the largest that the
 * alignment of both addresses, the rest of the length and the CPU allow.
 * Errors as ept_map, and -MEM_EINVAL for @len 0; on error nothing of the
 * range stays mapped.
 */
int ept_map_range(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t len, unsigned perms,
		  unsigned memtype);
/**
 * Unmap [@gpa, @gpa + @len) (4 KiB aligned), splitting large pages that
 * cross its edges and freeing tables left empty. Holes are fine.
 * Errors: -MEM_EALIGN, -MEM_ERANGE, -MEM_ENOMEM (a split; nothing unmapped then).
 */
int ept_unmap(struct ept *e, uint64_t gpa, uint64_t len);
/**
 * Give every page of [@gpa, @gpa + @len) the rights @perms, splitting large
 * pages that cross its edges. Errors: -MEM_EINVAL (@perms, including 0: use
 * ept_unmap), -MEM_EALIGN, -MEM_ERANGE, -MEM_ENOENT (part of the range is
 * not mapped), -MEM_ENOMEM (a split); no rights change on error.
 */
int ept_protect(struct ept *e, uint64_t gpa, uint64_t len, unsigned perms);
/** What @gpa maps to, in *@out: 0, -MEM_ENOENT (not mapped) or -MEM_ERANGE (past 48 bits). */
int ept_translate(const struct ept *e, uint64_t gpa, struct ept_mapping *out);
/**
 * For lab 6's dirty logging: call @fn(gpa, size, ctx) once per dirty page
 * in [@gpa, @gpa + @len) (a large page clipped to the range), and clear
 * the accessed and dirty flags of the pages wholly inside the range. A
 * large page that crosses an edge keeps its flags, so that no write to its
 * part outside the range is forgotten (it may be reported again: safe).
 * Errors: -MEM_EINVAL (A/D flags not enabled in e->ad), -MEM_EALIGN, -MEM_ERANGE.
 */
int ept_harvest_dirty(struct ept *e, uint64_t gpa, uint64_t len,
		      void (*fn)(uint64_t gpa, uint64_t size, void *ctx), void *ctx);

#endif
