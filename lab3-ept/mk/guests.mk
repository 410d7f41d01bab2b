# lab3-ept/mk/guests.mk - the guest-image loader (ELF, validated) and the
# lab-3 guest programs (helper "guests").

# The loader: pure logic, in the kernel and in a host unit test.
KERNEL_SRCS += lab3-ept/guest_elf.c
UNIT_TESTS += guest_elf
UNIT_SRCS_guest_elf := lab3-ept/tests/unit/test_guest_elf.c lab3-ept/guest_elf.c \
	lab1-boot/tests/unit/host_panic.c common/printf.c

# The guests: ELF images linked at 0x10000 (guest3.ld) that start in real
# mode (rt/entry16.S) and then run on lab 2's runtime, which
# lab2-vmx/guest/guest.mk builds (its flags and its runtime objects are
# reused here). Each image keeps its full ELF in $(BUILD)/guests/ (for
# gdb and objdump); the kernel embeds a copy without debug sections from
# $(BUILD)/guests3/ (images3.S).
GUEST3_DIR := lab3-ept/guest
GUEST3_CFLAGS := $(GUEST_CFLAGS) -I$(GUEST3_DIR)/include -Ilab3-ept/include
GUEST3_ASFLAGS := $(GUEST_ASFLAGS) -I$(GUEST3_DIR)/include -Ilab3-ept/include
GUEST3_LDFLAGS := -nostdlib -static -z max-page-size=4096 --no-warn-rwx-segments
GUEST3_OBJDIR := $(BUILD)/guest3-obj
GUEST3_RT_SRCS := $(GUEST3_DIR)/rt/entry16.S

GUESTS3 := lab3-boot lab3-tests lab3-victim lab3-hostile
GUEST3_SRCS_lab3-boot := $(GUEST3_DIR)/boot.c
GUEST3_SRCS_lab3-tests := $(addprefix $(GUEST3_DIR)/tests/,main.c pm32_mmio.S boot_state.c \
	ram.c mmio.c)
GUEST3_SRCS_lab3-victim := $(GUEST3_DIR)/victim.c
GUEST3_SRCS_lab3-hostile := $(GUEST3_DIR)/hostile.c $(GUEST3_DIR)/hostile_asm.S

guest3_objs = $(patsubst %,$(GUEST3_OBJDIR)/%.o,$(GUEST3_RT_SRCS) $(GUEST3_SRCS_$(1))) \
	$(patsubst %,$(GUEST_OBJDIR)/%.o,$(GUEST_RT_SRCS))
GUEST3_ELFS := $(patsubst %,$(BUILD)/guests3/%.elf,$(GUESTS3))

$(GUEST3_OBJDIR)/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST3_CFLAGS) -MMD -MP -c $< -o $@
$(GUEST3_OBJDIR)/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST3_ASFLAGS) -MMD -MP -c $< -o $@

define GUEST3_template
$(BUILD)/guests/$(1).elf: $(call guest3_objs,$(1)) $(GUEST3_DIR)/guest3.ld
	@mkdir -p $$(dir $$@)
	$(LD) $(GUEST3_LDFLAGS) -T $(GUEST3_DIR)/guest3.ld -o $$@ $(call guest3_objs,$(1))
$(BUILD)/guests3/$(1).elf: $(BUILD)/guests/$(1).elf
	@mkdir -p $$(dir $$@)
	$(OBJCOPY) --strip-debug $$< $$@
endef
$(foreach g,$(GUESTS3),$(eval $(call GUEST3_template,$(g))))

-include $(patsubst %.o,%.d,$(sort $(foreach g,$(GUESTS3),$(call guest3_objs,$(g)))))

KERNEL_SRCS += $(GUEST3_DIR)/images3.S
$(BUILD)/obj/$(GUEST3_DIR)/images3.S.o: $(GUEST3_ELFS)
$(BUILD)/obj/$(GUEST3_DIR)/images3.S.o: KASFLAGS += -Wa,-I$(BUILD)/guests3

guests: $(GUEST3_ELFS)
