/*
 * mptable.h - the Intel MultiProcessor Specification (version 1.4) tables
 * a BIOS leaves in memory, so that a guest without ACPI (Linux with
 * acpi=off) finds its CPUs, its I/O APIC and how the ISA interrupts are
 * wired to it.
 *
 * MP spec 1.4, chapter 4: an MP floating pointer structure ("_MP_", 16
 * bytes, 16-byte aligned) in one of the areas an OS searches (the BIOS
 * ROM area 0xF0000-0xFFFFF; the last KiB of base memory), pointing at an
 * MP configuration table ("PCMP"): a header, then entries sorted by type:
 * processors, buses, I/O APICs, I/O interrupt assignments, local
 * interrupt assignments.
 *
 * What hvlab's PC looks like through it: CPUs with local APIC IDs 0..n-1
 * (CPU 0 the bootstrap processor), one ISA bus, one I/O APIC; ISA IRQs
 * 0-15 on I/O APIC pins of the same number except IRQ 0 (the PIT) on pin
 * 2, as on PCs, and IRQ 2 (the PIC cascade) not connected; LINT0 of every
 * local APIC takes ExtINT (the 8259 in virtual wire mode), LINT1 NMI.
 * The floating pointer's IMCRP bit is clear: virtual wire mode, no IMCR.
 */
#ifndef HVLAB_MPTABLE_H
#define HVLAB_MPTABLE_H

#include <stddef.h>
#include <stdint.h>
#include "guest_load.h"

#define MPTABLE_DEFAULT_GPA  0xF0000ull     /* the BIOS area Linux searches */
#define MPTABLE_LAPIC_ADDR   0xFEE00000u    /* local APIC MMIO base in the header */
#define MPTABLE_LAPIC_VER    0x14           /* integrated xAPIC */
#define MPTABLE_IOAPIC_VER   0x11           /* 82093AA */
#define MPTABLE_MAX_CPUS     254            /* local APIC IDs 0..253; 0xFF is broadcast */

/* Entry types and their sizes (MP spec 4.3, table 4-3). */
#define MP_ENTRY_PROCESSOR   0
#define MP_ENTRY_BUS         1
#define MP_ENTRY_IOAPIC      2
#define MP_ENTRY_IOINT       3
#define MP_ENTRY_LINT        4
#define MP_INT_INT           0              /* interrupt types (table 4-9) */
#define MP_INT_NMI           1
#define MP_INT_EXTINT        3
#define MP_CPU_EN            (1u << 0)      /* processor entry flags */
#define MP_CPU_BP            (1u << 1)

/**
 * Bytes the floating pointer and configuration table take for @ncpus CPUs.
 */
uint64_t mptable_size(unsigned ncpus);

/**
 * Write the MP floating pointer at @gpa (16-byte aligned, in
 * [0xF0000, 0x100000) or [0x9FC00, 0xA0000), where Linux looks) and the
 * configuration table right after it, for @ncpus CPUs (1..254), an I/O
 * APIC with ID @ioapic_id (0..254; it may equal a CPU's local APIC ID:
 * xAPIC IDs of the two kinds do not share a bus) at @ioapic_addr.
 * Returns 0, or -1 with a message in @err (@n bytes).
 */
int mptable_build(const struct guest_ram *ram, uint64_t gpa, unsigned ncpus, uint8_t ioapic_id,
		  uint32_t ioapic_addr, char *err, size_t n);

#endif
