# tools/linux/linux.mk - the unmodified Linux guest: Debian's cloud kernel, a
# busybox initramfs and two /init scripts, all built into an ignored cache
# (nothing of them is committed). The Makefile includes this file.
#
#   make linux-fetch        fetch the kernel and busybox (apt-get download),
#                           build hvtsc and both initramfs images
#   make linux-qemu-check   boot them under plain QEMU (TCG, no hvlab): the test
#                           /init on the PIC and the "APIC" command line, and the
#                           shell /init with typed input; the reference for hvlab
#   make linux-qemu-shell   the shell /init under plain QEMU, on this terminal
#
# Variables (for run-linux / bench-linux too):
#   LINUX_CACHE         the cache folder (default cache/linux)
#   LINUX_KERNEL        the bzImage (Debian's vmlinuz-*-cloud-amd64)
#   LINUX_INITRD_TEST   initramfs whose /init is tools/linux/init-test
#   LINUX_INITRD_SHELL  initramfs whose /init is tools/linux/init-shell
#   LINUX_APPEND_PIC, LINUX_APPEND_APIC   the two base command lines
# The test /init compares against hvlab.mem=, hvlab.cpu= and hvlab.cpus= on the
# command line (see tools/linux/init-test): the harness appends them.

LINUX_CACHE        ?= cache/linux
LINUX_KERNEL       ?= $(LINUX_CACHE)/vmlinuz
LINUX_BUSYBOX      := $(LINUX_CACHE)/busybox
LINUX_HVTSC        := $(LINUX_CACHE)/hvtsc
LINUX_INITRD_TEST  ?= $(LINUX_CACHE)/initramfs-test.cpio.gz
LINUX_INITRD_SHELL ?= $(LINUX_CACHE)/initramfs-shell.cpio.gz
LINUX_INITRD_BENCH ?= $(LINUX_CACHE)/initramfs-bench.cpio.gz
LINUX_APPEND_PIC   := console=ttyS0 acpi=off pci=off noapic nolapic panic=-1
LINUX_APPEND_APIC  := console=ttyS0 acpi=off pci=off panic=-1
LINUX_MKINITRAMFS  := tools/linux/mkinitramfs.py

# fetch.py gets both files in one go and does nothing when both are there.
# The kernel does not depend on fetch.py: editing the script re-downloads nothing.
$(LINUX_KERNEL):
	$(PYTHON) tools/linux/fetch.py --cache $(LINUX_CACHE)
$(LINUX_BUSYBOX): | $(LINUX_KERNEL)
	$(PYTHON) tools/linux/fetch.py --cache $(LINUX_CACHE)

# No C library (see hvtsc.c): a few KB, and a fixed build id-less binary.
$(LINUX_HVTSC): tools/linux/hvtsc.c
	@mkdir -p $(dir $@)
	$(CC) -static -O2 -Wall -Wextra -nostdlib -ffreestanding -fno-stack-protector \
		-fno-pie -no-pie -fcf-protection=none -Wl,--build-id=none -s -o $@ $<

$(LINUX_INITRD_TEST): tools/linux/init-test $(LINUX_MKINITRAMFS) $(LINUX_BUSYBOX) $(LINUX_HVTSC)
	$(PYTHON) $(LINUX_MKINITRAMFS) --busybox $(LINUX_BUSYBOX) --hvtsc $(LINUX_HVTSC) \
		--init $< -o $@
$(LINUX_INITRD_SHELL): tools/linux/init-shell $(LINUX_MKINITRAMFS) $(LINUX_BUSYBOX) $(LINUX_HVTSC)
	$(PYTHON) $(LINUX_MKINITRAMFS) --busybox $(LINUX_BUSYBOX) --hvtsc $(LINUX_HVTSC) \
		--init $< -o $@

$(LINUX_INITRD_BENCH): tools/linux/init-bench $(LINUX_MKINITRAMFS) $(LINUX_BUSYBOX) $(LINUX_HVTSC)
	$(PYTHON) $(LINUX_MKINITRAMFS) --busybox $(LINUX_BUSYBOX) --hvtsc $(LINUX_HVTSC) \
		--init $< -o $@

linux-fetch: $(LINUX_KERNEL) $(LINUX_BUSYBOX) $(LINUX_HVTSC) $(LINUX_INITRD_TEST) \
	$(LINUX_INITRD_SHELL) $(LINUX_INITRD_BENCH)

# Plain QEMU as the reference. QEMU's default CPU (qemu64) calls itself
# "QEMU Virtual CPU version 2.5+"; '_' stands for a space in hvlab.cpu=.
LINUX_QEMU_MEM   ?= 128
LINUX_QEMU_CHECK  = $(PYTHON) tools/linux/qemu-boot.py --kernel $(LINUX_KERNEL) \
	--mem $(LINUX_QEMU_MEM) --timeout 300 --quiet
LINUX_QEMU_HV     = hvlab.mem=$(LINUX_QEMU_MEM)M hvlab.cpu=QEMU_Virtual_CPU_version_2.5+ hvlab.cpus=1

linux-qemu-check: linux-fetch
	$(LINUX_QEMU_CHECK) --initrd $(LINUX_INITRD_TEST) --test \
		--append "$(LINUX_APPEND_PIC) $(LINUX_QEMU_HV)" --log $(LINUX_CACHE)/qemu-pic.log
	$(LINUX_QEMU_CHECK) --initrd $(LINUX_INITRD_TEST) --test \
		--append "$(LINUX_APPEND_APIC) $(LINUX_QEMU_HV)" --log $(LINUX_CACHE)/qemu-apic.log
	$(LINUX_QEMU_CHECK) --initrd $(LINUX_INITRD_SHELL) --append "$(LINUX_APPEND_PIC)" \
		--input 'echo typed $$((6 * 7))\npoweroff -f' --expect '^typed 42' \
		--log $(LINUX_CACHE)/qemu-shell.log

# Ctrl-A X leaves QEMU (with acpi=off, `poweroff -f` only halts the CPU).
linux-qemu-shell: linux-fetch
	qemu-system-x86_64 -m $(LINUX_QEMU_MEM) -nographic -no-reboot -kernel $(LINUX_KERNEL) \
		-initrd $(LINUX_INITRD_SHELL) -append "$(LINUX_APPEND_PIC)"

.PHONY: linux-fetch linux-qemu-check linux-qemu-shell
