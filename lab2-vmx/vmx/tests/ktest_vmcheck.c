/*
 * ktest_vmcheck.c - the VM-entry checker against the real VMLAUNCH.
 *
 * vmcheck_valid_vmcs: a fresh vCPU passes the checker and launches.
 * vmcheck_break_<rule>: a fresh vCPU with ONE rule broken on its real
 * VMCS; the checker must name that rule, and VMLAUNCH must fail the way
 * Intel SDM Vol. 3C chapter 26 says: VMfailValid with VM-instruction error
 * 7 (controls, 26.2.1) or 8 (host state, 26.2.2-26.2.4), or a VM exit with
 * bit 31 set and basic reason 33 (guest state, 26.3.1; qualification 0, or
 * 4 for the VMCS link pointer, 26.7) or 34 (MSR loading, 26.4;
 * qualification = the failing entry's number). Each run prints one
 * "vmcheck table:" line: rule, checker finding, what the CPU did. Bochs
 * also logs its own reason for each failed entry (bochs.log).
 *
 * The values are derived from the capability MSRs (vmx_caps), never fixed
 * for one CPU model; a rule this CPU gives no way to break is skipped.
 */
#include "cmdline.h"
#include "guest_image.h"
#include "heap.h"
#include "ktest.h"
#include "pmm.h"
#include "printf.h"
#include "string.h"
#include "vcpu.h"
#include "vmx/vmx_vcpu.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_check.h"
#include "vmx/vmx_ctls.h"

#define CHECK_IMAGE "demo"
#define UNDO_MAX 8
#define NONCANONICAL 0x0000800000000000ull
#define CR4_VMXE (1ull << 13)
#define CR0_NE   (1ull << 5)
#define RFLAGS_FIXED1 (1ull << 1)
#define EFER_LMA (1ull << 10)
#define MSR_FS_BASE 0xc0000100u

enum expect { EXPECT_VMFAIL, EXPECT_ENTRY_FAIL };

/* What the case changed, to put back (and whether it could be set up). */
static struct { unsigned long field; uint64_t old; } undo[UNDO_MAX];
static unsigned nundo;
static const char *setup_skip;    /* set when this CPU cannot express the case */
static uint64_t scratch_page;     /* memory a case points the VMCS at */

/* Write @field of the current VMCS, remembering its old value. */
static void poke(unsigned long field, uint64_t value)
{
	uint64_t old;
	if (setup_skip)
		return;
	if (vmcs_read_raw(field, &old) != VMX_OK || nundo == UNDO_MAX) {
		setup_skip = "a field this CPU does not support";
		return;
	}
	undo[nundo].field = field;
	undo[nundo].old = old;
	nundo++;
	if (vmwrite(field, value) != VMX_OK)
		setup_skip = "VMWRITE refused the value";
}

static uint64_t peek(unsigned long field)
{
	uint64_t v = 0;
	vmcs_read_raw(field, &v);
	return v;
}

static void poke_or(unsigned long f, uint64_t bits) { poke(f, peek(f) | bits); }
static void poke_clear(unsigned long f, uint64_t bits) { poke(f, peek(f) & ~bits); }

static void restore(void)
{
	while (nundo) {
		nundo--;
		vmwrite(undo[nundo].field, undo[nundo].old);
	}
}

/* A case needs control bits @bits of @f allowed (vmx_caps.h); else skip. */
static bool need_allowed(enum vmx_ctl_field f, uint32_t bits)
{
	if (!setup_skip && !vmx_ctl_allowed(f, bits))
		setup_skip = "a control this CPU does not offer";
	return !setup_skip;
}

/* Turn on secondary controls @bits (activating the secondary field). */
static void enable_proc2(uint32_t bits)
{
	if (!need_allowed(VMX_CTL_PROC, VMX_PROC_SECONDARY_CTLS) || !need_allowed(VMX_CTL_PROC2, bits))
		return;
	if (!(peek(VMCS_CPU_BASED_VM_EXEC_CONTROL) & VMX_PROC_SECONDARY_CTLS)) {
		poke_or(VMCS_CPU_BASED_VM_EXEC_CONTROL, VMX_PROC_SECONDARY_CTLS);
		poke(VMCS_SECONDARY_VM_EXEC_CONTROL, vmx_caps.ctl[VMX_CTL_PROC2].must1);
	}
	poke_or(VMCS_SECONDARY_VM_EXEC_CONTROL, bits);
}

static void inject(unsigned type, unsigned vector, bool errcode)
{
	poke(VMCS_VM_ENTRY_INTR_INFO_FIELD, VMX_INTR_INFO_VALID | (type << 8) | vector |
	     (errcode ? VMX_INTR_INFO_ERRCODE : 0));
}

/* Which rules the checker found; print them all. */
static bool checker_names(const char *rule_id, char *line, size_t linesz)
{
	struct vmcs_snapshot *s = kmalloc(sizeof(*s));
	struct vmcheck_report *r = kmalloc(sizeof(*r));
	bool found = false;
	line[0] = '\0';
	if (s && r) {
		vmcs_snapshot_fill(s);
		vmx_check_snapshot(s, r);
		vmcheck_report_print(r);
		int rule = vmcheck_rule_by_id(rule_id);
		for (unsigned i = 0; i < r->nstored && !found; i++) {
			if ((int)r->f[i].rule != rule)
				continue;
			found = true;
			const char *fname = vmcs_field_name(r->f[i].field);
			ksnprintf(line, linesz, "%s = %#llx", fname ? fname : "?",
				  (unsigned long long)r->f[i].value);
		}
	}
	kfree(s);
	kfree(r);
	return found;
}

/* The outcome of VMLAUNCH as one phrase for the table. */
static void describe(const struct vmx_launch_result *lr, char *buf, size_t n)
{
	if (lr->outcome == VMX_LAUNCH_FAIL_VALID)
		ksnprintf(buf, n, "VMfailValid error %u (%s)", lr->insn_error,
			  vmx_insn_error_name(lr->insn_error));
	else if (lr->outcome == VMX_LAUNCH_EXITED || lr->outcome == VMX_LAUNCH_ENTRY_FAILED)
		ksnprintf(buf, n, "exit reason %#x (%s) qualification %#llx", lr->exit_reason,
			  vmx_exit_reason_name(lr->basic_reason), (unsigned long long)lr->qualification);
	else
		ksnprintf(buf, n, "%s", vmx_launch_outcome_name(lr->outcome));
}

/*
 * One case: fresh vCPU, break one rule (@apply), the checker must name
 * @rule_id, VMLAUNCH must give @expect (@code: VM-instruction error, or
 * basic exit reason with qualification @qual), and the VMCS must pass
 * again once restored.
 */
static void run_case(const char *rule_id, void (*apply)(void), enum expect expect,
		     unsigned code, uint64_t qual, const char *quirk)
{
	if (vmx_caps_get() != 0)
		KSKIP("VMX not available: %s", vmx_unavailable_reason());
	const struct guest_image *img = guest_image_find(CHECK_IMAGE);
	KASSERTF(img, "no guest image \"%s\"", CHECK_IMAGE);
	struct vcpu *v = vcpu_create(img);
	KASSERTF(v, "vcpu_create(%s) failed", CHECK_IMAGE);
	nundo = 0;
	setup_skip = NULL;
	scratch_page = page_alloc();

	char found[96], got[128];
	struct vmx_launch_result lr;
	if (!scratch_page) {
		ktest_fail(__FILE__, __LINE__, "out of memory");
		goto out;
	}
	apply();
	if (setup_skip) {
		restore();
		ktest_skip("%s: cannot break it here: %s", rule_id, setup_skip);
		goto out;
	}
	bool named = checker_names(rule_id, found, sizeof(found));
	if (vmx_try_launch(v, &lr) != 0) {
		ktest_fail(__FILE__, __LINE__, "vmx_try_launch refused the vCPU");
		goto out;
	}
	describe(&lr, got, sizeof(got));
	kprintf("vmcheck table: %s | checker: %s | CPU: %s\n", rule_id,
		named ? found : "NOT NAMED", got);
	if (!named) {
		ktest_fail(__FILE__, __LINE__, "the checker did not name %s", rule_id);
		goto out;
	}
	bool sdm = expect == EXPECT_VMFAIL ?
		lr.outcome == VMX_LAUNCH_FAIL_VALID && lr.insn_error == code :
		lr.outcome == VMX_LAUNCH_ENTRY_FAILED && lr.basic_reason == code &&
		lr.qualification == qual;
	if (!sdm && quirk && lr.outcome == VMX_LAUNCH_EXITED) {
		/* A documented platform deviation: the CPU entered the guest.
		 * Said loudly, never counted as the SDM's behaviour. */
		kprintf("vmcheck quirk: %s: this CPU entered the guest; the SDM says the entry fails. %s\n",
			rule_id, quirk);
		goto out;
	}
	if (!sdm) {
		ktest_fail(__FILE__, __LINE__, "%s: the CPU gave %s; the SDM says %s %u", rule_id, got,
			   expect == EXPECT_VMFAIL ? "VMfailValid error" : "exit reason", code);
		goto out;
	}
	if (lr.outcome == VMX_LAUNCH_EXITED)
		goto out;      /* launched: the VMCS cannot be reused */
	restore();
	int left = vmx_check_current(true);
	if (left != 0)
		ktest_fail(__FILE__, __LINE__, "after restoring, the checker still finds %d", left);
out:
	vcpu_destroy(v);
	if (scratch_page)
		page_free(scratch_page);
}

/* A valid VMCS passes the checker and VMLAUNCH enters the guest. */
KTEST(vmcheck_valid_vmcs)
{
	if (vmx_caps_get() != 0)
		KSKIP("VMX not available: %s", vmx_unavailable_reason());
	const struct guest_image *img = guest_image_find(CHECK_IMAGE);
	KASSERTF(img, "no guest image \"%s\"", CHECK_IMAGE);
	struct vcpu *v = vcpu_create(img);
	KASSERTF(v, "vcpu_create(%s) failed", CHECK_IMAGE);
	int n = vmx_check_current(true);
	struct vmx_launch_result lr;
	int rc = vmx_try_launch(v, &lr);
	vcpu_destroy(v);
	KASSERTF(n == 0, "the checker finds %d broken rules in a fresh vCPU", n);
	KASSERT(rc == 0);
	KASSERTF(lr.outcome == VMX_LAUNCH_EXITED, "VMLAUNCH: %s, error %u, exit reason %#x",
		 vmx_launch_outcome_name(lr.outcome), lr.insn_error, lr.exit_reason);
}

/* "vmcheck=off" on the command line turns the pre-entry check off. */
KTEST(vmcheck_cmdline_switch)
{
	char saved[256];
	ksnprintf(saved, sizeof(saved), "%s", cmdline_get_all());
	cmdline_set("test=x vmcheck=off");
	bool off = vmx_check_enabled();
	cmdline_set("test=x vmcheck=on");
	bool on = vmx_check_enabled();
	cmdline_set("test=x");
	bool dflt = vmx_check_enabled();
	cmdline_set(saved);
	KASSERT(!off);
	KASSERT(on);
	KASSERTF(dflt, "the checker is on by default");
}

/*
 * BREAK(rule id, expectation, code, qualification) { the change }
 * BREAK_QUIRK(..., "why"): a rule some emulator does not enforce; if the
 * CPU enters the guest anyway, the test says so on a "vmcheck quirk:" line
 * (the checker must still name the rule).
 */
#define BREAK_QUIRK(rule, expect, code, qual, quirk) \
	static void apply_##rule(void); \
	KTEST(vmcheck_break_##rule) { run_case(#rule, apply_##rule, expect, code, qual, quirk); } \
	static void apply_##rule(void)
#define BREAK(rule, expect, code, qual) BREAK_QUIRK(rule, expect, code, qual, NULL)

/* ---- controls: VMfailValid, error 7 (26.2.1) ---- */

BREAK(ctl_pin_allowed, EXPECT_VMFAIL, 7, 0)
{
	uint32_t must1 = vmx_caps.ctl[VMX_CTL_PIN].must1;
	if (!must1)
		setup_skip = "no pin-based control must be 1";
	else
		poke_clear(VMCS_PIN_BASED_VM_EXEC_CONTROL, must1 & -must1);
}

BREAK(ctl_proc_allowed, EXPECT_VMFAIL, 7, 0)
{
	uint32_t may1 = vmx_caps.ctl[VMX_CTL_PROC].may1;
	if (may1 == 0xffffffffu)
		setup_skip = "every processor-based control may be 1";
	else
		poke_or(VMCS_CPU_BASED_VM_EXEC_CONTROL, ~may1 & -~may1);
}

BREAK(ctl_cr3_target_count, EXPECT_VMFAIL, 7, 0)
{
	poke(VMCS_CR3_TARGET_COUNT, ((vmx_caps.misc >> VMX_MISC_CR3_TARGETS_SHIFT) &
				     VMX_MISC_CR3_TARGETS_MASK) + 1);
}

BREAK(ctl_io_bitmap_addr, EXPECT_VMFAIL, 7, 0)
{
	if (!(peek(VMCS_CPU_BASED_VM_EXEC_CONTROL) & VMX_PROC_USE_IO_BITMAPS))
		setup_skip = "the vCPU uses no I/O bitmaps";
	poke_or(VMCS_IO_BITMAP_A, 0x800);
}

BREAK(ctl_msr_bitmap_addr, EXPECT_VMFAIL, 7, 0)
{
	if (!(peek(VMCS_CPU_BASED_VM_EXEC_CONTROL) & VMX_PROC_USE_MSR_BITMAPS))
		setup_skip = "the vCPU uses no MSR bitmaps";
	poke_or(VMCS_MSR_BITMAP, 0x10);
}

BREAK(ctl_nmi_window, EXPECT_VMFAIL, 7, 0)
{
	if (peek(VMCS_PIN_BASED_VM_EXEC_CONTROL) & VMX_PIN_VIRTUAL_NMIS)
		setup_skip = "the vCPU uses virtual NMIs";
	if (need_allowed(VMX_CTL_PROC, VMX_PROC_NMI_WINDOW_EXITING))
		poke_or(VMCS_CPU_BASED_VM_EXEC_CONTROL, VMX_PROC_NMI_WINDOW_EXITING);
}

BREAK(ctl_vpid_zero, EXPECT_VMFAIL, 7, 0)
{
	enable_proc2(VMX_PROC2_ENABLE_VPID);
	poke(VMCS_VIRTUAL_PROCESSOR_ID, 0);
}

/* An EPTP whose walk length is 2 levels: PLATFORMS.md saw error 7. */
BREAK(ctl_eptp_walk, EXPECT_VMFAIL, 7, 0)
{
	enable_proc2(VMX_PROC2_ENABLE_EPT);
	poke(VMCS_EPT_POINTER, scratch_page | 6 | (1 << 3));
}

BREAK(ctl_unrestricted_ept, EXPECT_VMFAIL, 7, 0)
{
	enable_proc2(VMX_PROC2_UNRESTRICTED_GUEST);
	poke_clear(VMCS_SECONDARY_VM_EXEC_CONTROL, VMX_PROC2_ENABLE_EPT);
}

BREAK(ctl_preempt_save, EXPECT_VMFAIL, 7, 0)
{
	poke_clear(VMCS_PIN_BASED_VM_EXEC_CONTROL, VMX_PIN_PREEMPTION_TIMER);
	if (need_allowed(VMX_CTL_EXIT, VMX_EXIT_SAVE_PREEMPT_TIMER))
		poke_or(VMCS_VM_EXIT_CONTROLS, VMX_EXIT_SAVE_PREEMPT_TIMER);
}

BREAK(ctl_inj_vector, EXPECT_VMFAIL, 7, 0)
{
	inject(VMX_INTR_TYPE_NMI, 3, false);
}

BREAK(ctl_inj_errcode, EXPECT_VMFAIL, 7, 0)
{
	inject(VMX_INTR_TYPE_HW_EXC, 13, false);     /* #GP pushes an error code */
}

BREAK(ctl_entry_msr_load, EXPECT_VMFAIL, 7, 0)
{
	poke(VMCS_VM_ENTRY_MSR_LOAD_COUNT, 1);
	poke(VMCS_VM_ENTRY_MSR_LOAD_ADDR, scratch_page + 8);
}

/* ---- host state: VMfailValid, error 8 (26.2.2-26.2.4) ---- */

BREAK(host_cr4_fixed, EXPECT_VMFAIL, 8, 0)
{
	poke_clear(VMCS_HOST_CR4, CR4_VMXE);
}

BREAK(host_sel_rpl_ti, EXPECT_VMFAIL, 8, 0)
{
	poke_or(VMCS_HOST_DS_SELECTOR, 3);
}

BREAK(host_cs_null, EXPECT_VMFAIL, 8, 0)
{
	poke(VMCS_HOST_CS_SELECTOR, 0);
}

BREAK(host_tr_null, EXPECT_VMFAIL, 8, 0)
{
	poke(VMCS_HOST_TR_SELECTOR, 0);
}

BREAK(host_base_canon, EXPECT_VMFAIL, 8, 0)
{
	poke(VMCS_HOST_TR_BASE, NONCANONICAL);
}

BREAK(host_asz_cpu, EXPECT_VMFAIL, 8, 0)
{
	poke_clear(VMCS_VM_EXIT_CONTROLS, VMX_EXIT_HOST_ADDR_SPACE_SIZE);
}

BREAK(host_rip, EXPECT_VMFAIL, 8, 0)
{
	poke(VMCS_HOST_RIP, NONCANONICAL);
}

/* ---- guest state: exit reason 0x80000021 (26.3.1) ---- */

BREAK(guest_cr0_fixed, EXPECT_ENTRY_FAIL, EXIT_REASON_INVALID_GUEST_STATE, 0)
{
	if (!(vmx_caps.cr0_fixed0 & CR0_NE))
		setup_skip = "CR0.NE is not a fixed-1 bit here";
	poke_clear(VMCS_GUEST_CR0, CR0_NE);
}

BREAK(guest_cr4_fixed, EXPECT_ENTRY_FAIL, EXIT_REASON_INVALID_GUEST_STATE, 0)
{
	poke_clear(VMCS_GUEST_CR4, CR4_VMXE);
}

BREAK(guest_tr_type, EXPECT_ENTRY_FAIL, EXIT_REASON_INVALID_GUEST_STATE, 0)
{
	poke((VMCS_GUEST_TR_AR_BYTES), (peek(VMCS_GUEST_TR_AR_BYTES) & ~0xfull) | 9);
}

BREAK(guest_cs_type, EXPECT_ENTRY_FAIL, EXIT_REASON_INVALID_GUEST_STATE, 0)
{
	poke_clear(VMCS_GUEST_CS_AR_BYTES, 1);       /* the accessed bit */
}

BREAK(guest_ldtr_type, EXPECT_ENTRY_FAIL, EXIT_REASON_INVALID_GUEST_STATE, 0)
{
	poke(VMCS_GUEST_LDTR_SELECTOR, 0);
	poke(VMCS_GUEST_LDTR_AR_BYTES, 0);            /* null, but not marked unusable */
}

BREAK(guest_seg_limit_g, EXPECT_ENTRY_FAIL, EXIT_REASON_INVALID_GUEST_STATE, 0)
{
	poke(VMCS_GUEST_DS_LIMIT, 0xffffffff);
	poke(VMCS_GUEST_DS_AR_BYTES, VMX_AR_P | VMX_AR_S | VMX_AR_DB | 3);  /* G = 0 */
}

BREAK(guest_cs_l_d, EXPECT_ENTRY_FAIL, EXIT_REASON_INVALID_GUEST_STATE, 0)
{
	if (!(peek(VMCS_VM_ENTRY_CONTROLS) & VMX_ENTRY_IA32E_MODE_GUEST) ||
	    !(peek(VMCS_GUEST_CS_AR_BYTES) & VMX_AR_L))
		setup_skip = "the guest is not in 64-bit mode";
	poke_or(VMCS_GUEST_CS_AR_BYTES, VMX_AR_DB);
}

/* Bochs fails this entry as the SDM says, but logs an older rule: "guest
 * non-conforming CS.RPL <> CS.DPL" (it compares CS.RPL with CS.DPL). */
BREAK(guest_ss_rpl, EXPECT_ENTRY_FAIL, EXIT_REASON_INVALID_GUEST_STATE, 0)
{
	poke(VMCS_GUEST_CS_SELECTOR, peek(VMCS_GUEST_SS_SELECTOR) ^ 3);
}

BREAK(guest_dt_limit, EXPECT_ENTRY_FAIL, EXIT_REASON_INVALID_GUEST_STATE, 0)
{
	poke(VMCS_GUEST_GDTR_LIMIT, 0x10000);
}

/*
 * Bochs 2.7 quirk: for a 64-bit guest (IA-32e mode, CS.L = 1) it checks
 * no canonical form of RIP (only bits 63:32 outside 64-bit mode), so the
 * entry succeeds (the first exit that comes back is an ordinary one, e.g.
 * the vCPU's VMX-preemption timer). SDM 26.3.1.4 requires the entry to
 * fail with exit reason 0x80000021.
 */
BREAK_QUIRK(guest_rip_canon, EXPECT_ENTRY_FAIL, EXIT_REASON_INVALID_GUEST_STATE, 0,
	    "Bochs 2.7 does not check a 64-bit guest's RIP for canonical form (SDM 26.3.1.4 does).")
{
	poke(VMCS_GUEST_RIP, NONCANONICAL);
}

BREAK(guest_rflags_reserved, EXPECT_ENTRY_FAIL, EXIT_REASON_INVALID_GUEST_STATE, 0)
{
	poke_clear(VMCS_GUEST_RFLAGS, RFLAGS_FIXED1);
}

BREAK(guest_efer_lma, EXPECT_ENTRY_FAIL, EXIT_REASON_INVALID_GUEST_STATE, 0)
{
	if (!(peek(VMCS_VM_ENTRY_CONTROLS) & VMX_ENTRY_LOAD_EFER))
		setup_skip = "the vCPU does not load guest EFER";
	poke_clear(VMCS_GUEST_IA32_EFER, EFER_LMA);
}

BREAK(guest_activity, EXPECT_ENTRY_FAIL, EXIT_REASON_INVALID_GUEST_STATE, 0)
{
	poke(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_WAIT_SIPI + 1);
}

BREAK(guest_intr_sti_if, EXPECT_ENTRY_FAIL, EXIT_REASON_INVALID_GUEST_STATE, 0)
{
	poke_clear(VMCS_GUEST_RFLAGS, 1u << 9);
	poke(VMCS_GUEST_INTERRUPTIBILITY_INFO, VMX_INTR_BLOCK_STI);
}

BREAK(guest_pending_dbg, EXPECT_ENTRY_FAIL, EXIT_REASON_INVALID_GUEST_STATE, 0)
{
	poke(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 1u << 4);
}

/* Qualification 4: "the VMCS link pointer" (26.7 "VM-Entry Failures During or After Loading Guest State"). */
BREAK(guest_link_ptr, EXPECT_ENTRY_FAIL, EXIT_REASON_INVALID_GUEST_STATE,
      VMX_ENTRY_FAIL_QUAL_LINK_PTR)
{
	poke(VMCS_VMCS_LINK_POINTER, 0x123);
}

/* ---- MSR loading: exit reason 0x80000022, qualification = entry number (26.4) ---- */

BREAK(entry_msr_entry, EXPECT_ENTRY_FAIL, EXIT_REASON_MSR_LOAD_FAIL, 1)
{
	struct vmcheck_msr_entry *e = (struct vmcheck_msr_entry *)scratch_page;
	e->index = MSR_FS_BASE;      /* FS_BASE comes from the guest FS base field */
	e->reserved = 0;
	e->value = 0;
	poke(VMCS_VM_ENTRY_MSR_LOAD_COUNT, 1);
	poke(VMCS_VM_ENTRY_MSR_LOAD_ADDR, scratch_page);
}
