/*
 * vcpu_exits.c - exit counts by kind: the vendor counts its raw exit
 * reasons on the hot path (v->exit_counts), and these turn them into the
 * kinds both vendors share (hypercall.h, HC_EXIT_*) when someone asks: the
 * HC_COUNTER_EXITS_REASON hypercall and the "exits:" line of vcpu.c.
 */
#include "vcpu.h"

static const char *const exit_kind_names[HC_EXIT_KIND_COUNT] = {
#define KIND_NAME(name, word) [HC_EXIT_##name] = #word,
	HC_EXIT_KINDS(KIND_NAME)
#undef KIND_NAME
};

const char *vcpu_exit_kind_name(unsigned kind)
{
	return kind < HC_EXIT_KIND_COUNT ? exit_kind_names[kind] : "unknown";
}

/* Off the hot path: the exit path counts raw reasons only. */
uint64_t vcpu_exits_of_kind(const struct vcpu *v, unsigned kind)
{
	uint64_t n = 0;
	for (unsigned r = 0; r < VCPU_EXIT_REASONS; r++)
		if (v->exit_counts[r] && v->ops->exit_kind(r) == kind)
			n += v->exit_counts[r];
	return n;
}

