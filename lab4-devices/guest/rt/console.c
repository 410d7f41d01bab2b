/*
 * console.c - output on COM1, polled, and a small printf.
 *
 * hvlab prints what the guest's UART sends as it comes. Each byte waits
 * for LSR.THRE first, as on a real 16550, so the console works whatever
 * the tests did to the UART's interrupt enables.
 */
#include "g4_dev.h"

void g4_console_init(void)
{
	uart_out(UART_IER, 0);
	uart_out(UART_LCR, LCR_DLAB);
	uart_out(UART_DLL, 1);			/* 115200 baud */
	uart_out(UART_DLM, 0);
	uart_out(UART_LCR, LCR_8N1);
	uart_out(UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
	uart_out(UART_MCR, MCR_DTR | MCR_RTS);	/* OUT2 off: no IRQ 4 */
}

void g4_putc(char c)
{
	/* Bounded: a UART that never says THRE must not hang the tests. */
	for (unsigned i = 0; i < 100000 && !(uart_in(UART_LSR) & LSR_THRE); i++)
		cpu_relax();
	uart_out(UART_THR, (uint8_t)c);
}

/* ---- formatting ---- */

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, uint64_t v, unsigned base, bool upper, bool neg, int width,
		    bool zero, bool left, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int len = n + (neg ? 1 : 0) + (int)strlen(prefix);
	if (!left && !zero)
		for (; width > len; width--)
			put(o, ' ');
	if (neg)
		put(o, '-');
	for (const char *p = prefix; *p; p++)
		put(o, *p);
	if (!left && zero)
		for (; width > len; width--)
			put(o, '0');
	while (n)
		put(o, tmp[--n]);
	for (; left && width > len; width--)
		put(o, ' ');
}

int g4_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		bool zero = false, left = false, alt = false;
		int width = 0, lng = 0;
		for (;; fmt++) {
			if (fmt[1] == '0')
				zero = true;
			else if (fmt[1] == '-')
				left = true;
			else if (fmt[1] == '#')
				alt = true;
			else
				break;
		}
		while (fmt[1] >= '0' && fmt[1] <= '9')
			width = width * 10 + (*++fmt - '0');
		while (fmt[1] == 'l' || fmt[1] == 'z') {
			lng += fmt[1] == 'l' ? 1 : 0;
			fmt++;
		}
		char c = *++fmt;
		uint64_t u;
		switch (c) {
		case 'd':
		case 'i': {
			int64_t s = lng >= 2 ? va_arg(ap, long long) : va_arg(ap, long);
			u = s < 0 ? (uint64_t)-s : (uint64_t)s;
			put_num(&o, u, 10, false, s < 0, width, zero, left, "");
			break;
		}
		case 'u':
		case 'x':
		case 'X':
			u = lng >= 2 ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned long);
			put_num(&o, u, c == 'u' ? 10 : 16, c == 'X', false, width, zero, left,
				alt && c != 'u' && u ? "0x" : "");
			break;
		case 'p':
			put_num(&o, (uintptr_t)va_arg(ap, void *), 16, false, false, width, zero,
				left, "0x");
			break;
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int len = (int)strlen(s);
			for (; !left && width > len; width--)
				put(&o, ' ');
			while (*s)
				put(&o, *s++);
			for (; left && width > len; width--)
				put(&o, ' ');
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			put(&o, '%');
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, c);
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int g4_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = g4_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

int g4_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int r = g4_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (const char *p = buf; *p; p++)
		g4_putc(*p);
	return r;
}
