/*
 * svm_check.h - the software VMRUN consistency checker (the twin of
 * vmx/vmx_check.h).
 *
 * VMRUN checks the VMCB before it runs the guest (AMD64 APM Vol. 2, 15.5.1
 * "Basic Operation"): "illegal state combinations cause a #VMEXIT with
 * VMEXIT_INVALID", and that is all the processor says, with no hint of
 * which check failed. hvlab can run the same checks in software and name
 * every rule a VMCB breaks:
 *
 *   svmcheck: 15.5.1 [cs_l_and_d] EFER.LME, CR0.PG, CR4.PAE, CS.L and CS.D
 *   must not all be 1 ...; save.cs.attrib = 0x69b (CS.L and CS.D both set)
 *
 * The checks are a pure function of a VMCB and of what the processor
 * reports (struct svm_check_env), so they are unit-tested on the host.
 */
#ifndef HVLAB_SVM_CHECK_H
#define HVLAB_SVM_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "svm/vmcb.h"

/*
 * The rules: X(ENUM_NAME, id, APM section, what is expected). The id is
 * what log lines and tests use; the text says the rule in one line.
 */
#define SVM_CHECK_RULES(X) \
	/* 15.5.1 Basic Operation: the guest state */ \
	X(EFER_SVME,           efer_svme,           "15.5.1",  "guest EFER.SVME must be 1") \
	X(CR0_CD_NW,           cr0_cd_nw,           "15.5.1",  "guest CR0.NW = 1 needs CR0.CD = 1") \
	X(CR0_HIGH,            cr0_high,            "15.5.1",  "guest CR0 bits 63:32 must be 0") \
	X(CR3_MBZ,             cr3_mbz,             "15.5.1",  "in long mode, guest CR3 bits 63:phys_addr_bits must be 0") \
	X(CR4_MBZ,             cr4_mbz,             "15.5.1",  "guest CR4 may set only the bits the processor defines (bits 63:32 are 0)") \
	X(DR6_HIGH,            dr6_high,            "15.5.1",  "guest DR6 bits 63:32 must be 0") \
	X(DR7_HIGH,            dr7_high,            "15.5.1",  "guest DR7 bits 63:32 must be 0") \
	X(EFER_MBZ,            efer_mbz,            "15.5.1",  "guest EFER may set only SCE, LME, LMA, NXE, SVME, LMSLE, FFXSR and TCE") \
	X(EFER_LM_UNSUPPORTED, efer_lm_unsupported, "15.5.1",  "guest EFER.LME and EFER.LMA must be 0 when the processor has no long mode") \
	X(LME_PG_NO_PAE,       lme_pg_no_pae,       "15.5.1",  "guest EFER.LME = 1 and CR0.PG = 1 need CR4.PAE = 1") \
	X(LME_PG_NO_PE,        lme_pg_no_pe,        "15.5.1",  "guest EFER.LME = 1 and CR0.PG = 1 need CR0.PE = 1") \
	X(CS_L_AND_D,          cs_l_and_d,          "15.5.1",  "EFER.LME, CR0.PG, CR4.PAE, CS.L and CS.D must not all be 1 (a 64-bit CS has D = 0)") \
	/* 15.5.1 Basic Operation: the controls */ \
	X(VMRUN_INTERCEPT,     vmrun_intercept,     "15.5.1",  "the VMRUN intercept (vector 4 bit 0) must be 1") \
	X(MSRPM_ADDR,          msrpm_addr,          "15.5.1",  "the 8-KByte MSR permission map must end below 2^phys_addr_bits") \
	X(IOPM_ADDR,           iopm_addr,           "15.5.1",  "the 12-KByte I/O permission map must end below 2^phys_addr_bits") \
	X(ASID_ZERO,           asid_zero,           "15.5.1",  "the guest ASID must not be 0 (ASID 0 is the host's)") \
	/* 15.16 TLB Control */ \
	X(ASID_RANGE,          asid_range,          "15.16",   "the guest ASID must be below the number of ASIDs (CPUID Fn8000_000A_EBX)") \
	/* 15.20 Event Injection */ \
	X(EVENT_INJ,           event_inj,           "15.20",   "a valid EVENTINJ needs type 0, 2, 3 or 4, and an exception (type 3) needs a vector of 0-31 other than 2") \
	/* 15.25 Nested Paging */ \
	X(NP_WITHOUT_FEATURE,  np_without_feature,  "15.25.3", "NP_ENABLE = 1 needs nested paging (CPUID Fn8000_000A_EDX bit 0)") \
	X(NCR3_MBZ,            ncr3_mbz,            "15.25.4", "with nested paging, N_CR3 bits 63:phys_addr_bits must be 0") \
	X(GPAT,                gpat,                "15.25.4", "with nested paging, each G_PAT entry must be 0, 1, 4, 5, 6 or 7")

enum svm_check_rule {
#define SVM_CHECK_RULE_ENUM(name, id, sec, text) SVM_CHECK_##name,
	SVM_CHECK_RULES(SVM_CHECK_RULE_ENUM)
#undef SVM_CHECK_RULE_ENUM
	SVM_CHECK_NRULES
};

/*
 * EFER bits defined by the APM (Vol. 2, 3.1.7 "Extended Feature Enable
 * Register"): SCE 0, LME 8, LMA 10, NXE 11, SVME 12, LMSLE 13, FFXSR 14,
 * TCE 15. The others are MBZ unless the processor defines more.
 */
#define SVM_CHECK_EFER_VALID 0x000000000000fd01ull
/*
 * CR4 bits defined by the APM (Vol. 2, 3.1.3 "CR4 Register"): 12:0 (VME
 * ... LA57), 16 FSGSBASE, 17 PCIDE, 18 OSXSAVE, 20 SMEP, 21 SMAP, 22 PKE,
 * 23 CET. Bit 13 (Intel's VMXE) is reserved on AMD.
 */
#define SVM_CHECK_CR4_VALID  0x0000000000f71fffull

/* What VMRUN compares the VMCB against: what the processor reports. */
struct svm_check_env {
	unsigned phys_addr_bits;   /* CPUID Fn8000_0008_EAX[7:0] (never 0) */
	uint32_t nasids;           /* CPUID Fn8000_000A_EBX: number of ASIDs */
	uint32_t features;         /* CPUID Fn8000_000A_EDX: SVM_FEAT_* of svm.h */
	bool long_mode;            /* CPUID Fn8000_0001_EDX[29] (LM) */
	uint64_t efer_valid;       /* EFER bits allowed; 0 means SVM_CHECK_EFER_VALID */
	uint64_t cr4_valid;        /* CR4 bits allowed; 0 means SVM_CHECK_CR4_VALID */
};

#define SVM_CHECK_DETAIL_LEN 96

/* One broken rule: which, the VMCB field at fault, its value, the detail. */
struct svm_check_finding {
	enum svm_check_rule rule;
	const char *field;         /* "save.efer", "control.asid", ... */
	uint64_t value;
	char detail[SVM_CHECK_DETAIL_LEN];
};

/* Each rule is reported at most once, so every finding fits. */
struct svm_check_report {
	unsigned broken;
	struct svm_check_finding f[SVM_CHECK_NRULES];
};

/**
 * Run every rule over @vmcb as VMRUN would on a processor described by
 * @env, and fill @r with each broken rule, in table order. Returns the
 * number of broken rules (r->broken): 0 means VMRUN should accept it.
 */
int svm_check_vmcb(const struct vmcb *vmcb, const struct svm_check_env *env,
		   struct svm_check_report *r);

/** The rule's id ("cs_l_and_d"), section ("15.5.1") and text; NULL if out of range. */
const char *svm_check_rule_id(enum svm_check_rule rule);
const char *svm_check_rule_section(enum svm_check_rule rule);
const char *svm_check_rule_text(enum svm_check_rule rule);
/** The rule whose id is @id, or -1. */
int svm_check_rule_by_id(const char *id);

/** True when @r holds a finding of @rule. */
bool svm_check_report_has(const struct svm_check_report *r, enum svm_check_rule rule);

/**
 * Format @f as one log line (no newline) into @buf:
 * "svmcheck: SECTION [id] TEXT; FIELD = VALUE (DETAIL)". Returns the length
 * the whole line has (like snprintf).
 */
int svm_check_format(const struct svm_check_finding *f, char *buf, size_t size);

#endif
