/*
 * gpt_walk.h - walk the guest's own page tables: guest-virtual to
 * guest-physical in every paging mode (SDM Vol. 3A, chapter 4 "Paging":
 * 4.3 32-bit, 4.4 PAE, 4.5 4-level and 5-level). The hypervisor needs this
 * to fetch the instruction at a guest RIP (MMIO emulation), to read a
 * hypercall's buffer, and to explain a guest's crash. Pure logic: the
 * caller supplies a function that reads guest-physical memory.
 *
 * The walk only reads: it does not set accessed/dirty bits (hardware does
 * when the guest itself translates) and it reports rights, it does not
 * check an access against them.
 */
#ifndef HVLAB_GPT_WALK_H
#define HVLAB_GPT_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gpt_mode { GPT_MODE_OFF, GPT_MODE_32, GPT_MODE_PAE, GPT_MODE_LONG4, GPT_MODE_LONG5 };

/* Bits the mode depends on (SDM Vol. 3A, 2.5 and 2.2.1). */
#define GPT_CR0_PG    (1ull << 31)
#define GPT_CR4_PSE   (1ull << 4)
#define GPT_CR4_PAE   (1ull << 5)
#define GPT_CR4_LA57  (1ull << 12)
#define GPT_EFER_NXE  (1ull << 11)
#define GPT_EFER_LMA  (1ull << 10)

#define GPT_MAX_LEVELS 5

/** The paging mode from CR0.PG, CR4.PAE, CR4.LA57, EFER.LMA (SDM Vol. 3A, 4.1.1 Table 4-1). */
enum gpt_mode gpt_mode_of(uint64_t cr0, uint64_t cr4, uint64_t efer);

/** "paging off", "32-bit", "PAE", "4-level", "5-level". */
const char *gpt_mode_name(enum gpt_mode m);

/** Read @size (4 or 8) bytes of guest-physical memory at @gpa into *@val (zero-extended):
 * 0, or -1 when nothing backs it. */
typedef int (*gpt_read_fn)(void *ctx, uint64_t gpa, unsigned size, uint64_t *val);

struct gpt_result {
	uint64_t gpa;            /* the translation (valid when the walk returns 0) */
	uint64_t page_size;      /* 4K, 2M, 4M (32-bit PSE), 1G; 0 when paging is off */
	bool writable, user, nx; /* effective rights: R/W and U/S ANDed, XD ORed (SDM 4.6) */
	int levels;              /* entries read */
	uint64_t entry_gpa[GPT_MAX_LEVELS]; /* where each entry was read, top level first */
	uint64_t entry[GPT_MAX_LEVELS];     /* what it held */
	int fault_level;         /* on error: the level that stopped the walk (5 PML5,
				  * 4 PML4, 3 PDPT, 2 PD, 1 PT); 0 on success */
	uint64_t reserved;       /* GPT_ERESERVED: the reserved bits found set */
	/* GPT_EUNBACKED: entry_gpa[levels] is the entry that could not be read */
};

enum gpt_error { GPT_OK = 0, GPT_ENOTPRESENT = 1, GPT_ERESERVED, GPT_EUNBACKED, GPT_ENONCANONICAL };

/**
 * Translate @gva under @mode with root @cr3; @cr4 gives PSE (32-bit mode)
 * and @efer NXE (PAE and long modes: without it bit 63 is reserved).
 * Returns 0 with *@out filled, or -GPT_E*: an entry without P, a reserved
 * bit set, a table address nothing backs, a non-canonical address (or one
 * above 4 GiB outside long mode). *@out then says how far the walk got:
 * the entries read and fault_level.
 */
int gpt_walk(enum gpt_mode mode, uint64_t cr3, uint64_t cr4, uint64_t efer, uint64_t gva,
	     gpt_read_fn read, void *ctx, struct gpt_result *out);

/** A sentence for 0 or a -GPT_E* value. */
const char *gpt_strerror(int err);

/**
 * A one-line trace of a walk into @buf (@n bytes, always NUL-terminated):
 * "gva 0x401000 (4-level): PML4[0]@0x1000=0x2003 -> PDPT[0]@0x2000=0x3003
 *  -> PD[2]@0x3010=0x4003 -> PT[1]@0x4008=0x5003 -> 4K page 0x5000: gpa 0x5000 [W U]",
 * or ending in the error. Returns the length the full text has (like snprintf).
 */
int gpt_format(const struct gpt_result *r, enum gpt_mode mode, uint64_t gva, int err,
	       char *buf, size_t n);

#endif
