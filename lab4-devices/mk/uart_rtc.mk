# 16550 UART and MC146818 CMOS RTC (helper "uart"): pure device models,
# built into the kernel and unit-tested on the host.
KERNEL_SRCS += lab4-devices/uart16550.c lab4-devices/rtc.c
UNIT_TESTS += uart16550 rtc
UNIT_SRCS_uart16550 := lab4-devices/tests/unit/test_uart16550.c \
	lab1-boot/tests/unit/host_panic.c lab4-devices/uart16550.c
UNIT_SRCS_rtc := lab4-devices/tests/unit/test_rtc.c \
	lab1-boot/tests/unit/host_panic.c lab4-devices/rtc.c
