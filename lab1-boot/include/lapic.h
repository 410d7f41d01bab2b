/*
 * lapic.h - the local APIC (xAPIC mode, memory-mapped registers).
 *
 * Each CPU has its own LAPIC at the same physical address (the base in
 * IA32_APIC_BASE, normally 0xFEE00000, identity-mapped uncached). It
 * delivers the timer interrupt and the inter-processor interrupts (IPIs)
 * that start and signal the other CPUs. Intel SDM Vol. 3A, chapter 10.
 *
 * Timer: periodic, LAPIC_TIMER_HZ interrupts per second on vector
 * T_IRQ_TIMER, each adding one to this CPU's struct cpu.ticks. The count
 * per period is calibrated once, on the BSP, against PIT channel 2.
 */
#ifndef HVLAB_LAPIC_H
#define HVLAB_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define LAPIC_TIMER_HZ 100    /* timer interrupts per second on every CPU */

/** On the BSP: mask the 8259 PIC, enable the LAPIC, calibrate and start the timer. */
void lapic_init(void);
/** On an AP: enable its LAPIC and start its timer with the BSP's calibration. */
void lapic_init_ap(void);
/** This CPU's APIC ID (bits 31:24 of the ID register). */
uint32_t lapic_id(void);
/** Signal end of interrupt for the vector being serviced. */
void lapic_eoi(void);
/** Send fixed-delivery @vector to the CPU with APIC ID @apic_id. */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
/** Send fixed-delivery @vector to this CPU (the "self" shorthand). */
void lapic_send_self_ipi(uint8_t vector);
/** Send an INIT IPI (assert) to @apic_id: the target resets and waits for a SIPI. */
void lapic_send_init(uint32_t apic_id);
/** Send a STARTUP IPI: the target starts in real mode at @page * 4096 (page < 256). */
void lapic_send_sipi(uint32_t apic_id, uint8_t page);
/** Timer count per period (bus clock / 16), as calibrated; 0 before lapic_init. */
uint32_t lapic_timer_count(void);
/**
 * Program this CPU's timer: periodic, @vector, divide by 16, @count per
 * period (Intel SDM Vol. 3A, 10.5.4).
 */
void lapic_timer_periodic(uint8_t vector, uint32_t count);
/** True when the LAPIC reports @vector in service (ISR bit), for tests. */
bool lapic_in_service(uint8_t vector);

#endif
