# tools/debug.mk - debugging targets (the Makefile includes this file).
#
#   make qemu-gdb      QEMU, halted at the first instruction, GDB stub on $(GDBPORT)
#   make gdb           GDB with $(BUILD)/hvlab.elf's symbols, attached to that stub
#   make bochs-debug   Bochs' own debugger; BREAKPOINT() (xchg %bx,%bx) stops it
#
# Variables: CMDLINE (kernel command line, e.g. CMDLINE="test=pmm_*"),
# CPUS (number of CPUs), GDBPORT, BUILD, GDBFLAGS.
#
# The emulators are started by the grader's runner (grader/run.py), so a
# debugging session runs the very machine that `make run` and the grader run.

# One port per user, so that several students on one machine do not collide
# (the scheme of MIT's 6.828): 25000 + uid % 5000.
GDBPORT ?= $(shell expr `id -u` % 5000 + 25000)
GDB     ?= gdb
# CPUS and CMDLINE are shared with `make run` (tools/tools.mk): 2 CPUs unless told.
DEBUG_RUN = $(PYTHON) -m grader.run --build $(BUILD) --cpus $(or $(strip $(CPUS)),2) \
	--cmdline "$(CMDLINE)"

# QEMU (TCG, `-cpu max`: SVM with nested paging, no VMX) or, with EMU=kvm,
# KVM; -S keeps the CPU halted until GDB says `continue`.
qemu-gdb: build
	@echo "*** QEMU halts at its first instruction; its GDB stub waits on port $(GDBPORT)."
	@echo "*** In another terminal, in this directory: make gdb$(if $(filter-out build,$(BUILD)), BUILD=$(BUILD))"
	@echo "*** Ctrl-C here ends QEMU."
	$(DEBUG_RUN) --emu $(if $(filter kvm,$(strip $(EMU))),kvm,qemu) --gdb $(GDBPORT)

# -nx: a personal ~/.gdbinit (gef, pwndbg, ...) does not fight tools/gdbinit;
# add it back with GDBFLAGS="-x ~/.gdbinit" if you want it. GDBFLAGS come
# after the connection, so GDBFLAGS='-batch -ex "break kmain" -ex c' works.
# No rebuild here: the symbols must match the kernel QEMU is running.
gdb:
	@test -f $(BUILD)/hvlab.elf || { echo "gdb: no $(BUILD)/hvlab.elf; run make qemu-gdb first" >&2; exit 1; }
	$(GDB) -q -nx -x tools/gdbinit -ex 'target remote 127.0.0.1:$(GDBPORT)' $(GDBFLAGS) $(BUILD)/hvlab.elf

# Bochs boots hvlab's own disk image with the grader's deterministic
# settings (sync=none, fixed ips) and magic breakpoints on. Debian's Bochs has
# no GDB stub: this is its internal debugger (c, s, n, r, sreg, creg,
# x /8i $rip, lb ADDR, q; "help"). The serial console is echoed here.
bochs-debug: build
	@echo "*** kmain is at 0x$$(nm $(BUILD)/hvlab.elf | awk '$$3 == "kmain" { print $$1 }') ('lb' that address to stop there; more: nm $(BUILD)/hvlab.elf)"
	$(DEBUG_RUN) --bochs-debug

.PHONY: qemu-gdb gdb bochs-debug
