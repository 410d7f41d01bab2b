/*
 * demo.c - the guest image "demo" (`make run` boots with `demo`): a
 * hello-world guest that shows one exit of each common kind. Every line
 * it prints went through a VM exit: HC_CONSOLE_WRITE (VMCALL) or OUT to
 * the debug port 0xE9 (an I/O exit); its questions are CPUID exits.
 */
#include "grt.h"
#include "hcall.h"
#include "string.h"
#include "x86.h"

#define CPUID_1_ECX_VMX (1u << 5)
#define CPUID_EXT1_ECX_SVM (1u << 2)   /* CPUID 80000001h (AMD APM Vol. 3, E.4.2) */

int guest_main(void)
{
	struct cpuid_regs r = cpuid(HC_CPUID_LEAF, 0);
	char sig[13];
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = '\0';

	gprintf("hello from a guest at %p, running under \"%s\" (hypercall ABI %ld)\n",
		(void *)guest_main, sig, hc_version());
	for (const char *p = "this line went out byte by byte through I/O port 0xE9\n"; *p; p++)
		outb(HC_PORT_DEBUG, (uint8_t)*p);
	bool virt = (cpuid(1, 0).ecx & CPUID_1_ECX_VMX) ||
		(cpuid(0x80000001u, 0).ecx & CPUID_EXT1_ECX_SVM);
	gprintf("CPUID says VMX and SVM are %s to me\n", virt ? "AVAILABLE (wrong!)" :
		"not available");
	gprintf("%ld VM exits so far; goodbye\n", hc_read_counter(HC_COUNTER_EXITS, 0));
	return 0;
}
