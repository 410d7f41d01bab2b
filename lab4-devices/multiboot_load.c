/*
 * multiboot_load.c - load a Multiboot 1 kernel and its modules, and build
 * the multiboot information block (multiboot_load.h).
 *
 * Spec: "Multiboot Specification version 0.6.96", sections 3.1 (the OS
 * image format: header and address fields), 3.2 (machine state at entry)
 * and 3.3 (boot information format). As in guest_elf.c, everything is
 * checked and planned first (mb_find_header, mb_check_flags,
 * mb_plan_kernel, mb_plan_modules, mb_plan_info); only a complete plan is
 * written to the guest.
 */
#include <stdbool.h>
#include "guest_elf.h"
#include "multiboot_load.h"
#include "panic.h"
#include "printf.h"
#include "string.h"

#define PAGE_SIZE   0x1000ull
#define LIMIT_4G    0x100000000ull   /* the kernel runs with paging off: 32-bit addresses */

/* The header (spec 3.1.1); the address fields are valid with flag bit 16. */
struct mb_header {
	uint32_t magic, flags, checksum;
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
} __attribute__((packed));
#define MB_HEADER_MIN   12u     /* magic, flags, checksum */
#define MB_HEADER_AOUT  32u     /* ... and the five address fields */

/* Everything decided before the first byte is written. */
struct mb_plan {
	uint32_t flags;
	bool aout;                            /* a.out kludge, else ELF */
	uint64_t file_off, load_len;          /* a.out: image bytes [file_off, +load_len) */
	uint64_t kernel_start, load_end, kernel_end;  /* load_end..kernel_end: a.out .bss */
	uint64_t entry;
	uint64_t mod_start[MB_MAX_MODULES];
	struct e820_entry map[E820_PC_ENTRIES];
	unsigned nmap;
	const char *cmdline;                  /* never NULL */
	uint64_t info, info_size;             /* the MBI and all it points to */
	uint64_t mods_addr, mmap_addr, strings_addr;
};

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * The first 32-bit aligned header with the magic and a good checksum in
 * the first 8192 bytes (spec 3.1.1), as GRUB searches. When only headers
 * with a bad checksum are found, the first of them is named.
 */
static int mb_find_header(const uint8_t *b, size_t size, struct mb_header *h, size_t *off,
			  char *err, size_t errlen)
{
	size_t end = size < MB_SEARCH_BYTES ? size : MB_SEARCH_BYTES;
	size_t bad = SIZE_MAX;
	uint32_t bad_sum = 0;

	for (size_t o = 0; o + MB_HEADER_MIN <= end; o += 4) {
		if (get32(b + o) != MB_HEADER_MAGIC)
			continue;
		uint32_t sum = get32(b + o) + get32(b + o + 4) + get32(b + o + 8);
		if (sum == 0) {
			memset(h, 0, sizeof(*h));
			memcpy(h, b + o, end - o < sizeof(*h) ? end - o : sizeof(*h));
			*off = o;
			return 0;
		}
		if (bad == SIZE_MAX)
			bad = o, bad_sum = sum;
	}
	if (bad != SIZE_MAX)
		return errorf(err, errlen,
			    "multiboot header at offset %#zx has a bad checksum: magic + flags + checksum = %#x, must be 0",
			    bad, bad_sum);
	return errorf(err, errlen,
		    "not a multiboot kernel: no header (magic %#x, 4-byte aligned) in the first %d bytes",
		    MB_HEADER_MAGIC, MB_SEARCH_BYTES);
}

/* Bits 0-15 are requirements: refuse any this loader cannot meet (spec 3.1.2). */
static int mb_check_flags(uint32_t flags, char *err, size_t errlen)
{
	uint32_t unmet = flags & 0xffff & ~(MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY_INFO);

	if (unmet & MB_FLAG_VIDEO_MODE)
		return errorf(err, errlen,
			    "multiboot flags %#x require a video mode (bit 2): hvlab guests have only a serial console",
			    flags);
	if (unmet)
		return errorf(err, errlen,
			    "multiboot flags %#x require bit %d, which this loader does not know (it meets bits 0 and 1)",
			    flags, __builtin_ctz(unmet));
	return 0;
}

/*
 * The a.out kludge (spec 3.1.3): the header's own address says which
 * file offset load_addr corresponds to. All fields are 32 bits, so the
 * 64-bit sums below cannot wrap.
 */
static int mb_plan_aout(struct mb_plan *p, const struct mb_header *h, size_t off, size_t size,
			const struct guest_ram *ram, char *err, size_t errlen)
{
	if (off + MB_HEADER_AOUT > size || off + MB_HEADER_AOUT > MB_SEARCH_BYTES)
		return errorf(err, errlen,
			    "multiboot header at offset %#zx: its address fields (flags bit 16) run past the %s",
			    off, off + MB_HEADER_AOUT > size ? "end of the image" : "first 8192 bytes");
	if (h->header_addr < h->load_addr)
		return errorf(err, errlen, "multiboot header_addr %#x lies below load_addr %#x",
			    h->header_addr, h->load_addr);
	if (h->header_addr - h->load_addr > off)
		return errorf(err, errlen,
			    "multiboot load_addr %#x would start %#x bytes before the header, which is at file offset %#zx",
			    h->load_addr, h->header_addr - h->load_addr, off);
	p->file_off = off - (h->header_addr - h->load_addr);
	if (h->load_end_addr == 0) {
		p->load_len = size - p->file_off;
	} else {
		if (h->load_end_addr <= h->load_addr)
			return errorf(err, errlen, "multiboot load_end_addr %#x is not above load_addr %#x",
				    h->load_end_addr, h->load_addr);
		p->load_len = h->load_end_addr - h->load_addr;
		if (p->load_len > size - p->file_off)
			return errorf(err, errlen,
				    "truncated: load_end_addr %#x needs %#llx bytes from file offset %#llx of a %zu-byte image",
				    h->load_end_addr, (unsigned long long)p->load_len,
				    (unsigned long long)p->file_off, size);
	}
	p->kernel_start = h->load_addr;
	p->load_end = p->kernel_start + p->load_len;
	if (h->bss_end_addr == 0) {
		p->kernel_end = p->load_end;
	} else {
		if (h->bss_end_addr < p->load_end)
			return errorf(err, errlen,
				    "multiboot bss_end_addr %#x lies below the end of the loaded image %#llx",
				    h->bss_end_addr, (unsigned long long)p->load_end);
		p->kernel_end = h->bss_end_addr;
	}
	if (!guest_ram_contains(ram, p->kernel_start, p->kernel_end - p->kernel_start) ||
	    p->kernel_end > LIMIT_4G)
		return errorf(err, errlen,
			    "the kernel [%#llx, %#llx) lies outside the guest's RAM [0, %#llx)",
			    (unsigned long long)p->kernel_start, (unsigned long long)p->kernel_end,
			    (unsigned long long)ram->size);
	if (h->entry_addr < p->kernel_start || h->entry_addr >= p->load_end)
		return errorf(err, errlen,
			    "multiboot entry_addr %#x lies outside the loaded image [%#llx, %#llx)",
			    h->entry_addr, (unsigned long long)p->kernel_start,
			    (unsigned long long)p->load_end);
	p->entry = h->entry_addr;
	return 0;
}

/* Without the address fields the image must be ELF: lab 3's loader checks it. */
static int mb_plan_elf(struct mb_plan *p, const uint8_t *b, size_t size,
		       const struct guest_ram *ram, char *err, size_t errlen)
{
	struct guest_elf_info info;
	char why[160];

	if (size < 4 || memcmp(b, "\177ELF", 4) != 0)
		return errorf(err, errlen,
			    "multiboot flags %#x lack bit 16 (address fields) and the image is not ELF: nothing says where to load it",
			    p->flags);
	if (guest_elf_load(b, size, ram->size, NULL, NULL, &info, why, sizeof(why)) < 0)
		return errorf(err, errlen, "multiboot ELF kernel: %s", why);
	if (info.highest > LIMIT_4G || info.entry >= LIMIT_4G)
		return errorf(err, errlen,
			    "multiboot ELF kernel [%#llx, %#llx) with entry %#llx: it starts with paging off, so it must lie below 4 GiB",
			    (unsigned long long)info.lowest, (unsigned long long)info.highest,
			    (unsigned long long)info.entry);
	p->kernel_start = info.lowest;
	p->load_end = p->kernel_end = info.highest;
	p->entry = info.entry;
	return 0;
}

/* Modules: page-aligned after the kernel, in order, never in the PC hole. */
static int mb_plan_modules(struct mb_plan *p, const struct mb_module *mods, unsigned nmods,
			   const struct guest_ram *ram, char *err, size_t errlen)
{
	uint64_t limit = ram->size < LIMIT_4G ? ram->size : LIMIT_4G;
	uint64_t next = page_up(p->kernel_end);

	if (nmods > MB_MAX_MODULES)
		return errorf(err, errlen, "%u modules: at most %d are supported", nmods,
			    MB_MAX_MODULES);
	if (nmods && !mods)
		return errorf(err, errlen, "%u modules but no module list", nmods);
	for (unsigned i = 0; i < nmods; i++) {
		uint64_t start = next, len = mods[i].size;
		if (len && !mods[i].data)
			return errorf(err, errlen, "module %u: %llu bytes but no data", i,
				    (unsigned long long)len);
		if (mods[i].cmdline &&
		    strnlen(mods[i].cmdline, MB_CMDLINE_MAX + 1) > MB_CMDLINE_MAX)
			return errorf(err, errlen, "module %u: command line longer than %d bytes", i,
				    MB_CMDLINE_MAX);
		if (start < E820_HIGH_START &&
		    (start >= E820_LOW_RAM_END || len > E820_LOW_RAM_END - start))
			start = E820_HIGH_START;
		if (start > limit || len > limit - start)
			return errorf(err, errlen,
				    "module %u (%llu bytes) at %#llx does not fit in the guest's RAM [0, %#llx)%s",
				    i, (unsigned long long)len, (unsigned long long)start,
				    (unsigned long long)ram->size,
				    limit < ram->size ? " below 4 GiB" : "");
		p->mod_start[i] = start;
		next = page_up(start + len);
	}
	return 0;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

/*
 * The MBI and what it points to, in one block: the mb_info, the module
 * list, the memory map, then the strings (kernel command line, module
 * command lines, loader name). At MB_INFO_LOW if that is free, else
 * after the last module.
 */
static int mb_plan_info(struct mb_plan *p, const struct mb_module *mods, unsigned nmods,
			const struct guest_ram *ram, char *err, size_t errlen)
{
	uint64_t strings = strlen(p->cmdline) + 1 + sizeof(MB_LOADER_NAME);
	uint64_t last = p->kernel_end;

	for (unsigned i = 0; i < nmods; i++) {
		strings += (mods[i].cmdline ? strlen(mods[i].cmdline) : 0) + 1;
		last = p->mod_start[i] + mods[i].size;
	}
	p->info_size = sizeof(struct mb_info) + nmods * sizeof(struct mb_mod_entry) +
		       p->nmap * sizeof(struct mb_mmap_entry) + strings;

	bool low_ok = MB_INFO_LOW + p->info_size <= E820_LOW_RAM_END &&
		      guest_ram_contains(ram, MB_INFO_LOW, p->info_size) &&
		      !overlaps(MB_INFO_LOW, p->info_size, p->kernel_start,
				p->kernel_end - p->kernel_start);
	for (unsigned i = 0; low_ok && i < nmods; i++)
		low_ok = !overlaps(MB_INFO_LOW, p->info_size, p->mod_start[i], mods[i].size);
	p->info = low_ok ? MB_INFO_LOW : page_up(last);
	if (!low_ok && (!guest_ram_contains(ram, p->info, p->info_size) ||
			p->info + p->info_size > LIMIT_4G))
		return errorf(err, errlen,
			    "no room for the %llu-byte multiboot information: not at %#llx, and not after the last module at %#llx (RAM ends at %#llx)",
			    (unsigned long long)p->info_size, MB_INFO_LOW, (unsigned long long)p->info,
			    (unsigned long long)ram->size);
	p->mods_addr = p->info + sizeof(struct mb_info);
	p->mmap_addr = p->mods_addr + nmods * sizeof(struct mb_mod_entry);
	p->strings_addr = p->mmap_addr + p->nmap * sizeof(struct mb_mmap_entry);
	return 0;
}

static int mb_put(const struct guest_ram *ram, uint64_t gpa, const void *src, uint64_t len,
		  char *err, size_t errlen)
{
	if (len && ram->write(ram->ctx, gpa, src, len) != 0)
		return errorf(err, errlen, "writing %llu bytes at guest-physical %#llx failed",
			    (unsigned long long)len, (unsigned long long)gpa);
	return 0;
}

/* guest_elf's segment copy, onto the guest_ram callbacks. */
static int mb_elf_copy(void *ctx, uint64_t gpa, const void *src, uint64_t filesz, uint64_t memsz)
{
	const struct guest_ram *ram = ctx;

	if (filesz && ram->write(ram->ctx, gpa, src, filesz) != 0)
		return -1;
	if (memsz > filesz && ram->zero(ram->ctx, gpa + filesz, memsz - filesz) != 0)
		return -1;
	return 0;
}

/* Write @s with its NUL at *@at; returns its address and moves *@at on. */
static int mb_put_string(const struct guest_ram *ram, uint64_t *at, const char *s,
			 uint32_t *addr, char *err, size_t errlen)
{
	uint64_t len = strlen(s) + 1;

	*addr = (uint32_t)*at;
	if (mb_put(ram, *at, s, len, err, errlen) < 0)
		return -1;
	*at += len;
	return 0;
}

/*
 * The multiboot information block (spec 3.3) from the plan: memory sizes
 * in KiB (mem_lower from 0, at most 640; mem_upper from 1 MiB up to the
 * first hole), the command line (never a NULL pointer: "" when none), the
 * modules, the memory map (each entry preceded by its size, 20, which
 * does not count the size field itself) and the loader's name. Every
 * address is 32 bits: the plan kept all of it below 4 GiB.
 */
static int mb_write_info(const struct mb_plan *p, const struct mb_module *mods, unsigned nmods,
			 const struct guest_ram *ram, char *err, size_t errlen)
{
	/* BEGIN SOLUTION lab4 */
	struct mb_info mbi = { 0 };
	uint64_t at = p->strings_addr;

	mbi.flags = MBI_FLAG_MEM | MBI_FLAG_CMDLINE | MBI_FLAG_MODS | MBI_FLAG_MMAP |
		    MBI_FLAG_LOADER_NAME;
	for (unsigned i = 0; i < p->nmap; i++) {
		const struct e820_entry *e = &p->map[i];
		if (e->type != E820_RAM)
			continue;
		if (e->addr == 0)
			mbi.mem_lower = (uint32_t)(e->size / 1024);
		if (e->addr == E820_HIGH_START)
			mbi.mem_upper = (uint32_t)(e->size / 1024);
	}
	if (mb_put_string(ram, &at, p->cmdline, &mbi.cmdline, err, errlen) < 0)
		return -1;

	mbi.mods_count = nmods;
	mbi.mods_addr = (uint32_t)p->mods_addr;
	for (unsigned i = 0; i < nmods; i++) {
		struct mb_mod_entry m = {
			.mod_start = (uint32_t)p->mod_start[i],
			.mod_end = (uint32_t)(p->mod_start[i] + mods[i].size),
		};
		if (mb_put_string(ram, &at, mods[i].cmdline ? mods[i].cmdline : "", &m.string,
				  err, errlen) < 0 ||
		    mb_put(ram, p->mods_addr + i * sizeof(m), &m, sizeof(m), err, errlen) < 0)
			return -1;
	}

	mbi.mmap_length = p->nmap * sizeof(struct mb_mmap_entry);
	mbi.mmap_addr = (uint32_t)p->mmap_addr;
	for (unsigned i = 0; i < p->nmap; i++) {
		struct mb_mmap_entry m = { .size = sizeof(m.e), .e = p->map[i] };
		if (mb_put(ram, p->mmap_addr + i * sizeof(m), &m, sizeof(m), err, errlen) < 0)
			return -1;
	}

	if (mb_put_string(ram, &at, MB_LOADER_NAME, &mbi.boot_loader_name, err, errlen) < 0)
		return -1;
	return mb_put(ram, p->info, &mbi, sizeof(mbi), err, errlen);
	/* END SOLUTION */
	/* STUB lab4
	(void)p; (void)mods; (void)nmods; (void)ram; (void)err; (void)errlen;
	(void)mb_put_string;
	NOT_IMPLEMENTED("lab4");
	*/
}

int mb_load(const void *image, size_t size, const char *cmdline, const struct mb_module *mods,
	    unsigned nmods, const struct guest_ram *ram, struct mb_boot *out, char *err,
	    size_t errlen)
{
	const uint8_t *b = image;
	struct mb_plan p = { .cmdline = cmdline ? cmdline : "" };
	struct mb_header h;
	size_t off = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!image || size == 0)
		return errorf(err, errlen, "empty kernel image");
	if (!ram || !ram->write || !ram->zero)
		return errorf(err, errlen, "no guest RAM to load into");
	if (strnlen(p.cmdline, MB_CMDLINE_MAX + 1) > MB_CMDLINE_MAX)
		return errorf(err, errlen, "kernel command line longer than %d bytes", MB_CMDLINE_MAX);
	if (mb_find_header(b, size, &h, &off, err, errlen) < 0)
		return -1;
	p.flags = h.flags;
	p.aout = h.flags & MB_FLAG_AOUT_KLUDGE;
	p.nmap = e820_build(ram->size, p.map, E820_PC_ENTRIES);
	if (mb_check_flags(h.flags, err, errlen) < 0 ||
	    (p.aout ? mb_plan_aout(&p, &h, off, size, ram, err, errlen)
		    : mb_plan_elf(&p, b, size, ram, err, errlen)) < 0 ||
	    mb_plan_modules(&p, mods, nmods, ram, err, errlen) < 0 ||
	    mb_plan_info(&p, mods, nmods, ram, err, errlen) < 0)
		return -1;

	/* Known-good from here on: write. */
	if (p.aout) {
		if (mb_put(ram, p.kernel_start, b + p.file_off, p.load_len, err, errlen) < 0)
			return -1;
		if (p.kernel_end > p.load_end &&
		    ram->zero(ram->ctx, p.load_end, p.kernel_end - p.load_end) != 0)
			return errorf(err, errlen, "zeroing the kernel's .bss at %#llx failed",
				    (unsigned long long)p.load_end);
	} else if (guest_elf_load(b, size, ram->size, mb_elf_copy, (void *)ram, NULL, err,
				  errlen) < 0) {
		return -1;
	}
	for (unsigned i = 0; i < nmods; i++)
		if (mb_put(ram, p.mod_start[i], mods[i].data, mods[i].size, err, errlen) < 0)
			return -1;
	if (mb_write_info(&p, mods, nmods, ram, err, errlen) < 0)
		return -1;
	if (out)
		*out = (struct mb_boot){ .entry = p.entry, .mbi = (uint32_t)p.info };
	return 0;
}
