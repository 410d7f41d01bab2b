/*
 * grt3.h - the lab-3 guest runtime: how a lab-3 guest boots itself.
 *
 * A lab-3 guest starts like a PC's boot loader, in real mode (see
 * lab3-ept/include/vm.h, "What a lab-3 guest finds at start"). The entry
 * code (rt/entry16.S) records the start state in grt_boot, switches to
 * protected mode, builds identity page tables for the first 4 GiB,
 * enters long mode and then joins lab 2's runtime at grt_entry64
 * (lab2-vmx/guest/rt/entry64.S), which loads the runtime's own GDT and
 * IDT and calls guest_main(). Everything in grt.h, gtest.h, probe.h and
 * hcall.h works the same from there on.
 *
 * The image is an ELF file linked at GRT3_BASE (guest3.ld); guest-virtual
 * equals guest-physical (identity paging), and RAM is [0, grt_mem_size).
 */
#ifndef GUEST_GRT3_H
#define GUEST_GRT3_H

#define GRT3_BASE        0x10000      /* link and load address: CS = 0x1000, IP = 0 */

/* Selectors of the boot GDT (entry16.S), used until grt_entry64 loads
 * lab 2's GDT (GRT_CS64, GRT_DS). */
#define GRT3_CS32        0x08
#define GRT3_DS          0x10
#define GRT3_CS64        0x18

/* The MMIO test device (mmio_test.h's MMIO_TEST_BASE, without the C
 * suffix so that assembly can use it; checked equal in lab3-tests). */
#define GRT3_MMIO_BASE   0xC0000000

/* Offsets in struct grt_boot_args, for the assembly that fills it. */
#define BOOT_EDI          0
#define BOOT_EBX          4
#define BOOT_ECX          8
#define BOOT_ESI          12
#define BOOT_EDX          16
#define BOOT_ESP          20
#define BOOT_EFLAGS_REAL  24
#define BOOT_CR0_REAL     28
#define BOOT_CS           32
#define BOOT_DS           34
#define BOOT_ES           36
#define BOOT_SS           38
#define BOOT_FS           40
#define BOOT_GS           42
#define BOOT_IP_PROBE     44
#define BOOT_GDTR_REAL    48
#define BOOT_IDTR_REAL    56
#define BOOT_CR0_PM32     64
#define BOOT_CS_PM32      68
#define BOOT_PM32_HOOK    72
#define BOOT_CR0_LONG     80
#define BOOT_CR4_LONG     88
#define BOOT_EFER_LONG    96
#define BOOT_CR3_LONG     104
#define BOOT_START        112
#define BOOT_PM32_DATA    120
#define BOOT_PM32_WORDS   8
#define BOOT_TSC_START    152
#define BOOT_SIZE         160

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>

/* A descriptor-table register as SGDT/SIDT store it (limit, then base). */
struct grt_dtr {
	uint16_t limit;
	uint32_t base;
	uint16_t pad;
} __attribute__((packed));

/*
 * What the guest saw on its way to long mode, stage by stage. In real
 * mode the code can spare only EAX and EBP as scratch registers before
 * it has stored the others, so those two are not recorded.
 */
struct grt_boot_args {
	/* real mode, first instructions: the start registers of vm.h */
	uint32_t edi;            /* RAM size in bytes */
	uint32_t ebx, ecx, esi;  /* config.arg[0..2] */
	uint32_t edx;            /* CPUID.01H:EAX */
	uint32_t esp;
	uint32_t eflags_real;    /* PUSHF in real mode */
	uint32_t cr0_real;       /* MOV from CR0 in real mode: the read shadow */
	uint16_t cs, ds, es, ss, fs, gs;
	uint16_t ip_probe;       /* the IP a CALL pushed: grt_entry16_probe's offset in CS */
	uint16_t pad0;
	struct grt_dtr gdtr_real, idtr_real;
	/* 32-bit protected mode */
	uint32_t cr0_pm32;
	uint32_t cs_pm32;
	uint32_t pm32_hook_ran;  /* set by an image's grt_pm32_hook, if it has one */
	uint32_t pad1;
	/* long mode, before any C */
	uint64_t cr0_long, cr4_long, efer_long, cr3_long;
	uint64_t start;          /* linear address of the entry: CS base + IP */
	uint32_t pm32[BOOT_PM32_WORDS];  /* results of grt_pm32_hook */
	uint64_t tsc_start;      /* RDTSC at the first instructions (Bochs: instructions so far) */
};

_Static_assert(offsetof(struct grt_boot_args, cr0_real) == BOOT_CR0_REAL, "grt_boot layout");
_Static_assert(offsetof(struct grt_boot_args, gs) == BOOT_GS, "grt_boot layout");
_Static_assert(offsetof(struct grt_boot_args, ip_probe) == BOOT_IP_PROBE, "grt_boot layout");
_Static_assert(offsetof(struct grt_boot_args, gdtr_real) == BOOT_GDTR_REAL, "grt_boot layout");
_Static_assert(offsetof(struct grt_boot_args, idtr_real) == BOOT_IDTR_REAL, "grt_boot layout");
_Static_assert(offsetof(struct grt_boot_args, cr0_pm32) == BOOT_CR0_PM32, "grt_boot layout");
_Static_assert(offsetof(struct grt_boot_args, pm32_hook_ran) == BOOT_PM32_HOOK, "grt_boot layout");
_Static_assert(offsetof(struct grt_boot_args, cr0_long) == BOOT_CR0_LONG, "grt_boot layout");
_Static_assert(offsetof(struct grt_boot_args, cr3_long) == BOOT_CR3_LONG, "grt_boot layout");
_Static_assert(offsetof(struct grt_boot_args, start) == BOOT_START, "grt_boot layout");
_Static_assert(offsetof(struct grt_boot_args, pm32) == BOOT_PM32_DATA, "grt_boot layout");
_Static_assert(offsetof(struct grt_boot_args, tsc_start) == BOOT_TSC_START, "grt_boot layout");
_Static_assert(sizeof(struct grt_boot_args) == BOOT_SIZE, "grt_boot layout");

/** The start state, recorded by rt/entry16.S (read-only for the program). */
extern struct grt_boot_args grt_boot;
/* The image's first instruction, and the label whose IP entry16.S records. */
extern const char grt_entry16[], grt_entry16_probe[];

/*
 * The identity page tables entry16.S built in the image's .bss (Intel SDM
 * Vol. 3A, 4.5 "4-Level Paging"): PML4[0] -> PDPT, PDPT[0..3] -> four page
 * directories of 2 MiB pages, virtual = physical for [0, 4 GiB). A guest
 * may edit them (then INVLPG): nothing is mapped at or above 4 GiB.
 */
extern uint64_t grt_pml4[512], grt_pdpt[512], grt_pd[4][512];

#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_PS  (1ull << 7)     /* in a PDE: a 2 MiB page */
#define PTE_ADDR_MASK 0x000ffffffffff000ull

/*
 * Optional: an image may define grt_pm32_hook, 32-bit code that entry16.S
 * calls in protected mode before paging is on (flat segments, a stack,
 * it must preserve EBX, ESI, EDI, EBP). lab3-tests uses it for MMIO from
 * 32-bit code; its results go in grt_boot.pm32[].
 */
#endif /* !__ASSEMBLY__ */
#endif
