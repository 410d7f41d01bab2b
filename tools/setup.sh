#!/bin/sh
# tools/setup.sh - install what hvlab needs, and only what is missing.
#
# Runs at the start of `make run` and of .ci/run, so it must be quick when
# everything is present: one dpkg-query call, no network. On a fresh
# Debian 12 machine, as root, it installs the missing Debian packages with
# apt-get (one `apt-get update` first). It never touches anything else.
#
# Usage: tools/setup.sh [--check]    (--check: report what is missing, exit 1 if any)
set -eu

# What each package is for; keep this list small, CI installs it every run.
#   make gcc libc6-dev binutils  build the kernel and the host unit tests
#   python3                      the grader, the handout cutter, image tools
#   libcriterion-dev             host unit tests (make unit)
#   bochs bochs-term             the emulator with VMX (term: the headless display)
#   bochsbios vgabios            Bochs' BIOS and VGA BIOS images
#   qemu-system-x86              QEMU: fast runs, GDB stub, SVM, KVM
#   gdb                          make gdb, tools/gdb_test.py
#   groff perl                   handout.pdf (groff -ms -Tpdf; gropdf is a Perl
#                                script that compresses with Compress::Zlib)
PACKAGES="make gcc libc6-dev binutils python3 libcriterion-dev \
bochs-term bochs bochsbios vgabios qemu-system-x86 gdb groff perl"

check_only=0
if [ "${1:-}" = "--check" ]; then
	check_only=1
fi

# dpkg-query prints one line per package it knows; a package it has never
# heard of goes to stderr, and counts as missing.
# (The package lists are split into words on purpose, here and below.)
# shellcheck disable=SC2086
installed=" $(dpkg-query -W -f='${binary:Package} ${db:Status-Status}\n' $PACKAGES 2>/dev/null \
	| awk '$2 == "installed" { sub(/:.*/, "", $1); printf "%s ", $1 }') " || true
missing=""
for p in $PACKAGES; do
	case "$installed" in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done
missing=${missing# }

if [ -z "$missing" ]; then
	[ -n "${SETUP_VERBOSE:-}" ] && echo "setup: all packages present"
	exit 0
fi

if [ "$check_only" = 1 ]; then
	echo "setup: missing packages: $missing" >&2
	exit 1
fi

if [ "$(id -u)" != 0 ]; then
	echo "setup: these Debian packages are missing: $missing" >&2
	echo "setup: run as root to install them:  sudo sh tools/setup.sh" >&2
	echo "setup: (or: sudo apt-get install $missing)" >&2
	exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "setup: apt-get not found; hvlab's set-up expects Debian 12." >&2
	echo "setup: install these packages by hand: $missing" >&2
	exit 1
fi

echo "setup: installing: $missing"
echo "setup: (apt-get update and install; this takes a minute or two)"
log=$(mktemp /tmp/hvlab-setup.XXXXXX)
export DEBIAN_FRONTEND=noninteractive
# Recommends stay out: they would pull in a GUI stack, ImageMagick,
# Ghostscript and UEFI firmware that hvlab never uses.
APT_OPTS="-q -y -o Dpkg::Use-Pty=0 -o APT::Install-Recommends=false"
# shellcheck disable=SC2086
if ! apt-get $APT_OPTS update >"$log" 2>&1; then
	cat "$log" >&2
	echo "setup: apt-get update failed (network? sources.list?)" >&2
	exit 1
fi
# shellcheck disable=SC2086
if ! apt-get $APT_OPTS install $missing >>"$log" 2>&1; then
	tail -n 30 "$log" >&2
	echo "setup: apt-get install failed for: $missing (full log: $log)" >&2
	exit 1
fi

# Say exactly what is still absent, if anything (a renamed package, a held one).
if ! sh "$0" --check; then
	echo "setup: installation finished, but packages are still missing" >&2
	exit 1
fi
rm -f "$log"
echo "setup: done"
