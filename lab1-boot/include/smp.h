/*
 * smp.h - starting the application processors (APs) and giving them work.
 *
 * The CPUs come from the ACPI MADT. Each AP is woken with INIT-SIPI-SIPI
 * into a trampoline copied below 1 MiB (boot/ap_trampoline.S), climbs from
 * real mode to long mode on the BSP's page tables, and ends in ap_main():
 * it loads the GDT/TSS/IDT, enables its LAPIC and timer, prints
 * "cpu N online (APIC id A)" and idles with interrupts on, waiting for
 * work posted with smp_run_on().
 */
#ifndef HVLAB_SMP_H
#define HVLAB_SMP_H

/* Physical address of the AP trampoline: page-aligned and below 1 MiB,
 * since a STARTUP IPI names a real-mode page (Intel SDM Vol. 3A, 8.4.4). */
#define AP_TRAMPOLINE_BASE 0x8000
/* How far an AP got, written by the trampoline and ap_main() (for the
 * message when an AP does not come up). */
#define AP_STAGE_NONE  0   /* no sign of life: the SIPI did not start it */
#define AP_STAGE_REAL  1   /* running the trampoline in real mode */
#define AP_STAGE_PROT  2   /* in 32-bit protected mode */
#define AP_STAGE_LONG  3   /* in 64-bit mode, about to call ap_main() */
#define AP_STAGE_C     4   /* in ap_main() */

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>

/** Find the CPUs in the MADT and start every AP. After trap_init() and lapic_init(). */
void smp_init(void);
/** How many CPUs have come online (the BSP included). */
int smp_online_count(void);
/**
 * Have online AP @cpu run @fn(@arg) in its idle loop, with interrupts on.
 * Returns 0, or -1 when @cpu is not an online AP or still busy with earlier work.
 */
int smp_run_on(int cpu, void (*fn)(void *), void *arg);
/**
 * Wait up to @timeout_us (PIT time; call on the BSP) for the work given to
 * @cpu to finish. True when it did.
 */
bool smp_wait(int cpu, uint64_t timeout_us);
/** APIC ID that AP @cpu read from its own LAPIC once it was up (tests compare). */
uint32_t smp_reported_apic_id(int cpu);
/** TSC ticks from the INIT IPI until AP @cpu was seen online; 0 for the BSP. */
uint64_t smp_startup_tsc(int cpu);
#endif

#endif
