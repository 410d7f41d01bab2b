/*
 * cpufeat.h - what virtualization support this CPU offers, for the banner.
 * Lab 2 reads the same MSRs in detail; here we only say what is there.
 */
#ifndef HVLAB_CPUFEAT_H
#define HVLAB_CPUFEAT_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_virt_features {
	char vendor[13];
	char brand[49];
	bool vmx, svm;
	/* VMX (valid when vmx) */
	uint64_t feature_control;
	bool vmx_locked_off;     /* FEATURE_CONTROL locked with VMX outside SMX off */
	uint32_t vmcs_revision;
	bool ept, unrestricted, vpid, preempt_timer, pml, ept_ad, ept_1g;
	unsigned preempt_rate;   /* timer ticks once per 2^rate TSC ticks */
	/* SVM (valid when svm) */
	bool npt;
	uint32_t asids;
};

/** Probe CPUID and (only where CPUID says they exist) the VMX MSRs. */
void cpufeat_probe(struct cpu_virt_features *f);
/** Print the virtualization section of the boot banner. */
void cpufeat_print(const struct cpu_virt_features *f);

#endif
