/*
 * test_uart16550.c - the 16550 model against the PC16550D datasheet and
 * against the sequences Linux's 8250 driver runs (8250_port.c:
 * autoconfig(), autoconfig_16550a(), size_fifo(), autoconfig_irq(),
 * serial8250_do_startup(), the interrupt handler).
 *
 * Register offsets and bits are written as numbers from the datasheet
 * here, not taken from uart16550.h, so a wrong constant there shows up.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <string.h>
#include "uart16550.h"

/* Registers (offsets from the base port). */
#define RBR 0
#define THR 0
#define DLL 0
#define IER 1
#define DLM 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

static struct uart16550 u;
static struct {
	int irq_calls;		/* every call of the irq callback */
	bool level;
	bool bad_call;		/* the callback was called without a change */
	uint8_t tx[1024];
	int ntx;
	void *ctx_seen;
} t;
static int log_lines;

int kprintf(const char *fmt, ...)
{
	(void)fmt;
	log_lines++;
	return 0;
}

static void on_irq(void *ctx, bool level)
{
	t.ctx_seen = ctx;
	if (level == t.level)
		t.bad_call = true;
	t.level = level;
	t.irq_calls++;
}

static void on_tx(void *ctx, uint8_t b)
{
	t.ctx_seen = ctx;
	if (t.ntx < (int)sizeof(t.tx))
		t.tx[t.ntx] = b;
	t.ntx++;
}

static void setup(void)
{
	memset(&t, 0, sizeof(t));
	log_lines = 0;
	memset(&u, 0xa5, sizeof(u));
	uart_init(&u, on_irq, on_tx, &t);
}

static void teardown(void)
{
	cr_expect(!t.bad_call, "the irq callback was called without a change of level");
}

static uint8_t rd(unsigned reg)
{
	return uart_read(&u, reg);
}

static void wr(unsigned reg, uint8_t v)
{
	uart_write(&u, reg, v);
}

TestSuite(uart, .init = setup, .fini = teardown);

/* ---- reset state, DLAB, IER, LCR, scratch ---- */

Test(uart, reset_state_matches_datasheet_table_iv)
{
	cr_expect_eq(rd(IER), 0);
	cr_expect_eq(rd(IIR), 0x01, "nothing pending, FIFOs off");
	cr_expect_eq(rd(LCR), 0);
	cr_expect_eq(rd(MCR), 0);
	cr_expect_eq(rd(LSR), 0x60, "THRE and TEMT");
	cr_expect_eq(rd(MSR), 0xb0, "terminal attached: DCD, DSR, CTS; no deltas");
	cr_expect_eq(t.irq_calls, 0);
	cr_expect_eq(t.ntx, 0);
	cr_expect(uart_rx_ready(&u));
}

Test(uart, dlab_switches_registers_0_and_1_to_the_divisor_latch)
{
	wr(IER, 0x05);
	wr(LCR, 0x83);
	wr(DLL, 0x34);
	wr(DLM, 0x12);
	cr_expect_eq(rd(DLL), 0x34);
	cr_expect_eq(rd(DLM), 0x12);
	cr_expect_eq(t.ntx, 0, "a DLL write is not a transmission");
	wr(LCR, 0x03);
	cr_expect_eq(rd(IER), 0x05, "IER kept while DLAB was set");
	wr(THR, 'A');
	cr_expect_eq(t.ntx, 1);
	cr_expect_eq(t.tx[0], 'A');
	cr_expect_eq(t.ctx_seen, &t, "callbacks get the context given to uart_init");
	wr(LCR, 0x80);
	cr_expect_eq(rd(DLL), 0x34, "a THR write does not touch DLL");
	cr_expect_eq(rd(DLM), 0x12);
	cr_expect_eq(rd(LCR), 0x80);
}

Test(uart, ier_keeps_bits_3_to_0_only)
{
	wr(IER, 0xff);
	cr_expect_eq(rd(IER), 0x0f);
	wr(IER, 0x40);
	cr_expect_eq(rd(IER), 0x00);
	cr_expect_eq(log_lines, 0, "Linux probes IER bit 6; not worth a log line");
}

Test(uart, lcr_and_scratch_read_back)
{
	for (unsigned v = 0; v < 256; v += 17) {
		wr(SCR, v);
		cr_expect_eq(rd(SCR), v);
	}
	wr(LCR, 0x1b);
	cr_expect_eq(rd(LCR), 0x1b);
}

/* ---- THR empty interrupt ---- */

Test(uart, etbei_with_thr_empty_raises_thre_at_once)
{
	wr(IER, 0x02);
	cr_expect_eq(rd(IIR), 0x02);
}

Test(uart, reading_iir_that_reports_thre_clears_it)
{
	wr(IER, 0x02);
	cr_expect_eq(rd(IIR), 0x02);
	cr_expect_eq(rd(IIR), 0x01);
	cr_expect_eq(rd(LSR) & 0x60, 0x60, "THR is still empty");
}

Test(uart, writing_thr_clears_and_reraises_thre)
{
	wr(IER, 0x02);
	rd(IIR);
	wr(THR, 'x');
	cr_expect_eq(t.ntx, 1);
	cr_expect_eq(t.tx[0], 'x');
	cr_expect_eq(rd(IIR), 0x02, "sent at once, so THR is empty again");
	cr_expect_eq(rd(LSR) & 0x60, 0x60);
}

/* Linux's UART_BUG_THRE test in serial8250_do_startup(). */
Test(uart, etbei_off_then_on_reraises_thre)
{
	wr(IER, 0x02);
	uint8_t iir1 = rd(IIR);
	wr(IER, 0x00);
	wr(IER, 0x02);
	uint8_t iir = rd(IIR);
	wr(IER, 0x00);
	cr_expect_eq(iir1 & 1, 0);
	cr_expect_eq(iir & 1, 0, "a 16550 reasserts THRE; else Linux sets UART_BUG_THRE");
}

/* Only the 0 -> 1 edge of ETBEI samples THRE (as Bochs and QEMU do). */
Test(uart, rewriting_etbei_without_an_edge_does_not_reraise)
{
	wr(IER, 0x02);
	rd(IIR);
	wr(IER, 0x03);
	cr_expect_eq(rd(IIR), 0x01);
}

Test(uart, thre_not_reported_while_etbei_clear)
{
	wr(THR, 'x');
	cr_expect_eq(rd(IIR), 0x01);
}

/* ---- receiver, FIFO ---- */

Test(uart, received_byte_without_fifo)
{
	wr(IER, 0x01);
	cr_expect(uart_rx(&u, 'a'));
	cr_expect_eq(rd(IIR), 0x04);
	cr_expect_eq(rd(LSR), 0x61);
	cr_expect(!uart_rx_ready(&u), "a 16450-mode receiver holds one byte");
	cr_expect_eq(rd(RBR), 'a');
	cr_expect_eq(rd(IIR), 0x01);
	cr_expect_eq(rd(LSR), 0x60);
	cr_expect(uart_rx_ready(&u));
}

Test(uart, overrun_without_fifo_overwrites_the_unread_byte)
{
	cr_expect(uart_rx(&u, 'a'));
	cr_expect(!uart_rx(&u, 'b'));
	cr_expect_eq(rd(LSR), 0x63, "DR and OE");
	cr_expect_eq(rd(LSR), 0x61, "reading LSR cleared OE");
	cr_expect_eq(rd(RBR), 'b');
	cr_expect_eq(rd(LSR), 0x60);
}

Test(uart, fifo_holds_16_bytes_then_overruns)
{
	wr(FCR, 0x01);
	for (int i = 0; i < 16; i++) {
		cr_expect(uart_rx_ready(&u));
		cr_expect(uart_rx(&u, 'A' + i), "byte %d", i);
	}
	cr_expect(!uart_rx_ready(&u));
	cr_expect(!uart_rx(&u, 'z'), "the 17th byte is lost");
	cr_expect_eq(rd(LSR), 0x63);
	cr_expect_eq(rd(LSR), 0x61);
	for (int i = 0; i < 16; i++)
		cr_expect_eq(rd(RBR), 'A' + i, "byte %d in order", i);
	cr_expect_eq(rd(LSR), 0x60, "the overrunning byte was not stored");
}

Test(uart, iir_reports_fifo_bits_while_fifos_are_enabled)
{
	wr(FCR, 0x01);
	cr_expect_eq(rd(IIR), 0xc1);
	wr(FCR, 0x00);
	cr_expect_eq(rd(IIR), 0x01);
	wr(FCR, 0x21);
	cr_expect_eq(rd(IIR), 0xc1, "bit 5 (16750 64-byte mode) is not there");
}

/* Below the trigger level the data is reported as a character timeout. */
Test(uart, fifo_trigger_levels)
{
	static const struct { uint8_t fcr; int level; } trig[] = {
		{ 0x01, 1 }, { 0x41, 4 }, { 0x81, 8 }, { 0xc1, 14 },
	};
	for (unsigned k = 0; k < 4; k++) {
		setup();
		wr(FCR, trig[k].fcr);
		wr(IER, 0x01);
		cr_expect_eq(rd(IIR), 0xc1);
		for (int n = 1; n <= 16; n++) {
			uart_rx(&u, n);
			uint8_t want = n < trig[k].level ? 0xcc : 0xc4;
			cr_expect_eq(rd(IIR), want, "fcr %#x with %d bytes: iir %#x", trig[k].fcr, n, want);
		}
	}
}

Test(uart, fcr_clears_rx_fifo)
{
	wr(FCR, 0x01);
	uart_rx(&u, 1);
	uart_rx(&u, 2);
	wr(FCR, 0x05);
	cr_expect_eq(rd(LSR) & 1, 1, "clearing the TX FIFO leaves RX alone");
	wr(FCR, 0x03);
	cr_expect_eq(rd(LSR) & 1, 0);
	uart_rx(&u, 3);
	wr(FCR, 0x00);
	cr_expect_eq(rd(LSR) & 1, 0, "disabling the FIFOs empties them");
	uart_rx(&u, 4);
	wr(FCR, 0x01);
	cr_expect_eq(rd(LSR) & 1, 0, "enabling them too");
}

Test(uart, fcr_bits_need_bit_0)
{
	wr(FCR, 0xc1);
	wr(FCR, 0x80);
	cr_expect_eq(rd(IIR), 0x01, "FIFOs off");
	wr(FCR, 0x01);
	wr(IER, 0x01);
	uart_rx(&u, 1);
	cr_expect_eq(rd(IIR), 0xc4, "trigger level 1: the 0x80 without bit 0 was not programmed");
}

/* ---- line status ---- */

Test(uart, overrun_raises_line_status_interrupt_until_lsr_is_read)
{
	wr(IER, 0x05);
	uart_rx(&u, 1);
	uart_rx(&u, 2);
	cr_expect_eq(rd(IIR), 0x06);
	cr_expect_eq(rd(IIR), 0x06, "reading IIR does not clear it");
	cr_expect_eq(rd(LSR) & 0x02, 0x02);
	cr_expect_eq(rd(IIR), 0x04, "then the data");
}

Test(uart, interrupt_priorities)
{
	wr(FCR, 0x01);
	wr(IER, 0x0f);			/* THRE latched */
	wr(MCR, 0x10);			/* loopback: modem lines change (deltas) */
	for (int i = 0; i < 17; i++)	/* 16 bytes come back, then an overrun */
		wr(THR, i);
	cr_expect_eq(rd(IIR), 0xc6, "line status first");
	rd(LSR);
	cr_expect_eq(rd(IIR), 0xc4, "received data second");
	for (int i = 0; i < 16; i++)
		cr_expect_eq(rd(RBR), i);
	cr_expect_eq(rd(IIR), 0xc2, "THR empty third");
	cr_expect_eq(rd(IIR), 0xc0, "modem status last");
	rd(MSR);
	cr_expect_eq(rd(IIR), 0xc1);
}

Test(uart, character_timeout_ranks_with_received_data)
{
	wr(FCR, 0xc1);
	wr(IER, 0x0b);
	uart_rx(&u, 'k');
	cr_expect_eq(rd(IIR), 0xcc, "timeout above THRE");
	rd(RBR);
	cr_expect_eq(rd(IIR), 0xc2);
}

Test(uart, disabled_sources_are_not_reported)
{
	uart_rx(&u, 1);
	uart_rx(&u, 2);		/* overrun */
	wr(MCR, 0x10);		/* modem deltas */
	wr(THR, 0);
	cr_expect_eq(rd(IIR), 0x01);
}

/* ---- modem control and status, loopback ---- */

Test(uart, mcr_reads_back_bits_4_to_0)
{
	wr(MCR, 0x1f);
	cr_expect_eq(rd(MCR), 0x1f);
	wr(MCR, 0x0b);
	cr_expect_eq(rd(MCR), 0x0b);
	cr_expect_eq(log_lines, 0);
	wr(MCR, 0xe0);
	cr_expect_eq(rd(MCR), 0x00);
	cr_expect_eq(log_lines, 1, "bits 7:5 logged");
}

Test(uart, msr_outside_loopback_ignores_mcr)
{
	wr(MCR, 0x0f);
	cr_expect_eq(rd(MSR), 0xb0);
	wr(MCR, 0x00);
	cr_expect_eq(rd(MSR), 0xb0);
}

Test(uart, loopback_wires_mcr_outputs_to_msr_inputs)
{
	static const struct { uint8_t mcr, msr; } map[] = {
		{ 0x01, 0x20 },	/* DTR -> DSR */
		{ 0x02, 0x10 },	/* RTS -> CTS */
		{ 0x04, 0x40 },	/* OUT1 -> RI */
		{ 0x08, 0x80 },	/* OUT2 -> DCD */
		{ 0x0f, 0xf0 },
		{ 0x00, 0x00 },
	};
	for (unsigned k = 0; k < 6; k++) {
		wr(MCR, 0x10 | map[k].mcr);
		cr_expect_eq(rd(MSR) & 0xf0, map[k].msr, "mcr %#x", map[k].mcr);
	}
}

/* autoconfig()'s loopback test wants exactly 0x90 with LOOP | OUT2 | RTS. */
Test(uart, linux_loop_test_reads_0x90)
{
	wr(MCR, 0x10 | 0x0a);
	cr_expect_eq(rd(MSR) & 0xf0, 0x90);
}

Test(uart, msr_delta_bits_and_clear_on_read)
{
	wr(MCR, 0x10 | 0x0f);	/* all four lines on; outside they were CTS DSR DCD */
	cr_expect_eq(rd(MSR), 0xf0, "RI rose (no delta for that); the rest did not change");
	wr(MCR, 0x10);		/* all off */
	cr_expect_eq(rd(MSR), 0x0f, "DCTS DDSR TERI DDCD");
	cr_expect_eq(rd(MSR), 0x00, "deltas cleared by the read");
	wr(MCR, 0x10 | 0x02);
	cr_expect_eq(rd(MSR), 0x11, "CTS on, DCTS");
	wr(MCR, 0x10 | 0x03);
	cr_expect_eq(rd(MSR), 0x32, "DSR on, DDSR only");
	wr(MCR, 0x10 | 0x0b);
	cr_expect_eq(rd(MSR), 0xb8, "DCD on, DDCD only");
	wr(MCR, 0x00);
	cr_expect_eq(rd(MSR), 0xb0, "back to the terminal's lines: no change");
}

Test(uart, deltas_accumulate_until_read)
{
	wr(MCR, 0x10 | 0x02);
	wr(MCR, 0x10 | 0x06);
	wr(MCR, 0x10 | 0x02);
	cr_expect_eq(rd(MSR), 0x10 | 0x02 | 0x08 | 0x04,
		     "CTS on throughout; DDSR, DDCD from entering loopback, TERI from OUT1");
}

Test(uart, modem_status_interrupt)
{
	wr(IER, 0x08);
	cr_expect_eq(rd(IIR), 0x01);
	wr(MCR, 0x10);
	cr_expect_eq(rd(IIR), 0x00);
	rd(MSR);
	cr_expect_eq(rd(IIR), 0x01);
}

Test(uart, loopback_returns_thr_bytes_as_input)
{
	wr(MCR, 0x10);
	wr(THR, 'q');
	cr_expect_eq(t.ntx, 0, "nothing leaves the chip in loopback");
	cr_expect_eq(rd(LSR), 0x61);
	cr_expect_eq(rd(RBR), 'q');
	wr(MCR, 0x00);
	wr(THR, 'r');
	cr_expect_eq(t.ntx, 1);
	cr_expect_eq(t.tx[0], 'r');
	cr_expect_eq(rd(LSR), 0x60);
}

Test(uart, terminal_input_is_refused_in_loopback)
{
	wr(MCR, 0x10);
	cr_expect(!uart_rx_ready(&u));
	cr_expect(!uart_rx(&u, 'x'));
	cr_expect_eq(rd(LSR), 0x60, "no data, no overrun");
	wr(MCR, 0x00);
	cr_expect(uart_rx_ready(&u));
}

/* ---- the IRQ line ---- */

Test(uart, irq_needs_out2)
{
	wr(IER, 0x02);
	cr_expect_eq(t.irq_calls, 0, "THRE pending but OUT2 off");
	wr(MCR, 0x08);
	cr_expect_eq(t.irq_calls, 1);
	cr_expect(t.level);
	wr(MCR, 0x00);
	cr_expect_eq(t.irq_calls, 2);
	cr_expect(!t.level);
	wr(MCR, 0x08);
	cr_expect_eq(t.irq_calls, 3);
	cr_expect(t.level);
	rd(IIR);
	cr_expect_eq(t.irq_calls, 4, "the IIR read cleared THRE");
	cr_expect(!t.level);
}

Test(uart, irq_follows_received_data)
{
	wr(MCR, 0x08);
	wr(IER, 0x01);
	cr_expect_eq(t.irq_calls, 0);
	uart_rx(&u, 'a');
	cr_expect(t.level);
	cr_expect_eq(t.irq_calls, 1);
	rd(IIR);
	rd(LSR);
	cr_expect(t.level, "still data");
	cr_expect_eq(t.irq_calls, 1);
	rd(RBR);
	cr_expect(!t.level);
	cr_expect_eq(t.irq_calls, 2);
}

Test(uart, irq_callback_only_on_changes)
{
	wr(MCR, 0x08);
	wr(IER, 0x02);
	for (int i = 0; i < 10; i++)
		wr(THR, i);
	wr(SCR, 1);
	rd(LSR);
	cr_expect_eq(t.irq_calls, 1);
	wr(IER, 0x00);
	cr_expect_eq(t.irq_calls, 2);
	cr_expect(!t.level);
	wr(IER, 0x00);
	cr_expect_eq(t.irq_calls, 2);
}

Test(uart, loopback_keeps_the_irq_line_low)
{
	wr(IER, 0x0f);
	wr(MCR, 0x18);
	wr(THR, 'x');
	cr_expect_eq(rd(IIR) & 0x0f, 0x04, "the interrupt is pending inside the chip");
	cr_expect_eq(t.irq_calls, 0, "but the OUT2 pin is forced inactive in loopback");
	wr(MCR, 0x08);
	cr_expect(t.level);
}

/* ---- bad accesses ---- */

Test(uart, register_number_above_7_logged_once)
{
	cr_expect_eq(uart_read(&u, 8), 0xff);
	cr_expect_eq(uart_read(&u, 1000), 0xff);
	uart_write(&u, 9, 0x12);
	cr_expect_eq(log_lines, 1);
	cr_expect_eq(rd(SCR), 0, "no register changed");
	cr_expect_eq(rd(IER), 0);
}

Test(uart, lsr_and_msr_writes_ignored_and_logged_once_each)
{
	wr(LSR, 0x01);
	wr(LSR, 0x1f);
	cr_expect_eq(rd(LSR), 0x60);
	wr(MSR, 0x0f);
	wr(MSR, 0xff);
	cr_expect_eq(rd(MSR), 0xb0);
	cr_expect_eq(log_lines, 2);
}

/* ---- Linux's 8250 driver, step by step ---- */

/* size_fifo(): 256 bytes through loopback at 115200; count what comes back. */
static int linux_size_fifo(void)
{
	uint8_t old_lcr = rd(LCR);
	wr(LCR, 0);
	uint8_t old_fcr = rd(FCR);	/* really IIR, as in Linux */
	uint8_t old_mcr = rd(MCR);
	wr(FCR, 0x07);
	wr(MCR, 0x10);
	wr(LCR, 0x80);
	uint16_t old_dl = rd(DLL) | rd(DLM) << 8;
	wr(DLL, 1);
	wr(DLM, 0);
	wr(LCR, 0x03);
	for (int i = 0; i < 256; i++)
		wr(THR, i);
	int count;
	for (count = 0; (rd(LSR) & 0x01) && count < 256; count++)
		rd(RBR);
	wr(FCR, old_fcr);
	wr(MCR, old_mcr);
	wr(LCR, 0x80);
	wr(DLL, old_dl & 0xff);
	wr(DLM, old_dl >> 8);
	wr(LCR, old_lcr);
	return count;
}

/* autoconfig() and autoconfig_16550a(): returns what Linux would call the port. */
static const char *linux_autoconfig(void)
{
	uint8_t scratch = rd(IER);
	wr(IER, 0);
	uint8_t scratch2 = rd(IER) & 0x0f;
	wr(IER, 0x0f);
	uint8_t scratch3 = rd(IER) & 0x0f;
	wr(IER, scratch);
	if (scratch2 != 0 || scratch3 != 0x0f)
		return "IER test failed";

	uint8_t save_mcr = rd(MCR), save_lcr = rd(LCR);
	wr(MCR, 0x10 | 0x0a);
	uint8_t status1 = rd(MSR) & 0xf0;
	wr(MCR, save_mcr);
	if (status1 != 0x90)
		return "LOOP test failed";

	wr(LCR, 0xbf);
	wr(2, 0);			/* EFR on a 16650; FCR here */
	wr(LCR, 0);
	wr(FCR, 0x01);
	uint8_t kind = rd(IIR) >> 6;
	if (kind != 3)
		return kind == 0 ? "8250/16450" : "16550 without working FIFO";

	/* autoconfig_16550a(): EFR probes (reg 2 reads IIR on a 16550). */
	wr(LCR, 0x80);
	if (rd(2) == 0)
		return "16650";
	wr(LCR, 0xbf);
	if (rd(2) == 0)
		return "EFR UART";
	/* National Semiconductor: LCR 0xE0 banks. */
	wr(LCR, 0);
	status1 = rd(MCR);
	wr(LCR, 0xe0);
	uint8_t status2 = rd(2);
	if (!((status2 ^ status1) & 0x10)) {
		wr(LCR, 0);
		wr(MCR, status1 ^ 0x10);
		wr(LCR, 0xe0);
		status2 = rd(2);
		wr(LCR, 0);
		wr(MCR, status1);
		if ((status2 ^ status1) & 0x10)
			return "NS16550A";
	}
	/* TI16750: IIR bit 5 with FCR bit 5, with and without DLAB. */
	wr(LCR, 0);
	wr(FCR, 0x21);
	status1 = rd(IIR) >> 5;
	wr(FCR, 0x01);
	wr(LCR, 0x80);
	wr(FCR, 0x21);
	status2 = rd(IIR) >> 5;
	wr(FCR, 0x01);
	wr(LCR, 0);
	if (status1 == 6 && status2 == 7)
		return "TI16750";
	/* XScale: IER bit 6. */
	uint8_t iersave = rd(IER);
	wr(IER, iersave & ~0x40);
	if (!(rd(IER) & 0x40)) {
		wr(IER, iersave | 0x40);
		if (rd(IER) & 0x40)
			return "XScale";
	}
	wr(IER, iersave);
	if (linux_size_fifo() == 64)
		return "U6_16550A";

	wr(LCR, save_lcr);
	wr(MCR, save_mcr);
	/* serial8250_clear_fifos() */
	wr(FCR, 0x01);
	wr(FCR, 0x07);
	wr(FCR, 0);
	rd(RBR);
	wr(IER, 0);
	return "16550A";
}

Test(uart, linux_autoconfig_finds_a_16550a)
{
	cr_expect_str_eq(linux_autoconfig(), "16550A");
	cr_expect_eq(t.ntx, 0, "probing sent nothing to the terminal");
	cr_expect_eq(log_lines, 0, "the probes are not bad accesses");
	cr_expect_eq(t.irq_calls, 0, "OUT2 stayed off");
	cr_expect_eq(rd(LSR), 0x60, "FIFOs cleared, OE from size_fifo read away");
}

Test(uart, linux_size_fifo_counts_16)
{
	cr_expect_eq(linux_size_fifo(), 16);
}

/* autoconfig_irq(): the interrupt must fire after the THR write. */
Test(uart, linux_autoconfig_irq_sees_an_interrupt)
{
	uint8_t save_mcr = rd(MCR), save_ier = rd(IER);
	wr(MCR, 0x0c);
	wr(MCR, 0x00);
	wr(MCR, 0x0b);
	wr(IER, 0x0f);
	rd(LSR);
	rd(RBR);
	rd(IIR);
	rd(MSR);
	cr_expect(!t.level, "everything read away");
	wr(THR, 0xff);
	cr_expect(t.level, "THRE interrupt on IRQ 4");
	wr(MCR, save_mcr);
	wr(IER, save_ier);
	cr_expect(!t.level);
	cr_expect_eq(t.ntx, 1);
	cr_expect_eq(t.tx[0], 0xff);
}

/* The interrupt handler: serial8250_handle_irq(); returns bytes received. */
static int linux_handle_irq(uint8_t *ier, const char *pending_tx, int *sent, char *got)
{
	int n = 0;
	uint8_t iir = rd(IIR);
	if (iir & 0x01)
		return -1;
	uint8_t lsr = rd(LSR);
	if (lsr & 0x11) {
		int max = 256;
		do {
			got[n++] = rd(RBR);
			lsr = rd(LSR);
		} while ((lsr & 0x11) && --max > 0);
	}
	rd(MSR);
	if (lsr & 0x20) {	/* serial8250_tx_chars() */
		if (!pending_tx[*sent]) {
			*ier &= ~0x02;
			wr(IER, *ier);
		} else {
			for (int c = 0; c < 16 && pending_tx[*sent]; c++)
				wr(THR, pending_tx[(*sent)++]);
			if (!pending_tx[*sent]) {
				*ier &= ~0x02;
				wr(IER, *ier);
			}
		}
	}
	return n;
}

/* serial8250_do_startup() and set_termios, then typing and writing. */
Test(uart, linux_startup_then_receive_and_transmit)
{
	cr_assert_str_eq(linux_autoconfig(), "16550A");
	/* clear fifos, read everything, LSR safety check */
	wr(FCR, 0x01);
	wr(FCR, 0x07);
	wr(FCR, 0);
	rd(LSR);
	rd(RBR);
	rd(IIR);
	rd(MSR);
	cr_assert_neq(rd(LSR), 0xff, "LSR safety check");
	/* UART_BUG_THRE test */
	while (!(rd(LSR) & 0x20))
		;
	wr(IER, 0x02);
	uint8_t iir1 = rd(IIR);
	wr(IER, 0);
	wr(IER, 0x02);
	uint8_t iir = rd(IIR);
	wr(IER, 0);
	cr_expect(!(!(iir1 & 1) && (iir & 1)), "Linux would set UART_BUG_THRE");
	/* LCR 8N1, MCR: DTR RTS OUT2 */
	wr(LCR, 0x03);
	wr(MCR, 0x0b);
	/* UART_BUG_TXEN test */
	wr(IER, 0x02);
	uint8_t lsr = rd(LSR);
	iir = rd(IIR);
	wr(IER, 0);
	cr_expect(!((lsr & 0x40) && (iir & 1)), "Linux would set UART_BUG_TXEN");
	rd(LSR);
	rd(RBR);
	rd(IIR);
	rd(MSR);
	/* set_termios: 115200 8N1, FIFO trigger 8, IER RLSI|RDI */
	uint8_t ier = 0x05;
	wr(IER, ier);
	wr(LCR, 0x83);
	wr(DLL, 1);
	wr(DLM, 0);
	wr(LCR, 0x03);
	wr(FCR, 0x01);
	wr(FCR, 0x81);
	wr(MCR, 0x0b);
	cr_expect(!t.level, "nothing pending yet");

	/* typing "ls\n" */
	char got[300] = { 0 };
	int sent = 0;
	cr_expect(uart_rx(&u, 'l'));
	cr_expect(uart_rx(&u, 's'));
	cr_expect(uart_rx(&u, '\n'));
	cr_expect(t.level);
	cr_expect_eq(linux_handle_irq(&ier, "", &sent, got), 3);
	cr_expect_str_eq(got, "ls\n");
	cr_expect(!t.level);
	cr_expect_eq(linux_handle_irq(&ier, "", &sent, got), -1, "IIR says nothing pending");

	/* writing 40 bytes: start_tx sets THRI, each THRE interrupt sends 16 */
	const char *msg = "0123456789abcdefghijklmnopqrstuvwxyzABCD";
	ier |= 0x02;
	wr(IER, ier);
	int rounds = 0;
	while (t.level && rounds < 10) {
		cr_expect_eq(linux_handle_irq(&ier, msg, &sent, got), 0);
		rounds++;
	}
	cr_expect_eq(rounds, 3, "16 + 16 + 8 bytes");
	cr_expect_eq(t.ntx, 40);
	cr_expect(memcmp(t.tx, msg, 40) == 0, "bytes sent in order");
	cr_expect(!t.level);
}
