/*
 * ioapic.h - a model of the Intel 82093AA I/O APIC ("82093AA I/O Advanced
 * Programmable Interrupt Controller (IOAPIC)" datasheet, 1996): 24 input
 * pins, each routed by a 64-bit redirection-table entry to a vector on one
 * or more local APICs. Registers are reached indirectly: the guest writes a
 * register index to IOREGSEL (offset 0x00) and reads or writes the register
 * through IOWIN (offset 0x10), 32 bits at a time.
 *
 * Pure logic: devices call ioapic_set_irq() with their line level; an
 * interrupt that leaves a pin is handed to the deliver() callback, which
 * routes it to local APICs (vlapic_match_dest, vlapic_accept). The local
 * APIC's EOI of a level-triggered vector comes back as ioapic_eoi().
 * The caller serialises calls on one ioapic.
 */
#ifndef HVLAB_IOAPIC_H
#define HVLAB_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define IOAPIC_DEFAULT_BASE 0xFEC00000u
#define IOAPIC_MMIO_SIZE    0x20u      /* IOREGSEL and IOWIN; the rest of the 4 KiB is unused */
#define IOAPIC_NPINS        24

/* Direct registers (datasheet 3.0, Table 1). */
#define IOAPIC_IOREGSEL     0x00
#define IOAPIC_IOWIN        0x10

/* Indirect registers (datasheet 3.1, Table 2). */
#define IOAPIC_REG_ID       0x00
#define IOAPIC_REG_VER      0x01
#define IOAPIC_REG_ARB      0x02
#define IOAPIC_REG_REDTBL   0x10      /* pin n: 0x10 + 2n (bits 31:0), 0x11 + 2n (bits 63:32) */

/* Version register: max redirection entry 23 in 23:16, version 0x11 in 7:0. */
#define IOAPIC_VERSION_VALUE 0x00170011u

/* Redirection-table entry bits (datasheet 3.2.4). */
#define IOAPIC_RTE_VECTOR      0xFFull
#define IOAPIC_RTE_DM_SHIFT    8           /* delivery mode 10:8, VLAPIC_DM_* values */
#define IOAPIC_RTE_LOGICAL     (1ull << 11)
#define IOAPIC_RTE_DELIVS      (1ull << 12)  /* delivery status (read-only): always idle here */
#define IOAPIC_RTE_LOW_ACTIVE  (1ull << 13)  /* polarity: 1 = active low */
#define IOAPIC_RTE_REMOTE_IRR  (1ull << 14)  /* read-only */
#define IOAPIC_RTE_LEVEL       (1ull << 15)  /* trigger mode: 1 = level */
#define IOAPIC_RTE_MASKED      (1ull << 16)
#define IOAPIC_RTE_DEST_SHIFT  56

/* deliver(ctx, dest, vector, level_trigger, delivery_mode, dest_mode_logical) */
typedef void (*ioapic_deliver_fn)(void *ctx, uint32_t dest, uint8_t vector, bool level,
				  unsigned mode, bool logical);

struct ioapic {
	uint8_t id;                    /* ID register bits 27:24 */
	uint8_t regsel;                /* IOREGSEL */
	uint64_t rte[IOAPIC_NPINS];
	bool line[IOAPIC_NPINS];       /* each input's electrical level, as the device drives it */
	ioapic_deliver_fn deliver;
	void *ctx;
	uint32_t warned;               /* log-once bits (ioapic.c) */
	uint64_t delivered[IOAPIC_NPINS];  /* interrupts sent per pin (statistics, tests) */
};

/**
 * Reset state (datasheet 3.2.4): every entry masked, every line low,
 * IOREGSEL 0. @id is the 4-bit APIC ID (the MP/ACPI tables' IOAPIC ID).
 */
void ioapic_init(struct ioapic *io, uint8_t id, ioapic_deliver_fn deliver, void *ctx);

/**
 * 32-bit accesses at IOREGSEL (0x00) and IOWIN (0x10). The caller passes
 * the offset into the region and 32-bit values; other offsets read 0 and
 * ignore writes (logged once). Read-only fields (version, arbitration,
 * delivery status, remote IRR) ignore writes; unknown register indexes
 * read 0 and ignore writes (logged once).
 */
uint32_t ioapic_mmio_read(struct ioapic *io, uint32_t offset);
void ioapic_mmio_write(struct ioapic *io, uint32_t offset, uint32_t val);

/** A device drives input @pin (0-23) to @level (true = high). */
void ioapic_set_irq(struct ioapic *io, unsigned pin, bool level);

/**
 * A local APIC's EOI of @vector: clear the remote IRR of the level-
 * triggered pins with that vector, and send again any that is still
 * asserted and unmasked.
 */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

#endif
