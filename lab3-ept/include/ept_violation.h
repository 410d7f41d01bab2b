/*
 * ept_violation.h - what an EPT-violation VM exit says: the exit
 * qualification decoded (Intel SDM Vol. 3C, 27.2.1, Table 27-7) and put
 * into one line a person can act on. Pure logic, unit-tested on the host.
 *
 * The guest-physical address comes from the VMCS field
 * GUEST_PHYSICAL_ADDRESS, the guest-linear one from GUEST_LINEAR_ADDRESS
 * (meaningful only when bit 7 of the qualification says so).
 */
#ifndef HVLAB_EPT_VIOLATION_H
#define HVLAB_EPT_VIOLATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ept.h"

/* Exit-qualification bits for EPT violations (SDM Table 27-7). */
#define EPT_VQ_READ        (1ull << 0)   /* the access was a data read */
#define EPT_VQ_WRITE       (1ull << 1)   /* the access was a data write */
#define EPT_VQ_FETCH       (1ull << 2)   /* the access was an instruction fetch */
#define EPT_VQ_ALLOWED_SHIFT 3           /* bits 5:3: the AND of R, W, X over the walk */
#define EPT_VQ_GLA_VALID   (1ull << 7)   /* the guest-linear address field is valid */
#define EPT_VQ_GLA_XLATE   (1ull << 8)   /* with bit 7: the access itself, not a paging structure */
#define EPT_VQ_NMI_UNBLOCK (1ull << 12)  /* NMI unblocking due to IRET */

struct ept_violation {
	uint64_t gpa, gla;
	bool read, write, fetch;   /* qualification bits 0, 1, 2 */
	unsigned allowed;          /* bits 5:3 as EPT_R | EPT_W | EPT_X; 0: not mapped */
	bool gla_valid;            /* bit 7: gla is meaningful */
	bool gla_translation;      /* bit 8 (only with bit 7): the access to the translated
				      address, not to a guest paging structure */
	bool nmi_unblocking;       /* bit 12: the exit came during an IRET that unblocked
				      NMIs (SDM Table 27-7) */
};

/** Decode @qualification with the exit's @gpa and @gla into *@out. */
void ept_violation_decode(uint64_t qualification, uint64_t gpa, uint64_t gla,
			  struct ept_violation *out);

/**
 * One line describing @ev, without a newline, e.g.
 * "write to guest-physical 0x200010 (guest-linear 0x200010, the access itself): not mapped".
 * NUL-terminated when @n > 0; returns the length the whole line has, like snprintf.
 */
int ept_violation_format(const struct ept_violation *ev, char *buf, size_t n);

#endif
