"""emu.py - boot hvlab under an emulator and watch its serial console.

One function, boot(), does every non-interactive run: `make run`, each graded
run, the determinism check. It starts the emulator in its own process group,
reads the serial console from a file as it grows, and stops the emulator
when the kernel prints a line that ends a run (TERMINAL below), when the run
exceeds its timeout, or when the emulator exits. It then says how the run
ended, in words a student can act on: finished, panic, exception, timeout,
triple fault, or "emulator died" with the emulator's own error lines.

Emulators (EMU=...):
  bochs  Bochs 2.7 with VMX (corei7_skylake_x); deterministic: clock sync=none
         and a fixed ips, so the TSC counts emulated instructions. Bochs has no
         -kernel: each run gets its own disk image (tools/mkimage.py).
  qemu   QEMU TCG (-cpu max: SVM with NPT, no VMX); fast, not deterministic.
  kvm    QEMU with KVM and the host CPU (-cpu host,+vmx or +svm): needs
         nested virtualization.
  auto   kvm when /dev/kvm opens and the host CPU shows vmx or svm, else bochs.

Interactive runs (a human at the terminal): interactive.bochs_debug(), and
for qemu/kvm boot(..., gdb_port=N), which halts QEMU at its first instruction.
boot(..., terminal=True) also sends what is typed (or piped) on stdin to the
serial line: lab 4's guests read their console from it (TerminalBridge).
"""
import codecs
import select
import sys
import termios
import tty
import dataclasses
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

EMULATORS = ("bochs", "qemu", "kvm")

# Bochs: a fixed instruction rate with no real-time sync makes runs
# reproducible; 10 MIPS of emulated time keeps the BIOS's timer waits short.
BOCHS_IPS = 10_000_000
BOCHS_CPU_MODEL = "corei7_skylake_x"
BOCHS_BIOS = os.environ.get("HVLAB_BOCHS_BIOS", "/usr/share/bochs/BIOS-bochs-latest")
VGA_BIOS_CANDIDATES = ("/usr/share/vgabios/vgabios.bin",
                       "/usr/share/bochs/VGABIOS-lgpl-latest")
DEFAULT_MEM_MB = 128
DEFAULT_TIMEOUT = 30.0
# What a machine may have: the kernel's MAX_CPUS (common/include/percpu.h),
# and enough RAM for the kernel at 1 MiB plus its page tables and tests; the
# early page tables map 4 GiB, of which the top GiB is device space.
MAX_CPUS = 16
MIN_MEM_MB, MAX_MEM_MB = 16, 3072


def check_machine(cpus, mem):
    """Refuse a machine the kernel cannot run on, with the reason."""
    if not 1 <= cpus <= MAX_CPUS:
        raise EmuError(f"cpus={cpus}: hvlab supports 1 to {MAX_CPUS} CPUs (MAX_CPUS)")
    if not MIN_MEM_MB <= mem <= MAX_MEM_MB:
        raise EmuError(f"mem={mem} MiB: hvlab needs {MIN_MEM_MB} to {MAX_MEM_MB} MiB "
                       f"(RAM must lie below the 3 GiB device hole)")

# Lines that end a run. The kernel prints one of them last:
#   SUMMARY ...                       the in-kernel test runner is done
#   hvlab: nothing more to run ...    a boot without tests is done
#   PANIC on cpu N: ...               panic() (a backtrace follows)
#   ... halted after exception ...    the exception handler's last words
TERMINAL = [
    ("finished", re.compile(r"^SUMMARY: \d+ tests?, \d+ failures?")),
    ("finished", re.compile(r"hvlab: nothing more to run")),
    ("panic", re.compile(r"PANIC on cpu \d+")),
    ("exception", re.compile(r"halted after exception")),
]
READY = re.compile(r"hvlab: ready")
BOOT_TICKS = re.compile(r"hvlab: boot took (\d+) TSC ticks")

POLL_S = 0.01
# After a terminal line, keep reading until the emulator exits or the
# console stays quiet this long (a panic's backtrace follows its first line).
DRAIN_QUIET_S = 0.3
DRAIN_MAX_S = 3.0

# Bochs log lines worth showing: errors and panics (level e or p), e.g. the
# reason of a failed VM entry or a triple fault.
BOCHS_ERROR_LINE = re.compile(r"^\d+[ep]\[|>>PANIC<<")
BOCHS_SHUTDOWN = re.compile(r"Shutdown port: shutdown requested")
BOCHS_TRIPLE = re.compile(r"3rd \(\d+\) exception with no resolution|triple fault",
                          re.IGNORECASE)
QEMU_TRIPLE = re.compile(r"^Triple fault", re.MULTILINE)


class EmuError(Exception):
    """A run could not even start (no emulator installed, bad kernel...)."""


@dataclasses.dataclass
class Kernel:
    """The files of one build that the emulators need."""
    elf: str      # multiboot ELF for QEMU -kernel (and GDB symbols)
    flat: str     # objcopy -O binary image, for the Bochs disk
    loader: str   # hvlab's disk loader (bootsect.bin), for the Bochs disk

    @classmethod
    def from_build(cls, build):
        """The kernel that `make BUILD=build` produced."""
        k = cls(os.path.join(build, "hvlab.elf"), os.path.join(build, "hvlab.bin"),
                os.path.join(build, "bootsect.bin"))
        for path in (k.elf, k.flat, k.loader):
            if not os.path.exists(path):
                raise EmuError(f"{path} is missing: build first (make BUILD={build} build)")
        return k


@dataclasses.dataclass
class RunResult:
    """Everything one boot produced, and how it ended."""
    emu: str
    cmdline: str
    cpus: int
    mem: int
    timeout: float
    command: list
    console: str = ""
    # finished | panic | exception | timeout | triple fault | died | exited
    end: str = "died"
    end_line: str = ""          # the terminal line, when there was one
    detail: str = ""            # more words on how it ended
    status: int = None          # the emulator's exit status (None: we killed it)
    exit_code: int = None       # the kernel's platform_exit code, when known
    wall_s: float = 0.0         # emulator start to end of run
    ready_s: float = None       # emulator start to "hvlab: ready"
    boot_ticks: int = None      # "hvlab: boot took N TSC ticks"
    emu_errors: list = dataclasses.field(default_factory=list)  # emulator log errors
    errors_from: str = "log"    # where emu_errors come from: its log, or its output
    run_dir: str = None         # kept only when asked

    @property
    def lines(self):
        return self.console.split("\n")

    @property
    def clean(self):
        """True when the kernel ended the run itself, as a run should end."""
        return self.end == "finished"

    def describe(self):
        """One or a few lines saying how the run ended."""
        last = next((l for l in reversed(self.lines) if l.strip()), "")
        if self.end == "finished":
            s = f"the kernel finished: {self.end_line.strip()}"
        elif self.end == "panic":
            s = f"the kernel panicked: {self.end_line.strip()}"
        elif self.end == "exception":
            s = f"the kernel stopped on an exception: {self.end_line.strip()}"
        elif self.end == "stopped":
            s = f"stopped at the line the run waited for: {self.end_line.strip()}"
        elif self.end == "timeout":
            s = (f"timeout: no end line (SUMMARY, PANIC, ...) within {self.timeout:g} s; "
                 f"the kernel hung or looped. Last console line: {last!r}")
        elif self.end == "triple fault":
            s = ("triple fault: the CPU hit an exception while delivering a double "
                 "fault (no usable IDT or stack?), and the machine shut down. "
                 f"Last console line: {last!r}")
        elif self.end == "exited":
            s = f"the machine ended without an end line ({self.detail}); last console line: {last!r}"
        else:
            s = f"emulator died ({self.detail})"
        if self.detail and self.end not in ("exited", "died"):
            s += f" [{self.detail}]"
        if self.emu_errors and not self.clean:
            s += "\n" + f"{self.emu} {self.errors_from} (last {len(self.emu_errors)} lines):\n" + \
                "\n".join("  " + l for l in self.emu_errors)
        return s

    def summary(self):
        """A header for saved logs."""
        rows = [f"emulator: {self.emu} (cpus={self.cpus}, mem={self.mem} MiB, "
                f"timeout={self.timeout:g} s)",
                f"cmdline: {self.cmdline!r}",
                "command: " + " ".join(_shell_quote(a) for a in self.command),
                f"ended: {self.describe()}",
                f"wall: {self.wall_s:.2f} s"
                + (f", ready after {self.ready_s:.2f} s" if self.ready_s is not None else "")
                + (f", boot took {self.boot_ticks} TSC ticks" if self.boot_ticks is not None else "")]
        return "\n".join(rows)


def _shell_quote(a):
    return a if re.fullmatch(r"[\w@%+=:,./-]+", a) else "'" + a.replace("'", "'\\''") + "'"


# ---------------------------------------------------------------- choosing

def kvm_usable():
    """(ok, why): can QEMU+KVM give our guests VMX or SVM here?"""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
        os.close(fd)
    except OSError as e:
        return False, f"/dev/kvm: {e.strerror}"
    flags = host_cpu_flags()
    if not flags & {"vmx", "svm"}:
        return False, "the host CPU shows neither vmx nor svm (no nested virtualization)"
    for mod in ("kvm_intel", "kvm_amd"):
        try:
            with open(f"/sys/module/{mod}/parameters/nested") as f:
                if f.read().strip() in ("0", "N"):
                    return False, f"{mod} is loaded with nested=0"
        except OSError:
            pass
    return True, "KVM with nested " + ("VMX" if "vmx" in flags else "SVM")


def host_cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def choose(emu):
    """Resolve EMU=auto|bochs|qemu|kvm to a concrete emulator."""
    emu = (emu or "auto").strip().lower()
    if emu == "auto":
        ok, _ = kvm_usable()
        return "kvm" if ok else "bochs"
    if emu not in EMULATORS:
        raise EmuError(f"unknown emulator {emu!r}: use auto, bochs, qemu or kvm")
    return emu


# ---------------------------------------------------------------- command lines

def _mkimage():
    spec = importlib.util.spec_from_file_location("hvlab_mkimage",
                                                  os.path.join(REPO, "tools", "mkimage.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write_disk(kernel, cmdline, path):
    """Write a Bochs boot disk for @kernel with @cmdline (tools/mkimage.py)."""
    mk = _mkimage()
    try:
        with open(kernel.loader, "rb") as f:
            loader = f.read()
        with open(kernel.flat, "rb") as f:
            flat = f.read()
        disk = mk.build(loader, flat, cmdline)
    except (OSError, mk.ImageError) as e:
        raise EmuError(f"mkimage: {e}") from None
    with open(path, "wb") as f:
        f.write(disk)


def bochsrc_text(disk, serial, log, cpus, mem, options=None):
    """The bochsrc of one run. @options replaces or adds whole entries
    (key -> value, value None to drop one): later labs pick other CPU models."""
    vga = next((p for p in VGA_BIOS_CANDIDATES if os.path.exists(p)), VGA_BIOS_CANDIDATES[0])
    entries = {
        "megs": str(mem),
        "cpu": (f"model={BOCHS_CPU_MODEL}, count={cpus}, ips={BOCHS_IPS}, "
                "reset_on_triple_fault=0"),
        "clock": "sync=none, time0=1",
        "romimage": f"file={BOCHS_BIOS}",
        "vgaromimage": f"file={vga}",
        "ata0-master": f"type=disk, path={disk}, mode=flat",
        "boot": "disk",
        "display_library": "term",
        "com1": f"enabled=1, mode=file, dev={serial}",
        "speaker": "enabled=0",
        "sound": "waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy",
        "log": log,
        "panic": "action=fatal",
        "error": "action=report",
        "info": "action=ignore",
        "debug": "action=ignore",
    }
    for k, v in (options or {}).items():
        if v is None:
            entries.pop(k, None)
        else:
            entries[k] = v
    return "".join(f"{k}: {v}\n" for k, v in entries.items())


def qemu_command(kernel, emu, cmdline, cpus, mem, serial, log, gdb_port=None, extra=()):
    cmd = ["qemu-system-x86_64", "-kernel", kernel.elf, "-append", cmdline,
           "-display", "none", "-monitor", "none", "-no-reboot",
           "-serial", f"file:{serial}",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
           "-m", str(mem), "-smp", str(cpus), "-d", "cpu_reset", "-D", log]
    if emu == "kvm":
        flags = host_cpu_flags()
        cmd += ["-enable-kvm", "-cpu", "host,+svm" if "svm" in flags and "vmx" not in flags
                else "host,+vmx"]
    else:
        cmd += ["-cpu", "max"]
    if gdb_port:
        cmd += ["-S", "-gdb", f"tcp::{gdb_port}"]
    return cmd + list(extra)


# ---------------------------------------------------------------- running

# Emulators running now, so that Ctrl-C in a multi-threaded grader can stop
# them all (each runs in its own session, out of reach of the terminal's ^C).
_LIVE = set()
_LIVE_LOCK = threading.Lock()


def kill_all():
    """SIGKILL every emulator this process started and still runs."""
    with _LIVE_LOCK:
        procs = list(_LIVE)
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _kill_group(proc):
    """SIGKILL the emulator's whole process group (Bochs ignores SIGTERM)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return [l.rstrip("\n") for l in f.readlines()[-n:]]
    except OSError:
        return []


class Console:
    """The serial file as it grows: text so far, split into lines."""

    def __init__(self, path, on_output):
        self.path = path
        self.on_output = on_output
        self.f = None
        self.dec = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.text = ""
        self.scanned = 0   # offset in text of the first line not yet scanned

    def poll(self, final=False):
        """Read what is new; return the complete lines (all of them if final)."""
        if self.f is None:
            try:
                self.f = open(self.path, "rb")
            except FileNotFoundError:
                return []
        data = self.f.read()
        new = self.dec.decode(data, final=final)
        if new:
            new = new.replace("\r\n", "\n").replace("\r", "")
            self.text += new
            if self.on_output:
                self.on_output(new)
        end = len(self.text) if final else self.text.rfind("\n") + 1
        if end <= self.scanned:
            return []
        chunk = self.text[self.scanned:end]
        self.scanned = end
        return chunk.split("\n") if final else chunk.split("\n")[:-1]

    def close(self):
        if self.f:
            self.f.close()


TYPE_DELAY_S = 0.05   # between typed bytes (scripted input)


class TerminalBridge(threading.Thread):
    """The serial line as a terminal: Bochs' COM1 in "term" mode on a pty.
    What the emulator sends is appended to the serial file (which Console
    reads, as for any run); what arrives on stdin (typed, or piped by a
    test) goes to the emulator. A terminal on stdin is put in cbreak mode
    (no echo: the guest echoes; Ctrl-C still stops the run)."""

    def __init__(self, serial, stdin=None, script=()):
        super().__init__(daemon=True)
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.dev = os.ttyname(self.slave)
        self.serial = serial
        # script: ((regex, text), ...): each text is typed once the output so
        # far matches its regex (a test typing at a prompt), instead of stdin.
        self.script = list(script)
        self.stdin = stdin if stdin is not None else (None if script else sys.stdin)
        self.seen = b""
        self.done = threading.Event()
        self.saved = None

    def _type_scripted(self, data):
        self.seen = (self.seen + data)[-65536:]
        while self.script and re.search(self.script[0][0].encode(), self.seen):
            # One byte at a time, as a person types: the emulated UART has a
            # 16-byte FIFO and the guest drains it at its own pace.
            for b in self.script.pop(0)[1].encode():
                os.write(self.master, bytes([b]))
                time.sleep(TYPE_DELAY_S)
            self.seen = b""

    def run(self):
        fds = [self.master]
        try:
            if self.stdin is None:
                raise ValueError("no stdin: scripted input")
            fd_in = self.stdin.fileno()
            if os.isatty(fd_in):
                self.saved = termios.tcgetattr(fd_in)
                tty.setcbreak(fd_in)
            fds.append(fd_in)
        except (OSError, ValueError, AttributeError):
            fd_in = None
        with open(self.serial, "ab") as f:
            while not self.done.is_set():
                ready, _, _ = select.select(fds, [], [], 0.1)
                if self.master in ready:
                    try:
                        data = os.read(self.master, 4096)
                    except OSError:
                        break
                    f.write(data)
                    f.flush()
                    if self.script:
                        self._type_scripted(data)
                if fd_in is not None and fd_in in ready:
                    data = os.read(fd_in, 1 if self.saved is None else 1024)
                    if not data:
                        fds.remove(fd_in)   # EOF on a pipe: keep the output flowing
                        fd_in = None
                    else:
                        os.write(self.master, data)
                        if self.saved is None:
                            time.sleep(TYPE_DELAY_S)   # piped: at a typist's pace

    def close(self):
        self.done.set()
        self.join(timeout=1)
        if self.saved is not None:
            termios.tcsetattr(self.stdin.fileno(), termios.TCSADRAIN, self.saved)
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


def boot(kernel, emu="bochs", cmdline="", cpus=1, mem=DEFAULT_MEM_MB,
         timeout=DEFAULT_TIMEOUT, on_output=None, work_dir=None, keep=False,
         bochs_options=None, qemu_extra=(), gdb_port=None, terminal=False, script=(),
         stop=None):
    """Boot @kernel once under @emu; return a RunResult.

    terminal=True: stdin goes to the serial line (Bochs), or script=((regex,
    text), ...) types each text once the console matches its regex. stop: a
    regex that ends the run like a terminal line (kind "stopped"), for runs
    of a guest that never ends by itself.

    on_output(text) receives console text as it arrives (for `make run`).
    work_dir: where the per-run directory goes (default: the system's temp
    dir); keep=True leaves it there (RunResult.run_dir). timeout <= 0 or None:
    no timeout (interactive GDB sessions).
    """
    emu = choose(emu)
    check_machine(cpus, mem)
    if gdb_port and emu == "bochs":
        raise EmuError("Debian's Bochs has no GDB stub: use --bochs-debug, or --emu qemu")
    exe = "bochs" if emu == "bochs" else "qemu-system-x86_64"
    if not shutil.which(exe):
        raise EmuError(f"{exe} is not installed (run tools/setup.sh as root)")
    if work_dir:
        os.makedirs(work_dir, exist_ok=True)
    rdir = tempfile.mkdtemp(prefix=f"run-{emu}-", dir=work_dir)
    serial = os.path.join(rdir, "serial.txt")
    log = os.path.join(rdir, f"{emu}.log")
    out = os.path.join(rdir, f"{emu}.out")
    bridge = None
    try:
        if (terminal or script) and emu == "bochs":
            open(serial, "wb").close()
            bridge = TerminalBridge(serial, script=script)
            bochs_options = dict(bochs_options or {},
                                 com1=f"enabled=1, mode=term, dev={bridge.dev}")
            bridge.start()
        if emu == "bochs":
            disk = os.path.join(rdir, "hvlab.img")
            write_disk(kernel, cmdline, disk)
            rc = os.path.join(rdir, "bochsrc")
            with open(rc, "w") as f:
                f.write(bochsrc_text(disk, serial, log, cpus, mem, bochs_options))
            cmds = os.path.join(rdir, "cmds")
            with open(cmds, "w") as f:
                f.write("c\nquit\n")
            command = ["bochs", "-q", "-f", rc, "-rc", cmds]
        else:
            if not os.path.exists(kernel.elf):
                raise EmuError(f"{kernel.elf} is missing")
            command = qemu_command(kernel, emu, cmdline, cpus, mem, serial, log,
                                   gdb_port, qemu_extra)
        r = RunResult(emu=emu, cmdline=cmdline, cpus=cpus, mem=mem,
                      timeout=timeout or 0, command=command)
        _supervise(r, command, serial, out, timeout, on_output, stop)
        _classify(r, log, out)
        if keep:
            r.run_dir = rdir
        return r
    finally:
        if bridge:
            bridge.close()
        if not keep:
            shutil.rmtree(rdir, ignore_errors=True)


def _supervise(r, command, serial, out, timeout, on_output, stop=None):
    """Run the emulator until a terminal line, its exit, or the timeout."""
    con = Console(serial, on_output)
    with open(out, "wb") as outf:
        t0 = time.monotonic()
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=outf,
                                stderr=subprocess.STDOUT, start_new_session=True)
    with _LIVE_LOCK:
        _LIVE.add(proc)
    terminal_at = None
    last_output = t0
    try:
        while True:
            exited = proc.poll() is not None
            lines = con.poll(final=exited)
            now = time.monotonic()
            if lines:
                last_output = now
            for line in lines:
                if r.ready_s is None and READY.search(line):
                    r.ready_s = now - t0
                m = BOOT_TICKS.search(line)
                if m and r.boot_ticks is None:
                    r.boot_ticks = int(m.group(1))
                if terminal_at is None and stop and re.search(stop, line):
                    r.end, r.end_line, terminal_at = "stopped", line, now
                if terminal_at is None:
                    for kind, rx in TERMINAL:
                        if rx.search(line):
                            r.end, r.end_line, terminal_at = kind, line, now
                            break
            if exited:
                r.status = proc.returncode
                break
            if terminal_at is not None and (now - last_output >= DRAIN_QUIET_S
                                            or now - terminal_at >= DRAIN_MAX_S):
                break
            if terminal_at is None and timeout and now - t0 > timeout:
                r.end = "timeout"
                break
            time.sleep(POLL_S)
    finally:
        _kill_group(proc)
        with _LIVE_LOCK:
            _LIVE.discard(proc)
        r.wall_s = time.monotonic() - t0
        con.poll(final=True)
        con.close()
        r.console = con.text


def _classify(r, log, out):
    """Name how a run without a terminal line ended, from the emulator's log."""
    if r.emu == "bochs":
        lines = _tail(log, 400)
        r.emu_errors = [l for l in lines if BOCHS_ERROR_LINE.search(l)
                        and not BOCHS_SHUTDOWN.search(l)][-10:]
        if r.end in TERMINAL_KINDS or r.end == "timeout":
            return
        if any(BOCHS_TRIPLE.search(l) for l in lines):
            r.end = "triple fault"
            r.detail = "Bochs: " + next(l for l in reversed(lines) if BOCHS_TRIPLE.search(l)).split("]", 1)[-1].strip()
        elif any(BOCHS_SHUTDOWN.search(l) for l in lines) and not r.emu_errors:
            r.end = "exited"
            r.detail = "the kernel wrote the Bochs shutdown port"
        else:
            r.end = "died"
            r.detail = _status_words(r.status)
            if not r.emu_errors:
                r.emu_errors = [l for l in _tail(out, 10) if l.strip()]
                r.errors_from = "output"
        return
    # QEMU
    try:
        with open(log, errors="replace") as f:
            qlog = f.read()
    except OSError:
        qlog = ""
    if r.status is not None and r.status > 0 and r.status & 1:
        r.exit_code = r.status >> 1
    if r.end in TERMINAL_KINDS or r.end == "timeout":
        return
    errors = [l for l in _tail(out, 20) if re.match(r"qemu(-system-\S+)?: ", l)]
    if errors and not r.console.strip():
        # QEMU refused to start (bad kernel, bad option): its status 1 would
        # otherwise read as isa-debug-exit code 0.
        r.end, r.detail, r.exit_code = "died", _status_words(r.status), None
        r.emu_errors = errors[-10:]
        r.errors_from = "output"
        return
    if QEMU_TRIPLE.search(qlog):
        r.end, r.detail = "triple fault", "QEMU: Triple fault"
    elif r.status == 0:
        # -no-reboot turns a guest reset into an exit with status 0; under KVM
        # a triple fault is such a reset (TCG logs "Triple fault" above).
        r.end = "triple fault"
        r.detail = "QEMU exited on a guest reset (-no-reboot): a triple fault, or a reset request"
    elif r.exit_code is not None:
        r.end = "exited"
        r.detail = f"isa-debug-exit with code {r.exit_code}"
    else:
        r.end = "died"
        r.detail = _status_words(r.status)
        r.emu_errors = [l for l in _tail(out, 10) if l.strip()]
        r.errors_from = "output"


TERMINAL_KINDS = {k for k, _ in TERMINAL} | {"stopped"}


def _status_words(status):
    if status is None:
        return "stopped by the runner"
    if status < 0:
        try:
            return f"killed by signal {signal.Signals(-status).name}"
        except ValueError:
            return f"killed by signal {-status}"
    return f"status {status}"
