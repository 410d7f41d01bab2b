/*
 * vmx_start.c - the start states lab 4's loaders ask for, written into
 * the guest-state area of a lab-3 vCPU (which vm_create left in real
 * mode): 32-bit protected mode with paging off (Multiboot 1, section 3.2
 * "Machine state"), and 64-bit mode on the loader's identity page tables
 * (the Linux 64-bit boot protocol, Documentation/arch/x86/boot.rst).
 *
 * Intel SDM Vol. 3C, 24.4.1 "Guest Register State", 26.3.1 (what VM
 * entry checks: CR0/CR4 fixed bits, EFER.LMA = "IA-32e mode guest", CS.L
 * only then, TR a busy TSS, LDTR unusable).
 */
#include "printf.h"
#include "vm_start.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_ctls.h"
#include "vmx/vmx_vcpu.h"
#include "x86.h"

#define FLAT_LIMIT   0xffffffffu
#define AR_CODE      (0xb | VMX_AR_S | VMX_AR_P | VMX_AR_G)   /* execute/read, accessed */
#define AR_DATA      (0x3 | VMX_AR_S | VMX_AR_P | VMX_AR_G | VMX_AR_DB)
#define AR_TSS_BUSY  (0xb | VMX_AR_P)                         /* busy 32/64-bit TSS */
#define TSS_LIMIT    0x67

static int seg(enum vmcs_field sel, uint16_t s, uint32_t limit, uint32_t ar)
{
	unsigned n = (sel - VMCS_GUEST_ES_SELECTOR) / 2;
	int err = 0;
	err |= vmcs_write16(sel, s);
	err |= vmcs_writenat((enum vmcs_field)(VMCS_GUEST_ES_BASE + 2 * n), 0);
	err |= vmcs_write32((enum vmcs_field)(VMCS_GUEST_ES_LIMIT + 2 * n), limit);
	err |= vmcs_write32((enum vmcs_field)(VMCS_GUEST_ES_AR_BYTES + 2 * n), ar);
	return err;
}

/* CR0/CR4 as the guest asks, with the bits VMX operation fixes forced underneath (23.8). */
static int write_crs(struct vmx_vcpu *x, uint64_t cr0, uint64_t cr4, uint64_t cr3, uint64_t efer,
		     bool ia32e)
{
	int err = 0;
	uint64_t fixed0 = vmx_caps.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG);   /* unrestricted */
	err |= vmcs_writenat(VMCS_GUEST_CR0, (cr0 | fixed0) & vmx_caps.cr0_fixed1);
	err |= vmcs_writenat(VMCS_CR0_READ_SHADOW, cr0);
	err |= vmcs_writenat(VMCS_GUEST_CR4, cr4 | vmx_caps.cr4_fixed0);
	err |= vmcs_writenat(VMCS_CR4_READ_SHADOW, cr4);
	err |= vmcs_writenat(VMCS_GUEST_CR3, cr3);
	err |= vmcs_write64(VMCS_GUEST_IA32_EFER, efer);
	x->entry = ia32e ? x->entry | VMX_ENTRY_IA32E_MODE_GUEST :
		x->entry & ~VMX_ENTRY_IA32E_MODE_GUEST;
	err |= vmcs_write32(VMCS_VM_ENTRY_CONTROLS, x->entry);
	return err;
}

static int common_state(const struct vm_start *s)
{
	int err = 0;
	err |= seg(VMCS_GUEST_LDTR_SELECTOR, 0, 0, VMX_AR_UNUSABLE);
	err |= seg(VMCS_GUEST_TR_SELECTOR, 0, TSS_LIMIT, AR_TSS_BUSY);
	err |= vmcs_writenat(VMCS_GUEST_GDTR_BASE, s->gdt_base);
	err |= vmcs_write32(VMCS_GUEST_GDTR_LIMIT, s->gdt_limit);
	err |= vmcs_writenat(VMCS_GUEST_IDTR_BASE, 0);
	err |= vmcs_write32(VMCS_GUEST_IDTR_LIMIT, 0);
	err |= vmcs_writenat(VMCS_GUEST_RIP, s->rip);
	err |= vmcs_writenat(VMCS_GUEST_RSP, s->rsp);
	err |= vmcs_writenat(VMCS_GUEST_RFLAGS, X86_RFLAGS_FIXED);
	err |= vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_ACTIVE);
	err |= vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY_INFO, 0);
	return err;
}

int vm_vendor_start(struct vm *vm, const struct vm_start *s)
{
	struct vcpu *v = vm->vcpu;
	struct vmx_vcpu *x = v->vendor;
	v->ops->load(v);
	int err = 0;
	if (s->mode == VM_START_LONG) {
		/* 64-bit mode, paging on (boot.rst "64-bit Boot Protocol"). */
		err |= write_crs(x, X86_CR0_PE | X86_CR0_ET | X86_CR0_PG, X86_CR4_PAE, s->cr3,
				 X86_EFER_LME | X86_EFER_LMA, true);
		err |= seg(VMCS_GUEST_CS_SELECTOR, s->cs, FLAT_LIMIT, AR_CODE | VMX_AR_L);
	} else {
		/* 32-bit protected mode, paging off (Multiboot 1, 3.2). */
		err |= write_crs(x, X86_CR0_PE | X86_CR0_ET, 0, 0, 0, false);
		err |= seg(VMCS_GUEST_CS_SELECTOR, s->cs, FLAT_LIMIT, AR_CODE | VMX_AR_DB);
	}
	err |= seg(VMCS_GUEST_DS_SELECTOR, s->ds, FLAT_LIMIT, AR_DATA);
	err |= seg(VMCS_GUEST_ES_SELECTOR, s->ds, FLAT_LIMIT, AR_DATA);
	err |= seg(VMCS_GUEST_SS_SELECTOR, s->ds, FLAT_LIMIT, AR_DATA);
	err |= seg(VMCS_GUEST_FS_SELECTOR, s->ds, FLAT_LIMIT, AR_DATA);
	err |= seg(VMCS_GUEST_GS_SELECTOR, s->ds, FLAT_LIMIT, AR_DATA);
	err |= common_state(s);
	v->regs = (struct vcpu_regs){ .rax = s->rax, .rbx = s->rbx, .rsi = s->rsi };
	if (err) {
		kprintf("vm %s: the start state could not be written to the VMCS\n", vm->name);
		return -1;
	}
	return 0;
}
