/*
 * spinlock.h - test-and-test-and-set spinlocks.
 *
 * The _irqsave variants also disable interrupts on this CPU so an interrupt
 * handler cannot deadlock against the code it interrupted. The lock records
 * its owner CPU so that recursion is caught with a message, not a hang.
 */
#ifndef HVLAB_SPINLOCK_H
#define HVLAB_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock {
	volatile uint32_t locked;
	int owner;            /* CPU index holding it, -1 when free */
	uint64_t saved_flags; /* RFLAGS before spin_lock_irqsave */
	const char *name;
};

#define SPINLOCK_INIT(n) { .locked = 0, .owner = -1, .saved_flags = 0, .name = (n) }

void spin_init(struct spinlock *l, const char *name);
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
/** Try once; true when the lock was taken. */
bool spin_trylock(struct spinlock *l);
bool spin_holding(const struct spinlock *l);
void spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l);

#endif
