/*
 * vm.c - a lab-3 virtual machine (vm.h): guest-physical RAM made of host
 * page runs and mapped by the VM's own EPT, its VPID, its image loaded
 * from a validated ELF file, MMIO regions, and guest pointers translated
 * the way the CPU would (guest page tables, then EPT).
 *
 * Nothing here touches VMX: the vendor backend (vm_vendor.h, vmx_vm.c)
 * turns the vCPU into one that runs on the EPT and starts in real mode.
 */
#include "guest_elf.h"
#include "gpt_walk.h"
#include "heap.h"
#include "memerr.h"
#include "pmm.h"
#include "panic.h"
#include "printf.h"
#include "spinlock.h"
#include "string.h"
#include "vm.h"
#include "vm_vendor.h"

#define VPID_MAX 256   /* VPIDs handed out: 1..255 (0 is the host's, 28.1 "VPIDs") */

static struct spinlock vm_lock;
static uint8_t vpid_used[VPID_MAX];   /* [0] stays unused: VPID 0 is the host */
static unsigned vm_next_id = 1;

static uint16_t vpid_get(void)
{
	uint16_t vpid = 0;
	spin_lock(&vm_lock);
	for (unsigned i = 1; i < VPID_MAX && !vpid; i++)
		if (!vpid_used[i]) {
			vpid_used[i] = 1;
			vpid = (uint16_t)i;
		}
	spin_unlock(&vm_lock);
	return vpid;
}

static void vpid_put(uint16_t vpid)
{
	spin_lock(&vm_lock);
	if (vpid && vpid < VPID_MAX)
		vpid_used[vpid] = 0;
	spin_unlock(&vm_lock);
}

/* EPT tables come from the physical allocator, one zeroed frame each. */
static uint64_t vm_table_alloc(void *ctx)
{
	(void)ctx;
	return page_alloc();
}

static void vm_table_free(uint64_t pa, void *ctx)
{
	(void)ctx;
	page_free(pa);
}

static void vm_free_ram(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nram; i++)
		for (uint64_t done = 0; done < vm->ram[i].pages; done += VM_RAM_RUN_PAGES) {
			uint64_t n = vm->ram[i].pages - done;
			pages_free(vm->ram[i].hpa + done * PAGE_SIZE,
				   n < VM_RAM_RUN_PAGES ? n : VM_RAM_RUN_PAGES);
		}
	kfree(vm->ram);
	vm->ram = NULL;
	vm->nram = 0;
}

/*
 * Allocate the guest's RAM and map it in its EPT: runs of up to 2 MiB (pmm's
 * largest alignment), zeroed, merged when they happen to be contiguous, then
 * mapped read/write/execute, write-back, at guest-physical [0, ram_size).
 * ept_map_range picks 2 MiB EPT pages where guest and host addresses are both
 * 2 MiB aligned.
 */
static int vm_alloc_ram(struct vm *vm, uint64_t ram_size)
{
	uint64_t pages = ram_size / PAGE_SIZE;
	uint64_t runs = (pages + VM_RAM_RUN_PAGES - 1) / VM_RAM_RUN_PAGES;
	vm->ram = kzalloc(runs * sizeof(*vm->ram));
	if (!vm->ram)
		return -1;
	for (uint64_t gpa = 0; gpa < ram_size;) {
		uint64_t n = (ram_size - gpa) / PAGE_SIZE;
		if (n > VM_RAM_RUN_PAGES)
			n = VM_RAM_RUN_PAGES;
		uint64_t hpa = pages_alloc(n);
		if (!hpa) {
			kprintf("vm_create %s: out of memory for %lu KiB of guest RAM\n", vm->name,
				ram_size >> 10);
			return -1;
		}
		struct vm_ram_chunk *last = vm->nram ? &vm->ram[vm->nram - 1] : NULL;
		if (last && last->hpa + last->pages * PAGE_SIZE == hpa)
			last->pages += n;
		else
			vm->ram[vm->nram++] = (struct vm_ram_chunk){ gpa, hpa, n };
		gpa += n * PAGE_SIZE;
	}
	/* BEGIN SOLUTION lab3 */
	for (unsigned i = 0; i < vm->nram; i++) {
		const struct vm_ram_chunk *c = &vm->ram[i];
		int err = ept_map_range(&vm->ept, c->gpa, c->hpa, c->pages * PAGE_SIZE, EPT_RWX,
					EPT_MT_WB);
		if (err) {
			kprintf("vm_create %s: EPT mapping of RAM [%#lx, %#lx): %s\n", vm->name,
				c->gpa, c->gpa + c->pages * PAGE_SIZE, mem_strerror(err));
			return -1;
		}
	}
	return 0;
	/* END SOLUTION */
	/* STUB lab3
	NOT_IMPLEMENTED("lab3");
	*/
}

void *vm_gpa_ptr(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < vm->nram; i++) {
		const struct vm_ram_chunk *c = &vm->ram[i];
		uint64_t size = c->pages * PAGE_SIZE;
		if (gpa < c->gpa || gpa - c->gpa >= size)
			continue;
		uint64_t off = gpa - c->gpa;
		return len <= size - off ? (void *)(uintptr_t)(c->hpa + off) : NULL;
	}
	return NULL;
}

/* guest_elf_load's copy: the loader has checked the segment lies in RAM. */
static int vm_copy_segment(void *ctx, uint64_t gpa, const void *src, uint64_t filesz,
			   uint64_t memsz)
{
	struct vm *vm = ctx;
	for (uint64_t off = 0; off < memsz;) {
		/* A segment may span RAM runs: copy run by run. */
		uint8_t *dst = vm_gpa_ptr(vm, gpa + off, 1);
		if (!dst)
			return -1;
		uint64_t n = PAGE_SIZE - ((gpa + off) & (PAGE_SIZE - 1));
		if (n > memsz - off)
			n = memsz - off;
		uint64_t from_file = off < filesz ? (filesz - off < n ? filesz - off : n) : 0;
		memcpy(dst, (const uint8_t *)src + off, from_file);
		memset(dst + from_file, 0, n - from_file);
		off += n;
	}
	return 0;
}

static void vm_free(struct vm *vm)
{
	if (vm->platform_free)
		vm->platform_free(vm);
	/* INVEPT/INVVPID need VMX on this CPU: there is a vCPU only if it is. */
	if (vm->vcpu) {
		vm_vendor_flush(vm);
		vcpu_destroy(vm->vcpu);
	}
	if (vm->ept.root)
		ept_destroy(&vm->ept);
	vm_free_ram(vm);
	vpid_put(vm->vpid);
	kfree(vm);
}

static int vm_check_config(const struct vm_config *c, uint64_t ram_size, const char *name)
{
	if (!c->blank && (!c->image || !c->image->size)) {
		kprintf("vm_create %s: no guest image\n", name);
		return -1;
	}
	if (ram_size < VM_RAM_MIN || ram_size > VM_RAM_MAX || (ram_size & (PAGE_SIZE - 1))) {
		kprintf("vm_create %s: RAM size %#lx: must be a multiple of 4 KiB in [%#lx, %#lx]\n",
			name, ram_size, VM_RAM_MIN, VM_RAM_MAX);
		return -1;
	}
	return 0;
}

/* The guest_ptr hook (vcpu.h) of lab-3 vCPUs. */
static void *vm_linear_ptr(struct vcpu *v, uint64_t gla, uint64_t len);
const struct vcpu_ext_ops vm_ext_ops = {
	.guest_ptr = vm_linear_ptr,
	.msr_read = vm_vendor_msr_read,     /* EFER lives in the VMCS: the vendor's */
	.msr_write = vm_vendor_msr_write,
};

struct vm *vm_create(const struct vm_config *c)
{
	const char *name = c->name ? c->name : c->image ? c->image->name : "?";
	uint64_t ram_size = c->ram_size ? c->ram_size : VM_RAM_DEFAULT;
	if (vm_check_config(c, ram_size, name) || vm_vendor_check())
		return NULL;
	/* Validate the whole image before allocating anything for it. */
	char err[160];
	struct guest_elf_info info = { 0 };
	if (!c->blank && guest_elf_load(c->image->start, c->image->size, ram_size, NULL, NULL,
					&info, err, sizeof(err))) {
		kprintf("vm_create %s: image %s refused: %s\n", name, c->image->name, err);
		return NULL;
	}
	if (info.entry >= (1u << 20)) {
		kprintf("vm_create %s: entry point %#lx is above 1 MiB: a guest that starts in "
			"real mode cannot reach it\n", name, info.entry);
		return NULL;
	}

	struct vm *vm = kzalloc(sizeof(*vm));
	if (!vm) {
		kprintf("vm_create %s: out of memory\n", name);
		return NULL;
	}
	ksnprintf(vm->name, sizeof(vm->name), "%s", name);
	vm->ram_size = ram_size;
	vm->entry = info.entry;
	if (vm_vendor_has_vpid() && !(vm->vpid = vpid_get())) {
		kprintf("vm_create %s: all %d VPIDs are in use\n", name, VPID_MAX - 1);
		goto fail;
	}
	if (ept_init(&vm->ept, vm_table_alloc, vm_table_free, NULL)) {
		kprintf("vm_create %s: out of memory for the EPT root\n", name);
		goto fail;
	}
	vm_vendor_ept_caps(&vm->ept);
	if (vm_alloc_ram(vm, ram_size))
		goto fail;
	if (!c->blank && guest_elf_load(c->image->start, c->image->size, ram_size,
					vm_copy_segment, vm, &info, err, sizeof(err))) {
		kprintf("vm_create %s: loading image %s: %s\n", name, c->image->name, err);
		goto fail;
	}
	vm->vcpu = vcpu_create_bare(vm->name);
	if (!vm->vcpu)
		goto fail;
	struct vcpu *v = vm->vcpu;
	v->vm = vm;
	v->ext = &vm_ext_ops;
	v->image = c->image;
	v->quiet = c->quiet;
	if (c->watchdog)
		v->watchdog_budget = c->watchdog;
	if (vm_vendor_setup(vm))
		goto fail;
	/* The start registers vm.h promises (EDX is the vendor's: CPUID). */
	v->regs.rdi = ram_size;
	v->regs.rbx = c->arg[0];
	v->regs.rcx = c->arg[1];
	v->regs.rsi = c->arg[2];
	spin_lock(&vm_lock);
	vm->id = vm_next_id++;
	spin_unlock(&vm_lock);
	return vm;
fail:
	vm_free(vm);
	return NULL;
}

void vm_destroy(struct vm *vm)
{
	if (vm)
		vm_free(vm);
}

void vm_ept_changed(struct vm *vm)
{
	vm_vendor_flush(vm);
}

int mmio_register(struct vm *vm, uint64_t gpa, uint64_t len, mmio_handler_fn fn, void *ctx,
		  const char *name)
{
	if (!len || !fn || gpa + len < gpa) {
		kprintf("mmio_register %s: empty region, no handler or address overflow\n", name);
		return -1;
	}
	if (gpa < vm->ram_size) {
		kprintf("mmio_register %s: [%#lx, %#lx) overlaps the RAM of VM %s\n", name, gpa,
			gpa + len, vm->name);
		return -1;
	}
	for (unsigned i = 0; i < vm->nmmio; i++) {
		const struct mmio_region *r = &vm->mmio[i];
		if (gpa < r->start + r->len && r->start < gpa + len) {
			kprintf("mmio_register %s: [%#lx, %#lx) overlaps region %s\n", name, gpa,
				gpa + len, r->name);
			return -1;
		}
	}
	if (vm->nmmio == VM_MAX_MMIO) {
		kprintf("mmio_register %s: VM %s has %d regions already\n", name, vm->name,
			VM_MAX_MMIO);
		return -1;
	}
	vm->mmio[vm->nmmio++] = (struct mmio_region){ gpa, len, fn, ctx, name };
	return 0;
}

const struct mmio_region *mmio_find(const struct vm *vm, uint64_t gpa)
{
	for (unsigned i = 0; i < vm->nmmio; i++)
		if (gpa >= vm->mmio[i].start && gpa - vm->mmio[i].start < vm->mmio[i].len)
			return &vm->mmio[i];
	return NULL;
}

int vm_walk_reader(void *ctx, uint64_t gpa, unsigned size, uint64_t *val)
{
	const void *p = vm_gpa_ptr(ctx, gpa, size);
	if (!p)
		return -1;
	*val = 0;
	memcpy(val, p, size);
	return 0;
}

int vm_linear_to_gpa(struct vcpu *v, uint64_t gla, uint64_t *gpa)
{
	struct vm_paging p;
	vm_vendor_paging(v, &p);
	if (!p.long_mode)
		gla &= 0xffffffffull;   /* linear addresses are 32-bit outside IA-32e mode */
	struct gpt_result r;
	int err = gpt_walk(gpt_mode_of(p.cr0, p.cr4, p.efer), p.cr3, p.cr4, p.efer, gla,
			   vm_walk_reader, v->vm, &r);
	if (err)
		return err;
	*gpa = r.gpa;
	return 0;
}

/*
 * The guest_ptr hook: each page of [gla, gla + len) translated (guest page
 * tables, then RAM); the range is handed out only if the host bytes are
 * contiguous, so a buffer that straddles two guest pages mapped to
 * scattered host frames is refused rather than read half wrong.
 */
static void *vm_linear_ptr(struct vcpu *v, uint64_t gla, uint64_t len)
{
	if (!len || gla + len < gla)
		return NULL;
	uint8_t *start = NULL;
	for (uint64_t off = 0; off < len;) {
		uint64_t gpa;
		if (vm_linear_to_gpa(v, gla + off, &gpa))
			return NULL;
		uint64_t n = PAGE_SIZE - ((gla + off) & (PAGE_SIZE - 1));
		if (n > len - off)
			n = len - off;
		uint8_t *p = vm_gpa_ptr(v->vm, gpa, n);
		if (!p || (start && p != start + off))
			return NULL;
		if (!start)
			start = p;
		off += n;
	}
	return start;
}

void vm_run_together(struct vm **vms, size_t n, int *rcs)
{
	size_t running = n;
	for (size_t i = 0; i < n; i++) {
		vms[i]->vcpu->yield = true;
		rcs[i] = VCPU_YIELDED;
	}
	while (running)
		for (size_t i = 0; i < n; i++) {
			if (rcs[i] != VCPU_YIELDED)
				continue;
			rcs[i] = vcpu_run(vms[i]->vcpu);
			if (rcs[i] != VCPU_YIELDED)
				running--;
		}
	for (size_t i = 0; i < n; i++)
		vms[i]->vcpu->yield = false;
}
