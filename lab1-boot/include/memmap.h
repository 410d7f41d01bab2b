/*
 * memmap.h - the physical memory map, as the firmware (E820) reported it.
 */
#ifndef HVLAB_MEMMAP_H
#define HVLAB_MEMMAP_H

#include <stdint.h>

enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI = 3,      /* ACPI tables, reclaimable after parsing */
	MEM_NVS = 4,
	MEM_BAD = 5,
};

#define MEMMAP_MAX 64

struct mem_region {
	uint64_t base;
	uint64_t len;
	uint32_t type;
};

struct memmap {
	int count;
	struct mem_region r[MEMMAP_MAX];
};

struct multiboot_info;

/**
 * Fill @m from a multiboot information block: its E820 map when present,
 * otherwise the mem_lower/mem_upper pair. Returns 0, or -1 with a message
 * when the block carries no memory information at all.
 */
int memmap_from_multiboot(struct memmap *m, const struct multiboot_info *mbi);
/** Print the map, one region a line, and the total usable memory. */
void memmap_print(const struct memmap *m);
/** Bytes of MEM_USABLE memory. */
uint64_t memmap_usable_bytes(const struct memmap *m);
/** One past the highest usable physical address. */
uint64_t memmap_top(const struct memmap *m);
const char *mem_type_name(uint32_t type);

extern struct memmap boot_memmap;

#endif
