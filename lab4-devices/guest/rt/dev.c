/*
 * dev.c - helpers for the PC's devices (g4_dev.h), the TSC clock, and
 * g4_quiesce(), which every test starts from.
 */
#include "g4_dev.h"

/* ---- 8259A ---- */

void pic_init(uint8_t master_base, uint8_t slave_base)
{
	outb(PIC1_CMD, 0x11);		/* ICW1: edge, cascade, ICW4 follows */
	outb(PIC1_DATA, master_base);	/* ICW2 */
	outb(PIC1_DATA, 1u << 2);	/* ICW3: a slave on IR2 */
	outb(PIC1_DATA, 0x01);		/* ICW4: 8086 mode, normal EOI */
	outb(PIC2_CMD, 0x11);
	outb(PIC2_DATA, slave_base);
	outb(PIC2_DATA, 2);		/* ICW3: slave ID 2 */
	outb(PIC2_DATA, 0x01);
	pic_set_masks(0xff, 0xff);
}

void pic_set_masks(uint8_t master, uint8_t slave)
{
	outb(PIC1_DATA, master);
	outb(PIC2_DATA, slave);
}

static uint8_t pic_read_reg(unsigned chip, uint8_t ocw3)
{
	uint16_t cmd = chip ? PIC2_CMD : PIC1_CMD;
	outb(cmd, ocw3);
	uint8_t v = inb(cmd);
	outb(cmd, PIC_READ_IRR);	/* leave reads at IRR, the power-up choice */
	return v;
}

uint8_t pic_read_irr(unsigned chip)
{
	return pic_read_reg(chip, PIC_READ_IRR);
}

uint8_t pic_read_isr(unsigned chip)
{
	return pic_read_reg(chip, PIC_READ_ISR);
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}

/* ---- 8254 ---- */

void pit_program(unsigned ch, unsigned mode, uint32_t count)
{
	outb(PIT_CMD, (uint8_t)(ch << 6 | 3u << 4 | mode << 1));
	outb((uint16_t)(PIT_CH0 + ch), (uint8_t)count);
	outb((uint16_t)(PIT_CH0 + ch), (uint8_t)(count >> 8));
}

uint16_t pit_latch(unsigned ch)
{
	outb(PIT_CMD, (uint8_t)(ch << 6));	/* counter latch command */
	uint8_t lo = inb((uint16_t)(PIT_CH0 + ch));
	uint8_t hi = inb((uint16_t)(PIT_CH0 + ch));
	return (uint16_t)(hi << 8 | lo);
}

uint8_t pit_status(unsigned ch)
{
	/* Read-back: 11, COUNT# = 1 (no count), STATUS# = 0, the channel's bit. */
	outb(PIT_CMD, (uint8_t)(0xc0 | 0x20 | (2u << ch)));
	return inb((uint16_t)(PIT_CH0 + ch));
}

void pit_stop_ch0(void)
{
	outb(PIT_CMD, 0x30);		/* channel 0, LSB/MSB, mode 0: waits for a count */
}

/* ---- RTC ---- */

uint8_t rtc_read(uint8_t reg)
{
	outb(RTC_INDEX, reg);
	return inb(RTC_DATA);
}

void rtc_write(uint8_t reg, uint8_t val)
{
	outb(RTC_INDEX, reg);
	outb(RTC_DATA, val);
}

/* ---- local APIC ---- */

bool lapic_vec_bit(uint32_t base, unsigned vector)
{
	return (lapic_read(base + (vector / 32) * 0x10) >> (vector % 32)) & 1;
}

void lapic_self_ipi(uint8_t vector)
{
	lapic_write(LAPIC_ICR_HI, 0);
	lapic_write(LAPIC_ICR_LO, LAPIC_ICR_SELF | vector);	/* fixed, edge, assert */
}

void lapic_enable(void)
{
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
}

/* ---- I/O APIC ---- */

uint32_t ioapic_read(uint8_t reg)
{
	mmio_write32(IOAPIC_BASE + IOAPIC_REGSEL, reg);
	return mmio_read32(IOAPIC_BASE + IOAPIC_WIN);
}

/* Pins whose entry a test wrote: g4_quiesce masks them (all of them at boot). */
static uint32_t ioapic_dirty = (1u << IOAPIC_NPINS) - 1;

void ioapic_write(uint8_t reg, uint32_t val)
{
	if (reg >= IOAPIC_REDTBL(0) && reg < IOAPIC_REDTBL(IOAPIC_NPINS))
		ioapic_dirty |= 1u << ((reg - IOAPIC_REDTBL(0)) / 2);
	mmio_write32(IOAPIC_BASE + IOAPIC_REGSEL, reg);
	mmio_write32(IOAPIC_BASE + IOAPIC_WIN, val);
}

void ioapic_set_rte(unsigned pin, uint32_t lo, uint8_t dest)
{
	/* Masked while it changes, so no half-written entry ever fires. */
	ioapic_write((uint8_t)IOAPIC_REDTBL(pin), RTE_MASKED);
	ioapic_write((uint8_t)(IOAPIC_REDTBL(pin) + 1), (uint32_t)dest << 24);
	ioapic_write((uint8_t)IOAPIC_REDTBL(pin), lo);
}

/* ---- platform ports ---- */

uint64_t fw_cfg_read(uint16_t key, unsigned n)
{
	uint64_t v = 0;
	outw(FW_CFG_SEL, key);
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)inb(FW_CFG_DATA) << (8 * i);
	return v;
}

uint32_t pci_read32(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	outl(PCI_ADDR, 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc));
	return inl(PCI_DATA);
}

/* ---- time ---- */

uint64_t g4_tsc_hz;

uint64_t g4_us_to_tsc(uint64_t us)
{
	return us * g4_tsc_hz / 1000000;
}

uint64_t g4_tsc_to_us(uint64_t ticks)
{
	return g4_tsc_hz ? ticks * 1000000 / g4_tsc_hz : 0;
}

void g4_delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + g4_us_to_tsc(us);
	while (rdtsc() < end)
		cpu_relax();
}

bool g4_wait_irqs(unsigned vector, uint32_t count, uint64_t timeout_us)
{
	uint64_t end = rdtsc() + g4_us_to_tsc(timeout_us);
	sti();
	while (g4_irq_count[vector] < count && rdtsc() < end)
		cpu_relax();
	cli();
	return g4_irq_count[vector] >= count;
}

uint64_t pit_calibrate_tsc(unsigned ms)
{
	uint32_t count = PIT_HZ / 1000 * ms;
	uint8_t b = inb(PORT_B) & (uint8_t)~(PORT_B_GATE2 | PORT_B_SPKR);

	outb(PORT_B, b);			/* gate low: channel 2 holds */
	pit_program(2, 0, count);		/* mode 0: OUT2 rises at terminal count */
	uint64_t t0 = rdtsc();
	outb(PORT_B, b | PORT_B_GATE2);		/* gate high: it counts */
	uint64_t limit = 0;
	while (!(inb(PORT_B) & PORT_B_OUT2)) {
		/* Bounded by iterations, not time: the TSC is what is being measured. */
		if (++limit > 10000000)
			return 0;
	}
	uint64_t t1 = rdtsc();
	outb(PORT_B, b);
	return (t1 - t0) * 1000 / ms;
}

/* ---- the state hvlab started us in ---- */

uint32_t g4_boot_rte[IOAPIC_NPINS];
uint32_t g4_boot_lapic_svr, g4_boot_lapic_lint0, g4_boot_lapic_timer;

void g4_snapshot_boot_state(void)
{
	for (unsigned pin = 0; pin < IOAPIC_NPINS; pin++)
		g4_boot_rte[pin] = ioapic_read((uint8_t)IOAPIC_REDTBL(pin));
	g4_boot_lapic_svr = lapic_read(LAPIC_SVR);
	g4_boot_lapic_lint0 = lapic_read(LAPIC_LVT_LINT0);
	g4_boot_lapic_timer = lapic_read(LAPIC_LVT_TIMER);
}

/* ---- back to the quiet state ---- */

void g4_quiesce(void)
{
	cli();
	/* UART: the console again (loopback off, no interrupt), its input drained. */
	g4_console_init();
	for (unsigned i = 0; i < 64 && (uart_in(UART_LSR) & LSR_DR); i++)
		(void)uart_in(UART_RBR);
	(void)uart_in(UART_IIR);
	(void)uart_in(UART_MSR);

	/* The PICs afresh: ICW1 clears ISR, IMR and edge requests. */
	pic_init(PIC1_VECTOR, PIC2_VECTOR);
	pit_stop_ch0();
	outb(PORT_B, inb(PORT_B) & (uint8_t)~(PORT_B_GATE2 | PORT_B_SPKR));

	rtc_write(RTC_A, RTC_A_DEFAULT);
	rtc_write(RTC_B, RTC_B_24H);
	(void)rtc_read(RTC_C);

	/* Local APIC: back to xAPIC if a test left x2APIC on (disable resets it). */
	uint64_t base;
	if (g4_rdmsr(MSR_APIC_BASE, &base) == 0 && (base & APIC_BASE_EXTD)) {
		g4_wrmsr(MSR_APIC_BASE, base & ~(uint64_t)(APIC_BASE_EXTD | APIC_BASE_EN));
		g4_wrmsr(MSR_APIC_BASE, (base & ~(uint64_t)APIC_BASE_EXTD) | APIC_BASE_EN);
	}
	if (lapic_read(LAPIC_SVR) & LAPIC_SVR_ENABLE) {
		lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
		lapic_write(LAPIC_TIMER_ICR, 0);
		lapic_write(LAPIC_TPR, 0);
		/* Each EOI ends the highest vector in service (SDM 10.8.5). */
		for (unsigned i = 0; i < 16; i++) {
			bool any = false;
			for (unsigned r = 0; r < 8 && !any; r++)
				any = lapic_read(LAPIC_ISR + r * 0x10) != 0;
			if (!any)
				break;
			lapic_eoi();
		}
	}
	uint32_t dirty = ioapic_dirty;
	for (unsigned pin = 0; pin < IOAPIC_NPINS; pin++)
		if (dirty & (1u << pin))
			ioapic_write((uint8_t)IOAPIC_REDTBL(pin), RTE_MASKED);
	ioapic_dirty = 0;

	for (unsigned v = 0; v < 256; v++) {
		g4_set_handler(v, NULL);
		g4_irq_count[v] = 0;
	}
	g4_stray_count = 0;
	g4_stray_vector = 0;
}
