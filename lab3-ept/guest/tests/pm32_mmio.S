/*
 * pm32_mmio.S - MMIO from 32-bit protected mode, for lab3-tests: the
 * image's grt_pm32_hook (grt3.h), called by entry16.S before paging is on.
 *
 * In 32-bit mode the decoder sees other encodings than in 64-bit mode: a
 * ModRM with mod 00 and r/m 101 is an absolute disp32 (not RIP-relative),
 * a 66 prefix makes a 16-bit access, and there is no REX. The results go
 * to grt_boot.pm32[] for the test mmio_from_protected_mode (mmio.c):
 *   [0] LAST after  movl $0xcafef00d, BASE+0x800    (C7 05 disp32 imm32)
 *   [1] the value of movl BASE+0x800, %edx          (8B 15 disp32)
 *   [2] LAST after it
 *   [3] LAST after  movw %cx, BASE+0x808 (CX 0x1234) (66 89 0D disp32)
 *   [4] the value of movzbl BASE+0x809, %edx        (0F B6 15 disp32)
 *   [5] LAST after it
 *   [6] the value of movl 0x7f8(%eax,%ecx,4), %edx  (8B 94 88 disp32: SIB)
 * (EDX as the destination: with EAX the assembler would pick the moffs
 * form A1.) MMIO_TEST_LAST is read with a 4-byte load: its low half holds
 * size, direction and offset.
 */
#include "grt3.h"

#define MMIO_LAST_REG (GRT3_MMIO_BASE + 0xff0)   /* MMIO_TEST_LAST */
#define PM32(i)       (grt_boot + BOOT_PM32_DATA + 4 * (i))

	.text
	.code32
	.globl grt_pm32_hook
grt_pm32_hook:
	movl	$0xcafef00d, GRT3_MMIO_BASE + 0x800
	movl	MMIO_LAST_REG, %edx
	movl	%edx, PM32(0)
	movl	GRT3_MMIO_BASE + 0x800, %edx
	movl	%edx, PM32(1)
	movl	MMIO_LAST_REG, %edx
	movl	%edx, PM32(2)
	movw	$0x1234, %cx
	movw	%cx, GRT3_MMIO_BASE + 0x808
	movl	MMIO_LAST_REG, %edx
	movl	%edx, PM32(3)
	movzbl	GRT3_MMIO_BASE + 0x809, %edx
	movl	%edx, PM32(4)
	movl	MMIO_LAST_REG, %edx
	movl	%edx, PM32(5)
	movl	$GRT3_MMIO_BASE, %eax
	movl	$2, %ecx
	movl	0x7f8(%eax,%ecx,4), %edx
	movl	%edx, PM32(6)
	movl	$1, grt_boot + BOOT_PM32_HOOK
	ret

	.section .note.GNU-stack, "", @progbits
