/*
 * svm_exit.c - entering the guest and handling the #VMEXITs that end it:
 * the dispatch table, the handlers, RIP advance and event injection. The
 * twin of vmx/vmx_exit.c and vmx/vmx_exit_slow.c.
 *
 * AMD64 APM Vol. 2: 15.6 "#VMEXIT" (EXITCODE, EXITINFO1/2), 15.7
 * "Intercept Operation" (RIP points at the intercepted instruction; with
 * NRIPS the next RIP is in the VMCB, 15.7.1), 15.10 (IOIO), 15.11 (MSR),
 * 15.20 "Event Injection", Appendix C (exit codes). The policies (CPUID,
 * ports, MSRs, hypercalls) are the generic ones of vcpu_policy.h.
 */
#include <stddef.h>
#include "panic.h"
#include "printf.h"
#include "string.h"
#include "trap.h"
#include "vcpu_policy.h"
#include "x86.h"
#include "svm/svm.h"
#include "svm/svm_cpu.h"
#include "svm/svm_insn.h"
#include "svm/svm_vcpu.h"

#define INSN_MAX 15

/* The CPU mode the guest's CS gives (for decoding): 64, 32 or 16. */
static unsigned guest_mode(const struct vmcb *vmcb)
{
	if ((vmcb->save.efer & X86_EFER_LMA) && (vmcb->save.cs.attrib & VMCB_ATTR_L))
		return 64;
	return vmcb->save.cs.attrib & VMCB_ATTR_DB ? 32 : 16;
}

/* Copy up to INSN_MAX bytes at the guest's CS:RIP into @buf; how many. */
static unsigned fetch_insn(struct vcpu *v, uint8_t *buf)
{
	const struct vmcb *vmcb = svm_vmcb(v);
	uint64_t lin = vmcb->save.cs.base + vmcb->save.rip;
	for (unsigned n = INSN_MAX; n; n--) {
		const void *p = vcpu_guest_ptr(v, lin, n);
		if (p) {
			memcpy(buf, p, n);
			return n;
		}
	}
	return 0;
}

/*
 * RIP past the intercepted instruction. With NRIPS the CPU saved the next
 * RIP (15.7.1); without it (QEMU's TCG) the instruction is decoded here.
 * Emulating an instruction ends the interrupt shadow of a preceding STI
 * or MOV SS, as executing it would (VMCB INTERRUPT_SHADOW, 15.21.5).
 */
void svm_set_next_rip(struct vcpu *v, uint64_t next)
{
	struct vmcb *vmcb = svm_vmcb(v);
	vmcb->save.rip = next;
	vmcb->control.int_state &= ~SVM_INT_STATE_SHADOW;
}

void svm_advance_rip(struct vcpu *v)
{
	/* BEGIN SOLUTION lab2 */
	struct vmcb *vmcb = svm_vmcb(v);
	if (svm_caps.features & SVM_FEAT_NRIPS) {
		svm_set_next_rip(v, vmcb->control.next_rip);
		return;
	}
	uint8_t buf[INSN_MAX];
	unsigned n = fetch_insn(v, buf);
	int len = n ? svm_insn_len(buf, n, guest_mode(vmcb)) : -1;
	if (len <= 0) {
		vcpu_kill(v, "cannot decode the intercepted instruction at RIP %#lx "
			  "(no NRIPS on this CPU; %u bytes readable)", vmcb->save.rip, n);
		return;
	}
	svm_set_next_rip(v, vmcb->save.rip + (unsigned)len);
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	(void)guest_mode;
	(void)fetch_insn;
	NOT_IMPLEMENTED("lab2");
	*/
}

/* EVENTINJ (15.20): delivered through the guest's IDT at the next VMRUN,
 * as if the instruction at RIP had raised it; RIP stays on it. */
void svm_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error)
{
	uint64_t e = vector | ((uint64_t)SVM_EVTINJ_TYPE_EXC << SVM_EVTINJ_TYPE_SHIFT) |
		SVM_EVTINJ_VALID;
	if (has_error)
		e |= SVM_EVTINJ_EV | ((uint64_t)error << SVM_EVTINJ_ERR_SHIFT);
	svm_vmcb(v)->control.event_inj = e;
}

static int handle_cpuid(struct vcpu *v)
{
	/* BEGIN SOLUTION lab2 */
	vcpu_cpuid(v);
	svm_advance_rip(v);
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	NOT_IMPLEMENTED("lab2");
	*/
}

static int handle_vmmcall(struct vcpu *v)
{
	/* BEGIN SOLUTION lab2 */
	vcpu_hypercall(v);
	svm_advance_rip(v);
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	NOT_IMPLEMENTED("lab2");
	*/
}

/* HLT: with IF set the guest waits for an interrupt (lab 2 injects none:
 * it goes on at once); with IF clear nothing could wake it. */
static int handle_hlt(struct vcpu *v)
{
	/* BEGIN SOLUTION lab2 */
	if (!(svm_vmcb(v)->save.rflags & X86_RFLAGS_IF)) {
		vcpu_stop(v, VCPU_STOP_HLT, "HLT with interrupts disabled");
		return 0;
	}
	svm_advance_rip(v);
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	NOT_IMPLEMENTED("lab2");
	*/
}

/* INS/OUTS, with or without REP: EXITINFO1 gives the address size and the
 * segment (15.10.2); the data goes through vcpu_guest_ptr, never a raw
 * guest pointer. */
static int string_io(struct vcpu *v, uint32_t info, uint16_t port, unsigned size)
{
	struct vmcb *vmcb = svm_vmcb(v);
	bool in = info & SVM_IOIO_TYPE_IN, rep = info & SVM_IOIO_REP;
	uint64_t mask = info & SVM_IOIO_A16 ? 0xffffull : info & SVM_IOIO_A32 ? 0xffffffffull : ~0ull;
	const struct vmcb_seg *segs[] = { &vmcb->save.es, &vmcb->save.cs, &vmcb->save.ss,
		&vmcb->save.ds, &vmcb->save.fs, &vmcb->save.gs };
	unsigned sn = in ? 0 : SVM_IOIO_SEG(info);   /* INS always writes ES:rDI */
	uint64_t base = sn < 6 ? segs[sn]->base : 0;
	if ((vmcb->save.efer & X86_EFER_LMA) && sn < 4)
		base = 0;   /* 64-bit mode: only FS and GS have a base */
	int64_t step = (vmcb->save.rflags & X86_RFLAGS_DF) ? -(int64_t)size : (int64_t)size;
	uint64_t *idx = in ? &v->regs.rdi : &v->regs.rsi;
	uint64_t count = rep ? (v->regs.rcx & mask) : 1;
	while (count) {
		void *p = vcpu_guest_ptr(v, base + (*idx & mask), size);
		if (!p) {
			svm_inject_exception(v, T_GP, true, 0);
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
	svm_set_next_rip(v, vmcb->control.exit_info2);
	return 0;
}

/* IN/OUT through the I/O permission map (15.10): EXITINFO1 names port,
 * size and direction, EXITINFO2 the next RIP (no decoding needed). */
static int handle_ioio(struct vcpu *v)
{
	/* BEGIN SOLUTION lab2 */
	struct vmcb *vmcb = svm_vmcb(v);
	uint32_t info = (uint32_t)vmcb->control.exit_info1;
	uint16_t port = SVM_IOIO_PORT(info);
	unsigned size = info & SVM_IOIO_SZ32 ? 4 : info & SVM_IOIO_SZ16 ? 2 : 1;
	if (info & SVM_IOIO_STR)
		return string_io(v, info, port, size);
	if (info & SVM_IOIO_TYPE_IN) {
		uint32_t val = vcpu_pio_in(v, port, size);
		if (size == 4)
			v->regs.rax = val;
		else {
			uint64_t mask = size == 1 ? 0xffull : 0xffffull;
			v->regs.rax = (v->regs.rax & ~mask) | (val & mask);
		}
	} else {
		vcpu_pio_out(v, port, size, (uint32_t)v->regs.rax);
	}
	svm_set_next_rip(v, vmcb->control.exit_info2);
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	(void)string_io;
	NOT_IMPLEMENTED("lab2");
	*/
}

/*
 * RDMSR/WRMSR the MSR map sends here (15.11): EXITINFO1 is 0 for a read,
 * 1 for a write. EFER is the backend's own: the guest's must keep SVME
 * for VMRUN, and a guest told "no SVM" reads it as clear.
 */
static int handle_msr(struct vcpu *v)
{
	/* BEGIN SOLUTION lab2 */
	struct vmcb *vmcb = svm_vmcb(v);
	uint32_t msr = (uint32_t)v->regs.rcx;
	bool write = vmcb->control.exit_info1 == 1;
	uint64_t val;
	int bad;
	if (write) {
		v->exit_counts[SVM_EXIT_MSR]--;          /* counted as a write instead */
		v->exit_counts[SVM_COUNT_MSR_WRITE]++;
		bad = vcpu_msr_write(v, msr, (v->regs.rdx << 32) | (uint32_t)v->regs.rax);
	} else if (msr == MSR_EFER) {
		val = vmcb->save.efer & ~X86_EFER_SVME;
		bad = 0;
	} else {
		bad = vcpu_msr_read(v, msr, &val);
	}
	if (bad) {
		svm_inject_exception(v, T_GP, true, 0);
		return 0;
	}
	if (!write) {
		v->regs.rax = (uint32_t)val;
		v->regs.rdx = val >> 32;
	}
	svm_advance_rip(v);
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	NOT_IMPLEMENTED("lab2");
	*/
}

/* The SVM instructions: the guest was told SVM does not exist (CPUID), so
 * it gets #UD, as on a CPU without SVM. */
static int handle_svm_insn(struct vcpu *v)
{
	svm_inject_exception(v, T_UD, false, 0);
	return 0;
}

/*
 * A physical interrupt ended the guest (15.21.1, INTR intercept): it is
 * still pending; STGI lets the host take it now (IF is set: svm_entry.S).
 * Then the watchdog looks at the time the guest has had.
 */
static int handle_intr(struct vcpu *v)
{
	struct svm_vcpu *s = v->vendor;
	svm_stgi();
	__asm__ volatile("nop");
	svm_clgi();
	if (s->watchdog && rdtsc() - s->watchdog_start >= v->watchdog_budget) {
		if (!v->quiet)
			kprintf("vcpu: guest %s used up its watchdog budget of %lu TSC ticks "
				"(host timer) at RIP %#lx\n", v->name, v->watchdog_budget,
				svm_vmcb(v)->save.rip);
		vcpu_stop(v, VCPU_STOP_WATCHDOG, "watchdog budget spent (host timer)");
	} else if (v->yield) {
		vcpu_stop(v, VCPU_STOP_YIELD, "time slice over");
	}
	return 0;
}

static int handle_double_fault(struct vcpu *v)
{
	vcpu_kill(v, "double fault (#DF) in the guest: an exception could not be "
		  "delivered (is its IDT loaded, its stack usable?)");
	return 0;
}

static int handle_shutdown(struct vcpu *v)
{
	vcpu_kill(v, "triple fault (SHUTDOWN intercept): an exception while delivering a "
		  "double fault (the guest's IDT, GDT or stack is unusable)");
	return 0;
}

static int handle_init(struct vcpu *v)
{
	vcpu_kill(v, "fatal exit INIT");
	return 0;
}

/* CR0 and CR4 writes (svm_cr.c). */
int svm_handle_cr_write(struct vcpu *v);

/*
 * The exit handlers, indexed by exit code. The contract, as for VMX: 0
 * when the handler dealt with the exit (moved RIP, injected an event, or
 * stopped the guest), -1 when it cannot: svm_unhandled_exit() then dumps
 * the VMCB and kills the guest. Codes with no entry go there too.
 */
static int (*exit_handlers[VCPU_EXIT_REASONS])(struct vcpu *) = {
	[SVM_EXIT_CR0_WRITE] = svm_handle_cr_write,
	[SVM_EXIT_CR4_WRITE] = svm_handle_cr_write,
	[SVM_EXIT_EXCP_DF] = handle_double_fault,
	[SVM_EXIT_INTR] = handle_intr,
	[SVM_EXIT_NMI] = handle_intr,
	[SVM_EXIT_INIT] = handle_init,
	[SVM_EXIT_CPUID] = handle_cpuid,
	[SVM_EXIT_HLT] = handle_hlt,
	[SVM_EXIT_IOIO] = handle_ioio,
	[SVM_EXIT_MSR] = handle_msr,
	[SVM_EXIT_SHUTDOWN] = handle_shutdown,
	[SVM_EXIT_VMRUN] = handle_svm_insn,
	[SVM_EXIT_VMMCALL] = handle_vmmcall,
	[SVM_EXIT_VMLOAD] = handle_svm_insn,
	[SVM_EXIT_VMSAVE] = handle_svm_insn,
	[SVM_EXIT_STGI] = handle_svm_insn,
	[SVM_EXIT_CLGI] = handle_svm_insn,
	[SVM_EXIT_SKINIT] = handle_svm_insn,
	[SVM_EXIT_INVLPGA] = handle_svm_insn,
};

void svm_exit_set_handler(unsigned code, int (*handler)(struct vcpu *v))
{
	if (code < VCPU_EXIT_REASONS)
		exit_handlers[code] = handler;
}

static void svm_unhandled_exit(struct vcpu *v, uint64_t code)
{
	const struct vmcb *vmcb = svm_vmcb(v);
	kprintf("svm: guest %s: exit code %#lx (%s) has no handler (EXITINFO1 %#lx, "
		"EXITINFO2 %#lx, RIP %#lx); its VMCB follows\n", v->name, code,
		svm_exit_code_name(code), vmcb->control.exit_info1, vmcb->control.exit_info2,
		vmcb->save.rip);
	svm_vmcb_dump(vmcb);
	vcpu_kill(v, "unhandled exit %#lx (%s)", code, svm_exit_code_name(code));
}

/* VMEXIT_INVALID: VMRUN refused the VMCB (15.5.1); nothing ran. */
static void svm_report_invalid(struct vcpu *v)
{
	kprintf("svm: VMRUN of guest %s failed: VMEXIT_INVALID (the VMCB breaks a "
		"consistency check of APM 15.5.1); its VMCB follows\n", v->name);
	svm_vmcb_dump(svm_vmcb(v));
	vcpu_stop(v, VCPU_STOP_ENTRY_FAILED, "VMEXIT_INVALID");
}

/*
 * Every #VMEXIT, called by svm_entry.S with the guest's GPRs in @regs.
 * An event that was being delivered when the exit came (EXITINTINFO,
 * 15.7.2) is handed back to EVENTINJ first, so that it is not lost.
 * Returns 0 to run the guest again at once, non-zero when it stopped.
 */
int svm_exit_dispatch(struct vcpu_regs *regs)
{
	/* BEGIN SOLUTION lab2 */
	struct vcpu *v = (struct vcpu *)((char *)regs - offsetof(struct vcpu, regs));
	struct vmcb *vmcb = svm_vmcb(v);
	uint64_t code = vmcb->control.exit_code;
	vmcb->control.tlb_control = SVM_TLB_NOTHING;
	if (__builtin_expect((uint32_t)code == SVM_EXIT_INVALID, 0)) {
		svm_report_invalid(v);
		return 1;
	}
	vmcb->control.event_inj = vmcb->control.exit_int_info & SVM_EVTINJ_VALID ?
		vmcb->control.exit_int_info : 0;
	int (*h)(struct vcpu *) = NULL;
	if (__builtin_expect(code < VCPU_EXIT_REASONS, 1)) {
		v->exit_counts[code]++;
		h = exit_handlers[code];
	}
	if (__builtin_expect(!h, 0) || h(v))
		svm_unhandled_exit(v, code);
	return v->stop != VCPU_STOP_NONE;
	/* END SOLUTION */
	/* STUB lab2
	(void)regs;
	(void)exit_handlers;
	(void)svm_unhandled_exit;
	(void)svm_report_invalid;
	NOT_IMPLEMENTED("lab2");
	*/
}

/* The run_once hook: run until an exit needs the run loop. */
void svm_exit_run_once(struct vcpu *v)
{
	struct svm_vcpu *s = v->vendor;
	svm_run(&v->regs, s->vmcb_pa, svm_host_save_pa(v->cpu), svm_exit_dispatch);
	v->launched = true;
}
