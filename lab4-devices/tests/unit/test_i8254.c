/*
 * test_i8254.c - the 8254 PIT and port 0x61 model (i8254.c) on the host.
 *
 * Every access carries an explicit guest time. Times are built from PIT
 * input-clock ticks with pit_tick_to_ns(), whose inverse is checked first,
 * so that "one tick before" and "at the tick" are exact. The Linux
 * sequences replayed are pit_calibrate_tsc() and quick_pit_calibrate()
 * (arch/x86/kernel/tsc.c), and the i8253 clockevent and clocksource
 * (drivers/clocksource/i8253.c): periodic 0x34, oneshot 0x38, shutdown
 * 0x30, counter latch 0x00.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "i8254.h"

#define T0 5000000000ull	/* guest time of pit_init: 5 s, any value will do */
#define HZ_LATCH ((PIT_HZ + 125) / 250)	/* Linux's PIT_LATCH at HZ=250: 4773 */

static struct i8254 pit;
static int nlogs;
static char lastlog[256];
static bool irq_level;
static int irq_rises, irq_falls;

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(lastlog, sizeof(lastlog), fmt, ap);
	va_end(ap);
	nlogs++;
	return 0;
}

static void on_irq0(void *ctx, bool level)
{
	cr_assert_eq(ctx, (void *)&pit);
	cr_assert_neq(level, irq_level, "irq0() is called only when the line changes");
	irq_level = level;
	if (level)
		irq_rises++;
	else
		irq_falls++;
}

static void setup(void)
{
	nlogs = 0;
	lastlog[0] = 0;
	irq_level = false;
	irq_rises = irq_falls = 0;
	pit_init(&pit, T0, on_irq0, &pit);
}

TestSuite(i8254, .init = setup);

/* Guest time at which tick @k has begun. */
static uint64_t at(uint64_t k)
{
	return pit_tick_to_ns(k);
}

static uint64_t tick0(void)
{
	return pit_ns_to_tick(T0);
}

static void outb(uint8_t val, uint16_t port, uint64_t ns)
{
	pit_write(&pit, port, val, ns);
}

static uint8_t inb(uint16_t port, uint64_t ns)
{
	return pit_read(&pit, port, ns);
}

/* Counter latch command, then LSB and MSB: Linux's i8253_read(). */
static unsigned latched_count(unsigned ch, uint64_t ns)
{
	outb((uint8_t)(ch << 6), PIT_MODE, ns);
	unsigned v = inb(PIT_CH0 + ch, ns);
	return v | inb(PIT_CH0 + ch, ns) << 8;
}

/* Read-back status of one channel. */
static uint8_t status(unsigned ch, uint64_t ns)
{
	outb(0xc0 | PIT_RB_NOT_COUNT | (2u << ch), PIT_MODE, ns);
	return inb(PIT_CH0 + ch, ns);
}

static bool out_of(unsigned ch, uint64_t ns)
{
	return status(ch, ns) & PIT_ST_OUT;
}

/* Program @ch: control word @cw, then a 16-bit count LSB, MSB, at tick @k. */
static void program(unsigned ch, uint8_t cw, uint16_t count, uint64_t k)
{
	outb(cw, PIT_MODE, at(k));
	outb(count & 0xff, PIT_CH0 + ch, at(k));
	outb(count >> 8, PIT_CH0 + ch, at(k));
}

Test(i8254, tick_conversions_are_inverse)
{
	cr_assert_eq(pit_ns_to_tick(1000000000ull), PIT_HZ);
	cr_assert_eq(pit_tick_to_ns(PIT_HZ), 1000000000ull);
	cr_assert_eq(pit_ns_to_tick(838), 0, "one tick is 838.09 ns");
	cr_assert_eq(pit_ns_to_tick(839), 1);
	cr_assert_eq(pit_tick_to_ns(1), 839);
	uint64_t ticks[] = { 1, 2, 3, 999, 65536, PIT_HZ - 1, PIT_HZ + 1, 123456789012ull,
			     (1ull << 50) + 12345 };
	for (unsigned i = 0; i < sizeof(ticks) / sizeof(ticks[0]); i++) {
		uint64_t t = ticks[i];
		cr_assert_eq(pit_ns_to_tick(at(t)), t, "tick %llu", (unsigned long long)t);
		cr_assert_eq(pit_ns_to_tick(at(t) - 1), t - 1, "tick %llu", (unsigned long long)t);
	}
}

Test(i8254, starts_with_the_bios_18hz_tick)
{
	uint64_t k = tick0();
	cr_assert_eq(irq_rises + irq_falls, 0, "pit_init calls nothing");
	/* Mode 3, 65536: the first rise one period after the load at k + 1. */
	cr_assert_eq(pit_next_event(&pit, T0), at(k + 1 + 65536));
	pit_update(&pit, T0 + 1000);
	cr_assert(irq_level, "OUT is high in the first half: the line comes up");
	cr_assert_eq(status(0, T0 + 1000), PIT_ST_OUT | 0x36, "mode 3, LSB then MSB, binary");
	pit_update(&pit, at(k + 1 + 32768));
	cr_assert_not(irq_level, "second half low");
	pit_update(&pit, at(k + 1 + 65536));
	cr_assert(irq_level);
	cr_assert_eq(irq_rises, 2);
	cr_assert_eq(inb(PIT_PORT_B, T0) & 0x0f, 0, "port 0x61 starts at 0: gate 2 low");
}

/*
 * pit_calibrate_tsc(latch = 11931, ms = 10): gate on, speaker off, channel
 * 2 in mode 0 with the count, then poll port 0x61 bit 5 until OUT is high.
 */
Test(i8254, linux_pit_calibrate_tsc)
{
	const unsigned latch = PIT_HZ / (1000 / 10);
	uint64_t t = T0 + 123457;
	outb((inb(PIT_PORT_B, t) & ~0x02) | 0x01, PIT_PORT_B, t);
	cr_assert_eq(inb(PIT_PORT_B, t) & 0x03, 0x01, "bits 1:0 read back");
	outb(0xb0, PIT_MODE, t);
	cr_assert_eq(inb(PIT_PORT_B, t) & PIT_B_OUT2, 0, "mode 0: OUT low after the control word");
	outb(latch & 0xff, PIT_CH2, t);
	outb(latch >> 8, PIT_CH2, t);
	uint64_t w = pit_ns_to_tick(t);
	uint64_t high = at(w + 1 + latch);	/* N + 1 clocks after the write */

	/* Poll every 100 ns, as a loop with rdtsc would. */
	uint64_t seen = 0, polls = 0;
	for (uint64_t now = t; now < t + 20000000ull; now += 100) {
		polls++;
		if (inb(PIT_PORT_B, now) & PIT_B_OUT2) {
			seen = now;
			break;
		}
	}
	cr_assert(seen, "OUT2 never went high");
	cr_assert(seen >= high && seen < high + 100, "OUT2 rose at %llu ns, expected %llu",
		  (unsigned long long)seen, (unsigned long long)high);
	cr_assert(inb(PIT_PORT_B, high + 5000000) & PIT_B_OUT2, "mode 0: OUT stays high");
	cr_assert_eq(irq_rises, 1, "channel 2 does not touch IRQ 0 (only the BIOS tick's first high)");
	cr_assert_eq(nlogs, 0, "%s", lastlog);
}

/*
 * quick_pit_calibrate(): mode 0, count 0xffff, then pit_verify_msb() reads
 * LSB and MSB of the live count (no latch) and expects the MSB to step
 * down by one every 256 ticks.
 */
Test(i8254, linux_quick_pit_calibrate_live_reads)
{
	uint64_t t = T0 + 777;
	outb((inb(PIT_PORT_B, t) & ~0x02) | 0x01, PIT_PORT_B, t);
	outb(0xb0, PIT_MODE, t);
	outb(0xff, PIT_CH2, t);
	outb(0xff, PIT_CH2, t);
	uint64_t w = pit_ns_to_tick(t);
	for (unsigned d = 0; d < 5 * 256; d += 37) {
		uint64_t now = at(w + 1 + d);
		unsigned expect = 0xffff - d;
		uint8_t lsb = inb(PIT_CH2, now);
		uint8_t msb = inb(PIT_CH2, now);
		cr_assert_eq(lsb, expect & 0xff, "d=%u", d);
		cr_assert_eq(msb, expect >> 8, "d=%u", d);
	}
	/* The two bytes of a live read come from two moments. */
	uint64_t k = w + 1 + 0x5ff;	/* count 0xfa00 */
	cr_assert_eq(inb(PIT_CH2, at(k - 1)), 0x01, "LSB of 0xfa01");
	cr_assert_eq(inb(PIT_CH2, at(k)), 0xfa, "MSB of 0xfa00");
	/* Before the load clock the count is not there yet. */
	outb(0xb0, PIT_MODE, at(k + 10));
	outb(0x34, PIT_CH2, at(k + 10));
	outb(0x12, PIT_CH2, at(k + 10));
	cr_assert_eq(status(2, at(k + 10)) & PIT_ST_NULL, PIT_ST_NULL, "null count before the load");
	cr_assert_eq(status(2, at(k + 11)) & PIT_ST_NULL, 0, "loaded on the next clock");
	cr_assert_eq(latched_count(2, at(k + 11)), 0x1234);
	cr_assert_eq(latched_count(2, at(k + 12)), 0x1233);
}

/* Mode 0 in full: OUT low, high at TC, the count wraps and goes on. */
Test(i8254, mode0_interrupt_on_terminal_count)
{
	uint64_t k = tick0() + 1000;
	program(0, 0x30, 100, k);
	cr_assert_eq(irq_rises, 1, "the BIOS tick's OUT was high until now");
	cr_assert_not(irq_level, "the control word drops OUT (and IRQ 0) at once");
	cr_assert_eq(pit_next_event(&pit, at(k)), at(k + 101));
	cr_assert_eq(latched_count(0, at(k + 1)), 100);
	cr_assert_eq(latched_count(0, at(k + 51)), 50);
	pit_update(&pit, at(k + 100));
	cr_assert_not(irq_level, "count 1 at k + 100");
	cr_assert_eq(latched_count(0, at(k + 100)), 1);
	pit_update(&pit, at(k + 101));
	cr_assert(irq_level, "terminal count at N + 1 clocks after the write");
	cr_assert_eq(latched_count(0, at(k + 101)), 0);
	cr_assert_eq(latched_count(0, at(k + 102)), 0xffff, "the counter wraps");
	cr_assert_eq(pit_next_event(&pit, at(k + 102)), UINT64_MAX, "one interrupt only");
	pit_update(&pit, at(k + 200000));
	cr_assert(irq_level);
	cr_assert_eq(irq_rises, 2);

	/* A new count restarts it: OUT falls at once, rises N + 1 later. */
	program(0, 0x30, 10, k + 300000);
	cr_assert_not(irq_level);
	cr_assert_eq(pit_next_event(&pit, at(k + 300000)), at(k + 300011));
}

Test(i8254, mode0_first_byte_stops_counting)
{
	uint64_t k = tick0() + 10;
	program(0, 0x30, 1000, k);
	pit_update(&pit, at(k + 2000));
	cr_assert(irq_level);
	outb(0x10, PIT_CH0, at(k + 2000));	/* LSB only: counting stops, OUT low */
	cr_assert_not(irq_level);
	unsigned held = latched_count(0, at(k + 2000));
	cr_assert_eq(latched_count(0, at(k + 9000)), held, "not counting between the two bytes");
	cr_assert_eq(pit_next_event(&pit, at(k + 9000)), UINT64_MAX);
	outb(0x00, PIT_CH0, at(k + 9000));	/* MSB: count 0x0010 loads */
	cr_assert_eq(pit_next_event(&pit, at(k + 9000)), at(k + 9000 + 17));
}

/* Linux's periodic clockevent: 0x34, PIT_LATCH LSB, MSB. */
Test(i8254, linux_periodic_mode2)
{
	uint64_t k = tick0() + 5;
	pit_update(&pit, at(k));
	int rises = irq_rises;
	program(0, 0x34, HZ_LATCH, k);
	cr_assert(irq_level, "mode 2: OUT high after the control word");
	uint64_t start = k + 1;
	cr_assert_eq(pit_next_event(&pit, at(k)), at(start + HZ_LATCH));
	/* OUT low for exactly the clock in which the count is 1. */
	cr_assert_eq(latched_count(0, at(start)), HZ_LATCH);
	cr_assert(out_of(0, at(start + HZ_LATCH - 2)));
	cr_assert_eq(latched_count(0, at(start + HZ_LATCH - 1)), 1);
	cr_assert_not(out_of(0, at(start + HZ_LATCH - 1)));
	cr_assert(out_of(0, at(start + HZ_LATCH)));
	cr_assert_eq(latched_count(0, at(start + HZ_LATCH)), HZ_LATCH, "reloaded");
	cr_assert_eq(latched_count(0, at(start + HZ_LATCH + 1000)), HZ_LATCH - 1000);

	/* Run the clockevent loop: update at each next_event, 250 periods. */
	uint64_t now = at(start + HZ_LATCH + 1000);
	pit_update(&pit, now);
	cr_assert_eq(irq_rises - rises, 1, "the first period's edge");
	for (int i = 2; i <= 250; i++) {
		uint64_t next = pit_next_event(&pit, now);
		cr_assert_eq(next, at(start + (uint64_t)i * HZ_LATCH), "period %d", i);
		now = next;
		pit_update(&pit, now);
		cr_assert_eq(irq_rises - rises, i, "one rising edge per period");
		cr_assert(irq_level);
	}
	/* A long stall gives one edge, not 100. */
	pit_update(&pit, now + 100 * 4000000ull);
	cr_assert_eq(irq_rises - rises, 251);
	cr_assert_eq(nlogs, 0, "%s", lastlog);
}

/* Linux's i8253_read clocksource: latch 0x00, LSB, MSB in 1..LATCH. */
Test(i8254, linux_clocksource_latch_reads)
{
	uint64_t k = tick0() + 3;
	program(0, 0x34, HZ_LATCH, k);
	for (uint64_t d = 0; d < 3 * HZ_LATCH; d += 397) {
		unsigned c = latched_count(0, at(k + 1 + d));
		cr_assert_eq(c, HZ_LATCH - d % HZ_LATCH, "d=%llu", (unsigned long long)d);
	}
}

Test(i8254, latch_holds_one_value_until_read)
{
	uint64_t k = tick0() + 3;
	program(0, 0x34, 1000, k);
	outb(0x00, PIT_MODE, at(k + 101));	/* latch: 900 */
	outb(0x00, PIT_MODE, at(k + 201));	/* ignored: still latched */
	cr_assert_eq(inb(PIT_CH0, at(k + 301)), 900 & 0xff);
	cr_assert_eq(inb(PIT_CH0, at(k + 401)), 900 >> 8);
	cr_assert_eq(inb(PIT_CH0, at(k + 501)), 500 & 0xff, "released: live LSB");
	cr_assert_eq(inb(PIT_CH0, at(k + 501)), 500 >> 8);
	/* A new control word drops a latch that was not read. */
	outb(0x00, PIT_MODE, at(k + 601));
	program(0, 0x34, 2000, k + 700);
	cr_assert_eq(latched_count(0, at(k + 701)), 2000);
}

Test(i8254, lsb_only_and_msb_only_access)
{
	uint64_t k = tick0() + 3;
	outb(0x14, PIT_MODE, at(k));	/* channel 0, LSB only, mode 2 */
	outb(200, PIT_CH0, at(k));
	cr_assert_eq(pit_next_event(&pit, at(k)), at(k + 1 + 200));
	cr_assert_eq(inb(PIT_CH0, at(k + 51)), 150);
	cr_assert_eq(inb(PIT_CH0, at(k + 52)), 149, "every read is an LSB");
	k += 100;
	outb(0x64, PIT_MODE, at(k));	/* channel 1, MSB only, mode 2 */
	outb(0x02, PIT_CH1, at(k));	/* count 0x200 */
	cr_assert_eq(inb(PIT_CH1, at(k + 1)), 0x02);
	cr_assert_eq(inb(PIT_CH1, at(k + 2)), 0x01, "0x1ff");
	cr_assert_eq(status(1, at(k + 2)), 0x80 | 0x24);
}

Test(i8254, count_zero_is_65536)
{
	uint64_t k = tick0() + 3;
	program(0, 0x34, 0, k);
	cr_assert_eq(pit_next_event(&pit, at(k)), at(k + 1 + 65536));
	cr_assert_eq(latched_count(0, at(k + 1)), 0, "65536 reads as 0");
	cr_assert_eq(latched_count(0, at(k + 2)), 0xffff);
	k += 10;
	program(2, 0xb0, 0, k);
	outb(0x01, PIT_PORT_B, at(k));
	cr_assert_not(inb(PIT_PORT_B, at(k + 65536)) & PIT_B_OUT2);
	cr_assert(inb(PIT_PORT_B, at(k + 65537)) & PIT_B_OUT2);
}

Test(i8254, mode3_square_wave_even)
{
	uint64_t k = tick0() + 3;
	program(0, 0x36, 10, k);
	uint64_t s = k + 1;
	const unsigned counts[10] = { 10, 8, 6, 4, 2, 10, 8, 6, 4, 2 };
	for (unsigned i = 0; i < 20; i++) {
		cr_assert_eq(latched_count(0, at(s + i)), counts[i % 10], "clock %u", i);
		cr_assert_eq(out_of(0, at(s + i)), i % 10 < 5, "clock %u", i);
	}
	/* Again from a fresh load, following next_event: a rise per period. */
	k = s + 100;
	program(0, 0x36, 10, k);
	s = k + 1;
	uint64_t now = at(k);
	int r = irq_rises;
	for (int i = 1; i <= 5; i++) {
		now = pit_next_event(&pit, now);
		cr_assert_eq(now, at(s + 10 * (uint64_t)i));
		pit_update(&pit, now);
		cr_assert_eq(irq_rises - r, i);
	}
}

Test(i8254, mode3_square_wave_odd)
{
	uint64_t k = tick0() + 3;
	program(0, 0x36, 7, k);
	uint64_t s = k + 1;
	/* High for (N+1)/2 = 4 clocks, low for (N-1)/2 = 3. */
	const unsigned counts[7] = { 6, 4, 2, 0, 6, 4, 2 };
	const bool outs[7] = { 1, 1, 1, 1, 0, 0, 0 };
	for (unsigned i = 0; i < 21; i++) {
		cr_assert_eq(latched_count(0, at(s + i)), counts[i % 7], "clock %u", i);
		cr_assert_eq(out_of(0, at(s + i)), outs[i % 7], "clock %u", i);
	}
	k = s + 100;
	program(0, 0x36, 7, k);
	s = k + 1;
	pit_update(&pit, at(s));
	int r = irq_rises, f = irq_falls;
	pit_update(&pit, at(s + 3));
	cr_assert_eq(irq_falls - f, 0);
	pit_update(&pit, at(s + 4));
	cr_assert_eq(irq_falls - f, 1);
	pit_update(&pit, at(s + 7));
	cr_assert_eq(irq_rises - r, 1);
}

Test(i8254, mode2_new_count_waits_for_the_period_end)
{
	uint64_t k = tick0() + 3;
	program(0, 0x34, 100, k);
	uint64_t s = k + 1;
	outb(50, PIT_CH0, at(s + 30));
	outb(0, PIT_CH0, at(s + 30));
	cr_assert_eq(status(0, at(s + 31)) & PIT_ST_NULL, PIT_ST_NULL, "not loaded yet");
	cr_assert_eq(latched_count(0, at(s + 31)), 69, "the current period goes on");
	cr_assert_eq(pit_next_event(&pit, at(s + 31)), at(s + 100));
	cr_assert_eq(latched_count(0, at(s + 100)), 50, "the new count from the period end");
	cr_assert_eq(status(0, at(s + 100)) & PIT_ST_NULL, 0);
	pit_update(&pit, at(s + 100));
	int r = irq_rises;
	cr_assert_eq(pit_next_event(&pit, at(s + 100)), at(s + 150));
	pit_update(&pit, at(s + 400));
	cr_assert_eq(irq_rises - r, 1);
	cr_assert_eq(latched_count(0, at(s + 400)), 50);
	cr_assert_eq(latched_count(0, at(s + 401)), 49);
}

Test(i8254, mode2_pending_count_seen_by_next_event)
{
	uint64_t k = tick0() + 3;
	program(0, 0x34, 100, k);
	pit_update(&pit, at(k + 1 + 100));
	int r = irq_rises;
	outb(10, PIT_CH0, at(k + 150));
	outb(0, PIT_CH0, at(k + 150));
	/* Without an update in between, the reload at k+201 and the next rise at k+211. */
	cr_assert_eq(pit_next_event(&pit, at(k + 150)), at(k + 201));
	pit_update(&pit, at(k + 205));
	cr_assert_eq(irq_rises - r, 1);
	cr_assert_eq(pit_next_event(&pit, at(k + 205)), at(k + 211));
}

Test(i8254, mode3_new_count_waits_for_the_half_cycle)
{
	uint64_t k = tick0() + 3;
	program(0, 0x36, 100, k);
	uint64_t s = k + 1;
	pit_update(&pit, at(s + 10));
	outb(20, PIT_CH0, at(s + 10));
	outb(0, PIT_CH0, at(s + 10));
	cr_assert(out_of(0, at(s + 49)));
	cr_assert_eq(latched_count(0, at(s + 49)), 2);
	cr_assert_not(out_of(0, at(s + 50)), "the high half ends as before");
	cr_assert_eq(latched_count(0, at(s + 50)), 20, "then the new count");
	cr_assert_eq(pit_next_event(&pit, at(s + 10)), at(s + 60), "low half of 10");
	cr_assert(out_of(0, at(s + 60)));
	cr_assert_not(out_of(0, at(s + 70)));
	cr_assert(out_of(0, at(s + 80)));
}

/* Linux's oneshot clockevent: 0x38 (mode 4), then each event writes LSB, MSB. */
Test(i8254, linux_oneshot_mode4)
{
	uint64_t k = tick0() + 3;
	pit_update(&pit, at(k));
	outb(0x38, PIT_MODE, at(k));
	cr_assert(irq_level, "mode 4: OUT high after the control word");
	cr_assert_eq(pit_next_event(&pit, at(k)), UINT64_MAX, "no count yet: no event");
	int r = irq_rises;
	uint16_t delta = 1193;	/* ~1 ms */
	outb(delta & 0xff, PIT_CH0, at(k + 10));
	outb(delta >> 8, PIT_CH0, at(k + 10));
	/* Loaded at k + 11; strobe low at count 0 (k + 11 + N), high one clock later. */
	uint64_t low = k + 11 + delta;
	cr_assert_eq(pit_next_event(&pit, at(k + 10)), at(low + 1));
	cr_assert(out_of(0, at(low - 1)));
	cr_assert_not(out_of(0, at(low)));
	cr_assert(out_of(0, at(low + 1)));
	pit_update(&pit, at(low + 1));
	cr_assert_eq(irq_rises - r, 1);
	cr_assert_eq(pit_next_event(&pit, at(low + 1)), UINT64_MAX, "one-shot");
	pit_update(&pit, at(low + 500000));
	cr_assert_eq(irq_rises - r, 1);
	/* The next event. */
	outb(100, PIT_CH0, at(low + 600000));
	outb(0, PIT_CH0, at(low + 600000));
	cr_assert_eq(pit_next_event(&pit, at(low + 600000)), at(low + 600000 + 102));
	pit_update(&pit, at(low + 600000 + 102));
	cr_assert_eq(irq_rises - r, 2);
	/* An update that skips the whole strobe still gives the edge. */
	outb(100, PIT_CH0, at(low + 700000));
	outb(0, PIT_CH0, at(low + 700000));
	pit_update(&pit, at(low + 800000));
	cr_assert_eq(irq_rises - r, 3);
}

/* Linux's pit_shutdown: 0x30, then count 0: mode 0 restarts with 65536. */
Test(i8254, linux_shutdown)
{
	uint64_t k = tick0() + 3;
	program(0, 0x34, HZ_LATCH, k);
	pit_update(&pit, at(k + 100));
	cr_assert(irq_level);
	program(0, 0x30, 0, k + 200);
	cr_assert_not(irq_level, "OUT low at the control word");
	cr_assert_eq(pit_next_event(&pit, at(k + 200)), at(k + 201 + 65536));
}

Test(i8254, read_back_status_and_count)
{
	uint64_t k = tick0() + 3;
	outb(0xb0, PIT_MODE, at(k));
	cr_assert_eq(status(2, at(k)), 0x40 | 0x30, "null count, LSB/MSB, mode 0, OUT low");
	outb(0x34, PIT_CH2, at(k));
	outb(0x12, PIT_CH2, at(k));
	outb(0x01, PIT_PORT_B, at(k));
	/* Read-back of count and status of channel 2: status first. */
	outb(0xc8, PIT_MODE, at(k + 11));
	cr_assert_eq(inb(PIT_CH2, at(k + 50)), 0x30, "status: loaded, OUT low");
	cr_assert_eq(inb(PIT_CH2, at(k + 50)), (0x1234 - 10) & 0xff);
	cr_assert_eq(inb(PIT_CH2, at(k + 50)), (0x1234 - 10) >> 8);
	/* Several channels at once: count only of 0 and 2. */
	uint64_t j = k + 100;
	program(0, 0x34, 3000, j);
	outb(0xc0 | PIT_RB_NOT_STATUS | 0x08 | 0x02, PIT_MODE, at(j + 1001));
	/* Channel 0's latch is read with the latch command's helper: it is ignored. */
	cr_assert_eq(latched_count(0, at(j + 2001)), 2000, "the read-back latched it");
	cr_assert_eq(inb(PIT_CH2, at(j + 3001)), (0x1234 - 1100) & 0xff);
	cr_assert_eq(inb(PIT_CH2, at(j + 3001)), (0x1234 - 1100) >> 8);
	/* Status latched twice: the first one stays, until a control word. */
	outb(0xe2, PIT_MODE, at(j + 3001));
	outb(0x30, PIT_MODE, at(j + 3002));
	outb(0xe2, PIT_MODE, at(j + 3002));
	cr_assert_eq(inb(PIT_CH0, at(j + 3003)), 0x70, "the new mode 0, null count");
	outb(0xe2, PIT_MODE, at(j + 3004));
	outb(0x10, PIT_CH0, at(j + 3004));
	outb(0x00, PIT_CH0, at(j + 3004));	/* count 16, loaded at j + 3005 */
	outb(0xe2, PIT_MODE, at(j + 3005));
	cr_assert_eq(inb(PIT_CH0, at(j + 3006)), 0x70, "the first status stays latched");
	outb(0xe2, PIT_MODE, at(j + 3006));
	cr_assert_eq(inb(PIT_CH0, at(j + 3006)), 0x30, "latched again: loaded, OUT low");
	cr_assert_eq(nlogs, 0, "%s", lastlog);
	outb(0xe3, PIT_MODE, at(j + 3007));
	cr_assert_eq(nlogs, 1, "reserved bit 0 logged");
}

Test(i8254, port61_bits)
{
	uint64_t t = T0 + 100;
	outb(0xff, PIT_PORT_B, t);
	uint8_t v = inb(PIT_PORT_B, t);
	cr_assert_eq(v & 0x0f, 0x0f, "bits 3:0 read back");
	cr_assert_eq(v & 0xc0, 0, "no parity or channel-check errors");
	outb(0x00, PIT_PORT_B, t);
	cr_assert_eq(inb(PIT_PORT_B, t) & 0x0f, 0);
	/* Bit 4 toggles every 15.085 us. */
	uint64_t base = (T0 / PIT_REFRESH_NS + 1) * PIT_REFRESH_NS;
	uint8_t a = inb(PIT_PORT_B, base) & PIT_B_REFRESH;
	cr_assert_eq(inb(PIT_PORT_B, base + PIT_REFRESH_NS - 1) & PIT_B_REFRESH, a);
	cr_assert_neq(inb(PIT_PORT_B, base + PIT_REFRESH_NS) & PIT_B_REFRESH, a);
	cr_assert_eq(inb(PIT_PORT_B, base + 2 * PIT_REFRESH_NS) & PIT_B_REFRESH, a);
	cr_assert_eq(nlogs, 0, "writing the read-only bits is not an error");
}

Test(i8254, gate_suspends_mode0)
{
	uint64_t k = tick0() + 3;
	outb(0x01, PIT_PORT_B, at(k));
	program(2, 0xb0, 1000, k);
	outb(0x00, PIT_PORT_B, at(k + 401));	/* gate low at count 600 */
	cr_assert_eq(latched_count(2, at(k + 5000)), 600, "held while GATE is low");
	cr_assert_not(inb(PIT_PORT_B, at(k + 5000)) & PIT_B_OUT2);
	outb(0x01, PIT_PORT_B, at(k + 10000));
	cr_assert_eq(latched_count(2, at(k + 10100)), 500);
	cr_assert_not(inb(PIT_PORT_B, at(k + 10599)) & PIT_B_OUT2);
	cr_assert(inb(PIT_PORT_B, at(k + 10600)) & PIT_B_OUT2, "600 more clocks of GATE high");
	/* A count written while GATE is low waits for it. */
	outb(0x00, PIT_PORT_B, at(k + 20000));
	program(2, 0xb0, 50, k + 20000);
	cr_assert_eq(latched_count(2, at(k + 30000)), 50);
	outb(0x01, PIT_PORT_B, at(k + 30000));
	cr_assert_not(inb(PIT_PORT_B, at(k + 30049)) & PIT_B_OUT2);
	cr_assert(inb(PIT_PORT_B, at(k + 30050)) & PIT_B_OUT2);
}

Test(i8254, gate_in_modes_2_and_3)
{
	uint64_t k = tick0() + 3;
	outb(0x01, PIT_PORT_B, at(k));
	program(2, 0xb6, 100, k);	/* mode 3 */
	cr_assert_not(inb(PIT_PORT_B, at(k + 1 + 60)) & PIT_B_OUT2, "low half");
	outb(0x00, PIT_PORT_B, at(k + 61));
	cr_assert(inb(PIT_PORT_B, at(k + 61)) & PIT_B_OUT2, "GATE low forces OUT high");
	cr_assert(inb(PIT_PORT_B, at(k + 1000)) & PIT_B_OUT2);
	outb(0x01, PIT_PORT_B, at(k + 1000));	/* rising GATE reloads */
	cr_assert_eq(latched_count(2, at(k + 1001)), 100);
	cr_assert(inb(PIT_PORT_B, at(k + 1050)) & PIT_B_OUT2);
	cr_assert_not(inb(PIT_PORT_B, at(k + 1051)) & PIT_B_OUT2);
	program(2, 0xb4, 10, k + 2000);	/* mode 2 */
	outb(0x00, PIT_PORT_B, at(k + 2010));	/* at count 1: OUT low */
	cr_assert(inb(PIT_PORT_B, at(k + 2010)) & PIT_B_OUT2);
	cr_assert_eq(latched_count(2, at(k + 2500)), 1, "frozen");
	outb(0x01, PIT_PORT_B, at(k + 3000));
	cr_assert_eq(latched_count(2, at(k + 3001)), 10);
	cr_assert_not(inb(PIT_PORT_B, at(k + 3010)) & PIT_B_OUT2);
}

Test(i8254, modes_1_and_5_are_gate_triggered)
{
	uint64_t k = tick0() + 3;
	program(2, 0xb2, 20, k);	/* mode 1 */
	cr_assert(inb(PIT_PORT_B, at(k + 100)) & PIT_B_OUT2, "waiting for a trigger: OUT high");
	cr_assert(status(2, at(k + 100)) & PIT_ST_NULL, "not loaded until the trigger");
	outb(0x01, PIT_PORT_B, at(k + 100));
	cr_assert_not(inb(PIT_PORT_B, at(k + 101)) & PIT_B_OUT2, "the one-shot starts");
	cr_assert_not(inb(PIT_PORT_B, at(k + 120)) & PIT_B_OUT2);
	cr_assert(inb(PIT_PORT_B, at(k + 121)) & PIT_B_OUT2);
	outb(0x00, PIT_PORT_B, at(k + 200));
	outb(0x01, PIT_PORT_B, at(k + 200));	/* retrigger */
	cr_assert_not(inb(PIT_PORT_B, at(k + 201)) & PIT_B_OUT2);
	cr_assert(inb(PIT_PORT_B, at(k + 221)) & PIT_B_OUT2);

	outb(0x00, PIT_PORT_B, at(k + 300));
	program(2, 0xba, 20, k + 300);	/* mode 5 */
	outb(0x01, PIT_PORT_B, at(k + 400));
	cr_assert(inb(PIT_PORT_B, at(k + 420)) & PIT_B_OUT2);
	cr_assert_not(inb(PIT_PORT_B, at(k + 421)) & PIT_B_OUT2, "strobe at terminal count");
	cr_assert(inb(PIT_PORT_B, at(k + 422)) & PIT_B_OUT2);
}

Test(i8254, bcd_counting)
{
	uint64_t k = tick0() + 3;
	program(0, 0x31, 0x0100, k);	/* mode 0, BCD, count 100 */
	cr_assert_eq(pit_next_event(&pit, at(k)), at(k + 101));
	cr_assert_eq(latched_count(0, at(k + 1 + 11)), 0x0089, "89 in BCD");
	cr_assert_eq(latched_count(0, at(k + 102)), 0x9999, "wraps to 9999");
	program(0, 0x35, 0, k + 200);	/* mode 2, BCD, count 0 = 10000 */
	cr_assert_eq(pit_next_event(&pit, at(k + 200)), at(k + 201 + 10000));
	cr_assert_eq(nlogs, 0);
	program(0, 0x31, 0x00a0, k + 300);
	cr_assert_eq(nlogs, 1, "a digit above 9 is logged");
}

Test(i8254, guest_mistakes_are_logged_once)
{
	uint64_t t = T0 + 10;
	cr_assert_eq(inb(PIT_MODE, t), 0xff);
	cr_assert_eq(nlogs, 1);
	cr_assert(strstr(lastlog, "0x43"), "%s", lastlog);
	cr_assert_eq(inb(PIT_MODE, t), 0xff);
	cr_assert_eq(nlogs, 1);
	cr_assert_eq(inb(0x44, t), 0xff);
	outb(1, 0x44, t);
	cr_assert_eq(nlogs, 2);
	/* Count 1 in mode 2 is illegal: counted as 2. */
	program(0, 0x34, 1, tick0() + 100);
	cr_assert_eq(nlogs, 3);
	cr_assert_eq(pit_next_event(&pit, t), at(tick0() + 101 + 2));
	/* Time going backwards is taken as the last time. */
	pit_update(&pit, at(tick0() + 1000));
	pit_update(&pit, at(tick0() + 500));
	cr_assert_eq(nlogs, 4);
	cr_assert_eq(pit.last_tick, tick0() + 1000);
}
