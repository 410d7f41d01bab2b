"""Tests of grader/gradelib.py on made-up consoles (no emulator needed)."""
import io
import json
import os
import shutil
import tempfile
import threading
import unittest
import xml.etree.ElementTree as ET

from grader import emu, gradelib
from grader.gradelib import Output, RunSpec, TestFailure

CONSOLE = """hvlab: a teaching hypervisor
memory map:
  usable: 1024 KiB
PASS: pmm_alloc_free
FAIL: pmm_exhaust: pmm.c:42: got 0
PASS: heap_small
cpus: 1 online
hvlab: ready
SUMMARY: 3 tests, 1 failures"""


def result(console=CONSOLE, end="finished", end_line="SUMMARY: 3 tests, 1 failures", **kw):
    r = emu.RunResult(emu="bochs", cmdline="", cpus=1, mem=128, timeout=30, command=["bochs"])
    r.console, r.end, r.end_line = console, end, end_line
    for k, v in kw.items():
        setattr(r, k, v)
    return r


class Checks(unittest.TestCase):
    def test_expect_lines_in_order(self):
        Output(result()).expect_lines([r"^memory map", r"usable: \d+", r"^hvlab: ready"])

    def test_expect_lines_reports_expected_and_instead(self):
        with self.assertRaises(TestFailure) as e:
            Output(result()).expect_lines([r"^memory map", r"^cpus: 2 online"])
        msg = str(e.exception)
        self.assertIn("expected a line matching  ^cpus: 2 online", msg)
        self.assertIn("after line 2 ('memory map:')", msg)
        self.assertIn("what came instead:", msg)
        self.assertIn("   3  ", msg)          # numbered context lines
        self.assertIn("usable: 1024 KiB", msg)

    def test_expect_lines_out_of_order(self):
        with self.assertRaises(TestFailure) as e:
            Output(result()).expect_lines([r"^hvlab: ready", r"^memory map"])
        self.assertIn("appears earlier, at line 2", str(e.exception))

    def test_expect_lines_bad_end_is_explained(self):
        r = result(console="hvlab: a\nPANIC on cpu 0: lab1: pmm_init() not implemented\n"
                           "backtrace:", end="panic",
                   end_line="PANIC on cpu 0: lab1: pmm_init() not implemented")
        with self.assertRaises(TestFailure) as e:
            Output(r).expect_lines([r"^hvlab: ready"])
        msg = str(e.exception)
        self.assertIn("the kernel panicked: PANIC on cpu 0: lab1: pmm_init() not implemented", msg)
        self.assertIn("anywhere in the console", msg)
        self.assertIn("     2  PANIC on cpu 0", msg)

    def test_expect_end(self):
        Output(result()).expect_end("finished")
        with self.assertRaises(TestFailure) as e:
            Output(result(end="timeout", end_line="")).expect_end()
        self.assertIn("timeout", str(e.exception))

    def test_expect_ktests(self):
        Output(result()).expect_ktests(["pmm_alloc_free", "heap_small"])
        with self.assertRaises(TestFailure) as e:
            Output(result()).expect_ktests(["pmm_alloc_free", "pmm_exhaust"])
        self.assertIn("pmm_exhaust failed", str(e.exception))
        self.assertIn("pmm.c:42: got 0", str(e.exception))
        with self.assertRaises(TestFailure) as e:
            Output(result()).expect_ktests(["heap_big"])
        self.assertIn("PASS: heap_big  but it never came", str(e.exception))

    def test_expect_ktests_skipped_is_not_passed(self):
        with self.assertRaises(TestFailure) as e:
            Output(result(console="SKIP: smp_ipi: needs 2 CPUs\nSUMMARY: 1 tests, 0 failures, "
                                  "1 skipped")).expect_ktests(["smp_ipi"])
        self.assertIn("smp_ipi was skipped", str(e.exception))
        self.assertIn("needs 2 CPUs", str(e.exception))

    def test_expect_ktests_exact_names(self):
        # "PASS: heap_small" must not satisfy "heap_smal", nor a FAIL of a
        # longer name fail a shorter one.
        with self.assertRaises(TestFailure):
            Output(result()).expect_ktests(["heap_smal"])
        Output(result(console="PASS: a\nFAIL: a_b: x")).expect_ktests(["a"])

    def test_expect_absent(self):
        Output(result()).expect_absent(r"^PANIC")
        with self.assertRaises(TestFailure):
            Output(result()).expect_absent(r"^FAIL:")


class FakeBoot:
    """Stands in for emu.boot: one console per command line, counts boots."""

    def __init__(self, consoles):
        self.consoles = consoles
        self.calls = []
        self.lock = threading.Lock()

    def __call__(self, kernel, emu_name, cmdline, cpus, mem, timeout, **kw):
        with self.lock:
            self.calls.append((emu_name, cmdline, cpus))
        console, end = self.consoles[cmdline]
        return result(console=console, end=end, end_line=console.split("\n")[-1], wall_s=1.5)


class SessionTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="gradelib-test-")
        self.saved = list(gradelib.REGISTRY)
        self.real_boot = emu.boot
        self.fake = FakeBoot({
            "": ("memory map:\nhvlab: ready\nhvlab: nothing more to run", "finished"),
            "test=pmm_*": ("PASS: pmm_a\nFAIL: pmm_b: no\nSUMMARY: 2 tests, 1 failures",
                           "finished"),
            "crash=pf": ("hvlab: ready\nEXCEPTION on cpu 0: vector 14", "timeout"),
        })
        emu.boot = self.fake

    def tearDown(self):
        emu.boot = self.real_boot
        gradelib.REGISTRY[:] = self.saved
        shutil.rmtree(self.tmp)

    def declare(self):
        boot = gradelib.check(10, "banner", gradelib.expect_lines([r"^memory map",
                                                                    r"^hvlab: ready"]),
                              run=RunSpec(), name="t_banner")
        gradelib.check(5, "ready again", gradelib.expect_lines([r"^hvlab: ready"]),
                       run=RunSpec(), name="t_ready", parent=boot)
        pmm = gradelib.check(10, "pmm", gradelib.expect_ktests(["pmm_a", "pmm_b"]),
                             run=RunSpec(cmdline="test=pmm_*"), name="t_pmm")
        gradelib.check(5, "after pmm", gradelib.expect_lines(["x"]), run=RunSpec(),
                       name="t_after", parent=pmm)
        gradelib.check(5, "crash", gradelib.expect_lines([r"^EXCEPTION"], end="exception"),
                       run=RunSpec(cmdline="crash=pf"), name="t_crash")
        return [t for t in gradelib.REGISTRY if t.name.startswith("t_")]

    def test_session(self):
        tests = self.declare()
        out = io.StringIO()
        s = gradelib.Session(emu.Kernel("e", "f", "l"), "bochs", jobs=2,
                             results=self.tmp, stream=out)
        outcomes = s.grade(tests)
        # Equal RunSpecs share one boot.
        self.assertEqual(sorted(self.fake.calls), [("bochs", "", 1), ("bochs", "crash=pf", 1),
                                                   ("bochs", "test=pmm_*", 1)])
        self.assertEqual([o.status for o in outcomes],
                         ["passed", "passed", "failed", "skipped", "failed"])
        self.assertEqual(gradelib.total(outcomes), (15, 35))
        text = out.getvalue()
        self.assertRegex(text, r"banner +OK +10/10 +1\.5s")
        self.assertRegex(text, r"ready again +OK +5/5 +0\.0s")   # run time counted once
        self.assertRegex(text, r"after pmm +SKIP +0/5")
        self.assertIn("skipped: parent failed", text)
        self.assertIn("pmm_b failed", text)
        self.assertIn("timeout", text)
        self.assertIn("full log:", text)
        with open(os.path.join(self.tmp, outcomes[2].test.lab, "t_pmm.log")) as f:
            log = f.read()
        self.assertIn("---- serial console ----\nPASS: pmm_a\nFAIL: pmm_b: no", log)
        self.assertIn("result: failed, 0/10", log)

        gradelib.write_results_json(os.path.join(self.tmp, "r.json"), outcomes, 3.0)
        with open(os.path.join(self.tmp, "r.json")) as f:
            doc = json.load(f)
        self.assertEqual(doc["score"], 15)
        self.assertEqual(len(doc["tests"]), 5)
        t = doc["tests"][2]
        self.assertEqual((t["score"], t["max_score"], t["status"], t["visibility"]),
                         (0, 10, "failed", "visible"))
        self.assertIn("pmm_b", t["output"])
        self.assertEqual(doc["tests"][0]["status"], "passed")

        gradelib.write_junit(os.path.join(self.tmp, "j.xml"), outcomes, 3.0)
        suite = ET.parse(os.path.join(self.tmp, "j.xml")).getroot().find("testsuite")
        self.assertEqual((suite.get("tests"), suite.get("failures"), suite.get("skipped")),
                         ("5", "2", "1"))
        cases = suite.findall("testcase")
        self.assertIsNotNone(cases[2].find("failure"))
        self.assertIsNotNone(cases[3].find("skipped"))
        self.assertIsNone(cases[0].find("failure"))

    def test_duplicate_names_are_refused(self):
        gradelib.check(1, "x", run=RunSpec(), name="t_dup")
        with self.assertRaises(ValueError):
            gradelib.check(1, "y", run=RunSpec(), name="t_dup")

    def test_grader_error_is_a_failure_not_a_crash(self):
        @gradelib.test(3, run=RunSpec(), name="t_broken")
        def broken(out):
            raise KeyError("oops")
        s = gradelib.Session(emu.Kernel("e", "f", "l"), "bochs", stream=io.StringIO())
        [o] = s.grade([broken])
        self.assertEqual(o.status, "failed")
        self.assertIn("grader error", o.message)


if __name__ == "__main__":
    unittest.main()
