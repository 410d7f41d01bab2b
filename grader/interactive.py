"""interactive.py - Bochs' internal debugger on the terminal (--bochs-debug).

The non-interactive runs are in emu.py; this one gives the terminal to a
human and only prepares the run directory and echoes the serial console.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from grader.emu import DEFAULT_MEM_MB, EmuError, Console, bochsrc_text, write_disk


def bochs_debug(kernel, cmdline="", cpus=1, mem=DEFAULT_MEM_MB, work_dir=None,
                echo=True):
    """Bochs with its internal debugger on this terminal, magic breakpoints on.

    The term display would take the terminal; Bochs' debugger build moves it
    to a pseudo-terminal of its own ("Bochs connected to screen /dev/pts/N"),
    and the debugger prompt stays here. The serial console goes to a file in
    the run directory, echoed here as it grows (echo=True). Returns Bochs'
    exit status. The run directory is kept (its path is printed).
    """
    if not shutil.which("bochs"):
        raise EmuError("bochs is not installed (run tools/setup.sh as root)")
    if work_dir:
        os.makedirs(work_dir, exist_ok=True)
    rdir = tempfile.mkdtemp(prefix="bochs-debug-", dir=work_dir)
    disk = os.path.join(rdir, "hvlab.img")
    serial = os.path.join(rdir, "serial.txt")
    log = os.path.join(rdir, "bochs.log")
    write_disk(kernel, cmdline, disk)
    rc = os.path.join(rdir, "bochsrc")
    with open(rc, "w") as f:
        f.write(bochsrc_text(disk, serial, log, cpus, mem, {"magic_break": "enabled=1"}))
    open(serial, "w").close()
    sys.stderr.write(
        f"bochs-debug: run directory {rdir}\n"
        f"bochs-debug: serial console -> {serial}" + (" (echoed here)" if echo else "") + "\n"
        "bochs-debug: Bochs stops before the BIOS: 'c' continues, BREAKPOINT() "
        "(xchg %bx,%bx) stops again;\n"
        "bochs-debug: 'r' registers, 'x /8gx ADDR' memory, 'lb ADDR' breakpoint, "
        "'q' quits. Ctrl-C breaks into the debugger.\n")
    stop = threading.Event()
    t = None
    if echo:
        con = Console(serial, lambda s: (sys.stderr.write(s), sys.stderr.flush()))

        def pump():
            while not stop.is_set():
                con.poll()
                time.sleep(0.05)
            con.poll(final=True)
        t = threading.Thread(target=pump, daemon=True)
        t.start()
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is for Bochs
    try:
        status = subprocess.call(["bochs", "-q", "-f", rc])
    finally:
        signal.signal(signal.SIGINT, old)
        stop.set()
        if t:
            t.join(1)
    sys.stderr.write(f"\nbochs-debug: Bochs exited ({status}); log: {log}\n")
    return status
