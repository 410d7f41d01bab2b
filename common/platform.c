/*
 * platform.c - ending the emulated machine (see platform.h).
 */
#include "console.h"
#include "panic.h"
#include "platform.h"
#include "x86.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT  0x8900

void platform_exit(int code)
{
	cli();
	console_flush();   /* else Bochs stops before the last line has left the wire */
	outl(QEMU_DEBUG_EXIT_PORT, (uint32_t)code);
	for (const char *s = "Shutdown"; *s; s++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
	halt_forever();
}
