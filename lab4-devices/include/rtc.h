/*
 * rtc.h - the Motorola MC146818A real-time clock and its 128 bytes of
 * CMOS RAM as a PC wires them: index port 0x70 (bit 7 disables NMI),
 * data port 0x71, IRQ 8. A pure model: the caller passes the guest's
 * virtual time in nanoseconds to every call and gets interrupts through
 * a callback. The clock keeps time as seconds since 1970-01-01 00:00:00
 * UTC and formats the registers when they are read.
 */
#ifndef HVLAB_RTC_H
#define HVLAB_RTC_H

#include <stdbool.h>
#include <stdint.h>

#define RTC_PORT_INDEX	0x70
#define RTC_PORT_DATA	0x71

/* Register indexes (MC146818A datasheet, Figure 4 "Address Map"). */
enum {
	RTC_SECONDS = 0x00,
	RTC_SECONDS_ALARM = 0x01,
	RTC_MINUTES = 0x02,
	RTC_MINUTES_ALARM = 0x03,
	RTC_HOURS = 0x04,
	RTC_HOURS_ALARM = 0x05,
	RTC_WEEKDAY = 0x06,	/* 1 = Sunday */
	RTC_DAY = 0x07,
	RTC_MONTH = 0x08,
	RTC_YEAR = 0x09,	/* 00-99 */
	RTC_REG_A = 0x0a,
	RTC_REG_B = 0x0b,
	RTC_REG_C = 0x0c,
	RTC_REG_D = 0x0d,
	RTC_CENTURY = 0x32,	/* the PC/AT's century byte (IBM AT Technical Reference) */
	RTC_NVRAM_SIZE = 128,
};

#define RTC_A_UIP	0x80	/* update in progress (read only) */
#define RTC_A_DV_MASK	0x70	/* divider: 010 = 32.768 kHz, 11x = reset */
#define RTC_A_RS_MASK	0x0f	/* periodic rate select */

#define RTC_B_SET	0x80	/* updates frozen: the guest sets the time */
#define RTC_B_PIE	0x40	/* periodic interrupt enable */
#define RTC_B_AIE	0x20	/* alarm interrupt enable */
#define RTC_B_UIE	0x10	/* update-ended interrupt enable */
#define RTC_B_SQWE	0x08	/* square-wave output (no pin here) */
#define RTC_B_DM	0x04	/* 1 = binary, 0 = BCD */
#define RTC_B_24H	0x02	/* 1 = 24-hour, 0 = 12-hour with PM in hours bit 7 */
#define RTC_B_DSE	0x01	/* daylight saving (not modelled) */

#define RTC_C_IRQF	0x80
#define RTC_C_PF	0x40
#define RTC_C_AF	0x20
#define RTC_C_UF	0x10

#define RTC_D_VRT	0x80	/* valid RAM and time: the battery is good */

#define RTC_ALARM_DONT_CARE	0xc0	/* alarm bytes 0xC0-0xFF match anything */

struct rtc_cmos {
	uint8_t index;		/* selected register, 0..127 */
	bool nmi_disabled;	/* index port bit 7: stored, not acted on */
	uint8_t nvram[RTC_NVRAM_SIZE];	/* RAM, alarms, and the time registers while SET */
	uint8_t reg_a, reg_b, reg_c;	/* reg A without UIP */

	/*
	 * The clock: at base_ns (a boundary of the divider's seconds) the time
	 * was base_time. Updates happen at base_ns + k s for k >= 1; periodic
	 * edges at base_ns + k * period. While the divider is in reset the
	 * time stands still at base_time.
	 */
	uint64_t base_time;
	int64_t base_ns;
	bool halted;		/* divider chain in reset (DV = 11x) */
	uint64_t done_ns;	/* events up to here are already in reg C */
	bool irq_level;

	unsigned logged;	/* bad-access kinds already logged (one bit each) */

	void (*irq)(void *ctx, bool level);
	void *ctx;
};

/**
 * Reset @r: the wall clock reads @unix_time (seconds since 1970, UTC) at
 * guest time @now_ns, and the next update is one second later. Register A
 * 0x26 (32.768 kHz, 1024 Hz), B 0x02 (24-hour BCD), as a PC BIOS leaves
 * them; NVRAM zero; century 20 for this millennium's years. @irq is told
 * of every change of IRQ 8's level.
 */
void rtc_init(struct rtc_cmos *r, uint64_t unix_time, uint64_t now_ns,
	      void (*irq)(void *ctx, bool level), void *ctx);

/** The guest reads @port (0x70 or 0x71) at guest time @now_ns. */
uint8_t rtc_read(struct rtc_cmos *r, uint16_t port, uint64_t now_ns);

/** The guest writes @val to @port (0x70 or 0x71) at guest time @now_ns. */
void rtc_write(struct rtc_cmos *r, uint16_t port, uint8_t val, uint64_t now_ns);

/**
 * The guest time (ns) of the next periodic, update-ended or alarm event
 * whose interrupt is enabled, strictly after @now_ns; UINT64_MAX if none.
 * Call rtc_update() then.
 */
uint64_t rtc_next_event(const struct rtc_cmos *r, uint64_t now_ns);

/** Latch the events due by @now_ns into register C and raise IRQ 8 if they are enabled. */
void rtc_update(struct rtc_cmos *r, uint64_t now_ns);

/**
 * Set NVRAM byte @index (0x0e..0x7f, not the century byte) before the guest
 * runs, e.g. the memory sizes at 0x15-0x18, 0x30-0x31, 0x34-0x35, 0x5b-0x5d.
 * A clock register or an index beyond 127 is refused with a log line.
 */
void rtc_set_nvram(struct rtc_cmos *r, unsigned index, uint8_t val);

#endif
