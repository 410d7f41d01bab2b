/*
 * mmio.c - MMIO through the test device of mmio_test.h: every access is
 * an EPT violation (Intel SDM Vol. 3C, 28.2.3.2, exit qualification in
 * 27.2.1 Table 27-7) that the hypervisor emulates by decoding the MOV
 * that faulted (SDM Vol. 2A, 2.1 "Instruction Format": prefixes, REX,
 * opcode, ModRM, SIB, displacement, immediate). Each test pins one
 * encoding with inline assembly (the bytes are in its comment), checks
 * the value read back, the registers' other bits, and what the device
 * saw (MMIO_TEST_LAST: size, direction, offset).
 *
 * Register-width rules checked on reads (SDM Vol. 1, 3.4.1.1): a 32-bit
 * destination zero-extends to 64 bits; 8- and 16-bit destinations leave
 * the rest of the register alone.
 */
#include "grt.h"
#include "grt3.h"
#include "gtest.h"
#include "mmio_test.h"

_Static_assert(GRT3_MMIO_BASE == MMIO_TEST_BASE, "grt3.h and mmio_test.h disagree");

#define MMIO(off) ((uint64_t)GRT3_MMIO_BASE + (off))

static uint64_t mmio_last(void)
{
	uint64_t v;
	__asm__ volatile("movq (%1), %0" : "=r"(v) : "r"(MMIO(MMIO_TEST_LAST)) : "memory");
	return v;
}

#define EXPECT_LAST(sz, wr, off) \
	do { uint64_t l_ = mmio_last(); \
	     GASSERTF(MMIO_TEST_LAST_SIZE(l_) == (sz) && MMIO_TEST_LAST_WRITE(l_) == (wr) && \
		      MMIO_TEST_LAST_OFFSET(l_) == (off), \
		      "MMIO_TEST_LAST %#lx: a %u-byte %s at %#x, expected a %u-byte %s at %#x", \
		      (unsigned long)l_, MMIO_TEST_LAST_SIZE(l_), \
		      MMIO_TEST_LAST_WRITE(l_) ? "write" : "read", MMIO_TEST_LAST_OFFSET(l_), \
		      (unsigned)(sz), (wr) ? "write" : "read", (unsigned)(off)); \
	} while (0)

/* 89 /r and 8B /r, 32 bits: mov %eax,(%rbx) = 89 03; mov (%rbx),%ecx = 8B 0B. */
GTEST(mmio_mov_dword)
{
	uint64_t r = ~0ull;

	__asm__ volatile("movl %%eax, (%%rbx)" : : "a"(0x11223344u), "b"(MMIO(0x10)) : "memory");
	EXPECT_LAST(4, 1, 0x10);
	__asm__ volatile("movl (%%rbx), %%ecx" : "+c"(r) : "b"(MMIO(0x10)) : "memory");
	GASSERT_EQ(r, 0x11223344);	/* upper half cleared */
	EXPECT_LAST(4, 0, 0x10);
}

/* REX.W: mov %rax,(%rbx) = 48 89 03; mov (%rbx),%rdx = 48 8B 13. */
GTEST(mmio_mov_qword)
{
	uint64_t r = 0;

	__asm__ volatile("movq %%rax, (%%rbx)" : : "a"(0x0123456789abcdefull), "b"(MMIO(0x20))
			 : "memory");
	EXPECT_LAST(8, 1, 0x20);
	__asm__ volatile("movq (%%rbx), %%rdx" : "+d"(r) : "b"(MMIO(0x20)) : "memory");
	GASSERT_EQ(r, 0x0123456789abcdefull);
	EXPECT_LAST(8, 0, 0x20);
}

/* The 66 prefix: mov %ax,(%rbx) = 66 89 03; mov (%rbx),%cx = 66 8B 0B. */
GTEST(mmio_mov_word_66)
{
	uint64_t r = 0x1111111111111111ull;

	__asm__ volatile("movw %%ax, (%%rbx)" : : "a"(0xbeef), "b"(MMIO(0x30)) : "memory");
	EXPECT_LAST(2, 1, 0x30);
	__asm__ volatile("movw (%%rbx), %%cx" : "+c"(r) : "b"(MMIO(0x30)) : "memory");
	GASSERT_EQ(r, 0x111111111111beefull);	/* bits 63:16 kept */
	EXPECT_LAST(2, 0, 0x30);
}

/* 88 /r and 8A /r: mov %al,1(%rbx) = 88 43 01; mov 1(%rbx),%cl = 8A 4B 01.
 * A byte write changes one byte of what a qword write put there. */
GTEST(mmio_mov_byte)
{
	uint64_t r = 0x1111111111111111ull, q = 0;

	__asm__ volatile("movq %%rax, (%%rbx)" : : "a"(~0ull), "b"(MMIO(0x40)) : "memory");
	__asm__ volatile("movb %%al, 1(%%rbx)" : : "a"(0x5a), "b"(MMIO(0x40)) : "memory");
	EXPECT_LAST(1, 1, 0x41);
	__asm__ volatile("movb 1(%%rbx), %%cl" : "+c"(r) : "b"(MMIO(0x40)) : "memory");
	GASSERT_EQ(r, 0x111111111111115aull);	/* bits 63:8 kept */
	EXPECT_LAST(1, 0, 0x41);
	__asm__ volatile("movq (%%rbx), %%rdx" : "+d"(q) : "b"(MMIO(0x40)) : "memory");
	GASSERT_EQ(q, 0xffffffffffff5affull);
}

/* High-byte registers (no REX: ModRM reg 4-7 = AH CH DH BH):
 * mov %ah,(%rbx) = 88 23; mov (%rbx),%dh = 8A 33. */
GTEST(mmio_mov_high8)
{
	uint64_t r = 0xaaaaaaaaaaaaaaaaull;

	__asm__ volatile("movb %%ah, (%%rbx)" : : "a"(0x1234), "b"(MMIO(0x48)) : "memory");
	EXPECT_LAST(1, 1, 0x48);
	__asm__ volatile("movb (%%rbx), %%dh" : "+d"(r) : "b"(MMIO(0x48)) : "memory");
	GASSERT_EQ(r, 0xaaaaaaaaaaaa12aaull);	/* only bits 15:8 change */
	EXPECT_LAST(1, 0, 0x48);
}

/* REX.R and REX.B reach R8-R15; with any REX, ModRM reg 4-7 are SPL BPL
 * SIL DIL instead of AH CH DH BH:
 *   mov %r9,(%rbx)      = 4C 89 0B       mov (%r10),%r11   = 4D 8B 1A
 *   mov %r8b,8(%rbx)    = 44 88 43 08    mov %sil,9(%rbx)  = 40 88 73 09
 *   mov 9(%rbx),%dil    = 40 8A 7B 09    movzwl 8(%r10),%r12d = 45 0F B7 62 08 */
GTEST(mmio_rex_registers)
{
	register uint64_t r8 __asm__("r8") = 0x77;
	register uint64_t r9 __asm__("r9") = 0x0f0e0d0c0b0a0908ull;
	register uint64_t r10 __asm__("r10") = MMIO(0x50);
	register uint64_t r11 __asm__("r11") = 0;
	register uint64_t r12 __asm__("r12") = ~0ull;
	uint64_t rdi = 0x1111111111111111ull;

	__asm__ volatile("movq %%r9, (%%rbx)" : : "r"(r9), "b"(MMIO(0x50)) : "memory");
	EXPECT_LAST(8, 1, 0x50);
	__asm__ volatile("movq (%%r10), %%r11" : "+r"(r11) : "r"(r10) : "memory");
	GASSERT_EQ(r11, 0x0f0e0d0c0b0a0908ull);
	EXPECT_LAST(8, 0, 0x50);
	__asm__ volatile("movb %%r8b, 8(%%rbx)" : : "r"(r8), "b"(MMIO(0x50)) : "memory");
	EXPECT_LAST(1, 1, 0x58);
	/* SIL is 0x66, DH (the same ModRM encoding without REX) is 0x99 */
	__asm__ volatile("movb %%sil, 9(%%rbx)" : : "S"(0x66), "d"(0x9900), "b"(MMIO(0x50))
			 : "memory");
	EXPECT_LAST(1, 1, 0x59);
	__asm__ volatile("movb 9(%%rbx), %%dil" : "+D"(rdi) : "b"(MMIO(0x50)) : "memory");
	GASSERT_EQ(rdi, 0x1111111111111166ull);	/* DIL, not BH */
	__asm__ volatile("movzwl 8(%%r10), %%r12d" : "+r"(r12) : "r"(r10) : "memory");
	GASSERT_EQ(r12, 0x6677);
	EXPECT_LAST(2, 0, 0x58);
}

/* Immediates after the displacement (the decoder must get the length right):
 *   movq $0,(%rbx)          = 48 C7 03 00 00 00 00
 *   movb $0x5a,(%rbx)       = C6 03 5A
 *   movw $0x1234,2(%rbx)    = 66 C7 43 02 34 12
 *   movl $0xdeadbeef,4(%rbx) = C7 43 04 EF BE AD DE
 *   movq $-2,8(%rbx)        = 48 C7 43 08 FE FF FF FF  (imm32 sign-extended) */
GTEST(mmio_mov_immediate)
{
	uint64_t q = 0;

	__asm__ volatile("movq $0, (%%rbx)" : : "b"(MMIO(0x60)) : "memory");
	EXPECT_LAST(8, 1, 0x60);
	__asm__ volatile("movb $0x5a, (%%rbx)" : : "b"(MMIO(0x60)) : "memory");
	EXPECT_LAST(1, 1, 0x60);
	__asm__ volatile("movw $0x1234, 2(%%rbx)" : : "b"(MMIO(0x60)) : "memory");
	EXPECT_LAST(2, 1, 0x62);
	__asm__ volatile("movl $0xdeadbeef, 4(%%rbx)" : : "b"(MMIO(0x60)) : "memory");
	EXPECT_LAST(4, 1, 0x64);
	__asm__ volatile("movq (%%rbx), %%rdx" : "+d"(q) : "b"(MMIO(0x60)) : "memory");
	GASSERT_EQ(q, 0xdeadbeef1234005aull);
	__asm__ volatile("movq $-2, 8(%%rbx)" : : "b"(MMIO(0x60)) : "memory");
	EXPECT_LAST(8, 1, 0x68);
	__asm__ volatile("movq 8(%%rbx), %%rdx" : "+d"(q) : "b"(MMIO(0x60)) : "memory");
	GASSERT_EQ(q, 0xfffffffffffffffeull);
}

/* MOVZX 0F B6/B7 and MOVSX 0F BE/BF, into 16-, 32- and 64-bit registers.
 * The device holds byte 0x80 at 0x80 and word 0x8001 at 0x82. */
GTEST(mmio_movzx_movsx)
{
	uint64_t r;

	__asm__ volatile("movq %%rax, (%%rbx)" : : "a"(0x0000000080010080ull), "b"(MMIO(0x80))
			 : "memory");
	r = ~0ull;	/* movzbl (%rbx),%ecx = 0F B6 0B */
	__asm__ volatile("movzbl (%%rbx), %%ecx" : "+c"(r) : "b"(MMIO(0x80)) : "memory");
	GASSERT_EQ(r, 0x80);
	EXPECT_LAST(1, 0, 0x80);
	r = 0;		/* movsbq (%rbx),%rcx = 48 0F BE 0B */
	__asm__ volatile("movsbq (%%rbx), %%rcx" : "+c"(r) : "b"(MMIO(0x80)) : "memory");
	GASSERT_EQ(r, 0xffffffffffffff80ull);
	r = 0x1111111111111111ull;	/* movsbl (%rbx),%ecx = 0F BE 0B */
	__asm__ volatile("movsbl (%%rbx), %%ecx" : "+c"(r) : "b"(MMIO(0x80)) : "memory");
	GASSERT_EQ(r, 0xffffff80ull);
	r = 0x1111111111111111ull;	/* movsbw (%rbx),%cx = 66 0F BE 0B */
	__asm__ volatile("movsbw (%%rbx), %%cx" : "+c"(r) : "b"(MMIO(0x80)) : "memory");
	GASSERT_EQ(r, 0x111111111111ff80ull);
	EXPECT_LAST(1, 0, 0x80);
	r = ~0ull;	/* movzwl 2(%rbx),%ecx = 0F B7 4B 02 */
	__asm__ volatile("movzwl 2(%%rbx), %%ecx" : "+c"(r) : "b"(MMIO(0x80)) : "memory");
	GASSERT_EQ(r, 0x8001);
	EXPECT_LAST(2, 0, 0x82);
	r = 0;		/* movswq 2(%rbx),%rcx = 48 0F BF 4B 02 */
	__asm__ volatile("movswq 2(%%rbx), %%rcx" : "+c"(r) : "b"(MMIO(0x80)) : "memory");
	GASSERT_EQ(r, 0xffffffffffff8001ull);
	EXPECT_LAST(2, 0, 0x82);
}

/* Addressing forms: SIB with disp8 and disp32, a negative disp8, SIB
 * without a base (disp32 + index), R12 as a base (needs a SIB) and R13
 * as a base (needs a displacement):
 *   mov %eax,0x40(%rbx,%rcx,8)     = 89 44 CB 40
 *   mov %rax,0x200(%rbx,%rcx,4)    = 48 89 84 8B 00 02 00 00
 *   mov 0x200(%rbx,%rcx,4),%rdx    = 48 8B 94 8B 00 02 00 00
 *   mov %eax,-0x10(%rbx)           = 89 43 F0
 *   mov %eax,0x10(,%rcx,1)         = 89 04 0D 10 00 00 00
 *   mov (%r12),%eax                = 41 8B 04 24
 *   mov 0x0(%r13),%edx             = 41 8B 55 00 */
GTEST(mmio_addressing_forms)
{
	uint64_t r = 0;
	register uint64_t r12 __asm__("r12") = MMIO(0x410);
	register uint64_t r13 __asm__("r13") = MMIO(0x3f0);

	__asm__ volatile("movl %%eax, 0x40(%%rbx,%%rcx,8)"
			 : : "a"(0xa1a2a3a4u), "b"(MMIO(0x100)), "c"(2ull) : "memory");
	EXPECT_LAST(4, 1, 0x150);
	__asm__ volatile("movq %%rax, 0x200(%%rbx,%%rcx,4)"
			 : : "a"(0xb1b2b3b4b5b6b7b8ull), "b"(MMIO(0x100)), "c"(2ull) : "memory");
	EXPECT_LAST(8, 1, 0x308);
	__asm__ volatile("movq 0x200(%%rbx,%%rcx,4), %%rdx"
			 : "+d"(r) : "b"(MMIO(0x100)), "c"(2ull) : "memory");
	GASSERT_EQ(r, 0xb1b2b3b4b5b6b7b8ull);
	EXPECT_LAST(8, 0, 0x308);
	__asm__ volatile("movl %%eax, -0x10(%%rbx)" : : "a"(0xc1c2c3c4u), "b"(MMIO(0x400)) : "memory");
	EXPECT_LAST(4, 1, 0x3f0);
	__asm__ volatile("movl %%eax, 0x10(,%%rcx,1)" : : "a"(0xd1d2d3d4u), "c"(MMIO(0x400)) : "memory");
	EXPECT_LAST(4, 1, 0x410);
	r = ~0ull;
	__asm__ volatile("movl (%%r12), %%eax" : "+a"(r) : "r"(r12) : "memory");
	GASSERT_EQ(r, 0xd1d2d3d4u);
	EXPECT_LAST(4, 0, 0x410);
	r = ~0ull;
	__asm__ volatile("movl 0x0(%%r13), %%edx" : "+d"(r) : "r"(r13) : "memory");
	GASSERT_EQ(r, 0xc1c2c3c4u);
	EXPECT_LAST(4, 0, 0x3f0);
	__asm__ volatile("movl 0x40(%%rbx,%%rcx,8), %%edx" : "+d"(r) : "b"(MMIO(0x100)), "c"(2ull)
			 : "memory");
	GASSERT_EQ(r, 0xa1a2a3a4u);
}

/* Reading MMIO_TEST_LAST does not replace what it reports. */
GTEST(mmio_last_report_stable)
{
	__asm__ volatile("movb %%al, (%%rbx)" : : "a"(7), "b"(MMIO(0x7)) : "memory");
	EXPECT_LAST(1, 1, 0x7);
	EXPECT_LAST(1, 1, 0x7);
}

/* What tests/pm32_mmio.S saw from 32-bit protected mode at boot, and the
 * bytes it left in the device, read again from long mode. */
GTEST(mmio_from_protected_mode)
{
	const uint32_t *p = grt_boot.pm32;
	uint64_t r = 0;

	GASSERTF(grt_boot.pm32_hook_ran, "the 32-bit MMIO code did not run");
	GASSERT_EQ(p[0], 0x08000104);	/* 4-byte write at 0x800 */
	GASSERT_EQ(p[1], 0xcafef00d);
	GASSERT_EQ(p[2], 0x08000004);	/* 4-byte read at 0x800 */
	GASSERT_EQ(p[3], 0x08080102);	/* 2-byte write at 0x808 */
	GASSERT_EQ(p[4], 0x12);
	GASSERT_EQ(p[5], 0x08090001);	/* 1-byte read at 0x809 */
	GASSERT_EQ(p[6], 0xcafef00d);	/* through SIB + disp32 */
	__asm__ volatile("movl (%%rbx), %%edx" : "+d"(r) : "b"(MMIO(0x800)) : "memory");
	GASSERT_EQ(r, 0xcafef00d);
	__asm__ volatile("movzwl 8(%%rbx), %%edx" : "+d"(r) : "b"(MMIO(0x800)) : "memory");
	GASSERT_EQ(r, 0x1234);
}
