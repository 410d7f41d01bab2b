/*
 * spin.c - the guest image "lab2-spin": spins forever with interrupts off
 * and never exits on its own. The host's timer must still take the CPU
 * back (external-interrupt exiting, Intel SDM Vol. 3C, 25.6.1), and the
 * hypervisor's watchdog must end this guest.
 */
#include "grt.h"

int guest_main(void)
{
	gprintf("lab2-spin: spinning forever with interrupts off\n");
	__asm__ volatile("cli\n1:\tjmp 1b" : : : "memory");
	__builtin_unreachable();
}
