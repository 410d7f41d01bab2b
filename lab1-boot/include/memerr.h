/*
 * memerr.h - the error codes of lab 1's memory code (pmm, heap, page tables).
 *
 * The pure logic (pmm_core.c, heap_core.c, pt.c) never panics: it returns
 * 0 or a negative MEM_E* code, so that host unit tests can check every
 * failure path. The kernel-facing wrappers decide what is fatal and name the
 * error with mem_strerror() in their panic message.
 */
#ifndef HVLAB_MEMERR_H
#define HVLAB_MEMERR_H

enum mem_err {
	MEM_OK = 0,
	MEM_ENOMEM,    /* no free memory, or no free run long enough */
	MEM_EINVAL,    /* bad argument: size 0, unknown page size, bad flags, non-canonical address */
	MEM_EALIGN,    /* an address is not aligned as the operation requires */
	MEM_ERANGE,    /* an address lies outside what this allocator or table can hold */
	MEM_EDOUBLE,   /* freeing something that is already free (double free) */
	MEM_EFOREIGN,  /* freeing something this allocator never handed out */
	MEM_EBUSY,     /* reserving or adding memory that is handed out right now */
	MEM_EEXIST,    /* the virtual range is already (partly) mapped */
	MEM_ENOENT,    /* the virtual address is not mapped */
	MEM_EHUGE,     /* a 4 KiB operation inside a 2 MiB (or 1 GiB) page */
	MEM_ETABLE,    /* a 2 MiB operation on a range mapped by a table of 4 KiB pages */
	MEM_NERR
};

/** A short English name for @err (either sign), for panic and test messages. */
static inline const char *mem_strerror(int err)
{
	static const char *const names[MEM_NERR] = {
		[MEM_OK] = "success",
		[MEM_ENOMEM] = "out of memory",
		[MEM_EINVAL] = "invalid argument",
		[MEM_EALIGN] = "misaligned address",
		[MEM_ERANGE] = "address out of range",
		[MEM_EDOUBLE] = "double free",
		[MEM_EFOREIGN] = "not allocated here (foreign address)",
		[MEM_EBUSY] = "memory in use",
		[MEM_EEXIST] = "already mapped",
		[MEM_ENOENT] = "not mapped",
		[MEM_EHUGE] = "inside a large page",
		[MEM_ETABLE] = "range is mapped by 4 KiB pages",
	};
	if (err < 0)
		err = -err;
	return err < MEM_NERR ? names[err] : "unknown memory error";
}

#endif
