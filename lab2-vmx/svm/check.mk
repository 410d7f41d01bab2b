# The software VMRUN consistency checker (the twin of vmx_check*.c): the
# kernel runs it before a VMRUN, the host unit test breaks each rule.
KERNEL_SRCS += lab2-vmx/svm/svm_check.c
UNIT_TESTS += svm_check
UNIT_SRCS_svm_check := lab2-vmx/svm/tests/unit/test_svm_check.c lab2-vmx/svm/svm_check.c \
	common/printf.c lab1-boot/tests/unit/host_panic.c
