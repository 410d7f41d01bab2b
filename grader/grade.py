#!/usr/bin/env python3
"""grade.py - grade one lab, or every lab present (`make grade`, `make grade-labN`).

    python3 -m grader.grade [--lab N|all] [--build DIR] [--tree DIR]
                            [--emu auto|bochs|qemu|kvm] [-j N] [--results DIR]
                            [--test NAME ...] [--list]

A lab is present when its directory has a lab.mk (lab1-boot/lab.mk) and the
grader has its declarations (grader/lab1.py). --tree grades another tree
(a student handout): it is built there first (make -C TREE BUILD=DIR build),
then graded with this grader's declarations.

Prints one line per test, then `Score: X/Y`; writes RESULTS/results.json
(Gradescope), RESULTS/junit.xml, and RESULTS/labN/<test>.log for every
test. Exit status 0 only at full marks.
"""
import argparse
import fnmatch
import glob
import importlib
import os
import re
import subprocess
import sys
import time

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from grader import emu, gradelib  # noqa: E402

GRADER_DIR = os.path.dirname(os.path.abspath(__file__))


def present_labs(tree):
    """Lab numbers with both a labN-*/lab.mk in @tree and a grader/labN.py here."""
    labs = set()
    for mk in glob.glob(os.path.join(tree, "lab*-*", "lab.mk")):
        m = re.match(r"lab(\d+)-", os.path.basename(os.path.dirname(mk)))
        if m and os.path.exists(os.path.join(GRADER_DIR, f"lab{m.group(1)}.py")):
            labs.add(int(m.group(1)))
    return sorted(labs)


def load_tests(labs):
    """Import grader/labN.py for each lab; return their tests in order."""
    for n in labs:
        importlib.import_module(f"grader.lab{n}")
    names = {f"lab{n}" for n in labs}
    return [t for t in gradelib.REGISTRY if t.lab in names]


def select(tests, patterns):
    """Tests whose name or title matches a pattern, plus their parents."""
    if not patterns:
        return tests
    chosen = set()
    for t in tests:
        if any(fnmatch.fnmatch(t.name, p) or fnmatch.fnmatch(t.title, p) for p in patterns):
            while t is not None:
                chosen.add(id(t))
                t = t.parent
    return [t for t in tests if id(t) in chosen]


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="python3 -m grader.grade",
                                 description="Grade hvlab labs.")
    ap.add_argument("--lab", default="all", help="lab number, or 'all' (default)")
    ap.add_argument("--build", default="build", help="build directory (default: build)")
    ap.add_argument("--tree", help="grade this source tree (built there first)")
    ap.add_argument("--emu", default=os.environ.get("EMU", "auto").strip() or "auto",
                    help="emulator for tests that do not pin one (default: auto)")
    ap.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("GRADE_JOBS", "0")),
                    help="emulators run at once (default: CPU count, at most 4)")
    ap.add_argument("--results", help="where results.json, junit.xml and logs go "
                                      "(default: grader/results, or BUILD/results for "
                                      "another build dir or tree)")
    ap.add_argument("--test", action="append", default=[], metavar="NAME",
                    help="only tests matching this name or glob (repeatable)")
    ap.add_argument("--list", action="store_true", help="list the tests and exit")
    ap.add_argument("--no-parents", action="store_true",
                    help="grade every test even when its parent failed (make test uses "
                         "this on handouts: each test alone must earn nothing there)")
    return ap.parse_args(argv)


def main(argv=None):
    a = parse_args(argv)
    tree = os.path.abspath(a.tree) if a.tree else os.path.dirname(GRADER_DIR)
    build = a.build if os.path.isabs(a.build) else os.path.join(tree, a.build)
    labs = present_labs(tree)
    if a.lab != "all":
        n = int(a.lab.replace("lab", ""))
        if n not in labs:
            print(f"grade: lab {n} is not present in {tree} "
                  f"(need lab{n}-*/lab.mk and grader/lab{n}.py)", file=sys.stderr)
            return 2
        labs = [n]
    if not labs:
        print(f"grade: no lab present in {tree}", file=sys.stderr)
        return 2
    tests = select(load_tests(labs), a.test)
    if a.list:
        for t in tests:
            parent = f"  (parent: {t.parent.name})" if t.parent else ""
            spec = t.run.describe() if t.run else "no run"
            print(f"{t.lab} {t.name:24} {t.points:>4g}  {t.title}  [{spec}]{parent}")
        return 0
    if not tests:
        print("grade: no test matches", file=sys.stderr)
        return 2

    if a.tree:
        print(f"grade: building {tree} into {build}", file=sys.stderr)
        p = subprocess.run(["make", "-C", tree, f"BUILD={build}", "-j2", "build"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode:
            print(p.stdout[-4000:], file=sys.stderr)
            print(f"grade: the build of {tree} failed: no test can run", file=sys.stderr)
    results = a.results
    if not results:
        default_build = os.path.join(os.path.dirname(GRADER_DIR), "build")
        results = (os.path.join(GRADER_DIR, "results")
                   if not a.tree and os.path.abspath(build) == default_build
                   else os.path.join(build, "results"))
    os.makedirs(results, exist_ok=True)
    jobs = a.jobs or min(4, os.cpu_count() or 1)

    t0 = time.monotonic()
    try:
        kernel = emu.Kernel.from_build(build)
        session = gradelib.Session(kernel, a.emu, jobs=jobs, results=results,
                                   work_dir=os.path.join(build, "runs"),
                                   parents=not a.no_parents, tree=tree)
        print(f"grade: labs {', '.join(map(str, labs))} on {build} "
              f"(emulator: {session.emu}, {jobs} at a time)")
        outcomes = session.grade(tests)
    except emu.EmuError as e:
        # No kernel: every test fails with the reason, and the reports say so.
        print(f"grade: {e}", file=sys.stderr)
        outcomes = [gradelib.Outcome(t, "failed", 0, 0.0, f"no run: {e}") for t in tests]
    elapsed = time.monotonic() - t0
    score, max_score = gradelib.total(outcomes)
    gradelib.write_results_json(os.path.join(results, "results.json"), outcomes, elapsed)
    gradelib.write_junit(os.path.join(results, "junit.xml"), outcomes, elapsed)
    where = gradelib.shortpath(results)
    print(f"grade: {elapsed:.1f} s; reports in {where}/{{results.json,junit.xml}}; "
          f"logs in {where}/labN/")
    print(f"Score: {score:g}/{max_score:g}", flush=True)
    return 0 if score == max_score else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        emu.kill_all()
        print("\ngrade: interrupted", file=sys.stderr)
        os._exit(130)
