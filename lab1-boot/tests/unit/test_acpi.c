/*
 * test_acpi.c - RSDP search, RSDT/XSDT walk and MADT decoding, on tables
 * built in a fake physical memory, well-formed and broken.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "acpi.h"

#define PHYS_SIZE   0x120000ull     /* fake physical memory: 0 .. 1 MiB + 128 KiB */
#define EBDA_SEG    0x9fc0
#define EBDA_PA     ((uint64_t)EBDA_SEG << 4)
#define RSDP_PA     0xf0010ull
#define RSDT_PA     0x100000ull
#define XSDT_PA     0x101000ull
#define MADT_PA     0x102000ull
#define FACP_PA     0x103000ull
#define LAPIC_PA    0xfee00000u

static uint8_t *phys;

static const void *fake_map(void *ctx, uint64_t pa, uint64_t len)
{
	(void)ctx;
	if (pa > PHYS_SIZE || len > PHYS_SIZE - pa)
		return NULL;
	return phys + pa;
}

static const struct acpi_phys mem = { fake_map, NULL };

static void setup(void) { phys = calloc(1, PHYS_SIZE); cr_assert(phys); }
static void teardown(void) { free(phys); }

static uint8_t sum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *b++);
	return s;
}

static void put_rsdp(uint64_t pa, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	struct acpi_rsdp r;
	memset(&r, 0, sizeof(r));
	memcpy(r.signature, "RSD PTR ", 8);
	memcpy(r.oem_id, "HVLAB ", 6);
	r.revision = rev;
	r.rsdt_address = rsdt;
	r.length = sizeof(r);
	r.xsdt_address = xsdt;
	r.checksum = (uint8_t)-sum(&r, ACPI_RSDP_V1_LEN);
	r.ext_checksum = (uint8_t)-sum(&r, sizeof(r));
	memcpy(phys + pa, &r, sizeof(r));
}

/* A table: header with @sig and a correct checksum, then @body. */
static void put_table(uint64_t pa, const char *sig, const void *body, size_t len)
{
	struct acpi_sdt_header h;
	memset(&h, 0, sizeof(h));
	memcpy(h.signature, sig, 4);
	h.length = (uint32_t)(sizeof(h) + len);
	h.revision = 1;
	memcpy(phys + pa, &h, sizeof(h));
	memcpy(phys + pa + sizeof(h), body, len);
	phys[pa + 9] = (uint8_t)-sum(phys + pa, h.length);   /* checksum byte */
}

static void put_rsdt(uint64_t pa, const uint32_t *tables, size_t n)
{
	put_table(pa, "RSDT", tables, n * sizeof(*tables));
}

static void put_xsdt(uint64_t pa, const uint64_t *tables, size_t n)
{
	put_table(pa, "XSDT", tables, n * sizeof(*tables));
}

/* MADT body builder: the fixed part, then entries appended. */
struct madt_builder {
	uint8_t buf[1024];
	size_t len;
};

static void madt_begin(struct madt_builder *b, uint32_t lapic)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->buf, &lapic, 4);                 /* lapic_address */
	uint32_t flags = 1;                         /* PCAT_COMPAT */
	memcpy(b->buf + 4, &flags, 4);
	b->len = 8;
}

static void madt_lapic(struct madt_builder *b, uint8_t uid, uint8_t id, uint32_t flags)
{
	struct acpi_madt_lapic e = { MADT_TYPE_LAPIC, sizeof(e), uid, id, flags };
	memcpy(b->buf + b->len, &e, sizeof(e));
	b->len += sizeof(e);
}

static void madt_x2apic(struct madt_builder *b, uint32_t id, uint32_t flags)
{
	struct acpi_madt_x2apic e = { MADT_TYPE_X2APIC, sizeof(e), 0, id, flags, id };
	memcpy(b->buf + b->len, &e, sizeof(e));
	b->len += sizeof(e);
}

static void madt_raw(struct madt_builder *b, const uint8_t *bytes, size_t n)
{
	memcpy(b->buf + b->len, bytes, n);
	b->len += n;
}

/* Write the MADT at MADT_PA and return a pointer to it and its length. */
static const void *madt_put(struct madt_builder *b, uint32_t *len)
{
	put_table(MADT_PA, "APIC", b->buf, b->len);
	*len = (uint32_t)(sizeof(struct acpi_sdt_header) + b->len);
	return phys + MADT_PA;
}

TestSuite(acpi, .init = setup, .fini = teardown);

Test(acpi, checksum)
{
	uint8_t ok[4] = { 1, 2, 3, 250 };
	uint8_t bad[4] = { 1, 2, 3, 251 };
	cr_expect(acpi_checksum_ok(ok, sizeof(ok)));
	cr_expect_not(acpi_checksum_ok(bad, sizeof(bad)));
	cr_expect(acpi_checksum_ok(bad, 0));
}

Test(acpi, rsdp_in_bios_area)
{
	uint64_t pa = 0;
	put_rsdp(RSDP_PA, 0, RSDT_PA, 0);
	cr_assert_eq(acpi_find_rsdp_bios(&mem, &pa), ACPI_OK);
	cr_expect_eq(pa, RSDP_PA);
}

Test(acpi, rsdp_in_ebda_comes_first)
{
	uint64_t pa = 0;
	uint16_t seg = EBDA_SEG;
	memcpy(phys + 0x40e, &seg, 2);
	put_rsdp(EBDA_PA + 0x20, 0, RSDT_PA, 0);
	put_rsdp(RSDP_PA, 0, RSDT_PA, 0);
	cr_assert_eq(acpi_find_rsdp_bios(&mem, &pa), ACPI_OK);
	cr_expect_eq(pa, EBDA_PA + 0x20);
}

Test(acpi, rsdp_bad_checksum_is_skipped)
{
	uint64_t pa = 0;
	put_rsdp(RSDP_PA, 0, RSDT_PA, 0);
	phys[RSDP_PA + 8] ^= 1;
	cr_expect_eq(acpi_find_rsdp_bios(&mem, &pa), ACPI_ERR_NO_RSDP);
	put_rsdp(RSDP_PA + 0x100, 0, RSDT_PA, 0);   /* a good one further on */
	cr_assert_eq(acpi_find_rsdp_bios(&mem, &pa), ACPI_OK);
	cr_expect_eq(pa, RSDP_PA + 0x100);
}

Test(acpi, rsdp_must_be_16_byte_aligned)
{
	uint64_t pa = 0;
	put_rsdp(RSDP_PA + 8, 0, RSDT_PA, 0);
	cr_expect_eq(acpi_find_rsdp_bios(&mem, &pa), ACPI_ERR_NO_RSDP);
}

Test(acpi, rsdp_v2_extended_checksum_checked)
{
	uint64_t pa = 0;
	put_rsdp(RSDP_PA, 2, RSDT_PA, XSDT_PA);
	phys[RSDP_PA + 24] ^= 0x10;    /* XSDT address: only the extended sum covers it */
	cr_expect_eq(acpi_find_rsdp_bios(&mem, &pa), ACPI_ERR_NO_RSDP);
}

Test(acpi, rsdp_search_outside_memory)
{
	uint64_t pa = 0;
	cr_expect_eq(acpi_find_rsdp(&mem, PHYS_SIZE, 0x1000, &pa), ACPI_ERR_NO_RSDP);
}

Test(acpi, table_through_rsdt)
{
	uint32_t tables[] = { FACP_PA, MADT_PA };
	uint8_t facp[16] = { 0 };
	struct madt_builder b;
	uint32_t len;
	uint64_t pa = 0;
	uint32_t tlen = 0;
	put_table(FACP_PA, "FACP", facp, sizeof(facp));
	madt_begin(&b, LAPIC_PA);
	madt_lapic(&b, 0, 0, MADT_CPU_ENABLED);
	madt_put(&b, &len);
	put_rsdt(RSDT_PA, tables, 2);
	put_rsdp(RSDP_PA, 0, RSDT_PA, 0);
	cr_assert_eq(acpi_find_table(&mem, RSDP_PA, "APIC", &pa, &tlen), ACPI_OK);
	cr_expect_eq(pa, MADT_PA);
	cr_expect_eq(tlen, len);
	cr_assert_eq(acpi_find_table(&mem, RSDP_PA, "FACP", &pa, &tlen), ACPI_OK);
	cr_expect_eq(pa, FACP_PA);
}

Test(acpi, table_through_xsdt_when_revision_2)
{
	uint64_t xt[] = { MADT_PA };
	uint32_t rt[] = { FACP_PA };    /* the RSDT does not list the MADT */
	uint8_t facp[16] = { 0 };
	struct madt_builder b;
	uint32_t len, tlen;
	uint64_t pa = 0;
	put_table(FACP_PA, "FACP", facp, sizeof(facp));
	madt_begin(&b, LAPIC_PA);
	madt_put(&b, &len);
	put_rsdt(RSDT_PA, rt, 1);
	put_xsdt(XSDT_PA, xt, 1);
	put_rsdp(RSDP_PA, 2, RSDT_PA, XSDT_PA);
	cr_assert_eq(acpi_find_table(&mem, RSDP_PA, "APIC", &pa, &tlen), ACPI_OK);
	cr_expect_eq(pa, MADT_PA);
	/* A revision-2 RSDP without an XSDT falls back to the RSDT. */
	put_rsdp(RSDP_PA, 2, RSDT_PA, 0);
	cr_expect_eq(acpi_find_table(&mem, RSDP_PA, "APIC", &pa, &tlen), ACPI_ERR_NO_TABLE);
	cr_expect_eq(acpi_find_table(&mem, RSDP_PA, "FACP", &pa, &tlen), ACPI_OK);
}

Test(acpi, table_missing)
{
	uint32_t tables[] = { FACP_PA };
	uint8_t facp[16] = { 0 };
	uint64_t pa;
	uint32_t tlen;
	put_table(FACP_PA, "FACP", facp, sizeof(facp));
	put_rsdt(RSDT_PA, tables, 1);
	put_rsdp(RSDP_PA, 0, RSDT_PA, 0);
	cr_expect_eq(acpi_find_table(&mem, RSDP_PA, "APIC", &pa, &tlen), ACPI_ERR_NO_TABLE);
}

Test(acpi, table_bad_checksum)
{
	uint32_t tables[] = { MADT_PA };
	struct madt_builder b;
	uint32_t len, tlen;
	uint64_t pa;
	madt_begin(&b, LAPIC_PA);
	madt_put(&b, &len);
	phys[MADT_PA + len - 1] ^= 0xff;
	put_rsdt(RSDT_PA, tables, 1);
	put_rsdp(RSDP_PA, 0, RSDT_PA, 0);
	cr_expect_eq(acpi_find_table(&mem, RSDP_PA, "APIC", &pa, &tlen), ACPI_ERR_CHECKSUM);
}

Test(acpi, table_outside_memory)
{
	uint32_t tables[] = { 0x7fff0000u };
	uint64_t pa;
	uint32_t tlen;
	put_rsdt(RSDT_PA, tables, 1);
	put_rsdp(RSDP_PA, 0, RSDT_PA, 0);
	cr_expect_eq(acpi_find_table(&mem, RSDP_PA, "APIC", &pa, &tlen), ACPI_ERR_UNMAPPED);
	/* A table whose length runs off the end of memory. */
	tables[0] = PHYS_SIZE - 64;
	put_rsdt(RSDT_PA, tables, 1);
	struct acpi_sdt_header h = { .signature = "APIC", .length = 4096 };
	memcpy(phys + PHYS_SIZE - 64, &h, sizeof(h));
	cr_expect_eq(acpi_find_table(&mem, RSDP_PA, "APIC", &pa, &tlen), ACPI_ERR_UNMAPPED);
}

Test(acpi, root_table_wrong_signature)
{
	uint32_t tables[] = { MADT_PA };
	uint64_t pa;
	uint32_t tlen;
	put_table(RSDT_PA, "XSDT", tables, sizeof(tables));
	put_rsdp(RSDP_PA, 0, RSDT_PA, 0);
	cr_expect_eq(acpi_find_table(&mem, RSDP_PA, "APIC", &pa, &tlen), ACPI_ERR_SIGNATURE);
}

Test(acpi, table_length_shorter_than_header)
{
	uint64_t pa;
	uint32_t tlen;
	struct acpi_sdt_header h = { .signature = "RSDT", .length = 10 };
	memcpy(phys + RSDT_PA, &h, sizeof(h));
	put_rsdp(RSDP_PA, 0, RSDT_PA, 0);
	cr_expect_eq(acpi_find_table(&mem, RSDP_PA, "APIC", &pa, &tlen), ACPI_ERR_LENGTH);
}

Test(acpi, find_table_rejects_bad_rsdp)
{
	uint64_t pa;
	uint32_t tlen;
	cr_expect_eq(acpi_find_table(&mem, RSDP_PA, "APIC", &pa, &tlen), ACPI_ERR_NO_RSDP);
}

Test(acpi, madt_enabled_cpus_only)
{
	static const uint8_t ioapic[12] = { 1, 12, 0, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0 };
	struct madt_builder b;
	struct acpi_madt_info info;
	uint32_t len;
	madt_begin(&b, LAPIC_PA);
	madt_lapic(&b, 0, 0, MADT_CPU_ENABLED);
	madt_raw(&b, ioapic, sizeof(ioapic));      /* an I/O APIC: skipped */
	madt_lapic(&b, 1, 2, MADT_CPU_ENABLED);
	madt_lapic(&b, 2, 4, 0);                    /* disabled */
	madt_lapic(&b, 3, 6, MADT_CPU_ONLINE_CAPABLE);
	const void *t = madt_put(&b, &len);
	cr_assert_eq(acpi_parse_madt(t, len, &info), ACPI_OK);
	cr_expect_eq(info.ncpus, 2);
	cr_expect_eq(info.apic_id[0], 0);
	cr_expect_eq(info.apic_id[1], 2);
	cr_expect_eq(info.disabled, 2);
	cr_expect_eq(info.dropped, 0);
	cr_expect_eq(info.lapic_base, LAPIC_PA);
	cr_expect_eq(info.flags, 1);
}

Test(acpi, madt_lapic_address_override)
{
	uint8_t ov[12] = { MADT_TYPE_LAPIC_OVERRIDE, 12, 0, 0 };
	uint64_t addr = 0x1234567000ull;
	struct madt_builder b;
	struct acpi_madt_info info;
	uint32_t len;
	memcpy(ov + 4, &addr, 8);
	madt_begin(&b, LAPIC_PA);
	madt_raw(&b, ov, sizeof(ov));
	const void *t = madt_put(&b, &len);
	cr_assert_eq(acpi_parse_madt(t, len, &info), ACPI_OK);
	cr_expect_eq(info.lapic_base, addr);
	cr_expect_eq(info.ncpus, 0);
}

Test(acpi, madt_x2apic_entries)
{
	struct madt_builder b;
	struct acpi_madt_info info;
	uint32_t len;
	madt_begin(&b, LAPIC_PA);
	madt_lapic(&b, 0, 0, MADT_CPU_ENABLED);
	madt_x2apic(&b, 0, MADT_CPU_ENABLED);       /* the same CPU again */
	madt_x2apic(&b, 3, MADT_CPU_ENABLED);
	madt_x2apic(&b, 300, MADT_CPU_ENABLED);     /* beyond the xAPIC's reach */
	madt_x2apic(&b, 5, 0);
	const void *t = madt_put(&b, &len);
	cr_assert_eq(acpi_parse_madt(t, len, &info), ACPI_OK);
	cr_expect_eq(info.ncpus, 2);
	cr_expect_eq(info.apic_id[1], 3);
	cr_expect_eq(info.dropped, 1);
	cr_expect_eq(info.disabled, 1);
}

Test(acpi, madt_more_cpus_than_max)
{
	struct madt_builder b;
	struct acpi_madt_info info;
	uint32_t len;
	madt_begin(&b, LAPIC_PA);
	for (int i = 0; i < MAX_CPUS + 2; i++)
		madt_lapic(&b, (uint8_t)i, (uint8_t)i, MADT_CPU_ENABLED);
	const void *t = madt_put(&b, &len);
	cr_assert_eq(acpi_parse_madt(t, len, &info), ACPI_OK);
	cr_expect_eq(info.ncpus, MAX_CPUS);
	cr_expect_eq(info.dropped, 2);
	cr_expect_eq(info.apic_id[MAX_CPUS - 1], MAX_CPUS - 1);
}

Test(acpi, madt_zero_length_entry_is_an_error, .timeout = 5)
{
	static const uint8_t zero[2] = { 1, 0 };
	struct madt_builder b;
	struct acpi_madt_info info;
	uint32_t len;
	madt_begin(&b, LAPIC_PA);
	madt_lapic(&b, 0, 0, MADT_CPU_ENABLED);
	madt_raw(&b, zero, sizeof(zero));
	const void *t = madt_put(&b, &len);
	cr_expect_eq(acpi_parse_madt(t, len, &info), ACPI_ERR_LENGTH);
}

Test(acpi, madt_entry_past_the_end)
{
	static const uint8_t longer[4] = { 1, 12, 0, 0 };   /* says 12, 4 remain */
	struct madt_builder b;
	struct acpi_madt_info info;
	uint32_t len;
	madt_begin(&b, LAPIC_PA);
	madt_raw(&b, longer, sizeof(longer));
	const void *t = madt_put(&b, &len);
	cr_expect_eq(acpi_parse_madt(t, len, &info), ACPI_ERR_LENGTH);
	/* A lone type byte with no length byte after it. */
	madt_begin(&b, LAPIC_PA);
	madt_raw(&b, longer, 1);
	t = madt_put(&b, &len);
	cr_expect_eq(acpi_parse_madt(t, len, &info), ACPI_ERR_LENGTH);
}

Test(acpi, madt_processor_entry_too_short)
{
	static const uint8_t shortcpu[4] = { MADT_TYPE_LAPIC, 4, 0, 1 };
	struct madt_builder b;
	struct acpi_madt_info info;
	uint32_t len;
	madt_begin(&b, LAPIC_PA);
	madt_raw(&b, shortcpu, sizeof(shortcpu));
	const void *t = madt_put(&b, &len);
	cr_expect_eq(acpi_parse_madt(t, len, &info), ACPI_ERR_LENGTH);
}

Test(acpi, madt_bad_table)
{
	struct madt_builder b;
	struct acpi_madt_info info;
	uint32_t len;
	madt_begin(&b, LAPIC_PA);
	const void *t = madt_put(&b, &len);
	cr_expect_eq(acpi_parse_madt(t, sizeof(struct acpi_madt) - 1, &info), ACPI_ERR_LENGTH);
	memcpy(phys + MADT_PA, "FACP", 4);
	cr_expect_eq(acpi_parse_madt(t, len, &info), ACPI_ERR_SIGNATURE);
}

Test(acpi, end_to_end_like_the_kernel)
{
	uint32_t tables[] = { MADT_PA };
	struct madt_builder b;
	struct acpi_madt_info info;
	uint32_t len, tlen;
	uint64_t rsdp, pa;
	madt_begin(&b, LAPIC_PA);
	madt_lapic(&b, 0, 0, MADT_CPU_ENABLED);
	madt_lapic(&b, 1, 1, MADT_CPU_ENABLED);
	madt_put(&b, &len);
	put_rsdt(RSDT_PA, tables, 1);
	put_rsdp(RSDP_PA, 0, RSDT_PA, 0);
	cr_assert_eq(acpi_find_rsdp_bios(&mem, &rsdp), ACPI_OK);
	cr_assert_eq(acpi_find_table(&mem, rsdp, "APIC", &pa, &tlen), ACPI_OK);
	cr_assert_eq(acpi_parse_madt(fake_map(NULL, pa, tlen), tlen, &info), ACPI_OK);
	cr_expect_eq(info.ncpus, 2);
}

Test(acpi, error_names)
{
	cr_expect_str_eq(acpi_strerror(ACPI_OK), "ok");
	cr_expect(strstr(acpi_strerror(ACPI_ERR_CHECKSUM), "checksum") != NULL);
	cr_expect(strstr(acpi_strerror(-99), "unknown") != NULL);
}
