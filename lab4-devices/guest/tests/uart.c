/*
 * uart.c - the 16550 at COM1 (National Semiconductor PC16550D
 * datasheet): its registers, FIFO, line and modem status, loopback, and
 * the THR-empty interrupt through the PIC on IRQ 4, which a PC gates with
 * MCR.OUT2 (IBM PC/AT technical reference, asynchronous adapter).
 *
 * No test prints while the UART is not the console: a failed CHECK
 * returns, and the runner restores the UART before it reports.
 */
#include "g4_dev.h"

#define IRQ_COM1	4
#define VEC_COM1	(PIC1_VECTOR + IRQ_COM1)

void test_uart_scratch(void)
{
	static const uint8_t pat[] = { 0x55, 0xaa, 0x00, 0xff };
	for (unsigned i = 0; i < sizeof(pat); i++) {
		uart_out(UART_SCR, pat[i]);
		CHECK_EQ(uart_in(UART_SCR), pat[i], "scratch register read back");
	}
}

/* LCR.DLAB switches offsets 0 and 1 to the divisor latch (datasheet, Table II). */
void test_uart_divisor_latch(void)
{
	uart_out(UART_IER, 0x05);
	uart_out(UART_LCR, LCR_DLAB | LCR_8N1);
	CHECK_EQ(uart_in(UART_LCR), LCR_DLAB | LCR_8N1, "LCR read back");
	uart_out(UART_DLL, 0x0c);	/* 9600 baud */
	uart_out(UART_DLM, 0x01);
	CHECK_EQ(uart_in(UART_DLL), 0x0c, "DLL read back");
	CHECK_EQ(uart_in(UART_DLM), 0x01, "DLM read back");
	uart_out(UART_LCR, LCR_8N1);
	CHECK_EQ(uart_in(UART_IER), 0x05, "IER after DLAB cleared (not DLM)");
	uart_out(UART_LCR, LCR_DLAB | LCR_8N1);
	CHECK_EQ(uart_in(UART_DLL), 0x0c, "DLL kept while DLAB was clear");
	uart_out(UART_DLL, 1);		/* back to 115200 */
	uart_out(UART_DLM, 0);
	uart_out(UART_LCR, 0x1b);	/* 8 bits, even parity */
	CHECK_EQ(uart_in(UART_LCR), 0x1b, "LCR read back");
}

/* IIR bits 7:6 say whether the FIFOs are on (FCR bit 0); bit 0 set: nothing pending. */
void test_uart_fifo_iir(void)
{
	uart_out(UART_IER, 0);
	uart_out(UART_FCR, 0);
	CHECK_EQ(uart_in(UART_IIR), IIR_NO_INT, "IIR with FIFOs off, no interrupt enabled");
	uart_out(UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	CHECK_EQ(uart_in(UART_IIR), IIR_FIFOS | IIR_NO_INT, "IIR with FIFOs on");
}

/* Transmission is done at once here: THR and the shift register are empty. */
void test_uart_lsr_idle(void)
{
	uint8_t lsr = uart_in(UART_LSR);
	CHECK((lsr & (LSR_THRE | LSR_TEMT)) == (LSR_THRE | LSR_TEMT), "LSR %#x lacks THRE/TEMT", lsr);
	uart_out(UART_THR, '\n');	/* shows on the console: an empty line */
	lsr = uart_in(UART_LSR);
	CHECK(lsr & LSR_THRE, "LSR %#x: THR not empty again after sending a byte", lsr);
	CHECK_EQ(lsr & 0x9e, 0, "LSR error bits (OE, PE, FE, BI, FIFO error)");
}

/* Loopback (MCR bit 4): the transmitter feeds the receiver; the bytes come back in order. */
void test_uart_loopback_data(void)
{
	static const char msg[] = "hvlab!";
	uart_out(UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	uart_out(UART_MCR, MCR_LOOP | MCR_DTR | MCR_RTS);
	CHECK_EQ(uart_in(UART_LSR) & LSR_DR, 0, "LSR.DR before anything was sent");
	for (unsigned i = 0; i < sizeof(msg) - 1; i++)
		uart_out(UART_THR, (uint8_t)msg[i]);
	for (unsigned i = 0; i < sizeof(msg) - 1; i++) {
		CHECK(uart_in(UART_LSR) & LSR_DR, "LSR.DR clear with %u bytes still to come",
		      (unsigned)(sizeof(msg) - 1 - i));
		CHECK_EQ(uart_in(UART_RBR), msg[i], "byte looped back");
	}
	CHECK_EQ(uart_in(UART_LSR) & LSR_DR, 0, "LSR.DR after reading everything");
}

/*
 * Overrun (datasheet, LSR bit 1): with FIFOs off a second byte overwrites
 * the unread one; with FIFOs on, the 17th byte is lost and the 16 stay.
 * Reading LSR clears OE.
 */
void test_uart_loopback_overrun(void)
{
	uart_out(UART_FCR, 0);
	uart_out(UART_MCR, MCR_LOOP);
	uart_out(UART_THR, 'x');
	uart_out(UART_THR, 'y');
	uint8_t lsr = uart_in(UART_LSR);
	CHECK((lsr & (LSR_OE | LSR_DR)) == (LSR_OE | LSR_DR), "FIFOs off: LSR %#x lacks OE and DR",
	      lsr);
	CHECK_EQ(uart_in(UART_LSR) & LSR_OE, 0, "OE on the second LSR read");
	CHECK_EQ(uart_in(UART_RBR), 'y', "FIFOs off: the byte left after an overrun");
	CHECK_EQ(uart_in(UART_LSR) & LSR_DR, 0, "FIFOs off: DR after one read");

	uart_out(UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	for (unsigned i = 0; i < 17; i++)
		uart_out(UART_THR, (uint8_t)('a' + i));
	CHECK_EQ(uart_in(UART_LSR) & LSR_OE, LSR_OE, "FIFOs on: OE after 17 bytes");
	for (unsigned i = 0; i < 16; i++)
		CHECK_EQ(uart_in(UART_RBR), 'a' + i, "FIFOs on: byte of the 16 kept");
	CHECK_EQ(uart_in(UART_LSR) & LSR_DR, 0, "FIFOs on: DR after 16 reads (the 17th is lost)");
}

/*
 * In loopback the modem inputs are the MCR outputs: CTS = RTS, DSR = DTR,
 * RI = OUT1, DCD = OUT2. MSR bits 3:0 latch changes (TERI only on RI's
 * falling edge) and clear when MSR is read.
 */
void test_uart_loopback_msr(void)
{
	uart_out(UART_MCR, MCR_LOOP | MCR_DTR | MCR_RTS);
	(void)uart_in(UART_MSR);
	CHECK_EQ(uart_in(UART_MSR), MSR_CTS | MSR_DSR, "MSR with DTR and RTS set (deltas read once)");
	uart_out(UART_MCR, MCR_LOOP | MCR_OUT1 | MCR_OUT2);
	CHECK_EQ(uart_in(UART_MSR), MSR_RI | MSR_DCD | MSR_DCTS | MSR_DDSR | MSR_DDCD,
		 "MSR after DTR/RTS off, OUT1/OUT2 on");
	CHECK_EQ(uart_in(UART_MSR), MSR_RI | MSR_DCD, "MSR read again: deltas cleared");
	uart_out(UART_MCR, MCR_LOOP);
	CHECK_EQ(uart_in(UART_MSR), MSR_TERI | MSR_DDCD, "MSR after RI and DCD fell");
}

/*
 * The receiver interrupt shows in IIR in loopback too (trigger level 1),
 * but the chip holds its OUT2 pin inactive there, so nothing reaches the
 * PIC: IRR bit 4 stays clear.
 */
void test_uart_loopback_iir(void)
{
	uart_out(UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);	/* trigger level 1 */
	uart_out(UART_MCR, MCR_LOOP | MCR_OUT2);
	uart_out(UART_IER, IER_ERBFI);
	CHECK_EQ(uart_in(UART_IIR), IIR_FIFOS | IIR_NO_INT, "IIR with nothing received");
	uart_out(UART_THR, 'z');
	CHECK_EQ(uart_in(UART_IIR), IIR_FIFOS | IIR_RDI, "IIR with one byte received");
	CHECK_EQ(pic_read_irr(0) & (1u << IRQ_COM1), 0, "PIC IRR bit 4 in loopback mode");
	CHECK_EQ(uart_in(UART_RBR), 'z', "the byte");
	CHECK_EQ(uart_in(UART_IIR), IIR_FIFOS | IIR_NO_INT, "IIR after reading the byte");
}

/* A pending THRE interrupt reaches IRQ 4 only with MCR.OUT2 set (the PC's gate). */
void test_uart_out2_gates_irq(void)
{
	uart_out(UART_MCR, MCR_DTR | MCR_RTS);
	uart_out(UART_IER, IER_ETBEI);
	CHECK_EQ(uart_in(UART_IIR) & IIR_ID_MASK, IIR_THRI, "IIR after enabling ETBEI with THR empty");
	uart_out(UART_IER, 0);
	uart_out(UART_IER, IER_ETBEI);		/* pending again (reading IIR cleared it) */
	CHECK_EQ(pic_read_irr(0) & (1u << IRQ_COM1), 0, "PIC IRR bit 4 with OUT2 clear");
	uart_out(UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	CHECK_EQ(pic_read_irr(0) & (1u << IRQ_COM1), 1u << IRQ_COM1,
		 "PIC IRR bit 4 (masked) once OUT2 is set");
}

static volatile uint8_t thre_iir;

static void com1_isr(struct g4_frame *f)
{
	(void)f;
	thre_iir = uart_in(UART_IIR);	/* identifies THRE and clears it */
	uart_out(UART_IER, 0);
	pic_eoi(IRQ_COM1);
}

/* IER.ETBEI with THR empty: the interrupt arrives on vector 0x24 and IIR names THRE. */
void test_uart_thre_irq(void)
{
	g4_set_handler(VEC_COM1, com1_isr);
	uart_out(UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	pic_set_masks((uint8_t)~(1u << IRQ_COM1), 0xff);
	uart_out(UART_IER, IER_ETBEI);
	CHECK(g4_wait_irqs(VEC_COM1, 1, 5000), "no interrupt on vector %#x within 5 ms", VEC_COM1);
	CHECK(!g4_wait_irqs(VEC_COM1, 2, 1000), "a second interrupt after the handler disabled ETBEI");
	CHECK_EQ(thre_iir, IIR_FIFOS | IIR_THRI, "IIR in the handler");
	CHECK_EQ(uart_in(UART_IIR), IIR_FIFOS | IIR_NO_INT, "IIR afterwards");
	CHECK_EQ(g4_stray_count, 0, "interrupts on other vectors");
}
