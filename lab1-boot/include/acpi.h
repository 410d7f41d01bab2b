/*
 * acpi.h - finding the CPUs in the firmware's ACPI tables.
 *
 * The BIOS leaves a Root System Description Pointer (RSDP) in low memory;
 * it points to the RSDT (32-bit table addresses) or, from ACPI 2.0, the
 * XSDT (64-bit). One of the tables those list is the MADT (signature
 * "APIC"), with one entry per processor's local APIC.
 * ACPI Specification 6.5: 5.2.5 (RSDP), 5.2.6 (headers), 5.2.7-8 (RSDT,
 * XSDT), 5.2.12 (MADT).
 *
 * This module is pure logic: physical memory is reached only through the
 * struct acpi_phys mapper the caller passes, so the host unit tests
 * (tests/unit/test_acpi.c) feed it tables built in a buffer, broken ones
 * included. In the kernel the mapper is the identity map (smp.c).
 */
#ifndef HVLAB_ACPI_H
#define HVLAB_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "percpu.h"

struct acpi_rsdp {
	char signature[8];       /* "RSD PTR " */
	uint8_t checksum;        /* the first 20 bytes sum to 0 */
	char oem_id[6];
	uint8_t revision;        /* 0: ACPI 1.0, RSDT only; 2: XSDT as well */
	uint32_t rsdt_address;
	uint32_t length;         /* revision >= 2 from here on */
	uint64_t xsdt_address;
	uint8_t ext_checksum;    /* all 'length' bytes sum to 0 */
	uint8_t reserved[3];
} __attribute__((packed));

#define ACPI_RSDP_V1_LEN 20

struct acpi_sdt_header {
	char signature[4];
	uint32_t length;         /* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum;        /* all 'length' bytes sum to 0 */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

struct acpi_madt {
	struct acpi_sdt_header h;
	uint32_t lapic_address;  /* physical address of every CPU's local APIC */
	uint32_t flags;          /* bit 0: PC-AT-compatible 8259 PICs present */
	/* followed by variable-length entries, each starting with type, length */
} __attribute__((packed));

#define MADT_TYPE_LAPIC          0
#define MADT_TYPE_LAPIC_OVERRIDE 5
#define MADT_TYPE_X2APIC         9
#define MADT_CPU_ENABLED         (1u << 0)
#define MADT_CPU_ONLINE_CAPABLE  (1u << 1)

struct acpi_madt_entry {
	uint8_t type;
	uint8_t length;          /* of this entry, type and length included */
} __attribute__((packed));

struct acpi_madt_lapic {          /* type 0: Processor Local APIC, 5.2.12.2 */
	uint8_t type, length;
	uint8_t acpi_uid;
	uint8_t apic_id;
	uint32_t flags;
} __attribute__((packed));

struct acpi_madt_lapic_override { /* type 5: 64-bit LAPIC address, 5.2.12.8 */
	uint8_t type, length;
	uint16_t reserved;
	uint64_t address;
} __attribute__((packed));

struct acpi_madt_x2apic {         /* type 9: Processor Local x2APIC, 5.2.12.12 */
	uint8_t type, length;
	uint16_t reserved;
	uint32_t x2apic_id;
	uint32_t flags;
	uint32_t acpi_uid;
} __attribute__((packed));

/* What the MADT says about the CPUs. */
struct acpi_madt_info {
	uint64_t lapic_base;     /* MADT address, or its 64-bit override */
	uint32_t flags;          /* the MADT's flags */
	int ncpus;               /* enabled CPUs listed in apic_id[] (MADT order) */
	uint32_t apic_id[MAX_CPUS];
	int disabled;            /* CPU entries without the Enabled flag */
	int dropped;             /* enabled CPUs not recorded: beyond MAX_CPUS,
				    or x2APIC ids the xAPIC cannot address (> 254) */
};

enum acpi_error {
	ACPI_OK = 0,
	ACPI_ERR_NO_RSDP = -1,   /* no RSDP with a valid checksum where it may be */
	ACPI_ERR_UNMAPPED = -2,  /* a table lies outside the memory the mapper reaches */
	ACPI_ERR_CHECKSUM = -3,  /* a table's bytes do not sum to 0 */
	ACPI_ERR_LENGTH = -4,    /* a length too small, or an entry past the table's end */
	ACPI_ERR_NO_TABLE = -5,  /* the RSDT/XSDT lists no table with that signature */
	ACPI_ERR_SIGNATURE = -6, /* a table is not the one expected */
};

/* The caller's window on physical memory. */
struct acpi_phys {
	/** A pointer through which @len bytes at physical @pa can be read, or NULL. */
	const void *(*map)(void *ctx, uint64_t pa, uint64_t len);
	void *ctx;
};

/** What an acpi_error means, for messages. */
const char *acpi_strerror(int err);
/** True when the @len bytes at @p sum to 0 modulo 256. */
bool acpi_checksum_ok(const void *p, size_t len);
/**
 * Look for the RSDP on the 16-byte boundaries of [@start, @start + @len).
 * On success store its physical address in *@rsdp_pa and return ACPI_OK.
 */
int acpi_find_rsdp(const struct acpi_phys *m, uint64_t start, uint64_t len, uint64_t *rsdp_pa);
/**
 * Look where a PC BIOS puts the RSDP (ACPI 6.5, 5.2.5.1): the first KiB of
 * the Extended BIOS Data Area (segment at 0x40E), then 0xE0000-0xFFFFF.
 */
int acpi_find_rsdp_bios(const struct acpi_phys *m, uint64_t *rsdp_pa);
/**
 * Find the table with signature @sig (4 characters) through the XSDT
 * (revision >= 2) or the RSDT. Checks every checksum on the way. On
 * success stores the table's address and length.
 */
int acpi_find_table(const struct acpi_phys *m, uint64_t rsdp_pa, const char *sig,
		    uint64_t *table_pa, uint32_t *table_len);
/** Decode the MADT at @madt (@len bytes, already checksummed) into @info. */
int acpi_parse_madt(const void *madt, uint32_t len, struct acpi_madt_info *info);

#endif
