/*
 * ap_trampoline.S - where an application processor starts.
 *
 * A STARTUP IPI starts the AP in real mode at CS:IP = (page << 8):0000
 * (Intel SDM Vol. 3A, 8.4.4.1), so this code is copied to
 * AP_TRAMPOLINE_BASE below 1 MiB before the SIPI is sent. It is linked
 * into the kernel at another address: REL() turns a label into its address
 * in the copy. The AP climbs the same steps the BSP took (SDM 9.9.1 and
 * 10.8.5): real mode -> 32-bit protected mode -> IA-32e mode on the BSP's
 * page tables, then calls ap_main(cpu) on its own stack.
 *
 * smp.c fills the parameter block (struct ap_boot_params, same layout)
 * in the copy; the AP writes 'stage' as it goes so a stuck AP can be told
 * apart from one that never started.
 */
#include "smp.h"

#define REL(x)       ((x) - ap_trampoline_start + AP_TRAMPOLINE_BASE)
#define CR0_PE       (1 << 0)
#define CR0_NW       (1 << 29)
#define CR0_CD       (1 << 30)
#define CR0_WP       (1 << 16)
#define CR0_PG       (1 << 31)
#define MSR_EFER     0xc0000080
#define SEL_CODE32   0x08
#define SEL_DATA     0x10
#define SEL_CODE64   0x18

	.section .rodata
	.globl ap_trampoline_start, ap_trampoline_params, ap_trampoline_end

	.code16
ap_trampoline_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds                   /* REL() addresses are absolute */
	rdtsc                           /* when the AP started, for smp.c's report */
	movl %eax, REL(ap_tsc)
	movl %edx, REL(ap_tsc) + 4
	movb $AP_STAGE_REAL, REL(ap_stage)
	lgdtl REL(tramp_gdt_ptr)
	movl %cr0, %eax
	andl $~(CR0_CD | CR0_NW), %eax   /* INIT leaves the caches off (SDM Vol. 3A, 9.1.1) */
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $SEL_CODE32, $REL(tramp32)

	.code32
tramp32:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movb $AP_STAGE_PROT, REL(ap_stage)
	/* CR4 (PAE and whatever else the BSP runs with), CR3, EFER.LME/NXE,
	 * then paging on: with LME set this activates IA-32e mode. */
	movl REL(ap_cr4), %eax
	movl %eax, %cr4
	movl REL(ap_cr3), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	movl REL(ap_efer), %eax
	xorl %edx, %edx
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_WP), %eax
	movl %eax, %cr0
	ljmp $SEL_CODE64, $REL(tramp64)

	.code64
tramp64:
	movb $AP_STAGE_LONG, REL(ap_stage)
	movq REL(ap_stack), %rsp
	xorl %ebp, %ebp                 /* ends the backtrace chain */
	movq REL(ap_cpu), %rdi
	movq REL(ap_entry), %rax
	pushq $0                        /* a null return address ends backtraces */
	jmp *%rax                       /* ap_main(cpu): does not return */

	/* Flat segments: 32-bit code, data, 64-bit code (L=1). */
	.align 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff
	.quad 0x00cf92000000ffff
	.quad 0x00209a0000000000
tramp_gdt_end:
tramp_gdt_ptr:
	.word tramp_gdt_end - tramp_gdt - 1
	.long REL(tramp_gdt)

	/* struct ap_boot_params (smp.c) */
	.align 8
ap_trampoline_params:
ap_cr3:		.quad 0
ap_cr4:		.quad 0
ap_efer:	.quad 0
ap_stack:	.quad 0
ap_cpu:		.quad 0
ap_entry:	.quad 0
ap_tsc:		.quad 0
ap_stage:	.long 0
	.align 8
ap_trampoline_end:

	.section .note.GNU-stack, "", @progbits
