/*
 * ram.c - the guest's RAM: guest-physical [0, RAM size), all of it
 * readable and writable (EPT maps it read/write/execute, vm.h). The image
 * occupies [GRT3_BASE, __image_end); everything else is free to test.
 */
#include "grt.h"
#include "grt3.h"
#include "gtest.h"

#define PAGE 4096ull

/* A value each word's address determines, different in every word and
 * every bit position, so a page mapped twice or a stuck bit shows. */
static uint64_t pattern(uint64_t addr)
{
	return (addr * 0x9e3779b97f4a7c15ull) ^ 0x5aa5c33c0ff0f00full;
}

/* Write the pattern over [start, end), then read it all back. Returns the
 * first address that reads wrong, or 0. */
static uint64_t pattern_check(uint64_t start, uint64_t end, uint64_t *seen)
{
	for (uint64_t a = start; a < end; a += 8)
		*(volatile uint64_t *)a = pattern(a);
	for (uint64_t a = start; a < end; a += 8) {
		uint64_t v = *(volatile uint64_t *)a;
		if (v != pattern(a)) {
			*seen = v;
			return a;
		}
	}
	return 0;
}

/* All RAM above the image, to the last word; and the free RAM below it
 * (from 4 KiB: page 0 is left alone, the compiler treats 0 as NULL). */
GTEST(ram_pattern_everywhere)
{
	uint64_t above = ((uint64_t)__image_end + PAGE - 1) & ~(PAGE - 1);
	uint64_t seen = 0, bad;

	GASSERTF(grt_mem_size > above, "no RAM above the image (RAM %#lx, image end %p)",
		 (unsigned long)grt_mem_size, __image_end);
	bad = pattern_check(above, grt_mem_size, &seen);
	GASSERTF(!bad, "RAM at %#lx reads %#lx, wrote %#lx", (unsigned long)bad,
		 (unsigned long)seen, (unsigned long)pattern(bad));
	bad = pattern_check(PAGE, GRT3_BASE, &seen);
	GASSERTF(!bad, "RAM at %#lx reads %#lx, wrote %#lx", (unsigned long)bad,
		 (unsigned long)seen, (unsigned long)pattern(bad));
}

/* The last byte of RAM is there, at every access size that ends on it. */
GTEST(ram_last_byte)
{
	volatile uint8_t *b = (volatile uint8_t *)(grt_mem_size - 1);
	volatile uint64_t *q = (volatile uint64_t *)(grt_mem_size - 8);

	*b = 0xa5;
	GASSERT_EQ(*b, 0xa5);
	*q = 0x1122334455667788ull;
	GASSERT_EQ(*q, 0x1122334455667788ull);
	GASSERT_EQ(*b, 0x11);
	*b = 0x5a;
	GASSERT_EQ(*q, 0x5a22334455667788ull);
}

/* The image itself is in RAM where it was linked: code is readable as
 * data at its link address (identity paging, p_paddr = p_vaddr). */
GTEST(ram_image_where_linked)
{
	const volatile uint8_t *entry = (const volatile uint8_t *)GRT3_BASE;

	GASSERT_EQ((uint64_t)__image_start, GRT3_BASE);
	/* the first instruction of entry16.S: mov %ds, %ax (8C D8) */
	GASSERT_EQ(entry[0], 0x8c);
	GASSERT_EQ(entry[1], 0xd8);
}
