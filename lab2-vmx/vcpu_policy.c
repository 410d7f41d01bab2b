/*
 * vcpu_policy.c - the CPUID (hypervisor leaves; the rest is inline in
 * vcpu_policy.h), I/O-port and MSR answers a lab-2 guest gets
 * (vcpu_policy.h; the rules are written out for guests in hypercall.h).
 * Nothing here knows VMX: an SVM backend would call the same functions.
 */
#include "percpu.h"   /* MSR_GS_BASE */
#include "printf.h"
#include "string.h"
#include "vcpu_policy.h"
#include "x86.h"


#define MSR_IA32_TSC          0x10
#define MSR_FS_BASE           0xc0000100
#define MSR_KERNEL_GS_BASE    0xc0000102
#define BYTE_BITS             8
#define BYTE_MASK             0xffu

/* Four signature bytes as CPUID returns them in a register (little-endian). */
static uint32_t sig_word(const char *s)
{
	return (uint32_t)(uint8_t)s[0] | (uint32_t)(uint8_t)s[1] << 8 |
	       (uint32_t)(uint8_t)s[2] << 16 | (uint32_t)(uint8_t)s[3] << 24;
}

/* The hypervisor range: hvlab's signature at its first leaf, zeros after. */
void vcpu_cpuid_hypervisor(struct vcpu *v, uint32_t leaf)
{
	bool sig = leaf == HC_CPUID_LEAF;
	v->regs.rax = sig ? VCPU_CPUID_HV_MAX_LEAF : 0;
	v->regs.rbx = sig ? sig_word(HC_CPUID_SIGNATURE) : 0;
	v->regs.rcx = sig ? sig_word(HC_CPUID_SIGNATURE + 4) : 0;
	v->regs.rdx = sig ? sig_word(HC_CPUID_SIGNATURE + 8) : 0;
}

void vcpu_cpuid_ext(struct vcpu *v, uint32_t leaf, const struct cpuid_regs *r)
{
	uint32_t out[4] = { r->eax, r->ebx, r->ecx, r->edx };
	if (v->ext->cpuid)
		v->ext->cpuid(v, leaf, (uint32_t)v->regs.rcx, out);
	v->regs.rax = out[0];
	v->regs.rbx = out[1];
	v->regs.rcx = out[2];
	v->regs.rdx = out[3];
}

static bool port_is_scratch(uint32_t port)
{
	return port >= HC_PORT_SCRATCH && port < HC_PORT_SCRATCH + HC_PORT_SCRATCH_COUNT;
}

/* Say once per port that nothing answers there (the guest may be probing);
 * after VCPU_LOGGED_PORTS different ports, say that logging stops. */
static void log_unclaimed(struct vcpu *v, uint16_t port, const char *dir)
{
	unsigned n = v->nlogged_ports < VCPU_LOGGED_PORTS ? v->nlogged_ports : VCPU_LOGGED_PORTS;
	for (unsigned i = 0; i < n; i++)
		if (v->logged_ports[i] == port)
			return;
	if (v->nlogged_ports > VCPU_LOGGED_PORTS)
		return;
	if (v->nlogged_ports++ == VCPU_LOGGED_PORTS) {
		if (!v->quiet)
			kprintf("[guest %s] more unclaimed I/O ports: no longer logged\n", v->name);
		return;
	}
	v->logged_ports[n] = port;
	if (!v->quiet)
		kprintf("[guest %s] %s of unclaimed I/O port %#x: reads give all ones, "
			"writes are ignored (logged once per port)\n", v->name, dir, port);
}

/* An access of N bytes at port P covers ports P..P+N-1, byte by byte. */
static uint32_t pio_in_policy(struct vcpu *v, uint16_t port, unsigned size);

/* Later labs' devices first (out of lab 2's path: its vCPUs have no hooks). */
static __attribute__((noinline)) uint32_t pio_in_ext(struct vcpu *v, uint16_t port,
						     unsigned size)
{
	uint32_t val;
	if (v->ext->pio_in && v->ext->pio_in(v, port, size, &val) != VCPU_MSR_UNCLAIMED)
		return val;
	return pio_in_policy(v, port, size);
}

uint32_t vcpu_pio_in(struct vcpu *v, uint16_t port, unsigned size)
{
	if (__builtin_expect(v->ext != NULL, 0))
		return pio_in_ext(v, port, size);
	return pio_in_policy(v, port, size);
}

static uint32_t pio_in_policy(struct vcpu *v, uint16_t port, unsigned size)
{
	uint32_t val = 0;
	bool claimed = false;
	for (unsigned i = 0; i < size; i++) {
		uint32_t p = (uint32_t)port + i;
		uint32_t byte = BYTE_MASK;
		if (p == HC_PORT_DEBUG) {
			byte = HC_PORT_DEBUG_READBACK;
			claimed = true;
		} else if (port_is_scratch(p)) {
			byte = v->scratch_port[p - HC_PORT_SCRATCH];
			claimed = true;
		}
		val |= byte << (BYTE_BITS * i);
	}
	if (!claimed)
		log_unclaimed(v, port, "IN");
	return val;
}

static void pio_out_policy(struct vcpu *v, uint16_t port, unsigned size, uint32_t val);

void vcpu_pio_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
	if (__builtin_expect(v->ext != NULL, 0) && v->ext->pio_out &&
	    v->ext->pio_out(v, port, size, val) != VCPU_MSR_UNCLAIMED)
		return;
	pio_out_policy(v, port, size, val);
}

static void pio_out_policy(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
	bool claimed = false;
	for (unsigned i = 0; i < size; i++) {
		uint32_t p = (uint32_t)port + i;
		uint8_t byte = (uint8_t)(val >> (BYTE_BITS * i));
		if (p == HC_PORT_DEBUG) {
			vcpu_console_write(v, (const char *)&byte, 1);
			claimed = true;
		} else if (port_is_scratch(p)) {
			v->scratch_port[p - HC_PORT_SCRATCH] = byte;
			claimed = true;
		}
	}
	if (!claimed)
		log_unclaimed(v, port, "OUT");
}

/*
 * The guest's own MSRs. FS_BASE and GS_BASE are in the VMCS guest area
 * and switched on every entry and exit (24.4.1 "Guest Register State", 27.5.2 "Loading Host Segment and
 * Descriptor-Table Registers"); EFER is switched
 * by the "load IA32_EFER" controls where the CPU has them, and reading it
 * is harmless anyway (writes exit: see below); KERNEL_GS_BASE is not
 * switched by VM entry or exit, but the host never executes SWAPGS, so the
 * guest may own it: the load hook swaps it when vCPUs share a CPU.
 * IA32_TSC reads are the same as RDTSC, which does not exit either.
 */
const struct vcpu_msr_pass vcpu_msr_passthrough[] = {
	{ MSR_EFER, false },
	{ MSR_FS_BASE, false }, { MSR_FS_BASE, true },
	{ MSR_GS_BASE, false }, { MSR_GS_BASE, true },
	{ MSR_KERNEL_GS_BASE, false }, { MSR_KERNEL_GS_BASE, true },
	{ MSR_IA32_TSC, false },
};
const size_t vcpu_msr_passthrough_count =
	sizeof(vcpu_msr_passthrough) / sizeof(vcpu_msr_passthrough[0]);

/*
 * The emulated MSRs (everything that exits): the scratch MSR reads back
 * what was written; IA32_FEATURE_CONTROL reads "locked, VMX off" to match
 * the CPUID that hides VMX; IA32_TSC and EFER writes are forbidden (a
 * guest may not move the host's clock or leave long mode). Anything else
 * is unknown: #GP(0), as a CPU does for an MSR it does not have.
 */
int vcpu_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	if (v->ext && v->ext->msr_read) {
		int rc = v->ext->msr_read(v, msr, val);
		if (rc != VCPU_MSR_UNCLAIMED)
			return rc;
	}
	switch (msr) {
	case HC_MSR_SCRATCH:
		*val = v->scratch_msr;
		return 0;
	case MSR_IA32_FEATURE_CONTROL:
		*val = 1;   /* bit 0 "locked", bits 1-2 (VMX enables) clear */
		return 0;
	case MSR_IA32_TSC:
		*val = rdtsc();
		return 0;
	}
	return -1;
}

int vcpu_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	if (v->ext && v->ext->msr_write) {
		int rc = v->ext->msr_write(v, msr, val);
		if (rc != VCPU_MSR_UNCLAIMED)
			return rc;
	}
	if (msr == HC_MSR_SCRATCH) {
		v->scratch_msr = val;
		return 0;
	}
	return -1;
}
