/*
 * trapentry.S - one entry stub per IDT vector, and the common path that
 * turns whatever the CPU pushed into a struct trap_frame (trap.h).
 *
 * The CPU pushes an error code for some exceptions only (Intel SDM Vol. 3A,
 * 6.13 and Table 6-1); the stubs of the others push 0 in its place, so
 * every frame has the same shape. Each stub then pushes its vector number
 * and jumps to trap_common.
 *
 * In 64-bit mode the CPU aligns RSP to 16 bytes before pushing its frame
 * (6.14.2). Its 5 words, the error code, the vector and 15 registers make
 * 22 words, and the fake frame record 2 more: RSP stays 16-byte aligned
 * for the C call, as the System V ABI wants.
 */
#define TF_RIP 17*8   /* offsetof(struct trap_frame, rip) */

	.altmacro

/* Vectors whose exceptions push an error code: #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX. */
.macro TRAP_STUB vec
	.align 16
	.globl trap_stub_\vec
trap_stub_\vec:
	.if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq $0
	.endif
	pushq $\vec
	jmp trap_common
.endm

	.text
	.globl trap_stubs_start
trap_stubs_start:
	.set vec, 0
	.rept 256
	TRAP_STUB %vec
	.set vec, vec + 1
	.endr

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi              /* struct trap_frame * */
	/* A frame record as if the interrupted instruction had called us:
	 * backtraces taken inside a handler then name the interrupted
	 * function and walk on through its callers. */
	pushq TF_RIP(%rsp)
	pushq %rbp
	movq %rsp, %rbp
	cld                          /* the ABI expects DF clear */
	call trap_dispatch
	addq $16, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp               /* vector and error code */
	iretq

/* The address of each stub, for idt_init(). */
.macro STUB_ADDR vec
	.quad trap_stub_\vec
.endm

	.section .rodata
	.align 8
	.globl trap_stub_table
trap_stub_table:
	.set vec, 0
	.rept 256
	STUB_ADDR %vec
	.set vec, vec + 1
	.endr

	.section .note.GNU-stack, "", @progbits
