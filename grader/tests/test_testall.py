"""Tests of tools/testall.py's counting: criterion and unittest outputs."""
import importlib.util
import os
import types
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_spec = importlib.util.spec_from_file_location("testall", os.path.join(ROOT, "tools", "testall.py"))
testall = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(testall)

ARGS = types.SimpleNamespace(build="build-x", jobs=2)

UNIT_OK = """gcc ... -o build-x/unit/printf
== build-x/unit/printf
[====] Synthesis: Tested: 6 | Passing: 6 | Failing: 0 | Crashing: 0
== build-x/unit/pmm
[----] lab1-boot/tests/unit/test_pmm.c:40: Assertion Failed
[FAIL] pmm::exhaust: (0.00s)
[====] Synthesis: Tested: 12 | Passing: 10 | Failing: 1 | Crashing: 1
== build-x/unit/heap
AddressSanitizer: heap-use-after-free
"""


class Counting(unittest.TestCase):
    def run_step(self, fn, status, output):
        saved = testall.sh
        testall.sh = lambda *a, **k: (status, output)
        try:
            s = testall.Step("x")
            fn(ARGS, s)
            return s
        finally:
            testall.sh = saved

    def test_unit_counts_each_criterion_test(self):
        s = self.run_step(testall.step_unit, 2, UNIT_OK)
        self.assertEqual(s.passed, 16)
        # pmm: 1 failing + 1 crashing; heap: no synthesis line (crashed) -> 1
        self.assertEqual(s.failed, 3)
        text = s.report()
        self.assertIn("[FAIL] x: 16 passed, 3 failed", text)
        self.assertIn("pmm::exhaust", text)
        self.assertIn("build-x/unit/heap: no criterion synthesis line", text)

    def test_unit_build_failure_is_a_failure(self):
        s = self.run_step(testall.step_unit, 2, "test.c:1: error: oops\nmake: *** Error 1\n")
        self.assertEqual((s.passed, s.failed), (0, 1))

    def test_pyunit_counts(self):
        out = ("test_a ... ok\ntest_b ... FAIL\ntest_c ... skipped 'no bochs'\n"
               "Ran 5 tests in 0.1s\n\nFAILED (failures=1, errors=1, skipped=1)\n")
        s = self.run_step(testall.step_pyunit, 1, out)
        self.assertEqual((s.passed, s.failed), (2, 2))
        out = "Ran 3 tests in 0.1s\n\nOK\n"
        s = self.run_step(testall.step_pyunit, 0, out)
        self.assertEqual((s.passed, s.failed), (3, 0))

    def test_empty_step_is_not_a_pass(self):
        self.assertIn("[FAIL]", testall.Step("nothing ran").report())


if __name__ == "__main__":
    unittest.main()
