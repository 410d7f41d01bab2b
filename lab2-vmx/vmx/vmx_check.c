/*
 * vmx_check.c - the VM-entry checker's framework: snapshots, running the
 * rules, reports and their log lines. The rules live in vmx_check_ctls.c
 * (26.2.1), vmx_check_host.c (26.2.2-26.2.4), vmx_check_guest.c (26.3.1.1,
 * 26.3.1.3-26.3.1.6, 26.4) and vmx_check_seg.c (26.3.1.2).
 *
 * Pure logic: it builds for the host (unit tests) and for the kernel.
 */
#include <stdarg.h>
#include "printf.h"
#include "string.h"
#include "vmx/vmx_check_rules.h"

static const struct {
	const char *id, *section, *text;
	void (*fn)(struct vmcheck_ctx *c);
} rules[VMCHECK_NRULES] = {
#define VMCHECK_RULE_ENTRY(name, rid, sec, txt) \
	[VMCHECK_##name] = { #rid, sec, txt, vmcheck_##rid },
	VMCHECK_RULES(VMCHECK_RULE_ENTRY)
#undef VMCHECK_RULE_ENTRY
};

/* The encodings, in slot order (the slot is the field's index in vmcs_fields.h). */
static const unsigned long slot_field[VMCS_NSLOTS] = {
#define SLOT_FIELD(name, enc) enc,
	VMCS_FIELDS(SLOT_FIELD)
#undef SLOT_FIELD
};

int vmcs_field_slot(unsigned long field)
{
	switch (field) {
#define SLOT_CASE(name, enc) case enc: return VMCS_SLOT_##name;
	VMCS_FIELDS(SLOT_CASE)
#undef SLOT_CASE
	}
	return -1;
}

void vmcs_snapshot_init(struct vmcs_snapshot *s)
{
	memset(s, 0, sizeof(*s));
}

/* The width bits of the encoding bound the value (SDM 24.11.2, Table 24-17). */
int vmcs_snapshot_set(struct vmcs_snapshot *s, unsigned long field, uint64_t value)
{
	int slot = vmcs_field_slot(field);
	if (slot < 0)
		return VMCHECK_EUNKNOWN;
	if ((VMCS_FIELD_WIDTH(field) == VMCS_W16 && value > 0xffff) ||
	    (VMCS_FIELD_WIDTH(field) == VMCS_W32 && value > 0xffffffffull))
		return VMCHECK_EWIDTH;
	s->value[slot] = value;
	s->present[slot] = true;
	return 0;
}

int vmcs_snapshot_clear(struct vmcs_snapshot *s, unsigned long field)
{
	int slot = vmcs_field_slot(field);
	if (slot < 0)
		return VMCHECK_EUNKNOWN;
	s->value[slot] = 0;
	s->present[slot] = false;
	return 0;
}

bool vmcs_snapshot_get(const struct vmcs_snapshot *s, unsigned long field, uint64_t *value)
{
	int slot = vmcs_field_slot(field);
	if (slot < 0 || !s->present[slot])
		return false;
	*value = s->value[slot];
	return true;
}

uint64_t vc_get(struct vmcheck_ctx *c, unsigned long field)
{
	uint64_t v;
	if (vmcs_snapshot_get(c->s, field, &v))
		return v;
	if (!c->missing) {
		c->missing = true;
		c->missing_field = field;
	}
	return 0;
}

void vc_unchecked(struct vmcheck_ctx *c, unsigned long field)
{
	if (!c->missing) {
		c->missing = true;
		c->missing_field = field;
	}
}

void vc_fail(struct vmcheck_ctx *c, unsigned long field, const char *fmt, ...)
{
	struct vmcheck_report *r = c->r;
	if (c->missing)
		return;   /* dropped anyway when the rule ends */
	r->broken++;
	if (r->nstored == VMCHECK_MAX_FINDINGS)
		return;
	struct vmcheck_finding *f = &r->f[r->nstored++];
	f->rule = c->rule;
	f->field = field;
	f->value = 0;
	vmcs_snapshot_get(c->s, field, &f->value);
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
}

bool vc_canonical(const struct vmcheck_ctx *c, uint64_t a)
{
	unsigned w = c->s->caps.linear_width ? c->s->caps.linear_width : 48;
	unsigned shift = 64 - w;
	return (uint64_t)((int64_t)(a << shift) >> shift) == a;
}

bool vc_phys_ok(const struct vmcheck_ctx *c, uint64_t a)
{
	unsigned w = c->s->caps.maxphyaddr;
	return w >= 64 || (a >> w) == 0;
}

bool vc_pat_ok(uint64_t pat)
{
	for (int i = 0; i < 8; i++) {
		unsigned t = (pat >> (8 * i)) & 0xff;
		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

uint32_t vc_pin(struct vmcheck_ctx *c) { return (uint32_t)vc_get(c, VMCS_PIN_BASED_VM_EXEC_CONTROL); }
uint32_t vc_proc(struct vmcheck_ctx *c) { return (uint32_t)vc_get(c, VMCS_CPU_BASED_VM_EXEC_CONTROL); }
uint32_t vc_exit(struct vmcheck_ctx *c) { return (uint32_t)vc_get(c, VMCS_VM_EXIT_CONTROLS); }
uint32_t vc_entry(struct vmcheck_ctx *c) { return (uint32_t)vc_get(c, VMCS_VM_ENTRY_CONTROLS); }

uint32_t vc_proc2(struct vmcheck_ctx *c)
{
	if (!(vc_proc(c) & VMX_PROC_SECONDARY_CTLS))
		return 0;
	return (uint32_t)vc_get(c, VMCS_SECONDARY_VM_EXEC_CONTROL);
}

bool vc_unrestricted(struct vmcheck_ctx *c) { return vc_proc2(c) & VMX_PROC2_UNRESTRICTED_GUEST; }
bool vc_ia32e_guest(struct vmcheck_ctx *c) { return vc_entry(c) & VMX_ENTRY_IA32E_MODE_GUEST; }

uint32_t vc_injecting(struct vmcheck_ctx *c)
{
	uint32_t info = (uint32_t)vc_get(c, VMCS_VM_ENTRY_INTR_INFO_FIELD);
	return (info & VMX_INTR_INFO_VALID) ? info : 0;
}

/* Run each rule on its own: a rule that lacks a field is listed as not
 * checked, and what it reported before noticing is taken back. */
int vmx_check_snapshot(const struct vmcs_snapshot *s, struct vmcheck_report *r)
{
	memset(r, 0, sizeof(*r));
	if (s->caps.basic == 0)
		return VMCHECK_ENOCAPS;
	struct vmcheck_ctx c = { .s = s, .r = r };
	for (int i = 0; i < VMCHECK_NRULES; i++) {
		unsigned broken = r->broken, nstored = r->nstored;
		c.rule = (enum vmcheck_rule)i;
		c.missing = false;
		rules[i].fn(&c);
		if (!c.missing)
			continue;
		r->broken = broken;
		r->nstored = nstored;
		r->unchecked++;
		if (r->nunchecked_stored < VMCHECK_MAX_FINDINGS) {
			r->u[r->nunchecked_stored].rule = c.rule;
			r->u[r->nunchecked_stored].field = c.missing_field;
			r->nunchecked_stored++;
		}
	}
	return (int)r->broken;
}

const char *vmcheck_rule_id(enum vmcheck_rule rule)
{
	return (unsigned)rule < VMCHECK_NRULES ? rules[rule].id : NULL;
}

const char *vmcheck_rule_section(enum vmcheck_rule rule)
{
	return (unsigned)rule < VMCHECK_NRULES ? rules[rule].section : NULL;
}

const char *vmcheck_rule_text(enum vmcheck_rule rule)
{
	return (unsigned)rule < VMCHECK_NRULES ? rules[rule].text : NULL;
}

int vmcheck_rule_by_id(const char *id)
{
	for (int i = 0; i < VMCHECK_NRULES; i++)
		if (strcmp(rules[i].id, id) == 0)
			return i;
	return -1;
}

/* The field prints with the width its encoding gives: 16-bit selectors as
 * 0x10, natural-width addresses in full. */
int vmcheck_format(const struct vmcheck_finding *f, char *buf, size_t size)
{
	const char *fname = vmcs_field_name(f->field);
	const char *id = vmcheck_rule_id(f->rule);
	if (!id)
		return ksnprintf(buf, size, "vmcheck: unknown rule %d", (int)f->rule);
	return ksnprintf(buf, size, "vmcheck: %s [%s] %s; %s = %#llx%s%s%s",
			 vmcheck_rule_section(f->rule), id, vmcheck_rule_text(f->rule),
			 fname ? fname : "?", (unsigned long long)f->value,
			 f->detail[0] ? " (" : "", f->detail, f->detail[0] ? ")" : "");
}

bool vmcheck_report_has(const struct vmcheck_report *r, enum vmcheck_rule rule,
			unsigned long field)
{
	for (unsigned i = 0; i < r->nstored; i++)
		if (r->f[i].rule == rule && (field == ~0ul || r->f[i].field == field))
			return true;
	return false;
}

unsigned long vmcs_slot_field(int slot)
{
	return slot >= 0 && slot < VMCS_NSLOTS ? slot_field[slot] : 0;
}
