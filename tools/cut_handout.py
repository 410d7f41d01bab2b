#!/usr/bin/env python3
"""cut_handout.py - write the student tree for lab N from the reference tree.

    tools/cut_handout.py --lab N --out DIR [--src ROOT] [--force]
    (make handout LAB=N OUT=DIR)

What goes into DIR:
  * every file of the tree (git's tracked and untracked-but-not-ignored
    files in a git checkout, else a walk; build dirs and caches skipped);
  * files of later labs are left out: any path with a component named
    labK-*, labK.*, labK_* or labK for K > N (lab2-vmx/, grader/lab2.py, ...);
  * solution regions of lab N are replaced by their stubs; those of earlier
    labs keep their solution (markers and stubs dropped).

Marker syntax, C form (.c .h .S .s .ld .lds .inc files):

    /* BEGIN SOLUTION labN */        a line containing "BEGIN SOLUTION labN"
    ... reference code ...
    /* END SOLUTION */               a line containing "END SOLUTION"
    /* STUB labN                     immediately: "/* STUB labN" alone on its line
    NOT_IMPLEMENTED("labN");         stub lines (no comments inside)
    */                               a line holding only "*/"

'#' form (.py .mk .sh .gdb, Makefile, *gdbinit): the same BEGIN/END lines
(as '#' comments), then "# STUB labN", stub lines each commented with '#'
(the first '#' and one space after it are removed in the handout), and
"# END STUB". Other files (documentation) are copied as they are.

Marker lines vanish entirely: keep no code on them. Errors (file:line, exit
status 1, DIR untouched): markers for a lab after N in a kept file, nested
or unbalanced markers, END without BEGIN, a region without its STUB block,
a STUB of another lab, an unterminated region or stub. The output is built
in a temporary directory next to DIR and renamed into place at the end.
Each cut file is checked afterwards: no line of a lab-N solution region
may remain in it unless the same line also appears outside the regions.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

C_EXT = {".c", ".h", ".S", ".s", ".ld", ".lds", ".inc"}
HASH_EXT = {".py", ".mk", ".sh", ".gdb"}
HASH_NAMES = {"Makefile", "GNUmakefile", "gdbinit", ".gdbinit"}

# Marker lines. C form: a line *containing* the marker (as the course's
# convention says). '#' form: the marker must be a whole comment line, so
# that Python strings and docs that mention markers are not taken for them.
MARKERS = {
    "c": {
        "begin": re.compile(r"BEGIN SOLUTION lab(\d+)\b"),
        "begin_any": re.compile(r"BEGIN SOLUTION"),
        "end": re.compile(r"END SOLUTION"),
        "stub_any": re.compile(r"\bSTUB lab\d+"),
        "stub_open": re.compile(r"^\s*/\*\s*STUB lab(\d+)\s*$"),
        "stub_close": re.compile(r"^\s*\*/\s*$"),
    },
    "hash": {
        "begin": re.compile(r"^\s*#\s*BEGIN SOLUTION lab(\d+)\s*$"),
        "begin_any": re.compile(r"^\s*#\s*BEGIN SOLUTION\b"),
        "end": re.compile(r"^\s*#\s*END SOLUTION\s*$"),
        "stub_any": re.compile(r"^\s*#\s*(STUB lab\d+|END STUB)\s*$"),
        "stub_open": re.compile(r"^\s*#\s*STUB lab(\d+)\s*$"),
        "stub_close": re.compile(r"^\s*#\s*END STUB\s*$"),
    },
}

# Never copied: build outputs, caches, results, earlier handouts.
SKIP_TOP = re.compile(r"^(build|build-.*|handout-out|cache|\.git|\.handout-.*)$")
SKIP_ANY = re.compile(r"^__pycache__$|\.pyc$")
SKIP_PATHS = ("grader/results/",)
LAB_COMPONENT = re.compile(r"^lab(\d+)(?:[-_.].*)?$")
HANDOUT_STAMP = ".handout"


class CutError(Exception):
    def __init__(self, path, line, msg):
        super().__init__(f"{path}:{line}: {msg}")
        self.path, self.line, self.msg = path, line, msg


def style_for(path):
    """Marker style of a file: 'c', 'hash', or None (copied verbatim)."""
    base = os.path.basename(path)
    ext = os.path.splitext(base)[1]
    if ext in C_EXT:
        return "c"
    if ext in HASH_EXT or base in HASH_NAMES or base.endswith("gdbinit"):
        return "hash"
    return None


def lab_of(relpath):
    """The highest lab number a path belongs to (lab2-vmx/x.c -> 2), or 0."""
    labs = [int(m.group(1)) for c in relpath.split("/") for m in [LAB_COMPONENT.match(c)] if m]
    return max(labs, default=0)


def _uncomment_hash(line, path, no):
    m = re.match(r"^(\s*)# ?(.*)$", line, re.S)
    if not m:
        raise CutError(path, no, "stub line of a '#' STUB block must start with '#'")
    return m.group(1) + m.group(2)


def regions(lines, path, style):
    """Parse the markers of a file. Returns a list of regions
    (lab, begin_idx, end_idx, stub_open_idx, stub_close_idx) with 0-based
    line indexes, or raises CutError with the offending line."""
    mk = MARKERS[style]
    BEGIN, BEGIN_ANY, END, STUB_ANY = mk["begin"], mk["begin_any"], mk["end"], mk["stub_any"]
    opener, closer = mk["stub_open"], mk["stub_close"]
    out = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if END.search(line):
            raise CutError(path, i + 1, "END SOLUTION without a BEGIN SOLUTION before it")
        if STUB_ANY.search(line):
            raise CutError(path, i + 1, "STUB block without a solution region before it")
        if not BEGIN_ANY.search(line):
            i += 1
            continue
        m = BEGIN.search(line)
        if not m:
            raise CutError(path, i + 1, "BEGIN SOLUTION without a lab (want 'BEGIN SOLUTION labN')")
        lab, begin = int(m.group(1)), i
        i += 1
        while i < n and not END.search(lines[i]):
            if BEGIN_ANY.search(lines[i]):
                raise CutError(path, i + 1, f"nested BEGIN SOLUTION (the region opened at "
                                            f"line {begin + 1} is not closed)")
            if STUB_ANY.search(lines[i]):
                raise CutError(path, i + 1, f"STUB inside the solution region opened at "
                                            f"line {begin + 1}")
            i += 1
        if i == n:
            raise CutError(path, begin + 1, "BEGIN SOLUTION without END SOLUTION")
        end = i
        i += 1
        so = opener.match(lines[i]) if i < n else None
        if not so:
            want = "/* STUB lab%d" if style == "c" else "# STUB lab%d"
            raise CutError(path, end + 1, "END SOLUTION must be followed immediately by a '"
                           + want % lab + "' line (the stub students get)")
        if int(so.group(1)) != lab:
            raise CutError(path, i + 1, f"STUB lab{so.group(1)} after a lab{lab} solution")
        stub_open = i
        i += 1
        while i < n and not closer.match(lines[i]):
            l = lines[i]
            if BEGIN_ANY.search(l) or END.search(l) or STUB_ANY.search(l):
                raise CutError(path, i + 1, f"marker inside the STUB block opened at "
                                            f"line {stub_open + 1}")
            if style == "c" and ("/*" in l or "*/" in l):
                raise CutError(path, i + 1, "comment inside a STUB block (it would end the "
                                            "block early): use no /* */ in stub lines")
            if style == "hash":
                _uncomment_hash(l, path, i + 1)
            i += 1
        if i == n:
            raise CutError(path, stub_open + 1, "STUB block without its closing line ("
                           + ("'*/'" if style == "c" else "'# END STUB'") + ")")
        out.append((lab, begin, end, stub_open, i))
        i += 1
    return out


def cut_text(text, lab, path="<text>", style="c"):
    """Return (new_text, stats) for lab @lab's handout. stats: regions
    replaced by stubs (lab == @lab) and kept (earlier labs)."""
    lines = text.splitlines(keepends=True)
    regs = regions(lines, path, style)
    keep = [True] * len(lines)
    repl = {}
    stubbed = kept = 0
    for rlab, b, e, so, sc in regs:
        if rlab > lab:
            raise CutError(path, b + 1, f"solution region of lab{rlab} in a file kept in the "
                                        f"lab{lab} handout (move it under lab{rlab}-*/)")
        for j in (b, e, so, sc):
            keep[j] = False
        if rlab == lab:
            stubbed += 1
            for j in range(b + 1, e):
                keep[j] = False
            if style == "hash":
                for j in range(so + 1, sc):
                    repl[j] = _uncomment_hash(lines[j], path, j + 1)
        else:
            kept += 1
            for j in range(so + 1, sc):
                keep[j] = False
    new = "".join(repl.get(j, l) for j, l in enumerate(lines) if keep[j])
    return new, {"stubbed": stubbed, "kept": kept}


def _significant(line):
    s = line.strip()
    return s if len(s) >= 8 and re.search(r"[A-Za-z0-9]", s) else None


def leaked_lines(ref_text, out_text, lab, path="<text>", style="c"):
    """Lines of lab @lab's solution regions that remain in @out_text and do
    not also appear elsewhere in the reference (outside every region, or in
    a stub). Returns [(line_no_in_out, text)]."""
    lines = ref_text.splitlines()
    regs = regions([l + "\n" for l in lines], path, style)
    secret, public = set(), set()
    inside = set()
    for rlab, b, e, so, sc in regs:
        for j in range(b, sc + 1):
            inside.add(j)
        if rlab == lab:
            secret.update(s for s in map(_significant, lines[b + 1:e]) if s)
        public.update(s for s in map(_significant, lines[so + 1:sc]) if s)
        if rlab < lab:
            public.update(s for s in map(_significant, lines[b + 1:e]) if s)
    public.update(s for j, l in enumerate(lines) if j not in inside
                  for s in [_significant(l)] if s)
    secret -= public
    return [(no + 1, l) for no, l in enumerate(out_text.splitlines())
            if l.strip() in secret]


def list_files(src):
    """Relative paths of the tree's files: git's view when it is a checkout
    (tracked plus untracked-but-not-ignored), else a walk."""
    files = None
    if os.path.isdir(os.path.join(src, ".git")):
        try:
            p = subprocess.run(["git", "-C", src, "ls-files", "-z", "--cached", "--others",
                                "--exclude-standard"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, check=True)
            files = sorted(set(f for f in p.stdout.decode().split("\0") if f))
        except (OSError, subprocess.CalledProcessError):
            files = None
    if files is None:
        files = []
        for d, dirs, names in os.walk(src):
            rel = os.path.relpath(d, src)
            dirs[:] = sorted(x for x in dirs
                             if not (rel == "." and SKIP_TOP.match(x)) and not SKIP_ANY.search(x))
            files += [os.path.normpath(os.path.join(rel, x)) for x in sorted(names)]
    out = []
    for f in files:
        parts = f.split("/")
        if SKIP_TOP.match(parts[0]) or any(SKIP_ANY.search(p) for p in parts) \
                or f.startswith(SKIP_PATHS):
            continue
        if parts[0] == HANDOUT_STAMP and len(parts) == 1:
            continue
        if os.path.lexists(os.path.join(src, f)):
            out.append(f)
    return out


def cut_tree(src, lab, dst, exclude=()):
    """Write lab @lab's handout of @src into the new directory @dst, leaving
    out the relative paths under @exclude (an output inside the tree).
    Returns stats; raises CutError on the first marker error."""
    stats = {"files": 0, "stubbed": 0, "kept": 0, "cut_files": [], "dropped": set()}
    for rel in list_files(src):
        if any(rel == x or rel.startswith(x + "/") for x in exclude):
            continue
        k = lab_of(rel)
        if k > lab:
            stats["dropped"].add(next(c for c in rel.split("/") if LAB_COMPONENT.match(c)
                                      and int(LAB_COMPONENT.match(c).group(1)) > lab))
            continue
        s = os.path.join(src, rel)
        d = os.path.join(dst, rel)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        if os.path.islink(s):
            os.symlink(os.readlink(s), d)
            stats["files"] += 1
            continue
        style = style_for(rel)
        with open(s, "rb") as f:
            data = f.read()
        text = None
        if style and b"\0" not in data:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        mk = MARKERS.get(style)
        if text is not None and any(mk[k].search(l) for l in text.splitlines()
                                    for k in ("begin_any", "end", "stub_any")):
            new, st = cut_text(text, lab, rel, style)
            leaks = leaked_lines(text, new, lab, rel, style)
            if leaks:
                no, l = leaks[0]
                raise CutError(rel, no, f"solution text left in the handout: {l.strip()!r}")
            if st["stubbed"]:
                stats["cut_files"].append(rel)
            stats["stubbed"] += st["stubbed"]
            stats["kept"] += st["kept"]
            data = new.encode("utf-8")
        with open(d, "wb") as f:
            f.write(data)
        shutil.copymode(s, d)
        stats["files"] += 1
    with open(os.path.join(dst, HANDOUT_STAMP), "w") as f:
        f.write(f"hvlab handout for lab {lab}, cut by tools/cut_handout.py\n")
    return stats


def write_handout(src, lab, out, force=False):
    """Cut into a temporary directory beside @out, then rename it into place.
    An existing @out is replaced only if it is an earlier handout (it has a
    .handout stamp) or with force; otherwise nothing is written."""
    out = os.path.abspath(out)
    if os.path.exists(out) and os.listdir(out) and not force and \
            not os.path.exists(os.path.join(out, HANDOUT_STAMP)):
        raise CutError(out, 0, "exists and is not an earlier handout; use --force "
                               "(make handout FORCE=1) to replace it")
    src = os.path.abspath(src)
    if out == src:
        raise CutError(out, 0, "the handout cannot replace the reference tree itself")
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".handout-tmp-", dir=parent)
    try:
        inside = [os.path.relpath(out, src)]
        inside = [x for x in inside if not x.startswith("..")]
        stats = cut_tree(src, lab, tmp, exclude=inside)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if os.path.exists(out):
        old = tempfile.mkdtemp(prefix=".handout-old-", dir=parent)
        os.rmdir(old)
        os.rename(out, old)
    os.rename(tmp, out)
    os.chmod(out, 0o755)
    if old:
        shutil.rmtree(old, ignore_errors=True)
    return stats


def rebuild_pdf(out):
    """Rebuild handout.pdf in the student tree, so that it holds the chapters
    of labs 1..N only (doc/doc.mk takes the chapters present). Without groff
    the reference's PDF stays, and the summary says so."""
    if not shutil.which("groff") or not os.path.exists(os.path.join(out, "handout.pdf")):
        return "handout.pdf left as the reference's (no groff here)"
    r = subprocess.run(["make", "-s", "BUILD=build", "handout.pdf"], cwd=out,
                       capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"cut_handout: handout.pdf does not build in {out}:\n{r.stderr[-2000:]}")
    return "handout.pdf rebuilt with its labs' chapters"


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write the student handout for lab N.")
    ap.add_argument("--lab", type=int, required=True, help="the lab students start (N)")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--src", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    help="reference tree (default: this one)")
    ap.add_argument("--force", action="store_true", help="replace an existing --out")
    a = ap.parse_args(argv)
    if a.lab < 1:
        print("cut_handout: --lab must be 1 or more", file=sys.stderr)
        return 2
    if not glob.glob(os.path.join(a.src, f"lab{a.lab}-*", "lab.mk")):
        print(f"cut_handout: lab {a.lab} is not in {a.src} (no lab{a.lab}-*/lab.mk): "
              f"nothing to hand out", file=sys.stderr)
        return 2
    try:
        st = write_handout(a.src, a.lab, a.out, a.force)
    except CutError as e:
        print(f"cut_handout: {e}", file=sys.stderr)
        print("cut_handout: nothing written", file=sys.stderr)
        return 1
    pdf_note = rebuild_pdf(a.out)
    if st["stubbed"] == 0:
        print(f"cut_handout: warning: lab {a.lab} has no BEGIN SOLUTION lab{a.lab} regions: "
              f"the handout holds the whole reference", file=sys.stderr)
    dropped = ", ".join(sorted(st["dropped"])) or "none"
    print(f"handout for lab {a.lab} in {a.out}: {st['files']} files; "
          f"{st['stubbed']} lab-{a.lab} regions replaced by stubs in "
          f"{len(st['cut_files'])} files; {st['kept']} earlier-lab regions kept; "
          f"left out: {dropped}; {pdf_note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
