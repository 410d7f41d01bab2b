# EPT page-table builder and EPT-violation decoder (helper "ept"): pure
# logic, built into the kernel and unit-tested on the host.
KERNEL_SRCS += lab3-ept/ept.c lab3-ept/ept_violation.c
UNIT_TESTS += ept ept_violation
UNIT_SRCS_ept := lab3-ept/tests/unit/test_ept.c lab1-boot/tests/unit/host_panic.c \
	lab3-ept/ept.c
UNIT_SRCS_ept_violation := lab3-ept/tests/unit/test_ept_violation.c \
	lab1-boot/tests/unit/host_panic.c lab3-ept/ept_violation.c common/printf.c
