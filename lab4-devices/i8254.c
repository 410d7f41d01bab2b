/*
 * i8254.c - the PC's Intel 8254 interval timer and port 0x61 (see i8254.h).
 *
 * A counter is described by a "segment": it held seg_n at input-clock
 * tick `start` and has counted since, by its mode's rule, so its count and
 * OUT at any later tick follow from arithmetic alone (pit_chan_eval). A
 * segment ends when the guest writes a control word or a count, or when
 * GATE changes; modes 2 and 3 also begin a new segment at the end of the
 * cycle in which a new count was written (pending). Tick numbers are
 * absolute: tick k starts at k / PIT_HZ seconds of guest time.
 *
 * Timing follows the 8254 datasheet: a count written at tick w is loaded
 * on the next clock (w + 1), and that clock does not decrement it, so in
 * mode 0 OUT rises N + 1 clocks after the write, in mode 4 it pulses low
 * then; in mode 2 OUT is low during the clock in which the count is 1 and
 * the period is N; in mode 3 OUT is high for ceil(N/2) clocks and low for
 * floor(N/2), the counter stepping by two.
 */
#include "i8254.h"
#include "panic.h"
#include "printf.h"
#include "string.h"

#define NS_PER_S	1000000000ull
#define PIT_NEVER	UINT64_MAX

/* Guest mistakes, each logged once per PIT. */
enum {
	PIT_WARN_PORT = 1u << 0,
	PIT_WARN_READ_CW = 1u << 1,
	PIT_WARN_COUNT1 = 1u << 2,
	PIT_WARN_BCD_DIGIT = 1u << 3,
	PIT_WARN_READBACK = 1u << 4,
	PIT_WARN_TIME = 1u << 5,
};

#define pit_warn_once(p, kind, ...)                     \
	do {                                            \
		if (!((p)->warned & (kind))) {          \
			(p)->warned |= (kind);          \
			kprintf("i8254: " __VA_ARGS__); \
		}                                       \
	} while (0)

uint64_t pit_ns_to_tick(uint64_t ns)
{
	/* Split so that nothing overflows 64 bits (no 128-bit division in the kernel). */
	return ns / NS_PER_S * PIT_HZ + ns % NS_PER_S * PIT_HZ / NS_PER_S;
}

uint64_t pit_tick_to_ns(uint64_t tick)
{
	if (tick == PIT_NEVER)
		return UINT64_MAX;
	return tick / PIT_HZ * NS_PER_S + (tick % PIT_HZ * NS_PER_S + PIT_HZ - 1) / PIT_HZ;
}

/* A count register of 0 means the largest count: 2^16, or 10^4 in BCD. */
static uint32_t chan_modulus(const struct pit_channel *c)
{
	return c->bcd ? 10000 : 65536;
}

/*
 * pit_chan_eval - the counter's value and its OUT level at input-clock
 * tick @k (the value runs from 0 to modulus-1; 0 stands for 65536, or
 * 10000 in BCD).
 *
 * What to do: while the counter is not counting (state != PIT_RUN), or
 * before its segment starts (k < c->start), it shows held_count and
 * held_out. Otherwise e = k - start clocks have passed since it held
 * n = seg_n. By mode (8254 datasheet, "Modes"):
 *   0, 1: the count goes n, n-1, ..., 1, 0, then wraps (mod the modulus)
 *         and goes on; OUT is high from the clock it reaches 0 (e >= n),
 *         or already if tc_done.
 *   4, 5: the same count; OUT is low for the one clock at e == n, unless
 *         tc_done, high otherwise.
 *   2:    periodic with period n: the count goes n, ..., 2, 1, then n
 *         again; OUT is low only while it is 1.
 *   3:    periodic with period n: a high half of (n+1)/2 clocks, then a
 *         low half of n/2 clocks (seg_low: the segment starts with the
 *         low half). In each half the count starts at n rounded down to
 *         even and drops by 2 per clock.
 */
static void pit_chan_eval(const struct pit_channel *c, uint64_t k, uint32_t *count, bool *out)
{
	/* BEGIN SOLUTION lab4 */
	uint32_t m = chan_modulus(c);
	uint32_t n = c->seg_n;

	if (c->state != PIT_RUN || k < c->start) {
		*count = c->held_count;
		*out = c->held_out;
		return;
	}
	uint64_t e = k - c->start;
	switch (c->mode) {
	case 0:
	case 1:
		*count = (uint32_t)((n + m - e % m) % m);
		*out = c->tc_done || e >= n;
		break;
	case 4:
	case 5:
		*count = (uint32_t)((n + m - e % m) % m);
		*out = c->tc_done || e != n;
		break;
	case 2: {
		uint64_t ph = e % n;
		*count = (uint32_t)((n - ph) % m);
		*out = ph != n - 1;
		break;
	}
	default: {	/* 3 */
		uint32_t high = (n + 1) / 2;
		uint64_t ph = (e + (c->seg_low ? high : 0)) % n;
		uint64_t j = ph < high ? ph : ph - high;
		*count = (uint32_t)(((n & ~1u) - 2 * j) % m);
		*out = ph < high;
		break;
	}
	}
	/* END SOLUTION */
	/* STUB lab4
	(void)c;
	(void)k;
	(void)count;
	(void)out;
	NOT_IMPLEMENTED("lab4");
	*/
}

/* The first tick after @k at which OUT rises, or PIT_NEVER. */
static uint64_t chan_next_rise(const struct pit_channel *c, uint64_t k)
{
	uint64_t first, period = 0;
	uint32_t n = c->seg_n;

	if (c->state != PIT_RUN)
		return PIT_NEVER;
	switch (c->mode) {
	case 0:
	case 1:
		if (c->tc_done)
			return PIT_NEVER;
		first = c->start + n;
		break;
	case 4:
	case 5:
		if (c->tc_done)
			return PIT_NEVER;
		first = c->start + n + 1;
		break;
	case 2:
		first = c->start + n;
		period = n;
		break;
	default:	/* 3: rises where a low half ends */
		first = c->start + n - (c->seg_low ? (n + 1) / 2 : 0);
		period = n;
		break;
	}
	if (k < first)
		return first;
	if (!period)
		return PIT_NEVER;
	return first + ((k - first) / period + 1) * period;
}

/*
 * Modes 2 and 3: a count written while counting takes effect at the end
 * of the current cycle (mode 2) or half-cycle (mode 3). The tick where
 * that is, seen from tick @k.
 */
static uint64_t chan_cycle_end(const struct pit_channel *c, uint64_t k)
{
	if (c->mode == 2)
		return chan_next_rise(c, k);
	uint32_t n = c->seg_n, high = (n + 1) / 2;
	uint64_t ph = (k - c->start + (c->seg_low ? high : 0)) % n;
	return k + (ph < high ? high - ph : n - ph);
}

/* The pending count starts a new segment where the old cycle ended. */
static void chan_apply_pending(struct pit_channel *c)
{
	uint32_t count;
	bool out;

	pit_chan_eval(c, c->pending_at, &count, &out);
	c->start = c->pending_at;
	c->seg_n = c->reload;
	c->seg_low = !out;	/* mode 3: the half that begins there */
	c->pending = false;
}

static void chan_sync(struct pit_channel *c, uint64_t k)
{
	if (c->pending && c->pending_at <= k)
		chan_apply_pending(c);
}

/* Did OUT rise in ticks (from, to]? Applies a pending count on the way. */
static bool chan_rose(struct pit_channel *c, uint64_t from, uint64_t to)
{
	bool rose = false;

	if (c->pending && c->pending_at <= to) {
		rose = chan_next_rise(c, from) <= c->pending_at;
		chan_apply_pending(c);
	}
	return rose || chan_next_rise(c, from) <= to;
}

static void pit_set_irq0(struct i8254 *p, bool level)
{
	p->irq0_level = level;
	if (p->irq0)
		p->irq0(p->ctx, level);
}

/*
 * Bring every counter to tick @k and channel 0's OUT to the IRQ 0 line.
 * Returns @k, or the last tick if @k lies before it.
 */
static uint64_t pit_advance(struct i8254 *p, uint64_t now_ns)
{
	uint64_t k = pit_ns_to_tick(now_ns);
	uint32_t count;
	bool out;

	if (k < p->last_tick) {
		pit_warn_once(p, PIT_WARN_TIME,
			      "time went backwards (tick %llu after %llu); using the later one\n",
			      (unsigned long long)k, (unsigned long long)p->last_tick);
		k = p->last_tick;
	}
	bool rose = chan_rose(&p->ch[0], p->last_tick, k);
	chan_sync(&p->ch[1], k);
	chan_sync(&p->ch[2], k);
	p->last_tick = k;

	pit_chan_eval(&p->ch[0], k, &count, &out);
	if (rose) {
		if (p->irq0_level)
			pit_set_irq0(p, false);
		pit_set_irq0(p, true);
	}
	if (out != p->irq0_level)
		pit_set_irq0(p, out);
	return k;
}

/* After a write changed channel 0 at tick @k: OUT may have moved at once. */
static void pit_sync_irq0(struct i8254 *p, uint64_t k)
{
	uint32_t count;
	bool out;

	pit_chan_eval(&p->ch[0], k, &count, &out);
	if (out != p->irq0_level)
		pit_set_irq0(p, out);
}

void pit_init(struct i8254 *p, uint64_t now_ns, void (*irq0)(void *ctx, bool level), void *ctx)
{
	uint64_t k = pit_ns_to_tick(now_ns);

	memset(p, 0, sizeof(*p));
	p->irq0 = irq0;
	p->ctx = ctx;
	p->last_tick = k;
	for (int i = 0; i < 3; i++) {
		struct pit_channel *c = &p->ch[i];
		c->rw = PIT_RW_WORD;
		c->gate = i != 2;	/* channel 2's GATE is port 0x61 bit 0 */
		c->state = PIT_IDLE;
		c->load_tick = PIT_NEVER;
	}
	/* The BIOS's 18.2 Hz time-of-day tick: mode 3, count 0 (65536). */
	struct pit_channel *c0 = &p->ch[0];
	c0->mode = 3;
	c0->state = PIT_RUN;
	c0->reload = c0->seg_n = 65536;
	c0->start = c0->load_tick = k + 1;
	c0->held_out = true;
}

/* Counts in BCD: 4 decades. A nibble above 9 is the guest's mistake. */
static uint32_t bcd_to_bin(struct i8254 *p, uint32_t v)
{
	uint32_t r = 0;
	for (int shift = 12; shift >= 0; shift -= 4) {
		uint32_t d = (v >> shift) & 0xf;
		if (d > 9) {
			pit_warn_once(p, PIT_WARN_BCD_DIGIT,
				      "BCD count %#x has a digit above 9; counted as 9\n", v);
			d = 9;
		}
		r = r * 10 + d;
	}
	return r;
}

static uint16_t bin_to_bcd(uint32_t v)
{
	return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10);
}

/* The count as the guest reads it: binary, or BCD digits. */
static uint16_t chan_read_value(const struct pit_channel *c, uint64_t k)
{
	uint32_t count;
	bool out;

	pit_chan_eval(c, k, &count, &out);
	return c->bcd ? bin_to_bcd(count) : (uint16_t)count;
}

/* Control word: "all control logic is immediately reset". */
static void chan_control(struct pit_channel *c, uint8_t val, uint64_t k)
{
	uint32_t count;
	bool out;
	uint8_t mode = (val >> PIT_CW_MODE_SHIFT) & 7;

	pit_chan_eval(c, k, &count, &out);
	c->mode = mode > 5 ? mode - 4 : mode;	/* 110, 111 are modes 2, 3 */
	c->rw = (val >> PIT_CW_RW_SHIFT) & 3;
	c->bcd = val & PIT_CW_BCD;
	c->state = PIT_IDLE;
	c->held_count = count % chan_modulus(c);
	c->held_out = c->mode != 0;	/* mode 0: OUT low; every other mode: high */
	c->tc_done = false;
	c->pending = false;
	c->load_tick = PIT_NEVER;
	c->write_msb_next = false;
	c->read_msb_next = false;
	c->count_latched = false;
	c->status_latched = false;
}

/* Counter latch command: freeze the count for reading (a second one is ignored). */
static void chan_latch_count(struct pit_channel *c, uint64_t k)
{
	if (c->count_latched)
		return;
	c->latch = chan_read_value(c, k);
	c->count_latched = true;
}

static void chan_latch_status(struct pit_channel *c, uint64_t k)
{
	uint32_t count;
	bool out;

	if (c->status_latched)
		return;
	pit_chan_eval(c, k, &count, &out);
	c->status = (out ? PIT_ST_OUT : 0) | (k < c->load_tick ? PIT_ST_NULL : 0) |
		    c->rw << PIT_CW_RW_SHIFT | c->mode << PIT_CW_MODE_SHIFT |
		    (c->bcd ? PIT_CW_BCD : 0);
	c->status_latched = true;
}

/* A complete initial count @raw arrives at tick @k. */
static void chan_load(struct i8254 *p, struct pit_channel *c, uint32_t raw, uint64_t k)
{
	uint32_t n = c->bcd ? bcd_to_bin(p, raw) : raw;
	uint32_t count;
	bool out;

	if (n == 0)
		n = chan_modulus(c);
	if ((c->mode == 2 || c->mode == 3) && n == 1) {
		/* Table "Minimum and Maximum Initial Counts": 2 in modes 2 and 3. */
		pit_warn_once(p, PIT_WARN_COUNT1, "count 1 is illegal in mode %u; counting 2\n",
			      c->mode);
		n = 2;
	}
	c->reload = n;
	pit_chan_eval(c, k, &count, &out);
	switch (c->mode) {
	case 0:
	case 4:
		/* Loaded on the next clock; counts while GATE is high. */
		c->held_count = c->gate ? count : n;
		c->held_out = c->mode != 0;
		c->tc_done = false;
		c->seg_n = n;
		c->start = c->load_tick = k + 1;
		c->state = c->gate ? PIT_RUN : PIT_HELD;
		break;
	case 1:
	case 5:
		/* Used at the next trigger (GATE rising). */
		if (c->state == PIT_IDLE)
			c->state = PIT_HELD;
		c->load_tick = PIT_NEVER;
		break;
	default:	/* 2, 3 */
		if (c->state == PIT_RUN && k >= c->start) {
			c->pending = true;
			c->pending_at = c->load_tick = chan_cycle_end(c, k);
		} else if (c->state == PIT_RUN) {
			c->seg_n = n;	/* not loaded yet: the newer count wins */
		} else if (c->gate) {
			c->held_count = count;
			c->held_out = true;
			c->seg_n = n;
			c->seg_low = false;
			c->start = c->load_tick = k + 1;
			c->state = PIT_RUN;
		} else {
			c->held_count = n;
			c->held_out = true;
			c->load_tick = k + 1;
			c->state = PIT_HELD;
		}
		break;
	}
}

static void chan_write(struct i8254 *p, struct pit_channel *c, uint8_t val, uint64_t k)
{
	uint32_t count;
	bool out;

	switch (c->rw) {
	case PIT_RW_LSB:
		chan_load(p, c, val, k);
		break;
	case PIT_RW_MSB:
		chan_load(p, c, (uint32_t)val << 8, k);
		break;
	default:
		if (!c->write_msb_next) {
			c->write_lsb = val;
			c->write_msb_next = true;
			/* Mode 0: the first byte stops counting and drops OUT at once. */
			if (c->mode == 0 && c->state != PIT_IDLE) {
				pit_chan_eval(c, k, &count, &out);
				c->held_count = count;
				c->held_out = false;
				c->tc_done = false;
				c->state = PIT_HELD;
			}
			break;
		}
		c->write_msb_next = false;
		chan_load(p, c, c->write_lsb | (uint32_t)val << 8, k);
		break;
	}
}

static uint8_t chan_read(struct pit_channel *c, uint64_t k)
{
	uint16_t v;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	v = c->count_latched ? c->latch : chan_read_value(c, k);
	switch (c->rw) {
	case PIT_RW_LSB:
		c->count_latched = false;
		return v & 0xff;
	case PIT_RW_MSB:
		c->count_latched = false;
		return v >> 8;
	default:
		if (!c->read_msb_next) {
			c->read_msb_next = true;
			return v & 0xff;
		}
		c->read_msb_next = false;
		c->count_latched = false;
		return v >> 8;
	}
}

/*
 * GATE changes (channel 2 only on a PC). Modes 0 and 4: low suspends
 * counting. Modes 2 and 3: low stops counting and forces OUT high; rising
 * reloads the count on the next clock. Modes 1 and 5: rising is the
 * trigger that loads the count and starts the one-shot.
 */
static void chan_set_gate(struct pit_channel *c, bool gate, uint64_t k)
{
	uint32_t count;
	bool out;

	if (gate == c->gate)
		return;
	pit_chan_eval(c, k, &count, &out);
	c->gate = gate;
	if (c->state == PIT_IDLE)
		return;
	switch (c->mode) {
	case 0:
	case 4:
		if (!gate && c->state == PIT_RUN) {
			bool loaded = k >= c->start;
			c->tc_done = c->tc_done || (loaded && k - c->start >= c->seg_n);
			c->held_count = loaded ? count : c->seg_n % chan_modulus(c);
			c->held_out = c->mode == 4 ? true : out;
			c->state = PIT_HELD;
		} else if (gate && c->state == PIT_HELD && !(c->mode == 0 && c->write_msb_next)) {
			/*
			 * Resume from the held count; it drops on the next clock
			 * (a count written while GATE was low is loaded first).
			 */
			c->seg_n = c->held_count ? c->held_count : chan_modulus(c);
			c->start = c->load_tick != PIT_NEVER && c->load_tick > k ? c->load_tick : k;
			c->state = PIT_RUN;
		}
		break;
	case 1:
	case 5:
		if (gate) {
			c->held_count = count;
			c->held_out = out;
			c->seg_n = c->reload;
			c->tc_done = false;
			c->start = c->load_tick = k + 1;
			c->state = PIT_RUN;
		}
		break;
	default:	/* 2, 3 */
		if (!gate) {
			c->held_count = count;
			c->held_out = true;
			c->pending = false;
			c->state = PIT_HELD;
		} else {
			c->held_count = count;
			c->held_out = true;
			c->seg_n = c->reload;
			c->seg_low = false;
			c->pending = false;
			c->start = c->load_tick = k + 1;
			c->state = PIT_RUN;
		}
		break;
	}
}

/* Read-back command: 11 COUNT# STATUS# CNT2 CNT1 CNT0 0. */
static void pit_read_back(struct i8254 *p, uint8_t val, uint64_t k)
{
	if (val & 1)
		pit_warn_once(p, PIT_WARN_READBACK,
			      "read-back command %#x has reserved bit 0 set; ignored\n", val);
	for (int i = 0; i < 3; i++) {
		if (!(val & (2u << i)))
			continue;
		if (!(val & PIT_RB_NOT_STATUS))
			chan_latch_status(&p->ch[i], k);
		if (!(val & PIT_RB_NOT_COUNT))
			chan_latch_count(&p->ch[i], k);
	}
}

uint8_t pit_read(struct i8254 *p, uint16_t port, uint64_t now_ns)
{
	uint64_t k = pit_advance(p, now_ns);
	uint32_t count;
	bool out;

	switch (port) {
	case PIT_CH0:
	case PIT_CH1:
	case PIT_CH2:
		return chan_read(&p->ch[port - PIT_CH0], k);
	case PIT_PORT_B:
		pit_chan_eval(&p->ch[2], k, &count, &out);
		return (p->port_b & PIT_B_WRITABLE) |
		       ((now_ns / PIT_REFRESH_NS) & 1 ? PIT_B_REFRESH : 0) |
		       (out ? PIT_B_OUT2 : 0);
	case PIT_MODE:
		pit_warn_once(p, PIT_WARN_READ_CW,
			      "read of the control word register 0x43 (write only); returning 0xff\n");
		return 0xff;
	}
	pit_warn_once(p, PIT_WARN_PORT, "read of port %#x, not a PIT port; returning 0xff\n", port);
	return 0xff;
}

void pit_write(struct i8254 *p, uint16_t port, uint8_t val, uint64_t now_ns)
{
	uint64_t k = pit_advance(p, now_ns);

	switch (port) {
	case PIT_CH0:
	case PIT_CH1:
	case PIT_CH2:
		chan_write(p, &p->ch[port - PIT_CH0], val, k);
		break;
	case PIT_MODE: {
		unsigned sc = val >> PIT_CW_SC_SHIFT;
		if (sc == 3)
			pit_read_back(p, val, k);
		else if (((val >> PIT_CW_RW_SHIFT) & 3) == PIT_RW_LATCH)
			chan_latch_count(&p->ch[sc], k);
		else
			chan_control(&p->ch[sc], val, k);
		break;
	}
	case PIT_PORT_B:
		p->port_b = val & PIT_B_WRITABLE;
		chan_set_gate(&p->ch[2], val & PIT_B_GATE2, k);
		break;
	default:
		pit_warn_once(p, PIT_WARN_PORT, "write %#x to port %#x, not a PIT port; ignored\n",
			      val, port);
		return;
	}
	pit_sync_irq0(p, k);
}

uint64_t pit_next_event(const struct i8254 *p, uint64_t now_ns)
{
	struct pit_channel c = p->ch[0];
	uint64_t t = chan_next_rise(&c, p->last_tick);

	(void)now_ns;
	if (c.pending && t > c.pending_at) {
		chan_apply_pending(&c);
		t = chan_next_rise(&c, p->last_tick);
	}
	return pit_tick_to_ns(t);
}

void pit_update(struct i8254 *p, uint64_t now_ns)
{
	pit_advance(p, now_ns);
}
