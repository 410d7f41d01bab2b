/*
 * i8254.h - the PC's Intel 8254 programmable interval timer (ports
 * 0x40-0x43) and the part of port 0x61 ("system control port B") that
 * belongs to it: channel 2's GATE (bit 0) and OUT (bit 5).
 *
 * A pure model of a clocked chip without a clock: every call carries the
 * guest's virtual time in nanoseconds, and the model computes where each
 * counter is from the time its count was loaded. The input clock is
 * 1193182 Hz (PIT_HZ); tick k of that clock falls at k / PIT_HZ seconds.
 * Channel 0's OUT is IRQ 0: the caller asks pit_next_event() when OUT will
 * next rise, and calls pit_update() at (or after) that time, which drives
 * the irq0 callback.
 *
 * Wiring as on a PC: channels 0 and 1 have GATE tied high, channel 2's GATE
 * is port 0x61 bit 0; channel 1 (DRAM refresh) has no OUT consumer.
 *
 * References: Intel 8254 datasheet (order 231164), "Control Word Format",
 * "Read Operations" (counter latch, read-back), "Modes" 0-5 and Table
 * "Minimum and Maximum Initial Counts"; IBM PC/AT technical reference for
 * port 0x61.
 */
#ifndef HVLAB_I8254_H
#define HVLAB_I8254_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ		1193182u	/* input clock: 14.31818 MHz / 12 */
#define PIT_CH0		0x40
#define PIT_CH1		0x41
#define PIT_CH2		0x42
#define PIT_MODE	0x43		/* control word (write only) */
#define PIT_PORT_B	0x61		/* system control port B */

/* Control word (port 0x43) */
#define PIT_CW_BCD		0x01
#define PIT_CW_MODE_SHIFT	1	/* bits 3:1 */
#define PIT_CW_RW_SHIFT		4	/* bits 5:4: 0 latch, 1 LSB, 2 MSB, 3 LSB then MSB */
#define PIT_CW_SC_SHIFT		6	/* bits 7:6: channel, 3 = read-back */
#define PIT_RW_LATCH		0
#define PIT_RW_LSB		1
#define PIT_RW_MSB		2
#define PIT_RW_WORD		3
/* Read-back command: 11 COUNT# STATUS# CNT2 CNT1 CNT0 0 (active low) */
#define PIT_RB_NOT_COUNT	0x20
#define PIT_RB_NOT_STATUS	0x10
/* Status byte */
#define PIT_ST_OUT		0x80
#define PIT_ST_NULL		0x40

/* Port 0x61 */
#define PIT_B_GATE2		0x01	/* channel 2's GATE */
#define PIT_B_SPKR		0x02	/* speaker data enable */
#define PIT_B_WRITABLE		0x0f	/* bits 3:2 (NMI source enables) too */
#define PIT_B_REFRESH		0x10	/* toggles with each DRAM refresh */
#define PIT_B_OUT2		0x20	/* channel 2's OUT */
#define PIT_REFRESH_NS		15085	/* refresh period of the PC/AT, in ns */

/* Where a counter is in its life. */
enum pit_state {
	PIT_IDLE,	/* control word written, no count yet */
	PIT_HELD,	/* not counting: waiting for a trigger (modes 1, 5) or for GATE */
	PIT_RUN,	/* counting since tick `start` */
};

struct pit_channel {
	uint8_t mode;		/* 0-5 */
	uint8_t rw;		/* PIT_RW_LSB, _MSB or _WORD */
	bool bcd;
	bool gate;
	enum pit_state state;
	uint32_t reload;	/* the count last written, 1..65536 (1..10000 in BCD) */
	/* The running segment: the counter held seg_n at tick `start`. */
	uint64_t start;
	uint32_t seg_n;		/* modes 0, 1, 4, 5: the count; modes 2, 3: the period */
	bool seg_low;		/* mode 3: the segment begins with the low half */
	bool tc_done;		/* modes 0, 1, 4, 5: terminal count already behind us */
	/* What the counter shows while not counting (or before `start`). */
	uint32_t held_count;
	bool held_out;
	/* Modes 2 and 3: a count written while counting waits for the cycle's end. */
	bool pending;
	uint64_t pending_at;
	uint64_t load_tick;	/* tick the last written count is loaded (NULL COUNT until then) */
	/* Byte access. */
	bool write_msb_next;
	uint8_t write_lsb;
	bool read_msb_next;
	bool count_latched, status_latched;
	uint16_t latch;
	uint8_t status;
};

struct i8254 {
	struct pit_channel ch[3];
	uint8_t port_b;		/* bits 3:0 of port 0x61 as written */
	uint64_t last_tick;	/* when channel 0's OUT was last brought up to date */
	bool irq0_level;	/* what irq0() was last told */
	void (*irq0)(void *ctx, bool level);
	void *ctx;
	uint32_t warned;	/* kinds of guest mistakes already logged */
};

/**
 * Reset to what a PC BIOS leaves: channel 0 in mode 3 with count 65536
 * (18.2 Hz), loaded at @now_ns; channels 1 and 2 not programmed; port 0x61
 * zero (channel 2's GATE low). @irq0(ctx, level) is called from
 * pit_update() (and from pit_read/pit_write, which bring time up to date
 * first) when channel 0's OUT changes; the IRQ 0 line starts low.
 */
void pit_init(struct i8254 *p, uint64_t now_ns, void (*irq0)(void *ctx, bool level), void *ctx);

/**
 * Guest reads of ports 0x40-0x42 (counter, latched count or status) and
 * 0x61 at guest time @now_ns. Port 0x43 and others read 0xFF (logged once).
 */
uint8_t pit_read(struct i8254 *p, uint16_t port, uint64_t now_ns);

/**
 * Guest writes of ports 0x40-0x43 and 0x61 at guest time @now_ns. Writes
 * of port 0x61 keep bits 3:0 and ignore the read-only bits 7:4.
 */
void pit_write(struct i8254 *p, uint16_t port, uint8_t val, uint64_t now_ns);

/**
 * The earliest guest time (ns, >= the time channel 0's OUT rises) at which
 * pit_update() will raise IRQ 0, or UINT64_MAX if channel 0 will not. Only
 * rising edges are reported: they are what the PIC latches.
 */
uint64_t pit_next_event(const struct i8254 *p, uint64_t now_ns);

/**
 * Bring channel 0's OUT up to @now_ns and tell irq0() about it: if OUT rose
 * at least once since the last update, irq0 sees a low-to-high transition
 * (several periods missed give one edge, as a PIC would latch one request);
 * then irq0 is left at OUT's current level. Time never goes backwards: an
 * earlier @now_ns than before is taken as the last one.
 */
void pit_update(struct i8254 *p, uint64_t now_ns);

/** The PIT input-clock tick in progress at @ns: floor(ns * PIT_HZ / 1e9). */
uint64_t pit_ns_to_tick(uint64_t ns);

/** The first ns at which tick @tick has begun: the inverse, rounded up. */
uint64_t pit_tick_to_ns(uint64_t tick);

#endif
