/*
 * gdt.c - the GDT, one TSS per CPU and their IST stacks (see gdt.h).
 *
 * All storage is static: this runs before anything may rely on the heap,
 * and the APs reuse the same table (each loads its own TSS selector).
 */
#include "gdt.h"
#include "panic.h"
#include "percpu.h"
#include "string.h"
#include "x86.h"

/* Segment descriptor bits (Intel SDM Vol. 3A, 3.4.5 and 5.2.1). */
#define SEG_ACCESSED   (1ull << 40)
#define SEG_RW         (1ull << 41)   /* readable code / writable data */
#define SEG_EXEC       (1ull << 43)
#define SEG_S          (1ull << 44)   /* code or data, not system */
#define SEG_P          (1ull << 47)
#define SEG_L          (1ull << 53)   /* 64-bit code */
#define SEG_TYPE_TSS64 0x9ull         /* available 64-bit TSS (Table 3-2) */

#define IST_COUNT 2                   /* IST_DF and IST_NMI */
#define GDT_FIXED 3                   /* null, code, data */
#define GDT_SLOTS (GDT_FIXED + 2 * MAX_CPUS)

static uint64_t gdt[GDT_SLOTS] __attribute__((aligned(16)));
static struct tss64 tss[MAX_CPUS] __attribute__((aligned(16)));
static uint8_t ist_stacks[MAX_CPUS][IST_COUNT][IST_STACK_SIZE] __attribute__((aligned(16)));

/* A 16-byte system descriptor for a TSS (Intel SDM Vol. 3A, 7.2.3, Figure 7-4). */
static void gdt_set_tss(int slot, const struct tss64 *t)
{
	uint64_t base = (uint64_t)t;
	uint64_t limit = sizeof(*t) - 1;

	gdt[slot] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		    (SEG_TYPE_TSS64 << 40) | SEG_P |
		    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[slot + 1] = base >> 32;
}

void gdt_init(void)
{
	memset(gdt, 0, sizeof(gdt));
	gdt[GDT_KCODE_SEL >> 3] = SEG_P | SEG_S | SEG_EXEC | SEG_RW | SEG_ACCESSED | SEG_L;
	gdt[GDT_KDATA_SEL >> 3] = SEG_P | SEG_S | SEG_RW | SEG_ACCESSED;

	for (int i = 0; i < MAX_CPUS; i++) {
		memset(&tss[i], 0, sizeof(tss[i]));
		tss[i].iomap_base = sizeof(struct tss64);
		tss[i].ist[IST_DF - 1] = gdt_ist_top(i, IST_DF);
		tss[i].ist[IST_NMI - 1] = gdt_ist_top(i, IST_NMI);
		gdt_set_tss(GDT_TSS_SEL(i) >> 3, &tss[i]);
	}
}

/*
 * After LGDT the segment registers still hold descriptors cached from the
 * old table; reloading them makes the new one take effect. CS can only be
 * reloaded by a far transfer: push the selector and target, then LRETQ.
 */
static void gdt_reload_segments(void)
{
	__asm__ volatile(
		"pushq %[cs]\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movw %w[ds], %%ax\n\t"
		"movw %%ax, %%ds\n\t"
		"movw %%ax, %%es\n\t"
		"movw %%ax, %%ss\n\t"
		: : [cs] "i"(GDT_KCODE_SEL), [ds] "i"(GDT_KDATA_SEL) : "rax", "memory");
}

void gdt_load(int cpu)
{
	if (cpu < 0 || cpu >= MAX_CPUS)
		panic("gdt_load: cpu %d out of range (MAX_CPUS %d)", cpu, MAX_CPUS);
	struct desc_ptr p = { .limit = sizeof(gdt) - 1, .base = (uint64_t)gdt };
	lgdt(&p);
	gdt_reload_segments();
	/* LTR marks the descriptor busy; each CPU has its own, so no clash. */
	ltr(GDT_TSS_SEL(cpu));
}

struct tss64 *gdt_tss(int cpu)
{
	return &tss[cpu];
}

uint64_t gdt_ist_top(int cpu, int ist)
{
	if (ist < 1 || ist > IST_COUNT)
		panic("gdt_ist_top: IST slot %d not set up (1..%d)", ist, IST_COUNT);
	return (uint64_t)&ist_stacks[cpu][ist - 1][IST_STACK_SIZE];
}
