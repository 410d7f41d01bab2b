/*
 * i8259.c - the PC's cascaded pair of Intel 8259A PICs (see i8259.h).
 *
 * Each chip is three 8-bit registers (IRR, ISR, IMR) and a priority order;
 * everything here follows the 8259A datasheet (Intel order 231468). After
 * every change the pair recomputes the slave's INT (the master's IR2 input)
 * and the master's INT (the CPU's INTR), in pic_update().
 */
#include "i8259.h"
#include "panic.h"
#include "printf.h"
#include "string.h"

/* Guest mistakes, each logged once per PIC pair. */
enum {
	PIC_WARN_PORT = 1u << 0,
	PIC_WARN_IRQ = 1u << 1,
	PIC_WARN_CASCADE_IRQ = 1u << 2,
	PIC_WARN_ELCR = 1u << 3,
	PIC_WARN_MCS80 = 1u << 4,
	PIC_WARN_ICW3 = 1u << 5,
	PIC_WARN_BUFFERED = 1u << 6,
};

#define pic_warn_once(p, kind, ...)                     \
	do {                                            \
		if (!((p)->warned & (kind))) {          \
			(p)->warned |= (kind);          \
			kprintf("i8259: " __VA_ARGS__); \
		}                                       \
	} while (0)

static const char *const chip_name[2] = { "master", "slave" };

/* Inputs that request for as long as their line is high. */
static uint8_t chip_level_mask(const struct i8259 *c)
{
	return c->ltim ? 0xff : c->elcr;
}

/*
 * An IR input changes level. Edge mode latches a request on the rising
 * edge only; level mode makes IRR follow the line ("Edge and Level
 * Triggered Modes").
 */
static void chip_set_input(struct i8259 *c, unsigned n, bool level)
{
	uint8_t bit = 1u << n;

	if (chip_level_mask(c) & bit) {
		if (level)
			c->irr |= bit;
		else
			c->irr &= ~bit;
	} else if (level && !(c->line & bit)) {
		c->irr |= bit;
	}
	if (level)
		c->line |= bit;
	else
		c->line &= ~bit;
}

/* The input at priority rank @r (0 = highest): the one after the lowest. */
static unsigned chip_input_at_rank(const struct i8259 *c, unsigned r)
{
	return (c->lowest + 1 + r) & 7;
}

/*
 * pic_best_rank - the priority rank, from 0 (highest) to 7 (lowest), of
 * the highest-priority input whose bit is set in @mask, or 8 if none is.
 *
 * pic_chip_pending - the input this chip would deliver now, or -1.
 *
 * What to do ("Interrupt Sequence", "Fully Nested Mode", "Special Mask
 * Mode", "Special Fully Nested Mode" in the 8259A datasheet): priorities
 * rotate: c->lowest has the lowest priority, the next input (mod 8) the
 * highest. A request counts if its IRR bit is set and its IMR bit clear.
 * It is delivered only if it outranks every input in service (ISR); in
 * special mask mode, inputs masked in IMR do not count as in service. In
 * special fully nested mode (master only), an input wired to a slave
 * (ICW3) may interrupt its own in-service level, so that a slave's higher
 * request gets through. A chip being initialized (ICW2-4 still due)
 * delivers nothing.
 */
static unsigned pic_best_rank(const struct i8259 *c, uint8_t mask)
{
	/* BEGIN SOLUTION lab4 */
	for (unsigned r = 0; r < 8; r++)
		if (mask & (1u << chip_input_at_rank(c, r)))
			return r;
	return 8;
	/* END SOLUTION */
	/* STUB lab4
	(void)c;
	(void)mask;
	(void)chip_input_at_rank;
	NOT_IMPLEMENTED("lab4");
	*/
}

/* pic_chip_pending - the input this chip would deliver now, or -1 (see above). */
static int pic_chip_pending(const struct i8259 *c)
{
	/* BEGIN SOLUTION lab4 */
	if (c->init_next)
		return -1;
	unsigned req = pic_best_rank(c, c->irr & ~c->imr);
	if (req == 8)
		return -1;
	unsigned n = chip_input_at_rank(c, req);
	uint8_t in_service = c->isr;
	if (c->special_mask)
		in_service &= ~c->imr;
	unsigned cur = pic_best_rank(c, in_service);
	if (req < cur)
		return (int)n;
	if (req == cur && c->sfnm && !c->is_slave && (c->icw3 & (1u << n)))
		return (int)n;
	return -1;
	/* END SOLUTION */
	/* STUB lab4
	(void)c;
	(void)pic_best_rank;
	NOT_IMPLEMENTED("lab4");
	*/
}

/* Recompute the slave's INT (the master's IR2) and the CPU's INTR. */
static void pic_update(struct pic_pair *p)
{
	chip_set_input(&p->chip[0], PIC_CASCADE_IRQ, pic_chip_pending(&p->chip[1]) >= 0);
	bool level = pic_chip_pending(&p->chip[0]) >= 0;
	if (level != p->intr_level) {
		p->intr_level = level;
		if (p->intr)
			p->intr(p->ctx, level);
	}
}

void pic_init(struct pic_pair *p, void (*intr)(void *ctx, bool level), void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->intr = intr;
	p->ctx = ctx;
	for (int i = 0; i < 2; i++) {
		struct i8259 *c = &p->chip[i];
		c->is_slave = i == 1;
		c->lowest = 7;
		c->need_icw4 = true;
	}
	/* PIIX4 12.2: IRQ 0, 1, 2, 8 and 13 must stay edge-triggered. */
	p->chip[0].elcr_mask = 0xf8;
	p->chip[1].elcr_mask = 0xde;
	/* What a PC BIOS programs (and where a real-mode guest expects it). */
	p->chip[0].vector_base = 0x08;
	p->chip[1].vector_base = 0x70;
	p->chip[0].icw3 = 1u << PIC_CASCADE_IRQ;
	p->chip[1].icw3 = PIC_CASCADE_IRQ;
	p->chip[0].imr = (uint8_t)~(1u << PIC_CASCADE_IRQ);
	p->chip[1].imr = 0xff;
}

void pic_set_irq(struct pic_pair *p, unsigned irq, bool level)
{
	if (irq >= PIC_NR_IRQS) {
		pic_warn_once(p, PIC_WARN_IRQ, "pic_set_irq: IRQ %u does not exist (0-15), ignored\n",
			      irq);
		return;
	}
	if (irq == PIC_CASCADE_IRQ) {
		pic_warn_once(p, PIC_WARN_CASCADE_IRQ,
			      "pic_set_irq: IRQ 2 is the cascade from the slave, not a device line; ignored\n");
		return;
	}
	chip_set_input(&p->chip[irq >> 3], irq & 7, level);
	pic_update(p);
}

/*
 * pic_chip_ack - the chip accepts its request @n: an edge request is
 * consumed (a level one stays as long as the line is high), and the input
 * goes in service unless in AEOI mode, where the EOI is immediate (and may
 * rotate priorities, OCW2 "rotate in automatic EOI mode").
 */
static void pic_chip_ack(struct i8259 *c, unsigned n)
{
	uint8_t bit = 1u << n;

	if (!(chip_level_mask(c) & bit))
		c->irr &= ~bit;
	if (!c->aeoi)
		c->isr |= bit;
	else if (c->rotate_on_aeoi)
		c->lowest = n;
}

/* Does the master fetch the vector from the slave for input @n? */
static bool pic_cascaded(const struct i8259 *m, unsigned n)
{
	return !m->single && n == PIC_CASCADE_IRQ && (m->icw3 & (1u << n));
}

/*
 * pic_intack - the two INTA cycles ("Interrupt Sequence", 8086 mode): the
 * master resolves priorities among its inputs; the winner goes from IRR to
 * ISR. If it is the cascade input, the slave resolves its own inputs the
 * same way and supplies the vector; otherwise the master does
 * (ICW2 base + input). A chip with nothing to deliver when INTA comes (the
 * request vanished since INTR rose) supplies its IR7 vector without
 * setting an ISR bit: the spurious interrupt. Finally INTR is recomputed.
 */
int pic_intack(struct pic_pair *p)
{
	/* BEGIN SOLUTION lab4 */
	struct i8259 *m = &p->chip[0], *s = &p->chip[1];
	int vector;
	int n = pic_chip_pending(m);

	if (n < 0) {
		vector = m->vector_base | 7;
	} else {
		pic_chip_ack(m, (unsigned)n);
		if (pic_cascaded(m, (unsigned)n)) {
			int sn = pic_chip_pending(s);
			if (sn < 0) {
				vector = s->vector_base | 7;
			} else {
				pic_chip_ack(s, (unsigned)sn);
				vector = s->vector_base | sn;
			}
		} else {
			vector = m->vector_base | n;
		}
	}
	pic_update(p);
	return vector;
	/* END SOLUTION */
	/* STUB lab4
	(void)p;
	(void)pic_chip_ack;
	(void)pic_cascaded;
	NOT_IMPLEMENTED("lab4");
	*/
}

bool pic_intr(const struct pic_pair *p)
{
	return p->intr_level;
}

/*
 * ICW1 starts the initialization sequence ("Initialization Command
 * Words"): IMR and ISR are cleared, IR7 gets the lowest priority, special
 * mask mode is off, reads return IRR, and the edge sense is reset, so an
 * input already high must go low and high again to request. Without IC4
 * every ICW4 function is zero.
 */
static void chip_icw1(struct pic_pair *p, struct i8259 *c, uint8_t val)
{
	c->ltim = val & PIC_ICW1_LTIM;
	c->single = val & PIC_ICW1_SNGL;
	c->need_icw4 = val & PIC_ICW1_IC4;
	c->irr = c->line & chip_level_mask(c);
	c->imr = 0;
	c->isr = 0;
	c->lowest = 7;
	c->special_mask = false;
	c->read_isr = false;
	c->poll = false;
	c->rotate_on_aeoi = false;
	if (!c->need_icw4) {
		c->aeoi = false;
		c->sfnm = false;
		pic_warn_once(p, PIC_WARN_MCS80,
			      "%s ICW1 %#x without IC4 selects MCS-80/85 mode; treated as 8086 mode\n",
			      chip_name[c->is_slave], val);
	}
	c->init_next = 2;
}

/* ICW2, ICW3, ICW4 arrive in order on the data port after ICW1. */
static void chip_icw(struct pic_pair *p, struct i8259 *c, uint8_t val)
{
	switch (c->init_next) {
	case 2:
		/* 8086 mode: T7-T3 of the vector; bits 2:0 are the input. */
		c->vector_base = val & 0xf8;
		c->init_next = !c->single ? 3 : c->need_icw4 ? 4 : 0;
		break;
	case 3:
		c->icw3 = val;
		/* On a PC the slave is wired to IR2 and nowhere else. */
		if (val != (c->is_slave ? PIC_CASCADE_IRQ : 1u << PIC_CASCADE_IRQ))
			pic_warn_once(p, PIC_WARN_ICW3,
				      "%s ICW3 %#x does not match the PC's wiring (master 0x04, slave 0x02)\n",
				      chip_name[c->is_slave], val);
		c->init_next = c->need_icw4 ? 4 : 0;
		break;
	case 4:
		if (!(val & PIC_ICW4_UPM))
			pic_warn_once(p, PIC_WARN_MCS80,
				      "%s ICW4 %#x selects MCS-80/85 mode; treated as 8086 mode\n",
				      chip_name[c->is_slave], val);
		if (val & PIC_ICW4_BUF)
			pic_warn_once(p, PIC_WARN_BUFFERED,
				      "%s ICW4 %#x selects buffered mode; ignored (no bus buffers here)\n",
				      chip_name[c->is_slave], val);
		c->aeoi = val & PIC_ICW4_AEOI;
		c->sfnm = val & PIC_ICW4_SFNM;
		c->init_next = 0;
		break;
	}
}

/* The highest-priority input in service, as non-specific EOI finds it. */
static int chip_top_in_service(const struct i8259 *c)
{
	/* In special mask mode, masked ISR bits are not seen by non-specific EOI. */
	uint8_t isr = c->special_mask ? c->isr & ~c->imr : c->isr;
	for (unsigned r = 0; r < 8; r++) {
		unsigned n = chip_input_at_rank(c, r);
		if (isr & (1u << n))
			return (int)n;
	}
	return -1;
}

/* OCW2: R, SL, EOI in bits 7:5 choose the command; bits 2:0 a level. */
static void chip_ocw2(struct i8259 *c, uint8_t val)
{
	unsigned level = val & 7;
	int top;

	switch (val >> 5) {
	case 1:	/* non-specific EOI */
	case 5:	/* rotate on non-specific EOI: the input just ended becomes lowest */
		top = chip_top_in_service(c);
		if (top < 0)
			break;
		c->isr &= ~(1u << top);
		if (val & PIC_OCW2_R)
			c->lowest = (uint8_t)top;
		break;
	case 3:	/* specific EOI */
		c->isr &= ~(1u << level);
		break;
	case 7:	/* rotate on specific EOI */
		c->isr &= ~(1u << level);
		c->lowest = (uint8_t)level;
		break;
	case 6:	/* set priority: @level becomes the lowest */
		c->lowest = (uint8_t)level;
		break;
	case 4:	/* rotate in AEOI mode: set */
		c->rotate_on_aeoi = true;
		break;
	case 0:	/* rotate in AEOI mode: clear */
		c->rotate_on_aeoi = false;
		break;
	case 2:	/* no operation */
		break;
	}
}

/* OCW3: the register a command-port read returns, poll, special mask mode. */
static void chip_ocw3(struct i8259 *c, uint8_t val)
{
	if (val & PIC_OCW3_RR)
		c->read_isr = val & PIC_OCW3_RIS;
	if (val & PIC_OCW3_P)
		c->poll = true;
	if (val & PIC_OCW3_ESMM)
		c->special_mask = val & PIC_OCW3_SMM;
}

/*
 * A poll ("The Poll Command"): the read acts as INTA for this chip alone
 * and returns 0x80 | input when it had a request, 0 when not.
 */
static uint8_t chip_poll(struct pic_pair *p, struct i8259 *c)
{
	c->poll = false;
	int n = pic_chip_pending(c);
	if (n < 0)
		return 0;
	pic_chip_ack(c, (unsigned)n);
	pic_update(p);
	return 0x80 | (uint8_t)n;
}

static void elcr_write(struct pic_pair *p, struct i8259 *c, uint8_t val)
{
	if (val & ~c->elcr_mask)
		pic_warn_once(p, PIC_WARN_ELCR,
			      "ELCR %#x for the %s: IRQ 0, 1, 2, 8 and 13 cannot be level-triggered; those bits ignored\n",
			      val, chip_name[c->is_slave]);
	c->elcr = val & c->elcr_mask;
	/* A level input's request is its line, from now on. */
	uint8_t lvl = chip_level_mask(c);
	c->irr = (uint8_t)((c->irr & ~lvl) | (c->line & lvl));
}

uint8_t pic_io_read(struct pic_pair *p, uint16_t port)
{
	switch (port) {
	case PIC_MASTER_CMD:
	case PIC_SLAVE_CMD: {
		struct i8259 *c = &p->chip[port == PIC_SLAVE_CMD];
		if (c->poll)
			return chip_poll(p, c);
		return c->read_isr ? c->isr : c->irr;
	}
	case PIC_MASTER_DATA:
	case PIC_SLAVE_DATA:
		return p->chip[port == PIC_SLAVE_DATA].imr;
	case PIC_ELCR_MASTER:
	case PIC_ELCR_SLAVE:
		return p->chip[port == PIC_ELCR_SLAVE].elcr;
	}
	pic_warn_once(p, PIC_WARN_PORT, "read of port %#x, not a PIC port; returning 0xff\n", port);
	return 0xff;
}

void pic_io_write(struct pic_pair *p, uint16_t port, uint8_t val)
{
	struct i8259 *c;

	switch (port) {
	case PIC_MASTER_CMD:
	case PIC_SLAVE_CMD:
		c = &p->chip[port == PIC_SLAVE_CMD];
		if (val & PIC_ICW1_INIT)
			chip_icw1(p, c, val);
		else if (val & PIC_OCW3_SEL)
			chip_ocw3(c, val);
		else
			chip_ocw2(c, val);
		break;
	case PIC_MASTER_DATA:
	case PIC_SLAVE_DATA:
		c = &p->chip[port == PIC_SLAVE_DATA];
		if (c->init_next)
			chip_icw(p, c, val);
		else
			c->imr = val;	/* OCW1 */
		break;
	case PIC_ELCR_MASTER:
	case PIC_ELCR_SLAVE:
		elcr_write(p, &p->chip[port == PIC_ELCR_SLAVE], val);
		break;
	default:
		pic_warn_once(p, PIC_WARN_PORT, "write %#x to port %#x, not a PIC port; ignored\n",
			      val, port);
		return;
	}
	pic_update(p);
}
