/*
 * uart16550.c - the PC16550D UART (National Semiconductor datasheet,
 * June 1995), modelled as far as Linux's 8250 driver looks at it
 * (drivers/tty/serial/8250/8250_port.c: autoconfig(), size_fifo(),
 * autoconfig_irq(), serial8250_do_startup()).
 *
 * What is not modelled: baud rate and character timing (a byte written to
 * THR is sent at once, so LSR.THRE and LSR.TEMT always read 1 and the TX
 * FIFO is never used), parity/framing errors and breaks (the terminal
 * delivers whole bytes), the DMA mode pins. The character-timeout
 * interrupt is reported as soon as the RX FIFO holds fewer bytes than
 * its trigger level: terminal input arrives far slower than 4 character
 * times, so a real 16550 would time out before the next byte anyway.
 */
#include "uart16550.h"
#include "panic.h"
#include "printf.h"

/* Bad accesses, each logged once per UART. */
enum uart_bad {
	UART_BAD_REG,		/* register number above 7 (a caller bug) */
	UART_BAD_MCR,		/* MCR bits 7:5 are always 0 on a 16550 */
	UART_BAD_LSR_WRITE,	/* LSR is for factory testing only */
	UART_BAD_MSR_WRITE,	/* MSR is read only */
};

static void uart_log_once(struct uart16550 *u, enum uart_bad kind, const char *what, unsigned val)
{
	if (u->logged & (1u << kind))
		return;
	u->logged |= 1u << kind;
	kprintf("uart16550: %s (%#x); ignored (logged once)\n", what, val);
}

static bool uart_fifo_on(const struct uart16550 *u)
{
	return u->fcr & UART_FCR_ENABLE;
}

/* With FIFOs off the receiver holds one byte (16450 mode). */
static unsigned uart_rx_capacity(const struct uart16550 *u)
{
	return uart_fifo_on(u) ? UART_FIFO_SIZE : 1;
}

/*
 * uart_iir_id - the highest-priority interrupt that is both pending and
 * enabled in IER, as IIR bits 3:0 report it (datasheet Table IV,
 * "Interrupt Control Functions").
 *
 * What to do: in priority order,
 *   1. receiver line status (ELSI): an error bit of LSR is latched;
 *   2. received data (ERBFI): the RX FIFO holds at least one byte. With
 *      FIFOs on (FCR bit 0) report "received data available" once the
 *      FIFO reaches the trigger level of FCR bits 7:6 (1, 4, 8, 14 bytes),
 *      and "character timeout" below it (see the comment at the top);
 *      with FIFOs off any byte is "received data available";
 *   3. THR empty (ETBEI): the latched THRE interrupt;
 *   4. modem status (EDSSI): any delta bit of MSR (bits 3:0).
 * Return UART_IIR_NO_INT when nothing is pending. The FIFO bits 7:6 are
 * not part of the answer.
 */
static uint8_t uart_iir_id(const struct uart16550 *u)
{
	/* BEGIN SOLUTION lab4 */
	static const uint8_t trigger[4] = { 1, 4, 8, 14 };

	if ((u->ier & UART_IER_ELSI) && u->lsr_errors)
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_ERBFI) && u->rx_count) {
		if (uart_fifo_on(u) && u->rx_count < trigger[u->fcr >> UART_FCR_TRIGGER_SHIFT])
			return UART_IIR_CTI;
		return UART_IIR_RDI;
	}
	if ((u->ier & UART_IER_ETBEI) && u->thre_pending)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_EDSSI) && (u->msr & UART_MSR_DELTAS))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
	/* END SOLUTION */
	/* STUB lab4
	(void)u;
	NOT_IMPLEMENTED("lab4");
	*/
}

/*
 * The INTR pin reaches the PIC through a driver that a PC enables with
 * the OUT2 pin (IBM PC/AT Technical Reference, asynchronous adapter).
 * In loopback mode the datasheet forces the OUT pins inactive, so no
 * interrupt leaves the chip on a PC; Linux probes IRQs outside loopback
 * for that reason (autoconfig_irq()).
 */
static void uart_update_irq(struct uart16550 *u)
{
	bool level = uart_iir_id(u) != UART_IIR_NO_INT && (u->mcr & UART_MCR_OUT2) &&
		     !(u->mcr & UART_MCR_LOOP);
	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (u->irq)
		u->irq(u->ctx, level);
}

/*
 * The modem input lines (MSR bits 7:4). A terminal is always attached:
 * CTS, DSR and DCD on, RI off. In loopback mode the inputs are wired to
 * the MCR outputs instead: CTS<-RTS, DSR<-DTR, RI<-OUT1, DCD<-OUT2.
 */
static uint8_t uart_modem_lines(const struct uart16550 *u)
{
	if (!(u->mcr & UART_MCR_LOOP))
		return UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
	uint8_t lines = 0;
	if (u->mcr & UART_MCR_RTS)
		lines |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_DTR)
		lines |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_OUT1)
		lines |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2)
		lines |= UART_MSR_DCD;
	return lines;
}

/* Latch the delta bits for lines that changed; TERI only on RI's trailing edge. */
static void uart_sample_lines(struct uart16550 *u)
{
	uint8_t old = u->msr & 0xf0, now = uart_modem_lines(u), changed = old ^ now;
	uint8_t delta = u->msr & UART_MSR_DELTAS;
	if (changed & UART_MSR_CTS)
		delta |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		delta |= UART_MSR_DDSR;
	if ((old & UART_MSR_RI) && !(now & UART_MSR_RI))
		delta |= UART_MSR_TERI;
	if (changed & UART_MSR_DCD)
		delta |= UART_MSR_DDCD;
	u->msr = now | delta;
}

static void uart_rx_clear(struct uart16550 *u)
{
	u->rx_head = 0;
	u->rx_count = 0;
}

/*
 * Store a received byte. When full: OE is set; in FIFO mode the new byte
 * is lost (datasheet, LSR bit 1), with FIFOs off it overwrites the unread
 * one. Returns false when a byte was lost.
 */
static bool uart_rx_push(struct uart16550 *u, uint8_t b)
{
	if (u->rx_count == uart_rx_capacity(u)) {
		u->lsr_errors |= UART_LSR_OE;
		if (!uart_fifo_on(u))
			u->rx[u->rx_head] = b;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = b;
	u->rx_count++;
	return true;
}

void uart_init(struct uart16550 *u, void (*irq)(void *ctx, bool level),
	       void (*tx)(void *ctx, uint8_t b), void *ctx)
{
	*u = (struct uart16550){ .irq = irq, .tx = tx, .ctx = ctx };
	/* Divisor 1 = 115200 baud with the PC's 1.8432 MHz clock; the datasheet leaves it undefined. */
	u->dll = 1;
	u->msr = uart_modem_lines(u);
}

static uint8_t uart_read_rbr(struct uart16550 *u)
{
	if (!u->rx_count)
		return 0;
	uint8_t b = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
	u->rx_count--;
	return b;
}

/* Reading IIR while it reports THR empty clears that interrupt (datasheet Table IV). */
static uint8_t uart_read_iir(struct uart16550 *u)
{
	uint8_t id = uart_iir_id(u);
	if (id == UART_IIR_THRI)
		u->thre_pending = false;
	return id | (uart_fifo_on(u) ? UART_IIR_FIFOS : 0);
}

/* Reading LSR clears its error bits (and with them the line-status interrupt). */
static uint8_t uart_read_lsr(struct uart16550 *u)
{
	uint8_t v = UART_LSR_THRE | UART_LSR_TEMT | u->lsr_errors;
	if (u->rx_count)
		v |= UART_LSR_DR;
	u->lsr_errors = 0;
	return v;
}

uint8_t uart_read(struct uart16550 *u, unsigned reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case UART_RBR:
		v = dlab ? u->dll : uart_read_rbr(u);
		break;
	case UART_IER:
		v = dlab ? u->dlm : u->ier;
		break;
	case UART_IIR:
		v = uart_read_iir(u);
		break;
	case UART_LCR:
		v = u->lcr;
		break;
	case UART_MCR:
		v = u->mcr;
		break;
	case UART_LSR:
		v = uart_read_lsr(u);
		break;
	case UART_MSR:
		v = u->msr;
		u->msr &= ~UART_MSR_DELTAS;
		break;
	case UART_SCR:
		v = u->scr;
		break;
	default:
		uart_log_once(u, UART_BAD_REG, "read of register number above 7", reg);
		return 0xff;
	}
	uart_update_irq(u);
	return v;
}

/* Bytes written in loopback come back to the receiver; otherwise they leave at once. */
static void uart_write_thr(struct uart16550 *u, uint8_t val)
{
	if (u->mcr & UART_MCR_LOOP)
		uart_rx_push(u, val);
	else if (u->tx)
		u->tx(u->ctx, val);
	/* The write clears the THRE interrupt; the instant transmission raises it again. */
	u->thre_pending = true;
}

/*
 * Bits 7:4 read 0 on a 16550; Linux writes bit 6 to probe for an XScale
 * UART, so they are dropped without a log line. Setting ETBEI while THR
 * is empty raises THRE at once: Linux's UART_BUG_THRE test
 * (serial8250_do_startup) expects it, as do QEMU and Bochs.
 */
static void uart_write_ier(struct uart16550 *u, uint8_t val)
{
	uint8_t ier = val & UART_IER_MASK;
	if ((ier & UART_IER_ETBEI) && !(u->ier & UART_IER_ETBEI))
		u->thre_pending = true;
	u->ier = ier;
}

/*
 * FCR: bit 0 enables the FIFOs; changing it empties them. The other bits
 * are programmed only together with bit 0 (datasheet, FCR bit 0). Bits
 * 5:4 are reserved (Linux writes bit 5 to probe for a 16750) and ignored.
 */
static void uart_write_fcr(struct uart16550 *u, uint8_t val)
{
	if ((val ^ u->fcr) & UART_FCR_ENABLE)
		uart_rx_clear(u);
	if (!(val & UART_FCR_ENABLE)) {
		u->fcr = 0;
		return;
	}
	if (val & UART_FCR_CLEAR_RX)
		uart_rx_clear(u);
	u->fcr = val & (0xc0 | UART_FCR_DMA | UART_FCR_ENABLE);
}

void uart_write(struct uart16550 *u, unsigned reg, uint8_t val)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_THR:
		if (dlab)
			u->dll = val;
		else
			uart_write_thr(u, val);
		break;
	case UART_IER:
		if (dlab)
			u->dlm = val;
		else
			uart_write_ier(u, val);
		break;
	case UART_FCR:
		uart_write_fcr(u, val);
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		if (val & ~UART_MCR_MASK)
			uart_log_once(u, UART_BAD_MCR, "MCR bits 7:5 written", val);
		u->mcr = val & UART_MCR_MASK;
		uart_sample_lines(u);
		break;
	case UART_LSR:
		uart_log_once(u, UART_BAD_LSR_WRITE, "write to LSR", val);
		return;
	case UART_MSR:
		uart_log_once(u, UART_BAD_MSR_WRITE, "write to MSR", val);
		return;
	case UART_SCR:
		u->scr = val;
		break;
	default:
		uart_log_once(u, UART_BAD_REG, "write to register number above 7", reg);
		return;
	}
	uart_update_irq(u);
}

bool uart_rx(struct uart16550 *u, uint8_t b)
{
	if (u->mcr & UART_MCR_LOOP)
		return false;
	bool stored = uart_rx_push(u, b);
	uart_update_irq(u);
	return stored;
}

bool uart_rx_ready(const struct uart16550 *u)
{
	return !(u->mcr & UART_MCR_LOOP) && u->rx_count < uart_rx_capacity(u);
}
