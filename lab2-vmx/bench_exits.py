#!/usr/bin/env python3
"""bench_exits.py - run the exit-cost benchmark guest and print its figures.

    python3 lab2-vmx/bench_exits.py [--build DIR] [--timeout S]   (make bench-exits)

Boots the kernel under Bochs through the grader's runner with
`guest=lab2-bench`; the guest (lab2-vmx/guest/bench.c) times loops of CPUID,
VMCALL (HC_VERSION) and IN from the scratch port, and a bare loop, with
RDTSC, and prints one "BENCH kind ..." line each. Under Bochs with
clock sync=none the TSC counts emulated instructions (host and guest; a VM
exit adds none, VMRESUME counts one), so a round trip's cost is the number
of instructions the hypervisor runs for it, the same on every run.

Exit status: 0 with every figure printed, 1 when the run or a figure
failed (the console's tail says why). The full console goes to
DIR/bench-exits.log.
"""
import argparse
import os
import re
import subprocess
import sys

GUEST = "lab2-bench"
KINDS = ("bare", "cpuid", "vmcall", "io")
DESCRIBE = {
    "bare": "bare loop (no exit)",
    "cpuid": "CPUID (leaf 0)",
    "vmcall": "VMCALL (HC_VERSION)",
    "io": "IN from port 0x500",
}
# Reference points for one CPUID round trip on Bochs (issue 3, PLATFORMS.md).
REF_MINIMAL = 22    # a minimal assembly exit path
REF_GENERIC = 56    # save all registers + C dispatcher + restore
TARGET = 60         # what hvlab's real dispatcher should stay within (CPUID)
BENCH_LINE = re.compile(r"BENCH (\w+) (.*)$")


def parse(console):
    """{kind: {field: value}} from the guest's BENCH lines."""
    out = {}
    for line in console.splitlines():
        m = BENCH_LINE.search(line)
        if m:
            out[m.group(1)] = dict(kv.split("=", 1) for kv in m.group(2).split())
    return out


def table(res):
    """The figures as a table, with the reference points under it."""
    rows = [("kind", "ticks/iteration", "ticks/exit", "clean rounds", "vs target")]
    for k in KINDS:
        r = res[k]
        per_exit = r.get("per_exit", "-")
        verdict = "-"
        if k == "cpuid":
            verdict = "ok (<= %d)" % TARGET if float(per_exit) <= TARGET else "ABOVE %d" % TARGET
        rows.append((DESCRIBE[k], r["per_iter"], per_exit,
                     "%s/%s" % (r["clean"], r["rounds"]), verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                      for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    bare = res["bare"]
    iters = int(bare["iters"])
    rounds = int(bare["rounds"])
    lines += [
        "",
        f"  {iters} iterations per round, {rounds} rounds per kind ({iters * rounds} exits each);",
        "  ticks/exit = (fastest clean round - fastest bare round) / iterations;",
        "  a clean round is one without a host timer-interrupt exit in it.",
        "",
        "  Reference points (one CPUID round trip on Bochs, PLATFORMS.md):",
        f"    {REF_MINIMAL:3d}  minimal assembly exit path",
        f"    {REF_GENERIC:3d}  generic save-all-registers + C dispatcher",
        f"    {TARGET:3d}  target for hvlab's real dispatcher (at most)",
    ]
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--timeout", default="120", help="seconds for the Bochs run")
    a = ap.parse_args(argv)

    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cmd = [sys.executable, "-m", "grader.run", "--emu", "bochs", "--build", a.build,
           "--cmdline", f"guest={GUEST}", "--timeout", a.timeout]
    print("bench-exits: " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, errors="replace")
    log = os.path.join(a.build, "bench-exits.log")
    with open(os.path.join(repo, log), "w") as f:
        f.write(p.stdout)

    res = parse(p.stdout)
    missing = [k for k in KINDS if k not in res]
    if missing:
        tail = "\n".join(p.stdout.splitlines()[-25:])
        print(f"bench-exits: no figures for {', '.join(missing)} (runner status {p.returncode});"
              f" full console in {log}; its end:\n{tail}", file=sys.stderr)
        return 1
    print(f"\nVM-exit round trip cost, guest {GUEST} under Bochs "
          f"(TSC ticks = emulated instructions):\n")
    print(table(res))
    print(f"\n(console: {log}; runner status {p.returncode})")
    return 0 if p.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
