/*
 * svm_names.c - names for SVM exit codes (from svm.h's X-macro table, so
 * they cannot drift) and the exit kinds both vendors share.
 */
#include <stddef.h>
#include "hypercall.h"
#include "svm/svm.h"
#include "svm/svm_vcpu.h"

const char *svm_exit_code_name(uint64_t code)
{
	if ((uint32_t)code == SVM_EXIT_INVALID)
		return "INVALID";
	if (code == SVM_COUNT_MSR_WRITE)
		return "MSR (write)";
	switch (code) {
#define CODE_NAME(name, c) case c: return #name;
	SVM_EXIT_CODES(CODE_NAME)
#undef CODE_NAME
	}
	return "unknown";
}

const char *svm_exit_reason_name(unsigned code)
{
	return svm_exit_code_name(code);
}

/* An exit code in the words both vendors share (hypercall.h). */
enum hc_exit_kind svm_exit_kind(unsigned code)
{
	if (code <= SVM_EXIT_CR8_WRITE + 7)
		return HC_EXIT_CR;
	if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32)
		return HC_EXIT_EXCEPTION;
	switch (code) {
	case SVM_EXIT_INTR: return HC_EXIT_INTR;
	case SVM_EXIT_NMI: return HC_EXIT_NMI;
	case SVM_EXIT_INIT: return HC_EXIT_INIT;
	case SVM_EXIT_VINTR: return HC_EXIT_IRQ_WINDOW;
	case SVM_EXIT_CR0_SEL_WRITE: return HC_EXIT_CR;
	case SVM_EXIT_CPUID: return HC_EXIT_CPUID;
	case SVM_EXIT_HLT: return HC_EXIT_HLT;
	case SVM_EXIT_IOIO: return HC_EXIT_IO;
	case SVM_EXIT_MSR: return HC_EXIT_RDMSR;
	case SVM_COUNT_MSR_WRITE: return HC_EXIT_WRMSR;
	case SVM_EXIT_SHUTDOWN: return HC_EXIT_SHUTDOWN;
	case SVM_EXIT_VMMCALL: return HC_EXIT_HYPERCALL;
	case SVM_EXIT_VMRUN: case SVM_EXIT_VMLOAD: case SVM_EXIT_VMSAVE: case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI: case SVM_EXIT_SKINIT: case SVM_EXIT_INVLPGA:
		return HC_EXIT_VIRT_INSN;
	case SVM_EXIT_NPF: return HC_EXIT_GPA_FAULT;
	}
	return HC_EXIT_OTHER;
}
