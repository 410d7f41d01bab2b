# tools/tools.mk - running, grading, handouts and the test suite
# (the Makefile includes this file). See grader/README.md.
#
#   make run                 set up, build, boot under $(EMU) and stream the console
#   make grade               grade every lab present (labN-*/lab.mk + grader/labN.py)
#   make grade-lab1          grade lab 1 only
#   make handout LAB=N OUT=DIR   write the student tree for lab N
#   make test                everything: unit tests, grader tests, grades,
#                            determinism, handout checks, GDB test
#
# Variables: EMU (auto|bochs|qemu|kvm), BUILD, CMDLINE and CPUS (make run),
# TREE (grade another tree, e.g. a handout: built there first), RESULTS
# (where results.json, junit.xml and logs go), GRADE_JOBS (emulators at
# once), GRADE_FLAGS (more grader options, e.g. --test 'pmm*'), FORCE=1
# (handout: replace OUT even if it is not an earlier handout).

EMU_NAME := $(strip $(EMU))
OUT      ?= handout-out
GRADE_ARGS = --build $(BUILD) --emu $(EMU_NAME) \
	$(if $(TREE),--tree $(TREE)) $(if $(RESULTS),--results $(RESULTS)) \
	$(if $(GRADE_JOBS),-j $(GRADE_JOBS)) $(GRADE_FLAGS)

# The set-up script installs missing Debian packages (as root) and is quick
# when nothing is missing; then build, then boot without tests: the banner,
# the demo guests (INITCALLs that act on the command line word "demo"), and
# the kernel ends the run by itself. CMDLINE=... replaces "demo".
run:
	@if [ -f tools/setup.sh ]; then sh tools/setup.sh; fi
	@$(MAKE) --no-print-directory build
	$(PYTHON) -m grader.run --emu $(EMU_NAME) --build $(BUILD) --cpus $(or $(strip $(CPUS)),2) \
		--cmdline "$(or $(strip $(CMDLINE)),demo)"

# With TREE=DIR the grader builds DIR itself; otherwise build this tree first.
grade: $(if $(TREE),,build)
	$(PYTHON) -m grader.grade --lab all $(GRADE_ARGS)

grade-lab%: $(if $(TREE),,build) FORCE_GRADE
	$(PYTHON) -m grader.grade --lab $* $(GRADE_ARGS)

handout:
	$(PYTHON) tools/cut_handout.py --lab $(LAB) --out $(OUT) $(if $(FORCE),--force)

test:
	$(PYTHON) tools/testall.py --build $(BUILD) --emu $(EMU_NAME)

FORCE_GRADE:
.PHONY: run grade handout test FORCE_GRADE

# `make setup`: install what is missing (Debian packages; as root).
setup:
	sh tools/setup.sh

help:
	@echo "hvlab targets:"
	@echo "  make run                boot under EMU=$(EMU_NAME) (auto|bochs|qemu|kvm) and stream the console"
	@echo "  make grade              grade every lab present; make grade-lab1: lab 1 only"
	@echo "  make test               every test; ends with 'N passed, N failed'"
	@echo "  make unit               host unit tests (criterion)"
	@echo "  make handout LAB=N OUT=DIR   the student tree for lab N"
	@echo "  make qemu-gdb / make gdb     QEMU halted with a GDB stub / GDB attached to it"
	@echo "  make bochs-debug        Bochs' own debugger, BREAKPOINT() stops it"
	@echo "  make handout.pdf        the students' handout"
	@echo "  make setup              install missing Debian packages (root)"
	@echo "Variables: BUILD=$(BUILD) EMU CMDLINE CPUS TREE RESULTS GRADE_JOBS GRADE_FLAGS"
.PHONY: setup help
