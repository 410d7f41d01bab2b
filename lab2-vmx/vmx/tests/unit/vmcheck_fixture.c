/*
 * vmcheck_fixture.c - the baseline snapshot of the checker's unit tests.
 * Capability values as PLATFORMS.md and the SDM's defaults give them for
 * Bochs' corei7_skylake_x; field values as hvlab sets up a 64-bit guest.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include "vmcheck_fixture.h"

struct vmcs_snapshot snap;
struct vmcheck_report rep;

void set(unsigned long field, uint64_t v)
{
	int rc = vmcs_snapshot_set(&snap, field, v);
	cr_assert_eq(rc, 0, "vmcs_snapshot_set(%s, %#llx) = %d", vmcs_field_name(field),
		     (unsigned long long)v, rc);
}

uint64_t get(unsigned long field)
{
	uint64_t v = 0;
	cr_assert(vmcs_snapshot_get(&snap, field, &v), "%s absent", vmcs_field_name(field));
	return v;
}

void or_bits(unsigned long field, uint64_t bits) { set(field, get(field) | bits); }
void clear_bits(unsigned long field, uint64_t bits) { set(field, get(field) & ~bits); }

/* Allowed-0 | allowed-1 << 32, as the capability MSRs hold them. */
#define CAP(allowed0, allowed1) (((uint64_t)(allowed1) << 32) | (allowed0))

/* The baseline: every field present, a 64-bit host entering a 64-bit guest. */
void baseline(void)
{
	vmcs_snapshot_init(&snap);
	struct vmcheck_caps *k = &snap.caps;
	k->basic = 0x00d810000000002bull;
	k->pinbased = k->true_pinbased = CAP(0x16, 0xff);
	k->procbased = CAP(0x0401e172, 0xfff9fffe);
	k->true_procbased = CAP(0x04006172, 0xfff9fffe);
	k->exit = CAP(0x00036dff, 0x00ffffff);
	k->true_exit = CAP(0x00036dfb, 0x00ffffff);
	k->entry = CAP(0x000011ff, 0x0000ffff);
	k->true_entry = CAP(0x000011fb, 0x0000ffff);
	k->procbased2 = CAP(0, 0x0003ffff);
	k->ept_vpid = 0x00000f0106334141ull;
	k->misc = 0x000401e5;
	k->cr0_fixed0 = 0x80000021;
	k->cr0_fixed1 = 0xffffffff;
	k->cr4_fixed0 = 0x2000;
	k->cr4_fixed1 = 0x3727ff;
	k->maxphyaddr = 40;
	k->linear_width = 48;
	k->cpu_efer = 0xd01;

	for (int i = 0; i < VMCS_NSLOTS; i++)
		set(vmcs_slot_field(i), 0);
	set(VMCS_PIN_BASED_VM_EXEC_CONTROL, 0x16 | VMX_PIN_EXT_INTR_EXITING);
	set(VMCS_CPU_BASED_VM_EXEC_CONTROL, 0x04006172 | VMX_PROC_HLT_EXITING |
	    VMX_PROC_USE_IO_BITMAPS | VMX_PROC_USE_MSR_BITMAPS | VMX_PROC_SECONDARY_CTLS);
	set(VMCS_SECONDARY_VM_EXEC_CONTROL, VMX_PROC2_ENABLE_VPID);
	set(VMCS_VIRTUAL_PROCESSOR_ID, 1);
	set(VMCS_VM_EXIT_CONTROLS, 0x00036dfb | VMX_EXIT_HOST_ADDR_SPACE_SIZE |
	    VMX_EXIT_ACK_INTR_ON_EXIT | VMX_EXIT_SAVE_EFER | VMX_EXIT_LOAD_EFER);
	set(VMCS_VM_ENTRY_CONTROLS, 0x000011fb | VMX_ENTRY_IA32E_MODE_GUEST | VMX_ENTRY_LOAD_EFER);
	set(VMCS_IO_BITMAP_A, 0x100000);
	set(VMCS_IO_BITMAP_B, 0x101000);
	set(VMCS_MSR_BITMAP, 0x102000);
	set(VMCS_EPT_POINTER, 0x103000 | 6 | (3 << 3));   /* valid, used when a test enables EPT */
	set(VMCS_VMREAD_BITMAP, 0x104000);
	set(VMCS_VMWRITE_BITMAP, 0x105000);
	set(VMCS_VM_EXIT_MSR_STORE_ADDR, 0x106000);
	set(VMCS_VM_EXIT_MSR_LOAD_ADDR, 0x106100);
	set(VMCS_VM_ENTRY_MSR_LOAD_ADDR, 0x106200);

	set(VMCS_HOST_CR0, 0x80050033);
	set(VMCS_HOST_CR3, 0x200000);
	set(VMCS_HOST_CR4, 0x20a0);
	set(VMCS_HOST_CS_SELECTOR, 0x08);
	set(VMCS_HOST_SS_SELECTOR, 0x10);
	set(VMCS_HOST_DS_SELECTOR, 0x10);
	set(VMCS_HOST_ES_SELECTOR, 0x10);
	set(VMCS_HOST_TR_SELECTOR, 0x28);
	set(VMCS_HOST_GS_BASE, 0xffffffff80300000ull);
	set(VMCS_HOST_TR_BASE, 0xffffffff80301000ull);
	set(VMCS_HOST_GDTR_BASE, 0xffffffff80302000ull);
	set(VMCS_HOST_IDTR_BASE, 0xffffffff80303000ull);
	set(VMCS_HOST_IA32_PAT, 0x0007040600070406ull);
	set(VMCS_HOST_IA32_EFER, 0xd01);
	set(VMCS_HOST_RSP, 0xffffffff80400000ull);
	set(VMCS_HOST_RIP, 0xffffffff80101000ull);

	set(VMCS_GUEST_CR0, 0x80000031);
	set(VMCS_GUEST_CR3, 0x300000);
	set(VMCS_GUEST_CR4, 0x2020);
	set(VMCS_GUEST_DR7, 0x400);
	set(VMCS_GUEST_RSP, 0x40100000);
	set(VMCS_GUEST_RIP, 0x40000000);
	set(VMCS_GUEST_RFLAGS, 0x2);
	set(VMCS_GUEST_CS_SELECTOR, 0x08);
	set(VMCS_GUEST_CS_LIMIT, 0xffffffff);
	set(VMCS_GUEST_CS_AR_BYTES, 0xa09b);          /* code 11, S, P, L, G */
	static const unsigned long data_sel[] = { VMCS_GUEST_SS_SELECTOR, VMCS_GUEST_DS_SELECTOR,
		VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_GS_SELECTOR };
	for (int i = 0; i < 5; i++) {
		set(data_sel[i], 0x10);
		set(data_sel[i] + (VMCS_GUEST_ES_LIMIT - VMCS_GUEST_ES_SELECTOR), 0xffffffff);
		set(data_sel[i] + (VMCS_GUEST_ES_AR_BYTES - VMCS_GUEST_ES_SELECTOR), 0xc093);
	}
	set(VMCS_GUEST_LDTR_AR_BYTES, VMX_AR_UNUSABLE);
	set(VMCS_GUEST_TR_SELECTOR, 0x18);
	set(VMCS_GUEST_TR_BASE, 0x40200000);
	set(VMCS_GUEST_TR_LIMIT, 0x67);
	set(VMCS_GUEST_TR_AR_BYTES, 0x8b);            /* busy 64-bit TSS, P */
	set(VMCS_GUEST_GDTR_BASE, 0x40201000);
	set(VMCS_GUEST_GDTR_LIMIT, 0x1f);
	set(VMCS_GUEST_IDTR_BASE, 0x40202000);
	set(VMCS_GUEST_IDTR_LIMIT, 0xfff);
	set(VMCS_GUEST_IA32_EFER, 0x500);
	set(VMCS_GUEST_IA32_PAT, 0x0007040600070406ull);
	set(VMCS_VMCS_LINK_POINTER, ~0ull);
}

void print_report(void)
{
	char line[512];
	for (unsigned i = 0; i < rep.nstored; i++) {
		vmcheck_format(&rep.f[i], line, sizeof(line));
		fprintf(stderr, "  %s\n", line);
	}
	for (unsigned i = 0; i < rep.nunchecked_stored; i++)
		fprintf(stderr, "  unchecked: %s (%s)\n", vmcheck_rule_id(rep.u[i].rule),
			vmcs_field_name(rep.u[i].field));
}

/* Run the checker and require exactly one finding: @rule on @field. */
void expect_only(enum vmcheck_rule rule, unsigned long field)
{
	int n = vmx_check_snapshot(&snap, &rep);
	if (n != 1 || rep.f[0].rule != rule || rep.f[0].field != field || rep.unchecked)
		print_report();
	cr_assert_eq(n, 1, "want only %s, got %d findings", vmcheck_rule_id(rule), n);
	cr_assert_eq(rep.f[0].rule, rule, "want %s, got %s", vmcheck_rule_id(rule),
		     vmcheck_rule_id(rep.f[0].rule));
	cr_assert_eq(rep.f[0].field, field, "want field %s, got %s", vmcs_field_name(field),
		     vmcs_field_name(rep.f[0].field));
	cr_assert_eq(rep.f[0].value, get(field), "the finding carries the field's value");
	cr_assert_eq(rep.unchecked, 0);
}

void enable_ept(void)
{
	or_bits(VMCS_SECONDARY_VM_EXEC_CONTROL, VMX_PROC2_ENABLE_EPT);
}

/* Real-mode style segments: base = selector << 4, limit 0xffff, AR 0xf3. */
void v86_segments(void)
{
	for (unsigned long f = VMCS_GUEST_ES_SELECTOR; f <= VMCS_GUEST_GS_SELECTOR; f += 2) {
		set(f, 0x1234);
		set(f + (VMCS_GUEST_ES_BASE - VMCS_GUEST_ES_SELECTOR), 0x12340);
		set(f + (VMCS_GUEST_ES_LIMIT - VMCS_GUEST_ES_SELECTOR), 0xffff);
		set(f + (VMCS_GUEST_ES_AR_BYTES - VMCS_GUEST_ES_SELECTOR), 0xf3);
	}
}

void inject(unsigned type, unsigned vector, bool errcode)
{
	set(VMCS_VM_ENTRY_INTR_INFO_FIELD, VMX_INTR_INFO_VALID | (type << 8) | vector |
	    (errcode ? VMX_INTR_INFO_ERRCODE : 0));
}
