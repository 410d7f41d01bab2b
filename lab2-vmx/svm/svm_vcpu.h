/*
 * svm_vcpu.h - the AMD SVM backend of struct vcpu (vcpu.h): what hangs off
 * v->vendor, and the functions shared by svm_vcpu.c (VMCB set-up),
 * svm_exit.c (exit handling) and svm_entry.S (entering the guest). The
 * twin of vmx/vmx_vcpu.h. Generic code never includes this header.
 */
#ifndef HVLAB_SVM_VCPU_H
#define HVLAB_SVM_VCPU_H

#include <stdbool.h>
#include <stdint.h>
#include "vcpu.h"
#include "x86_arch.h"
#include "svm/vmcb.h"

struct svm_vcpu {
	struct vmcb *vmcb;         /* one page; its physical address is vmcb_pa */
	uint64_t vmcb_pa;
	uint64_t iopm_pa;          /* I/O permission map: 3 pages (APM 15.10.1) */
	uint64_t msrpm_pa;         /* MSR permission map: 2 pages (APM 15.11) */
	uint64_t watchdog_start;   /* TSC at the first VMRUN: the budget counts from it */
	bool watchdog;             /* a budget is set (v->watchdog_budget) */
};

static inline struct vmcb *svm_vmcb(const struct vcpu *v)
{
	return ((struct svm_vcpu *)v->vendor)->vmcb;
}

/**
 * Enter the guest (svm_entry.S): VMSAVE the host's hidden state to
 * @host_save_pa, VMLOAD the guest's, load @regs into the GPRs (RAX goes
 * through the VMCB) and VMRUN. On each #VMEXIT the guest GPRs are stored
 * back into @regs, the host's state reloaded, and @on_exit(@regs) called:
 * 0 means "run the guest again now", non-zero "return to the run loop".
 * Runs with GIF clear between VMRUNs; returns with GIF set, IF clear.
 */
int svm_run(struct vcpu_regs *regs, uint64_t vmcb_pa, uint64_t host_save_pa,
	    int (*on_exit)(struct vcpu_regs *regs));

/** svm_run's @on_exit: dispatch one #VMEXIT (svm_exit.c). */
int svm_exit_dispatch(struct vcpu_regs *regs);
/** The run_once hook (svm_exit.c). */
void svm_exit_run_once(struct vcpu *v);
/** RIP past the intercepted instruction; the interrupt shadow ends. */
void svm_advance_rip(struct vcpu *v);
/** The same when the exit told the next RIP (IOIO's EXITINFO2). */
void svm_set_next_rip(struct vcpu *v, uint64_t next);
/** Queue hardware exception @vector for the next VMRUN (EVENTINJ, APM 15.20). */
void svm_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error);
/** Let @v read and write @msr without exits (its MSR permission map). */
void svm_msr_passthrough(struct vcpu *v, uint32_t msr);
/** Handle exit code @code with @handler from now on (svm_exit.c's table). */
void svm_exit_set_handler(unsigned code, int (*handler)(struct vcpu *v));
/** The exit kind (hypercall.h) of SVM exit code @code (svm_names.c). */
enum hc_exit_kind svm_exit_kind(unsigned code);
/** "CPUID", "IOIO", ... for the exit counters (svm_names.c). */
const char *svm_exit_reason_name(unsigned code);
/** The VMCB of @vmcb, decoded: intercepts, exit, guest state (svm_dump.c). */
void svm_vmcb_dump(const struct vmcb *vmcb);
/** The VMCB current on this CPU (the one svm_run ran last), dumped. */
void svm_vmcb_dump_current(void);
/** The VMCB last loaded on this CPU, or NULL. */
struct vmcb *svm_current_vmcb(void);

#endif
