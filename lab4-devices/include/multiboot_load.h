/*
 * multiboot_load.h - loading a Multiboot 1 kernel (the Multiboot
 * Specification, version 0.6.96), as GRUB legacy and QEMU's -kernel do.
 *
 * The image carries a header in its first 8192 bytes (32-bit aligned):
 * magic 0x1BADB002, flags, checksum (the three sum to 0 mod 2^32). With
 * flags bit 16 the header also says where the image goes (the "a.out
 * kludge": header_addr, load_addr, load_end_addr, bss_end_addr,
 * entry_addr); without it the image must be an ELF executable, loaded by
 * its program headers (lab 3's guest_elf.h) at their physical addresses.
 *
 * Flags bits 0-15 are requirements. Understood: bit 0 (modules on 4 KiB
 * boundaries: always done), bit 1 (memory information: always given).
 * Refused: bit 2 (a video mode: hvlab guests have only a serial
 * console) and any other requirement bit. Bits 16-31 are optional.
 *
 * The kernel runs with EAX = MB_BOOTLOADER_MAGIC, EBX = the multiboot
 * information (MBI) block, in 32-bit protected mode with flat 4 GiB
 * segments, paging off, interrupts off (spec section 3.2): the caller
 * sets that state up from struct mb_boot.
 *
 * Memory: modules follow the kernel, each page-aligned, in the order
 * given (never inside the PC hole [0x9FC00, 0x100000)). The MBI, its
 * module list, memory map and strings go at MB_INFO_LOW when they fit
 * below 0x9FC00 without touching the kernel, else on the page after the
 * last module. Everything must lie in RAM below 4 GiB.
 */
#ifndef HVLAB_MULTIBOOT_LOAD_H
#define HVLAB_MULTIBOOT_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include "guest_load.h"

#define MB_HEADER_MAGIC       0x1BADB002u   /* in the kernel image */
#define MB_BOOTLOADER_MAGIC   0x2BADB002u   /* in EAX at entry */
#define MB_SEARCH_BYTES       8192          /* the header lies in these */
#define MB_INFO_LOW           0x9000ull     /* preferred place of the MBI */
#define MB_MAX_MODULES        64
#define MB_CMDLINE_MAX        4096          /* longest command line (kernel or module) */

/* Header flags (spec 3.1.2). */
#define MB_FLAG_PAGE_ALIGN    (1u << 0)
#define MB_FLAG_MEMORY_INFO   (1u << 1)
#define MB_FLAG_VIDEO_MODE    (1u << 2)
#define MB_FLAG_AOUT_KLUDGE   (1u << 16)

/* MBI flags (spec 3.3): which fields of the block are valid. */
#define MBI_FLAG_MEM          (1u << 0)
#define MBI_FLAG_CMDLINE      (1u << 2)
#define MBI_FLAG_MODS         (1u << 3)
#define MBI_FLAG_MMAP         (1u << 6)
#define MBI_FLAG_LOADER_NAME  (1u << 9)

#define MB_LOADER_NAME        "hvlab"

/* The multiboot information block (spec 3.3), as far as 0.6.96 defines it. */
struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;           /* KiB from 0 and from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info, vbe_mode_info;
	uint16_t vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
};
_Static_assert(sizeof(struct mb_info) == 88, "multiboot info layout");

/* One entry of the MBI's module list. */
struct mb_mod_entry {
	uint32_t mod_start, mod_end;             /* [start, end) */
	uint32_t string;                          /* its command line */
	uint32_t reserved;
};
_Static_assert(sizeof(struct mb_mod_entry) == 16, "multiboot module entry layout");

/* One entry of the MBI's memory map: size (20, not counting itself), then e820. */
struct mb_mmap_entry {
	uint32_t size;
	struct e820_entry e;
} __attribute__((packed));
_Static_assert(sizeof(struct mb_mmap_entry) == 24, "multiboot mmap entry layout");

/* A boot module: @size bytes at @data, with its own command line (NULL: ""). */
struct mb_module {
	const void *data;
	uint64_t size;
	const char *cmdline;
};

/* Where to start: EIP, and EBX (EAX = MB_BOOTLOADER_MAGIC). */
struct mb_boot {
	uint64_t entry;
	uint32_t mbi;
};

/**
 * Validate the Multiboot kernel @image (@size bytes), its @nmods modules
 * @mods and command lines (@cmdline NULL: an empty string), plan where
 * everything goes in @ram, then write the kernel, the modules and the
 * MBI. Nothing is written if any check fails. Returns 0 with @out
 * filled, or -1 with a message in @err (@errlen bytes) naming what is
 * wrong, e.g. "multiboot header at offset 0x40: bad checksum ...".
 */
int mb_load(const void *image, size_t size, const char *cmdline, const struct mb_module *mods,
	    unsigned nmods, const struct guest_ram *ram, struct mb_boot *out, char *err,
	    size_t errlen);

#endif
