/*
 * lapic.c - the local APIC: enable, EOI, IPIs, and the periodic timer.
 *
 * Register offsets and bits are from Intel SDM Vol. 3A, chapter 10
 * (Table 10-1 "Local APIC Register Address Map"). Registers are 32 bits
 * wide, 16-byte aligned, and must be accessed with 32-bit loads/stores.
 */
#include "lapic.h"
#include "panic.h"
#include "percpu.h"
#include "pit.h"
#include "printf.h"
#include "trap.h"
#include "x86.h"

#define LAPIC_ID       0x020
#define LAPIC_VERSION  0x030
#define LAPIC_TPR      0x080   /* task priority: 0 accepts every vector */
#define LAPIC_EOI      0x0b0
#define LAPIC_SVR      0x0f0   /* spurious-interrupt vector register */
#define LAPIC_ISR      0x100   /* in-service bits, 8 registers of 32 */
#define LAPIC_ESR      0x280   /* error status */
#define LAPIC_ICR_LO   0x300
#define LAPIC_ICR_HI   0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR  0x390
#define LAPIC_TIMER_DIV  0x3e0

#define APIC_BASE_BSP    (1ull << 8)    /* IA32_APIC_BASE: this is the BSP */
#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_ADDR_MASK 0xfffff000ull
#define SVR_ENABLE       (1u << 8)      /* APIC software enable */
#define LVT_MASKED       (1u << 16)
#define LVT_TIMER_PERIODIC (1u << 17)   /* timer mode bits 18:17 = 01 */
#define TIMER_DIV_16     0x3            /* divide configuration, Figure 10-10 */
#define ICR_INIT         (5u << 8)      /* delivery mode */
#define ICR_STARTUP      (6u << 8)
#define ICR_PENDING      (1u << 12)     /* delivery status: send pending */
#define ICR_ASSERT       (1u << 14)
#define ICR_SELF         (1u << 18)     /* destination shorthand 01 */
#define ICR_DEST_SHIFT   24
#define ICR_SPIN_LIMIT   10000000u

/* The 8259 PIC pair (8259A data sheet): remapped away from the exception
 * vectors, then every line masked. The LAPIC's LINT0 is masked too, so
 * not even the PIC's spurious IRQ 7 can reach a CPU. */
#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1
#define PIC_ICW1_INIT_ICW4 0x11
#define PIC_ICW4_8086 0x01
#define PIC_CASCADE_IRQ 2

#define CALIBRATE_US 10000u             /* PIT window for timer calibration */

static volatile uint32_t *lapic;
static uint32_t timer_count;            /* per period, shared by every CPU */

static uint32_t lapic_read(uint32_t reg)
{
	return lapic[reg / 4];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

uint32_t lapic_id(void) { return lapic_read(LAPIC_ID) >> 24; }
void lapic_eoi(void) { lapic_write(LAPIC_EOI, 0); }
uint32_t lapic_timer_count(void) { return timer_count; }

bool lapic_in_service(uint8_t vector)
{
	return lapic_read(LAPIC_ISR + 0x10 * (vector / 32)) & (1u << (vector % 32));
}

static void pic_disable(void)
{
	outb(PIC1_CMD, PIC_ICW1_INIT_ICW4);
	outb(PIC2_CMD, PIC_ICW1_INIT_ICW4);
	outb(PIC1_DATA, T_PIC_BASE);
	outb(PIC2_DATA, T_PIC_BASE + 8);
	outb(PIC1_DATA, 1u << PIC_CASCADE_IRQ);   /* master: slave on IRQ 2 */
	outb(PIC2_DATA, PIC_CASCADE_IRQ);         /* slave: its cascade identity */
	outb(PIC1_DATA, PIC_ICW4_8086);
	outb(PIC2_DATA, PIC_ICW4_8086);
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

/* Wait for the previous IPI to leave; one that never does is a bug worth a panic. */
static void lapic_icr_wait(uint32_t apic_id)
{
	for (uint32_t i = 0; lapic_read(LAPIC_ICR_LO) & ICR_PENDING; i++) {
		if (i == ICR_SPIN_LIMIT)
			panic("lapic: IPI to APIC id %u still pending (ICR %#x)",
			      apic_id, lapic_read(LAPIC_ICR_LO));
		cpu_relax();
	}
}

/*
 * Write the ICR: high half (destination) first, since writing the low half
 * sends (Intel SDM Vol. 3A, 10.6.1). Interrupts stay off meanwhile so a
 * handler cannot send an IPI of its own between the two writes.
 */
static void lapic_icr_send(uint32_t apic_id, uint32_t lo)
{
	uint64_t flags = read_rflags();
	cli();
	lapic_icr_wait(apic_id);
	lapic_write(LAPIC_ICR_HI, apic_id << ICR_DEST_SHIFT);
	lapic_write(LAPIC_ICR_LO, lo);
	lapic_icr_wait(apic_id);
	if (flags & (1u << 9))
		sti();
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector) { lapic_icr_send(apic_id, vector); }
void lapic_send_self_ipi(uint8_t vector) { lapic_icr_send(0, ICR_SELF | vector); }
void lapic_send_init(uint32_t apic_id) { lapic_icr_send(apic_id, ICR_INIT | ICR_ASSERT); }
void lapic_send_sipi(uint32_t apic_id, uint8_t page)
{
	lapic_icr_send(apic_id, ICR_STARTUP | page);
}

/*
 * Program the LAPIC timer in periodic mode (Intel SDM Vol. 3A, 10.5.4
 * "APIC Timer"): the divide configuration register slows the bus clock
 * (Figure 10-10), the LVT timer entry names the vector and the mode
 * (Figure 10-8, bits 18:17 = 01 periodic), and writing the initial-count
 * register starts the countdown; at zero the timer interrupts and reloads.
 */
void lapic_timer_periodic(uint8_t vector, uint32_t count)
{
	/* BEGIN SOLUTION lab1 */
	if (count == 0)
		panic("lapic_timer_periodic: count 0 would stop the timer");
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_TIMER_PERIODIC | vector);
	lapic_write(LAPIC_TIMER_INIT, count);
	/* END SOLUTION */
	/* STUB lab1
	(void)vector;
	(void)count;
	NOT_IMPLEMENTED("lab1");
	*/
}

static void lapic_timer_interrupt(struct trap_frame *tf)
{
	(void)tf;
	this_cpu()->ticks++;
}

/* ESR bits, Intel SDM Vol. 3A, 10.5.3, Figure 10-9. */
static void lapic_error_interrupt(struct trap_frame *tf)
{
	static const char *const bits[8] = {
		"send checksum", "receive checksum", "send accept", "receive accept",
		"redirectable IPI", "send illegal vector", "received illegal vector",
		"illegal register address",
	};
	(void)tf;
	lapic_write(LAPIC_ESR, 0);              /* latch the errors into ESR */
	uint32_t esr = lapic_read(LAPIC_ESR);
	kprintf("lapic: error interrupt on cpu %d: ESR %#x", this_cpu()->index, esr);
	for (int i = 0; i < 8; i++)
		if (esr & (1u << i))
			kprintf(" [%s]", bits[i]);
	kprintf("\n");
}

/*
 * Measure how far the timer counts (bus clock / 16) during CALIBRATE_US of
 * PIT time, and scale that to one period of LAPIC_TIMER_HZ.
 */
static uint32_t lapic_timer_calibrate(void)
{
	lapic_write(LAPIC_TIMER_DIV, TIMER_DIV_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | T_IRQ_TIMER);   /* one-shot, masked */
	pit_oneshot_start(CALIBRATE_US);
	lapic_write(LAPIC_TIMER_INIT, UINT32_MAX);
	while (!pit_oneshot_done())
		cpu_relax();
	uint32_t elapsed = UINT32_MAX - lapic_read(LAPIC_TIMER_CUR);
	lapic_write(LAPIC_TIMER_INIT, 0);
	if (elapsed == 0)
		panic("lapic: timer did not count during %u us of PIT time", CALIBRATE_US);
	uint64_t per_second = (uint64_t)elapsed * 1000000u / CALIBRATE_US;
	return (uint32_t)(per_second / LAPIC_TIMER_HZ);
}

/* What every CPU does to its own LAPIC (Intel SDM Vol. 3A, 10.4.3, 10.9). */
static void lapic_enable_this_cpu(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	if (base & APIC_BASE_X2APIC)
		panic("lapic: firmware left x2APIC mode on (IA32_APIC_BASE %#lx); "
		      "hvlab drives the xAPIC through MMIO", base);
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, T_IRQ_LAPIC_ERR);
	lapic_write(LAPIC_ESR, 0);              /* back-to-back writes clear it */
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_SVR, SVR_ENABLE | T_SPURIOUS);
	lapic_eoi();                            /* drop anything left in service */
}

/* Interrupts go on at the end: from here the timer ticks on the BSP. */
void lapic_init(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	if (!(base & APIC_BASE_BSP))
		panic("lapic_init: IA32_APIC_BASE %#lx says this is not the BSP", base);
	lapic = (volatile uint32_t *)(uintptr_t)(base & APIC_BASE_ADDR_MASK);

	pic_disable();
	trap_register(T_IRQ_TIMER, lapic_timer_interrupt);
	trap_register(T_IRQ_LAPIC_ERR, lapic_error_interrupt);
	lapic_enable_this_cpu();
	this_cpu()->apic_id = lapic_id();

	timer_count = lapic_timer_calibrate();
	lapic_timer_periodic(T_IRQ_TIMER, timer_count);
	kprintf("lapic: id %u at %#lx (version %#x); 8259 PIC masked\n", lapic_id(),
		(unsigned long)(base & APIC_BASE_ADDR_MASK), lapic_read(LAPIC_VERSION) & 0xff);
	kprintf("lapic: timer %u ticks per second (periodic, %u counts of bus/16 "
		"per tick, calibrated against PIT channel 2 over %u us)\n",
		LAPIC_TIMER_HZ, timer_count, CALIBRATE_US);
	sti();
}

void lapic_init_ap(void)
{
	lapic_enable_this_cpu();
	lapic_timer_periodic(T_IRQ_TIMER, timer_count);
}
