/*
 * idt.c - filling and loading the IDT (see idt.h).
 */
#include "gdt.h"
#include "idt.h"
#include "panic.h"
#include "trap.h"
#include "x86.h"

static struct idt_gate idt[T_VECTORS] __attribute__((aligned(16)));

/*
 * Write one 64-bit interrupt gate (Intel SDM Vol. 3A, 6.14.1, Figure 6-8):
 * the handler's address is split over three fields, the selector is the
 * kernel code segment, IST picks a stack from the TSS (6.14.5), and the
 * type is a present DPL-0 interrupt gate, so the CPU clears RFLAGS.IF on
 * entry and handlers run with interrupts off.
 */
void idt_set_gate(int vector, uint64_t handler, int ist)
{
	/* BEGIN SOLUTION lab1 */
	if (vector < 0 || vector >= T_VECTORS)
		panic("idt_set_gate: vector %d out of range", vector);
	if (ist < 0 || ist > 7)
		panic("idt_set_gate: IST slot %d out of range (0..7)", ist);
	struct idt_gate *g = &idt[vector];
	g->offset_lo = (uint16_t)handler;
	g->selector = GDT_KCODE_SEL;
	g->ist = (uint8_t)ist;
	g->type_attr = IDT_GATE_P | IDT_GATE_DPL0 | IDT_TYPE_INTR64;
	g->offset_mid = (uint16_t)(handler >> 16);
	g->offset_hi = (uint32_t)(handler >> 32);
	g->reserved = 0;
	/* END SOLUTION */
	/* STUB lab1
	(void)vector;
	(void)handler;
	(void)ist;
	NOT_IMPLEMENTED("lab1");
	*/
}

/*
 * Point every vector at its stub in boot/trapentry.S. Double fault and NMI
 * get stacks of their own (Intel SDM Vol. 3A, 6.14.5 "Interrupt Stack
 * Table"): a #DF often means the kernel stack is unusable, and an NMI can
 * arrive at any instruction, even one that has just switched stacks.
 */
void idt_init(void)
{
	/* BEGIN SOLUTION lab1 */
	for (int v = 0; v < T_VECTORS; v++)
		idt_set_gate(v, trap_stub_table[v], 0);
	idt_set_gate(T_DF, trap_stub_table[T_DF], IST_DF);
	idt_set_gate(T_NMI, trap_stub_table[T_NMI], IST_NMI);
	/* END SOLUTION */
	/* STUB lab1
	NOT_IMPLEMENTED("lab1");
	*/
}

/* LIDT takes the table's linear address and its limit (size - 1). */
void idt_load(void)
{
	struct desc_ptr p = { .limit = sizeof(idt) - 1, .base = (uint64_t)idt };
	lidt(&p);
}
