/*
 * vmcs_dump.c - a readable dump of the current VMCS: the controls decoded
 * by bit name, the host area, the guest area (segments, control registers
 * with their guest/host masks and read shadows, non-register state) and
 * the exit information. Field layouts: Intel SDM Vol. 3C, 24.4 (guest
 * state), 24.5 (host state), 24.6-24.8 (controls), 24.9 (exit information).
 *
 * Every value is read with VMREAD; a field the CPU does not support prints
 * as "unsupported", never as a value VMREAD did not give.
 */
#include <stdbool.h>
#include <stdint.h>
#include "printf.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_dump.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_ctls.h"

#define NO_VMCS 0xffffffffffffffffull

/* VMREAD that reports failure instead of complaining: an unsupported field
 * is a normal answer for a dump. */
static bool rd(unsigned long field, uint64_t *v)
{
	return vmcs_read_raw(field, v) == VMX_OK;
}

/* Value of @field as text: "0x1f" or "unsupported". */
static const char *val(unsigned long field, char buf[24])
{
	uint64_t v;
	if (!rd(field, &v))
		return "unsupported";
	ksnprintf(buf, 24, "%#llx", (unsigned long long)v);
	return buf;
}

/* One line of up to three fields: "  LABEL VALUE  LABEL VALUE ...". */
static void line3(const char *l1, unsigned long f1, const char *l2, unsigned long f2,
		  const char *l3, unsigned long f3)
{
	char b1[24], b2[24], b3[24];
	kprintf("  %s %s", l1, val(f1, b1));
	if (l2)
		kprintf("  %s %s", l2, val(f2, b2));
	if (l3)
		kprintf("  %s %s", l3, val(f3, b3));
	kprintf("\n");
}

/* A control field with the SDM name of every bit set (vmx_caps.h). */
static void dump_ctl(const char *label, unsigned long field, enum vmx_ctl_field kind)
{
	uint64_t v;
	if (!rd(field, &v)) {
		kprintf("  %-10s unsupported\n", label);
		return;
	}
	kprintf("  %-10s 0x%08llx:", label, (unsigned long long)v);
	uint64_t unnamed = 0;
	for (unsigned bit = 0; bit < 32; bit++) {
		if (!(v & (1ull << bit)))
			continue;
		const char *name = vmx_ctl_bit_name(kind, bit);
		if (name)
			kprintf(" [%s]", name);
		else
			unnamed |= 1ull << bit;
	}
	/* Bits without a name here are mostly the "default1" reserved bits. */
	if (unnamed)
		kprintf(" + other bits 0x%llx", (unsigned long long)unnamed);
	kprintf("\n");
}

/* Event information: VM-entry interruption info, VM-exit interruption
 * info, IDT-vectoring info share one layout (24.8.3, 24.9.2, 24.9.3). */
static void dump_event(const char *label, unsigned long info_field, unsigned long err_field)
{
	static const char *const types[8] = {
		"external interrupt", "reserved", "NMI", "hardware exception",
		"software interrupt", "privileged software exception", "software exception",
		"other event",
	};
	uint64_t info, err;
	if (!rd(info_field, &info)) {
		kprintf("  %s unsupported\n", label);
		return;
	}
	if (!(info & VMX_INTR_INFO_VALID)) {
		kprintf("  %s %#llx (not valid)\n", label, (unsigned long long)info);
		return;
	}
	kprintf("  %s %#llx: vector %u, %s", label, (unsigned long long)info,
		(unsigned)VMX_INTR_INFO_VECTOR(info), types[VMX_INTR_INFO_TYPE(info)]);
	if ((info & VMX_INTR_INFO_ERRCODE) && rd(err_field, &err))
		kprintf(", error code %#llx", (unsigned long long)err);
	kprintf("\n");
}

static void dump_controls(void)
{
	uint64_t proc = 0, proc2 = 0, v;
	char b1[24], b2[24];
	kprintf(" controls:\n");
	dump_ctl("pin", VMCS_PIN_BASED_VM_EXEC_CONTROL, VMX_CTL_PIN);
	dump_ctl("proc", VMCS_CPU_BASED_VM_EXEC_CONTROL, VMX_CTL_PROC);
	rd(VMCS_CPU_BASED_VM_EXEC_CONTROL, &proc);
	if (proc & VMX_PROC_SECONDARY_CTLS) {
		dump_ctl("proc2", VMCS_SECONDARY_VM_EXEC_CONTROL, VMX_CTL_PROC2);
		rd(VMCS_SECONDARY_VM_EXEC_CONTROL, &proc2);
	} else {
		kprintf("  proc2      (not activated: all 0)\n");
	}
	dump_ctl("exit", VMCS_VM_EXIT_CONTROLS, VMX_CTL_EXIT);
	dump_ctl("entry", VMCS_VM_ENTRY_CONTROLS, VMX_CTL_ENTRY);
	line3("exception bitmap", VMCS_EXCEPTION_BITMAP, "#PF mask", VMCS_PAGE_FAULT_ERROR_CODE_MASK,
	      "match", VMCS_PAGE_FAULT_ERROR_CODE_MATCH);
	line3("CR0 guest/host mask", VMCS_CR0_GUEST_HOST_MASK, "read shadow", VMCS_CR0_READ_SHADOW,
	      NULL, 0);
	line3("CR4 guest/host mask", VMCS_CR4_GUEST_HOST_MASK, "read shadow", VMCS_CR4_READ_SHADOW,
	      NULL, 0);
	if (proc & VMX_PROC_USE_IO_BITMAPS)
		line3("I/O bitmap A", VMCS_IO_BITMAP_A, "B", VMCS_IO_BITMAP_B, NULL, 0);
	if (proc & VMX_PROC_USE_MSR_BITMAPS)
		line3("MSR bitmap", VMCS_MSR_BITMAP, NULL, 0, NULL, 0);
	if (proc & VMX_PROC_TSC_OFFSETTING)
		line3("TSC offset", VMCS_TSC_OFFSET, NULL, 0, NULL, 0);
	if (proc & VMX_PROC_TPR_SHADOW)
		line3("virtual-APIC page", VMCS_VIRTUAL_APIC_PAGE_ADDR, "TPR threshold",
		      VMCS_TPR_THRESHOLD, NULL, 0);
	if ((proc2 & VMX_PROC2_ENABLE_EPT) && rd(VMCS_EPT_POINTER, &v))
		kprintf("  EPTP %#llx: memory type %u, walk length %u, A/D %s, PML4 at %#llx\n",
			(unsigned long long)v, (unsigned)(v & 7), (unsigned)((v >> 3) & 7) + 1,
			(v & (1u << 6)) ? "on" : "off", (unsigned long long)(v & ~0xfffull));
	if (proc2 & VMX_PROC2_ENABLE_VPID)
		line3("VPID", VMCS_VIRTUAL_PROCESSOR_ID, NULL, 0, NULL, 0);
	line3("CR3-target count", VMCS_CR3_TARGET_COUNT, NULL, 0, NULL, 0);
	kprintf("  MSR areas: exit store %s", val(VMCS_VM_EXIT_MSR_STORE_COUNT, b1));
	kprintf(" at %s,", val(VMCS_VM_EXIT_MSR_STORE_ADDR, b2));
	kprintf(" exit load %s", val(VMCS_VM_EXIT_MSR_LOAD_COUNT, b1));
	kprintf(" at %s,", val(VMCS_VM_EXIT_MSR_LOAD_ADDR, b2));
	kprintf(" entry load %s", val(VMCS_VM_ENTRY_MSR_LOAD_COUNT, b1));
	kprintf(" at %s\n", val(VMCS_VM_ENTRY_MSR_LOAD_ADDR, b2));
	dump_event("entry event", VMCS_VM_ENTRY_INTR_INFO_FIELD, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE);
	line3("entry instruction length", VMCS_VM_ENTRY_INSTRUCTION_LEN, NULL, 0, NULL, 0);
}

static void dump_host(void)
{
	char b[24];
	kprintf(" host state:\n");
	line3("CR0", VMCS_HOST_CR0, "CR3", VMCS_HOST_CR3, "CR4", VMCS_HOST_CR4);
	line3("RIP", VMCS_HOST_RIP, "RSP", VMCS_HOST_RSP, NULL, 0);
	kprintf("  selectors: CS %s", val(VMCS_HOST_CS_SELECTOR, b));
	kprintf(" SS %s", val(VMCS_HOST_SS_SELECTOR, b));
	kprintf(" DS %s", val(VMCS_HOST_DS_SELECTOR, b));
	kprintf(" ES %s", val(VMCS_HOST_ES_SELECTOR, b));
	kprintf(" FS %s", val(VMCS_HOST_FS_SELECTOR, b));
	kprintf(" GS %s", val(VMCS_HOST_GS_SELECTOR, b));
	kprintf(" TR %s\n", val(VMCS_HOST_TR_SELECTOR, b));
	line3("FS base", VMCS_HOST_FS_BASE, "GS base", VMCS_HOST_GS_BASE, "TR base", VMCS_HOST_TR_BASE);
	line3("GDTR base", VMCS_HOST_GDTR_BASE, "IDTR base", VMCS_HOST_IDTR_BASE, NULL, 0);
	line3("SYSENTER CS", VMCS_HOST_IA32_SYSENTER_CS, "ESP", VMCS_HOST_IA32_SYSENTER_ESP,
	      "EIP", VMCS_HOST_IA32_SYSENTER_EIP);
	line3("EFER", VMCS_HOST_IA32_EFER, "PAT", VMCS_HOST_IA32_PAT, NULL, 0);
}

/* The type field of a descriptor in words (SDM Vol. 3A, 3.4.5.1, 3.5). */
static const char *seg_type_name(unsigned type, bool s)
{
	static const char *const data[8] = {
		"data RO", "data RO accessed", "data RW", "data RW accessed",
		"data RO down", "data RO down accessed", "data RW down", "data RW down accessed",
	};
	static const char *const code[8] = {
		"code XO", "code XO accessed", "code XR", "code XR accessed",
		"code XO conforming", "code XO conforming accessed", "code XR conforming",
		"code XR conforming accessed",
	};
	static const char *const sys[16] = {
		[1] = "16-bit TSS available", [2] = "LDT", [3] = "16-bit TSS busy",
		[9] = "TSS available", [11] = "TSS busy", [12] = "call gate",
		[14] = "interrupt gate", [15] = "trap gate",
	};
	if (s)
		return type & 8 ? code[type & 7] : data[type & 7];
	return sys[type & 15] ? sys[type & 15] : "reserved system type";
}

static void dump_segment(const char *name, unsigned long sel, unsigned long base,
			 unsigned long limit, unsigned long arf)
{
	uint64_t s, b, l, ar;
	if (!rd(sel, &s) || !rd(base, &b) || !rd(limit, &l) || !rd(arf, &ar)) {
		kprintf("  %-4s unsupported\n", name);
		return;
	}
	kprintf("  %-4s sel 0x%04llx base 0x%016llx limit 0x%08llx ar 0x%05llx", name,
		(unsigned long long)s, (unsigned long long)b, (unsigned long long)l,
		(unsigned long long)ar);
	if (ar & VMX_AR_UNUSABLE) {
		kprintf(" unusable\n");
		return;
	}
	kprintf(" type %llu (%s) S=%d DPL=%llu P=%d AVL=%d L=%d D/B=%d G=%d%s\n",
		(unsigned long long)VMX_AR_TYPE(ar), seg_type_name(VMX_AR_TYPE(ar), ar & VMX_AR_S),
		!!(ar & VMX_AR_S), (unsigned long long)VMX_AR_DPL(ar), !!(ar & VMX_AR_P),
		!!(ar & VMX_AR_AVL), !!(ar & VMX_AR_L), !!(ar & VMX_AR_DB), !!(ar & VMX_AR_G),
		(ar & VMX_AR_RESERVED) ? " RESERVED BITS SET" : "");
}

static void dump_guest(void)
{
	static const char *const activity[4] = { "active", "HLT", "shutdown", "wait-for-SIPI" };
	uint64_t v;
	kprintf(" guest state:\n");
	line3("CR0", VMCS_GUEST_CR0, "mask", VMCS_CR0_GUEST_HOST_MASK, "shadow", VMCS_CR0_READ_SHADOW);
	line3("CR4", VMCS_GUEST_CR4, "mask", VMCS_CR4_GUEST_HOST_MASK, "shadow", VMCS_CR4_READ_SHADOW);
	line3("CR3", VMCS_GUEST_CR3, "DR7", VMCS_GUEST_DR7, NULL, 0);
	line3("RIP", VMCS_GUEST_RIP, "RSP", VMCS_GUEST_RSP, "RFLAGS", VMCS_GUEST_RFLAGS);
#define DUMP_SEG(s) dump_segment(#s, VMCS_GUEST_##s##_SELECTOR, VMCS_GUEST_##s##_BASE, \
				 VMCS_GUEST_##s##_LIMIT, VMCS_GUEST_##s##_AR_BYTES)
	DUMP_SEG(CS); DUMP_SEG(SS); DUMP_SEG(DS); DUMP_SEG(ES);
	DUMP_SEG(FS); DUMP_SEG(GS); DUMP_SEG(LDTR); DUMP_SEG(TR);
#undef DUMP_SEG
	line3("GDTR base", VMCS_GUEST_GDTR_BASE, "limit", VMCS_GUEST_GDTR_LIMIT, NULL, 0);
	line3("IDTR base", VMCS_GUEST_IDTR_BASE, "limit", VMCS_GUEST_IDTR_LIMIT, NULL, 0);
	line3("EFER", VMCS_GUEST_IA32_EFER, "PAT", VMCS_GUEST_IA32_PAT, "DEBUGCTL",
	      VMCS_GUEST_IA32_DEBUGCTL);
	line3("SYSENTER CS", VMCS_GUEST_SYSENTER_CS, "ESP", VMCS_GUEST_SYSENTER_ESP,
	      "EIP", VMCS_GUEST_SYSENTER_EIP);
	if (rd(VMCS_GUEST_ACTIVITY_STATE, &v))
		kprintf("  activity state %llu (%s)\n", (unsigned long long)v,
			v < 4 ? activity[v] : "invalid");
	else
		kprintf("  activity state unsupported\n");
	if (rd(VMCS_GUEST_INTERRUPTIBILITY_INFO, &v))
		kprintf("  interruptibility %#llx%s%s%s%s\n", (unsigned long long)v,
			(v & VMX_INTR_BLOCK_STI) ? " [blocking by STI]" : "",
			(v & VMX_INTR_BLOCK_MOV_SS) ? " [blocking by MOV SS]" : "",
			(v & VMX_INTR_BLOCK_SMI) ? " [blocking by SMI]" : "",
			(v & VMX_INTR_BLOCK_NMI) ? " [blocking by NMI]" : "");
	else
		kprintf("  interruptibility unsupported\n");
	line3("pending debug exceptions", VMCS_GUEST_PENDING_DBG_EXCEPTIONS, "VMCS link pointer",
	      VMCS_VMCS_LINK_POINTER, NULL, 0);
	line3("preemption timer", VMCS_VMX_PREEMPTION_TIMER_VALUE, NULL, 0, NULL, 0);
}

static void dump_exit(void)
{
	uint64_t reason, err;
	kprintf(" exit information:\n");
	if (rd(VMCS_VM_EXIT_REASON, &reason))
		kprintf("  exit reason %#llx: %s%s\n", (unsigned long long)reason,
			vmx_exit_reason_name((unsigned)reason & 0xffff),
			(reason & VMX_EXIT_REASON_FAILED_ENTRY) ? " (VM-entry failure)" : "");
	else
		kprintf("  exit reason unsupported\n");
	line3("qualification", VMCS_EXIT_QUALIFICATION, "instruction length",
	      VMCS_VM_EXIT_INSTRUCTION_LEN, "instruction info", VMCS_VMX_INSTRUCTION_INFO);
	dump_event("exit event", VMCS_VM_EXIT_INTR_INFO, VMCS_VM_EXIT_INTR_ERROR_CODE);
	dump_event("IDT vectoring", VMCS_IDT_VECTORING_INFO_FIELD, VMCS_IDT_VECTORING_ERROR_CODE);
	line3("guest linear address", VMCS_GUEST_LINEAR_ADDRESS, "guest physical address",
	      VMCS_GUEST_PHYSICAL_ADDRESS, NULL, 0);
	if (rd(VMCS_VM_INSTRUCTION_ERROR, &err))
		kprintf("  VM-instruction error %llu%s%s\n", (unsigned long long)err,
			err ? ": " : " (none)", err ? vmx_insn_error_name((unsigned)err) : "");
	else
		kprintf("  VM-instruction error unsupported\n");
}

void vmcs_dump(void)
{
	uint64_t pa = vmptrst();
	if (pa == NO_VMCS) {
		kprintf("vmcs_dump: no current VMCS on this CPU\n");
		return;
	}
	kprintf("vmcs_dump: VMCS at %#llx\n", (unsigned long long)pa);
	dump_controls();
	dump_host();
	dump_guest();
	dump_exit();
}
