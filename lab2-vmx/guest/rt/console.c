/*
 * console.c - guest output through the HC_CONSOLE_WRITE hypercall. The
 * hypervisor prefixes each line with "[guest NAME] ", so a guest prints
 * plain text. Formatting is the kernel's own vsnprintf (common/printf.c),
 * compiled again with the guest's flags.
 */
#include <stdarg.h>
#include "grt.h"
#include "hcall.h"
#include "printf.h"

int gprintf(const char *fmt, ...)
{
	char buf[GRT_PRINTF_MAX];
	va_list ap;

	va_start(ap, fmt);
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return n;
	if ((unsigned)n >= sizeof(buf))
		n = sizeof(buf) - 1;	/* cut: kvsnprintf kept what fits */
	long r = hc_console_write(buf, (unsigned long)n);
	return r < 0 ? (int)r : n;
}
