/*
 * percpu.c - the per-CPU records.
 */
#include "percpu.h"
#include "x86.h"

struct cpu cpus[MAX_CPUS];
int ncpus = 1;

void percpu_install(struct cpu *c)
{
	c->self = c;
	wrmsr(MSR_GS_BASE, (uint64_t)c);
}
