/*
 * percpu.h - per-CPU data, reached through the GS base.
 *
 * Each CPU's IA32_GS_BASE points at its own struct cpu, whose first field
 * points at itself, so "mov %gs:0" yields this CPU's record in one load.
 * Later labs hang their per-CPU state (VMXON region, current vCPU, run
 * queue) off the 'lab' slots instead of adding fields here.
 */
#ifndef HVLAB_PERCPU_H
#define HVLAB_PERCPU_H

#include <stdbool.h>
#include <stdint.h>

#define MAX_CPUS 16
#define MSR_GS_BASE 0xc0000101

struct cpu {
	struct cpu *self;      /* must stay first: read through %gs:0 */
	int index;             /* 0 = bootstrap processor */
	uint32_t apic_id;
	volatile bool online;
	volatile uint64_t ticks;   /* LAPIC timer interrupts taken */
	void *stack_top;
	void *lab[6];          /* one slot per lab for its per-CPU state */
};

extern struct cpu cpus[MAX_CPUS];
extern int ncpus;          /* CPUs found in the firmware tables */

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(c));
	return c;
}

/** Point GS base at @c. Called once per CPU before anything takes a lock. */
void percpu_install(struct cpu *c);

#endif
