/*
 * memmap.c - turning the loader's memory information into one map.
 */
#include "memmap.h"
#include "multiboot.h"
#include "printf.h"

struct memmap boot_memmap;

static void add(struct memmap *m, uint64_t base, uint64_t len, uint32_t type)
{
	if (len == 0 || m->count >= MEMMAP_MAX)
		return;
	if (type < MEM_USABLE || type > MEM_BAD)
		type = MEM_RESERVED;   /* unknown E820 types must not be used as RAM */
	m->r[m->count++] = (struct mem_region){ base, len, type };
}

int memmap_from_multiboot(struct memmap *m, const struct multiboot_info *mbi)
{
	m->count = 0;
	if (mbi->flags & MBI_FLAG_MMAP) {
		uintptr_t p = mbi->mmap_addr, end = p + mbi->mmap_length;
		while (p + sizeof(struct multiboot_mmap_entry) <= end) {
			const struct multiboot_mmap_entry *e = (const void *)p;
			add(m, e->addr, e->len, e->type);
			p += e->size + sizeof(e->size);
		}
	} else if (mbi->flags & MBI_FLAG_MEM) {
		add(m, 0, (uint64_t)mbi->mem_lower << 10, MEM_USABLE);
		add(m, 1ull << 20, (uint64_t)mbi->mem_upper << 10, MEM_USABLE);
	}
	if (m->count == 0) {
		kprintf("memmap: the boot loader passed no memory map (multiboot flags %#x)\n",
			mbi->flags);
		return -1;
	}
	return 0;
}

const char *mem_type_name(uint32_t type)
{
	static const char *const names[] = {
		[MEM_USABLE] = "usable", [MEM_RESERVED] = "reserved",
		[MEM_ACPI] = "ACPI data", [MEM_NVS] = "ACPI NVS", [MEM_BAD] = "bad",
	};
	return type < sizeof(names) / sizeof(names[0]) && names[type] ? names[type] : "?";
}

uint64_t memmap_usable_bytes(const struct memmap *m)
{
	uint64_t total = 0;
	for (int i = 0; i < m->count; i++)
		if (m->r[i].type == MEM_USABLE)
			total += m->r[i].len;
	return total;
}

uint64_t memmap_top(const struct memmap *m)
{
	uint64_t top = 0;
	for (int i = 0; i < m->count; i++)
		if (m->r[i].type == MEM_USABLE && m->r[i].base + m->r[i].len > top)
			top = m->r[i].base + m->r[i].len;
	return top;
}

void memmap_print(const struct memmap *m)
{
	kprintf("memory map:\n");
	for (int i = 0; i < m->count; i++)
		kprintf("  [%016lx-%016lx] %s\n", m->r[i].base,
			m->r[i].base + m->r[i].len - 1, mem_type_name(m->r[i].type));
	kprintf("  usable: %lu KiB\n", memmap_usable_bytes(m) >> 10);
}
