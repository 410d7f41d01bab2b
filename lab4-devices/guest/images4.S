/*
 * images4.S - the guests of lab 4, embedded in the kernel and registered
 * by name (guest_image.h): lab4-tests, a Multiboot kernel that boot_guest.c
 * loads with multiboot_load.c (boot=lab4-tests). lab4-devices/mk/guests4.mk
 * builds it into $(BUILD)/guests4 and passes that folder to the
 * assembler's include path.
 */
#include "guest_image.h"

	GUEST_IMAGE lab4-tests, "lab4-tests.elf"

	.section .note.GNU-stack, "", @progbits
