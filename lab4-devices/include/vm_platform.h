/*
 * vm_platform.h - the PC a lab-4 VM sees: its devices, their port-I/O and
 * MMIO registrations, interrupt routing, and guest time.
 *
 *   vm = vm_create(&(struct vm_config){ .blank = true, .ram_size = ... });
 *   platform_attach(vm, &pc);        the devices, wired to ports, MMIO, IRQs
 *   ...load a guest (multiboot_load.h, bzimage.h), set its start state...
 *   vcpu_run(vm->vcpu);              exits reach the devices; interrupts are injected
 *   vm_destroy(vm);                  the platform goes with it
 *
 * The exit path only looks devices up: pio_register() fills a table the
 * I/O exit searches, lab 3's mmio_register() the MMIO regions. A port no
 * device claims reads all ones and ignores writes, logged once per port
 * (lab 2's policy, as on a PC with nothing there).
 *
 * Time: devices count guest time in nanoseconds, platform_now_ns(), from
 * the TSC (under Bochs with sync=none, emulated instructions at the rate
 * the host calibrated against its PIT). The next device deadline bounds
 * the VMX-preemption timer's slice, so a timer interrupt is delivered on
 * time even while the guest spins or halts.
 */
#ifndef HVLAB_VM_PLATFORM_H
#define HVLAB_VM_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>
#include "guest_load.h"
#include "vm.h"

/* ISA interrupt lines of the PC (PIC inputs; I/O APIC pins through the MP table). */
#define IRQ_PIT   0
#define IRQ_COM1  4
#define IRQ_RTC   8

/* Where the platform puts things (guest-physical). */
#define PLATFORM_LAPIC_BASE  0xFEE00000ull
#define PLATFORM_IOAPIC_BASE 0xFEC00000ull
#define PLATFORM_MPTABLE_GPA 0xF0000ull
#define PLATFORM_ACPI_GPA    0xE0000ull
/* A Linux guest's command line ends with this parameter, whose 20 digits
 * are written with the TSC just before the kernel's first instruction:
 * its /init reads /proc/cmdline and measures its boot (make bench-linux).
 * Linux ignores parameters with a dot that name no module. */
#define BOOT_TSC_PARAM       " hvlab.tsc0="
#define BOOT_TSC_DIGITS      20

struct platform_config {
	uint64_t unix_time;      /* the RTC's time at start */
	unsigned ncpus;          /* fw_cfg's CPU count (one vCPU runs) */
	bool console_raw;        /* the UART's bytes go to the host console as they come */
	bool host_input;         /* the host's serial input goes to the guest's UART */
	bool mptable;            /* write an MP table (the guest may then use its APICs) */
	bool acpi;               /* write ACPI tables: RSDP, FADT (hardware-reduced), MADT */
};

typedef uint32_t (*pio_read_fn)(void *dev, uint16_t port, unsigned size);
typedef void (*pio_write_fn)(void *dev, uint16_t port, unsigned size, uint32_t val);

/**
 * Give @vm a PC: PIC pair, PIT, RTC, 16550 UART (COM1), local APIC and
 * I/O APIC, fw_cfg, the debug-exit and shutdown ports, PCI configuration
 * space with a host bridge, reset through 0xCF9 and the keyboard
 * controller. Takes over vm->vcpu's hooks (lab 3's chained). 0, or -1
 * after saying why (nothing is left allocated).
 */
int platform_attach(struct vm *vm, const struct platform_config *pc);
/** @vm's RAM as the loaders write it (guest_load.h). */
void platform_guest_ram(struct vm *vm, struct guest_ram *ram);
/** The guest's command line: what follows " -- " on hvlab's (an empty string if nothing). */
const char *platform_guest_args(void);
/** @buf = @args + BOOT_TSC_PARAM + BOOT_TSC_DIGITS zeros; the digits' offset in it, or -1 if too long. */
int platform_args_with_tsc(char *buf, size_t n, const char *args);
/** Write @tsc as BOOT_TSC_DIGITS decimal digits at @digits. */
void platform_stamp_tsc(char *digits, uint64_t tsc);
/** Sample @vm's exit counts every @every TSC ticks; platform_print_stats prints them. */
void platform_exitlog(struct vm *vm, uint64_t every);
/** One line: guest time, interrupts injected, MMIO exits, timer interrupts. */
void platform_print_stats(const struct vm *vm);
/** Free what platform_attach took (vm_destroy calls it). */
void platform_detach(struct vm *vm);

/** Claim ports [@base, @base + @count) for a device; 0, or -1 said why (overlap, table full). */
int pio_register(struct vm *vm, uint16_t base, uint16_t count, pio_read_fn rd, pio_write_fn wr,
		 void *dev, const char *name);

/** Drive ISA IRQ line @irq (0-15) of @vm: to the PIC and, through the MP table's routing, the I/O APIC. */
void platform_set_irq(struct vm *vm, unsigned irq, bool level);
/** Guest time in nanoseconds. */
uint64_t platform_now_ns(const struct vm *vm);
/** The host TSC's rate (calibrated once against the PIT). */
uint64_t platform_tsc_hz(void);

/* What the vendor's event layer asks (vmx_events.c). */
/** An interrupt is waiting for the guest (the local APIC's, or the PIC's through LINT0). */
bool platform_has_interrupt(struct vm *vm);
/**
 * The guest takes it now: the controller moves it to in-service (the
 * PIC's INTA cycle, the APIC's IRR to ISR) and says its vector; -1 when it
 * went away meanwhile.
 */
int platform_take_vector(struct vm *vm);
/** Bring every device up to now (timers fire, input arrives). */
void platform_update(struct vm *vm);

#endif
