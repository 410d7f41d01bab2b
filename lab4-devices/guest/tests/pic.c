/*
 * pic.c - the 8259A pair (Intel 8259A datasheet, order 231468):
 * initialization (ICW1-4), the mask (OCW1), EOI (OCW2), reading IRR and
 * ISR and polling (OCW3), fully nested priorities with the slave on IR2,
 * and the PIIX edge/level registers (82371AB datasheet, 12.2 ELCR).
 * Interrupt sources: PIT channel 0 (IRQ 0), COM1's THRE (IRQ 4) and the
 * RTC's periodic interrupt (IRQ 8).
 *
 * Not tested: the spurious IRQ 7. It needs a request that vanishes
 * between INTR and the CPU's INTA cycle, and hvlab acknowledges in the
 * same step in which it looks (platform_take_vector), so a guest cannot
 * make one.
 */
#include "g4_dev.h"

#define VEC_IRQ0	PIC1_VECTOR
#define VEC_IRQ4	(PIC1_VECTOR + 4)
#define VEC_IRQ8	PIC2_VECTOR
#define PIT_1KHZ	1193		/* PIT input clocks per millisecond */

static volatile bool irq0_eoi;
static volatile uint8_t isr_in_handler;

static void irq0_isr(struct g4_frame *f)
{
	(void)f;
	if (g4_irq_count[VEC_IRQ0] == 1)
		isr_in_handler = pic_read_isr(0);
	if (irq0_eoi)
		pic_eoi(0);
}

/* After ICW1-4 the mask is clear (ICW1 clears IMR) and IRQ 0 arrives at ICW2's base. */
void test_pic_icw_init(void)
{
	outb(PIC1_CMD, 0x11);
	outb(PIC1_DATA, 0x30);
	outb(PIC1_DATA, 0x04);
	outb(PIC1_DATA, 0x01);
	outb(PIC2_CMD, 0x11);
	outb(PIC2_DATA, 0x38);
	outb(PIC2_DATA, 0x02);
	outb(PIC2_DATA, 0x01);
	CHECK_EQ(inb(PIC1_DATA), 0x00, "master IMR right after ICW1-4");
	CHECK_EQ(inb(PIC2_DATA), 0x00, "slave IMR right after ICW1-4");
	pic_set_masks(0xfe, 0xff);
	CHECK_EQ(inb(PIC1_CMD), 0x00, "master IRR (reads return IRR after ICW1)");
	irq0_eoi = true;
	g4_set_handler(0x30, irq0_isr);
	pit_program(0, 0, 100);		/* one edge on IRQ 0 after ~84 us */
	CHECK(g4_wait_irqs(0x30, 1, 10000), "IRQ 0 did not arrive on vector 0x30 (ICW2 0x30)");

	pic_init(PIC1_VECTOR, PIC2_VECTOR);
	pic_set_masks(0xfe, 0xff);
	g4_set_handler(VEC_IRQ0, irq0_isr);
	pit_program(0, 0, 100);
	CHECK(g4_wait_irqs(VEC_IRQ0, 1, 10000), "IRQ 0 did not arrive on vector 0x20 (ICW2 0x20)");
	CHECK_EQ(g4_stray_count, 0, "interrupts on unexpected vectors");
}

void test_pic_mask_readback(void)
{
	static const uint8_t pat[] = { 0xa5, 0x5a, 0x00, 0xff };
	for (unsigned i = 0; i < sizeof(pat); i++) {
		pic_set_masks(pat[i], (uint8_t)~pat[i]);
		CHECK_EQ(inb(PIC1_DATA), pat[i], "master IMR read back");
		CHECK_EQ(inb(PIC2_DATA), (uint8_t)~pat[i], "slave IMR read back");
	}
}

/* ELCR: IRQ 0, 1, 2, 8 and 13 cannot be level-triggered; their bits stay 0. */
void test_pic_elcr(void)
{
	uint8_t e1 = inb(PIC_ELCR1), e2 = inb(PIC_ELCR2);
	CHECK_EQ(e1 & 0x07, 0, "ELCR1 bits of IRQ 0-2");
	CHECK_EQ(e2 & 0x21, 0, "ELCR2 bits of IRQ 8 and 13");
	outb(PIC_ELCR1, 0xff);
	outb(PIC_ELCR2, 0xff);
	uint8_t r1 = inb(PIC_ELCR1), r2 = inb(PIC_ELCR2);
	outb(PIC_ELCR1, e1);
	outb(PIC_ELCR2, e2);
	CHECK_EQ(r1, 0xf8, "ELCR1 after writing 0xff");
	CHECK_EQ(r2, 0xde, "ELCR2 after writing 0xff");
	CHECK_EQ(inb(PIC_ELCR1), e1, "ELCR1 restored");
}

/*
 * Fully nested mode: while IRQ 0 is in service (ISR bit 0) the next IRQ 0
 * waits in IRR; a specific EOI (OCW2 0x60) ends it and the waiting request
 * comes in at once.
 */
void test_pic_isr_until_eoi(void)
{
	irq0_eoi = false;
	isr_in_handler = 0;
	g4_set_handler(VEC_IRQ0, irq0_isr);
	pit_program(0, 2, PIT_1KHZ);
	pic_set_masks(0xfe, 0xff);
	CHECK(g4_wait_irqs(VEC_IRQ0, 1, 20000), "no IRQ 0 within 20 ms of a 1 kHz PIT");
	CHECK_EQ(isr_in_handler, 0x01, "master ISR inside the handler");
	CHECK(!g4_wait_irqs(VEC_IRQ0, 2, 5000), "a second IRQ 0 came in without an EOI");
	CHECK_EQ(pic_read_isr(0), 0x01, "master ISR without an EOI");
	CHECK_EQ(pic_read_irr(0) & 1, 1, "master IRR bit 0 (the next request waiting)");
	outb(PIC1_CMD, PIC_SEOI | 0);
	CHECK_EQ(pic_read_isr(0), 0x00, "master ISR after a specific EOI for IR0");
	irq0_eoi = true;
	CHECK(g4_wait_irqs(VEC_IRQ0, 2, 1000), "the waiting IRQ 0 did not come after the EOI");
	CHECK(g4_wait_irqs(VEC_IRQ0, 5, 20000), "IRQ 0 stopped after EOIs (%u so far)",
	      g4_irq_count[VEC_IRQ0]);
}

/* A masked input still latches its request in IRR; unmasking delivers it. */
void test_pic_mask_blocks(void)
{
	irq0_eoi = true;
	g4_set_handler(VEC_IRQ0, irq0_isr);
	pit_program(0, 2, PIT_1KHZ);
	CHECK(!g4_wait_irqs(VEC_IRQ0, 1, 5000), "IRQ 0 arrived while masked");
	CHECK_EQ(pic_read_irr(0) & 1, 1, "master IRR bit 0 while IRQ 0 is masked");
	pic_set_masks(0xfe, 0xff);
	CHECK(g4_wait_irqs(VEC_IRQ0, 1, 500), "the latched IRQ 0 did not come when unmasked");
	CHECK(g4_wait_irqs(VEC_IRQ0, 3, 10000), "IRQ 0 not periodic once unmasked");
	pic_set_masks(0xff, 0xff);
	uint32_t n = g4_irq_count[VEC_IRQ0];
	CHECK(!g4_wait_irqs(VEC_IRQ0, n + 1, 5000), "IRQ 0 arrived after masking it again");
}

/* OCW3 poll: the next read of the command port acknowledges like INTA and says which input. */
void test_pic_poll(void)
{
	pit_program(0, 0, 100);
	pic_set_masks(0xfe, 0xff);
	g4_delay_us(1000);		/* IF is clear: the request waits */
	outb(PIC1_CMD, PIC_POLL);
	CHECK_EQ(inb(PIC1_CMD), 0x80, "poll result (0x80 | IR0)");
	CHECK_EQ(pic_read_isr(0), 0x01, "master ISR after the poll");
	pic_eoi(0);
	outb(PIC1_CMD, PIC_POLL);
	CHECK_EQ(inb(PIC1_CMD), 0x00, "poll with nothing requested");
	CHECK(!g4_wait_irqs(VEC_IRQ0, 1, 1000), "the polled request was delivered as well");
}

static volatile uint8_t order[4];
static volatile unsigned norder;

static void prio_isr(struct g4_frame *f)
{
	if (norder < 4)
		order[norder++] = (uint8_t)f->vector;
	if (f->vector == VEC_IRQ4) {
		(void)uart_in(UART_IIR);
		uart_out(UART_IER, 0);
	} else if (f->vector == VEC_IRQ8) {
		rtc_write(RTC_B, RTC_B_24H);	/* PIE off first: no new request after C is read */
		(void)rtc_read(RTC_C);
	}
	pic_eoi(f->vector - PIC1_VECTOR);
}

/*
 * IRQ 0, 4 and 8 pending at once: priority order is IR0, IR2 (the slave,
 * with IRQ 8), IR4. The slave's request shows in the master's IRR bit 2
 * only once it is unmasked on the slave.
 */
void test_pic_priority_cascade(void)
{
	norder = 0;
	g4_set_handler(VEC_IRQ0, prio_isr);
	g4_set_handler(VEC_IRQ4, prio_isr);
	g4_set_handler(VEC_IRQ8, prio_isr);
	rtc_write(RTC_B, RTC_B_24H | RTC_B_PIE);	/* 1024 Hz periodic */
	pit_program(0, 0, 100);
	uart_out(UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	uart_out(UART_IER, IER_ETBEI);
	g4_delay_us(3000);
	CHECK_EQ(pic_read_irr(0) & 0x15, 0x11, "master IRR bits 0, 2, 4 (slave still masked)");
	CHECK_EQ(pic_read_irr(1) & 0x01, 0x01, "slave IRR bit 0 (IRQ 8)");
	pic_set_masks(0xff, 0xfe);
	CHECK_EQ(pic_read_irr(0) & 0x04, 0x04, "master IRR bit 2 once IRQ 8 is unmasked on the slave");
	pic_set_masks(0xea, 0xfe);
	CHECK(g4_wait_irqs(VEC_IRQ4, 1, 5000), "IRQ 4 never came (order so far: %u interrupts)",
	      norder);
	CHECK_EQ(norder, 3, "interrupts taken");
	CHECK_EQ(order[0], VEC_IRQ0, "first vector");
	CHECK_EQ(order[1], VEC_IRQ8, "second vector");
	CHECK_EQ(order[2], VEC_IRQ4, "third vector");
}
