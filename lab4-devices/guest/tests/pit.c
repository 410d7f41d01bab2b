/*
 * pit.c - the 8254 (Intel 8254 datasheet, order 231164) and port 0x61:
 * channel 2 behind its gate with OUT2 in port 0x61 bit 5, as Linux
 * calibrates the TSC (arch/x86/kernel/tsc.c, pit_calibrate_tsc), counter
 * latch and read-back, mode 0 (one interrupt at terminal count), mode 2
 * (a rate generator on IRQ 0), mode 3 (a square wave), and HLT, which
 * must sleep until the next timer interrupt and no longer.
 *
 * Timing tolerances allow for hvlab's exits: each port access costs the
 * guest some microseconds of its own time (INFO line at boot).
 */
#include "g4_dev.h"

#define VEC_IRQ0	PIC1_VECTOR
#define TICKS_PER_MS	1193u		/* PIT input clocks per millisecond */

static volatile uint64_t irq_tsc[32];

static void irq0_isr(struct g4_frame *f)
{
	(void)f;
	uint32_t n = g4_irq_count[VEC_IRQ0];
	if (n <= 32)
		irq_tsc[n - 1] = rdtsc();
	pic_eoi(0);
}

static void irq0_setup(void)
{
	g4_set_handler(VEC_IRQ0, irq0_isr);
	pic_set_masks(0xfe, 0xff);
}

/* Two calibrations (10 and 20 ms) agree within 3%, and with the one at boot. */
void test_tsc_calibration(void)
{
	uint64_t a = pit_calibrate_tsc(10), b = pit_calibrate_tsc(20);
	g4_info("TSC calibration: %llu Hz over 10 ms, %llu Hz over 20 ms\n", (unsigned long long)a,
		(unsigned long long)b);
	CHECK(a && b, "OUT2 never rose (10 ms: %llu, 20 ms: %llu)", (unsigned long long)a,
	      (unsigned long long)b);
	CHECK_RANGE(b, 1000000ull, 100000000000ull, "TSC Hz");
	CHECK_RANGE(a, b - b * 3 / 100, b + b * 3 / 100, "TSC Hz over 10 ms vs. over 20 ms");
	CHECK_RANGE(g4_tsc_hz, b - b * 3 / 100, b + b * 3 / 100, "TSC Hz at boot vs. now");
}

/*
 * Mode 0 on channel 2: with GATE2 low the count is loaded but does not
 * run, OUT2 stays low; with GATE2 high OUT2 rises after the count. Port
 * 0x61 bits 0 and 1 read back; bit 4 toggles with DRAM refresh.
 */
void test_pit_ch2_gate_out2(void)
{
	uint8_t b = inb(PORT_B) & (uint8_t)~(PORT_B_GATE2 | PORT_B_SPKR);
	outb(PORT_B, b);
	pit_program(2, 0, 2 * TICKS_PER_MS);
	CHECK_EQ(inb(PORT_B) & PORT_B_OUT2, 0, "OUT2 after programming mode 0");
	g4_delay_us(4000);
	CHECK_EQ(inb(PORT_B) & PORT_B_OUT2, 0, "OUT2 after 4 ms with the gate low");
	CHECK_EQ(pit_latch(2), 2 * TICKS_PER_MS, "channel 2's count with the gate low (held)");
	uint64_t t0 = rdtsc();
	outb(PORT_B, b | PORT_B_GATE2);
	CHECK_EQ(inb(PORT_B) & (PORT_B_GATE2 | PORT_B_SPKR), PORT_B_GATE2, "port 0x61 bits 1:0");
	uint64_t end = t0 + g4_us_to_tsc(20000);
	while (!(inb(PORT_B) & PORT_B_OUT2) && rdtsc() < end)
		;
	uint64_t us = g4_tsc_to_us(rdtsc() - t0);
	CHECK(inb(PORT_B) & PORT_B_OUT2, "OUT2 still low 20 ms after raising the gate");
	CHECK_RANGE(us, 1700, 2600, "us from raising the gate to OUT2 (2 ms count)");
	outb(PORT_B, b);
	CHECK(inb(PORT_B) & PORT_B_OUT2, "OUT2 fell when the gate fell (mode 0 keeps it high)");

	unsigned seen = 0;
	for (unsigned i = 0; i < 64 && seen != 3; i++) {
		seen |= inb(PORT_B) & PORT_B_REFRESH ? 2 : 1;
		g4_delay_us(3 + i * 7);
	}
	CHECK_EQ(seen, 3, "port 0x61 bit 4 (refresh) seen at 0 and at 1");
}

/*
 * The counter latch command freezes the count until it is read: a value
 * latched, read 2 ms later, is ~2386 clocks above a fresh one. Latched
 * counts go down (mode 2, period 60000). The read-back status shows the
 * mode and access.
 */
void test_pit_counter_latch(void)
{
	const uint32_t period = 60000;
	pit_program(0, 2, period);
	g4_delay_us(500);
	CHECK_EQ(pit_status(0) & 0x7f, 0x34, "status: NULL COUNT, access, mode, BCD");
	outb(PIT_CMD, 0x00);			/* latch channel 0 */
	uint64_t t0 = rdtsc();
	g4_delay_us(2000);
	uint32_t held = inb(PIT_CH0);
	held |= (uint32_t)inb(PIT_CH0) << 8;
	uint32_t now = pit_latch(0);
	uint64_t us = g4_tsc_to_us(rdtsc() - t0);
	uint32_t d = (held + period - now) % period;
	CHECK_RANGE(held, 1, period, "latched count");
	CHECK_RANGE(d, (uint32_t)(us * TICKS_PER_MS / 1000) * 8 / 10,
		    (uint32_t)(us * TICKS_PER_MS / 1000) * 12 / 10 + 50,
		    "clocks between a latched count read late and a fresh one");
	uint32_t prev = pit_latch(0);
	for (int i = 0; i < 5; i++) {
		g4_delay_us(300);
		uint32_t v = pit_latch(0);
		CHECK_RANGE(v, 1, period, "latched count");
		uint32_t step = (prev + period - v) % period;
		CHECK(step > 0 && step < period / 2, "count went from %u to %u: not down", prev, v);
		prev = v;
	}
}

/* Mode 0: OUT low until terminal count, then one rising edge (one IRQ 0) and high for good. */
void test_pit_mode0_oneshot(void)
{
	irq0_setup();
	uint64_t t0 = rdtsc();
	pit_program(0, 0, 10 * TICKS_PER_MS);
	uint8_t st = pit_status(0);
	CHECK_EQ(st & (PIT_ST_OUT | 0x3f), 0x30, "status after the count (OUT low, mode 0)");
	CHECK(g4_wait_irqs(VEC_IRQ0, 1, 30000), "no IRQ 0 within 30 ms of a 10 ms one-shot");
	uint64_t us = g4_tsc_to_us(irq_tsc[0] - t0);
	CHECK_RANGE(us, 9500, 11500, "us to the one-shot's interrupt");
	CHECK(!g4_wait_irqs(VEC_IRQ0, 2, 20000), "a second interrupt from a one-shot");
	CHECK_EQ(pit_status(0) & PIT_ST_OUT, PIT_ST_OUT, "OUT after terminal count");
}

/* Mode 2 with 1193 clocks: IRQ 0 at 1000.15 Hz; 20 periods take 20 ms. */
void test_pit_mode2_rate(void)
{
	irq0_setup();
	pit_program(0, 2, TICKS_PER_MS);
	CHECK(g4_wait_irqs(VEC_IRQ0, 21, 100000), "only %u IRQ 0 in 100 ms at 1 kHz",
	      g4_irq_count[VEC_IRQ0]);
	uint64_t us = g4_tsc_to_us(irq_tsc[20] - irq_tsc[0]);
	g4_info("PIT mode 2: 20 periods of 1193 clocks in %llu us\n", (unsigned long long)us);
	CHECK_RANGE(us, 18000, 22000, "us for 20 periods");
	CHECK_EQ(g4_stray_count, 0, "interrupts on other vectors");
}

/* Mode 3 on channel 2 (gate high): OUT2 is a square wave, high half the period. */
void test_pit_mode3_square_wave(void)
{
	uint8_t b = inb(PORT_B) & (uint8_t)~(PORT_B_GATE2 | PORT_B_SPKR);
	pit_program(2, 3, 2 * TICKS_PER_MS);
	outb(PORT_B, b | PORT_B_GATE2);
	uint64_t t0 = rdtsc(), end = t0 + g4_us_to_tsc(20000), high = 0, last = t0;
	unsigned edges = 0, samples = 0;
	bool level = inb(PORT_B) & PORT_B_OUT2;
	for (uint64_t t = t0; t < end; t = rdtsc()) {
		bool l = inb(PORT_B) & PORT_B_OUT2;
		if (level)
			high += t - last;
		last = t;
		edges += l != level;
		level = l;
		samples++;
	}
	outb(PORT_B, b);
	unsigned pct = (unsigned)(high * 100 / (last - t0));
	g4_info("PIT mode 3: %u edges, high %u%% of 20 ms (%u samples)\n", edges, pct, samples);
	CHECK_RANGE(edges, 16, 24, "OUT2 edges in 20 ms of a 2 ms square wave");
	CHECK_RANGE(pct, 35, 65, "percent of the time OUT2 was high");
}

/*
 * HLT with IF set sleeps until the next interrupt: ten HLTs in a row each
 * take one IRQ 0 of a 7 ms PIT period and last that long. (7 ms, not a
 * divisor of 10: hvlab's own 100 Hz timer then interrupts some of them,
 * which must not end the guest's HLT.)
 */
void test_hlt_wakes_on_timer(void)
{
	irq0_setup();
	pit_program(0, 2, 7 * TICKS_PER_MS);
	sti_hlt();			/* lands us just after a tick */
	cli();
	CHECK_EQ(g4_irq_count[VEC_IRQ0], 1, "interrupts when the first HLT returned");
	for (unsigned i = 0; i < 10; i++) {
		uint32_t n = g4_irq_count[VEC_IRQ0];
		uint64_t t0 = rdtsc();
		sti_hlt();
		cli();
		uint64_t us = g4_tsc_to_us(rdtsc() - t0);
		CHECK(g4_irq_count[VEC_IRQ0] == n + 1,
		      "HLT %u returned after %llu us having taken %u interrupts, want 1", i + 2,
		      (unsigned long long)us, g4_irq_count[VEC_IRQ0] - n);
		CHECK_RANGE(us, 5500, 7300, "us in HLT until the next tick of a 7 ms PIT");
	}
}
