/*
 * vlapic.c - the local APIC model (Intel SDM Vol. 3A, chapter 10). The
 * register semantics are here; vlapic.h says how a vCPU drives it.
 *
 * Registers live as the SDM draws them (IRR, ISR, TMR as 8 x 32 bits), so
 * the xAPIC page and the x2APIC MSRs share one decoder: vlapic_reg_read and
 * vlapic_reg_write take the xAPIC offset, and the MSR path (x2APIC MSR
 * 0x800 + offset / 16, SDM 10.12.1.2) adds the x2APIC differences first.
 */
#include <stdarg.h>
#include "vlapic.h"
#include "panic.h"
#include "printf.h"
#include "string.h"

#define NS_PER_SEC    1000000000ull
#define TIMER_NONE    UINT64_MAX

/* Things a guest (or a caller) got wrong; each is logged once per APIC. */
enum {
	WARN_MMIO_ACCESS = 1 << 0,   /* offset not 16-byte aligned or beyond the page */
	WARN_RESERVED    = 1 << 1,   /* a reserved or absent register */
	WARN_READONLY    = 1 << 2,   /* a write to a read-only register, a read of EOI */
	WARN_MMIO_OFF    = 1 << 3,   /* the page used in x2APIC mode or while disabled */
	WARN_BASE_MOVED  = 1 << 4,   /* IA32_APIC_BASE given another address */
	WARN_TIMER_MODE  = 1 << 5,   /* LVT timer mode 3 (reserved) */
	WARN_ICR_MODE    = 1 << 6,   /* an IPI this model does not send */
	WARN_DFR         = 1 << 7,   /* DFR model neither flat nor cluster */
	WARN_ACK         = 1 << 8,   /* vlapic_ack of a vector not in IRR */
};

static void vlapic_warn(struct vlapic *l, uint32_t what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void vlapic_warn(struct vlapic *l, uint32_t what, const char *fmt, ...)
{
	char buf[160];
	va_list ap;
	if (l->warned & what)
		return;
	l->warned |= what;
	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kprintf("vlapic %u: %s (logged once)\n", l->id, buf);
}

/* ---- arithmetic: floor and ceiling of a * b / c without overflow ---- */

/*
 * The kernel has no libgcc, so no 128-by-64 division: multiply in 128
 * bits (one MUL), then divide bit by bit when the product needs more than
 * 64. Saturates at UINT64_MAX (hundreds of years of guest time).
 */
static uint64_t muldiv(uint64_t a, uint64_t b, uint64_t c, bool round_up)
{
	unsigned __int128 p = (unsigned __int128)a * b;
	uint64_t hi = (uint64_t)(p >> 64), lo = (uint64_t)p, q, r;
	if (hi == 0) {
		q = lo / c;
		r = lo % c;
	} else if (hi >= c) {
		return UINT64_MAX;
	} else {
		q = 0;
		r = hi;
		for (int i = 63; i >= 0; i--) {
			bool carry = r >> 63;
			r = (r << 1) | ((lo >> i) & 1);
			q <<= 1;
			if (carry || r >= c) {
				r -= c;
				q |= 1;
			}
		}
	}
	if (round_up && r && q != UINT64_MAX)
		q++;
	return q;
}

/* ---- vectors, priorities ---- */

static bool vec_test(const uint32_t *r, unsigned v) { return r[v / 32] & (1u << (v % 32)); }
static void vec_set(uint32_t *r, unsigned v) { r[v / 32] |= 1u << (v % 32); }
static void vec_clear(uint32_t *r, unsigned v) { r[v / 32] &= ~(1u << (v % 32)); }

/* The highest vector set in a 256-bit register, or -1. */
static int vec_highest(const uint32_t *r)
{
	for (int i = 7; i >= 0; i--)
		if (r[i])
			return i * 32 + 31 - __builtin_clz(r[i]);
	return -1;
}

bool vlapic_x2apic(const struct vlapic *l)
{
	return (l->apic_base & VLAPIC_BASE_EXTD) != 0;
}

static bool vlapic_hw_enabled(const struct vlapic *l)
{
	return (l->apic_base & VLAPIC_BASE_EN) != 0;
}

static bool vlapic_sw_enabled(const struct vlapic *l)
{
	return vlapic_hw_enabled(l) && (l->svr & VLAPIC_SVR_ENABLE);
}

/*
 * vlapic_ppr - the processor-priority register (SDM 10.8.3.1): the TPR, or
 * the class of the highest in-service vector if that is higher. Only the
 * class (bits 7:4) matters when comparing; PPR[3:0] is TPR[3:0] or 0.
 */
static uint32_t vlapic_ppr(const struct vlapic *l)
{
	/* BEGIN SOLUTION lab4 */
	int isrv = vec_highest(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xF0;
	if ((l->tpr & 0xF0) >= isr_class)
		return l->tpr & 0xFF;
	return isr_class;
	/* END SOLUTION */
	/* STUB lab4
	(void)l;
	NOT_IMPLEMENTED("lab4");
	*/
}

/*
 * vlapic_pending - what the CPU would take next (SDM 10.8.3.1, 10.8.4):
 * the highest vector in IRR, but only if its priority class (vector[7:4])
 * is above PPR's class; a vector in the same class as the one being
 * serviced waits for its EOI. Return it, or -1.
 */
int vlapic_pending(const struct vlapic *l)
{
	/* BEGIN SOLUTION lab4 */
	int irrv = vec_highest(l->irr);
	if (irrv < 0 || ((uint32_t)irrv & 0xF0) <= (vlapic_ppr(l) & 0xF0))
		return -1;
	return irrv;
	/* END SOLUTION */
	/* STUB lab4
	(void)l;
	NOT_IMPLEMENTED("lab4");
	*/
}

/*
 * vlapic_ack - the CPU took @vector (the INTA cycle, SDM 10.8.4): clear its
 * IRR bit and set its ISR bit, which raises PPR until the EOI. A vector
 * that is not in IRR is the caller's bug: log it, change nothing.
 */
void vlapic_ack(struct vlapic *l, uint8_t vector)
{
	/* BEGIN SOLUTION lab4 */
	if (!vec_test(l->irr, vector)) {
		vlapic_warn(l, WARN_ACK, "ack of vector %u that is not in IRR", vector);
		return;
	}
	vec_clear(l->irr, vector);
	vec_set(l->isr, vector);
	/* END SOLUTION */
	/* STUB lab4
	(void)l;
	(void)vector;
	NOT_IMPLEMENTED("lab4");
	*/
}

/*
 * Arbitration priority (SDM Figure 10-16, used for lowest-priority
 * delivery): the TPR if it is at least the IRR's class and above the
 * ISR's, else the highest of the three classes.
 */
static uint32_t vlapic_apr(const struct vlapic *l)
{
	int irrv = vec_highest(l->irr), isrv = vec_highest(l->isr);
	uint32_t tpr_c = l->tpr & 0xF0;
	uint32_t irr_c = irrv < 0 ? 0 : (uint32_t)irrv & 0xF0;
	uint32_t isr_c = isrv < 0 ? 0 : (uint32_t)isrv & 0xF0;
	if (tpr_c >= irr_c && tpr_c > isr_c)
		return l->tpr & 0xFF;
	uint32_t m = tpr_c > isr_c ? tpr_c : isr_c;
	return m > irr_c ? m : irr_c;
}

static void vlapic_kick_if_pending(struct vlapic *l)
{
	if (vlapic_pending(l) >= 0 && l->ops && l->ops->kick)
		l->ops->kick(l->ctx);
}

static void vlapic_error(struct vlapic *l, uint32_t esr_bit);

void vlapic_accept(struct vlapic *l, uint8_t vector, bool level)
{
	/* SDM 10.4.7.2: a software-disabled APIC takes no fixed interrupts. */
	if (!vlapic_sw_enabled(l))
		return;
	if (vector < 16) {
		vlapic_error(l, VLAPIC_ESR_RECV_ILLEGAL_VECTOR);
		return;
	}
	vec_set(l->irr, vector);
	if (level)
		vec_set(l->tmr, vector);
	else
		vec_clear(l->tmr, vector);
	vlapic_kick_if_pending(l);
}

void vlapic_accept_nmi(struct vlapic *l)
{
	if (!vlapic_hw_enabled(l))
		return;
	l->nmi_pending = true;
	if (l->ops && l->ops->kick)
		l->ops->kick(l->ctx);
}

bool vlapic_take_nmi(struct vlapic *l)
{
	bool was = l->nmi_pending;
	l->nmi_pending = false;
	return was;
}

/*
 * An error the APIC detects (SDM 10.5.3): it accumulates until the next ESR
 * write, and raises the LVT error vector unless masked. A vector below 16
 * there would be an error itself: it is not sent (no loop).
 */
static void vlapic_error(struct vlapic *l, uint32_t esr_bit)
{
	uint32_t lvt = l->lvt[VLAPIC_LVT_IDX_ERROR];
	l->esr_pending |= esr_bit;
	if (!(lvt & VLAPIC_LVT_MASKED) && (lvt & VLAPIC_VECTOR_MASK) >= 16)
		vlapic_accept(l, lvt & VLAPIC_VECTOR_MASK, false);
}

/* EOI (SDM 10.8.5): the highest ISR vector is done; level-triggered ones
 * tell the IOAPIC (its remote IRR) through ops->eoi. */
static void vlapic_eoi(struct vlapic *l)
{
	int v = vec_highest(l->isr);
	if (v < 0)
		return;
	vec_clear(l->isr, (unsigned)v);
	if (vec_test(l->tmr, (unsigned)v) && l->ops && l->ops->eoi)
		l->ops->eoi(l->ctx, (uint8_t)v);
	vlapic_kick_if_pending(l);
}

/* ---- the timer (SDM 10.5.4) ---- */

static unsigned vlapic_timer_mode(const struct vlapic *l)
{
	return (l->lvt[VLAPIC_LVT_IDX_TIMER] >> VLAPIC_TIMER_MODE_SHIFT) & 3;
}

/* Divide configuration (SDM Figure 10-10): bits 3,1,0 = 111 is 1, else 2^(v+1). */
static uint64_t vlapic_timer_divisor(const struct vlapic *l)
{
	unsigned v = (l->timer_dcr & 3) | ((l->timer_dcr >> 1) & 4);
	return 1ull << ((v + 1) & 7);
}

/* Whole timer ticks (bus_hz / divisor) from timer_start_ns to @now. */
static uint64_t vlapic_timer_ticks(const struct vlapic *l, uint64_t now)
{
	if (now <= l->timer_start_ns)
		return 0;
	return muldiv(now - l->timer_start_ns, l->bus_hz, NS_PER_SEC * vlapic_timer_divisor(l), false);
}

/* The first ns at which @tick ticks have passed. */
static uint64_t vlapic_timer_tick_ns(const struct vlapic *l, uint64_t tick)
{
	uint64_t ns = muldiv(tick, NS_PER_SEC * vlapic_timer_divisor(l), l->bus_hz, true);
	return ns > UINT64_MAX - l->timer_start_ns ? UINT64_MAX : l->timer_start_ns + ns;
}

/*
 * Current count: one-shot counts timer_base down to 0 and stays there;
 * periodic reloads the initial count each time it reaches 0. Not counting
 * (stopped, expired one-shot, TSC-deadline mode): 0.
 */
static uint32_t vlapic_timer_current(const struct vlapic *l, uint64_t now)
{
	if (l->timer_next_tick == TIMER_NONE || vlapic_timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE)
		return 0;
	uint64_t k = vlapic_timer_ticks(l, now);
	if (k < l->timer_base)
		return (uint32_t)(l->timer_base - k);
	if (vlapic_timer_mode(l) != VLAPIC_TIMER_PERIODIC || l->timer_icr == 0)
		return 0;
	return l->timer_icr - (uint32_t)((k - l->timer_base) % l->timer_icr);
}

/* Start counting from @count at @now (an initial-count write, or a divide change). */
static void vlapic_timer_start(struct vlapic *l, uint64_t now, uint32_t count)
{
	l->timer_start_ns = now;
	l->timer_base = count;
	l->timer_next_tick = count ? count : TIMER_NONE;
}

static void vlapic_timer_fire(struct vlapic *l)
{
	uint32_t lvt = l->lvt[VLAPIC_LVT_IDX_TIMER];
	l->timer_fired++;
	if (!(lvt & VLAPIC_LVT_MASKED))
		vlapic_accept(l, lvt & VLAPIC_VECTOR_MASK, false);
}

/* One-shot and periodic expiry. A periodic timer that was not looked at
 * for several periods fires once (the guest sees lost ticks as late). */
static void vlapic_timer_update_ns(struct vlapic *l, uint64_t now)
{
	if (l->timer_next_tick == TIMER_NONE || vlapic_timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE)
		return;
	if (now < vlapic_timer_tick_ns(l, l->timer_next_tick))
		return;
	vlapic_timer_fire(l);
	if (vlapic_timer_mode(l) == VLAPIC_TIMER_PERIODIC && l->timer_icr) {
		uint64_t k = vlapic_timer_ticks(l, now);
		uint64_t periods = k < l->timer_base ? 0 : (k - l->timer_base) / l->timer_icr + 1;
		l->timer_next_tick = l->timer_base + periods * l->timer_icr;
	} else {
		l->timer_next_tick = TIMER_NONE;
	}
}

void vlapic_update(struct vlapic *l, uint64_t now_ns, uint64_t tsc)
{
	if (vlapic_timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE) {
		/* SDM 10.5.4.1: fires when TSC >= deadline, then disarms and reads 0. */
		if (l->tsc_deadline && tsc >= l->tsc_deadline) {
			l->tsc_deadline = 0;
			vlapic_timer_fire(l);
		}
		return;
	}
	vlapic_timer_update_ns(l, now_ns);
}

uint64_t vlapic_next_event(const struct vlapic *l, uint64_t now_ns, uint64_t tsc)
{
	if (vlapic_timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE) {
		if (!l->tsc_deadline)
			return UINT64_MAX;
		if (tsc >= l->tsc_deadline)
			return now_ns;
		uint64_t ns = muldiv(l->tsc_deadline - tsc, NS_PER_SEC, l->tsc_hz, true);
		return ns > UINT64_MAX - now_ns ? UINT64_MAX : now_ns + ns;
	}
	if (l->timer_next_tick == TIMER_NONE)
		return UINT64_MAX;
	uint64_t t = vlapic_timer_tick_ns(l, l->timer_next_tick);
	return t < now_ns ? now_ns : t;
}

/* ---- reset, modes ---- */

/* Power-up register state (SDM 10.4.7.1), plus the BSP's virtual wire. */
static void vlapic_reset_regs(struct vlapic *l)
{
	l->xapic_id = l->id << 24;
	l->tpr = 0;
	l->ldr = 0;
	l->dfr = 0xFFFFFFFF;
	l->svr = 0xFF;
	l->esr = l->esr_pending = 0;
	l->icr_lo = l->icr_hi = 0;
	for (int i = 0; i < VLAPIC_NLVT; i++)
		l->lvt[i] = VLAPIC_LVT_MASKED;
	if (l->apic_base & VLAPIC_BASE_BSP)
		l->lvt[VLAPIC_LVT_IDX_LINT0] = VLAPIC_DM_EXTINT << VLAPIC_DM_SHIFT;
	memset(l->irr, 0, sizeof(l->irr));
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	l->nmi_pending = false;
	l->timer_icr = l->timer_dcr = 0;
	l->timer_start_ns = 0;
	l->timer_base = 0;
	l->timer_next_tick = TIMER_NONE;
	l->tsc_deadline = 0;
}

void vlapic_init(struct vlapic *l, uint32_t apic_id, bool bsp, uint64_t bus_hz, uint64_t tsc_hz,
		const struct vlapic_ops *ops, void *ctx)
{
	memset(l, 0, sizeof(*l));
	if (!bus_hz || !tsc_hz)
		panic("vlapic_init: cpu %u: bus_hz %lu and tsc_hz %lu must be non-zero",
		      apic_id, (unsigned long)bus_hz, (unsigned long)tsc_hz);
	l->id = apic_id;
	l->apic_base = VLAPIC_DEFAULT_BASE | VLAPIC_BASE_EN | (bsp ? VLAPIC_BASE_BSP : 0);
	l->bus_hz = bus_hz;
	l->tsc_hz = tsc_hz;
	l->ops = ops;
	l->ctx = ctx;
	vlapic_reset_regs(l);
}

/* x2APIC logical ID (SDM 10.12.10.2): cluster = ID[19:4], bit ID[3:0]. */
static uint32_t vlapic_x2apic_ldr(uint32_t id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xF));
}

/*
 * IA32_APIC_BASE writes (SDM 10.12.5, Figure 10-28 "Local x2APIC State
 * Transitions"): disabled <-> xAPIC, xAPIC -> x2APIC, x2APIC -> disabled.
 * EXTD without EN, x2APIC -> xAPIC and disabled -> x2APIC are #GP, as are
 * reserved bits (0-7, 9, 52-63). Disabling resets the registers, so an APIC
 * enabled again starts from the power-up state. BSP is read-only here.
 */
static int vlapic_set_base(struct vlapic *l, uint64_t val)
{
	const uint64_t writable = VLAPIC_BASE_BSP | VLAPIC_BASE_EXTD | VLAPIC_BASE_EN | 0x000FFFFFFFFFF000ull;
	uint64_t old = l->apic_base;
	bool en = val & VLAPIC_BASE_EN, extd = val & VLAPIC_BASE_EXTD;
	if (val & ~writable)
		return -1;
	if (extd && !en)
		return -1;
	if ((old & VLAPIC_BASE_EXTD) && en && !extd)
		return -1;
	if (!(old & VLAPIC_BASE_EN) && extd)
		return -1;
	if ((val ^ old) & 0x000FFFFFFFFFF000ull)
		vlapic_warn(l, WARN_BASE_MOVED, "IA32_APIC_BASE moved to %#lx: the page stays "
			   "where the VM maps it", (unsigned long)(val & 0x000FFFFFFFFFF000ull));
	l->apic_base = (val & ~VLAPIC_BASE_BSP) | (old & VLAPIC_BASE_BSP);
	if (!en && (old & VLAPIC_BASE_EN))
		vlapic_reset_regs(l);
	if (extd && !(old & VLAPIC_BASE_EXTD))
		l->ldr = vlapic_x2apic_ldr(l->id);
	return 0;
}

/* ---- registers ---- */

enum { REG_OK = 0, REG_RESERVED = -1, REG_READONLY = -2 };

static int vlapic_reg_read(struct vlapic *l, uint32_t off, uint32_t *val, uint64_t now)
{
	if (off >= VLAPIC_ISR && off < VLAPIC_ISR + 0x80) {
		*val = l->isr[(off - VLAPIC_ISR) >> 4];
		return REG_OK;
	}
	if (off >= VLAPIC_TMR && off < VLAPIC_TMR + 0x80) {
		*val = l->tmr[(off - VLAPIC_TMR) >> 4];
		return REG_OK;
	}
	if (off >= VLAPIC_IRR && off < VLAPIC_IRR + 0x80) {
		*val = l->irr[(off - VLAPIC_IRR) >> 4];
		return REG_OK;
	}
	if (off >= VLAPIC_LVT_TIMER && off <= VLAPIC_LVT_ERROR) {
		*val = l->lvt[(off - VLAPIC_LVT_TIMER) >> 4];
		return REG_OK;
	}
	switch (off) {
	case VLAPIC_ID:        *val = vlapic_x2apic(l) ? l->id : l->xapic_id; return REG_OK;
	case VLAPIC_VERSION:   *val = VLAPIC_VERSION_VALUE; return REG_OK;
	case VLAPIC_TPR:       *val = l->tpr; return REG_OK;
	case VLAPIC_APR:       *val = vlapic_apr(l); return REG_OK;
	case VLAPIC_PPR:       *val = vlapic_ppr(l); return REG_OK;
	case VLAPIC_RRD:       *val = 0; return REG_OK;
	case VLAPIC_LDR:       *val = l->ldr; return REG_OK;
	case VLAPIC_DFR:       *val = l->dfr; return REG_OK;
	case VLAPIC_SVR:       *val = l->svr; return REG_OK;
	case VLAPIC_ESR:       *val = l->esr; return REG_OK;
	case VLAPIC_ICR_LO:    *val = l->icr_lo & ~VLAPIC_DELIVS; return REG_OK;
	case VLAPIC_ICR_HI:    *val = l->icr_hi; return REG_OK;
	case VLAPIC_TIMER_ICR: *val = l->timer_icr; return REG_OK;
	case VLAPIC_TIMER_CCR: *val = vlapic_timer_current(l, now); return REG_OK;
	case VLAPIC_TIMER_DCR: *val = l->timer_dcr; return REG_OK;
	case VLAPIC_EOI:       /* write-only (SDM Table 10-1) */
	case VLAPIC_SELF_IPI:
		*val = 0;
		return REG_READONLY;
	default:
		*val = 0;
		return REG_RESERVED;
	}
}

/*
 * Send the IPI the ICR describes (SDM 10.6.1). "Self" and this CPU's copy
 * of "all including self" are taken here; everything else goes to
 * ops->ipi. Fixed and lowest-priority IPIs with a vector below 16 are not
 * sent (ESR bit 5). Delivery is instantaneous: the delivery-status bit
 * always reads idle. @level is false only for an INIT de-assert.
 */
static void vlapic_send_ipi(struct vlapic *l, uint32_t lo, uint32_t dest)
{
	uint8_t vector = lo & VLAPIC_VECTOR_MASK;
	unsigned mode = (lo >> VLAPIC_DM_SHIFT) & 7;
	unsigned sh = (lo >> VLAPIC_SHORTHAND_SHIFT) & 3;
	bool logical = lo & VLAPIC_DEST_LOGICAL;
	bool trig_level = lo & VLAPIC_TRIGGER_LEVEL;
	bool level = !(mode == VLAPIC_DM_INIT && trig_level && !(lo & VLAPIC_LEVEL_ASSERT));

	if ((mode == VLAPIC_DM_FIXED || mode == VLAPIC_DM_LOWEST) && vector < 16) {
		vlapic_error(l, VLAPIC_ESR_SEND_ILLEGAL_VECTOR);
		return;
	}
	if (mode == VLAPIC_DM_SMI || mode == 3 || mode == VLAPIC_DM_EXTINT) {
		vlapic_warn(l, WARN_ICR_MODE, "IPI with delivery mode %u not sent", mode);
		return;
	}
	if (sh == VLAPIC_SH_SELF || sh == VLAPIC_SH_ALL_INCL) {
		if (mode == VLAPIC_DM_FIXED || mode == VLAPIC_DM_LOWEST)
			vlapic_accept(l, vector, trig_level);
		else if (mode == VLAPIC_DM_NMI)
			vlapic_accept_nmi(l);
		else
			vlapic_warn(l, WARN_ICR_MODE, "INIT/SIPI to self not taken");
		if (sh == VLAPIC_SH_SELF)
			return;
		sh = VLAPIC_SH_ALL_EXCL;
	}
	if (l->ops && l->ops->ipi)
		l->ops->ipi(l->ctx, dest, vector, mode, logical, level, sh);
}

/* Writable bits of each LVT entry (SDM Figure 10-8). */
static const uint32_t vlapic_lvt_writable[VLAPIC_NLVT] = {
	[VLAPIC_LVT_IDX_TIMER]   = 0xFF | VLAPIC_LVT_MASKED | (3u << VLAPIC_TIMER_MODE_SHIFT),
	[VLAPIC_LVT_IDX_THERMAL] = 0x7FF | VLAPIC_LVT_MASKED,
	[VLAPIC_LVT_IDX_PERF]    = 0x7FF | VLAPIC_LVT_MASKED,
	[VLAPIC_LVT_IDX_LINT0]   = 0x7FF | (1u << 13) | VLAPIC_TRIGGER_LEVEL | VLAPIC_LVT_MASKED,
	[VLAPIC_LVT_IDX_LINT1]   = 0x7FF | (1u << 13) | VLAPIC_TRIGGER_LEVEL | VLAPIC_LVT_MASKED,
	[VLAPIC_LVT_IDX_ERROR]   = 0xFF | VLAPIC_LVT_MASKED,
};

static void vlapic_write_lvt(struct vlapic *l, unsigned idx, uint32_t val)
{
	val &= vlapic_lvt_writable[idx];
	/* SDM 10.4.7.2: while software-disabled the mask bits stay set. */
	if (!vlapic_sw_enabled(l))
		val |= VLAPIC_LVT_MASKED;
	if (idx == VLAPIC_LVT_IDX_TIMER) {
		unsigned mode = (val >> VLAPIC_TIMER_MODE_SHIFT) & 3;
		if (mode == 3) {
			vlapic_warn(l, WARN_TIMER_MODE, "LVT timer mode 3 is reserved: write %#x ignored",
				   val);
			return;
		}
		/* SDM 10.5.4.1: changing the mode disarms the timer. */
		if (mode != vlapic_timer_mode(l)) {
			l->timer_next_tick = TIMER_NONE;
			l->tsc_deadline = 0;
		}
	}
	l->lvt[idx] = val;
}

static int vlapic_reg_write(struct vlapic *l, uint32_t off, uint32_t val, uint64_t now)
{
	if (off >= VLAPIC_LVT_TIMER && off <= VLAPIC_LVT_ERROR) {
		vlapic_write_lvt(l, (off - VLAPIC_LVT_TIMER) >> 4, val);
		return REG_OK;
	}
	switch (off) {
	case VLAPIC_ID:
		/* xAPIC: read/write on most parts (SDM Table 10-1). Routing
		 * (vlapic_match_dest) follows what the guest wrote. */
		l->xapic_id = val & 0xFF000000;
		return REG_OK;
	case VLAPIC_TPR:
		l->tpr = val & 0xFF;
		vlapic_kick_if_pending(l);
		return REG_OK;
	case VLAPIC_EOI:
		vlapic_eoi(l);
		return REG_OK;
	case VLAPIC_LDR:
		l->ldr = val & 0xFF000000;
		return REG_OK;
	case VLAPIC_DFR:
		if ((val >> 28) != 0xF && (val >> 28) != 0)
			vlapic_warn(l, WARN_DFR, "DFR model %#x is neither flat (0xF) nor cluster (0)",
				   val >> 28);
		l->dfr = (val & 0xF0000000) | 0x0FFFFFFF;
		return REG_OK;
	case VLAPIC_SVR:
		l->svr = val & (0xFF | VLAPIC_SVR_ENABLE | VLAPIC_SVR_FOCUS_OFF);
		if (!(l->svr & VLAPIC_SVR_ENABLE))
			for (int i = 0; i < VLAPIC_NLVT; i++)
				l->lvt[i] |= VLAPIC_LVT_MASKED;
		vlapic_kick_if_pending(l);
		return REG_OK;
	case VLAPIC_ESR:
		/* SDM 10.5.3: a write latches the errors seen since the last one. */
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		return REG_OK;
	case VLAPIC_ICR_LO:
		l->icr_lo = val & ~VLAPIC_DELIVS;
		vlapic_send_ipi(l, l->icr_lo, l->icr_hi >> 24);
		return REG_OK;
	case VLAPIC_ICR_HI:
		l->icr_hi = val & 0xFF000000;
		return REG_OK;
	case VLAPIC_TIMER_ICR:
		/* SDM 10.5.4.1: ignored in TSC-deadline mode. */
		if (vlapic_timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE)
			return REG_OK;
		l->timer_icr = val;
		vlapic_timer_start(l, now, val);
		return REG_OK;
	case VLAPIC_TIMER_DCR: {
		/* Keep the count where it is; the rest runs at the new rate. */
		uint32_t cur = vlapic_timer_current(l, now);
		bool running = l->timer_next_tick != TIMER_NONE;
		l->timer_dcr = val & 0xB;
		if (running && vlapic_timer_mode(l) != VLAPIC_TIMER_TSC_DEADLINE)
			vlapic_timer_start(l, now, cur);
		return REG_OK;
	}
	case VLAPIC_VERSION: case VLAPIC_APR: case VLAPIC_PPR: case VLAPIC_RRD:
	case VLAPIC_TIMER_CCR:
		return REG_READONLY;
	default:
		if (off >= VLAPIC_ISR && off < VLAPIC_IRR + 0x80)
			return REG_READONLY;
		return REG_RESERVED;
	}
}

/* ---- the xAPIC page ---- */

/* Can the page be used at @offset? Logs (once) why not. */
static bool vlapic_mmio_ok(struct vlapic *l, uint32_t offset, bool write)
{
	if (vlapic_x2apic(l) || !vlapic_hw_enabled(l)) {
		vlapic_warn(l, WARN_MMIO_OFF, "xAPIC page %s at %#x while %s: ignored",
			   write ? "write" : "read", offset,
			   vlapic_x2apic(l) ? "in x2APIC mode" : "disabled");
		return false;
	}
	if ((offset & 0xF) || offset >= VLAPIC_MMIO_SIZE) {
		vlapic_warn(l, WARN_MMIO_ACCESS, "%s at offset %#x: registers are 32 bits at "
			   "16-byte boundaries", write ? "write" : "read", offset);
		return false;
	}
	return true;
}

/* A register the xAPIC does not have: SDM 10.5.3 "Illegal Register Address". */
static void vlapic_mmio_bad(struct vlapic *l, int rc, uint32_t offset, bool write)
{
	if (rc == REG_RESERVED) {
		vlapic_warn(l, WARN_RESERVED, "%s of reserved register %#x ignored",
			   write ? "write" : "read", offset);
		vlapic_error(l, VLAPIC_ESR_ILLEGAL_REGISTER);
	} else if (rc == REG_READONLY) {
		vlapic_warn(l, WARN_READONLY, "%s-only register %#x %s: ignored",
			   write ? "read" : "write", offset, write ? "written" : "read");
	}
}

uint32_t vlapic_mmio_read(struct vlapic *l, uint32_t offset, uint64_t now_ns)
{
	uint32_t val = 0;
	if (!vlapic_mmio_ok(l, offset, false))
		return 0;
	vlapic_timer_update_ns(l, now_ns);
	int rc = vlapic_reg_read(l, offset, &val, now_ns);
	/* The self-IPI register is x2APIC only: reserved in the page. */
	if (offset == VLAPIC_SELF_IPI)
		rc = REG_RESERVED;
	if (rc != REG_OK)
		vlapic_mmio_bad(l, rc, offset, false);
	return val;
}

void vlapic_mmio_write(struct vlapic *l, uint32_t offset, uint32_t val, uint64_t now_ns)
{
	if (!vlapic_mmio_ok(l, offset, true))
		return;
	vlapic_timer_update_ns(l, now_ns);
	int rc = offset == VLAPIC_SELF_IPI ? REG_RESERVED : vlapic_reg_write(l, offset, val, now_ns);
	if (rc != REG_OK)
		vlapic_mmio_bad(l, rc, offset, true);
	vlapic_timer_update_ns(l, now_ns);
}

/* ---- MSRs ---- */

/* xAPIC registers that have no x2APIC MSR (SDM Table 10-6): #GP. */
static bool vlapic_x2apic_absent(uint32_t off)
{
	return off == VLAPIC_APR || off == VLAPIC_RRD || off == VLAPIC_DFR || off == VLAPIC_ICR_HI;
}

int vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t *val, uint64_t now_ns, uint64_t tsc)
{
	*val = 0;
	if (msr == VLAPIC_MSR_APIC_BASE) {
		*val = l->apic_base;
		return 0;
	}
	if (msr == VLAPIC_MSR_TSC_DEADLINE) {
		vlapic_update(l, now_ns, tsc);
		/* SDM 10.5.4.1: reads 0 outside TSC-deadline mode and once fired. */
		if (vlapic_timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE)
			*val = l->tsc_deadline;
		return 0;
	}
	if (msr < VLAPIC_MSR_X2APIC_FIRST || msr > VLAPIC_MSR_X2APIC_LAST)
		return 1;
	if (!vlapic_x2apic(l))
		return -1;
	uint32_t off = (msr - VLAPIC_MSR_X2APIC_FIRST) << 4, v;
	if (vlapic_x2apic_absent(off))
		return -1;
	vlapic_update(l, now_ns, tsc);
	if (off == VLAPIC_ICR_LO) {
		*val = (uint64_t)l->icr_hi << 32 | (l->icr_lo & ~VLAPIC_DELIVS);
		return 0;
	}
	if (vlapic_reg_read(l, off, &v, now_ns) != REG_OK)
		return -1;
	*val = v;
	return 0;
}

int vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now_ns, uint64_t tsc)
{
	int rc;
	if (msr == VLAPIC_MSR_APIC_BASE)
		return vlapic_set_base(l, val);
	if (msr == VLAPIC_MSR_TSC_DEADLINE) {
		vlapic_update(l, now_ns, tsc);
		/* SDM 10.5.4.1: writes are ignored outside TSC-deadline mode. */
		if (vlapic_timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE) {
			l->tsc_deadline = val;
			vlapic_update(l, now_ns, tsc);
		}
		return 0;
	}
	if (msr < VLAPIC_MSR_X2APIC_FIRST || msr > VLAPIC_MSR_X2APIC_LAST)
		return 1;
	if (!vlapic_x2apic(l))
		return -1;
	uint32_t off = (msr - VLAPIC_MSR_X2APIC_FIRST) << 4;
	if (vlapic_x2apic_absent(off))
		return -1;
	vlapic_update(l, now_ns, tsc);
	if (off == VLAPIC_ICR_LO) {
		/* One 64-bit write sends (SDM 10.12.9): destination in 63:32. */
		l->icr_hi = (uint32_t)(val >> 32);
		l->icr_lo = (uint32_t)val & ~VLAPIC_DELIVS;
		vlapic_send_ipi(l, l->icr_lo, l->icr_hi);
		rc = 0;
	} else if (val >> 32) {
		rc = -1;   /* the other registers are 32 bits wide */
	} else if (off == VLAPIC_SELF_IPI) {
		/* SDM 10.12.11: a fixed, edge IPI to self with the vector in 7:0. */
		vlapic_send_ipi(l, ((uint32_t)val & VLAPIC_VECTOR_MASK) |
			       (VLAPIC_SH_SELF << VLAPIC_SHORTHAND_SHIFT), 0);
		rc = 0;
	} else if ((off == VLAPIC_EOI || off == VLAPIC_ESR) && val) {
		rc = -1;   /* SDM 10.12.1.2: non-zero writes to EOI and ESR are #GP */
	} else if (off == VLAPIC_ID || off == VLAPIC_LDR) {
		rc = -1;   /* read-only in x2APIC mode */
	} else {
		rc = vlapic_reg_write(l, off, (uint32_t)val, now_ns) == REG_OK ? 0 : -1;
	}
	vlapic_update(l, now_ns, tsc);
	return rc;
}

/* ---- for the rest of the machine ---- */

bool vlapic_match_dest(const struct vlapic *l, uint32_t dest, bool logical)
{
	if (!vlapic_hw_enabled(l))
		return false;
	if (vlapic_x2apic(l)) {
		if (dest == 0xFFFFFFFF)
			return true;
		if (!logical)
			return dest == l->id;
		return (dest >> 16) == (l->ldr >> 16) && (dest & l->ldr & 0xFFFF);
	}
	dest &= 0xFF;
	if (dest == 0xFF)
		return true;
	if (!logical)
		return dest == l->xapic_id >> 24;
	uint32_t ldr = l->ldr >> 24;
	if ((l->dfr >> 28) == 0xF)
		return (ldr & dest) != 0;   /* flat: a bitmap of 8 CPUs */
	return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0xF);   /* cluster */
}

/* The rule KVM uses (kvm_apic_accept_pic_intr): LINT0 ExtINT, or no APIC. */
bool vlapic_accepts_pic(const struct vlapic *l)
{
	uint32_t lvt0 = l->lvt[VLAPIC_LVT_IDX_LINT0];
	if (!vlapic_hw_enabled(l))
		return true;
	return !(lvt0 & VLAPIC_LVT_MASKED) && ((lvt0 >> VLAPIC_DM_SHIFT) & 7) == VLAPIC_DM_EXTINT;
}

uint64_t vlapic_get_cr8(const struct vlapic *l)
{
	return (l->tpr >> 4) & 0xF;
}

void vlapic_set_cr8(struct vlapic *l, uint64_t cr8)
{
	l->tpr = (uint32_t)(cr8 & 0xF) << 4;
	vlapic_kick_if_pending(l);
}
