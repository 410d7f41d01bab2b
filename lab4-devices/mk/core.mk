# lab4-devices/mk/core.mk - the platform: port-I/O table, the small PC
# ports, the MSRs and CPUID of a PC, the wiring of the device models,
# VMX event injection and start states, and booting one guest (boot=).
KERNEL_SRCS += lab4-devices/pio.c lab4-devices/ports.c lab4-devices/platform.c \
	lab4-devices/platform_msr.c lab4-devices/vmx/vmx_events.c lab4-devices/vmx/vmx_start.c \
	lab4-devices/boot_guest.c lab4-devices/acpi_tables.c

# Payloads: guest files linked into the kernel as guest images, for boot=NAME:
#   make PAYLOADS="linux=path/vmlinuz initrd=path/initrd.gz" BUILD=build/linux
# Each build directory gets its own kernel; the default build has none.
PAYLOADS ?=
ifneq ($(strip $(PAYLOADS)),)
PAYLOAD_S := $(BUILD)/payloads.S
PAYLOAD_FILES := $(foreach p,$(PAYLOADS),$(word 2,$(subst =, ,$(p))))
KERNEL_SRCS += $(PAYLOAD_S)
$(PAYLOAD_S): FORCE
	@mkdir -p $(dir $@)
	@{ echo '#include "guest_image.h"'; \
	  $(foreach p,$(PAYLOADS),echo '	GUEST_IMAGE $(word 1,$(subst =, ,$(p))), "$(abspath $(word 2,$(subst =, ,$(p))))"';) \
	  echo '	.section .note.GNU-stack, "", @progbits'; } > $@.tmp
	@cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp
$(BUILD)/obj/$(PAYLOAD_S).o: $(PAYLOAD_FILES)
endif
.PHONY: FORCE
FORCE:
KERNEL_SRCS += lab4-devices/native_boot.c
KERNEL_SRCS += lab4-devices/tests/ktest_lab4.c
UNIT_TESTS += acpi_tables
UNIT_SRCS_acpi_tables := lab4-devices/tests/unit/test_acpi_tables.c lab4-devices/acpi_tables.c \
	lab1-boot/tests/unit/host_panic.c common/printf.c
