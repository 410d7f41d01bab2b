/*
 * multiboot.h - what a Multiboot 1 loader hands the kernel (Multiboot
 * Specification 0.6.96, section 3.3 "Boot information format").
 */
#ifndef G4_MULTIBOOT_H
#define G4_MULTIBOOT_H

#include <stdint.h>

#define MB_BOOTLOADER_MAGIC	0x2BADB002u

/* Which fields of struct mb_info are valid. */
#define MBI_MEM			(1u << 0)
#define MBI_BOOT_DEVICE		(1u << 1)
#define MBI_CMDLINE		(1u << 2)
#define MBI_MODS		(1u << 3)
#define MBI_MMAP		(1u << 6)
#define MBI_LOADER_NAME		(1u << 9)

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;	/* KiB from 0, KiB from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
};

/* A memory-map entry: @size counts the bytes after itself (20 for these). */
struct mb_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

#define MB_MMAP_RAM	1

/** The multiboot information the loader passed in EBX. */
static inline const struct mb_info *g4_mbi(void)
{
	extern uint32_t g4_boot_ebx;
	return (const struct mb_info *)(uintptr_t)g4_boot_ebx;
}

#endif
