/*
 * console.c - COM1 serial output by polling the line-status register.
 */
#include "console.h"
#include "spinlock.h"
#include "x86.h"

#define COM1      0x3f8
#define UART_THR  0   /* transmit holding register (DLAB=0) */
#define UART_IER  1
#define UART_FCR  2
#define UART_LCR  3
#define UART_MCR  4
#define UART_LSR  5
#define LSR_THRE  0x20 /* transmitter holding register empty */
#define LSR_TEMT  0x40 /* transmitter empty: the last bit has left the wire */

static struct spinlock console_lock = SPINLOCK_INIT("console");
uint64_t console_wait_ticks;

void console_init(void)
{
	outb(COM1 + UART_IER, 0x00);  /* no interrupts: we poll */
	outb(COM1 + UART_LCR, 0x80);  /* DLAB on to set the divisor */
	outb(COM1 + 0, 1);            /* 115200 baud */
	outb(COM1 + 1, 0);
	outb(COM1 + UART_LCR, 0x03);  /* 8 data bits, no parity, 1 stop */
	outb(COM1 + UART_FCR, 0x07);  /* enable and clear FIFOs */
	outb(COM1 + UART_MCR, 0x03);  /* DTR, RTS */
}

/*
 * The line runs at 115200 baud, about 87 us a byte; under Bochs that wait is
 * emulated time, so it costs instructions. We count the TSC ticks spent
 * waiting so that boot-cost figures can separate our code from the wire.
 */
static void uart_tx(char c)
{
	/* An absent UART reads 0xff: the THRE bit is then set and we do not hang. */
	if (!(inb(COM1 + UART_LSR) & LSR_THRE)) {
		uint64_t t0 = rdtsc();
		while (!(inb(COM1 + UART_LSR) & LSR_THRE))
			cpu_relax();
		console_wait_ticks += rdtsc() - t0;
	}
	outb(COM1 + UART_THR, (uint8_t)c);
}

void console_putc(char c)
{
	if (c == '\n')
		uart_tx('\r');
	uart_tx(c);
}

void console_flush(void)
{
	for (int spins = 0; spins < 1000000 && !(inb(COM1 + UART_LSR) & LSR_TEMT); spins++)
		cpu_relax();
}

void console_write(const char *s, size_t len)
{
	spin_lock_irqsave(&console_lock);
	for (size_t i = 0; i < len; i++)
		console_putc(s[i]);
	spin_unlock_irqrestore(&console_lock);
}

void console_puts(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	console_write(s, n);
}
