/*
 * test_e820.c - the PC memory map (e820.c) on the host.
 *
 * Expected maps are written out by hand from the PC layout: base memory
 * to 639 KiB, the EBDA/VGA/BIOS hole to 1 MiB, extended memory above.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include "guest_load.h"

static void expect(const struct e820_entry *e, uint64_t addr, uint64_t size, uint32_t type)
{
	cr_expect_eq(e->addr, addr, "addr %#lx, expected %#lx", (unsigned long)e->addr,
		     (unsigned long)addr);
	cr_expect_eq(e->size, size, "size %#lx, expected %#lx", (unsigned long)e->size,
		     (unsigned long)size);
	cr_expect_eq(e->type, type);
}

Test(e820, entry_is_the_20_byte_bios_layout)
{
	struct e820_entry e = { .addr = 0x1122334455667788ull, .size = 0x99, .type = 2 };
	uint8_t raw[20];

	cr_assert_eq(sizeof(e), 20);
	memcpy(raw, &e, sizeof(raw));
	cr_expect_eq(raw[0], 0x88);
	cr_expect_eq(raw[7], 0x11);
	cr_expect_eq(raw[8], 0x99);
	cr_expect_eq(raw[16], 2);
}

Test(e820, map_of_128_mib)
{
	struct e820_entry m[8];

	memset(m, 0xab, sizeof(m));
	cr_assert_eq(e820_build(128ull << 20, m, 8), 3);
	expect(&m[0], 0, 0x9FC00, E820_RAM);
	expect(&m[1], 0x9FC00, 0x60400, E820_RESERVED);
	expect(&m[2], 0x100000, (128ull << 20) - 0x100000, E820_RAM);
	cr_expect_eq(m[3].type, 0xabababab, "wrote past the entries it returned");
}

Test(e820, ram_above_4g_is_one_range)
{
	struct e820_entry m[3];

	cr_assert_eq(e820_build(6ull << 30, m, 3), 3);
	expect(&m[2], 0x100000, (6ull << 30) - 0x100000, E820_RAM);
}

Test(e820, ram_ending_inside_the_hole)
{
	struct e820_entry m[3];

	cr_assert_eq(e820_build(0xC0000, m, 3), 2);
	expect(&m[0], 0, 0x9FC00, E820_RAM);
	expect(&m[1], 0x9FC00, 0x60400, E820_RESERVED);
}

Test(e820, tiny_ram_shortens_the_low_range)
{
	struct e820_entry m[3];

	cr_assert_eq(e820_build(0x8000, m, 3), 2);
	expect(&m[0], 0, 0x8000, E820_RAM);
	expect(&m[1], 0x9FC00, 0x60400, E820_RESERVED);
}

Test(e820, exactly_one_mib)
{
	struct e820_entry m[3];

	cr_assert_eq(e820_build(0x100000, m, 3), 2, "no empty RAM range above 1 MiB");
}

Test(e820, respects_the_caller_s_limit)
{
	struct e820_entry m[3];

	memset(m, 0xab, sizeof(m));
	cr_assert_eq(e820_build(128ull << 20, m, 2), 2);
	expect(&m[1], 0x9FC00, 0x60400, E820_RESERVED);
	cr_expect_eq(m[2].type, 0xabababab);
	cr_assert_eq(e820_build(128ull << 20, m, 0), 0);
}

Test(e820, no_ram_still_reports_the_hole)
{
	struct e820_entry m[3];

	cr_assert_eq(e820_build(0, m, 3), 1);
	expect(&m[0], 0x9FC00, 0x60400, E820_RESERVED);
}
