/*
 * vmcall.c - the VMCALL exit and the hypercall ABI (hypercall.h): every
 * hypercall and every error it documents, and the exit counters.
 */
#include "grt.h"
#include "gtest.h"
#include "hcall.h"
#include "string.h"
#include "x86.h"

#define HC_UNKNOWN_NR 0x7fff      /* no hypercall has this number */

GTEST(vmcall_version)
{
	GASSERT_EQ(hc_version(), HC_ABI_VERSION);
}

/* Every register but RAX survives a hypercall (the ABI in hypercall.h).
 * RBP and RSP are the compiler's own: the test's return checks them. */
GTEST(vmcall_preserves_registers)
{
	register uint64_t r8 __asm__("r8") = 0x0808080808080808;
	register uint64_t r9 __asm__("r9") = 0x0909090909090909;
	register uint64_t r10 __asm__("r10") = 0x1010101010101010;
	register uint64_t r11 __asm__("r11") = 0x1111111111111111;
	register uint64_t r12 __asm__("r12") = 0x1212121212121212;
	register uint64_t r13 __asm__("r13") = 0x1313131313131313;
	register uint64_t r14 __asm__("r14") = 0x1414141414141414;
	register uint64_t r15 __asm__("r15") = 0x1515151515151515;
	uint64_t rbx = 0xb0b0b0b0b0b0b0b0, rcx = 0xc0c0c0c0c0c0c0c0, rdx = 0xd0d0d0d0d0d0d0d0;
	uint64_t rsi = 0x5151515151515151, rdi = 0xd1d1d1d1d1d1d1d1;
	long ret = HC_VERSION;

#define PRESERVE_CALL(insn) \
	__asm__ volatile(insn \
			 : "+a"(ret), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi), "+D"(rdi), \
			   "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11), \
			   "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15) \
			 : : "memory")
	if (hc_use_vmmcall)
		PRESERVE_CALL("vmmcall");
	else
		PRESERVE_CALL("vmcall");
	GASSERT_EQ(ret, HC_ABI_VERSION);
	GASSERT_EQ(rbx, 0xb0b0b0b0b0b0b0b0);
	GASSERT_EQ(rcx, 0xc0c0c0c0c0c0c0c0);
	GASSERT_EQ(rdx, 0xd0d0d0d0d0d0d0d0);
	GASSERT_EQ(rsi, 0x5151515151515151);
	GASSERT_EQ(rdi, 0xd1d1d1d1d1d1d1d1);
	GASSERT_EQ(r8, 0x0808080808080808);
	GASSERT_EQ(r9, 0x0909090909090909);
	GASSERT_EQ(r10, 0x1010101010101010);
	GASSERT_EQ(r11, 0x1111111111111111);
	GASSERT_EQ(r12, 0x1212121212121212);
	GASSERT_EQ(r13, 0x1313131313131313);
	GASSERT_EQ(r14, 0x1414141414141414);
	GASSERT_EQ(r15, 0x1515151515151515);
}

/* HC_CONSOLE_WRITE returns the number of bytes written. */
GTEST(vmcall_console_write)
{
	static const char msg[] = "vmcall: a line through HC_CONSOLE_WRITE\n";

	GASSERT_EQ(hc_console_write(msg, sizeof(msg) - 1), sizeof(msg) - 1);
	GASSERT_EQ(hc_console_write(msg, 0), 0);
}

/* Buffers outside the guest's memory are refused with -HC_EFAULT: below
 * it, in the host's half of the address space, and straddling its end. */
GTEST(vmcall_bad_pointer)
{
	const char *end = __image_start + grt_mem_size;

	GASSERT_EQ(hc_console_write((const char *)0x1000, 4), -HC_EFAULT);
	GASSERT_EQ(hc_console_write((const char *)0xffff800000000000ul, 4), -HC_EFAULT);
	GASSERT_EQ(hc_console_write(end - 2, 4), -HC_EFAULT);
	GASSERT_EQ(hc_console_write(end, 1), -HC_EFAULT);
	/* An address whose end wraps around: overflow must be checked. */
	GASSERT_EQ(hc_console_write((const char *)~0ul - 1, 4), -HC_EFAULT);
}

/* Longer than HC_CONSOLE_MAX is refused with -HC_EINVAL (the buffer itself
 * is valid guest memory: the image). */
GTEST(vmcall_too_long)
{
	GASSERT(grt_mem_size > HC_CONSOLE_MAX + 1);
	GASSERT_EQ(hc_console_write(__image_start, HC_CONSOLE_MAX + 1), -HC_EINVAL);
}

GTEST(vmcall_unknown_number)
{
	GASSERT_EQ(hc_call(HC_UNKNOWN_NR, 0, 0, 0), -HC_ENOSYS);
	GASSERT_EQ(hc_call(~0ul, 0, 0, 0), -HC_ENOSYS);
}

/*
 * HC_READ_COUNTER: the total counts every exit (here: the reads themselves
 * and three CPUIDs), the per-reason counter counts only its reason. The
 * host's timer interrupt may add an exit to the total: a few tries, and
 * one of them must be exact (a miscounting handler is wrong every time).
 */
#define COUNTER_TRIES 4
GTEST(vmcall_counters)
{
	long t0 = 0, t1 = 0, c0 = 0, c1 = 0;

	for (int try = 0; try < COUNTER_TRIES; try++) {
		t0 = hc_read_counter(HC_COUNTER_EXITS, 0);
		c0 = hc_read_counter(HC_COUNTER_EXITS_REASON, HC_EXIT_CPUID);
		for (int i = 0; i < 3; i++)
			cpuid(0, 0);
		c1 = hc_read_counter(HC_COUNTER_EXITS_REASON, HC_EXIT_CPUID);
		t1 = hc_read_counter(HC_COUNTER_EXITS, 0);
		if (t1 - t0 == 6)
			break;
	}
	GASSERTF(t0 > 0 && c0 >= 0, "counters %ld (all) and %ld (CPUID)", t0, c0);
	GASSERT_EQ(c1 - c0, 3);
	/* c0, three CPUIDs, c1, t1 */
	GASSERT_EQ(t1 - t0, 6);

	long v0 = hc_read_counter(HC_COUNTER_EXITS_REASON, HC_EXIT_HYPERCALL);
	long v1 = hc_read_counter(HC_COUNTER_EXITS_REASON, HC_EXIT_HYPERCALL);
	GASSERT_EQ(v1 - v0, 1);
}

/* Unknown counters and out-of-range reasons are -HC_EINVAL. */
GTEST(vmcall_counter_errors)
{
	GASSERT_EQ(hc_read_counter(0x1234, 0), -HC_EINVAL);
	GASSERT_EQ(hc_read_counter(HC_COUNTER_EXITS_REASON, 1ul << 20), -HC_EINVAL);
}

/* HC_COUNTER_TSC reads the host TSC; the guest's RDTSC reads the same
 * clock (no TSC offsetting in lab 2), so it lies between two RDTSCs. */
GTEST(vmcall_counter_tsc)
{
	uint64_t a = rdtsc();
	uint64_t h = (uint64_t)hc_read_counter(HC_COUNTER_TSC, 0);
	uint64_t b = rdtsc();

	GASSERTF(a < h && h < b, "guest TSC %#lx, host TSC %#lx, guest TSC %#lx",
		 (unsigned long)a, (unsigned long)h, (unsigned long)b);
}
