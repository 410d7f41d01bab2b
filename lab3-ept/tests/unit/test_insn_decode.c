/*
 * test_insn_decode.c - the MMIO instruction decoder (insn_decode.c) on the
 * host.
 *
 * The table of good encodings was made by assembling each source line
 * alone with GNU as 2.40 (--64, --32, .code16) and checking with objdump
 * that the bytes are one instruction of that length; the expected fields
 * (kind, size, register, ...) are written by hand from the source line.
 * Where objdump prints a REX that a later prefix cancels as an instruction
 * of its own, the CPU ignores it instead (SDM Vol. 2A, 2.2.1): those rows
 * say "rex". Every decode reads from a heap copy of exactly @avail bytes,
 * so AddressSanitizer catches any read past what the caller fetched.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "insn_decode.h"

struct good {
	const char *src;
	enum insn_mode mode;
	uint8_t bytes[INSN_MAX_LEN];
	uint8_t len;
	enum insn_kind kind;
	uint8_t size, reg;
	bool high8;
	uint8_t reg_size;
	uint64_t imm;
	enum insn_seg seg;
	uint8_t addr_size;
};

static const struct good good[] = {
	{ "mov %eax,(%rdi)", INSN_MODE_64, { 0x89, 0x07 }, 2, INSN_STORE, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    %eax,(%rdi) */
	{ "mov %rax,(%rdi)", INSN_MODE_64, { 0x48, 0x89, 0x07 }, 3, INSN_STORE, 8, 0, false, 8, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    %rax,(%rdi) */
	{ "mov %ax,(%rdi)", INSN_MODE_64, { 0x66, 0x89, 0x07 }, 3, INSN_STORE, 2, 0, false, 2, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    %ax,(%rdi) */
	{ "mov %al,(%rdi)", INSN_MODE_64, { 0x88, 0x07 }, 2, INSN_STORE, 1, 0, false, 1, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    %al,(%rdi) */
	{ "mov %ah,(%rdi)", INSN_MODE_64, { 0x88, 0x27 }, 2, INSN_STORE, 1, 0, true, 1, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    %ah,(%rdi) */
	{ "mov %bh,0x10(%rbx)", INSN_MODE_64, { 0x88, 0x7b, 0x10 }, 3, INSN_STORE, 1, 3, true, 1, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    %bh,0x10(%rbx) */
	{ "mov %sil,(%rdi)", INSN_MODE_64, { 0x40, 0x88, 0x37 }, 3, INSN_STORE, 1, 6, false, 1, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    %sil,(%rdi) */
	{ "mov %r8b,(%rdi)", INSN_MODE_64, { 0x44, 0x88, 0x07 }, 3, INSN_STORE, 1, 8, false, 1, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    %r8b,(%rdi) */
	{ "mov %r15,0x12345678(%r12,%r13,8)", INSN_MODE_64, { 0x4f, 0x89, 0xbc, 0xec, 0x78, 0x56, 0x34, 0x12 }, 8, INSN_STORE, 8, 15, false, 8, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    %r15,0x12345678(%r12,%r13,8) */
	{ "mov 0x100(%rip),%ecx", INSN_MODE_64, { 0x8b, 0x0d, 0x00, 0x01, 0x00, 0x00 }, 6, INSN_LOAD, 4, 1, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    0x100(%rip),%ecx        # 0x106 */
	{ "mov -0x100(%rip),%r11", INSN_MODE_64, { 0x4c, 0x8b, 0x1d, 0x00, 0xff, 0xff, 0xff }, 7, INSN_LOAD, 8, 11, false, 8, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    -0x100(%rip),%r11        # 0xffffffffffffff07 */
	{ "mov 0x10(%rsp),%edx", INSN_MODE_64, { 0x8b, 0x54, 0x24, 0x10 }, 4, INSN_LOAD, 4, 2, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    0x10(%rsp),%edx */
	{ "mov (%r12),%eax", INSN_MODE_64, { 0x41, 0x8b, 0x04, 0x24 }, 4, INSN_LOAD, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    (%r12),%eax */
	{ "mov (%r13),%eax", INSN_MODE_64, { 0x41, 0x8b, 0x45, 0x00 }, 4, INSN_LOAD, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    0x0(%r13),%eax */
	{ "mov (%rbp),%eax", INSN_MODE_64, { 0x8b, 0x45, 0x00 }, 3, INSN_LOAD, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    0x0(%rbp),%eax */
	{ "mov -8(%rbp),%esi", INSN_MODE_64, { 0x8b, 0x75, 0xf8 }, 3, INSN_LOAD, 4, 6, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    -0x8(%rbp),%esi */
	{ "mov 0x12345678(%rax),%edi", INSN_MODE_64, { 0x8b, 0xb8, 0x78, 0x56, 0x34, 0x12 }, 6, INSN_LOAD, 4, 7, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    0x12345678(%rax),%edi */
	{ "mov 0x1000(,%rax,4),%ebx", INSN_MODE_64, { 0x8b, 0x1c, 0x85, 0x00, 0x10, 0x00, 0x00 }, 7, INSN_LOAD, 4, 3, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    0x1000(,%rax,4),%ebx */
	{ "mov 0x7ee00300,%eax", INSN_MODE_64, { 0x8b, 0x04, 0x25, 0x00, 0x03, 0xe0, 0x7e }, 7, INSN_LOAD, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    0x7ee00300,%eax */
	{ "mov (%rax),%r10d", INSN_MODE_64, { 0x44, 0x8b, 0x10 }, 3, INSN_LOAD, 4, 10, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    (%rax),%r10d */
	{ "mov (%rsi),%ch", INSN_MODE_64, { 0x8a, 0x2e }, 2, INSN_LOAD, 1, 1, true, 1, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    (%rsi),%ch */
	{ "mov (%rsi),%dil", INSN_MODE_64, { 0x40, 0x8a, 0x3e }, 3, INSN_LOAD, 1, 7, false, 1, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    (%rsi),%dil */
	{ "mov 2(%rsi),%r9w", INSN_MODE_64, { 0x66, 0x44, 0x8b, 0x4e, 0x02 }, 5, INSN_LOAD, 2, 9, false, 2, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    0x2(%rsi),%r9w */
	{ "movabs 0xfee00300,%eax", INSN_MODE_64, { 0xa1, 0x00, 0x03, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00 }, 9, INSN_LOAD, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* movabs 0xfee00300,%eax */
	{ "movabs 0xfee00300,%rax", INSN_MODE_64, { 0x48, 0xa1, 0x00, 0x03, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00 }, 10, INSN_LOAD, 8, 0, false, 8, 0x0ull, INSN_SEG_NONE, 8 },  /* movabs 0xfee00300,%rax */
	{ "movabs %al,0xfed00000", INSN_MODE_64, { 0xa2, 0x00, 0x00, 0xd0, 0xfe, 0x00, 0x00, 0x00, 0x00 }, 9, INSN_STORE, 1, 0, false, 1, 0x0ull, INSN_SEG_NONE, 8 },  /* movabs %al,0xfed00000 */
	{ "movabs %ax,0xfed00000", INSN_MODE_64, { 0x66, 0xa3, 0x00, 0x00, 0xd0, 0xfe, 0x00, 0x00, 0x00, 0x00 }, 10, INSN_STORE, 2, 0, false, 2, 0x0ull, INSN_SEG_NONE, 8 },  /* movabs %ax,0xfed00000 */
	{ ".byte 0x67,0xa1,0x00,0x03,0xe0,0xfe", INSN_MODE_64, { 0x67, 0xa1, 0x00, 0x03, 0xe0, 0xfe }, 6, INSN_LOAD, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 4 },  /* addr32 mov 0xfee00300,%eax */
	{ "movl $0x12345678,(%rdi)", INSN_MODE_64, { 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12 }, 6, INSN_STORE_IMM, 4, 0, false, 4, 0x12345678ull, INSN_SEG_NONE, 8 },  /* movl   $0x12345678,(%rdi) */
	{ "movq $-1,(%rdi)", INSN_MODE_64, { 0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff }, 7, INSN_STORE_IMM, 8, 0, false, 8, 0xffffffffffffffffull, INSN_SEG_NONE, 8 },  /* movq   $0xffffffffffffffff,(%rdi) */
	{ "movq $0x7fffffff,8(%rax)", INSN_MODE_64, { 0x48, 0xc7, 0x40, 0x08, 0xff, 0xff, 0xff, 0x7f }, 8, INSN_STORE_IMM, 8, 0, false, 8, 0x7fffffffull, INSN_SEG_NONE, 8 },  /* movq   $0x7fffffff,0x8(%rax) */
	{ "movq $-0x80000000,(%r8)", INSN_MODE_64, { 0x49, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80 }, 7, INSN_STORE_IMM, 8, 0, false, 8, 0xffffffff80000000ull, INSN_SEG_NONE, 8 },  /* movq   $0xffffffff80000000,(%r8) */
	{ "movl $0x80000000,(%rdi)", INSN_MODE_64, { 0xc7, 0x07, 0x00, 0x00, 0x00, 0x80 }, 6, INSN_STORE_IMM, 4, 0, false, 4, 0x80000000ull, INSN_SEG_NONE, 8 },  /* movl   $0x80000000,(%rdi) */
	{ "movw $0x1234,(%rdi)", INSN_MODE_64, { 0x66, 0xc7, 0x07, 0x34, 0x12 }, 5, INSN_STORE_IMM, 2, 0, false, 2, 0x1234ull, INSN_SEG_NONE, 8 },  /* movw   $0x1234,(%rdi) */
	{ "movb $0x5a,(%rdi)", INSN_MODE_64, { 0xc6, 0x07, 0x5a }, 3, INSN_STORE_IMM, 1, 0, false, 1, 0x5aull, INSN_SEG_NONE, 8 },  /* movb   $0x5a,(%rdi) */
	{ "movb $0x5a,0x100(%rip)", INSN_MODE_64, { 0xc6, 0x05, 0x00, 0x01, 0x00, 0x00, 0x5a }, 7, INSN_STORE_IMM, 1, 0, false, 1, 0x5aull, INSN_SEG_NONE, 8 },  /* movb   $0x5a,0x100(%rip)        # 0x107 */
	{ "movl $1,0x10(%rsp)", INSN_MODE_64, { 0xc7, 0x44, 0x24, 0x10, 0x01, 0x00, 0x00, 0x00 }, 8, INSN_STORE_IMM, 4, 0, false, 4, 0x1ull, INSN_SEG_NONE, 8 },  /* movl   $0x1,0x10(%rsp) */
	{ "movw $0xbeef,0x12345678(%rbx,%rcx,2)", INSN_MODE_64, { 0x66, 0xc7, 0x84, 0x4b, 0x78, 0x56, 0x34, 0x12, 0xef, 0xbe }, 10, INSN_STORE_IMM, 2, 0, false, 2, 0xbeefull, INSN_SEG_NONE, 8 },  /* movw   $0xbeef,0x12345678(%rbx,%rcx,2) */
	{ "movzbl (%rdi),%eax", INSN_MODE_64, { 0x0f, 0xb6, 0x07 }, 3, INSN_LOAD_ZX, 1, 0, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* movzbl (%rdi),%eax */
	{ "movzwl (%rdi),%eax", INSN_MODE_64, { 0x0f, 0xb7, 0x07 }, 3, INSN_LOAD_ZX, 2, 0, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* movzwl (%rdi),%eax */
	{ "movzbq (%rdi),%r9", INSN_MODE_64, { 0x4c, 0x0f, 0xb6, 0x0f }, 4, INSN_LOAD_ZX, 1, 9, false, 8, 0x0ull, INSN_SEG_NONE, 8 },  /* movzbq (%rdi),%r9 */
	{ "movzbw (%rdi),%ax", INSN_MODE_64, { 0x66, 0x0f, 0xb6, 0x07 }, 4, INSN_LOAD_ZX, 1, 0, false, 2, 0x0ull, INSN_SEG_NONE, 8 },  /* movzbw (%rdi),%ax */
	{ "movzbl (%rdi),%esp", INSN_MODE_64, { 0x0f, 0xb6, 0x27 }, 3, INSN_LOAD_ZX, 1, 4, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* movzbl (%rdi),%esp */
	{ "movsbl (%rdi),%eax", INSN_MODE_64, { 0x0f, 0xbe, 0x07 }, 3, INSN_LOAD_SX, 1, 0, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* movsbl (%rdi),%eax */
	{ "movswq 4(%rsi),%rdx", INSN_MODE_64, { 0x48, 0x0f, 0xbf, 0x56, 0x04 }, 5, INSN_LOAD_SX, 2, 2, false, 8, 0x0ull, INSN_SEG_NONE, 8 },  /* movswq 0x4(%rsi),%rdx */
	{ "movslq (%rdi),%rax", INSN_MODE_64, { 0x48, 0x63, 0x07 }, 3, INSN_LOAD_SX, 4, 0, false, 8, 0x0ull, INSN_SEG_NONE, 8 },  /* movslq (%rdi),%rax */
	{ "movslq 0x40(%r14),%r12", INSN_MODE_64, { 0x4d, 0x63, 0x66, 0x40 }, 4, INSN_LOAD_SX, 4, 12, false, 8, 0x0ull, INSN_SEG_NONE, 8 },  /* movslq 0x40(%r14),%r12 */
	{ "mov %fs:0x28,%rax", INSN_MODE_64, { 0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00 }, 9, INSN_LOAD, 8, 0, false, 8, 0x0ull, INSN_SEG_FS, 8 },  /* mov    %fs:0x28,%rax */
	{ "mov %eax,%gs:(%rdi)", INSN_MODE_64, { 0x65, 0x89, 0x07 }, 3, INSN_STORE, 4, 0, false, 4, 0x0ull, INSN_SEG_GS, 8 },  /* mov    %eax,%gs:(%rdi) */
	{ "addr32 mov (%edi),%eax", INSN_MODE_64, { 0x67, 0x8b, 0x07 }, 3, INSN_LOAD, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 4 },  /* mov    (%edi),%eax */
	{ "addr32 mov 0x10(%eip),%eax", INSN_MODE_64, { 0x67, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00 }, 7, INSN_LOAD, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 4 },  /* mov    0x10(%eip),%eax        # 0x17 */
	{ "addr32 mov %eax,(%esp)", INSN_MODE_64, { 0x67, 0x89, 0x04, 0x24 }, 4, INSN_STORE, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 4 },  /* mov    %eax,(%esp) */
	{ ".byte 0x48,0x88,0x07", INSN_MODE_64, { 0x48, 0x88, 0x07 }, 3, INSN_STORE, 1, 0, false, 1, 0x0ull, INSN_SEG_NONE, 8 },  /* rex.W mov %al,(%rdi) */
	{ ".byte 0x66,0x48,0x89,0x07", INSN_MODE_64, { 0x66, 0x48, 0x89, 0x07 }, 4, INSN_STORE, 8, 0, false, 8, 0x0ull, INSN_SEG_NONE, 8 },  /* data16 mov %rax,(%rdi) */
	{ ".byte 0x48,0x66,0x89,0x07 # rex", INSN_MODE_64, { 0x48, 0x66, 0x89, 0x07 }, 4, INSN_STORE, 2, 0, false, 2, 0x0ull, INSN_SEG_NONE, 8 },  /* rex.W | mov    %ax,(%rdi) */
	{ ".byte 0x4c,0x41,0x89,0x07 # rex", INSN_MODE_64, { 0x4c, 0x41, 0x89, 0x07 }, 4, INSN_STORE, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* rex.WR | mov    %eax,(%r15) */
	{ ".byte 0x40,0x88,0x27", INSN_MODE_64, { 0x40, 0x88, 0x27 }, 3, INSN_STORE, 1, 4, false, 1, 0x0ull, INSN_SEG_NONE, 8 },  /* mov    %spl,(%rdi) */
	{ ".byte 0x63,0x07", INSN_MODE_64, { 0x63, 0x07 }, 2, INSN_LOAD_SX, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* movsxd (%rdi),%eax */
	{ ".byte 0x66,0x63,0x07", INSN_MODE_64, { 0x66, 0x63, 0x07 }, 3, INSN_LOAD_SX, 2, 0, false, 2, 0x0ull, INSN_SEG_NONE, 8 },  /* movsxd (%rdi),%ax */
	{ ".byte 0x64,0x3e,0x89,0x07", INSN_MODE_64, { 0x64, 0x3e, 0x89, 0x07 }, 4, INSN_STORE, 4, 0, false, 4, 0x0ull, INSN_SEG_FS, 8 },  /* fs mov %eax,%fs:(%rdi) */
	{ ".byte 0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x89,0x07", INSN_MODE_64, { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x89, 0x07 }, 15, INSN_STORE, 2, 0, false, 2, 0x0ull, INSN_SEG_NONE, 8 },  /* data16 data16 data16 data16 data16 data16 data16 data16 data16 data16 data16 data16 mov %ax,(%rdi) */
	{ ".byte 0x2e,0x3e,0x26,0x36,0x89,0x07", INSN_MODE_64, { 0x2e, 0x3e, 0x26, 0x36, 0x89, 0x07 }, 6, INSN_STORE, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 8 },  /* cs ds es ss mov %eax,(%rdi) */
	{ ".byte 0x2e,0x3e,0x26,0x36,0x89,0x07", INSN_MODE_32, { 0x2e, 0x3e, 0x26, 0x36, 0x89, 0x07 }, 6, INSN_STORE, 4, 0, false, 4, 0x0ull, INSN_SEG_SS, 4 },  /* cs ds es mov %eax,%ss:(%edi) */
	{ ".byte 0x64,0x3e,0x89,0x07", INSN_MODE_32, { 0x64, 0x3e, 0x89, 0x07 }, 4, INSN_STORE, 4, 0, false, 4, 0x0ull, INSN_SEG_DS, 4 },  /* fs mov %eax,%ds:(%edi) */
	{ "mov %eax,(%edi)", INSN_MODE_32, { 0x89, 0x07 }, 2, INSN_STORE, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 4 },  /* mov    %eax,(%edi) */
	{ "mov %ax,(%edi)", INSN_MODE_32, { 0x66, 0x89, 0x07 }, 3, INSN_STORE, 2, 0, false, 2, 0x0ull, INSN_SEG_NONE, 4 },  /* mov    %ax,(%edi) */
	{ "mov %bh,(%ecx)", INSN_MODE_32, { 0x88, 0x39 }, 2, INSN_STORE, 1, 3, true, 1, 0x0ull, INSN_SEG_NONE, 4 },  /* mov    %bh,(%ecx) */
	{ "mov 0xfee00300,%eax", INSN_MODE_32, { 0xa1, 0x00, 0x03, 0xe0, 0xfe }, 5, INSN_LOAD, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 4 },  /* mov    0xfee00300,%eax */
	{ "mov %al,0xb8000", INSN_MODE_32, { 0xa2, 0x00, 0x80, 0x0b, 0x00 }, 5, INSN_STORE, 1, 0, false, 1, 0x0ull, INSN_SEG_NONE, 4 },  /* mov    %al,0xb8000 */
	{ "mov 0x10(%esp),%ecx", INSN_MODE_32, { 0x8b, 0x4c, 0x24, 0x10 }, 4, INSN_LOAD, 4, 1, false, 4, 0x0ull, INSN_SEG_NONE, 4 },  /* mov    0x10(%esp),%ecx */
	{ "mov 0x1000(,%eax,4),%ebx", INSN_MODE_32, { 0x8b, 0x1c, 0x85, 0x00, 0x10, 0x00, 0x00 }, 7, INSN_LOAD, 4, 3, false, 4, 0x0ull, INSN_SEG_NONE, 4 },  /* mov    0x1000(,%eax,4),%ebx */
	{ "mov 0x12345678,%edx", INSN_MODE_32, { 0x8b, 0x15, 0x78, 0x56, 0x34, 0x12 }, 6, INSN_LOAD, 4, 2, false, 4, 0x0ull, INSN_SEG_NONE, 4 },  /* mov    0x12345678,%edx */
	{ "mov 0x12345678(%ebp),%edx", INSN_MODE_32, { 0x8b, 0x95, 0x78, 0x56, 0x34, 0x12 }, 6, INSN_LOAD, 4, 2, false, 4, 0x0ull, INSN_SEG_NONE, 4 },  /* mov    0x12345678(%ebp),%edx */
	{ "movl $5,(%eax)", INSN_MODE_32, { 0xc7, 0x00, 0x05, 0x00, 0x00, 0x00 }, 6, INSN_STORE_IMM, 4, 0, false, 4, 0x5ull, INSN_SEG_NONE, 4 },  /* movl   $0x5,(%eax) */
	{ "movw $5,(%eax)", INSN_MODE_32, { 0x66, 0xc7, 0x00, 0x05, 0x00 }, 5, INSN_STORE_IMM, 2, 0, false, 2, 0x5ull, INSN_SEG_NONE, 4 },  /* movw   $0x5,(%eax) */
	{ "movb $5,0x10(%ebx)", INSN_MODE_32, { 0xc6, 0x43, 0x10, 0x05 }, 4, INSN_STORE_IMM, 1, 0, false, 1, 0x5ull, INSN_SEG_NONE, 4 },  /* movb   $0x5,0x10(%ebx) */
	{ "movl $0xffffffff,0xfee000b0", INSN_MODE_32, { 0xc7, 0x05, 0xb0, 0x00, 0xe0, 0xfe, 0xff, 0xff, 0xff, 0xff }, 10, INSN_STORE_IMM, 4, 0, false, 4, 0xffffffffull, INSN_SEG_NONE, 4 },  /* movl   $0xffffffff,0xfee000b0 */
	{ "addr16 mov (%bx,%si),%eax", INSN_MODE_32, { 0x67, 0x8b, 0x00 }, 3, INSN_LOAD, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 2 },  /* mov    (%bx,%si),%eax */
	{ ".byte 0x67,0x8b,0x06,0x34,0x12", INSN_MODE_32, { 0x67, 0x8b, 0x06, 0x34, 0x12 }, 5, INSN_LOAD, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 2 },  /* mov    0x1234,%eax */
	{ "addr16 mov 0x12(%bp),%ax", INSN_MODE_32, { 0x67, 0x66, 0x8b, 0x46, 0x12 }, 5, INSN_LOAD, 2, 0, false, 2, 0x0ull, INSN_SEG_NONE, 2 },  /* mov    0x12(%bp),%ax */
	{ ".byte 0x67,0xa1,0x34,0x12", INSN_MODE_32, { 0x67, 0xa1, 0x34, 0x12 }, 4, INSN_LOAD, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 2 },  /* addr16 mov 0x1234,%eax */
	{ "movzbl (%esi),%edx", INSN_MODE_32, { 0x0f, 0xb6, 0x16 }, 3, INSN_LOAD_ZX, 1, 2, false, 4, 0x0ull, INSN_SEG_NONE, 4 },  /* movzbl (%esi),%edx */
	{ "movswl (%esi),%edx", INSN_MODE_32, { 0x0f, 0xbf, 0x16 }, 3, INSN_LOAD_SX, 2, 2, false, 4, 0x0ull, INSN_SEG_NONE, 4 },  /* movswl (%esi),%edx */
	{ "mov %es:(%edi),%eax", INSN_MODE_32, { 0x26, 0x8b, 0x07 }, 3, INSN_LOAD, 4, 0, false, 4, 0x0ull, INSN_SEG_ES, 4 },  /* mov    %es:(%edi),%eax */
	{ "mov %ax,(%bx)", INSN_MODE_16, { 0x89, 0x07 }, 2, INSN_STORE, 2, 0, false, 2, 0x0ull, INSN_SEG_NONE, 2 },  /* mov    %ax,(%bx) */
	{ "mov %eax,(%bx)", INSN_MODE_16, { 0x66, 0x89, 0x07 }, 3, INSN_STORE, 4, 0, false, 4, 0x0ull, INSN_SEG_NONE, 2 },  /* mov    %eax,(%bx) */
	{ "mov (%si),%al", INSN_MODE_16, { 0x8a, 0x04 }, 2, INSN_LOAD, 1, 0, false, 1, 0x0ull, INSN_SEG_NONE, 2 },  /* mov    (%si),%al */
	{ "mov (%si),%dh", INSN_MODE_16, { 0x8a, 0x34 }, 2, INSN_LOAD, 1, 2, true, 1, 0x0ull, INSN_SEG_NONE, 2 },  /* mov    (%si),%dh */
	{ "mov 0x1234,%ax", INSN_MODE_16, { 0xa1, 0x34, 0x12 }, 3, INSN_LOAD, 2, 0, false, 2, 0x0ull, INSN_SEG_NONE, 2 },  /* mov    0x1234,%ax */
	{ "mov %al,0x1234", INSN_MODE_16, { 0xa2, 0x34, 0x12 }, 3, INSN_STORE, 1, 0, false, 1, 0x0ull, INSN_SEG_NONE, 2 },  /* mov    %al,0x1234 */
	{ "mov 0x10(%bp,%di),%cx", INSN_MODE_16, { 0x8b, 0x4b, 0x10 }, 3, INSN_LOAD, 2, 1, false, 2, 0x0ull, INSN_SEG_NONE, 2 },  /* mov    0x10(%bp,%di),%cx */
	{ "mov 0x1234(%bx),%dx", INSN_MODE_16, { 0x8b, 0x97, 0x34, 0x12 }, 4, INSN_LOAD, 2, 2, false, 2, 0x0ull, INSN_SEG_NONE, 2 },  /* mov    0x1234(%bx),%dx */
	{ ".byte 0x8b,0x16,0x34,0x12", INSN_MODE_16, { 0x8b, 0x16, 0x34, 0x12 }, 4, INSN_LOAD, 2, 2, false, 2, 0x0ull, INSN_SEG_NONE, 2 },  /* mov    0x1234,%dx */
	{ "mov (%bp),%bx", INSN_MODE_16, { 0x8b, 0x5e, 0x00 }, 3, INSN_LOAD, 2, 3, false, 2, 0x0ull, INSN_SEG_NONE, 2 },  /* mov    0x0(%bp),%bx */
	{ "movw $0xbeef,(%di)", INSN_MODE_16, { 0xc7, 0x05, 0xef, 0xbe }, 4, INSN_STORE_IMM, 2, 0, false, 2, 0xbeefull, INSN_SEG_NONE, 2 },  /* movw   $0xbeef,(%di) */
	{ "movl $0xdeadbeef,(%di)", INSN_MODE_16, { 0x66, 0xc7, 0x05, 0xef, 0xbe, 0xad, 0xde }, 7, INSN_STORE_IMM, 4, 0, false, 4, 0xdeadbeefull, INSN_SEG_NONE, 2 },  /* movl   $0xdeadbeef,(%di) */
	{ "movb $1,0x10(%bx)", INSN_MODE_16, { 0xc6, 0x47, 0x10, 0x01 }, 4, INSN_STORE_IMM, 1, 0, false, 1, 0x1ull, INSN_SEG_NONE, 2 },  /* movb   $0x1,0x10(%bx) */
	{ "addr32 mov (%eax),%ax", INSN_MODE_16, { 0x67, 0x8b, 0x00 }, 3, INSN_LOAD, 2, 0, false, 2, 0x0ull, INSN_SEG_NONE, 4 },  /* mov    (%eax),%ax */
	{ "addr32 mov 0x10(%esp),%ax", INSN_MODE_16, { 0x67, 0x8b, 0x44, 0x24, 0x10 }, 5, INSN_LOAD, 2, 0, false, 2, 0x0ull, INSN_SEG_NONE, 4 },  /* mov    0x10(%esp),%ax */
	{ ".byte 0x67,0xa1,0x00,0x03,0xe0,0xfe", INSN_MODE_16, { 0x67, 0xa1, 0x00, 0x03, 0xe0, 0xfe }, 6, INSN_LOAD, 2, 0, false, 2, 0x0ull, INSN_SEG_NONE, 4 },  /* addr32 mov 0xfee00300,%ax */
	{ "mov %ax,%es:(%di)", INSN_MODE_16, { 0x26, 0x89, 0x05 }, 3, INSN_STORE, 2, 0, false, 2, 0x0ull, INSN_SEG_ES, 2 },  /* mov    %ax,%es:(%di) */
	{ "movzbw (%si),%ax", INSN_MODE_16, { 0x0f, 0xb6, 0x04 }, 3, INSN_LOAD_ZX, 1, 0, false, 2, 0x0ull, INSN_SEG_NONE, 2 },  /* movzbw (%si),%ax */
	{ "movzbl (%si),%eax", INSN_MODE_16, { 0x66, 0x0f, 0xb6, 0x04 }, 4, INSN_LOAD_ZX, 1, 0, false, 4, 0x0ull, INSN_SEG_NONE, 2 },  /* movzbl (%si),%eax */
	{ "movsbw (%si),%cx", INSN_MODE_16, { 0x0f, 0xbe, 0x0c }, 3, INSN_LOAD_SX, 1, 1, false, 2, 0x0ull, INSN_SEG_NONE, 2 },  /* movsbw (%si),%cx */
};
#define NGOOD (sizeof(good) / sizeof(good[0]))

static char err[256];

/* Decode @n bytes from a heap buffer of exactly that size. */
static int decode(const uint8_t *bytes, size_t n, enum insn_mode mode, struct insn *out)
{
	uint8_t *copy = malloc(n ? n : 1);
	cr_assert_not_null(copy);
	memcpy(copy, bytes, n);
	memset(err, 'X', sizeof(err));
	int rc = insn_decode(copy, n, mode, out, err, sizeof(err));
	free(copy);
	cr_assert(memchr(err, '\0', sizeof(err)), "err not NUL-terminated");
	return rc;
}

/* Decode and expect a refusal whose message contains @want. */
static void refused(const uint8_t *bytes, size_t n, enum insn_mode mode, const char *want)
{
	struct insn in;
	int rc = decode(bytes, n, mode, &in);
	cr_assert_eq(rc, -1, "decoded what should be refused (want \"%s\")", want);
	cr_assert(strstr(err, want), "message \"%s\" lacks \"%s\"", err, want);
}

static struct insn decode_ok(const struct good *g)
{
	struct insn in;
	int rc = decode(g->bytes, g->len, g->mode, &in);
	cr_assert_eq(rc, 0, "%s: %s", g->src, err);
	return in;
}

/* Find a table row by its source text (for the value tests). */
static const struct good *row(const char *src, enum insn_mode mode)
{
	for (size_t i = 0; i < NGOOD; i++)
		if (good[i].mode == mode && !strcmp(good[i].src, src))
			return &good[i];
	cr_assert_fail("no table row \"%s\"", src);
	return NULL;
}

Test(insn_decode, table_of_real_encodings)
{
	for (size_t i = 0; i < NGOOD; i++) {
		const struct good *g = &good[i];
		struct insn in = decode_ok(g);
		cr_expect_eq(in.len, g->len, "%s: len %u, want %u", g->src, in.len, g->len);
		cr_expect_eq(in.kind, g->kind, "%s: kind %s, want %s", g->src,
			     insn_kind_name(in.kind), insn_kind_name(g->kind));
		cr_expect_eq(in.size, g->size, "%s: size %u, want %u", g->src, in.size, g->size);
		if (g->kind != INSN_STORE_IMM) {
			cr_expect_eq(in.reg, g->reg, "%s: reg %u, want %u", g->src, in.reg, g->reg);
			cr_expect_eq(in.reg_high8, g->high8, "%s: high8", g->src);
		}
		cr_expect_eq(in.reg_size, g->reg_size, "%s: reg_size %u, want %u", g->src,
			     in.reg_size, g->reg_size);
		if (g->kind == INSN_STORE_IMM)
			cr_expect_eq(in.imm, g->imm, "%s: imm %#lx, want %#lx", g->src,
				     (unsigned long)in.imm, (unsigned long)g->imm);
		cr_expect_eq(in.seg, g->seg, "%s: seg %d, want %d", g->src, in.seg, g->seg);
		cr_expect_eq(in.addr_size, g->addr_size, "%s: addr_size %u, want %u", g->src,
			     in.addr_size, g->addr_size);
	}
}

/* The caller fetches up to 15 bytes: what follows the instruction must not
 * change its length. */
Test(insn_decode, bytes_after_the_instruction_do_not_count)
{
	for (size_t i = 0; i < NGOOD; i++) {
		const struct good *g = &good[i];
		uint8_t buf[INSN_MAX_LEN + 8];
		memset(buf, 0x90, sizeof(buf));
		memcpy(buf, g->bytes, g->len);
		for (size_t n = g->len; n <= sizeof(buf); n++) {
			struct insn in;
			cr_assert_eq(decode(buf, n, g->mode, &in), 0, "%s +%zu: %s", g->src,
				     n - g->len, err);
			cr_assert_eq(in.len, g->len, "%s with %zu bytes: len %u", g->src, n, in.len);
		}
	}
}

/* Every prefix of every good encoding is refused as truncated, asking for
 * at least one and at most the missing bytes; one byte short asks for one. */
Test(insn_decode, truncated_at_every_length)
{
	for (size_t i = 0; i < NGOOD; i++) {
		const struct good *g = &good[i];
		for (unsigned n = 0; n < g->len; n++) {
			struct insn in;
			unsigned more = 0;
			cr_assert_eq(decode(g->bytes, n, g->mode, &in), -1,
				     "%s cut to %u bytes decoded", g->src, n);
			cr_assert_eq(sscanf(err, "truncated: need %u more byte", &more), 1,
				     "%s cut to %u: \"%s\"", g->src, n, err);
			cr_assert(more >= 1 && more <= g->len - n, "%s cut to %u: need %u",
				  g->src, n, more);
			if (n == g->len - 1u)
				cr_assert_eq(more, 1, "%s one byte short: need %u", g->src, more);
		}
	}
}

/* Once the ModRM and SIB are in, the count is exact: displacement and
 * immediate are asked for in one go. */
Test(insn_decode, truncation_counts_displacement_and_immediate)
{
	const struct good *g = row("movl $1,0x10(%rsp)", INSN_MODE_64);  /* c7 44 24 | 10 | imm32 */
	struct insn in;
	cr_assert_eq(decode(g->bytes, 3, INSN_MODE_64, &in), -1);
	cr_assert_str_eq(err, "truncated: need 5 more bytes (displacement and immediate) "
			 "after the 3 fetched");
	g = row("movabs 0xfee00300,%rax", INSN_MODE_64);                 /* 48 a1 | moffs64 */
	cr_assert_eq(decode(g->bytes, 2, INSN_MODE_64, &in), -1);
	cr_assert_str_eq(err, "truncated: need 8 more bytes (moffs address) after the 2 fetched");
	g = row("mov 0x1234(%bx),%dx", INSN_MODE_16);                     /* 8b 97 | disp16 */
	cr_assert_eq(decode(g->bytes, 3, INSN_MODE_16, &in), -1);
	cr_assert_str_eq(err, "truncated: need 1 more byte (displacement) after the 3 fetched");
	cr_assert_eq(decode(g->bytes, 0, INSN_MODE_16, &in), -1);
	cr_assert_str_eq(err, "truncated: need 1 more byte (opcode) after the 0 fetched");
}

/* ---- refusals ---- */

Test(insn_decode, register_operand_is_refused)
{
	static const uint8_t mov_eax_eax[] = { 0x89, 0xc0 };
	static const uint8_t movzx_reg[] = { 0x0f, 0xb6, 0xc1 };
	static const uint8_t mov_imm_reg[] = { 0xc7, 0xc0, 1, 0, 0, 0 };
	static const uint8_t movsxd_reg[] = { 0x48, 0x63, 0xc1 };
	refused(mov_eax_eax, sizeof(mov_eax_eax), INSN_MODE_64,
		"opcode 0x89 ModRM 0xc0: MOV with a register operand (ModRM mod=3) "
		"does not access memory");
	refused(movzx_reg, sizeof(movzx_reg), INSN_MODE_32, "ModRM mod=3");
	refused(mov_imm_reg, sizeof(mov_imm_reg), INSN_MODE_32, "ModRM mod=3");
	refused(movsxd_reg, sizeof(movsxd_reg), INSN_MODE_64, "opcode 0x48 0x63 ModRM 0xc1");
}

Test(insn_decode, string_instructions_are_refused_by_name)
{
	static const uint8_t rep_movsb[] = { 0xf3, 0xa4 };
	static const uint8_t stosl[] = { 0xab };
	static const uint8_t rep_stosq[] = { 0xf3, 0x48, 0xab };
	refused(rep_movsb, sizeof(rep_movsb), INSN_MODE_64,
		"opcode 0xf3 0xa4 (REP MOVSB): string instructions are not emulated");
	refused(stosl, sizeof(stosl), INSN_MODE_32,
		"opcode 0xab (STOS): string instructions are not emulated");
	refused(rep_stosq, sizeof(rep_stosq), INSN_MODE_64, "opcode 0xf3 0x48 0xab (REP STOS)");
}

Test(insn_decode, other_opcodes_are_refused_naming_their_bytes)
{
	static const uint8_t add[] = { 0x01, 0x07 };            /* add %eax,(%rdi) */
	static const uint8_t movups[] = { 0x0f, 0x11, 0x07 };   /* movups %xmm0,(%rdi) */
	static const uint8_t xchg[] = { 0x87, 0x07 };
	static const uint8_t vex[] = { 0xc5, 0xf8, 0x11, 0x07 };
	static const uint8_t two_byte[] = { 0x66, 0x0f, 0xa3, 0x07 };  /* bt %ax,(%rdi) */
	refused(add, sizeof(add), INSN_MODE_64,
		"opcode 0x01: not a MOV form the MMIO emulator handles");
	refused(movups, sizeof(movups), INSN_MODE_64,
		"opcode 0x0f 0x11 (MOVUPS/MOVSS): vector registers are not emulated");
	refused(xchg, sizeof(xchg), INSN_MODE_32, "opcode 0x87 (XCHG)");
	refused(vex, sizeof(vex), INSN_MODE_64, "opcode 0xc5 (VEX or LDS)");
	refused(two_byte, sizeof(two_byte), INSN_MODE_64, "opcode 0x66 0x0f 0xa3: not a MOV");
}

/* 40-4F are REX only in 64-bit mode; elsewhere INC/DEC. 63 is MOVSXD only
 * in 64-bit mode; elsewhere ARPL. */
Test(insn_decode, mode_dependent_opcodes)
{
	static const uint8_t rex_mov[] = { 0x48, 0x89, 0x07 };
	static const uint8_t movsxd[] = { 0x48, 0x63, 0x07 };
	static const uint8_t arpl[] = { 0x63, 0x07 };
	struct insn in;
	cr_assert_eq(decode(rex_mov, 3, INSN_MODE_64, &in), 0, "%s", err);
	refused(rex_mov, sizeof(rex_mov), INSN_MODE_32, "opcode 0x48: not a MOV form");
	refused(rex_mov, sizeof(rex_mov), INSN_MODE_16, "opcode 0x48: not a MOV form");
	cr_assert_eq(decode(movsxd, 3, INSN_MODE_64, &in), 0, "%s", err);
	refused(arpl, sizeof(arpl), INSN_MODE_32, "opcode 0x63 (ARPL)");
	refused(arpl, sizeof(arpl), INSN_MODE_16, "opcode 0x63 (ARPL)");
}

Test(insn_decode, lock_and_rep_prefixes_are_refused)
{
	static const uint8_t lock_mov[] = { 0xf0, 0x89, 0x07 };
	static const uint8_t lock_late[] = { 0x66, 0xf0, 0x48, 0xc7, 0x07, 1, 0, 0, 0 };
	static const uint8_t rep_mov[] = { 0xf3, 0x89, 0x07 };
	static const uint8_t repne_movzx[] = { 0xf2, 0x0f, 0xb6, 0x07 };
	refused(lock_mov, sizeof(lock_mov), INSN_MODE_64, "LOCK prefix on MOV is #UD");
	refused(lock_late, sizeof(lock_late), INSN_MODE_64, "LOCK prefix on MOV is #UD");
	refused(rep_mov, sizeof(rep_mov), INSN_MODE_32,
		"prefix 0xf3 (REP/XACQUIRE/XRELEASE) on MOV is not emulated");
	refused(repne_movzx, sizeof(repne_movzx), INSN_MODE_16, "prefix 0xf2 (REP");
}

Test(insn_decode, c6_c7_need_reg_field_zero)
{
	static const uint8_t c6_1[] = { 0xc6, 0x08, 0x00 };
	static const uint8_t c7_7[] = { 0xc7, 0x38, 0, 0, 0, 0 };
	refused(c6_1, sizeof(c6_1), INSN_MODE_64,
		"opcode 0xc6 ModRM 0x08: 0xc6 /1 is not MOV (only /0 is)");
	refused(c7_7, sizeof(c7_7), INSN_MODE_32, "0xc7 /7 is not MOV");
}

/* 15 bytes is the limit (SDM Vol. 2A, 2.3.11): 13 prefixes + 89 07 decode
 * (a table row); one more prefix, or an immediate that ends past byte 15,
 * does not. */
Test(insn_decode, longer_than_15_bytes_is_refused)
{
	uint8_t buf[32];
	memset(buf, 0x66, sizeof(buf));
	buf[14] = 0x89;
	buf[15] = 0x07;
	refused(buf, 16, INSN_MODE_64, "instruction longer than 15 bytes");
	memset(buf, 0x3e, sizeof(buf));                  /* only prefixes */
	refused(buf, sizeof(buf), INSN_MODE_32, "instruction longer than 15 bytes");
	memset(buf, 0x2e, 11);
	memcpy(buf + 11, (const uint8_t[]){ 0xc7, 0x07, 1, 0, 0, 0 }, 6);  /* 17 bytes */
	refused(buf, 17, INSN_MODE_32,
		"instruction longer than 15 bytes (13 bytes before the displacement and immediate)");
	/* Too long is reported even when the caller fetched fewer bytes. */
	refused(buf, 14, INSN_MODE_32, "instruction longer than 15 bytes");
}

Test(insn_decode, bad_mode_and_small_error_buffers)
{
	static const uint8_t mov[] = { 0x89, 0x07 };
	static const uint8_t add[] = { 0x01, 0x07 };
	struct insn in;
	cr_assert_eq(insn_decode(mov, 2, (enum insn_mode)7, &in, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "insn_decode: bad mode 7");
	/* A short message buffer (on the heap, watched by ASan) gets a
	 * truncated, NUL-terminated message; no buffer at all is fine too. */
	char *small = malloc(8);
	cr_assert_eq(insn_decode(add, 2, INSN_MODE_64, &in, small, 8), -1);
	cr_assert_str_eq(small, "opcode ");
	free(small);
	cr_assert_eq(insn_decode(add, 2, INSN_MODE_64, &in, NULL, 0), -1);
}

/* A refused decode leaves *out alone. */
Test(insn_decode, failure_leaves_out_untouched)
{
	static const uint8_t add[] = { 0x01, 0x07 };
	struct insn in, before;
	memset(&in, 0xa5, sizeof(in));
	before = in;
	cr_assert_eq(decode(add, 2, INSN_MODE_64, &in), -1);
	cr_assert_eq(memcmp(&in, &before, sizeof(in)), 0);
}

/* ---- what a load writes to the register, what a store writes to memory ---- */

struct load_case {
	const char *src;
	enum insn_mode mode;
	uint64_t old, mem, want;
};

Test(insn_decode, load_results)
{
	static const struct load_case cases[] = {
		/* 8 and 16 bits keep the rest; high-8 writes bits 15:8 */
		{ "mov (%rsi),%ch", INSN_MODE_64, 0x1122334455667788, 0xab, 0x112233445566ab88 },
		{ "mov (%si),%al", INSN_MODE_16, 0x12345678, 0xffffff56, 0x12345656 },
		{ "mov (%si),%dh", INSN_MODE_16, 0xffffffffffffffff, 0x01, 0xffffffffffff01ff },
		{ "mov 2(%rsi),%r9w", INSN_MODE_64, 0x1111111111111111, 0xffffbeef, 0x111111111111beef },
		/* 32 bits clear 63:32 */
		{ "mov (%rax),%r10d", INSN_MODE_64, 0xffffffffffffffff, 0xdeadbeef, 0xdeadbeef },
		{ "mov %fs:0x28,%rax", INSN_MODE_64, 0, 0x8877665544332211, 0x8877665544332211 },
		/* MOVZX */
		{ "movzbl (%rdi),%eax", INSN_MODE_64, 0xffffffffffffffff, 0xffffff80, 0x80 },
		{ "movzwl (%rdi),%eax", INSN_MODE_64, 0xffffffffffffffff, 0x12348000, 0x8000 },
		{ "movzbw (%rdi),%ax", INSN_MODE_64, 0xaaaaaaaaaaaaaaaa, 0x80, 0xaaaaaaaaaaaa0080 },
		{ "movzbq (%rdi),%r9", INSN_MODE_64, 0xffffffffffffffff, 0xfe, 0xfe },
		/* MOVSX, MOVSXD */
		{ "movsbl (%rdi),%eax", INSN_MODE_64, 0xffffffffffffffff, 0x80, 0xffffff80 },
		{ "movsbl (%rdi),%eax", INSN_MODE_64, 0xffffffffffffffff, 0x7f, 0x7f },
		{ "movswq 4(%rsi),%rdx", INSN_MODE_64, 0, 0x8000, 0xffffffffffff8000 },
		{ "movslq (%rdi),%rax", INSN_MODE_64, 0, 0x80000000, 0xffffffff80000000 },
		{ "movslq (%rdi),%rax", INSN_MODE_64, 0xffffffffffffffff, 0x7fffffff, 0x7fffffff },
		{ ".byte 0x63,0x07", INSN_MODE_64, 0xffffffffffffffff, 0x80000000, 0x80000000 },
		{ "movsbw (%si),%cx", INSN_MODE_16, 0x12345678, 0xfe, 0x1234fffe },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct load_case *c = &cases[i];
		struct insn in = decode_ok(row(c->src, c->mode));
		uint64_t got = insn_load_result(&in, c->old, c->mem);
		cr_expect_eq(got, c->want, "%s old %#lx mem %#lx: %#lx, want %#lx", c->src,
			     (unsigned long)c->old, (unsigned long)c->mem, (unsigned long)got,
			     (unsigned long)c->want);
	}
}

Test(insn_decode, store_values)
{
	static const struct load_case cases[] = {  /* old = the register, want = stored */
		{ "mov %ah,(%rdi)", INSN_MODE_64, 0xffffffffffff1234, 0, 0x12 },
		{ "mov %al,(%rdi)", INSN_MODE_64, 0xffffffffffff1234, 0, 0x34 },
		{ "mov %eax,(%rdi)", INSN_MODE_64, 0xffffffff11223344, 0, 0x11223344 },
		{ "mov %ax,(%bx)", INSN_MODE_16, 0xffffffff11223344, 0, 0x3344 },
		{ "mov %rax,(%rdi)", INSN_MODE_64, 0x8877665544332211, 0, 0x8877665544332211 },
		{ "movq $-1,(%rdi)", INSN_MODE_64, 0x5555, 0, 0xffffffffffffffff },
		{ "movl $0x80000000,(%rdi)", INSN_MODE_64, 0x5555, 0, 0x80000000 },
		{ "movw $0x1234,(%rdi)", INSN_MODE_64, 0x5555, 0, 0x1234 },
		{ "movb $0x5a,(%rdi)", INSN_MODE_64, 0x5555, 0, 0x5a },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct load_case *c = &cases[i];
		struct insn in = decode_ok(row(c->src, c->mode));
		uint64_t got = insn_store_value(&in, c->old);
		cr_expect_eq(got, c->want, "%s reg %#lx: stores %#lx, want %#lx", c->src,
			     (unsigned long)c->old, (unsigned long)got, (unsigned long)c->want);
	}
}
