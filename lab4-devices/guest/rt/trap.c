/*
 * trap.c - the IDT and the one C function every interrupt stub calls.
 *
 * All 256 vectors are interrupt gates (IF cleared on entry, SDM Vol. 3A
 * 6.12.1.2), so handlers run with interrupts off and nothing nests unless
 * a test enables interrupts inside its handler on purpose.
 */
#include "g4.h"

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t zero, type;
	uint16_t off_hi;
} __attribute__((packed));

struct fixup {
	uint32_t insn, resume;
};

extern const char g4_isr_stubs[];
extern const struct fixup __start_g4_fixup[], __stop_g4_fixup[];
extern volatile uint32_t g4_fault_vector;

static struct idt_gate idt[256] __attribute__((aligned(8)));
static g4_handler_fn handlers[256];
volatile uint32_t g4_irq_count[256];
volatile uint32_t g4_stray_count, g4_stray_vector;

#define GATE_INTERRUPT_32 0x8e	/* present, DPL 0, 32-bit interrupt gate */
#define STUB_SIZE 16		/* entry.S aligns each stub to 16 bytes */

void g4_idt_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint32_t a = (uint32_t)(uintptr_t)g4_isr_stubs + v * STUB_SIZE;
		idt[v] = (struct idt_gate){ (uint16_t)a, G4_KERNEL_CS, 0, GATE_INTERRUPT_32,
					    (uint16_t)(a >> 16) };
	}
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) desc = { sizeof(idt) - 1, (uint32_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" : : "m"(desc));
}

void g4_set_handler(unsigned vector, g4_handler_fn fn)
{
	if (vector < 256)
		handlers[vector] = fn;
}

void g4_trap(struct g4_frame *f);

void g4_trap(struct g4_frame *f)
{
	if (f->vector < 32) {
		for (const struct fixup *x = __start_g4_fixup; x < __stop_g4_fixup; x++) {
			if (x->insn == f->eip) {
				g4_fault_vector = 0x100 | f->vector;   /* non-zero even for #DE */
				f->eip = x->resume;
				return;
			}
		}
		g4_unexpected_exception(f);
	}
	g4_irq_count[f->vector]++;
	if (handlers[f->vector]) {
		handlers[f->vector](f);
	} else {
		g4_stray_count++;
		g4_stray_vector = f->vector;
	}
}
