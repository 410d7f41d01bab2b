"""gradelib.py - declaring graded tests and scoring them (after MIT's gradelib).

A lab's grader/labN.py declares its tests:

    from grader.gradelib import RunSpec, test, check, expect_lines, expect_ktests

    BOOT = RunSpec()                                   # boot, no test= option
    KT = RunSpec(cmdline="test=pmm_*,heap_*")          # in-kernel tests

    @test(10, "boot banner", run=BOOT)
    def boot_banner(out):
        out.expect_lines([r"^memory map:", r"^hvlab: ready"])

    check(10, "pmm", expect_ktests(["pmm_alloc_free"]), run=KT, parent=boot_banner)

Every test names the run it checks (a RunSpec: emulator, command line, CPUs,
memory, timeout). A session boots each distinct RunSpec once, in parallel
when allowed (-j), and every test that names it checks the same console.
A test whose parent failed is skipped ("parent failed"). A check raises
TestFailure with a message that shows the expected line, what came instead
with context, and how the run ended; the whole console goes to a log file.
"""
import concurrent.futures
import dataclasses
import inspect
import json
import os
import re
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

from grader import emu


_DEFAULT_MEM_MB = emu.DEFAULT_MEM_MB      # (the field "emu" below hides the module)
_DEFAULT_TIMEOUT = emu.DEFAULT_TIMEOUT


@dataclasses.dataclass(frozen=True)
class RunSpec:
    """One boot of the kernel. Equal specs share one run in a session."""
    cmdline: str = ""
    emu: str = None            # None: the session's emulator (--emu, EMU=)
    cpus: int = 1
    mem: int = _DEFAULT_MEM_MB
    timeout: float = _DEFAULT_TIMEOUT
    # Guest files linked into a kernel of its own for this run (lab 4's boot=NAME):
    # ((name, path relative to the grader's repository), ...). The session builds
    # that kernel from the graded tree first.
    payloads: tuple = ()
    # Typed on the serial line ((regex, text), ...): each text once the console matches.
    script: tuple = ()

    def describe(self):
        e = self.emu or "session emulator"
        extra = f", payloads={','.join(n for n, _ in self.payloads)}" if self.payloads else ""
        return f"{e}, cpus={self.cpus}, cmdline={self.cmdline!r}{extra}"


class TestFailure(AssertionError):
    """A check failed; the message is what the student reads."""


@dataclasses.dataclass
class Test:
    name: str                  # identifier: function name, used for log files
    title: str                 # what the output line shows
    points: float
    fn: object                 # fn(out: Output) raises TestFailure
    lab: str                   # "lab1"
    run: RunSpec = None
    parent: "Test" = None


# Every test declared so far, in declaration order, across lab modules.
REGISTRY = []


def _caller_lab(depth):
    mod = inspect.stack()[depth].frame.f_globals.get("__name__", "")
    m = re.search(r"(lab\d+)$", mod)
    return m.group(1) if m else mod


def _parent(p):
    if p is None or isinstance(p, Test):
        return p
    for t in REGISTRY:
        if t.name == p:
            return t
    raise ValueError(f"parent test {p!r} is not declared (declare it first)")


def test(points, title=None, parent=None, run=None, name=None):
    """Decorator: declare fn(out) as a test worth @points, checked against
    the console of @run, skipped when @parent failed. Returns the Test."""
    def wrap(fn):
        t = Test(name=name or fn.__name__, title=title or fn.__name__, points=points,
                 fn=fn, lab=_caller_lab(2), run=run, parent=_parent(parent))
        _register(t)
        return t
    return wrap


def check(points, title, *checks, run=None, parent=None, name=None):
    """Declare a test in one line from check functions (expect_lines(...),
    expect_ktests(...), ...). Returns the Test, usable as a parent."""
    def fn(out):
        for c in checks:
            c(out)
    t = Test(name=name or re.sub(r"\W+", "_", title).strip("_").lower(), title=title,
             points=points, fn=fn, lab=_caller_lab(2), run=run, parent=_parent(parent))
    _register(t)
    return t


def _register(t):
    if any(o.lab == t.lab and o.name == t.name for o in REGISTRY):
        raise ValueError(f"{t.lab}: test {t.name!r} declared twice")
    REGISTRY.append(t)


# ---------------------------------------------------------------- checks

def expect_lines(patterns, end=None):
    """Check: each regex matches a console line, in this order."""
    return lambda out: out.expect_lines(patterns, end=end)


def expect_ktests(names, prefix=""):
    """Check: each in-kernel test printed `PASS: name` and no `FAIL: name`.
    prefix: the tests' lines start with it (a guest's console, e.g.
    "[guest lab2-tests] ")."""
    return lambda out: out.expect_ktests(names, prefix)


def expect_absent(pattern):
    """Check: no console line matches the regex."""
    return lambda out: out.expect_absent(pattern)


def expect_end(*kinds):
    """Check: the run ended one of these ways (default: finished cleanly)."""
    return lambda out: out.expect_end(*(kinds or ("finished",)))


CONTEXT_LINES = 6


class Output:
    """The console of one run, with the assertions tests use."""

    def __init__(self, result):
        self.result = result
        self.console = result.console
        self.lines = self.console.split("\n")
        if len(self.lines) > 1 and self.lines[-1] == "":
            self.lines.pop()        # the newline that ends the last line

    def _ended(self):
        return "" if self.result.clean else "\nThe run ended badly: " + self.result.describe()

    def _excerpt(self, start, n=CONTEXT_LINES, mark=None):
        start = max(0, start)
        rows = []
        for i in range(start, min(len(self.lines), start + n)):
            rows.append(f"  {i + 1:4d}{'>' if i == mark else ' '} {self.lines[i]}")
        return "\n".join(rows) if rows else "  (nothing: the console ends here)"

    def expect_lines(self, patterns, end=None):
        """Each regex must match a line, in order (a line after the previous
        match). end: also require how the run ended ("finished", ...)."""
        pos = 0
        prev = None
        for pat in patterns:
            rx = re.compile(pat)
            hit = next((i for i in range(pos, len(self.lines)) if rx.search(self.lines[i])), None)
            if hit is None:
                where = (f"after line {prev + 1} ({self.lines[prev].strip()!r})"
                         if prev is not None else "anywhere in the console")
                msg = [f"expected a line matching  {pat}", f"  {where}"]
                early = next((i for i in range(0, pos) if rx.search(self.lines[i])), None)
                if early is not None:
                    msg.append(f"  (it appears earlier, at line {early + 1}, out of order)")
                if pos < len(self.lines) and any(l.strip() for l in self.lines[pos:]):
                    msg.append("what came instead:")
                    msg.append(self._excerpt(pos))
                else:
                    msg.append("what came instead: nothing; the console's last lines:")
                    msg.append(self._excerpt(len(self.lines) - CONTEXT_LINES))
                raise TestFailure("\n".join(msg) + self._ended())
            prev, pos = hit, hit + 1
        if end:
            self.expect_end(*([end] if isinstance(end, str) else end))

    def expect(self, pattern):
        """One regex must match some line."""
        self.expect_lines([pattern])

    def expect_absent(self, pattern):
        rx = re.compile(pattern)
        for i, l in enumerate(self.lines):
            if rx.search(l):
                raise TestFailure(f"unexpected line matching  {pattern}\n"
                                  + self._excerpt(i - 2, mark=i))

    def expect_end(self, *kinds):
        kinds = kinds or ("finished",)
        if self.result.end not in kinds:
            raise TestFailure(f"expected the run to end: {' or '.join(kinds)}\n"
                              f"it ended: {self.result.describe()}\n"
                              "the console's last lines:\n"
                              + self._excerpt(len(self.lines) - CONTEXT_LINES))

    def expect_ktests(self, names, prefix=""):
        """Each named test printed `PASS: name`, none `FAIL: name`; with
        @prefix, only lines that start with it count (a guest's tests)."""
        body = [l[len(prefix):].strip() if l.startswith(prefix) else None for l in self.lines]
        problems = []
        what = "in-guest test" if prefix else "in-kernel test"
        for n in names:
            passed = [i for i, l in enumerate(body) if l == f"PASS: {n}"]
            failed = [i for i, l in enumerate(body)
                      if l is not None and re.match(rf"FAIL: {re.escape(n)}(:|\s*$)", l)]
            skipped = [i for i, l in enumerate(body)
                       if l is not None and re.match(rf"SKIP: {re.escape(n)}(:|\s*$)", l)]
            if failed:
                problems.append(f"{what} {n} failed:\n" + self._excerpt(failed[0], 1))
            elif skipped and not passed:
                problems.append(f"{what} {n} was skipped (it must pass):\n"
                                + self._excerpt(skipped[0], 1))
            elif not passed:
                problems.append(f"expected the line  {prefix}PASS: {n}  but it never came")
        if problems:
            msg = "\n".join(problems)
            if any("never came" in p for p in problems):
                msg += "\nthe console's last lines:\n" + \
                    self._excerpt(len(self.lines) - CONTEXT_LINES)
            raise TestFailure(msg + self._ended())


# ---------------------------------------------------------------- a session

@dataclasses.dataclass
class Outcome:
    test: Test
    status: str                 # passed | failed | skipped
    score: float
    seconds: float
    message: str = ""
    log: str = None


class Session:
    """Grades a list of tests against one kernel build."""

    def __init__(self, kernel, emu_name="auto", jobs=1, results=None, work_dir=None,
                 stream=sys.stdout, verbose=False, parents=True, tree=None):
        self.kernel = kernel
        self.tree = tree or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.variant_lock = threading.Lock()
        self.emu = emu.choose(emu_name)
        self.jobs = max(1, jobs)
        self.results = results
        self.work_dir = work_dir
        self.stream = stream
        self.verbose = verbose
        self.parents = parents  # False: grade every test even if its parent failed
        self.runs = {}          # resolved RunSpec -> Future of RunResult
        self.charged = set()    # runs whose time was counted already
        self.pool = concurrent.futures.ThreadPoolExecutor(self.jobs)

    def resolve(self, spec):
        return dataclasses.replace(spec, emu=emu.choose(spec.emu or self.emu))

    def _start(self, spec):
        if spec not in self.runs:
            self.runs[spec] = self.pool.submit(self._boot, spec)
        return self.runs[spec]

    def _variant(self, payloads):
        """The kernel of this build with @payloads linked in: built once, next to it."""
        build = os.path.join(os.path.dirname(os.path.abspath(self.kernel.elf)),
                             "payloads-" + "-".join(n for n, _ in payloads))
        # The files come from the grader's own repository (its cache/), whichever tree is graded.
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        missing = [p for _, p in payloads if not os.path.exists(os.path.join(root, p))]
        if missing:
            raise emu.EmuError(f"{', '.join(missing)} missing: run `make linux-fetch` first")
        spec = " ".join(f"{n}={os.path.join(root, p)}" for n, p in payloads)
        with self.variant_lock:
            p = subprocess.run(["make", "-C", self.tree, f"BUILD={build}", f"PAYLOADS={spec}",
                                "build"], capture_output=True, text=True)
        if p.returncode:
            raise emu.EmuError(f"building the kernel with payloads failed:\n{p.stdout[-2000:]}"
                               f"{p.stderr[-2000:]}")
        return emu.Kernel.from_build(build)

    def _boot(self, spec):
        try:
            kernel = self._variant(spec.payloads) if spec.payloads else self.kernel
            return emu.boot(kernel, spec.emu, spec.cmdline, spec.cpus, spec.mem,
                            spec.timeout, work_dir=self.work_dir, script=spec.script)
        except emu.EmuError as e:
            r = emu.RunResult(emu=spec.emu, cmdline=spec.cmdline, cpus=spec.cpus,
                              mem=spec.mem, timeout=spec.timeout, command=[])
            r.end, r.detail = "died", f"could not start: {e}"
            return r

    def grade(self, tests):
        """Grade @tests in order. Runs start ahead of the test that needs
        them, -j at a time, skipping runs only doomed tests would check."""
        outcomes = {}
        width = max([len(f"{t.lab} {t.title}") for t in tests] + [20])
        for i, t in enumerate(tests):
            o = self._grade_one(t, outcomes, tests[i:])
            outcomes[id(t)] = o
            pts = f"{o.score:g}/{t.points:g}"
            word = {"passed": "OK", "failed": "FAIL", "skipped": "SKIP"}[o.status]
            self.stream.write(f"{t.lab} {t.title}".ljust(width + 1)
                              + f" {word:4} {pts:>7}  {o.seconds:5.1f}s\n")
            if o.status != "passed":
                for line in o.message.split("\n"):
                    self.stream.write("    " + line + "\n")
                if o.log:
                    self.stream.write(f"    full log: {o.log}\n")
            self.stream.flush()
        self.pool.shutdown(wait=True)
        return [outcomes[id(t)] for t in tests]

    def _doomed(self, t, outcomes):
        """True when @t's parent is known to have failed or been skipped."""
        if not self.parents:
            return False
        po = outcomes.get(id(t.parent)) if t.parent is not None else None
        return po is not None and po.status != "passed"

    def _refill(self, upcoming, outcomes):
        """Start the runs of the next tests until -j runs are in flight."""
        inflight = [f for f in self.runs.values() if not f.done()]
        for t in upcoming:
            if len(inflight) >= self.jobs:
                break
            if t.run is None or self._doomed(t, outcomes):
                continue
            spec = self.resolve(t.run)
            if spec not in self.runs:
                inflight.append(self._start(spec))
        return inflight

    def _result(self, spec, upcoming, outcomes):
        f = self._start(spec)
        while not f.done():
            inflight = self._refill(upcoming, outcomes)
            concurrent.futures.wait(inflight or [f], timeout=1,
                                    return_when=concurrent.futures.FIRST_COMPLETED)
        return f.result()

    def _grade_one(self, t, outcomes, upcoming):
        if self._doomed(t, outcomes):
            return Outcome(t, "skipped", 0, 0.0,
                           f"skipped: parent failed ({t.parent.lab} {t.parent.title})")
        t0 = time.monotonic()
        result = None
        seconds = 0.0
        if t.run is not None:
            spec = self.resolve(t.run)
            result = self._result(spec, upcoming, outcomes)
            if spec not in self.charged:
                self.charged.add(spec)
                seconds += result.wall_s
        try:
            t.fn(Output(result) if result is not None else None)
            status, msg = "passed", ""
        except TestFailure as e:
            status, msg = "failed", str(e)
        except Exception as e:  # a bug in the test itself must not stop grading
            status, msg = "failed", f"grader error in {t.name}: {type(e).__name__}: {e}"
        o = Outcome(t, status, t.points if status == "passed" else 0, 0.0, msg)
        o.seconds = seconds + (time.monotonic() - t0 if result is None else 0.0)
        o.log = self._save_log(o, result)
        return o

    def _save_log(self, o, result):
        if not self.results:
            return None
        d = os.path.join(self.results, o.test.lab)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, f"{o.test.name}.log")
        with open(path, "w") as f:
            f.write(f"test: {o.test.lab} {o.test.title} ({o.test.name})\n")
            f.write(f"result: {o.status}, {o.score:g}/{o.test.points:g}\n")
            if o.message:
                f.write(o.message + "\n")
            if result is not None:
                f.write("\n" + result.summary() + "\n")
                f.write("\n---- serial console ----\n" + result.console)
                if not result.console.endswith("\n"):
                    f.write("\n")
                f.write("---- end of console ----\n")
                if result.emu_errors:
                    f.write(f"\n---- {result.emu} {result.errors_from} (errors) ----\n"
                            + "\n".join(result.emu_errors) + "\n")
        return shortpath(path)


def shortpath(path):
    """@path relative to the current directory when it is below it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


# ---------------------------------------------------------------- reports

def total(outcomes):
    return sum(o.score for o in outcomes), sum(o.test.points for o in outcomes)


def write_results_json(path, outcomes, elapsed):
    """Gradescope's results.json."""
    score, max_score = total(outcomes)
    doc = {
        "score": score,
        "execution_time": round(elapsed, 2),
        "output": f"Score: {score:g}/{max_score:g}",
        "visibility": "visible",
        "stdout_visibility": "visible",
        "extra_data": {"max_score": max_score},
        "tests": [{
            "name": f"{o.test.lab}: {o.test.title}",
            "score": o.score,
            "max_score": o.test.points,
            "status": "passed" if o.status == "passed" else "failed",
            "output": o.message or ("passed" if o.status == "passed" else ""),
            "visibility": "visible",
        } for o in outcomes],
    }
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def write_junit(path, outcomes, elapsed):
    """JUnit XML: one testsuite per lab, one testcase per graded test."""
    root = ET.Element("testsuites", name="hvlab grade", time=f"{elapsed:.2f}")
    labs = {}
    for o in outcomes:
        labs.setdefault(o.test.lab, []).append(o)
    for lab, os_ in labs.items():
        suite = ET.SubElement(root, "testsuite", name=lab, tests=str(len(os_)),
                              failures=str(sum(o.status == "failed" for o in os_)),
                              skipped=str(sum(o.status == "skipped" for o in os_)),
                              time=f"{sum(o.seconds for o in os_):.2f}")
        for o in os_:
            case = ET.SubElement(suite, "testcase", classname=lab, name=o.test.title,
                                 time=f"{o.seconds:.2f}")
            if o.status == "failed":
                fail = ET.SubElement(case, "failure",
                                     message=(o.message.split("\n")[0])[:200])
                fail.text = o.message
            elif o.status == "skipped":
                ET.SubElement(case, "skipped", message=o.message)
            if o.log:
                ET.SubElement(case, "system-out").text = f"full log: {o.log}"
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
