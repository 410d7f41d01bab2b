/*
 * svm_cr.c - the guest's writes to CR0 and CR4 (the twin of the CR handling in
 * vmx/vmx_exit_slow.c). SVM has no read shadows: the guest sees its
 * control registers as they are. Every CR0 write exits: the selective
 * CR0 write intercept (APM 15.9.2, only bits other than TS and MP) would
 * let more writes run, but QEMU 7.2's TCG then accepts CR0 values with
 * bits 63:32 set that a CPU refuses (measured); hvlab refuses the
 * values a CPU would refuse, with #GP(0) as the CPU would (Intel SDM
 * Vol. 3A 2.5, AMD APM Vol. 2 3.1.1). SVM has no CR4 guest/host mask
 * either: every CR4 write exits too.
 *
 * Which register the value comes from: with decode assists EXITINFO1 says
 * (15.33.1, bit 63 valid, bits 3:0 the GPR); without them (QEMU's TCG)
 * the MOV to CR is decoded here: optional prefixes, 0F 22, ModRM whose
 * r/m field (with REX.B) names the source register.
 */
#include <stddef.h>
#include "panic.h"
#include "printf.h"
#include "string.h"
#include "trap.h"
#include "x86.h"
#include "svm/svm.h"
#include "svm/svm_cpu.h"
#include "svm/svm_vcpu.h"

#define EXITINFO1_CR_VALID (1ull << 63)
#define GPR_RSP 4
#define CR0_RESERVED_HIGH  0xffffffff00000000ull

/* Guest GPR @n in ModRM order (RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15). */
static uint64_t gpr_read(struct vcpu *v, unsigned n)
{
	struct vcpu_regs *r = &v->regs;
	const uint64_t vals[16] = { r->rax, r->rcx, r->rdx, r->rbx, svm_vmcb(v)->save.rsp,
		r->rbp, r->rsi, r->rdi, r->r8, r->r9, r->r10, r->r11, r->r12, r->r13,
		r->r14, r->r15 };
	return vals[n & 15];
}

/* The source GPR of the intercepted MOV to CR, or -1 (not a MOV to CR). */
static int cr_source_gpr(struct vcpu *v)
{
	const struct vmcb *vmcb = svm_vmcb(v);
	if ((svm_caps.features & SVM_FEAT_DECODE_ASSISTS) &&
	    (vmcb->control.exit_info1 & EXITINFO1_CR_VALID))
		return (int)(vmcb->control.exit_info1 & 15);
	uint64_t lin = vmcb->save.cs.base + vmcb->save.rip;
	const uint8_t *p = NULL;
	unsigned n;
	for (n = 15; n >= 3 && !(p = vcpu_guest_ptr(v, lin, n)); n--)
		;
	if (!p)
		return -1;
	unsigned i = 0, rex = 0;
	while (i < n && (p[i] == 0x66 || p[i] == 0x67 || p[i] == 0xf0 || p[i] == 0xf2 ||
			 p[i] == 0xf3 || p[i] == 0x2e || p[i] == 0x36 || p[i] == 0x3e ||
			 p[i] == 0x26 || p[i] == 0x64 || p[i] == 0x65))
		i++;
	if (i < n && (p[i] & 0xf0) == 0x40 && (vmcb->save.efer & X86_EFER_LMA))
		rex = p[i++];
	if (i + 2 >= n + 0 || p[i] != 0x0f || p[i + 1] != 0x22)
		return -1;
	return (int)((p[i + 2] & 7) | ((rex & 1) << 3));
}

static int cr0_write(struct vcpu *v, uint64_t val)
{
	/* BEGIN SOLUTION lab2 */
	struct vmcb *vmcb = svm_vmcb(v);
	bool long_mode = vmcb->save.efer & X86_EFER_LMA;
	if ((val & CR0_RESERVED_HIGH) || ((val & X86_CR0_NW) && !(val & X86_CR0_CD)) ||
	    ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) || (long_mode && !(val & X86_CR0_PG))) {
		svm_inject_exception(v, T_GP, true, 0);
		return 0;
	}
	vmcb->save.cr0 = val | X86_CR0_ET;   /* ET is fixed to 1 on every 64-bit CPU */
	svm_advance_rip(v);
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	(void)val;
	NOT_IMPLEMENTED("lab2");
	*/
}

/*
 * CR4 bits a guest may set: those the host itself uses, plus the ones
 * every 64-bit CPU has (VME..PCE, OSFXSR, OSXMMEXCPT), never VMXE: it is
 * reserved on AMD, and QEMU 7.2's TCG lets a guest set it anyway
 * (measured), so hvlab refuses it as a CPU without VMX does.
 */
#define CR4_ALWAYS_VALID 0x7ffull
static int cr4_write(struct vcpu *v, uint64_t val)
{
	/* BEGIN SOLUTION lab2 */
	struct vmcb *vmcb = svm_vmcb(v);
	bool long_mode = vmcb->save.efer & X86_EFER_LMA;
	uint64_t allowed = (read_cr4() | CR4_ALWAYS_VALID) & ~X86_CR4_VMXE;
	if ((val & ~allowed) || (long_mode && !(val & X86_CR4_PAE))) {
		svm_inject_exception(v, T_GP, true, 0);
		return 0;
	}
	vmcb->save.cr4 = val;
	svm_advance_rip(v);
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	(void)val;
	NOT_IMPLEMENTED("lab2");
	*/
}

int svm_handle_cr_write(struct vcpu *v)
{
	uint64_t code = svm_vmcb(v)->control.exit_code;
	int gpr = cr_source_gpr(v);
	if (gpr < 0) {
		vcpu_kill(v, "control-register write by an instruction hvlab does not emulate "
			  "(exit %s; only MOV to CR is, not LMSW) at RIP %#lx", svm_exit_code_name(code),
			  svm_vmcb(v)->save.rip);
		return 0;
	}
	uint64_t val = gpr_read(v, (unsigned)gpr);
	return code == SVM_EXIT_CR4_WRITE ? cr4_write(v, val) : cr0_write(v, val);
}
