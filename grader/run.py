#!/usr/bin/env python3
"""run.py - boot hvlab once and stream its console: `make run`, debugging.

    python3 -m grader.run [--emu auto|bochs|qemu|kvm] [--build DIR]
                          [--cmdline STR] [--cpus N] [--mem MB] [--timeout S]
                          [--bochs-debug | --gdb PORT] [--keep] [--quiet]
                          [--terminal] [--status]

Exit status: 0 when the kernel ended the run cleanly ("hvlab: nothing more
to run", or a SUMMARY line with 0 failures), 1 otherwise (failures, panic,
exception, timeout, triple fault), 2 when the run could not start. With
--status: the kernel's own status ("shutting down with status N"), which is
a guest's under boot= (make run-guest). --terminal (Bochs): what is typed,
or piped, on stdin goes to the serial line (a guest's console).
The last line on stderr says how the run ended and how long it took.
"""
import argparse
import os
import re
import sys

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from grader import emu, interactive  # noqa: E402


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="python3 -m grader.run",
        description="Boot hvlab under an emulator and stream its serial console.")
    ap.add_argument("--emu", default=os.environ.get("EMU", "auto"),
                    help="auto (default; kvm with nested virtualization, else bochs), "
                         "bochs, qemu (TCG) or kvm")
    ap.add_argument("--build", default="build", help="build directory (default: build)")
    ap.add_argument("--cmdline", default="", help="kernel command line, e.g. 'test=all'")
    ap.add_argument("--cpus", type=int, default=1, help="number of CPUs (default 1)")
    ap.add_argument("--mem", type=int, default=emu.DEFAULT_MEM_MB,
                    help=f"memory in MiB (default {emu.DEFAULT_MEM_MB})")
    ap.add_argument("--timeout", type=float, default=None,
                    help="seconds before the run counts as hung (default 60; "
                         "none with --gdb); 0: no timeout")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--bochs-debug", action="store_true",
                      help="interactive Bochs debugger on this terminal, magic "
                           "breakpoints (BREAKPOINT()) on")
    mode.add_argument("--gdb", type=int, metavar="PORT",
                      help="QEMU (or kvm) halted at the first instruction with a "
                           "GDB stub on tcp::PORT")
    ap.add_argument("--keep", action="store_true",
                    help="keep the run directory (disk image, bochsrc, logs)")
    ap.add_argument("--quiet", action="store_true", help="do not stream the console")
    ap.add_argument("--terminal", action="store_true",
                    help="send stdin (typed or piped) to the serial line (Bochs): a guest's "
                         "console you can type into")
    ap.add_argument("--status", action="store_true",
                    help="exit with the kernel's own status ('shutting down with status N'); "
                         "1 when the run ended otherwise")
    return ap.parse_args(argv)


def main(argv=None):
    a = parse_args(argv)
    try:
        kernel = emu.Kernel.from_build(a.build)
        emu.check_machine(a.cpus, a.mem)
        if a.bochs_debug:
            interactive.bochs_debug(kernel, a.cmdline, a.cpus, a.mem,
                            work_dir=os.path.join(a.build, "runs"))
            return 0
        which = emu.choose(a.emu)
        if a.gdb and which == "bochs":
            which = "qemu"
            print("run: --gdb needs QEMU (Bochs here has no GDB stub): using --emu qemu",
                  file=sys.stderr)
        timeout = a.timeout
        if timeout is None:
            timeout = 0 if a.gdb else 60
        if a.gdb:
            print(f"run: QEMU halted at its first instruction; attach with:\n"
                  f"  gdb -ex 'target remote localhost:{a.gdb}' {kernel.elf}\n"
                  f"  (or: make gdb)", file=sys.stderr)
        print(f"run: booting {kernel.elf} under {which} (cpus={a.cpus}, mem={a.mem} MiB, "
              f"cmdline={a.cmdline!r})", file=sys.stderr)

        def show(text):
            sys.stdout.write(text)
            sys.stdout.flush()
        r = emu.boot(kernel, which, a.cmdline, a.cpus, a.mem, timeout,
                     on_output=None if a.quiet else show,
                     work_dir=os.path.join(a.build, "runs"), keep=a.keep, gdb_port=a.gdb,
                     terminal=a.terminal)
    except emu.EmuError as e:
        print(f"run: {e}", file=sys.stderr)
        return 2
    if r.console and not r.console.endswith("\n") and not a.quiet:
        sys.stdout.write("\n")
    sys.stdout.flush()
    timing = f"{r.wall_s:.2f} s wall"
    if r.ready_s is not None:
        timing += f", ready after {r.ready_s:.2f} s"
    if r.boot_ticks is not None:
        timing += f", boot took {r.boot_ticks} TSC ticks"
    print(f"run: {r.describe()}\nrun: {timing}", file=sys.stderr)
    if r.run_dir:
        print(f"run: run directory kept: {r.run_dir}", file=sys.stderr)
    if a.status:
        # The kernel's own last word (a guest's console may have printed a
        # SUMMARY line first, which ended the watch but not the run).
        st = [m for m in (re.search(r"shutting down with status (\d+)", l) for l in r.lines) if m]
        return int(st[-1].group(1)) if st else 1
    m = re.search(r"SUMMARY: \d+ tests?, (\d+) failures?", r.end_line)
    ok = r.clean and (not m or m.group(1) == "0")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
