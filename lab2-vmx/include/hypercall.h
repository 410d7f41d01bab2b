/*
 * hypercall.h - the hvlab hypercall ABI, shared by the hypervisor and the
 * guests it runs (this header is included by guest code too: no kernel
 * types here).
 *
 * A guest calls the hypervisor with VMCALL (Intel; VMMCALL on AMD):
 *   RAX = hypercall number, RDI, RSI, RDX = arguments;
 *   the result comes back in RAX (negative = error, HC_E*), other GPRs are
 *   preserved. RIP advances past the VMCALL.
 * Pointers are guest-virtual addresses; the hypervisor translates and
 * bounds-checks them against the guest's memory and refuses anything else.
 */
#ifndef HVLAB_HYPERCALL_H
#define HVLAB_HYPERCALL_H

#define HC_ABI_VERSION      1

#define HC_VERSION          0   /* () -> HC_ABI_VERSION */
#define HC_CONSOLE_WRITE    1   /* (const char *buf, unsigned long len) -> bytes written */
#define HC_EXIT             2   /* (long code) -> does not return: the vCPU stops */
#define HC_READ_COUNTER     3   /* (unsigned long counter, unsigned long arg) -> value */

/* Counters for HC_READ_COUNTER. */
#define HC_COUNTER_EXITS        0   /* VM exits of this vCPU so far, all reasons */
#define HC_COUNTER_EXITS_REASON 1   /* VM exits of this vCPU with basic reason = arg */
#define HC_COUNTER_TSC          2   /* the host TSC (under Bochs: emulated instructions) */

/* Errors (returned negated in RAX). */
#define HC_ENOSYS    38   /* unknown hypercall number */
#define HC_EFAULT    14   /* a pointer outside the guest's memory */
#define HC_EINVAL    22   /* a bad argument (length, counter id) */

#define HC_CONSOLE_MAX 4096 /* longest single console write */

/* The CPUID leaf where hvlab identifies itself (the hypervisor range,
 * 0x40000000): EAX = highest hypervisor leaf, EBX:ECX:EDX = "hvlabhvlabhv". */
#define HC_CPUID_LEAF       0x40000000u
#define HC_CPUID_SIGNATURE  "hvlabhvlabhv"

#endif
