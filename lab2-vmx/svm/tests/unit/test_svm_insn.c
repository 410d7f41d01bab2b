/*
 * test_svm_insn.c - the intercepted-instruction length decoder
 * (svm_insn.c) on the host.
 *
 * The table of good encodings was made by assembling each source line
 * alone with GNU as 2.40 (--64, --32, .code16) and reading the bytes back
 * with objdump; a comment shows objdump's reading where it differs from
 * the source. The ModRM length tables below are objdump's lengths for
 * INVLPG with every mod/rm (and SIB base) combination. Every decode reads
 * from a heap copy of exactly @avail bytes, so AddressSanitizer catches
 * any read past what the caller fetched.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "svm/svm_insn.h"

struct good {
	const char *src;
	unsigned mode;
	uint8_t bytes[SVM_INSN_MAX_LEN];
	unsigned len;
	const char *name;
};

static const struct good good[] = {
	{ "cpuid", 64, { 0x0f, 0xa2 }, 2, "cpuid" },
	{ "hlt", 64, { 0xf4 }, 1, "hlt" },
	{ "vmmcall", 64, { 0x0f, 0x01, 0xd9 }, 3, "vmmcall" },
	{ "vmrun", 64, { 0x0f, 0x01, 0xd8 }, 3, "vmrun" },
	{ "vmload", 64, { 0x0f, 0x01, 0xda }, 3, "vmload" },
	{ "vmsave", 64, { 0x0f, 0x01, 0xdb }, 3, "vmsave" },
	{ "stgi", 64, { 0x0f, 0x01, 0xdc }, 3, "stgi" },
	{ "clgi", 64, { 0x0f, 0x01, 0xdd }, 3, "clgi" },
	{ "skinit", 64, { 0x0f, 0x01, 0xde }, 3, "skinit" },
	{ "invlpga", 64, { 0x0f, 0x01, 0xdf }, 3, "invlpga" },
	{ "vmcall", 64, { 0x0f, 0x01, 0xc1 }, 3, "vmcall" },
	{ "xsetbv", 64, { 0x0f, 0x01, 0xd1 }, 3, "xsetbv" },
	{ "monitor", 64, { 0x0f, 0x01, 0xc8 }, 3, "monitor" },
	{ "mwait", 64, { 0x0f, 0x01, 0xc9 }, 3, "mwait" },
	{ "rdtscp", 64, { 0x0f, 0x01, 0xf9 }, 3, "rdtscp" },
	{ "rdtsc", 64, { 0x0f, 0x31 }, 2, "rdtsc" },
	{ "rdpmc", 64, { 0x0f, 0x33 }, 2, "rdpmc" },
	{ "rdmsr", 64, { 0x0f, 0x32 }, 2, "rdmsr" },
	{ "wrmsr", 64, { 0x0f, 0x30 }, 2, "wrmsr" },
	{ "invd", 64, { 0x0f, 0x08 }, 2, "invd" },
	{ "wbinvd", 64, { 0x0f, 0x09 }, 2, "wbinvd" },
	{ "clts", 64, { 0x0f, 0x06 }, 2, "clts" },
	{ "pause", 64, { 0xf3, 0x90 }, 2, "pause" },
	{ "int3", 64, { 0xcc }, 1, "int3" },
	{ "int $0x80", 64, { 0xcd, 0x80 }, 2, "int" },
	{ "int1", 64, { 0xf1 }, 1, "icebp" },
	{ "iretq", 64, { 0x48, 0xcf }, 2, "iret" },
	{ "iretl", 64, { 0xcf }, 1, "iret" },  /* iret */
	{ "iretw", 64, { 0x66, 0xcf }, 2, "iret" },
	{ "pushfq", 64, { 0x9c }, 1, "pushf" },  /* pushf */
	{ "popfq", 64, { 0x9d }, 1, "popf" },  /* popf */
	{ "pushfw", 64, { 0x66, 0x9c }, 2, "pushf" },
	{ "popfw", 64, { 0x66, 0x9d }, 2, "popf" },
	{ "mov %cr0,%rax", 64, { 0x0f, 0x20, 0xc0 }, 3, "mov-from-cr" },
	{ "mov %rax,%cr3", 64, { 0x0f, 0x22, 0xd8 }, 3, "mov-to-cr" },
	{ "mov %r15,%cr4", 64, { 0x41, 0x0f, 0x22, 0xe7 }, 4, "mov-to-cr" },
	{ "mov %cr8,%r9", 64, { 0x45, 0x0f, 0x20, 0xc1 }, 4, "mov-from-cr" },
	{ "mov %rdx,%cr8", 64, { 0x44, 0x0f, 0x22, 0xc2 }, 4, "mov-to-cr" },
	{ "mov %dr7,%rax", 64, { 0x0f, 0x21, 0xf8 }, 3, "mov-from-dr" },  /* mov %db7,%rax */
	{ "mov %rcx,%dr0", 64, { 0x0f, 0x23, 0xc1 }, 3, "mov-to-dr" },  /* mov %rcx,%db0 */
	{ "mov %dr6,%r12", 64, { 0x41, 0x0f, 0x21, 0xf4 }, 4, "mov-from-dr" },  /* mov %db6,%r12 */
	{ "lmsw %ax", 64, { 0x0f, 0x01, 0xf0 }, 3, "lmsw" },
	{ "lmsw %r10w", 64, { 0x41, 0x0f, 0x01, 0xf2 }, 4, "lmsw" },
	{ "smsw %eax", 64, { 0x0f, 0x01, 0xe0 }, 3, "smsw" },
	{ "smsw %rax", 64, { 0x48, 0x0f, 0x01, 0xe0 }, 4, "smsw" },
	{ "smsw %ax", 64, { 0x66, 0x0f, 0x01, 0xe0 }, 4, "smsw" },
	{ "lmsw (%rax)", 64, { 0x0f, 0x01, 0x30 }, 3, "lmsw" },
	{ "lmsw 0x12345678(%rax,%rbx,4)", 64, { 0x0f, 0x01, 0xb4, 0x98, 0x78, 0x56, 0x34, 0x12 }, 8, "lmsw" },
	{ "lmsw 0x10(%rip)", 64, { 0x0f, 0x01, 0x35, 0x10, 0x00, 0x00, 0x00 }, 7, "lmsw" },
	{ "lmsw 0x10(%rsp)", 64, { 0x0f, 0x01, 0x74, 0x24, 0x10 }, 5, "lmsw" },
	{ "lmsw (%rsp)", 64, { 0x0f, 0x01, 0x34, 0x24 }, 4, "lmsw" },
	{ "lmsw (%rbp)", 64, { 0x0f, 0x01, 0x75, 0x00 }, 4, "lmsw" },  /* lmsw 0x0(%rbp) */
	{ "lmsw (%r12)", 64, { 0x41, 0x0f, 0x01, 0x34, 0x24 }, 5, "lmsw" },
	{ "lmsw (%r13)", 64, { 0x41, 0x0f, 0x01, 0x75, 0x00 }, 5, "lmsw" },  /* lmsw 0x0(%r13) */
	{ "lmsw -0x80(%r13,%r14,2)", 64, { 0x43, 0x0f, 0x01, 0x74, 0x75, 0x80 }, 6, "lmsw" },
	{ "lmsw 0x1000(,%rax,4)", 64, { 0x0f, 0x01, 0x34, 0x85, 0x00, 0x10, 0x00, 0x00 }, 8, "lmsw" },
	{ "lmsw 0x1000", 64, { 0x0f, 0x01, 0x34, 0x25, 0x00, 0x10, 0x00, 0x00 }, 8, "lmsw" },
	{ ".byte 0x41,0x0f,0x01,0x35,0x10,0x00,0x00,0x00", 64, { 0x41, 0x0f, 0x01, 0x35, 0x10, 0x00, 0x00, 0x00 }, 8, "lmsw" },  /* lmsw 0x10(%rip): REX.B does not turn RIP-relative into r13 */
	{ ".byte 0x0f,0x01,0x34,0x25,0x00,0x10,0x00,0x00", 64, { 0x0f, 0x01, 0x34, 0x25, 0x00, 0x10, 0x00, 0x00 }, 8, "lmsw" },  /* lmsw 0x1000: SIB, no base, no index */
	{ "smsw (%rdi)", 64, { 0x0f, 0x01, 0x27 }, 3, "smsw" },
	{ "smsw -8(%rbp)", 64, { 0x0f, 0x01, 0x65, 0xf8 }, 4, "smsw" },  /* smsw -0x8(%rbp) */
	{ "smsw 0x12345678(%rip)", 64, { 0x0f, 0x01, 0x25, 0x78, 0x56, 0x34, 0x12 }, 7, "smsw" },
	{ "invlpg (%rax)", 64, { 0x0f, 0x01, 0x38 }, 3, "invlpg" },
	{ "invlpg 0x12345678(%r12,%r13,8)", 64, { 0x43, 0x0f, 0x01, 0xbc, 0xec, 0x78, 0x56, 0x34, 0x12 }, 9, "invlpg" },
	{ "invlpg 0x10(%rip)", 64, { 0x0f, 0x01, 0x3d, 0x10, 0x00, 0x00, 0x00 }, 7, "invlpg" },
	{ "invlpg 0x7f(%rbx)", 64, { 0x0f, 0x01, 0x7b, 0x7f }, 4, "invlpg" },
	{ "invlpg %fs:(%rax)", 64, { 0x64, 0x0f, 0x01, 0x38 }, 4, "invlpg" },
	{ "addr32 invlpg (%eax)", 64, { 0x67, 0x0f, 0x01, 0x38 }, 4, "invlpg" },  /* invlpg (%eax) */
	{ "addr32 invlpg 0x10(%eip)", 64, { 0x67, 0x0f, 0x01, 0x3d, 0x10, 0x00, 0x00, 0x00 }, 8, "invlpg" },  /* invlpg 0x10(%eip) # 0x18 */
	{ "addr32 lmsw 0x12(%esp)", 64, { 0x67, 0x0f, 0x01, 0x74, 0x24, 0x12 }, 6, "lmsw" },  /* lmsw 0x12(%esp) */
	{ "addr32 lmsw 0x12345678(%eax,%ecx,8)", 64, { 0x67, 0x0f, 0x01, 0xb4, 0xc8, 0x78, 0x56, 0x34, 0x12 }, 9, "lmsw" },  /* lmsw 0x12345678(%eax,%ecx,8) */
	{ "in $0x60,%al", 64, { 0xe4, 0x60 }, 2, "in" },
	{ "in $0x60,%eax", 64, { 0xe5, 0x60 }, 2, "in" },
	{ "in $0x60,%ax", 64, { 0x66, 0xe5, 0x60 }, 3, "in" },
	{ "out %al,$0x80", 64, { 0xe6, 0x80 }, 2, "out" },
	{ "out %eax,$0x80", 64, { 0xe7, 0x80 }, 2, "out" },
	{ "out %ax,$0x80", 64, { 0x66, 0xe7, 0x80 }, 3, "out" },
	{ "in (%dx),%al", 64, { 0xec }, 1, "in" },
	{ "in (%dx),%eax", 64, { 0xed }, 1, "in" },
	{ "in (%dx),%ax", 64, { 0x66, 0xed }, 2, "in" },
	{ "out %al,(%dx)", 64, { 0xee }, 1, "out" },
	{ "out %eax,(%dx)", 64, { 0xef }, 1, "out" },
	{ "out %ax,(%dx)", 64, { 0x66, 0xef }, 2, "out" },
	{ "insb", 64, { 0x6c }, 1, "ins" },
	{ "insl", 64, { 0x6d }, 1, "ins" },
	{ "insw", 64, { 0x66, 0x6d }, 2, "ins" },
	{ "outsb", 64, { 0x6e }, 1, "outs" },
	{ "outsl", 64, { 0x6f }, 1, "outs" },
	{ "outsw", 64, { 0x66, 0x6f }, 2, "outs" },
	{ "rep insb", 64, { 0xf3, 0x6c }, 2, "ins" },
	{ "rep insl", 64, { 0xf3, 0x6d }, 2, "ins" },
	{ "rep outsw", 64, { 0x66, 0xf3, 0x6f }, 3, "outs" },
	{ "rep outsb %fs:(%rsi),(%dx)", 64, { 0x64, 0xf3, 0x6e }, 3, "outs" },
	{ "addr32 rep insb", 64, { 0x67, 0xf3, 0x6c }, 3, "ins" },  /* rep insb (%dx),%es:(%edi) */
	{ "addr32 outsl", 64, { 0x67, 0x6f }, 2, "outs" },  /* outsl %ds:(%esi),(%dx) */
	{ ".byte 0x66,0x0f,0xa2", 64, { 0x66, 0x0f, 0xa2 }, 3, "cpuid" },  /* data16 cpuid */
	{ ".byte 0x48,0x0f,0xa2", 64, { 0x48, 0x0f, 0xa2 }, 3, "cpuid" },  /* rex.W cpuid */
	{ ".byte 0x67,0x0f,0xa2", 64, { 0x67, 0x0f, 0xa2 }, 3, "cpuid" },  /* addr32 cpuid */
	{ ".byte 0x64,0x0f,0xa2", 64, { 0x64, 0x0f, 0xa2 }, 3, "cpuid" },  /* fs cpuid */
	{ ".byte 0x2e,0x3e,0x26,0x36,0x64,0x65,0x0f,0xa2", 64, { 0x2e, 0x3e, 0x26, 0x36, 0x64, 0x65, 0x0f, 0xa2 }, 8, "cpuid" },  /* cs ds es ss fs gs cpuid */
	{ ".byte 0xf3,0xf4", 64, { 0xf3, 0xf4 }, 2, "hlt" },  /* repz hlt */
	{ ".byte 0x66,0x67,0xf3,0x2e,0x48,0xf4", 64, { 0x66, 0x67, 0xf3, 0x2e, 0x48, 0xf4 }, 6, "hlt" },  /* data16 addr32 repz cs rex.W hlt */
	{ ".byte 0x48,0x0f,0x32", 64, { 0x48, 0x0f, 0x32 }, 3, "rdmsr" },  /* rex.W rdmsr */
	{ ".byte 0x48,0x0f,0x30", 64, { 0x48, 0x0f, 0x30 }, 3, "wrmsr" },  /* rex.W wrmsr */
	{ ".byte 0x66,0x0f,0x01,0xf9", 64, { 0x66, 0x0f, 0x01, 0xf9 }, 4, "rdtscp" },  /* data16 rdtscp */
	{ ".byte 0x67,0x0f,0x01,0xd8", 64, { 0x67, 0x0f, 0x01, 0xd8 }, 4, "vmrun" },  /* addr32 vmrun */
	{ ".byte 0x48,0x0f,0x01,0xd8", 64, { 0x48, 0x0f, 0x01, 0xd8 }, 4, "vmrun" },  /* rex.W vmrun */
	{ "vmgexit", 64, { 0xf3, 0x0f, 0x01, 0xd9 }, 4, "vmmcall" },
	{ ".byte 0x66,0x0f,0x22,0xd8", 64, { 0x66, 0x0f, 0x22, 0xd8 }, 4, "mov-to-cr" },  /* data16 mov %rax,%cr3 */
	{ ".byte 0x48,0x0f,0x20,0xc0", 64, { 0x48, 0x0f, 0x20, 0xc0 }, 4, "mov-from-cr" },  /* rex.W mov %cr0,%rax */
	{ ".byte 0x66,0xf3,0x90", 64, { 0x66, 0xf3, 0x90 }, 3, "pause" },  /* data16 pause */
	{ ".byte 0xf3,0x48,0x90", 64, { 0xf3, 0x48, 0x90 }, 3, "pause" },  /* rex.W pause: 90 stays NOP under REX.W */
	{ ".byte 0x66,0xcd,0x03", 64, { 0x66, 0xcd, 0x03 }, 3, "int" },  /* data16 int $0x3 */
	{ ".byte 0x66,0x48,0xcf", 64, { 0x66, 0x48, 0xcf }, 3, "iret" },  /* data16 iretq */
	{ ".byte 0x66,0x67,0x0f,0x01,0x70,0x12", 64, { 0x66, 0x67, 0x0f, 0x01, 0x70, 0x12 }, 6, "lmsw" },  /* data16 lmsw 0x12(%eax) */
	{ ".byte 0x48,0x0f,0x01,0x38", 64, { 0x48, 0x0f, 0x01, 0x38 }, 4, "invlpg" },  /* rex.W invlpg (%rax) */
	{ ".byte 0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0x66,0xf4", 64, { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0xf4 }, 15, "hlt" },  /* 14 x data16, hlt (objdump prints them apart) */
	{ ".byte 0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x2e,0x0f,0x01,0xd9", 64, { 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x0f, 0x01, 0xd9 }, 15, "vmmcall" },  /* 12 x cs, vmmcall */
	{ ".byte 0x67,0x67,0x67,0x67,0x67,0x67,0x67,0x0f,0x01,0xbc,0x24,0x78,0x56,0x34,0x12", 64, { 0x67, 0x67, 0x67, 0x67, 0x67, 0x67, 0x67, 0x0f, 0x01, 0xbc, 0x24, 0x78, 0x56, 0x34, 0x12 }, 15, "invlpg" },  /* 7 x addr32, invlpg 0x12345678(%esp) */
	{ "cpuid", 32, { 0x0f, 0xa2 }, 2, "cpuid" },
	{ "hlt", 32, { 0xf4 }, 1, "hlt" },
	{ "vmmcall", 32, { 0x0f, 0x01, 0xd9 }, 3, "vmmcall" },
	{ "vmrun", 32, { 0x0f, 0x01, 0xd8 }, 3, "vmrun" },
	{ "vmload", 32, { 0x0f, 0x01, 0xda }, 3, "vmload" },
	{ "vmsave", 32, { 0x0f, 0x01, 0xdb }, 3, "vmsave" },
	{ "stgi", 32, { 0x0f, 0x01, 0xdc }, 3, "stgi" },
	{ "clgi", 32, { 0x0f, 0x01, 0xdd }, 3, "clgi" },
	{ "skinit", 32, { 0x0f, 0x01, 0xde }, 3, "skinit" },
	{ "invlpga", 32, { 0x0f, 0x01, 0xdf }, 3, "invlpga" },
	{ "vmcall", 32, { 0x0f, 0x01, 0xc1 }, 3, "vmcall" },
	{ "xsetbv", 32, { 0x0f, 0x01, 0xd1 }, 3, "xsetbv" },
	{ "monitor", 32, { 0x0f, 0x01, 0xc8 }, 3, "monitor" },
	{ "mwait", 32, { 0x0f, 0x01, 0xc9 }, 3, "mwait" },
	{ "rdtscp", 32, { 0x0f, 0x01, 0xf9 }, 3, "rdtscp" },
	{ "rdtsc", 32, { 0x0f, 0x31 }, 2, "rdtsc" },
	{ "rdpmc", 32, { 0x0f, 0x33 }, 2, "rdpmc" },
	{ "rdmsr", 32, { 0x0f, 0x32 }, 2, "rdmsr" },
	{ "wrmsr", 32, { 0x0f, 0x30 }, 2, "wrmsr" },
	{ "invd", 32, { 0x0f, 0x08 }, 2, "invd" },
	{ "wbinvd", 32, { 0x0f, 0x09 }, 2, "wbinvd" },
	{ "clts", 32, { 0x0f, 0x06 }, 2, "clts" },
	{ "pause", 32, { 0xf3, 0x90 }, 2, "pause" },
	{ "int3", 32, { 0xcc }, 1, "int3" },
	{ "int $0x21", 32, { 0xcd, 0x21 }, 2, "int" },
	{ "int1", 32, { 0xf1 }, 1, "icebp" },
	{ "iret", 32, { 0xcf }, 1, "iret" },
	{ "iretw", 32, { 0x66, 0xcf }, 2, "iret" },
	{ "pushf", 32, { 0x9c }, 1, "pushf" },
	{ "popf", 32, { 0x9d }, 1, "popf" },
	{ "pushfw", 32, { 0x66, 0x9c }, 2, "pushf" },
	{ "popfw", 32, { 0x66, 0x9d }, 2, "popf" },
	{ "mov %cr0,%eax", 32, { 0x0f, 0x20, 0xc0 }, 3, "mov-from-cr" },
	{ "mov %eax,%cr3", 32, { 0x0f, 0x22, 0xd8 }, 3, "mov-to-cr" },
	{ "mov %edi,%cr4", 32, { 0x0f, 0x22, 0xe7 }, 3, "mov-to-cr" },
	{ "mov %cr2,%ebx", 32, { 0x0f, 0x20, 0xd3 }, 3, "mov-from-cr" },
	{ "mov %dr6,%ecx", 32, { 0x0f, 0x21, 0xf1 }, 3, "mov-from-dr" },  /* mov %db6,%ecx */
	{ "mov %edx,%dr7", 32, { 0x0f, 0x23, 0xfa }, 3, "mov-to-dr" },  /* mov %edx,%db7 */
	{ ".byte 0xf0,0x0f,0x22,0xc0", 32, { 0xf0, 0x0f, 0x22, 0xc0 }, 4, "mov-to-cr" },  /* mov %eax,%cr8 (AMD: LOCK selects CR8) */
	{ "lmsw %ax", 32, { 0x0f, 0x01, 0xf0 }, 3, "lmsw" },
	{ "smsw %eax", 32, { 0x0f, 0x01, 0xe0 }, 3, "smsw" },
	{ "lmsw (%eax)", 32, { 0x0f, 0x01, 0x30 }, 3, "lmsw" },
	{ "lmsw 0x12345678(%eax,%ebx,4)", 32, { 0x0f, 0x01, 0xb4, 0x98, 0x78, 0x56, 0x34, 0x12 }, 8, "lmsw" },
	{ "lmsw 0x12345678", 32, { 0x0f, 0x01, 0x35, 0x78, 0x56, 0x34, 0x12 }, 7, "lmsw" },
	{ "lmsw (%ebp)", 32, { 0x0f, 0x01, 0x75, 0x00 }, 4, "lmsw" },  /* lmsw 0x0(%ebp) */
	{ "lmsw 0x1000(,%eax,4)", 32, { 0x0f, 0x01, 0x34, 0x85, 0x00, 0x10, 0x00, 0x00 }, 8, "lmsw" },
	{ "lmsw (%esp)", 32, { 0x0f, 0x01, 0x34, 0x24 }, 4, "lmsw" },
	{ "smsw 0x10(%esp)", 32, { 0x0f, 0x01, 0x64, 0x24, 0x10 }, 5, "smsw" },
	{ "smsw %es:0x12345678(%esi)", 32, { 0x26, 0x0f, 0x01, 0xa6, 0x78, 0x56, 0x34, 0x12 }, 8, "smsw" },
	{ "invlpg 0x12345678(%ebp)", 32, { 0x0f, 0x01, 0xbd, 0x78, 0x56, 0x34, 0x12 }, 7, "invlpg" },
	{ "invlpg (%ecx,%edx,1)", 32, { 0x0f, 0x01, 0x3c, 0x11 }, 4, "invlpg" },
	{ "invlpg 0x7f(%ebx,%esi,2)", 32, { 0x0f, 0x01, 0x7c, 0x73, 0x7f }, 5, "invlpg" },
	{ "addr16 lmsw (%bx,%si)", 32, { 0x67, 0x0f, 0x01, 0x30 }, 4, "lmsw" },  /* lmsw (%bx,%si) */
	{ ".byte 0x67,0x0f,0x01,0x36,0x34,0x12", 32, { 0x67, 0x0f, 0x01, 0x36, 0x34, 0x12 }, 6, "lmsw" },  /* lmsw 0x1234 */
	{ "addr16 invlpg 0x12(%bp)", 32, { 0x67, 0x0f, 0x01, 0x7e, 0x12 }, 5, "invlpg" },  /* invlpg 0x12(%bp) */
	{ "addr16 invlpg 0x1234(%bx,%di)", 32, { 0x67, 0x0f, 0x01, 0xb9, 0x34, 0x12 }, 6, "invlpg" },  /* invlpg 0x1234(%bx,%di) */
	{ "addr16 smsw (%di)", 32, { 0x67, 0x0f, 0x01, 0x25 }, 4, "smsw" },  /* smsw (%di) */
	{ "in $0x60,%al", 32, { 0xe4, 0x60 }, 2, "in" },
	{ "in $0x60,%eax", 32, { 0xe5, 0x60 }, 2, "in" },
	{ "out %al,$0x80", 32, { 0xe6, 0x80 }, 2, "out" },
	{ "out %ax,$0x80", 32, { 0x66, 0xe7, 0x80 }, 3, "out" },
	{ "in (%dx),%eax", 32, { 0xed }, 1, "in" },
	{ "out %al,(%dx)", 32, { 0xee }, 1, "out" },
	{ "insb", 32, { 0x6c }, 1, "ins" },
	{ "insw", 32, { 0x66, 0x6d }, 2, "ins" },
	{ "outsl", 32, { 0x6f }, 1, "outs" },
	{ "rep insl", 32, { 0xf3, 0x6d }, 2, "ins" },
	{ "rep outsb", 32, { 0xf3, 0x6e }, 2, "outs" },
	{ "rep outsw %es:(%esi),(%dx)", 32, { 0x26, 0x66, 0xf3, 0x6f }, 4, "outs" },
	{ "addr16 insb", 32, { 0x67, 0x6c }, 2, "ins" },  /* insb (%dx),%es:(%di) */
	{ ".byte 0x66,0x0f,0xa2", 32, { 0x66, 0x0f, 0xa2 }, 3, "cpuid" },  /* data16 cpuid */
	{ ".byte 0x67,0x2e,0xf0,0x0f,0xa2", 32, { 0x67, 0x2e, 0xf0, 0x0f, 0xa2 }, 5, "cpuid" },  /* addr16 cs lock cpuid */
	{ ".byte 0x67,0x0f,0x01,0xd8", 32, { 0x67, 0x0f, 0x01, 0xd8 }, 4, "vmrun" },  /* addr16 vmrun */
	{ "vmgexit", 32, { 0xf3, 0x0f, 0x01, 0xd9 }, 4, "vmmcall" },
	{ ".byte 0x26,0x26,0x26,0x26,0x26,0x26,0x26,0x26,0x26,0x26,0x26,0x26,0x26,0x26,0xf4", 32, { 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0xf4 }, 15, "hlt" },  /* 14 x es, hlt (objdump prints them apart) */
	{ "cpuid", 16, { 0x0f, 0xa2 }, 2, "cpuid" },
	{ "hlt", 16, { 0xf4 }, 1, "hlt" },
	{ "vmmcall", 16, { 0x0f, 0x01, 0xd9 }, 3, "vmmcall" },
	{ "vmrun", 16, { 0x0f, 0x01, 0xd8 }, 3, "vmrun" },
	{ "vmload", 16, { 0x0f, 0x01, 0xda }, 3, "vmload" },
	{ "vmsave", 16, { 0x0f, 0x01, 0xdb }, 3, "vmsave" },
	{ "stgi", 16, { 0x0f, 0x01, 0xdc }, 3, "stgi" },
	{ "clgi", 16, { 0x0f, 0x01, 0xdd }, 3, "clgi" },
	{ "skinit", 16, { 0x0f, 0x01, 0xde }, 3, "skinit" },
	{ "invlpga", 16, { 0x0f, 0x01, 0xdf }, 3, "invlpga" },
	{ "vmcall", 16, { 0x0f, 0x01, 0xc1 }, 3, "vmcall" },
	{ "xsetbv", 16, { 0x0f, 0x01, 0xd1 }, 3, "xsetbv" },
	{ "monitor", 16, { 0x0f, 0x01, 0xc8 }, 3, "monitor" },
	{ "mwait", 16, { 0x0f, 0x01, 0xc9 }, 3, "mwait" },
	{ "rdtscp", 16, { 0x0f, 0x01, 0xf9 }, 3, "rdtscp" },
	{ "rdtsc", 16, { 0x0f, 0x31 }, 2, "rdtsc" },
	{ "rdpmc", 16, { 0x0f, 0x33 }, 2, "rdpmc" },
	{ "rdmsr", 16, { 0x0f, 0x32 }, 2, "rdmsr" },
	{ "wrmsr", 16, { 0x0f, 0x30 }, 2, "wrmsr" },
	{ "invd", 16, { 0x0f, 0x08 }, 2, "invd" },
	{ "wbinvd", 16, { 0x0f, 0x09 }, 2, "wbinvd" },
	{ "clts", 16, { 0x0f, 0x06 }, 2, "clts" },
	{ "pause", 16, { 0xf3, 0x90 }, 2, "pause" },
	{ "int3", 16, { 0xcc }, 1, "int3" },
	{ "int $0x10", 16, { 0xcd, 0x10 }, 2, "int" },
	{ "int1", 16, { 0xf1 }, 1, "icebp" },
	{ "iret", 16, { 0xcf }, 1, "iret" },
	{ "iretl", 16, { 0x66, 0xcf }, 2, "iret" },
	{ "pushf", 16, { 0x9c }, 1, "pushf" },
	{ "popf", 16, { 0x9d }, 1, "popf" },
	{ "pushfl", 16, { 0x66, 0x9c }, 2, "pushf" },
	{ "popfl", 16, { 0x66, 0x9d }, 2, "popf" },
	{ "mov %cr0,%eax", 16, { 0x0f, 0x20, 0xc0 }, 3, "mov-from-cr" },
	{ "mov %eax,%cr0", 16, { 0x0f, 0x22, 0xc0 }, 3, "mov-to-cr" },
	{ "mov %ebx,%cr3", 16, { 0x0f, 0x22, 0xdb }, 3, "mov-to-cr" },
	{ "mov %dr7,%eax", 16, { 0x0f, 0x21, 0xf8 }, 3, "mov-from-dr" },  /* mov %db7,%eax */
	{ "mov %eax,%dr7", 16, { 0x0f, 0x23, 0xf8 }, 3, "mov-to-dr" },  /* mov %eax,%db7 */
	{ "lmsw %ax", 16, { 0x0f, 0x01, 0xf0 }, 3, "lmsw" },
	{ "smsw %ax", 16, { 0x0f, 0x01, 0xe0 }, 3, "smsw" },
	{ "smsw %eax", 16, { 0x66, 0x0f, 0x01, 0xe0 }, 4, "smsw" },
	{ "lmsw (%bx)", 16, { 0x0f, 0x01, 0x37 }, 3, "lmsw" },
	{ "lmsw 0x1234", 16, { 0x0f, 0x01, 0x36, 0x34, 0x12 }, 5, "lmsw" },
	{ "lmsw 0x12(%bp)", 16, { 0x0f, 0x01, 0x76, 0x12 }, 4, "lmsw" },
	{ "lmsw (%bp)", 16, { 0x0f, 0x01, 0x76, 0x00 }, 4, "lmsw" },  /* lmsw 0x0(%bp) */
	{ "lmsw 0x1234(%bx,%si)", 16, { 0x0f, 0x01, 0xb0, 0x34, 0x12 }, 5, "lmsw" },
	{ "lmsw -2(%bp,%di)", 16, { 0x0f, 0x01, 0x73, 0xfe }, 4, "lmsw" },  /* lmsw -0x2(%bp,%di) */
	{ "smsw %ds:0x10(%si)", 16, { 0x0f, 0x01, 0x64, 0x10 }, 4, "smsw" },  /* smsw 0x10(%si) */
	{ "invlpg (%di)", 16, { 0x0f, 0x01, 0x3d }, 3, "invlpg" },
	{ "invlpg 0x1234", 16, { 0x0f, 0x01, 0x3e, 0x34, 0x12 }, 5, "invlpg" },
	{ "addr32 lmsw (%eax)", 16, { 0x67, 0x0f, 0x01, 0x30 }, 4, "lmsw" },  /* lmsw (%eax) */
	{ "addr32 lmsw 0x12345678(%eax,%ebx,4)", 16, { 0x67, 0x0f, 0x01, 0xb4, 0x98, 0x78, 0x56, 0x34, 0x12 }, 9, "lmsw" },  /* lmsw 0x12345678(%eax,%ebx,4) */
	{ "addr32 invlpg 0x10(%esp)", 16, { 0x67, 0x0f, 0x01, 0x7c, 0x24, 0x10 }, 6, "invlpg" },  /* invlpg 0x10(%esp) */
	{ "addr32 lmsw 0x12345678", 16, { 0x67, 0x0f, 0x01, 0x35, 0x78, 0x56, 0x34, 0x12 }, 8, "lmsw" },
	{ "addr32 lmsw 0x1000(,%eax,4)", 16, { 0x67, 0x0f, 0x01, 0x34, 0x85, 0x00, 0x10, 0x00, 0x00 }, 9, "lmsw" },  /* lmsw 0x1000(,%eax,4) */
	{ "addr32 lmsw (%ebp)", 16, { 0x67, 0x0f, 0x01, 0x75, 0x00 }, 5, "lmsw" },  /* lmsw 0x0(%ebp) */
	{ "in $0x60,%al", 16, { 0xe4, 0x60 }, 2, "in" },
	{ "in $0x60,%ax", 16, { 0xe5, 0x60 }, 2, "in" },
	{ "in $0x60,%eax", 16, { 0x66, 0xe5, 0x60 }, 3, "in" },
	{ "out %al,$0x80", 16, { 0xe6, 0x80 }, 2, "out" },
	{ "in (%dx),%al", 16, { 0xec }, 1, "in" },
	{ "out %ax,(%dx)", 16, { 0xef }, 1, "out" },
	{ "out %eax,(%dx)", 16, { 0x66, 0xef }, 2, "out" },
	{ "rep insb", 16, { 0xf3, 0x6c }, 2, "ins" },
	{ "outsw", 16, { 0x6f }, 1, "outs" },
	{ "insl", 16, { 0x66, 0x6d }, 2, "ins" },
	{ "rep outsb %cs:(%si),(%dx)", 16, { 0x2e, 0xf3, 0x6e }, 3, "outs" },
	{ ".byte 0x66,0x0f,0xa2", 16, { 0x66, 0x0f, 0xa2 }, 3, "cpuid" },  /* data32 cpuid */
	{ ".byte 0x67,0x0f,0x01,0xd8", 16, { 0x67, 0x0f, 0x01, 0xd8 }, 4, "vmrun" },  /* addr32 vmrun */
};
#define NGOOD (sizeof(good) / sizeof(good[0]))

static const unsigned modes[] = { 16, 32, 64 };

/* Length of @n bytes copied to a heap buffer of exactly that size. */
static int len_of(const uint8_t *bytes, unsigned n, unsigned mode)
{
	uint8_t *copy = malloc(n ? n : 1);
	cr_assert_not_null(copy);
	memcpy(copy, bytes, n);
	int len = svm_insn_len(copy, n, mode);
	const char *name = svm_insn_name(copy, n, mode);
	free(copy);
	cr_assert_not_null(name);
	cr_assert_eq(len < 0, !strcmp(name, "unknown"), "len %d but name \"%s\"", len, name);
	return len;
}

/* Expect -1 for @n bytes, in @mode. */
static void refused(const uint8_t *bytes, unsigned n, unsigned mode, const char *what)
{
	int len = len_of(bytes, n, mode);
	cr_expect_eq(len, -1, "%s (mode %u): length %d, want -1", what, mode, len);
}

Test(svm_insn, table_of_real_encodings)
{
	for (size_t i = 0; i < NGOOD; i++) {
		const struct good *g = &good[i];
		int len = len_of(g->bytes, g->len, g->mode);
		const char *name = svm_insn_name(g->bytes, g->len, g->mode);
		cr_expect_eq(len, (int)g->len, "%s (mode %u): length %d, want %u",
			     g->src, g->mode, len, g->len);
		cr_expect_str_eq(name, g->name, "%s (mode %u): name %s, want %s",
				 g->src, g->mode, name, g->name);
	}
}

/* The caller fetched too little: never a guess, always -1. */
Test(svm_insn, every_shorter_fetch_is_refused)
{
	for (size_t i = 0; i < NGOOD; i++)
		for (unsigned n = 0; n < good[i].len; n++)
			refused(good[i].bytes, n, good[i].mode, good[i].src);
}

/* Bytes after the instruction (the next one) do not count. */
Test(svm_insn, following_bytes_are_not_counted)
{
	uint8_t buf[SVM_INSN_MAX_LEN + 16];

	for (size_t i = 0; i < NGOOD; i++) {
		const struct good *g = &good[i];
		memset(buf, 0x0f, sizeof(buf));
		memcpy(buf, g->bytes, g->len);
		cr_expect_eq(len_of(buf, sizeof(buf), g->mode), (int)g->len, "%s", g->src);
	}
}

/* 15 bytes is the limit (SDM Vol. 2A, 2.3.11): one more prefix is -1. */
Test(svm_insn, sixteen_bytes_are_too_long)
{
	static const uint8_t prefixes[] = {
		0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65,
	};
	uint8_t buf[32];

	for (size_t p = 0; p < sizeof(prefixes); p++) {
		memset(buf, prefixes[p], sizeof(buf));
		buf[14] = 0xf4;   /* 14 prefixes + HLT = 15 bytes */
		cr_expect_eq(len_of(buf, sizeof(buf), 32), 15, "prefix %#x", prefixes[p]);
		buf[14] = prefixes[p];
		buf[15] = 0xf4;   /* 15 prefixes + HLT = 16 bytes */
		refused(buf, sizeof(buf), 32, "16-byte hlt");
		refused(buf, sizeof(buf), 64, "16-byte hlt");
	}
	memset(buf, 0x2e, sizeof(buf));
	memcpy(buf + 13, (uint8_t[]){ 0x0f, 0x01, 0xd9 }, 3);
	refused(buf, sizeof(buf), 64, "13 prefixes + vmmcall");
	memset(buf, 0x67, sizeof(buf));
	memcpy(buf + 8, (uint8_t[]){ 0x0f, 0x01, 0xbc, 0x24, 0x78, 0x56, 0x34, 0x12 }, 8);
	refused(buf, sizeof(buf), 64, "8 x addr32 + invlpg disp32(%esp)");
	memset(buf, 0x66, sizeof(buf));
	refused(buf, sizeof(buf), 64, "only prefixes");
}

/* Every pair of legacy prefixes, in both orders, before CPUID. */
Test(svm_insn, prefixes_in_any_order)
{
	static const uint8_t prefixes[] = {
		0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65,
	};

	for (size_t a = 0; a < sizeof(prefixes); a++)
		for (size_t b = 0; b < sizeof(prefixes); b++)
			for (size_t m = 0; m < 3; m++) {
				uint8_t insn[] = { prefixes[a], prefixes[b], 0x0f, 0xa2 };
				cr_expect_eq(len_of(insn, sizeof(insn), modes[m]), 4,
					     "%#x %#x cpuid, mode %u", prefixes[a], prefixes[b], modes[m]);
			}
}

/* 40-4F are REX only in 64-bit mode; elsewhere they are INC/DEC (2.2.1). */
Test(svm_insn, rex_only_in_64bit_mode)
{
	for (unsigned rex = 0x40; rex <= 0x4f; rex++) {
		uint8_t cpuid[] = { rex, 0x0f, 0xa2 };
		uint8_t vmrun[] = { 0x66, rex, 0x0f, 0x01, 0xd8 };
		uint8_t invlpg[] = { rex, 0x0f, 0x01, 0x3d, 0x10, 0x00, 0x00, 0x00 };

		cr_expect_eq(len_of(cpuid, sizeof(cpuid), 64), 3, "rex %#x cpuid", rex);
		cr_expect_eq(len_of(vmrun, sizeof(vmrun), 64), 5, "66 rex %#x vmrun", rex);
		cr_expect_eq(len_of(invlpg, sizeof(invlpg), 64), 8, "rex %#x invlpg rip", rex);
		refused(cpuid, sizeof(cpuid), 32, "rex cpuid");
		refused(cpuid, sizeof(cpuid), 16, "rex cpuid");
		refused(vmrun, sizeof(vmrun), 32, "66 rex vmrun");
	}
}

/* A REX that is not right before the opcode is refused (svm_insn.c). */
Test(svm_insn, rex_must_come_last)
{
	refused((uint8_t[]){ 0x48, 0x66, 0x0f, 0xa2 }, 4, 64, "rex.W data16 cpuid");
	refused((uint8_t[]){ 0x41, 0xf3, 0x90 }, 3, 64, "rex.B (ignored) pause");
	refused((uint8_t[]){ 0x48, 0x48, 0x0f, 0xa2 }, 4, 64, "rex.W rex.W cpuid");
	refused((uint8_t[]){ 0x48 }, 1, 64, "rex alone");
}

/*
 * 90 is NOP, F3 90 PAUSE. REX.B turns 90 into XCHG r8d, eax: objdump
 * still prints F3 41 90 as "rex.B pause", but QEMU's TCG decodes XCHG
 * (and raises no PAUSE intercept), as the SDM's XCHG page says.
 */
Test(svm_insn, pause_is_f3_90_only)
{
	refused((uint8_t[]){ 0x90 }, 1, 64, "nop");
	refused((uint8_t[]){ 0x66, 0x90 }, 2, 32, "data16 nop");
	refused((uint8_t[]){ 0xf2, 0x90 }, 2, 32, "repnz nop");
	refused((uint8_t[]){ 0x41, 0x90 }, 2, 64, "xchg %eax,%r8d");
	refused((uint8_t[]){ 0xf3, 0x41, 0x90 }, 3, 64, "rep xchg %eax,%r8d");
	refused((uint8_t[]){ 0xf3, 0x49, 0x90 }, 3, 64, "rep xchg %rax,%r8");
	cr_expect_eq(len_of((uint8_t[]){ 0xf3, 0x66, 0x90 }, 3, 16), 3);
	cr_expect_eq(len_of((uint8_t[]){ 0xf2, 0xf3, 0x90 }, 3, 64), 3);
}

/* MOV CRn/DRn ignore the mod bits: every ModRM is a register form. */
Test(svm_insn, mov_cr_dr_ignore_mod)
{
	for (unsigned op = 0x20; op <= 0x23; op++)
		for (unsigned modrm = 0; modrm < 256; modrm++)
			for (size_t m = 0; m < 3; m++) {
				uint8_t insn[] = { 0x67, 0x0f, op, modrm, 0x78, 0x56, 0x34, 0x12 };
				cr_expect_eq(len_of(insn + 1, 7, modes[m]), 3,
					     "0f %02x %02x, mode %u", op, modrm, modes[m]);
				cr_expect_eq(len_of(insn, 8, modes[m]), 4,
					     "67 0f %02x %02x, mode %u", op, modrm, modes[m]);
			}
}

/*
 * 0F 01 with mod=11: the known register forms are 3 bytes, SMSW/LMSW on
 * a register too (E0-E7, F0-F7); everything else (SWAPGS F8, CLAC CA,
 * XGETBV D0, VMLAUNCH C2, ...) is refused.
 */
Test(svm_insn, group7_register_forms)
{
	static const uint8_t known[] = {
		0xc1, 0xc8, 0xc9, 0xd1, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xf9,
	};

	for (unsigned modrm = 0xc0; modrm <= 0xff; modrm++) {
		bool ok = memchr(known, modrm, sizeof(known)) ||
			  (modrm >= 0xe0 && modrm <= 0xe7) || (modrm >= 0xf0 && modrm <= 0xf7);
		for (size_t m = 0; m < 3; m++) {
			uint8_t insn[] = { 0x0f, 0x01, modrm };
			cr_expect_eq(len_of(insn, 3, modes[m]), ok ? 3 : -1,
				     "0f 01 %02x, mode %u", modrm, modes[m]);
		}
	}
}

/* 0F 01 on memory: /4 SMSW, /6 LMSW, /7 INVLPG; SGDT, SIDT, LGDT, LIDT, /5 refused. */
Test(svm_insn, group7_memory_forms)
{
	for (unsigned reg = 0; reg < 8; reg++) {
		uint8_t insn[] = { 0x0f, 0x01, reg << 3 };   /* (%rax), (%eax), (%bx,%si) */
		bool ok = reg == 4 || reg == 6 || reg == 7;
		for (size_t m = 0; m < 3; m++)
			cr_expect_eq(len_of(insn, 3, modes[m]), ok ? 3 : -1,
				     "0f 01 /%u, mode %u", reg, modes[m]);
	}
}

/* objdump's length of 0F 01 /7 with each mod (rows) and rm (columns). */
static const int addr16_len[3][8] = {
	{ 3, 3, 3, 3, 3, 3, 5, 3 },
	{ 4, 4, 4, 4, 4, 4, 4, 4 },
	{ 5, 5, 5, 5, 5, 5, 5, 5 },
};
/* The same with 32/64-bit addressing, SIB base 0 then SIB base 5 (no base with mod=0). */
static const int addr32_len[2][3][8] = {
	{
		{ 3, 3, 3, 3, 4, 7, 3, 3 },
		{ 4, 4, 4, 4, 5, 4, 4, 4 },
		{ 7, 7, 7, 7, 8, 7, 7, 7 },
	}, {
		{ 3, 3, 3, 3, 8, 7, 3, 3 },
		{ 4, 4, 4, 4, 5, 4, 4, 4 },
		{ 7, 7, 7, 7, 8, 7, 7, 7 },
	},
};

/* Every ModRM memory form in every address size, with and without 67. */
Test(svm_insn, modrm_lengths_by_address_size)
{
	for (unsigned mod = 0; mod < 3; mod++)
		for (unsigned rm = 0; rm < 8; rm++)
			for (unsigned base = 0; base < 2; base++) {
				uint8_t modrm = mod << 6 | 7 << 3 | rm, sib = 1 << 3 | base * 5;
				uint8_t insn[] = { 0x67, 0x0f, 0x01, modrm, sib, 0, 0, 0, 0 };
				int a16 = addr16_len[mod][rm], a32 = addr32_len[base][mod][rm];

				cr_expect_eq(len_of(insn + 1, a16, 16), a16, "16: %02x", modrm);
				cr_expect_eq(len_of(insn, a32 + 1, 16), a32 + 1, "16+67: %02x %02x", modrm, sib);
				cr_expect_eq(len_of(insn + 1, a32, 32), a32, "32: %02x %02x", modrm, sib);
				cr_expect_eq(len_of(insn, a16 + 1, 32), a16 + 1, "32+67: %02x", modrm);
				cr_expect_eq(len_of(insn + 1, a32, 64), a32, "64: %02x %02x", modrm, sib);
				cr_expect_eq(len_of(insn, a32 + 1, 64), a32 + 1, "64+67: %02x %02x", modrm, sib);
			}
}

/* Instructions the hypervisor does not intercept, or that do not exist. */
Test(svm_insn, unknown_opcodes)
{
	static const struct {
		const char *what;
		uint8_t bytes[SVM_INSN_MAX_LEN];
		unsigned len;
	} bad[] = {
		{ "syscall", { 0x0f, 0x05 }, 2 },
		{ "sysenter", { 0x0f, 0x34 }, 2 },
		{ "sysexit", { 0x0f, 0x35 }, 2 },
		{ "sysret", { 0x0f, 0x07 }, 2 },
		{ "ud2", { 0x0f, 0x0b }, 2 },
		{ "push %fs", { 0x0f, 0xa0 }, 2 },
		{ "nopl (%rax)", { 0x0f, 0x1f, 0x00 }, 3 },
		{ "mfence", { 0x0f, 0xae, 0xf0 }, 3 },
		{ "sldt %eax", { 0x0f, 0x00, 0xc0 }, 3 },
		{ "xgetbv", { 0x0f, 0x01, 0xd0 }, 3 },
		{ "swapgs", { 0x0f, 0x01, 0xf8 }, 3 },
		{ "clac", { 0x0f, 0x01, 0xca }, 3 },
		{ "monitorx", { 0x0f, 0x01, 0xfa }, 3 },
		{ "rdpkru", { 0x0f, 0x01, 0xee }, 3 },
		{ "serialize", { 0x0f, 0x01, 0xe8 }, 3 },
		{ "vmlaunch", { 0x0f, 0x01, 0xc2 }, 3 },
		{ "sgdt (%rax)", { 0x0f, 0x01, 0x00 }, 3 },
		{ "sidt (%rax)", { 0x0f, 0x01, 0x08 }, 3 },
		{ "lgdt (%rax)", { 0x0f, 0x01, 0x10 }, 3 },
		{ "lidt (%rax)", { 0x0f, 0x01, 0x18 }, 3 },
		{ "0f 01 /5 (bad)", { 0x0f, 0x01, 0x28 }, 3 },
		{ "call", { 0xe8, 0x00, 0x00, 0x00, 0x00 }, 5 },
		{ "ret", { 0xc3 }, 1 },
		{ "lret", { 0xcb }, 1 },
		{ "cmc", { 0xf5 }, 1 },
		{ "push $1", { 0x6a, 0x01 }, 2 },
		{ "mov (%rdi),%eax", { 0x8b, 0x07 }, 2 },
		{ "movabs 0x0,%eax (moffs)", { 0xa1, 0, 0, 0, 0, 0, 0, 0, 0 }, 9 },
		{ "vzeroupper (VEX)", { 0xc5, 0xf8, 0x77 }, 3 },
		{ "0f alone", { 0x0f }, 1 },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		refused(bad[i].bytes, bad[i].len, 64, bad[i].what);
		refused(bad[i].bytes, SVM_INSN_MAX_LEN, 64, bad[i].what);
		refused(bad[i].bytes, bad[i].len, 32, bad[i].what);
	}
}

Test(svm_insn, bad_arguments)
{
	static const uint8_t cpuid[] = { 0x0f, 0xa2 };

	refused(cpuid, 0, 64, "nothing fetched");
	cr_expect_eq(svm_insn_len(NULL, 15, 64), -1);
	cr_expect_str_eq(svm_insn_name(NULL, 15, 64), "unknown");
	refused(cpuid, 2, 0, "mode 0");
	refused(cpuid, 2, 8, "mode 8");
	refused(cpuid, 2, 63, "mode 63");
	refused(cpuid, 2, 128, "mode 128");
}
