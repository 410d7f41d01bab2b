# Instruction lengths for SVM exits without NRIP save (QEMU TCG).
UNIT_TESTS += svm_insn
UNIT_SRCS_svm_insn := lab2-vmx/svm/tests/unit/test_svm_insn.c lab2-vmx/svm/svm_insn.c
KERNEL_SRCS += lab2-vmx/svm/svm_insn.c
