/*
 * vm_vendor.h - what vm.c (generic) asks of the vendor backend that runs
 * its vCPUs. Intel VMX implements it in vmx_vm.c; an AMD SVM backend
 * (nested page tables, ASIDs) would provide the same functions.
 */
#ifndef HVLAB_VM_VENDOR_H
#define HVLAB_VM_VENDOR_H

#include <stdbool.h>
#include <stdint.h>
#include "vm.h"

/* The guest's paging state, for walking its page tables (gpt_walk.h). */
struct vm_paging {
	uint64_t cr0, cr3, cr4, efer;
	bool long_mode;           /* IA-32e mode: linear addresses are 64-bit */
};

/** 0 when this CPU can run lab-3 VMs (EPT, unrestricted guest); else -1, said why. */
int vm_vendor_check(void);
/** Large EPT pages and A/D flags this CPU supports (into @e before mapping). */
void vm_vendor_ept_caps(struct ept *e);
/** True when VPIDs are available. */
bool vm_vendor_has_vpid(void);
/**
 * Turn @vm->vcpu (just made by vcpu_create_bare, current on this CPU)
 * into a lab-3 vCPU: EPT on @vm->ept, its VPID, unrestricted guest, and
 * the real-mode start state of vm.h. 0, or -1 after saying why.
 */
int vm_vendor_setup(struct vm *vm);
/** Drop cached translations of @vm's EPT (and VPID): INVEPT, INVVPID. */
void vm_vendor_flush(struct vm *vm);
/** Lab 3's MSR hooks (vcpu.h struct vcpu_ext_ops): EFER, kept in the VMCS. */
int vm_vendor_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int vm_vendor_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);
/** The paging state of @v's guest now. */
void vm_vendor_paging(struct vcpu *v, struct vm_paging *p);

#endif
