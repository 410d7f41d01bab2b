#!/usr/bin/env python3
"""gdb_test.py - prove that GDB can debug hvlab under QEMU, in batch mode.

It builds nothing (run `make` first). It starts QEMU halted (-S) with a GDB
stub on a free local port, and drives GDB with tools/gdbinit through the
path a student takes with `make qemu-gdb` + `make gdb`:

  1. break in _start32 (32-bit protected mode): EAX holds the multiboot
     magic, `cpumode` says 32-bit, and `xi` decodes the next instruction as
     the CPU will run it (rdtsc), which GDB's 64-bit disassembler would not;
  2. continue to kmain (64-bit long mode, after the switch that once gave
     "Remote 'g' packet reply is too long"): read the `magic` argument and
     the `mb_magic` global that entry.S stored, both must be 0x2badb002;
  3. continue to initcalls_run (after the banner): boot_tsc is non-zero,
     `finish` returns into kmain;
  4. continue to the end (a stop in halt_forever, i.e. a panic or an
     exception, fails the test at once and prints GDB's backtrace): the kernel exits QEMU through isa-debug-exit with
     status 0 ((0 << 1) | 1 = 1), and the console shows "hvlab: ready".

QEMU is always killed, every step has a timeout, and the exit status is 0
only when every check held. Usage: tools/gdb_test.py [--build DIR] [-v]
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MULTIBOOT_MAGIC = 0x2BADB002     # EAX from a multiboot loader (Multiboot 0.6.96, 3.2)
QEMU_EXIT_SUCCESS = (0 << 1) | 1  # isa-debug-exit turns code 0 into status 1

# The GDB session. Each "HVLAB key=value" line it prints is one observation,
# and `info symbol $pc` says where it stopped; check() below compares them
# with what must hold.
GDB_SCRIPT = r"""
target remote 127.0.0.1:{port}
break _start32
break kmain
break initcalls_run
break halt_forever
commands
  silent
  echo HVLAB halted=yes\n
  backtrace
  quit 3
end
continue
echo HVLAB stop1=_start32\n
info symbol $pc
cpumode
printf "HVLAB eax=%#x\n", (unsigned int)$eax
xi 2
continue
echo HVLAB stop2=kmain\n
info symbol $pc
cpumode
printf "HVLAB magic=%#x\n", magic
printf "HVLAB mb_magic=%#x\n", *(unsigned int *)&mb_magic
continue
echo HVLAB stop3=initcalls_run\n
info symbol $pc
printf "HVLAB boot_tsc=%#lx\n", *(unsigned long *)&boot_tsc
delete 1 2 3
finish
info symbol $pc
echo HVLAB finished=yes\n
continue
"""


def free_port():
    """A TCP port nobody listens on now (QEMU may still lose a race for it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, deadline):
    """Wait until QEMU's stub accepts connections; False if QEMU died or time ran out."""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def kill(proc):
    """Stop a process for sure: SIGTERM, a short grace, then SIGKILL."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def start_qemu(elf, cpus, serial_path, deadline):
    """Start QEMU halted with its stub on a free port; retry if the port was taken."""
    qemu = shutil.which("qemu-system-x86_64")
    if not qemu:
        raise RuntimeError("qemu-system-x86_64 not found (run tools/setup.sh as root)")
    last_err = ""
    for _ in range(3):
        port = free_port()
        cmd = [qemu, "-cpu", "max", "-kernel", elf, "-append", "", "-display", "none",
               "-serial", "file:" + serial_path, "-monitor", "none",
               "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
               "-m", "128", "-smp", str(cpus), "-S", "-gdb", "tcp:127.0.0.1:%d" % port]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, cwd=ROOT)
        if wait_listening(port, proc, min(deadline, time.monotonic() + 30)):
            return proc, port
        kill(proc)
        last_err = proc.stdout.read().decode(errors="replace").strip()
    raise RuntimeError("QEMU did not open its GDB stub: " + (last_err or "timed out"))


def observations(gdb_out):
    """The HVLAB key=value lines GDB printed, as a dict."""
    return dict(re.findall(r"^HVLAB (\w+)=(.*)$", gdb_out, re.M))


def check(gdb_out, serial, qemu_rc):
    """Return the list of failed checks, each saying what was expected."""
    obs = observations(gdb_out)
    fails = []

    def want(cond, msg):
        if not cond:
            fails.append(msg)

    def num(key):
        try:
            return int(obs.get(key, ""), 0)
        except ValueError:
            return None

    want("halted" not in obs,
         "the kernel stopped in halt_forever (a panic or an exception; see the backtrace)")
    want("Remote 'g' packet reply is too long" not in gdb_out,
         "GDB could not read registers (architecture not set before target remote?)")
    want(obs.get("stop1") == "_start32" and re.search(r"^_start32 in section", gdb_out, re.M),
         "first stop should be at _start32")
    want("protected mode (32-bit code)" in gdb_out,
         "cpumode at _start32 should say protected mode (32-bit code)")
    want(num("eax") == MULTIBOOT_MAGIC,
         "EAX at _start32 should be %#x, saw %s" % (MULTIBOOT_MAGIC, obs.get("eax")))
    want(re.search(r"_start32\+2>:\s+rdtsc", gdb_out),
         "xi at _start32 should decode 'rdtsc' as the second instruction")
    want(obs.get("stop2") == "kmain" and re.search(r"^kmain(?: \+ \d+)? in section", gdb_out, re.M),
         "second stop should be in kmain")
    want("long mode (64-bit code)" in gdb_out, "cpumode at kmain should say long mode")
    want(num("magic") == MULTIBOOT_MAGIC,
         "kmain's magic argument should be %#x, saw %s" % (MULTIBOOT_MAGIC, obs.get("magic")))
    want(num("mb_magic") == MULTIBOOT_MAGIC,
         "global mb_magic should be %#x, saw %s" % (MULTIBOOT_MAGIC, obs.get("mb_magic")))
    want(obs.get("stop3") == "initcalls_run" and re.search(r"^initcalls_run in section", gdb_out, re.M),
         "third stop should be in initcalls_run")
    want((num("boot_tsc") or 0) != 0, "boot_tsc should be non-zero, saw %s" % obs.get("boot_tsc"))
    want(re.search(r"^kmain \+ \d+ in section", gdb_out, re.M),
         "finish from initcalls_run should return into kmain")
    want("hvlab: ready" in serial, "the console should show 'hvlab: ready'")
    want(qemu_rc == QEMU_EXIT_SUCCESS,
         "QEMU should exit with status %d (kernel exit code 0), got %s" % (QEMU_EXIT_SUCCESS, qemu_rc))
    return fails


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.environ.get("BUILD", "build"),
                    help="build directory holding hvlab.elf (default: $BUILD or build)")
    ap.add_argument("--cpus", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=180,
                    help="seconds for the whole test (default 180)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print GDB's output")
    args = ap.parse_args()

    start = time.monotonic()
    deadline = start + args.timeout
    elf = os.path.join(ROOT, args.build, "hvlab.elf")
    if not os.path.isfile(elf):
        print("gdb_test: FAIL: %s not found; build first (make BUILD=%s)" % (elf, args.build))
        return 1
    gdb = shutil.which("gdb")
    if not gdb:
        print("gdb_test: FAIL: gdb not found (run tools/setup.sh as root)")
        return 1

    qemu = None
    with tempfile.TemporaryDirectory(prefix="hvlab-gdb-test-") as tmp:
        serial_path = os.path.join(tmp, "serial.log")
        script = os.path.join(tmp, "commands.gdb")
        try:
            qemu, port = start_qemu(elf, args.cpus, serial_path, deadline)
            with open(script, "w") as f:
                f.write(GDB_SCRIPT.format(port=port))
            cmd = [gdb, "-q", "-nx", "-batch", "-x", os.path.join(ROOT, "tools", "gdbinit"),
                   "-x", script, elf]
            try:
                res = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                                     text=True, cwd=ROOT,
                                     timeout=max(1.0, deadline - time.monotonic()))
                gdb_out = res.stdout + res.stderr
            except subprocess.TimeoutExpired as e:
                gdb_out = ((e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes)
                           else (e.stdout or ""))
                gdb_out += "\n[gdb timed out after %.0f s]" % args.timeout
            # GDB left after the kernel's exit, or after a halt (then QEMU
            # still runs, halted: no point in waiting for it).
            wait = 0 if "HVLAB halted=" in gdb_out else max(1.0, min(20, deadline - time.monotonic()))
            try:
                qemu_rc = qemu.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                qemu_rc = "none (still running, killed)"
        except RuntimeError as e:
            print("gdb_test: FAIL: %s" % e)
            return 1
        finally:
            kill(qemu)
        with open(serial_path, errors="replace") as f:
            serial = f.read()

    fails = check(gdb_out, serial, qemu_rc)
    took = time.monotonic() - start
    if args.verbose or fails:
        print("---- gdb output ----")
        print(gdb_out.rstrip())
        print("---- console (last lines) ----")
        print("\n".join(serial.splitlines()[-8:]))
        print("----")
    obs = observations(gdb_out)
    if fails:
        for msg in fails:
            print("gdb_test: FAIL: " + msg)
        print("gdb_test: FAIL (%.1f s)" % took)
        return 1
    print("gdb_test: PASS: stopped in _start32 (32-bit, eax=%s) and kmain (64-bit, magic=%s, "
          "mb_magic=%s), finished initcalls_run, kernel exited cleanly (%.1f s)"
          % (obs["eax"], obs["magic"], obs["mb_magic"], took))
    return 0


if __name__ == "__main__":
    sys.exit(main())
