/*
 * idt.h - the Interrupt Descriptor Table: 256 gates, one per vector.
 */
#ifndef HVLAB_IDT_H
#define HVLAB_IDT_H

#include <stdint.h>

/* A 64-bit IDT gate descriptor (Intel SDM Vol. 3A, 6.14.1, Figure 6-8). */
struct idt_gate {
	uint16_t offset_lo;    /* handler address bits 15:0 */
	uint16_t selector;     /* code segment selector */
	uint8_t ist;           /* bits 2:0: IST slot, 0 = current stack */
	uint8_t type_attr;     /* P, DPL, 0, type */
	uint16_t offset_mid;   /* bits 31:16 */
	uint32_t offset_hi;    /* bits 63:32 */
	uint32_t reserved;
} __attribute__((packed));

#define IDT_GATE_P        0x80   /* present */
#define IDT_GATE_DPL0     0x00
#define IDT_TYPE_INTR64   0x0e   /* 64-bit interrupt gate: clears RFLAGS.IF */

/** Entry stubs of boot/trapentry.S, one per vector. */
extern const uint64_t trap_stub_table[256];

/** Point gate @vector at @handler, with IST slot @ist (0 = none). */
void idt_set_gate(int vector, uint64_t handler, int ist);
/** Fill all 256 gates from trap_stub_table (#DF and NMI on their IST stacks). */
void idt_init(void);
/** Load the IDT into this CPU's IDTR. */
void idt_load(void);

#endif
