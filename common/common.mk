# common/: the kernel library every lab links.
KERNEL_SRCS += common/console.c common/printf.c common/kprintf.c common/string.c \
	common/panic.c common/ktest.c common/platform.c common/percpu.c \
	common/spinlock.c common/ksyms.c common/cmdline.c common/init.c \
	common/bitmap.c

UNIT_TESTS += printf cmdline
UNIT_SRCS_printf := common/tests/test_printf.c common/printf.c
UNIT_SRCS_cmdline := common/tests/test_cmdline.c common/cmdline.c
