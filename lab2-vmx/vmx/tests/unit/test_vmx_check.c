/*
 * test_vmx_check.c - host unit tests of the software VM-entry checker:
 * the valid baseline passes with zero findings, every broken rule is
 * reported (not only the first) in one log line, and the checker's own
 * failure paths (unknown fields, values too wide, absent fields, no
 * capabilities, a full report). test_vmx_check_rules.c breaks each rule.
 */
#include <criterion/criterion.h>
#include <string.h>
#include "vmcheck_fixture.h"

TestSuite(vmcheck, .init = baseline);

Test(vmcheck, baseline_passes)
{
	int n = vmx_check_snapshot(&snap, &rep);
	if (n)
		print_report();
	cr_assert_eq(n, 0, "the valid baseline has %d findings", n);
	cr_assert_eq(rep.unchecked, 0, "the baseline leaves %u rules unchecked", rep.unchecked);
}

/* A valid VMCS with more features on: EPT, unrestricted guest, preemption
 * timer, TPR shadow, injection of a #GP: still zero findings. */
Test(vmcheck, baseline_with_features_passes)
{
	or_bits(VMCS_SECONDARY_VM_EXEC_CONTROL, VMX_PROC2_ENABLE_EPT | VMX_PROC2_UNRESTRICTED_GUEST);
	or_bits(VMCS_PIN_BASED_VM_EXEC_CONTROL, VMX_PIN_PREEMPTION_TIMER);
	or_bits(VMCS_VM_EXIT_CONTROLS, VMX_EXIT_SAVE_PREEMPT_TIMER);
	or_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, VMX_PROC_TPR_SHADOW);
	set(VMCS_VIRTUAL_APIC_PAGE_ADDR, 0x107000);
	set(VMCS_VM_ENTRY_INTR_INFO_FIELD, VMX_INTR_INFO_VALID | VMX_INTR_INFO_ERRCODE |
	    (VMX_INTR_TYPE_HW_EXC << 8) | 13);
	set(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, 0x10);
	int n = vmx_check_snapshot(&snap, &rep);
	if (n)
		print_report();
	cr_assert_eq(n, 0);
}

/* ---- combinations and details ---- */

/* Every broken rule is reported, not only the first. */
Test(vmcheck, reports_every_broken_rule)
{
	set(VMCS_HOST_TR_SELECTOR, 0);
	set(VMCS_GUEST_TR_AR_BYTES, 0x89);
	set(VMCS_VMCS_LINK_POINTER, 0x123);
	clear_bits(VMCS_GUEST_CR4, 1u << 13);
	int n = vmx_check_snapshot(&snap, &rep);
	if (n != 4)
		print_report();
	cr_assert_eq(n, 4);
	cr_assert(vmcheck_report_has(&rep, VMCHECK_HOST_TR_NULL, VMCS_HOST_TR_SELECTOR));
	cr_assert(vmcheck_report_has(&rep, VMCHECK_GUEST_TR_TYPE, VMCS_GUEST_TR_AR_BYTES));
	cr_assert(vmcheck_report_has(&rep, VMCHECK_GUEST_LINK_PTR, VMCS_VMCS_LINK_POINTER));
	cr_assert(vmcheck_report_has(&rep, VMCHECK_GUEST_CR4_FIXED, ~0ul));
	cr_assert_not(vmcheck_report_has(&rep, VMCHECK_HOST_CS_NULL, ~0ul));
}

/* The log line names section, rule, field, value and detail. */
Test(vmcheck, log_line_names_everything)
{
	set(VMCS_GUEST_TR_AR_BYTES, 0x89);
	cr_assert_eq(vmx_check_snapshot(&snap, &rep), 1);
	char line[512];
	int len = vmcheck_format(&rep.f[0], line, sizeof(line));
	cr_assert_eq((size_t)len, strlen(line));
	cr_assert(strstr(line, "vmcheck: 26.3.1.2 [guest_tr_type] guest TR: type must be 11"), "%s", line);
	cr_assert(strstr(line, "GUEST_TR_AR_BYTES = 0x89 (type 9: available, not busy)"), "%s", line);
}

/* A line that does not fit is cut, NUL-terminated, and its length reported. */
Test(vmcheck, log_line_truncates)
{
	set(VMCS_HOST_TR_SELECTOR, 0);
	cr_assert_eq(vmx_check_snapshot(&snap, &rep), 1);
	char line[16];
	memset(line, 'x', sizeof(line));
	int len = vmcheck_format(&rep.f[0], line, sizeof(line));
	cr_assert_gt(len, 15);
	cr_assert_eq(line[15], '\0');
	cr_assert_str_eq(line, "vmcheck: 26.2.3");
}

Test(vmcheck, rule_table_is_consistent)
{
	cr_assert_geq(VMCHECK_NRULES, 25);
	for (int i = 0; i < VMCHECK_NRULES; i++) {
		const char *id = vmcheck_rule_id((enum vmcheck_rule)i);
		cr_assert(id && vmcheck_rule_section((enum vmcheck_rule)i) &&
			  vmcheck_rule_text((enum vmcheck_rule)i));
		cr_assert_eq(vmcheck_rule_by_id(id), i, "%s", id);
		cr_assert(strncmp(vmcheck_rule_section((enum vmcheck_rule)i), "26.", 3) == 0);
	}
	cr_assert_eq(vmcheck_rule_by_id("no_such_rule"), -1);
	cr_assert_null(vmcheck_rule_id(VMCHECK_NRULES));
	cr_assert_null(vmcheck_rule_section((enum vmcheck_rule)-1));
}

/* ---- the checker's own failure paths ---- */

Test(vmcheck, snapshot_rejects_unknown_field)
{
	cr_assert_eq(vmcs_snapshot_set(&snap, 0x6c40, 1), VMCHECK_EUNKNOWN);
	cr_assert_eq(vmcs_snapshot_clear(&snap, 0x1234), VMCHECK_EUNKNOWN);
	uint64_t v = 42;
	cr_assert_not(vmcs_snapshot_get(&snap, 0x6c40, &v));
	cr_assert_eq(v, 42, "a failed get leaves the value alone");
	cr_assert_eq(vmcs_field_slot(0x6c40), -1);
	cr_assert_eq(vmcs_slot_field(VMCS_NSLOTS), 0);
	cr_assert_eq(vmcs_slot_field(vmcs_field_slot(VMCS_GUEST_RIP)), VMCS_GUEST_RIP);
}

Test(vmcheck, snapshot_rejects_too_wide_values)
{
	cr_assert_eq(vmcs_snapshot_set(&snap, VMCS_GUEST_CS_SELECTOR, 0x10000), VMCHECK_EWIDTH);
	cr_assert_eq(vmcs_snapshot_set(&snap, VMCS_GUEST_CS_LIMIT, 0x100000000ull), VMCHECK_EWIDTH);
	cr_assert_eq(get(VMCS_GUEST_CS_SELECTOR), 0x08, "a rejected value is not stored");
	cr_assert_eq(vmcs_snapshot_set(&snap, VMCS_GUEST_RIP, ~0ull), 0, "natural width takes 64 bits");
}

/* A field the CPU lacks leaves the rules that need it unchecked, not judged on 0. */
Test(vmcheck, absent_field_leaves_rule_unchecked)
{
	cr_assert_eq(vmcs_snapshot_clear(&snap, VMCS_GUEST_TR_AR_BYTES), 0);
	int n = vmx_check_snapshot(&snap, &rep);
	cr_assert_eq(n, 0, "AR 0 would break several TR rules: none may be reported");
	cr_assert_geq(rep.unchecked, 4);
	bool named = false;
	for (unsigned i = 0; i < rep.nunchecked_stored; i++) {
		cr_assert_eq(rep.u[i].field, VMCS_GUEST_TR_AR_BYTES);
		named |= rep.u[i].rule == VMCHECK_GUEST_TR_TYPE;
	}
	cr_assert(named);
}

/* An absent field that only a disabled feature uses does not matter. */
Test(vmcheck, absent_field_of_disabled_feature_is_fine)
{
	cr_assert_eq(vmcs_snapshot_clear(&snap, VMCS_EPT_POINTER), 0);
	cr_assert_eq(vmcs_snapshot_clear(&snap, VMCS_PML_ADDRESS), 0);
	cr_assert_eq(vmx_check_snapshot(&snap, &rep), 0);
	cr_assert_eq(rep.unchecked, 0);
	enable_ept();
	cr_assert_eq(vmx_check_snapshot(&snap, &rep), 0);
	cr_assert_eq(rep.unchecked, 4, "the four EPTP rules cannot run");
}

/* A broken rule that also lacked a field is taken back, not half-reported. */
Test(vmcheck, findings_before_a_missing_field_are_dropped)
{
	set(VMCS_GUEST_TR_SELECTOR, 0x1c);                     /* TI = 1: reported first */
	cr_assert_eq(vmcs_snapshot_clear(&snap, VMCS_GUEST_LDTR_AR_BYTES), 0);
	int n = vmx_check_snapshot(&snap, &rep);
	cr_assert_eq(n, 0);
	cr_assert(rep.unchecked >= 1);
	cr_assert_eq(rep.u[0].rule, VMCHECK_GUEST_SEL_TI);
}

Test(vmcheck, no_capabilities_is_an_error)
{
	snap.caps.basic = 0;
	set(VMCS_HOST_TR_SELECTOR, 0);
	cr_assert_eq(vmx_check_snapshot(&snap, &rep), VMCHECK_ENOCAPS);
	cr_assert_eq(rep.broken, 0);
	cr_assert_eq(rep.nstored, 0);
}

/* More findings than the report holds: all counted, the first ones kept. */
Test(vmcheck, report_overflow_counts_all)
{
	/* RFLAGS.VM in a 64-bit guest: six segments each break three v86 rules */
	or_bits(VMCS_GUEST_RFLAGS, 1u << 17);
	for (unsigned long f = VMCS_GUEST_ES_SELECTOR; f <= VMCS_GUEST_GS_SELECTOR; f += 2)
		set(f + (VMCS_GUEST_ES_BASE - VMCS_GUEST_ES_SELECTOR), 0x1000);
	/* ... and seven more: 26 in all */
	set(VMCS_HOST_TR_SELECTOR, 0);
	set(VMCS_HOST_CS_SELECTOR, 0);
	set(VMCS_GUEST_TR_AR_BYTES, 0x89);
	set(VMCS_VMCS_LINK_POINTER, 0x123);
	clear_bits(VMCS_GUEST_CR4, 1u << 13);
	set(VMCS_VIRTUAL_PROCESSOR_ID, 0);
	set(VMCS_GUEST_IDTR_LIMIT, 0x10000);
	int n = vmx_check_snapshot(&snap, &rep);
	cr_assert_gt(n, VMCHECK_MAX_FINDINGS);
	cr_assert_eq(rep.nstored, VMCHECK_MAX_FINDINGS);
	cr_assert_eq((int)rep.broken, n);
	cr_assert_eq(rep.f[0].rule, VMCHECK_CTL_VPID_ZERO, "rules run in table order");
	cr_assert_not(vmcheck_report_has(&rep, VMCHECK_GUEST_RFLAGS_VM, ~0ul),
		      "a finding past the array is counted, not stored");
}

/* Entries beyond those copied leave the MSR-load rule unchecked. */
Test(vmcheck, msr_area_not_copied_is_unchecked)
{
	set(VMCS_VM_ENTRY_MSR_LOAD_COUNT, 3);
	snap.entry_msr_copied = 1;
	snap.entry_msr[0].index = 0x174;
	cr_assert_eq(vmx_check_snapshot(&snap, &rep), 0);
	cr_assert_eq(rep.unchecked, 1);
	cr_assert_eq(rep.u[0].rule, VMCHECK_ENTRY_MSR_ENTRY);
}

/* A link pointer whose target could not be read is open, not passed. */
Test(vmcheck, link_revision_unknown_is_unchecked)
{
	set(VMCS_VMCS_LINK_POINTER, 0x10a000);
	cr_assert_eq(vmx_check_snapshot(&snap, &rep), 0);
	cr_assert_eq(rep.unchecked, 1);
	snap.link_revision_known = true;
	snap.link_revision = 0x2b;
	cr_assert_eq(vmx_check_snapshot(&snap, &rep), 0, "the right revision passes");
	cr_assert_eq(rep.unchecked, 0);
}

Test(vmcheck, control_bit_names)
{
	set(VMCS_CPU_BASED_VM_EXEC_CONTROL, get(VMCS_CPU_BASED_VM_EXEC_CONTROL) & ~(1u << 26));
	cr_assert_eq(vmx_check_snapshot(&snap, &rep), 1);
	cr_assert(strstr(rep.f[0].detail, "bit 26 must be 1"), "%s", rep.f[0].detail);
	set(VMCS_CPU_BASED_VM_EXEC_CONTROL, get(VMCS_CPU_BASED_VM_EXEC_CONTROL) | (1u << 26) |
	    (1u << 17));
	cr_assert_eq(vmx_check_snapshot(&snap, &rep), 1);
	cr_assert(strstr(rep.f[0].detail, "bit 17 must be 0"), "%s", rep.f[0].detail);
	clear_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, 1u << 17);
	snap.caps.true_procbased &= ~(1ull << (32 + 7));     /* HLT exiting not allowed */
	cr_assert_eq(vmx_check_snapshot(&snap, &rep), 1);
	cr_assert(strstr(rep.f[0].detail, "bit 7 'HLT exiting' must be 0"), "%s", rep.f[0].detail);
}
