/*
 * platform.c - ending the emulated machine (see platform.h).
 */
#include "console.h"
#include "panic.h"
#include "platform.h"
#include "x86.h"

#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT  0x8900

static void (*exit_hooks[PLATFORM_EXIT_HOOKS])(void);
static int nexit_hooks;
static volatile int exiting;

int platform_on_exit(void (*fn)(void))
{
	if (nexit_hooks >= PLATFORM_EXIT_HOOKS)
		return -1;
	exit_hooks[nexit_hooks++] = fn;
	return 0;
}

void platform_exit(int code)
{
	/* A hook that ends up here again (or a second CPU) skips the hooks. */
	if (!__atomic_exchange_n(&exiting, 1, __ATOMIC_SEQ_CST))
		for (int i = 0; i < nexit_hooks; i++)
			exit_hooks[i]();
	cli();
	console_flush();   /* else Bochs stops before the last line has left the wire */
	outl(QEMU_DEBUG_EXIT_PORT, (uint32_t)code);
	for (const char *s = "Shutdown"; *s; s++)
		outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
	halt_forever();
}
