/*
 * ports.c - the small devices of a PC that test kernels and Linux probe:
 * QEMU's fw_cfg (docs/specs/fw_cfg.rst, the traditional I/O interface),
 * PCI configuration mechanism #1 (PCI Local Bus Specification 3.0,
 * 3.2.2.3.2), ports nothing claims, the 8042's self-test, the memory
 * sizes a BIOS leaves in CMOS, and the MP table (MultiProcessor
 * Specification 1.4, chapter 4).
 */
#include "g4_dev.h"
#include "multiboot.h"

#define KIB 1024u
#define MIB (1024u * 1024u)

/* fw_cfg item 0 is the signature "QEMU"; item 1 the interface bits (bit 0: traditional). */
void test_fwcfg_signature(void)
{
	char sig[5] = { 0 };
	outw(FW_CFG_SEL, FW_CFG_SIGNATURE);
	for (int i = 0; i < 4; i++)
		sig[i] = (char)inb(FW_CFG_DATA);
	CHECK(memcmp(sig, "QEMU", 4) == 0, "signature \"%s\", want \"QEMU\"", sig);
	CHECK_EQ(inb(FW_CFG_DATA), 0, "a byte past the signature's end");
	/* Selecting again starts the item over. */
	outw(FW_CFG_SEL, FW_CFG_SIGNATURE);
	CHECK_EQ(inb(FW_CFG_DATA), 'Q', "first byte after selecting the signature again");
	CHECK(fw_cfg_read(0x0001, 4) & 1, "fw_cfg ID (key 1) lacks bit 0, the traditional interface");
}

void test_fwcfg_cpu_count(void)
{
	uint64_t n = fw_cfg_read(FW_CFG_NB_CPUS, 2);
	g4_info("fw_cfg: %llu CPUs\n", (unsigned long long)n);
	CHECK_EQ(n, 1, "fw_cfg CPU count (key 5)");
}

/* Key 3: the RAM size in bytes, 64-bit little-endian; the multiboot sizes must agree. */
void test_fwcfg_ram_size(void)
{
	uint64_t ram = fw_cfg_read(FW_CFG_RAM_SIZE, 8);
	g4_info("fw_cfg: RAM %llu bytes (%llu MiB)\n", (unsigned long long)ram,
		(unsigned long long)(ram >> 20));
	CHECK(ram >= 16 * MIB && ram % 4096 == 0, "RAM size %llu: not whole pages of at least 16 MiB",
	      (unsigned long long)ram);
	const struct mb_info *mbi = g4_mbi();
	CHECK(ram == (uint64_t)mbi->mem_upper * KIB + MIB,
	      "fw_cfg RAM %llu bytes, multiboot mem_upper %u KiB + 1 MiB", (unsigned long long)ram,
	      mbi->mem_upper);
}

/* Bus 0, device 0: a host bridge from Intel (class 06, subclass 00). */
void test_pci_host_bridge(void)
{
	outl(PCI_ADDR, 0x80000000u);
	CHECK_EQ(inl(PCI_ADDR), 0x80000000u, "0xcf8 read back");
	uint32_t id = inl(PCI_DATA);
	g4_info("PCI 00:00.0 %04x:%04x\n", id & 0xffff, id >> 16);
	CHECK_EQ(id & 0xffff, 0x8086, "vendor ID of 00:00.0");
	CHECK(id >> 16 != 0xffff && id >> 16 != 0, "device ID %#x", id >> 16);
	/* 16-bit reads of the two halves (the data port is 0xcfc-0xcff). */
	CHECK_EQ(inw(PCI_DATA), 0x8086, "16-bit read of 0xcfc");
	CHECK_EQ(inw(PCI_DATA + 2), id >> 16, "16-bit read of 0xcfe");
	uint32_t class = pci_read32(0, 0, 0, 0x08);
	CHECK_EQ(class >> 16, 0x0600, "class/subclass of 00:00.0 (bridge, host)");
}

/* Absent functions answer all ones: a vendor ID of 0xffff means "nobody". */
void test_pci_absent_device(void)
{
	CHECK_EQ(pci_read32(0, 1, 0, 0), 0xffffffffu, "00:01.0 vendor/device");
	CHECK_EQ(pci_read32(0, 31, 7, 0), 0xffffffffu, "00:1f.7 vendor/device");
	CHECK_EQ(pci_read32(1, 0, 0, 0), 0xffffffffu, "01:00.0 vendor/device");
	CHECK_EQ(pci_read32(0, 0, 1, 0), 0xffffffffu, "00:00.1 (the bridge has one function)");
	outl(PCI_ADDR, 0);	/* enable bit clear: not a configuration cycle */
	CHECK_EQ(inl(PCI_DATA), 0xffffffffu, "0xcfc with 0xcf8 bit 31 clear");
}

/* Nothing answers: reads float to all ones, writes vanish (COM2 and COM3 are absent). */
void test_unclaimed_port(void)
{
	outb(0x2ff, 0x55);	/* COM2's scratch register, if there were a COM2 */
	CHECK_EQ(inb(0x2ff), 0xff, "8-bit read of 0x2ff after writing 0x55");
	CHECK_EQ(inw(0x2f8), 0xffff, "16-bit read of 0x2f8");
	CHECK_EQ(inl(0x3e8), 0xffffffffu, "32-bit read of 0x3e8");
	outb(0x80, 0);		/* the POST port Linux writes for short delays */
}

/* The keyboard controller's own test (command 0xAA) answers 0x55. */
void test_i8042_self_test(void)
{
	outb(0x64, 0xaa);
	CHECK(inb(0x64) & 0x01, "status %#x: no byte waiting after the self-test command", inb(0x64));
	CHECK_EQ(inb(0x60), 0x55, "self-test result");
	CHECK_EQ(inb(0x64) & 0x01, 0, "output-buffer-full after reading the result");
	/* The command byte: written with 0x60, read back with 0x20. */
	outb(0x64, 0x20);
	uint8_t ctr = inb(0x60);
	outb(0x64, 0x60);
	outb(0x60, (uint8_t)(ctr ^ 0x40));
	outb(0x64, 0x20);
	CHECK_EQ(inb(0x60), ctr ^ 0x40, "command byte read back");
	outb(0x64, 0x60);
	outb(0x60, ctr);
}

/*
 * What a PC BIOS stores in CMOS (IBM PC/AT technical reference; Linux
 * and older loaders read them): KiB above 1 MiB at 0x17/0x18 and
 * 0x30/0x31 (at most 0xffff), 64 KiB units above 16 MiB at 0x34/0x35.
 */
void test_cmos_memory_size(void)
{
	const struct mb_info *mbi = g4_mbi();
	uint32_t ext = mbi->mem_upper > 0xffff ? 0xffff : mbi->mem_upper;
	uint32_t above16 = mbi->mem_upper * KIB + MIB > 16 * MIB ?
		(mbi->mem_upper * KIB + MIB - 16 * MIB) >> 16 : 0;
	if (above16 > 0xffff)
		above16 = 0xffff;
	CHECK_EQ(rtc_read(0x30) | rtc_read(0x31) << 8, ext, "CMOS 0x30/0x31 (KiB above 1 MiB)");
	CHECK_EQ(rtc_read(0x17) | rtc_read(0x18) << 8, ext, "CMOS 0x17/0x18 (KiB above 1 MiB)");
	CHECK_EQ(rtc_read(0x34) | rtc_read(0x35) << 8, above16, "CMOS 0x34/0x35 (64 KiB above 16 MiB)");
}

/* ---- the MP table ---- */

struct mp_fp {
	char sig[4];			/* "_MP_" */
	uint32_t config;
	uint8_t length, rev, checksum, features[5];
} __attribute__((packed));

struct mp_config {
	char sig[4];			/* "PCMP" */
	uint16_t length;
	uint8_t rev, checksum;
	char oem[8], product[12];
	uint32_t oem_table;
	uint16_t oem_size, count;
	uint32_t lapic_addr;
	uint16_t ext_length;
	uint8_t ext_checksum, reserved;
} __attribute__((packed));

struct mp_cpu {
	uint8_t type, apic_id, apic_ver, flags;
	uint32_t signature, features, reserved[2];
} __attribute__((packed));

struct mp_ioapic {
	uint8_t type, id, ver, flags;
	uint32_t addr;
} __attribute__((packed));

struct mp_ioint {
	uint8_t type, int_type;
	uint16_t flags;
	uint8_t bus, irq, dst_id, dst_pin;
} __attribute__((packed));

static uint8_t sum8(const void *p, unsigned n)
{
	uint8_t s = 0;
	for (const uint8_t *b = p; n--; b++)
		s += *b;
	return s;
}

/* The floating pointer in the BIOS area (MP spec 4.1), or NULL. */
static const struct mp_fp *mp_find(void)
{
	for (uint32_t a = 0xf0000; a < 0x100000; a += 16) {
		const struct mp_fp *fp = (const struct mp_fp *)(uintptr_t)a;
		if (!memcmp(fp->sig, "_MP_", 4) && fp->length == 1 && sum8(fp, 16) == 0)
			return fp;
	}
	return NULL;
}

/*
 * The table a Linux without ACPI reads: one enabled processor (the BSP,
 * with this CPU's APIC ID), the local APIC at 0xFEE00000, one I/O APIC at
 * 0xFEC00000 whose ID register agrees, and ISA IRQ 0 on pin 2.
 */
void test_mptable(void)
{
	const struct mp_fp *fp = mp_find();
	CHECK(fp, "no MP floating pointer (\"_MP_\", checksum 0) in 0xf0000-0xfffff");
	const struct mp_config *c = (const struct mp_config *)(uintptr_t)fp->config;
	CHECK(fp->config && !memcmp(c->sig, "PCMP", 4), "floating pointer at %p: no \"PCMP\" at %#x",
	      (const void *)fp, fp->config);
	CHECK_EQ(sum8(c, c->length), 0, "configuration table checksum");
	CHECK_EQ(c->lapic_addr, LAPIC_BASE, "local APIC address in the table header");
	uint32_t r[4];
	cpuid(1, 0, r);
	unsigned cpus = 0, bsp_id = 0x100, irq0_pin = 0x100, ioapics = 0;
	uint8_t ioapic_id = 0xff;
	const uint8_t *p = (const uint8_t *)(c + 1), *end = (const uint8_t *)c + c->length;
	for (unsigned i = 0; i < c->count; i++) {
		CHECK(p < end, "entry %u beyond the table's length", i);
		switch (*p) {
		case 0: {
			const struct mp_cpu *e = (const void *)p;
			if (e->flags & 1)
				cpus++;
			if (e->flags & 2)
				bsp_id = e->apic_id;
			p += 20;
			break;
		}
		case 2: {
			const struct mp_ioapic *e = (const void *)p;
			CHECK_EQ(e->addr, IOAPIC_BASE, "I/O APIC address");
			ioapic_id = e->id;
			ioapics++;
			p += 8;
			break;
		}
		case 3: {
			const struct mp_ioint *e = (const void *)p;
			if (e->int_type == 0 && e->irq == 0)
				irq0_pin = e->dst_pin;
			p += 8;
			break;
		}
		case 1:
		case 4:
			p += 8;
			break;
		default:
			CHECK(0, "entry %u has unknown type %u", i, *p);
		}
	}
	CHECK_EQ(cpus, fw_cfg_read(FW_CFG_NB_CPUS, 2), "enabled processors (fw_cfg says)");
	CHECK_EQ(bsp_id, r[1] >> 24, "the BSP's APIC ID (CPUID.1:EBX[31:24])");
	CHECK_EQ(ioapics, 1, "I/O APIC entries");
	CHECK_EQ(ioapic_id, (ioapic_read(IOAPIC_REG_ID) >> 24) & 0xf, "I/O APIC ID (its ID register)");
	CHECK_EQ(irq0_pin, 2, "the I/O APIC pin of ISA IRQ 0");
}
