/*
 * rtc.c - the MC146818A real-time clock plus RAM (Motorola datasheet)
 * behind the PC's ports 0x70/0x71.
 *
 * The clock is kept as Unix seconds and turned into register bytes when
 * the guest reads them, in the format register B asks for (BCD or binary,
 * 12 or 24 hours). Time comes from the caller: every entry point gets the
 * guest's time in ns, and the events since the last call (periodic edges,
 * once-a-second updates, alarms) are latched into register C then. What
 * is not modelled: daylight saving (DSE), the square-wave pin, time
 * bases other than 32.768 kHz, and the registers' garbage during an
 * update (our update is instant at the second boundary; UIP still rises
 * 244 us before it, as the datasheet promises).
 */
#include "rtc.h"
#include "panic.h"
#include "printf.h"

#define NS_PER_SEC	1000000000ll
#define RTC_UIP_NS	244000		/* UIP rises this long before an update (Table 6) */
#define RTC_RESET_NS	500000000	/* first update after the divider leaves reset */
#define SECS_PER_DAY	86400u

enum rtc_bad {
	RTC_BAD_PORT,		/* a port other than 0x70/0x71 (a caller bug) */
	RTC_BAD_READONLY,	/* write to register C or D */
	RTC_BAD_TIME,		/* the guest set a time that is no date */
	RTC_BAD_DIVIDER,	/* a time base other than 32.768 kHz */
	RTC_BAD_DSE,		/* daylight saving asked for */
	RTC_BAD_NVRAM,		/* rtc_set_nvram() on a clock register */
};

static void rtc_log_once(struct rtc_cmos *r, enum rtc_bad kind, const char *what, unsigned val)
{
	if (r->logged & (1u << kind))
		return;
	r->logged |= 1u << kind;
	kprintf("rtc: %s (%#x); ignored (logged once)\n", what, val);
}

/* ---- calendar and register formats ---- */

static bool rtc_leap(uint64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned rtc_days_in_month(uint64_t y, unsigned m)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && rtc_leap(y) ? 29 : days[m - 1];
}

/* A byte in the format of register B's DM bit: BCD (0x59) or binary (59). */
static uint8_t rtc_enc(const struct rtc_cmos *r, unsigned v)
{
	return (r->reg_b & RTC_B_DM) ? v : (v / 10) << 4 | v % 10;
}

static bool rtc_dec(const struct rtc_cmos *r, uint8_t b, unsigned *v)
{
	if (r->reg_b & RTC_B_DM) {
		*v = b;
		return true;
	}
	if ((b & 0x0f) > 9 || (b >> 4) > 9)
		return false;
	*v = (b >> 4) * 10 + (b & 0x0f);
	return true;
}

/* Hours 0-23; in 12-hour mode 1-12 with bit 7 set for PM (00:30 is 12 AM). */
static uint8_t rtc_enc_hour(const struct rtc_cmos *r, unsigned h)
{
	if (r->reg_b & RTC_B_24H)
		return rtc_enc(r, h);
	unsigned h12 = h % 12 ? h % 12 : 12;
	return rtc_enc(r, h12) | (h >= 12 ? 0x80 : 0);
}

static bool rtc_dec_hour(const struct rtc_cmos *r, uint8_t b, unsigned *h)
{
	if (r->reg_b & RTC_B_24H)
		return rtc_dec(r, b, h) && *h < 24;
	unsigned h12;
	if (!rtc_dec(r, b & 0x7f, &h12) || h12 < 1 || h12 > 12)
		return false;
	*h = h12 % 12 + (b & 0x80 ? 12 : 0);
	return true;
}

/*
 * rtc_time_to_regs - write Unix time @t into the clock registers of @regs
 * (indexes RTC_SECONDS, RTC_MINUTES, RTC_HOURS, RTC_WEEKDAY, RTC_DAY,
 * RTC_MONTH, RTC_YEAR and RTC_CENTURY; leave the others alone), in the
 * format register B selects.
 *
 * What to do: split @t into days since 1970-01-01 and the second of the
 * day (hours, minutes, seconds). Walk the days forward year by year, then
 * month by month (a year is a leap year when divisible by 4, except
 * centuries not divisible by 400: 2000 is one, 2100 is not; the 400-year
 * cycle has 146097 days, which lets you skip whole cycles). The weekday
 * counts 1 = Sunday; 1970-01-01 was a Thursday. Encode each value with
 * rtc_enc() (BCD or binary) and the hour with rtc_enc_hour() (12/24).
 * The year register holds the year modulo 100, the century byte the rest.
 */
static void rtc_time_to_regs(const struct rtc_cmos *r, uint64_t t, uint8_t regs[RTC_NVRAM_SIZE])
{
	/* BEGIN SOLUTION lab4 */
	uint64_t days = t / SECS_PER_DAY;
	unsigned sod = t % SECS_PER_DAY;

	regs[RTC_SECONDS] = rtc_enc(r, sod % 60);
	regs[RTC_MINUTES] = rtc_enc(r, sod / 60 % 60);
	regs[RTC_HOURS] = rtc_enc_hour(r, sod / 3600);
	regs[RTC_WEEKDAY] = rtc_enc(r, (days + 4) % 7 + 1);

	uint64_t year = 1970 + 400 * (days / 146097);
	days %= 146097;
	while (days >= (rtc_leap(year) ? 366u : 365u)) {
		days -= rtc_leap(year) ? 366 : 365;
		year++;
	}
	unsigned month = 1;
	while (days >= rtc_days_in_month(year, month)) {
		days -= rtc_days_in_month(year, month);
		month++;
	}
	regs[RTC_DAY] = rtc_enc(r, days + 1);
	regs[RTC_MONTH] = rtc_enc(r, month);
	regs[RTC_YEAR] = rtc_enc(r, year % 100);
	regs[RTC_CENTURY] = rtc_enc(r, year / 100 % 100);
	/* END SOLUTION */
	/* STUB lab4
	(void)r;
	(void)t;
	(void)regs;
	NOT_IMPLEMENTED("lab4");
	*/
}

/* The inverse, for a time the guest set: false if the bytes are no date in 1970-9999. */
static bool rtc_regs_to_time(const struct rtc_cmos *r, const uint8_t regs[RTC_NVRAM_SIZE], uint64_t *t)
{
	unsigned s, mi, h, d, mo, y, c;
	if (!rtc_dec(r, regs[RTC_SECONDS], &s) || s > 59 ||
	    !rtc_dec(r, regs[RTC_MINUTES], &mi) || mi > 59 ||
	    !rtc_dec_hour(r, regs[RTC_HOURS], &h) ||
	    !rtc_dec(r, regs[RTC_MONTH], &mo) || mo < 1 || mo > 12 ||
	    !rtc_dec(r, regs[RTC_YEAR], &y) || y > 99 ||
	    !rtc_dec(r, regs[RTC_CENTURY], &c) || c > 99)
		return false;
	y += 100 * c;
	if (y < 1970 || !rtc_dec(r, regs[RTC_DAY], &d) || d < 1 || d > rtc_days_in_month(y, mo))
		return false;
	/* Days before 1 January of y: 365 a year plus the leap days since 1970. */
	unsigned p = y - 1;
	uint64_t days = 365ull * (y - 1970) + (p / 4 - p / 100 + p / 400) - (1969 / 4 - 1969 / 100 + 1969 / 400);
	for (unsigned m = 1; m < mo; m++)
		days += rtc_days_in_month(y, m);
	days += d - 1;
	*t = days * SECS_PER_DAY + h * 3600 + mi * 60 + s;
	return true;
}

/* ---- the clock ---- */

static bool rtc_set_mode(const struct rtc_cmos *r)
{
	return r->reg_b & RTC_B_SET;
}

/* ns since base_ns; never negative (the caller's time does not run back). */
static uint64_t rtc_elapsed(const struct rtc_cmos *r, uint64_t now)
{
	return (int64_t)now > r->base_ns ? (uint64_t)((int64_t)now - r->base_ns) : 0;
}

static uint64_t rtc_time_at(const struct rtc_cmos *r, uint64_t now)
{
	return r->halted ? r->base_time : r->base_time + rtc_elapsed(r, now) / NS_PER_SEC;
}

/* Updates (UF, alarms) happen only while the divider runs and SET is clear. */
static bool rtc_updating(const struct rtc_cmos *r)
{
	return !r->halted && !rtc_set_mode(r);
}

/* Whole 32.768 kHz ticks since base_ns, without overflowing 64 bits. */
static uint64_t rtc_ticks(const struct rtc_cmos *r, uint64_t now)
{
	uint64_t e = rtc_elapsed(r, now);
	return e / NS_PER_SEC * 32768 + e % NS_PER_SEC * 32768 / NS_PER_SEC;
}

/* The first ns at which @ticks ticks have passed since base_ns. */
static uint64_t rtc_ticks_to_ns(const struct rtc_cmos *r, uint64_t ticks)
{
	uint64_t sub = ticks % 32768;
	return r->base_ns + ticks / 32768 * NS_PER_SEC + (sub * NS_PER_SEC + 32767) / 32768;
}

/*
 * Periodic period as a power of two of 32.768 kHz ticks: rate select n
 * divides by 2^(n-1); 1 and 2 give 256 and 128 Hz like 8 and 9
 * (datasheet Table 5). Returns -1 for rate 0 (off).
 */
static int rtc_period_shift(const struct rtc_cmos *r)
{
	unsigned rs = r->reg_a & RTC_A_RS_MASK;
	if (rs == 0)
		return -1;
	return (rs < 3 ? rs + 7 : rs) - 1;
}

static bool rtc_alarm_field(uint8_t alarm, uint8_t now)
{
	return (alarm & RTC_ALARM_DONT_CARE) == RTC_ALARM_DONT_CARE || alarm == now;
}

/*
 * Seconds from Unix time @t (inclusive) to the first second whose time of
 * day matches the alarm bytes, looking at most @limit seconds ahead; -1 if
 * none. A field that can match no time at all (0x61 seconds, a bad BCD
 * digit) means the alarm never fires. Mismatches skip a whole hour or
 * minute, so this takes a few hundred steps at most.
 */
static int64_t rtc_alarm_search(const struct rtc_cmos *r, uint64_t t, uint64_t limit)
{
	uint8_t as = r->nvram[RTC_SECONDS_ALARM], am = r->nvram[RTC_MINUTES_ALARM];
	uint8_t ah = r->nvram[RTC_HOURS_ALARM];
	unsigned v;
	if (((as & 0xc0) != 0xc0 && (!rtc_dec(r, as, &v) || v > 59)) ||
	    ((am & 0xc0) != 0xc0 && (!rtc_dec(r, am, &v) || v > 59)) ||
	    ((ah & 0xc0) != 0xc0 && !rtc_dec_hour(r, ah, &v)))
		return -1;
	if (limit > SECS_PER_DAY)
		limit = SECS_PER_DAY;
	for (uint64_t off = 0; off < limit;) {
		unsigned sod = (t + off) % SECS_PER_DAY;
		unsigned h = sod / 3600, m = sod / 60 % 60, s = sod % 60;
		if (!rtc_alarm_field(ah, rtc_enc_hour(r, h)))
			off += 3600 - (m * 60 + s);
		else if (!rtc_alarm_field(am, rtc_enc(r, m)))
			off += 60 - s;
		else if (!rtc_alarm_field(as, rtc_enc(r, s)))
			off += 1;
		else
			return off;
	}
	return -1;
}

/* IRQF = PF.PIE + AF.AIE + UF.UIE (datasheet, register C); IRQ 8 follows IRQF. */
static void rtc_update_irq(struct rtc_cmos *r)
{
	uint8_t enabled = r->reg_b & (RTC_B_PIE | RTC_B_AIE | RTC_B_UIE);
	/* PF, AF, UF sit at the bit positions of PIE, AIE, UIE. */
	r->reg_c = (r->reg_c & ~RTC_C_IRQF) | (r->reg_c & enabled ? RTC_C_IRQF : 0);
	bool level = r->reg_c & RTC_C_IRQF;
	if (level == r->irq_level)
		return;
	r->irq_level = level;
	if (r->irq)
		r->irq(r->ctx, level);
}

/*
 * Latch the events of (done_ns, now] into register C. PF, UF and AF are
 * set whether or not their interrupts are enabled (the datasheet's
 * polled mode); only IRQF depends on the enables.
 */
static void rtc_latch_events(struct rtc_cmos *r, uint64_t now)
{
	if (now <= r->done_ns)
		return;
	uint64_t from = r->done_ns;
	r->done_ns = now;
	if (r->halted)
		return;
	int shift = rtc_period_shift(r);
	if (shift >= 0 && rtc_ticks(r, now) >> shift > rtc_ticks(r, from) >> shift)
		r->reg_c |= RTC_C_PF;
	if (!rtc_updating(r))
		return;
	uint64_t first = rtc_elapsed(r, from) / NS_PER_SEC + 1;	/* update k at base_ns + k s */
	uint64_t last = rtc_elapsed(r, now) / NS_PER_SEC;
	if (last < first)
		return;
	r->reg_c |= RTC_C_UF;
	if (rtc_alarm_search(r, r->base_time + first, last - first + 1) >= 0)
		r->reg_c |= RTC_C_AF;
}

/* Bring register C and IRQ 8 up to @now. */
static void rtc_catch_up(struct rtc_cmos *r, uint64_t now)
{
	rtc_latch_events(r, now);
	rtc_update_irq(r);
}

/*
 * Make the clock read @t from now on. The divider keeps its phase: the
 * next update comes at the next second boundary as before, which is what
 * clearing SET does on the chip.
 */
static void rtc_set_time(struct rtc_cmos *r, uint64_t t, uint64_t now)
{
	if (!r->halted)
		r->base_ns += rtc_elapsed(r, now) / NS_PER_SEC * NS_PER_SEC;
	r->base_time = t;
}

static bool rtc_is_clock_reg(unsigned i)
{
	return i == RTC_SECONDS || i == RTC_MINUTES || i == RTC_HOURS ||
	       (i >= RTC_WEEKDAY && i <= RTC_YEAR) || i == RTC_CENTURY;
}

/* Copy the running clock's bytes into the RAM, where SET mode keeps them. */
static void rtc_snapshot(struct rtc_cmos *r, uint64_t now)
{
	rtc_time_to_regs(r, rtc_time_at(r, now), r->nvram);
}

void rtc_init(struct rtc_cmos *r, uint64_t unix_time, uint64_t now_ns,
	      void (*irq)(void *ctx, bool level), void *ctx)
{
	*r = (struct rtc_cmos){ .irq = irq, .ctx = ctx };
	r->reg_a = 0x26;
	r->reg_b = RTC_B_24H;
	r->base_time = unix_time;
	r->base_ns = (int64_t)now_ns;
	r->done_ns = now_ns;
}

/* ---- register access ---- */

static uint8_t rtc_read_reg(struct rtc_cmos *r, unsigned i, uint64_t now)
{
	if (rtc_is_clock_reg(i) && !rtc_set_mode(r)) {
		uint8_t regs[RTC_NVRAM_SIZE];
		rtc_time_to_regs(r, rtc_time_at(r, now), regs);
		return regs[i];
	}
	switch (i) {
	case RTC_REG_A: {
		bool uip = rtc_updating(r) &&
			   rtc_elapsed(r, now) % NS_PER_SEC >= NS_PER_SEC - RTC_UIP_NS;
		return r->reg_a | (uip ? RTC_A_UIP : 0);
	}
	case RTC_REG_B:
		return r->reg_b;
	case RTC_REG_C: {
		uint8_t v = r->reg_c;
		r->reg_c = 0;
		rtc_update_irq(r);
		return v;
	}
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		return r->nvram[i];
	}
}

/*
 * Register A: DV = 11x holds the divider in reset (time stands still, no
 * periodic edges); the first update comes 500 ms after it is released.
 */
static void rtc_write_a(struct rtc_cmos *r, uint8_t val, uint64_t now)
{
	bool halt = (val & 0x60) == 0x60;
	if (!halt && (val & RTC_A_DV_MASK) != 0x20)
		rtc_log_once(r, RTC_BAD_DIVIDER, "register A time base other than 32.768 kHz, kept as 32.768 kHz", val);
	if (halt && !r->halted) {
		r->base_time = rtc_time_at(r, now);
		r->halted = true;
	} else if (!halt && r->halted) {
		r->halted = false;
		r->base_ns = (int64_t)now - RTC_RESET_NS;
	}
	r->reg_a = val & ~RTC_A_UIP;
}

/*
 * Register B: SET rising freezes the clock bytes in RAM (in the format
 * being set); SET falling starts the clock from what the guest wrote.
 */
static void rtc_write_b(struct rtc_cmos *r, uint8_t val, uint64_t now)
{
	bool was_set = rtc_set_mode(r);
	uint8_t old = r->reg_b;
	if (val & RTC_B_DSE)
		rtc_log_once(r, RTC_BAD_DSE, "daylight saving (register B DSE) is not modelled", val);
	r->reg_b = val;
	if ((val & RTC_B_SET) && !was_set) {
		rtc_snapshot(r, now);
	} else if (!(val & RTC_B_SET) && was_set) {
		uint64_t t;
		if (rtc_regs_to_time(r, r->nvram, &t))
			rtc_set_time(r, t, now);
		else
			rtc_log_once(r, RTC_BAD_TIME, "guest set a time that is no valid date; clock unchanged, register B", old);
	}
	rtc_update_irq(r);
}

static void rtc_write_reg(struct rtc_cmos *r, unsigned i, uint8_t val, uint64_t now)
{
	if (rtc_is_clock_reg(i)) {
		if (rtc_set_mode(r)) {
			r->nvram[i] = val;
			return;
		}
		/* The chip takes clock writes while running too: the next update counts on from them. */
		uint8_t regs[RTC_NVRAM_SIZE];
		uint64_t t;
		rtc_time_to_regs(r, rtc_time_at(r, now), regs);
		regs[i] = val;
		if (rtc_regs_to_time(r, regs, &t))
			rtc_set_time(r, t, now);
		else
			rtc_log_once(r, RTC_BAD_TIME, "guest set a time that is no valid date; clock unchanged, register", i);
		return;
	}
	switch (i) {
	case RTC_REG_A:
		rtc_write_a(r, val, now);
		break;
	case RTC_REG_B:
		rtc_write_b(r, val, now);
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		rtc_log_once(r, RTC_BAD_READONLY, "write to read-only register", i);
		break;
	default:
		r->nvram[i] = val;
	}
}

uint8_t rtc_read(struct rtc_cmos *r, uint16_t port, uint64_t now_ns)
{
	rtc_catch_up(r, now_ns);
	if (port == RTC_PORT_DATA)
		return rtc_read_reg(r, r->index, now_ns);
	if (port != RTC_PORT_INDEX)
		rtc_log_once(r, RTC_BAD_PORT, "read of a port that is not 0x70/0x71", port);
	return 0xff;	/* the index port is write-only on a PC */
}

void rtc_write(struct rtc_cmos *r, uint16_t port, uint8_t val, uint64_t now_ns)
{
	rtc_catch_up(r, now_ns);
	if (port == RTC_PORT_INDEX) {
		r->index = val & 0x7f;
		r->nmi_disabled = val & 0x80;
	} else if (port == RTC_PORT_DATA) {
		rtc_write_reg(r, r->index, val, now_ns);
	} else {
		rtc_log_once(r, RTC_BAD_PORT, "write to a port that is not 0x70/0x71", port);
	}
}

static uint64_t rtc_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t rtc_next_event(const struct rtc_cmos *r, uint64_t now_ns)
{
	uint64_t next = UINT64_MAX;
	if (r->halted)
		return next;
	int shift = rtc_period_shift(r);
	if ((r->reg_b & RTC_B_PIE) && shift >= 0) {
		uint64_t edge = (rtc_ticks(r, now_ns) >> shift) + 1;
		next = rtc_ticks_to_ns(r, edge << shift);
	}
	if (!rtc_updating(r))
		return next;
	uint64_t k = rtc_elapsed(r, now_ns) / NS_PER_SEC + 1;	/* the next update */
	if (r->reg_b & RTC_B_UIE)
		next = rtc_min(next, r->base_ns + k * NS_PER_SEC);
	if (r->reg_b & RTC_B_AIE) {
		int64_t off = rtc_alarm_search(r, r->base_time + k, SECS_PER_DAY);
		if (off >= 0)
			next = rtc_min(next, r->base_ns + (k + off) * NS_PER_SEC);
	}
	return next;
}

void rtc_update(struct rtc_cmos *r, uint64_t now_ns)
{
	rtc_catch_up(r, now_ns);
}

void rtc_set_nvram(struct rtc_cmos *r, unsigned index, uint8_t val)
{
	if (index >= RTC_NVRAM_SIZE || index <= RTC_REG_D || index == RTC_CENTURY) {
		rtc_log_once(r, RTC_BAD_NVRAM, "rtc_set_nvram: index is a clock register or beyond 127", index);
		return;
	}
	r->nvram[index] = val;
}
