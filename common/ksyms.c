/*
 * ksyms.c - binary search in the symbol table that tools/mksyms.py emits.
 */
#include <stddef.h>
#include "ksyms.h"

struct ksym {
	unsigned long addr;
	const char *name;
};

/* Weak so the first link (before the table exists) still resolves. */
extern const struct ksym ksyms_table[] __attribute__((weak));
extern const unsigned long ksyms_count __attribute__((weak));

const char *ksyms_lookup(unsigned long addr, unsigned long *offset)
{
	if (!&ksyms_count || !ksyms_table || ksyms_count == 0 || addr < ksyms_table[0].addr)
		return NULL;
	size_t lo = 0, hi = ksyms_count;   /* find the last entry with addr <= addr */
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (ksyms_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksyms_table[lo].addr;
	return ksyms_table[lo].name;
}
