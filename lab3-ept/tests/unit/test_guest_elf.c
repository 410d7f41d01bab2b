/*
 * test_guest_elf.c - the guest-image loader (guest_elf.c) on the host.
 *
 * Images are built here from struct literals with the C library's own
 * <elf.h> (an independent statement of the layouts that guest_elf.c
 * declares itself). The copy callback writes into a host buffer that
 * plays the guest's RAM and counts its calls, so each refusal also proves
 * that nothing was copied.
 */
#include <criterion/criterion.h>
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "guest_elf.h"

#define RAM_SIZE 0x200000ull   /* 2 MiB of "guest RAM" */

static uint8_t ram[RAM_SIZE];
static int copies;
static int copy_result;
static char err[256];

static int copy_to_ram(void *ctx, uint64_t gpa, const void *src, uint64_t filesz, uint64_t memsz)
{
	cr_assert_eq(ctx, (void *)ram, "the loader passes its context through");
	cr_assert(gpa <= RAM_SIZE && memsz <= RAM_SIZE - gpa, "copy outside RAM: %#lx + %#lx",
		  (unsigned long)gpa, (unsigned long)memsz);
	cr_assert(filesz <= memsz);
	copies++;
	if (copy_result)
		return copy_result;
	memcpy(ram + gpa, src, filesz);
	memset(ram + gpa + filesz, 0, memsz - filesz);
	return 0;
}

static void setup(void)
{
	memset(ram, 0xcc, sizeof(ram));
	copies = 0;
	copy_result = 0;
	memset(err, 0, sizeof(err));
}

TestSuite(guest_elf, .init = setup);

/* ---- a good ELF64 image: code (R X), data with .bss (R W), a note ---- */

#define TEXT_OFF 0x100
#define DATA_OFF 0x180
#define TEXT_GPA 0x10000
#define DATA_GPA 0x11000

/* The file: header, program headers, then the segments' bytes. */
static uint8_t file64[0x400];
static size_t size64;

static Elf64_Ehdr *eh64(void) { return (Elf64_Ehdr *)file64; }
static Elf64_Phdr *ph64(unsigned i) { return (Elf64_Phdr *)(file64 + sizeof(Elf64_Ehdr)) + i; }

static void build64(void)
{
	memset(file64, 0, sizeof(file64));
	*eh64() = (Elf64_Ehdr){
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
		.e_entry = TEXT_GPA + 4, .e_phoff = sizeof(Elf64_Ehdr),
		.e_ehsize = sizeof(Elf64_Ehdr), .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 3,
	};
	*ph64(0) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = TEXT_OFF,
				 .p_vaddr = TEXT_GPA, .p_paddr = TEXT_GPA, .p_filesz = 0x40,
				 .p_memsz = 0x40, .p_align = 0x1000 };
	*ph64(1) = (Elf64_Phdr){ .p_type = PT_NOTE, .p_flags = PF_R, .p_offset = 0,
				 .p_filesz = 0xfffff, .p_memsz = 0xfffff };  /* ignored */
	*ph64(2) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = DATA_OFF,
				 .p_vaddr = DATA_GPA, .p_paddr = DATA_GPA, .p_filesz = 0x20,
				 .p_memsz = 0x3000, .p_align = 0x1000 };
	for (unsigned i = 0; i < 0x40; i++)
		file64[TEXT_OFF + i] = (uint8_t)(0x90 + i);
	for (unsigned i = 0; i < 0x20; i++)
		file64[DATA_OFF + i] = (uint8_t)(0xd0 + i);
	size64 = DATA_OFF + 0x20;
}

static int load64(struct guest_elf_info *info)
{
	return guest_elf_load(file64, size64, RAM_SIZE, copy_to_ram, ram, info, err, sizeof(err));
}

/* Refused, with a message holding @what, and nothing copied. */
#define REFUSED(rc, what) \
	do { cr_assert_eq((rc), -1, "accepted, expected a refusal: %s", what); \
	     cr_assert(strstr(err, what), "message \"%s\" lacks \"%s\"", err, what); \
	     cr_assert_eq(copies, 0, "copied %d segments before refusing", copies); } while (0)

Test(guest_elf, good_elf64_loads)
{
	struct guest_elf_info info;

	build64();
	cr_assert_eq(load64(&info), 0, "refused: %s", err);
	cr_assert_eq(copies, 2);
	cr_assert_eq(info.entry, TEXT_GPA + 4);
	cr_assert_eq(info.lowest, TEXT_GPA);
	cr_assert_eq(info.highest, DATA_GPA + 0x3000);
	cr_assert_eq(info.elf_class, 64);
	cr_assert_eq(info.nload, 2);
	cr_assert_eq(memcmp(ram + TEXT_GPA, file64 + TEXT_OFF, 0x40), 0);
	cr_assert_eq(memcmp(ram + DATA_GPA, file64 + DATA_OFF, 0x20), 0);
	for (unsigned i = 0x20; i < 0x3000; i++)
		cr_assert_eq(ram[DATA_GPA + i], 0, ".bss byte %#x not zeroed", i);
	cr_assert_eq(ram[TEXT_GPA + 0x40], 0xcc, "wrote past the text segment");
	cr_assert_eq(ram[DATA_GPA + 0x3000], 0xcc, "wrote past the data segment");
	cr_assert_str_empty(err);
}

Test(guest_elf, validate_only_without_copy)
{
	struct guest_elf_info info;

	build64();
	cr_assert_eq(guest_elf_load(file64, size64, RAM_SIZE, NULL, NULL, &info, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(info.entry, TEXT_GPA + 4);
	cr_assert_eq(ram[TEXT_GPA], 0xcc);
}

/* Segments go to p_paddr; the entry is translated like a boot loader's. */
Test(guest_elf, paddr_used_entry_translated)
{
	struct guest_elf_info info;

	build64();
	ph64(0)->p_vaddr = 0xffffffff80010000ull;
	eh64()->e_entry = 0xffffffff80010008ull;
	cr_assert_eq(load64(&info), 0, "%s", err);
	cr_assert_eq(info.entry, TEXT_GPA + 8);
	cr_assert_eq(ram[TEXT_GPA], 0x90);
}

/* ---- a good ELF32 image ---- */

static uint8_t file32[0x300];
static size_t size32;

static Elf32_Ehdr *eh32(void) { return (Elf32_Ehdr *)file32; }
static Elf32_Phdr *ph32(unsigned i) { return (Elf32_Phdr *)(file32 + sizeof(Elf32_Ehdr)) + i; }

static void build32(void)
{
	memset(file32, 0, sizeof(file32));
	*eh32() = (Elf32_Ehdr){
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS32, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_EXEC, .e_machine = EM_386, .e_version = EV_CURRENT,
		.e_entry = 0x7c00, .e_phoff = sizeof(Elf32_Ehdr),
		.e_ehsize = sizeof(Elf32_Ehdr), .e_phentsize = sizeof(Elf32_Phdr), .e_phnum = 2,
	};
	*ph32(0) = (Elf32_Phdr){ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W };
	*ph32(1) = (Elf32_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X, .p_offset = 0x100,
				 .p_vaddr = 0x7c00, .p_paddr = 0x7c00, .p_filesz = 0x200,
				 .p_memsz = 0x1000 };
	for (unsigned i = 0; i < 0x200; i++)
		file32[0x100 + i] = (uint8_t)i;
	size32 = 0x300;
}

static int load32(struct guest_elf_info *info)
{
	return guest_elf_load(file32, size32, RAM_SIZE, copy_to_ram, ram, info, err, sizeof(err));
}

Test(guest_elf, good_elf32_loads)
{
	struct guest_elf_info info;

	build32();
	cr_assert_eq(load32(&info), 0, "refused: %s", err);
	cr_assert_eq(copies, 1);
	cr_assert_eq(info.entry, 0x7c00);
	cr_assert_eq(info.lowest, 0x7c00);
	cr_assert_eq(info.highest, 0x8c00);
	cr_assert_eq(info.elf_class, 32);
	cr_assert_eq(info.nload, 1);
	cr_assert_eq(memcmp(ram + 0x7c00, file32 + 0x100, 0x200), 0);
	cr_assert_eq(ram[0x7c00 + 0x200], 0);
	cr_assert_eq(ram[0x7c00 + 0xfff], 0);
	cr_assert_eq(ram[0x8c00], 0xcc);
}

/* ELF32 fields are 32 bits: a segment ending at 4 GiB does not wrap. */
Test(guest_elf, elf32_segment_to_4g_outside_ram)
{
	build32();
	ph32(1)->p_paddr = 0xfffff000;
	ph32(1)->p_memsz = 0x1000;
	REFUSED(load32(NULL), "segment 1 [0xfffff000, 0x100000000) lies outside the guest's RAM [0, 0x200000)");
}

/* ---- the file as a whole ---- */

Test(guest_elf, empty_image)
{
	REFUSED(guest_elf_load(file64, 0, RAM_SIZE, copy_to_ram, ram, NULL, err, sizeof(err)),
		"empty image");
	REFUSED(guest_elf_load(NULL, 100, RAM_SIZE, copy_to_ram, ram, NULL, err, sizeof(err)),
		"empty image");
}

Test(guest_elf, image_too_large)
{
	build64();
	REFUSED(guest_elf_load(file64, GUEST_ELF_MAX_BYTES + 1, RAM_SIZE, copy_to_ram, ram, NULL,
			       err, sizeof(err)),
		"image of 16777217 bytes is larger than the limit");
}

Test(guest_elf, not_elf_magic)
{
	build64();
	memcpy(file64, "MZ\x90\x00", 4);
	REFUSED(load64(NULL), "not an ELF file (magic 4d 5a 90 00");
}

Test(guest_elf, bad_class)
{
	build64();
	file64[EI_CLASS] = 3;
	REFUSED(load64(NULL), "ELF class 3");
}

Test(guest_elf, big_endian)
{
	build64();
	file64[EI_DATA] = ELFDATA2MSB;
	REFUSED(load64(NULL), "data encoding 2");
}

Test(guest_elf, bad_ident_version)
{
	build64();
	file64[EI_VERSION] = 0;
	REFUSED(load64(NULL), "identification version 0");
}

Test(guest_elf, bad_type)
{
	build64();
	eh64()->e_type = ET_DYN;
	REFUSED(load64(NULL), "ELF type 3 (shared object or PIE)");
	eh64()->e_type = ET_REL;
	REFUSED(load64(NULL), "ELF type 1 (relocatable)");
}

Test(guest_elf, arm_machine)
{
	build32();
	eh32()->e_machine = EM_ARM;
	REFUSED(load32(NULL), "ELF machine 40 (ARM): hvlab runs x86 guests");
}

Test(guest_elf, machine_class_mismatch)
{
	build32();
	eh32()->e_machine = EM_X86_64;
	REFUSED(load32(NULL), "ELF machine 62 (x86-64) in an ELF32 file");
	build64();
	eh64()->e_machine = EM_386;
	REFUSED(load64(NULL), "ELF machine 3 (x86) in an ELF64 file");
}

Test(guest_elf, bad_version)
{
	build64();
	eh64()->e_version = 2;
	REFUSED(load64(NULL), "ELF version 2");
}

Test(guest_elf, bad_header_sizes)
{
	build64();
	eh64()->e_ehsize = 52;
	REFUSED(load64(NULL), "ELF header size 52, expected 64");
	build64();
	eh64()->e_phentsize = 32;
	REFUSED(load64(NULL), "program header size 32, expected 56");
	build32();
	eh32()->e_phentsize = 56;
	REFUSED(load32(NULL), "program header size 56, expected 32");
}

Test(guest_elf, no_program_headers)
{
	build64();
	eh64()->e_phnum = 0;
	REFUSED(load64(NULL), "no program headers");
	eh64()->e_phnum = PN_XNUM;
	REFUSED(load64(NULL), "PN_XNUM");
}

Test(guest_elf, no_load_segment)
{
	build64();
	ph64(0)->p_type = PT_NULL;
	ph64(2)->p_type = PT_GNU_STACK;
	REFUSED(load64(NULL), "no loadable (PT_LOAD) segment");
}

/* ---- truncation at every header boundary ---- */

/* Every size short of the ELF header, the program header table and the
 * segments' bytes is refused as truncated, ELF64 and ELF32. */
Test(guest_elf, truncated_everywhere_elf64)
{
	build64();
	for (size_t n = 1; n < size64; n++) {
		copies = 0;
		err[0] = '\0';
		int rc = guest_elf_load(file64, n, RAM_SIZE, copy_to_ram, ram, NULL, err, sizeof(err));
		cr_assert_eq(rc, -1, "a %zu-byte cut of a %zu-byte image was accepted", n, size64);
		cr_assert(strstr(err, "truncated"), "cut at %zu: \"%s\"", n, err);
		cr_assert_eq(copies, 0);
	}
}

Test(guest_elf, truncated_everywhere_elf32)
{
	build32();
	for (size_t n = 1; n < size32; n++) {
		copies = 0;
		err[0] = '\0';
		int rc = guest_elf_load(file32, n, RAM_SIZE, copy_to_ram, ram, NULL, err, sizeof(err));
		cr_assert_eq(rc, -1, "a %zu-byte cut was accepted", n);
		cr_assert(strstr(err, "truncated"), "cut at %zu: \"%s\"", n, err);
	}
}

Test(guest_elf, truncated_messages)
{
	build64();
	size64 = 40;
	REFUSED(load64(NULL), "truncated: the ELF64 header ends at byte 64 of a 40-byte image");
	build64();
	size64 = 64 + 56 * 2 + 8;   /* the third program header is cut */
	REFUSED(load64(NULL), "truncated: program header 2 ends at byte 232 of a 184-byte image");
	build64();
	size64 = 10;
	REFUSED(load64(NULL), "truncated: the 16-byte ELF identification ends at byte 16 of a 10-byte image");
	build64();
	size64 = DATA_OFF + 0x1f;
	REFUSED(load64(NULL), "truncated: segment 2's bytes [0x180, 0x1a0) run past the end of a 415-byte image");
}

/* The table sits past the end, or at an offset that wraps when added. */
Test(guest_elf, phoff_overflow)
{
	build64();
	eh64()->e_phoff = UINT64_MAX - 8;
	REFUSED(load64(NULL), "truncated: the program header table starts at byte 18446744073709551607");
	eh64()->e_phoff = size64;
	REFUSED(load64(NULL), "program header table starts at byte");
	eh64()->e_phoff = size64 - 1;
	REFUSED(load64(NULL), "truncated: program header 0 ends at byte");
}

/* p_offset + p_filesz wraps around: a naive sum would land inside the file. */
Test(guest_elf, segment_offset_overflow)
{
	build64();
	ph64(0)->p_offset = UINT64_MAX - 0x10;
	REFUSED(load64(NULL), "truncated: segment 0's bytes [0xffffffffffffffef, +0x40)");
	build64();
	ph64(0)->p_offset = 0x10;
	ph64(0)->p_filesz = UINT64_MAX;
	ph64(0)->p_memsz = UINT64_MAX;
	REFUSED(load64(NULL), "truncated: segment 0's bytes");
}

/* p_paddr + p_memsz wraps around to a small address inside RAM. */
Test(guest_elf, segment_address_overflow)
{
	build64();
	ph64(2)->p_paddr = UINT64_MAX - 0xfff;
	REFUSED(load64(NULL), "segment 2 [0xfffffffffffff000, +0x3000) lies outside the guest's RAM [0, 0x200000)");
	build64();
	ph64(2)->p_memsz = UINT64_MAX - 0x10000;
	REFUSED(load64(NULL), "segment 2 [0x11000, +0xfffffffffffeffff) lies outside");
}

/* ---- the segments ---- */

Test(guest_elf, filesz_larger_than_memsz)
{
	build64();
	ph64(2)->p_memsz = 0x10;
	REFUSED(load64(NULL), "segment 2: file size 0x20 is larger than its memory size 0x10");
}

Test(guest_elf, segment_outside_ram)
{
	build64();
	ph64(2)->p_paddr = 0x100000;
	ph64(2)->p_memsz = 0x200000;
	REFUSED(load64(NULL), "segment 2 [0x100000, 0x300000) lies outside the guest's RAM [0, 0x200000)");
}

/* A segment may end exactly at the end of RAM, not one byte later. */
Test(guest_elf, segment_at_ram_end)
{
	build64();
	ph64(2)->p_paddr = RAM_SIZE - 0x3000;
	cr_assert_eq(load64(NULL), 0, "%s", err);
	cr_assert_eq(ram[RAM_SIZE - 1], 0);
	setup();
	ph64(2)->p_paddr = RAM_SIZE - 0x2fff;
	REFUSED(load64(NULL), "lies outside the guest's RAM");
}

Test(guest_elf, segments_overlap)
{
	build64();
	ph64(2)->p_paddr = TEXT_GPA + 0x3f;
	REFUSED(load64(NULL), "segments 0 and 2 overlap");
	build64();
	ph64(2)->p_paddr = TEXT_GPA - 0x3000 + 1;   /* its last byte is text's first */
	REFUSED(load64(NULL), "segments 0 and 2 overlap");
}

/* Adjacent segments touch without overlapping. */
Test(guest_elf, segments_adjacent)
{
	build64();
	ph64(2)->p_paddr = TEXT_GPA + 0x40;
	cr_assert_eq(load64(NULL), 0, "%s", err);
	cr_assert_eq(copies, 2);
}

/* Up to GUEST_ELF_MAX_LOAD PT_LOADs are fine; one more is refused. The
 * bytes go after a table of 17 headers (64 + 17 * 56 = 1016). */
#define MANY_OFF 0x3f0
static void many_segments(unsigned n)
{
	build64();
	eh64()->e_phnum = (Elf64_Half)n;
	eh64()->e_entry = 0x20000;
	for (unsigned i = 0; i < n; i++)
		*ph64(i) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
					 .p_offset = MANY_OFF, .p_vaddr = 0x20000 + i * 0x1000,
					 .p_paddr = 0x20000 + i * 0x1000, .p_filesz = 0x10,
					 .p_memsz = 0x1000 };
	size64 = MANY_OFF + 0x10;
}

Test(guest_elf, sixteen_segments)
{
	struct guest_elf_info info;

	many_segments(16);
	cr_assert_eq(load64(&info), 0, "%s", err);
	cr_assert_eq(info.nload, 16);
	cr_assert_eq(copies, 16);
	cr_assert_eq(info.highest, 0x30000);
}

Test(guest_elf, seventeen_segments)
{
	many_segments(17);
	REFUSED(load64(NULL), "more than 16 loadable segments");
}

Test(guest_elf, entry_outside_segments)
{
	build64();
	eh64()->e_entry = TEXT_GPA + 0x40;   /* one past the code */
	REFUSED(load64(NULL), "entry point 0x10040 is not inside an executable segment");
	eh64()->e_entry = 0;
	REFUSED(load64(NULL), "entry point 0 is not inside an executable segment");
}

Test(guest_elf, entry_in_data_segment)
{
	build64();
	eh64()->e_entry = DATA_GPA + 0x10;
	REFUSED(load64(NULL), "entry point 0x11010 lies in segment 2, which is not executable");
}

/* A failed copy is reported with the segment and its address. */
Test(guest_elf, copy_failure_reported)
{
	build64();
	copy_result = -1;
	cr_assert_eq(load64(NULL), -1);
	cr_assert(strstr(err, "copying segment 0 to guest-physical 0x10000 failed"), "%s", err);
}

/* A bad last segment stops everything: the good first one is not copied. */
Test(guest_elf, nothing_copied_on_late_error)
{
	build64();
	ph64(2)->p_paddr = RAM_SIZE;
	REFUSED(load64(NULL), "segment 2");
	cr_assert_eq(ram[TEXT_GPA], 0xcc);
}

/* A tiny error buffer is still terminated, and no buffer at all is fine. */
Test(guest_elf, small_error_buffer)
{
	char small[8];

	build64();
	file64[0] = 0;
	cr_assert_eq(guest_elf_load(file64, size64, RAM_SIZE, NULL, NULL, NULL, small, sizeof(small)), -1);
	cr_assert_eq(strlen(small), sizeof(small) - 1);
	cr_assert_eq(guest_elf_load(file64, size64, RAM_SIZE, NULL, NULL, NULL, NULL, 0), -1);
}
