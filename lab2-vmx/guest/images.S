/*
 * images.S - the guest programs of lab 2, embedded in the kernel and
 * registered by name (guest_image.h): the kernel runs one with
 * guest=NAME. guest.mk builds the flat binaries into $(BUILD)/guests and
 * passes that folder to the assembler's include path.
 */
#include "guest_image.h"

	GUEST_IMAGE lab2-tests, "lab2-tests.bin"
	GUEST_IMAGE lab2-triple, "lab2-triple.bin"
	GUEST_IMAGE lab2-spin, "lab2-spin.bin"
	GUEST_IMAGE lab2-bench, "lab2-bench.bin"

	.section .note.GNU-stack, "", @progbits
	GUEST_IMAGE demo, "demo.bin"
