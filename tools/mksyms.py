#!/usr/bin/env python3
"""Turn `nm -n` output (stdin) into an assembly symbol table (stdout).

The table feeds common/ksyms.c, so a panic's backtrace can print
function names. Only text symbols (t/T) are kept, sorted by address.
"""
import sys


def main():
    syms = []
    for line in sys.stdin:
        parts = line.split()
        if len(parts) != 3 or parts[1] not in "tTwW":
            continue
        addr, name = int(parts[0], 16), parts[2]
        if name.startswith(".L"):
            continue
        syms.append((addr, name))
    syms.sort()
    out = ['\t.section .note.GNU-stack, "", @progbits', '\t.section .rodata', '\t.align 8', '\t.globl ksyms_table, ksyms_count',
           'ksyms_count:', f'\t.quad {len(syms)}', 'ksyms_table:']
    for i, (addr, _) in enumerate(syms):
        out.append(f'\t.quad {addr:#x}, .Lname{i}')
    for i, (_, name) in enumerate(syms):
        out.append(f'.Lname{i}: .asciz "{name}"')
    print("\n".join(out))


if __name__ == "__main__":
    main()
