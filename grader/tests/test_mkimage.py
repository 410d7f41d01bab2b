"""Unit tests for tools/mkimage.py: the Bochs boot disk and its header checks."""
import os
import struct
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
import mkimage  # noqa: E402

MAGIC = 0x1BADB002
FLAGS = 0x00010003
LOAD = 0x100000


def kernel(flags=FLAGS, checksum=None, header=LOAD, load=LOAD, load_end=LOAD + 0x2000,
           bss_end=LOAD + 0x3000, entry=LOAD + 0x20, size=0x1800, offset=0):
    """A flat kernel image with a multiboot header at @offset."""
    if checksum is None:
        checksum = -(MAGIC + flags) & 0xFFFFFFFF
    hdr = struct.pack("<8I", MAGIC, flags, checksum, header + offset, load, load_end,
                      bss_end, entry)
    img = bytearray(size)
    img[offset:offset + len(hdr)] = hdr
    return bytes(img)


def loader():
    blob = bytearray(mkimage.LOADER_SECTORS * mkimage.SECTOR)
    blob[mkimage.SECTOR:mkimage.SECTOR + 4] = b"HVLD"
    return bytes(blob)


class GoodImage(unittest.TestCase):
    def test_layout_and_descriptor(self):
        disk = mkimage.build(loader(), kernel(), "test=all")
        self.assertEqual(len(disk) % mkimage.CYLINDER, 0, "whole cylinders for Bochs")
        desc = struct.unpack_from("<4s7I", disk, mkimage.SECTOR)
        self.assertEqual(desc[0], b"HVLD")
        lba, sectors, load, load_end, bss_end, entry, cmd_lba = desc[1:]
        self.assertEqual((lba, load, load_end, bss_end, entry, cmd_lba),
                         (mkimage.KERNEL_LBA, LOAD, LOAD + 0x2000, LOAD + 0x3000, LOAD + 0x20,
                          mkimage.CMDLINE_LBA))
        self.assertEqual(sectors, 0x2000 // mkimage.SECTOR, "padded up to load_end")
        cmd = disk[cmd_lba * mkimage.SECTOR:(cmd_lba + 1) * mkimage.SECTOR]
        self.assertEqual(cmd.rstrip(b"\0"), b"test=all")
        k = disk[lba * mkimage.SECTOR:]
        self.assertEqual(struct.unpack_from("<I", k, 0)[0], MAGIC)

    def test_header_found_past_the_start(self):
        mkimage.build(loader(), kernel(offset=0x40), "")


class BadImages(unittest.TestCase):
    def refused(self, img, words, cmdline=""):
        with self.assertRaises(mkimage.ImageError) as cm:
            mkimage.build(loader(), img, cmdline)
        self.assertIn(words, str(cm.exception))

    def test_no_header(self):
        self.refused(bytes(0x3000), "no multiboot header")

    def test_bad_checksum(self):
        self.refused(kernel(checksum=0), "bad checksum")

    def test_no_address_fields(self):
        flags = FLAGS & ~(1 << 16)
        self.refused(kernel(flags=flags), "address fields")

    def test_header_addr_disagrees(self):
        self.refused(kernel(header=LOAD + 0x100), "disagrees")

    def test_load_below_1mib(self):
        self.refused(kernel(load=0x8000, header=0x8000, load_end=0x9000, bss_end=0x9000,
                            entry=0x8020), "below 1 MiB")

    def test_load_end_before_load(self):
        self.refused(kernel(load_end=LOAD), "load_end_addr")

    def test_entry_outside(self):
        self.refused(kernel(entry=LOAD + 0x5000), "entry")

    def test_bss_below_load_end(self):
        self.refused(kernel(bss_end=LOAD + 0x1000), "bss_end_addr")

    def test_truncated_image(self):
        self.refused(kernel()[:16], "no multiboot header")

    def test_overlong_cmdline(self):
        self.refused(kernel(), "command line", cmdline="x" * 600)

    def test_wrong_loader(self):
        with self.assertRaises(mkimage.ImageError):
            mkimage.build(b"\0" * 100, kernel(), "")
        with self.assertRaises(mkimage.ImageError):
            mkimage.build(bytes(len(loader())), kernel(), "")


if __name__ == "__main__":
    unittest.main()
