/*
 * mptable.c - write the MP floating pointer and configuration table
 * (mptable.h). Layouts: Intel MultiProcessor Specification 1.4, chapter
 * 4 (figures 4-1 to 4-9). Every structure is checksummed: its bytes sum
 * to 0 mod 256.
 *
 * The table is built in pieces straight into guest memory, each entry
 * written once, while the checksum is accumulated; the header, which
 * holds the checksum and the entry count, is written last.
 */
#include <stdbool.h>
#include "mptable.h"
#include "printf.h"
#include "string.h"

struct mpf_intel {                 /* MP floating pointer structure (figure 4-2) */
	char signature[4];             /* "_MP_" */
	uint32_t physptr;              /* the configuration table */
	uint8_t length;                /* in 16-byte units: 1 */
	uint8_t specification;         /* 4: version 1.4 */
	uint8_t checksum;
	uint8_t feature1;              /* 0: a configuration table is present */
	uint8_t feature2;              /* bit 7 IMCRP: 0, virtual wire mode */
	uint8_t feature3, feature4, feature5;
} __attribute__((packed));

struct mpc_table {                 /* configuration table header (figure 4-3) */
	char signature[4];             /* "PCMP" */
	uint16_t length;               /* base table, header included */
	uint8_t spec;                  /* 4 */
	uint8_t checksum;
	char oem[8], productid[12];
	uint32_t oemptr;
	uint16_t oemsize, oemcount;    /* oemcount: the number of entries */
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum, reserved;
} __attribute__((packed));

struct mpc_cpu {                   /* figure 4-4 */
	uint8_t type, apicid, apicver, cpuflag;
	uint32_t cpufeature, featureflag;
	uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {                   /* figure 4-5 */
	uint8_t type, busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {                /* figure 4-7 */
	uint8_t type, apicid, apicver, flags;
	uint32_t apicaddr;
} __attribute__((packed));

struct mpc_intsrc {                /* I/O (figure 4-8) and local (figure 4-9) interrupts */
	uint8_t type, irqtype;
	uint16_t irqflag;              /* 0: polarity and trigger conform to the bus (ISA: edge, high) */
	uint8_t srcbus, srcbusirq, dstapic, dstirq;
} __attribute__((packed));

_Static_assert(sizeof(struct mpf_intel) == 16, "MP floating pointer layout");
_Static_assert(sizeof(struct mpc_table) == 44, "MP configuration table header layout");
_Static_assert(sizeof(struct mpc_cpu) == 20, "MP processor entry layout");
_Static_assert(sizeof(struct mpc_bus) == 8 && sizeof(struct mpc_ioapic) == 8 &&
	       sizeof(struct mpc_intsrc) == 8, "MP 8-byte entry layouts");

#define ISA_BUS_ID      0
#define ISA_IRQS        16
#define ISA_IOINTS      (ISA_IRQS - 1)   /* IRQ 2, the cascade, has no pin */
#define CPU_SIGNATURE   0x600            /* family 6; Linux reads only the APIC fields */
#define CPU_FEATURES    0x201            /* CPUID.1:EDX FPU | APIC */

uint64_t mptable_size(unsigned ncpus)
{
	return sizeof(struct mpf_intel) + sizeof(struct mpc_table) +
	       (uint64_t)ncpus * sizeof(struct mpc_cpu) + sizeof(struct mpc_bus) +
	       sizeof(struct mpc_ioapic) + ISA_IOINTS * sizeof(struct mpc_intsrc) +
	       2 * sizeof(struct mpc_intsrc);
}

static uint8_t sum8(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n--)
		s += *b++;
	return s;
}

/* The writer: appends entries at @at, adds them to the checksum, counts them. */
struct mp_out {
	const struct guest_ram *ram;
	uint64_t at;
	uint8_t sum;
	uint16_t count;
	int rc;
};

static void mp_append(struct mp_out *o, const void *e, size_t len)
{
	if (o->ram->write(o->ram->ctx, o->at, e, len) != 0)
		o->rc = -1;
	o->at += len;
	o->sum += sum8(e, len);
	o->count++;
}

static void mp_intsrc(struct mp_out *o, uint8_t type, uint8_t irqtype, uint8_t srcirq,
		      uint8_t dstapic, uint8_t dstpin)
{
	struct mpc_intsrc e = { .type = type, .irqtype = irqtype, .irqflag = 0,
				.srcbus = ISA_BUS_ID, .srcbusirq = srcirq,
				.dstapic = dstapic, .dstirq = dstpin };
	mp_append(o, &e, sizeof(e));
}

/* An area an OS searches for the floating pointer (MP spec 4, Linux's smp_scan_config). */
static bool mp_in_search_area(uint64_t gpa, uint64_t len)
{
	return (gpa >= 0xF0000 && gpa < 0x100000 && len <= 0x100000 - gpa) ||
	       (gpa >= 0x9FC00 && gpa < 0xA0000 && len <= 0xA0000 - gpa);
}

int mptable_build(const struct guest_ram *ram, uint64_t gpa, unsigned ncpus, uint8_t ioapic_id,
		  uint32_t ioapic_addr, char *err, size_t n)
{
	if (err && n)
		err[0] = '\0';
	if (!ram || !ram->write)
		return errorf(err, n, "mptable: no guest RAM to write to");
	if (ncpus == 0 || ncpus > MPTABLE_MAX_CPUS)
		return errorf(err, n, "mptable: %u CPUs: between 1 and %d are supported", ncpus,
			    MPTABLE_MAX_CPUS);
	/* With xAPICs (version 0x14) I/O APIC and local APIC IDs are separate
	 * name spaces (Linux checks I/O APIC IDs only against each other; QEMU
	 * gives its I/O APIC ID 0); only the broadcast ID is meaningless. */
	if (ioapic_id == 0xFF)
		return errorf(err, n, "mptable: I/O APIC ID 255 is the broadcast ID");
	if (gpa & 15)
		return errorf(err, n, "mptable: the floating pointer at %#llx is not 16-byte aligned",
			    (unsigned long long)gpa);
	uint64_t size = mptable_size(ncpus);
	if (!mp_in_search_area(gpa, size))
		return errorf(err, n,
			    "mptable: %llu bytes at %#llx do not fit in an area Linux searches ([0xf0000, 0x100000) or [0x9fc00, 0xa0000))",
			    (unsigned long long)size, (unsigned long long)gpa);
	if (!guest_ram_contains(ram, gpa, size))
		return errorf(err, n, "mptable: [%#llx, %#llx) lies outside the guest's RAM [0, %#llx)",
			    (unsigned long long)gpa, (unsigned long long)(gpa + size),
			    (unsigned long long)ram->size);

	uint64_t table = gpa + sizeof(struct mpf_intel);
	struct mp_out o = { .ram = ram, .at = table + sizeof(struct mpc_table) };

	for (unsigned i = 0; i < ncpus; i++) {
		struct mpc_cpu c = { .type = MP_ENTRY_PROCESSOR, .apicid = (uint8_t)i,
				     .apicver = MPTABLE_LAPIC_VER,
				     .cpuflag = MP_CPU_EN | (i == 0 ? MP_CPU_BP : 0),
				     .cpufeature = CPU_SIGNATURE, .featureflag = CPU_FEATURES };
		mp_append(&o, &c, sizeof(c));
	}
	struct mpc_bus bus = { .type = MP_ENTRY_BUS, .busid = ISA_BUS_ID };
	memcpy(bus.bustype, "ISA   ", sizeof(bus.bustype));
	mp_append(&o, &bus, sizeof(bus));
	struct mpc_ioapic io = { .type = MP_ENTRY_IOAPIC, .apicid = ioapic_id,
				 .apicver = MPTABLE_IOAPIC_VER, .flags = 1, .apicaddr = ioapic_addr };
	mp_append(&o, &io, sizeof(io));
	for (unsigned irq = 0; irq < ISA_IRQS; irq++) {
		if (irq == 2)
			continue;
		mp_intsrc(&o, MP_ENTRY_IOINT, MP_INT_INT, (uint8_t)irq, ioapic_id,
			  irq == 0 ? 2 : (uint8_t)irq);
	}
	mp_intsrc(&o, MP_ENTRY_LINT, MP_INT_EXTINT, 0, 0xFF, 0);   /* all CPUs: LINT0 */
	mp_intsrc(&o, MP_ENTRY_LINT, MP_INT_NMI, 0, 0xFF, 1);      /* all CPUs: LINT1 */

	struct mpc_table h = {
		.signature = { 'P', 'C', 'M', 'P' },
		.length = (uint16_t)(o.at - table), .spec = 4,
		.oem = { 'H', 'V', 'L', 'A', 'B', ' ', ' ', ' ' },
		.productid = { 'H', 'V', 'L', 'A', 'B', ' ', 'P', 'C', ' ', ' ', ' ', ' ' },
		.oemcount = o.count, .lapic = MPTABLE_LAPIC_ADDR,
	};
	h.checksum = (uint8_t)-(uint8_t)(o.sum + sum8(&h, sizeof(h)));
	struct mpf_intel f = {
		.signature = { '_', 'M', 'P', '_' }, .physptr = (uint32_t)table,
		.length = 1, .specification = 4,
	};
	f.checksum = (uint8_t)-sum8(&f, sizeof(f));
	if (o.rc || ram->write(ram->ctx, table, &h, sizeof(h)) != 0 ||
	    ram->write(ram->ctx, gpa, &f, sizeof(f)) != 0)
		return errorf(err, n, "mptable: writing the table at %#llx failed",
			    (unsigned long long)gpa);
	return 0;
}
