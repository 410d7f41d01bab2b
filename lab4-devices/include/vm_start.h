/*
 * vm_start.h - the start states lab 4's guests need besides lab 3's real
 * mode: what a Multiboot 1 kernel and a Linux kernel (64-bit boot
 * protocol) expect to find at their entry point. The vendor backend
 * writes them (vmx_start.c).
 */
#ifndef HVLAB_VM_START_H
#define HVLAB_VM_START_H

#include <stdint.h>
#include "vm.h"

enum vm_start_mode {
	VM_START_PROT32,   /* 32-bit protected mode, paging off, flat segments */
	VM_START_LONG,     /* 64-bit mode, paging on (CR3 = identity page tables) */
};

struct vm_start {
	enum vm_start_mode mode;
	uint64_t rip, rsp;
	uint64_t cr3;                   /* VM_START_LONG */
	uint64_t gdt_base;              /* a GDT in guest memory holding cs and ds */
	uint16_t gdt_limit;
	uint16_t cs, ds;                /* selectors (ds also for es, ss, fs, gs) */
	uint64_t rax, rbx, rsi;         /* multiboot: EAX magic, EBX info; Linux: RSI zero page */
};

/** Put @vm's vCPU in the start state @s (it must not have run). 0, or -1 said why. */
int vm_vendor_start(struct vm *vm, const struct vm_start *s);

#endif
