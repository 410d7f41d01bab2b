/*
 * ktest_vm.c - in-kernel tests of lab-3 VMs: create/destroy without leaks,
 * RAM behind EPT (large pages where aligned), refused images, a guest
 * that boots from real mode to long mode, the in-guest tests with the
 * MMIO test device, several VMs time-shared on one CPU and side by side
 * on two, KERNEL_GS_BASE switched between vCPUs, EPT permission changes
 * taking effect (INVEPT), and EPT accessed/dirty flags.
 */
#include "heap.h"
#include "ktest.h"
#include "ktest_lab3.h"
#include "mmio_test.h"
#include "percpu.h"
#include "pmm.h"
#include "smp.h"
#include "string.h"
#include "victim.h"
#include "vm.h"
#include "vm_vendor.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_ctls.h"
#include "vmx/vmx_vcpu.h"
#include "x86.h"

#define KT_SEED_A      0x1234u
#define KT_SEED_B      0xbeefu
#define KT_ROUNDS      3
#define KT_AP_WAIT_US  60000000
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define ELF_ENTRY_OFFSET   24        /* e_entry in an ELF header (both classes) */

static const struct guest_image *kt_find(const char *name)
{
	const struct guest_image *img = guest_image_find(name);
	if (!img)
		ktest_fail(__FILE__, __LINE__, "no guest image %s in this kernel", name);
	return img;
}

static struct vm *kt_vm(const char *image, uint64_t ram, uint32_t a0, uint32_t a1)
{
	const struct guest_image *img = kt_find(image);
	if (!img)
		return NULL;
	struct vm_config c = { .image = img, .ram_size = ram, .arg = { a0, a1, 0 }, .quiet = true };
	return vm_create(&c);
}

bool kt_victim_intact(const struct vm *vm, uint32_t seed)
{
	const uint64_t *w = vm_gpa_ptr(vm, VICTIM_BASE, VICTIM_BYTES);
	if (!w)
		return false;
	for (uint64_t i = 0; i < VICTIM_BYTES / 8; i++)
		if (w[i] != victim_word(seed, i))
			return false;
	return true;
}

KTEST(vm_create_destroy_no_leak)
{
	NEED_LAB3();
	const uint64_t sizes[] = { VM_RAM_MIN, VM_RAM_DEFAULT, (3ul << 20) + 4096, 8ul << 20 };
	KASSERT(vmx_cpu_enable() == 0);   /* its VMXON region stays for the CPU's lifetime */
	size_t before = pmm_free_count();
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct vm *vm = kt_vm("lab3-boot", sizes[i], 0, 0);
		KASSERTF(vm, "no VM of %lu KiB", sizes[i] >> 10);
		KASSERT(vm->ram_size == sizes[i]);
		vm_destroy(vm);
	}
	KASSERTF(pmm_free_count() == before, "%ld frames lost", (long)(before - pmm_free_count()));
	/* A VM that ran leaves nothing behind either. */
	struct vm *vm = kt_vm("lab3-boot", 0, 0, 0);
	KASSERT(vm);
	int rc = vcpu_run(vm->vcpu);
	vm_destroy(vm);
	KASSERTF(rc == 0, "lab3-boot ended with %d", rc);
	KASSERTF(pmm_free_count() == before, "%ld frames lost after a run",
		 (long)(before - pmm_free_count()));
}

/* RAM is mapped with 2 MiB pages where both sides are aligned, 4 KiB for the tail. */
KTEST(vm_ram_mapping)
{
	NEED_LAB3();
	uint64_t ram = (2ul << 20) + 3 * 4096;
	struct vm *vm = kt_vm("lab3-boot", ram, 0, 0);
	KASSERT(vm);
	struct ept_mapping m;
	bool ok = ept_translate(&vm->ept, 0x1000, &m) == 0 && m.perms == EPT_RWX &&
		  m.memtype == EPT_MT_WB && m.hpa == vm->ram[0].hpa + 0x1000;
	bool big = !vm->ept.has_2m || (ept_translate(&vm->ept, 0, &m) == 0 && m.size == EPT_SIZE_2M);
	bool tail = ept_translate(&vm->ept, ram - 1, &m) == 0 && m.size == EPT_SIZE_4K;
	bool beyond = ept_translate(&vm->ept, ram, &m) != 0;
	bool vpid = !vm_vendor_has_vpid() || vm->vpid != 0;
	vm_destroy(vm);
	KASSERT(ok);
	KASSERTF(big, "the first 2 MiB are not one 2 MiB EPT page");
	KASSERT(tail);
	KASSERTF(beyond, "guest-physical memory past RAM is mapped");
	KASSERT(vpid);
}

/* Bad images and configurations are refused with nothing allocated. */
KTEST(vm_bad_images_refused)
{
	NEED_LAB3();
	const struct guest_image *good = kt_find("lab3-boot");
	KASSERT(good);
	KASSERT(vmx_cpu_enable() == 0);
	size_t before = pmm_free_count();
	uint8_t *copy = kmalloc(good->size);
	KASSERT(copy);
	memcpy(copy, good->start, good->size);
	struct guest_image truncated = { "truncated", copy, 40 };
	struct guest_image half = { "half", copy, good->size / 2 };
	struct guest_image empty = { "empty", copy, 0 };
	const struct guest_image *flat = guest_image_find("demo");   /* lab 2's flat binary */
	struct vm_config cs[] = {
		{ .image = &truncated }, { .image = &half }, { .image = &empty },
		{ .image = flat }, { .image = good, .ram_size = 4096 },
		{ .image = good, .ram_size = VM_RAM_DEFAULT + 1 },
		{ .image = good, .ram_size = 2 * VM_RAM_MAX },
	};
	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		struct vm *vm = vm_create(&cs[i]);
		KEXPECT(vm == NULL);
		vm_destroy(vm);
	}
	/* An entry point above 1 MiB: real mode cannot reach it. */
	uint64_t far_entry = 3ul << 20;
	memcpy(copy + ELF_ENTRY_OFFSET, &far_entry, sizeof(far_entry));
	struct guest_image far = { "far", copy, good->size };
	struct vm_config c = { .image = &far, .ram_size = 8ul << 20 };
	struct vm *vm = vm_create(&c);
	KEXPECT(vm == NULL);
	vm_destroy(vm);
	kfree(copy);
	KASSERTF(pmm_free_count() == before, "%ld frames lost", (long)(before - pmm_free_count()));
}

/* From real mode to long mode, by the guest's own hand. */
KTEST(vm_boots_real_to_long_mode)
{
	NEED_LAB3();
	struct vm *vm = kt_vm("lab3-boot", 0, 0, 0);
	KASSERT(vm);
	KASSERT(vmcs_read16(VMCS_GUEST_CS_SELECTOR) == ((vm->entry >> 4) & 0xf000));
	KASSERT(!(vmcs_readnat(VMCS_GUEST_CR0) & X86_CR0_PE));
	int rc = vcpu_run(vm->vcpu);
	uint32_t entry = vmcs_read32(VMCS_VM_ENTRY_CONTROLS);
	uint64_t efer = vmcs_read64(VMCS_GUEST_IA32_EFER), cr0 = vmcs_readnat(VMCS_GUEST_CR0);
	uint32_t cs_ar = vmcs_read32(VMCS_GUEST_CS_AR_BYTES);
	vm_destroy(vm);
	KASSERTF(rc == 0, "lab3-boot ended with %d", rc);
	KASSERTF(entry & VMX_ENTRY_IA32E_MODE_GUEST, "not in IA-32e mode at its end");
	KASSERTF((efer & X86_EFER_LMA) && (cr0 & X86_CR0_PG) && (cr0 & X86_CR0_PE) &&
		 (cs_ar & VMX_AR_L), "EFER %#lx CR0 %#lx CS rights %#x", efer, cr0, cs_ar);
}

/* The test device of mmio_test.h. */
struct kt_mmio_dev {
	uint8_t mem[MMIO_TEST_SIZE];
	uint64_t last;      /* MMIO_TEST_LAST's value */
	unsigned accesses;
};

static int kt_mmio_handler(struct vm *vm, struct mmio_access *a, void *ctx)
{
	(void)vm;
	struct kt_mmio_dev *d = ctx;
	d->accesses++;
	if (!a->write && a->offset == MMIO_TEST_LAST) {
		a->value = d->last;
		return 0;
	}
	if (a->write)
		memcpy(d->mem + a->offset, &a->value, a->size);
	else {
		a->value = 0;
		memcpy(&a->value, d->mem + a->offset, a->size);
	}
	d->last = a->size | (uint64_t)a->write << 8 | a->offset << 16;
	return 0;
}

/* lab3-tests: its own PASS/FAIL lines on the console; its exit code counts failures. */
KTEST(vm_guest_tests)
{
	NEED_LAB3();
	const struct guest_image *img = kt_find("lab3-tests");
	KASSERT(img);
	struct kt_mmio_dev *dev = kzalloc(sizeof(*dev));
	KASSERT(dev);
	struct vm_config c = { .image = img, .ram_size = 4ul << 20 };
	struct vm *vm = vm_create(&c);
	KASSERT(vm);
	KASSERT(mmio_register(vm, MMIO_TEST_BASE, MMIO_TEST_SIZE, kt_mmio_handler, dev,
			      "mmio-test") == 0);
	int rc = vcpu_run(vm->vcpu);
	uint64_t violations = vm->violations;
	vm_destroy(vm);
	unsigned accesses = dev->accesses;
	kfree(dev);
	KASSERTF(rc == 0, "lab3-tests ended with %d", rc);
	KASSERTF(accesses > 0 && violations == accesses, "%u device accesses, %lu MMIO exits",
		 accesses, violations);
}

KTEST(vm_mmio_register_rules)
{
	NEED_LAB3();
	struct vm *vm = kt_vm("lab3-boot", 0, 0, 0);
	KASSERT(vm);
	struct kt_mmio_dev d;
	bool in_ram = mmio_register(vm, 0x1000, 0x1000, kt_mmio_handler, &d, "in-ram") != 0;
	bool first = mmio_register(vm, MMIO_TEST_BASE, 0x1000, kt_mmio_handler, &d, "a") == 0;
	bool overlap = mmio_register(vm, MMIO_TEST_BASE + 0xfff, 2, kt_mmio_handler, &d, "b") != 0;
	bool wrap = mmio_register(vm, ~0ull - 1, 4, kt_mmio_handler, &d, "wrap") != 0;
	bool found = mmio_find(vm, MMIO_TEST_BASE + 0x800) && !mmio_find(vm, MMIO_TEST_BASE + 0x1000);
	vm_destroy(vm);
	KASSERTF(in_ram, "a region over RAM was accepted");
	KASSERT(first);
	KASSERTF(overlap, "overlapping regions were accepted");
	KASSERT(wrap);
	KASSERT(found);
}

/* Two VMs share cpu 0, slice by slice; each keeps its own memory. */
KTEST(vm_two_time_shared)
{
	NEED_LAB3();
	struct vm *vms[2] = { kt_vm("lab3-victim", 0, KT_SEED_A, KT_ROUNDS),
			      kt_vm("lab3-victim", 0, KT_SEED_B, KT_ROUNDS) };
	int rcs[2] = { -1, -1 };
	bool made = vms[0] && vms[1];
	if (made)
		vm_run_together(vms, 2, rcs);
	bool intact = made && kt_victim_intact(vms[0], KT_SEED_A) &&
		      kt_victim_intact(vms[1], KT_SEED_B);
	uint64_t slices0 = made ? vms[0]->vcpu->exit_counts[EXIT_REASON_PREEMPTION_TIMER] : 0;
	bool distinct = made && vms[0]->vpid != vms[1]->vpid && vms[0]->ept.root != vms[1]->ept.root;
	vm_destroy(vms[0]);
	vm_destroy(vms[1]);
	KASSERT(made);
	KASSERTF(rcs[0] == 0 && rcs[1] == 0, "victims ended with %d and %d", rcs[0], rcs[1]);
	KASSERTF(intact, "a victim's memory does not hold its own pattern");
	KASSERTF(slices0 > 1, "victim A ran %lu slices: nothing was time-shared", slices0);
	KASSERT(distinct);
}

struct kt_ap_vm { uint32_t seed; volatile int rc; volatile bool intact; };

static void kt_victim_on_ap(void *arg)
{
	struct kt_ap_vm *r = arg;
	struct vm *vm = kt_vm("lab3-victim", 0, r->seed, KT_ROUNDS);
	if (!vm) {
		r->rc = -100;
		return;
	}
	r->rc = vcpu_run(vm->vcpu);
	r->intact = kt_victim_intact(vm, r->seed);
	vm_destroy(vm);
}

/* One VM per CPU, at the same time. */
KTEST(vm_two_cpus)
{
	NEED_LAB3();
	if (ncpus < 2)
		KSKIP("one CPU: boot with 2 to run a VM on each");
	if (!vmx_cpu_is_on(1) && vmx_enable_all())
		KSKIP("VMX could not be turned on on cpu 1");
	struct kt_ap_vm ap = { KT_SEED_B, -1, false };
	KASSERT(smp_run_on(1, kt_victim_on_ap, &ap) == 0);
	struct vm *vm = kt_vm("lab3-victim", 0, KT_SEED_A, KT_ROUNDS);
	KASSERT(vm);
	int rc = vcpu_run(vm->vcpu);
	bool intact = kt_victim_intact(vm, KT_SEED_A);
	vm_destroy(vm);
	KASSERTF(smp_wait(1, KT_AP_WAIT_US), "cpu 1 did not finish its VM");
	KASSERTF(rc == 0 && intact, "cpu 0's VM: %d, memory %s", rc, intact ? "intact" : "wrong");
	KASSERTF(ap.rc == 0 && ap.intact, "cpu 1's VM: %d, memory %s", ap.rc,
		 ap.intact ? "intact" : "wrong");
}

/* IA32_KERNEL_GS_BASE follows the vCPU that is loaded (VM entry does not switch it). */
KTEST(vm_kernel_gs_base_switched)
{
	NEED_LAB3();
	struct vm *a = kt_vm("lab3-boot", 0, 0, 0), *b = kt_vm("lab3-boot", 0, 0, 0);
	KASSERT(a && b);
	uint64_t host = rdmsr(MSR_KERNEL_GS_BASE);
	a->vcpu->kernel_gs_base = 0xaaaa000;
	b->vcpu->kernel_gs_base = 0xbbbb000;
	a->vcpu->ops->load(a->vcpu);
	uint64_t in_a = rdmsr(MSR_KERNEL_GS_BASE);
	wrmsr(MSR_KERNEL_GS_BASE, 0xaaaa123);   /* as the guest would, with WRMSR passed through */
	b->vcpu->ops->load(b->vcpu);
	uint64_t in_b = rdmsr(MSR_KERNEL_GS_BASE);
	a->vcpu->ops->load(a->vcpu);
	uint64_t back_a = rdmsr(MSR_KERNEL_GS_BASE);
	vm_destroy(a);
	vm_destroy(b);
	wrmsr(MSR_KERNEL_GS_BASE, host);
	KASSERTF(in_a == 0xaaaa000 && in_b == 0xbbbb000 && back_a == 0xaaaa123,
		 "A %#lx, B %#lx, A again %#lx", in_a, in_b, back_a);
}

/* Write-protecting a page of RAM (EPT) turns the guest's next write into a violation. */
KTEST(vm_ept_protect_takes_effect)
{
	NEED_LAB3();
	struct vm *vm = kt_vm("lab3-victim", 0, KT_SEED_A, KT_ROUNDS);
	KASSERT(vm);
	int err = ept_protect(&vm->ept, VICTIM_BASE + 0x3000, 0x1000, EPT_R | EPT_X);
	vm_ept_changed(vm);
	int rc = vcpu_run(vm->vcpu);
	const char *why = vm->vcpu->stop_why ? vm->vcpu->stop_why : "";
	bool named = strncmp(why, "EPT violation: write", 20) == 0;
	struct ept_mapping m;
	bool split = ept_translate(&vm->ept, VICTIM_BASE + 0x3000, &m) == 0 && m.size == EPT_SIZE_4K;
	vm_destroy(vm);
	KASSERTF(err == 0, "ept_protect: %d", err);
	KASSERT(split);
	KASSERTF(rc == -VCPU_EKILLED, "the guest ended with %d", rc);
	KASSERTF(named, "reason: %s", why);
}

struct kt_dirty { uint64_t first, last, pages; };

static void kt_dirty_page(uint64_t gpa, uint64_t size, void *ctx)
{
	struct kt_dirty *d = ctx;
	if (!d->pages || gpa < d->first)
		d->first = gpa;
	if (gpa + size > d->last)
		d->last = gpa + size;
	d->pages += size / 4096;
}

/* EPT dirty flags (28.2.4) show what the guest wrote: its victim area, and
 * not the RAM above it. RAM of 1.5 MiB is mapped with 4 KiB pages. */
#define KT_DIRTY_RAM      0x180000ul
#define KT_CLEAN_START    (VICTIM_BASE + VICTIM_BYTES)
#define KT_CLEAN_LEN      0x20000ul    /* below the stack at the top of RAM */
KTEST(vm_ept_dirty_flags)
{
	NEED_LAB3();
	struct vm *vm = kt_vm("lab3-victim", KT_DIRTY_RAM, KT_SEED_A, 1);
	KASSERT(vm);
	if (!vm->ept.ad) {
		vm_destroy(vm);
		KSKIP("no EPT accessed/dirty flags on this CPU");
	}
	struct kt_dirty before = { 0 }, dirty = { 0 }, clean = { 0 };
	int e1 = ept_harvest_dirty(&vm->ept, 0, vm->ram_size, kt_dirty_page, &before);
	int rc = vcpu_run(vm->vcpu);
	int e2 = ept_harvest_dirty(&vm->ept, VICTIM_BASE, VICTIM_BYTES, kt_dirty_page, &dirty);
	int e3 = ept_harvest_dirty(&vm->ept, KT_CLEAN_START, KT_CLEAN_LEN, kt_dirty_page, &clean);
	vm_destroy(vm);
	KASSERT(e1 == 0 && e2 == 0 && e3 == 0);
	KASSERTF(rc == 0, "the victim ended with %d", rc);
	KASSERTF(before.pages == 0, "%lu pages dirty before the guest ran", before.pages);
	KASSERTF(dirty.pages == VICTIM_BYTES / 4096 && dirty.first == VICTIM_BASE,
		 "dirty: %lu pages from %#lx", dirty.pages, dirty.first);
	KASSERTF(clean.pages == 0, "%lu pages the guest never wrote are dirty", clean.pages);
}
