/*
 * vmx_entry.S - entering a guest and coming back, shaped like a C function:
 *
 *     int vmx_run(struct vcpu_regs *regs, int launched,
 *                 int (*on_exit)(struct vcpu_regs *regs));
 *
 * It saves the host's callee-saved registers (System V ABI), keeps @regs
 * and @on_exit on its stack, writes the stack pointer to HOST_RSP, loads
 * the guest's general-purpose registers from @regs and executes VMLAUNCH
 * (launched == 0) or VMRESUME.
 *
 * On a VM exit the CPU loads RSP from HOST_RSP and RIP from HOST_RIP,
 * which points at vmx_exit_entry below (SDM Vol. 3C, 27.5.3 "Loading Host
 * RIP, RSP, and RFLAGS"): the stack is exactly as vmx_run left it. The
 * guest's GPRs are stored into @regs and @on_exit is called with @regs.
 * If it returns 0 the guest's GPRs are loaded again and VMRESUME goes
 * straight back: the common exit (CPUID, I/O, a hypercall) costs one C
 * call, not an unwinding to the run loop and a new vmx_run. If it returns
 * non-zero, vmx_run returns 0 to its caller (the run loop in C).
 *
 * If VMLAUNCH/VMRESUME fails as an instruction (30.2 "Conventions":
 * VMfailInvalid sets CF, VMfailValid sets ZF), execution simply continues
 * after it: vmx_run returns 1 (VMfailInvalid) or 2 (VMfailValid).
 *
 * VMX saves and loads RSP, RIP and RFLAGS of the guest through the VMCS,
 * but none of its other general-purpose registers: that is this file's job.
 */
#define VMCS_HOST_RSP 0x6c14   /* vmcs_fields.h (Appendix B.4.4) */

/* Offsets in struct vcpu_regs (vcpu.h). */
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

/* The stack from HOST_RSP up: @regs, @on_exit, padding, 6 saved registers. */
#define S_REGS    0
#define S_ON_EXIT 8

	.text
	.globl vmx_run
	.type vmx_run, @function
vmx_run:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	subq $8, %rsp                   /* keep RSP 16-byte aligned for the C call */
	pushq %rdx                      /* @on_exit */
	pushq %rdi                      /* @regs */

	movl $VMCS_HOST_RSP, %eax
	vmwrite %rsp, %rax              /* cannot fail: the VMCS is current */

	testl %esi, %esi                /* the MOVs below leave the flags alone */
	movq R_RAX(%rdi), %rax
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
	jnz vmx_resume
	vmlaunch
	jmp vmx_run_failed

	/* Every VM exit lands here (HOST_RIP), with RSP = HOST_RSP. */
	.globl vmx_exit_entry
vmx_exit_entry:
	pushq %rdi                      /* the guest's RDI, to free a register */
	movq 8+S_REGS(%rsp), %rdi       /* @regs */
	movq %rax, R_RAX(%rdi)
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
	call *S_ON_EXIT(%rsp)           /* on_exit(regs) */
	testl %eax, %eax
	jnz vmx_exit_leave

	/* Straight back into the guest. These loads repeat vmx_run's on
	 * purpose: sharing them would cost a launched test on every exit. */
	movq S_REGS(%rsp), %rdi
	movq R_RAX(%rdi), %rax
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
	movq R_RDI(%rdi), %rdi
vmx_resume:
	vmresume

	/* Still here: the entry failed as an instruction (flags say how). */
vmx_run_failed:
	movl $2, %eax                   /* VMfailValid (ZF) ... */
	jnc vmx_run_return
	movl $1, %eax                   /* ... or VMfailInvalid (CF) */
	jmp vmx_run_return

vmx_exit_leave:
	xorl %eax, %eax
vmx_run_return:
	addq $24, %rsp                  /* @regs, @on_exit, padding */
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size vmx_run, . - vmx_run

	.section .note.GNU-stack, "", @progbits
