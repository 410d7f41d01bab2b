"""Tests of grader/emu.py with tiny fixture kernels (fixtures/fixture.S) that
end well, hang, triple-fault or panic, under Bochs and QEMU; and with a
broken Bochs configuration and a Bochs killed from outside."""
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from grader import emu

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HAVE_BOCHS = shutil.which("bochs") is not None
HAVE_QEMU = shutil.which("qemu-system-x86_64") is not None


def build_fixtures(out):
    """Build hvlab's disk loader and one fixture kernel per mode into @out."""
    def sh(*cmd):
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    boot = os.path.join(ROOT, "lab1-boot", "boot")
    sh("gcc", "-m32", "-c", os.path.join(boot, "bootsect.S"), "-o", f"{out}/bootsect.o")
    sh("ld", "-m", "elf_i386", "-T", os.path.join(boot, "bootsect.ld"), "-o",
       f"{out}/bootsect.elf", f"{out}/bootsect.o")
    sh("objcopy", "-O", "binary", f"{out}/bootsect.elf", f"{out}/bootsect.bin")
    kernels = {}
    for mode in ("OK", "HANG", "TRIPLE", "PANIC"):
        base = f"{out}/{mode.lower()}"
        sh("gcc", "-m32", f"-DMODE_{mode}", "-c", os.path.join(HERE, "fixtures", "fixture.S"),
           "-o", base + ".o")
        sh("ld", "-m", "elf_i386", "--no-warn-rwx-segments", "-T",
           os.path.join(HERE, "fixtures", "fixture.ld"), "-o", base + ".elf", base + ".o")
        sh("objcopy", "-O", "binary", base + ".elf", base + ".bin")
        kernels[mode] = emu.Kernel(base + ".elf", base + ".bin", f"{out}/bootsect.bin")
    return kernels


class Fixtures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="emu-test-")
        cls.k = build_fixtures(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def boot(self, mode, which, timeout=20, **kw):
        return emu.boot(self.k[mode], which, "x=1", 1, 32, timeout, work_dir=self.tmp, **kw)

    def check_ok(self, which):
        seen = []
        r = self.boot("OK", which, on_output=seen.append)
        self.assertEqual(r.end, "finished", r.describe())
        self.assertTrue(r.clean)
        self.assertEqual(r.end_line, "hvlab: nothing more to run; shutting down")
        self.assertEqual(r.boot_ticks, 1234)
        self.assertIsNotNone(r.ready_s)
        self.assertLessEqual(r.ready_s, r.wall_s)
        self.assertIn("fixture: hello\nhvlab: boot took", r.console)
        self.assertNotIn("\r", r.console)
        self.assertEqual("".join(seen), r.console)   # streamed as it came
        return r

    @unittest.skipUnless(HAVE_BOCHS, "bochs not installed")
    def test_bochs_ok(self):
        r = self.check_ok("bochs")
        self.assertEqual(r.command[:2], ["bochs", "-q"])
        self.assertEqual(r.emu_errors, [])

    @unittest.skipUnless(HAVE_QEMU, "qemu not installed")
    def test_qemu_ok(self):
        r = self.check_ok("qemu")
        self.assertEqual(r.exit_code, 0)
        self.assertIn("x=1", r.command)

    @unittest.skipUnless(HAVE_BOCHS, "bochs not installed")
    def test_bochs_hang_times_out(self):
        t0 = time.monotonic()
        r = self.boot("HANG", "bochs", timeout=1.5)
        self.assertLess(time.monotonic() - t0, 10)
        self.assertEqual(r.end, "timeout")
        self.assertIn("timeout: no end line", r.describe())
        self.assertIn("'fixture: hello'", r.describe())
        self.assertIsNone(r.status)        # we killed it (SIGKILL: Bochs ignores TERM)

    @unittest.skipUnless(HAVE_QEMU, "qemu not installed")
    def test_qemu_hang_times_out(self):
        r = self.boot("HANG", "qemu", timeout=1)
        self.assertEqual(r.end, "timeout")

    @unittest.skipUnless(HAVE_BOCHS, "bochs not installed")
    def test_bochs_triple_fault(self):
        r = self.boot("TRIPLE", "bochs")
        self.assertEqual(r.end, "triple fault", r.describe())
        self.assertIn("3rd (13) exception with no resolution", r.detail)
        self.assertIn("triple fault", r.describe())

    @unittest.skipUnless(HAVE_QEMU, "qemu not installed")
    def test_qemu_triple_fault(self):
        r = self.boot("TRIPLE", "qemu")
        self.assertEqual(r.end, "triple fault", r.describe())

    @unittest.skipUnless(HAVE_BOCHS, "bochs not installed")
    def test_bochs_panic_drains_to_the_end(self):
        r = self.boot("PANIC", "bochs")
        self.assertEqual(r.end, "panic")
        self.assertEqual(r.end_line, "PANIC on cpu 0: fixture panics on purpose")
        self.assertIn("cpu 0 halted", r.console)   # read after the PANIC line
        self.assertFalse(r.clean)

    @unittest.skipUnless(HAVE_BOCHS, "bochs not installed")
    def test_bochs_dies_on_bad_config(self):
        r = self.boot("OK", "bochs",
                      bochs_options={"romimage": "file=/nonexistent/BIOS-missing"})
        self.assertEqual(r.end, "died")
        self.assertIn("emulator died", r.describe())
        self.assertTrue(any("BIOS-missing" in l for l in r.emu_errors), r.emu_errors)

    @unittest.skipUnless(HAVE_BOCHS, "bochs not installed")
    def test_bochs_killed_from_outside(self):
        me = os.getpid()

        def kill_bochs(text):
            if "hello" not in text:
                return
            for pid in os.listdir("/proc"):
                try:
                    with open(f"/proc/{pid}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                    with open(f"/proc/{pid}/comm") as f:
                        comm = f.read().strip()
                except (OSError, IndexError):
                    continue
                if comm.startswith("bochs") and int(fields[1]) == me:
                    os.kill(int(pid), signal.SIGKILL)
        r = self.boot("HANG", "bochs", timeout=20, on_output=kill_bochs)
        self.assertEqual(r.end, "died", r.describe())
        self.assertIn("killed by signal SIGKILL", r.describe())

    @unittest.skipUnless(HAVE_QEMU, "qemu not installed")
    def test_qemu_refuses_a_bad_kernel(self):
        bad = emu.Kernel(os.path.join(self.tmp, "bootsect.bin"), "", "")
        r = emu.boot(bad, "qemu", "", 1, 32, 10, work_dir=self.tmp)
        self.assertEqual(r.end, "died", r.describe())
        self.assertTrue(r.emu_errors and r.emu_errors[0].startswith("qemu"), r.emu_errors)
        self.assertIn("invalid kernel header", r.describe())

    def test_run_dirs_are_removed(self):
        left = [n for n in os.listdir(self.tmp) if n.startswith("run-")]
        self.assertEqual(left, [])


class Choice(unittest.TestCase):
    def test_explicit_choices(self):
        for e in ("bochs", "qemu", "kvm"):
            self.assertEqual(emu.choose(e), e)
        self.assertEqual(emu.choose(" Bochs "), "bochs")
        with self.assertRaises(emu.EmuError):
            emu.choose("vmware")

    def test_auto_follows_kvm_usability(self):
        ok, why = emu.kvm_usable()
        self.assertEqual(emu.choose("auto"), "kvm" if ok else "bochs", why)

    def test_bochsrc(self):
        rc = emu.bochsrc_text("/d.img", "/s.txt", "/l.log", 2, 64, {"speaker": None,
                                                                     "magic_break": "enabled=1"})
        self.assertIn("cpu: model=corei7_skylake_x, count=2, ips=10000000, "
                      "reset_on_triple_fault=0\n", rc)
        self.assertIn("clock: sync=none, time0=1\n", rc)
        self.assertIn("megs: 64\n", rc)
        self.assertIn("com1: enabled=1, mode=file, dev=/s.txt\n", rc)
        self.assertIn("panic: action=fatal\n", rc)
        self.assertIn("magic_break: enabled=1\n", rc)
        self.assertNotIn("speaker", rc)

    def test_missing_build_is_named(self):
        with self.assertRaises(emu.EmuError) as e:
            emu.Kernel.from_build("/nonexistent-build")
        self.assertIn("build first", str(e.exception))


if __name__ == "__main__":
    unittest.main()
