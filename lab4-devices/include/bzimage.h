/*
 * bzimage.h - loading a Linux bzImage through the 64-bit boot protocol
 * (Linux Documentation/arch/x86/boot.rst, "64-bit Boot Protocol").
 *
 * The file: setup_sects + 1 sectors of real-mode setup (its sector 0
 * holds the setup header at 0x1F1), then the protected-mode kernel. A
 * 64-bit loader runs none of the setup: it copies the protected-mode
 * kernel to its load address, fills a zero page (struct boot_params)
 * with a copy of the setup header and what the setup code would have
 * found (the e820 map, the command line, the initrd), and enters the
 * kernel at load address + 0x200 in 64-bit mode with:
 *   RSI = the zero page, CS = __BOOT_CS (0x10), DS = ES = SS = __BOOT_DS
 *   (0x18), flat, from a GDT; interrupts off; paging on with the kernel's
 *   init_size, the zero page and the command line identity-mapped.
 *
 * Accepted: boot_flag 0xAA55, "HdrS", protocol 2.12 or later with
 * XLF_KERNEL_64 (the 64-bit entry point), LOADED_HIGH. The kernel goes
 * to pref_address (aligned up to kernel_alignment if relocatable), or,
 * relocatable and not fitting there, to 16 MiB; init_size bytes from
 * there must lie in RAM. The initrd goes page-aligned as high as it can
 * below min(RAM end, initrd_addr_max + 1) without touching the kernel.
 *
 * The loader's own structures sit at the fixed BZ_* addresses below, all
 * under 1 MiB (which Linux keeps for itself) and apart from each other;
 * the kernel and the initrd go above 1 MiB.
 */
#ifndef HVLAB_BZIMAGE_H
#define HVLAB_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>
#include "guest_load.h"

#define BZ_GDT         0x1000ull   /* null, null, __BOOT_CS, __BOOT_DS */
#define BZ_ZERO_PAGE   0x2000ull   /* struct boot_params, 4 KiB */
#define BZ_PML4        0x3000ull   /* CR3 */
#define BZ_PDPT        0x4000ull
#define BZ_PD          0x5000ull   /* 4 page directories, to 0x8FFF: 2 MiB pages, first 4 GiB */
#define BZ_CMDLINE     0x20000ull  /* the command line, NUL-terminated */
#define BZ_CMDLINE_MAX 0x10000u    /* longest command line accepted, whatever cmdline_size says */
#define BZ_DEFAULT_LOAD 0x1000000ull  /* 16 MiB: where a relocatable kernel goes otherwise */
#define BZ_IDENTITY_MAP 0x100000000ull  /* the page tables map [0, 4 GiB) */

#define BZ_BOOT_CS     0x10
#define BZ_BOOT_DS     0x18
#define BZ_MIN_VERSION 0x020C      /* 2.12 */

/* Offsets in the image's sector 0 and in the zero page (boot.rst, zero-page.rst). */
#define BZ_BP_EXT_RAMDISK_IMAGE 0x0C0
#define BZ_BP_EXT_RAMDISK_SIZE  0x0C4
#define BZ_BP_EXT_CMD_LINE_PTR  0x0C8
#define BZ_BP_E820_ENTRIES      0x1E8
#define BZ_BP_SENTINEL          0x1EF
#define BZ_BP_E820_TABLE        0x2D0
#define BZ_BP_E820_MAX          128
#define BZ_HDR_START            0x1F1   /* struct setup_header */
#define BZ_HDR_SETUP_SECTS      0x1F1
#define BZ_HDR_BOOT_FLAG        0x1FE
#define BZ_HDR_JUMP             0x200   /* 0xEB, offset: the header ends at 0x202 + offset */
#define BZ_HDR_MAGIC            0x202   /* "HdrS" */
#define BZ_HDR_VERSION          0x206
#define BZ_HDR_TYPE_OF_LOADER   0x210
#define BZ_HDR_LOADFLAGS        0x211
#define BZ_HDR_CODE32_START     0x214
#define BZ_HDR_RAMDISK_IMAGE    0x218
#define BZ_HDR_RAMDISK_SIZE     0x21C
#define BZ_HDR_HEAP_END_PTR     0x224
#define BZ_HDR_CMD_LINE_PTR     0x228
#define BZ_HDR_INITRD_ADDR_MAX  0x22C
#define BZ_HDR_KERNEL_ALIGNMENT 0x230
#define BZ_HDR_RELOCATABLE      0x234
#define BZ_HDR_XLOADFLAGS       0x236
#define BZ_HDR_CMDLINE_SIZE     0x238
#define BZ_HDR_SETUP_DATA       0x250
#define BZ_HDR_PREF_ADDRESS     0x258
#define BZ_HDR_INIT_SIZE        0x260
#define BZ_HDR_END_MIN          0x268   /* a 2.12 header reaches handover_offset */
#define BZ_HDR_END_MAX          0x290   /* where boot_params' edd_mbr_sig_buffer starts */

#define LOADED_HIGH      (1u << 0)
#define CAN_USE_HEAP     (1u << 7)
#define XLF_KERNEL_64    (1u << 0)
#define BZ_LOADER_TYPE   0xFF       /* "undefined" boot loader: hvlab has no registered ID */
#define BZ_HEAP_END      0xE000u    /* heap_end_ptr = this - 0x200, as QEMU sets it */

/* Where and how to start the kernel. */
struct bz_boot {
	uint64_t entry64;             /* load address + 0x200 */
	uint64_t boot_params;         /* RSI: the zero page */
	uint64_t cr3;                 /* identity page tables in guest RAM */
	uint64_t gdt, gdt_limit;      /* GDTR: __BOOT_CS 0x10, __BOOT_DS 0x18, flat */
	uint64_t kernel_start, kernel_end;   /* [load, load + init_size) */
	uint64_t initrd_start, initrd_end;   /* 0, 0 without an initrd */
};

/**
 * Validate the bzImage @image (@size bytes), place it and the @initrd
 * (@initrd_size bytes; NULL/0: none) in @ram, write the zero page with
 * @cmdline (NULL: empty), a GDT and identity page tables. Nothing is
 * written if a check fails. Returns 0 with @out filled, or -1 with a
 * message in @err (@errlen bytes), e.g. "not a bzImage: no HdrS
 * signature at 0x202".
 */
int bz_load(const void *image, size_t size, const void *initrd, size_t initrd_size,
	    const char *cmdline, const struct guest_ram *ram, struct bz_boot *out, char *err,
	    size_t errlen);

#endif
