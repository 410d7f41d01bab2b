/*
 * entry.S - where a Multiboot loader enters lab4-tests, and the
 * low-level parts of its runtime: the GDT, the 256 interrupt stubs,
 * RDMSR/WRMSR that survive a #GP, and setjmp/longjmp for the runner.
 *
 * Multiboot 0.6.96, section 3.2: EAX = 0x2BADB002, EBX = the physical
 * address of the multiboot information, CS a flat 32-bit code segment,
 * the other segments flat data, paging off, interrupts off; ESP, the GDT
 * and the IDT are undefined, so the kernel loads its own before it
 * touches a segment register or the stack.
 */
#define MB_MAGIC	0x1BADB002
/* Bit 1: we want mem_lower/mem_upper and the memory map. No bit 16: the
 * loader takes the addresses from the ELF program headers. */
#define MB_FLAGS	0x00000002

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.code32
	.globl g4_entry
g4_entry:
	/* The machine state as the loader left it, before anything changes it. */
	movl %eax, g4_boot_eax
	movl %ebx, g4_boot_ebx
	movl %cr0, %eax
	movl %eax, g4_boot_cr0
	movl $g4_stack_top, %esp	/* the loader's ESP is undefined */
	pushfl
	popl %eax
	movl %eax, g4_boot_eflags
	movw %cs, %ax
	movzwl %ax, %eax
	movl %eax, g4_boot_cs
	movw %ds, %ax
	movzwl %ax, %eax
	movl %eax, g4_boot_ds

	lgdt g4_gdt_desc
	ljmp $0x08, $1f
1:	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movl $g4_stack_top, %esp
	xorl %ebp, %ebp
	call g4_main
	/* g4_main ends the VM through the debug-exit port; if that failed, stop. */
2:	cli
	hlt
	jmp 2b

/* ---- interrupt stubs: one per vector, 16 bytes apart (g4_idt_init) ---- */

/* Vectors whose exceptions push an error code (SDM Vol. 3A, Table 6-1). */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
		      (v) == 29 || (v) == 30)

	.balign 16
	.globl g4_isr_stubs
g4_isr_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if !HAS_ERROR(vec)
	pushl $0
	.endif
	pushl $vec
	jmp g4_isr_common
	.set vec, vec + 1
	.endr

g4_isr_common:
	pushal
	cld
	pushl %esp			/* struct g4_frame * */
	call g4_trap
	addl $4, %esp
	popal
	addl $8, %esp			/* vector, error code */
	iret

/* ---- MSR access that may #GP: g4_trap resumes at the label after it ---- */

/* int g4_rdmsr(uint32_t msr, uint64_t *val) */
	.globl g4_rdmsr
g4_rdmsr:
	movl 4(%esp), %ecx
	movl $0, g4_fault_vector
	xorl %eax, %eax
	xorl %edx, %edx
1:	rdmsr
2:	movl 8(%esp), %ecx
	movl %eax, (%ecx)
	movl %edx, 4(%ecx)
	xorl %eax, %eax
	cmpl $0, g4_fault_vector
	je 3f
	movl $-1, %eax
3:	ret
	.pushsection g4_fixup, "a"
	.long 1b, 2b
	.popsection

/* int g4_wrmsr(uint32_t msr, uint64_t val) */
	.globl g4_wrmsr
g4_wrmsr:
	movl 4(%esp), %ecx
	movl 8(%esp), %eax
	movl 12(%esp), %edx
	movl $0, g4_fault_vector
1:	wrmsr
2:	xorl %eax, %eax
	cmpl $0, g4_fault_vector
	je 3f
	movl $-1, %eax
3:	ret
	.pushsection g4_fixup, "a"
	.long 1b, 2b
	.popsection

/* ---- setjmp/longjmp: the runner's way back from a test that faulted ---- */

/* int g4_setjmp(struct g4_jmp *j): 0 now, the value of g4_longjmp later */
	.globl g4_setjmp
g4_setjmp:
	movl 4(%esp), %eax
	movl %ebx, 0(%eax)
	movl %esi, 4(%eax)
	movl %edi, 8(%eax)
	movl %ebp, 12(%eax)
	leal 4(%esp), %ecx		/* ESP after our return */
	movl %ecx, 16(%eax)
	movl (%esp), %ecx		/* where to return */
	movl %ecx, 20(%eax)
	xorl %eax, %eax
	ret

/* void g4_longjmp(struct g4_jmp *j, int val) */
	.globl g4_longjmp
g4_longjmp:
	movl 4(%esp), %edx
	movl 8(%esp), %eax
	movl 0(%edx), %ebx
	movl 4(%edx), %esi
	movl 8(%edx), %edi
	movl 12(%edx), %ebp
	movl 16(%edx), %esp
	jmp *20(%edx)

/* ---- data ---- */

	.data
	.balign 8
g4_gdt:
	.quad 0				/* null */
	.quad 0x00cf9a000000ffff	/* 0x08: code, base 0, limit 4 GiB, 32-bit */
	.quad 0x00cf92000000ffff	/* 0x10: data, base 0, limit 4 GiB */
g4_gdt_end:
g4_gdt_desc:
	.word g4_gdt_end - g4_gdt - 1
	.long g4_gdt

	.globl g4_boot_eax, g4_boot_ebx, g4_boot_cr0, g4_boot_eflags, g4_boot_cs, g4_boot_ds
	.globl g4_fault_vector
	.balign 4
g4_boot_eax:	.long 0
g4_boot_ebx:	.long 0
g4_boot_cr0:	.long 0
g4_boot_eflags:	.long 0
g4_boot_cs:	.long 0
g4_boot_ds:	.long 0
g4_fault_vector: .long 0

	.bss
	.balign 16
	.space 16384
g4_stack_top:

	.section .note.GNU-stack, "", @progbits
