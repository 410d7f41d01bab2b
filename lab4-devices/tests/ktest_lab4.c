/*
 * ktest_lab4.c - in-kernel tests of lab 4's platform: a PC attached to a
 * VM and freed without leaks, the port table's rules, the loaders refusing
 * bad images with nothing written, and device models that survive a storm
 * of nonsense written to every register they own. The models' logic is
 * unit-tested on the host (tests/unit); the in-guest tests
 * (lab4-devices/guest) check them from a guest's side.
 */
#include "bzimage.h"
#include "heap.h"
#include "ktest.h"
#include "ktest_lab3.h"
#include "multiboot_load.h"
#include "pmm.h"
#include "string.h"
#include "vm_platform_internal.h"
#include "vmx/vmx_cpu.h"

#define KT_RAM          (4ul << 20)
#define KT_STORM_WRITES 20000u
#define KT_MB_MAGIC_OFF_MAX 8192u

static const struct platform_config kt_pc = { .ncpus = 1, .mptable = true };

static struct vm *kt_pc_vm(void)
{
	struct vm_config c = { .name = "kt-pc", .ram_size = KT_RAM, .blank = true, .quiet = true };
	struct vm *vm = vm_create(&c);
	if (vm && platform_attach(vm, &kt_pc)) {
		vm_destroy(vm);
		return NULL;
	}
	return vm;
}

KTEST(platform_attach_no_leak)
{
	NEED_LAB3();
	KASSERT(vmx_cpu_enable() == 0);
	size_t before = pmm_free_count();
	for (int i = 0; i < 3; i++) {
		struct vm *vm = kt_pc_vm();
		KASSERT(vm);
		KASSERT(vm->platform && vm->vcpu->ext && vm->vcpu->ext->pio_in);
		vm_destroy(vm);
	}
	KASSERTF(pmm_free_count() == before, "%ld frames lost", (long)(before - pmm_free_count()));
}

static uint32_t kt_rd(void *dev, uint16_t port, unsigned size) { (void)dev; (void)port; (void)size; return 0; }

KTEST(platform_pio_register_rules)
{
	NEED_LAB3();
	struct vm *vm = kt_pc_vm();
	KASSERT(vm);
	bool overlap = pio_register(vm, 0x3fc, 8, kt_rd, NULL, NULL, "over-com1") != 0;
	bool wrap = pio_register(vm, 0xfffe, 4, kt_rd, NULL, NULL, "wrap") != 0;
	bool empty = pio_register(vm, 0x2f8, 0, kt_rd, NULL, NULL, "empty") != 0;
	bool fine = pio_register(vm, 0x2f8, 8, kt_rd, NULL, NULL, "com2") == 0;
	uint32_t val = 0;
	bool found = platform_pio_in(vm->vcpu, 0x2fa, 1, &val) == 0 && val == 0;
	bool unclaimed = platform_pio_in(vm->vcpu, 0x3e8, 1, &val) == VCPU_MSR_UNCLAIMED;
	vm_destroy(vm);
	KASSERTF(overlap, "a range over COM1 was accepted");
	KASSERT(wrap && empty && fine && found && unclaimed);
}

/* @needle occurs in @s (the kernel's string library has no strstr). */
static bool kt_contains(const char *s, const char *needle)
{
	size_t n = strlen(needle);
	for (; *s; s++)
		if (!strncmp(s, needle, n))
			return true;
	return false;
}

/* A copy of @img with @len bytes, for corrupting. */
static uint8_t *kt_copy(const struct guest_image *img, size_t len)
{
	uint8_t *c = kzalloc(len);
	if (c)
		memcpy(c, img->start, len < img->size ? len : img->size);
	return c;
}

static size_t kt_mb_header(const uint8_t *b, size_t size)
{
	for (size_t off = 0; off + 12 <= size && off < KT_MB_MAGIC_OFF_MAX; off += 4) {
		uint32_t m;
		memcpy(&m, b + off, 4);
		if (m == MB_HEADER_MAGIC)
			return off;
	}
	return size;
}

/* The loaders refuse, by name, images that are not what they claim; nothing crashes. */
KTEST(platform_loaders_refuse_bad_images)
{
	NEED_LAB3();
	const struct guest_image *mb = guest_image_find("lab4-tests");
	KASSERTF(mb, "no guest image lab4-tests");
	struct vm *vm = kt_pc_vm();
	KASSERT(vm);
	struct guest_ram ram;
	platform_guest_ram(vm, &ram);
	char err[160];
	struct mb_boot mbb;
	struct bz_boot bzb;

	uint8_t *bad = kt_copy(mb, mb->size);
	size_t off = kt_mb_header(bad, mb->size);
	bool found = off < mb->size;
	if (found)
		bad[off + 8] ^= 1;   /* the checksum */
	bool checksum = found && mb_load(bad, mb->size, "", NULL, 0, &ram, &mbb, err, sizeof(err)) &&
			kt_contains(err, "checksum");
	struct mb_module huge = { mb->start, KT_RAM, "too big" };
	bool module = mb_load(mb->start, mb->size, "", &huge, 1, &ram, &mbb, err, sizeof(err)) &&
		      kt_contains(err, "module");
	bool not_bz = bz_load(mb->start, mb->size, NULL, 0, "", &ram, &bzb, err, sizeof(err)) != 0;
	bool truncated = bz_load(bad, 100, NULL, 0, "", &ram, &bzb, err, sizeof(err)) != 0;
	memset(bad, 0, 0x300);
	memcpy(bad + 0x202, "HdrS", 4);
	bad[0x1fe] = 0x55;
	bad[0x1ff] = 0xaa;
	bad[0x206] = 0x03;   /* protocol 2.03 */
	bad[0x207] = 0x02;
	bool old = bz_load(bad, mb->size, NULL, 0, "", &ram, &bzb, err, sizeof(err)) &&
		   kt_contains(err, "2.03");
	bool good = mb_load(mb->start, mb->size, "", NULL, 0, &ram, &mbb, err, sizeof(err)) == 0;
	kfree(bad);
	vm_destroy(vm);
	KASSERTF(checksum, "a bad multiboot checksum was not refused by name");
	KASSERTF(module, "a module bigger than RAM was not refused");
	KASSERTF(not_bz && truncated, "a non-bzImage was accepted");
	KASSERTF(old, "boot protocol 2.03 was accepted (or not named)");
	KASSERTF(good, "the good image was refused: %s", err);
}

/* A small pseudo-random sequence (xorshift): the storm repeats run after run. */
static uint32_t kt_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Nonsense to every device port and register: logged at most, ignored, never a crash. */
KTEST(platform_devices_survive_nonsense)
{
	NEED_LAB3();
	struct vm *vm = kt_pc_vm();
	KASSERT(vm);
	struct vm_platform *p = vm->platform;
	static const uint16_t ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x40, 0x41, 0x42,
		0x43, 0x61, 0x70, 0x71, 0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff,
		0x510, 0x511, 0xcf8, 0xcfc, 0xcfd, 0x60 };
	uint32_t seed = 0x1234567;
	for (unsigned i = 0; i < KT_STORM_WRITES; i++) {
		uint32_t r = kt_rand(&seed);
		uint16_t port = ports[r % (sizeof(ports) / sizeof(ports[0]))];
		unsigned size = 1u << ((r >> 8) % 3);
		uint32_t val;
		if (r & (1u << 20))
			platform_pio_out(vm->vcpu, port, size, kt_rand(&seed));
		else
			platform_pio_in(vm->vcpu, port, size, &val);
		struct mmio_access a = { 0, (kt_rand(&seed) % 0x1000) & ~3u, 4, (r >> 21) & 1,
					 kt_rand(&seed) };
		const struct mmio_region *m = mmio_find(vm, (r & (1u << 22)) ? PLATFORM_LAPIC_BASE :
							PLATFORM_IOAPIC_BASE);
		a.gpa = m->start + (a.offset < m->len ? a.offset : 0);
		a.offset = a.gpa - m->start;
		m->handler(vm, &a, m->ctx);
		platform_update(vm);
	}
	/* Still a PC: fw_cfg answers its signature. */
	platform_pio_out(vm->vcpu, FW_CFG_PORT_SEL, 2, 0);
	uint32_t sig = 0;
	for (unsigned i = 0; i < 4; i++) {   /* the data port is one byte wide */
		uint32_t b = 0;
		platform_pio_in(vm->vcpu, FW_CFG_PORT_SEL + 1, 1, &b);
		sig |= (b & 0xff) << (8 * i);
	}
	bool alive = p->vm == vm;
	vm_destroy(vm);
	KASSERT(alive);
	KASSERTF(sig == 0x554d4551, "fw_cfg signature %#x after the storm", sig);
}
