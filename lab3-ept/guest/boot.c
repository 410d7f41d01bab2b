/*
 * boot.c - the guest image "lab3-boot": the smallest lab-3 guest. It
 * starts in real mode at 0x1000:0000 like a boot loader, switches itself
 * to protected mode and then to long mode (rt/entry16.S), and says so.
 */
#include "grt.h"
#include "grt3.h"

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

int guest_main(void)
{
	/* RDTSC does not exit (lab 2's controls): under Bochs the difference
	 * counts the instructions of the boot path, exits included. */
	uint64_t ticks = rdtsc() - grt_boot.tsc_start;
	gprintf("hello from long mode: booted from real mode (CR0 was %#x, CS %#x), "
		"%lu KiB of RAM, CPU signature %#x\n",
		grt_boot.cr0_real, grt_boot.cs, (unsigned long)(grt_mem_size >> 10), grt_boot.edx);
	gprintf("real mode to guest_main: %lu TSC ticks\n", (unsigned long)ticks);
	return 0;
}
