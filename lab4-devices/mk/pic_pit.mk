# Dual 8259A PIC and 8254 PIT with port 0x61 (helper "pic"): pure device
# models, built into the kernel and unit-tested on the host.
KERNEL_SRCS += lab4-devices/i8259.c lab4-devices/i8254.c
UNIT_TESTS += i8259 i8254
UNIT_SRCS_i8259 := lab4-devices/tests/unit/test_i8259.c \
	lab1-boot/tests/unit/host_panic.c lab4-devices/i8259.c
UNIT_SRCS_i8254 := lab4-devices/tests/unit/test_i8254.c \
	lab1-boot/tests/unit/host_panic.c lab4-devices/i8254.c
