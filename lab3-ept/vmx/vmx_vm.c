/*
 * vmx_vm.c - the Intel VMX side of lab-3 VMs (vm_vendor.h): EPT, VPID,
 * unrestricted guest, the real-mode start state, EFER, INVEPT/INVVPID.
 *
 * Intel SDM Vol. 3C: 24.6.2 (secondary controls: "enable EPT", "enable
 * VPID", "unrestricted guest"), 24.6.11 (EPTP), 26.3.1 (guest-state
 * checks, relaxed by unrestricted guest), chapter 28 "VMX Support for
 * Address Translation" (28.1 VPIDs, 28.2 EPT, 28.3 caching and INVEPT).
 */
#include "panic.h"
#include "printf.h"
#include "vcpu_policy.h"
#include "vm_vendor.h"
#include "vmx/vmcs.h"
#include "vmx/vmx.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_ctls.h"
#include "vmx/vmx_vcpu.h"
#include "x86.h"

#define CPUID_SIGNATURE_LEAF 1
#define CR0_RESET      X86_CR0_ET          /* what the guest reads after reset (Vol. 3A, 9.1.1) */
#define REAL_LIMIT     0xffffu
#define REAL_CODE_AR   (0xb | VMX_AR_S | VMX_AR_P)   /* execute/read, accessed, 16-bit */
#define REAL_DATA_AR   (0x3 | VMX_AR_S | VMX_AR_P)   /* read/write, accessed */
#define REAL_TR_AR     (0xb | VMX_AR_P)              /* busy 32-bit TSS (26.3.1.2) */
#define DR7_INIT       0x400
#define VMCS_LINK_NONE (~0ull)
#define EFER_WRITABLE  (X86_EFER_SCE | X86_EFER_LME | X86_EFER_NXE)

static bool ept_cap(uint64_t bit)
{
	return vmx_caps.ept_vpid & bit;
}

static bool proc2_allowed(uint32_t bits)
{
	return vmx_caps.vmx && vmx_ctl_allowed(VMX_CTL_PROC, VMX_PROC_SECONDARY_CTLS) &&
	       vmx_ctl_allowed(VMX_CTL_PROC2, bits);
}

/*
 * What lab 3 cannot do without: EPT with a 4-level walk and write-back
 * memory (24.6.11), unrestricted guest (a guest in real mode), INVEPT
 * (28.3.3), and EFER switched both ways (a guest that enters long mode
 * changes EFER.LMA, which the CPU saves at each exit: 27.3.1).
 */
int vm_vendor_check(void)
{
	const char *missing = NULL;
	if (vmx_caps_get()) {
		kprintf("vm: VMX not available: %s\n", vmx_unavailable_reason());
		return -1;
	}
	if (!vmx_caps.vmx)
		missing = "VMX";
	else if (!proc2_allowed(VMX_PROC2_ENABLE_EPT))
		missing = "the \"enable EPT\" control";
	else if (!proc2_allowed(VMX_PROC2_UNRESTRICTED_GUEST))
		missing = "the \"unrestricted guest\" control";
	else if (!ept_cap(VMX_CAP_EPT_WALK_4) || !ept_cap(VMX_CAP_EPT_MEMTYPE_WB))
		missing = "a 4-level, write-back EPT";
	else if (!ept_cap(VMX_CAP_INVEPT))
		missing = "INVEPT";
	else if (!vmx_ctl_allowed(VMX_CTL_ENTRY, VMX_ENTRY_LOAD_EFER) ||
		 !vmx_ctl_allowed(VMX_CTL_EXIT, VMX_EXIT_LOAD_EFER | VMX_EXIT_SAVE_EFER))
		missing = "the EFER load/save controls";
	if (!missing)
		return 0;
	kprintf("vm: this CPU lacks %s: lab-3 VMs cannot run\n", missing);
	return -1;
}

void vm_vendor_ept_caps(struct ept *e)
{
	e->has_2m = ept_cap(VMX_CAP_EPT_2M_PAGES);
	e->has_1g = ept_cap(VMX_CAP_EPT_1G_PAGES);
	/* Accessed and dirty flags (28.2.4): lab 6 reads them to find dirty pages. */
	e->ad = ept_cap(VMX_CAP_EPT_AD_BITS);
}

bool vm_vendor_has_vpid(void)
{
	return proc2_allowed(VMX_PROC2_ENABLE_VPID) && ept_cap(VMX_CAP_INVVPID);
}

/* One segment of the guest-state area (selector, base, limit, rights: Appendix B encodings). */
static int real_segment(enum vmcs_field sel, uint16_t s, uint32_t ar)
{
	unsigned n = (sel - VMCS_GUEST_ES_SELECTOR) / 2;
	int err = 0;
	err |= vmcs_write16(sel, s);
	err |= vmcs_writenat((enum vmcs_field)(VMCS_GUEST_ES_BASE + 2 * n), (uint64_t)s << 4);
	err |= vmcs_write32((enum vmcs_field)(VMCS_GUEST_ES_LIMIT + 2 * n), REAL_LIMIT);
	err |= vmcs_write32((enum vmcs_field)(VMCS_GUEST_ES_AR_BYTES + 2 * n), ar);
	return err;
}

/*
 * Turn on EPT, unrestricted guest and VPID in the VMCS controls: lab 2's, plus
 * "enable EPT", "unrestricted guest" and (where the CPU has it) "enable VPID";
 * the guest starts outside IA-32e mode, and EFER is loaded on entry and saved
 * on exit, so that the guest's own switch to long mode (EFER.LME, then CR0.PG)
 * survives exits. CR0.PE and CR0.PG leave the guest/host mask: an unrestricted
 * guest owns them (26.3.1.1); CR0.NE stays forced on (CR0_FIXED0) behind the
 * shadow.
 */
static int vmx_vm_controls(struct vm *vm, struct vmx_vcpu *x)
{
	/* BEGIN SOLUTION lab3 */
	uint32_t want = VMX_PROC2_ENABLE_EPT | VMX_PROC2_UNRESTRICTED_GUEST;
	if (vm->vpid)
		want |= VMX_PROC2_ENABLE_VPID;
	x->proc |= VMX_PROC_SECONDARY_CTLS;
	/* INVPCID: without this control the instruction is #UD in the guest
	 * (25.3), though CPUID shows it; guests that use PCIDs (Linux) need it. */
	if (vmx_ctl_compute(VMX_CTL_PROC2, want | x->proc2, VMX_PROC2_ENABLE_INVPCID, &x->proc2))
		return -1;
	x->entry = (x->entry & ~VMX_ENTRY_IA32E_MODE_GUEST) | VMX_ENTRY_LOAD_EFER;
	x->exit |= VMX_EXIT_LOAD_EFER | VMX_EXIT_SAVE_EFER;
	x->cr0_mask = (vmx_caps.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG)) | ~vmx_caps.cr0_fixed1;

	int err = 0;
	err |= vmcs_write32(VMCS_CPU_BASED_VM_EXEC_CONTROL, x->proc);
	err |= vmcs_write32(VMCS_SECONDARY_VM_EXEC_CONTROL, x->proc2);
	err |= vmcs_write32(VMCS_VM_ENTRY_CONTROLS, x->entry);
	err |= vmcs_write32(VMCS_VM_EXIT_CONTROLS, x->exit);
	err |= vmcs_write64(VMCS_HOST_IA32_EFER, rdmsr(MSR_EFER));
	err |= vmcs_writenat(VMCS_CR0_GUEST_HOST_MASK, x->cr0_mask);
	err |= vmcs_write64(VMCS_EPT_POINTER, ept_eptp(&vm->ept));
	if (vm->vpid)
		err |= vmcs_write16(VMCS_VIRTUAL_PROCESSOR_ID, vm->vpid);
	return err ? -1 : 0;
	/* END SOLUTION */
	/* STUB lab3
	(void)vm;
	(void)x;
	NOT_IMPLEMENTED("lab3");
	*/
}

/*
 * Write the guest-state area for the start state of vm.h: real mode, reset-
 * like (Vol. 3A, 9.1.1, Table 9-1), CS:IP at the image's entry point.
 * Unrestricted guest lets VM entry accept CR0.PE = 0 and real-mode segments
 * (26.3.1.2: CS type 11, SS DPL 0, TR a busy TSS even in real mode, LDTR
 * unusable).
 */
static int vmx_vm_real_mode(struct vm *vm)
{
	/* BEGIN SOLUTION lab3 */
	uint16_t cs = (uint16_t)((vm->entry >> 4) & 0xf000);
	uint64_t cr0_real = (CR0_RESET | (vmx_caps.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG))) &
			    vmx_caps.cr0_fixed1;
	int err = 0;
	err |= vmcs_writenat(VMCS_GUEST_CR0, cr0_real);
	err |= vmcs_writenat(VMCS_CR0_READ_SHADOW, CR0_RESET);
	err |= vmcs_writenat(VMCS_GUEST_CR3, 0);
	err |= vmcs_writenat(VMCS_GUEST_CR4, vmx_caps.cr4_fixed0);
	err |= vmcs_writenat(VMCS_CR4_READ_SHADOW, 0);
	err |= vmcs_write64(VMCS_GUEST_IA32_EFER, 0);
	err |= vmcs_writenat(VMCS_GUEST_DR7, DR7_INIT);

	err |= real_segment(VMCS_GUEST_CS_SELECTOR, cs, REAL_CODE_AR);
	err |= real_segment(VMCS_GUEST_DS_SELECTOR, 0, REAL_DATA_AR);
	err |= real_segment(VMCS_GUEST_ES_SELECTOR, 0, REAL_DATA_AR);
	err |= real_segment(VMCS_GUEST_SS_SELECTOR, 0, REAL_DATA_AR);
	err |= real_segment(VMCS_GUEST_FS_SELECTOR, 0, REAL_DATA_AR);
	err |= real_segment(VMCS_GUEST_GS_SELECTOR, 0, REAL_DATA_AR);
	err |= real_segment(VMCS_GUEST_TR_SELECTOR, 0, REAL_TR_AR);
	err |= vmcs_write16(VMCS_GUEST_LDTR_SELECTOR, 0);
	err |= vmcs_writenat(VMCS_GUEST_LDTR_BASE, 0);
	err |= vmcs_write32(VMCS_GUEST_LDTR_LIMIT, 0);
	err |= vmcs_write32(VMCS_GUEST_LDTR_AR_BYTES, VMX_AR_UNUSABLE);
	err |= vmcs_writenat(VMCS_GUEST_GDTR_BASE, 0);
	err |= vmcs_write32(VMCS_GUEST_GDTR_LIMIT, REAL_LIMIT);
	err |= vmcs_writenat(VMCS_GUEST_IDTR_BASE, 0);
	err |= vmcs_write32(VMCS_GUEST_IDTR_LIMIT, REAL_LIMIT);

	err |= vmcs_writenat(VMCS_GUEST_RIP, vm->entry - ((uint64_t)cs << 4));
	err |= vmcs_writenat(VMCS_GUEST_RSP, 0);
	err |= vmcs_writenat(VMCS_GUEST_RFLAGS, X86_RFLAGS_FIXED);
	err |= vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY_INFO, 0);
	err |= vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_ACTIVE);
	err |= vmcs_write64(VMCS_VMCS_LINK_POINTER, VMCS_LINK_NONE);
	/* EDX after reset: the processor signature, as CPUID.01H:EAX gives it. */
	vm->vcpu->regs.rdx = cpuid(CPUID_SIGNATURE_LEAF, 0).eax;
	return err ? -1 : 0;
	/* END SOLUTION */
	/* STUB lab3
	(void)vm;
	(void)real_segment;
	NOT_IMPLEMENTED("lab3");
	*/
}

int vm_vendor_setup(struct vm *vm)
{
	struct vmx_vcpu *x = vm->vcpu->vendor;
	if (vmx_vm_controls(vm, x) || vmx_vm_real_mode(vm)) {
		kprintf("vm_create %s: the VMCS could not be set up for EPT and real mode\n",
			vm->name);
		return -1;
	}
	/* A new EPT root or a recycled VPID may still have translations
	 * cached from an earlier VM at the same address or tag (28.3.3.3). */
	vm_vendor_flush(vm);
	return 0;
}

/*
 * Drop the translations the CPU cached from @vm's EPT and VPID. INVEPT single-
 * context drops what the CPU derived from this EPTP (guest-physical and
 * combined mappings, 28.3.1); INVVPID single-context the linear mappings
 * tagged with this VPID. Where only the all-context types exist, those
 * (correct, just slower for the other VMs).
 */
void vm_vendor_flush(struct vm *vm)
{
	/* BEGIN SOLUTION lab3 */
	uint64_t type = ept_cap(VMX_CAP_INVEPT_SINGLE_CONTEXT) ? INVEPT_SINGLE_CONTEXT :
			INVEPT_ALL_CONTEXT;
	if (invept(type, ept_eptp(&vm->ept)) != VMX_OK)
		kprintf("vm %s: INVEPT type %lu failed\n", vm->name, type);
	if (vm->vpid) {
		type = ept_cap(VMX_CAP_INVVPID_SINGLE_CONTEXT) ? INVVPID_SINGLE_CONTEXT :
		       INVVPID_ALL_CONTEXT;
		if (invvpid(type, vm->vpid, 0) != VMX_OK)
			kprintf("vm %s: INVVPID type %lu failed\n", vm->name, type);
	}
	/* END SOLUTION */
	/* STUB lab3
	(void)vm;
	NOT_IMPLEMENTED("lab3");
	*/
}

void vm_vendor_paging(struct vcpu *v, struct vm_paging *p)
{
	(void)v;
	p->cr0 = vmcs_readnat(VMCS_GUEST_CR0);
	p->cr3 = vmcs_readnat(VMCS_GUEST_CR3);
	p->cr4 = vmcs_readnat(VMCS_GUEST_CR4);
	p->efer = vmcs_read64(VMCS_GUEST_IA32_EFER);
	p->long_mode = vmcs_read32(VMCS_VM_ENTRY_CONTROLS) & VMX_ENTRY_IA32E_MODE_GUEST;
}

/* EFER reads do not exit (lab 2's MSR bitmap passes them); writes do. */
int vm_vendor_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	(void)v;
	if (msr != MSR_EFER)
		return VCPU_MSR_UNCLAIMED;
	*val = vmcs_read64(VMCS_GUEST_IA32_EFER);
	return 0;
}

/*
 * WRMSR EFER (SDM Vol. 4, IA32_EFER; Vol. 3A, 9.8.5 "Initializing IA-32e
 * Mode"): SCE, LME and NXE are the guest's; LMA is read-only (the CPU
 * sets it when CR0.PG turns on with LME); every other bit is reserved:
 * #GP(0). Changing LME while paging is on is #GP(0) too.
 */
int vm_vendor_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	(void)v;
	if (msr != MSR_EFER)
		return VCPU_MSR_UNCLAIMED;
	uint64_t cur = vmcs_read64(VMCS_GUEST_IA32_EFER);
	if (val & ~(EFER_WRITABLE | X86_EFER_LMA))
		return -1;
	if ((vmcs_readnat(VMCS_GUEST_CR0) & X86_CR0_PG) && ((val ^ cur) & X86_EFER_LME))
		return -1;
	vmcs_write64(VMCS_GUEST_IA32_EFER, (val & EFER_WRITABLE) | (cur & X86_EFER_LMA));
	return 0;
}
