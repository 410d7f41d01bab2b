/*
 * hypercall.c - the hypercalls of hypercall.h, for every vendor.
 *
 * Each one decodes and checks its arguments first (every guest pointer
 * through guest_mem_ptr, every length and id against its limit) and only
 * then acts on known-good values (seL4's decode/invoke split). A bad
 * argument is the guest's error, returned negated in RAX; it never reaches
 * the hypervisor's memory.
 */
#include "vcpu_policy.h"
#include "x86.h"

#define HC_EXIT_CODE_MAX 255   /* like a process's exit status */

static long hc_version(struct vcpu *v, uint64_t a0, uint64_t a1, uint64_t a2)
{
	(void)v; (void)a0; (void)a1; (void)a2;
	return HC_ABI_VERSION;
}

static long hc_console_write(struct vcpu *v, uint64_t buf, uint64_t len, uint64_t a2)
{
	(void)a2;
	if (len > HC_CONSOLE_MAX)
		return -HC_EINVAL;
	if (len == 0)
		return 0;
	const char *p = vcpu_guest_ptr(v, buf, len);
	if (!p)
		return -HC_EFAULT;
	vcpu_console_write(v, p, len);
	return (long)len;
}

static long hc_exit(struct vcpu *v, uint64_t code, uint64_t a1, uint64_t a2)
{
	(void)a1; (void)a2;
	if (code > HC_EXIT_CODE_MAX)
		return -HC_EINVAL;
	v->exit_code = (long)code;
	vcpu_stop(v, VCPU_STOP_EXIT, "HC_EXIT");
	return 0;
}

static long hc_read_counter(struct vcpu *v, uint64_t counter, uint64_t arg, uint64_t a2)
{
	(void)a2;
	switch (counter) {
	case HC_COUNTER_EXITS:
		return (long)vcpu_exits_total(v);
	case HC_COUNTER_EXITS_REASON:
		return arg < HC_EXIT_KIND_COUNT ? (long)vcpu_exits_of_kind(v, (unsigned)arg) : -HC_EINVAL;
	case HC_COUNTER_TSC:
		return (long)rdtsc();
	}
	return -HC_EINVAL;
}

/* Indexed by hypercall number; a hole or a number past the end is -HC_ENOSYS. */
static long (*const hypercalls[])(struct vcpu *, uint64_t, uint64_t, uint64_t) = {
	[HC_VERSION] = hc_version,
	[HC_CONSOLE_WRITE] = hc_console_write,
	[HC_EXIT] = hc_exit,
	[HC_READ_COUNTER] = hc_read_counter,
};

void vcpu_hypercall(struct vcpu *v)
{
	uint64_t nr = v->regs.rax;
	long ret = -HC_ENOSYS;
	if (nr < sizeof(hypercalls) / sizeof(hypercalls[0]) && hypercalls[nr])
		ret = hypercalls[nr](v, v->regs.rdi, v->regs.rsi, v->regs.rdx);
	v->regs.rax = (uint64_t)ret;
}
