#!/usr/bin/env python3
"""fetch.py - download Debian's cloud kernel and a static busybox into the cache.

The Linux guest of lab 4 is an *unmodified* Debian kernel, so we do not build
one: we take the package Debian ships. `linux-image-cloud-amd64` is only a
metapackage; its Depends field names the real package
(linux-image-<abi>-cloud-amd64), which holds boot/vmlinuz-<abi>-cloud-amd64,
a bzImage. `busybox-static` holds bin/busybox, a static binary that is the
whole user space of our initramfs (tools/linux/mkinitramfs.py).

Nothing of this is committed: everything goes under the cache folder
(default cache/linux, ignored by git; --cache DIR or $LINUX_CACHE to move it):

  CACHE/debs/*.deb          the packages as downloaded
  CACHE/root/               both packages extracted with `dpkg-deb -x`
                            (less lib/modules: 100 MB the guest never loads)
  CACHE/vmlinuz             copy of root/boot/vmlinuz-*   (the bzImage)
  CACHE/busybox             copy of root/bin/busybox
  CACHE/VERSION             "<package> <version>" of each package, one a line

Idempotent: when CACHE/vmlinuz and CACHE/busybox are there it does nothing
(--force downloads again). Needs apt-get and dpkg-deb (a Debian or Ubuntu
host) and the network, or a local mirror apt knows about.

Usage: tools/linux/fetch.py [--cache DIR] [--force]
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
META = "linux-image-cloud-amd64"
BUSYBOX = "busybox-static"


class FetchError(Exception):
    pass


def say(msg):
    print("fetch: " + msg, flush=True)


def run(cmd, cwd=None):
    """Run @cmd; return its stdout, or raise FetchError with what it said."""
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, errors="replace")
    except FileNotFoundError:
        raise FetchError(f"{cmd[0]} not found: this script needs a Debian or Ubuntu host "
                         f"with apt-get and dpkg-deb")
    if p.returncode != 0:
        # apt-get download as root, into a folder the _apt user cannot
        # write, warns "Download is performed unsandboxed as root": harmless.
        err = "\n".join(l for l in p.stderr.splitlines() if "unsandboxed" not in l)
        raise FetchError(f"`{' '.join(cmd)}` failed (status {p.returncode}):\n{err.strip()}")
    return p.stdout


def download(pkg, dest):
    """apt-get download @pkg into @dest; return the path of the .deb."""
    before = set(glob.glob(os.path.join(dest, "*.deb")))
    try:
        run(["apt-get", "download", pkg], cwd=dest)
    except FetchError as e:
        text = str(e)
        if "Unable to locate package" in text or "Can't select" in text:
            hint = "apt does not know the package: run `apt-get update` (as root) first"
        elif "Could not resolve" in text or "Failed to fetch" in text or "Temporary failure" in text:
            hint = "the Debian mirror cannot be reached: are we offline?"
        else:
            hint = "see apt-get's message above"
        raise FetchError(f"{text}\n{hint}")
    new = sorted(set(glob.glob(os.path.join(dest, "*.deb"))) - before)
    if not new:
        # Already downloaded earlier (apt-get overwrites in place): find it by name.
        new = sorted(glob.glob(os.path.join(dest, pkg + "_*.deb")))
    if not new:
        raise FetchError(f"apt-get download {pkg} succeeded but left no {pkg}_*.deb in {dest}")
    return new[-1]


def deb_field(deb, field):
    return run(["dpkg-deb", "-f", deb, field]).strip()


def kernel_package(meta_deb):
    """The real kernel package the metapackage depends on.

    Depends looks like "linux-image-6.1.0-56-cloud-amd64 (= 6.1.192-2)" or,
    on some releases, "linux-image-6.1.0-56-cloud-amd64 | linux-image-...-unsigned":
    take the first alternative that is a linux-image-*-cloud-amd64 package.
    """
    depends = deb_field(meta_deb, "Depends")
    for clause in depends.split(","):
        for alt in clause.split("|"):
            name = alt.strip().split(" ")[0].split(":")[0]
            if name.startswith("linux-image-") and name != META and "cloud" in name:
                return name
    raise FetchError(f"{os.path.basename(meta_deb)}: no linux-image-*-cloud-amd64 in its "
                     f"Depends field ({depends!r})")


def fetch(cache, force=False):
    vmlinuz = os.path.join(cache, "vmlinuz")
    busybox = os.path.join(cache, "busybox")
    if not force and os.path.isfile(vmlinuz) and os.path.isfile(busybox):
        say(f"{vmlinuz} and {busybox} are there (--force to fetch again)")
        return
    for tool in ("apt-get", "dpkg-deb"):
        if shutil.which(tool) is None:
            raise FetchError(f"{tool} not found: fetching Debian's kernel needs a Debian or "
                             f"Ubuntu host (or put a bzImage at {vmlinuz} and a static "
                             f"busybox at {busybox} yourself)")
    debs = os.path.join(cache, "debs")
    os.makedirs(debs, exist_ok=True)
    # Let apt's unprivileged _apt user write here, so that apt-get need not
    # fall back to downloading as root (which only warns, but is noisy).
    try:
        os.chmod(debs, 0o1777)
    except OSError:
        pass

    say(f"apt-get download {META}")
    meta = download(META, debs)
    real = kernel_package(meta)
    say(f"{META} {deb_field(meta, 'Version')} depends on {real}")
    debfiles = []
    for pkg in (real, BUSYBOX):
        say(f"apt-get download {pkg}")
        debfiles.append(download(pkg, debs))

    # Extract into a fresh folder, then move into place: an interrupted run
    # leaves no half-extracted root behind.
    tmp = tempfile.mkdtemp(prefix="root.", dir=cache)
    try:
        for deb in debfiles:
            say(f"dpkg-deb -x {os.path.basename(deb)}")
            run(["dpkg-deb", "-x", deb, tmp])
        kernels = sorted(glob.glob(os.path.join(tmp, "boot", "vmlinuz-*")))
        if len(kernels) != 1:
            raise FetchError(f"{real}: expected one boot/vmlinuz-* in the package, "
                             f"found {len(kernels)}")
        # The kernel's modules (~100 MB) are of no use: the initramfs holds
        # none, and the cloud kernel has what the guest needs built in.
        shutil.rmtree(os.path.join(tmp, "lib", "modules"), ignore_errors=True)
        bb = os.path.join(tmp, "bin", "busybox")
        if not os.path.isfile(bb):
            raise FetchError(f"{BUSYBOX}: no bin/busybox in the package")
        root = os.path.join(cache, "root")
        if os.path.isdir(root):
            shutil.rmtree(root)
        os.rename(tmp, root)
        tmp = None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    root = os.path.join(cache, "root")
    kernel = os.path.join(root, "boot", os.path.basename(kernels[0]))
    # Copies, not links: make compares their times, and a link into root/
    # would dangle when root/ is re-extracted.
    shutil.copyfile(kernel, vmlinuz + ".tmp")
    os.replace(vmlinuz + ".tmp", vmlinuz)
    shutil.copyfile(os.path.join(root, "bin", "busybox"), busybox + ".tmp")
    os.chmod(busybox + ".tmp", 0o755)
    os.replace(busybox + ".tmp", busybox)
    with open(os.path.join(cache, "VERSION"), "w") as f:
        for deb in [meta] + debfiles:
            f.write(f"{deb_field(deb, 'Package')} {deb_field(deb, 'Version')}\n")
        f.write(f"kernel {os.path.basename(kernel)}\n")
    say(f"{vmlinuz} ({os.path.getsize(vmlinuz)} bytes, {os.path.basename(kernel)})")
    say(f"{busybox} ({os.path.getsize(busybox)} bytes)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", default=os.environ.get("LINUX_CACHE")
                    or os.path.join(ROOT, "cache", "linux"),
                    help="cache folder (default cache/linux, or $LINUX_CACHE)")
    ap.add_argument("--force", action="store_true", help="download and extract again")
    args = ap.parse_args()
    try:
        os.makedirs(args.cache, exist_ok=True)
        fetch(os.path.abspath(args.cache), args.force)
    except FetchError as e:
        print(f"fetch: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
