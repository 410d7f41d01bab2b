/*
 * ktest_vmx_guests.S - tiny guests for lab 2's in-kernel tests
 * (ktest_vmx.c). Each is position-independent code between two labels;
 * the test wraps it in a struct guest_image of its own (they are not in
 * the guest_images registry). The tests pass arguments in registers they
 * set in v->regs before vcpu_run (the guest starts with them).
 */
#include "hypercall.h"

.macro KT_GUEST name
	.globl ktg_\name\()_start, ktg_\name\()_end
	.balign 16
ktg_\name\()_start:
.endm
.macro KT_GUEST_END name
ktg_\name\()_end:
.endm

	.section .rodata.ktest_guests, "a"
	.code64

/* HC_EXIT with the code in RDI. If HC_EXIT refuses it, exit with
 * 128 + the error instead (so a refused code is visible too). */
KT_GUEST exit
	movl $HC_EXIT, %eax
	vmcall
	movq %rax, %rdi
	negq %rdi
	addq $128, %rdi
	movl $HC_EXIT, %eax
	vmcall
	ud2
KT_GUEST_END exit

/* CPUID (leaf 0) five times, then HC_EXIT(0). */
KT_GUEST cpuid5
	movl $5, %r8d
1:	xorl %eax, %eax
	cpuid
	decl %r8d
	jnz 1b
	xorl %edi, %edi
	movl $HC_EXIT, %eax
	vmcall
	ud2
KT_GUEST_END cpuid5

/* Spin forever with interrupts on (they exit to the host: lab 2 never
 * injects any into a guest). */
KT_GUEST spin
	sti
1:	jmp 1b
KT_GUEST_END spin

/* Spin forever with interrupts off (RFLAGS starts as 0x2). */
KT_GUEST spin_cli
1:	jmp 1b
KT_GUEST_END spin_cli

/* HC_CONSOLE_WRITE(R8, R9 bytes); exit with its result: n when it
 * worked, 128 + error when it was refused. */
KT_GUEST console
	movl $HC_CONSOLE_WRITE, %eax
	movq %r8, %rdi
	movq %r9, %rsi
	vmcall
	movq %rax, %rdi
	testq %rdi, %rdi
	jns 2f
	negq %rdi
	addq $128, %rdi
2:	movl $HC_EXIT, %eax
	vmcall
	ud2
KT_GUEST_END console

/* INVD: exits unconditionally (25.1.2) and lab 2 has no handler for it. */
KT_GUEST invd
	invd
	xorl %edi, %edi
	movl $HC_EXIT, %eax
	vmcall
KT_GUEST_END invd

/* UD2 with no IDT (the guest starts with IDTR limit 0): #UD cannot be
 * delivered, nor the #GP that follows: a double fault. */
KT_GUEST ud2
	ud2
KT_GUEST_END ud2

	.section .note.GNU-stack, "", @progbits
