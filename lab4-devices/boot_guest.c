/*
 * boot_guest.c - one guest as the only VM, on a whole PC: what
 * `make run-guest` and `make run-linux` boot.
 *
 *   demo                  (demo=4 alone) the in-guest device tests on a whole PC
 *   boot=IMAGE[,MODULE]   the guest image registered as IMAGE (the make
 *                         targets link the files in as payloads), with an
 *                         initrd (Linux) or a module (Multiboot)
 *   vmram=KIB             its RAM (default 131072 KiB, 128 MiB)
 *   timeout=S             stop it after S seconds of guest time (default: none)
 *   exitlog=TICKS         sample its exit counts every TICKS TSC ticks, printed
 *                         at the end as "exitlog:" lines (make bench-linux)
 *   -- ARGS               everything after " -- " is the guest's command line
 *
 * The image's format picks the loader: a Linux bzImage (64-bit boot
 * protocol, bzimage.c), a Multiboot 1 kernel (multiboot_load.c), or an
 * ELF file that starts in real mode (lab 3). The guest's UART is the
 * terminal: its output goes to the console as it comes, and the console's
 * input goes back to it. The run ends with the guest's status: the value
 * written to the debug-exit port (0xF4), 0 for a poweroff or reset, or
 * 128 + VCPU_E* if it died or timed out, after its exit statistics.
 */
#include "bzimage.h"
#include "cmdline.h"
#include "init.h"
#include "multiboot_load.h"
#include "platform.h"
#include "printf.h"
#include "string.h"
#include "vm_platform.h"
#include "vm_vendor.h"
#include "vm_start.h"
#include "x86.h"

#define BOOT_RAM_DEFAULT_KIB (128ul << 10)
#define STATUS_NOT_EXITED    128
#define STATUS_NO_GUEST      127
#define ARG_MAX              160
#define NO_WATCHDOG          (~0ull >> 1)   /* effectively none: slices still run */
#define EXITLOG_DEFAULT_TICKS (1ull << 23)
#define RTC_EPOCH            1767225600ull  /* 2026-01-01 00:00:00 UTC: runs are repeatable */

static bool is_bzimage(const struct guest_image *img)
{
	return img->size > 0x206 && !memcmp(img->start + 0x202, "HdrS", 4);
}

static bool is_multiboot(const struct guest_image *img)
{
	for (size_t off = 0; off + 12 <= img->size && off < MB_SEARCH_BYTES; off += 4) {
		uint32_t magic;
		memcpy(&magic, img->start + off, 4);
		if (magic == MB_HEADER_MAGIC)
			return true;
	}
	return false;
}

/* Where the TSC digits of a Linux guest's command line are, in guest memory (0: none). */
static uint64_t tsc_digits_gpa;

/* Load @img (and @mod) into @vm's RAM and set the start state its format asks for. */
static int load_guest(struct vm *vm, const struct guest_image *img, const struct guest_image *mod,
		      const char *args)
{
	struct guest_ram ram;
	platform_guest_ram(vm, &ram);
	char err[160];
	struct vm_start s = { 0 };
	if (is_bzimage(img)) {
		struct bz_boot b;
		static char line[BZ_CMDLINE_MAX];
		int digits = platform_args_with_tsc(line, sizeof(line), args);
		if (digits < 0) {
			kprintf("boot: the guest's command line is too long\n");
			return -1;
		}
		if (bz_load(img->start, img->size, mod ? mod->start : NULL, mod ? mod->size : 0, line,
			    &ram, &b, err, sizeof(err)))
			goto refused;
		tsc_digits_gpa = BZ_CMDLINE + (uint64_t)digits;
		kprintf("boot: Linux kernel at %#lx-%#lx, initrd %#lx-%#lx, entry %#lx\n",
			b.kernel_start, b.kernel_end, b.initrd_start, b.initrd_end, b.entry64);
		s = (struct vm_start){ .mode = VM_START_LONG, .rip = b.entry64, .cr3 = b.cr3,
				       .gdt_base = b.gdt, .gdt_limit = (uint16_t)b.gdt_limit,
				       .cs = BZ_BOOT_CS, .ds = BZ_BOOT_DS, .rsi = b.boot_params };
	} else if (is_multiboot(img)) {
		struct mb_module m = { mod ? mod->start : NULL, mod ? mod->size : 0,
				       mod ? mod->name : NULL };
		struct mb_boot b;
		if (mb_load(img->start, img->size, args, &m, mod ? 1 : 0, &ram, &b, err, sizeof(err)))
			goto refused;
		kprintf("boot: Multiboot kernel, entry %#lx, multiboot information at %#x\n", b.entry,
			b.mbi);
		s = (struct vm_start){ .mode = VM_START_PROT32, .rip = b.entry, .cs = 0x08, .ds = 0x10,
				       .rax = MB_BOOTLOADER_MAGIC, .rbx = b.mbi };
	} else {
		kprintf("boot: image %s is neither a Linux bzImage nor a Multiboot kernel: use vm=%s "
			"for a lab-3 ELF guest\n", img->name, img->name);
		return -1;
	}
	return vm_vendor_start(vm, &s);
refused:
	kprintf("boot: image %s refused: %s\n", img->name, err);
	return -1;
}

static uint64_t parse_number(const char *key, const char *s, uint64_t dflt)
{
	uint64_t n = 0;
	if (!*s)
		return dflt;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || n > (1ull << 40)) {
			kprintf("%s=%s: not a number; using %lu\n", key, s, dflt);
			return dflt;
		}
		n = n * 10 + (uint64_t)(*p - '0');
	}
	return n;
}

static int boot_status(int rc)
{
	return rc >= 0 ? rc : STATUS_NOT_EXITED - rc;
}

static void end_run(int status)
{
	kprintf("boot: finished; exit status %d\n", status);
	kprintf("hvlab: nothing more to run; shutting down with status %d\n", status);
	platform_exit(status);
}

/*
 * demo (demo=4): the in-guest device tests, a Multiboot kernel, on a whole
 * PC: its lines come out as "[guest lab4-tests] ...", then its status.
 */
#define DEMO4_IMAGE   "lab4-tests"
#define DEMO4_RAM     (16ul << 20)
static int lab4_demo(void)
{
	if (!cmdline_demo("4") || vm_vendor_check() != 0)
		return 0;
	const struct guest_image *img = guest_image_find(DEMO4_IMAGE);
	if (!img) {
		kprintf("demo: no guest image %s\n", DEMO4_IMAGE);
		return -1;
	}
	kprintf("demo: %s, a Multiboot kernel, tests the devices of a whole virtual PC\n",
		img->name);
	struct vm_config c = { .name = img->name, .ram_size = DEMO4_RAM, .blank = true };
	struct vm *vm = vm_create(&c);
	struct platform_config pc = { .unix_time = RTC_EPOCH, .ncpus = 1, .mptable = true };
	if (!vm || platform_attach(vm, &pc) || load_guest(vm, img, NULL, "demo")) {
		vm_destroy(vm);
		return -1;
	}
	vm->vcpu->watchdog_budget = NO_WATCHDOG;
	int status = boot_status(vcpu_run(vm->vcpu));
	platform_print_stats(vm);
	vm_destroy(vm);
	kprintf("demo: %s finished with status %d\n", img->name, status);
	return status ? -1 : 0;
}
INITCALL(92, lab4_demo);

static int lab4_boot(void)
{
	char spec[ARG_MAX], num[24];
	if (!cmdline_get("boot", spec, sizeof(spec)))
		return 0;
	char *comma = strchr(spec, ',');
	if (comma)
		*comma = '\0';
	const struct guest_image *img = guest_image_find(spec);
	const struct guest_image *mod = comma ? guest_image_find(comma + 1) : NULL;
	if (!img || (comma && !mod)) {
		kprintf("boot: no guest image \"%s\" in this kernel (make run-guest IMAGE=FILE links "
			"one in)\n", !img ? spec : comma + 1);
		end_run(STATUS_NO_GUEST);
	}
	uint64_t kib = cmdline_get("vmram", num, sizeof(num)) ?
		parse_number("vmram", num, BOOT_RAM_DEFAULT_KIB) : BOOT_RAM_DEFAULT_KIB;
	uint64_t secs = cmdline_get("timeout", num, sizeof(num)) ? parse_number("timeout", num, 0) : 0;

	struct vm_config c = { .name = img->name, .ram_size = kib << 10, .blank = true };
	struct vm *vm = vm_create(&c);
	if (!vm)
		end_run(STATUS_NO_GUEST);
	struct platform_config pc = { .unix_time = RTC_EPOCH, .ncpus = 1, .console_raw = true,
				      .host_input = true, .mptable = true, .acpi = true };
	if (platform_attach(vm, &pc) || load_guest(vm, img, mod, platform_guest_args())) {
		vm_destroy(vm);
		end_run(STATUS_NO_GUEST);
	}
	vm->vcpu->watchdog_budget = secs ? secs * platform_tsc_hz() : NO_WATCHDOG;
	if (cmdline_get("exitlog", num, sizeof(num)))
		platform_exitlog(vm, parse_number("exitlog", num, EXITLOG_DEFAULT_TICKS));
	kprintf("boot: %s with %lu MiB of RAM; its console follows\n", img->name, kib >> 10);
	/* The TSC at the first entry, in the guest's command line (BOOT_TSC_PARAM). */
	char *digits = tsc_digits_gpa ? vm_gpa_ptr(vm, tsc_digits_gpa, BOOT_TSC_DIGITS) : NULL;
	if (digits)
		platform_stamp_tsc(digits, rdtsc());
	int rc = vcpu_run(vm->vcpu);
	int status = boot_status(rc);
	platform_print_stats(vm);
	vm_destroy(vm);
	end_run(status);
	return 0;
}
INITCALL(97, lab4_boot);
