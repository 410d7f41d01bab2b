/*
 * guest_image.h - the guest programs linked into the kernel, by name.
 *
 * A guest image is a flat binary linked at GUEST_BASE (hypercall.h), its
 * entry point at its first byte. Each image registers itself in a table
 * the linker script collects (section "guest_images", like ktests), so
 * adding a guest never edits a list: guest_image_find("demo") looks it up.
 *
 * Two ways to register one:
 *
 *  - from an assembly file (.S), embedding a file built elsewhere:
 *        #include "guest_image.h"
 *        GUEST_IMAGE demo, "build-x/guests/demo.bin"
 *    (an assembler macro: it .incbin's the file into .rodata and adds a
 *    table entry named "demo");
 *
 *  - from C, for an image written as bytes (tiny test guests):
 *        static const uint8_t spin_code[] = { 0xeb, 0xfe };   // jmp .
 *        GUEST_IMAGE(spin, spin_code);
 *
 * What the guest finds when it starts (vcpu_create sets it up; lab 2 has
 * no EPT, see vcpu.h): 64-bit mode, CPL 0, paging on with tables the
 * hypervisor built (outside the guest's memory) that map
 * [GUEST_BASE, GUEST_BASE + memory size) to the guest's pages, the image
 * copied at GUEST_BASE, RIP = GUEST_BASE, RSP = the top of its memory,
 * RDI = its memory size in bytes, RSI = GUEST_BASE, RFLAGS = 0x2
 * (interrupts off), other GPRs 0. GDTR/IDTR are empty (limit 0): a guest
 * that wants exception handlers loads its own GDT and IDT first.
 */
#ifndef HVLAB_GUEST_IMAGE_H
#define HVLAB_GUEST_IMAGE_H

#include "hypercall.h"   /* GUEST_BASE */

#ifdef __ASSEMBLY__

/* GUEST_IMAGE name, "path/to/image.bin" (see above). The symbols are
 * quoted so that a name may hold '-' (lab2-tests). */
.macro GUEST_IMAGE name, file
	.pushsection .rodata.guest_image, "a"
	.balign 16
"guest_image_\name\()_start":
	.incbin "\file"
"guest_image_\name\()_end":
"guest_image_\name\()_str":
	.asciz "\name"
	.popsection
	.pushsection .guest_images, "a"
	.balign 8
	.quad "guest_image_\name\()_str"
	.quad "guest_image_\name\()_start"
	.quad "guest_image_\name\()_end" - "guest_image_\name\()_start"
	.popsection
.endm

#else

#include <stddef.h>
#include <stdint.h>

struct guest_image {
	const char *name;
	const uint8_t *start;
	size_t size;
};

/* GUEST_IMAGE(name, byte_array): register a C array as image "name". */
#define GUEST_IMAGE(gname, bytes) \
	static const struct guest_image guest_image_##gname \
		__attribute__((section(".guest_images"), used, aligned(8))) = \
		{ #gname, bytes, sizeof(bytes) }

/** The image registered as @name, or NULL (the caller says what is missing). */
const struct guest_image *guest_image_find(const char *name);
/** The @i-th registered image (0..), or NULL past the end: for listings. */
const struct guest_image *guest_image_at(size_t i);

#endif /* __ASSEMBLY__ */

#endif
