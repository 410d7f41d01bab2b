/*
 * vcpu_policy.h - what a lab-2 guest sees, decided once for every vendor:
 * the hypercalls (hypercall.c), and the CPUID, I/O-port and MSR answers
 * (vcpu_policy.c). The vendor's exit handlers decode the exit, call these
 * with plain values, then move RIP or inject the fault they ask for.
 * The guest-visible rules are documented in hypercall.h.
 */
#ifndef HVLAB_VCPU_POLICY_H
#define HVLAB_VCPU_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vcpu.h"
#include "x86.h"

/** Run the hypercall in the guest's RAX/RDI/RSI/RDX; the result goes to RAX. */
void vcpu_hypercall(struct vcpu *v);

#define CPUID1_ECX_VMX        (1u << 5)    /* SDM Vol. 2A, CPUID, Table 3-10 */
#define CPUID1_ECX_HYPERVISOR (1u << 31)   /* "running under a hypervisor" */
#define CPUID_EXT1_LEAF       0x80000001u  /* AMD APM Vol. 3, E.4.2 */
#define CPUID_EXT1_ECX_SVM    (1u << 2)
#define CPUID_SVM_LEAF        0x8000000au  /* SVM revision and features (APM 15.4) */
#define VCPU_CPUID_HV_END     0x4fffffffu  /* the leaves reserved for hypervisors */
#define VCPU_CPUID_HV_MAX_LEAF HC_CPUID_LEAF   /* hvlab answers one leaf */

/** The hypervisor leaves (vcpu_policy.c): hvlab's signature, then zeros. */
void vcpu_cpuid_hypervisor(struct vcpu *v, uint32_t leaf);
/** The rest of vcpu_cpuid for vCPUs with later labs' hooks (out of the hot path). */
void vcpu_cpuid_ext(struct vcpu *v, uint32_t leaf, const struct cpuid_regs *r);

/**
 * CPUID for leaf RAX / subleaf RCX as the guest should see it, into
 * RAX-RDX. Leaf 1 hides VMX and leaf 80000001h SVM (every VMX or SVM
 * instruction gets #UD in the guest)
 * and sets the "hypervisor present" bit; the hypervisor range answers with
 * hvlab's signature; every other leaf is the host's own answer. Inline:
 * CPUID is the most frequent exit of ordinary guests.
 */
static inline void vcpu_cpuid(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->regs.rax;
	if (__builtin_expect(leaf - HC_CPUID_LEAF <= VCPU_CPUID_HV_END - HC_CPUID_LEAF, 0)) {
		vcpu_cpuid_hypervisor(v, leaf);
		return;
	}
	struct cpuid_regs r = cpuid(leaf, (uint32_t)v->regs.rcx);
	if (leaf == 1)
		r.ecx = (r.ecx & ~CPUID1_ECX_VMX) | CPUID1_ECX_HYPERVISOR;
	else if (__builtin_expect(leaf == CPUID_EXT1_LEAF, 0))
		r.ecx &= ~CPUID_EXT1_ECX_SVM;
	else if (__builtin_expect(leaf == CPUID_SVM_LEAF, 0))
		r.eax = r.ebx = r.ecx = r.edx = 0;   /* no SVM: its leaf is reserved */
	if (__builtin_expect(v->ext != NULL, 0)) {
		vcpu_cpuid_ext(v, leaf, &r);   /* a later lab adjusts the leaf */
		return;
	}
	/* CPUID writes 32-bit registers: the upper halves become 0. */
	v->regs.rax = r.eax;
	v->regs.rbx = r.ebx;
	v->regs.rcx = r.ecx;
	v->regs.rdx = r.edx;
}

/** IN of @size (1, 2 or 4) bytes from @port. */
uint32_t vcpu_pio_in(struct vcpu *v, uint16_t port, unsigned size);
/** OUT of the low @size bytes of @val to @port. */
void vcpu_pio_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val);

/** RDMSR @msr: 0 with *@val, or -1 when the guest must get #GP(0). */
int vcpu_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
/** WRMSR @msr: 0, or -1 when the guest must get #GP(0). */
int vcpu_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);

/* MSR accesses that run without an exit: the MSR is the guest's own, or
 * switched by the hardware on entry and exit (the vendor builds its MSR
 * bitmap from this list). */
struct vcpu_msr_pass {
	uint32_t msr;
	bool write;      /* false: reads pass; true: writes pass */
};
extern const struct vcpu_msr_pass vcpu_msr_passthrough[];
extern const size_t vcpu_msr_passthrough_count;

#endif
