#!/usr/bin/env python3
"""mkinitramfs.py - a busybox initramfs for the Linux guest, without root.

An initramfs is a cpio archive in the "newc" format, usually gzip-compressed,
that the kernel unpacks into its first root file system before it runs
/init (Linux: Documentation/driver-api/early-userspace/buffer-format.rst).
Each member is a 110-byte ASCII header

    "070701"  magic
    8 hex digits each: ino mode uid gid nlink mtime filesize
                       devmajor devminor rdevmajor rdevminor namesize check

then the name (namesize bytes, NUL included), padded with NULs so that the
data starts on a multiple of 4 bytes; then the data (a file's contents, a
symlink's target), padded to a multiple of 4 again. The member named
"TRAILER!!!" ends the archive. Device nodes are just headers with a mode of
S_IFCHR and rdevmajor/rdevminor, so unlike `cpio -o` run on a real tree we
need no root to create /dev/console.

The archive is described by a spec in the format of the kernel's own
usr/gen_init_cpio, one entry a line ('#' starts a comment):

    dir   <name> <mode> <uid> <gid>
    file  <name> <source> <mode> <uid> <gid>
    slink <name> <target> <mode> <uid> <gid>
    nod   <name> <mode> <uid> <gid> <c|b> <major> <minor>

Modes are octal. Parents must be listed before their contents (the kernel
creates members in order). Output is deterministic: every mtime is the same
(--mtime, default 0), inode numbers count up from 1, and the gzip header
carries no name and no time, so the same inputs give the same bytes.

Usage:
  mkinitramfs.py --busybox BB --init SCRIPT [--hvtsc BIN] -o OUT.cpio.gz
  mkinitramfs.py --spec FILE -o OUT.cpio.gz          (any gen_init_cpio spec)
  mkinitramfs.py --busybox BB --init SCRIPT --print-spec   (show the spec)
Options: --applet NAME (more busybox links, repeatable), --no-gzip, --mtime N.
"""
import argparse
import gzip
import os
import stat
import sys

NEWC_MAGIC = b"070701"
TRAILER = "TRAILER!!!"

# The standard directories. /usr/bin and /usr/sbin let `busybox --install -s`
# (run by the interactive /init) put every applet where busybox expects it.
DIRS = ["/bin", "/sbin", "/usr", "/usr/bin", "/usr/sbin", "/proc", "/sys", "/dev",
        "/tmp", "/etc", "/root", "/run"]

# Busybox applets linked in /bin: what the /init scripts use, plus the basic
# tools one wants at the shell. The interactive /init installs the rest.
APPLETS = [
    "sh", "ash", "mount", "umount", "cat", "echo", "printf", "test", "[", "true", "false",
    "poweroff", "reboot", "halt", "ls", "dmesg", "uname", "sleep", "usleep", "grep", "sed",
    "tr", "awk", "head", "tail", "wc", "cut", "expr", "mkdir", "mknod", "rm", "cp", "mv",
    "ln", "setsid", "cttyhack", "stty", "tty", "ps", "free", "uptime", "top", "vi", "less",
    "hexdump", "od", "dd", "sync", "date", "env", "kill", "id", "hostname", "clear", "reset",
    "find", "xargs", "seq", "sort", "uniq", "which", "stat", "df", "du", "chmod", "touch",
    "readlink", "basename", "dirname", "nproc", "sysctl",
]

# Device nodes the kernel and /init need before devtmpfs is mounted: the
# kernel opens /dev/console as init's stdin/stdout/stderr (a missing node
# gives "Warning: unable to open an initial console" and an /init with no
# output). Numbers: Documentation/admin-guide/devices.txt.
NODES = [
    ("/dev/console", 0o600, "c", 5, 1),
    ("/dev/ttyS0", 0o660, "c", 4, 64),
    ("/dev/null", 0o666, "c", 1, 3),
    ("/dev/tty", 0o666, "c", 5, 0),
]


class SpecError(Exception):
    pass


def _hdr(ino, mode, uid, gid, nlink, mtime, filesize, rdevmajor, rdevminor, name):
    """One newc header plus the NUL-terminated, padded name."""
    name_b = name.encode() + b"\0"
    fields = (ino, mode, uid, gid, nlink, mtime, filesize, 0, 0, rdevmajor, rdevminor,
              len(name_b), 0)
    for v in fields:
        if not 0 <= v <= 0xFFFFFFFF:
            raise SpecError(f"{name}: header field {v} does not fit in 8 hex digits")
    out = NEWC_MAGIC + b"".join(b"%08X" % v for v in fields) + name_b
    return out + b"\0" * (-len(out) % 4)


def _pad(data):
    return data + b"\0" * (-len(data) % 4)


class Archive:
    """A newc archive built member by member, in the order they are added."""

    def __init__(self, mtime=0):
        self.mtime = mtime
        self.members = []         # (name, mode, uid, gid, rdev major, minor, data)
        self.names = {"": stat.S_IFDIR}   # the root always exists

    def _add(self, name, mode, uid, gid, data=b"", major=0, minor=0):
        norm = name.strip("/")
        if not norm or norm in (".", "..") or "//" in norm or any(
                part in (".", "..") for part in norm.split("/")):
            raise SpecError(f"{name!r}: not a valid path in the archive")
        if norm == TRAILER:
            raise SpecError(f"{name!r}: the name is reserved for the end of the archive")
        if "\0" in norm or "\n" in norm:
            raise SpecError(f"{name!r}: the name holds a NUL or a newline")
        if norm in self.names:
            raise SpecError(f"/{norm}: listed twice")
        parent = norm.rpartition("/")[0]
        if parent not in self.names:
            raise SpecError(f"/{norm}: its directory /{parent} is not listed before it")
        if not stat.S_ISDIR(self.names[parent]):
            raise SpecError(f"/{norm}: /{parent} is not a directory")
        for what, v in (("uid", uid), ("gid", gid)):
            if not 0 <= v <= 0xFFFFFFFF:
                raise SpecError(f"/{norm}: {what} {v} out of range")
        self.names[norm] = mode
        self.members.append((norm, mode, uid, gid, major, minor, bytes(data)))

    @staticmethod
    def _perm(name, mode):
        if not 0 <= mode <= 0o7777:
            raise SpecError(f"{name}: mode {mode:o} is not a permission mode (0..7777)")
        return mode

    def add_dir(self, name, mode=0o755, uid=0, gid=0):
        self._add(name, stat.S_IFDIR | self._perm(name, mode), uid, gid)

    def add_file(self, name, data, mode=0o644, uid=0, gid=0):
        self._add(name, stat.S_IFREG | self._perm(name, mode), uid, gid, data)

    def add_symlink(self, name, target, mode=0o777, uid=0, gid=0):
        if not target or "\0" in target:
            raise SpecError(f"{name}: empty or invalid symlink target")
        self._add(name, stat.S_IFLNK | self._perm(name, mode), uid, gid, target.encode())

    def add_node(self, name, kind, major, minor, mode=0o600, uid=0, gid=0):
        kinds = {"c": stat.S_IFCHR, "b": stat.S_IFBLK}
        if kind not in kinds:
            raise SpecError(f"{name}: device type {kind!r} is neither c nor b")
        for what, v in (("major", major), ("minor", minor)):
            if not 0 <= v <= 0xFFFFFFFF:
                raise SpecError(f"{name}: {what} number {v} out of range")
        self._add(name, kinds[kind] | self._perm(name, mode), uid, gid, b"", major, minor)

    def to_bytes(self):
        out = []
        for ino, (name, mode, uid, gid, major, minor, data) in enumerate(self.members, 1):
            nlink = 2 if stat.S_ISDIR(mode) else 1
            out.append(_hdr(ino, mode, uid, gid, nlink, self.mtime, len(data), major, minor,
                            name))
            out.append(_pad(data))
        # The trailer: as the kernel's gen_init_cpio writes it (nlink 1, all else 0).
        out.append(_hdr(0, 0, 0, 0, 1, 0, 0, 0, 0, TRAILER))
        return b"".join(out)


def compress(data):
    """gzip with no file name and a zero time: reproducible bytes."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def _num(tok, base, what, lineno):
    try:
        return int(tok, base)
    except ValueError:
        raise SpecError(f"line {lineno}: {what} {tok!r} is not a number")


def parse_spec(lines, archive, base_dir="."):
    """Add the members a gen_init_cpio spec lists to @archive.

    A file's <source> is relative to @base_dir. Errors name the line.
    """
    arity = {"dir": 5, "file": 6, "slink": 6, "nod": 8}
    for lineno, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        tok = line.split()
        kind = tok[0]
        if kind not in arity:
            raise SpecError(f"line {lineno}: unknown entry type {kind!r} "
                            f"(dir, file, slink or nod)")
        if len(tok) != arity[kind]:
            raise SpecError(f"line {lineno}: {kind} takes {arity[kind] - 1} fields, "
                            f"got {len(tok) - 1}")
        try:
            if kind == "dir":
                archive.add_dir(tok[1], _num(tok[2], 8, "mode", lineno),
                                _num(tok[3], 10, "uid", lineno), _num(tok[4], 10, "gid", lineno))
            elif kind == "file":
                src = os.path.join(base_dir, tok[2])
                try:
                    with open(src, "rb") as f:
                        data = f.read()
                except OSError as e:
                    raise SpecError(f"{tok[1]}: cannot read {src}: {e.strerror}")
                archive.add_file(tok[1], data, _num(tok[3], 8, "mode", lineno),
                                 _num(tok[4], 10, "uid", lineno), _num(tok[5], 10, "gid", lineno))
            elif kind == "slink":
                archive.add_symlink(tok[1], tok[2], _num(tok[3], 8, "mode", lineno),
                                    _num(tok[4], 10, "uid", lineno),
                                    _num(tok[5], 10, "gid", lineno))
            else:
                archive.add_node(tok[1], tok[5], _num(tok[6], 10, "major", lineno),
                                 _num(tok[7], 10, "minor", lineno),
                                 _num(tok[2], 8, "mode", lineno),
                                 _num(tok[3], 10, "uid", lineno), _num(tok[4], 10, "gid", lineno))
        except SpecError as e:
            msg = str(e)
            raise SpecError(msg if msg.startswith("line ") else f"line {lineno}: {msg}")


def default_spec(busybox, init, hvtsc=None, applets=()):
    """The spec of the guest's initramfs, as gen_init_cpio lines."""
    lines = ["# hvlab Linux guest initramfs (tools/linux/mkinitramfs.py)"]
    lines += [f"dir {d} 0755 0 0" for d in DIRS]
    lines.append(f"file /bin/busybox {busybox} 0755 0 0")
    for a in list(APPLETS) + [a for a in applets if a not in APPLETS]:
        if "/" in a or not a or a == "busybox":
            raise SpecError(f"applet {a!r}: not a plain applet name")
        lines.append(f"slink /bin/{a} busybox 0777 0 0")
    for name, mode, kind, major, minor in NODES:
        lines.append(f"nod {name} {mode:04o} 0 0 {kind} {major} {minor}")
    if hvtsc:
        lines.append(f"file /bin/hvtsc {hvtsc} 0755 0 0")
    lines.append(f"file /init {init} 0755 0 0")
    for path in (busybox, init, hvtsc):
        if path and any(c.isspace() for c in path):
            raise SpecError(f"{path!r}: the spec format cannot carry a path with spaces")
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spec", help="a gen_init_cpio spec file (instead of the default spec)")
    ap.add_argument("--busybox", help="the static busybox binary")
    ap.add_argument("--init", help="the /init script")
    ap.add_argument("--hvtsc", help="the hvtsc binary (/bin/hvtsc)")
    ap.add_argument("--applet", action="append", default=[], help="one more busybox link")
    ap.add_argument("-o", "--output", help="the archive to write")
    ap.add_argument("--no-gzip", action="store_true", help="write the cpio uncompressed")
    ap.add_argument("--mtime", type=int, default=0, help="every member's mtime (default 0)")
    ap.add_argument("--print-spec", action="store_true", help="print the spec and stop")
    args = ap.parse_args(argv)
    try:
        if args.spec:
            with open(args.spec) as f:
                lines = f.read().splitlines()
            base = os.path.dirname(args.spec) or "."
        else:
            if not args.busybox or not args.init:
                ap.error("--busybox and --init are needed (or --spec FILE)")
            lines = default_spec(args.busybox, args.init, args.hvtsc, args.applet)
            base = "."
        if args.print_spec:
            print("\n".join(lines))
            return 0
        if not args.output:
            ap.error("-o OUTPUT is needed")
        arc = Archive(mtime=args.mtime)
        parse_spec(lines, arc, base)
        data = arc.to_bytes()
        if not args.no_gzip:
            data = compress(data)
    except (SpecError, OSError) as e:
        print(f"mkinitramfs: error: {e}", file=sys.stderr)
        return 1
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, args.output)
    print(f"mkinitramfs: {args.output}: {len(arc.members)} members, {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
