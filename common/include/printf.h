/*
 * printf.h - formatted output for the kernel (and for host unit tests).
 *
 * Supported: %d %i %u %x %X %o %p %s %c %%, flags '-' '0' '+' ' ' '#',
 * a width and precision (either may be '*'), and the length modifiers
 * hh h l ll z t j. No floating point: the kernel is built without SSE.
 */
#ifndef HVLAB_PRINTF_H
#define HVLAB_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/**
 * Format into @buf of @size bytes, always NUL-terminating when size > 0.
 * Returns the length the full output would have had (like C99 vsnprintf),
 * so a caller can detect truncation by comparing it with @size.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** Print to the console. One call is written atomically with respect to other CPUs. */
/**
 * Format a reason into @err (when @err is not NULL and @errlen not 0) and
 * return -1: the "0, or -1 with a message" convention of the loaders and
 * validators (guest_elf.c, bzimage.c, multiboot_load.c, mptable.c).
 */
int errorf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);

#endif
