/*
 * guest_load.h - what the lab-4 guest loaders (multiboot_load.h,
 * bzimage.h, mptable.h) share: the guest's RAM, reached only through
 * callbacks, and the PC's physical memory map (e820).
 *
 * The loaders are pure logic: they validate an image completely, decide
 * where everything goes, and only then write, through @write and @zero.
 * The kernel passes callbacks that copy into a VM's RAM; the host unit
 * tests pass ones that fill a buffer. A loader never writes outside
 * [0, size): it checks every range first, so a callback that fails is a
 * bug in the caller (and is reported as "writing ... failed").
 */
#ifndef HVLAB_GUEST_LOAD_H
#define HVLAB_GUEST_LOAD_H

#include <stdbool.h>
#include <stdint.h>

/* What a loader may write. */
struct guest_ram {
	uint64_t size;                       /* RAM is guest-physical [0, size) */
	int (*write)(void *ctx, uint64_t gpa, const void *src, uint64_t len);   /* 0 or -1 */
	int (*zero)(void *ctx, uint64_t gpa, uint64_t len);                     /* 0 or -1 */
	void *ctx;
	uint64_t kernel_min;                 /* a relocatable kernel goes no lower (0: anywhere) */
};

/* True when [@gpa, @gpa + @len) lies inside the RAM (no sum that can wrap). */
static inline bool guest_ram_contains(const struct guest_ram *ram, uint64_t gpa, uint64_t len)
{
	return gpa <= ram->size && len <= ram->size - gpa;
}

/*
 * One range of the BIOS memory map (INT 15h, AX=E820h): the 20-byte layout
 * that the Linux zero page (boot_params.e820_table) holds as it is and
 * that a multiboot mmap entry holds after its size field.
 */
struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct e820_entry) == 20, "e820 entry layout");

#define E820_RAM       1
#define E820_RESERVED  2

/* The PC holes: the EBDA and the legacy BIOS/VGA area below 1 MiB. */
#define E820_LOW_RAM_END  0x9FC00ull     /* 639 KiB: base memory, as a PC BIOS reports */
#define E820_HIGH_START   0x100000ull    /* 1 MiB: extended memory starts */
#define E820_PC_ENTRIES   3              /* at most this many entries from e820_build */

/**
 * The PC map of a VM with @ram_size bytes of RAM: RAM [0, 0x9FC00),
 * reserved EBDA/VGA/BIOS [0x9FC00, 0x100000), RAM [0x100000, @ram_size).
 * RAM smaller than that shortens or drops the RAM entries; the hole is
 * always reported (the MP table lives in it). Writes at most @n entries
 * to @out and returns how many it wrote.
 */
unsigned e820_build(uint64_t ram_size, struct e820_entry *out, unsigned n);

#endif
