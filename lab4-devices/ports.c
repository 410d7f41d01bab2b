/*
 * ports.c - the small PC ports that small test kernels and Linux touch:
 *
 *   0xF4        debug exit (QEMU's isa-debug-exit): a write ends the VM, the
 *               value written becomes its exit status (low 8 bits);
 *   0x8900      the "Shutdown" string port (Bochs, old QEMU): writing the
 *               letters S-h-u-t-d-o-w-n in a row ends the VM with status 0;
 *   0x510/0x511 fw_cfg (QEMU's firmware configuration): a 16-bit key
 *               selector, then the item's bytes one by one from the data port;
 *   0xCF8/0xCFC PCI configuration mechanism #1: bus 0 holds one host
 *               bridge (an i440FX); every other function is absent and
 *               reads all ones, so probes find nothing;
 *   0xCF9       reset control: bit 2 set resets, which ends the VM;
 *   0x60/0x64   an 8042 keyboard controller with nothing attached: its
 *               self-tests pass, its command byte reads back, 0xFE on
 *               0x64 pulses the reset line, which ends the VM;
 *   0x600/0x604 the ACPI PM1a event and control registers the FADT lists
 *               (ACPI 6.x, 4.8.3.1 and 4.8.3.2): no event ever fires, SCI_EN
 *               reads 1 (ACPI mode), and SLP_EN ends the VM (a sleep or
 *               soft-off request).
 *
 * Each writes nothing but its own state; nonsense (an unknown fw_cfg key,
 * an unknown 8042 command) is logged once and ignored.
 */
#include "vm_platform_internal.h"
#include "printf.h"
#include "string.h"

#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_ID        0x0001
#define FW_CFG_RAM_SIZE  0x0003
#define FW_CFG_NB_CPUS   0x0005
#define FW_CFG_MAX_CPUS  0x000f
#define FW_CFG_FILE_DIR  0x0019
#define PCI_ENABLE       0x80000000u
#define HOST_BRIDGE_ID   0x12378086u   /* Intel 82441FX (i440FX), vendor 0x8086 */
#define HOST_BRIDGE_CLASS 0x06000002u  /* class 06 (bridge), subclass 00 (host), revision 2 */
#define KBC_STATUS_SYS   0x04          /* "system flag": the self-test passed */
#define KBC_STATUS_OBF   0x01          /* output buffer full: 0x60 has a byte */
#define KBC_CMD_READ_CTR 0x20
#define KBC_CMD_WRITE_CTR 0x60
#define KBC_CMD_SELF_TEST 0xaa
#define KBC_CMD_PULSE_RESET 0xfe

static void platform_end(struct vm_platform *p, int status, const char *why)
{
	struct vcpu *v = p->vm->vcpu;
	v->exit_code = status;
	kprintf("vm %s: %s\n", p->vm->name, why);
	vcpu_stop(v, VCPU_STOP_EXIT, why);
}

/* ---- debug exit and the shutdown string ---- */

static void debug_exit_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	(void)port; (void)size;
	struct vm_platform *p = dev;
	ksnprintf(p->end_why, sizeof(p->end_why), "debug-exit port 0xf4: status %u", val & 0xff);
	platform_end(p, (int)(val & 0xff), p->end_why);
}

static void shutdown_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	(void)port;
	static const char word[] = "Shutdown";
	struct vm_platform *p = dev;
	for (unsigned i = 0; i < size; i++) {
		char c = (char)(val >> (8 * i));
		p->shutdown_pos = c == word[p->shutdown_pos] ? p->shutdown_pos + 1 :
			c == word[0] ? 1 : 0;
		if (p->shutdown_pos == sizeof(word) - 1) {
			p->shutdown_pos = 0;
			platform_end(p, 0, "\"Shutdown\" written to port 0x8900");
		}
	}
}

/* ---- fw_cfg ---- */

/* The bytes of fw_cfg item @key at @offset (0 past its end). */
static uint8_t fw_cfg_byte(const struct vm_platform *p, uint16_t key, uint32_t offset)
{
	uint64_t item = 0;
	unsigned len = 0;
	switch (key) {
	case FW_CFG_SIGNATURE: item = 0x554d4551; len = 4; break;   /* "QEMU" */
	case FW_CFG_ID: item = 1; len = 4; break;                   /* traditional interface only */
	case FW_CFG_RAM_SIZE: item = p->vm->ram_size; len = 8; break;
	case FW_CFG_NB_CPUS: case FW_CFG_MAX_CPUS: item = p->ncpus; len = 2; break;
	case FW_CFG_FILE_DIR: item = 0; len = 4; break;             /* no files (big-endian count 0) */
	default: return 0;
	}
	return offset < len ? (uint8_t)(item >> (8 * offset)) : 0;
}

static bool fw_cfg_known(uint16_t key)
{
	return key == FW_CFG_SIGNATURE || key == FW_CFG_ID || key == FW_CFG_RAM_SIZE ||
	       key == FW_CFG_NB_CPUS || key == FW_CFG_MAX_CPUS || key == FW_CFG_FILE_DIR;
}

static uint32_t fw_cfg_read(void *dev, uint16_t port, unsigned size)
{
	struct vm_platform *p = dev;
	if (port == FW_CFG_PORT_SEL)
		return p->fw_cfg_key;
	uint32_t val = 0;
	for (unsigned i = 0; i < size; i++)
		val |= (uint32_t)fw_cfg_byte(p, p->fw_cfg_key, p->fw_cfg_offset++) << (8 * i);
	return val;
}

static void fw_cfg_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	(void)size;
	struct vm_platform *p = dev;
	if (port != FW_CFG_PORT_SEL)
		return;   /* the data port is read-only in the traditional interface */
	p->fw_cfg_key = (uint16_t)val;
	p->fw_cfg_offset = 0;
	if (!fw_cfg_known(p->fw_cfg_key) && !p->fw_cfg_logged) {
		p->fw_cfg_logged = true;
		kprintf("vm %s: fw_cfg key %#x is not provided: it reads as zeros (logged once)\n",
			p->vm->name, p->fw_cfg_key);
	}
}

/* ---- PCI configuration space, mechanism #1 ---- */

static uint32_t pci_config(const struct vm_platform *p, uint32_t addr)
{
	unsigned bus = (addr >> 16) & 0xff, devfn = (addr >> 8) & 0xff, reg = addr & 0xfc;
	if (!(addr & PCI_ENABLE) || bus != 0 || devfn != 0)
		return ~0u;   /* no device: the vendor ID reads 0xffff */
	(void)p;
	switch (reg) {
	case 0x00: return HOST_BRIDGE_ID;
	case 0x08: return HOST_BRIDGE_CLASS;
	default: return 0;
	}
}

static void reset_control_write(void *dev, uint16_t port, unsigned size, uint32_t val);

/* 0xCF8-0xCFF: a dword at 0xCF8 is the address; a byte at 0xCF9 is reset control. */
static uint32_t pci_read(void *dev, uint16_t port, unsigned size)
{
	struct vm_platform *p = dev;
	if (port == PCI_PORT_ADDR && size == 4)
		return p->pci_addr;
	if (port >= PCI_PORT_DATA) {
		uint32_t word = pci_config(p, p->pci_addr);
		return word >> (8 * (port - PCI_PORT_DATA));
	}
	return ~0u;
}

static void pci_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	struct vm_platform *p = dev;
	if (port == PCI_PORT_ADDR && size == 4)
		p->pci_addr = val;
	else if (port == RESET_CONTROL_PORT && size == 1)
		reset_control_write(p, port, size, val);
	/* Writes to configuration registers: the host bridge has nothing to set. */
}

static void reset_control_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	(void)port; (void)size;
	if (val & 0x04)   /* RST_CPU; SYS_RST (bit 1) chooses hard or soft: both end the VM */
		platform_end(dev, 0, "reset through port 0xcf9: the VM ends");
}

/* ---- 8042 keyboard controller, nothing attached ---- */

static uint32_t kbc_read(void *dev, uint16_t port, unsigned size)
{
	(void)size;
	struct vm_platform *p = dev;
	if (port == KBC_PORT_STATUS)
		return KBC_STATUS_SYS | (p->kbc_obf ? KBC_STATUS_OBF : 0);
	p->kbc_obf = false;
	return p->kbc_out;
}

static void kbc_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	(void)size;
	struct vm_platform *p = dev;
	uint8_t b = (uint8_t)val;
	if (port == KBC_PORT_DATA) {
		if (p->kbc_pending == KBC_CMD_WRITE_CTR)
			p->kbc_ctr = b;
		p->kbc_pending = 0;   /* bytes for an absent keyboard are dropped */
		return;
	}
	switch (b) {
	case KBC_CMD_PULSE_RESET:
		platform_end(p, 0, "reset through the keyboard controller: the VM ends");
		return;
	case KBC_CMD_READ_CTR:
		p->kbc_out = p->kbc_ctr;
		p->kbc_obf = true;
		return;
	case KBC_CMD_WRITE_CTR:
		p->kbc_pending = b;
		return;
	case KBC_CMD_SELF_TEST:
		p->kbc_out = 0x55;
		p->kbc_obf = true;
		return;
	case 0xab: case 0xa9:   /* keyboard / aux interface tests: "no error" */
		p->kbc_out = 0x00;
		p->kbc_obf = true;
		return;
	case 0xad: case 0xae: case 0xa7: case 0xa8:   /* disable/enable kbd and aux: accepted */
		return;
	}
	if (!p->kbc_logged) {
		p->kbc_logged = true;
		kprintf("vm %s: keyboard controller command %#x ignored (logged once)\n", p->vm->name, b);
	}
}

/* ---- ACPI PM1a registers ---- */

#define PM1_STS_OFF   0   /* status: write 1 to clear; nothing ever sets a bit here */
#define PM1_EN_OFF    2
#define PM1_CNT_SCI_EN (1u << 0)
#define PM1_CNT_SLP_EN (1u << 13)
#define PM1_CNT_SLP_TYP(v) (((v) >> 10) & 7)

static uint32_t pm1_read(void *dev, uint16_t port, unsigned size)
{
	struct vm_platform *p = dev;
	uint32_t val = 0;
	for (unsigned i = 0; i < size; i++) {
		unsigned off = port + i - PM1A_EVT_PORT;
		uint8_t b = 0;
		if (off == PM1_EN_OFF || off == PM1_EN_OFF + 1)
			b = (uint8_t)(p->pm1_en >> (8 * (off - PM1_EN_OFF)));
		else if (port + i >= PM1A_CNT_PORT)
			b = (uint8_t)((p->pm1_cnt | PM1_CNT_SCI_EN) >> (8 * (port + i - PM1A_CNT_PORT)));
		val |= (uint32_t)b << (8 * i);
	}
	return val;
}

static void pm1_write(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	struct vm_platform *p = dev;
	for (unsigned i = 0; i < size; i++) {
		unsigned at = port + i;
		uint8_t b = (uint8_t)(val >> (8 * i));
		if (at == PM1A_EVT_PORT + PM1_EN_OFF)
			p->pm1_en = (uint16_t)((p->pm1_en & 0xff00) | b);
		else if (at == PM1A_EVT_PORT + PM1_EN_OFF + 1)
			p->pm1_en = (uint16_t)((p->pm1_en & 0x00ff) | b << 8);
		else if (at == PM1A_CNT_PORT)
			p->pm1_cnt = (uint16_t)((p->pm1_cnt & 0xff00) | b);
		else if (at == PM1A_CNT_PORT + 1)
			p->pm1_cnt = (uint16_t)((p->pm1_cnt & 0x00ff) | b << 8);
	}
	if (p->pm1_cnt & PM1_CNT_SLP_EN) {
		ksnprintf(p->end_why, sizeof(p->end_why), "ACPI sleep type %u requested "
			  "(PM1a_CNT.SLP_EN): the VM ends", PM1_CNT_SLP_TYP(p->pm1_cnt));
		platform_end(p, 0, p->end_why);
	}
}

int platform_ports_init(struct vm_platform *p)
{
	struct vm *vm = p->vm;
	p->kbc_ctr = 0x30;   /* both ports' clocks disabled, no interrupts */
	int err = 0;
	err |= pio_register(vm, DEBUG_EXIT_PORT, 4, NULL, debug_exit_write, p, "debug-exit");
	err |= pio_register(vm, SHUTDOWN_PORT, 1, NULL, shutdown_write, p, "shutdown");
	err |= pio_register(vm, FW_CFG_PORT_SEL, 2, fw_cfg_read, fw_cfg_write, p, "fw_cfg");
	err |= pio_register(vm, PCI_PORT_ADDR, 8, pci_read, pci_write, p, "pci+reset-control");
	err |= pio_register(vm, KBC_PORT_DATA, 1, kbc_read, kbc_write, p, "i8042-data");
	err |= pio_register(vm, KBC_PORT_STATUS, 1, kbc_read, kbc_write, p, "i8042-command");
	err |= pio_register(vm, PM1A_EVT_PORT, 6, pm1_read, pm1_write, p, "acpi-pm1a");
	return err ? -1 : 0;
}
