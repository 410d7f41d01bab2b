/*
 * svm_vcpu.c - building a VMCB for a lab-2 guest: the intercepts, the
 * permission maps and the state-save area of a 64-bit guest without nested
 * paging. The twin of vmx/vmx_vcpu.c.
 *
 * AMD64 APM Vol. 2, chapter 15: 15.5 "VMRUN Instruction" (what VMRUN
 * loads and checks), 15.9-15.14 (intercepts), 15.10 and 15.11 (the I/O
 * and MSR permission maps), Appendix B (the VMCB layout).
 */
#include <stddef.h>
#include "heap.h"
#include "percpu.h"
#include "pmm.h"
#include "panic.h"
#include "printf.h"
#include "string.h"
#include "trap.h"
#include "vcpu_policy.h"
#include "x86.h"
#include "svm/svm.h"
#include "svm/svm_check.h"
#include "svm/svm_cpu.h"
#include "svm/svm_vcpu.h"

/* svm_entry.S reaches the GPRs by these offsets. */
_Static_assert(offsetof(struct vcpu_regs, rax) == 0, "svm_entry.S R_RAX");
_Static_assert(offsetof(struct vcpu_regs, rdi) == 40, "svm_entry.S R_RDI");
_Static_assert(offsetof(struct vcpu_regs, r15) == 112, "svm_entry.S R_R15");
_Static_assert(offsetof(struct vcpu, regs) == 0, "svm_exit_dispatch finds v from regs");

#define GUEST_CODE_SEL   0x08
#define GUEST_DATA_SEL   0x10
#define SEG_TYPE_CODE_XRA 0xb
#define SEG_TYPE_DATA_RWA 0x3
#define SEG_TYPE_TSS_BUSY 0xb
#define GUEST_CODE_ATTR  (VMCB_ATTR_TYPE(SEG_TYPE_CODE_XRA) | VMCB_ATTR_S | VMCB_ATTR_P | \
			  VMCB_ATTR_L | VMCB_ATTR_G)
#define GUEST_DATA_ATTR  (VMCB_ATTR_TYPE(SEG_TYPE_DATA_RWA) | VMCB_ATTR_S | VMCB_ATTR_P | \
			  VMCB_ATTR_DB | VMCB_ATTR_G)
#define GUEST_TR_ATTR    (VMCB_ATTR_TYPE(SEG_TYPE_TSS_BUSY) | VMCB_ATTR_P)
#define GUEST_TSS_LIMIT  0x67
#define FLAT_LIMIT       0xffffffffu
#define DR6_INIT         0xffff0ff0ull
#define DR7_INIT         0x400ull
#define MSR_PAT          0x277u
#define MSR_IA32_TSC     0x10u
#define INTERCEPT_CR_WRITE(n) (1u << (16 + (n)))   /* VMCB 0x000: bits 31:16 CR writes */

/*
 * The MSR permission map (APM 15.11, Table 15-5): two bits per MSR (read,
 * then write) in three 2 KiB ranges for MSRs 0-1FFFh, C0000000h-C0001FFFh
 * and C0010000h-C0011FFFh; a set bit intercepts. MSRs outside the ranges
 * always exit.
 */
static void msrpm_pass(uint8_t *pm, uint32_t msr, bool write)
{
	static const struct { uint32_t base; unsigned off; } ranges[] = {
		{ 0x00000000u, 0x000 }, { 0xc0000000u, 0x800 }, { 0xc0010000u, 0x1000 },
	};
	for (unsigned i = 0; i < 3; i++) {
		if (msr - ranges[i].base >= 0x2000)
			continue;
		unsigned bit = 2 * (msr - ranges[i].base) + (write ? 1 : 0);
		pm[ranges[i].off + bit / 8] &= (uint8_t)~(1u << (bit % 8));
	}
}

void svm_msr_passthrough(struct vcpu *v, uint32_t msr)
{
	uint8_t *pm = (uint8_t *)(uintptr_t)((struct svm_vcpu *)v->vendor)->msrpm_pa;
	msrpm_pass(pm, msr, false);
	msrpm_pass(pm, msr, true);
}

/* Every port and every MSR intercepted but the policy's pass-through list.
 * EFER stays intercepted both ways: the guest's EFER.SVME must be 1 for
 * VMRUN (15.5.1) but a guest told "no SVM" must read it as 0. IA32_TSC
 * reads are emulated too: QEMU 7.2's TCG returns 0 for a guest RDMSR of
 * IA32_TSC that the map lets through (measured; RDTSC is right). */
static void fill_maps(struct svm_vcpu *s)
{
	memset((void *)(uintptr_t)s->iopm_pa, 0xff, SVM_IOPM_PAGES * PAGE_SIZE);
	uint8_t *pm = (uint8_t *)(uintptr_t)s->msrpm_pa;
	memset(pm, 0xff, SVM_MSRPM_PAGES * PAGE_SIZE);
	for (size_t i = 0; i < vcpu_msr_passthrough_count; i++)
		if (vcpu_msr_passthrough[i].msr != MSR_EFER &&
		    vcpu_msr_passthrough[i].msr != MSR_IA32_TSC)
			msrpm_pass(pm, vcpu_msr_passthrough[i].msr, vcpu_msr_passthrough[i].write);
}

/*
 * The control area: what exits. Lab 2 intercepts what VMX exits on
 * unconditionally or by its controls: CPUID, HLT, port I/O and MSRs (the
 * maps), the SVM instructions (VMRUN must be intercepted: 15.5.1), CR0
 * and CR4 writes (svm_cr.c), #DF, SHUTDOWN (a triple fault), INIT, and physical
 * interrupts and NMIs, so the host keeps its timer (15.21.1: with
 * V_INTR_MASKING the guest's IF masks only virtual interrupts).
 */
static void svm_setup_control(struct vcpu *v, struct svm_vcpu *s, uint32_t asid)
{
	/* BEGIN SOLUTION lab2 */
	struct vmcb_control *c = &s->vmcb->control;
	c->intercept_cr = INTERCEPT_CR_WRITE(0) | INTERCEPT_CR_WRITE(4);
	c->intercept_exc = 1u << T_DF;
	c->intercept_misc1 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI | SVM_INTERCEPT_INIT |
		SVM_INTERCEPT_CPUID | SVM_INTERCEPT_HLT | SVM_INTERCEPT_INVLPGA |
		SVM_INTERCEPT_IOIO_PROT | SVM_INTERCEPT_MSR_PROT | SVM_INTERCEPT_SHUTDOWN;
	c->intercept_misc2 = SVM_INTERCEPT2_VMRUN | SVM_INTERCEPT2_VMMCALL |
		SVM_INTERCEPT2_VMLOAD | SVM_INTERCEPT2_VMSAVE | SVM_INTERCEPT2_STGI |
		SVM_INTERCEPT2_CLGI | SVM_INTERCEPT2_SKINIT;
	c->iopm_base_pa = s->iopm_pa;
	c->msrpm_base_pa = s->msrpm_pa;
	c->asid = asid;
	c->tlb_control = SVM_TLB_FLUSH_ALL;   /* the first VMRUN with this ASID */
	c->vintr = SVM_VINTR_MASKING;
	(void)v;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	(void)s;
	(void)asid;
	NOT_IMPLEMENTED("lab2");
	*/
}

static void seg(struct vmcb_seg *sg, uint16_t sel, uint32_t limit, uint16_t attrib)
{
	sg->sel = sel;
	sg->attrib = attrib;
	sg->limit = limit;
	sg->base = 0;
}

/*
 * The state-save area of a guest that starts in 64-bit mode at GUEST_BASE
 * (guest_image.h), the same state vmx_setup_guest_state writes. VMRUN
 * checks it (15.5.1): EFER.SVME set, long mode with CR0.PG, CR0.PE and
 * CR4.PAE, CS.L with CS.D clear.
 */
static void svm_setup_save(struct vcpu *v, struct svm_vcpu *s)
{
	/* BEGIN SOLUTION lab2 */
	struct vmcb_save *g = &s->vmcb->save;
	g->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	g->cr3 = v->mem.pt.root;
	g->cr4 = X86_CR4_PAE;
	g->efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_SVME |
		(rdmsr(MSR_EFER) & (X86_EFER_NXE | X86_EFER_SCE));
	g->dr6 = DR6_INIT;
	g->dr7 = DR7_INIT;
	g->g_pat = rdmsr(MSR_PAT);
	seg(&g->cs, GUEST_CODE_SEL, FLAT_LIMIT, GUEST_CODE_ATTR);
	seg(&g->ss, GUEST_DATA_SEL, FLAT_LIMIT, GUEST_DATA_ATTR);
	seg(&g->ds, GUEST_DATA_SEL, FLAT_LIMIT, GUEST_DATA_ATTR);
	seg(&g->es, GUEST_DATA_SEL, FLAT_LIMIT, GUEST_DATA_ATTR);
	seg(&g->fs, GUEST_DATA_SEL, FLAT_LIMIT, GUEST_DATA_ATTR);
	seg(&g->gs, GUEST_DATA_SEL, FLAT_LIMIT, GUEST_DATA_ATTR);
	seg(&g->ldtr, 0, 0, 0);
	seg(&g->tr, 0, GUEST_TSS_LIMIT, GUEST_TR_ATTR);
	seg(&g->gdtr, 0, 0, 0);
	seg(&g->idtr, 0, 0, 0);
	g->cpl = 0;
	g->rip = v->mem.base;
	g->rsp = v->mem.base + v->mem.size;
	g->rflags = X86_RFLAGS_FIXED;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	(void)s;
	(void)seg;
	NOT_IMPLEMENTED("lab2");
	*/
}

static void svm_free(struct svm_vcpu *s)
{
	if (s->vmcb_pa)
		page_free(s->vmcb_pa);
	if (s->iopm_pa)
		pages_free(s->iopm_pa, SVM_IOPM_PAGES);
	if (s->msrpm_pa)
		pages_free(s->msrpm_pa, SVM_MSRPM_PAGES);
	kfree(s);
}

/*
 * ASIDs tag the TLB entries of each guest (15.16): 0 is the host's, so
 * guests take 1 .. nasids-1 in turn. When they wrap, two vCPUs may share
 * one: the load hook then flushes the TLB whenever the vCPU changes.
 */
static uint32_t svm_next_asid;

static uint32_t svm_asid_alloc(void)
{
	uint32_t n = svm_caps.nasids > 1 ? svm_caps.nasids - 1 : 1;
	return 1 + __atomic_fetch_add(&svm_next_asid, 1, __ATOMIC_RELAXED) % n;
}

static int svm_vcpu_create(struct vcpu *v)
{
	struct svm_vcpu *s = kzalloc(sizeof(*s));
	if (!s)
		return -1;
	s->vmcb_pa = page_alloc();
	s->iopm_pa = pages_alloc(SVM_IOPM_PAGES);
	s->msrpm_pa = pages_alloc(SVM_MSRPM_PAGES);
	if (!s->vmcb_pa || !s->iopm_pa || !s->msrpm_pa) {
		kprintf("vcpu_create: out of memory for the VMCB and its permission maps\n");
		svm_free(s);
		return -1;
	}
	s->vmcb = (struct vmcb *)(uintptr_t)s->vmcb_pa;
	memset(s->vmcb, 0, sizeof(*s->vmcb));
	v->vendor = s;
	fill_maps(s);
	svm_setup_control(v, s, svm_asid_alloc());
	svm_setup_save(v, s);
	return 0;
}

static void svm_vcpu_destroy(struct vcpu *v);

/* The vCPU that last ran on each CPU, and its VMCB for svm_vmcb_dump_current. */
static struct vcpu *svm_loaded[MAX_CPUS];

struct vmcb *svm_current_vmcb(void)
{
	struct vcpu *v = svm_loaded[this_cpu()->index];
	return v ? svm_vmcb(v) : NULL;
}

/*
 * The load hook: VMLOAD/VMSAVE switch the MSRs VMX leaves to software
 * (KERNEL_GS_BASE, the SYSCALL MSRs), so only the TLB needs a thought: a
 * different vCPU on this CPU may share its ASID, so flush once.
 */
static void svm_vcpu_load(struct vcpu *v)
{
	struct vcpu **slot = &svm_loaded[v->cpu];
	if (*slot != v) {
		if (*slot)
			svm_vmcb(v)->control.tlb_control = SVM_TLB_FLUSH_ALL;
		*slot = v;
	}
}

static void svm_vcpu_destroy(struct vcpu *v)
{
	struct svm_vcpu *s = v->vendor;
	if (!s)
		return;
	if (svm_loaded[v->cpu] == v)
		svm_loaded[v->cpu] = NULL;
	svm_free(s);
	v->vendor = NULL;
}

#define CPUID_EXT_FEAT_EDX_LM (1u << 29)   /* CPUID 80000001h:EDX long mode */

/*
 * The software checker (svm_check.c) goes over the VMCB before its first
 * VMRUN and names each APM rule it breaks, before the CPU's terse
 * VMEXIT_INVALID. The VMRUN is attempted either way.
 */
static void svm_check_before_run(struct vcpu *v)
{
	struct svm_check_env env = {
		.phys_addr_bits = svm_caps.phys_bits ? svm_caps.phys_bits : 36,
		.nasids = svm_caps.nasids,
		.features = svm_caps.features,
		.long_mode = cpuid(0x80000001u, 0).edx & CPUID_EXT_FEAT_EDX_LM,
	};
	struct svm_check_report r;   /* about 2.5 KiB */
	if (!svm_check_vmcb(svm_vmcb(v), &env, &r))
		return;
	kprintf("svmcheck: the VMCB of guest %s breaks %u rule(s):\n", v->name, r.broken);
	for (unsigned i = 0; i < r.broken; i++) {
		char line[256];
		svm_check_format(&r.f[i], line, sizeof(line));
		kprintf("%s\n", line);
	}
}

/* Before a run: the watchdog counts TSC ticks from the first VMRUN on
 * (SVM has no preemption timer; the host's timer interrupt exits the
 * guest, and the INTR handler looks at the budget). */
static void svm_vcpu_run_start(struct vcpu *v)
{
	struct svm_vcpu *s = v->vendor;
	if (v->launched)
		return;
	s->watchdog = v->watchdog_budget != 0;
	s->watchdog_start = rdtsc();
	svm_check_before_run(v);
}

static uint64_t svm_read_rip(struct vcpu *v)
{
	return svm_vmcb(v)->save.rip;
}

static void svm_dump(struct vcpu *v)
{
	const struct vcpu_regs *r = &v->regs;
	const struct vmcb *vmcb = svm_vmcb(v);
	kprintf("  exit code %#lx (%s), EXITINFO1 %#lx, EXITINFO2 %#lx\n",
		vmcb->control.exit_code, svm_exit_code_name(vmcb->control.exit_code),
		vmcb->control.exit_info1, vmcb->control.exit_info2);
	kprintf("  RIP %016lx RSP %016lx RFLAGS %016lx\n", vmcb->save.rip, vmcb->save.rsp,
		vmcb->save.rflags);
	kprintf("  RAX %016lx RBX %016lx RCX %016lx\n", r->rax, r->rbx, r->rcx);
	kprintf("  RDX %016lx RSI %016lx RDI %016lx\n", r->rdx, r->rsi, r->rdi);
	kprintf("  RBP %016lx R8  %016lx R9  %016lx\n", r->rbp, r->r8, r->r9);
	kprintf("  R10 %016lx R11 %016lx R12 %016lx\n", r->r10, r->r11, r->r12);
	kprintf("  R13 %016lx R14 %016lx R15 %016lx\n", r->r13, r->r14, r->r15);
	kprintf("  CR0 %016lx CR3 %016lx CR4 %016lx EFER %lx\n", vmcb->save.cr0,
		vmcb->save.cr3, vmcb->save.cr4, vmcb->save.efer);
}

static void svm_intercept_exceptions(struct vcpu *v, uint32_t vectors)
{
	svm_vmcb(v)->control.intercept_exc = vectors;
}

const struct vcpu_ops svm_vcpu_ops = {
	.name = "svm",
	.cpu_enable = svm_cpu_enable,
	.create = svm_vcpu_create,
	.destroy = svm_vcpu_destroy,
	.load = svm_vcpu_load,
	.run_start = svm_vcpu_run_start,
	.run_once = svm_exit_run_once,
	.advance_rip = svm_advance_rip,
	.inject_exception = svm_inject_exception,
	.read_rip = svm_read_rip,
	.intercept_exceptions = svm_intercept_exceptions,
	.dump = svm_dump,
	.full_dump = svm_vmcb_dump_current,
	.exit_reason_name = svm_exit_reason_name,
	.exit_kind = svm_exit_kind,
	.hw_name = "SVM",
	.enable_all = svm_enable_all,
	.cpu_is_on = svm_cpu_is_on,
};
