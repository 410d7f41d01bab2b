/*
 * boot.c - the Multiboot hand-over (Multiboot Specification 0.6.96):
 * the machine state at entry (section 3.2) and the information block
 * (section 3.3), checked against what the loader must have known: the
 * kernel's own ELF segments and the VM's RAM.
 */
#include "g4_dev.h"
#include "multiboot.h"

#define KIB			1024u
#define MIB			(1024u * 1024u)
#define CR0_PE			(1u << 0)
#define CR0_PG			(1u << 31)
#define EFLAGS_IF		(1u << 9)
#define EFLAGS_VM		(1u << 17)
#define PC_HOLE_START		0xa0000u	/* VGA window, option and BIOS ROMs up to 1 MiB */
#define CMDLINE_MAX		4096u

/* Loaded from the file (.data) and zeroed by the loader (.bss, p_memsz > p_filesz). */
static volatile uint32_t data_probe = 0x3442414cu;	/* "LAB4" */
static volatile uint8_t bss_probe[8192];

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static bool in_image(uint32_t addr, uint32_t len)
{
	uint32_t s = (uint32_t)(uintptr_t)__image_start, e = (uint32_t)(uintptr_t)__image_end;
	return overlaps(addr, len, s, e - s);
}

void test_mb_magic(void)
{
	CHECK_EQ(g4_boot_eax, MB_BOOTLOADER_MAGIC, "EAX at entry");
	CHECK(g4_boot_ebx != 0, "EBX (the multiboot information) is 0");
	CHECK(!in_image(g4_boot_ebx, sizeof(struct mb_info)),
	      "the multiboot information at %#x lies inside the kernel image %p-%p", g4_boot_ebx,
	      __image_start, __image_end);
}

/* Section 3.2: protected mode, paging off, IF clear, VM clear. */
void test_mb_entry_state(void)
{
	g4_info("entry: CR0 %#x EFLAGS %#x CS %#x DS %#x\n", g4_boot_cr0, g4_boot_eflags, g4_boot_cs,
		g4_boot_ds);
	CHECK(g4_boot_cr0 & CR0_PE, "CR0.PE clear at entry (CR0 %#x): not protected mode", g4_boot_cr0);
	CHECK(!(g4_boot_cr0 & CR0_PG), "CR0.PG set at entry (CR0 %#x): paging must be off",
	      g4_boot_cr0);
	CHECK(!(g4_boot_eflags & EFLAGS_IF), "EFLAGS.IF set at entry (%#x)", g4_boot_eflags);
	CHECK(!(g4_boot_eflags & EFLAGS_VM), "EFLAGS.VM set at entry (%#x)", g4_boot_eflags);
	CHECK((g4_boot_cs & 3) == 0, "CS %#x is not ring 0", g4_boot_cs);
}

void test_mb_info_flags(void)
{
	const struct mb_info *mbi = g4_mbi();
	uint32_t want = MBI_MEM | MBI_CMDLINE | MBI_MMAP;
	g4_info("multiboot flags %#x\n", mbi->flags);
	CHECK((mbi->flags & want) == want,
	      "flags %#x lack memory sizes (bit 0), a command line (bit 2) or a memory map (bit 6)",
	      mbi->flags);
	if (mbi->flags & MBI_MMAP)
		CHECK(!in_image(mbi->mmap_addr, mbi->mmap_length),
		      "the memory map at %#x lies inside the kernel image", mbi->mmap_addr);
	if (mbi->flags & MBI_LOADER_NAME) {
		const char *name = (const char *)(uintptr_t)mbi->boot_loader_name;
		CHECK(name && strlen(name) < 64, "boot_loader_name is no short string");
		g4_info("boot loader \"%s\"\n", name);
	}
}

/* The RAM entry of the memory map that starts at @addr, or NULL. */
static const struct mb_mmap *mmap_entry_at(const struct mb_info *mbi, uint64_t addr)
{
	uint32_t p = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
	while (p + sizeof(struct mb_mmap) <= end) {
		const struct mb_mmap *e = (const struct mb_mmap *)(uintptr_t)p;
		if (e->type == MB_MMAP_RAM && e->addr == addr)
			return e;
		p += e->size + 4;
	}
	return NULL;
}

/*
 * mem_lower: KiB of base memory (at most 640); mem_upper: KiB from 1 MiB
 * to the first hole. Both must agree with the memory map, and mem_upper
 * with fw_cfg's RAM size (hvlab's RAM is one range below 3 GiB here). The
 * last KiB it promises must be RAM the kernel can write.
 */
void test_mb_mem_sizes(void)
{
	const struct mb_info *mbi = g4_mbi();
	CHECK(mbi->flags & MBI_MEM, "no memory sizes (flags %#x)", mbi->flags);
	g4_info("multiboot mem_lower %u KiB, mem_upper %u KiB\n", mbi->mem_lower, mbi->mem_upper);
	CHECK_RANGE(mbi->mem_lower, 512, 640, "mem_lower (KiB)");
	CHECK(mbi->mem_upper >= 8 * KIB, "mem_upper %u KiB: less than 8 MiB above 1 MiB",
	      mbi->mem_upper);
	uint64_t ram = fw_cfg_read(FW_CFG_RAM_SIZE, 8);
	CHECK((uint64_t)mbi->mem_upper * KIB + MIB == ram,
	      "mem_upper %u KiB + 1 MiB is not fw_cfg's RAM size %llu bytes", mbi->mem_upper,
	      (unsigned long long)ram);
	if (mbi->flags & MBI_MMAP) {
		const struct mb_mmap *lo = mmap_entry_at(mbi, 0), *hi = mmap_entry_at(mbi, MIB);
		CHECK(lo && lo->len == (uint64_t)mbi->mem_lower * KIB,
		      "memory map: no RAM entry at 0 of mem_lower KiB");
		CHECK(hi && hi->len == (uint64_t)mbi->mem_upper * KIB,
		      "memory map: no RAM entry at 1 MiB of mem_upper KiB");
	}
	volatile uint32_t *top = (volatile uint32_t *)(uintptr_t)(MIB + mbi->mem_upper * KIB - 4);
	*top = 0x5a5aa5a5;
	CHECK_EQ(*top, 0x5a5aa5a5, "the last word of RAM after writing it");
}

/* A C string of printable ASCII, as the loader copied what follows " -- ". */
void test_mb_cmdline(void)
{
	const struct mb_info *mbi = g4_mbi();
	CHECK(mbi->flags & MBI_CMDLINE, "no command line (flags %#x)", mbi->flags);
	const char *s = (const char *)(uintptr_t)mbi->cmdline;
	CHECK(s != NULL, "cmdline is a NULL pointer: the spec wants a string, \"\" if none");
	CHECK(!in_image(mbi->cmdline, 1), "cmdline at %#x lies inside the kernel image",
	      mbi->cmdline);
	uint32_t n = 0;
	for (; n < CMDLINE_MAX && s[n]; n++)
		CHECK(s[n] >= 0x20 && s[n] < 0x7f, "cmdline byte %u is %#x, not printable ASCII", n,
		      (uint8_t)s[n]);
	CHECK(n < CMDLINE_MAX, "cmdline has no NUL in its first %u bytes", CMDLINE_MAX);
	g4_info("cmdline \"%s\"\n", s);
}

/*
 * The memory map: entries of 20 bytes after their size field, RAM at 0
 * and at 1 MiB, nothing usable in the PC hole [0xA0000, 1 MiB), no two
 * entries overlapping, and the kernel's own image inside RAM.
 */
void test_mb_mmap(void)
{
	const struct mb_info *mbi = g4_mbi();
	CHECK(mbi->flags & MBI_MMAP, "no memory map (flags %#x)", mbi->flags);
	CHECK(mbi->mmap_length >= 2 * sizeof(struct mb_mmap), "mmap_length %u: not even two entries",
	      mbi->mmap_length);
	const struct mb_mmap *e[16];
	unsigned n = 0;
	uint32_t p = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
	while (p < end) {
		const struct mb_mmap *x = (const struct mb_mmap *)(uintptr_t)p;
		CHECK(x->size >= 20, "entry %u: size %u, want at least 20", n, x->size);
		CHECK(p + x->size + 4 <= end, "entry %u runs past mmap_length", n);
		CHECK(n < 16, "more than 16 entries");
		g4_info("mmap %#llx-%#llx type %u\n", (unsigned long long)x->addr,
			(unsigned long long)(x->addr + x->len), x->type);
		e[n++] = x;
		p += x->size + 4;
	}
	bool image_in_ram = false;
	uint32_t is = (uint32_t)(uintptr_t)__image_start, ie = (uint32_t)(uintptr_t)__image_end;
	for (unsigned i = 0; i < n; i++) {
		CHECK(e[i]->len > 0, "entry %u is empty", i);
		for (unsigned j = i + 1; j < n; j++)
			CHECK(!overlaps(e[i]->addr, e[i]->len, e[j]->addr, e[j]->len),
			      "entries %u and %u overlap", i, j);
		if (e[i]->type != MB_MMAP_RAM)
			continue;
		CHECK(!overlaps(e[i]->addr, e[i]->len, PC_HOLE_START, MIB - PC_HOLE_START),
		      "RAM entry %u %#llx+%#llx covers the PC hole [0xa0000, 1 MiB)", i,
		      (unsigned long long)e[i]->addr, (unsigned long long)e[i]->len);
		if (e[i]->addr <= is && ie <= e[i]->addr + e[i]->len)
			image_in_ram = true;
	}
	CHECK(mmap_entry_at(mbi, 0), "no RAM entry at address 0");
	CHECK(mmap_entry_at(mbi, MIB), "no RAM entry at 1 MiB");
	CHECK(image_in_ram, "the kernel image %#x-%#x is in no RAM entry", is, ie);
}

/* The loader copied the file's bytes (.data) and zeroed what is only in memory (.bss). */
void test_mb_image_loaded(void)
{
	CHECK_EQ(data_probe, 0x3442414cu, ".data word");
	for (unsigned i = 0; i < sizeof(bss_probe); i++)
		CHECK(bss_probe[i] == 0, ".bss byte %u at %p is %#x, not 0", i, (void *)&bss_probe[i],
		      bss_probe[i]);
	CHECK((uintptr_t)__image_start >= MIB, "linked at %p, below 1 MiB", __image_start);
}
