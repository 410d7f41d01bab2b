/*
 * names.c - names for VMCS fields, exit reasons and VM-instruction errors,
 * generated from the X-macro tables of vmcs_fields.h so they cannot drift.
 */
#include <stddef.h>
#include "vmx/vmcs_fields.h"

const char *vmcs_field_name(unsigned long encoding)
{
	switch (encoding) {
#define FIELD_CASE(name, enc) case enc: return #name;
	VMCS_FIELDS(FIELD_CASE)
#undef FIELD_CASE
	}
	return NULL;
}

const char *vmx_exit_reason_name(unsigned reason)
{
	static const char *const names[EXIT_REASON_MAX] = {
#define REASON_NAME(name, n) [n] = #name,
		VMX_EXIT_REASONS(REASON_NAME)
#undef REASON_NAME
	};
	reason &= 0xffff;
	return reason < EXIT_REASON_MAX && names[reason] ? names[reason] : "unknown";
}

const char *vmx_insn_error_name(unsigned error)
{
	switch (error) {
#define ERROR_CASE(n, text) case n: return text;
	VMX_INSN_ERRORS(ERROR_CASE)
#undef ERROR_CASE
	}
	return "unknown error";
}
