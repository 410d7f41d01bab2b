/*
 * hypercall.h - the hvlab hypercall ABI, shared by the hypervisor and the
 * guests it runs (this header is included by guest code too: no kernel
 * types here).
 *
 * A guest calls the hypervisor with VMCALL on Intel, VMMCALL on AMD (each
 * vendor's instruction exits; the other one raises #UD): CPUID leaf 0's
 * vendor string says which CPU the guest runs on.
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
#define HC_COUNTER_EXITS_REASON 1   /* VM exits of this vCPU of kind = arg (HC_EXIT_*) */
#define HC_COUNTER_TSC          2   /* the host TSC (under Bochs: emulated instructions) */

/*
 * Exit kinds: what a VM exit was, in words both vendors share. The vendor
 * maps its own reason (VMX basic exit reason, SVM exit code) to one of
 * these; HC_COUNTER_EXITS_REASON counts by kind, and the hypervisor's exit
 * line ("exits: 31 (cpuid 2, hlt 1, hypercall 27, io 1)") names them so.
 */
#define HC_EXIT_KINDS(X) \
	X(OTHER, other) X(CPUID, cpuid) X(HLT, hlt) X(HYPERCALL, hypercall) X(IO, io) \
	X(RDMSR, rdmsr) X(WRMSR, wrmsr) X(CR, cr) X(EXCEPTION, exception) X(INTR, intr) \
	X(NMI, nmi) X(TIMER, timer) X(IRQ_WINDOW, irq_window) X(GPA_FAULT, gpa_fault) \
	X(SHUTDOWN, shutdown) X(VIRT_INSN, virt_insn) X(INIT, init) X(INVALID, invalid)
#define HC_EXIT_KIND_ENUM(name, word) HC_EXIT_##name,
#ifndef __ASSEMBLY__
enum hc_exit_kind { HC_EXIT_KINDS(HC_EXIT_KIND_ENUM) HC_EXIT_KIND_COUNT };
#endif

/* Errors (returned negated in RAX). */
#define HC_ENOSYS    38   /* unknown hypercall number */
#define HC_EFAULT    14   /* a pointer outside the guest's memory */
#define HC_EINVAL    22   /* a bad argument (length, counter id) */

#define HC_CONSOLE_MAX 4096 /* longest single console write */

/* The CPUID leaf where hvlab identifies itself (the hypervisor range,
 * 0x40000000): EAX = highest hypervisor leaf, EBX:ECX:EDX = "hvlabhvlabhv". */
#define HC_CPUID_LEAF       0x40000000u
#define HC_CPUID_SIGNATURE  "hvlabhvlabhv"

/* Where every lab-2 guest image is linked and started (guest-virtual). */
#define GUEST_BASE          0x40000000

/*
 * I/O ports the hypervisor answers (IN/OUT and INS/OUTS, any size):
 *  - HC_PORT_DEBUG (0xE9, the Bochs/QEMU "debug console" port): a byte
 *    written is a console byte (printed as HC_CONSOLE_WRITE does, line by
 *    line with the "[guest NAME] " prefix); a read returns 0xE9, so a guest
 *    can test that the port is there.
 *  - HC_PORT_SCRATCH .. + HC_PORT_SCRATCH_COUNT - 1 (0x500-0x503): four
 *    bytes of scratch storage per vCPU for read-after-write tests; an access
 *    of N bytes at port P covers bytes P..P+N-1 (beyond the range: ignored
 *    on write, all ones on read).
 *  - any other port: reads return all ones, writes are ignored, and the
 *    hypervisor logs the first access to each such port once.
 */
#define HC_PORT_DEBUG          0xE9
#define HC_PORT_DEBUG_READBACK 0xE9
#define HC_PORT_SCRATCH        0x500
#define HC_PORT_SCRATCH_COUNT  4

/*
 * MSRs the hypervisor emulates (RDMSR/WRMSR exit; anything else raises #GP
 * in the guest):
 *  - HC_MSR_SCRATCH (0x40000100, in the range reserved for hypervisors):
 *    read/write, 64 bits of per-vCPU storage for read-after-write tests;
 *  - IA32_TSC (0x10): reads pass through, writes raise #GP (forbidden);
 *  - FS_BASE, GS_BASE, KERNEL_GS_BASE: the guest's own values, read and
 *    written without an exit (MSR bitmap clear); KERNEL_GS_BASE is not
 *    switched between guests (lab 3, with several VMs, must switch it);
 *  - IA32_EFER (0xC0000080): reads without an exit; writes raise #GP
 *    (a lab-2 guest may not leave long mode);
 *  - IA32_FEATURE_CONTROL (0x3A): reads return "locked, VMX off", so a
 *    guest sees VMX unavailable; writes raise #GP.
 */
#define HC_MSR_SCRATCH         0x40000100u

#endif
