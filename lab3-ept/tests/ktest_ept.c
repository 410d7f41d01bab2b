/*
 * ktest_ept.c - in-kernel tests of the EPT builder on real frames from the
 * physical allocator, and of INVEPT/INVVPID on this CPU. The builder's
 * logic is unit-tested on the host (tests/unit/test_ept.c); here it runs
 * with pmm's frames and the CPU's own capabilities.
 */
#include "ept.h"
#include "ktest.h"
#include "ktest_lab3.h"
#include "pmm.h"
#include "vm_vendor.h"
#include "vmx/vmx.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_cpu.h"

#define KT_GPA_1G   (1ull << 30)
#define KT_HPA_1G   0ull            /* host memory at 0, 1 GiB aligned */
#define KT_GPA_2M   (8ull << 20)
#define KT_GPA_4K   (64ull << 20)

static uint64_t kt_alloc(void *ctx)
{
	(void)ctx;
	return page_alloc();
}

static void kt_free(uint64_t pa, void *ctx)
{
	(void)ctx;
	page_free(pa);
}


/* Every page size the CPU has, translated back; teardown returns every table. */
KTEST(ept_map_sizes_on_pmm_frames)
{
	NEED_LAB3();
	size_t before = pmm_free_count();
	struct ept e;
	KASSERT(ept_init(&e, kt_alloc, kt_free, NULL) == 0);
	vm_vendor_ept_caps(&e);
	uint64_t run = pages_alloc(512);
	KASSERT(run);
	struct ept_mapping m;
	KASSERT(ept_map(&e, KT_GPA_4K, run, EPT_SIZE_4K, EPT_R | EPT_X, EPT_MT_WB) == 0);
	KASSERT(ept_translate(&e, KT_GPA_4K + 0x123, &m) == 0);
	KASSERTF(m.hpa == run + 0x123 && m.size == EPT_SIZE_4K && m.perms == (EPT_R | EPT_X),
		 "hpa %#lx size %#lx perms %#x", m.hpa, m.size, m.perms);
	if (e.has_2m) {
		KASSERT(ept_map(&e, KT_GPA_2M, run, EPT_SIZE_2M, EPT_RWX, EPT_MT_WB) == 0);
		KASSERT(ept_translate(&e, KT_GPA_2M + 0x1ff000, &m) == 0);
		KASSERT(m.hpa == run + 0x1ff000 && m.size == EPT_SIZE_2M && m.memtype == EPT_MT_WB);
	}
	if (e.has_1g) {
		KASSERT(ept_map(&e, KT_GPA_1G, KT_HPA_1G, EPT_SIZE_1G, EPT_R, EPT_MT_UC) == 0);
		KASSERT(ept_translate(&e, KT_GPA_1G + 0x3456789, &m) == 0);
		KASSERT(m.hpa == KT_HPA_1G + 0x3456789 && m.size == EPT_SIZE_1G && m.memtype == EPT_MT_UC);
	}
	KASSERT(ept_translate(&e, KT_GPA_4K + EPT_SIZE_4K, &m) != 0);
	ept_destroy(&e);
	pages_free(run, 512);
	KASSERTF(pmm_free_count() == before, "%zu frames lost", before - pmm_free_count());
}

/* INVEPT and INVVPID of the types the CPU reports succeed (28.3.3). */
KTEST(ept_invept_invvpid)
{
	NEED_LAB3();
	KASSERT(vmx_cpu_enable() == 0);
	struct ept e;
	KASSERT(ept_init(&e, kt_alloc, kt_free, NULL) == 0);
	uint64_t eptp = ept_eptp(&e);
	KASSERTF((eptp & 7) == EPT_MT_WB && ((eptp >> 3) & 7) == 3, "EPTP %#lx", eptp);
	if (vmx_caps.ept_vpid & VMX_CAP_INVEPT_SINGLE_CONTEXT)
		KEXPECT(invept(INVEPT_SINGLE_CONTEXT, eptp) == VMX_OK);
	if (vmx_caps.ept_vpid & VMX_CAP_INVEPT_ALL_CONTEXT)
		KEXPECT(invept(INVEPT_ALL_CONTEXT, 0) == VMX_OK);
	if (vm_vendor_has_vpid()) {
		if (vmx_caps.ept_vpid & VMX_CAP_INVVPID_SINGLE_CONTEXT)
			KEXPECT(invvpid(INVVPID_SINGLE_CONTEXT, 1, 0) == VMX_OK);
		if (vmx_caps.ept_vpid & VMX_CAP_INVVPID_ALL_CONTEXT)
			KEXPECT(invvpid(INVVPID_ALL_CONTEXT, 0, 0) == VMX_OK);
	}
	ept_destroy(&e);
}
