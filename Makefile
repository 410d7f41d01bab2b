# hvlab: one entry point for building, running, grading, debugging.
# Run "make help" for the list of targets.

# Lab fragments define rules before "all" below: build is still the default.
.DEFAULT_GOAL := all

BUILD   ?= build
EMU     ?= auto          # auto | bochs | qemu | kvm
LAB     ?= 1
PYTHON  ?= python3
CC      := gcc
LD      := ld
OBJCOPY := objcopy

# Labs present in this tree (a student handout holds labs 1..N only).
LAB_DIRS := $(patsubst %/lab.mk,%,$(sort $(wildcard lab*/lab.mk)))
# Each lab's include/ (generic headers) and the lab itself, so that vendor
# headers are named with their folder: #include "vmx/vmcs.h", "svm/vmcb.h".
INCLUDES := -Icommon/include $(foreach d,$(LAB_DIRS),-I$(d)/include -I$(d))

KCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
	-ffreestanding -fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-fno-pie -fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-mno-red-zone -mgeneral-regs-only -mcmodel=kernel -mno-sse -mno-mmx -mno-80387 \
	-fcf-protection=none -fno-toplevel-reorder $(INCLUDES)
KASFLAGS := -g -D__ASSEMBLY__ $(INCLUDES)
KLDFLAGS := -nostdlib -static -z max-page-size=4096 --no-warn-rwx-segments

# Each fragment appends to KERNEL_SRCS (kernel sources), UNIT_TESTS (names)
# with UNIT_SRCS_<name> (host sources for that criterion test).
KERNEL_SRCS :=
UNIT_TESTS :=
include common/common.mk
include $(foreach d,$(LAB_DIRS),$(d)/lab.mk)

KOBJS := $(patsubst %,$(BUILD)/obj/%.o,$(KERNEL_SRCS))
KERNEL_LD := lab1-boot/kernel.ld

.PHONY: all build run test grade unit handout clean help setup qemu-gdb gdb bochs-debug
all: build
build: $(BUILD)/hvlab.elf $(BUILD)/hvlab.img

$(BUILD)/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KASFLAGS) -MMD -MP -c $< -o $@

# Two links: the second embeds the first one's symbol table, so that
# backtraces name functions (common/ksyms.c). Text addresses do not move.
$(BUILD)/hvlab.elf: $(KOBJS) $(KERNEL_LD) tools/mksyms.py
	$(LD) $(KLDFLAGS) -T $(KERNEL_LD) -o $(BUILD)/hvlab.pass1.elf $(KOBJS)
	nm -n --defined-only $(BUILD)/hvlab.pass1.elf | $(PYTHON) tools/mksyms.py > $(BUILD)/ksyms.S
	$(CC) $(KASFLAGS) -c $(BUILD)/ksyms.S -o $(BUILD)/ksyms.o
	$(LD) $(KLDFLAGS) -T $(KERNEL_LD) -o $@ $(KOBJS) $(BUILD)/ksyms.o

$(BUILD)/hvlab.bin: $(BUILD)/hvlab.elf
	$(OBJCOPY) -O binary $< $@

$(BUILD)/bootsect.bin: lab1-boot/boot/bootsect.S lab1-boot/boot/bootsect.ld
	@mkdir -p $(BUILD)
	$(CC) -m32 -c $< -o $(BUILD)/bootsect.o
	$(LD) -m elf_i386 -T lab1-boot/boot/bootsect.ld -o $(BUILD)/bootsect.elf $(BUILD)/bootsect.o
	$(OBJCOPY) -O binary $(BUILD)/bootsect.elf $@

# The Bochs disk image; the grader writes its own copies with other command lines.
$(BUILD)/hvlab.img: $(BUILD)/bootsect.bin $(BUILD)/hvlab.bin tools/mkimage.py
	$(PYTHON) tools/mkimage.py --loader $(BUILD)/bootsect.bin --kernel $(BUILD)/hvlab.bin -o $@

-include $(KOBJS:.o=.d)

clean:
	rm -rf $(BUILD)

include tools/tools.mk

# ---- host unit tests (criterion) ----
# Pure logic is compiled for the host. -iquote keeps our own "string.h" etc.
# from shadowing the C library's <string.h> that criterion includes.
UNIT_INCLUDES := -iquote common/include $(foreach d,$(LAB_DIRS),-iquote $(d)/include -iquote $(d))
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Wno-unused-parameter \
	-fsanitize=address,undefined -fno-omit-frame-pointer $(UNIT_INCLUDES)
UNIT_BINS := $(addprefix $(BUILD)/unit/,$(UNIT_TESTS))

.SECONDEXPANSION:
$(BUILD)/unit/%: $$(UNIT_SRCS_$$*)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $(UNIT_SRCS_$*) -lcriterion

unit-build: $(UNIT_BINS)
# Run every unit-test binary; each prints criterion's synthesis line.
unit: unit-build
	@rc=0; for t in $(UNIT_BINS); do echo "== $$t"; $$t --jobs 1 || rc=1; done; exit $$rc
.PHONY: unit unit-build

# Fragments owned by their tools: running and grading, debugging, documents.
-include tools/debug.mk
-include doc/doc.mk
