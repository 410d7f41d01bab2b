/*
 * victim.c - the guest image "lab3-victim" (victim.h): it fills an area of
 * its RAM with a pattern only its seed determines, then re-reads and
 * checksums the whole area every round, while an attacker VM runs beside
 * it. A wrong checksum means someone else wrote its memory.
 *
 * EBX = seed, ECX = rounds (0: VICTIM_ROUNDS_DEFAULT). Exit 0 if every
 * round matched, 1 if one did not, 2 if its RAM cannot hold the area.
 */
#include "grt.h"
#include "grt3.h"
#include "victim.h"

int guest_main(void)
{
	uint32_t seed = grt_boot.ebx;
	uint32_t rounds = grt_boot.ecx ? grt_boot.ecx : VICTIM_ROUNDS_DEFAULT;
	volatile uint64_t *area = (volatile uint64_t *)VICTIM_BASE;
	int bad = 0;

	if (grt_mem_size < VICTIM_RAM_MIN || (uint64_t)__image_end > VICTIM_BASE) {
		gprintf("victim: RAM [0, %#lx) and image [%p, %p) leave no room for [%#llx, %#llx)\n",
			(unsigned long)grt_mem_size, __image_start, __image_end,
			VICTIM_BASE, VICTIM_BASE + VICTIM_BYTES);
		return 2;
	}
	for (uint64_t i = 0; i < VICTIM_WORDS; i++)
		area[i] = victim_word(seed, i);

	uint64_t want = victim_checksum(seed), sum = 0;
	for (uint32_t r = 1; r <= rounds; r++) {
		sum = victim_checksum_words(area, VICTIM_WORDS);
		if (sum != want) {
			gprintf("victim: round %u: checksum %#llx, expected %#llx (seed %#x)\n",
				r, (unsigned long long)sum, (unsigned long long)want, seed);
			bad = 1;
		}
	}
	gprintf("victim: checksum %#llx after %u rounds%s\n", (unsigned long long)sum, rounds,
		bad ? ": MISMATCH" : "");
	return bad;
}
