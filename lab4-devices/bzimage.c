/*
 * bzimage.c - load a Linux bzImage for the 64-bit boot protocol
 * (bzimage.h).
 *
 * Spec: Linux Documentation/arch/x86/boot.rst ("The real-mode kernel
 * header", "Details of header fields", "64-bit Boot Protocol") and
 * zero-page.rst (struct boot_params). Check and plan first (bz_check_header,
 * bz_plan_kernel, bz_plan_initrd), then write: the zero page, the GDT,
 * the page tables, the command line, the kernel, the initrd.
 */
#include <stdbool.h>
#include "bzimage.h"
#include "panic.h"
#include "printf.h"
#include "string.h"

#define SECTOR       512u
#define PAGE_SIZE    0x1000ull
#define PAGE_2M      0x200000ull
#define LIMIT_4G     0x100000000ull
#define PTE_P        (1ull << 0)
#define PTE_RW       (1ull << 1)
#define PTE_PS       (1ull << 7)
#define INITRD_ADDR_MAX_OLD 0x37FFFFFFu  /* boot.rst: the value before protocol 2.03 */

/* Everything decided before the first byte is written. */
struct bz_plan {
	unsigned version;
	unsigned hdr_end;                 /* the setup header is image[0x1F1, hdr_end) */
	uint8_t loadflags;
	uint64_t pm_off, pm_size;         /* the protected-mode kernel in the file */
	uint64_t load, kernel_end;        /* [load, load + max(init_size, pm_size)) */
	uint64_t initrd, initrd_size;
	const char *cmdline;              /* never NULL */
	uint64_t cmdline_len;             /* without the NUL */
	struct e820_entry map[E820_PC_ENTRIES];
	unsigned nmap;
};

static uint16_t get16(const uint8_t *b, unsigned off)
{
	uint16_t v;
	memcpy(&v, b + off, sizeof(v));
	return v;
}

static uint32_t get32(const uint8_t *b, unsigned off)
{
	uint32_t v;
	memcpy(&v, b + off, sizeof(v));
	return v;
}

static uint64_t get64(const uint8_t *b, unsigned off)
{
	uint64_t v;
	memcpy(&v, b + off, sizeof(v));
	return v;
}

/* The setup header: signatures, protocol version, its extent, the setup size. */
static int bz_check_header(const uint8_t *b, size_t size, struct bz_plan *p, char *err,
			   size_t errlen)
{
	if (size < BZ_HDR_END_MIN)
		return errorf(err, errlen,
			    "truncated: a %zu-byte image cannot hold a Linux setup header (it ends at %#x)",
			    size, BZ_HDR_END_MIN);
	if (get16(b, BZ_HDR_BOOT_FLAG) != 0xAA55)
		return errorf(err, errlen, "not a Linux kernel: boot_flag at 0x1fe is %#06x, expected 0xaa55",
			    get16(b, BZ_HDR_BOOT_FLAG));
	if (memcmp(b + BZ_HDR_MAGIC, "HdrS", 4) != 0)
		return errorf(err, errlen, "not a bzImage: no HdrS signature at 0x202");
	p->version = get16(b, BZ_HDR_VERSION);
	if (p->version < BZ_MIN_VERSION)
		return errorf(err, errlen,
			    "boot protocol %u.%02u is too old: the 64-bit entry needs 2.12 and XLF_KERNEL_64",
			    p->version >> 8, p->version & 0xff);
	if (!(get16(b, BZ_HDR_XLOADFLAGS) & XLF_KERNEL_64))
		return errorf(err, errlen,
			    "boot protocol %u.%02u without XLF_KERNEL_64 in xloadflags %#x: this kernel has no 64-bit entry point",
			    p->version >> 8, p->version & 0xff, get16(b, BZ_HDR_XLOADFLAGS));
	/* boot.rst: the header ends at 0x202 + the byte at 0x201 (the jump's offset). */
	p->hdr_end = 0x202 + b[BZ_HDR_JUMP + 1];
	if (p->hdr_end < BZ_HDR_END_MIN || p->hdr_end > BZ_HDR_END_MAX)
		return errorf(err, errlen,
			    "setup header ends at %#x (0x202 + the byte at 0x201): protocol 2.12 needs at least %#x, the zero page holds at most %#x",
			    p->hdr_end, BZ_HDR_END_MIN, BZ_HDR_END_MAX);
	unsigned sects = b[BZ_HDR_SETUP_SECTS] ? b[BZ_HDR_SETUP_SECTS] : 4;   /* 0 means 4 */
	p->pm_off = (uint64_t)(sects + 1) * SECTOR;
	if (size <= p->pm_off)
		return errorf(err, errlen,
			    "truncated: the %u setup sectors end at %#llx, and nothing follows in a %zu-byte image",
			    sects, (unsigned long long)p->pm_off, size);
	p->pm_size = size - p->pm_off;
	p->loadflags = b[BZ_HDR_LOADFLAGS];
	if (!(p->loadflags & LOADED_HIGH))
		return errorf(err, errlen,
			    "not a bzImage: loadflags %#x lack LOADED_HIGH (a zImage loads below 1 MiB)",
			    p->loadflags);
	return 0;
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/*
 * Where the kernel goes: pref_address, or 16 MiB when relocatable and that
 * fails (never below ram->kernel_min when relocatable). init_size bytes from
 * there must be RAM below 4 GiB (the identity map's reach), and above 1 MiB
 * (this loader's structures lie below).
 */
static int bz_plan_kernel(const uint8_t *b, struct bz_plan *p, const struct guest_ram *ram,
			  char *err, size_t errlen)
{
	uint64_t pref = get64(b, BZ_HDR_PREF_ADDRESS);
	uint64_t align = get32(b, BZ_HDR_KERNEL_ALIGNMENT);
	uint64_t init = get32(b, BZ_HDR_INIT_SIZE);
	uint64_t need = init > p->pm_size ? init : p->pm_size;
	uint64_t limit = ram->size < LIMIT_4G ? ram->size : LIMIT_4G;
	bool reloc = b[BZ_HDR_RELOCATABLE] != 0;
	uint64_t cand[2];
	unsigned ncand = 0;

	if (init == 0)
		return errorf(err, errlen, "init_size is 0: the kernel does not say how much memory it needs");
	if (reloc && (align == 0 || (align & (align - 1))))
		return errorf(err, errlen, "kernel_alignment %#llx is not a power of two",
			    (unsigned long long)align);
	if (!reloc && pref == 0)
		return errorf(err, errlen, "a kernel that is not relocatable must give pref_address");
	/* A relocatable kernel goes no lower than ram->kernel_min (the
	 * loader's caller may own the memory below: native_boot.c). */
	uint64_t low = ram->kernel_min > E820_HIGH_START ? ram->kernel_min : E820_HIGH_START;
	if (pref && pref < LIMIT_4G)
		cand[ncand++] = reloc ? align_up(pref > low ? pref : low, align) : pref;
	if (reloc)
		cand[ncand++] = align_up(BZ_DEFAULT_LOAD > low ? BZ_DEFAULT_LOAD : low, align);
	for (unsigned i = 0; i < ncand; i++) {
		if (cand[i] >= low && cand[i] <= limit && need <= limit - cand[i]) {
			p->load = cand[i];
			p->kernel_end = cand[i] + need;
			return 0;
		}
	}
	return errorf(err, errlen,
		    "the kernel needs %#llx bytes (init_size) from %#llx, but the guest's RAM ends at %#llx",
		    (unsigned long long)need, (unsigned long long)(ncand ? cand[ncand - 1] : pref),
		    (unsigned long long)ram->size);
}

/* The command line must fit the kernel's buffer (cmdline_size, without the NUL). */
static int bz_check_cmdline(const uint8_t *b, struct bz_plan *p, const struct guest_ram *ram,
			    char *err, size_t errlen)
{
	uint32_t max = get32(b, BZ_HDR_CMDLINE_SIZE);

	if (max > BZ_CMDLINE_MAX)
		max = BZ_CMDLINE_MAX;
	p->cmdline_len = strnlen(p->cmdline, (size_t)max + 1);
	if (p->cmdline_len > max)
		return errorf(err, errlen, "the command line is longer than the kernel's limit of %u bytes",
			    max);
	if (!guest_ram_contains(ram, BZ_CMDLINE, p->cmdline_len + 1))
		return errorf(err, errlen, "the command line at %#llx lies outside the guest's RAM",
			    BZ_CMDLINE);
	return 0;
}

/*
 * The initrd: page-aligned, as high as possible below min(RAM end,
 * initrd_addr_max + 1), which boot.rst asks for (the kernel may then use
 * the memory below it); below the kernel if the top would overlap it.
 */
static int bz_plan_initrd(const uint8_t *b, struct bz_plan *p, size_t initrd_size,
			  const struct guest_ram *ram, char *err, size_t errlen)
{
	uint64_t max = get32(b, BZ_HDR_INITRD_ADDR_MAX);
	uint64_t top = ram->size < LIMIT_4G ? ram->size : LIMIT_4G;
	uint64_t len = initrd_size;

	if (max == 0)
		max = INITRD_ADDR_MAX_OLD;
	if (max + 1 < top)
		top = max + 1;
	uint64_t start = len <= top ? (top - len) & ~(PAGE_SIZE - 1) : 0;
	if (len <= top && start < p->kernel_end && p->load < start + len)
		start = len <= p->load ? (p->load - len) & ~(PAGE_SIZE - 1) : 0;
	if (len > top || start < E820_HIGH_START)
		return errorf(err, errlen,
			    "the initrd of %#llx bytes does not fit in RAM below %#llx beside the kernel [%#llx, %#llx)",
			    (unsigned long long)len, (unsigned long long)top,
			    (unsigned long long)p->load, (unsigned long long)p->kernel_end);
	p->initrd = start;
	p->initrd_size = len;
	return 0;
}

static int bz_put(const struct guest_ram *ram, uint64_t gpa, const void *src, uint64_t len)
{
	return len ? ram->write(ram->ctx, gpa, src, len) : 0;
}

static int bz_put8(const struct guest_ram *ram, uint64_t gpa, uint8_t v)
{
	return bz_put(ram, gpa, &v, sizeof(v));
}

static int bz_put16(const struct guest_ram *ram, uint64_t gpa, uint16_t v)
{
	return bz_put(ram, gpa, &v, sizeof(v));
}

static int bz_put32(const struct guest_ram *ram, uint64_t gpa, uint32_t v)
{
	return bz_put(ram, gpa, &v, sizeof(v));
}

static int bz_put64(const struct guest_ram *ram, uint64_t gpa, uint64_t v)
{
	return bz_put(ram, gpa, &v, sizeof(v));
}

/*
 * The zero page (boot.rst "64-bit Boot Protocol"; zero-page.rst): all
 * zero (so the sentinel at 0x1EF is 0: nothing stale to sanitize), the
 * setup header copied from the file as it is, then the fields a boot
 * loader writes: type_of_loader, loadflags with CAN_USE_HEAP and its
 * heap_end_ptr, code32_start (where the kernel was put), the command
 * line and initrd addresses (low 32 bits in the header, high 32 bits in
 * the ext_* fields), no setup_data list, and the e820 map.
 */
static int bz_fill_zero_page(const uint8_t *b, const struct bz_plan *p,
			     const struct guest_ram *ram)
{
	/* BEGIN SOLUTION lab4 */
	const uint64_t zp = BZ_ZERO_PAGE;
	int rc = 0;

	if (ram->zero(ram->ctx, zp, PAGE_SIZE) != 0)
		return -1;
	rc |= bz_put(ram, zp + BZ_HDR_START, b + BZ_HDR_START, p->hdr_end - BZ_HDR_START);
	rc |= bz_put8(ram, zp + BZ_HDR_TYPE_OF_LOADER, BZ_LOADER_TYPE);
	rc |= bz_put8(ram, zp + BZ_HDR_LOADFLAGS, p->loadflags | CAN_USE_HEAP);
	rc |= bz_put16(ram, zp + BZ_HDR_HEAP_END_PTR, BZ_HEAP_END - 0x200);
	rc |= bz_put32(ram, zp + BZ_HDR_CODE32_START, (uint32_t)p->load);
	rc |= bz_put32(ram, zp + BZ_HDR_CMD_LINE_PTR, (uint32_t)BZ_CMDLINE);
	rc |= bz_put32(ram, zp + BZ_BP_EXT_CMD_LINE_PTR, (uint32_t)(BZ_CMDLINE >> 32));
	rc |= bz_put32(ram, zp + BZ_HDR_RAMDISK_IMAGE, (uint32_t)p->initrd);
	rc |= bz_put32(ram, zp + BZ_BP_EXT_RAMDISK_IMAGE, (uint32_t)(p->initrd >> 32));
	rc |= bz_put32(ram, zp + BZ_HDR_RAMDISK_SIZE, (uint32_t)p->initrd_size);
	rc |= bz_put32(ram, zp + BZ_BP_EXT_RAMDISK_SIZE, (uint32_t)(p->initrd_size >> 32));
	rc |= bz_put64(ram, zp + BZ_HDR_SETUP_DATA, 0);
	rc |= bz_put8(ram, zp + BZ_BP_E820_ENTRIES, (uint8_t)p->nmap);
	rc |= bz_put(ram, zp + BZ_BP_E820_TABLE, p->map, p->nmap * sizeof(p->map[0]));
	return rc ? -1 : 0;
	/* END SOLUTION */
	/* STUB lab4
	(void)b; (void)p; (void)ram;
	(void)bz_put8; (void)bz_put16; (void)bz_put32; (void)bz_put64;
	NOT_IMPLEMENTED("lab4");
	*/
}

/*
 * The GDT the 64-bit protocol asks for: __BOOT_CS (0x10) a flat 64-bit
 * code segment (L=1), __BOOT_DS (0x18) flat read/write data. The
 * accessed bits are set, as the CPU would set them on loading, so the
 * descriptors match the segment state VM entry requires (SDM Vol. 3C
 * 26.3.1.2: an accessed type for CS, SS and usable data segments).
 */
static const uint64_t bz_gdt[4] = {
	0,
	0,
	0x00AF9B000000FFFFull,   /* G, L, P, DPL 0, code execute/read accessed */
	0x00CF93000000FFFFull,   /* G, D/B, P, DPL 0, data read/write accessed */
};

/* PML4[0] -> PDPT, PDPT[0..3] -> 4 PDs of 2 MiB pages: [0, 4 GiB) identity. */
static int bz_write_page_tables(const struct guest_ram *ram)
{
	uint64_t chunk[64];
	int rc = 0;

	rc |= ram->zero(ram->ctx, BZ_PML4, 2 * PAGE_SIZE);
	rc |= bz_put64(ram, BZ_PML4, BZ_PDPT | PTE_P | PTE_RW);
	for (uint64_t i = 0; i < 4; i++)
		rc |= bz_put64(ram, BZ_PDPT + i * 8, (BZ_PD + i * PAGE_SIZE) | PTE_P | PTE_RW);
	for (uint64_t pde = 0; pde < BZ_IDENTITY_MAP / PAGE_2M; pde += 64) {
		for (uint64_t j = 0; j < 64; j++)
			chunk[j] = (pde + j) * PAGE_2M | PTE_P | PTE_RW | PTE_PS;
		rc |= bz_put(ram, BZ_PD + pde * 8, chunk, sizeof(chunk));
	}
	return rc ? -1 : 0;
}

int bz_load(const void *image, size_t size, const void *initrd, size_t initrd_size,
	    const char *cmdline, const struct guest_ram *ram, struct bz_boot *out, char *err,
	    size_t errlen)
{
	const uint8_t *b = image;
	struct bz_plan p = { .cmdline = cmdline ? cmdline : "" };

	if (err && errlen)
		err[0] = '\0';
	if (!image || size == 0)
		return errorf(err, errlen, "empty kernel image");
	if (!ram || !ram->write || !ram->zero)
		return errorf(err, errlen, "no guest RAM to load into");
	if (initrd_size && !initrd)
		return errorf(err, errlen, "an initrd of %zu bytes but no data", initrd_size);
	if (!guest_ram_contains(ram, 0, BZ_PD + 4 * PAGE_SIZE))
		return errorf(err, errlen, "%#llx bytes of RAM cannot hold the boot structures below %#llx",
			    (unsigned long long)ram->size, BZ_PD + 4 * PAGE_SIZE);
	if (bz_check_header(b, size, &p, err, errlen) < 0 ||
	    bz_plan_kernel(b, &p, ram, err, errlen) < 0 ||
	    bz_check_cmdline(b, &p, ram, err, errlen) < 0 ||
	    (initrd_size && bz_plan_initrd(b, &p, initrd_size, ram, err, errlen) < 0))
		return -1;
	p.nmap = e820_build(ram->size, p.map, E820_PC_ENTRIES);

	/* Known-good from here on: write. */
	if (bz_fill_zero_page(b, &p, ram) < 0)
		return errorf(err, errlen, "writing the zero page at %#llx failed", BZ_ZERO_PAGE);
	if (bz_put(ram, BZ_GDT, bz_gdt, sizeof(bz_gdt)) < 0 || bz_write_page_tables(ram) < 0)
		return errorf(err, errlen, "writing the GDT and page tables at %#llx failed", BZ_GDT);
	if (bz_put(ram, BZ_CMDLINE, p.cmdline, p.cmdline_len + 1) < 0)
		return errorf(err, errlen, "writing the command line at %#llx failed", BZ_CMDLINE);
	if (bz_put(ram, p.load, b + p.pm_off, p.pm_size) < 0)
		return errorf(err, errlen, "writing the kernel at %#llx failed", (unsigned long long)p.load);
	if (bz_put(ram, p.initrd, initrd, p.initrd_size) < 0)
		return errorf(err, errlen, "writing the initrd at %#llx failed",
			    (unsigned long long)p.initrd);
	if (out)
		*out = (struct bz_boot){
			.entry64 = p.load + 0x200, .boot_params = BZ_ZERO_PAGE, .cr3 = BZ_PML4,
			.gdt = BZ_GDT, .gdt_limit = sizeof(bz_gdt) - 1,
			.kernel_start = p.load, .kernel_end = p.kernel_end,
			.initrd_start = p.initrd, .initrd_end = p.initrd + p.initrd_size,
		};
	return 0;
}
