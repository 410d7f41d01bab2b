/*
 * test_bzimage.c - the bzImage loader (bzimage.c) on the host.
 *
 * Fake bzImages are built here: a setup area whose sector 0 holds the
 * setup header at the offsets of boot.rst ("The real-mode kernel
 * header"), written out below as numbers, then a protected-mode kernel
 * of recognizable bytes. The expected zero page is built independently
 * from boot.rst and zero-page.rst and compared with the loaded one byte
 * for byte. The RAM callbacks count their calls, so every refusal also
 * proves that nothing was written.
 *
 * If cache/linux/vmlinuz exists (scripts fetch Debian's kernel there), a
 * last test loads it; without it, that test is skipped.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bzimage.h"

#define MiB (1ull << 20)
#define RAM_SIZE (64 * MiB)

static uint8_t *ram;
static uint64_t ram_size;
static int writes, fail_writes;
static char err[256];

static void check_range(uint64_t gpa, uint64_t len)
{
	cr_assert(gpa <= ram_size && len <= ram_size - gpa, "access outside RAM: %#lx + %#lx",
		  (unsigned long)gpa, (unsigned long)len);
}

static int ram_write(void *ctx, uint64_t gpa, const void *src, uint64_t len)
{
	cr_assert_eq(ctx, (void *)ram, "the loader passes the context through");
	check_range(gpa, len);
	writes++;
	if (fail_writes)
		return -1;
	memcpy(ram + gpa, src, len);
	return 0;
}

static int ram_zero(void *ctx, uint64_t gpa, uint64_t len)
{
	cr_assert_eq(ctx, (void *)ram);
	check_range(gpa, len);
	writes++;
	if (fail_writes)
		return -1;
	memset(ram + gpa, 0, len);
	return 0;
}

static struct guest_ram gram;

static void setup(void)
{
	static uint8_t buf[RAM_SIZE];
	ram = buf;
	ram_size = RAM_SIZE;
	memset(ram, 0xcc, RAM_SIZE);
	writes = fail_writes = 0;
	memset(err, 0, sizeof(err));
	gram = (struct guest_ram){ .size = RAM_SIZE, .write = ram_write, .zero = ram_zero,
				   .ctx = ram };
}

TestSuite(bzimage, .init = setup);

static void wr8(uint8_t *b, size_t o, uint8_t v) { b[o] = v; }
static void wr16(uint8_t *b, size_t o, uint16_t v) { memcpy(b + o, &v, 2); }
static void wr32(uint8_t *b, size_t o, uint32_t v) { memcpy(b + o, &v, 4); }
static void wr64(uint8_t *b, size_t o, uint64_t v) { memcpy(b + o, &v, 8); }
static uint16_t rd16(const uint8_t *b, size_t o) { uint16_t v; memcpy(&v, b + o, 2); return v; }
static uint32_t rd32(const uint8_t *b, size_t o) { uint32_t v; memcpy(&v, b + o, 4); return v; }
static uint64_t rd64(const uint8_t *b, size_t o) { uint64_t v; memcpy(&v, b + o, 8); return v; }

/* ---- a fake bzImage: 4 setup sectors + boot sector, then 0x3000 bytes of kernel ---- */

#define SETUP_END  0xA00          /* (4 + 1) * 512 */
#define PM_SIZE    0x3000
#define INIT_SIZE  0x800000u      /* 8 MiB */

static uint8_t img[SETUP_END + PM_SIZE];
static size_t img_size;

static void build(void)
{
	for (size_t i = 0; i < sizeof(img); i++)
		img[i] = (uint8_t)(i * 31 + 7);
	wr8(img, 0x1F1, 4);                 /* setup_sects */
	wr16(img, 0x1FE, 0xAA55);           /* boot_flag */
	wr8(img, 0x200, 0xEB);              /* jump ... */
	wr8(img, 0x201, 0x6A);              /* ... to 0x26C: the header's end */
	memcpy(img + 0x202, "HdrS", 4);
	wr16(img, 0x206, 0x020F);           /* version 2.15 */
	wr8(img, 0x210, 0);                 /* type_of_loader */
	wr8(img, 0x211, 0x01);              /* loadflags: LOADED_HIGH */
	wr32(img, 0x214, 0x100000);         /* code32_start */
	wr32(img, 0x218, 0);                /* ramdisk_image */
	wr32(img, 0x21C, 0);                /* ramdisk_size */
	wr16(img, 0x224, 0);                /* heap_end_ptr */
	wr32(img, 0x228, 0);                /* cmd_line_ptr */
	wr32(img, 0x22C, 0x7FFFFFFF);       /* initrd_addr_max */
	wr32(img, 0x230, 0x200000);         /* kernel_alignment */
	wr8(img, 0x234, 1);                 /* relocatable_kernel */
	wr16(img, 0x236, 0x1);              /* xloadflags: XLF_KERNEL_64 */
	wr32(img, 0x238, 0x7FF);            /* cmdline_size */
	wr64(img, 0x250, 0x1122334455667788ull);   /* setup_data: garbage a loader must clear */
	wr64(img, 0x258, 0x1000000);        /* pref_address: 16 MiB */
	wr32(img, 0x260, INIT_SIZE);        /* init_size */
	img_size = sizeof(img);
}

static int load(const void *initrd, size_t initrd_size, const char *cmdline, struct bz_boot *b)
{
	return bz_load(img, img_size, initrd, initrd_size, cmdline, &gram, b, err, sizeof(err));
}

/*
 * The zero page a 64-bit loader must produce (boot.rst, zero-page.rst):
 * zeros, the header copied from 0x1F1 to 0x202 + img[0x201], then the
 * loader's fields.
 */
static void expected_zero_page(uint8_t zp[4096], const uint8_t *image, uint64_t load_addr,
			       uint64_t initrd, uint64_t initrd_size, uint64_t ramsz)
{
	memset(zp, 0, 4096);
	memcpy(zp + 0x1F1, image + 0x1F1, 0x202 + image[0x201] - 0x1F1);
	wr8(zp, 0x210, 0xFF);                         /* type_of_loader: undefined */
	wr8(zp, 0x211, image[0x211] | 0x80);          /* loadflags |= CAN_USE_HEAP */
	wr16(zp, 0x224, 0xDE00);                      /* heap_end_ptr */
	wr32(zp, 0x214, (uint32_t)load_addr);         /* code32_start */
	wr32(zp, 0x228, 0x20000);                     /* cmd_line_ptr */
	wr32(zp, 0x0C8, 0);                           /* ext_cmd_line_ptr */
	wr32(zp, 0x218, (uint32_t)initrd);            /* ramdisk_image */
	wr32(zp, 0x0C0, (uint32_t)(initrd >> 32));    /* ext_ramdisk_image */
	wr32(zp, 0x21C, (uint32_t)initrd_size);       /* ramdisk_size */
	wr32(zp, 0x0C4, (uint32_t)(initrd_size >> 32));
	wr64(zp, 0x250, 0);                           /* setup_data: no list */
	wr8(zp, 0x1E8, 3);                            /* e820_entries */
	wr64(zp, 0x2D0, 0);           wr64(zp, 0x2D8, 0x9FC00);  wr32(zp, 0x2E0, 1);
	wr64(zp, 0x2E4, 0x9FC00);     wr64(zp, 0x2EC, 0x60400);  wr32(zp, 0x2F4, 2);
	wr64(zp, 0x2F8, 0x100000);    wr64(zp, 0x300, ramsz - 0x100000); wr32(zp, 0x308, 1);
}

static void check_zero_page(uint64_t load_addr, uint64_t initrd, uint64_t initrd_size)
{
	uint8_t want[4096];

	expected_zero_page(want, img, load_addr, initrd, initrd_size, ram_size);
	for (unsigned i = 0; i < 4096; i++)
		cr_assert_eq(ram[0x2000 + i], want[i], "zero page byte %#x is %#x, expected %#x", i,
			     ram[0x2000 + i], want[i]);
}

/* Refused, with a message holding @what, and nothing written. */
#define REFUSED(rc, what) \
	do { cr_assert_eq((rc), -1, "accepted, expected a refusal: %s", what); \
	     cr_assert(strstr(err, what), "message \"%s\" lacks \"%s\"", err, what); \
	     cr_assert_eq(writes, 0, "wrote %d times before refusing", writes); } while (0)

Test(bzimage, loads_and_fills_the_zero_page)
{
	struct bz_boot b;

	build();
	cr_assert_eq(load(NULL, 0, "console=ttyS0 acpi=off", &b), 0, "refused: %s", err);
	cr_assert_str_empty(err);
	cr_assert_eq(b.entry64, 0x1000200, "64-bit entry at load + 0x200");
	cr_assert_eq(b.boot_params, 0x2000);
	cr_assert_eq(b.kernel_start, 0x1000000);
	cr_assert_eq(b.kernel_end, 0x1000000 + INIT_SIZE);
	cr_assert_eq(b.initrd_start, 0);
	cr_assert_eq(b.initrd_end, 0);
	check_zero_page(0x1000000, 0, 0);
	cr_assert_eq(memcmp(ram + 0x1000000, img + SETUP_END, PM_SIZE), 0, "kernel bytes");
	cr_assert_eq(ram[0x1000000 + PM_SIZE], 0xcc, "wrote past the kernel");
	cr_assert_eq(ram[0x1000000 - 1], 0xcc, "wrote before the kernel");
	cr_assert_str_eq((char *)ram + 0x20000, "console=ttyS0 acpi=off");
}

Test(bzimage, no_cmdline_is_an_empty_string)
{
	build();
	cr_assert_eq(load(NULL, 0, NULL, NULL), 0, "%s", err);
	cr_assert_eq(rd32(ram, 0x2000 + 0x228), 0x20000);
	cr_assert_eq(ram[0x20000], 0);
	cr_assert_eq(ram[0x20001], 0xcc);
}

/* boot.rst: the header runs to 0x202 + the jump's offset; nothing after it is copied. */
Test(bzimage, copies_exactly_the_header_the_jump_gives)
{
	build();
	wr8(img, 0x201, 0x66);              /* header ends at 0x268 */
	cr_assert_eq(load(NULL, 0, "", NULL), 0, "%s", err);
	check_zero_page(0x1000000, 0, 0);
	cr_assert_eq(ram[0x2000 + 0x268], 0, "byte past the header");
	cr_assert_eq(rd32(ram, 0x2000 + 0x264), rd32(img, 0x264), "last header field");
}

Test(bzimage, setup_sects_zero_means_four)
{
	build();
	wr8(img, 0x1F1, 0);
	cr_assert_eq(load(NULL, 0, "", NULL), 0, "%s", err);
	cr_assert_eq(memcmp(ram + 0x1000000, img + SETUP_END, PM_SIZE), 0);
	cr_assert_eq(ram[0x2000 + 0x1F1], 0, "setup_sects copied as the file has it");
}

Test(bzimage, setup_sects_place_the_kernel)
{
	build();
	wr8(img, 0x1F1, 2);                 /* 3 sectors: the kernel starts at 0x600 */
	cr_assert_eq(load(NULL, 0, "", NULL), 0, "%s", err);
	cr_assert_eq(memcmp(ram + 0x1000000, img + 0x600, sizeof(img) - 0x600), 0);
}

Test(bzimage, gdt_has_flat_boot_cs_and_ds)
{
	struct bz_boot b;

	build();
	cr_assert_eq(load(NULL, 0, "", &b), 0, "%s", err);
	cr_assert_eq(b.gdt, 0x1000);
	cr_assert(b.gdt_limit >= 0x1F, "the limit covers selector 0x18");
	cr_assert_eq((b.gdt_limit + 1) % 8, 0);
	for (unsigned sel = 0x10; sel <= 0x18; sel += 8) {
		uint64_t d = rd64(ram, b.gdt + sel);
		uint32_t base = (uint32_t)((d >> 16) & 0xFFFFFF) | (uint32_t)((d >> 56) << 24);
		uint32_t limit = (uint32_t)(d & 0xFFFF) | (uint32_t)(((d >> 48) & 0xF) << 16);
		unsigned type = (d >> 40) & 0xF, s = (d >> 44) & 1, dpl = (d >> 45) & 3;
		unsigned p = (d >> 47) & 1, l = (d >> 53) & 1, db = (d >> 54) & 1, g = (d >> 55) & 1;
		cr_assert_eq(base, 0, "selector %#x: base", sel);
		cr_assert_eq(limit, 0xFFFFF, "selector %#x: limit", sel);
		cr_assert(g && p && s && dpl == 0, "selector %#x: G, P, S, DPL 0", sel);
		cr_assert(type & 1, "selector %#x: accessed", sel);
		if (sel == 0x10) {
			cr_assert((type & 0xA) == 0xA, "__BOOT_CS: code, readable");
			cr_assert(l && !db, "__BOOT_CS: 64-bit (L=1, D=0)");
		} else {
			cr_assert((type & 0xA) == 0x2, "__BOOT_DS: data, writable");
		}
	}
	cr_assert_eq(rd64(ram, b.gdt), 0, "null descriptor");
}

/* Every address of the first 4 GiB maps to itself through 2 MiB pages. */
Test(bzimage, page_tables_identity_map_4_gib)
{
	struct bz_boot b;

	build();
	cr_assert_eq(load(NULL, 0, "", &b), 0, "%s", err);
	cr_assert_eq(b.cr3 & 0xFFF, 0);
	cr_assert(b.cr3 < 0x100000, "below 1 MiB");
	uint64_t pml4e = rd64(ram, b.cr3);
	cr_assert_eq(pml4e & 3, 3, "PML4[0] present, writable");
	for (unsigned i = 1; i < 512; i++)
		cr_assert_eq(rd64(ram, b.cr3 + 8 * i), 0, "PML4[%u]", i);
	uint64_t pdpt = pml4e & ~0xFFFull;
	for (uint64_t gb = 0; gb < 4; gb++) {
		uint64_t pdpte = rd64(ram, pdpt + 8 * gb);
		cr_assert_eq(pdpte & 0x83, 3, "PDPT[%lu]: present, writable, not a 1 GiB page",
			     (unsigned long)gb);
		uint64_t pd = pdpte & ~0xFFFull;
		cr_assert(pd + 4096 <= 0x100000 && pd != b.boot_params && pd != b.gdt);
		for (uint64_t i = 0; i < 512; i++) {
			uint64_t pde = rd64(ram, pd + 8 * i);
			cr_assert_eq(pde & 0x83, 0x83, "PDE %lu: present, writable, 2 MiB",
				     (unsigned long)i);
			cr_assert_eq(pde & ~0xFFFull, (gb << 30) | (i << 21), "PDE maps itself");
		}
	}
	for (unsigned i = 4; i < 512; i++)
		cr_assert_eq(rd64(ram, pdpt + 8 * i), 0, "PDPT[%u]", i);
}

/* The loader's structures stay apart: GDT, zero page, tables, command line. */
Test(bzimage, low_structures_do_not_overlap)
{
	struct bz_boot b;

	build();
	cr_assert_eq(load(NULL, 0, "x", &b), 0, "%s", err);
	uint64_t pdpt = rd64(ram, b.cr3) & ~0xFFFull;
	uint64_t start[] = { b.gdt, b.boot_params, b.cr3, pdpt, rd64(ram, pdpt) & ~0xFFFull, 0x20000 };
	uint64_t len[] = { b.gdt_limit + 1, 4096, 4096, 4096, 4 * 4096, 0x800 };
	for (unsigned i = 0; i < 6; i++)
		for (unsigned j = i + 1; j < 6; j++)
			cr_assert(start[i] + len[i] <= start[j] || start[j] + len[j] <= start[i],
				  "structures %u and %u overlap", i, j);
}

/* ---- the initrd ---- */

static uint8_t rd[0x1234];

static void fill_initrd(void)
{
	for (size_t i = 0; i < sizeof(rd); i++)
		rd[i] = (uint8_t)(i ^ 0xA5);
}

Test(bzimage, initrd_goes_page_aligned_to_the_top_of_ram)
{
	struct bz_boot b;
	uint64_t want = (RAM_SIZE - sizeof(rd)) & ~0xFFFull;

	build();
	fill_initrd();
	cr_assert_eq(load(rd, sizeof(rd), "", &b), 0, "%s", err);
	cr_assert_eq(b.initrd_start, want);
	cr_assert_eq(b.initrd_end, want + sizeof(rd));
	cr_assert_eq(memcmp(ram + want, rd, sizeof(rd)), 0);
	check_zero_page(0x1000000, want, sizeof(rd));
}

Test(bzimage, initrd_stays_below_initrd_addr_max)
{
	struct bz_boot b;

	build();
	fill_initrd();
	wr32(img, 0x22C, 0x2FFFFFF);        /* the last byte it may occupy */
	cr_assert_eq(load(rd, sizeof(rd), "", &b), 0, "%s", err);
	cr_assert_eq(b.initrd_start, (0x3000000 - sizeof(rd)) & ~0xFFFull);
	cr_assert(b.initrd_end <= 0x3000000);
	check_zero_page(0x1000000, b.initrd_start, sizeof(rd));
}

Test(bzimage, initrd_goes_below_the_kernel_when_the_top_overlaps_it)
{
	struct bz_boot b;

	build();
	fill_initrd();
	wr32(img, 0x22C, 0x17FFFFF);        /* the top would be inside [16 MiB, 24 MiB) */
	cr_assert_eq(load(rd, sizeof(rd), "", &b), 0, "%s", err);
	cr_assert_eq(b.initrd_start, (0x1000000 - sizeof(rd)) & ~0xFFFull);
	cr_assert(b.initrd_end <= b.kernel_start);
	cr_assert_eq(memcmp(ram + b.initrd_start, rd, sizeof(rd)), 0);
}

Test(bzimage, refuses_an_initrd_that_does_not_fit)
{
	build();
	REFUSED(load(ram, RAM_SIZE, "", NULL), "the initrd of 0x4000000 bytes does not fit");
	/* Above the kernel there is no room, below it only the first MiB. */
	wr32(img, 0x22C, 0x17FFFFF);
	REFUSED(load(ram, 0xF80000, "", NULL), "does not fit in RAM below 0x1800000");
	REFUSED(load(NULL, 10, "", NULL), "an initrd of 10 bytes but no data");
}

/* ---- where the kernel goes ---- */

Test(bzimage, relocatable_kernel_falls_back_to_16_mib)
{
	struct bz_boot b;

	build();
	wr64(img, 0x258, 0x3000000);        /* 48 MiB + 24 MiB > 64 MiB */
	wr32(img, 0x260, 0x1800000);
	cr_assert_eq(load(NULL, 0, "", &b), 0, "%s", err);
	cr_assert_eq(b.kernel_start, 0x1000000);
	cr_assert_eq(b.entry64, 0x1000200);
	check_zero_page(0x1000000, 0, 0);
}

Test(bzimage, unaligned_pref_address_is_aligned_up)
{
	struct bz_boot b;

	build();
	wr64(img, 0x258, 0x1100000);
	cr_assert_eq(load(NULL, 0, "", &b), 0, "%s", err);
	cr_assert_eq(b.kernel_start, 0x1200000);
}

Test(bzimage, fixed_kernel_goes_to_pref_address_or_nowhere)
{
	struct bz_boot b;

	build();
	wr8(img, 0x234, 0);                 /* not relocatable */
	wr64(img, 0x258, 0x2000000);
	cr_assert_eq(load(NULL, 0, "", &b), 0, "%s", err);
	cr_assert_eq(b.kernel_start, 0x2000000);
	setup();
	wr64(img, 0x258, 0x3800000);        /* 56 MiB + 8 MiB = the end of RAM: still fits */
	cr_assert_eq(load(NULL, 0, "", &b), 0, "%s", err);
	setup();
	wr64(img, 0x258, 0x3A00000);
	REFUSED(load(NULL, 0, "", NULL), "needs 0x800000 bytes (init_size) from 0x3a00000, but the guest's RAM ends at 0x4000000");
	wr64(img, 0x258, 0);
	REFUSED(load(NULL, 0, "", NULL), "not relocatable must give pref_address");
}

Test(bzimage, refuses_init_size_beyond_ram)
{
	build();
	wr32(img, 0x260, 0x3000001);
	REFUSED(load(NULL, 0, "", NULL), "needs 0x3000001 bytes (init_size)");
	wr32(img, 0x260, 0);
	REFUSED(load(NULL, 0, "", NULL), "init_size is 0");
}

Test(bzimage, refuses_a_bad_kernel_alignment)
{
	build();
	wr32(img, 0x230, 0x300000);
	REFUSED(load(NULL, 0, "", NULL), "kernel_alignment 0x300000 is not a power of two");
	wr32(img, 0x230, 0);
	REFUSED(load(NULL, 0, "", NULL), "kernel_alignment 0 is not a power of two");
}

/* ---- the header's checks ---- */

Test(bzimage, refuses_a_truncated_image)
{
	build();
	img_size = 0x200;
	REFUSED(load(NULL, 0, "", NULL), "truncated: a 512-byte image cannot hold a Linux setup header");
	img_size = SETUP_END;               /* setup only, no kernel */
	REFUSED(load(NULL, 0, "", NULL), "truncated: the 4 setup sectors end at 0xa00");
}

Test(bzimage, refuses_a_missing_boot_flag)
{
	build();
	wr16(img, 0x1FE, 0x1234);
	REFUSED(load(NULL, 0, "", NULL), "not a Linux kernel: boot_flag at 0x1fe is 0x1234");
}

Test(bzimage, refuses_a_non_bzimage)
{
	build();
	memcpy(img + 0x202, "HdrX", 4);
	REFUSED(load(NULL, 0, "", NULL), "not a bzImage: no HdrS signature");
	build();
	wr8(img, 0x211, 0x80);
	REFUSED(load(NULL, 0, "", NULL), "not a bzImage: loadflags 0x80 lack LOADED_HIGH");
}

Test(bzimage, refuses_an_old_protocol)
{
	build();
	wr16(img, 0x206, 0x0203);
	REFUSED(load(NULL, 0, "", NULL),
		"boot protocol 2.03 is too old: the 64-bit entry needs 2.12 and XLF_KERNEL_64");
	wr16(img, 0x206, 0x020B);
	REFUSED(load(NULL, 0, "", NULL), "boot protocol 2.11 is too old");
	wr16(img, 0x206, 0x020C);
	cr_assert_eq(load(NULL, 0, "", NULL), 0, "2.12 is enough: %s", err);
}

Test(bzimage, refuses_a_kernel_without_the_64_bit_entry)
{
	build();
	wr16(img, 0x236, 0x2);
	REFUSED(load(NULL, 0, "", NULL), "without XLF_KERNEL_64 in xloadflags 0x2");
}

Test(bzimage, refuses_a_header_of_the_wrong_length)
{
	build();
	wr8(img, 0x201, 0x90);              /* ends at 0x292: past the zero page's room */
	REFUSED(load(NULL, 0, "", NULL), "setup header ends at 0x292");
	wr8(img, 0x201, 0x50);              /* ends at 0x252: too short for 2.12 */
	REFUSED(load(NULL, 0, "", NULL), "setup header ends at 0x252");
}

Test(bzimage, command_line_limited_by_cmdline_size)
{
	static char line[0x802];

	build();
	memset(line, 'x', 0x7FF);
	cr_assert_eq(load(NULL, 0, line, NULL), 0, "0x7ff bytes fit: %s", err);
	cr_assert_eq(strlen((char *)ram + 0x20000), 0x7FF);
	setup();
	line[0x7FF] = 'x';
	REFUSED(load(NULL, 0, line, NULL), "longer than the kernel's limit of 2047 bytes");
}

Test(bzimage, refuses_too_little_ram)
{
	build();
	gram.size = 0x8000;
	REFUSED(load(NULL, 0, "", NULL), "cannot hold the boot structures");
	gram.size = ram_size = 0x1400000;   /* 20 MiB: the kernel needs 16 + 8 */
	REFUSED(load(NULL, 0, "", NULL), "needs 0x800000 bytes (init_size)");
}

Test(bzimage, reports_a_failed_write)
{
	build();
	fail_writes = 1;
	cr_assert_eq(load(NULL, 0, "", NULL), -1);
	cr_assert(strstr(err, "writing the zero page at 0x2000 failed"), "%s", err);
}

/* ---- Debian's kernel, when a script has fetched it ---- */

Test(bzimage, real_debian_vmlinuz)
{
	const char *path = getenv("HVLAB_VMLINUZ") ? getenv("HVLAB_VMLINUZ") : "cache/linux/vmlinuz";
	FILE *f = fopen(path, "rb");
	if (!f)
		cr_skip_test("%s absent: run the script that fetches Debian's kernel", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *k = malloc((size_t)n);
	cr_assert(k && fread(k, 1, (size_t)n, f) == (size_t)n);
	fclose(f);

	ram_size = 128 * MiB;
	ram = calloc(1, ram_size);
	cr_assert(ram);
	gram = (struct guest_ram){ .size = ram_size, .write = ram_write, .zero = ram_zero,
				   .ctx = ram };
	static const uint8_t initrd[4096] = { '0', '7', '0', '7', '0', '1' };
	struct bz_boot b;
	cr_assert_eq(bz_load(k, (size_t)n, initrd, sizeof(initrd), "console=ttyS0 acpi=off", &gram,
			     &b, err, sizeof(err)), 0, "Debian's kernel refused: %s", err);
	cr_assert_eq(b.kernel_start, rd64(k, 0x258), "at its pref_address");
	cr_assert_eq(b.entry64, b.kernel_start + 0x200);
	cr_assert_eq(b.kernel_end, b.kernel_start + rd32(k, 0x260));
	cr_assert(b.initrd_start >= b.kernel_end && b.initrd_end <= ram_size);
	uint8_t want[4096];
	expected_zero_page(want, k, b.kernel_start, b.initrd_start, sizeof(initrd), ram_size);
	cr_assert_eq(memcmp(ram + 0x2000, want, 4096), 0, "zero page");
	unsigned setup = (k[0x1F1] ? k[0x1F1] : 4) + 1;
	cr_assert_eq(memcmp(ram + b.kernel_start, k + setup * 512, (size_t)n - setup * 512), 0);
	cr_assert_eq(rd16(ram, 0x2000 + 0x1FE), 0xAA55);
	free(k);
	free(ram);
}
