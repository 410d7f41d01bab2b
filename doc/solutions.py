#!/usr/bin/env python3
"""solutions.py - list the functions students write in a lab, for the handout.

Reads the reference tree, finds every region marked
    /* BEGIN SOLUTION labN */ ... /* END SOLUTION */
(or, in a student's handout tree, every NOT_IMPLEMENTED("labN") stub),
names the function that holds it (in C, the definition above the marker;
in assembly, the label above it), takes the one-line summary from the
comment above the function ("name - summary"), and prints a tbl(1) table in
groff -ms for doc/handout.ms. So the handout's list of what to write cannot
drift from the code.

Usage: doc/solutions.py --lab N [--root DIR] [--check]
  --check: print the list as plain text instead (for a quick look).
"""
import argparse
import os
import re
import sys

SOURCE_EXT = (".c", ".h", ".S")
C_DEF = re.compile(r"^[A-Za-z_][\w \t\*]*?\b(\w+)\s*\(")       # "type name(" at column 0
ASM_LABEL = re.compile(r"^([A-Za-z_.][\w.]*):")
NOT_FUNCTIONS = {"if", "for", "while", "switch", "return", "sizeof"}
# "static inline __attribute__((always_inline)) void f(void)": not a call of
# __attribute__; drop the attribute before looking for the name.
GCC_ATTRIBUTE = re.compile(r"__attribute__\s*\(\(.*?\)\)\s*")


def enclosing_c_function(lines, i):
    """(name, line index of the definition) of the function around line i."""
    for j in range(i, -1, -1):
        line = lines[j]
        if line.startswith("}"):
            break                       # left the function without finding it
        m = C_DEF.match(GCC_ATTRIBUTE.sub("", line))
        if m and m.group(1) not in NOT_FUNCTIONS and not line.rstrip().endswith(";"):
            return m.group(1), j
    return None, None


def enclosing_asm_label(lines, i):
    for j in range(i, -1, -1):
        m = ASM_LABEL.match(lines[j])
        if m and not m.group(1).isdigit():
            return m.group(1), j
    return None, None


def summary_above(lines, j, name):
    """The first sentence of the block comment ending just above line j."""
    k = j - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    if k < 0 or not lines[k].strip().endswith("*/"):
        return ""
    end = k
    while k >= 0 and "/*" not in lines[k]:
        k -= 1
    text = []
    for line in lines[k:end + 1]:
        line = line.strip()
        line = re.sub(r"^/\*+|\*+/$", "", line).strip()
        line = re.sub(r"^\*\s?", "", line)
        if not line and text:
            break                       # first paragraph only
        if line:
            text.append(line)
    s = " ".join(text)
    s = re.sub(r"^%s(\(\))?\s*[-:]\s*" % re.escape(name), "", s)
    s = first_sentence(s)
    cut = colon_outside_parens(s)
    if len(s) > LONG_SUMMARY and cut >= 0:
        s = s[:cut] + "."                # the headline of a long sentence
    return s[:1].upper() + s[1:]


LONG_SUMMARY = 110
ABBREVIATIONS = ("Vol.", "e.g.", "i.e.", "etc.", "Sec.", "cf.", "vs.", "No.")


def colon_outside_parens(s):
    """Index of the first ": " not inside parentheses, or -1."""
    depth = 0
    for i, ch in enumerate(s):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif ch == ":" and depth == 0 and s[i + 1:i + 2] == " ":
            return i
    return -1


def first_sentence(s):
    """Up to the first full stop that ends a sentence (not "Vol." or "6.5")."""
    for m in re.finditer(r"\.(\s+|$)", s):
        head = s[:m.start() + 1]
        if not head.endswith(ABBREVIATIONS):
            return head
    return s


def find_regions(root, lab):
    """[(path, function, summary)] in tree order, one per function."""
    # The reference marks a region BEGIN SOLUTION; a handout keeps only the
    # stub, NOT_IMPLEMENTED("labN"). Either names the function.
    marker = re.compile(r"BEGIN SOLUTION lab%d\b|NOT_IMPLEMENTED\(\"lab%d\"\)" % (lab, lab))
    seen = set()
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        dirnames[:] = sorted(d for d in dirnames
                             if not d.startswith((".", "build")) and d not in ("handout-out",))
        if rel.split(os.sep)[0] in ("doc", "grader", "tools"):
            continue
        for fn in sorted(filenames):
            if not fn.endswith(SOURCE_EXT):
                continue
            path = os.path.join(dirpath, fn)
            with open(path, errors="replace") as f:
                lines = f.read().split("\n")
            for i, line in enumerate(lines):
                if not marker.search(line):
                    continue
                if fn.endswith(".S"):
                    name, j = enclosing_asm_label(lines, i)
                else:
                    name, j = enclosing_c_function(lines, i)
                relpath = os.path.relpath(path, root)
                key = (relpath, name or "line %d" % (i + 1))
                if key in seen:
                    continue
                seen.add(key)
                summary = summary_above(lines, j, name) if name else ""
                found.append((relpath, name or "(line %d)" % (i + 1), summary))
    return found


def roff_escape(s):
    s = s.replace("\\", "\\e")
    if s.startswith((".", "'")):
        s = "\\&" + s
    return s


def roff_text(s):
    """Escape @s for roff; kernel-doc's @param becomes an italic name."""
    return re.sub(r"@(\w+)", r"\\fI\1\\fP", roff_escape(s))


def as_table(rows, lab, lab_dir):
    """One row per function; files are named relative to the lab's directory."""
    out = [".\\\" Generated by doc/solutions.py from the BEGIN SOLUTION lab%d markers." % lab,
           ".TS H", "tab(@) box;", "lb lb lb", "l l lx .",
           "File (in \\f(CW%s/\\fP)@Function@What it does" % lab_dir, "_", ".TH"]
    last = None
    for path, name, summary in rows:
        short = path[len(lab_dir) + 1:] if path.startswith(lab_dir + "/") else path
        shown = "\\f(CW%s\\fP" % roff_escape(short) if path != last else ""
        if path != last and last is not None:
            out.append("_")                     # a rule between files
        last = path
        out.append("%s@\\f(CW%s\\fP@T{\n%s\nT}"
                   % (shown, roff_escape(name), roff_text(summary) or "\\(em"))
    out.append(".TE")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lab", type=int, required=True)
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    rows = find_regions(a.root, a.lab)
    if a.check:
        for path, name, summary in rows:
            print("%-28s %-24s %s" % (path, name, summary))
        print("%d functions" % len(rows))
        return 0
    if not rows:
        sys.stdout.write(".LP\n(No function of lab %d is marked for students yet.)\n" % a.lab)
        return 0
    lab_dirs = [d for d in os.listdir(a.root) if re.match(r"lab%d-" % a.lab, d)]
    sys.stdout.write(as_table(rows, a.lab, lab_dirs[0] if lab_dirs else "lab%d" % a.lab))
    return 0


if __name__ == "__main__":
    sys.exit(main())
