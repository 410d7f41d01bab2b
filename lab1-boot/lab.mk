# lab1-boot: long mode, memory, paging, interrupts, SMP.
KERNEL_SRCS += lab1-boot/boot/entry.S lab1-boot/main.c lab1-boot/memmap.c \
	lab1-boot/cpufeat.c lab1-boot/placeholders.c
