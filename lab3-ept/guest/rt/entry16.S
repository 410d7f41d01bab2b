/*
 * entry16.S - where a lab-3 guest starts: real mode, CS = 0x1000, IP = 0
 * (lab3-ept/include/vm.h). It does what a boot loader does to reach long
 * mode (Intel SDM Vol. 3A, 9.9 "Mode Switching", 9.8.5 "Initializing
 * IA-32e Mode"), recording what it sees at each stage in grt_boot
 * (grt3.h), then joins lab 2's runtime at grt_entry64:
 *
 *   real mode   save the start registers; load a GDT; set CR0.PE;
 *               far jump to 32-bit code (9.9.1 "Switching to Protected Mode")
 *   protected   flat segments; the image's optional grt_pm32_hook; identity
 *               page tables for 4 GiB; CR4.PAE, CR3, EFER.LME, CR0.PG;
 *               far jump to 64-bit code (9.8.5)
 *   long mode   RDI = RAM size, RSI = where the image started, RSP = the
 *               image's own stack; jump to grt_entry64
 *
 * Real-mode addressing: DS = CS = 0x1000 (base GRT3_BASE), so a symbol's
 * offset is REL(sym) = sym - GRT3_BASE; guest3.ld keeps this file's code
 * and data in the image's first 64 KiB, the reach of a real-mode segment.
 */
#include "grt.h"
#include "grt3.h"

#define REL(sym)     ((sym) - GRT3_BASE)

#define CR0_PE       0x00000001
#define CR0_PG       0x80000000
#define CR4_PAE      0x00000020
#define MSR_EFER     0xc0000080
#define EFER_LME     0x00000100
#define PT_FLAGS     0x3           /* P, W: a table entry pointing to the next table */
#define PDE_2M_FLAGS 0x83          /* P, W, PS: a 2 MiB page (SDM Vol. 3A, Table 4-17) */
#define PAGE_TABLE_PAGES 6         /* PML4, PDPT, 4 page directories */

	.section .text.boot16, "ax"
	.code16
	.globl grt_entry16
grt_entry16:
	/* AX and BP are the scratch registers (0 at start, not recorded). */
	movw	%ds, %ax
	movw	%cs, %bp
	movw	%bp, %ds
	movw	%ax, REL(grt_boot) + BOOT_DS
	movl	%edi, REL(grt_boot) + BOOT_EDI
	movl	%ebx, REL(grt_boot) + BOOT_EBX
	movl	%ecx, REL(grt_boot) + BOOT_ECX
	movl	%esi, REL(grt_boot) + BOOT_ESI
	movl	%edx, REL(grt_boot) + BOOT_EDX
	movl	%esp, REL(grt_boot) + BOOT_ESP
	movw	%bp, REL(grt_boot) + BOOT_CS
	movw	%es, REL(grt_boot) + BOOT_ES
	movw	%ss, REL(grt_boot) + BOOT_SS
	movw	%fs, REL(grt_boot) + BOOT_FS
	movw	%gs, REL(grt_boot) + BOOT_GS
	/* The time of the first instructions: the boot's cost is measured from here. */
	rdtsc
	movl	%eax, REL(grt_boot) + BOOT_TSC_START
	movl	%edx, REL(grt_boot) + BOOT_TSC_START + 4
	/* MOV from CR0 reads the read shadow for host-owned bits (SDM Vol.
	 * 3C, 25.3): what the hypervisor wants the guest to believe. */
	movl	%cr0, %eax
	movl	%eax, REL(grt_boot) + BOOT_CR0_REAL
	sgdtl	REL(grt_boot) + BOOT_GDTR_REAL
	sidtl	REL(grt_boot) + BOOT_IDTR_REAL

	/* A small stack inside the image for PUSHF and CALL. */
	movw	%bp, %ss
	movw	$REL(boot16_stack_top), %sp
	pushfl
	popl	REL(grt_boot) + BOOT_EFLAGS_REAL
	cli
	cld
	/* Where did we start? CALL pushes the IP of grt_entry16_probe; CS
	 * base + that IP - its distance from grt_entry16 is the linear
	 * address of grt_entry16, which lab 2's grt_start checks. */
	call	grt_entry16_probe
	.globl	grt_entry16_probe
grt_entry16_probe:
	popw	%dx
	movw	%dx, REL(grt_boot) + BOOT_IP_PROBE
	movzwl	%dx, %edx
	subl	$(grt_entry16_probe - grt_entry16), %edx
	movzwl	%bp, %eax
	shll	$4, %eax
	addl	%eax, %edx
	movl	%edx, REL(grt_boot) + BOOT_START

	/* Protected mode: a GDT with flat 4 GiB segments, then CR0.PE and a
	 * far jump that loads CS from it (SDM Vol. 3A, 9.9.1, steps 3-5). The
	 * 32-bit operand size makes LGDT take a 32-bit base. */
	lgdtl	REL(boot_gdt_ptr)
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	$GRT3_CS32, $pm32_entry

	.code32
pm32_entry:
	movw	$GRT3_DS, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	%ax, %fs
	movw	%ax, %gs
	movl	$grt3_stack_top, %esp
	movl	%cr0, %eax
	movl	%eax, grt_boot + BOOT_CR0_PM32
	movw	%cs, %ax
	movzwl	%ax, %eax
	movl	%eax, grt_boot + BOOT_CS_PM32

	/* The image's 32-bit hook, if it defines one (a weak symbol: 0 if not). */
	movl	$grt_pm32_hook, %eax
	testl	%eax, %eax
	jz	2f
	call	*%eax
2:
	/* Identity page tables for [0, 4 GiB) with 2 MiB pages (SDM Vol. 3A,
	 * 4.5, Figure 4-9): clear them (the loader zeroed .bss, but a rerun of
	 * this code must not depend on that), PML4[0] -> PDPT, PDPT[i] ->
	 * PD i, PD i[j] -> (i * 512 + j) * 2 MiB. Entries are 64 bits; the
	 * high halves stay 0. */
	movl	$grt_pml4, %edi
	movl	$(PAGE_TABLE_PAGES * 4096 / 4), %ecx
	xorl	%eax, %eax
	rep stosl
	movl	$(grt_pdpt + PT_FLAGS), grt_pml4
	movl	$(grt_pd + PT_FLAGS), %eax
	movl	$grt_pdpt, %edi
	movl	$4, %ecx
3:	movl	%eax, (%edi)
	addl	$4096, %eax
	addl	$8, %edi
	loop	3b
	movl	$PDE_2M_FLAGS, %eax
	movl	$grt_pd, %edi
	movl	$(4 * 512), %ecx
4:	movl	%eax, (%edi)
	addl	$0x200000, %eax
	addl	$8, %edi
	loop	4b

	/* IA-32e mode (SDM Vol. 3A, 9.8.5): PAE, CR3, EFER.LME, then
	 * CR0.PG activates it (EFER.LMA = 1); the far jump to a code segment
	 * with L = 1 leaves compatibility mode for 64-bit mode. */
	movl	$grt_pml4, %eax
	movl	%eax, %cr3
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$CR0_PG, %eax
	movl	%eax, %cr0
	ljmpl	$GRT3_CS64, $lm64_entry

	.code64
lm64_entry:
	movq	%cr0, %rax
	movq	%rax, grt_boot + BOOT_CR0_LONG(%rip)
	movq	%cr4, %rax
	movq	%rax, grt_boot + BOOT_CR4_LONG(%rip)
	movq	%cr3, %rax
	movq	%rax, grt_boot + BOOT_CR3_LONG(%rip)
	movl	$MSR_EFER, %ecx
	rdmsr
	movl	%eax, grt_boot + BOOT_EFER_LONG(%rip)
	movl	%edx, grt_boot + BOOT_EFER_LONG + 4(%rip)
	/* lab 2's entry: RDI = memory size, RSI = the address the image runs at. */
	movl	grt_boot + BOOT_EDI(%rip), %edi
	movq	grt_boot + BOOT_START(%rip), %rsi
	movl	$grt3_stack_top, %esp
	jmp	grt_entry64

	.weak	grt_pm32_hook

/*
 * The boot GDT (SDM Vol. 3A, 3.4.5): flat 32-bit code, flat data, 64-bit
 * code. Accessed bits preset, so the CPU never writes to the table.
 *   0x00cf9b000000ffff: base 0, limit 4 GiB (G=1), D=1, P=1 DPL=0, code read/accessed
 *   0x00cf93000000ffff: the same, data read/write/accessed
 *   0x00af9b000000ffff: 64-bit code (L=1, D=0)
 */
	.section .data.boot16, "aw"
	.balign 16
boot_gdt:
	.quad	0
	.quad	0x00cf9b000000ffff	/* GRT3_CS32 */
	.quad	0x00cf93000000ffff	/* GRT3_DS */
	.quad	0x00af9b000000ffff	/* GRT3_CS64 */
boot_gdt_end:
	.balign 8
	.word	0
boot_gdt_ptr:
	.word	boot_gdt_end - boot_gdt - 1
	.long	boot_gdt

	.balign 16
	.globl grt_boot
grt_boot:
	.skip	BOOT_SIZE
	.balign 16
boot16_stack:
	.skip	256
boot16_stack_top:

/* The page tables and the runtime's stack (the loader zeroes .bss). */
	.section .bss.grt3, "aw", @nobits
	.balign 4096
	.globl grt_pml4, grt_pdpt, grt_pd
grt_pml4:
	.skip	4096
grt_pdpt:
	.skip	4096
grt_pd:
	.skip	4 * 4096
	.balign 16
grt3_stack:
	.skip	16384
	.globl grt3_stack_top
grt3_stack_top:

	.section .note.GNU-stack, "", @progbits
