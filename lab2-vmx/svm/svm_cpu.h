/*
 * svm_cpu.h - SVM on and off on each CPU (svm_cpu.c): the twin of
 * vmx/vmx_cpu.h. AMD64 APM Vol. 2, 15.4 "Enabling SVM".
 */
#ifndef HVLAB_SVM_CPU_H
#define HVLAB_SVM_CPU_H

#include <stdbool.h>
#include <stdint.h>

/* What CPUID 0x8000000A says this CPU's SVM can do (APM 15.4, Vol. 3 E.4.9). */
struct svm_caps {
	bool present;          /* CPUID 80000001h:ECX.SVM, and VM_CR.SVMDIS clear */
	uint32_t revision;     /* EAX[7:0]: SVM revision */
	uint32_t nasids;       /* EBX: number of ASIDs (ASID 0 is the host's) */
	uint32_t features;     /* EDX: SVM_FEAT_* */
	unsigned phys_bits;    /* CPUID 80000008h:EAX[7:0]: physical address width */
	const char *why;       /* when !present: the reason, for messages */
};
extern struct svm_caps svm_caps;

/** Read the capabilities once (any CPU): 0, or -1 with svm_caps.why set. */
int svm_caps_get(void);
/** Print the capabilities in one readable block (svm=caps). */
void svm_caps_print(void);

/**
 * Turn SVM on for this CPU: EFER.SVME set and VM_HSAVE_PA pointing at a
 * page of its own (APM 15.30.4), plus the page VMSAVE keeps the host's
 * hidden state in. 0 (also when already on), or -1 after saying why.
 */
int svm_cpu_enable(void);
/** Turn it off again on this CPU (EFER.SVME clear, pages freed). */
void svm_cpu_disable(void);
bool svm_cpu_is_on(int cpu);
/** svm_cpu_enable on every online CPU (from the BSP): how many failed. */
int svm_enable_all(void);
void svm_disable_all(void);
/** The page this CPU's host state goes to with VMSAVE around each VMRUN. */
uint64_t svm_host_save_pa(int cpu);

#endif
