/*
 * console.h - the serial console (COM1, 16550 UART) every lab prints to.
 *
 * Output polls the transmitter-holding-register-empty bit before each byte:
 * Bochs' 16550 drops bytes written while its FIFO is full (PLATFORMS.md).
 */
#ifndef HVLAB_CONSOLE_H
#define HVLAB_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

/** TSC ticks spent waiting for the UART transmitter, all CPUs together. */
extern uint64_t console_wait_ticks;

/** Program COM1 for 115200 8N1 with FIFOs on. Safe to call more than once. */
void console_init(void);
/** Write one byte; '\n' becomes "\r\n". */
void console_putc(char c);
/** Write @len bytes of @s. Serialised across CPUs by the console lock. */
void console_write(const char *s, size_t len);
/** Wait (bounded) until every byte written has left the UART, e.g. before power-off. */
void console_flush(void);
/** Write a NUL-terminated string. */
void console_puts(const char *s);

#endif
