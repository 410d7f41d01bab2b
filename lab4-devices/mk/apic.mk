# Local APIC and I/O APIC models (helper "apic"): pure logic, built into the
# kernel and unit-tested on the host. The guest's local APIC is "vlapic":
# lab1-boot/lapic.c is the host's own LAPIC driver and owns lapic_*.
KERNEL_SRCS += lab4-devices/vlapic.c lab4-devices/ioapic.c
UNIT_TESTS += vlapic ioapic
UNIT_SRCS_vlapic := lab4-devices/tests/unit/test_vlapic.c lab1-boot/tests/unit/host_panic.c \
	lab4-devices/vlapic.c common/printf.c
UNIT_SRCS_ioapic := lab4-devices/tests/unit/test_ioapic.c lab1-boot/tests/unit/host_panic.c \
	lab4-devices/ioapic.c common/printf.c
