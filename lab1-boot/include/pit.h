/*
 * pit.h - delays measured by the 8254 PIT's channel 2.
 *
 * Channel 2 is the one channel software can both start (its gate is bit 0
 * of port 0x61) and watch (its output is bit 5 of port 0x61) without
 * taking an interrupt, which makes it the classic reference for
 * calibrating other timers and for the INIT-SIPI-SIPI delays. Under Bochs
 * with "clock: sync=none" the PIT runs on emulated time (ips instructions
 * per second), so these delays are deterministic there.
 */
#ifndef HVLAB_PIT_H
#define HVLAB_PIT_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ 1193182u   /* the PIT's input clock */

/** Start a one-shot countdown of @us microseconds (at most PIT_MAX_US). */
void pit_oneshot_start(uint32_t us);
/** True once the countdown started by pit_oneshot_start() has reached zero. */
bool pit_oneshot_done(void);
/** Busy-wait @us microseconds (any length; chained one-shots). */
void pit_delay_us(uint64_t us);

#define PIT_MAX_US 50000u  /* 16-bit count: about 54.9 ms at PIT_HZ */

#endif
