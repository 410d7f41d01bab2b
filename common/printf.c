/*
 * printf.c - a small, complete-enough vsnprintf.
 *
 * Pure logic with no kernel dependencies, so the same file is compiled for
 * the host and unit-tested with criterion (common/tests/test_printf.c).
 */
#include <stdbool.h>
#include <stdint.h>
#include "printf.h"

struct out {
	char *buf;
	size_t size;
	size_t len;   /* characters produced so far, even past size */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

struct spec {
	bool left, zero, plus, space, alt;
	int width;
	int prec;     /* -1 when absent */
};

/* Emit an unsigned magnitude with sign/prefix, honouring width and precision. */
static void put_number(struct out *o, const struct spec *s, uint64_t v,
		       unsigned base, bool upper, char sign)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	if (v == 0 && s->prec != 0)
		tmp[n++] = '0';
	while (v) {
		tmp[n++] = digits[v % base];
		v /= base;
	}

	const char *prefix = "";
	if (s->alt && base == 16 && n && !(n == 1 && tmp[0] == '0'))
		prefix = upper ? "0X" : "0x";
	else if (s->alt && base == 8 && (n == 0 || tmp[n - 1] != '0'))
		prefix = "0";
	int plen = 0;
	while (prefix[plen])
		plen++;

	int zeros = s->prec > n ? s->prec - n : 0;
	int body = (sign ? 1 : 0) + plen + zeros + n;
	int fill = s->width > body ? s->width - body : 0;

	/* '0' is ignored when a precision is given or with '-' (C99 7.19.6.1). */
	if (s->zero && !s->left && s->prec < 0) {
		zeros += fill;
		fill = 0;
	}
	if (!s->left)
		pad(o, ' ', fill);
	if (sign)
		put(o, sign);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (s->left)
		pad(o, ' ', fill);
}

static void put_string(struct out *o, const struct spec *s, const char *str)
{
	if (!str)
		str = "(null)";
	int n = 0;
	while (str[n] && (s->prec < 0 || n < s->prec))
		n++;
	int fill = s->width > n ? s->width - n : 0;
	if (!s->left)
		pad(o, ' ', fill);
	for (int i = 0; i < n; i++)
		put(o, str[i]);
	if (s->left)
		pad(o, ' ', fill);
}

enum len_mod { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z };

static int64_t get_signed(va_list *ap, enum len_mod m)
{
	switch (m) {
	case LEN_HH: return (signed char)va_arg(*ap, int);
	case LEN_H:  return (short)va_arg(*ap, int);
	case LEN_L:  return va_arg(*ap, long);
	case LEN_LL: return va_arg(*ap, long long);
	case LEN_Z:  return va_arg(*ap, long);   /* ssize_t, ptrdiff_t, intmax_t: 64-bit */
	case LEN_NONE: return va_arg(*ap, int);
	}
	return 0;
}

static uint64_t get_unsigned(va_list *ap, enum len_mod m)
{
	switch (m) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned);
	case LEN_H:  return (unsigned short)va_arg(*ap, unsigned);
	case LEN_L:  return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z:  return va_arg(*ap, unsigned long);
	case LEN_NONE: return va_arg(*ap, unsigned);
	}
	return 0;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = { buf, size, 0 };
	va_list ap;
	va_copy(ap, ap_in);

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		struct spec s = { .prec = -1 };
		for (;;) {
			char f = *++fmt;
			if (f == '-') s.left = true;
			else if (f == '0') s.zero = true;
			else if (f == '+') s.plus = true;
			else if (f == ' ') s.space = true;
			else if (f == '#') s.alt = true;
			else break;
		}
		if (*fmt == '*') {
			s.width = va_arg(ap, int);
			if (s.width < 0) {
				s.left = true;
				s.width = -s.width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				s.width = s.width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			s.prec = 0;
			if (*fmt == '*') {
				s.prec = va_arg(ap, int);
				if (s.prec < 0)
					s.prec = -1;
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					s.prec = s.prec * 10 + (*fmt++ - '0');
			}
		}
		enum len_mod m = LEN_NONE;
		if (fmt[0] == 'h' && fmt[1] == 'h') { m = LEN_HH; fmt += 2; }
		else if (fmt[0] == 'h') { m = LEN_H; fmt++; }
		else if (fmt[0] == 'l' && fmt[1] == 'l') { m = LEN_LL; fmt += 2; }
		else if (fmt[0] == 'l') { m = LEN_L; fmt++; }
		else if (fmt[0] == 'z' || fmt[0] == 't' || fmt[0] == 'j') { m = LEN_Z; fmt++; }

		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = get_signed(&ap, m);
			char sign = v < 0 ? '-' : s.plus ? '+' : s.space ? ' ' : 0;
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
			put_number(&o, &s, mag, 10, false, sign);
			break;
		}
		case 'u': put_number(&o, &s, get_unsigned(&ap, m), 10, false, 0); break;
		case 'x': put_number(&o, &s, get_unsigned(&ap, m), 16, false, 0); break;
		case 'X': put_number(&o, &s, get_unsigned(&ap, m), 16, true, 0); break;
		case 'o': put_number(&o, &s, get_unsigned(&ap, m), 8, false, 0); break;
		case 'p':
			s.alt = true;
			put_number(&o, &s, (uintptr_t)va_arg(ap, void *), 16, false, 0);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			int fill = s.width > 1 ? s.width - 1 : 0;
			if (!s.left) pad(&o, ' ', fill);
			put(&o, c);
			if (s.left) pad(&o, ' ', fill);
			break;
		}
		case 's': put_string(&o, &s, va_arg(ap, const char *)); break;
		case '%': put(&o, '%'); break;
		case '\0':
			/* A lone '%' at the end: print it rather than read past the string. */
			put(&o, '%');
			fmt--;
			break;
		default:
			/* Unknown conversion: show it verbatim so the mistake is visible. */
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	va_end(ap);
	return (int)o.len;
}

int errorf(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		kvsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
