/*
 * test_ioapic.c - the 82093AA I/O APIC model: its registers through
 * IOREGSEL/IOWIN, the redirection table, and when a pin sends (edge,
 * level with remote IRR, polarity, masking, EOI). Register numbers and
 * bit positions are written out from the datasheet, not taken from ioapic.h.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ioapic.h"

/* kprintf for the model's log lines: counted, so "logged once" is testable. */
static int nlog;
static char lastlog[256];
int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(lastlog, sizeof(lastlog), fmt, ap);
	va_end(ap);
	nlog++;
	return 0;
}

struct sent {
	uint32_t dest;
	uint8_t vector;
	bool level, logical;
	unsigned mode;
};
static struct sent sent[64];
static int nsent;

static void deliver(void *ctx, uint32_t dest, uint8_t vector, bool level, unsigned mode,
		    bool logical)
{
	cr_assert_eq(ctx, (void *)0x1234, "deliver gets the ctx given to ioapic_init");
	cr_assert_lt(nsent, 64);
	sent[nsent++] = (struct sent){ dest, vector, level, logical, mode };
}

static struct ioapic io;

static void setup(void)
{
	nlog = nsent = 0;
	ioapic_init(&io, 2, deliver, (void *)0x1234);
}

static uint32_t rd(unsigned reg)
{
	ioapic_mmio_write(&io, 0x00, reg);
	return ioapic_mmio_read(&io, 0x10);
}

static void wr(unsigned reg, uint32_t val)
{
	ioapic_mmio_write(&io, 0x00, reg);
	ioapic_mmio_write(&io, 0x10, val);
}

/* Program pin @pin: low half @lo, destination @dest. */
static void route(unsigned pin, uint32_t lo, uint8_t dest)
{
	wr(0x11 + 2 * pin, (uint32_t)dest << 24);
	wr(0x10 + 2 * pin, lo);
}

#define LEVEL   (1u << 15)
#define LOWACT  (1u << 13)
#define RIRR    (1u << 14)
#define MASK    (1u << 16)

TestSuite(ioapic, .init = setup);

Test(ioapic, id_version_arbitration)
{
	cr_expect_eq(rd(0), 2u << 24, "ID register: the id in 27:24");
	cr_expect_eq(rd(1), 0x00170011, "version: max redirection entry 23, version 0x11");
	cr_expect_eq(rd(2), 2u << 24, "arbitration ID");
	wr(0, 0xFFFFFFFF);
	cr_expect_eq(rd(0), 0xFu << 24, "only ID bits 27:24 are writable");
	cr_expect_eq(io.id, 0xF);
	wr(1, 0);
	cr_expect_eq(rd(1), 0x00170011, "version is read-only");
	wr(2, 0);
	cr_expect_eq(rd(2), 0xFu << 24, "arbitration is read-only");
}

Test(ioapic, ioregsel_reads_back_its_low_byte)
{
	ioapic_mmio_write(&io, 0, 0xABCD0012);
	cr_expect_eq(ioapic_mmio_read(&io, 0), 0x12);
}

Test(ioapic, reset_masks_every_pin)
{
	for (unsigned pin = 0; pin < 24; pin++) {
		cr_expect_eq(rd(0x10 + 2 * pin), MASK, "pin %u low half at reset", pin);
		cr_expect_eq(rd(0x11 + 2 * pin), 0, "pin %u high half at reset", pin);
		ioapic_set_irq(&io, pin, true);
	}
	cr_expect_eq(nsent, 0, "masked pins send nothing");
}

Test(ioapic, redirection_entries_read_back)
{
	for (unsigned pin = 0; pin < 24; pin++) {
		uint32_t lo = MASK | LEVEL | LOWACT | (1u << 11) | (5u << 8) | (0x30 + pin);
		wr(0x10 + 2 * pin, lo);
		wr(0x11 + 2 * pin, (uint32_t)(pin + 1) << 24);
		cr_expect_eq(rd(0x10 + 2 * pin), lo, "pin %u low", pin);
		cr_expect_eq(rd(0x11 + 2 * pin), (uint32_t)(pin + 1) << 24, "pin %u high", pin);
	}
}

Test(ioapic, read_only_and_reserved_bits_are_not_written)
{
	wr(0x10, MASK | RIRR | (1u << 12) | 0x40);
	cr_expect_eq(rd(0x10), MASK | 0x40, "delivery status and remote IRR are read-only");
	wr(0x11, 0xFFFFFFFF);
	cr_expect_eq(rd(0x11), 0xFF000000, "bits 55:32 are reserved");
	wr(0x10, 0xFFFFFFFF);
	cr_expect_eq(rd(0x10), 0x1AFFF, "all writable low bits, no status bits");
}

Test(ioapic, edge_pin_sends_on_rising_edge_only)
{
	route(4, 0x24, 3);
	ioapic_set_irq(&io, 4, true);
	cr_assert_eq(nsent, 1);
	cr_expect_eq(sent[0].vector, 0x24);
	cr_expect_eq(sent[0].dest, 3);
	cr_expect_not(sent[0].level);
	cr_expect_eq(sent[0].mode, 0);
	cr_expect_not(sent[0].logical);
	ioapic_set_irq(&io, 4, true);
	cr_expect_eq(nsent, 1, "staying high is not an edge");
	ioapic_set_irq(&io, 4, false);
	cr_expect_eq(nsent, 1, "a falling edge sends nothing");
	ioapic_set_irq(&io, 4, true);
	cr_expect_eq(nsent, 2, "the next rising edge sends again");
	cr_expect_eq(rd(0x18) & RIRR, 0, "edge pins never set remote IRR");
}

Test(ioapic, edge_while_masked_is_lost)
{
	route(1, MASK | 0x31, 0);
	ioapic_set_irq(&io, 1, true);
	wr(0x12, 0x31);   /* unmask while the line is high */
	cr_expect_eq(nsent, 0, "unmasking an edge pin does not replay the edge");
	ioapic_set_irq(&io, 1, false);
	ioapic_set_irq(&io, 1, true);
	cr_expect_eq(nsent, 1);
}

Test(ioapic, edge_low_active_sends_on_falling_line)
{
	ioapic_set_irq(&io, 5, true);   /* idle high, as an active-low line is */
	route(5, LOWACT | 0x35, 0);
	cr_expect_eq(nsent, 0, "an inactive line");
	ioapic_set_irq(&io, 5, false);
	cr_expect_eq(nsent, 1, "falling line = active edge");
	ioapic_set_irq(&io, 5, true);
	cr_expect_eq(nsent, 1);
}

Test(ioapic, level_pin_sends_once_until_eoi)
{
	route(10, LEVEL | 0x4A, 1);
	ioapic_set_irq(&io, 10, true);
	cr_assert_eq(nsent, 1);
	cr_expect(sent[0].level, "the trigger mode travels with the message");
	cr_expect_eq(rd(0x10 + 20) & RIRR, RIRR, "remote IRR set while the VLAPIC has it");
	ioapic_set_irq(&io, 10, true);
	cr_expect_eq(nsent, 1, "remote IRR holds further messages");
	ioapic_eoi(&io, 0x4B);
	cr_expect_eq(nsent, 1, "an EOI of another vector changes nothing");
	cr_expect_eq(rd(0x10 + 20) & RIRR, RIRR);
	ioapic_eoi(&io, 0x4A);
	cr_expect_eq(nsent, 2, "still asserted at EOI: sent again");
	cr_expect_eq(rd(0x10 + 20) & RIRR, RIRR);
	ioapic_set_irq(&io, 10, false);
	ioapic_eoi(&io, 0x4A);
	cr_expect_eq(nsent, 2, "deasserted at EOI: nothing more");
	cr_expect_eq(rd(0x10 + 20) & RIRR, 0, "EOI clears remote IRR");
	ioapic_set_irq(&io, 10, true);
	cr_expect_eq(nsent, 3);
}

Test(ioapic, unmasking_an_asserted_level_pin_sends)
{
	route(9, MASK | LEVEL | 0x39, 0);
	ioapic_set_irq(&io, 9, true);
	cr_expect_eq(nsent, 0);
	wr(0x10 + 18, LEVEL | 0x39);
	cr_expect_eq(nsent, 1, "the asserted level is seen on unmask");
	wr(0x10 + 18, LEVEL | 0x39);
	cr_expect_eq(nsent, 1, "rewriting the entry with remote IRR set sends nothing");
}

Test(ioapic, masked_level_pin_keeps_remote_irr_until_eoi)
{
	route(9, LEVEL | 0x39, 0);
	ioapic_set_irq(&io, 9, true);
	wr(0x10 + 18, MASK | LEVEL | 0x39);
	ioapic_eoi(&io, 0x39);
	cr_expect_eq(nsent, 1, "masked: the EOI does not resend");
	cr_expect_eq(rd(0x10 + 18) & RIRR, 0);
	wr(0x10 + 18, LEVEL | 0x39);
	cr_expect_eq(nsent, 2, "unmasked, still asserted");
}

Test(ioapic, level_low_active)
{
	route(11, LEVEL | LOWACT | 0x3B, 0);
	cr_expect_eq(nsent, 1, "a low line on an active-low level pin is asserted");
	ioapic_set_irq(&io, 11, true);
	ioapic_eoi(&io, 0x3B);
	cr_expect_eq(nsent, 1, "line high: inactive");
	ioapic_set_irq(&io, 11, false);
	cr_expect_eq(nsent, 2);
}

Test(ioapic, switching_to_edge_clears_remote_irr)
{
	route(3, LEVEL | 0x33, 0);
	ioapic_set_irq(&io, 3, true);
	cr_expect_eq(rd(0x16) & RIRR, RIRR);
	wr(0x16, MASK | 0x33);
	cr_expect_eq(rd(0x16) & RIRR, 0, "Linux's trick for a stuck remote IRR");
	wr(0x16, LEVEL | 0x33);
	cr_expect_eq(nsent, 2, "back to level and unmasked while asserted");
}

Test(ioapic, eoi_clears_every_pin_with_that_vector)
{
	route(6, LEVEL | 0x50, 0);
	route(7, LEVEL | 0x50, 0);
	route(8, 0x50, 0);
	ioapic_set_irq(&io, 6, true);
	ioapic_set_irq(&io, 7, true);
	ioapic_set_irq(&io, 6, false);
	ioapic_set_irq(&io, 7, false);
	ioapic_eoi(&io, 0x50);
	cr_expect_eq(rd(0x10 + 12) & RIRR, 0);
	cr_expect_eq(rd(0x10 + 14) & RIRR, 0);
	cr_expect_eq(nsent, 2);
}

Test(ioapic, message_fields)
{
	route(2, (1u << 11) | (1u << 8) | 0x62, 0x0C);   /* logical, lowest priority */
	route(0, 7u << 8, 0);                            /* ExtINT */
	route(12, 4u << 8, 0xFF);                        /* NMI, broadcast */
	ioapic_set_irq(&io, 2, true);
	ioapic_set_irq(&io, 0, true);
	ioapic_set_irq(&io, 12, true);
	cr_assert_eq(nsent, 3);
	cr_expect(sent[0].logical);
	cr_expect_eq(sent[0].mode, 1);
	cr_expect_eq(sent[0].dest, 0x0C);
	cr_expect_eq(sent[0].vector, 0x62);
	cr_expect_eq(sent[1].mode, 7);
	cr_expect_eq(sent[2].mode, 4);
	cr_expect_eq(sent[2].dest, 0xFF);
	cr_expect_eq(io.delivered[2], 1);
}

Test(ioapic, nonsense_is_logged_once_and_ignored)
{
	cr_expect_eq(ioapic_mmio_read(&io, 0x04), 0);
	ioapic_mmio_write(&io, 0x20, 5);
	ioapic_mmio_write(&io, 0x40, 5);
	cr_expect_eq(nlog, 1, "one line for bad offsets");
	cr_expect(strstr(lastlog, "offset"), "the line says what: %s", lastlog);
	cr_expect_eq(rd(0x40), 0, "beyond the table");
	cr_expect_eq(rd(0x03), 0);
	wr(0x40, 0xFFFFFFFF);
	cr_expect_eq(nlog, 2, "one line for bad indexes");
	ioapic_set_irq(&io, 24, true);
	ioapic_set_irq(&io, 1000, true);
	cr_expect_eq(nlog, 3, "one line for bad pins");
	cr_expect_eq(nsent, 0);
	for (unsigned pin = 0; pin < 24; pin++)
		cr_expect_eq(rd(0x10 + 2 * pin), MASK, "pin %u untouched", pin);
}

Test(ioapic, no_callback_is_safe)
{
	ioapic_init(&io, 0, NULL, NULL);
	route(1, 0x41, 0);
	ioapic_set_irq(&io, 1, true);
	cr_expect_eq(io.delivered[1], 1);
}
