/*
 * hcall.h - hypercall wrappers for guests: one VMCALL each, with the ABI of
 * lab2-vmx/include/hypercall.h (RAX = number, RDI/RSI/RDX = arguments,
 * result in RAX, every other register preserved).
 */
#ifndef GUEST_HCALL_H
#define GUEST_HCALL_H

#include <stdint.h>
#include "hypercall.h"

/* Which instruction calls the hypervisor: VMCALL exits on Intel (SDM Vol.
 * 3C, 25.1.2), VMMCALL on AMD (APM Vol. 2, 15.13); each raises #UD on the
 * other vendor's CPU. The runtime sets this from CPUID leaf 0 at start. */
extern int hc_use_vmmcall;

/* The raw call. */
static inline long hc_call(unsigned long nr, unsigned long a0, unsigned long a1,
			   unsigned long a2)
{
	long ret;
	if (hc_use_vmmcall)
		__asm__ volatile("vmmcall"
				 : "=a"(ret)
				 : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
				 : "memory");
	else
		__asm__ volatile("vmcall"
				 : "=a"(ret)
				 : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
				 : "memory");
	return ret;
}

static inline long hc_version(void) { return hc_call(HC_VERSION, 0, 0, 0); }

static inline long hc_console_write(const char *buf, unsigned long len)
{
	return hc_call(HC_CONSOLE_WRITE, (unsigned long)buf, len, 0);
}

static inline long hc_read_counter(unsigned long counter, unsigned long arg)
{
	return hc_call(HC_READ_COUNTER, counter, arg, 0);
}

/* Stop this vCPU with @code; the hypervisor never resumes it. */
static inline __attribute__((noreturn)) void hc_exit(long code)
{
	hc_call(HC_EXIT, (unsigned long)code, 0, 0);
	for (;;)	/* a hypervisor that returns from HC_EXIT is broken: stop here */
		__asm__ volatile("cli; hlt");
}

#endif
