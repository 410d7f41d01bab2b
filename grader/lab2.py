"""lab2.py - lab 2's graded tests: VMX on, the VMCS, a first guest, exits,
and VM-entry failures that explain themselves.

Every test needs code students write in lab 2 (BEGIN SOLUTION lab2): VMXON
set-up, the control computation, the VMCS set-up, the exit dispatcher and
handlers, RIP advance, and checker rules. A plain boot runs no lab-2 code,
so each test boots with the command line that asks for it (`demo`,
`vmx=caps`, `guest=NAME`, `test=...`). All runs use 2 CPUs: VMXON must work
on every CPU. Lab 2 needs VMX: Bochs here (the session's emulator), or KVM
with nested VMX.

Adding a test is one line: a check(...) below, or a row in a table.
Run `python3 -m grader.grade --lab 2 --list` to see them all.
"""
import re

from grader.gradelib import (RunSpec, TestFailure, check, expect_end, expect_ktests,
                             expect_lines)

CPUS = 2
# "demo=2": lab 2's demo alone (a bare "demo", as `make run` passes, also
# runs the demos of later labs, which a lab-2 grade must not depend on).
DEMO = RunSpec(cmdline="demo=2", cpus=CPUS)
CAPS = RunSpec(cmdline="vmx=caps", cpus=CPUS)
GUEST_TESTS = RunSpec(cmdline="guest=lab2-tests", cpus=CPUS)
GUEST_PREFIX = "[guest lab2-tests] "
VMX_KTESTS = RunSpec(cmdline="test=vmx_*", cpus=CPUS)
CHECK_KTESTS = RunSpec(cmdline="test=vmcheck_*", cpus=CPUS)

# make run: the demo guest says hello on each CPU and the hypervisor prints
# its exit counts when it ends.
demo = check(5, "demo guest on every CPU (make run)", expect_lines([
    r"^demo: (VMX|SVM) on for 2 of 2 CPUs",
    r"^demo: running guest demo on cpu 0",
    r"^\[guest demo\] hello from a guest .* running under \"hvlabhvlabhv\"",
    r"^\[guest demo\] CPUID says VMX and SVM are not available to me",
    r"^vcpu: guest demo exited with code 0",
    r"^vcpu: guest demo exits: \d+ \(cpuid \d+.*hypercall \d+.*io \d+",
    r"^demo: running guest demo on cpu 1",
    r"^vcpu: guest demo exited with code 0",
    r"^hvlab: nothing more to run",
], end="finished"), run=DEMO, name="demo")

# What lab 2's vCPUs ask of each control field (lab2-vmx/vmx/vmx_vcpu.c,
# vmx_compute_controls): bits it needs, bits it takes when allowed.
# SDM Vol. 3C, 24.6-24.8; bit numbers from Vol. 3D, Appendix A.
WANTED = {
    "pin-based": (1 << 0, 1 << 6),                          # ext-int exiting; preemption timer
    "primary processor-based": ((1 << 7) | (1 << 25) | (1 << 28), 1 << 31),
    "secondary processor-based": (0, 1 << 3),              # RDTSCP
    "VM-exit": ((1 << 9) | (1 << 15), (1 << 20) | (1 << 21) | (1 << 22)),
    "VM-entry": (1 << 9, 1 << 15),                          # IA-32e guest; load EFER
}
COMPUTED = re.compile(r"controls hvlab computes: pin-based (0x[0-9a-f]+), primary (0x[0-9a-f]+), "
                      r"secondary (0x[0-9a-f]+), exit (0x[0-9a-f]+), entry (0x[0-9a-f]+)")


def expect_controls(out):
    """The computed controls are what the report's own allowed-0/allowed-1
    settings give: required-1 bits, plus the wanted bits, plus the optional
    bits the CPU allows (and never a bit it forbids). The grader computes
    the expected values from the console, so any CPU model passes if right."""
    allowed = {}
    for line in out.lines:
        m = re.match(r"vmx caps: (.*?) (?:VM-execution )?controls: allowed-0 (0x[0-9a-f]+) .*"
                     r"allowed-1 (0x[0-9a-f]+)", line)
        if m:
            allowed[m.group(1)] = (int(m.group(2), 16), int(m.group(3), 16))
    got = next((COMPUTED.search(l) for l in out.lines if COMPUTED.search(l)), None)
    if not got or set(allowed) != set(WANTED):
        raise TestFailure(f"expected the five control capabilities and the computed controls; "
                          f"found capabilities for {sorted(allowed)}, computed line: {bool(got)}")
    for (field, (want, optional)), value in zip(WANTED.items(), got.groups()):
        must1, may1 = allowed[field]
        if want & ~may1:
            raise TestFailure(f"{field}: this CPU refuses wanted bits {want & ~may1:#x}")
        expect = must1 | want | (optional & may1)
        if field == "secondary processor-based" and not int(got.group(2), 16) & (1 << 31):
            expect = 0     # secondary controls not activated
        if int(value, 16) != expect:
            raise TestFailure(f"{field} controls: computed {value}, but allowed-0 {must1:#010x} "
                              f"and allowed-1 {may1:#010x} give {expect:#010x}")


# The capability report: controls as computed from the capability MSRs.
check(5, "VMX capability report (vmx=caps)", expect_lines([
    r"^vmx caps: IA32_FEATURE_CONTROL 0x[0-9a-f]+: locked, VMX outside SMX on",
    r"^vmx caps: IA32_VMX_BASIC 0x[0-9a-f]{16}: VMCS revision 0x[0-9a-f]+",
    r"^vmx caps: pin-based VM-execution controls: allowed-0 0x[0-9a-f]{8} .*allowed-1 "
    r"0x[0-9a-f]{8}.*\[TRUE_ MSR\]",
    r"^\s+0 external-interrupt exiting\s+0 or 1",
    r"^vmx caps: primary processor-based VM-execution controls",
    r"^vmx caps: VM-exit controls: allowed-0 0x[0-9a-f]{8}",
    r"^vmx caps: VM-entry controls: allowed-0 0x[0-9a-f]{8}",
    r"^vmx caps: IA32_VMX_EPT_VPID_CAP 0x[0-9a-f]{16}",
    r"^vmx caps: IA32_VMX_MISC 0x[0-9a-f]{16}: preemption timer ticks every 2\^\d+",
    r"^vmx caps: CR0 in VMX operation: FIXED0 0x0000000080000021",
    r"^vmx caps: CR4 in VMX operation: FIXED0 0x0000000000002000",
    r"^vmx caps: controls hvlab computes: ",
    r"^hvlab: nothing more to run",
], end="finished"), lambda out: expect_controls(out), run=CAPS, name="vmx_caps")

# In-kernel tests: (points, name, title, run, tests).
KTEST_GROUPS = [
    (10, "ktest_vmxon", "VMXON on every CPU; controls from the capability MSRs", VMX_KTESTS,
     ["vmx_on_all_cpus", "vmx_controls_respect_msrs"]),
    (10, "ktest_guest", "a first guest: launch, exit code, exit counts, no leak", VMX_KTESTS,
     ["vmx_guest_exit_code", "vmx_exit_counts", "vmx_create_destroy_no_leak",
      "vmx_try_launch_valid"]),
    (10, "ktest_contain", "containment: hostile or broken guests die alone", VMX_KTESTS,
     ["vmx_unhandled_exit_kills_guest", "vmx_guest_double_fault_killed",
      "vmx_guest_triple_fault_killed", "vmx_hostile_hypercall_pointer",
      "vmx_spin_host_timer_ticks", "vmx_spin_cli_stopped_by_watchdog"]),
    (5, "ktest_entry_fail", "VMX instruction and VM-entry failures reported by name", VMX_KTESTS,
     ["vmx_vmwrite_failure_reported", "vmx_entry_failure_stops_guest",
      "vmx_entry_failure_bit31"]),
    (5, "vmcheck_valid", "entry checker: a valid VMCS passes and launches", CHECK_KTESTS,
     ["vmcheck_valid_vmcs", "vmcheck_cmdline_switch"]),
    (10, "vmcheck_rules", "entry checker: 37 broken rules, each named, each refused by the CPU",
     CHECK_KTESTS, ["vmcheck_break_" + r for r in (
         "ctl_pin_allowed ctl_proc_allowed ctl_cr3_target_count ctl_io_bitmap_addr "
         "ctl_msr_bitmap_addr ctl_nmi_window ctl_vpid_zero ctl_eptp_walk ctl_unrestricted_ept "
         "ctl_preempt_save ctl_inj_vector ctl_inj_errcode ctl_entry_msr_load host_cr4_fixed "
         "host_sel_rpl_ti host_cs_null host_tr_null host_base_canon host_asz_cpu host_rip "
         "guest_cr0_fixed guest_cr4_fixed guest_tr_type guest_cs_type guest_ldtr_type "
         "guest_seg_limit_g guest_cs_l_d guest_ss_rpl guest_dt_limit guest_rip_canon "
         "guest_rflags_reserved guest_efer_lma guest_activity guest_intr_sti_if "
         "guest_pending_dbg guest_link_ptr entry_msr_entry").split()]),
]

for _points, _name, _title, _run, _tests in KTEST_GROUPS:
    check(_points, _title, expect_ktests(_tests), expect_end("finished"),
          run=_run, name=_name)

# In-guest tests (lab2-vmx/guest/tests): the guest checks what each exit
# handler gives back. One boot of guest=lab2-tests serves every group.
GUEST_GROUPS = [
    (5, "guest_cpuid", "guest: CPUID (VMX hidden, hvlab signature)",
     ["cpuid_hides_vmx", "cpuid_hv_signature", "cpuid_vendor_and_max_leaf", "cpuid_repeatable"]),
    (10, "guest_vmcall", "guest: HLT and the hypercall ABI",
     ["hlt_resumes_with_if_set", "vmcall_version", "vmcall_preserves_registers",
      "vmcall_console_write", "vmcall_bad_pointer", "vmcall_too_long", "vmcall_unknown_number",
      "vmcall_counters", "vmcall_counter_errors", "vmcall_counter_tsc"]),
    (10, "guest_io", "guest: port I/O through the I/O bitmaps (sizes, strings, rep)",
     ["io_debug_port_read", "io_debug_port_write", "io_scratch_read_after_write",
      "io_scratch_edge", "io_unclaimed_port", "io_rep_outsb", "io_rep_insb_backwards",
      "io_string_bad_buffer", "io_rep_ins"]),
    (5, "guest_msr", "guest: RDMSR/WRMSR through the MSR bitmaps (#GP for the rest)",
     ["msr_scratch_read_after_write", "msr_unknown_gp", "msr_feature_control", "msr_tsc",
      "msr_passthrough_no_exit"]),
    (5, "guest_cr", "guest: CR0/CR4 masks and read shadows",
     ["cr_read_shadows", "cr4_guest_bit_no_exit", "cr4_vmxe_gp", "cr0_host_bit_shadowed",
      "cr0_guest_bit_no_exit", "cr0_forbidden_gp", "cr3_read_write"]),
    (5, "guest_vmx_insn", "guest: VMX instructions raise #UD; the guest owns its exceptions",
     ["vmx_vmxon_ud", "vmx_vmclear_ud", "vmx_vmptrld_ud", "vmx_vmread_ud", "vmx_vmwrite_ud",
      "vmx_vmlaunch_ud", "vmx_invept_ud", "exc_guest_owned_no_exit", "exc_gp_noncanonical",
      "exc_pf_unmapped"]),
]

for _points, _name, _title, _tests in GUEST_GROUPS:
    check(_points, _title, expect_ktests(_tests, prefix=GUEST_PREFIX),
          expect_lines([r"^\[guest lab2-tests\] SUMMARY: \d+ tests, 0 failures",
                        r"^vcpu: guest lab2-tests exited with code 0"], end="finished"),
          run=GUEST_TESTS, name=_name)
