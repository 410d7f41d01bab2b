/*
 * trap.c - the guest's IDT and its one exception handler.
 *
 * Tests make instructions fault on purpose (VMXON must raise #UD, a write
 * to a forbidden MSR #GP): such an instruction carries a fixup entry
 * (GRT_FIXUP in grt.h), and the handler resumes at the entry's resume
 * address after recording what happened. Anything else is a bug, reported
 * with the vector, error code and RIP.
 */
#include "grt.h"
#include "hcall.h"
#include "x86.h"

/* A 64-bit interrupt gate (Intel SDM Vol. 3A, 6.14.1, Figure 6-8). */
struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));

#define IDT_INTERRUPT_GATE 0x8e   /* P=1, DPL=0, type 0xE: 64-bit interrupt gate */

struct idt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern const uint64_t grt_isr_table[GRT_NUM_EXCEPTIONS];
extern const struct grt_fixup __start_grt_fixup[], __stop_grt_fixup[];

static struct idt_gate grt_idt[GRT_NUM_EXCEPTIONS] __attribute__((aligned(16)));

uint64_t grt_mem_size;
volatile struct grt_trap grt_last_trap = { .vector = -1 };
void (*grt_unexpected_hook)(const struct grt_frame *f);

static const char *const vector_names[GRT_NUM_EXCEPTIONS] = {
	[VEC_DE] = "#DE", [VEC_DB] = "#DB", [VEC_NMI] = "NMI", [VEC_BP] = "#BP",
	[VEC_OF] = "#OF", [VEC_BR] = "#BR", [VEC_UD] = "#UD", [VEC_NM] = "#NM",
	[VEC_DF] = "#DF", [VEC_TS] = "#TS", [VEC_NP] = "#NP", [VEC_SS] = "#SS",
	[VEC_GP] = "#GP", [VEC_PF] = "#PF", [VEC_MF] = "#MF", [VEC_AC] = "#AC",
	[VEC_MC] = "#MC", [VEC_XM] = "#XM", [VEC_VE] = "#VE", [VEC_CP] = "#CP",
};

const char *grt_vector_name(unsigned vector)
{
	if (vector < GRT_NUM_EXCEPTIONS && vector_names[vector])
		return vector_names[vector];
	return "reserved vector";
}

/* Point every exception vector at its stub and load the IDT (SDM Vol. 3A, 6.10). */
void grt_trap_init(void)
{
	for (unsigned v = 0; v < GRT_NUM_EXCEPTIONS; v++) {
		uint64_t off = grt_isr_table[v];
		grt_idt[v] = (struct idt_gate){
			.offset_lo = (uint16_t)off,
			.selector = GRT_CS64,
			.type_attr = IDT_INTERRUPT_GATE,
			.offset_mid = (uint16_t)(off >> 16),
			.offset_hi = (uint32_t)(off >> 32),
		};
	}
	struct idt_ptr p = { sizeof(grt_idt) - 1, (uint64_t)grt_idt };
	__asm__ volatile("lidt %0" : : "m"(p) : "memory");
}

/* The fixup registered for a fault at @rip, or NULL. */
static const struct grt_fixup *fixup_find(uint64_t rip)
{
	for (const struct grt_fixup *f = __start_grt_fixup; f < __stop_grt_fixup; f++)
		if (f->insn == rip)
			return f;
	return 0;
}

/* Called by the common stub (isr64.S) for every exception. */
void grt_trap_handler(struct grt_frame *f);
void grt_trap_handler(struct grt_frame *f)
{
	const struct grt_fixup *fx = fixup_find(f->rip);

	if (fx) {
		grt_last_trap.vector = (int)f->vector;
		grt_last_trap.error_code = f->error_code;
		grt_last_trap.rip = f->rip;
		grt_last_trap.cr2 = f->vector == VEC_PF ? read_cr2() : 0;
		f->rip = fx->resume;
		return;
	}
	if (grt_unexpected_hook)
		grt_unexpected_hook(f);	/* a test runs: it fails, and says why */
	uint64_t cr2 = read_cr2();
	gprintf("guest: unexpected %s (vector %lu), error code %#lx, rip %#lx, rsp %#lx, cr2 %#lx\n",
		grt_vector_name((unsigned)f->vector), (unsigned long)f->vector,
		(unsigned long)f->error_code, (unsigned long)f->rip,
		(unsigned long)f->rsp, (unsigned long)cr2);
	hc_exit(GRT_EXIT_EXCEPTION + (long)f->vector);
}

/*
 * The C side of the entry code (entry64.S): check that the image runs where
 * it was linked, load the IDT, run the program, end with HC_EXIT.
 */
int hc_use_vmmcall;

/* CPUID leaf 0's vendor string: "AuthenticAMD" calls with VMMCALL. */
static int cpu_is_amd(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	return r.ebx == 0x68747541 && r.edx == 0x69746e65 && r.ecx == 0x444d4163;
}

void grt_start(uint64_t mem_size, uint64_t base)
{
	hc_use_vmmcall = cpu_is_amd();
	grt_mem_size = mem_size;
	if (base != (uint64_t)__image_start) {
		gprintf("guest: linked at %#lx but started at %#lx\n",
			(unsigned long)__image_start, (unsigned long)base);
		hc_exit(GRT_EXIT_BAD_START);
	}
	grt_trap_init();
	hc_exit(guest_main());
}
