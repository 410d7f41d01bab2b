/*
 * demo3.c - what lab 3 does at boot, chosen on the kernel command line.
 *
 *   demo          after lab 2's demo (demo=3: this one alone): two VMs of the lab3-boot image, each
 *                 with its own EPT, RAM and VPID, time-shared on cpu 0;
 *                 both start in real mode and switch themselves to long mode
 *   vm=NAME[,NAME...]
 *                 those images as lab-3 VMs, time-shared on the bootstrap
 *                 processor; the kernel then ends with a status: 0 when
 *                 every VM exited 0, else the first other status, as
 *                 guest=NAME reports it (lab2-vmx/demo.c)
 *   vmram=KIB     RAM of each VM started by vm= (default 2048 KiB)
 */
#include "cmdline.h"
#include "init.h"
#include "platform.h"
#include "printf.h"
#include "string.h"
#include "vm.h"
#include "vm_vendor.h"

#define DEMO3_IMAGE       "lab3-boot"
#define VM_CMD_MAX        128
#define VM_MAX_AT_ONCE    4
#define STATUS_NOT_EXITED 128   /* + VCPU_E*: as lab 2's guest=NAME */
#define STATUS_NO_GUEST   127

static void print_vm(const struct vm *vm)
{
	struct ept_mapping m;
	bool mapped = ept_translate(&vm->ept, 0, &m) == 0;
	kprintf("vm %u (%s): %lu KiB of RAM in %u host run%s, VPID %u, EPTP %#lx, "
		"guest-physical 0 -> host %#lx (%lu KiB page)\n", vm->id, vm->name,
		vm->ram_size >> 10, vm->nram, vm->nram == 1 ? "" : "s", vm->vpid,
		ept_eptp(&vm->ept), mapped ? m.hpa : 0, mapped ? m.size >> 10 : 0);
}

/* Create VMs of @names, run them together, destroy them; the status. */
static int run_vms(const char *const *names, size_t n, uint64_t ram)
{
	struct vm *vms[VM_MAX_AT_ONCE] = { 0 };
	int rcs[VM_MAX_AT_ONCE];
	int status = 0;
	size_t made = 0;
	for (; made < n; made++) {
		const struct guest_image *img = guest_image_find(names[made]);
		if (!img) {
			kprintf("vm: no guest image \"%s\"\n", names[made]);
			status = STATUS_NO_GUEST;
			break;
		}
		struct vm_config c = { .image = img, .ram_size = ram };
		vms[made] = vm_create(&c);
		if (!vms[made]) {
			status = STATUS_NO_GUEST;
			break;
		}
		print_vm(vms[made]);
	}
	if (made == n) {
		vm_run_together(vms, n, rcs);
		for (size_t i = 0; i < n && !status; i++)
			status = rcs[i] >= 0 ? rcs[i] : STATUS_NOT_EXITED - rcs[i];
	}
	for (size_t i = 0; i < made; i++)
		vm_destroy(vms[i]);
	return status;
}

static int lab3_demo(void)
{
	if (!cmdline_demo("3") || vm_vendor_check() != 0)
		return 0;
	const char *names[] = { DEMO3_IMAGE, DEMO3_IMAGE };
	kprintf("demo: two VMs, each with its own EPT, starting in real mode, sharing cpu 0\n");
	int status = run_vms(names, 2, 0);
	kprintf("demo: lab 3 VMs finished with status %d\n", status);
	return status ? -1 : 0;
}
INITCALL(91, lab3_demo);

/* A decimal number of KiB, in bytes; 0 (after saying why) when it is not one. */
static uint64_t parse_kib(const char *s)
{
	uint64_t kib = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || kib > VM_RAM_MAX) {
			kprintf("vmram=%s: not a size in KiB; the default is used\n", s);
			return 0;
		}
		kib = kib * 10 + (uint64_t)(*p - '0');
	}
	return kib << 10;
}

/* vm=NAME[,NAME...]: the VMs, then the run ends with their status. */
static int lab3_vm(void)
{
	char spec[VM_CMD_MAX], ram_kib[16];
	if (!cmdline_get("vm", spec, sizeof(spec)))
		return 0;
	uint64_t ram = cmdline_get("vmram", ram_kib, sizeof(ram_kib)) ? parse_kib(ram_kib) : 0;
	const char *names[VM_MAX_AT_ONCE];
	size_t n = 0;
	for (char *tok = spec; tok && n < VM_MAX_AT_ONCE;) {
		char *comma = strchr(tok, ',');
		if (comma)
			*comma = '\0';
		if (*tok)
			names[n++] = tok;
		tok = comma ? comma + 1 : NULL;
	}
	int status = n ? run_vms(names, n, ram) : STATUS_NO_GUEST;
	kprintf("vm: finished; exit status %d\n", status);
	kprintf("hvlab: nothing more to run; shutting down with status %d\n", status);
	platform_exit(status);
}
INITCALL(96, lab3_vm);
