/*
 * entry.S - the kernel's first instructions: multiboot entry in 32-bit
 * protected mode, switch to 64-bit long mode, call kmain().
 *
 * Both boot paths arrive here the same way: QEMU's -kernel (its multiboot
 * loader) and hvlab's own disk loader for Bochs (boot/bootsect.S). The
 * multiboot spec leaves us in flat 32-bit protected mode, paging off,
 * EAX = 0x2BADB002, EBX = physical address of the multiboot information.
 *
 * Long mode needs paging, so we build a throwaway identity map of the first
 * 4 GiB with 2 MiB pages (enough for RAM and the LAPIC/IOAPIC at the top of
 * the 4 GiB space); lab 1's paging_init() replaces it with the kernel's own.
 * Intel SDM Vol. 3A, 9.8.5 "Initializing IA-32e Mode".
 */
#define MB_MAGIC     0x1badb002
#define MB_FLAGS     0x00010003   /* bit 0: page-align modules, 1: memory info, 16: address fields */
#define CR0_PE       (1 << 0)
#define CR0_NW       (1 << 29)
#define CR0_CD       (1 << 30)
#define CR0_WP       (1 << 16)
#define CR0_PG       (1 << 31)
#define CR4_PAE      (1 << 5)
#define EFER_MSR     0xc0000080
#define EFER_LME     (1 << 8)
#define EFER_NXE     (1 << 11)
#define PTE_P_W      0x3
#define PTE_PS       0x80
#define PTE_PWT_PCD  0x18
#define COM1         0x3f8

	.section .multiboot, "a"
	.align 4
	/* The address fields (flag 16) let a loader place a flat image without
	 * parsing ELF; QEMU refuses ELF64 multiboot kernels otherwise. */
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long mb_header          /* header_addr */
	.long _kernel_start      /* load_addr */
	.long _load_end          /* load_end_addr */
	.long _bss_end           /* bss_end_addr */
	.long _start32           /* entry_addr */

	.section .boot32, "ax"
	.code32
	.globl _start32
_start32:
	/* Read the TSC first: under Bochs it counts emulated instructions, so
	 * kmain can report exactly how long hvlab's own boot took. */
	movl %eax, %edi
	rdtsc
	movl %eax, boot_tsc
	movl %edx, boot_tsc + 4
	movl %edi, mb_magic
	movl %ebx, mb_info
	cli
	movl $boot_stack_top, %esp

	/* Long mode present? CPUID.80000001H:EDX[29]. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode
	movl %edx, %esi             /* keep bit 20 (NX) for later */

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages. */
	movl $early_pdpt + PTE_P_W, early_pml4
	movl $early_pd, %eax
	orl $PTE_P_W, %eax
	xorl %ecx, %ecx
1:	movl %eax, early_pdpt(, %ecx, 8)
	addl $4096, %eax
	incl %ecx
	cmpl $4, %ecx
	jne 1b

	xorl %ecx, %ecx             /* 2048 entries: 4 GiB */
2:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P_W | PTE_PS), %eax
	cmpl $1536, %ecx            /* top GiB holds device memory: uncached */
	jb 3f
	orl $PTE_PWT_PCD, %eax
3:	movl %eax, early_pd(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jne 2b

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $early_pml4, %eax
	movl %eax, %cr3
	movl $EFER_MSR, %ecx
	rdmsr
	orl $EFER_LME, %eax
	btl $20, %esi
	jnc 4f
	orl $EFER_NXE, %eax
4:	wrmsr
	/* Caches on: reset leaves CR0.CD and NW set (SDM Vol. 3A, 9.1.1,
	 * Table 9-1), and firmware need not clear them. A guest inherits them
	 * too, since VM entry loads CR0 only as the VMCS says. */
	movl %cr0, %eax
	andl $~(CR0_CD | CR0_NW), %eax
	orl $(CR0_PE | CR0_PG | CR0_WP), %eax
	movl %eax, %cr0

	lgdt gdt64_ptr
	ljmp $8, $start64

	/* Say why we stop, on the serial line, then halt. */
no_long_mode:
	movl $msg_no_lm, %esi
5:	movb (%esi), %bl
	testb %bl, %bl
	jz 7f
	movw $COM1 + 5, %dx
6:	inb %dx, %al
	testb $0x20, %al
	jz 6b
	movw $COM1, %dx
	movb %bl, %al
	outb %al, %dx
	incl %esi
	jmp 5b
7:	hlt
	jmp 7b

	.code64
start64:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movq $boot_stack_top, %rsp
	xorq %rbp, %rbp              /* ends the backtrace chain */
	movl mb_magic, %edi
	movl mb_info, %esi
	call kmain
8:	cli
	hlt
	jmp 8b

	.section .rodata
msg_no_lm:
	.asciz "hvlab: this CPU has no long mode (CPUID 80000001H:EDX bit 29); cannot boot\r\n"

	/* Flat GDT: null, 64-bit code (L=1), data. Lab 1's gdt.c installs the
	 * final one with a TSS per CPU. */
	.align 16
	.globl gdt64
gdt64:
	.quad 0
	.quad 0x00209a0000000000    /* code: P, DPL0, S, execute/read, L */
	.quad 0x0000920000000000    /* data: P, DPL0, S, read/write */
gdt64_end:
gdt64_ptr:
	.word gdt64_end - gdt64 - 1
	.quad gdt64

	.data
	.align 8
	.globl boot_tsc, mb_magic, mb_info
boot_tsc:	.quad 0
mb_magic:	.long 0
mb_info:	.long 0

	.section .bss
	.align 4096
early_pml4:	.skip 4096
early_pdpt:	.skip 4096
early_pd:	.skip 4096 * 4
	.globl boot_stack_top
	.align 16
boot_stack:	.skip 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
