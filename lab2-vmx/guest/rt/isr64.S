/*
 * isr64.S - the guest's exception entry stubs and a minimal setjmp/longjmp.
 *
 * Each stub makes the frame uniform (a zero error code where the CPU pushes
 * none: Intel SDM Vol. 3A, 6.13 "Error Code"), pushes its vector and jumps
 * to one common path that saves the general registers as a struct
 * grt_frame (grt.h) and calls grt_trap_handler(frame). The handler may
 * change frame->rip (a fixup) before the IRETQ.
 */
#include "grt.h"

	.text
	.code64

/* Vectors for which the CPU pushes an error code (SDM Vol. 3A, Table 6-1). */
.macro ISR vec
	.balign 16
grt_isr_\vec:
	.if (\vec == 8) || (\vec == 10) || (\vec == 11) || (\vec == 12) || (\vec == 13) || (\vec == 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$\vec
	jmp	grt_isr_common
.endm

.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ISR \v
.endr

grt_isr_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	cld
	movq	%rsp, %rdi	/* the CPU aligned RSP to 16 before its frame; */
	call	grt_trap_handler	/* 22 quadwords later it is still aligned */
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp	/* vector and error code */
	iretq

/* The stubs' addresses, in vector order, for grt_trap_init(). */
	.section .rodata
	.balign 8
	.globl grt_isr_table
grt_isr_table:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	grt_isr_\v
.endr

/*
 * int grt_setjmp(struct grt_jmp *j): save the callee-saved registers, the
 * stack pointer and the return address; returns 0 now, and v (never 0)
 * when grt_longjmp(j, v) comes back here.
 */
	.text
	.globl grt_setjmp, grt_longjmp
grt_setjmp:
	movq	%rbx, 0(%rdi)
	movq	%rbp, 8(%rdi)
	movq	%r12, 16(%rdi)
	movq	%r13, 24(%rdi)
	movq	%r14, 32(%rdi)
	movq	%r15, 40(%rdi)
	leaq	8(%rsp), %rax	/* RSP after our return */
	movq	%rax, 48(%rdi)
	movq	(%rsp), %rax	/* our return address */
	movq	%rax, 56(%rdi)
	xorl	%eax, %eax
	ret

/* void grt_longjmp(struct grt_jmp *j, int v) */
grt_longjmp:
	movl	%esi, %eax
	testl	%eax, %eax
	jnz	1f
	incl	%eax
1:	movq	0(%rdi), %rbx
	movq	8(%rdi), %rbp
	movq	16(%rdi), %r12
	movq	24(%rdi), %r13
	movq	32(%rdi), %r14
	movq	40(%rdi), %r15
	movq	48(%rdi), %rsp
	jmpq	*56(%rdi)

	.section .note.GNU-stack, "", @progbits
