/*
 * victim.h - the victim VM of lab 3's isolation suite, shared by the guest
 * (guest/victim.c, image "lab3-victim") and the hypervisor test that
 * judges the attacks (attacks.h).
 *
 * The victim fills VICTIM_BYTES of its RAM at guest-physical VICTIM_BASE
 * with victim_word(seed, i), then in each round re-reads the whole area
 * and checksums it. Any byte an attacker changes shows up as a wrong
 * checksum, in the guest's own rounds and when the host recomputes the
 * checksum over the victim's RAM after the attack.
 *
 * Start arguments (vm.h, "What a lab-3 guest finds at start"):
 *   EBX = seed, ECX = rounds (0: VICTIM_ROUNDS_DEFAULT).
 * Exit code: 0 if every round matched victim_checksum(seed), 1 if one did
 * not, 2 if its RAM is too small to hold the area. It prints
 *   "victim: checksum 0x... after N rounds".
 *
 * Header-only and free of kernel types: the guest and the kernel both
 * include it.
 */
#ifndef HVLAB_VICTIM_H
#define HVLAB_VICTIM_H

#include <stddef.h>
#include <stdint.h>

#define VICTIM_BASE            0x100000ull   /* guest-physical, above the image */
#define VICTIM_BYTES           0x40000ull
#define VICTIM_WORDS           (VICTIM_BYTES / 8)
#define VICTIM_ROUNDS_DEFAULT  4
#define VICTIM_RAM_MIN         (VICTIM_BASE + VICTIM_BYTES)

/*
 * Word @i of the area for @seed: the seed in both halves, xored with i
 * times the golden-ratio constant, then splitmix64's finalizer, so that
 * neighbouring words and neighbouring seeds differ in about half their bits.
 */
static inline uint64_t victim_word(uint32_t seed, uint64_t i)
{
	uint64_t z = (((uint64_t)seed << 32) | seed) ^ (i * 0x9e3779b97f4a7c15ull);

	z ^= z >> 30;
	z *= 0xbf58476d1ce4e5b9ull;
	z ^= z >> 27;
	z *= 0x94d049bb133111ebull;
	z ^= z >> 31;
	return z;
}

/* One step of the checksum: rotate left by one, xor the next word. The
 * rotation makes the sum depend on the order of the words. */
static inline uint64_t victim_checksum_step(uint64_t sum, uint64_t word)
{
	return ((sum << 1) | (sum >> 63)) ^ word;
}

/** The checksum of @n words as they are in memory (the guest's rounds, the host's check). */
static inline uint64_t victim_checksum_words(const volatile uint64_t *w, size_t n)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum = victim_checksum_step(sum, w[i]);
	return sum;
}

/** The checksum the area must have for @seed: over victim_word(seed, 0 .. VICTIM_WORDS-1). */
static inline uint64_t victim_checksum(uint32_t seed)
{
	uint64_t sum = 0;

	for (uint64_t i = 0; i < VICTIM_WORDS; i++)
		sum = victim_checksum_step(sum, victim_word(seed, i));
	return sum;
}

#endif
