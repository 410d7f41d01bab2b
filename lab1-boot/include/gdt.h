/*
 * gdt.h - the kernel's GDT and one 64-bit TSS per CPU.
 *
 * Long mode ignores segment bases and limits for code and data, so the GDT
 * holds just a 64-bit code segment and a data segment. What still matters
 * is the TSS (Intel SDM Vol. 3A, 7.7): its Interrupt Stack Table gives an
 * exception its own known-good stack. #DF and NMI use one, so a kernel
 * stack overflow still gets reported instead of triple-faulting.
 * Lab 2 reads these selectors and bases for the VMCS host-state area.
 */
#ifndef HVLAB_GDT_H
#define HVLAB_GDT_H

#include <stdint.h>

/* Selectors (index << 3, TI = 0, RPL = 0). The code and data selectors
 * match the early GDT of boot/entry.S and the AP trampoline. */
#define GDT_KCODE_SEL 0x08
#define GDT_KDATA_SEL 0x10
#define GDT_TSS0_SEL  0x18          /* cpu i's TSS: GDT_TSS_SEL(i) */
#define GDT_TSS_SEL(cpu) (GDT_TSS0_SEL + 16 * (cpu))   /* 16-byte descriptors */

/* Interrupt Stack Table slots (1..7; 0 in a gate means "no IST"). */
#define IST_DF  1
#define IST_NMI 2
#define IST_STACK_SIZE 8192

/* The 64-bit TSS, Intel SDM Vol. 3A, 7.7, Figure 7-11. */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];      /* stacks for a change to CPL 0..2 (unused: no user mode) */
	uint64_t reserved1;
	uint64_t ist[7];      /* IST1..IST7 */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;  /* offset of the I/O bitmap; past the limit = none */
} __attribute__((packed));

/** Build the GDT and every CPU's TSS (with its IST stacks). Once, on the BSP. */
void gdt_init(void);
/** Load the GDT on this CPU, reload CS/DS/ES/SS and load cpu @cpu's TSS into TR. */
void gdt_load(int cpu);
/** Cpu @cpu's TSS, for its base address (lab 2: VMCS host TR base). */
struct tss64 *gdt_tss(int cpu);
/** Top of cpu @cpu's stack for IST slot @ist (tests check where #DF lands). */
uint64_t gdt_ist_top(int cpu, int ist);

#endif
