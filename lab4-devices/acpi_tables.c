/*
 * acpi_tables.c - RSDP, RSDT, XSDT, a hardware-reduced FADT, an empty DSDT
 * and the MADT (acpi_tables.h). Offsets and fields: ACPI 6.x
 * specification, chapter 5.2 (the tables' own sections cited below).
 */
#include "acpi_tables.h"
#include "printf.h"
#include "string.h"

#define SDT_HEADER     36              /* 5.2.6 System Description Table Header */
#define RSDP_LEN       36              /* 5.2.5.3, revision 2 */
#define RSDP_V1_LEN    20              /* what the first checksum covers */
#define FADT_LEN       276             /* 5.2.9, revision 6 */
#define FADT_REVISION  6
#define FADT_FACS      36              /* FIRMWARE_CTRL */
#define FADT_DSDT      40
#define FADT_SCI_INT   46
#define FADT_PM1A_EVT  56
#define FADT_PM1A_CNT  64
#define FADT_PM1_EVT_LEN 88
#define FADT_PM1_CNT_LEN 89
#define FADT_BOOT_ARCH 109             /* IAPC_BOOT_ARCH, 2 bytes */
#define FADT_FLAGS     112
#define FADT_MINOR     131
#define FADT_X_DSDT    140
#define FADT_WBINVD    (1u << 0)       /* Table 5.10 flags */
#define FADT_NO_PWR_BUTTON (1u << 4)
#define FADT_NO_SLP_BUTTON (1u << 5)
#define FACS_LEN       64              /* 5.2.10 */
#define SCI_IRQ        9
#define ISO_ACTIVE_HIGH 0x1            /* Table 5.50 MPS INTI flags: polarity 01 */
#define ISO_LEVEL      0xc             /* trigger mode 11 */
#define BOOT_ARCH_8042 (1u << 1)       /* Table 5.11: an 8042 keyboard controller */
#define MADT_PCAT_COMPAT 1u            /* 5.2.12, Table 5.44: dual 8259 present */
#define MADT_LAPIC     0               /* Table 5.45 entry types */
#define MADT_IOAPIC    1
#define MADT_ISO       2
#define MADT_LAPIC_NMI 4
#define ISA_IRQ_PIT    0
#define GSI_PIT        2               /* the PIT's IRQ 0 is on pin 2 of the I/O APIC */
#define ALL_PROCESSORS 0xff
#define NMI_LINT       1

/* Where each table goes, from the start. */
#define OFF_RSDP 0x000
#define OFF_RSDT 0x030
#define OFF_XSDT 0x060
#define OFF_FADT 0x0a0
#define OFF_DSDT 0x1c0
#define OFF_MADT 0x1f0
#define OFF_FACS 0x300                 /* 64-byte aligned (5.2.10) */

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* The byte that makes @len bytes sum to 0 (5.2.5.3, 5.2.6). */
static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return (uint8_t)-sum;
}

static void sdt_header(uint8_t *t, const char sig[4], uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, ACPI_OEM_ID, 6);
	memcpy(t + 16, "HVLABPC ", 8);     /* OEM table ID */
	put32(t + 24, 1);                   /* OEM revision */
	memcpy(t + 28, "HVLB", 4);          /* creator ID */
	put32(t + 32, 1);                   /* creator revision */
}

static void sdt_seal(uint8_t *t, uint32_t len)
{
	t[9] = 0;
	t[9] = checksum(t, len);
}

/* MADT: the local APICs, the I/O APIC, IRQ 0 on GSI 2, the SCI, NMI on LINT1 (5.2.12). */
static uint32_t build_madt(uint8_t *t, const struct acpi_config *c)
{
	uint32_t n = SDT_HEADER + 8;
	put32(t + SDT_HEADER, c->lapic_addr);
	put32(t + SDT_HEADER + 4, MADT_PCAT_COMPAT);
	for (unsigned cpu = 0; cpu < c->ncpus; cpu++) {
		uint8_t *e = t + n;
		e[0] = MADT_LAPIC;
		e[1] = 8;
		e[2] = (uint8_t)cpu;        /* ACPI processor UID */
		e[3] = (uint8_t)cpu;        /* APIC ID */
		put32(e + 4, 1);            /* enabled */
		n += 8;
	}
	uint8_t *io = t + n;
	io[0] = MADT_IOAPIC;
	io[1] = 12;
	io[2] = c->ioapic_id;
	io[3] = 0;
	put32(io + 4, c->ioapic_addr);
	put32(io + 8, 0);                   /* GSI base */
	n += 12;
	uint8_t *iso = t + n;
	iso[0] = MADT_ISO;
	iso[1] = 10;
	iso[2] = 0;                         /* ISA */
	iso[3] = ISA_IRQ_PIT;
	put32(iso + 4, GSI_PIT);
	put16(iso + 8, 0);                  /* polarity and trigger: as the bus says */
	n += 10;
	/* The SCI: level-triggered, active high (as PC firmware declares it); left to the
	 * ACPI default (active low), its idle, low line would read as asserted forever. */
	uint8_t *sci = t + n;
	sci[0] = MADT_ISO;
	sci[1] = 10;
	sci[2] = 0;
	sci[3] = SCI_IRQ;
	put32(sci + 4, SCI_IRQ);
	put16(sci + 8, ISO_ACTIVE_HIGH | ISO_LEVEL);
	n += 10;
	uint8_t *nmi = t + n;
	nmi[0] = MADT_LAPIC_NMI;
	nmi[1] = 6;
	nmi[2] = ALL_PROCESSORS;
	put16(nmi + 3, 0);
	nmi[5] = NMI_LINT;
	n += 6;
	sdt_header(t, "APIC", n, 4);
	sdt_seal(t, n);
	return n;
}

int acpi_tables_build(const struct guest_ram *ram, uint64_t gpa, const struct acpi_config *c,
		      char *err, size_t errlen)
{
	static uint8_t buf[ACPI_TABLES_MAX];
	if ((gpa & 15) || gpa < 0xe0000 || gpa >= 0x100000 || !c->ncpus ||
	    !guest_ram_contains(ram, gpa, ACPI_TABLES_MAX) ||
	    OFF_MADT + SDT_HEADER + 8 + 8 * (uint64_t)c->ncpus + 38 > OFF_FACS) {
		ksnprintf(err, errlen, "ACPI tables at %#llx for %u CPUs: not 16-byte aligned in "
			  "[0xe0000, 0x100000) inside RAM, or too many CPUs",
			  (unsigned long long)gpa, c->ncpus);
		return -1;
	}
	memset(buf, 0, sizeof(buf));
	uint32_t a32 = (uint32_t)gpa;

	uint8_t *dsdt = buf + OFF_DSDT;   /* no AML: nothing for an interpreter to run */
	sdt_header(dsdt, "DSDT", SDT_HEADER, 2);
	sdt_seal(dsdt, SDT_HEADER);

	uint8_t *facs = buf + OFF_FACS;   /* no waking vector, no global lock in use */
	memcpy(facs, "FACS", 4);
	put32(facs + 4, FACS_LEN);
	facs[32] = 2;                     /* version */

	/* The fixed hardware the platform has: PM1a event and control blocks
	 * (ports.c), SCI on IRQ 9 (never raised), no PM timer, already in ACPI
	 * mode (SMI_CMD 0). */
	uint8_t *fadt = buf + OFF_FADT;
	sdt_header(fadt, "FACP", FADT_LEN, FADT_REVISION);
	put32(fadt + FADT_FACS, a32 + OFF_FACS);
	put32(fadt + FADT_DSDT, a32 + OFF_DSDT);
	put16(fadt + FADT_SCI_INT, SCI_IRQ);
	put32(fadt + FADT_PM1A_EVT, c->pm1a_evt_port);
	put32(fadt + FADT_PM1A_CNT, c->pm1a_cnt_port);
	fadt[FADT_PM1_EVT_LEN] = 4;
	fadt[FADT_PM1_CNT_LEN] = 2;
	put16(fadt + FADT_BOOT_ARCH, BOOT_ARCH_8042);
	put32(fadt + FADT_FLAGS, FADT_WBINVD | FADT_NO_PWR_BUTTON | FADT_NO_SLP_BUTTON);
	fadt[FADT_MINOR] = 0;
	put64(fadt + FADT_X_DSDT, gpa + OFF_DSDT);
	sdt_seal(fadt, FADT_LEN);

	uint32_t madt_len = build_madt(buf + OFF_MADT, c);

	uint8_t *rsdt = buf + OFF_RSDT;
	sdt_header(rsdt, "RSDT", SDT_HEADER + 8, 1);
	put32(rsdt + SDT_HEADER, a32 + OFF_FADT);
	put32(rsdt + SDT_HEADER + 4, a32 + OFF_MADT);
	sdt_seal(rsdt, SDT_HEADER + 8);

	uint8_t *xsdt = buf + OFF_XSDT;
	sdt_header(xsdt, "XSDT", SDT_HEADER + 16, 1);
	put64(xsdt + SDT_HEADER, gpa + OFF_FADT);
	put64(xsdt + SDT_HEADER + 8, gpa + OFF_MADT);
	sdt_seal(xsdt, SDT_HEADER + 16);

	uint8_t *rsdp = buf + OFF_RSDP;   /* 5.2.5.3 */
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, ACPI_OEM_ID, 6);
	rsdp[15] = 2;
	put32(rsdp + 16, a32 + OFF_RSDT);
	put32(rsdp + 20, RSDP_LEN);
	put64(rsdp + 24, gpa + OFF_XSDT);
	rsdp[8] = checksum(rsdp, RSDP_V1_LEN);
	rsdp[32] = checksum(rsdp, RSDP_LEN);

	(void)madt_len;
	if (ram->write(ram->ctx, gpa, buf, OFF_FACS + FACS_LEN)) {
		ksnprintf(err, errlen, "ACPI tables: writing guest memory at %#llx failed",
			  (unsigned long long)gpa);
		return -1;
	}
	return 0;
}
