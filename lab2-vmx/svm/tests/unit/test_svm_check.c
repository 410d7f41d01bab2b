/*
 * test_svm_check.c - host unit tests of the software VMRUN checker: a
 * valid 64-bit guest passes with no finding, each rule broken alone is
 * reported alone (by its id, on its field), legal corner cases pass, and
 * a VMCB breaking several rules reports each of them.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "svm/svm.h"
#include "svm/svm_check.h"

/* Architectural bits (APM Vol. 2, 3.1) the fixture and the tests set. */
#define CR0_PE   (1ull << 0)
#define CR0_ET   (1ull << 4)
#define CR0_NE   (1ull << 5)
#define CR0_WP   (1ull << 16)
#define CR0_NW   (1ull << 29)
#define CR0_PG   (1ull << 31)
#define CR4_PAE  (1ull << 5)
#define CR4_VMXE (1ull << 13)
#define CR4_LA57 (1ull << 12)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)
#define PHYS_LIMIT (1ull << 40)   /* the fixture's 40 physical-address bits */

static struct vmcb vmcb;
static struct svm_check_env env;
static struct svm_check_report rep;

/* A flat 64-bit data segment: type 3 (read/write, accessed), S, P. */
static void data_seg(struct vmcb_seg *seg)
{
	seg->sel = 0x10;
	seg->attrib = VMCB_ATTR_TYPE(3) | VMCB_ATTR_S | VMCB_ATTR_P;
	seg->limit = 0xffffffff;
}

/* The fixture: a valid 64-bit guest, as hvlab sets one up, on a processor
 * with 40 physical-address bits, 16 ASIDs and nested paging. */
static void valid_guest(void)
{
	struct vmcb_control *ctl = &vmcb.control;
	struct vmcb_save *s = &vmcb.save;

	memset(&vmcb, 0, sizeof(vmcb));
	ctl->intercept_misc1 = SVM_INTERCEPT_HLT | SVM_INTERCEPT_IOIO_PROT |
		SVM_INTERCEPT_MSR_PROT | SVM_INTERCEPT_SHUTDOWN;
	ctl->intercept_misc2 = SVM_INTERCEPT2_VMRUN | SVM_INTERCEPT2_VMMCALL;
	ctl->iopm_base_pa = 0x100000;
	ctl->msrpm_base_pa = 0x104000;
	ctl->asid = 1;
	s->efer = EFER_LME | EFER_LMA | EFER_SVME | EFER_NXE;
	s->cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	s->cr3 = 0x300000;
	s->cr4 = CR4_PAE;
	s->dr6 = 0xffff0ff0;
	s->dr7 = 0x400;
	s->rflags = 0x2;
	s->rip = 0x40000000;
	s->rsp = 0x40100000;
	s->cs.sel = 0x08;
	s->cs.attrib = VMCB_ATTR_TYPE(0xb) | VMCB_ATTR_S | VMCB_ATTR_P | VMCB_ATTR_L;
	s->cs.limit = 0xffffffff;
	data_seg(&s->ss);
	data_seg(&s->ds);
	data_seg(&s->es);
	s->g_pat = 0x0007040600070406ull;   /* the power-on PAT */

	memset(&env, 0, sizeof(env));
	env.phys_addr_bits = 40;
	env.nasids = 16;
	env.features = SVM_FEAT_NP | SVM_FEAT_NRIPS;
	env.long_mode = true;
}

static void enable_np(void)
{
	vmcb.control.np_control = SVM_NP_ENABLE;
	vmcb.control.n_cr3 = 0x500000;
}

static void inject(unsigned type, unsigned vector)
{
	vmcb.control.event_inj = SVM_EVTINJ_VALID | ((uint64_t)type << SVM_EVTINJ_TYPE_SHIFT) | vector;
}

static void print_report(void)
{
	char line[256];

	for (unsigned i = 0; i < rep.broken; i++) {
		svm_check_format(&rep.f[i], line, sizeof(line));
		fprintf(stderr, "  %s\n", line);
	}
}

static int check(void)
{
	return svm_check_vmcb(&vmcb, &env, &rep);
}

/* Run the checker; require no finding. */
static void expect_valid(void)
{
	int n = check();

	if (n)
		print_report();
	cr_assert_eq(n, 0, "a valid VMCB has %d findings", n);
}

/* Run the checker; require exactly one finding: rule @id on @field. */
static void expect_only(const char *id, const char *field)
{
	int n = check();

	cr_assert_geq(svm_check_rule_by_id(id), 0, "no rule %s", id);
	if (n != 1)
		print_report();
	cr_assert_eq(n, 1, "want only %s, got %d findings", id, n);
	cr_assert_str_eq(svm_check_rule_id(rep.f[0].rule), id);
	cr_assert_str_eq(rep.f[0].field, field);
}

/* ---- the valid guests ---- */

TestSuite(svmcheck, .init = valid_guest);

Test(svmcheck, valid_64bit_guest_passes) { expect_valid(); }

Test(svmcheck, valid_guest_with_nested_paging_passes)
{
	enable_np();
	expect_valid();
}

/* A 32-bit protected-mode guest: no LME, LMA or PAE, CS.D = 1. */
Test(svmcheck, valid_32bit_guest_passes)
{
	vmcb.save.efer = EFER_SVME;
	vmcb.save.cr0 = CR0_PE | CR0_ET | CR0_NE;
	vmcb.save.cr4 = 0;
	vmcb.save.cs.attrib = VMCB_ATTR_TYPE(0xb) | VMCB_ATTR_S | VMCB_ATTR_P | VMCB_ATTR_DB;
	expect_valid();
}

/* ---- each rule broken alone ---- */

#define BREAK(tname, id, field, ...) \
	Test(svmcheck_break, tname, .init = valid_guest) { __VA_ARGS__; expect_only(#id, field); }

/* 15.5.1: the guest state */
BREAK(efer_svme_clear, efer_svme, "save.efer", vmcb.save.efer &= ~EFER_SVME)
BREAK(cr0_nw_without_cd, cr0_cd_nw, "save.cr0", vmcb.save.cr0 |= CR0_NW)
BREAK(cr0_bit32, cr0_high, "save.cr0", vmcb.save.cr0 |= 1ull << 32)
BREAK(cr3_above_width, cr3_mbz, "save.cr3", vmcb.save.cr3 |= PHYS_LIMIT)
BREAK(cr3_bit63_before_lma, cr3_mbz, "save.cr3",
      vmcb.save.efer &= ~EFER_LMA; vmcb.save.cr3 |= 1ull << 63)
BREAK(cr4_vmxe_on_amd, cr4_mbz, "save.cr4", vmcb.save.cr4 |= CR4_VMXE)
BREAK(cr4_bit32, cr4_mbz, "save.cr4", vmcb.save.cr4 |= 1ull << 32)
BREAK(dr6_bit32, dr6_high, "save.dr6", vmcb.save.dr6 |= 1ull << 32)
BREAK(dr7_bit63, dr7_high, "save.dr7", vmcb.save.dr7 |= 1ull << 63)
BREAK(efer_bit1, efer_mbz, "save.efer", vmcb.save.efer |= 1ull << 1)
BREAK(efer_bit16, efer_mbz, "save.efer", vmcb.save.efer |= 1ull << 16)
BREAK(efer_lme_without_lm, efer_lm_unsupported, "save.efer", env.long_mode = false)
BREAK(lme_pg_without_pae, lme_pg_no_pae, "save.cr4", vmcb.save.cr4 &= ~CR4_PAE)
BREAK(lme_pg_without_pe, lme_pg_no_pe, "save.cr0", vmcb.save.cr0 &= ~CR0_PE)
BREAK(cs_long_and_default32, cs_l_and_d, "save.cs.attrib", vmcb.save.cs.attrib |= VMCB_ATTR_DB)
/* 15.5.1: the controls */
BREAK(vmrun_not_intercepted, vmrun_intercept, "control.intercept_misc2",
      vmcb.control.intercept_misc2 &= ~SVM_INTERCEPT2_VMRUN)
BREAK(msrpm_above_width, msrpm_addr, "control.msrpm_base_pa",
      vmcb.control.msrpm_base_pa = PHYS_LIMIT)
BREAK(msrpm_crosses_width, msrpm_addr, "control.msrpm_base_pa",
      vmcb.control.msrpm_base_pa = PHYS_LIMIT - 0x1000)
BREAK(msrpm_wraps, msrpm_addr, "control.msrpm_base_pa",
      env.phys_addr_bits = 64; vmcb.control.msrpm_base_pa = ~0ull)
BREAK(iopm_above_width, iopm_addr, "control.iopm_base_pa",
      vmcb.control.iopm_base_pa = 1ull << 52)
BREAK(iopm_crosses_width, iopm_addr, "control.iopm_base_pa",
      vmcb.control.iopm_base_pa = PHYS_LIMIT - 0x2000)
BREAK(asid_0, asid_zero, "control.asid", vmcb.control.asid = 0)
/* 15.16 */
BREAK(asid_equals_nasids, asid_range, "control.asid", vmcb.control.asid = 16)
BREAK(asid_huge, asid_range, "control.asid", vmcb.control.asid = 0xffffffff)
/* 15.20 */
BREAK(inject_type1, event_inj, "control.event_inj", inject(1, 0x20))
BREAK(inject_type5, event_inj, "control.event_inj", inject(5, 0x20))
BREAK(inject_type7, event_inj, "control.event_inj", inject(7, 0))
BREAK(inject_exception_vector2, event_inj, "control.event_inj",
      inject(SVM_EVTINJ_TYPE_EXC, 2))
BREAK(inject_exception_vector32, event_inj, "control.event_inj",
      inject(SVM_EVTINJ_TYPE_EXC, 32))
/* 15.25 */
BREAK(np_on_without_np, np_without_feature, "control.np_control",
      enable_np(); env.features &= ~SVM_FEAT_NP)
BREAK(ncr3_above_width, ncr3_mbz, "control.n_cr3",
      enable_np(); vmcb.control.n_cr3 = PHYS_LIMIT | 0x500000)
BREAK(gpat_type2, gpat, "save.g_pat", enable_np(); vmcb.save.g_pat = 0x0007040600070206ull)
BREAK(gpat_type8, gpat, "save.g_pat", enable_np(); vmcb.save.g_pat = 0x0807040600070406ull)

/* ---- legal corner cases: no finding ---- */

/* CR3 bits 11:5 and 2:0 are "Reserved", not MBZ: VMRUN ignores them. */
Test(svmcheck, cr3_low_reserved_bits_pass)
{
	vmcb.save.cr3 |= 0xfe7;
	expect_valid();
}

/* Outside long mode VMRUN loads CR0.PG = 1 with PE = 0 (15.5.1). */
Test(svmcheck, pg_without_pe_outside_long_mode_passes)
{
	vmcb.save.efer = EFER_SVME;
	vmcb.save.cr0 = CR0_PG | CR0_ET;
	vmcb.save.cs.attrib &= ~VMCB_ATTR_L;
	expect_valid();
}

/* Maps whose last byte is the last physical address still fit; the base's
 * bits 11:0 are ignored. */
Test(svmcheck, maps_ending_at_the_limit_pass)
{
	vmcb.control.msrpm_base_pa = PHYS_LIMIT - 0x2000;
	vmcb.control.iopm_base_pa = PHYS_LIMIT - 0x3000 + 0xfff;
	expect_valid();
}

Test(svmcheck, legal_injections_pass)
{
	static const unsigned type[] = { SVM_EVTINJ_TYPE_INTR, SVM_EVTINJ_TYPE_NMI,
		SVM_EVTINJ_TYPE_EXC, SVM_EVTINJ_TYPE_EXC, SVM_EVTINJ_TYPE_SOFT };
	static const unsigned vector[] = { 0x20, 0 /* ignored for an NMI */, 14, 0, 0x80 };

	for (unsigned i = 0; i < 5; i++) {
		inject(type[i], vector[i]);
		expect_valid();
	}
	inject(SVM_EVTINJ_TYPE_EXC, 13);
	vmcb.control.event_inj |= SVM_EVTINJ_EV | (0x10ull << SVM_EVTINJ_ERR_SHIFT);
	expect_valid();
}

/* Without V (bit 31) the other EVENTINJ bits are not looked at. */
Test(svmcheck, invalid_event_without_valid_bit_passes)
{
	inject(7, 2);
	vmcb.control.event_inj &= ~SVM_EVTINJ_VALID;
	expect_valid();
}

/* N_CR3 and G_PAT only matter with nested paging on. */
Test(svmcheck, np_fields_ignored_without_np)
{
	vmcb.control.n_cr3 = ~0ull;
	vmcb.save.g_pat = ~0ull;
	env.features = 0;
	expect_valid();
}

/* A processor that defines more EFER bits (AutoIBRS, bit 21) says so. */
Test(svmcheck, efer_valid_override)
{
	vmcb.save.efer |= 1ull << 21;
	expect_only("efer_mbz", "save.efer");
	env.efer_valid = SVM_CHECK_EFER_VALID | 1ull << 21;
	expect_valid();
}

/* A processor without 5-level paging makes CR4.LA57 reserved. */
Test(svmcheck, cr4_valid_override)
{
	vmcb.save.cr4 |= CR4_LA57;
	env.cr4_valid = SVM_CHECK_CR4_VALID & ~CR4_LA57;
	expect_only("cr4_mbz", "save.cr4");
}

/* ---- several rules at once ---- */

Test(svmcheck, two_rules_both_reported)
{
	vmcb.control.asid = 0;
	vmcb.save.dr7 |= 1ull << 40;
	cr_assert_eq(check(), 2);
	cr_assert(svm_check_report_has(&rep, SVM_CHECK_ASID_ZERO));
	cr_assert(svm_check_report_has(&rep, SVM_CHECK_DR7_HIGH));
	cr_assert_not(svm_check_report_has(&rep, SVM_CHECK_ASID_RANGE));
}

Test(svmcheck, lme_pg_without_pae_and_pe)
{
	vmcb.save.cr0 &= ~CR0_PE;
	vmcb.save.cr4 &= ~CR4_PAE;
	cr_assert_eq(check(), 2);
	cr_assert(svm_check_report_has(&rep, SVM_CHECK_LME_PG_NO_PAE));
	cr_assert(svm_check_report_has(&rep, SVM_CHECK_LME_PG_NO_PE));
}

/* An all-zero VMCB: SVME, the VMRUN intercept and the ASID are missing;
 * findings come in table order. */
Test(svmcheck, zeroed_vmcb)
{
	memset(&vmcb, 0, sizeof(vmcb));
	cr_assert_eq(check(), 3);
	cr_assert_eq(rep.f[0].rule, SVM_CHECK_EFER_SVME);
	cr_assert_eq(rep.f[1].rule, SVM_CHECK_VMRUN_INTERCEPT);
	cr_assert_eq(rep.f[2].rule, SVM_CHECK_ASID_ZERO);
}

Test(svmcheck, many_rules_at_once)
{
	vmcb.save.efer |= 1ull << 1;
	vmcb.save.cr0 |= CR0_NW | 1ull << 33;
	vmcb.save.dr6 |= 1ull << 32;
	vmcb.control.msrpm_base_pa = PHYS_LIMIT;
	vmcb.control.iopm_base_pa = PHYS_LIMIT;
	inject(6, 0);
	enable_np();
	vmcb.control.n_cr3 = PHYS_LIMIT;
	cr_assert_eq(check(), 8);
	static const enum svm_check_rule want[] = { SVM_CHECK_CR0_CD_NW, SVM_CHECK_CR0_HIGH,
		SVM_CHECK_DR6_HIGH, SVM_CHECK_EFER_MBZ, SVM_CHECK_MSRPM_ADDR,
		SVM_CHECK_IOPM_ADDR, SVM_CHECK_EVENT_INJ, SVM_CHECK_NCR3_MBZ };
	for (unsigned i = 0; i < 8; i++)
		cr_assert_eq(rep.f[i].rule, want[i], "finding %u: %s", i,
			     svm_check_rule_id(rep.f[i].rule));
}

/* ---- the rule table and the log line ---- */

Test(svmcheck, rule_table_is_consistent)
{
	cr_assert_geq(SVM_CHECK_NRULES, 20);
	for (int i = 0; i < SVM_CHECK_NRULES; i++) {
		enum svm_check_rule r = (enum svm_check_rule)i;
		const char *id = svm_check_rule_id(r);

		cr_assert(id && svm_check_rule_text(r) && svm_check_rule_section(r));
		cr_assert_eq(svm_check_rule_by_id(id), i, "%s", id);
		cr_assert(strncmp(svm_check_rule_section(r), "15.", 3) == 0, "%s", id);
	}
	cr_assert_eq(svm_check_rule_by_id("no_such_rule"), -1);
	cr_assert_null(svm_check_rule_id(SVM_CHECK_NRULES));
	cr_assert_null(svm_check_rule_section((enum svm_check_rule)-1));
}

Test(svmcheck, log_line_names_everything)
{
	vmcb.save.cs.attrib |= VMCB_ATTR_DB;
	cr_assert_eq(check(), 1);
	char line[256];
	int len = svm_check_format(&rep.f[0], line, sizeof(line));
	cr_assert_eq((size_t)len, strlen(line));
	cr_assert(strstr(line, "svmcheck: 15.5.1 [cs_l_and_d] EFER.LME, CR0.PG"), "%s", line);
	cr_assert(strstr(line, "; save.cs.attrib = 0x69b (CS.L and CS.D both set)"), "%s", line);
}

Test(svmcheck, log_line_truncates)
{
	vmcb.control.asid = 0;
	cr_assert_eq(check(), 1);
	char line[16];
	int len = svm_check_format(&rep.f[0], line, sizeof(line));
	cr_assert_gt(len, 15);
	cr_assert_str_eq(line, "svmcheck: 15.5.");
}
