/*
 * entry64.S - where a guest starts when the hypervisor launches it in
 * 64-bit mode: RIP = the image's first byte, RSP = the top of the guest's
 * memory, CR3 = page tables that map the image, RDI = the memory's size,
 * RSI = GUEST_BASE (lab2-vmx/include/guest_image.h). Segments and descriptor
 * tables still hold whatever the hypervisor chose, so the guest first loads
 * its own GDT (and, in grt_start, its own IDT) before running any C.
 *
 * This is the only 64-bit-mode-specific start code: a guest started in
 * another mode (lab 3 starts guests in real mode) gets its own entry that
 * reaches long mode and then jumps to grt_entry64.
 */
#include "grt.h"

	.section .text.entry, "ax"
	.code64
	.globl _start, grt_entry64
_start:
grt_entry64:
	lgdt	grt_gdt_ptr(%rip)
	/* Reload CS with a far return: in 64-bit mode there is no far jmp to
	 * an immediate selector (Intel SDM Vol. 2A, JMP, "64-bit mode"). */
	pushq	$GRT_CS64
	leaq	1f(%rip), %rax
	pushq	%rax
	lretq
1:	movl	$GRT_DS, %eax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	/* The SysV ABI wants RSP 16-byte aligned at a call. */
	andq	$-16, %rsp
	xorl	%ebp, %ebp		/* ends backtraces */
	call	grt_start		/* (RDI, RSI as the hypervisor set them); */
					/* never returns: it ends with HC_EXIT */
2:	ud2
	jmp	2b

/*
 * The guest's GDT: null, a 64-bit code segment, a data segment (Intel SDM
 * Vol. 3A, 3.4.5 "Segment Descriptors"; in 64-bit mode only the L, D, P,
 * DPL and type bits of code descriptors matter, 5.2.1). The accessed bits
 * are preset so the CPU never writes to the table.
 *   0x00af9b000000ffff: P=1 DPL=0 S=1 type=0xb (code, read, accessed), L=1, G=1
 *   0x00cf93000000ffff: P=1 DPL=0 S=1 type=0x3 (data, write, accessed), D/B=1, G=1
 */
	.section .data
	.balign 16
grt_gdt:
	.quad	0
	.quad	0x00af9b000000ffff	/* GRT_CS64 */
	.quad	0x00cf93000000ffff	/* GRT_DS */
grt_gdt_end:
	.balign 8
	.word	0			/* so that the base below is 8-byte aligned */
grt_gdt_ptr:
	.word	grt_gdt_end - grt_gdt - 1
	.quad	grt_gdt

	.section .note.GNU-stack, "", @progbits
