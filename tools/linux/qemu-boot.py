#!/usr/bin/env python3
"""qemu-boot.py - boot the Linux guest under plain QEMU (TCG), without hvlab.

A reference for what hvlab must reproduce: the same kernel, initramfs and
command line on an emulated PC, with the console on stdio. It watches the
console, times the boot, and stops QEMU when the guest is done: with
acpi=off Linux has no way to power off, so `poweroff -f` ends in
"reboot: System halted" and a `cli; hlt` loop that QEMU would sit in
forever (hvlab instead ends the VM on HLT with interrupts disabled).

  --input TEXT   type TEXT into the console once the shell's banner is out,
                 a line at a time, each after the previous prompt (a "# ")
  --expect RE    the console must match RE (repeatable)
  --test         the console must say "init-test: SUMMARY <n> checks, 0 failures"

Exit status 0 when the guest reached its end (halted, powered off) and every
expectation held; 1 otherwise, with the reason.

Usage: qemu-boot.py --kernel K --initrd I --append A [--mem 256] [--timeout 300]
                    [--log FILE] [--qemu-arg ARG ...] [--test] [--input TEXT]
"""
import argparse
import os
import re
import subprocess
import sys
import threading
import time

END = re.compile(r"reboot: (System halted|Power down)|Kernel panic - not syncing.*|"
                 r"reboot: Restarting system")
BANNER = "poweroff -f to end"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--append", required=True)
    ap.add_argument("--mem", default="256")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--log")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--qemu-arg", action="append", default=[],
                    help="one more QEMU argument (e.g. --qemu-arg=-icount --qemu-arg=shift=0)")
    ap.add_argument("--input", help="text to type into the shell (\\n separates lines)")
    ap.add_argument("--expect", action="append", default=[], help="a regexp the console must match")
    ap.add_argument("--test", action="store_true", help="expect the test /init's clean summary")
    ap.add_argument("--quiet", action="store_true", help="do not echo the console")
    args = ap.parse_args()

    for path in (args.kernel, args.initrd):
        if not os.path.isfile(path):
            print(f"qemu-boot: {path}: no such file (make linux-fetch first)", file=sys.stderr)
            return 1
    cmd = [args.qemu, "-m", args.mem, "-display", "none", "-monitor", "none",
           "-serial", "stdio", "-no-reboot", "-kernel", args.kernel, "-initrd", args.initrd,
           "-append", args.append] + args.qemu_arg
    print("qemu-boot: " + " ".join(c if re.fullmatch(r"[\w=,./+:-]+", c) else repr(c)
                                   for c in cmd), flush=True)
    start = time.monotonic()
    try:
        qemu = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
    except FileNotFoundError:
        print(f"qemu-boot: {args.qemu} not found", file=sys.stderr)
        return 1

    console = bytearray()
    marks = {}
    done = threading.Event()
    lines = args.input.encode().decode("unicode_escape").split("\n") if args.input else []
    lines = [l for l in lines if l]

    def reader():
        partial = b""
        while True:
            chunk = qemu.stdout.read1(4096)
            if not chunk:
                break
            console.extend(chunk)
            if not args.quiet:
                sys.stdout.buffer.write(chunk)
                sys.stdout.flush()
            partial += chunk
            *full, partial = partial.split(b"\n")
            now = time.monotonic() - start
            for raw in full + [partial]:
                line = raw.decode(errors="replace")
                if "Run /init as init process" in line:
                    marks.setdefault("init", now)
                if BANNER in line:
                    marks.setdefault("banner", now)
                if END.search(line):
                    marks.setdefault("end", now)
                    marks.setdefault("end_line", END.search(line).group(0))
                    done.set()
        done.set()

    t = threading.Thread(target=reader, daemon=True)
    t.start()

    # Type the input: wait for the banner, then send each line after a
    # fresh prompt appears, as a person would.
    if lines:
        while "banner" not in marks and not done.is_set() and time.monotonic() - start < args.timeout:
            time.sleep(0.1)
        # The first prompt may have come in the same read as the banner.
        seen = max(0, bytes(console).find(BANNER.encode()))
        for l in lines:
            deadline = time.monotonic() + 30
            while not done.is_set() and time.monotonic() < deadline:
                if b"# " in console[seen:]:
                    break
                time.sleep(0.1)
            time.sleep(0.3)
            seen = len(console)
            try:
                qemu.stdin.write(l.encode() + b"\n")
                qemu.stdin.flush()
            except BrokenPipeError:
                break

    done.wait(max(0.0, args.timeout - (time.monotonic() - start)))
    time.sleep(0.2)
    timed_out = "end" not in marks and qemu.poll() is None
    if qemu.poll() is None:
        qemu.kill()
    qemu.wait()
    t.join(5)
    text = console.decode(errors="replace")
    if args.log:
        with open(args.log, "w") as f:
            f.write(text)

    errors = []
    if timed_out:
        errors.append(f"no end of the guest within {args.timeout:.0f} s")
    elif "end" not in marks:
        errors.append(f"QEMU exited (status {qemu.returncode}) before the guest ended")
    elif marks["end_line"].startswith("Kernel panic") and "init-test: SUMMARY" not in text \
            and not lines:
        errors.append(f"the kernel panicked: {marks['end_line']}")
    if args.test:
        m = re.search(r"init-test: SUMMARY (\d+) checks, (\d+) failures", text)
        if not m:
            errors.append("no init-test SUMMARY line")
        elif m.group(2) != "0" or m.group(1) == "0":
            errors.append(m.group(0))
    for rx in args.expect:
        if not re.search(rx, text, re.M):
            errors.append(f"the console never matched {rx!r}")

    def at(k):
        return f"{marks[k]:.1f} s" if k in marks else "-"
    tsc = re.search(r"^init: hvtsc (\d+)", text, re.M)
    print(f"\nqemu-boot: /init at {at('init')}, end at {at('end')}"
          f" ({marks.get('end_line', 'none')}), wall {time.monotonic() - start:.1f} s"
          + (f", hvtsc at /init {tsc.group(1)}" if tsc else ""), flush=True)
    for e in errors:
        print(f"qemu-boot: FAIL: {e}", flush=True)
    if not errors:
        print("qemu-boot: OK", flush=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
