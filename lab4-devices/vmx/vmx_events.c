/*
 * vmx_events.c - delivering the virtual platform's interrupts to a VMX
 * guest: event injection, interrupt-window exiting, re-injection of an
 * event an exit interrupted, and HLT that waits in the guest's HLT
 * activity state instead of spinning on the host.
 *
 * Intel SDM Vol. 3C: 24.8.3 "VM-Entry Controls for Event Injection",
 * 26.6 "Event Injection" (26.6.2 for the activity state), 24.4.2
 * "Guest Non-Register State" (interruptibility, activity), 25.2 and
 * 25.6.5 "Interrupt-Window Exiting", 27.2.4 "Information for VM Exits
 * That Occur During Event Delivery" (IDT-vectoring information), 31.7.1.1
 * "Reflecting Exceptions to Guest Software".
 */
#include "init.h"
#include "panic.h"
#include "vm_platform_internal.h"
#include "printf.h"
#include "vm_vendor.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_ctls.h"
#include "vmx/vmx_vcpu.h"

#define INTR_TYPE_SHIFT      8
#define INTR_INFO(vec, type) ((vec) | ((type) << INTR_TYPE_SHIFT) | VMX_INTR_INFO_VALID)
#define VMX_MISC_HLT_STATE   (1ull << 6)  /* IA32_VMX_MISC: activity state HLT supported */

static void set_proc(struct vcpu *v, uint32_t bit, bool on)
{
	struct vmx_vcpu *x = v->vendor;
	uint32_t proc = on ? x->proc | bit : x->proc & ~bit;
	if (proc != x->proc) {
		x->proc = proc;
		vmcs_write32(VMCS_CPU_BASED_VM_EXEC_CONTROL, proc);
	}
}

/* The guest takes a maskable interrupt now: IF set, no STI or MOV-SS shadow (24.4.2). */
static bool guest_interruptible(void)
{
	if (!(vmcs_readnat(VMCS_GUEST_RFLAGS) & X86_RFLAGS_IF))
		return false;
	return !(vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO) &
		 (VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS));
}

/*
 * Deliver what is due, before each VM entry: first an event an exit
 * interrupted; then an NMI the local APIC holds; else the platform's highest
 * pending interrupt, injected if the guest can take it now (the controller
 * then moves it to in-service), or else an interrupt-window exit is requested
 * to come back the moment it can. Injecting into a guest halted in the HLT
 * activity state wakes it (26.6.2): the state is set active with the
 * injection.
 */
void vm_vendor_deliver(struct vcpu *v)
{
	/* BEGIN SOLUTION lab4 */
	if (vmcs_read32(VMCS_VM_ENTRY_INTR_INFO_FIELD) & VMX_INTR_INFO_VALID)
		return;   /* a handler injected an exception already */
	if (vmx_reinject_vectoring())
		return;   /* an event an exit interrupted goes first (27.2.4) */
	struct vm_platform *p = v->vm->platform;
	/* An NMI first (it outranks maskable interrupts, Vol. 3A 6.9). While one
	 * is being handled (blocking by NMI, until IRET) or in a MOV-SS shadow
	 * it waits for a later entry: NMI-window exiting would need the
	 * "virtual NMIs" control, which hvlab leaves off (24.6.1). */
	if (p->lapic.nmi_pending && !(vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO) &
				      (VMX_INTR_BLOCK_NMI | VMX_INTR_BLOCK_MOV_SS)) &&
	    vlapic_take_nmi(&p->lapic)) {
		vmcs_write32(VMCS_VM_ENTRY_INTR_INFO_FIELD, INTR_INFO(2u, VMX_INTR_TYPE_NMI));
		p->halted = false;
		vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_ACTIVE);
		return;
	}
	if (!platform_has_interrupt(v->vm)) {
		set_proc(v, VMX_PROC_INTR_WINDOW_EXITING, false);
		/* Still waiting: whatever exit came meanwhile, re-enter halted. */
		if (p->halted && vmcs_read32(VMCS_GUEST_ACTIVITY_STATE) != VMX_ACTIVITY_HLT)
			vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_HLT);
		return;
	}
	if (!guest_interruptible()) {
		set_proc(v, VMX_PROC_INTR_WINDOW_EXITING, true);
		return;
	}
	int vector = platform_take_vector(v->vm);
	if (vector < 0)
		return;
	vmcs_write32(VMCS_VM_ENTRY_INTR_INFO_FIELD, INTR_INFO((uint32_t)vector, VMX_INTR_TYPE_EXT_INTR));
	if (p->halted) {
		p->halted = false;
		vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_ACTIVE);
	}
	set_proc(v, VMX_PROC_INTR_WINDOW_EXITING, false);
	/* END SOLUTION */
	/* STUB lab4
	(void)v;
	(void)set_proc;
	(void)guest_interruptible;
	NOT_IMPLEMENTED("lab4");
	*/
}

/* Interrupt-window exit (reason 7): the guest can take an interrupt; pre_entry injects it. */
static int handle_interrupt_window(struct vcpu *v)
{
	set_proc(v, VMX_PROC_INTR_WINDOW_EXITING, false);
	return v->vm && v->vm->platform ? 0 : -1;
}

/*
 * HLT with a virtual platform: the guest waits for an interrupt without
 * burning host CPU. With one pending it goes on at once (pre_entry
 * injects it); otherwise the vCPU re-enters in the HLT activity state
 * (24.4.2): the processor halts inside the guest until an external
 * interrupt or the VMX-preemption timer, which is armed for the next
 * device deadline, makes it exit. With RFLAGS.IF clear nothing can wake
 * it (lab 2's rule): the guest has stopped.
 */
static int handle_hlt(struct vcpu *v)
{
	uint64_t rflags = vmcs_readnat(VMCS_GUEST_RFLAGS);
	if (!(rflags & X86_RFLAGS_IF)) {
		vcpu_stop(v, VCPU_STOP_HLT, "HLT with interrupts disabled");
		return 0;
	}
	v->ops->advance_rip(v);
	if (!v->vm || !v->vm->platform || !(vmx_caps.misc & VMX_MISC_HLT_STATE))
		return 0;   /* lab 2's behaviour: go on at once */
	platform_update(v->vm);
	if (!platform_has_interrupt(v->vm)) {
		v->vm->platform->halted = true;
		vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_HLT);
	}
	return 0;
}

void vm_vendor_msr_passthrough(struct vcpu *v, uint32_t msr)
{
	vmx_msr_passthrough(v, msr);
}

/* A device deadline came sooner than the armed slice: arm it again (lab 2's slices). */
void vm_vendor_rearm_timer(struct vcpu *v)
{
	vmx_slice_rearm(v);
}

static int vmx_events_init(void)
{
	vmx_exit_set_handler(EXIT_REASON_INTERRUPT_WINDOW, handle_interrupt_window);
	vmx_exit_set_handler(EXIT_REASON_HLT, handle_hlt);
	return 0;
}
INITCALL(40, vmx_events_init);
