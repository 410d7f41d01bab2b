#!/usr/bin/env python3
"""Build the Bochs boot disk: hvlab's loader, a command line, the kernel.

Layout (see lab1-boot/boot/bootsect.S):
  LBA 0-3  loader, whose sector 1 starts with the "HVLD" descriptor
  LBA 4    kernel command line, NUL-terminated
  LBA 5..  the kernel's flat image (objcopy -O binary), load_addr first

The kernel's multiboot header (with the address fields, flag 16) says where
the image goes and where to enter; it is validated here exactly as a
multiboot loader would, so a broken header fails at build time with a
message instead of hanging the emulated BIOS.
"""
import argparse
import struct
import sys

SECTOR = 512
LOADER_SECTORS = 4
CMDLINE_LBA = 4
KERNEL_LBA = 5
MB_MAGIC = 0x1BADB002
MB_SEARCH = 8192
# Bochs derives a flat disk's geometry from its size: keep whole cylinders
# of 16 heads x 63 sectors.
CYLINDER = 16 * 63 * SECTOR


class ImageError(Exception):
    pass


def multiboot_header(kernel):
    """Return (load, load_end, bss_end, entry) from the kernel's header."""
    for off in range(0, min(len(kernel), MB_SEARCH) - 32 + 1, 4):
        magic, flags, checksum = struct.unpack_from("<III", kernel, off)
        if magic != MB_MAGIC:
            continue
        if (magic + flags + checksum) & 0xFFFFFFFF:
            raise ImageError(f"multiboot header at offset {off:#x}: bad checksum")
        if not flags & (1 << 16):
            raise ImageError("multiboot header lacks the address fields (flag 16)")
        header, load, load_end, bss_end, entry = struct.unpack_from("<5I", kernel, off + 12)
        if header - load != off:
            raise ImageError(f"header_addr {header:#x} disagrees with its offset {off:#x} "
                             f"from load_addr {load:#x}")
        if load < 0x100000:
            raise ImageError(f"load_addr {load:#x} is below 1 MiB")
        if load_end <= load or load_end - load > 64 << 20:
            raise ImageError(f"load_end_addr {load_end:#x} is not in (load_addr "
                             f"{load:#x}, load_addr + 64 MiB]")
        if bss_end and bss_end < load_end:
            raise ImageError(f"bss_end_addr {bss_end:#x} below load_end_addr {load_end:#x}")
        if not load <= entry < load_end:
            raise ImageError(f"entry {entry:#x} outside the loaded image")
        return load, load_end, bss_end or load_end, entry
    raise ImageError(f"no multiboot header in the first {MB_SEARCH} bytes")


def build(loader, kernel, cmdline):
    if len(loader) != LOADER_SECTORS * SECTOR:
        raise ImageError(f"loader is {len(loader)} bytes, want {LOADER_SECTORS * SECTOR}")
    if loader[SECTOR:SECTOR + 4] != b"HVLD":
        raise ImageError("loader has no HVLD descriptor at sector 1")
    cmd = cmdline.encode()
    if len(cmd) >= SECTOR:
        raise ImageError(f"command line is {len(cmd)} bytes; at most {SECTOR - 1}")
    load, load_end, bss_end, entry = multiboot_header(kernel)
    # objcopy drops the zero tail of the last section: pad back to load_end.
    image = kernel[:load_end - load].ljust(load_end - load, b"\0")
    sectors = (len(image) + SECTOR - 1) // SECTOR
    desc = struct.pack("<4s7I", b"HVLD", KERNEL_LBA, sectors, load, load_end,
                       bss_end, entry, CMDLINE_LBA)
    loader = bytearray(loader)
    loader[SECTOR:SECTOR + len(desc)] = desc
    disk = bytes(loader) + cmd.ljust(SECTOR, b"\0") + image.ljust(sectors * SECTOR, b"\0")
    return disk.ljust(-(-len(disk) // CYLINDER) * CYLINDER, b"\0")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loader", required=True, help="build/bootsect.bin")
    ap.add_argument("--kernel", required=True, help="flat kernel image (build/hvlab.bin)")
    ap.add_argument("--cmdline", default="", help="kernel command line")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args(argv)
    try:
        with open(args.loader, "rb") as f:
            loader = f.read()
        with open(args.kernel, "rb") as f:
            kernel = f.read()
        disk = build(loader, kernel, args.cmdline)
    except (OSError, ImageError) as e:
        print(f"mkimage: {e}", file=sys.stderr)
        return 1
    with open(args.output, "wb") as f:
        f.write(disk)
    return 0


if __name__ == "__main__":
    sys.exit(main())
