/*
 * spinlock.c - test-and-test-and-set locks with owner tracking.
 */
#include "spinlock.h"
#include "panic.h"
#include "percpu.h"
#include "x86.h"

void spin_init(struct spinlock *l, const char *name)
{
	l->locked = 0;
	l->owner = -1;
	l->name = name;
}

bool spin_holding(const struct spinlock *l)
{
	return l->locked && l->owner == this_cpu()->index;
}

bool spin_trylock(struct spinlock *l)
{
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		return false;
	l->owner = this_cpu()->index;
	return true;
}

void spin_lock(struct spinlock *l)
{
	if (spin_holding(l))
		panic("spin_lock: cpu %d already holds lock '%s'", l->owner, l->name);
	for (;;) {
		if (spin_trylock(l))
			return;
		/* Spin on a plain read so waiting CPUs don't bounce the line. */
		while (l->locked)
			cpu_relax();
	}
}

void spin_unlock(struct spinlock *l)
{
	if (!spin_holding(l))
		panic("spin_unlock: lock '%s' not held by this cpu", l->name);
	l->owner = -1;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

void spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = read_rflags();
	cli();
	spin_lock(l);
	l->saved_flags = flags;
}

void spin_unlock_irqrestore(struct spinlock *l)
{
	uint64_t flags = l->saved_flags;
	spin_unlock(l);
	if (flags & (1u << 9))  /* RFLAGS.IF */
		sti();
}
