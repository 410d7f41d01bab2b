/*
 * test_multiboot_load.c - the Multiboot 1 loader (multiboot_load.c) on
 * the host.
 *
 * Kernels are built here by hand: a.out-kludge images from the header
 * layout of the Multiboot spec 0.6.96 (3.1), ELF images with the C
 * library's <elf.h>. The MBI is read back with the spec's offsets (3.3)
 * written out below, not with the loader's own structures. The RAM
 * callbacks fill a buffer and count their calls, so every refusal also
 * proves that nothing was written.
 */
#include <criterion/criterion.h>
#include <elf.h>
#include <stdint.h>
#include <string.h>
#include "multiboot_load.h"

#define RAM_SIZE (8ull << 20)   /* 8 MiB of "guest RAM" */

/* MBI offsets (spec 3.3). */
#define MBI_FLAGS        0
#define MBI_MEM_LOWER    4
#define MBI_MEM_UPPER    8
#define MBI_CMDLINE      16
#define MBI_MODS_COUNT   20
#define MBI_MODS_ADDR    24
#define MBI_MMAP_LENGTH  44
#define MBI_MMAP_ADDR    48
#define MBI_LOADER_NAME  64

static uint8_t *ram;
static int writes, fail_writes;
static char err[256];

static void check_range(uint64_t gpa, uint64_t len)
{
	cr_assert(gpa <= RAM_SIZE && len <= RAM_SIZE - gpa, "access outside RAM: %#lx + %#lx",
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
	memset(ram, 0xcc, RAM_SIZE);
	writes = fail_writes = 0;
	memset(err, 0, sizeof(err));
	gram = (struct guest_ram){ .size = RAM_SIZE, .write = ram_write, .zero = ram_zero,
				   .ctx = ram };
}

TestSuite(multiboot, .init = setup);

static uint32_t rd32(uint64_t a) { uint32_t v; check_range(a, 4); memcpy(&v, ram + a, 4); return v; }
static uint64_t rd64(uint64_t a) { uint64_t v; check_range(a, 8); memcpy(&v, ram + a, 8); return v; }
static const char *str_at(uint32_t a) { check_range(a, 1); return (const char *)ram + a; }

static void wr32(uint8_t *b, size_t off, uint32_t v) { memcpy(b + off, &v, 4); }

/* Refused, with a message holding @what, and nothing written. */
#define REFUSED(rc, what) \
	do { cr_assert_eq((rc), -1, "accepted, expected a refusal: %s", what); \
	     cr_assert(strstr(err, what), "message \"%s\" lacks \"%s\"", err, what); \
	     cr_assert_eq(writes, 0, "wrote %d times before refusing", writes); } while (0)

/* ---- an a.out-kludge kernel: header at file offset 0x40, loaded at 1 MiB ---- */

#define HDR_OFF   0x40
#define LOAD      0x100000u
#define LOAD_LEN  0x800u
#define BSS_END   0x102000u
#define ENTRY     0x100080u

static uint8_t kern[0x1000];
static size_t kern_size;

static void header(uint8_t *b, size_t off, uint32_t flags)
{
	wr32(b, off, 0x1BADB002);
	wr32(b, off + 4, flags);
	wr32(b, off + 8, (uint32_t)-(0x1BADB002u + flags));
}

static void aout_fields(uint32_t header_addr, uint32_t load, uint32_t load_end, uint32_t bss_end,
			uint32_t entry)
{
	wr32(kern, HDR_OFF + 12, header_addr);
	wr32(kern, HDR_OFF + 16, load);
	wr32(kern, HDR_OFF + 20, load_end);
	wr32(kern, HDR_OFF + 24, bss_end);
	wr32(kern, HDR_OFF + 28, entry);
}

static void build_aout(uint32_t flags)
{
	for (size_t i = 0; i < sizeof(kern); i++)
		kern[i] = (uint8_t)(i * 7 + 1);
	header(kern, HDR_OFF, flags | (1u << 16));
	aout_fields(LOAD + HDR_OFF, LOAD, LOAD + LOAD_LEN, BSS_END, ENTRY);
	kern_size = sizeof(kern);
}

static int load(const char *cmdline, const struct mb_module *mods, unsigned n, struct mb_boot *b)
{
	return mb_load(kern, kern_size, cmdline, mods, n, &gram, b, err, sizeof(err));
}

/* The memory map in the MBI: 24-byte entries, size 20, as e820 says for RAM_SIZE. */
static void check_mmap(uint64_t mbi)
{
	static const struct { uint64_t addr, len; uint32_t type; } want[] = {
		{ 0, 0x9FC00, 1 }, { 0x9FC00, 0x60400, 2 }, { 0x100000, RAM_SIZE - 0x100000, 1 },
	};
	uint32_t len = rd32(mbi + MBI_MMAP_LENGTH), at = rd32(mbi + MBI_MMAP_ADDR);

	cr_assert_eq(len, 3 * 24, "mmap_length %u", len);
	for (unsigned i = 0; i < 3; i++, at += 24) {
		cr_assert_eq(rd32(at), 20, "entry %u: size field", i);
		cr_assert_eq(rd64(at + 4), want[i].addr, "entry %u: base", i);
		cr_assert_eq(rd64(at + 12), want[i].len, "entry %u: length", i);
		cr_assert_eq(rd32(at + 20), want[i].type, "entry %u: type", i);
	}
}

static void check_common_mbi(uint64_t mbi)
{
	uint32_t flags = rd32(mbi + MBI_FLAGS);

	cr_assert_eq(flags, (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9),
		     "MBI flags %#x: mem, cmdline, mods, mmap, loader name", flags);
	cr_assert_eq(rd32(mbi + MBI_MEM_LOWER), 639, "KiB below the EBDA");
	cr_assert_eq(rd32(mbi + MBI_MEM_UPPER), (RAM_SIZE - 0x100000) / 1024, "KiB above 1 MiB");
	for (unsigned off = 28; off < 44; off += 4)
		cr_assert_eq(rd32(mbi + off), 0, "syms field at %u", off);
	cr_assert_str_eq(str_at(rd32(mbi + MBI_LOADER_NAME)), "hvlab");
	check_mmap(mbi);
}

Test(multiboot, aout_kernel_loads)
{
	struct mb_boot b;

	build_aout(0x3);
	cr_assert_eq(load("console=ttyS0 quiet", NULL, 0, &b), 0, "refused: %s", err);
	cr_assert_str_empty(err);
	cr_assert_eq(b.entry, ENTRY);
	cr_assert_eq(b.mbi, 0x9000, "MBI at the low default");
	cr_assert_eq(memcmp(ram + LOAD, kern, LOAD_LEN), 0, "kernel bytes");
	for (uint64_t a = LOAD + LOAD_LEN; a < BSS_END; a++)
		cr_assert_eq(ram[a], 0, ".bss byte at %#lx", (unsigned long)a);
	cr_assert_eq(ram[BSS_END], 0xcc, "wrote past the .bss");
	cr_assert_eq(ram[LOAD - 1], 0xcc, "wrote before the kernel");
	check_common_mbi(b.mbi);
	cr_assert_str_eq(str_at(rd32(b.mbi + MBI_CMDLINE)), "console=ttyS0 quiet");
	cr_assert_eq(rd32(b.mbi + MBI_MODS_COUNT), 0);
}

Test(multiboot, no_cmdline_is_an_empty_string)
{
	struct mb_boot b;

	build_aout(0);
	cr_assert_eq(load(NULL, NULL, 0, &b), 0, "%s", err);
	uint32_t p = rd32(b.mbi + MBI_CMDLINE);
	cr_assert_neq(p, 0, "cmdline must not be a NULL pointer");
	cr_assert_str_eq(str_at(p), "");
}

/* The header's own address places the file: load_addr lies (header_addr - load_addr) before it. */
Test(multiboot, aout_header_address_selects_the_file_offset)
{
	struct mb_boot b;

	build_aout(0);
	/* The image starts loading at file offset 0x20: header_addr - load_addr = 0x20. */
	aout_fields(0x200020 + 0x20, 0x200020, 0x200020 + 0x100, 0, 0x200020);
	cr_assert_eq(load("", NULL, 0, &b), 0, "%s", err);
	cr_assert_eq(memcmp(ram + 0x200020, kern + 0x20, 0x100), 0);
	cr_assert_eq(ram[0x200020 + 0x100], 0xcc, "bss_end_addr 0: no .bss");
	cr_assert_eq(b.entry, 0x200020);
}

Test(multiboot, aout_load_end_zero_loads_to_the_end_of_file)
{
	struct mb_boot b;

	build_aout(0);
	aout_fields(LOAD + HDR_OFF, LOAD, 0, 0, ENTRY);
	cr_assert_eq(load("", NULL, 0, &b), 0, "%s", err);
	cr_assert_eq(memcmp(ram + LOAD, kern, sizeof(kern)), 0);
	cr_assert_eq(ram[LOAD + sizeof(kern)], 0xcc);
}

Test(multiboot, modules_are_page_aligned_after_the_kernel)
{
	static const char m0[] = "NR_CPUS=1";
	static uint8_t m1[0x1801];
	struct mb_module mods[3] = {
		{ .data = m0, .size = sizeof(m0) - 1, .cmdline = "env" },
		{ .data = m1, .size = sizeof(m1), .cmdline = NULL },
		{ .data = NULL, .size = 0, .cmdline = "empty" },
	};
	struct mb_boot b;

	for (size_t i = 0; i < sizeof(m1); i++)
		m1[i] = (uint8_t)(i ^ 0x5a);
	build_aout(0x1);
	cr_assert_eq(load("k", mods, 3, &b), 0, "%s", err);
	check_common_mbi(b.mbi);
	cr_assert_eq(rd32(b.mbi + MBI_MODS_COUNT), 3);
	uint32_t list = rd32(b.mbi + MBI_MODS_ADDR);
	uint32_t prev_end = BSS_END;
	for (unsigned i = 0; i < 3; i++) {
		uint32_t s = rd32(list + 16 * i), e = rd32(list + 16 * i + 4);
		cr_assert_eq(s % 4096, 0, "module %u at %#x is not page-aligned", i, s);
		cr_assert(s >= prev_end, "module %u at %#x overlaps what precedes it (%#x)", i, s,
			  prev_end);
		cr_assert_eq(e - s, mods[i].size, "module %u: mod_end - mod_start", i);
		cr_assert_eq(rd32(list + 16 * i + 12), 0, "reserved field");
		if (mods[i].size)
			cr_assert_eq(memcmp(ram + s, mods[i].data, mods[i].size), 0, "module %u bytes", i);
		cr_assert_str_eq(str_at(rd32(list + 16 * i + 8)),
				 mods[i].cmdline ? mods[i].cmdline : "");
		prev_end = e;
	}
	cr_assert_eq(rd32(list), 0x102000, "first module on the page after the .bss");
	cr_assert_eq(rd32(list + 16), 0x103000);
	cr_assert_eq(rd32(list + 32), 0x105000);
}

Test(multiboot, refuses_a_module_beyond_ram)
{
	static uint8_t big[1];
	struct mb_module mods[2] = {
		{ .data = big, .size = 1 },
		{ .data = big, .size = RAM_SIZE },   /* the callback never reads it */
	};

	build_aout(0);
	REFUSED(load("", mods, 2, NULL), "module 1 (8388608 bytes) at 0x103000 does not fit in the guest's RAM");
}

Test(multiboot, refuses_a_module_whose_size_wraps)
{
	static uint8_t one[1];
	struct mb_module m = { .data = one, .size = UINT64_MAX - 0x1000 };

	build_aout(0);
	REFUSED(load("", &m, 1, NULL), "module 0");
}

Test(multiboot, refuses_a_module_without_data_and_too_many_modules)
{
	struct mb_module m = { .data = NULL, .size = 16 };
	static struct mb_module many[MB_MAX_MODULES + 1];

	build_aout(0);
	REFUSED(load("", &m, 1, NULL), "module 0: 16 bytes but no data");
	REFUSED(load("", many, MB_MAX_MODULES + 1, NULL), "at most 64");
	REFUSED(load("", NULL, 1, NULL), "no module list");
}

Test(multiboot, refuses_overlong_command_lines)
{
	static char line[MB_CMDLINE_MAX + 2];
	struct mb_module m = { .data = line, .size = 1, .cmdline = line };

	memset(line, 'a', MB_CMDLINE_MAX + 1);
	build_aout(0);
	REFUSED(load(line, NULL, 0, NULL), "kernel command line longer than 4096");
	REFUSED(load("", &m, 1, NULL), "module 0: command line longer than 4096");
	line[MB_CMDLINE_MAX] = '\0';
	cr_assert_eq(load(line, &m, 1, NULL), 0, "4096 bytes are allowed: %s", err);
}

/* A module that would run into the PC hole goes to 1 MiB instead. */
Test(multiboot, modules_skip_the_pc_hole)
{
	static uint8_t m[0x95000];
	struct mb_module mod = { .data = m, .size = sizeof(m) };
	struct mb_boot b;

	m[0] = 0x42;
	build_aout(0);
	aout_fields(0x10000 + HDR_OFF, 0x10000, 0x10000 + LOAD_LEN, 0, 0x10000);
	cr_assert_eq(load("", &mod, 1, &b), 0, "%s", err);
	uint32_t s = rd32(rd32(b.mbi + MBI_MODS_ADDR));
	cr_assert_eq(s, 0x100000, "module at %#x", s);
	cr_assert_eq(ram[0x100000], 0x42);
	cr_assert_eq(b.mbi, 0x9000);
}

/* A kernel over 0x9000 pushes the MBI after the last module. */
Test(multiboot, mbi_moves_when_the_kernel_sits_low)
{
	static const char m0[] = "abc";
	struct mb_module mod = { .data = m0, .size = 3 };
	struct mb_boot b;

	build_aout(0);
	aout_fields(0x8000 + HDR_OFF, 0x8000, 0x8000 + LOAD_LEN, 0x9100, 0x8000);
	cr_assert_eq(load("cmd", &mod, 1, &b), 0, "%s", err);
	cr_assert_eq(rd32(rd32(b.mbi + MBI_MODS_ADDR)), 0xA000, "module after the .bss");
	cr_assert_eq(b.mbi, 0xB000, "MBI on the page after the module");
	check_common_mbi(b.mbi);
	cr_assert_str_eq(str_at(rd32(b.mbi + MBI_CMDLINE)), "cmd");
	cr_assert_eq(memcmp(ram + 0x8000, kern, LOAD_LEN), 0, "the MBI did not overwrite the kernel");
}

Test(multiboot, refuses_when_no_room_is_left_for_the_mbi)
{
	build_aout(0);
	/* The kernel runs from 0x8000 to the end of RAM. */
	aout_fields(0x8000 + HDR_OFF, 0x8000, 0x8000 + LOAD_LEN, RAM_SIZE, 0x8000);
	REFUSED(load("", NULL, 0, NULL), "no room for the");
}

/* ---- the header itself ---- */

Test(multiboot, refuses_a_bad_checksum_by_name)
{
	build_aout(0);
	wr32(kern, HDR_OFF + 8, 0x12345678);
	REFUSED(load("", NULL, 0, NULL), "multiboot header at offset 0x40 has a bad checksum");
}

Test(multiboot, finds_a_good_header_after_a_bad_one)
{
	static uint8_t img[0x200];
	struct mb_boot b;

	memset(img, 0, sizeof(img));
	header(img, 0x10, 0);
	wr32(img, 0x18, 0);                          /* bad checksum */
	header(img, 0x40, 1u << 16);
	wr32(img, 0x4c, 0x100040);                   /* header_addr */
	wr32(img, 0x50, 0x100000);                   /* load_addr */
	wr32(img, 0x54, 0); wr32(img, 0x58, 0);      /* whole file, no .bss */
	wr32(img, 0x5c, 0x100100);                   /* entry */
	cr_assert_eq(mb_load(img, sizeof(img), "", NULL, 0, &gram, &b, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(b.entry, 0x100100);
}

Test(multiboot, refuses_an_image_without_a_header)
{
	build_aout(0);
	memset(kern + HDR_OFF, 0, 12);
	REFUSED(load("", NULL, 0, NULL), "not a multiboot kernel: no header");
}

/* The header must lie in the first 8192 bytes, 4-byte aligned. */
Test(multiboot, ignores_headers_misaligned_or_too_far)
{
	static uint8_t img[0x3000];

	memset(img, 0, sizeof(img));
	header(img, 0x42, 0);
	header(img, 8192, 0);
	REFUSED(mb_load(img, sizeof(img), "", NULL, 0, &gram, NULL, err, sizeof(err)), "no header");
	/* The last place that still holds all 12 bytes is found. */
	header(img, 8192 - 12, 1u << 16);
	cr_assert_eq(mb_load(img, sizeof(img), "", NULL, 0, &gram, NULL, err, sizeof(err)), -1);
	cr_assert(strstr(err, "address fields (flags bit 16) run past the first 8192 bytes"), "%s", err);
}

Test(multiboot, refuses_a_truncated_header)
{
	build_aout(0);
	kern_size = HDR_OFF + 20;
	REFUSED(load("", NULL, 0, NULL), "run past the end of the image");
}

Test(multiboot, refuses_a_video_mode)
{
	build_aout(1u << 2);
	REFUSED(load("", NULL, 0, NULL), "require a video mode (bit 2)");
}

Test(multiboot, refuses_unknown_requirements_and_ignores_optional_bits)
{
	build_aout(1u << 5);
	REFUSED(load("", NULL, 0, NULL), "require bit 5");
	build_aout(0x3 | (1u << 17) | (1u << 31));
	cr_assert_eq(load("", NULL, 0, NULL), 0, "optional bits: %s", err);
}

/* ---- the a.out address fields ---- */

Test(multiboot, refuses_header_addr_below_load_addr)
{
	build_aout(0);
	aout_fields(LOAD - 4, LOAD, LOAD + LOAD_LEN, 0, ENTRY);
	REFUSED(load("", NULL, 0, NULL), "header_addr 0xffffc lies below load_addr 0x100000");
}

Test(multiboot, refuses_load_addr_before_the_file)
{
	build_aout(0);
	aout_fields(LOAD + 0x100, LOAD, LOAD + LOAD_LEN, 0, ENTRY);
	REFUSED(load("", NULL, 0, NULL), "would start 0x100 bytes before the header, which is at file offset 0x40");
}

Test(multiboot, refuses_load_end_past_the_file)
{
	build_aout(0);
	aout_fields(LOAD + HDR_OFF, LOAD, LOAD + sizeof(kern) + 1, 0, ENTRY);
	REFUSED(load("", NULL, 0, NULL), "truncated: load_end_addr 0x101001");
	aout_fields(LOAD + HDR_OFF, LOAD, LOAD, 0, ENTRY);
	REFUSED(load("", NULL, 0, NULL), "load_end_addr 0x100000 is not above load_addr");
}

Test(multiboot, refuses_bss_end_below_load_end)
{
	build_aout(0);
	aout_fields(LOAD + HDR_OFF, LOAD, LOAD + LOAD_LEN, LOAD + 0x10, ENTRY);
	REFUSED(load("", NULL, 0, NULL), "bss_end_addr 0x100010 lies below the end of the loaded image");
}

Test(multiboot, refuses_a_kernel_outside_ram)
{
	build_aout(0);
	aout_fields(0xFFFFF000u + HDR_OFF, 0xFFFFF000u, 0xFFFFF000u + LOAD_LEN, 0, 0xFFFFF000u);
	REFUSED(load("", NULL, 0, NULL), "the kernel [0xfffff000, 0xfffff800) lies outside the guest's RAM");
	aout_fields(LOAD + HDR_OFF, LOAD, LOAD + LOAD_LEN, RAM_SIZE + 1, ENTRY);
	REFUSED(load("", NULL, 0, NULL), "lies outside the guest's RAM");
}

Test(multiboot, refuses_an_entry_outside_the_image)
{
	build_aout(0);
	aout_fields(LOAD + HDR_OFF, LOAD, LOAD + LOAD_LEN, BSS_END, LOAD + LOAD_LEN);
	REFUSED(load("", NULL, 0, NULL), "entry_addr 0x100800 lies outside the loaded image");
}

Test(multiboot, reports_a_failed_write)
{
	build_aout(0);
	fail_writes = 1;
	cr_assert_eq(load("", NULL, 0, NULL), -1);
	cr_assert(strstr(err, "failed"), "%s", err);
}

/* ---- ELF kernels (flags without bit 16) ---- */

static uint8_t elf[0x2000];

/* An ELF32 kernel with its multiboot header at the start of .text (file 0x1000 -> 0x200000). */
static void build_elf(uint32_t mb_flags)
{
	memset(elf, 0, sizeof(elf));
	Elf32_Ehdr *eh = (Elf32_Ehdr *)elf;
	Elf32_Phdr *ph = (Elf32_Phdr *)(elf + sizeof(*eh));
	*eh = (Elf32_Ehdr){
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS32, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_386, .e_version = EV_CURRENT,
		.e_entry = 0xC0200010, .e_phoff = sizeof(*eh), .e_ehsize = sizeof(*eh),
		.e_phentsize = sizeof(*ph), .e_phnum = 2,
	};
	ph[0] = (Elf32_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0x1000,
			      .p_vaddr = 0xC0200000, .p_paddr = 0x200000, .p_filesz = 0x800,
			      .p_memsz = 0x800 };
	ph[1] = (Elf32_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0x1800,
			      .p_vaddr = 0xC0201000, .p_paddr = 0x201000, .p_filesz = 0x100,
			      .p_memsz = 0x3000 };
	for (unsigned i = 0x1000; i < 0x1900; i++)
		elf[i] = (uint8_t)(i * 13);
	header(elf, 0x1000, mb_flags);
}

static int load_elf(const struct mb_module *mods, unsigned n, struct mb_boot *b)
{
	return mb_load(elf, 0x1900, "elf", mods, n, &gram, b, err, sizeof(err));
}

Test(multiboot, elf_kernel_with_flags_zero)
{
	static const char env[] = "NR_CPUS=1";
	struct mb_module m = { .data = env, .size = sizeof(env) - 1, .cmdline = "env" };
	struct mb_boot b;

	build_elf(0);
	cr_assert_eq(load_elf(&m, 1, &b), 0, "refused: %s", err);
	cr_assert_eq(b.entry, 0x200010, "entry translated to the physical address");
	cr_assert_eq(memcmp(ram + 0x200000, elf + 0x1000, 0x800), 0);
	cr_assert_eq(memcmp(ram + 0x201000, elf + 0x1800, 0x100), 0);
	for (unsigned a = 0x201100; a < 0x204000; a++)
		cr_assert_eq(ram[a], 0, ".bss at %#x", a);
	cr_assert_eq(b.mbi, 0x9000);
	check_common_mbi(b.mbi);
	uint32_t list = rd32(b.mbi + MBI_MODS_ADDR);
	cr_assert_eq(rd32(list), 0x204000, "module on the page after the ELF's last byte");
	cr_assert_eq(memcmp(ram + 0x204000, env, sizeof(env) - 1), 0);
	cr_assert_str_eq(str_at(rd32(list + 8)), "env");
}

Test(multiboot, elf_errors_are_named)
{
	build_elf(0);
	((Elf32_Ehdr *)elf)->e_type = ET_DYN;
	REFUSED(load_elf(NULL, 0, NULL), "multiboot ELF kernel: ELF type 3");
	build_elf(0);
	((Elf32_Phdr *)(elf + sizeof(Elf32_Ehdr)))[1].p_paddr = RAM_SIZE - 0x1000;
	REFUSED(load_elf(NULL, 0, NULL), "multiboot ELF kernel: segment 1");
}

Test(multiboot, refuses_neither_elf_nor_address_fields)
{
	build_aout(0);
	header(kern, HDR_OFF, 0x2);    /* bit 16 gone */
	REFUSED(load("", NULL, 0, NULL), "lack bit 16 (address fields) and the image is not ELF");
}

/* An ELF kernel that sets bit 16 is placed by its address fields, as GRUB does. */
Test(multiboot, elf_with_address_fields_uses_them)
{
	struct mb_boot b;

	build_elf(1u << 16);
	wr32(elf, 0x100c, 0x300000);       /* header_addr: file offset 0x1000 */
	wr32(elf, 0x1010, 0x300000);       /* load_addr */
	wr32(elf, 0x1014, 0x300100);
	wr32(elf, 0x1018, 0);
	wr32(elf, 0x101c, 0x300020);
	cr_assert_eq(load_elf(NULL, 0, &b), 0, "%s", err);
	cr_assert_eq(b.entry, 0x300020);
	cr_assert_eq(memcmp(ram + 0x300000, elf + 0x1000, 0x100), 0);
	cr_assert_eq(ram[0x200000], 0xcc, "program headers ignored");
}
