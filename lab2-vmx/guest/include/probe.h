/*
 * probe.h - run one instruction that may fault, and say whether it did.
 *
 * Each probe arms the trap record, runs its instruction with a fixup entry
 * (GRT_FIXUP, grt.h) and returns the vector it raised, or PROBE_NO_FAULT.
 * The error code is then in grt_last_trap.error_code. This is how a guest
 * checks that the hypervisor injected #GP for a forbidden WRMSR, or #UD for
 * VMXON, and keeps running.
 */
#ifndef GUEST_PROBE_H
#define GUEST_PROBE_H

#include <stdint.h>
#include "grt.h"

#define PROBE_NO_FAULT (-1)

/* The instruction at label 1 may fault; execution resumes at label 2. */
#define PROBE_ASM(insn) "1: " insn "\n2:\n" GRT_FIXUP("1b", "2b")

static inline int probe_rdmsr(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;
	grt_trap_arm();
	__asm__ volatile(PROBE_ASM("rdmsr") : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*val = ((uint64_t)hi << 32) | lo;
	return grt_last_trap.vector;
}

static inline int probe_wrmsr(uint32_t msr, uint64_t val)
{
	grt_trap_arm();
	__asm__ volatile(PROBE_ASM("wrmsr")
			 : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
	return grt_last_trap.vector;
}

static inline int probe_write_cr0(uint64_t v)
{
	grt_trap_arm();
	__asm__ volatile(PROBE_ASM("mov %0, %%cr0") : : "r"(v) : "memory");
	return grt_last_trap.vector;
}

static inline int probe_write_cr4(uint64_t v)
{
	grt_trap_arm();
	__asm__ volatile(PROBE_ASM("mov %0, %%cr4") : : "r"(v) : "memory");
	return grt_last_trap.vector;
}

/* VMX instructions (Intel SDM Vol. 3C, chapter 31): in VMX non-root
 * operation each one exits to the hypervisor, which should inject #UD. */
static inline int probe_vmxon(uint64_t pa)
{
	grt_trap_arm();
	__asm__ volatile(PROBE_ASM("vmxon %0") : : "m"(pa) : "memory", "cc");
	return grt_last_trap.vector;
}

static inline int probe_vmclear(uint64_t pa)
{
	grt_trap_arm();
	__asm__ volatile(PROBE_ASM("vmclear %0") : : "m"(pa) : "memory", "cc");
	return grt_last_trap.vector;
}

static inline int probe_vmptrld(uint64_t pa)
{
	grt_trap_arm();
	__asm__ volatile(PROBE_ASM("vmptrld %0") : : "m"(pa) : "memory", "cc");
	return grt_last_trap.vector;
}

static inline int probe_vmread(uint64_t field, uint64_t *val)
{
	uint64_t v = 0;
	grt_trap_arm();
	__asm__ volatile(PROBE_ASM("vmread %1, %0") : "+r"(v) : "r"(field) : "memory", "cc");
	*val = v;
	return grt_last_trap.vector;
}

static inline int probe_vmwrite(uint64_t field, uint64_t val)
{
	grt_trap_arm();
	__asm__ volatile(PROBE_ASM("vmwrite %1, %0") : : "r"(field), "r"(val) : "memory", "cc");
	return grt_last_trap.vector;
}

static inline int probe_vmlaunch(void)
{
	grt_trap_arm();
	__asm__ volatile(PROBE_ASM("vmlaunch") : : : "memory", "cc");
	return grt_last_trap.vector;
}

static inline int probe_vmresume(void)
{
	grt_trap_arm();
	__asm__ volatile(PROBE_ASM("vmresume") : : : "memory", "cc");
	return grt_last_trap.vector;
}

static inline int probe_vmxoff(void)
{
	grt_trap_arm();
	__asm__ volatile(PROBE_ASM("vmxoff") : : : "memory", "cc");
	return grt_last_trap.vector;
}

/* INVEPT type in a register, 128-bit descriptor in memory (SDM Vol. 3C, 31.3). */
static inline int probe_invept(uint64_t type, const uint64_t desc[2])
{
	grt_trap_arm();
	__asm__ volatile(PROBE_ASM("invept %0, %1")
			 : : "m"(*(const uint64_t (*)[2])desc), "r"(type) : "memory", "cc");
	return grt_last_trap.vector;
}

static inline int probe_invvpid(uint64_t type, const uint64_t desc[2])
{
	grt_trap_arm();
	__asm__ volatile(PROBE_ASM("invvpid %0, %1")
			 : : "m"(*(const uint64_t (*)[2])desc), "r"(type) : "memory", "cc");
	return grt_last_trap.vector;
}

/* Exceptions the guest raises itself, which the hypervisor should leave
 * to the guest's own IDT (not in the exception bitmap, SDM Vol. 3C, 25.2). */
static inline int probe_int3(void)
{
	grt_trap_arm();
	/* #BP is a trap: the saved RIP is the next instruction (label 2). */
	__asm__ volatile("int3\n2:\n" GRT_FIXUP("2b", "2b") : : : "memory");
	return grt_last_trap.vector;
}

static inline int probe_ud2(void)
{
	grt_trap_arm();
	__asm__ volatile(PROBE_ASM("ud2") : : : "memory");
	return grt_last_trap.vector;
}

static inline int probe_div(uint32_t dividend, uint32_t divisor)
{
	uint32_t lo = dividend, hi = 0;
	grt_trap_arm();
	__asm__ volatile(PROBE_ASM("divl %2") : "+a"(lo), "+d"(hi) : "r"(divisor) : "memory", "cc");
	return grt_last_trap.vector;
}

static inline int probe_read64(uint64_t addr, uint64_t *val)
{
	uint64_t v = 0;
	grt_trap_arm();
	__asm__ volatile(PROBE_ASM("movq (%1), %0") : "+r"(v) : "r"(addr) : "memory");
	*val = v;
	return grt_last_trap.vector;
}

#endif
