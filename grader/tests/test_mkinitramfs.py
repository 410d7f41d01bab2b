"""Unit tests for tools/linux/mkinitramfs.py: the newc cpio writer.

The archive is parsed back here with an independent reader written from the
format description (Linux: Documentation/driver-api/early-userspace/
buffer-format.rst), so a writer bug does not hide behind the same bug.
"""
import gzip
import os
import stat
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "linux"))
import mkinitramfs  # noqa: E402

FIELDS = ("ino", "mode", "uid", "gid", "nlink", "mtime", "filesize", "devmajor",
          "devminor", "rdevmajor", "rdevminor", "namesize", "check")


def parse(data):
    """[(name, header dict, data)] of a newc archive, the trailer included.

    Checks what the kernel's unpacker relies on: the magic, hex digits,
    NUL-terminated names, 4-byte alignment of each header and of each data.
    """
    out = []
    off = 0
    while True:
        if off % 4:
            raise AssertionError(f"header at {off} not 4-byte aligned")
        hdr = data[off:off + 110]
        if len(hdr) < 110:
            raise AssertionError(f"truncated header at {off}")
        if hdr[:6] != b"070701":
            raise AssertionError(f"bad magic {hdr[:6]!r} at {off}")
        h = {}
        for i, f in enumerate(FIELDS):
            digits = hdr[6 + 8 * i:14 + 8 * i]
            if not all(c in b"0123456789ABCDEFabcdef" for c in digits):
                raise AssertionError(f"{f}: not hex: {digits!r}")
            h[f] = int(digits, 16)
        name_end = off + 110 + h["namesize"]
        name = data[off + 110:name_end]
        if not name.endswith(b"\0") or b"\0" in name[:-1]:
            raise AssertionError(f"name at {off} is not NUL-terminated: {name!r}")
        pos = name_end + (-name_end % 4)
        if data[name_end:pos] != b"\0" * (pos - name_end):
            raise AssertionError("name padding is not NULs")
        body = data[pos:pos + h["filesize"]]
        end = pos + h["filesize"]
        off = end + (-end % 4)
        if data[end:off] != b"\0" * (off - end):
            raise AssertionError("data padding is not NULs")
        out.append((name[:-1].decode(), h, body))
        if name[:-1] == b"TRAILER!!!":
            if off != len(data):
                raise AssertionError(f"{len(data) - off} bytes after the trailer")
            return out


class Format(unittest.TestCase):
    def build(self):
        a = mkinitramfs.Archive(mtime=0)
        a.add_dir("/bin", 0o755)
        a.add_file("/bin/busybox", b"\x7fELF" + b"x" * 9, 0o755)   # 13 bytes: needs padding
        a.add_symlink("/bin/sh", "busybox")
        a.add_dir("/dev")
        a.add_node("/dev/console", "c", 5, 1, 0o600)
        a.add_node("/dev/ttyS0", "c", 4, 64, 0o660)
        a.add_node("/dev/sda", "b", 8, 0, 0o660)
        a.add_file("/init", b"#!/bin/sh\n", 0o755)
        return a.to_bytes()

    def test_members_round_trip(self):
        members = parse(self.build())
        names = [m[0] for m in members]
        self.assertEqual(names, ["bin", "bin/busybox", "bin/sh", "dev", "dev/console",
                                 "dev/ttyS0", "dev/sda", "init", "TRAILER!!!"])
        by = {n: (h, d) for n, h, d in members}
        h, d = by["bin/busybox"]
        self.assertEqual(d, b"\x7fELFxxxxxxxxx")
        self.assertEqual(h["filesize"], 13)
        self.assertEqual(h["mode"], stat.S_IFREG | 0o755)
        h, d = by["bin/sh"]
        self.assertEqual(h["mode"], stat.S_IFLNK | 0o777)
        self.assertEqual(d, b"busybox", "a symlink's data is its target, no NUL")
        h, d = by["bin"]
        self.assertEqual(h["mode"], stat.S_IFDIR | 0o755)
        self.assertEqual((h["filesize"], h["nlink"]), (0, 2))

    def test_device_nodes(self):
        by = {n: h for n, h, _ in parse(self.build())}
        self.assertEqual(by["dev/console"]["mode"], stat.S_IFCHR | 0o600)
        self.assertEqual((by["dev/console"]["rdevmajor"], by["dev/console"]["rdevminor"]), (5, 1))
        self.assertEqual((by["dev/ttyS0"]["rdevmajor"], by["dev/ttyS0"]["rdevminor"]), (4, 64))
        self.assertEqual(by["dev/sda"]["mode"], stat.S_IFBLK | 0o660)
        self.assertEqual(by["dev/console"]["filesize"], 0)

    def test_inodes_distinct_and_trailer(self):
        members = parse(self.build())
        inos = [h["ino"] for n, h, _ in members[:-1]]
        self.assertEqual(len(set(inos)), len(inos), "hard links would be made of equal inodes")
        self.assertNotIn(0, inos)
        name, h, body = members[-1]
        self.assertEqual(name, "TRAILER!!!")
        self.assertEqual((h["namesize"], h["filesize"], h["nlink"]), (11, 0, 1))

    def test_alignment_for_every_name_length(self):
        # Names of each length mod 4, data of each length mod 4: parse()
        # checks the alignment of every header and every data.
        a = mkinitramfs.Archive()
        for n in range(1, 9):
            a.add_file("/" + "f" * n, b"d" * n)
        members = parse(a.to_bytes())
        self.assertEqual([d for _, _, d in members[:-1]], [b"d" * n for n in range(1, 9)])

    def test_mtime_and_ids(self):
        a = mkinitramfs.Archive(mtime=1234567)
        a.add_dir("/x", 0o700, uid=1000, gid=100)
        h = parse(a.to_bytes())[0][1]
        self.assertEqual((h["mtime"], h["uid"], h["gid"]), (1234567, 1000, 100))
        self.assertEqual(h["mode"], stat.S_IFDIR | 0o700)

    def test_deterministic(self):
        self.assertEqual(self.build(), self.build())
        self.assertEqual(mkinitramfs.compress(self.build()),
                         mkinitramfs.compress(self.build()))

    def test_gzip_has_no_time_or_name(self):
        gz = mkinitramfs.compress(self.build())
        self.assertEqual(gz[:3], b"\x1f\x8b\x08")
        self.assertEqual(gz[3] & 0x08, 0, "FNAME set: the output would depend on the file name")
        self.assertEqual(gz[4:8], b"\0\0\0\0", "MTIME must be 0")
        self.assertEqual(gzip.decompress(gz), self.build())


class Refused(unittest.TestCase):
    def setUp(self):
        self.a = mkinitramfs.Archive()

    def refused(self, fn, *args, text):
        with self.assertRaises(mkinitramfs.SpecError) as cm:
            fn(*args)
        self.assertIn(text, str(cm.exception))

    def test_parent_must_come_first(self):
        self.refused(self.a.add_file, "/bin/busybox", b"", text="/bin is not listed")

    def test_parent_must_be_a_directory(self):
        self.a.add_file("/f", b"")
        self.refused(self.a.add_file, "/f/g", b"", text="not a directory")

    def test_duplicate(self):
        self.a.add_dir("/bin")
        self.refused(self.a.add_dir, "/bin", text="listed twice")

    def test_bad_names(self):
        for name in ("/", "", "/a/../b", "/./x", "a//b", "/TRAILER!!!", "/a\nb"):
            with self.subTest(name=name):
                with self.assertRaises(mkinitramfs.SpecError):
                    self.a.add_file(name, b"")

    def test_bad_node_and_mode(self):
        self.a.add_dir("/dev")
        self.refused(self.a.add_node, "/dev/x", "p", 1, 1, text="neither c nor b")
        self.refused(self.a.add_node, "/dev/x", "c", -1, 1, text="major")
        self.refused(self.a.add_file, "/dev/y", b"", 0o10000, text="permission mode")
        self.refused(self.a.add_symlink, "/dev/z", "", text="symlink target")


class Spec(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.bb = os.path.join(self.tmp.name, "busybox")
        self.init = os.path.join(self.tmp.name, "init")
        with open(self.bb, "wb") as f:
            f.write(b"\x7fELF busybox")
        with open(self.init, "w") as f:
            f.write("#!/bin/sh\necho hi\n")

    def test_gen_init_cpio_format(self):
        a = mkinitramfs.Archive()
        mkinitramfs.parse_spec([
            "# comment", "", "dir /dev 755 0 0",
            "nod /dev/console 0600 0 0 c 5 1   # trailing comment",
            "file /init init 0755 0 0", "slink /sh /init 777 0 0"], a, self.tmp.name)
        by = {n: (h, d) for n, h, d in parse(a.to_bytes())}
        self.assertEqual(by["init"][1], b"#!/bin/sh\necho hi\n")
        self.assertEqual(by["dev/console"][0]["rdevminor"], 1)
        self.assertEqual(by["sh"][1], b"/init")

    def test_spec_errors_name_the_line(self):
        cases = [("bogus /x", "line 1: unknown entry type"),
                 ("dir /x 755 0", "line 1: dir takes 4 fields"),
                 ("dir /x 9z 0 0", "line 1: mode '9z' is not a number"),
                 ("file /x nonexistent 644 0 0", "line 1: /x: cannot read"),
                 ("nod /n 600 0 0 x 1 1", "line 1: /n: device type")]
        for line, text in cases:
            with self.subTest(line=line):
                with self.assertRaises(mkinitramfs.SpecError) as cm:
                    mkinitramfs.parse_spec([line], mkinitramfs.Archive(), self.tmp.name)
                self.assertIn(text, str(cm.exception))

    def test_default_spec_has_what_the_guest_needs(self):
        a = mkinitramfs.Archive()
        mkinitramfs.parse_spec(mkinitramfs.default_spec(self.bb, self.init, None, ["vi"]), a)
        by = {n: (h, d) for n, h, d in parse(a.to_bytes())}
        for d in ("bin", "sbin", "proc", "sys", "dev", "tmp", "etc"):
            self.assertTrue(stat.S_ISDIR(by[d][0]["mode"]), d)
        for applet in ("sh", "mount", "cat", "echo", "poweroff", "ls", "dmesg", "uname",
                       "sleep", "grep", "sed", "awk", "setsid", "cttyhack"):
            self.assertEqual(by["bin/" + applet][1], b"busybox", applet)
        nodes = {"dev/console": (5, 1), "dev/ttyS0": (4, 64), "dev/null": (1, 3)}
        for n, (maj, mnr) in nodes.items():
            h = by[n][0]
            self.assertTrue(stat.S_ISCHR(h["mode"]), n)
            self.assertEqual((h["rdevmajor"], h["rdevminor"]), (maj, mnr), n)
        self.assertEqual(by["init"][1], b"#!/bin/sh\necho hi\n")
        self.assertEqual(by["init"][0]["mode"], stat.S_IFREG | 0o755)
        self.assertNotIn("bin/hvtsc", by)

    def test_cli_writes_reproducible_gzip(self):
        out1 = os.path.join(self.tmp.name, "a.cpio.gz")
        out2 = os.path.join(self.tmp.name, "b.cpio.gz")
        args = ["--busybox", self.bb, "--init", self.init, "--hvtsc", self.init]
        devnull = open(os.devnull, "w")
        self.addCleanup(devnull.close)
        old, sys.stdout = sys.stdout, devnull
        try:
            self.assertEqual(mkinitramfs.main(args + ["-o", out1]), 0)
            os.utime(self.bb, (1, 1))   # source times must not matter
            self.assertEqual(mkinitramfs.main(args + ["-o", out2]), 0)
        finally:
            sys.stdout = old
        with open(out1, "rb") as f1, open(out2, "rb") as f2:
            a, b = f1.read(), f2.read()
        self.assertEqual(a, b)
        names = [n for n, _, _ in parse(gzip.decompress(a))]
        self.assertIn("bin/hvtsc", names)
        self.assertEqual(names[-1], "TRAILER!!!")

    def test_cli_missing_input_is_an_error(self):
        err = open(os.devnull, "w")
        self.addCleanup(err.close)
        old, sys.stderr = sys.stderr, err
        try:
            rc = mkinitramfs.main(["--busybox", os.path.join(self.tmp.name, "nope"),
                                   "--init", self.init, "-o", os.path.join(self.tmp.name, "x")])
        finally:
            sys.stderr = old
        self.assertEqual(rc, 1)
        self.assertFalse(os.path.exists(os.path.join(self.tmp.name, "x")))


if __name__ == "__main__":
    unittest.main()
