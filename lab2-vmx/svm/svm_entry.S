/*
 * svm_entry.S - entering a guest with VMRUN and coming back, shaped like a
 * C function (the twin of vmx/vmx_entry.S):
 *
 *     int svm_run(struct vcpu_regs *regs, uint64_t vmcb_pa,
 *                 uint64_t host_save_pa, int (*on_exit)(struct vcpu_regs *));
 *
 * VMRUN (AMD64 APM Vol. 2, 15.5 "VMRUN Instruction") saves the host's RIP,
 * RSP, RAX, RFLAGS, control registers, EFER and segment selectors in the
 * host save area (VM_HSAVE_PA), loads the guest's from the VMCB whose
 * address is in RAX, and runs the guest. #VMEXIT (15.6) stores the guest's
 * state back and reloads the host's: execution goes on after VMRUN with
 * RAX and RSP as they were. Every other general-purpose register still
 * holds the guest's value then: saving and loading them is this file's job.
 * The guest's RAX lives in the VMCB (VMCB_SAVE_RAX_OFFSET).
 *
 * VMRUN and #VMEXIT do not switch FS, GS, TR, LDTR (their hidden parts),
 * KERNEL_GS_BASE, STAR/LSTAR/CSTAR/SFMASK or the SYSENTER MSRs: VMSAVE and
 * VMLOAD do (15.5.2). The host's go to a page of their own around each
 * VMRUN; the host's GS base (the per-CPU pointer) is back before any C runs.
 *
 * GIF (15.17 "Global Interrupt Flag"): CLGI before the first VMRUN holds
 * every interrupt and NMI off until STGI; VMRUN sets GIF, #VMEXIT clears
 * it again. The host sets RFLAGS.IF before VMRUN, so that with
 * V_INTR_MASKING a physical interrupt ends the guest (INTR intercept); it
 * stays pending until the exit handler opens the window with STGI.
 */
#include "svm/vmcb_asm.h"

/* Offsets in struct vcpu_regs (vcpu.h; checked in svm_vcpu.c). */
#define R_RAX 0
#define R_RBX 8
#define R_RCX 16
#define R_RDX 24
#define R_RSI 32
#define R_RDI 40
#define R_RBP 48
#define R_R8  56
#define R_R9  64
#define R_R10 72
#define R_R11 80
#define R_R12 88
#define R_R13 96
#define R_R14 104
#define R_R15 112

/* The stack from RSP up: @regs, @vmcb_pa, @host_save_pa, @on_exit,
 * padding, 6 saved registers (16-byte aligned at the C call). */
#define S_REGS      0
#define S_VMCB      8
#define S_HOST_SAVE 16
#define S_ON_EXIT   24

	.text
	.globl svm_run
	.type svm_run, @function
svm_run:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	subq $8, %rsp
	pushq %rcx                      /* @on_exit */
	pushq %rdx                      /* @host_save_pa */
	pushq %rsi                      /* @vmcb_pa */
	pushq %rdi                      /* @regs */
	clgi
	sti                             /* held by GIF = 0 until an exit handler's STGI */

svm_enter:
	movq S_HOST_SAVE(%rsp), %rax
	vmsave %rax                     /* the host's FS, GS, TR, LDTR, MSRs */
	movq S_VMCB(%rsp), %rax
	vmload %rax                     /* the guest's */
	movq S_REGS(%rsp), %rdi
	movq R_RAX(%rdi), %rbx
	movq %rbx, VMCB_SAVE_RAX_OFFSET(%rax)
	movq R_RBX(%rdi), %rbx
	movq R_RCX(%rdi), %rcx
	movq R_RDX(%rdi), %rdx
	movq R_RSI(%rdi), %rsi
	movq R_RBP(%rdi), %rbp
	movq R_R8(%rdi), %r8
	movq R_R9(%rdi), %r9
	movq R_R10(%rdi), %r10
	movq R_R11(%rdi), %r11
	movq R_R12(%rdi), %r12
	movq R_R13(%rdi), %r13
	movq R_R14(%rdi), %r14
	movq R_R15(%rdi), %r15
	movq R_RDI(%rdi), %rdi          /* last: it was the pointer */
	vmrun %rax

	/* #VMEXIT: RAX = @vmcb_pa and RSP as before VMRUN; the rest is the guest's. */
	pushq %rdi
	movq 8+S_REGS(%rsp), %rdi
	movq %rbx, R_RBX(%rdi)
	movq %rcx, R_RCX(%rdi)
	movq %rdx, R_RDX(%rdi)
	movq %rsi, R_RSI(%rdi)
	movq %rbp, R_RBP(%rdi)
	movq %r8, R_R8(%rdi)
	movq %r9, R_R9(%rdi)
	movq %r10, R_R10(%rdi)
	movq %r11, R_R11(%rdi)
	movq %r12, R_R12(%rdi)
	movq %r13, R_R13(%rdi)
	movq %r14, R_R14(%rdi)
	movq %r15, R_R15(%rdi)
	popq R_RDI(%rdi)
	movq VMCB_SAVE_RAX_OFFSET(%rax), %rbx
	movq %rbx, R_RAX(%rdi)
	vmsave %rax                     /* the guest's hidden state, into its VMCB */
	movq S_HOST_SAVE(%rsp), %rax
	vmload %rax                     /* the host's GS base is back: C may run */
	call *S_ON_EXIT(%rsp)           /* on_exit(regs) */
	testl %eax, %eax
	jz svm_enter

	cli
	stgi                            /* GIF back on, with interrupts off */
	xorl %eax, %eax
	addq $40, %rsp                  /* @regs .. @on_exit, padding */
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size svm_run, . - svm_run

	.section .note.GNU-stack, "", @progbits
