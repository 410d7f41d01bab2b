/*
 * hlt.c - the HLT exit. A guest that halts with interrupts enabled is
 * waiting for an interrupt; lab 2 injects none, so the hypervisor resumes
 * it after the HLT at once. (A HLT with interrupts off could never wake:
 * the hypervisor stops that guest, which this test must not do.)
 */
#include "gtest.h"
#include "hcall.h"
#include "x86.h"

#define RFLAGS_IF (1ul << 9)

GTEST(hlt_resumes_with_if_set)
{
	long before = hc_read_counter(HC_COUNTER_EXITS_REASON, HC_EXIT_HLT);
	volatile int after_hlt = 0;

	/* STI's shadow covers the HLT; the CLI right after it runs only
	 * if the guest was resumed past the HLT. */
	__asm__ volatile("sti\n\thlt\n\tmovl $1, %0\n\tcli" : "=m"(after_hlt) : : "memory");
	long after = hc_read_counter(HC_COUNTER_EXITS_REASON, HC_EXIT_HLT);

	GASSERT_EQ(after_hlt, 1);
	GASSERT_EQ(after - before, 1);
	GASSERTF(!(read_rflags() & RFLAGS_IF), "IF still set after CLI");
}
