/*
 * pit.c - one-shot countdowns on PIT channel 2 (see pit.h).
 * Intel 8254 data sheet: mode 0 "interrupt on terminal count" sets OUT low
 * when the count is written and high when it reaches zero.
 */
#include "panic.h"
#include "pit.h"
#include "x86.h"

#define PIT_CH2       0x42
#define PIT_CMD       0x43
#define PORT_B        0x61          /* system control port B */
#define PORT_B_GATE2  (1u << 0)     /* channel 2 gate */
#define PORT_B_SPKR   (1u << 1)     /* speaker data enable: keep off */
#define PORT_B_OUT2   (1u << 5)     /* channel 2 output, read-only */
/* Command: channel 2, access lobyte/hibyte, mode 0, binary. */
#define PIT_CMD_CH2_MODE0 0xb0

void pit_oneshot_start(uint32_t us)
{
	if (us == 0 || us > PIT_MAX_US)
		panic("pit_oneshot_start: %u us outside 1..%u", us, PIT_MAX_US);
	uint32_t count = (uint32_t)(((uint64_t)us * PIT_HZ + 999999) / 1000000);

	/* Gate low while programming, speaker off; the rising gate and the
	 * count write start the countdown. */
	uint8_t b = inb(PORT_B) & ~(PORT_B_GATE2 | PORT_B_SPKR);
	outb(PORT_B, b);
	outb(PIT_CMD, PIT_CMD_CH2_MODE0);
	outb(PIT_CH2, (uint8_t)count);
	outb(PIT_CH2, (uint8_t)(count >> 8));
	outb(PORT_B, b | PORT_B_GATE2);
}

bool pit_oneshot_done(void)
{
	return inb(PORT_B) & PORT_B_OUT2;
}

void pit_delay_us(uint64_t us)
{
	while (us) {
		uint32_t step = us > PIT_MAX_US ? PIT_MAX_US : (uint32_t)us;
		pit_oneshot_start(step);
		while (!pit_oneshot_done())
			cpu_relax();
		us -= step;
	}
}
