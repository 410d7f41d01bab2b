# lab3-ept/mk/core.mk - the VM core: VMs (generic), the VMX side of EPT,
# VPID and unrestricted guest, EPT exits and MMIO emulation, boot options,
# and the in-kernel tests (EPT, VMs, the isolation suite).
KERNEL_SRCS += lab3-ept/vm.c lab3-ept/vmx/vmx_vm.c lab3-ept/vmx/vmx_ept_exit.c lab3-ept/demo3.c
KERNEL_SRCS += lab3-ept/tests/ktest_ept.c lab3-ept/tests/ktest_vm.c
KERNEL_SRCS += lab3-ept/tests/ktest_isolation.c
