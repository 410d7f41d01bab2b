# lab4-devices/guest/guest4.mk - lab4-tests, the in-guest tests of lab 4: a
# Multiboot 1 kernel in 32-bit protected mode (no long mode, no paging)
# that tests the virtual PC's devices and the interrupt path from inside.
#
# 32-bit code from the 64-bit toolchain: gcc -m32 compiles freestanding
# objects without the multilib packages as long as nothing includes a C
# library header (only gcc's own stdint.h and friends), and ld -m elf_i386
# links them. There is no 32-bit libgcc: rt/lib.c has the 64-bit division.
GUEST4_DIR := lab4-devices/guest
GUEST4_CFLAGS := -m32 -march=i686 -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
	-ffreestanding -fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-fno-pie -fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-mgeneral-regs-only -mno-sse -mno-mmx -mno-80387 -fcf-protection=none \
	-I$(GUEST4_DIR)/include
GUEST4_ASFLAGS := -m32 -g -D__ASSEMBLY__ -I$(GUEST4_DIR)/include
GUEST4_LDFLAGS := -m elf_i386 -nostdlib -static -z max-page-size=4096 --no-warn-rwx-segments
GUEST4_OBJDIR := $(BUILD)/guest4-obj

GUEST4_SRCS := $(addprefix $(GUEST4_DIR)/,rt/entry.S rt/trap.c rt/console.c rt/lib.c rt/dev.c \
	main.c tests/boot.c tests/ports.c tests/uart.c tests/pic.c tests/pit.c tests/rtc.c \
	tests/lapic.c tests/ioapic.c)
GUEST4_OBJS := $(patsubst %,$(GUEST4_OBJDIR)/%.o,$(GUEST4_SRCS))

$(GUEST4_OBJDIR)/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST4_CFLAGS) -MMD -MP -c $< -o $@
$(GUEST4_OBJDIR)/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST4_ASFLAGS) -MMD -MP -c $< -o $@

# The full ELF (for gdb and objdump), and the copy without debug sections
# that the kernel embeds (images4.S).
$(BUILD)/guests4/lab4-tests.debug.elf: $(GUEST4_OBJS) $(GUEST4_DIR)/guest4.ld
	@mkdir -p $(dir $@)
	$(LD) $(GUEST4_LDFLAGS) -T $(GUEST4_DIR)/guest4.ld -o $@ $(GUEST4_OBJS)
$(BUILD)/guests4/lab4-tests.elf: $(BUILD)/guests4/lab4-tests.debug.elf
	$(OBJCOPY) --strip-debug $< $@

-include $(GUEST4_OBJS:.o=.d)
