/*
 * hostile_asm.S - the exception storm of lab3-hostile (attacks.h, attack
 * exception_storm): an IDT with one gate, #UD (Intel SDM Vol. 3A, 6.14.1),
 * whose handler puts RSP back at the top of its own stack and executes
 * UD2 again. Each #UD is delivered through the guest's own IDT without a
 * VM exit (unless the hypervisor intercepts #UD), so only the watchdog or
 * a kill can end it; resetting RSP keeps the storm from overwriting the
 * image. Any other exception finds no gate: #NP, then #DF, then a triple
 * fault.
 */
#include "grt.h"

#define STORM_VECTORS 32
#define VEC_UD_NUM    6

	.text
	.code64
	.globl hostile_exception_storm
hostile_exception_storm:
	cli
	/* gate 6: offset = storm_ud, selector GRT_CS64, 64-bit interrupt gate */
	leaq	storm_ud(%rip), %rax
	leaq	storm_idt + 16 * VEC_UD_NUM(%rip), %rdi
	movw	%ax, 0(%rdi)
	movw	$GRT_CS64, 2(%rdi)
	movw	$0x8e00, 4(%rdi)	/* IST 0, P=1, DPL=0, type 0xE */
	shrq	$16, %rax
	movw	%ax, 6(%rdi)
	shrq	$16, %rax
	movl	%eax, 8(%rdi)
	lidt	storm_idt_ptr(%rip)
storm_ud:
	leaq	storm_stack_top(%rip), %rsp
	ud2

	.data
	.balign 8
	.word	0, 0, 0
storm_idt_ptr:
	.word	16 * STORM_VECTORS - 1
	.quad	storm_idt

	.bss
	.balign 16
storm_idt:
	.skip	16 * STORM_VECTORS
	.balign 16
storm_stack:
	.skip	512
storm_stack_top:

	.section .note.GNU-stack, "", @progbits
