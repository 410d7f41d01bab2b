# lab4-devices/mk/guests4.mk - the guests of lab 4 (helper "gtest4"):
# lab4-tests, the Multiboot test kernel of lab4-devices/guest/, embedded in
# hvlab as guest image "lab4-tests" (images4.S) and booted with
#   boot=lab4-tests [vmram=KIB] [-- ARGS]
include lab4-devices/guest/guest4.mk

KERNEL_SRCS += lab4-devices/guest/images4.S
$(BUILD)/obj/lab4-devices/guest/images4.S.o: $(BUILD)/guests4/lab4-tests.elf
$(BUILD)/obj/lab4-devices/guest/images4.S.o: KASFLAGS += -Wa,-I$(BUILD)/guests4

guests: $(BUILD)/guests4/lab4-tests.elf
