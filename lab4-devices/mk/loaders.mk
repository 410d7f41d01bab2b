# lab4-devices/mk/loaders.mk - guest loaders (helper "loaders"): the e820
# map, Multiboot 1 kernels, Linux bzImages (64-bit boot protocol) and the
# MP table. Pure logic, built into the kernel and unit-tested on the host.
KERNEL_SRCS += lab4-devices/e820.c lab4-devices/multiboot_load.c lab4-devices/bzimage.c \
	lab4-devices/mptable.c
UNIT_TESTS += e820 multiboot_load bzimage mptable
UNIT_SRCS_e820 := lab4-devices/tests/unit/test_e820.c lab4-devices/e820.c
UNIT_SRCS_multiboot_load := lab4-devices/tests/unit/test_multiboot_load.c \
	lab4-devices/multiboot_load.c lab4-devices/e820.c lab3-ept/guest_elf.c \
	lab1-boot/tests/unit/host_panic.c common/printf.c
UNIT_SRCS_bzimage := lab4-devices/tests/unit/test_bzimage.c lab4-devices/bzimage.c \
	lab4-devices/e820.c lab1-boot/tests/unit/host_panic.c common/printf.c
UNIT_SRCS_mptable := lab4-devices/tests/unit/test_mptable.c lab4-devices/mptable.c \
	lab1-boot/tests/unit/host_panic.c common/printf.c
