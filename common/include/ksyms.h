/*
 * ksyms.h - the kernel's own symbol table, for readable backtraces.
 *
 * The build links the kernel twice: the second link embeds a table made
 * from the first link's "nm -n" output (tools/mksyms.py).
 */
#ifndef HVLAB_KSYMS_H
#define HVLAB_KSYMS_H

/** Name of the function containing @addr and the offset into it, or NULL. */
const char *ksyms_lookup(unsigned long addr, unsigned long *offset);

#endif
