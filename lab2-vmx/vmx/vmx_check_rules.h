/*
 * vmx_check_rules.h - what the rules of the VM-entry checker share
 * (private to vmx_check*.c).
 *
 * A rule is a function vmcheck_<id>(c) that reads fields with vc_get() and
 * reports each violation with vc_fail(). If a field it needs is absent from
 * the snapshot (the CPU does not support it), vc_get() marks the rule as
 * "not checked" and whatever the rule then reports is dropped: a rule never
 * judges a value it could not read.
 */
#ifndef HVLAB_VMX_CHECK_RULES_H
#define HVLAB_VMX_CHECK_RULES_H

#include <stdbool.h>
#include <stdint.h>
#include "vmx/vmx_check.h"
#include "vmx/vmx_ctls.h"

struct vmcheck_ctx {
	const struct vmcs_snapshot *s;
	struct vmcheck_report *r;
	enum vmcheck_rule rule;       /* the rule running */
	bool missing;                 /* it needed a field the snapshot lacks */
	unsigned long missing_field;
};

/** The value of @field; absent: 0, and the running rule is "not checked". */
uint64_t vc_get(struct vmcheck_ctx *c, unsigned long field);
/** Report the running rule broken on @field; the detail is printf-formatted. */
void vc_fail(struct vmcheck_ctx *c, unsigned long field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** The running rule cannot be judged for want of @field (memory not copied, ...). */
void vc_unchecked(struct vmcheck_ctx *c, unsigned long field);

/** @a is canonical: bits 63:width-1 all equal (SDM Vol. 1, 3.3.7.1). */
bool vc_canonical(const struct vmcheck_ctx *c, uint64_t a);
/** @a fits the physical-address width (bits 63:MAXPHYADDR are 0). */
bool vc_phys_ok(const struct vmcheck_ctx *c, uint64_t a);
/** Each byte of @pat is a valid memory type: 0, 1, 4, 5, 6, 7 (SDM 11.12.2). */
bool vc_pat_ok(uint64_t pat);

/* The controls as entry sees them. Secondary controls count as 0 when the
 * primary "activate secondary controls" bit is clear (SDM 24.6.2). */
uint32_t vc_pin(struct vmcheck_ctx *c);
uint32_t vc_proc(struct vmcheck_ctx *c);
uint32_t vc_proc2(struct vmcheck_ctx *c);
uint32_t vc_exit(struct vmcheck_ctx *c);
uint32_t vc_entry(struct vmcheck_ctx *c);
bool vc_unrestricted(struct vmcheck_ctx *c);
bool vc_ia32e_guest(struct vmcheck_ctx *c);
/* VM-entry interruption information when its valid bit is set, else 0. */
uint32_t vc_injecting(struct vmcheck_ctx *c);

/* Architectural bits the rules test (SDM Vol. 3A, 2.5 and 2.2.1). */
#define VC_CR0_PE        (1ull << 0)
#define VC_CR0_NW        (1ull << 29)
#define VC_CR0_CD        (1ull << 30)
#define VC_CR0_PG        (1ull << 31)
#define VC_CR4_PAE       (1ull << 5)
#define VC_CR4_PCIDE     (1ull << 17)
#define VC_EFER_SCE      (1ull << 0)
#define VC_EFER_LME      (1ull << 8)
#define VC_EFER_LMA      (1ull << 10)
#define VC_EFER_NXE      (1ull << 11)
#define VC_EFER_ALLOWED  (VC_EFER_SCE | VC_EFER_LME | VC_EFER_LMA | VC_EFER_NXE)
#define VC_RFLAGS_FIXED1 (1ull << 1)
#define VC_RFLAGS_TF     (1ull << 8)
#define VC_RFLAGS_IF     (1ull << 9)
#define VC_RFLAGS_VM     (1ull << 17)
#define VC_RFLAGS_RESERVED 0xffffffffffc08028ull   /* bits 63:22, 15, 5, 3 */
#define VC_DEBUGCTL_BTF  (1ull << 1)
#define VC_DEBUGCTL_RESERVED 0xffffffffffff003cull /* bits 63:16, 5:2 */
#define VC_LINK_PTR_NONE 0xffffffffffffffffull

/* Capability MSR layouts (SDM Vol. 3D, A.1 and A.6). */
#define VC_BASIC_TRUE_CTLS      (1ull << 55)
#define VC_BASIC_REVISION(b)    ((uint32_t)(b) & 0x7fffffffu)
#define VC_MISC_ACT_HLT         (1ull << 6)
#define VC_MISC_ACT_SHUTDOWN    (1ull << 7)
#define VC_MISC_ACT_WAIT_SIPI   (1ull << 8)
#define VC_MISC_CR3_TARGETS(m)  (((m) >> 16) & 0x1ffu)
#define VC_MISC_INJ_LEN0        (1ull << 30)
#define VC_EPT_WALK4            (1ull << 6)
#define VC_EPT_WALK5            (1ull << 7)
#define VC_EPT_UC               (1ull << 8)
#define VC_EPT_WB               (1ull << 14)
#define VC_EPT_AD               (1ull << 21)

/* The rules themselves, one function per rule id. */
#define VMCHECK_RULE_PROTO(name, id, sec, text) void vmcheck_##id(struct vmcheck_ctx *c);
VMCHECK_RULES(VMCHECK_RULE_PROTO)
#undef VMCHECK_RULE_PROTO

#endif
