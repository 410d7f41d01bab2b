# lab2-vmx: VMX on, the first guest, exit handling, entry-failure diagnosis.
# Hypervisor core (helper "vmx").
KERNEL_SRCS += lab2-vmx/vmx/vmx_names.c lab2-vmx/vmx/vmcs.c lab2-vmx/guest_image.c \
	lab2-vmx/vmx/vmx_caps.c lab2-vmx/vmx/vmx_caps_print.c lab2-vmx/vmx/vmx_cpu.c \
	lab2-vmx/guest_mem.c lab2-vmx/vcpu.c lab2-vmx/vcpu_exits.c lab2-vmx/vcpu_policy.c lab2-vmx/hypercall.c \
	lab2-vmx/vmx/vmx_vcpu.c lab2-vmx/vmx/vmx_entry.S lab2-vmx/vmx/vmx_exit.c lab2-vmx/vmx/vmx_exit_slow.c \
	lab2-vmx/demo.c lab2-vmx/vmx/tests/ktest_vmx.c lab2-vmx/vmx/tests/ktest_vmx_guests.S
UNIT_TESTS += vcpu_policy
UNIT_SRCS_vcpu_policy := lab2-vmx/tests/unit/test_vcpu_policy.c lab2-vmx/hypercall.c lab2-vmx/vcpu_exits.c \
	lab2-vmx/vcpu_policy.c
# Guest programs (helper "guest"): built with their own flags, embedded in the kernel.
include lab2-vmx/guest/guest.mk
# make bench-exits: the exit-cost benchmark (helper "guest").
include lab2-vmx/bench.mk
# Entry-failure diagnosis (helper "check"): readable VMCS dump, software VM-entry checker.
KERNEL_SRCS += lab2-vmx/vmx/vmcs_dump.c
KERNEL_SRCS += lab2-vmx/vmx/vmx_check.c lab2-vmx/vmx/vmx_check_ctls.c \
	lab2-vmx/vmx/vmx_check_host.c lab2-vmx/vmx/vmx_check_guest.c lab2-vmx/vmx/vmx_check_seg.c \
	lab2-vmx/vmx/vmx_check_cpu.c lab2-vmx/vmx/tests/ktest_vmcheck.c
UNIT_TESTS += vmx_check
UNIT_SRCS_vmx_check := lab2-vmx/vmx/tests/unit/test_vmx_check.c lab2-vmx/vmx/tests/unit/test_vmx_check_rules.c \
	lab2-vmx/vmx/tests/unit/vmcheck_fixture.c lab1-boot/tests/unit/host_panic.c \
	lab2-vmx/vmx/vmx_check.c lab2-vmx/vmx/vmx_check_ctls.c lab2-vmx/vmx/vmx_check_host.c \
	lab2-vmx/vmx/vmx_check_guest.c lab2-vmx/vmx/vmx_check_seg.c lab2-vmx/vmx/vmx_names.c \
	common/printf.c
include $(sort $(wildcard lab2-vmx/svm/*.mk))
