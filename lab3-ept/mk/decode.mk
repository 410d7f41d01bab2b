# Decoders (helper "decode"): the MOV forms of MMIO emulation and the guest
# page-table walker. Pure logic, unit-tested on the host.
KERNEL_SRCS += lab3-ept/insn_decode.c lab3-ept/gpt_walk.c
UNIT_TESTS += insn_decode gpt_walk
UNIT_SRCS_insn_decode := lab3-ept/tests/unit/test_insn_decode.c lab3-ept/insn_decode.c \
	lab1-boot/tests/unit/host_panic.c common/printf.c
UNIT_SRCS_gpt_walk := lab3-ept/tests/unit/test_gpt_walk.c lab3-ept/gpt_walk.c \
	lab1-boot/tests/unit/host_panic.c common/printf.c
