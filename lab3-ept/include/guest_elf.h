/*
 * guest_elf.h - loading a lab-3 guest image: an ELF executable, validated
 * completely before a single byte of it reaches the guest's memory.
 *
 * The image comes from inside the kernel today, but the loader treats it
 * as hostile input (as a real hypervisor must treat a guest's kernel
 * file): every size is checked, every offset + length is computed without
 * overflow, and every segment must land inside the guest's RAM. Only then
 * are the PT_LOAD segments copied, through a callback, so this file is
 * pure logic that the host unit tests run as well.
 *
 * Accepted: ELF32 (EM_386) or ELF64 (EM_X86_64), little-endian, ET_EXEC,
 * version 1, header sizes exactly those of the class, 1..GUEST_ELF_MAX_LOAD
 * PT_LOAD segments with p_filesz <= p_memsz, inside [0, ram_size), not
 * overlapping, and an entry point inside a PF_X segment. Other program
 * header types are ignored. Segments are placed at p_paddr, as a boot
 * loader does with paging off (the guest starts in real mode); the entry
 * point, a virtual address, is translated through the segment that holds
 * it (as GRUB does for a multiboot ELF).
 */
#ifndef HVLAB_GUEST_ELF_H
#define HVLAB_GUEST_ELF_H

#include <stddef.h>
#include <stdint.h>

#define GUEST_ELF_MAX_LOAD   16               /* PT_LOAD segments per image */
#define GUEST_ELF_MAX_BYTES  (16ul << 20)     /* largest image file accepted */

struct guest_elf_info {
	uint64_t entry;            /* guest-physical entry point */
	uint64_t lowest, highest;  /* [lowest, highest): guest-physical span loaded */
	int elf_class;             /* 32 or 64 */
	unsigned nload;            /* PT_LOAD segments (empty ones included) */
};

/*
 * Copy @filesz bytes from @src to guest-physical @gpa and zero the rest up
 * to @memsz (the segment's .bss); 0, or -1 when it cannot.
 */
typedef int (*guest_copy_fn)(void *ctx, uint64_t gpa, const void *src, uint64_t filesz,
			     uint64_t memsz);

/**
 * Validate the ELF @image of @size bytes for a guest with @ram_size bytes
 * of RAM at guest-physical 0, then copy its PT_LOAD segments with @copy.
 * Nothing is copied if any check fails. @copy may be NULL: validate only.
 * Returns 0 with @info filled (if not NULL), or -1 with a message in @err
 * (@errlen bytes, always terminated when @errlen > 0) that names what is
 * wrong, e.g. "segment 1 [0x100000, 0x300000) lies outside the guest's
 * RAM [0, 0x200000)".
 */
int guest_elf_load(const void *image, size_t size, uint64_t ram_size, guest_copy_fn copy,
		   void *ctx, struct guest_elf_info *info, char *err, size_t errlen);

#endif
