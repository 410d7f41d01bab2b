"""lab1.py - lab 1's graded tests: boot, memory, paging, interrupts, SMP.

Every test here needs code students write in lab 1: each boot reaches
"hvlab: ready" only after pmm_init, heap_init, paging_init, trap_init,
lapic_init and smp_init have run, and the in-kernel tests exercise those
modules directly. A handout with stubs panics before "hvlab: ready" and
earns nothing.

Adding a test is one line: a check(...) below, or a row in KTEST_GROUPS.
Run `python3 -m grader.grade --lab 1 --list` to see them all.
"""
from grader.gradelib import RunSpec, check, expect_end, expect_ktests, expect_lines

HEX16 = r"[0-9a-f]{16}"

# The runs lab 1 checks. Each distinct RunSpec boots once per grading session.
BOOT = RunSpec()                                    # the session's emulator (Bochs here)
BOOT_QEMU = RunSpec(emu="qemu")
SMP = RunSpec(cpus=2)
SMP_QEMU = RunSpec(emu="qemu", cpus=2)
CRASH_PF = RunSpec(cmdline="crash=pf")
CRASH_PANIC = RunSpec(cmdline="crash=panic")

# The banner of a boot without tests, in order.
BANNER = [
    r"^memory map:",
    rf"^\s+\[{HEX16}-{HEX16}\] usable",
    r"^\s+usable: [1-9]\d* KiB",
    r"^virt: (VMX|SVM)",
    r"^cpus: 1 online",
    r"^hvlab: boot took [1-9]\d* TSC ticks",
    r"^hvlab: ready",
    r"^hvlab: nothing more to run",
]

boot = check(10, "boot banner (Bochs)", expect_lines(BANNER, end="finished"), run=BOOT,
             name="boot_banner")
check(5, "boot banner (QEMU)", expect_lines(BANNER, end="finished"), run=BOOT_QEMU,
      name="boot_qemu")
check(5, "VMX features in the banner (Bochs)",
      expect_lines([r"^virt: VMX \(VMCS revision 0x[0-9a-f]+",
                    r"^virt: EPT yes .*unrestricted guest yes, VPID yes",
                    r"^virt: preemption timer yes", r"^hvlab: ready"]),
      run=RunSpec(emu="bochs"), name="virt_features", parent=boot)

SMP_LINES = [r"^cpu 1 online", r"^cpus: 2 online", r"^hvlab: ready",
             r"^hvlab: nothing more to run"]
check(10, "SMP: 2 CPUs online (Bochs)", expect_lines(SMP_LINES, end="finished"),
      run=SMP, name="smp_boot", parent=boot)
check(5, "SMP: 2 CPUs online (QEMU)", expect_lines(SMP_LINES, end="finished"),
      run=SMP_QEMU, name="smp_qemu")

# crash=pf: after boot, lab1-boot/crash.c reads the unmapped address
# 0x7ffffffff000 in crash_pf(); the handler must print the whole report.
check(5, "exception dump (crash=pf)", expect_lines([
    r"^hvlab: ready",
    r"^crash: triggering page fault",
    r"^EXCEPTION on cpu 0: vector 14 \(#PF",
    r"^\s+error code 0x0: page not present, read, supervisor mode",
    r"^\s+CR2 00007ffffffff000",
    rf"^\s+RIP {HEX16} crash_pf\+0x[0-9a-f]+",
    rf"^\s+RSP {HEX16} RFLAGS {HEX16} CS 0008",
    rf"^\s+RAX {HEX16} RBX {HEX16} RCX {HEX16}",
    rf"^\s+R13 {HEX16} R14 {HEX16} R15 {HEX16}",
    rf"^\s+CR0 {HEX16} CR3 {HEX16} CR4 {HEX16}",
    r"^backtrace:",
    rf"^\s+#0 {HEX16} \w+\+0x[0-9a-f]+",
    r"^cpu 0 halted after exception 14 \(#PF\)",
], end="exception"), run=CRASH_PF, name="exception_dump", parent=boot)

# crash=panic: panic() after boot prints a backtrace with symbol names.
check(5, "panic backtrace (crash=panic)", expect_lines([
    r"^hvlab: ready",
    r"^PANIC on cpu 0: crash: deliberate panic",
    r"^backtrace:",
    rf"^\s+#0 {HEX16} crash_panic\+0x[0-9a-f]+",
    rf"^\s+#1 {HEX16} \w+\+0x[0-9a-f]+",
    r"^cpu 0 halted",
], end="panic"), run=CRASH_PANIC, name="panic_backtrace", parent=boot)

# In-kernel tests, one graded test per group: (points, name, title, cpus, tests).
# Each group boots on its own (test=<prefix>_* of its names), so a crash in
# one group costs only that group's points.
KTEST_GROUPS = [
    (10, "ktest_pmm", "physical page allocator", 1,
     ["pmm_alloc_free", "pmm_contig", "pmm_exhaust", "pmm_reserve"]),
    (10, "ktest_heap", "kernel heap", 1,
     ["heap_basic", "heap_many", "heap_large"]),
    (10, "ktest_paging", "paging: map, unmap, translate (4 KiB and 2 MiB)", 1,
     ["paging_kernel_map", "paging_map_4k", "paging_map_2m", "paging_remap_protect"]),
    (10, "ktest_trap", "interrupts and exceptions", 1,
     ["trap_vectors", "trap_tss_loaded", "trap_breakpoint", "trap_frame_layout",
      "trap_ud_resume", "trap_irq_dispatch"]),
    (5, "ktest_timer", "LAPIC timer", 2,
     ["timer_ticks", "timer_stops_with_cli", "timer_ticks_ap"]),
    (5, "ktest_smp", "SMP: INIT-SIPI-SIPI, IPIs, run on another CPU", 2,
     ["smp_all_online", "smp_ipi", "smp_run_on"]),
    (5, "ktest_spinlock", "spinlocks", 2,
     ["spinlock_two_cpus", "spinlock_trylock_held", "spinlock_irqsave"]),
]

for _points, _name, _title, _cpus, _tests in KTEST_GROUPS:
    check(_points, _title, expect_ktests(_tests), expect_end("finished"),
          run=RunSpec(cmdline="test=" + ",".join(sorted({t.split("_")[0] + "_*"
                                                         for t in _tests})), cpus=_cpus),
          name=_name, parent=boot)
