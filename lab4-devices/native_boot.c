/*
 * native_boot.c - hvlab as a plain boot loader: load a Linux bzImage into
 * the machine's own memory and jump to it, with no hypervisor underneath.
 * `make bench-linux` uses it for the bare-metal half of its comparison, so
 * that both halves boot the same kernel, initramfs and command line through
 * the same loader (bzimage.c), and differ only in VMX being there.
 *
 *   nativeboot=IMAGE,INITRD -- ARGS
 *
 * The machine's RAM is the guest RAM of the loader (guest_load.h) with
 * host-physical = guest-physical: hvlab's kernel sits at 1 MiB with the
 * payloads right after it (past 16 MiB with a Linux kernel in them), so
 * the loader puts the relocatable kernel at 64 MiB and the initrd at the
 * top of RAM, clear of both; the payloads are first staged in between. From
 * the jump on hvlab is gone: interrupts off, its timer masked, VMX off.
 *
 * Both halves write the TSC at the kernel's entry into its command line
 * (BOOT_TSC_PARAM, vm_platform.h), where the test /init reads it back.
 */
#include "bzimage.h"
#include "cmdline.h"
#include "console.h"
#include "guest_image.h"
#include "init.h"
#include "memmap.h"
#include "platform.h"
#include "pmm.h"
#include "printf.h"
#include "string.h"
#include "vm_platform.h"
#include "vmx/vmx_cpu.h"
#include "x86.h"

#define ARG_MAX           160
#define LAPIC_LVT_TIMER_REG 0xfee00320u
#define LVT_MASKED        (1u << 16)
#define FOUR_GIB          (1ull << 32)
#define SCRATCH_ALIGN     (64ull << 20)
#define NATIVE_KERNEL_MIN (64ull << 20)

/*
 * The payloads sit in hvlab's image, just above 1 MiB, where the loader
 * puts Linux (16 MiB): copy them first to a range of RAM nobody uses,
 * above the kernel's init_size and below the initrd's place at the top,
 * withdrawn from the page allocator so that nothing else is there.
 * Returns its address, or 0.
 */
static uint64_t scratch_for(uint64_t bytes, uint64_t top)
{
	for (uint64_t at = (top / 2) & ~(SCRATCH_ALIGN - 1); at >= SCRATCH_ALIGN * 2;
	     at -= SCRATCH_ALIGN)
		if (at + bytes < top - SCRATCH_ALIGN && pmm_reserve(at, bytes) == 0)
			return at;
	return 0;
}

static int host_write(void *ctx, uint64_t pa, const void *src, uint64_t len)
{
	(void)ctx;
	if (src)
		memmove((void *)(uintptr_t)pa, src, len);
	else
		memset((void *)(uintptr_t)pa, 0, len);
	return 0;
}

static int host_zero(void *ctx, uint64_t pa, uint64_t len)
{
	return host_write(ctx, pa, NULL, len);
}

/* Load the GDT and page tables the loader wrote, then enter 64-bit Linux (never returns). */
struct native_boot {
	struct bz_boot bz;
	uint64_t tsc_digits;   /* physical address of the command line's TSC digits */
};

static void __attribute__((noreturn)) enter_linux(const struct native_boot *nb)
{
	const struct bz_boot *b = &nb->bz;
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr =
		{ (uint16_t)b->gdt_limit, b->gdt };
	platform_stamp_tsc((char *)(uintptr_t)nb->tsc_digits, rdtsc());
	__asm__ volatile(
		"mov %[cr3], %%cr3\n\t"
		"lgdt %[gdtr]\n\t"
		"mov %[ds], %%eax\n\t"
		"mov %%eax, %%ds\n\t"
		"mov %%eax, %%es\n\t"
		"mov %%eax, %%ss\n\t"
		"pushq %[cs]\n\t"
		"pushq %[rip]\n\t"
		"lretq"
		: : [cr3] "r"(b->cr3), [gdtr] "m"(gdtr), [ds] "i"(BZ_BOOT_DS), [cs] "i"(BZ_BOOT_CS),
		    [rip] "r"(b->entry64), "S"(b->boot_params)
		: "rax", "memory");
	__builtin_unreachable();
}

static int lab4_native(void)
{
	char spec[ARG_MAX];
	if (!cmdline_get("nativeboot", spec, sizeof(spec)))
		return 0;
	char *comma = strchr(spec, ',');
	if (comma)
		*comma = '\0';
	const struct guest_image *img = guest_image_find(spec);
	const struct guest_image *rd = comma ? guest_image_find(comma + 1) : NULL;
	if (!img || (comma && !rd)) {
		kprintf("nativeboot: no image \"%s\" in this kernel\n", !img ? spec : comma + 1);
		platform_exit(127);
	}
	uint64_t top = memmap_top(&boot_memmap);
	top = top < FOUR_GIB ? top : FOUR_GIB;
	size_t rd_size = rd ? rd->size : 0;
	uint64_t scratch = scratch_for(img->size + rd_size, top);
	if (!scratch) {
		kprintf("nativeboot: no free range of %zu bytes to stage the images in\n",
			img->size + rd_size);
		platform_exit(127);
	}
	uint8_t *kcopy = (uint8_t *)(uintptr_t)scratch, *rcopy = kcopy + img->size;
	memcpy(kcopy, img->start, img->size);
	if (rd)
		memcpy(rcopy, rd->start, rd_size);
	/* Linux goes above hvlab, its payloads and the page allocator's first pages. */
	struct guest_ram ram = { top, host_write, host_zero, NULL, NATIVE_KERNEL_MIN };
	struct native_boot nb;
	struct bz_boot b;
	char err[160];
	static char line[BZ_CMDLINE_MAX];
	int digits = platform_args_with_tsc(line, sizeof(line), platform_guest_args());
	if (digits < 0)
		ksnprintf(err, sizeof(err), "the command line is too long");
	if (digits < 0 || bz_load(kcopy, img->size, rd ? rcopy : NULL, rd_size, line, &ram, &b, err,
				  sizeof(err))) {
		kprintf("nativeboot: image %s refused: %s\n", img->name, err);
		platform_exit(127);
	}
	nb.bz = b;
	nb.tsc_digits = BZ_CMDLINE + (uint64_t)digits;
	kprintf("nativeboot: Linux at %#lx-%#lx, initrd %#lx-%#lx; hvlab steps aside now\n",
		b.kernel_start, b.kernel_end, b.initrd_start, b.initrd_end);
	console_flush();
	__asm__ volatile("cli");
	vmx_cpu_disable();
	*(volatile uint32_t *)(uintptr_t)LAPIC_LVT_TIMER_REG |= LVT_MASKED;
	enter_linux(&nb);
}
INITCALL(98, lab4_native);
