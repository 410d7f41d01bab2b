/*
 * vmx_exit_slow.c - the exits that are rare or fatal: exceptions chosen by
 * the exception bitmap, host interrupts, control-register writes, string
 * I/O, the watchdog, triple faults, unhandled exits and failed entries.
 * Intel SDM Vol. 3C, chapter 27 "VM Exits" and 26.7 "VM-Entry Failures During
 * or After Loading Guest State".
 */
#include "gdt.h"
#include "panic.h"
#include "percpu.h"
#include "printf.h"
#include "string.h"
#include "trap.h"
#include "vcpu_policy.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_dump.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_exit.h"
#include "vmx/vmx_vcpu.h"
#include "x86.h"

#define RFLAGS_IF (1ull << 9)

/* Fields of the VMX-instruction information for INS/OUTS (27.2.5 "Information for VM Exits Due to Instruction Execution", Table 27-8). */
#define IOINFO_ADDR_SIZE(i) (((i) >> 7) & 7u)   /* 0: 16-bit, 1: 32-bit, 2: 64-bit */
#define IOINFO_SEG(i)       (((i) >> 15) & 7u)  /* 0 ES, 1 CS, 2 SS, 3 DS, 4 FS, 5 GS */
#define SEG_ES 0   /* segment numbers of the instruction information (Table 27-8) */
#define SEG_DS 3
#define SEG_FS 4
#define SEG_GS 5
#define ADDR_SIZE_16 0
#define ADDR_SIZE_32 1

/*
 * An exit that happened while the CPU was delivering an event to the guest
 * (an interrupt arriving during an exception's delivery, say) left that
 * event in the IDT-vectoring information (27.2.4 "Information for VM Exits
 * During Event Delivery"): deliver it again on the
 * next entry, or the guest loses it.
 */
bool vmx_reinject_vectoring(void)
{
	uint32_t idt = vmcs_read32(VMCS_IDT_VECTORING_INFO_FIELD);
	if (!(idt & VMX_INTR_INFO_VALID))
		return false;
	unsigned type = VMX_INTR_INFO_TYPE(idt);
	vmcs_write32(VMCS_VM_ENTRY_INTR_INFO_FIELD, idt & ~VMX_INTR_INFO_RESERVED);
	if (idt & VMX_INTR_INFO_ERRCODE)
		vmcs_write32(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE,
			     vmcs_read32(VMCS_IDT_VECTORING_ERROR_CODE));
	if (type == VMX_INTR_TYPE_SW_INTR || type == VMX_INTR_TYPE_PRIV_SW_EXC ||
	    type == VMX_INTR_TYPE_SW_EXC)
		vmcs_write32(VMCS_VM_ENTRY_INSTRUCTION_LEN,
			     vmcs_read32(VMCS_VM_EXIT_INSTRUCTION_LEN));
	return true;
}

/*
 * A host interrupt arrived while the guest ran. With "acknowledge interrupt
 * on exit" the CPU has already taken it from the LAPIC and tells us its
 * vector (27.2.2 "Information for VM Exits Due to Vectored Events"); hand it to lab 1's trap dispatch as if it had arrived
 * through the IDT (the dispatcher sends the EOI). This is how the host's
 * timer keeps ticking while a guest spins.
 */
int vmx_handle_external_interrupt(struct vcpu *v)
{
	(void)v;
	uint32_t info = vmcs_read32(VMCS_VM_EXIT_INTR_INFO);
	vmx_reinject_vectoring();
	if (!(info & VMX_INTR_INFO_VALID))
		return 0;
	struct trap_frame tf;
	memset(&tf, 0, sizeof(tf));
	tf.vector = VMX_INTR_INFO_VECTOR(info);
	tf.cs = GDT_KCODE_SEL;
	tf.rip = (uint64_t)vmx_handle_external_interrupt;
	trap_dispatch(&tf);
	return 0;
}

/* Exceptions the exception bitmap sends here (24.6.3 "Exception Bitmap"): only #DF. */
int vmx_handle_exception(struct vcpu *v)
{
	uint32_t info = vmcs_read32(VMCS_VM_EXIT_INTR_INFO);
	unsigned vector = VMX_INTR_INFO_VECTOR(info);
	if (vector == T_DF && VMX_INTR_INFO_TYPE(info) == VMX_INTR_TYPE_HW_EXC) {
		vcpu_kill(v, "double fault (#DF) in the guest: an exception could not be "
			  "delivered (is its IDT loaded, its stack usable?)");
		return 0;
	}
	return -1;
}

/* Triple fault, INIT, SIPI: nothing to resume (25.2 "Other Causes of VM Exits"). */
int vmx_handle_fatal(struct vcpu *v)
{
	uint32_t basic = vmcs_read32(VMCS_VM_EXIT_REASON) & EXIT_REASON_BASIC_MASK;
	if (basic == EXIT_REASON_TRIPLE_FAULT)
		vcpu_kill(v, "triple fault: an exception while delivering a double fault "
			  "(the guest's IDT, GDT or stack is unusable)");
	else
		vcpu_kill(v, "fatal exit %s", vmx_exit_reason_name(basic));
	return 0;
}

int vmx_handle_watchdog(struct vcpu *v)
{
	if (!vmx_watchdog_expired(v))
		return 0;   /* only a time slice ended: the guest goes on */
	if (!v->quiet)
		kprintf("vcpu: guest %s used up its watchdog budget of %lu TSC ticks "
			"(VMX-preemption timer) at RIP %#lx\n", v->name, v->watchdog_budget,
			vmcs_readnat(VMCS_GUEST_RIP));
	vcpu_stop(v, VCPU_STOP_WATCHDOG, "VMX-preemption timer expired");
	return 0;
}

void vmx_unhandled_exit(struct vcpu *v, uint32_t basic)
{
	kprintf("vmx: guest %s: exit reason %u (%s) has no handler (qualification %#lx, "
		"RIP %#lx); its VMCS follows\n", v->name, basic, vmx_exit_reason_name(basic),
		vmcs_readnat(VMCS_EXIT_QUALIFICATION), vmcs_readnat(VMCS_GUEST_RIP));
	vmcs_dump();
	vcpu_kill(v, "unhandled exit %u (%s)", basic, vmx_exit_reason_name(basic));
}

/* ---- control registers ---- */

/* The GPR numbering of exit qualifications (Table 27-3): RAX, RCX, RDX,
 * RBX, RSP, RBP, RSI, RDI, R8-R15; RSP lives in the VMCS. */
#define GPR_RSP 4
static uint64_t *gpr_slot(struct vcpu *v, unsigned n)
{
	struct vcpu_regs *r = &v->regs;
	uint64_t *const slots[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, NULL, &r->rbp,
		&r->rsi, &r->rdi, &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13,
		&r->r14, &r->r15 };
	return slots[n & 15];
}

uint64_t vmx_gpr_read(struct vcpu *v, unsigned n)
{
	return n == GPR_RSP ? vmcs_readnat(VMCS_GUEST_RSP) : *gpr_slot(v, n);
}

void vmx_gpr_write(struct vcpu *v, unsigned n, uint64_t val)
{
	if (n == GPR_RSP)
		vmcs_writenat(VMCS_GUEST_RSP, val);
	else
		*gpr_slot(v, n) = val;
}

/*
 * MOV to CR0 that changed a host-owned bit (25.3 "Changes to Instruction Behavior in VMX Non-Root Operation":
 * the guest/host mask).
 * The guest keeps its own view in the read shadow; the real CR0 keeps the
 * bits VMX operation fixes (23.8 "Restrictions on VMX Operation"). A 64-bit guest may not turn paging or
 * protection off, nor set reserved bits: #GP(0), as the CPU would
 * (Vol. 3A, 2.5; Vol. 2B, MOV to CR0).
 */
static int cr0_write(struct vcpu *v, uint64_t val)
{
	/* BEGIN SOLUTION lab2 */
	/* An unrestricted guest (lab 3) may turn PE and PG off (26.3.1.1); PG still needs PE. */
	bool unrestricted = ((struct vmx_vcpu *)v->vendor)->proc2 & VMX_PROC2_UNRESTRICTED_GUEST;
	bool modes_ok = unrestricted ? !((val & X86_CR0_PG) && !(val & X86_CR0_PE)) :
		(val & X86_CR0_PG) && (val & X86_CR0_PE);
	if ((val >> 32) || !modes_ok || ((val & X86_CR0_NW) && !(val & X86_CR0_CD))) {
		vmx_inject_exception(v, T_GP, true, 0);
		return 0;
	}
	uint64_t fixed0 = vmx_caps.cr0_fixed0 & (unrestricted ? ~(X86_CR0_PE | X86_CR0_PG) : ~0ull);
	vmcs_writenat(VMCS_GUEST_CR0, (val | fixed0) & vmx_caps.cr0_fixed1);
	vmcs_writenat(VMCS_CR0_READ_SHADOW, val);
	vmx_advance_rip(v);
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	(void)val;
	NOT_IMPLEMENTED("lab2");
	*/
}

/*
 * MOV to CR4 that changed a host-owned bit. CR4.VMXE must stay 1 in VMX
 * operation (23.8) but the guest must not see it: the shadow holds the
 * guest's value. Setting VMXE (the guest has no VMX: CPUID says so), a bit
 * this CPU lacks (CR4_FIXED1), or clearing PAE in long mode is #GP(0)
 * (an unrestricted lab-3 guest runs without PAE before long mode).
 */
static int cr4_write(struct vcpu *v, uint64_t val)
{
	/* BEGIN SOLUTION lab2 */
	bool long_mode = vmcs_read32(VMCS_VM_ENTRY_CONTROLS) & VMX_ENTRY_IA32E_MODE_GUEST;
	if ((val & X86_CR4_VMXE) || (val & ~vmx_caps.cr4_fixed1) ||
	    (long_mode && !(val & X86_CR4_PAE))) {
		vmx_inject_exception(v, T_GP, true, 0);
		return 0;
	}
	vmcs_writenat(VMCS_GUEST_CR4, val | vmx_caps.cr4_fixed0 | X86_CR4_VMXE);
	vmcs_writenat(VMCS_CR4_READ_SHADOW, val);
	vmx_advance_rip(v);
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	(void)val;
	NOT_IMPLEMENTED("lab2");
	*/
}

#define CR0_LMSW_BITS 0xfull   /* LMSW loads PE, MP, EM, TS (Vol. 2A, LMSW) */
#define X86_CR0_TS    (1ull << 3)

/*
 * Control-register accesses (25.1.3 "Instructions That Cause VM Exits
 * Conditionally"; qualification: 27.2.1, Table 27-3). CR0/CR4
 * reads never exit (they come from the shadows); writes exit when they
 * touch a host-owned bit. CR3 passes through where the CPU lets
 * CR3-load/store exiting be 0 (TRUE controls); if it must exit, the
 * access is done here on GUEST_CR3, to the same effect. Other CRs (CR8):
 * not emulated in lab 2, so the exit is unhandled.
 */
int vmx_handle_cr_access(struct vcpu *v)
{
	uint64_t q = vmcs_readnat(VMCS_EXIT_QUALIFICATION);
	unsigned cr = CRQ_CR(q), gpr = CRQ_GPR(q);
	uint64_t shadow0 = vmcs_readnat(VMCS_CR0_READ_SHADOW);

	switch (CRQ_TYPE(q)) {
	case CRQ_MOV_TO_CR:
		if (cr == 0)
			return cr0_write(v, vmx_gpr_read(v, gpr));
		if (cr == 4)
			return cr4_write(v, vmx_gpr_read(v, gpr));
		if (cr == 3) {
			vmcs_writenat(VMCS_GUEST_CR3, vmx_gpr_read(v, gpr));
			vmx_advance_rip(v);
			return 0;
		}
		return -1;
	case CRQ_MOV_FROM_CR:
		if (cr != 3)
			return -1;
		vmx_gpr_write(v, gpr, vmcs_readnat(VMCS_GUEST_CR3));
		vmx_advance_rip(v);
		return 0;
	case CRQ_CLTS:
		return cr0_write(v, shadow0 & ~X86_CR0_TS);
	case CRQ_LMSW:
		/* LMSW cannot clear PE. */
		return cr0_write(v, (shadow0 & ~CR0_LMSW_BITS) |
				 (CRQ_LMSW_SRC(q) & CR0_LMSW_BITS) | (shadow0 & X86_CR0_PE));
	}
	return -1;
}

/* ---- string I/O ---- */

/*
 * INS/OUTS (with or without REP): one element at a time through the
 * guest's memory, each address bounds-checked by guest_mem_ptr(). The
 * address size and segment come from the VMX-instruction information
 * where the CPU provides it (IA32_VMX_BASIC bit 54), else 64-bit and the
 * default segment. In 64-bit mode only FS and GS have a base (Vol. 3A,
 * 3.2.4). An element outside the guest's memory raises #GP(0) with RCX
 * and RSI/RDI telling how far the instruction got, as a fault mid-REP does.
 */
int vmx_handle_string_io(struct vcpu *v, uint16_t port, unsigned size, bool in, bool rep)
{
	uint64_t mask = ~0ull, base = 0;
	/* The segment: ES for INS (not overridable), DS or the override for OUTS. */
	unsigned seg = in ? SEG_ES : SEG_DS;
	if (vmx_caps.basic & VMX_BASIC_INS_OUTS_INFO) {
		uint32_t info = vmcs_read32(VMCS_VMX_INSTRUCTION_INFO);
		unsigned as = IOINFO_ADDR_SIZE(info);
		mask = as == ADDR_SIZE_16 ? 0xffffull : as == ADDR_SIZE_32 ? 0xffffffffull : ~0ull;
		if (!in)
			seg = IOINFO_SEG(info);
	}
	/* In 64-bit mode only FS and GS have a base; outside it (a lab-3
	 * guest in real or protected mode) every segment does (Vol. 3A, 3.4). */
	bool long_mode = vmcs_read32(VMCS_VM_ENTRY_CONTROLS) & VMX_ENTRY_IA32E_MODE_GUEST;
	if (!long_mode || seg == SEG_FS || seg == SEG_GS)
		base = vmcs_readnat((enum vmcs_field)(VMCS_GUEST_ES_BASE + 2 * seg));
	int64_t step = (vmcs_readnat(VMCS_GUEST_RFLAGS) & X86_RFLAGS_DF) ? -(int64_t)size :
		(int64_t)size;
	uint64_t *idx = in ? &v->regs.rdi : &v->regs.rsi;
	uint64_t count = rep ? (v->regs.rcx & mask) : 1;

	while (count) {
		void *p = vcpu_guest_ptr(v, base + (*idx & mask), size);
		if (!p) {
			vmx_inject_exception(v, T_GP, true, 0);
			return 0;
		}
		uint32_t val = 0;
		if (in) {
			val = vcpu_pio_in(v, port, size);
			memcpy(p, &val, size);
		} else {
			memcpy(&val, p, size);
			vcpu_pio_out(v, port, size, val);
		}
		*idx = (*idx & ~mask) | ((*idx + (uint64_t)step) & mask);
		count--;
		if (rep)
			v->regs.rcx = (v->regs.rcx & ~mask) | count;
	}
	vmx_advance_rip(v);
	return 0;
}

/* ---- failed entries ---- */

static const char *entry_qual_name(uint64_t q)
{
	switch (q) {
	case VMX_ENTRY_FAIL_QUAL_DEFAULT: return "no further information";
	case VMX_ENTRY_FAIL_QUAL_PDPTE: return "loading the PDPTEs failed";
	case VMX_ENTRY_FAIL_QUAL_NMI_INJ: return "NMI injection";
	case VMX_ENTRY_FAIL_QUAL_LINK_PTR: return "invalid VMCS link pointer";
	}
	return "unknown";
}

/*
 * A VM entry can fail two ways (chapter 26 "VM Entries"). As an instruction: VMfailValid
 * with a VM-instruction error (26.2 "Checks on VMX Controls and Host-State Area"),
 * or VMfailInvalid (no current VMCS). Or as a VM exit whose reason has
 * bit 31 set (26.3 "Checking and Loading Guest State", 26.4 "Loading MSRs";
 * 26.7 "VM-Entry Failures During or After Loading Guest State"),
 * with a basic reason (33 invalid guest state, 34 MSR loading, 41 machine
 * check) and a qualification. Both are named, the VMCS dumped, the guest
 * stopped.
 */
void vmx_report_entry_failure(struct vcpu *v, int vmfail)
{
	const char *insn = v->launched ? "VMRESUME" : "VMLAUNCH";
	if (vmfail == VMX_FAIL_INVALID) {
		kprintf("vmx: %s of guest %s failed: VMfailInvalid (no current VMCS)\n", insn, v->name);
		vcpu_stop(v, VCPU_STOP_ENTRY_FAILED, "VMfailInvalid");
		return;
	}
	if (vmfail == VMX_FAIL_VALID) {
		uint32_t err = vmcs_insn_error();
		kprintf("vmx: %s of guest %s failed: VMfailValid, VM-instruction error %u (%s)\n",
			insn, v->name, err, vmx_insn_error_name(err));
		vmcs_dump();
		vcpu_stop(v, VCPU_STOP_ENTRY_FAILED, vmx_insn_error_name(err));
		return;
	}
	uint32_t reason = vmcs_read32(VMCS_VM_EXIT_REASON);
	uint64_t q = vmcs_readnat(VMCS_EXIT_QUALIFICATION);
	uint32_t basic = reason & EXIT_REASON_BASIC_MASK;
	kprintf("vmx: %s of guest %s failed: VM-entry failure, exit reason %#x (bit 31 set, "
		"basic reason %u %s), qualification %lu (%s)\n", insn, v->name, reason, basic,
		vmx_exit_reason_name(basic), q, entry_qual_name(q));
	vmcs_dump();
	vcpu_stop(v, VCPU_STOP_ENTRY_FAILED, vmx_exit_reason_name(basic));
}

const char *vmx_launch_outcome_name(enum vmx_launch_outcome o)
{
	static const char *const names[] = {
		[VMX_LAUNCH_EXITED] = "exited", [VMX_LAUNCH_FAIL_INVALID] = "VMfailInvalid",
		[VMX_LAUNCH_FAIL_VALID] = "VMfailValid", [VMX_LAUNCH_ENTRY_FAILED] = "entry failed",
	};
	return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "unknown";
}

int vmx_try_launch(struct vcpu *v, struct vmx_launch_result *out)
{
	struct vmx_vcpu *x = v ? v->vendor : NULL;
	memset(out, 0, sizeof(*out));
	if (!x || v->ops != &vmx_vcpu_ops || v->launched || v->cpu != this_cpu()->index ||
	    vmptrst() != x->vmcs_pa) {
		kprintf("vmx_try_launch: the vCPU is not a fresh VMX vCPU current on this CPU\n");
		return -1;
	}
	uint64_t rflags = read_rflags();
	int fail = vmx_run(&v->regs, 0, vmx_exit_leave);
	if (fail == VMX_FAIL_INVALID) {
		out->outcome = VMX_LAUNCH_FAIL_INVALID;
	} else if (fail == VMX_FAIL_VALID) {
		out->outcome = VMX_LAUNCH_FAIL_VALID;
		out->insn_error = vmcs_insn_error();
	} else {
		out->exit_reason = vmcs_read32(VMCS_VM_EXIT_REASON);
		out->basic_reason = out->exit_reason & EXIT_REASON_BASIC_MASK;
		out->qualification = vmcs_readnat(VMCS_EXIT_QUALIFICATION);
		if (out->exit_reason & VMX_EXIT_REASON_FAILED_ENTRY) {
			out->outcome = VMX_LAUNCH_ENTRY_FAILED;
		} else {
			out->outcome = VMX_LAUNCH_EXITED;
			v->launched = true;
			/* An acknowledged host interrupt must still be serviced. */
			if (out->basic_reason == EXIT_REASON_EXTERNAL_INTERRUPT)
				vmx_handle_external_interrupt(v);
		}
	}
	if (rflags & RFLAGS_IF)
		sti();
	return 0;
}
