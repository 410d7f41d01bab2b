/*
 * triple.c - the guest image "lab2-triple": a guest that triple-faults.
 *
 * With an empty IDT (limit 0) any exception finds no gate: delivering it
 * raises #GP, delivering that raises #DF, and a fault while delivering #DF
 * is a triple fault (Intel SDM Vol. 3A, 6.15, "Interrupt 8 - Double Fault
 * Exception"). In VMX non-root operation a triple fault is a VM exit
 * (SDM Vol. 3C, 25.2, basic reason 2). hvlab also sets #DF in the
 * exception bitmap (vmx_vcpu.c), so it catches this guest one step
 * earlier, at the double fault; the in-kernel test
 * vmx_guest_triple_fault_killed clears the bitmap to see the real triple
 * fault. Either way the hypervisor must stop this guest with a register
 * dump, and go on.
 */
#include "grt.h"

struct idt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

int guest_main(void)
{
	static const struct idt_ptr empty = { 0, 0 };

	gprintf("lab2-triple: empty IDT, then int3: this guest must die (at its double fault, or of the triple fault)\n");
	__asm__ volatile("lidt %0\n\tint3" : : "m"(empty) : "memory");
	gprintf("FAIL: lab2-triple: still running after a triple fault\n");
	return 1;
}
