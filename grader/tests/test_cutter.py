"""Tests of tools/cut_handout.py: marker parsing, errors, whole trees.

Marker strings are assembled from pieces so that this file itself holds no
marker line (the cutter reads every file of the tree).
"""
import importlib.util
import os
import shutil
import stat
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_spec = importlib.util.spec_from_file_location("cut_handout",
                                               os.path.join(ROOT, "tools", "cut_handout.py"))
cut = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cut)

SOL = "SOLUTION"


def begin(lab):
    return f"\t/* BEGIN {SOL} lab{lab} */\n"


END = f"\t/* END {SOL} */\n"


def stub(lab, *lines):
    return f"\t/* STUB lab{lab}\n" + "".join(f"\t{l}\n" for l in lines) + "\t*/\n"


def func(lab, name, body, stub_lines):
    return (f"int {name}(int x)\n{{\n" + begin(lab) + "".join(f"\t{l}\n" for l in body)
            + END + stub(lab, *stub_lines) + "}\n")


PMM = ("/* pmm.c */\n#include \"pmm.h\"\n\n"
       + func(1, "page_alloc", ["int frame = bitmap_find_first_zero(x);",
                                "return frame_to_address(frame);"],
              ["(void)x;", "NOT_IMPLEMENTED(\"lab1\");"])
       + "\nint helper(void) { return 1; }\n")


class CutText(unittest.TestCase):
    def test_lab_n_gets_the_stub(self):
        out, st = cut.cut_text(PMM, 1, "pmm.c")
        self.assertNotIn("bitmap_find_first_zero", out)
        self.assertNotIn("frame_to_address", out)
        self.assertIn("\tNOT_IMPLEMENTED(\"lab1\");\n", out)
        self.assertIn("\t(void)x;\n", out)
        self.assertNotIn(SOL, out)
        self.assertNotIn("STUB", out)
        self.assertNotIn("*/\n}", out)
        self.assertIn("int helper(void)", out)
        self.assertEqual(st, {"stubbed": 1, "kept": 0})
        self.assertEqual(cut.leaked_lines(PMM, out, 1), [])

    def test_earlier_lab_keeps_the_solution(self):
        out, st = cut.cut_text(PMM, 2, "pmm.c")
        self.assertIn("\tint frame = bitmap_find_first_zero(x);\n", out)
        self.assertNotIn("NOT_IMPLEMENTED", out)
        self.assertNotIn(SOL, out)
        self.assertNotIn("STUB", out)
        self.assertEqual(st, {"stubbed": 0, "kept": 1})
        self.assertEqual(out, PMM.replace(begin(1), "").replace(END, "")
                         .replace(stub(1, "(void)x;", "NOT_IMPLEMENTED(\"lab1\");"), ""))

    def test_text_without_markers_is_unchanged(self):
        text = "int main(void) { return 0; }\n/* a comment */\n"
        self.assertEqual(cut.cut_text(text, 1)[0], text)

    def test_later_lab_in_kept_file_is_an_error(self):
        text = "x\n" + func(3, "vmx_on", ["vmxon();"], ["NOT_IMPLEMENTED(\"lab3\");"])
        with self.assertRaises(cut.CutError) as e:
            cut.cut_text(text, 2, "common/vmx.c")
        self.assertEqual(e.exception.line, 4)
        self.assertIn("lab3", str(e.exception))
        self.assertTrue(str(e.exception).startswith("common/vmx.c:4:"))

    def assertCutError(self, text, line, words):
        with self.assertRaises(cut.CutError) as e:
            cut.cut_text(text, 1, "f.c")
        self.assertEqual(e.exception.line, line, str(e.exception))
        self.assertIn(words, e.exception.msg)

    def test_nested_begin(self):
        self.assertCutError(begin(1) + "a\n" + begin(1) + "b\n" + END + stub(1, "s"), 3,
                            "nested")

    def test_end_without_begin(self):
        self.assertCutError("a\n" + END, 2, "without a BEGIN")

    def test_begin_without_end(self):
        self.assertCutError("a\n" + begin(1) + "b\nc\n", 2, "without END")

    def test_begin_without_stub(self):
        self.assertCutError(begin(1) + "a\n" + END + "b\n", 3, "followed immediately")

    def test_stub_not_immediately_after(self):
        self.assertCutError(begin(1) + "a\n" + END + "\n" + stub(1, "s"), 3,
                            "followed immediately")

    def test_stub_of_another_lab(self):
        self.assertCutError(begin(1) + "a\n" + END + stub(2, "s"), 4, "STUB lab2 after a lab1")

    def test_unterminated_stub(self):
        self.assertCutError(begin(1) + "a\n" + END + "\t/* STUB lab1\n\ts\n", 4, "closing")

    def test_comment_inside_stub(self):
        self.assertCutError(begin(1) + "a\n" + END + stub(1, "x; /* no */"), 5, "comment")

    def test_stray_stub(self):
        self.assertCutError("a\n" + stub(1, "s"), 2, "without a solution")

    def test_begin_without_lab(self):
        self.assertCutError(f"/* BEGIN {SOL} */\n", 1, "without a lab")

    def test_two_regions_and_both_labs(self):
        text = (func(1, "a", ["return 11111111;"], ["return -1;"])
                + func(2, "b", ["return 22222222;"], ["return -2;"]))
        out, st = cut.cut_text(text, 2)
        self.assertIn("11111111", out)
        self.assertNotIn("22222222", out)
        self.assertIn("return -2;", out)
        self.assertNotIn("return -1;", out)
        self.assertEqual(st, {"stubbed": 1, "kept": 1})

    def test_hash_form(self):
        text = ("all:\n"
                f"\t# BEGIN {SOL} lab1\n"
                "\t$(CC) -o secret_program secret.c\n"
                f"\t# END {SOL}\n"
                "\t# STUB lab1\n"
                "\t# @echo \"lab1: the build rule is not written\"; exit 1\n"
                "\t# END STUB\n")
        out, st = cut.cut_text(text, 1, "lab.mk", "hash")
        self.assertEqual(out, "all:\n\t@echo \"lab1: the build rule is not written\"; exit 1\n")
        out, _ = cut.cut_text(text, 2, "lab.mk", "hash")
        self.assertEqual(out, "all:\n\t$(CC) -o secret_program secret.c\n")

    def test_hash_form_ignores_mentions_in_strings(self):
        text = f'doc = "a line containing BEGIN {SOL} lab1 marks code"\nEND = "END {SOL}"\n'
        self.assertEqual(cut.cut_text(text, 1, "x.py", "hash")[0], text)

    def test_hash_stub_lines_must_be_comments(self):
        text = (f"# BEGIN {SOL} lab1\nx = 1\n# END {SOL}\n# STUB lab1\n"
                "raise NotImplementedError\n# END STUB\n")
        with self.assertRaises(cut.CutError) as e:
            cut.cut_text(text, 1, "x.py", "hash")
        self.assertEqual(e.exception.line, 5)

    def test_leak_check_finds_solution_text(self):
        # A cutter that forgot to drop the solution would be caught.
        leaks = cut.leaked_lines(PMM, PMM, 1)
        self.assertEqual([l.strip() for _, l in leaks],
                         ["int frame = bitmap_find_first_zero(x);",
                          "return frame_to_address(frame);"])

    def test_leak_check_allows_lines_also_outside_regions(self):
        text = ("\tint frame = bitmap_find_first_zero(x);\n"
                + func(1, "f", ["int frame = bitmap_find_first_zero(x);"], ["return 0;"]))
        out, _ = cut.cut_text(text, 1)
        self.assertEqual(cut.leaked_lines(text, out, 1), [])

    def test_style_and_lab_of(self):
        self.assertEqual(cut.style_for("lab1-boot/pmm.c"), "c")
        self.assertEqual(cut.style_for("lab1-boot/boot/entry.S"), "c")
        self.assertEqual(cut.style_for("Makefile"), "hash")
        self.assertEqual(cut.style_for("tools/gdbinit"), "hash")
        self.assertEqual(cut.style_for("grader/lab1.py"), "hash")
        self.assertIsNone(cut.style_for("README.md"))
        self.assertEqual(cut.lab_of("lab2-vmx/vmx.c"), 2)
        self.assertEqual(cut.lab_of("grader/lab3.py"), 3)
        self.assertEqual(cut.lab_of("doc/lab4-devices.md"), 4)
        self.assertEqual(cut.lab_of("common/printf.c"), 0)
        self.assertEqual(cut.lab_of("grader/tests/test_lab1x.py"), 0)
        self.assertEqual(cut.lab_of("lab10-extra/x.c"), 10)


class CutTree(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cut-test-")
        self.src = os.path.join(self.tmp, "src")
        files = {
            "Makefile": "all:\n\ttrue\n",
            "common/printf.c": "int printf(void);\n",
            "lab1-boot/pmm.c": PMM,
            "lab1-boot/lab.mk": "KERNEL_SRCS += lab1-boot/pmm.c\n",
            "lab2-vmx/vmx.c": func(2, "vmx_on", ["do_vmxon_secret();"], ["return -1;"]),
            "lab2-vmx/lab.mk": "KERNEL_SRCS += lab2-vmx/vmx.c\n",
            "lab3-ept/README.md": "lab 3\n",
            "grader/lab1.py": "# lab 1 tests\n",
            "grader/lab2.py": "# lab 2 tests\n",
            "grader/gradelib.py": "# lib\n",
            "build/hvlab.elf": "binary\n",
            "build-other/x.o": "obj\n",
            "grader/__pycache__/x.pyc": "cache\n",
            "grader/results/lab1/t.log": "log\n",
            "doc/logo.bin": "\0\1\2" + SOL,
        }
        for rel, text in files.items():
            p = os.path.join(self.src, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(text)
        tool = os.path.join(self.src, "tools", "run.sh")
        os.makedirs(os.path.dirname(tool))
        with open(tool, "w") as f:
            f.write("#!/bin/sh\n")
        os.chmod(tool, 0o755)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def listing(self, d):
        return sorted(os.path.relpath(os.path.join(p, f), d)
                      for p, _, fs in os.walk(d) for f in fs)

    def test_lab1_handout(self):
        out = os.path.join(self.tmp, "out")
        st = cut.write_handout(self.src, 1, out)
        self.assertEqual(self.listing(out), [
            ".handout", "Makefile", "common/printf.c", "doc/logo.bin", "grader/gradelib.py",
            "grader/lab1.py", "lab1-boot/lab.mk", "lab1-boot/pmm.c", "tools/run.sh"])
        with open(os.path.join(out, "lab1-boot/pmm.c")) as f:
            pmm = f.read()
        self.assertIn("NOT_IMPLEMENTED", pmm)
        self.assertNotIn("bitmap_find_first_zero", pmm)
        self.assertTrue(os.stat(os.path.join(out, "tools/run.sh")).st_mode & stat.S_IXUSR)
        with open(os.path.join(out, "doc/logo.bin"), "rb") as f:
            self.assertEqual(f.read(), b"\0\1\2" + SOL.encode())
        self.assertEqual(st["stubbed"], 1)
        self.assertEqual(st["dropped"], {"lab2-vmx", "lab3-ept", "lab2.py"})
        # No line of any lab-1 solution region is in any output file.
        secret = ["int frame = bitmap_find_first_zero(x);", "return frame_to_address(frame);"]
        for rel in self.listing(out):
            with open(os.path.join(out, rel), "rb") as f:
                data = f.read().decode(errors="replace")
            for s in secret:
                self.assertNotIn(s, data, rel)

    def test_lab2_handout_keeps_lab1_and_stubs_lab2(self):
        out = os.path.join(self.tmp, "out2")
        cut.write_handout(self.src, 2, out)
        with open(os.path.join(out, "lab1-boot/pmm.c")) as f:
            self.assertIn("bitmap_find_first_zero", f.read())
        with open(os.path.join(out, "lab2-vmx/vmx.c")) as f:
            vmx = f.read()
        self.assertNotIn("do_vmxon_secret", vmx)
        self.assertIn("return -1;", vmx)
        self.assertTrue(os.path.exists(os.path.join(out, "grader/lab2.py")))
        self.assertFalse(os.path.exists(os.path.join(out, "lab3-ept")))

    def test_error_writes_nothing(self):
        with open(os.path.join(self.src, "common/bad.c"), "w") as f:
            f.write("x\n" + begin(1) + "y\n")
        out = os.path.join(self.tmp, "out")
        with self.assertRaises(cut.CutError) as e:
            cut.write_handout(self.src, 1, out)
        self.assertEqual((e.exception.path, e.exception.line), ("common/bad.c", 2))
        self.assertFalse(os.path.exists(out))
        self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith(".handout")], [])

    def test_error_keeps_previous_handout(self):
        out = os.path.join(self.tmp, "out")
        cut.write_handout(self.src, 1, out)
        before = self.listing(out)
        with open(os.path.join(self.src, "common/bad.c"), "w") as f:
            f.write(END)
        with self.assertRaises(cut.CutError):
            cut.write_handout(self.src, 1, out)
        self.assertEqual(self.listing(out), before)

    def test_refuses_to_replace_other_directories(self):
        out = os.path.join(self.tmp, "mine")
        os.makedirs(out)
        with open(os.path.join(out, "thesis.tex"), "w") as f:
            f.write("precious\n")
        with self.assertRaises(cut.CutError):
            cut.write_handout(self.src, 1, out)
        self.assertTrue(os.path.exists(os.path.join(out, "thesis.tex")))
        cut.write_handout(self.src, 1, out, force=True)
        self.assertFalse(os.path.exists(os.path.join(out, "thesis.tex")))

    def test_replaces_an_earlier_handout(self):
        out = os.path.join(self.tmp, "out")
        cut.write_handout(self.src, 2, out)
        cut.write_handout(self.src, 1, out)
        self.assertFalse(os.path.exists(os.path.join(out, "lab2-vmx")))

    def test_output_inside_the_tree_is_not_copied_into_itself(self):
        out = os.path.join(self.src, "student")
        cut.write_handout(self.src, 1, out)
        cut.write_handout(self.src, 1, out)
        self.assertFalse(os.path.exists(os.path.join(out, "student")))

    def test_cli_reports_error_with_location(self):
        with open(os.path.join(self.src, "common/bad.c"), "w") as f:
            f.write(begin(9) + "a\n" + END + stub(9, "b"))
        import contextlib
        import io
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            rc = cut.main(["--lab", "1", "--src", self.src, "--out",
                           os.path.join(self.tmp, "o")])
        self.assertEqual(rc, 1)
        self.assertIn("common/bad.c:1:", err.getvalue())
        self.assertIn("lab9", err.getvalue())
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "o")))


if __name__ == "__main__":
    unittest.main()
