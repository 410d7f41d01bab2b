"""lab3.py - lab 3's graded tests: EPT, VPID, guests that boot from real
mode, MMIO emulation, several VMs, and the isolation suite.

Every test needs code students write in lab 3 (BEGIN SOLUTION lab3): the
EPT builder, the VMX controls and real-mode start state, INVEPT/INVVPID,
the EPT-violation handler and MMIO emulation, the instruction decoder and
the guest page walker, and the ELF loader. Lab 3 needs VMX with EPT and
unrestricted guest: Bochs here, or KVM with nested VMX.

Adding a test is one line: a check(...) below, or a row in a table.
Run `python3 -m grader.grade --lab 3 --list` to see them all.
"""
import os
import re

from grader.gradelib import (RunSpec, TestFailure, check, expect_end, expect_ktests,
                             expect_lines)

CPUS = 2
DEMO = RunSpec(cmdline="demo=3", cpus=CPUS)
BOOT = RunSpec(cmdline="vm=lab3-boot", cpus=1)
VM_KTESTS = RunSpec(cmdline="test=ept_*,vm_*", cpus=CPUS)
ISOLATION = RunSpec(cmdline="test=isolation_*", cpus=1)
GUEST_PREFIX = "[guest lab3-tests] "

# make run: two VMs with their own EPT and VPID, both starting in real mode.
check(5, "demo: two VMs, each on its own EPT, boot from real mode (make run)", expect_lines([
    r"^demo: two VMs, each with its own EPT",
    r"^vm 1 \(lab3-boot\): 2048 KiB of RAM in 1 host run, VPID [1-9]\d*, EPTP 0x[0-9a-f]+5e, "
    r"guest-physical 0 -> host 0x[0-9a-f]+ \(2048 KiB page\)",
    r"^vm 2 \(lab3-boot\): 2048 KiB of RAM",
    r"^\[guest lab3-boot\] .*long mode",
    r"^vcpu: guest lab3-boot exited with code 0",
    r"^vcpu: guest lab3-boot exited with code 0",
    r"^demo: lab 3 VMs finished with status 0",
], end="finished"), run=DEMO, name="demo")

# vm=NAME: one VM; the run ends with the guest's status.
check(5, "vm=NAME runs an ELF guest from real mode to long mode", expect_lines([
    r"^vm 1 \(lab3-boot\): 2048 KiB of RAM",
    r"^\[guest lab3-boot\] .*long mode",
    r"^vm: finished; exit status 0",
], end="finished"), run=BOOT, name="vm_boot")

KTEST_GROUPS = [
    (10, "ktest_ept", "EPT on real frames: page sizes, INVEPT/INVVPID", VM_KTESTS,
     ["ept_map_sizes_on_pmm_frames", "ept_invept_invvpid", "vm_ram_mapping"]),
    (10, "ktest_vm_life", "VMs: create/destroy without leaks, bad images refused, real to long mode",
     VM_KTESTS, ["vm_create_destroy_no_leak", "vm_bad_images_refused",
                 "vm_boots_real_to_long_mode", "vm_mmio_register_rules"]),
    (10, "ktest_vm_several", "several VMs: time-shared, one per CPU, KERNEL_GS_BASE switched",
     VM_KTESTS, ["vm_two_time_shared", "vm_two_cpus", "vm_kernel_gs_base_switched"]),
    (10, "ktest_ept_live", "EPT changes on a live VM: protection (INVEPT), dirty flags", VM_KTESTS,
     ["vm_ept_protect_takes_effect", "vm_ept_dirty_flags"]),
]

for _points, _name, _title, _run, _tests in KTEST_GROUPS:
    check(_points, _title, expect_ktests(_tests), expect_end("finished"),
          run=_run, name=_name)

# In-guest tests (lab3-ept/guest/tests), run by the ktest vm_guest_tests
# with the MMIO test device (mmio_test.h) registered: the guest checks the
# state it started in, its own way to long mode, and every MOV form the
# MMIO emulation decodes.
GUEST_GROUPS = [
    (10, "guest_boot", "guest: reset-like real-mode start, its own way to long mode",
     ["boot_real_mode_cr0", "boot_real_mode_segments", "boot_real_mode_descriptor_tables",
      "boot_real_mode_flags_and_stack", "boot_edi_is_ram_size", "boot_edx_is_cpu_signature",
      "boot_protected_mode", "boot_long_mode", "boot_cs_is_64bit", "boot_identity_page_tables",
      "cpuid_hypervisor_leaf", "hypercalls_work", "ram_pattern_everywhere", "ram_last_byte",
      "ram_image_where_linked"]),
    (10, "guest_mmio", "guest: MMIO emulation of every MOV form (decoder, sizes, registers)",
     ["mmio_mov_dword", "mmio_mov_qword", "mmio_mov_word_66", "mmio_mov_byte", "mmio_mov_high8",
      "mmio_rex_registers", "mmio_mov_immediate", "mmio_movzx_movsx", "mmio_addressing_forms",
      "mmio_last_report_stable", "mmio_from_protected_mode"]),
]

for _points, _name, _title, _tests in GUEST_GROUPS:
    check(_points, _title, expect_ktests(_tests, prefix=GUEST_PREFIX),
          expect_ktests(["vm_guest_tests"]),
          expect_lines([r"^\[guest lab3-tests\] SUMMARY: \d+ tests, 0 failures",
                        r"^vcpu: guest lab3-tests exited with code 0"], end="finished"),
          run=VM_KTESTS, name=_name)

# The isolation suite (lab3-ept/include/attacks.h): each attack in its own
# test beside a victim VM; the summary line must report no escape.
ATTACK_IDS = {}
ATTACKS_H = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "lab3-ept",
                         "include", "attacks.h")
with open(ATTACKS_H) as _f:
    for _m in re.finditer(r"ATTACK\((\d+),\s*(\w+),", _f.read()):
        ATTACK_IDS[int(_m.group(1))] = _m.group(2)
ISOLATION_GROUPS = [
    (10, "iso_memory", "isolation: memory beyond RAM, the host's, the other VM's, via page tables",
     range(1, 9)),
    (4, "iso_vmx", "isolation: VMX instructions in a guest", range(9, 16)),
    (5, "iso_msr_cr", "isolation: sensitive MSRs and CR4.VMXE", range(16, 23)),
    (3, "iso_io", "isolation: PIC, PIT and reset ports", range(23, 27)),
    (5, "iso_cpu", "isolation: triple fault, exception storm, spinning, HLT with IF=0",
     range(27, 31)),
    (3, "iso_misc", "isolation: hypercall pointers, unclaimed MMIO; no escape in the suite",
     range(31, 33)),
]


def expect_no_escape(out):
    """The suite's own verdict: every attack contained."""
    n = len(ATTACK_IDS)
    want = rf"^isolation: {n} attacks, {n} contained, 0 escapes$"
    if not any(re.match(want, line) for line in out.lines):
        got = [line for line in out.lines if line.startswith("isolation: ") and "attacks" in line]
        raise TestFailure(f"expected the line 'isolation: {n} attacks, {n} contained, 0 escapes'; "
                          f"got {got[-1] if got else 'no summary line'}")


for _points, _name, _title, _ids in ISOLATION_GROUPS:
    _checks = [expect_ktests(["isolation_" + ATTACK_IDS[i] for i in _ids])]
    if _name == "iso_misc":
        _checks.append(expect_no_escape)
    check(_points, _title, *_checks, expect_end("finished"), run=ISOLATION, name=_name)
