#!/usr/bin/env python3
"""bench_linux.py - `make bench-linux`: the cost of running Linux under hvlab.

Boots the same Debian kernel, initramfs (tools/linux/init-bench: it prints
the TSC and powers off) and command line twice on Bochs, in one run:

  bare   hvlab only as the boot loader (nativeboot=): it loads the bzImage
         into the machine's memory and jumps to it, no VMX underneath;
  hvlab  the kernel as a guest of hvlab (boot=), on its virtual PC.

Under Bochs with clock sync=none the TSC counts emulated instructions, host
and guest alike. Both halves write the TSC at the kernel's first
instruction into its command line (hvlab.tsc0=); /init prints the TSC it
reads: the difference is the number of instructions the machine ran to get
the kernel from its entry to /init, VM exits and the hypervisor included.
The command line pins what would otherwise differ between the halves:
nokaslr, the TSC rate (tsc_early_khz: bare Bochs' CPUID claims 3.5 GHz),
mem=128M.

Prints both counts, their ratio, and hvlab's VM exits by reason up to
/init (from exitlog= samples), and writes the exits-over-time chart as an
SVG next to the figures: $(BUILD)/bench-linux.svg and .txt.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from grader import emu  # noqa: E402

APPEND = ("console=ttyS0 acpi=off pci=off noapic nolapic panic=-1 nokaslr "
          "tsc_early_khz=10000 mem=128M")
HOST_MEM_MB = 512
EXITLOG_TICKS = 1 << 23          # one sample per 8.4 M instructions
TSC0 = re.compile(r"hvlab\.tsc0=(\d+)")
HVTSC = re.compile(r"^init: hvtsc (\d+)")
EXITLOG = re.compile(r"^exitlog: (\d+)((?: \w+=\d+)*)")
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]


def boot(build, cmdline, stop, timeout):
    kernel = emu.Kernel.from_build(build)
    return emu.boot(kernel, "bochs", cmdline, 1, HOST_MEM_MB, timeout,
                    work_dir=os.path.join(build, "runs"), stop=stop)


def to_init(result, what):
    """Instructions from the kernel's entry to /init, from the console."""
    tsc0 = next((int(m.group(1)) for l in result.lines if (m := TSC0.search(l))), None)
    tsc1 = next((int(m.group(1)) for l in result.lines if (m := HVTSC.search(l))), None)
    if tsc0 is None or tsc1 is None:
        sys.exit(f"bench-linux: the {what} run did not reach /init ({result.describe()})")
    return tsc1 - tsc0, tsc0, tsc1


def exit_samples(result):
    """[(tsc relative to the guest's time 0, {reason: cumulative count})]."""
    out = []
    for line in result.lines:
        m = EXITLOG.match(line)
        if m:
            counts = dict((k, int(v)) for k, v in
                          (kv.split("=") for kv in m.group(2).split()))
            out.append((int(m.group(1)), counts))
    return out


def svg_chart(samples, until, path, title):
    """Cumulative exits by reason against instructions, as a plain SVG."""
    samples = [s for s in samples if s[0] <= until] or samples[:1]
    totals = {}
    for _, counts in samples:
        for k, v in counts.items():
            totals[k] = max(totals.get(k, 0), v)
    reasons = sorted(totals, key=lambda k: -totals[k])[:len(COLORS)]
    w, h, ml, mb, mt, mr = 900, 480, 80, 50, 40, 220
    xmax = max(until, 1)
    ymax = max([totals[r] for r in reasons] + [1])
    def x(t): return ml + (w - ml - mr) * t / xmax
    def y(v): return h - mb - (h - mb - mt) * v / ymax
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
             f'font-family="sans-serif" font-size="12">',
             f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<text x="{ml}" y="22" font-size="15">{title}</text>',
             f'<line x1="{ml}" y1="{h - mb}" x2="{w - mr}" y2="{h - mb}" stroke="black"/>',
             f'<line x1="{ml}" y1="{mt}" x2="{ml}" y2="{h - mb}" stroke="black"/>',
             f'<text x="{(w - mr + ml) / 2}" y="{h - 12}" text-anchor="middle">'
             f'instructions since the kernel\'s entry (millions)</text>',
             f'<text x="16" y="{(h - mb + mt) / 2}" transform="rotate(-90 16 {(h - mb + mt) / 2})" '
             f'text-anchor="middle">VM exits so far</text>']
    for i in range(6):
        tv, vv = xmax * i / 5, ymax * i / 5
        parts.append(f'<text x="{x(tv)}" y="{h - mb + 16}" text-anchor="middle">{tv / 1e6:.0f}</text>')
        parts.append(f'<text x="{ml - 6}" y="{y(vv) + 4}" text-anchor="end">{vv:.0f}</text>')
    for i, r in enumerate(reasons):
        pts = " ".join(f"{x(t):.1f},{y(c.get(r, 0)):.1f}" for t, c in samples)
        parts.append(f'<polyline fill="none" stroke="{COLORS[i]}" stroke-width="2" points="{pts}"/>')
        parts.append(f'<rect x="{w - mr + 15}" y="{mt + 18 * i}" width="12" height="12" '
                     f'fill="{COLORS[i]}"/>')
        parts.append(f'<text x="{w - mr + 32}" y="{mt + 18 * i + 11}">{r} ({totals[r]})</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True, help="a build with payloads vmlinuz and initrd")
    ap.add_argument("--append", default=APPEND)
    ap.add_argument("--timeout", type=float, default=900)
    a = ap.parse_args()

    print(f"bench-linux: bare Bochs (hvlab as the boot loader only) ...", flush=True)
    bare = boot(a.build, f"nativeboot=vmlinuz,initrd -- {a.append}", HVTSC.pattern, a.timeout)
    n_bare, _, _ = to_init(bare, "bare")
    print(f"bench-linux: hvlab on Bochs ...", flush=True)
    hv = boot(a.build, f"boot=vmlinuz,initrd vmram=131072 exitlog={EXITLOG_TICKS} -- {a.append}",
              None, a.timeout)
    n_hv, tsc0, tsc1 = to_init(hv, "hvlab")

    samples = exit_samples(hv)
    # Guest time 0 is when the platform was attached; /init is at tsc1 - (tsc0 - attach).
    upto = [s for s in samples if s[0] <= samples[0][0] + n_hv] if samples else []
    at_init = upto[-1][1] if upto else {}
    lines = ["Linux boot to /init, Bochs 2.7 (ips=10000000, sync=none: TSC ticks = instructions)",
             f"  kernel command line: {a.append}",
             f"  bare Bochs (hvlab as boot loader):  {n_bare:>14,} instructions",
             f"  under hvlab on Bochs:               {n_hv:>14,} instructions",
             f"  ratio hvlab / bare:                 {n_hv / n_bare:14.3f}  (aim: at most 1.10)",
             f"  VM exits by reason up to /init (sampled every {EXITLOG_TICKS:,} instructions):"]
    for r, c in sorted(at_init.items(), key=lambda kv: -kv[1]):
        lines.append(f"    {r:<22} {c:>10,}")
    lines.append(f"    {'total':<22} {sum(at_init.values()):>10,}")
    text = "\n".join(lines)
    print(text)
    base = os.path.join(a.build, os.pardir, "bench-linux")
    with open(base + ".txt", "w") as f:
        f.write(text + "\n")
    if samples:
        t0 = samples[0][0]
        rel = [(t - t0, c) for t, c in samples]
        svg_chart(rel, n_hv, base + ".svg", "VM exits during a Linux boot under hvlab, by reason")
        print(f"bench-linux: chart written to {os.path.normpath(base + '.svg')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
