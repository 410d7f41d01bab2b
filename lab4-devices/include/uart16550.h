/*
 * uart16550.h - a National Semiconductor PC16550D UART as a PC wires it
 * (COM1: ports 0x3F8-0x3FF, IRQ 4). A pure model: the caller forwards the
 * guest's port accesses and the terminal's bytes; the model answers
 * through two callbacks, one for the IRQ line and one for transmitted
 * bytes. Transmission is instant (the transmitter is always empty), so
 * the model needs no clock.
 *
 * Register numbers are offsets from the base port (PC16550D datasheet,
 * Table II "Register Addresses"); DLAB is LCR bit 7.
 */
#ifndef HVLAB_UART16550_H
#define HVLAB_UART16550_H

#include <stdbool.h>
#include <stdint.h>

enum {
	UART_RBR = 0,	/* read, DLAB=0: receiver buffer */
	UART_THR = 0,	/* write, DLAB=0: transmitter holding */
	UART_DLL = 0,	/* DLAB=1: divisor latch, low byte */
	UART_IER = 1,	/* DLAB=0: interrupt enable */
	UART_DLM = 1,	/* DLAB=1: divisor latch, high byte */
	UART_IIR = 2,	/* read: interrupt identification */
	UART_FCR = 2,	/* write: FIFO control */
	UART_LCR = 3,	/* line control */
	UART_MCR = 4,	/* modem control */
	UART_LSR = 5,	/* line status */
	UART_MSR = 6,	/* modem status */
	UART_SCR = 7,	/* scratch */
	UART_NREGS = 8,
};

/* IER: which interrupt sources may interrupt. Bits 7:4 read 0. */
#define UART_IER_ERBFI	0x01	/* received data available (and char timeout) */
#define UART_IER_ETBEI	0x02	/* transmitter holding register empty */
#define UART_IER_ELSI	0x04	/* receiver line status */
#define UART_IER_EDSSI	0x08	/* modem status */
#define UART_IER_MASK	0x0f

/* IIR: bit 0 = 1 when nothing is pending; bits 3:1 name the source. */
#define UART_IIR_NO_INT		0x01
#define UART_IIR_MSI		0x00	/* modem status (lowest priority) */
#define UART_IIR_THRI		0x02	/* THR empty */
#define UART_IIR_RDI		0x04	/* received data available */
#define UART_IIR_RLSI		0x06	/* receiver line status (highest) */
#define UART_IIR_CTI		0x0c	/* character timeout (FIFO mode) */
#define UART_IIR_ID_MASK	0x0e
#define UART_IIR_FIFOS		0xc0	/* both set while FCR bit 0 is set */

/* FCR (write only). Bits 5:4 are reserved; bit 3 only drives RXRDY/TXRDY pins. */
#define UART_FCR_ENABLE		0x01
#define UART_FCR_CLEAR_RX	0x02
#define UART_FCR_CLEAR_TX	0x04
#define UART_FCR_DMA		0x08
#define UART_FCR_TRIGGER_SHIFT	6

#define UART_LCR_DLAB	0x80

/* MCR: bits 7:5 read 0. */
#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08	/* on a PC: enables the IRQ line's driver */
#define UART_MCR_LOOP	0x10
#define UART_MCR_MASK	0x1f

#define UART_LSR_DR	0x01	/* data ready */
#define UART_LSR_OE	0x02	/* overrun error */
#define UART_LSR_PE	0x04
#define UART_LSR_FE	0x08
#define UART_LSR_BI	0x10
#define UART_LSR_THRE	0x20	/* THR (or TX FIFO) empty */
#define UART_LSR_TEMT	0x40	/* THR and shift register empty */
#define UART_LSR_RXFE	0x80	/* error in RX FIFO */
#define UART_LSR_ERRORS	(UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)

#define UART_MSR_DCTS	0x01
#define UART_MSR_DDSR	0x02
#define UART_MSR_TERI	0x04	/* RI went from on to off */
#define UART_MSR_DDCD	0x08
#define UART_MSR_DELTAS	0x0f
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80

#define UART_FIFO_SIZE	16

struct uart16550 {
	uint8_t ier, lcr, mcr, scr;
	uint8_t fcr;		/* last programmed FCR (bits 7:6, 3, 0) */
	uint8_t dll, dlm;
	uint8_t lsr_errors;	/* OE (PE, FE, BI never happen here) */
	uint8_t msr;		/* bits 7:4 lines, 3:0 deltas */
	bool thre_pending;	/* THRE interrupt latched (cleared by IIR read, THR write) */
	bool irq_level;		/* what the irq callback was last told */

	uint8_t rx[UART_FIFO_SIZE];	/* RX FIFO (one byte deep with FIFOs off) */
	unsigned rx_head, rx_count;

	unsigned logged;	/* bad-access kinds already logged (one bit each) */

	void (*irq)(void *ctx, bool level);
	void (*tx)(void *ctx, uint8_t b);
	void *ctx;
};

/**
 * Reset @u to the datasheet's reset state (Table IV: IER, FCR, LCR, MCR 0;
 * IIR 0x01; LSR 0x60) with a terminal attached (CTS, DSR, DCD on). @irq is
 * told of every change of the IRQ line as a PC wires it: an enabled
 * interrupt pending AND MCR.OUT2 (and not in loopback, where the OUT2 pin
 * is forced inactive). @tx gets each byte the guest transmits.
 */
void uart_init(struct uart16550 *u, void (*irq)(void *ctx, bool level),
	       void (*tx)(void *ctx, uint8_t b), void *ctx);

/** The guest reads register @reg (0..7 = port - base). Reads have side effects (RBR, IIR, LSR, MSR). */
uint8_t uart_read(struct uart16550 *u, unsigned reg);

/** The guest writes @val to register @reg (0..7). */
void uart_write(struct uart16550 *u, unsigned reg, uint8_t val);

/**
 * A byte @b arrives from the terminal. Returns false when it was lost:
 * an overrun (RX FIFO full, or the holding register full with FIFOs off:
 * LSR.OE is set) or loopback mode (the receiver is disconnected from the
 * line).
 */
bool uart_rx(struct uart16550 *u, uint8_t b);

/** True when uart_rx() would store a byte without loss: poll the terminal only then. */
bool uart_rx_ready(const struct uart16550 *u);

#endif
