# lab4-devices/mk/run.mk - booting one guest on a whole PC, interactively:
#
#   make run-guest IMAGE=FILE [MODULE=FILE] [APPEND="..."] [CPUS=N] [RAM=KIB] [TIMEOUT=S]
#   make run-linux [KERNEL=FILE] [INITRD=FILE] [APPEND="..."]
#
# The files are linked into a kernel of their own ($(BUILD)/run-guest) as
# payloads (core.mk), booted with boot=image[,module]; the guest's serial
# console is the terminal (grader.run --terminal), and the run exits with
# the guest's status (the debug-exit port; 0 for poweroff; 128 + reason if
# it died or timed out).
include tools/linux/linux.mk

comma := ,
RUN_GUEST_BUILD = $(BUILD)/run-guest
# Bochs' memory: the guest's RAM plus hvlab, its page tables and the payloads.
RUN_GUEST_HOST_MB = 512
RAM ?= 131072
LINUX_APPEND ?= console=ttyS0 acpi=off pci=off noapic nolapic

.PHONY: run-guest run-linux
run-guest:
	@test -n "$(IMAGE)" || { echo "run-guest: IMAGE=FILE is required"; exit 2; }
	@test -f "$(IMAGE)" || { echo "run-guest: $(IMAGE): no such file"; exit 2; }
	@test -z "$(MODULE)" || test -f "$(MODULE)" || { echo "run-guest: $(MODULE): no such file"; exit 2; }
	@$(MAKE) --no-print-directory BUILD=$(RUN_GUEST_BUILD) \
		PAYLOADS="image=$(IMAGE)$(if $(MODULE), module=$(MODULE))" build
	$(PYTHON) -m grader.run --emu bochs --build $(RUN_GUEST_BUILD) --cpus $(or $(strip $(CPUS)),1) \
		--mem $(RUN_GUEST_HOST_MB) --timeout 0 --terminal --status \
		--cmdline "boot=image$(if $(MODULE),$(comma)module) vmram=$(RAM) $(if $(TIMEOUT),timeout=$(TIMEOUT)) -- $(APPEND)"

# The Debian kernel and a busybox shell (tools/linux: fetched at first use).
run-linux: $(if $(and $(KERNEL),$(INITRD)),,linux-fetch)
	@$(MAKE) --no-print-directory run-guest IMAGE=$(or $(KERNEL),$(LINUX_KERNEL)) \
		MODULE=$(or $(INITRD),$(LINUX_INITRD_SHELL)) APPEND="$(or $(APPEND),$(LINUX_APPEND))"

# The same Linux boot on bare Bochs and under hvlab on Bochs: instructions to
# /init, their ratio, exits by reason, and the exits-over-time chart
# ($(BUILD)/bench-linux.txt, $(BUILD)/bench-linux.svg).
.PHONY: bench-linux
bench-linux: linux-fetch
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/bench-linux \
		PAYLOADS="vmlinuz=$(LINUX_KERNEL) initrd=$(LINUX_INITRD_BENCH)" build
	$(PYTHON) lab4-devices/bench_linux.py --build $(BUILD)/bench-linux
