/*
 * images3.S - the guest programs of lab 3, embedded in the kernel and
 * registered by name (guest_image.h). Unlike lab 2's flat binaries these
 * are ELF files: vm_create loads them with guest_elf_load (guest_elf.h).
 * lab3-ept/mk/guests.mk builds them into $(BUILD)/guests3 and passes that
 * folder to the assembler's include path.
 */
#include "guest_image.h"

	GUEST_IMAGE lab3-boot, "lab3-boot.elf"
	GUEST_IMAGE lab3-tests, "lab3-tests.elf"
	GUEST_IMAGE lab3-victim, "lab3-victim.elf"
	GUEST_IMAGE lab3-hostile, "lab3-hostile.elf"

	.section .note.GNU-stack, "", @progbits
