/*
 * test_mptable.c - the MP tables (mptable.c) on the host.
 *
 * The tables are read back from a buffer playing the guest's RAM with
 * the offsets of the MP specification 1.4 (figures 4-2 to 4-9) written
 * out here, and found the way Linux's smp_scan_config() finds them: a
 * 16-byte-aligned "_MP_" whose 16 bytes sum to 0.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include "mptable.h"

#define RAM_SIZE 0x100000ull    /* 1 MiB: the BIOS area included */
#define IOAPIC_ADDR 0xFEC00000u

static uint8_t ram[RAM_SIZE];
static int writes, fail_writes;
static char err[256];

static int ram_write(void *ctx, uint64_t gpa, const void *src, uint64_t len)
{
	cr_assert_eq(ctx, (void *)ram);
	cr_assert(gpa <= RAM_SIZE && len <= RAM_SIZE - gpa, "write outside RAM: %#lx + %#lx",
		  (unsigned long)gpa, (unsigned long)len);
	writes++;
	if (fail_writes)
		return -1;
	memcpy(ram + gpa, src, len);
	return 0;
}

static int ram_zero(void *ctx, uint64_t gpa, uint64_t len)
{
	cr_assert_fail("mptable never needs to zero");
	return -1;
}

static const struct guest_ram gram = { .size = RAM_SIZE, .write = ram_write, .zero = ram_zero,
				       .ctx = ram };

static void setup(void)
{
	memset(ram, 0xcc, sizeof(ram));
	writes = fail_writes = 0;
	memset(err, 0, sizeof(err));
}

TestSuite(mptable, .init = setup);

static uint16_t rd16(uint64_t a) { uint16_t v; memcpy(&v, ram + a, 2); return v; }
static uint32_t rd32(uint64_t a) { uint32_t v; memcpy(&v, ram + a, 4); return v; }

static uint8_t sum(uint64_t a, uint64_t n)
{
	uint8_t s = 0;
	for (uint64_t i = 0; i < n; i++)
		s += ram[a + i];
	return s;
}

/* Linux's search: 16-byte steps, signature, length 1, checksum, revision 1 or 4. */
static int64_t scan(uint64_t from, uint64_t len)
{
	for (uint64_t a = from; a + 16 <= from + len; a += 16)
		if (memcmp(ram + a, "_MP_", 4) == 0 && ram[a + 8] == 1 && sum(a, 16) == 0 &&
		    (ram[a + 9] == 1 || ram[a + 9] == 4))
			return (int64_t)a;
	return -1;
}

/* The whole structure for @ncpus CPUs and I/O APIC @ioid, checked field by field. */
static void check_tables(uint64_t at, unsigned ncpus, uint8_t ioid)
{
	cr_assert_eq(scan(at & ~0xFFFull, 0x10000 < RAM_SIZE - (at & ~0xFFFull) ? 0x10000 :
			  RAM_SIZE - (at & ~0xFFFull)), (int64_t)at, "floating pointer not found");
	uint32_t t = rd32(at + 4);
	cr_assert_eq(ram[at + 11], 0, "feature byte 1: 0 means a table is present");
	cr_assert_eq(ram[at + 12] & 0x80, 0, "IMCRP clear: virtual wire mode");
	cr_assert(t >= at + 16, "the table lies after the pointer");

	cr_assert_eq(memcmp(ram + t, "PCMP", 4), 0);
	uint16_t len = rd16(t + 4);
	cr_assert_eq(ram[t + 6], 4, "spec revision 1.4");
	cr_assert_eq(sum(t, len), 0, "configuration table checksum");
	cr_assert_eq(memcmp(ram + t + 8, "HVLAB   ", 8), 0, "OEM ID");
	cr_assert_eq(rd32(t + 28), 0, "no OEM table");
	cr_assert_eq(rd32(t + 36), 0xFEE00000u, "local APIC address");
	cr_assert_eq(rd16(t + 40), 0, "no extended table");
	uint16_t count = rd16(t + 34);

	unsigned ncpu = 0, nbus = 0, nio = 0, nint = 0, nlint = 0, last_type = 0;
	bool pin_of_irq[16] = { 0 };
	uint64_t e = t + 44;
	for (unsigned i = 0; i < count; i++) {
		uint8_t type = ram[e];
		cr_assert(type >= last_type, "entry %u: type %u after type %u (must be sorted)", i,
			  type, last_type);
		last_type = type;
		switch (type) {
		case 0:
			cr_assert_eq(ram[e + 1], ncpu, "CPU entry %u has APIC ID %u", ncpu, ram[e + 1]);
			cr_assert_neq(ram[e + 2], 0, "local APIC version");
			cr_assert(ram[e + 3] & 1, "CPU %u enabled", ncpu);
			cr_assert_eq(!!(ram[e + 3] & 2), ncpu == 0, "BSP flag on CPU 0 only");
			ncpu++;
			e += 20;
			break;
		case 1:
			cr_assert_eq(ram[e + 1], 0, "bus ID 0");
			cr_assert_eq(memcmp(ram + e + 2, "ISA   ", 6), 0, "bus type");
			nbus++;
			e += 8;
			break;
		case 2:
			cr_assert_eq(ram[e + 1], ioid);
			cr_assert_eq(ram[e + 2], 0x11);
			cr_assert_eq(ram[e + 3] & 1, 1, "I/O APIC enabled");
			cr_assert_eq(rd32(e + 4), IOAPIC_ADDR);
			nio++;
			e += 8;
			break;
		case 3: {
			uint8_t irq = ram[e + 5], pin = ram[e + 7];
			cr_assert_eq(ram[e + 1], 0, "type INT");
			cr_assert_eq(rd16(e + 2), 0, "flags: conform to the ISA bus");
			cr_assert_eq(ram[e + 4], 0, "source bus: ISA");
			cr_assert_eq(ram[e + 6], ioid, "destination: the I/O APIC");
			cr_assert(irq < 16 && irq != 2, "IRQ %u", irq);
			cr_assert_eq(pin, irq == 0 ? 2 : irq, "IRQ %u on pin %u", irq, pin);
			cr_assert(!pin_of_irq[irq], "IRQ %u twice", irq);
			pin_of_irq[irq] = true;
			nint++;
			e += 8;
			break;
		}
		case 4:
			cr_assert_eq(ram[e + 1], nlint == 0 ? 3 : 1, "ExtINT then NMI");
			cr_assert_eq(ram[e + 6], 0xFF, "to every local APIC");
			cr_assert_eq(ram[e + 7], nlint, "LINT%u", nlint);
			nlint++;
			e += 8;
			break;
		default:
			cr_assert_fail("entry %u has unknown type %u", i, type);
		}
	}
	cr_assert_eq(e - t, len, "table length %u, entries end at %lu", len,
		     (unsigned long)(e - t));
	cr_assert_eq(ncpu, ncpus);
	cr_assert_eq(nbus, 1);
	cr_assert_eq(nio, 1);
	cr_assert_eq(nint, 15);
	cr_assert_eq(nlint, 2);
	cr_assert_eq(e - at, mptable_size(ncpus), "mptable_size() matches what was written");
	cr_assert_eq(ram[e], 0xcc, "wrote past the table");
	cr_assert_eq(ram[at - 1], 0xcc, "wrote before the pointer");
}

Test(mptable, two_cpus_in_the_bios_area)
{
	cr_assert_eq(mptable_build(&gram, 0xF0000, 2, 2, IOAPIC_ADDR, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_str_empty(err);
	check_tables(0xF0000, 2, 2);
}

Test(mptable, one_cpu_in_the_last_kib_of_base_memory)
{
	cr_assert_eq(mptable_build(&gram, 0x9FC00, 1, 1, IOAPIC_ADDR, err, sizeof(err)), 0, "%s",
		     err);
	check_tables(0x9FC00, 1, 1);
}

Test(mptable, many_cpus)
{
	cr_assert_eq(mptable_build(&gram, 0xF0000, MPTABLE_MAX_CPUS, MPTABLE_MAX_CPUS,
				   IOAPIC_ADDR, err, sizeof(err)), 0, "%s", err);
	check_tables(0xF0000, MPTABLE_MAX_CPUS, MPTABLE_MAX_CPUS);
}

Test(mptable, floating_pointer_layout)
{
	cr_assert_eq(mptable_build(&gram, 0xF0010, 1, 8, IOAPIC_ADDR, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(memcmp(ram + 0xF0010, "_MP_", 4), 0);
	cr_assert_eq(rd32(0xF0014), 0xF0020, "table right after the 16-byte pointer");
	cr_assert_eq(ram[0xF0018], 1, "length: one 16-byte unit");
	cr_assert_eq(ram[0xF0019], 4, "spec revision 1.4");
	for (unsigned i = 11; i < 16; i++)
		cr_assert_eq(ram[0xF0010 + i], 0, "feature byte %u", i - 10);
	cr_assert_eq(sum(0xF0010, 16), 0);
	check_tables(0xF0010, 1, 8);
}

/* Refused, with a message holding @what, and nothing written. */
#define REFUSED(rc, what) \
	do { cr_assert_eq((rc), -1, "accepted, expected a refusal: %s", what); \
	     cr_assert(strstr(err, what), "message \"%s\" lacks \"%s\"", err, what); \
	     cr_assert_eq(writes, 0, "wrote %d times before refusing", writes); } while (0)

Test(mptable, refuses_no_cpus_or_too_many)
{
	REFUSED(mptable_build(&gram, 0xF0000, 0, 1, IOAPIC_ADDR, err, sizeof(err)), "0 CPUs");
	REFUSED(mptable_build(&gram, 0xF0000, 255, 255, IOAPIC_ADDR, err, sizeof(err)), "255 CPUs");
}

Test(mptable, refuses_the_broadcast_ioapic_id)
{
	REFUSED(mptable_build(&gram, 0xF0000, 4, 0xFF, IOAPIC_ADDR, err, sizeof(err)),
		"I/O APIC ID 255 is the broadcast ID");
}

/* xAPIC: the I/O APIC may share an ID with a CPU (platform.c gives it 1). */
Test(mptable, ioapic_id_may_equal_a_cpu_s)
{
	cr_assert_eq(mptable_build(&gram, 0xF0000, 4, 1, IOAPIC_ADDR, err, sizeof(err)), 0, "%s",
		     err);
	check_tables(0xF0000, 4, 1);
}

Test(mptable, refuses_a_misaligned_pointer)
{
	REFUSED(mptable_build(&gram, 0xF0008, 1, 1, IOAPIC_ADDR, err, sizeof(err)),
		"not 16-byte aligned");
}

Test(mptable, refuses_places_linux_does_not_search)
{
	REFUSED(mptable_build(&gram, 0x80000, 1, 1, IOAPIC_ADDR, err, sizeof(err)),
		"do not fit in an area Linux searches");
	/* In the area, but the table would run past its end. */
	REFUSED(mptable_build(&gram, 0xFFF80, 1, 1, IOAPIC_ADDR, err, sizeof(err)),
		"at 0xfff80 do not fit");
	REFUSED(mptable_build(&gram, 0x9FF00, 8, 8, IOAPIC_ADDR, err, sizeof(err)),
		"at 0x9ff00 do not fit");
}

Test(mptable, refuses_a_pointer_outside_ram)
{
	struct guest_ram small = gram;

	small.size = 0xA0000;
	REFUSED(mptable_build(&small, 0xF0000, 1, 1, IOAPIC_ADDR, err, sizeof(err)),
		"outside the guest's RAM");
}

Test(mptable, reports_a_failed_write)
{
	fail_writes = 1;
	cr_assert_eq(mptable_build(&gram, 0xF0000, 1, 1, IOAPIC_ADDR, err, sizeof(err)), -1);
	cr_assert(strstr(err, "writing the table at 0xf0000 failed"), "%s", err);
}
