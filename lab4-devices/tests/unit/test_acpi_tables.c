/*
 * test_acpi_tables.c - the ACPI tables acpi_tables.c writes: every
 * checksum, the pointers from RSDP to each table, the FADT's fixed
 * hardware, the MADT's entries, and the refusals.
 */
#include <criterion/criterion.h>
#include <string.h>
#include "acpi_tables.h"

#define RAM_SIZE (1u << 20)
#define AT       0xe0000u

static uint8_t ram[RAM_SIZE];
static const struct acpi_config cfg = { 2, 0xfee00000u, 1, 0xfec00000u, 0x600, 0x604 };

static int ram_write(void *ctx, uint64_t gpa, const void *src, uint64_t len)
{
	(void)ctx;
	memcpy(ram + gpa, src, len);
	return 0;
}

static int ram_zero(void *ctx, uint64_t gpa, uint64_t len)
{
	(void)ctx;
	memset(ram + gpa, 0, len);
	return 0;
}

static const struct guest_ram gram = { RAM_SIZE, ram_write, ram_zero, NULL, 0 };

static uint32_t rd32(uint64_t a) { uint32_t v; memcpy(&v, ram + a, 4); return v; }
static uint64_t rd64(uint64_t a) { uint64_t v; memcpy(&v, ram + a, 8); return v; }

static uint8_t sum(uint64_t a, size_t len)
{
	uint8_t s = 0;
	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + ram[a + i]);
	return s;
}

static void build(void)
{
	char err[160] = "";
	memset(ram, 0, sizeof(ram));
	cr_assert_eq(acpi_tables_build(&gram, AT, &cfg, err, sizeof(err)), 0, "%s", err);
}

Test(acpi_tables, rsdp_checksums_and_pointers)
{
	build();
	cr_assert_eq(memcmp(ram + AT, "RSD PTR ", 8), 0);
	cr_assert_eq(sum(AT, 20), 0, "first checksum");
	cr_assert_eq(sum(AT, 36), 0, "extended checksum");
	cr_assert_eq(ram[AT + 15], 2, "revision");
	uint32_t rsdt = rd32(AT + 16);
	uint64_t xsdt = rd64(AT + 24);
	cr_assert_eq(memcmp(ram + rsdt, "RSDT", 4), 0);
	cr_assert_eq(memcmp(ram + xsdt, "XSDT", 4), 0);
	cr_assert_eq(sum(rsdt, rd32(rsdt + 4)), 0);
	cr_assert_eq(sum(xsdt, rd32(xsdt + 4)), 0);
	/* Both list the FADT and the MADT. */
	cr_assert_eq(rd32(rsdt + 36), (uint32_t)rd64(xsdt + 36));
	cr_assert_eq(rd32(rsdt + 40), (uint32_t)rd64(xsdt + 44));
}

Test(acpi_tables, fadt_fixed_hardware_and_dsdt)
{
	build();
	uint64_t xsdt = rd64(AT + 24), fadt = rd64(xsdt + 36);
	cr_assert_eq(memcmp(ram + fadt, "FACP", 4), 0);
	cr_assert_eq(rd32(fadt + 4), 276u);
	cr_assert_eq(sum(fadt, 276), 0);
	cr_assert_eq(rd32(fadt + 56), 0x600u, "PM1a_EVT_BLK");
	cr_assert_eq(rd32(fadt + 64), 0x604u, "PM1a_CNT_BLK");
	cr_assert_eq(ram[fadt + 88], 4);
	cr_assert_eq(ram[fadt + 89], 2);
	cr_assert_eq(rd32(fadt + 112) & (1u << 20), 0u, "not hardware-reduced");
	uint32_t dsdt = rd32(fadt + 40), facs = rd32(fadt + 36);
	cr_assert_eq((uint64_t)dsdt, rd64(fadt + 140), "DSDT and X_DSDT agree");
	cr_assert_eq(memcmp(ram + dsdt, "DSDT", 4), 0);
	cr_assert_eq(sum(dsdt, rd32(dsdt + 4)), 0);
	cr_assert_eq(memcmp(ram + facs, "FACS", 4), 0);
	cr_assert_eq(facs % 64, 0u, "FACS is 64-byte aligned");
}

Test(acpi_tables, madt_entries)
{
	build();
	uint64_t xsdt = rd64(AT + 24), madt = rd64(xsdt + 44);
	uint32_t len = rd32(madt + 4);
	cr_assert_eq(memcmp(ram + madt, "APIC", 4), 0);
	cr_assert_eq(sum(madt, len), 0);
	cr_assert_eq(rd32(madt + 36), 0xfee00000u);
	unsigned lapics = 0, ioapics = 0, isos = 0, nmis = 0;
	bool pit_on_2 = false, sci_level_high = false;
	for (uint64_t e = madt + 44; e < madt + len; e += ram[e + 1]) {
		cr_assert_gt(ram[e + 1], 0, "an entry of length 0");
		switch (ram[e]) {
		case 0: cr_assert_eq(ram[e + 3], lapics); lapics++; break;
		case 1: ioapics++; cr_assert_eq(rd32(e + 4), 0xfec00000u); cr_assert_eq(ram[e + 2], 1); break;
		case 2:
			isos++;
			if (ram[e + 3] == 0 && rd32(e + 4) == 2)
				pit_on_2 = true;
			if (ram[e + 3] == 9 && rd32(e + 4) == 9 && (ram[e + 8] & 0xf) == 0xd)
				sci_level_high = true;
			break;
		case 4: nmis++; cr_assert_eq(ram[e + 5], 1, "NMI on LINT1"); break;
		default: cr_assert(0, "unexpected entry type %u", ram[e]);
		}
	}
	cr_assert_eq(lapics, 2);
	cr_assert_eq(ioapics, 1);
	cr_assert_eq(isos, 2);
	cr_assert_eq(nmis, 1);
	cr_assert(pit_on_2, "IRQ 0 -> GSI 2");
	cr_assert(sci_level_high, "SCI level-triggered, active high");
}

Test(acpi_tables, refusals)
{
	char err[160];
	struct acpi_config none = cfg;
	none.ncpus = 0;
	cr_assert_neq(acpi_tables_build(&gram, AT + 8, &cfg, err, sizeof(err)), 0, "misaligned");
	cr_assert_neq(acpi_tables_build(&gram, 0x90000, &cfg, err, sizeof(err)), 0, "outside the BIOS area");
	cr_assert_neq(acpi_tables_build(&gram, AT, &none, err, sizeof(err)), 0, "no CPU");
	struct guest_ram small = gram;
	small.size = AT + 16;
	cr_assert_neq(acpi_tables_build(&small, AT, &cfg, err, sizeof(err)), 0, "past RAM");
	cr_assert(strstr(err, "ACPI tables") != NULL, "%s", err);
}
