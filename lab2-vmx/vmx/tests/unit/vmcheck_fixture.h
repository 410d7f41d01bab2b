/*
 * vmcheck_fixture.h - the snapshot the checker's unit tests start from,
 * and helpers to change it (test_vmx_check*.c).
 */
#ifndef HVLAB_VMCHECK_FIXTURE_H
#define HVLAB_VMCHECK_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx/vmx_check.h"
#include "vmx/vmx_ctls.h"

extern struct vmcs_snapshot snap;
extern struct vmcheck_report rep;

/** The baseline: every field present, a 64-bit host entering a 64-bit guest
 *  on Bochs' corei7_skylake_x capabilities. Valid: zero findings. */
void baseline(void);
/** Set / read a field of snap (asserting the snapshot accepts it). */
void set(unsigned long field, uint64_t v);
uint64_t get(unsigned long field);
void or_bits(unsigned long field, uint64_t bits);
void clear_bits(unsigned long field, uint64_t bits);
/** Print rep's findings and unchecked rules to stderr (for failing tests). */
void print_report(void);
/** Run the checker; require exactly one finding: @rule on @field. */
void expect_only(enum vmcheck_rule rule, unsigned long field);
/** Turn on EPT (the baseline EPTP is valid). */
void enable_ept(void);
/** Real-mode style ES..GS: base = selector << 4, limit 0xffff, AR 0xf3. */
void v86_segments(void);
/** Inject an event of @type and @vector, with or without an error code. */
void inject(unsigned type, unsigned vector, bool errcode);

#endif
