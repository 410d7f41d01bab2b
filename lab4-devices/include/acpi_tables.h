/*
 * acpi_tables.h - the smallest ACPI tables that let an operating system
 * find a PC's interrupt controllers: RSDP -> RSDT/XSDT -> FADT (with an
 * empty DSDT) and MADT. Written into guest memory by a loader, the way
 * firmware leaves them (ACPI 6.x: 5.2.5 RSDP, 5.2.7 RSDT, 5.2.8 XSDT,
 * 5.2.9 FADT, 5.2.12 MADT).
 *
 * The FADT lists only the fixed hardware the virtual PC has: the PM1a
 * event and control registers (ports.c), an SCI on IRQ 9 that never
 * fires, no PM timer; the system is already in ACPI mode (no SMI command
 * port), and the DSDT holds no AML. ("Hardware-reduced" ACPI would need
 * none of that, but Linux then sets up no ISA interrupts: no serial IRQ.)
 * A kernel then uses the local APIC and the I/O APIC the MADT lists, with
 * the PIT's IRQ 0 on GSI 2 (an interrupt source override, as on every PC).
 *
 * Pure logic: the tables are built in a buffer and written through the
 * loader's guest_ram; unit-tested on the host.
 */
#ifndef HVLAB_ACPI_TABLES_H
#define HVLAB_ACPI_TABLES_H

#include <stddef.h>
#include <stdint.h>
#include "guest_load.h"

#define ACPI_TABLES_MAX   1024        /* bytes they take, all of them */
#define ACPI_OEM_ID       "HVLAB "

struct acpi_config {
	unsigned ncpus;                   /* local APICs 0..ncpus-1 */
	uint32_t lapic_addr;              /* 0xFEE00000 */
	uint8_t ioapic_id;
	uint32_t ioapic_addr;             /* 0xFEC00000 */
	uint16_t pm1a_evt_port, pm1a_cnt_port;   /* the PM1a register blocks */
};

/**
 * Write the tables at guest-physical @gpa (16-byte aligned, in
 * [0xE0000, 0x100000) where an OS looks for the RSDP, and below 4 GiB).
 * 0, or -1 with a message in @err.
 */
int acpi_tables_build(const struct guest_ram *ram, uint64_t gpa, const struct acpi_config *c,
		      char *err, size_t errlen);

#endif
