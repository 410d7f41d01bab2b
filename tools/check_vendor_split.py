#!/usr/bin/env python3
"""check_vendor_split.py - generic code includes no vendor header.

Vendor code lives in the vmx/ and svm/ folders of each lab; its headers are
included with their folder ("vmx/vmcs.h", "svm/vmcb.h"). A file outside
those folders that includes one is bound to a vendor at build time, which
the vendor interface (vcpu.h, struct vcpu_ops) exists to avoid.

Prints one line per offending include and exits 1 if there is any; with
--list, prints the vendor files it found. Known offenders still to move
behind the interface are listed in PENDING with the reason, and reported
as such (they do not fail the check, and an entry that no longer offends
fails it, so the list cannot go stale).
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INCLUDE = re.compile(r'^\s*#\s*include\s+"((?:vmx|svm)/[^"]+)"', re.M)
VENDOR_DIRS = ("vmx", "svm")

# Generic files that still include a vendor header, each with why. Empty
# this list as each moves behind struct vcpu_ops.
PENDING = {
    "lab3-ept/include/ktest_lab3.h": "lab 3's tests skip without EPT (vmx_caps)",
    "lab3-ept/tests/ktest_ept.c": "EPT tests, VMX-only until nested paging is behind the interface",
    "lab3-ept/tests/ktest_vm.c": "VM tests read VMCS fields",
    "lab3-ept/tests/ktest_isolation.c": "isolation suite uses vmx_caps",
    "lab4-devices/native_boot.c": "turns VMX off before booting Linux natively",
    "lab4-devices/tests/ktest_lab4.c": "enables VMX on the test CPU",
}


def is_vendor(path):
    return any(part in VENDOR_DIRS for part in path.split(os.sep)[:-1])


def sources(root):
    for d in sorted(os.listdir(root)):
        if not (d.startswith("lab") or d == "common") or not os.path.isdir(os.path.join(root, d)):
            continue
        for dirpath, _dirs, files in os.walk(os.path.join(root, d)):
            for f in sorted(files):
                if f.endswith((".c", ".h", ".S")):
                    yield os.path.relpath(os.path.join(dirpath, f), root)


def main(argv):
    bad, pending_seen = [], set()
    for rel in sources(ROOT):
        if is_vendor(rel):
            if "--list" in argv:
                print(f"vendor: {rel}")
            continue
        with open(os.path.join(ROOT, rel), encoding="utf-8", errors="replace") as f:
            incs = INCLUDE.findall(f.read())
        if not incs:
            continue
        if rel in PENDING:
            pending_seen.add(rel)
            print(f"pending: {rel} includes {', '.join(incs)} ({PENDING[rel]})")
            continue
        bad.append(f"{rel}: generic code includes vendor header(s) {', '.join(incs)}")
    for rel in sorted(set(PENDING) - pending_seen):
        if os.path.exists(os.path.join(ROOT, rel)):
            bad.append(f"{rel}: listed as pending but includes no vendor header: "
                       f"remove it from PENDING in tools/check_vendor_split.py")
    for line in bad:
        print(f"vendor split: {line}")
    print(f"vendor split: {len(bad)} violation(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
