/*
 * e820.c - the PC memory map both lab-4 loaders hand their guest
 * (guest_load.h).
 *
 * A PC BIOS reports base memory up to the EBDA (639 KiB), then a hole for
 * the EBDA, the VGA window and the BIOS ROM up to 1 MiB, then extended
 * memory. hvlab's guest RAM is one flat range, but a guest must not use
 * the hole: that is where the MP table lives (mptable.h), and where
 * Linux expects firmware, so reporting it keeps the guest off it.
 */
#include "guest_load.h"

static unsigned e820_put(struct e820_entry *out, unsigned n, unsigned i, uint64_t addr,
			 uint64_t size, uint32_t type)
{
	if (i < n)
		out[i++] = (struct e820_entry){ .addr = addr, .size = size, .type = type };
	return i;
}

unsigned e820_build(uint64_t ram_size, struct e820_entry *out, unsigned n)
{
	unsigned i = 0;

	if (ram_size)
		i = e820_put(out, n, i, 0,
			     ram_size < E820_LOW_RAM_END ? ram_size : E820_LOW_RAM_END, E820_RAM);
	i = e820_put(out, n, i, E820_LOW_RAM_END, E820_HIGH_START - E820_LOW_RAM_END,
		     E820_RESERVED);
	if (ram_size > E820_HIGH_START)
		i = e820_put(out, n, i, E820_HIGH_START, ram_size - E820_HIGH_START, E820_RAM);
	return i;
}
