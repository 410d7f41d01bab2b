/*
 * test_i8259.c - the dual 8259A model (i8259.c) on the host.
 *
 * The guest side is played through outb()/inb() on the PIC's ports, as a
 * kernel would; the INTR callback records every change of the CPU's INTR
 * line. The Linux sequences (probe_8259A, init_8259A, mask_and_ack_8259A,
 * i8259A_irq_real from arch/x86/kernel/i8259.c) are replayed byte for byte.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "i8259.h"

static struct pic_pair pic;
static int intr_calls;
static bool intr_line;
static int nlogs;
static char lastlog[256];

/* The kernel's kprintf, for the model's "logged once" messages. */
int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(lastlog, sizeof(lastlog), fmt, ap);
	va_end(ap);
	nlogs++;
	return 0;
}

static void on_intr(void *ctx, bool level)
{
	cr_assert_eq(ctx, (void *)&pic, "the model passes its context through");
	cr_assert_neq(level, intr_line, "intr() is called only when INTR changes");
	intr_line = level;
	intr_calls++;
}

static void outb(uint8_t val, uint16_t port)
{
	pic_io_write(&pic, port, val);
}

static uint8_t inb(uint16_t port)
{
	return pic_io_read(&pic, port);
}

static void setup(void)
{
	intr_calls = 0;
	intr_line = false;
	nlogs = 0;
	lastlog[0] = 0;
	pic_init(&pic, on_intr, &pic);
}

/* Linux's init_8259A(auto_eoi): vectors 0x30 and 0x38 (ISA_IRQ_VECTOR). */
static void linux_init_8259A(bool auto_eoi, uint8_t master_mask, uint8_t slave_mask)
{
	outb(0xff, PIC_MASTER_DATA);	/* mask all of 8259A-1 */
	outb(0xff, PIC_SLAVE_DATA);	/* mask all of 8259A-2 */
	outb(0x11, PIC_MASTER_CMD);	/* ICW1: select 8259A-1 init */
	outb(0x30, PIC_MASTER_DATA);	/* ICW2: IR0-7 mapped to 0x30-0x37 */
	outb(1u << 2, PIC_MASTER_DATA);	/* ICW3: the slave on IR2 */
	outb(auto_eoi ? 0x03 : 0x01, PIC_MASTER_DATA);	/* ICW4: 8086 (+AEOI) */
	outb(0x11, PIC_SLAVE_CMD);	/* ICW1: select 8259A-2 init */
	outb(0x38, PIC_SLAVE_DATA);	/* ICW2: IR0-7 mapped to 0x38-0x3f */
	outb(2, PIC_SLAVE_DATA);	/* ICW3: slave ID 2 */
	outb(0x01, PIC_SLAVE_DATA);	/* ICW4: 8086, normal EOI (slaves never AEOI) */
	outb(master_mask, PIC_MASTER_DATA);	/* restore the cached masks */
	outb(slave_mask, PIC_SLAVE_DATA);
}

/* Linux's i8259A_irq_real(): is @irq in service? (OCW3 0x0b, read, 0x0a) */
static bool linux_irq_real(unsigned irq)
{
	uint16_t cmd = irq < 8 ? PIC_MASTER_CMD : PIC_SLAVE_CMD;
	outb(0x0b, cmd);
	bool real = inb(cmd) & (1u << (irq & 7));
	outb(0x0a, cmd);
	return real;
}

/* Linux's mask_and_ack_8259A() after the cached-mask and spurious checks. */
static void linux_mask_and_ack(unsigned irq, uint8_t *master_mask, uint8_t *slave_mask)
{
	if (irq & 8) {
		*slave_mask |= 1u << (irq & 7);
		inb(PIC_SLAVE_DATA);		/* DUMMY */
		outb(*slave_mask, PIC_SLAVE_DATA);
		outb(0x60 + (irq & 7), PIC_SLAVE_CMD);	/* specific EOI to the slave */
		outb(0x60 + 2, PIC_MASTER_CMD);	/* specific EOI to master IR2 */
	} else {
		*master_mask |= 1u << irq;
		inb(PIC_MASTER_DATA);		/* DUMMY */
		outb(*master_mask, PIC_MASTER_DATA);
		outb(0x60 + irq, PIC_MASTER_CMD);	/* specific EOI to the master */
	}
}

static void pulse(unsigned irq)
{
	pic_set_irq(&pic, irq, true);
	pic_set_irq(&pic, irq, false);
}

/* Read ISR of one chip through OCW3, leaving IRR selected. */
static uint8_t read_isr(uint16_t cmd)
{
	outb(0x0b, cmd);
	uint8_t v = inb(cmd);
	outb(0x0a, cmd);
	return v;
}

TestSuite(i8259, .init = setup);

Test(i8259, starts_as_the_bios_leaves_it)
{
	cr_assert_eq(inb(PIC_MASTER_DATA), 0xfb, "master IMR: all masked but the cascade");
	cr_assert_eq(inb(PIC_SLAVE_DATA), 0xff);
	cr_assert_eq(inb(PIC_MASTER_CMD), 0, "IRR empty");
	cr_assert_not(pic_intr(&pic));
	cr_assert_eq(intr_calls, 0, "pic_init calls nothing");

	outb(0xfb & ~0x02, PIC_MASTER_DATA);	/* unmask IRQ 1 (keyboard) */
	pulse(1);
	cr_assert(pic_intr(&pic));
	cr_assert_eq(pic_intack(&pic), 0x09, "BIOS master vectors start at 0x08");
	outb(0x20, PIC_MASTER_CMD);
	outb(0xfb & ~0x01, PIC_SLAVE_DATA);	/* unmask IRQ 8 (RTC) */
	pulse(8);
	cr_assert_eq(pic_intack(&pic), 0x70, "BIOS slave vectors start at 0x70");
}

Test(i8259, linux_probe_and_init)
{
	/* probe_8259A(): write a mask, read it back. */
	outb(0xff, PIC_SLAVE_DATA);
	outb(0xfb, PIC_MASTER_DATA);
	cr_assert_eq(inb(PIC_MASTER_DATA), 0xfb, "probe: IMR reads back what was written");

	linux_init_8259A(false, 0xfb, 0xff);
	cr_assert_eq(inb(PIC_MASTER_DATA), 0xfb);
	cr_assert_eq(inb(PIC_SLAVE_DATA), 0xff);
	cr_assert_eq(inb(PIC_MASTER_CMD), 0, "after init a read returns IRR (empty)");
	cr_assert_eq(read_isr(PIC_MASTER_CMD), 0);
	cr_assert_eq(nlogs, 0, "Linux's sequence is not a mistake: %s", lastlog);

	/* IRQ 0 unmasked, the timer fires: vector 0x30. */
	uint8_t mm = 0xfa, sm = 0xff;
	outb(mm, PIC_MASTER_DATA);
	pic_set_irq(&pic, 0, true);
	cr_assert(pic_intr(&pic) && intr_line && intr_calls == 1);
	cr_assert_eq(pic_intack(&pic), 0x30);
	cr_assert_not(pic_intr(&pic), "in service: INTR drops");
	cr_assert_not(intr_line);
	cr_assert(linux_irq_real(0), "ISR shows IRQ 0 in service");
	linux_mask_and_ack(0, &mm, &sm);
	cr_assert_eq(read_isr(PIC_MASTER_CMD), 0, "the specific EOI cleared ISR bit 0");
	cr_assert_eq(inb(PIC_MASTER_DATA), 0xfb);

	/* The handler ran; unmask_8259A_irq(0). The next tick comes through. */
	mm &= ~1;
	outb(mm, PIC_MASTER_DATA);
	pic_set_irq(&pic, 0, false);
	cr_assert_not(pic_intr(&pic));
	pic_set_irq(&pic, 0, true);
	cr_assert(pic_intr(&pic));
	cr_assert_eq(pic_intack(&pic), 0x30);
}

Test(i8259, linux_slave_irq_ack_sequence)
{
	uint8_t mm = 0xfb, sm = 0xff;
	linux_init_8259A(false, mm, sm);
	sm &= ~(1u << 6);	/* enable IRQ 14 */
	outb(sm, PIC_SLAVE_DATA);
	pic_set_irq(&pic, 14, true);
	cr_assert(pic_intr(&pic), "the slave's request reaches INTR through IR2");
	cr_assert_eq(inb(PIC_MASTER_CMD), 0x04, "master IRR shows the cascade");
	cr_assert_eq(inb(PIC_SLAVE_CMD), 0x40);
	cr_assert_eq(pic_intack(&pic), 0x3e);
	cr_assert_eq(read_isr(PIC_MASTER_CMD), 0x04, "master: IR2 in service");
	cr_assert_eq(read_isr(PIC_SLAVE_CMD), 0x40, "slave: IR6 in service");
	cr_assert(linux_irq_real(14));
	linux_mask_and_ack(14, &mm, &sm);
	cr_assert_eq(read_isr(PIC_MASTER_CMD), 0);
	cr_assert_eq(read_isr(PIC_SLAVE_CMD), 0);
	cr_assert_not(pic_intr(&pic));

	/* Another slave IRQ raised while 14 was in service waits for the EOIs. */
	sm &= ~(1u << 7);	/* IRQ 15 */
	sm &= ~(1u << 6);
	outb(sm, PIC_SLAVE_DATA);
	pic_set_irq(&pic, 14, false);
	pic_set_irq(&pic, 14, true);
	cr_assert_eq(pic_intack(&pic), 0x3e);
	pulse(15);
	cr_assert_not(pic_intr(&pic), "IRQ 15 is below IRQ 14 in service");
	outb(0x66, PIC_SLAVE_CMD);
	cr_assert_not(pic_intr(&pic), "still blocked by IR2 in service on the master");
	outb(0x62, PIC_MASTER_CMD);
	cr_assert(pic_intr(&pic), "after both EOIs IRQ 15 comes through");
	cr_assert_eq(pic_intack(&pic), 0x3f);
	cr_assert_eq(read_isr(PIC_SLAVE_CMD), 0x80, "a real IRQ 15, in service");
}

Test(i8259, spurious_irq7_when_the_request_vanishes)
{
	linux_init_8259A(false, 0xf7, 0xff);	/* IRQ 3 unmasked */
	pulse(3);
	cr_assert(pic_intr(&pic));
	outb(0xff, PIC_MASTER_DATA);	/* masked before the CPU took it */
	cr_assert_not(pic_intr(&pic));
	cr_assert_eq(pic_intack(&pic), 0x37, "vanished request: the IR7 vector");
	cr_assert_not(linux_irq_real(7), "no ISR bit: Linux sees a spurious IRQ 7");
	cr_assert_eq(read_isr(PIC_MASTER_CMD), 0);
	cr_assert_eq(inb(PIC_MASTER_CMD), 0x08, "the masked request still waits in IRR");
	outb(0xf7, PIC_MASTER_DATA);
	cr_assert_eq(pic_intack(&pic), 0x33, "unmasked again, IRQ 3 is delivered");
}

Test(i8259, spurious_irq15_with_ir2_in_service)
{
	uint8_t mm = 0xfb, sm = 0xfb;	/* IRQ 10 unmasked */
	linux_init_8259A(false, mm, sm);
	pulse(10);
	cr_assert(pic_intr(&pic));
	outb(0xff, PIC_SLAVE_DATA);	/* the slave's INT drops; the master latched IR2 */
	cr_assert(pic_intr(&pic), "the master still has its edge-latched IR2 request");
	cr_assert_eq(pic_intack(&pic), 0x3f, "the slave answers with its IR7 vector");
	cr_assert_eq(read_isr(PIC_MASTER_CMD), 0x04, "IR2 in service on the master");
	cr_assert_eq(read_isr(PIC_SLAVE_CMD), 0, "nothing in service on the slave");
	cr_assert_not(linux_irq_real(15));
	/* Linux acks it anyway (handle_real_irq): both specific EOIs. */
	linux_mask_and_ack(15, &mm, &sm);
	cr_assert_eq(read_isr(PIC_MASTER_CMD), 0);
}

Test(i8259, fully_nested_priorities)
{
	linux_init_8259A(false, 0x00, 0x00);
	pulse(5);
	pulse(3);
	cr_assert_eq(inb(PIC_MASTER_CMD), 0x28);
	cr_assert_eq(pic_intack(&pic), 0x33, "IR3 before IR5");
	cr_assert_not(pic_intr(&pic), "IR5 waits below IR3 in service");
	pulse(1);
	cr_assert(pic_intr(&pic), "IR1 outranks IR3 in service: nesting");
	cr_assert_eq(pic_intack(&pic), 0x31);
	cr_assert_eq(read_isr(PIC_MASTER_CMD), 0x0a);
	outb(0x20, PIC_MASTER_CMD);	/* non-specific EOI ends the highest: IR1 */
	cr_assert_eq(read_isr(PIC_MASTER_CMD), 0x08);
	cr_assert_not(pic_intr(&pic));
	outb(0x20, PIC_MASTER_CMD);
	cr_assert_eq(read_isr(PIC_MASTER_CMD), 0);
	cr_assert_eq(pic_intack(&pic), 0x35);
	outb(0x20, PIC_MASTER_CMD);
	outb(0x20, PIC_MASTER_CMD);	/* an EOI with nothing in service is harmless */
	cr_assert_eq(read_isr(PIC_MASTER_CMD), 0);
}

Test(i8259, slave_requests_rank_at_ir2)
{
	linux_init_8259A(false, 0x00, 0x00);
	pulse(3);
	pulse(12);
	cr_assert_eq(pic_intack(&pic), 0x3c, "IRQ 12 (via IR2) before IRQ 3");
	outb(0x20, PIC_SLAVE_CMD);
	outb(0x20, PIC_MASTER_CMD);
	pulse(9);
	pulse(1);
	cr_assert_eq(pic_intack(&pic), 0x31, "IRQ 1 before IRQ 9");
	cr_assert_not(pic_intr(&pic), "IR2 does not outrank IR1 in service");
	outb(0x20, PIC_MASTER_CMD);
	cr_assert_eq(pic_intack(&pic), 0x39, "then IRQ 9, still above IRQ 3");
	outb(0x20, PIC_SLAVE_CMD);
	outb(0x20, PIC_MASTER_CMD);
	cr_assert_eq(pic_intack(&pic), 0x33);
}

Test(i8259, edge_triggered_inputs_latch_rising_edges)
{
	linux_init_8259A(false, 0x00, 0x00);
	pic_set_irq(&pic, 4, true);
	cr_assert_eq(pic_intack(&pic), 0x34);
	outb(0x20, PIC_MASTER_CMD);
	cr_assert_not(pic_intr(&pic), "a line held high does not request again");
	pic_set_irq(&pic, 4, true);
	cr_assert_not(pic_intr(&pic), "the same level again is no edge");
	pic_set_irq(&pic, 4, false);
	cr_assert_not(pic_intr(&pic));
	pic_set_irq(&pic, 4, true);
	cr_assert(pic_intr(&pic), "low then high: a new request");
	pic_set_irq(&pic, 4, false);
	cr_assert(pic_intr(&pic), "the request stays latched when the line drops");
	cr_assert_eq(pic_intack(&pic), 0x34);
}

Test(i8259, level_triggered_inputs_follow_the_line)
{
	linux_init_8259A(false, 0x00, 0x00);
	outb(0x0c, PIC_ELCR_SLAVE);	/* IRQ 10 and 11 level-triggered */
	cr_assert_eq(inb(PIC_ELCR_SLAVE), 0x0c);
	pic_set_irq(&pic, 11, true);
	cr_assert(pic_intr(&pic));
	cr_assert_eq(inb(PIC_SLAVE_CMD), 0x08);
	pic_set_irq(&pic, 11, false);
	cr_assert_eq(inb(PIC_SLAVE_CMD), 0, "a level request vanishes with its line");
	/* The master's IR2 is edge-triggered and latched the slave's INT. */
	cr_assert(pic_intr(&pic));
	cr_assert_eq(pic_intack(&pic), 0x3f, "so INTA finds nothing on the slave");
	outb(0x62, PIC_MASTER_CMD);
	pic_set_irq(&pic, 11, true);
	cr_assert_eq(pic_intack(&pic), 0x3b);
	cr_assert_eq(inb(PIC_SLAVE_CMD), 0x08, "IRR still follows the high line");
	outb(0x63, PIC_SLAVE_CMD);
	outb(0x62, PIC_MASTER_CMD);
	cr_assert(pic_intr(&pic), "still high after EOI: requested again");
	cr_assert_eq(pic_intack(&pic), 0x3b);
	pic_set_irq(&pic, 11, false);
	outb(0x63, PIC_SLAVE_CMD);
	outb(0x62, PIC_MASTER_CMD);
	cr_assert_not(pic_intr(&pic), "dropped before the EOIs: nothing more");

	/* A level input on the master itself: INTR falls with the line. */
	outb(0x20, PIC_ELCR_MASTER);
	pic_set_irq(&pic, 5, true);
	cr_assert(pic_intr(&pic));
	pic_set_irq(&pic, 5, false);
	cr_assert_not(pic_intr(&pic));
	cr_assert_eq(pic_intack(&pic), 0x37, "INTA now: the spurious IRQ 7");
}

Test(i8259, elcr_reserved_bits_are_refused_once)
{
	outb(0xff, PIC_ELCR_MASTER);
	cr_assert_eq(inb(PIC_ELCR_MASTER), 0xf8, "IRQ 0, 1, 2 stay edge-triggered");
	cr_assert_eq(nlogs, 1);
	cr_assert(strstr(lastlog, "ELCR"), "the message names the register: %s", lastlog);
	outb(0xff, PIC_ELCR_SLAVE);
	cr_assert_eq(inb(PIC_ELCR_SLAVE), 0xde, "IRQ 8 and 13 stay edge-triggered");
	cr_assert_eq(nlogs, 1, "logged once");
	/* Switching an input with a high line to level mode requests at once. */
	outb(0x00, PIC_ELCR_MASTER);
	linux_init_8259A(false, 0x00, 0x00);
	pic_set_irq(&pic, 5, true);
	cr_assert_eq(pic_intack(&pic), 0x35);
	outb(0x20, PIC_MASTER_CMD);
	cr_assert_not(pic_intr(&pic));
	outb(0x20, PIC_ELCR_MASTER);
	cr_assert(pic_intr(&pic), "the high line now requests");
}

Test(i8259, icw1_resets_the_chip)
{
	linux_init_8259A(false, 0x00, 0x00);
	pic_set_irq(&pic, 6, true);
	pulse(5);
	cr_assert_eq(pic_intack(&pic), 0x35);
	outb(0x0b, PIC_MASTER_CMD);	/* select ISR */
	outb(0x11, PIC_MASTER_CMD);
	cr_assert_not(pic_intr(&pic), "nothing is delivered during initialization");
	outb(0x40, PIC_MASTER_DATA);
	outb(0x04, PIC_MASTER_DATA);
	outb(0x01, PIC_MASTER_DATA);
	cr_assert_eq(inb(PIC_MASTER_DATA), 0, "ICW1 cleared IMR");
	cr_assert_eq(inb(PIC_MASTER_CMD), 0, "reads IRR again, and IRR was cleared");
	cr_assert_eq(read_isr(PIC_MASTER_CMD), 0, "ISR cleared");
	cr_assert_not(pic_intr(&pic), "IR6 still high but needs a new edge");
	pic_set_irq(&pic, 6, false);
	pic_set_irq(&pic, 6, true);
	cr_assert_eq(pic_intack(&pic), 0x46, "the new base 0x40 is in use");
}

Test(i8259, icw2_ignores_the_low_three_bits)
{
	outb(0x11, PIC_MASTER_CMD);
	outb(0x57, PIC_MASTER_DATA);
	outb(0x04, PIC_MASTER_DATA);
	outb(0x01, PIC_MASTER_DATA);
	pulse(2 + 1);
	cr_assert_eq(pic_intack(&pic), 0x53);
}

Test(i8259, single_mode_skips_icw3)
{
	outb(0x13, PIC_MASTER_CMD);	/* SNGL, IC4 */
	outb(0x20, PIC_MASTER_DATA);	/* ICW2 */
	outb(0x01, PIC_MASTER_DATA);	/* ICW4, not ICW3 */
	outb(0xfe, PIC_MASTER_DATA);	/* OCW1 */
	cr_assert_eq(inb(PIC_MASTER_DATA), 0xfe);
	pulse(0);
	cr_assert_eq(pic_intack(&pic), 0x20);
	/* Single: IR2 is an ordinary input, the master supplies the vector. */
	outb(0xfb, PIC_MASTER_DATA);
	outb(0x20, PIC_MASTER_CMD);
	outb(0xfb, PIC_SLAVE_DATA);
	outb(0x00, PIC_MASTER_DATA);
	pulse(10);
	cr_assert_eq(pic_intack(&pic), 0x22);
	cr_assert_eq(nlogs, 0, "%s", lastlog);
}

Test(i8259, missing_icw4_is_logged_once)
{
	outb(0x10, PIC_MASTER_CMD);	/* no IC4: MCS-80 mode */
	outb(0x20, PIC_MASTER_DATA);
	outb(0x04, PIC_MASTER_DATA);	/* ICW3; no ICW4 follows */
	outb(0x00, PIC_MASTER_DATA);	/* OCW1 */
	cr_assert_eq(inb(PIC_MASTER_DATA), 0x00);
	cr_assert_eq(nlogs, 1);
	cr_assert(strstr(lastlog, "MCS-80"), "%s", lastlog);
	pulse(1);
	cr_assert_eq(pic_intack(&pic), 0x21, "treated as 8086 mode");
	outb(0x11, PIC_MASTER_CMD);
	outb(0x20, PIC_MASTER_DATA);
	outb(0x04, PIC_MASTER_DATA);
	outb(0x00, PIC_MASTER_DATA);	/* ICW4 without uPM */
	cr_assert_eq(nlogs, 1, "logged once");
}

Test(i8259, master_without_slave_in_icw3_supplies_ir2_itself)
{
	outb(0x11, PIC_MASTER_CMD);
	outb(0x30, PIC_MASTER_DATA);
	outb(0x00, PIC_MASTER_DATA);	/* no slave anywhere */
	outb(0x01, PIC_MASTER_DATA);
	cr_assert_eq(nlogs, 1, "ICW3 0 does not match the PC's wiring");
	cr_assert(strstr(lastlog, "ICW3"), "%s", lastlog);
	outb(0xfe, PIC_SLAVE_DATA);
	pulse(8);
	cr_assert_eq(pic_intack(&pic), 0x32);
}

Test(i8259, auto_eoi_sets_no_isr_bit)
{
	linux_init_8259A(true, 0x00, 0x00);
	pulse(4);
	cr_assert_eq(pic_intack(&pic), 0x34);
	cr_assert_eq(read_isr(PIC_MASTER_CMD), 0);
	pulse(6);
	cr_assert(pic_intr(&pic), "AEOI: a lower priority gets through at once");
	cr_assert_eq(pic_intack(&pic), 0x36);
	/* Rotate in AEOI mode (OCW2 0x80): the input just taken becomes lowest. */
	outb(0x80, PIC_MASTER_CMD);
	pulse(3);
	cr_assert_eq(pic_intack(&pic), 0x33);
	pulse(3);
	pulse(5);
	cr_assert_eq(pic_intack(&pic), 0x35, "IR3 is now the lowest priority");
	outb(0x00, PIC_MASTER_CMD);	/* clear rotate in AEOI */
	cr_assert_eq(pic_intack(&pic), 0x33);
	pulse(3);
	pulse(4);
	cr_assert_eq(pic_intack(&pic), 0x33, "taking IR5 made IR5 lowest: IR3 outranks IR4");
}

Test(i8259, rotate_on_eoi_and_set_priority)
{
	linux_init_8259A(false, 0x00, 0x00);
	pulse(0);
	cr_assert_eq(pic_intack(&pic), 0x30);
	outb(0xa0, PIC_MASTER_CMD);	/* rotate on non-specific EOI */
	cr_assert_eq(read_isr(PIC_MASTER_CMD), 0);
	pulse(0);
	pulse(7);
	cr_assert_eq(pic_intack(&pic), 0x37, "IR0 became the lowest: IR7 first");
	cr_assert_not(pic_intr(&pic), "IR0 is below IR7 in service");
	outb(0xe7, PIC_MASTER_CMD);	/* rotate on specific EOI 7: IR7 lowest */
	cr_assert_eq(read_isr(PIC_MASTER_CMD), 0);
	cr_assert_eq(pic_intack(&pic), 0x30);
	outb(0x60, PIC_MASTER_CMD);
	outb(0xc4, PIC_MASTER_CMD);	/* set priority: IR4 lowest, IR5 highest */
	pulse(3);
	pulse(5);
	cr_assert_eq(pic_intack(&pic), 0x35);
	cr_assert_not(pic_intr(&pic), "IR3 now ranks below IR5 in service");
	outb(0x65, PIC_MASTER_CMD);
	cr_assert_eq(pic_intack(&pic), 0x33);
	outb(0x40, PIC_MASTER_CMD);	/* OCW2 no-op */
	cr_assert_eq(read_isr(PIC_MASTER_CMD), 0x08);
}

Test(i8259, ocw3_selects_irr_or_isr)
{
	linux_init_8259A(false, 0x00, 0x00);
	pulse(2 + 3);
	pulse(6);
	cr_assert_eq(pic_intack(&pic), 0x35);
	cr_assert_eq(inb(PIC_MASTER_CMD), 0x40, "IRR by default");
	outb(0x0b, PIC_MASTER_CMD);
	cr_assert_eq(inb(PIC_MASTER_CMD), 0x20, "ISR");
	outb(0x08, PIC_MASTER_CMD);	/* RR=0: no change */
	cr_assert_eq(inb(PIC_MASTER_CMD), 0x20);
	outb(0x0a, PIC_MASTER_CMD);
	cr_assert_eq(inb(PIC_MASTER_CMD), 0x40);
	cr_assert_eq(inb(PIC_MASTER_DATA), 0x00, "the data port reads IMR");
}

Test(i8259, poll_command)
{
	linux_init_8259A(false, 0x00, 0x00);
	outb(0x0c, PIC_MASTER_CMD);
	cr_assert_eq(inb(PIC_MASTER_CMD), 0x00, "nothing requested");
	cr_assert_eq(inb(PIC_MASTER_CMD), 0x00, "poll mode ended: IRR read");
	pulse(6);
	pulse(4);
	outb(0x0c, PIC_MASTER_CMD);
	cr_assert_eq(inb(PIC_MASTER_CMD), 0x84, "request on IR4");
	cr_assert_eq(read_isr(PIC_MASTER_CMD), 0x10, "the poll acknowledged IR4");
	cr_assert_eq(inb(PIC_MASTER_CMD), 0x40, "IR6 still requested");
	outb(0x20, PIC_MASTER_CMD);
	outb(0x0c, PIC_MASTER_CMD);
	cr_assert_eq(inb(PIC_MASTER_CMD), 0x86);
}

Test(i8259, special_mask_mode)
{
	linux_init_8259A(false, 0x00, 0x00);
	pulse(3);
	cr_assert_eq(pic_intack(&pic), 0x33);
	pulse(5);
	cr_assert_not(pic_intr(&pic));
	outb(0x68, PIC_MASTER_CMD);	/* set special mask mode */
	cr_assert_not(pic_intr(&pic), "IR3 in service and unmasked still blocks");
	outb(0x08, PIC_MASTER_DATA);	/* mask IR3 */
	cr_assert(pic_intr(&pic), "SMM: the masked in-service level no longer blocks IR5");
	cr_assert_eq(pic_intack(&pic), 0x35);
	outb(0x48, PIC_MASTER_CMD);	/* reset special mask mode */
	pulse(6);
	cr_assert_not(pic_intr(&pic));
}

Test(i8259, special_fully_nested_mode)
{
	/* Master with SFNM (ICW4 0x11). */
	outb(0x11, PIC_MASTER_CMD);
	outb(0x30, PIC_MASTER_DATA);
	outb(0x04, PIC_MASTER_DATA);
	outb(0x11, PIC_MASTER_DATA);
	outb(0x00, PIC_MASTER_DATA);
	outb(0x00, PIC_SLAVE_DATA);
	pulse(9);
	cr_assert_eq(pic_intack(&pic), 0x71, "the slave keeps the BIOS's base 0x70");
	pulse(8);
	cr_assert(pic_intr(&pic), "SFNM: a higher slave request passes IR2 in service");
	cr_assert_eq(pic_intack(&pic), 0x70);
	pulse(3);
	cr_assert_not(pic_intr(&pic), "a lower master input still waits");

	/* Without SFNM it waits. */
	setup();
	linux_init_8259A(false, 0x00, 0x00);
	pulse(9);
	cr_assert_eq(pic_intack(&pic), 0x39);
	pulse(8);
	cr_assert_not(pic_intr(&pic));
}

Test(i8259, bad_irq_numbers_are_logged_once)
{
	linux_init_8259A(false, 0x00, 0x00);
	pic_set_irq(&pic, 16, true);
	pic_set_irq(&pic, 99, true);
	cr_assert_eq(nlogs, 1);
	cr_assert(strstr(lastlog, "16"), "%s", lastlog);
	pic_set_irq(&pic, 2, true);
	cr_assert_eq(nlogs, 2);
	cr_assert(strstr(lastlog, "cascade"), "%s", lastlog);
	cr_assert_eq(inb(PIC_MASTER_CMD), 0, "no request came of it");
	cr_assert_not(pic_intr(&pic));
}

Test(i8259, unknown_ports)
{
	cr_assert_eq(inb(0x22), 0xff);
	outb(0x12, 0x22);
	cr_assert_eq(nlogs, 1, "logged once");
	cr_assert(strstr(lastlog, "0x22"), "%s", lastlog);
	cr_assert_eq(inb(PIC_MASTER_DATA), 0xfb, "nothing changed");
}

Test(i8259, intr_callback_follows_the_line)
{
	linux_init_8259A(false, 0x00, 0x00);
	cr_assert_eq(intr_calls, 0);
	pulse(1);
	cr_assert_eq(intr_calls, 1);
	pulse(4);
	cr_assert_eq(intr_calls, 1, "still asserted: no new call");
	pic_intack(&pic);
	cr_assert_eq(intr_calls, 2);
	cr_assert_not(intr_line);
	outb(0x20, PIC_MASTER_CMD);
	cr_assert(intr_line, "EOI lets IR4 through");
	cr_assert_eq(intr_calls, 3);
	/* A NULL callback is allowed. */
	pic_init(&pic, NULL, NULL);
	outb(0xfd, PIC_MASTER_DATA);
	pulse(1);
	cr_assert(pic_intr(&pic));
}
