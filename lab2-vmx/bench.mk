# lab2-vmx/bench.mk - `make bench-exits`: the VM-exit round-trip benchmark.
# Boots Bochs (deterministic: its TSC counts emulated instructions) with the
# guest image lab2-bench as the only guest, and prints the cost of one
# CPUID, VMCALL and I/O exit round trip next to the reference figures.
bench-exits: build
	$(PYTHON) lab2-vmx/bench_exits.py --build $(BUILD)
.PHONY: bench-exits
