/*
 * vmcs.c - the slow paths of the VMCS accessors (vmcs.h): reporting a
 * failed VMREAD/VMWRITE by field name and VM-instruction error.
 */
#include <stdbool.h>
#include "panic.h"
#include "printf.h"
#include "vmx/vmcs.h"

unsigned long vmcs_failures;

uint32_t vmcs_insn_error(void)
{
	uint64_t e;
	return vmread(VMCS_VM_INSTRUCTION_ERROR, &e) == VMX_OK ? (uint32_t)e : 0;
}

/*
 * VMfailInvalid means there is no current VMCS (SDM Vol. 3C, 30.2 "Conventions"), so no
 * error number exists; VMfailValid leaves one in VM_INSTRUCTION_ERROR (30.4 "VM Instruction Error Numbers").
 */
void vmcs_report_failure(const char *accessor, unsigned long field, uint64_t value)
{
	/* VMPTRST stores all ones when no VMCS is current (30.3 "VMX Instructions", VMPTRST). */
	enum vmx_status st = vmptrst() == ~0ull ? VMX_FAIL_INVALID : VMX_FAIL_VALID;
	const char *name = vmcs_field_name(field);
	bool write = accessor[5] == 'w';   /* "vmcs_write..." */
	char what[96];
	if (write)
		ksnprintf(what, sizeof(what), "VMWRITE %s (%#lx) = %#lx",
			  name ? name : "unknown field", field, value);
	else
		ksnprintf(what, sizeof(what), "VMREAD %s (%#lx)", name ? name : "unknown field",
			  field);
	vmcs_failures++;
	if (st == VMX_FAIL_VALID) {
		uint32_t err = vmcs_insn_error();
		kprintf("%s: %s failed: VMfailValid, error %u (%s)\n", accessor, what, err,
			vmx_insn_error_name(err));
	} else {
		kprintf("%s: %s failed: %s (no current VMCS on this CPU)\n", accessor, what,
			vmx_status_name(st));
	}
}

void vmcs_width_panic(const char *accessor, unsigned long field, int want)
{
	static const char *const widths[] = { "16-bit", "64-bit", "32-bit", "natural-width" };
	const char *name = vmcs_field_name(field);
	panic("%s: field %s (%#lx) is %s, the accessor is %s", accessor,
	      name ? name : "unknown", field, widths[VMCS_FIELD_WIDTH(field)], widths[want & 3]);
}
