# lab2-vmx/svm/svm.mk - the AMD SVM backend of lab 2 (the twin of the VMX
# files listed in lab2-vmx/lab.mk).
KERNEL_SRCS += lab2-vmx/svm/svm_cpu.c lab2-vmx/svm/svm_vcpu.c lab2-vmx/svm/svm_entry.S \
	lab2-vmx/svm/svm_exit.c lab2-vmx/svm/svm_cr.c lab2-vmx/svm/svm_names.c \
	lab2-vmx/svm/svm_dump.c
