/*
 * ioapic.c - the I/O APIC (Intel 82093AA datasheet, order 290566): the
 * version and ID registers, redirection entries as reset and as written
 * (read-only delivery status and remote IRR), ISA IRQ 0 on pin 2 as the
 * MP table says, edge-triggered through the local APIC with both PICs
 * masked, masking a pin, and a level-triggered pin's remote IRR, which
 * the local APIC's EOI clears (and which sends again if the line is still
 * asserted).
 */
#include "g4_dev.h"

#define PIN_PIT		2
#define PIN_RTC		8
#define VEC_PIT		0x50
#define VEC_RTC		0x51

static volatile uint64_t irq_tsc[16];

static void count_isr(struct g4_frame *f)
{
	uint32_t n = g4_irq_count[f->vector];
	if (n <= 16)
		irq_tsc[n - 1] = rdtsc();
	lapic_eoi();
}

static uint8_t my_apic_id(void)
{
	return (uint8_t)(lapic_read(LAPIC_ID) >> 24);
}

/* Version 0x11 (82093AA) or 0x20 (PIIX/ICH), 24 pins: maximum redirection entry 23. */
void test_ioapic_version_id(void)
{
	uint32_t ver = ioapic_read(IOAPIC_REG_VER);
	g4_info("I/O APIC version %#x, ID %#x\n", ver, ioapic_read(IOAPIC_REG_ID));
	CHECK((ver & 0xff) == 0x11 || (ver & 0xff) == 0x20, "version %#x", ver & 0xff);
	CHECK_EQ((ver >> 16) & 0xff, IOAPIC_NPINS - 1, "maximum redirection entry");
	mmio_write32(IOAPIC_BASE + IOAPIC_REGSEL, IOAPIC_REG_VER);
	CHECK_EQ(mmio_read32(IOAPIC_BASE + IOAPIC_REGSEL), IOAPIC_REG_VER, "IOREGSEL read back");
}

/*
 * At reset every entry is masked (datasheet 3.2.4). The guest writes
 * vector, delivery and destination modes, polarity, trigger and mask;
 * delivery status (bit 12) and remote IRR (bit 14) are read-only.
 */
void test_ioapic_rte_reset_rw(void)
{
	for (unsigned pin = 0; pin < IOAPIC_NPINS; pin++)
		CHECK(g4_boot_rte[pin] & RTE_MASKED, "pin %u not masked at boot (low dword %#x)", pin,
		      g4_boot_rte[pin]);
	const unsigned pin = 10;
	ioapic_write(IOAPIC_REDTBL(pin) + 1, 0xab000000u);
	ioapic_write(IOAPIC_REDTBL(pin), RTE_MASKED | RTE_LEVEL | RTE_REMOTE_IRR | RTE_LOW_ACTIVE |
		     (1u << 12) | (1u << 11) | 0x55);
	CHECK_EQ(ioapic_read(IOAPIC_REDTBL(pin)), RTE_MASKED | RTE_LEVEL | RTE_LOW_ACTIVE |
		 (1u << 11) | 0x55, "low dword after writing the read-only bits too");
	CHECK_EQ(ioapic_read(IOAPIC_REDTBL(pin) + 1) >> 24, 0xab, "destination field");
}

/*
 * ISA IRQ 0 (PIT, 250 Hz) on pin 2, edge, fixed, physical destination
 * this CPU: an interrupt every 4 ms on the vector chosen, none through the
 * PICs; masking the pin stops them. (Each interrupt costs an MMIO exit
 * for the EOI: 250 Hz leaves the guest time to run.)
 */
void test_ioapic_pit_pin2(void)
{
	lapic_enable();
	g4_set_handler(VEC_PIT, count_isr);
	ioapic_set_rte(PIN_PIT, VEC_PIT, my_apic_id());
	pit_program(0, 2, 4773);		/* 249.98 Hz */
	CHECK(g4_wait_irqs(VEC_PIT, 11, 100000), "only %u interrupts on pin 2 in 100 ms at 250 Hz",
	      g4_irq_count[VEC_PIT]);
	uint64_t us = g4_tsc_to_us(irq_tsc[10] - irq_tsc[0]);
	CHECK_RANGE(us, 38000, 42000, "us for 10 PIT periods through the I/O APIC");
	CHECK(!lapic_vec_bit(LAPIC_TMR, VEC_PIT), "TMR bit set for an edge-triggered pin");
	CHECK_EQ(g4_irq_count[PIC1_VECTOR], 0, "interrupts through the (masked) PIC");
	ioapic_write(IOAPIC_REDTBL(PIN_PIT), RTE_MASKED | VEC_PIT);
	g4_wait_irqs(VEC_PIT, 0xffffffffu, 1000);	/* let one already in the APIC through */
	uint32_t n = g4_irq_count[VEC_PIT];
	CHECK(!g4_wait_irqs(VEC_PIT, n + 1, 5000), "an interrupt from a masked pin");
	CHECK_EQ(g4_stray_count, 0, "interrupts on other vectors");
}

static volatile uint32_t rte_on_entry[4], rte_after_eoi[4];
static volatile bool tmr_on_entry[4];

/*
 * The first time in, the line (the RTC's IRQF) stays asserted across the
 * EOI, so the pin sends again; the second time the handler acknowledges
 * the RTC first, and that is the last one.
 */
static void rtc_level_isr(struct g4_frame *f)
{
	uint32_t n = g4_irq_count[f->vector];
	if (n > 4)
		n = 4;
	rte_on_entry[n - 1] = ioapic_read(IOAPIC_REDTBL(PIN_RTC));
	tmr_on_entry[n - 1] = lapic_vec_bit(LAPIC_TMR, VEC_RTC);
	if (n >= 2) {
		rtc_write(RTC_B, RTC_B_24H);
		(void)rtc_read(RTC_C);
	}
	lapic_eoi();
	rte_after_eoi[n - 1] = ioapic_read(IOAPIC_REDTBL(PIN_RTC));
}

/* Level-triggered: remote IRR set while the APIC has it, cleared by the EOI. */
void test_ioapic_level_remote_irr(void)
{
	lapic_enable();
	g4_set_handler(VEC_RTC, rtc_level_isr);
	(void)rtc_read(RTC_C);
	ioapic_set_rte(PIN_RTC, RTE_LEVEL | VEC_RTC, my_apic_id());
	rtc_write(RTC_B, RTC_B_24H | RTC_B_PIE);	/* 1024 Hz */
	CHECK(g4_wait_irqs(VEC_RTC, 2, 20000), "%u level interrupts from the RTC in 20 ms",
	      g4_irq_count[VEC_RTC]);
	CHECK(!g4_wait_irqs(VEC_RTC, 3, 5000), "a third interrupt after the RTC was acknowledged");
	for (int i = 0; i < 2; i++) {
		CHECK(rte_on_entry[i] & RTE_REMOTE_IRR, "remote IRR clear in handler %d", i + 1);
		CHECK(tmr_on_entry[i], "TMR bit clear for a level-triggered vector (handler %d)", i + 1);
	}
	CHECK(!(rte_after_eoi[1] & RTE_REMOTE_IRR), "remote IRR after the last EOI");
	CHECK(!(ioapic_read(IOAPIC_REDTBL(PIN_RTC)) & RTE_REMOTE_IRR), "remote IRR at the end");
}
