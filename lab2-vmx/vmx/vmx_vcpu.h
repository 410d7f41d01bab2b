/*
 * vmx_vcpu.h - the Intel VMX backend of struct vcpu (vcpu.h): what hangs
 * off v->vendor, and the functions shared by vmx_vcpu.c (VMCS set-up),
 * vmx_exit.c (exit handling) and vmx_entry.S (entering the guest).
 * Generic code never includes this header.
 */
#ifndef HVLAB_VMX_VCPU_H
#define HVLAB_VMX_VCPU_H

#include <stdbool.h>
#include <stdint.h>
#include "vcpu.h"
#include "x86_arch.h"

struct vmx_vcpu {
	uint64_t vmcs_pa;          /* the VMCS region (one page) */
	uint64_t io_bitmap_pa;     /* I/O bitmaps A and B: two pages (24.6.4) */
	uint64_t msr_bitmap_pa;    /* MSR bitmaps: one page (24.6.9) */
	/* The control values computed from the capability MSRs (vmx_caps.h). */
	uint32_t pin, proc, proc2, exit, entry;
	bool watchdog;             /* the preemption timer is armed */
	bool watchdog_saved;       /* "save VMX-preemption timer value": a total budget */
	uint64_t budget_left;      /* TSC ticks of the watchdog budget not yet used */
	uint64_t slice_armed;      /* TSC ticks the preemption timer was last armed with */
	uint64_t cr0_mask, cr4_mask;   /* CR0/CR4 guest/host masks: host-owned bits */
};

/**
 * Choose the pin-based, processor-based (primary and secondary), exit and
 * entry controls lab 2's vCPUs use, from the capability MSRs (vmx_caps.h),
 * into x->pin/proc/proc2/exit/entry (and x->watchdog). @watchdog asks for
 * the VMX-preemption timer. 0, or -1 after naming a refused control.
 */
int vmx_compute_controls(struct vmx_vcpu *x, bool watchdog);

/**
 * Enter the guest (vmx_entry.S): load @regs into the GPRs, VMLAUNCH when
 * !@launched else VMRESUME. On each VM exit the guest GPRs are stored back
 * into @regs and @on_exit(@regs) is called: 0 means "resume the guest now"
 * (VMRESUME without leaving vmx_run), non-zero means "return to the run
 * loop", and vmx_run returns 0. A VMfail returns 1 (VMfailInvalid) or 2
 * (VMfailValid, error in VM_INSTRUCTION_ERROR).
 */
int vmx_run(struct vcpu_regs *regs, int launched, int (*on_exit)(struct vcpu_regs *regs));
/** Where every VM exit lands (VMCS HOST_RIP), inside vmx_run. */
extern const char vmx_exit_entry[];

/** Run the guest until an exit needs the run loop (vmx_exit.c): the run_once hook. */
void vmx_exit_run_once(struct vcpu *v);
/** vmx_run's @on_exit for the run loop: dispatch one exit (vmx_exit.c). */
int vmx_exit_dispatch(struct vcpu_regs *regs);
/** The same, then the vCPU's pre_entry hook (vcpu.h): for vCPUs that have one. */
int vmx_exit_dispatch_ext(struct vcpu_regs *regs);
/** vmx_run's @on_exit for one exit only: always back to the caller. */
int vmx_exit_leave(struct vcpu_regs *regs);
/** RIP past the instruction that exited (vmx_exit.c): the advance_rip hook. */
void vmx_advance_rip(struct vcpu *v);
/**
 * A preemption-timer exit: charge the slice to the watchdog budget. True
 * when the budget is spent (stop the guest); otherwise the next slice is
 * armed and the host's pending interrupts have run (vmx_vcpu.c).
 */
bool vmx_watchdog_expired(struct vcpu *v);
/**
 * Handle basic exit reason @reason with @handler from now on (the
 * contract of vmx_exit.c's table: 0 handled, -1 unhandled: the guest is
 * killed). Later labs register theirs at init (INITCALL).
 */
void vmx_exit_set_handler(unsigned reason, int (*handler)(struct vcpu *v));
/** Guest GPR @n in the encoding order of exit qualifications and ModRM
 *  (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15; RSP is in the VMCS). */
uint64_t vmx_gpr_read(struct vcpu *v, unsigned n);
void vmx_gpr_write(struct vcpu *v, unsigned n, uint64_t val);
/** Let @v read and write @msr without exits from now on (its MSR bitmap). */
void vmx_msr_passthrough(struct vcpu *v, uint32_t msr);
/**
 * Re-arm the VMX-preemption timer now (lab 4: a device timer became due
 * sooner than the slice armed): what ran of the slice is charged to the
 * watchdog budget, and the new slice ends at the device's deadline.
 */
void vmx_slice_rearm(struct vcpu *v);
/**
 * Queue again for the next entry the event whose delivery an exit
 * interrupted (the IDT-vectoring information, 27.2.4), if there is one;
 * true when it did (vmx_exit_slow.c).
 */
bool vmx_reinject_vectoring(void);
/** Queue hardware exception @vector for the next VM entry (vmx_exit.c). */
void vmx_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error);
/** Print a VM-entry failure of @v named (VMfail error or exit reason bit 31). */
void vmx_report_entry_failure(struct vcpu *v, int vmfail);

/* ---- one VMLAUNCH, for the entry checker's tests ---- */

/* What one VMLAUNCH attempt did (SDM Vol. 3C, 26 "VM Entries", 30.4). */
enum vmx_launch_outcome {
	VMX_LAUNCH_EXITED,        /* entered; an ordinary VM exit came back */
	VMX_LAUNCH_FAIL_INVALID,  /* VMfailInvalid: no current VMCS */
	VMX_LAUNCH_FAIL_VALID,    /* VMfailValid: insn_error says which check */
	VMX_LAUNCH_ENTRY_FAILED,  /* a VM exit with bit 31 set: guest-state/MSR-load checks */
};

struct vmx_launch_result {
	enum vmx_launch_outcome outcome;
	uint32_t insn_error;      /* VMfailValid: VM-instruction error (vmx_insn_error_name) */
	uint32_t exit_reason;     /* exits: the whole exit-reason field, bit 31 included */
	uint32_t basic_reason;    /* exits: its low 16 bits (vmx_exit_reason_name) */
	uint64_t qualification;   /* exits: EXIT_QUALIFICATION (26.7 for failed entries) */
};

/**
 * One VMLAUNCH of @v's VMCS (current on this CPU, not launched), with the
 * guest's registers; no exit is handled. 0 with *@out filled, or -1 when
 * @v is not current on this CPU or was launched already. After an
 * ordinary exit the VMCS is launched: destroy the vCPU (or vcpu_run it).
 */
int vmx_try_launch(struct vcpu *v, struct vmx_launch_result *out);
/** "exited", "VMfailInvalid", "VMfailValid", "entry failed". */
const char *vmx_launch_outcome_name(enum vmx_launch_outcome o);

#endif
