/*
 * rtc.c - the MC146818A real-time clock (Motorola datasheet): the time
 * registers in BCD and binary, 24- and 12-hour formats (register B), the
 * update-in-progress bit (register A), the interrupt flags of register C
 * and its clear-on-read, the update-ended interrupt on IRQ 8 through the
 * slave PIC once a second of PIT-calibrated TSC time, and setting the
 * clock with register B's SET bit.
 */
#include "g4_dev.h"

#define VEC_IRQ8	PIC2_VECTOR

struct rtc_time {
	unsigned sec, min, hour, wday, mday, month, year, century;
};

static unsigned bcd(uint8_t b)
{
	return (b >> 4) * 10 + (b & 0xf);
}

static bool is_bcd(uint8_t b)
{
	return (b >> 4) <= 9 && (b & 0xf) <= 9;
}

/* Wait until no update is near (UIP clear), then read the raw registers, twice if a second ticked. */
static void rtc_read_raw(uint8_t r[8])
{
	static const uint8_t regs[8] = { RTC_SEC, RTC_MIN, RTC_HOUR, RTC_WDAY, RTC_MDAY,
					 RTC_MONTH, RTC_YEAR, RTC_CENTURY };
	for (int tries = 0; tries < 3; tries++) {
		uint64_t end = rdtsc() + g4_us_to_tsc(5000);
		while ((rtc_read(RTC_A) & RTC_A_UIP) && rdtsc() < end)
			;
		for (int i = 0; i < 8; i++)
			r[i] = rtc_read(regs[i]);
		if (rtc_read(RTC_SEC) == r[0])
			return;
	}
}

/* Day of the week, 0 = Sunday (Sakamoto's method). */
static unsigned weekday(unsigned y, unsigned m, unsigned d)
{
	static const unsigned t[] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };
	if (m < 3)
		y--;
	return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	static const unsigned d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

/*
 * What a BIOS leaves: register B 24-hour BCD (DM clear, 24/12 set), D
 * with VRT. Every register a valid BCD value in range, the weekday the
 * one the date falls on (1 = Sunday), the century byte 0x20.
 */
void test_rtc_time_bcd(void)
{
	uint8_t b = rtc_read(RTC_B);
	CHECK_EQ(b & (RTC_B_DM | RTC_B_24H), RTC_B_24H, "register B DM and 24/12 bits");
	CHECK_EQ(rtc_read(RTC_D), RTC_D_VRT, "register D (VRT: the battery is good)");
	uint8_t r[8];
	rtc_read_raw(r);
	for (int i = 0; i < 8; i++)
		CHECK(is_bcd(r[i]), "register of field %d is %#x: not BCD", i, r[i]);
	unsigned year = bcd(r[7]) * 100 + bcd(r[6]), month = bcd(r[5]), mday = bcd(r[4]);
	g4_info("RTC %04u-%02u-%02u %02u:%02u:%02u weekday %u\n", year, month, mday, bcd(r[2]),
		bcd(r[1]), bcd(r[0]), bcd(r[3]));
	CHECK(bcd(r[0]) <= 59, "seconds %#x", r[0]);
	CHECK(bcd(r[1]) <= 59, "minutes %#x", r[1]);
	CHECK(bcd(r[2]) <= 23, "hours %#x (24-hour)", r[2]);
	CHECK_EQ(r[7], 0x20, "century byte (CMOS 0x32)");
	CHECK_RANGE(month, 1, 12, "month");
	CHECK_RANGE(mday, 1, days_in_month(year, month), "day of the month");
	CHECK_EQ(bcd(r[3]), weekday(year, month, mday) + 1, "weekday (1 = Sunday)");
}

/*
 * Register B DM = 1: the same time in binary; 24/12 = 0: hours 1-12 with
 * bit 7 for PM. Switching format changes only how the registers read.
 */
void test_rtc_binary_12h(void)
{
	for (int tries = 0; tries < 3; tries++) {
		uint8_t r[8];
		rtc_read_raw(r);
		rtc_write(RTC_B, RTC_B_24H | RTC_B_DM);
		uint8_t sec = rtc_read(RTC_SEC), min = rtc_read(RTC_MIN), hour = rtc_read(RTC_HOUR);
		uint8_t year = rtc_read(RTC_YEAR);
		rtc_write(RTC_B, 0);		/* BCD, 12-hour */
		uint8_t hour12 = rtc_read(RTC_HOUR);
		rtc_write(RTC_B, RTC_B_24H);
		if (rtc_read(RTC_SEC) != r[0])
			continue;		/* a second ticked in between: again */
		CHECK_EQ(sec, bcd(r[0]), "seconds in binary");
		CHECK_EQ(min, bcd(r[1]), "minutes in binary");
		CHECK_EQ(hour, bcd(r[2]), "hours in binary");
		CHECK_EQ(year, bcd(r[6]), "year in binary");
		unsigned h = bcd(r[2]), h12 = h % 12 ? h % 12 : 12;
		CHECK_EQ(hour12, (h >= 12 ? 0x80 : 0) | (h12 / 10) << 4 | h12 % 10,
			 "hours in 12-hour BCD (bit 7: PM)");
		return;
	}
	CHECK(0, "the seconds changed during each of three tries");
}

/*
 * UIP (register A bit 7) rises shortly (244 us) before each update and
 * falls when it is done; the seconds register then reads one more.
 */
void test_rtc_uip(void)
{
	uint8_t before = rtc_read(RTC_SEC);
	uint64_t end = rdtsc() + g4_us_to_tsc(1100000);
	bool seen = false;
	outb(RTC_INDEX, RTC_A);		/* then only data-port reads: one exit per poll */
	while (rdtsc() < end && !seen)
		seen = inb(RTC_DATA) & RTC_A_UIP;
	CHECK(seen, "UIP never set in 1.1 s of polling register A");
	end = rdtsc() + g4_us_to_tsc(10000);
	while ((inb(RTC_DATA) & RTC_A_UIP) && rdtsc() < end)
		;
	CHECK_EQ(inb(RTC_DATA) & RTC_A_UIP, 0, "UIP 10 ms after it rose");
	uint8_t after = rtc_read(RTC_SEC);
	CHECK_EQ(bcd(after), (bcd(before) + 1) % 60, "seconds after the update");
}

/*
 * Register C: PF and UF are set by their events whether or not the
 * interrupt is enabled (polled mode); IRQF only when it is; reading C
 * clears all of it.
 */
void test_rtc_reg_c_flags(void)
{
	rtc_write(RTC_A, 0x2f);		/* periodic rate 15: 2 Hz */
	(void)rtc_read(RTC_C);
	uint64_t end = rdtsc() + g4_us_to_tsc(1100000);
	uint8_t c = 0, flags = 0;
	while (rdtsc() < end && (flags & (RTC_C_PF | RTC_C_UF)) != (RTC_C_PF | RTC_C_UF)) {
		c = rtc_read(RTC_C);
		CHECK_EQ(c & RTC_C_IRQF, 0, "IRQF with no interrupt enabled");
		flags |= c;
		if (c)
			CHECK_EQ(rtc_read(RTC_C) & (RTC_C_PF | RTC_C_UF), 0,
				 "register C flags right after reading it");
	}
	CHECK(flags & RTC_C_PF, "PF not seen in 1.1 s at 2 Hz");
	CHECK(flags & RTC_C_UF, "UF not seen in 1.1 s");
}

static volatile uint64_t uf_tsc[3];
static volatile uint8_t uf_sec[3], uf_c[3];

static void rtc_isr(struct g4_frame *f)
{
	(void)f;
	uint32_t n = g4_irq_count[VEC_IRQ8];
	uint8_t c = rtc_read(RTC_C);		/* acknowledges: IRQ 8 falls */
	if (n <= 3) {
		uf_tsc[n - 1] = rdtsc();
		uf_c[n - 1] = c;
		uf_sec[n - 1] = rtc_read(RTC_SEC);
	}
	pic_eoi(8);
}

/*
 * Update-ended interrupts (register B UIE) on IRQ 8, vector 0x28 through
 * the slave: once a second by the TSC, the seconds one more each time.
 */
void test_rtc_update_irq8(void)
{
	g4_set_handler(VEC_IRQ8, rtc_isr);
	pic_set_masks(0xfb, 0xfe);
	(void)rtc_read(RTC_C);
	rtc_write(RTC_B, RTC_B_24H | RTC_B_UIE);
	CHECK(g4_wait_irqs(VEC_IRQ8, 2, 2200000), "%u update interrupts in 2.2 s",
	      g4_irq_count[VEC_IRQ8]);
	rtc_write(RTC_B, RTC_B_24H);
	for (int i = 0; i < 2; i++)
		CHECK_EQ(uf_c[i] & (RTC_C_IRQF | RTC_C_UF), RTC_C_IRQF | RTC_C_UF, "register C");
	uint64_t us = g4_tsc_to_us(uf_tsc[1] - uf_tsc[0]);
	g4_info("RTC: update interrupts %llu us apart\n", (unsigned long long)us);
	CHECK_RANGE(us, 950000, 1050000, "us between two update interrupts");
	CHECK_EQ(bcd(uf_sec[1]), (bcd(uf_sec[0]) + 1) % 60, "seconds at the second update");
}

/*
 * SET freezes the clock so the guest can write it; clearing SET starts it
 * from what was written. 2100-02-28 23:59:59 (a Sunday) becomes 2100-03-01
 * 00:00:00, a Monday: 2100 is no leap year.
 */
void test_rtc_set_time_rollover(void)
{
	rtc_write(RTC_B, RTC_B_SET | RTC_B_24H);
	rtc_write(RTC_SEC, 0x59);
	rtc_write(RTC_MIN, 0x59);
	rtc_write(RTC_HOUR, 0x23);
	rtc_write(RTC_WDAY, 0x01);
	rtc_write(RTC_MDAY, 0x28);
	rtc_write(RTC_MONTH, 0x02);
	rtc_write(RTC_YEAR, 0x00);
	rtc_write(RTC_CENTURY, 0x21);
	CHECK_EQ(rtc_read(RTC_SEC), 0x59, "seconds read back while SET");
	CHECK_EQ(rtc_read(RTC_A) & RTC_A_UIP, 0, "UIP while SET (updates inhibited)");
	rtc_write(RTC_B, RTC_B_24H);
	uint64_t end = rdtsc() + g4_us_to_tsc(1100000);
	while (rtc_read(RTC_SEC) == 0x59 && rdtsc() < end)
		;
	uint8_t r[8];
	rtc_read_raw(r);
	g4_info("RTC after the rollover: %02x%02x-%02x-%02x %02x:%02x:%02x weekday %x\n", r[7], r[6],
		r[5], r[4], r[2], r[1], r[0], r[3]);
	CHECK_EQ(r[0] | r[1] << 8 | r[2] << 16, 0, "hh:mm:ss after 23:59:59");
	CHECK_EQ(r[4], 0x01, "day of the month");
	CHECK_EQ(r[5], 0x03, "month (2100 is not a leap year)");
	CHECK_EQ(r[6] | r[7] << 8, 0x2100, "century and year");
	CHECK_EQ(r[3], 0x02, "weekday (Monday)");
}
