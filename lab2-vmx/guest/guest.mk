# lab2-vmx/guest/guest.mk - guest programs: built with their own flags,
# linked at GUEST_BASE (guest.ld), turned into flat binaries under
# $(BUILD)/guests/, and embedded in the kernel (images.S, GUEST_IMAGE).
#
# A guest image NAME lists its sources in GUEST_SRCS_NAME and is added to
# GUESTS; every image links the runtime (rt/) and the kernel's printf and
# string routines compiled again for the guest.

GUEST_DIR := lab2-vmx/guest

# Freestanding, no red zone (exceptions push onto the guest's own stack),
# no SSE (the hypervisor does not switch FPU state in lab 2), linked at
# 1 GiB, which the small code model reaches.
GUEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
	-ffreestanding -fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-fno-pie -fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-mno-red-zone -mgeneral-regs-only -mno-sse -mno-mmx -mno-80387 -mcmodel=small \
	-fcf-protection=none -fno-toplevel-reorder \
	-I$(GUEST_DIR)/include -Ilab2-vmx/include -Ilab2-vmx -Icommon/include
GUEST_ASFLAGS := -g -D__ASSEMBLY__ -I$(GUEST_DIR)/include -Ilab2-vmx/include -Ilab2-vmx
GUEST_LDFLAGS := -nostdlib -static -N --no-warn-rwx-segments

GUEST_RT_SRCS := $(GUEST_DIR)/rt/entry64.S $(GUEST_DIR)/rt/isr64.S $(GUEST_DIR)/rt/trap.c \
	$(GUEST_DIR)/rt/console.c $(GUEST_DIR)/rt/gtest.c common/printf.c common/string.c

GUESTS := lab2-tests lab2-triple lab2-spin lab2-bench demo
GUEST_SRCS_lab2-tests := $(addprefix $(GUEST_DIR)/tests/,main.c cpuid.c hlt.c \
	vmcall.c io.c msr.c cr.c vmxinsn.c exceptions.c)
GUEST_SRCS_lab2-triple := $(GUEST_DIR)/triple.c
GUEST_SRCS_lab2-spin := $(GUEST_DIR)/spin.c
GUEST_SRCS_lab2-bench := $(GUEST_DIR)/bench.c
GUEST_SRCS_demo := $(GUEST_DIR)/demo.c

GUEST_OBJDIR := $(BUILD)/guest-obj
guest_objs = $(patsubst %,$(GUEST_OBJDIR)/%.o,$(GUEST_RT_SRCS) $(GUEST_SRCS_$(1)))
GUEST_BINS := $(patsubst %,$(BUILD)/guests/%.bin,$(GUESTS))

$(GUEST_OBJDIR)/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@
$(GUEST_OBJDIR)/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_ASFLAGS) -MMD -MP -c $< -o $@

# One link and one objcopy per image (a template: the Makefile turns on
# .SECONDEXPANSION only after this file is read).
define GUEST_template
$(BUILD)/guests/$(1).elf: $(call guest_objs,$(1)) $(GUEST_DIR)/guest.ld
	@mkdir -p $$(dir $$@)
	$(LD) $(GUEST_LDFLAGS) -T $(GUEST_DIR)/guest.ld -o $$@ $(call guest_objs,$(1))
$(BUILD)/guests/$(1).bin: $(BUILD)/guests/$(1).elf
	$(OBJCOPY) -O binary $$< $$@
endef
$(foreach g,$(GUESTS),$(eval $(call GUEST_template,$(g))))

-include $(patsubst %.o,%.d,$(sort $(foreach g,$(GUESTS),$(call guest_objs,$(g)))))

# The kernel embeds every image (images.S .incbin's them from
# $(BUILD)/guests): a changed guest rebuilds that object, then the kernel.
KERNEL_SRCS += $(GUEST_DIR)/images.S
$(BUILD)/obj/$(GUEST_DIR)/images.S.o: $(GUEST_BINS)
$(BUILD)/obj/$(GUEST_DIR)/images.S.o: KASFLAGS += -Wa,-I$(BUILD)/guests

guests: $(GUEST_BINS)
.PHONY: guests
