/*
 * vmcs.h - width-checked accessors for the current VMCS.
 *
 * Each field's encoding carries its width in bits 14:13 (Intel SDM Vol. 3C,
 * 24.11.2 "VMREAD, VMWRITE, and Encodings of VMCS Fields", Table 24-17).
 * vmcs_read16(VMCS_GUEST_RIP) is a compile-time error ("VMCS field width
 * does not match the accessor"), since GUEST_RIP is natural-width; with a
 * field that is not a constant, the same mismatch panics naming the field.
 *
 * A failed VMREAD/VMWRITE is never silent: it prints the accessor, the
 * field by name and encoding, the value, the status and (for VMfailValid)
 * the VM-instruction error by name, e.g.
 *   vmcs_write64: VMWRITE EPT_POINTER (0x201a) = 0x1234 failed: VMfailValid,
 *   error 12 (VMREAD/VMWRITE from/to unsupported VMCS component)
 * Writes return 0 or -1 so set-up code can stop at the first failure;
 * reads return 0 for a field that could not be read. The fast paths are
 * one instruction plus a branch: they sit on the VM-exit path.
 */
#ifndef HVLAB_VMCS_H
#define HVLAB_VMCS_H

#include <stdint.h>
#include "vmx/vmcs_fields.h"
#include "vmx/vmx.h"

/* The error function has no body: a call that survives constant folding
 * (a constant field of the wrong width) fails the build with this text. */
extern void vmcs_width_mismatch(void)
	__attribute__((error("VMCS field width does not match the accessor")));

/** Out of line: report a failed VMREAD/VMWRITE (see the top of this file). */
void vmcs_report_failure(const char *accessor, unsigned long field, uint64_t value);
/** Out of line: panic for a non-constant field of the wrong width. */
void vmcs_width_panic(const char *accessor, unsigned long field, int want)
	__attribute__((noreturn));
/** The VM-instruction error of the current VMCS (0 when none can be read). */
uint32_t vmcs_insn_error(void);

#define VMCS_CHECK_WIDTH(acc, f, w) do { \
	if (__builtin_constant_p(f)) { \
		if (VMCS_FIELD_WIDTH(f) != (w)) vmcs_width_mismatch(); \
	} else if (VMCS_FIELD_WIDTH(f) != (w)) { \
		vmcs_width_panic(acc, f, w); \
	} } while (0)

/** VMREAD without width check or report: for probes (the dump, the checker). */
static inline enum vmx_status vmcs_read_raw(unsigned long field, uint64_t *val)
{
	return vmread(field, val);
}

#define VMCS_DEFINE_ACCESSORS(bits, type, width) \
static inline __attribute__((always_inline)) type vmcs_read##bits(enum vmcs_field f) \
{ \
	uint64_t v; \
	VMCS_CHECK_WIDTH("vmcs_read" #bits, f, width); \
	if (__builtin_expect(!vmread_fast(f, &v), 0)) { \
		vmcs_report_failure("vmcs_read" #bits, f, 0); \
		return 0; \
	} \
	return (type)v; \
} \
static inline __attribute__((always_inline)) int vmcs_write##bits(enum vmcs_field f, type v) \
{ \
	VMCS_CHECK_WIDTH("vmcs_write" #bits, f, width); \
	if (__builtin_expect(!vmwrite_fast(f, (uint64_t)v), 0)) { \
		vmcs_report_failure("vmcs_write" #bits, f, (uint64_t)v); \
		return -1; \
	} \
	return 0; \
}

VMCS_DEFINE_ACCESSORS(16, uint16_t, VMCS_W16)
VMCS_DEFINE_ACCESSORS(32, uint32_t, VMCS_W32)
VMCS_DEFINE_ACCESSORS(64, uint64_t, VMCS_W64)
VMCS_DEFINE_ACCESSORS(nat, uint64_t, VMCS_WNAT)
#undef VMCS_DEFINE_ACCESSORS

/* Long names, as the plan spells them. */
#define vmcs_read_natural(f)     vmcs_readnat(f)
#define vmcs_write_natural(f, v) vmcs_writenat(f, v)

/** How many VMREAD/VMWRITE failures were reported so far (tests compare). */
extern unsigned long vmcs_failures;

#endif
