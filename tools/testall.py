#!/usr/bin/env python3
"""testall.py - `make test`: every test of the project, one verdict.

Steps (independent ones run two at a time, after the reference build):
  build        make BUILD=B build: must succeed without compiler warnings
  unit         make BUILD=B unit: each criterion test counts (its binaries'
               "Synthesis: Tested: X | Passing: Y | Failing: Z | Crashing: W")
  grader       the grader's own unittests (grader/tests)
  grade        every present lab on the reference build: each graded test
               counts, and each must earn its points (full marks)
  determinism  the same build booted twice under Bochs (test=all, 2 CPUs):
               the consoles must be identical byte for byte
  handout-labN for each present lab N: cut the handout, build it (no
               warnings), grade lab N there: each graded test must earn 0,
               and its console (command line "demo", as make run) must say
               "labN: <function>() not implemented"; labs before N, whole
               in it, must still earn full marks there
  gdb          tools/gdb_test.py, when present (one test)
  docs         handout.pdf rebuilt from doc/ must equal the committed file

Prints each step's result as it ends, then exactly `N passed, N failed`
(individual tests); exit status 1 on any failure.
Usage: tools/testall.py [--build DIR] [--emu E] [--jobs N] [--only STEP ...] [--keep]
"""
import argparse
import concurrent.futures
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from grader import emu, grade  # noqa: E402

PRINT_LOCK = threading.Lock()


class Step:
    """The outcome of one step: counts of individual tests and a report."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.notes = []
        self.seconds = 0.0

    def ok(self, n=1):
        self.passed += n

    def fail(self, note, n=1):
        self.failed += n
        self.notes.append(note)

    def note(self, text):
        self.notes.append(text)

    def report(self):
        verdict = "PASS" if self.failed == 0 and self.passed > 0 else "FAIL"
        head = (f"[{verdict}] {self.name}: {self.passed} passed, {self.failed} failed "
                f"({self.seconds:.1f} s)")
        body = "".join("\n    " + l for n in self.notes for l in n.rstrip().split("\n"))
        return head + body


def sh(cmd, cwd=ROOT, timeout=1800, env=None):
    """Run a command; return (status, combined output)."""
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors="replace", timeout=timeout, env=env)
        return p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return 124, out + f"\n(timed out after {timeout} s)"


def tail(text, n=25):
    return "\n".join(text.rstrip().split("\n")[-n:])


def warnings_in(output):
    return [l for l in output.split("\n") if re.search(r"\bwarning:", l)]


# ---------------------------------------------------------------- steps

def step_build(a, s):
    rc, out = sh(["make", f"BUILD={a.build}", f"-j{a.jobs}", "build"])
    if rc:
        s.fail("the reference does not build:\n" + tail(out))
        return
    w = warnings_in(out)
    if w:
        s.fail("compiler warnings (keep the build warning-free):\n" + "\n".join(w[:20]))
    else:
        s.ok()


def step_linux_fetch(a, s):
    """Lab 4's Linux guest: Debian's kernel and busybox, fetched with apt-get into
    cache/linux (nothing committed), and the initramfs images built from them."""
    rc, out = sh(["make", "linux-fetch"], timeout=900)
    if rc:
        s.fail("make linux-fetch failed (apt-get download of linux-image-cloud-amd64 and "
               "busybox-static):\n" + tail(out))
    else:
        s.ok()


SYNTHESIS = re.compile(r"Synthesis: Tested: (\d+) \| Passing: (\d+) \| Failing: (\d+) \| "
                       r"Crashing: (\d+)")


def step_unit(a, s):
    rc, out = sh(["make", f"BUILD={a.build}", "unit"])
    blocks = re.split(r"^== ", out, flags=re.M)
    if len(blocks) == 1:
        s.fail("make unit built or ran nothing:\n" + tail(out))
        return
    w = warnings_in(blocks[0])
    if w:
        # Host test code may provoke warnings on purpose (printf(NULL)): say so,
        # do not fail; the kernel build (step "build") must be warning-free.
        s.note("compiler warnings in the unit tests (not counted):\n" + "\n".join(w[:10]))
    for b in blocks[1:]:
        name = b.split("\n", 1)[0].strip()
        m = SYNTHESIS.search(b)
        if not m:
            s.fail(f"{name}: no criterion synthesis line (crashed?):\n" + tail(b, 15))
            continue
        tested, passing, failing, crashing = map(int, m.groups())
        s.ok(passing)
        if failing or crashing or passing != tested:
            bad = [l for l in b.split("\n") if re.search(r"\[(FAIL|----)\]|CRASH|signal", l)]
            s.fail(f"{name}: {failing} failing, {crashing} crashing:\n" + "\n".join(bad[:20]),
                   n=max(1, failing + crashing, tested - passing))
    if rc and not s.failed:
        s.fail("make unit failed:\n" + tail(out))


def step_pyunit(a, s):
    rc, out = sh([sys.executable, "-m", "unittest", "discover", "-s", "grader/tests",
                  "-t", ".", "-v"])
    m = re.search(r"^Ran (\d+) tests?", out, re.M)
    if not m:
        s.fail("the grader's unittests did not run:\n" + tail(out))
        return
    ran = int(m.group(1))
    f = re.search(r"^FAILED \((.*)\)", out, re.M)
    counts = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", f.group(1))) if f else {}
    bad = counts.get("failures", 0) + counts.get("errors", 0)
    skipped = len(re.findall(r"\.\.\. skipped", out))
    s.ok(ran - bad - skipped)
    if skipped:
        s.note(f"{skipped} skipped (not counted)")
    if bad or rc:
        s.fail(tail(out, 40), n=max(bad, 1))


def _grade(tree, lab, build, results, emu_name, jobs=1, extra=()):
    cmd = [sys.executable, "-m", "grader.grade", "--lab", str(lab), "--build", build,
           "--results", results, "--emu", emu_name, "-j", str(jobs)] + list(extra)
    rc, out = sh(cmd, cwd=tree)
    try:
        with open(os.path.join(results, "results.json")) as f:
            return rc, out, json.load(f)
    except (OSError, ValueError):
        return rc, out, None


def step_grade(a, s, lab):
    results = os.path.join(a.build, "test-results", f"lab{lab}")
    shutil.rmtree(results, ignore_errors=True)
    rc, out, doc = _grade(ROOT, lab, a.build, results, a.emu, a.grade_jobs)
    if doc is None:
        s.fail(f"the grader wrote no results.json:\n" + tail(out))
        return
    for t in doc["tests"]:
        if t["score"] == t["max_score"] and t["status"] == "passed":
            s.ok()
        else:
            s.fail(f"{t['name']}: {t['score']:g}/{t['max_score']:g}\n  "
                   + t["output"].replace("\n", "\n  "))
    s.note(f"Score: {doc['score']:g}/{doc['extra_data']['max_score']:g}; logs in {results}")


def step_vendor_split(a, s):
    """Generic code includes no vendor header (tools/check_vendor_split.py)."""
    rc, out = sh([sys.executable, "tools/check_vendor_split.py"])
    if rc == 0:
        s.ok()
    else:
        s.fail("generic code includes a vendor header:\n" + tail(out))


# Lab 2's tests that both vendors run alike (the rest are VMX's capability
# report, VMX ktests and the VM-entry checker, whose SVM twins are to come).
LAB2_SVM_TESTS = ("demo", "guest_*")


def step_grade_svm(a, s):
    """Lab 2 under QEMU's TCG, i.e. AMD SVM: the vendor-neutral tests earn full marks."""
    results = os.path.join(a.build, "test-results", "lab2-svm")
    shutil.rmtree(results, ignore_errors=True)
    extra = [x for t in LAB2_SVM_TESTS for x in ("--test", t)]
    rc, out, doc = _grade(ROOT, 2, a.build, results, "qemu", a.grade_jobs, extra)
    if doc is None:
        s.fail("the grader wrote no results.json:\n" + tail(out))
        return
    if not doc["tests"]:
        s.fail("no lab-2 test ran on QEMU")
    for t in doc["tests"]:
        if t["score"] == t["max_score"] and t["status"] == "passed":
            s.ok()
        else:
            s.fail(f"{t['name']} (SVM): {t['score']:g}/{t['max_score']:g}\n  "
                   + t["output"].replace("\n", "\n  "))
    s.note(f"SVM (QEMU TCG): {doc['score']:g} points of lab 2's vendor-neutral tests; "
           f"logs in {results}")


def step_determinism(a, s):
    try:
        kernel = emu.Kernel.from_build(a.build)
    except emu.EmuError as e:
        s.fail(str(e))
        return
    runs = []
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futs = [pool.submit(emu.boot, kernel, "bochs", "test=all", 2, emu.DEFAULT_MEM_MB, 120)
                for _ in range(2)]
        runs = [f.result() for f in futs]
    first, second = runs
    if not first.clean:
        s.fail(f"the run did not finish cleanly: {first.describe()}")
        return
    if first.console == second.console:
        s.ok()
        s.note(f"{len(first.console)} bytes identical; boot took {first.boot_ticks} TSC "
               f"ticks; {first.wall_s:.1f} s wall per run")
    else:
        diff = difflib.unified_diff(first.console.split("\n"), second.console.split("\n"),
                                    "run 1", "run 2", lineterm="", n=1)
        s.fail("two Bochs runs of the same build differ:\n" + "\n".join(list(diff)[:30]))


def step_handout(a, s, lab, workdir):
    out = os.path.join(workdir, f"handout-lab{lab}")
    rc, text = sh([sys.executable, os.path.join(ROOT, "tools", "cut_handout.py"),
                   "--lab", str(lab), "--out", out, "--force"])
    if rc:
        s.fail("the cutter failed:\n" + tail(text))
        return
    s.ok()
    rc, text = sh(["make", "BUILD=build", f"-j{a.jobs}", "build"], cwd=out)
    if rc:
        s.fail(f"the lab-{lab} handout does not build:\n" + tail(text))
        return
    w = warnings_in(text)
    if w:
        s.fail("the handout's stubs compile with warnings:\n" + "\n".join(w[:20]))
    else:
        s.ok()
    # The student's view: `make run` (command line "demo"); the console
    # must name the missing function.
    r = emu.boot(emu.Kernel.from_build(os.path.join(out, "build")), "bochs", "demo", 1,
                 emu.DEFAULT_MEM_MB, 60)
    m = re.search(rf"lab{lab}: \w+\(\) not implemented", r.console)
    if m:
        s.ok()
        s.note(f"the handout says: {m.group(0)}")
    else:
        s.fail(f"the handout's console does not say 'lab{lab}: <function>() not "
               f"implemented'; it ended: {r.describe()}\n" + tail(r.console, 8))
    # --no-parents: each test on its own must earn nothing without lab-N code.
    rc, text, doc = _grade(out, lab, "build", os.path.join(out, "build", "results"), a.emu,
                           a.grade_jobs, ["--no-parents"])
    if doc is None:
        s.fail("the handout's grader wrote no results.json:\n" + tail(text))
        return
    for t in doc["tests"]:
        if t["score"] == 0:
            s.ok()
        else:
            s.fail(f"the handout earns {t['score']:g} points on {t['name']!r} without "
                   "any student code: that test does not depend on lab-"
                   f"{lab} code")
    s.note(f"handout Score: {doc['score']:g}/{doc['extra_data']['max_score']:g} (must be 0)")
    # Labs before N are whole in the handout: they must still earn full marks.
    for k in range(1, lab):
        rc, text, doc = _grade(out, k, "build", os.path.join(out, "build", f"results-lab{k}"),
                               a.emu, a.grade_jobs, [])
        if doc is not None and doc["score"] == doc["extra_data"]["max_score"]:
            s.ok()
            s.note(f"lab {k} in the lab-{lab} handout: {doc['score']:g}/"
                   f"{doc['extra_data']['max_score']:g}")
        else:
            s.fail(f"lab {k} is whole in the lab-{lab} handout but does not earn full marks "
                   "there:\n" + tail(text))


def step_gdb(a, s):
    rc, out = sh([sys.executable, os.path.join("tools", "gdb_test.py"), "--build", a.build],
                 timeout=300)
    if rc == 0:
        s.ok()
    else:
        s.fail(f"tools/gdb_test.py exited {rc}:\n" + tail(out))


def step_docs(a, s):
    rc, out = sh(["make", f"BUILD={a.build}", "handout-check"], timeout=300)
    if rc == 0:
        s.ok()
    else:
        s.fail("handout.pdf does not match its sources:\n" + tail(out))


# ---------------------------------------------------------------- driver

def main(argv=None):
    ap = argparse.ArgumentParser(description="Run every hvlab test.")
    ap.add_argument("--build", default="build")
    ap.add_argument("--emu", default=(os.environ.get("EMU") or "auto").strip() or "auto",
                    help="emulator for graded runs that do not pin one (default auto)")
    ap.add_argument("--jobs", type=int, default=2, help="steps at once, and make -j")
    ap.add_argument("--grade-jobs", type=int, default=1,
                    help="emulators at once inside each grade step")
    ap.add_argument("--only", action="append", default=[],
                    help="run only these steps (build is always run): unit, grader, "
                         "grade, determinism, handout, gdb, docs")
    ap.add_argument("--keep", action="store_true", help="keep the handout trees")
    a = ap.parse_args(argv)
    t0 = time.monotonic()
    labs = grade.present_labs(ROOT)
    steps = []

    def want(name):
        return not a.only or name in a.only

    def run(name, fn, *args):
        s = Step(name)
        t = time.monotonic()
        try:
            fn(a, s, *args)
        except Exception as e:  # a broken step is a failure, not a crash
            s.fail(f"{type(e).__name__}: {e}")
        s.seconds = time.monotonic() - t
        with PRINT_LOCK:
            print(s.report(), flush=True)
        steps.append(s)
        return s

    print(f"testall: labs present: {', '.join(map(str, labs)) or 'none'}; "
          f"build dir {a.build}", flush=True)
    built = run("build", step_build)
    if any(n >= 4 for n in labs) and want("grade"):
        run("linux guest (make linux-fetch)", step_linux_fetch)
    workdir = tempfile.mkdtemp(prefix="testall-", dir=os.path.abspath(a.build)) \
        if os.path.isdir(a.build) else tempfile.mkdtemp(prefix="hvlab-testall-")
    jobs = []
    if want("unit"):
        jobs.append(("unit tests (criterion)", step_unit))
    if want("grader"):
        jobs.append(("grader unittests", step_pyunit))
    if built.failed == 0:
        if want("grade"):
            jobs += [(f"grade lab{n} (reference: full marks)", step_grade, n) for n in labs]
            if 2 in labs:
                jobs.append(("grade lab2 on SVM (QEMU TCG: demo and in-guest tests)",
                             step_grade_svm))
        if want("determinism"):
            jobs.append(("determinism (Bochs, test=all, 2 CPUs, twice)", step_determinism))
        if want("gdb") and os.path.exists(os.path.join(ROOT, "tools", "gdb_test.py")):
            jobs.append(("gdb test (tools/gdb_test.py)", step_gdb))
    if want("unit"):
        jobs.append(("vendor split (generic code includes no vmx/ or svm/ header)",
                     step_vendor_split))
    if want("docs"):
        jobs.append(("handout.pdf (built from doc/, matches the committed file)", step_docs))
    if want("handout"):
        jobs += [(f"handout lab{n} (earns 0, names the missing code)", step_handout, n, workdir)
                 for n in labs]
    with concurrent.futures.ThreadPoolExecutor(max(1, a.jobs)) as pool:
        for f in [pool.submit(run, *j) for j in jobs]:
            f.result()

    failed = sum(s.failed for s in steps)
    passed = sum(s.passed for s in steps)
    if failed == 0 and not a.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"testall: handout trees kept in {workdir}")
    print(f"testall: {time.monotonic() - t0:.1f} s wall")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        emu.kill_all()
        print("\ntestall: interrupted", file=sys.stderr)
        os._exit(130)
