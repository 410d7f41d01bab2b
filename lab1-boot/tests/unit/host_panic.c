/*
 * host_panic.c - panic() for host unit tests of kernel logic.
 *
 * The reference logic never panics; in a student handout the stubs call
 * NOT_IMPLEMENTED(), which lands here: the message names the missing
 * function and the test crashes, which criterion reports.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "panic.h"

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("PANIC: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}
