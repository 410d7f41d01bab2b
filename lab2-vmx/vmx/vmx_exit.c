/*
 * vmx_exit.c - entering the guest once and handling the VM exit that ends
 * it: the dispatch table, the lean handlers, RIP advance and event
 * injection. Intel SDM Vol. 3C, chapter 27 "VM Exits" (27.2: the exit
 * information), 25.1-25.3 (which instructions and events exit), appendix C
 * (basic exit reasons). Slow paths (control registers, string I/O, fatal
 * exits, entry failures) live in vmx_exit_slow.c.
 *
 * The exit path is lean: no locks, no printing, no allocation between the
 * VM exit and the next VM entry, unless the guest is dying or asked to print.
 */
#include <stddef.h>
#include "panic.h"
#include "printf.h"
#include "trap.h"
#include "vcpu_policy.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_exit.h"
#include "vmx/vmx_vcpu.h"

#define INTR_INFO_TYPE_SHIFT 8   /* bits 10:8 of the interruption information (Table 24-16) */

/*
 * One helper moves RIP past the instruction that exited, by the length
 * the CPU reports (27.2.5 "Information for VM Exits Due to Instruction
 * Execution"): never a hard-coded length (a REX or other prefix changes
 * it). Emulating the instruction also ends blocking by STI or MOV SS
 * (24.4.2 "Guest Non-Register State": interruptibility), as executing it
 * would have. Inline: it is on the path of almost every exit.
 */
static inline __attribute__((always_inline)) void skip_instruction(void)
{
	/* BEGIN SOLUTION lab2 */
	uint64_t rip = vmcs_readnat(VMCS_GUEST_RIP);
	vmcs_writenat(VMCS_GUEST_RIP, rip + vmcs_read32(VMCS_VM_EXIT_INSTRUCTION_LEN));
	uint32_t intr = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	if (__builtin_expect(intr & (VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS), 0))
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS));
	/* END SOLUTION */
	/* STUB lab2
	NOT_IMPLEMENTED("lab2");
	*/
}

/* The same, for the other files and the advance_rip hook. */
void vmx_advance_rip(struct vcpu *v)
{
	(void)v;
	skip_instruction();
}

/*
 * Event injection (24.8.3 "VM-Entry Controls for Event Injection", 26.6
 * "Event Injection"): the next VM entry delivers the exception through the
 * guest's IDT as if the faulting instruction had raised it; RIP stays on
 * that instruction.
 */
void vmx_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error)
{
	(void)v;
	uint32_t info = VMX_INTR_INFO_VECTOR(vector) | (VMX_INTR_TYPE_HW_EXC << INTR_INFO_TYPE_SHIFT) |
			VMX_INTR_INFO_VALID;
	if (has_error) {
		info |= VMX_INTR_INFO_ERRCODE;
		vmcs_write32(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	}
	vmcs_write32(VMCS_VM_ENTRY_INTR_INFO_FIELD, info);
}

/* CPUID always exits (25.1.2 "Instructions That Cause VM Exits
 * Unconditionally"): the generic policy answers. */
static int handle_cpuid(struct vcpu *v)
{
	/* BEGIN SOLUTION lab2 */
	vcpu_cpuid(v);
	skip_instruction();
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	NOT_IMPLEMENTED("lab2");
	*/
}

/* VMCALL always exits (25.1.2 "Instructions That Cause VM Exits
 * Unconditionally"): a hypercall (hypercall.h). */
static int handle_vmcall(struct vcpu *v)
{
	/* BEGIN SOLUTION lab2 */
	vcpu_hypercall(v);
	skip_instruction();
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	NOT_IMPLEMENTED("lab2");
	*/
}

/*
 * HLT ("HLT exiting", 25.1.3 "Instructions That Cause VM Exits
 * Conditionally"). With RFLAGS.IF set the guest waits for an
 * interrupt; lab 2 injects none, so it goes on at once after the HLT.
 * With IF clear nothing could ever wake it: the guest has stopped.
 */
static int handle_hlt(struct vcpu *v)
{
	/* BEGIN SOLUTION lab2 */
	if (!(vmcs_readnat(VMCS_GUEST_RFLAGS) & X86_RFLAGS_IF)) {
		vcpu_stop(v, VCPU_STOP_HLT, "HLT with interrupts disabled");
		return 0;
	}
	skip_instruction();
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	NOT_IMPLEMENTED("lab2");
	*/
}

/*
 * IN/OUT through the I/O bitmaps (24.6.4 "I/O-Bitmap Addresses", 25.1.3).
 * The qualification (27.2.1 "Basic VM-Exit Information", Table 27-5) names the port, size, direction, and whether it is
 * a string instruction (INS/OUTS, handled in vmx_exit_slow.c).
 */
static int handle_io(struct vcpu *v)
{
	/* BEGIN SOLUTION lab2 */
	uint64_t q = vmcs_readnat(VMCS_EXIT_QUALIFICATION);
	uint16_t port = (uint16_t)(q >> IOQ_PORT_SHIFT);
	unsigned size = (unsigned)(q & IOQ_SIZE_MASK) + 1;
	if (q & IOQ_STRING)
		return vmx_handle_string_io(v, port, size, q & IOQ_IN, q & IOQ_REP);
	if (q & IOQ_IN) {
		uint32_t val = vcpu_pio_in(v, port, size);
		/* IN to AL/AX changes only those bits; IN to EAX zero-extends. */
		if (size == 4)
			v->regs.rax = val;
		else {
			uint64_t mask = size == 1 ? 0xffull : 0xffffull;
			v->regs.rax = (v->regs.rax & ~mask) | (val & mask);
		}
	} else {
		vcpu_pio_out(v, port, size, (uint32_t)v->regs.rax);
	}
	skip_instruction();
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	NOT_IMPLEMENTED("lab2");
	*/
}

/* RDMSR/WRMSR that the MSR bitmap sends here (24.6.9 "MSR-Bitmap Address"): ECX names the MSR,
 * EDX:EAX hold the value. Unknown or forbidden MSRs raise #GP(0). */
static int handle_rdmsr(struct vcpu *v)
{
	/* BEGIN SOLUTION lab2 */
	uint64_t val;
	if (vcpu_msr_read(v, (uint32_t)v->regs.rcx, &val)) {
		vmx_inject_exception(v, T_GP, true, 0);
		return 0;
	}
	v->regs.rax = (uint32_t)val;
	v->regs.rdx = val >> 32;
	skip_instruction();
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	NOT_IMPLEMENTED("lab2");
	*/
}

static int handle_wrmsr(struct vcpu *v)
{
	/* BEGIN SOLUTION lab2 */
	uint64_t val = (v->regs.rdx << 32) | (uint32_t)v->regs.rax;
	if (vcpu_msr_write(v, (uint32_t)v->regs.rcx, val)) {
		vmx_inject_exception(v, T_GP, true, 0);
		return 0;
	}
	skip_instruction();
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	NOT_IMPLEMENTED("lab2");
	*/
}

/* VMX instructions always exit in VMX non-root operation (25.1.2 "Instructions
 * That Cause VM Exits Unconditionally"); the
 * guest was told VMX does not exist (CPUID), so it gets #UD, as it would
 * on a CPU without VMX. */
static int handle_vmx_insn(struct vcpu *v)
{
	vmx_inject_exception(v, T_UD, false, 0);
	return 0;
}

/*
 * The exit handlers, indexed by basic exit reason. The contract, once:
 * a handler returns 0 when it dealt with the exit (it moved RIP, injected
 * an event, or stopped the guest with vcpu_stop), or -1 when it cannot:
 * the exit then goes to unhandled_exit(), which dumps and kills the guest.
 * A reason with no entry goes there too. Later labs add theirs with
 * vmx_exit_set_handler() (lab 3: EPT violations and misconfigurations).
 */
static int (*exit_handlers[VCPU_EXIT_REASONS])(struct vcpu *) = {
	[EXIT_REASON_EXCEPTION_NMI] = vmx_handle_exception,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = vmx_handle_external_interrupt,
	[EXIT_REASON_TRIPLE_FAULT] = vmx_handle_fatal,
	[EXIT_REASON_INIT_SIGNAL] = vmx_handle_fatal,
	[EXIT_REASON_SIPI] = vmx_handle_fatal,
	[EXIT_REASON_CPUID] = handle_cpuid,
	[EXIT_REASON_HLT] = handle_hlt,
	[EXIT_REASON_VMCALL] = handle_vmcall,
	[EXIT_REASON_VMCLEAR] = handle_vmx_insn,
	[EXIT_REASON_VMLAUNCH] = handle_vmx_insn,
	[EXIT_REASON_VMPTRLD] = handle_vmx_insn,
	[EXIT_REASON_VMPTRST] = handle_vmx_insn,
	[EXIT_REASON_VMREAD] = handle_vmx_insn,
	[EXIT_REASON_VMRESUME] = handle_vmx_insn,
	[EXIT_REASON_VMWRITE] = handle_vmx_insn,
	[EXIT_REASON_VMXOFF] = handle_vmx_insn,
	[EXIT_REASON_VMXON] = handle_vmx_insn,
	[EXIT_REASON_INVEPT] = handle_vmx_insn,
	[EXIT_REASON_INVVPID] = handle_vmx_insn,
	[EXIT_REASON_VMFUNC] = handle_vmx_insn,
	[EXIT_REASON_CR_ACCESS] = vmx_handle_cr_access,
	[EXIT_REASON_IO_INSTRUCTION] = handle_io,
	[EXIT_REASON_MSR_READ] = handle_rdmsr,
	[EXIT_REASON_MSR_WRITE] = handle_wrmsr,
	[EXIT_REASON_PREEMPTION_TIMER] = vmx_handle_watchdog,
};

void vmx_exit_set_handler(unsigned reason, int (*handler)(struct vcpu *v))
{
	if (reason < VCPU_EXIT_REASONS)
		exit_handlers[reason] = handler;
}

/*
 * Every VM exit, called by vmx_entry.S with the guest's GPRs saved in
 * @regs (which lives inside struct vcpu). Returns 0 to resume the guest
 * at once, non-zero when the run loop must look (the guest stopped).
 * An exit with bit 31 set is a failed entry (26.7 "VM-Entry Failures
 * During or After Loading Guest State"), not an exit to dispatch: it is
 * reported by name and the guest stops.
 */
int vmx_exit_dispatch(struct vcpu_regs *regs)
{
	/* BEGIN SOLUTION lab2 */
	struct vcpu *v = (struct vcpu *)((char *)regs - offsetof(struct vcpu, regs));
	uint32_t reason = vmcs_read32(VMCS_VM_EXIT_REASON);
	if (__builtin_expect(reason & VMX_EXIT_REASON_FAILED_ENTRY, 0)) {
		vmx_report_entry_failure(v, 0);
		return 1;
	}
	uint32_t basic = reason & EXIT_REASON_BASIC_MASK;
	int (*h)(struct vcpu *) = NULL;
	if (__builtin_expect(basic < VCPU_EXIT_REASONS, 1)) {
		v->exit_counts[basic]++;
		h = exit_handlers[basic];
	}
	if (__builtin_expect(!h, 0) || h(v))
		vmx_unhandled_exit(v, basic);
	return v->stop != VCPU_STOP_NONE;
	/* END SOLUTION */
	/* STUB lab2
	(void)regs;
	(void)exit_handlers;
	NOT_IMPLEMENTED("lab2");
	*/
}

/*
 * The same, then the vCPU's pre_entry hook (lab 4: deliver what is due
 * before the next entry). vmx_exit_run_once picks this one only for vCPUs
 * that have the hook, so lab 2's exit path pays nothing for it.
 */
int vmx_exit_dispatch_ext(struct vcpu_regs *regs)
{
	struct vcpu *v = (struct vcpu *)((char *)regs - offsetof(struct vcpu, regs));
	if (vmx_exit_dispatch(regs))
		return 1;
	v->ext->pre_entry(v);
	return v->stop != VCPU_STOP_NONE;
}

int vmx_exit_leave(struct vcpu_regs *regs)
{
	(void)regs;
	return 1;
}

/*
 * The run_once hook: run the guest until an exit needs the run loop. The
 * exits themselves are handled inside vmx_run's loop by
 * vmx_exit_dispatch(); a VMfail of VMLAUNCH/VMRESUME comes back here.
 */
void vmx_exit_run_once(struct vcpu *v)
{
	int fail = vmx_run(&v->regs, v->launched, v->ext && v->ext->pre_entry ?
			   vmx_exit_dispatch_ext : vmx_exit_dispatch);
	if (__builtin_expect(fail != 0, 0)) {
		vmx_report_entry_failure(v, fail);
		return;
	}
	/* Bit 31 exits stop the guest; any other exit means VMLAUNCH worked. */
	v->launched = true;
}
