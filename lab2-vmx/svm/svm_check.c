/*
 * svm_check.c - the software VMRUN consistency checker: one function per
 * rule of svm_check.h, the table that runs them, and the log line.
 *
 * Each rule reads the VMCB and, when VMRUN would refuse it, reports one
 * finding with svm_check_fail(): the field at fault, its value and why.
 * Pure logic: it builds for the host (unit tests) and for the kernel.
 */
#include <stdarg.h>
#include "printf.h"
#include "string.h"
#include "svm/svm.h"
#include "svm/svm_check.h"

/* Architectural bits the rules test (APM Vol. 2, 3.1.1, 3.1.3, 3.1.7). */
#define SVM_CHECK_CR0_PE    (1ull << 0)
#define SVM_CHECK_CR0_NW    (1ull << 29)
#define SVM_CHECK_CR0_CD    (1ull << 30)
#define SVM_CHECK_CR0_PG    (1ull << 31)
#define SVM_CHECK_CR4_PAE   (1ull << 5)
#define SVM_CHECK_EFER_LME  (1ull << 8)
#define SVM_CHECK_EFER_LMA  (1ull << 10)
/* The upper half of a 64-bit register; the permission maps' page. */
#define SVM_CHECK_HIGH32    0xffffffff00000000ull
#define SVM_CHECK_PAGE      4096ull

struct svm_check_ctx {
	const struct vmcb *vmcb;
	const struct svm_check_env *env;
	struct svm_check_report *r;
	enum svm_check_rule rule;     /* the rule running */
};

/* Report the running rule broken on @field (= @value); the detail is printf-formatted. */
static void svm_check_fail(struct svm_check_ctx *c, const char *field, uint64_t value,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void svm_check_fail(struct svm_check_ctx *c, const char *field, uint64_t value,
			   const char *fmt, ...)
{
	struct svm_check_finding *f = &c->r->f[c->r->broken++];
	va_list ap;

	f->rule = c->rule;
	f->field = field;
	f->value = value;
	va_start(ap, fmt);
	kvsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
}

/* @a fits the physical-address width: bits 63:phys_addr_bits are 0. */
static bool svm_check_phys_ok(const struct svm_check_ctx *c, uint64_t a)
{
	unsigned w = c->env->phys_addr_bits;

	return w >= 64 || (a >> w) == 0;
}

/* EFER.LME and CR0.PG: VMRUN enters long mode (the pairing 15.5.1 tests). */
static bool svm_check_lme_pg(const struct vmcb_save *s)
{
	return (s->efer & SVM_CHECK_EFER_LME) && (s->cr0 & SVM_CHECK_CR0_PG);
}

/* The guest runs in long mode: EFER.LMA, or LME with paging on. */
static bool svm_check_long_mode(const struct vmcb_save *s)
{
	return (s->efer & SVM_CHECK_EFER_LMA) || svm_check_lme_pg(s);
}

static bool svm_check_np_enabled(const struct svm_check_ctx *c)
{
	return c->vmcb->control.np_control & SVM_NP_ENABLE;
}

/*
 * A permission map of @pages pages at @base ends below 2^phys_addr_bits.
 * VMRUN ignores base bits 11:0 (APM Table B-1), so the map starts at the
 * page; a sum that wraps past 2^64 is out of range too.
 */
static bool svm_check_map_ok(const struct svm_check_ctx *c, uint64_t base, unsigned pages)
{
	uint64_t start = base & ~(SVM_CHECK_PAGE - 1);
	uint64_t last = start + pages * SVM_CHECK_PAGE - 1;

	return last > start && svm_check_phys_ok(c, last);
}

/* ---- 15.5.1: the guest's control registers, debug registers and EFER ---- */

/* 15.5.1: "EFER.SVME is zero" is illegal: VMRUN loads the guest's EFER,
 * and SVM must stay enabled while a guest runs. */
static void svm_check_efer_svme(struct svm_check_ctx *c)
{
	uint64_t efer = c->vmcb->save.efer;

	if (!(efer & EFER_SVME))
		svm_check_fail(c, "save.efer", efer, "SVME (bit 12) clear");
}

/* 15.5.1: "CR0.CD is zero and CR0.NW is set": no-write-through with caching
 * on is an undefined cache mode (APM 3.1.1), so VMRUN refuses it. */
static void svm_check_cr0_cd_nw(struct svm_check_ctx *c)
{
	uint64_t cr0 = c->vmcb->save.cr0;

	if ((cr0 & SVM_CHECK_CR0_NW) && !(cr0 & SVM_CHECK_CR0_CD))
		svm_check_fail(c, "save.cr0", cr0, "NW (bit 29) set, CD (bit 30) clear");
}

/* 15.5.1: "CR0[63:32] are not zero": they are reserved, MBZ (APM 3.1.1). */
static void svm_check_cr0_high(struct svm_check_ctx *c)
{
	uint64_t cr0 = c->vmcb->save.cr0;

	if (cr0 & SVM_CHECK_HIGH32)
		svm_check_fail(c, "save.cr0", cr0, "bits 63:32 = %#llx",
			       (unsigned long long)(cr0 >> 32));
}

/*
 * 15.5.1: "Any MBZ bit of CR3 is set". Only the long-mode CR3 has MBZ bits
 * (APM 3.1.2: bits 63:52, and the table base stops at the physical
 * width). Its low bits (11:5, 2:0) and those of the legacy and PAE forms
 * are "Reserved", not MBZ: the processor ignores them, so does the checker.
 */
static void svm_check_cr3_mbz(struct svm_check_ctx *c)
{
	const struct vmcb_save *s = &c->vmcb->save;

	if (svm_check_long_mode(s) && !svm_check_phys_ok(c, s->cr3))
		svm_check_fail(c, "save.cr3", s->cr3, "above %u physical-address bits",
			       c->env->phys_addr_bits);
}

/* 15.5.1: "Any MBZ bit of CR4 is set": every bit the processor does not
 * define, bits 63:32 among them (APM 3.1.3). */
static void svm_check_cr4_mbz(struct svm_check_ctx *c)
{
	uint64_t cr4 = c->vmcb->save.cr4;
	uint64_t valid = c->env->cr4_valid ? c->env->cr4_valid : SVM_CHECK_CR4_VALID;

	if (cr4 & ~valid)
		svm_check_fail(c, "save.cr4", cr4, "reserved bits %#llx",
			       (unsigned long long)(cr4 & ~valid));
}

/* 15.5.1: "DR6[63:32] are not zero": the upper half is MBZ (APM 13.1.1). */
static void svm_check_dr6_high(struct svm_check_ctx *c)
{
	uint64_t dr6 = c->vmcb->save.dr6;

	if (dr6 & SVM_CHECK_HIGH32)
		svm_check_fail(c, "save.dr6", dr6, "bits 63:32 = %#llx",
			       (unsigned long long)(dr6 >> 32));
}

/* 15.5.1: "DR7[63:32] are not zero": the upper half is MBZ (APM 13.1.1). */
static void svm_check_dr7_high(struct svm_check_ctx *c)
{
	uint64_t dr7 = c->vmcb->save.dr7;

	if (dr7 & SVM_CHECK_HIGH32)
		svm_check_fail(c, "save.dr7", dr7, "bits 63:32 = %#llx",
			       (unsigned long long)(dr7 >> 32));
}

/* 15.5.1: "Any MBZ bit of EFER is set" (the defined bits: APM 3.1.7). */
static void svm_check_efer_mbz(struct svm_check_ctx *c)
{
	uint64_t efer = c->vmcb->save.efer;
	uint64_t valid = c->env->efer_valid ? c->env->efer_valid : SVM_CHECK_EFER_VALID;

	if (efer & ~valid)
		svm_check_fail(c, "save.efer", efer, "reserved bits %#llx",
			       (unsigned long long)(efer & ~valid));
}

/* 15.5.1: "EFER.LMA or EFER.LME is non-zero and this processor does not
 * support long mode". */
static void svm_check_efer_lm_unsupported(struct svm_check_ctx *c)
{
	uint64_t efer = c->vmcb->save.efer;

	if ((efer & (SVM_CHECK_EFER_LME | SVM_CHECK_EFER_LMA)) && !c->env->long_mode)
		svm_check_fail(c, "save.efer", efer, "LME/LMA set, CPUID has no LM");
}

/* 15.5.1: "EFER.LME and CR0.PG are both set and CR4.PAE is zero": long
 * mode pages only with 4-level (PAE-format) tables. */
static void svm_check_lme_pg_no_pae(struct svm_check_ctx *c)
{
	const struct vmcb_save *s = &c->vmcb->save;

	if (svm_check_lme_pg(s) && !(s->cr4 & SVM_CHECK_CR4_PAE))
		svm_check_fail(c, "save.cr4", s->cr4, "PAE (bit 5) clear");
}

/* 15.5.1: "EFER.LME and CR0.PG are both non-zero and CR0.PE is zero". (Out
 * of long mode VMRUN does load PG = 1 with PE = 0, which MOV CR0 cannot.) */
static void svm_check_lme_pg_no_pe(struct svm_check_ctx *c)
{
	const struct vmcb_save *s = &c->vmcb->save;

	if (svm_check_lme_pg(s) && !(s->cr0 & SVM_CHECK_CR0_PE))
		svm_check_fail(c, "save.cr0", s->cr0, "PE (bit 0) clear");
}

/* 15.5.1: "EFER.LME, CR0.PG, CR4.PAE, CS.L, and CS.D are all non-zero":
 * L = 1 with D = 1 is reserved for a future mode (APM 4.8.1). */
static void svm_check_cs_l_and_d(struct svm_check_ctx *c)
{
	const struct vmcb_save *s = &c->vmcb->save;
	uint16_t attrib = s->cs.attrib;

	if (svm_check_lme_pg(s) && (s->cr4 & SVM_CHECK_CR4_PAE) &&
	    (attrib & VMCB_ATTR_L) && (attrib & VMCB_ATTR_DB))
		svm_check_fail(c, "save.cs.attrib", attrib, "CS.L and CS.D both set");
}

/* ---- 15.5.1: the controls ---- */

/* 15.5.1: "The VMRUN intercept bit is clear": a guest must not run VMRUN
 * behind its host's back, so SVM insists the host intercepts it. */
static void svm_check_vmrun_intercept(struct svm_check_ctx *c)
{
	uint32_t v = c->vmcb->control.intercept_misc2;

	if (!(v & SVM_INTERCEPT2_VMRUN))
		svm_check_fail(c, "control.intercept_misc2", v, "bit 0 (VMRUN) clear");
}

/* 15.5.1: "The MSR or IOIO intercept tables extend to a physical address
 * that is greater than or equal to the maximum supported physical address"
 * (checked whether or not MSR_PROT is on). The MSRPM is 8 KiB (15.11). */
static void svm_check_msrpm_addr(struct svm_check_ctx *c)
{
	uint64_t pa = c->vmcb->control.msrpm_base_pa;

	if (!svm_check_map_ok(c, pa, SVM_MSRPM_PAGES))
		svm_check_fail(c, "control.msrpm_base_pa", pa,
			       "%u pages end above %u physical-address bits",
			       SVM_MSRPM_PAGES, c->env->phys_addr_bits);
}

/* 15.5.1: the same for the 12-KiB IOPM (15.10.1). */
static void svm_check_iopm_addr(struct svm_check_ctx *c)
{
	uint64_t pa = c->vmcb->control.iopm_base_pa;

	if (!svm_check_map_ok(c, pa, SVM_IOPM_PAGES))
		svm_check_fail(c, "control.iopm_base_pa", pa,
			       "%u pages end above %u physical-address bits",
			       SVM_IOPM_PAGES, c->env->phys_addr_bits);
}

/* 15.5.1: "ASID is equal to zero": ASID 0 tags the host's TLB entries. */
static void svm_check_asid_zero(struct svm_check_ctx *c)
{
	uint32_t asid = c->vmcb->control.asid;

	if (asid == 0)
		svm_check_fail(c, "control.asid", asid, "0 is the host's ASID");
}

/* 15.16: the TLB holds CPUID Fn8000_000A_EBX ASIDs, 0 to NASID - 1. 15.5.1
 * does not list a larger one, but no TLB tag holds it: refused here. */
static void svm_check_asid_range(struct svm_check_ctx *c)
{
	uint32_t asid = c->vmcb->control.asid;

	if (asid >= c->env->nasids)
		svm_check_fail(c, "control.asid", asid, "the processor has %u ASIDs",
			       c->env->nasids);
}

/* ---- 15.20: event injection ---- */

/*
 * 15.20: "VMRUN exits with VMEXIT_INVALID" for an illegal event: a TYPE
 * the APM does not define (1, 5, 6, 7), or an exception (TYPE 3) whose
 * vector is no exception: 2 is the NMI's (TYPE 2 injects it), above 31
 * are interrupts. For an NMI the vector is ignored, so any value passes.
 */
static void svm_check_event_inj(struct svm_check_ctx *c)
{
	uint64_t e = c->vmcb->control.event_inj;
	unsigned type = SVM_EVTINJ_TYPE(e), vector = SVM_EVTINJ_VECTOR(e);

	if (!(e & SVM_EVTINJ_VALID))
		return;
	if (type == 1 || type > SVM_EVTINJ_TYPE_SOFT)
		svm_check_fail(c, "control.event_inj", e, "type %u is reserved", type);
	else if (type == SVM_EVTINJ_TYPE_EXC && (vector == 2 || vector > 31))
		svm_check_fail(c, "control.event_inj", e, "exception vector %u", vector);
}

/* ---- 15.25: nested paging ---- */

/* 15.25.3: nested paging exists when CPUID Fn8000_000A_EDX[NP] says so.
 * Without it NP_ENABLE is not defined: the guest would run on the host's
 * page tables, never what the VMM meant (KVM's nested VMRUN refuses it). */
static void svm_check_np_without_feature(struct svm_check_ctx *c)
{
	uint64_t np = c->vmcb->control.np_control;

	if (svm_check_np_enabled(c) && !(c->env->features & SVM_FEAT_NP))
		svm_check_fail(c, "control.np_control", np, "CPUID has no NP");
}

/* 15.25.4: with NP_ENABLE, "any MBZ bit of nCR3 is set" is illegal: the
 * nested table root must be a physical address the processor has. */
static void svm_check_ncr3_mbz(struct svm_check_ctx *c)
{
	uint64_t ncr3 = c->vmcb->control.n_cr3;

	if (svm_check_np_enabled(c) && !svm_check_phys_ok(c, ncr3))
		svm_check_fail(c, "control.n_cr3", ncr3, "above %u physical-address bits",
			       c->env->phys_addr_bits);
}

/* 15.25.4: with NP_ENABLE, G_PAT (the guest's PAT, used by the guest walk)
 * must hold valid memory types only: 2, 3 and 8-255 are reserved (7.8.1). */
static void svm_check_gpat(struct svm_check_ctx *c)
{
	uint64_t pat = c->vmcb->save.g_pat;

	if (!svm_check_np_enabled(c))
		return;
	for (unsigned i = 0; i < 8; i++) {
		unsigned type = (pat >> (8 * i)) & 0xff;

		if (type == 2 || type == 3 || type > 7) {
			svm_check_fail(c, "save.g_pat", pat, "PA%u = %u", i, type);
			return;
		}
	}
}

/* ---- the table, running it, the log line ---- */

static const struct {
	const char *id, *section, *text;
	void (*fn)(struct svm_check_ctx *c);
} svm_check_rules[SVM_CHECK_NRULES] = {
#define SVM_CHECK_RULE_ENTRY(name, rid, sec, txt) \
	[SVM_CHECK_##name] = { #rid, sec, txt, svm_check_##rid },
	SVM_CHECK_RULES(SVM_CHECK_RULE_ENTRY)
#undef SVM_CHECK_RULE_ENTRY
};

int svm_check_vmcb(const struct vmcb *vmcb, const struct svm_check_env *env,
		   struct svm_check_report *r)
{
	struct svm_check_ctx c = { .vmcb = vmcb, .env = env, .r = r };

	memset(r, 0, sizeof(*r));
	for (int i = 0; i < SVM_CHECK_NRULES; i++) {
		c.rule = (enum svm_check_rule)i;
		svm_check_rules[i].fn(&c);
	}
	return (int)r->broken;
}

const char *svm_check_rule_id(enum svm_check_rule rule)
{
	return (unsigned)rule < SVM_CHECK_NRULES ? svm_check_rules[rule].id : NULL;
}

const char *svm_check_rule_section(enum svm_check_rule rule)
{
	return (unsigned)rule < SVM_CHECK_NRULES ? svm_check_rules[rule].section : NULL;
}

const char *svm_check_rule_text(enum svm_check_rule rule)
{
	return (unsigned)rule < SVM_CHECK_NRULES ? svm_check_rules[rule].text : NULL;
}

int svm_check_rule_by_id(const char *id)
{
	for (int i = 0; i < SVM_CHECK_NRULES; i++)
		if (strcmp(svm_check_rules[i].id, id) == 0)
			return i;
	return -1;
}

bool svm_check_report_has(const struct svm_check_report *r, enum svm_check_rule rule)
{
	for (unsigned i = 0; i < r->broken; i++)
		if (r->f[i].rule == rule)
			return true;
	return false;
}

int svm_check_format(const struct svm_check_finding *f, char *buf, size_t size)
{
	const char *id = svm_check_rule_id(f->rule);

	if (!id)
		return ksnprintf(buf, size, "svmcheck: unknown rule %d", (int)f->rule);
	return ksnprintf(buf, size, "svmcheck: %s [%s] %s; %s = %#llx%s%s%s",
			 svm_check_rule_section(f->rule), id, svm_check_rule_text(f->rule),
			 f->field, (unsigned long long)f->value,
			 f->detail[0] ? " (" : "", f->detail, f->detail[0] ? ")" : "");
}
