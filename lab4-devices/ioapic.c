/*
 * ioapic.c - the 82093AA I/O APIC model (see ioapic.h). Section numbers
 * are those of the 82093AA datasheet (order number 290566).
 */
#include <stdarg.h>
#include "ioapic.h"
#include "panic.h"
#include "printf.h"
#include "string.h"

/* Things a guest (or a device) got wrong; each is logged once per IOAPIC. */
enum {
	WARN_OFFSET   = 1 << 0,   /* an access outside IOREGSEL and IOWIN */
	WARN_REGISTER = 1 << 1,   /* an index with no register behind it */
	WARN_READONLY = 1 << 2,   /* a write to the version or arbitration register */
	WARN_PIN      = 1 << 3,   /* ioapic_set_irq of a pin beyond 23 */
};

/* Bits of the low half a guest may write: all but delivery status and remote IRR. */
#define RTE_LOW_WRITABLE 0x1AFFFull
/* ...and of the high half: the destination, bits 63:56 (55:32 are reserved). */
#define RTE_HIGH_WRITABLE (0xFFull << IOAPIC_RTE_DEST_SHIFT)

static void ioapic_warn(struct ioapic *io, uint32_t what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void ioapic_warn(struct ioapic *io, uint32_t what, const char *fmt, ...)
{
	char buf[160];
	va_list ap;
	if (io->warned & what)
		return;
	io->warned |= what;
	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	kprintf("ioapic %u: %s (logged once)\n", io->id, buf);
}

void ioapic_init(struct ioapic *io, uint8_t id, ioapic_deliver_fn deliver, void *ctx)
{
	memset(io, 0, sizeof(*io));
	io->id = id & 0xF;
	io->deliver = deliver;
	io->ctx = ctx;
	for (unsigned i = 0; i < IOAPIC_NPINS; i++)
		io->rte[i] = IOAPIC_RTE_MASKED;
}

/* Is @pin's input active, after its polarity (datasheet 3.2.4, bit 13)? */
static bool ioapic_asserted(const struct ioapic *io, unsigned pin)
{
	return io->line[pin] != !!(io->rte[pin] & IOAPIC_RTE_LOW_ACTIVE);
}

/*
 * ioapic_service - decide whether @pin sends an interrupt now, and send it
 * through io->deliver (datasheet 3.2.4, the trigger mode and remote IRR
 * bits). @rising is true when the input just became active.
 *
 * A masked pin sends nothing. An edge-triggered pin sends once per rising
 * edge (an edge that comes while masked is lost). A level-triggered pin
 * sends while its input is active and remote IRR is clear, and sets remote
 * IRR: the local APIC's EOI clears it (ioapic_eoi), and the pin sends again
 * if still active. So this is also called, with @rising false, after an
 * EOI and after the guest rewrites the entry (unmasking an active level
 * pin sends).
 */
static void ioapic_service(struct ioapic *io, unsigned pin, bool rising)
{
	/* BEGIN SOLUTION lab4 */
	uint64_t e = io->rte[pin];
	if (e & IOAPIC_RTE_MASKED)
		return;
	if (e & IOAPIC_RTE_LEVEL) {
		if (!ioapic_asserted(io, pin) || (e & IOAPIC_RTE_REMOTE_IRR))
			return;
		io->rte[pin] |= IOAPIC_RTE_REMOTE_IRR;
	} else if (!rising) {
		return;
	}
	io->delivered[pin]++;
	if (io->deliver)
		io->deliver(io->ctx, (uint32_t)(e >> IOAPIC_RTE_DEST_SHIFT),
			    (uint8_t)(e & IOAPIC_RTE_VECTOR), (e & IOAPIC_RTE_LEVEL) != 0,
			    (unsigned)(e >> IOAPIC_RTE_DM_SHIFT) & 7, (e & IOAPIC_RTE_LOGICAL) != 0);
	/* END SOLUTION */
	/* STUB lab4
	(void)io;
	(void)pin;
	(void)rising;
	NOT_IMPLEMENTED("lab4");
	*/
}

void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level)
{
	if (pin >= IOAPIC_NPINS) {
		ioapic_warn(io, WARN_PIN, "interrupt on pin %u: the IOAPIC has %u pins",
			    pin, IOAPIC_NPINS);
		return;
	}
	bool was = ioapic_asserted(io, pin);
	io->line[pin] = level;
	ioapic_service(io, pin, !was && ioapic_asserted(io, pin));
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	for (unsigned pin = 0; pin < IOAPIC_NPINS; pin++) {
		uint64_t e = io->rte[pin];
		if (!(e & IOAPIC_RTE_LEVEL) || (e & IOAPIC_RTE_VECTOR) != vector ||
		    !(e & IOAPIC_RTE_REMOTE_IRR))
			continue;
		io->rte[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
		ioapic_service(io, pin, false);
	}
}

/*
 * A redirection-entry write keeps the read-only bits. Switching a pin to
 * edge clears remote IRR: Linux relies on that to clear a stuck remote IRR
 * on IOAPICs without an EOI register (version 0x11), as KVM's model does.
 */
static void ioapic_write_rte(struct ioapic *io, unsigned pin, bool high, uint32_t val)
{
	uint64_t e = io->rte[pin];
	if (high) {
		e = (e & ~RTE_HIGH_WRITABLE) | (((uint64_t)val << 32) & RTE_HIGH_WRITABLE);
	} else {
		e = (e & ~RTE_LOW_WRITABLE) | (val & RTE_LOW_WRITABLE);
		if (!(e & IOAPIC_RTE_LEVEL))
			e &= ~IOAPIC_RTE_REMOTE_IRR;
	}
	io->rte[pin] = e;
	ioapic_service(io, pin, false);
}

static uint32_t ioapic_reg_read(struct ioapic *io)
{
	unsigned r = io->regsel;
	switch (r) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		/* The arbitration ID is the APIC ID (datasheet 3.2.3). */
		return (uint32_t)io->id << 24;
	case IOAPIC_REG_VER:
		return IOAPIC_VERSION_VALUE;
	}
	if (r >= IOAPIC_REG_REDTBL && r < IOAPIC_REG_REDTBL + 2 * IOAPIC_NPINS) {
		uint64_t e = io->rte[(r - IOAPIC_REG_REDTBL) / 2];
		return (r & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
	}
	ioapic_warn(io, WARN_REGISTER, "read of register %#x, which does not exist: 0", r);
	return 0;
}

static void ioapic_reg_write(struct ioapic *io, uint32_t val)
{
	unsigned r = io->regsel;
	switch (r) {
	case IOAPIC_REG_ID:
		io->id = (val >> 24) & 0xF;
		return;
	case IOAPIC_REG_VER:
	case IOAPIC_REG_ARB:
		ioapic_warn(io, WARN_READONLY, "write %#x to read-only register %#x ignored", val, r);
		return;
	}
	if (r >= IOAPIC_REG_REDTBL && r < IOAPIC_REG_REDTBL + 2 * IOAPIC_NPINS) {
		ioapic_write_rte(io, (r - IOAPIC_REG_REDTBL) / 2, r & 1, val);
		return;
	}
	ioapic_warn(io, WARN_REGISTER, "write %#x to register %#x, which does not exist: ignored",
		    val, r);
}

uint32_t ioapic_mmio_read(struct ioapic *io, uint32_t offset)
{
	if (offset == IOAPIC_IOREGSEL)
		return io->regsel;
	if (offset == IOAPIC_IOWIN)
		return ioapic_reg_read(io);
	ioapic_warn(io, WARN_OFFSET, "read at offset %#x: only IOREGSEL (0) and IOWIN (0x10) "
		    "exist", offset);
	return 0;
}

void ioapic_mmio_write(struct ioapic *io, uint32_t offset, uint32_t val)
{
	if (offset == IOAPIC_IOREGSEL) {
		io->regsel = val & 0xFF;   /* bits 31:8 are reserved (datasheet 3.1.1) */
		return;
	}
	if (offset == IOAPIC_IOWIN) {
		ioapic_reg_write(io, val);
		return;
	}
	ioapic_warn(io, WARN_OFFSET, "write %#x at offset %#x: only IOREGSEL (0) and IOWIN "
		    "(0x10) exist", val, offset);
}
