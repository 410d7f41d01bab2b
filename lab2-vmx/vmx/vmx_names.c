/*
 * names.c - names for VMCS fields, exit reasons and VM-instruction errors,
 * generated from the X-macro tables of vmcs_fields.h so they cannot drift.
 */
#include <stddef.h>
#include "hypercall.h"
#include "vmx/vmcs_fields.h"

const char *vmcs_field_name(unsigned long encoding)
{
	switch (encoding) {
#define FIELD_CASE(name, enc) case enc: return #name;
	VMCS_FIELDS(FIELD_CASE)
#undef FIELD_CASE
	}
	return NULL;
}

const char *vmx_exit_reason_name(unsigned reason)
{
	static const char *const names[EXIT_REASON_MAX] = {
#define REASON_NAME(name, n) [n] = #name,
		VMX_EXIT_REASONS(REASON_NAME)
#undef REASON_NAME
	};
	reason &= 0xffff;
	return reason < EXIT_REASON_MAX && names[reason] ? names[reason] : "unknown";
}

const char *vmx_insn_error_name(unsigned error)
{
	switch (error) {
#define ERROR_CASE(n, text) case n: return text;
	VMX_INSN_ERRORS(ERROR_CASE)
#undef ERROR_CASE
	}
	return "unknown error";
}

/* A basic exit reason in the words both vendors share (hypercall.h). */
enum hc_exit_kind vmx_exit_kind(unsigned reason)
{
	switch (reason) {
	case EXIT_REASON_EXCEPTION_NMI: return HC_EXIT_EXCEPTION;
	case EXIT_REASON_EXTERNAL_INTERRUPT: return HC_EXIT_INTR;
	case EXIT_REASON_TRIPLE_FAULT: return HC_EXIT_SHUTDOWN;
	case EXIT_REASON_INIT_SIGNAL: case EXIT_REASON_SIPI: return HC_EXIT_INIT;
	case EXIT_REASON_INTERRUPT_WINDOW: case EXIT_REASON_NMI_WINDOW: return HC_EXIT_IRQ_WINDOW;
	case EXIT_REASON_CPUID: return HC_EXIT_CPUID;
	case EXIT_REASON_HLT: return HC_EXIT_HLT;
	case EXIT_REASON_VMCALL: return HC_EXIT_HYPERCALL;
	case EXIT_REASON_VMCLEAR: case EXIT_REASON_VMLAUNCH: case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST: case EXIT_REASON_VMREAD: case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE: case EXIT_REASON_VMXOFF: case EXIT_REASON_VMXON:
	case EXIT_REASON_INVEPT: case EXIT_REASON_INVVPID: case EXIT_REASON_VMFUNC:
		return HC_EXIT_VIRT_INSN;
	case EXIT_REASON_CR_ACCESS: return HC_EXIT_CR;
	case EXIT_REASON_IO_INSTRUCTION: return HC_EXIT_IO;
	case EXIT_REASON_MSR_READ: return HC_EXIT_RDMSR;
	case EXIT_REASON_MSR_WRITE: return HC_EXIT_WRMSR;
	case EXIT_REASON_INVALID_GUEST_STATE: case EXIT_REASON_MSR_LOAD_FAIL:
		return HC_EXIT_INVALID;
	case EXIT_REASON_EPT_VIOLATION: case EXIT_REASON_EPT_MISCONFIG: return HC_EXIT_GPA_FAULT;
	case EXIT_REASON_PREEMPTION_TIMER: return HC_EXIT_TIMER;
	}
	return HC_EXIT_OTHER;
}
