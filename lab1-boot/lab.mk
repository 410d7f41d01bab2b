# lab1-boot: long mode, memory, paging, interrupts, SMP.
KERNEL_SRCS += lab1-boot/boot/entry.S lab1-boot/main.c lab1-boot/memmap.c \
	lab1-boot/cpufeat.c
# Memory: frame allocator, heap, page tables (pure logic in *_core.c and pt.c).
KERNEL_SRCS += lab1-boot/pmm_core.c lab1-boot/pmm.c lab1-boot/heap_core.c \
	lab1-boot/heap.c lab1-boot/pt.c lab1-boot/paging.c lab1-boot/tests/ktest_mem.c
UNIT_TESTS += bitmap pmm heap pt
UNIT_SRCS_bitmap := lab1-boot/tests/unit/test_bitmap.c common/bitmap.c
UNIT_SRCS_pmm := lab1-boot/tests/unit/test_pmm.c lab1-boot/tests/unit/host_panic.c \
	lab1-boot/pmm_core.c common/bitmap.c
UNIT_SRCS_heap := lab1-boot/tests/unit/test_heap.c lab1-boot/tests/unit/host_panic.c \
	lab1-boot/heap_core.c lab1-boot/pmm_core.c common/bitmap.c
UNIT_SRCS_pt := lab1-boot/tests/unit/test_pt.c lab1-boot/tests/unit/host_panic.c lab1-boot/pt.c
# Interrupts, LAPIC timer, SMP (acpi.c is pure logic: unit-tested on the host).
KERNEL_SRCS += lab1-boot/boot/trapentry.S lab1-boot/boot/ap_trampoline.S lab1-boot/gdt.c \
	lab1-boot/idt.c lab1-boot/trap.c lab1-boot/pit.c lab1-boot/lapic.c lab1-boot/acpi.c \
	lab1-boot/smp.c lab1-boot/crash.c lab1-boot/tests/ktest_irq.c
UNIT_TESTS += acpi
UNIT_SRCS_acpi := lab1-boot/tests/unit/test_acpi.c lab1-boot/tests/unit/host_panic.c lab1-boot/acpi.c
