/*
 * vmx_check_seg.c - checks on the guest segment registers (Intel SDM Vol.
 * 3C, 26.3.1.2 "Checks on Guest Segment Registers"). The VMCS holds each
 * segment's selector, base, limit and access rights (the descriptor's
 * attribute bits, plus bit 16 "unusable" for a null selector; 24.4.1,
 * Table 24-2); VM entry loads them without reading any descriptor table,
 * so it checks that they describe a segment the CPU could really hold.
 * A broken rule fails the entry with exit reason 0x80000021.
 */
#include "panic.h"
#include "vmx/vmx_check_rules.h"

enum seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR, SEG_COUNT };

static const struct seg_fields {
	const char *name;
	unsigned long sel, base, limit, ar;
} segs[SEG_COUNT] = {
#define SEG(s) { #s, VMCS_GUEST_##s##_SELECTOR, VMCS_GUEST_##s##_BASE, \
		 VMCS_GUEST_##s##_LIMIT, VMCS_GUEST_##s##_AR_BYTES }
	[SEG_ES] = SEG(ES), [SEG_CS] = SEG(CS), [SEG_SS] = SEG(SS), [SEG_DS] = SEG(DS),
	[SEG_FS] = SEG(FS), [SEG_GS] = SEG(GS), [SEG_LDTR] = SEG(LDTR), [SEG_TR] = SEG(TR),
#undef SEG
};

/* The data segments DS, ES, FS, GS share their rules. */
static const enum seg data_segs[] = { SEG_DS, SEG_ES, SEG_FS, SEG_GS };
#define NDATA (sizeof(data_segs) / sizeof(data_segs[0]))

static uint32_t ar(struct vmcheck_ctx *c, enum seg s) { return (uint32_t)vc_get(c, segs[s].ar); }
static unsigned rpl(struct vmcheck_ctx *c, enum seg s) { return vc_get(c, segs[s].sel) & 3; }
static bool usable(struct vmcheck_ctx *c, enum seg s) { return !(ar(c, s) & VMX_AR_UNUSABLE); }
static bool v86(struct vmcheck_ctx *c) { return vc_get(c, VMCS_GUEST_RFLAGS) & VC_RFLAGS_VM; }

/* CS, TR, and the others when usable: the segments whose attributes count. */
static bool checked(struct vmcheck_ctx *c, enum seg s)
{
	return s == SEG_CS || s == SEG_TR || usable(c, s);
}

void vmcheck_guest_sel_ti(struct vmcheck_ctx *c)
{
	if (vc_get(c, VMCS_GUEST_TR_SELECTOR) & 4)
		vc_fail(c, VMCS_GUEST_TR_SELECTOR, "TI = 1");
	if (usable(c, SEG_LDTR) && (vc_get(c, VMCS_GUEST_LDTR_SELECTOR) & 4))
		vc_fail(c, VMCS_GUEST_LDTR_SELECTOR, "TI = 1");
}

void vmcheck_guest_ss_rpl(struct vmcheck_ctx *c)
{
	if (v86(c) || vc_unrestricted(c))
		return;
	if (rpl(c, SEG_SS) != rpl(c, SEG_CS))
		vc_fail(c, VMCS_GUEST_SS_SELECTOR, "SS.RPL %u, CS.RPL %u", rpl(c, SEG_SS), rpl(c, SEG_CS));
}

void vmcheck_guest_v86_seg(struct vmcheck_ctx *c)
{
	if (!v86(c))
		return;
	for (enum seg s = SEG_ES; s <= SEG_GS; s++) {
		uint64_t sel = vc_get(c, segs[s].sel);
		if (vc_get(c, segs[s].base) != sel << 4)
			vc_fail(c, segs[s].base, "%s base is not selector %#llx << 4", segs[s].name,
				(unsigned long long)sel);
		if (vc_get(c, segs[s].limit) != 0xffff)
			vc_fail(c, segs[s].limit, "%s limit is not 0xffff", segs[s].name);
		if (ar(c, s) != 0xf3)
			vc_fail(c, segs[s].ar, "%s access rights are not 0xf3", segs[s].name);
	}
}

void vmcheck_guest_seg_base(struct vmcheck_ctx *c)
{
	static const enum seg canon[] = { SEG_TR, SEG_FS, SEG_GS, SEG_LDTR };
	for (unsigned i = 0; i < 4; i++) {
		enum seg s = canon[i];
		if ((s != SEG_LDTR || usable(c, s)) && !vc_canonical(c, vc_get(c, segs[s].base)))
			vc_fail(c, segs[s].base, "%s base not canonical", segs[s].name);
	}
	static const enum seg low[] = { SEG_CS, SEG_SS, SEG_DS, SEG_ES };
	for (unsigned i = 0; i < 4; i++) {
		enum seg s = low[i];
		if ((s == SEG_CS || usable(c, s)) && (vc_get(c, segs[s].base) >> 32))
			vc_fail(c, segs[s].base, "%s base bits 63:32 set", segs[s].name);
	}
}

/*
 * CS must hold accessed code (type 9, 11, 13, 15: bit 3 code, bit 0
 * accessed), or, for an unrestricted guest in real mode, accessed
 * read/write data (3).
 */
void vmcheck_guest_cs_type(struct vmcheck_ctx *c)
{
	/* BEGIN SOLUTION lab2 */
	if (v86(c))
		return;
	unsigned t = VMX_AR_TYPE(ar(c, SEG_CS));
	bool ok = t == 9 || t == 11 || t == 13 || t == 15 || (t == 3 && vc_unrestricted(c));
	if (!ok)
		vc_fail(c, VMCS_GUEST_CS_AR_BYTES, "type %u%s", t,
			(t & 8) && !(t & 1) ? ": accessed bit clear" : "");
	/* END SOLUTION */
	/* STUB lab2
	(void)c;
	NOT_IMPLEMENTED("lab2");
	*/
}

/* A usable SS holds accessed read/write data, expand-up (3) or down (7). */
void vmcheck_guest_ss_type(struct vmcheck_ctx *c)
{
	/* BEGIN SOLUTION lab2 */
	if (v86(c) || !usable(c, SEG_SS))
		return;
	unsigned t = VMX_AR_TYPE(ar(c, SEG_SS));
	if (t != 3 && t != 7)
		vc_fail(c, VMCS_GUEST_SS_AR_BYTES, "type %u", t);
	/* END SOLUTION */
	/* STUB lab2
	(void)c;
	NOT_IMPLEMENTED("lab2");
	*/
}

/* Usable DS, ES, FS, GS: accessed; code only if readable. */
void vmcheck_guest_data_type(struct vmcheck_ctx *c)
{
	/* BEGIN SOLUTION lab2 */
	if (v86(c))
		return;
	for (unsigned i = 0; i < NDATA; i++) {
		enum seg s = data_segs[i];
		unsigned t = VMX_AR_TYPE(ar(c, s));
		if (!usable(c, s))
			continue;
		if (!(t & 1))
			vc_fail(c, segs[s].ar, "%s type %u: accessed bit clear", segs[s].name, t);
		else if ((t & 8) && !(t & 2))
			vc_fail(c, segs[s].ar, "%s type %u: execute-only code", segs[s].name, t);
	}
	/* END SOLUTION */
	/* STUB lab2
	(void)c;
	NOT_IMPLEMENTED("lab2");
	*/
}

void vmcheck_guest_seg_s(struct vmcheck_ctx *c)
{
	if (v86(c))
		return;
	for (enum seg s = SEG_ES; s <= SEG_GS; s++)
		if ((s == SEG_CS || usable(c, s)) && !(ar(c, s) & VMX_AR_S))
			vc_fail(c, segs[s].ar, "%s S = 0", segs[s].name);
}

void vmcheck_guest_cs_dpl(struct vmcheck_ctx *c)
{
	if (v86(c))
		return;
	uint32_t cs = ar(c, SEG_CS);
	unsigned t = VMX_AR_TYPE(cs), dpl = VMX_AR_DPL(cs), ss_dpl = VMX_AR_DPL(ar(c, SEG_SS));
	if ((t == 3 && dpl != 0) || ((t == 9 || t == 11) && dpl != ss_dpl) ||
	    ((t == 13 || t == 15) && dpl > ss_dpl))
		vc_fail(c, VMCS_GUEST_CS_AR_BYTES, "type %u DPL %u, SS.DPL %u", t, dpl, ss_dpl);
}

void vmcheck_guest_ss_dpl(struct vmcheck_ctx *c)
{
	if (v86(c))
		return;
	unsigned dpl = VMX_AR_DPL(ar(c, SEG_SS));
	bool pe = vc_get(c, VMCS_GUEST_CR0) & VC_CR0_PE;
	if (!vc_unrestricted(c) && dpl != rpl(c, SEG_SS))
		vc_fail(c, VMCS_GUEST_SS_AR_BYTES, "DPL %u, SS.RPL %u", dpl, rpl(c, SEG_SS));
	else if ((VMX_AR_TYPE(ar(c, SEG_CS)) == 3 || !pe) && dpl != 0)
		vc_fail(c, VMCS_GUEST_SS_AR_BYTES, "DPL %u in real mode", dpl);
}

void vmcheck_guest_data_dpl(struct vmcheck_ctx *c)
{
	if (v86(c) || vc_unrestricted(c))
		return;
	for (unsigned i = 0; i < NDATA; i++) {
		enum seg s = data_segs[i];
		uint32_t a = ar(c, s);
		if (usable(c, s) && VMX_AR_TYPE(a) <= 11 && VMX_AR_DPL(a) < rpl(c, s))
			vc_fail(c, segs[s].ar, "%s DPL %u < RPL %u", segs[s].name,
				(unsigned)VMX_AR_DPL(a), rpl(c, s));
	}
}

void vmcheck_guest_seg_present(struct vmcheck_ctx *c)
{
	for (enum seg s = SEG_ES; s < SEG_COUNT; s++) {
		if (s <= SEG_GS && v86(c))
			continue;
		if (checked(c, s) && !(ar(c, s) & VMX_AR_P))
			vc_fail(c, segs[s].ar, "%s not present", segs[s].name);
	}
}

void vmcheck_guest_seg_ar_reserved(struct vmcheck_ctx *c)
{
	for (enum seg s = SEG_ES; s < SEG_COUNT; s++) {
		if (s <= SEG_GS && v86(c))
			continue;
		if (checked(c, s) && (ar(c, s) & VMX_AR_RESERVED))
			vc_fail(c, segs[s].ar, "%s bits %#x", segs[s].name, ar(c, s) & VMX_AR_RESERVED);
	}
}

void vmcheck_guest_cs_l_d(struct vmcheck_ctx *c)
{
	uint32_t cs = ar(c, SEG_CS);
	if (vc_ia32e_guest(c) && (cs & VMX_AR_L) && (cs & VMX_AR_DB))
		vc_fail(c, VMCS_GUEST_CS_AR_BYTES, "L = 1 and D/B = 1");
}

/*
 * The limit field holds the limit in bytes; with G = 1 the descriptor
 * counted 4-KByte units, so the byte limit ends in 0xfff; a limit above
 * 1 MByte - 1 cannot come from a byte-granular descriptor.
 */
void vmcheck_guest_seg_limit_g(struct vmcheck_ctx *c)
{
	/* BEGIN SOLUTION lab2 */
	for (enum seg s = SEG_ES; s < SEG_COUNT; s++) {
		if ((s <= SEG_GS && v86(c)) || !checked(c, s))
			continue;
		uint64_t limit = vc_get(c, segs[s].limit);
		bool g = ar(c, s) & VMX_AR_G;
		if ((limit & 0xfff) != 0xfff && g)
			vc_fail(c, segs[s].ar, "%s G = 1 with limit %#llx", segs[s].name,
				(unsigned long long)limit);
		else if ((limit & 0xfff00000) && !g)
			vc_fail(c, segs[s].ar, "%s G = 0 with limit %#llx", segs[s].name,
				(unsigned long long)limit);
	}
	/* END SOLUTION */
	/* STUB lab2
	(void)c;
	NOT_IMPLEMENTED("lab2");
	*/
}

/*
 * TR must hold a busy TSS: 11 (busy 32/64-bit TSS) always, 3 (busy
 * 16-bit TSS) only outside IA-32e mode. LTR marks a TSS busy; a VMM that
 * fills TR by hand must set the busy bit (type bit 1) itself.
 */
void vmcheck_guest_tr_type(struct vmcheck_ctx *c)
{
	/* BEGIN SOLUTION lab2 */
	uint32_t a = ar(c, SEG_TR);
	unsigned t = VMX_AR_TYPE(a);
	if (!(t == 11 || (t == 3 && !vc_ia32e_guest(c))))
		vc_fail(c, VMCS_GUEST_TR_AR_BYTES, "type %u%s", t,
			t == 9 || t == 1 ? ": available, not busy" : "");
	/* END SOLUTION */
	/* STUB lab2
	(void)c;
	NOT_IMPLEMENTED("lab2");
	*/
}

void vmcheck_guest_tr_s(struct vmcheck_ctx *c)
{
	if (ar(c, SEG_TR) & VMX_AR_S)
		vc_fail(c, VMCS_GUEST_TR_AR_BYTES, "S = 1");
}

void vmcheck_guest_tr_unusable(struct vmcheck_ctx *c)
{
	if (!usable(c, SEG_TR))
		vc_fail(c, VMCS_GUEST_TR_AR_BYTES, "unusable");
}

/* A usable LDTR describes an LDT: system descriptor (S = 0) of type 2. */
void vmcheck_guest_ldtr_type(struct vmcheck_ctx *c)
{
	/* BEGIN SOLUTION lab2 */
	if (!usable(c, SEG_LDTR))
		return;
	uint32_t a = ar(c, SEG_LDTR);
	if (VMX_AR_TYPE(a) != 2 || (a & VMX_AR_S))
		vc_fail(c, VMCS_GUEST_LDTR_AR_BYTES, "type %u S %d%s", VMX_AR_TYPE(a), !!(a & VMX_AR_S),
			vc_get(c, VMCS_GUEST_LDTR_SELECTOR) == 0 ? ", selector 0 but usable" : "");
	/* END SOLUTION */
	/* STUB lab2
	(void)c;
	NOT_IMPLEMENTED("lab2");
	*/
}
