/*
 * test_rtc.c - the MC146818A model: calendar (checked against the host
 * C library's gmtime_r and against dates worked out by hand), register
 * formats, UIP, SET, register C, and the timing of each interrupt as
 * rtc_next_event() announces it. Register indexes and bits are written
 * as numbers from the datasheet, not taken from rtc.h.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>
#include "rtc.h"

#define S 1000000000ull		/* one second in ns */
#define T0 (1000 * S)		/* guest time at rtc_init */

static struct rtc_cmos r;
static struct {
	int calls;
	bool level;
	bool bad_call;
	void *ctx_seen;
} irq;
static int log_lines;

int kprintf(const char *fmt, ...)
{
	(void)fmt;
	log_lines++;
	return 0;
}

static void on_irq(void *ctx, bool level)
{
	irq.ctx_seen = ctx;
	if (level == irq.level)
		irq.bad_call = true;
	irq.level = level;
	irq.calls++;
}

static void init_at(uint64_t unix_time)
{
	memset(&irq, 0, sizeof(irq));
	memset(&r, 0x5a, sizeof(r));
	rtc_init(&r, unix_time, T0, on_irq, &irq);
}

static void setup(void)
{
	log_lines = 0;
	init_at(1721051109);	/* 2024-07-15 13:45:09 UTC, a Monday */
}

static void teardown(void)
{
	cr_expect(!irq.bad_call, "the irq callback was called without a change of level");
}

static uint8_t reg(unsigned i, uint64_t now)
{
	rtc_write(&r, 0x70, i, now);
	return rtc_read(&r, 0x71, now);
}

static void set(unsigned i, uint8_t v, uint64_t now)
{
	rtc_write(&r, 0x70, i, now);
	rtc_write(&r, 0x71, v, now);
}

static unsigned bcd(unsigned v)
{
	return (v / 10) << 4 | v % 10;
}

TestSuite(rtc, .init = setup, .fini = teardown);

/* ---- reset, formats ---- */

Test(rtc, reset_registers)
{
	cr_expect_eq(reg(0x0a, T0), 0x26, "32.768 kHz, 1024 Hz, no UIP");
	cr_expect_eq(reg(0x0b, T0), 0x02, "24-hour BCD, no interrupts");
	cr_expect_eq(reg(0x0c, T0), 0x00);
	cr_expect_eq(reg(0x0d, T0), 0x80, "VRT");
	cr_expect_eq(irq.calls, 0);
	cr_expect_eq(rtc_next_event(&r, T0), UINT64_MAX, "no interrupt enabled");
}

Test(rtc, bcd_registers)
{
	static const uint8_t want[] = {
		[0x00] = 0x09, [0x02] = 0x45, [0x04] = 0x13, [0x06] = 0x02,
		[0x07] = 0x15, [0x08] = 0x07, [0x09] = 0x24,
	};
	for (unsigned i = 0; i <= 9; i++)
		if (i != 1 && i != 3 && i != 5)
			cr_expect_eq(reg(i, T0), want[i], "reg %u", i);
	cr_expect_eq(reg(0x32, T0), 0x20, "century");
}

Test(rtc, binary_registers)
{
	set(0x0b, 0x06, T0);
	static const uint8_t want[] = {
		[0x00] = 9, [0x02] = 45, [0x04] = 13, [0x06] = 2, [0x07] = 15, [0x08] = 7, [0x09] = 24,
	};
	for (unsigned i = 0; i <= 9; i++)
		if (i != 1 && i != 3 && i != 5)
			cr_expect_eq(reg(i, T0), want[i], "reg %u", i);
	cr_expect_eq(reg(0x32, T0), 20);
}

/* 12-hour mode: 1-12 with bit 7 for PM; midnight is 12 AM, noon 12 PM. */
Test(rtc, twelve_hour_mode)
{
	static const struct { unsigned h; uint8_t bcd, bin; } hours[] = {
		{ 0, 0x12, 12 }, { 1, 0x01, 1 }, { 11, 0x11, 11 }, { 12, 0x92, 0x8c },
		{ 13, 0x81, 0x81 }, { 22, 0x90, 0x8a }, { 23, 0x91, 0x8b },
	};
	for (unsigned k = 0; k < sizeof(hours) / sizeof(hours[0]); k++) {
		init_at(1721001600 + hours[k].h * 3600 + 1800);	/* 2024-07-15 hh:30 */
		set(0x0b, 0x00, T0);
		cr_expect_eq(reg(0x04, T0), hours[k].bcd, "%u:30 BCD", hours[k].h);
		cr_expect_eq(reg(0x02, T0), 0x30);
		set(0x0b, 0x04, T0);
		cr_expect_eq(reg(0x04, T0), hours[k].bin, "%u:30 binary", hours[k].h);
	}
}

/* ---- calendar ---- */

static void expect_gmtime(uint64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	cr_assert(gmtime_r(&tt, &tm));
	init_at(t);
	set(0x0b, 0x06, T0);	/* binary, 24h */
	unsigned year = tm.tm_year + 1900;
	cr_expect_eq(reg(0x00, T0), tm.tm_sec, "t %lu sec", t);
	cr_expect_eq(reg(0x02, T0), tm.tm_min, "t %lu min", t);
	cr_expect_eq(reg(0x04, T0), tm.tm_hour, "t %lu hour", t);
	cr_expect_eq(reg(0x06, T0), tm.tm_wday + 1, "t %lu weekday", t);
	cr_expect_eq(reg(0x07, T0), tm.tm_mday, "t %lu day", t);
	cr_expect_eq(reg(0x08, T0), tm.tm_mon + 1, "t %lu month", t);
	cr_expect_eq(reg(0x09, T0), year % 100, "t %lu year", t);
	cr_expect_eq(reg(0x32, T0), year / 100, "t %lu century", t);
}

Test(rtc, calendar_matches_gmtime)
{
	uint64_t x = 88172645463325252ull;
	for (int i = 0; i < 3000; i++) {	/* 1970 .. about 2514 */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		expect_gmtime(x % (1ull << 34));
	}
	expect_gmtime(0);
	expect_gmtime(2147483647);
	expect_gmtime(2147483648);
}

/* Dates worked out by hand; each second before them rolls over into them. */
Test(rtc, calendar_rollovers)
{
	static const struct { uint64_t t; unsigned y, mo, d, wd; } days[] = {
		{ 0, 1970, 1, 1, 5 },			/* a Thursday */
		{ 951782400, 2000, 2, 29, 3 },		/* 2000 is a leap year (div by 400) */
		{ 951868800, 2000, 3, 1, 4 },
		{ 946684800, 2000, 1, 1, 7 },		/* new century from 1999 */
		{ 4107542400, 2100, 3, 1, 2 },		/* 2100 is not: Feb 28 -> Mar 1 */
		{ 1709164800, 2024, 2, 29, 5 },		/* leap day 2024 */
		{ 1677628800, 2023, 3, 1, 4 },		/* 2023: Feb 28 -> Mar 1 */
		{ 1735689600, 2025, 1, 1, 4 },		/* new year */
	};
	for (unsigned k = 0; k < sizeof(days) / sizeof(days[0]); k++) {
		uint64_t t = days[k].t;
		if (t == 0) {
			init_at(0);
		} else {
			init_at(t - 1);
			cr_expect_eq(reg(0x00, T0), 0x59);
			cr_expect_eq(reg(0x02, T0), 0x59);
			cr_expect_eq(reg(0x04, T0), 0x23);
		}
		uint64_t now = t == 0 ? T0 : T0 + S;
		cr_expect_eq(reg(0x00, now), 0x00, "t %lu", t);
		cr_expect_eq(reg(0x04, now), 0x00);
		cr_expect_eq(reg(0x07, now), bcd(days[k].d), "t %lu day", t);
		cr_expect_eq(reg(0x08, now), bcd(days[k].mo), "t %lu month", t);
		cr_expect_eq(reg(0x09, now), bcd(days[k].y % 100), "t %lu year", t);
		cr_expect_eq(reg(0x32, now), bcd(days[k].y / 100), "t %lu century", t);
		cr_expect_eq(reg(0x06, now), days[k].wd, "t %lu weekday", t);
	}
}

Test(rtc, every_month_end_of_2023_and_2024)
{
	static const unsigned len[2][12] = {
		{ 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 },
		{ 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 },
	};
	uint64_t t = 1672531200;	/* 2023-01-01 00:00:00 */
	for (unsigned y = 0; y < 2; y++)
		for (unsigned m = 0; m < 12; m++) {
			t += len[y][m] * 86400ull;
			init_at(t - 1);
			cr_expect_eq(reg(0x07, T0), bcd(len[y][m]), "%u-%u last day", 2023 + y, m + 1);
			cr_expect_eq(reg(0x08, T0), bcd(m + 1));
			cr_expect_eq(reg(0x07, T0 + S), 0x01, "%u-%u rolls over", 2023 + y, m + 1);
			cr_expect_eq(reg(0x08, T0 + S), bcd(m == 11 ? 1 : m + 2));
		}
}

Test(rtc, time_advances_with_guest_time)
{
	cr_expect_eq(reg(0x00, T0 + S - 1), 0x09, "not before the update");
	cr_expect_eq(reg(0x00, T0 + S), 0x10);
	cr_expect_eq(reg(0x00, T0 + 51 * S), 0x00);
	cr_expect_eq(reg(0x02, T0 + 51 * S), 0x46);
	cr_expect_eq(reg(0x04, T0 + 3600 * S), 0x14);
	cr_expect_eq(reg(0x07, T0 + 86400 * S), 0x16);
}

/* ---- register A: UIP, divider ---- */

Test(rtc, uip_in_the_last_244us_before_each_update)
{
	for (uint64_t sec = 0; sec < 3; sec++) {
		uint64_t upd = T0 + (sec + 1) * S;
		cr_expect_eq(reg(0x0a, upd - 244001) & 0x80, 0);
		cr_expect_eq(reg(0x0a, upd - 244000) & 0x80, 0x80);
		cr_expect_eq(reg(0x0a, upd - 1) & 0x80, 0x80);
		cr_expect_eq(reg(0x00, upd - 1), bcd(9 + sec), "still the old second");
		cr_expect_eq(reg(0x0a, upd) & 0x80, 0);
		cr_expect_eq(reg(0x00, upd), bcd(10 + sec));
	}
}

Test(rtc, register_a_keeps_divider_and_rate_not_uip)
{
	set(0x0a, 0xaf, T0);
	cr_expect_eq(reg(0x0a, T0), 0x2f);
	set(0x0a, 0x23, T0);
	cr_expect_eq(reg(0x0a, T0), 0x23);
	cr_expect_eq(log_lines, 0);
	set(0x0a, 0x06, T0);
	cr_expect_eq(reg(0x0a, T0), 0x06, "other time base kept as written");
	cr_expect_eq(log_lines, 1);
}

Test(rtc, divider_reset_stops_the_clock_and_restarts_half_a_second_later)
{
	set(0x0b, 0x50, T0);			/* PIE, UIE, BCD 24h */
	set(0x0a, 0x66, T0 + S / 4);		/* divider reset */
	cr_expect_eq(rtc_next_event(&r, T0 + S / 4), UINT64_MAX, "no events in reset");
	cr_expect_eq(reg(0x00, T0 + 10 * S), 0x09, "time stands still");
	cr_expect_eq(reg(0x0a, T0 + 10 * S - 1000) & 0x80, 0, "no UIP in reset");
	reg(0x0c, T0 + 10 * S);			/* clear flags */
	set(0x0a, 0x26, T0 + 10 * S);
	set(0x0b, 0x10, T0 + 10 * S);		/* UIE only */
	cr_expect_eq(rtc_next_event(&r, T0 + 10 * S), T0 + 10 * S + S / 2);
	cr_expect_eq(reg(0x00, T0 + 10 * S + S / 2 - 1), 0x09);
	cr_expect_eq(reg(0x00, T0 + 10 * S + S / 2), 0x10);
}

/* ---- register B: SET ---- */

Test(rtc, set_freezes_the_clock_and_takes_the_new_time)
{
	set(0x0b, 0x82, T0);
	cr_expect_eq(reg(0x00, T0 + 5 * S), 0x09, "frozen");
	cr_expect_eq(reg(0x0a, T0 + S - 1000) & 0x80, 0, "SET clears UIP");
	/* 2031-12-31 23:59:58 */
	set(0x00, 0x58, T0 + 5 * S);
	set(0x02, 0x59, T0 + 5 * S);
	set(0x04, 0x23, T0 + 5 * S);
	set(0x07, 0x31, T0 + 5 * S);
	set(0x08, 0x12, T0 + 5 * S);
	set(0x09, 0x31, T0 + 5 * S);
	cr_expect_eq(reg(0x09, T0 + 6 * S), 0x31, "reads what was written while SET");
	cr_expect_eq(reg(0x00, T0 + 6 * S), 0x58);
	set(0x0b, 0x02, T0 + 6 * S + S / 2);
	cr_expect_eq(reg(0x00, T0 + 6 * S + S / 2), 0x58);
	cr_expect_eq(reg(0x06, T0 + 6 * S + S / 2), 0x04, "weekday computed: a Wednesday");
	cr_expect_eq(reg(0x00, T0 + 7 * S), 0x59, "the divider kept its phase");
	cr_expect_eq(reg(0x00, T0 + 8 * S), 0x00);
	cr_expect_eq(reg(0x09, T0 + 8 * S), 0x32);
	cr_expect_eq(reg(0x08, T0 + 8 * S), 0x01);
	cr_expect_eq(reg(0x07, T0 + 8 * S), 0x01);
	cr_expect_eq(log_lines, 0);
}

Test(rtc, set_in_binary_12_hour_mode)
{
	set(0x0b, 0x84, T0);		/* SET, binary, 12-hour */
	set(0x04, 0x80 | 3, T0);	/* 3 PM */
	set(0x02, 7, T0);
	set(0x00, 0, T0);
	set(0x0b, 0x04, T0);		/* run, same format */
	cr_expect_eq(reg(0x04, T0), 0x83);
	set(0x0b, 0x06, T0);		/* binary 24h */
	cr_expect_eq(reg(0x04, T0), 15);
	cr_expect_eq(reg(0x02, T0), 7);
	cr_expect_eq(reg(0x07, T0), 15, "date untouched");
}

/* mc146818_set_time(): SET, divider reset, write, restore B, restore A. */
Test(rtc, linux_set_time_sequence)
{
	uint8_t save_b = reg(0x0b, T0), save_a = reg(0x0a, T0);
	set(0x0b, save_b | 0x80, T0);
	set(0x0a, save_a | 0x70, T0);
	set(0x09, 0x99, T0);
	set(0x08, 0x12, T0);
	set(0x07, 0x31, T0);
	set(0x04, 0x23, T0);
	set(0x02, 0x59, T0);
	set(0x00, 0x59, T0);
	set(0x32, 0x19, T0);
	set(0x0b, save_b, T0 + S / 10);
	cr_expect_eq(reg(0x00, T0 + 3 * S), 0x59, "divider still in reset");
	set(0x0a, save_a, T0 + 3 * S);
	cr_expect_eq(reg(0x00, T0 + 3 * S + S / 2 - 1), 0x59);
	cr_expect_eq(reg(0x00, T0 + 3 * S + S / 2), 0x00);
	cr_expect_eq(reg(0x09, T0 + 3 * S + S / 2), 0x00);
	cr_expect_eq(reg(0x32, T0 + 3 * S + S / 2), 0x20, "2000");
	cr_expect_eq(reg(0x06, T0 + 3 * S + S / 2), 0x07, "2000-01-01 was a Saturday");
}

Test(rtc, writes_without_set_apply_at_once)
{
	set(0x02, 0x10, T0 + S / 2);
	cr_expect_eq(reg(0x02, T0 + S / 2), 0x10);
	cr_expect_eq(reg(0x04, T0 + S / 2), 0x13);
	cr_expect_eq(reg(0x00, T0 + S), 0x10, "the next update at the old phase");
}

Test(rtc, invalid_time_is_refused_and_logged_once)
{
	set(0x0b, 0x82, T0);
	set(0x08, 0x13, T0);		/* month 13 */
	set(0x0b, 0x02, T0);
	cr_expect_eq(log_lines, 1);
	cr_expect_eq(reg(0x08, T0 + S), 0x07, "the clock kept its time");
	cr_expect_eq(reg(0x00, T0 + S), 0x10, "and kept running");
	set(0x07, 0x31, T0 + S);	/* July has 31 days: fine */
	set(0x08, 0x06, T0 + S);	/* June 31st: no */
	set(0x07, 0x1a, T0 + S);	/* not BCD */
	set(0x0b, 0x82, T0 + S);
	set(0x07, 0x29, T0 + S);
	set(0x08, 0x02, T0 + S);
	set(0x09, 0x23, T0 + S);	/* 2023-02-29: no */
	set(0x0b, 0x02, T0 + S);
	cr_expect_eq(log_lines, 1, "logged once");
	cr_expect_eq(reg(0x07, T0 + S), 0x31);
	cr_expect_eq(reg(0x08, T0 + S), 0x07);
	cr_expect_eq(reg(0x09, T0 + S), 0x24);
}

/* ---- register C and the interrupts ---- */

Test(rtc, update_ended_interrupt)
{
	set(0x0a, 0x20, T0);		/* no periodic flag in the way */
	set(0x0b, 0x12, T0);
	cr_expect_eq(rtc_next_event(&r, T0), T0 + S);
	rtc_update(&r, T0 + S - 1);
	cr_expect_eq(irq.calls, 0);
	rtc_update(&r, T0 + S);
	cr_expect_eq(irq.calls, 1);
	cr_expect(irq.level);
	cr_expect_eq(irq.ctx_seen, &irq);
	cr_expect_eq(rtc_next_event(&r, T0 + S), T0 + 2 * S);
	cr_expect_eq(reg(0x0c, T0 + S), 0x90, "IRQF UF");
	cr_expect(!irq.level, "reading C lowers IRQ 8");
	cr_expect_eq(reg(0x0c, T0 + S), 0x00, "and cleared it");
	cr_expect_eq(irq.calls, 2);
}

Test(rtc, periodic_interrupt_rates)
{
	for (unsigned rs = 1; rs < 16; rs++) {
		setup();
		set(0x0a, 0x20 | rs, T0);
		set(0x0b, 0x42, T0);
		unsigned div = rs < 3 ? rs + 7 : rs;	/* 1, 2 mean 256 and 128 Hz */
		/* ns of n periods of 2^(div-1) ticks of 1/32768 s, rounded up */
		uint64_t ticks = 1ull << (div - 1);
#define PERIODS_NS(n) (((n) * ticks * S + 32767) / 32768)
		uint64_t want = T0 + PERIODS_NS(1);
		uint64_t next = rtc_next_event(&r, T0);
		cr_expect_eq(next, want, "rs %u: next %lu, want %lu", rs, next, want);
		rtc_update(&r, next - 1);
		cr_expect(!irq.level, "rs %u: not early", rs);
		rtc_update(&r, next);
		cr_expect(irq.level, "rs %u: on time", rs);
		cr_expect_eq(reg(0x0c, next), 0xc0, "rs %u: IRQF PF", rs);
		/* the tenth edge */
		uint64_t tenth = T0 + PERIODS_NS(10);
		cr_expect_eq(rtc_next_event(&r, T0 + PERIODS_NS(9)), tenth, "rs %u", rs);
		cr_expect_eq(rtc_next_event(&r, tenth - 1), tenth, "rs %u", rs);
#undef PERIODS_NS
	}
}

Test(rtc, rate_zero_means_no_periodic_interrupt)
{
	set(0x0a, 0x20, T0);
	set(0x0b, 0x42, T0);
	cr_expect_eq(rtc_next_event(&r, T0), UINT64_MAX);
	cr_expect_eq(reg(0x0c, T0 + 5 * S), 0x10, "UF only: no PF");
}

Test(rtc, flags_latch_without_interrupts)
{
	cr_expect_eq(reg(0x0c, T0 + S / 100), 0x40, "PF polled, no IRQF");
	cr_expect_eq(reg(0x0c, T0 + S), 0x50, "PF and UF");
	cr_expect_eq(irq.calls, 0);
}

Test(rtc, enabling_an_interrupt_with_its_flag_set_raises_irq)
{
	rtc_update(&r, T0 + S / 100);
	cr_expect(!irq.level);
	set(0x0b, 0x42, T0 + S / 100);
	cr_expect(irq.level, "PF was already set");
	set(0x0b, 0x02, T0 + S / 100);
	cr_expect(!irq.level, "IRQF = PF.PIE + AF.AIE + UF.UIE");
	cr_expect_eq(reg(0x0c, T0 + S / 100), 0x40);
}

Test(rtc, alarm_at_a_given_time)
{
	/* 13:45:14, five seconds after T0 */
	set(0x0a, 0x20, T0);
	set(0x01, 0x14, T0);
	set(0x03, 0x45, T0);
	set(0x05, 0x13, T0);
	set(0x0b, 0x22, T0);
	cr_expect_eq(rtc_next_event(&r, T0), T0 + 5 * S);
	rtc_update(&r, T0 + 5 * S - 1);
	cr_expect(!irq.level);
	rtc_update(&r, T0 + 5 * S);
	cr_expect(irq.level);
	cr_expect_eq(reg(0x0c, T0 + 5 * S), 0xb0, "IRQF AF UF");
	cr_expect_eq(rtc_next_event(&r, T0 + 5 * S), T0 + 5 * S + 86400 * S, "tomorrow");
}

Test(rtc, alarm_dont_care_bytes)
{
	set(0x0b, 0x22, T0);
	set(0x01, 0xc0, T0);
	set(0x03, 0xff, T0);
	set(0x05, 0xd5, T0);
	cr_expect_eq(rtc_next_event(&r, T0), T0 + S, "every second");
	set(0x01, 0x00, T0);
	cr_expect_eq(rtc_next_event(&r, T0), T0 + 51 * S, "every minute at :00");
	set(0x03, 0x00, T0);
	cr_expect_eq(rtc_next_event(&r, T0), T0 + (15 * 60 - 9) * S, "every hour at 14:00:00");
	set(0x05, 0x13, T0);
	set(0x03, 0x44, T0);
	set(0x01, 0xc0, T0);
	uint64_t want = T0 + (86400 - 69) * S;	/* 13:44:00 tomorrow */
	cr_expect_eq(rtc_next_event(&r, T0), want, "13:44:xx is past today");
}

Test(rtc, alarm_in_12_hour_mode)
{
	set(0x0b, 0x20, T0);		/* AIE, BCD, 12-hour */
	set(0x01, 0x00, T0);
	set(0x03, 0x00, T0);
	set(0x05, 0x02, T0);		/* 2 AM: tomorrow */
	uint64_t want = T0 + (86400 - (13 * 3600 + 45 * 60 + 9) + 2 * 3600) * S;
	cr_expect_eq(rtc_next_event(&r, T0), want);
	set(0x05, 0x82, T0);		/* 2 PM: today */
	cr_expect_eq(rtc_next_event(&r, T0), T0 + (14 * 60 + 51) * S);
}

Test(rtc, alarm_that_can_never_match)
{
	set(0x0b, 0x22, T0);
	set(0x01, 0x60, T0);		/* second 60 */
	set(0x03, 0xc0, T0);
	set(0x05, 0xc0, T0);
	cr_expect_eq(rtc_next_event(&r, T0), UINT64_MAX);
	set(0x01, 0x00, T0);
	set(0x05, 0x24, T0);		/* hour 24 */
	cr_expect_eq(rtc_next_event(&r, T0), UINT64_MAX);
	cr_expect_eq(reg(0x0c, T0 + 86401 * S) & 0x20, 0, "no AF");
}

Test(rtc, alarm_passed_between_two_calls_is_still_latched)
{
	set(0x0a, 0x20, T0);
	set(0x01, 0x14, T0);
	set(0x03, 0x45, T0);
	set(0x05, 0x13, T0);
	set(0x0b, 0x22, T0);
	rtc_update(&r, T0 + 9 * S);	/* late: the alarm was at +5 s */
	cr_expect(irq.level);
	cr_expect_eq(reg(0x0c, T0 + 9 * S), 0xb0);
}

Test(rtc, no_updates_or_alarms_while_set)
{
	set(0x0b, 0xb2, T0);		/* SET, AIE, UIE */
	set(0x01, 0xc0, T0);
	set(0x03, 0xc0, T0);
	set(0x05, 0xc0, T0);
	cr_expect_eq(rtc_next_event(&r, T0), UINT64_MAX);
	rtc_update(&r, T0 + 5 * S);
	cr_expect(!irq.level);
	cr_expect_eq(reg(0x0c, T0 + 5 * S) & 0x30, 0);
}

Test(rtc, earliest_of_several_events)
{
	set(0x0a, 0x2f, T0);		/* 2 Hz */
	set(0x0b, 0x52, T0);		/* PIE, UIE */
	cr_expect_eq(rtc_next_event(&r, T0), T0 + S / 2);
	cr_expect_eq(rtc_next_event(&r, T0 + S / 2), T0 + S);
	cr_expect_eq(rtc_next_event(&r, T0 + S), T0 + S + S / 2);
}

Test(rtc, irq_callback_only_on_changes)
{
	set(0x0b, 0x52, T0);
	for (uint64_t t = T0; t < T0 + 3 * S; t += S / 1000)
		rtc_update(&r, t);
	cr_expect_eq(irq.calls, 1, "stays high until C is read");
	reg(0x0c, T0 + 3 * S);
	cr_expect_eq(irq.calls, 2);
}

/* ---- NVRAM, ports, bad accesses ---- */

Test(rtc, nvram_bytes)
{
	for (unsigned i = 0x0e; i < 0x80; i++)
		if (i != 0x32)
			set(i, i ^ 0xa5, T0);
	for (unsigned i = 0x0e; i < 0x80; i++)
		if (i != 0x32)
			cr_expect_eq(reg(i, T0), i ^ 0xa5, "byte %#x", i);
	cr_expect_eq(log_lines, 0);
}

Test(rtc, index_bit_7_is_nmi_disable)
{
	set(0x20, 0x11, T0);
	rtc_write(&r, 0x70, 0x80 | 0x20, T0);
	cr_expect_eq(rtc_read(&r, 0x71, T0), 0x11);
	cr_expect(r.nmi_disabled);
	rtc_write(&r, 0x70, 0x20, T0);
	cr_expect(!r.nmi_disabled);
	cr_expect_eq(rtc_read(&r, 0x70, T0), 0xff, "the index port is write-only");
}

Test(rtc, alarm_registers_are_plain_storage)
{
	set(0x01, 0x5a, T0);
	set(0x03, 0xc3, T0);
	set(0x05, 0x99, T0);
	cr_expect_eq(reg(0x01, T0 + 7 * S), 0x5a);
	cr_expect_eq(reg(0x03, T0 + 7 * S), 0xc3);
	cr_expect_eq(reg(0x05, T0 + 7 * S), 0x99);
}

Test(rtc, set_nvram_for_the_host)
{
	rtc_set_nvram(&r, 0x34, 0x12);
	rtc_set_nvram(&r, 0x5d, 0x01);
	cr_expect_eq(reg(0x34, T0), 0x12);
	cr_expect_eq(reg(0x5d, T0), 0x01);
	cr_expect_eq(log_lines, 0);
	rtc_set_nvram(&r, 0x00, 0x12);
	rtc_set_nvram(&r, 0x32, 0x12);
	rtc_set_nvram(&r, 0x80, 0x12);
	cr_expect_eq(log_lines, 1, "refused, logged once");
	cr_expect_eq(reg(0x00, T0), 0x09);
	cr_expect_eq(reg(0x32, T0), 0x20);
}

Test(rtc, read_only_registers_and_bad_ports)
{
	set(0x0c, 0xff, T0);
	set(0x0d, 0x00, T0);
	cr_expect_eq(reg(0x0c, T0), 0x00);
	cr_expect_eq(reg(0x0d, T0), 0x80);
	cr_expect_eq(log_lines, 1);
	cr_expect_eq(rtc_read(&r, 0x72, T0), 0xff);
	rtc_write(&r, 0x73, 1, T0);
	cr_expect_eq(log_lines, 2);
	cr_expect_eq(irq.calls, 0);
}

Test(rtc, dse_is_logged_not_modelled)
{
	set(0x0b, 0x03, T0);
	cr_expect_eq(reg(0x0b, T0), 0x03);
	cr_expect_eq(log_lines, 1);
	cr_expect_eq(reg(0x04, T0), 0x13);
}
