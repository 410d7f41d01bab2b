# common/: the kernel library every lab links.
KERNEL_SRCS += common/console.c common/printf.c common/kprintf.c common/string.c \
	common/panic.c common/ktest.c common/platform.c common/percpu.c \
	common/spinlock.c common/ksyms.c common/cmdline.c common/init.c
