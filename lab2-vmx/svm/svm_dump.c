/*
 * svm_dump.c - the VMCB, readable: printed when a guest dies, after an
 * unhandled exit or a VMEXIT_INVALID (the twin of vmx/vmcs_dump.c). The
 * VMCB is memory, so unlike the VMCS every field can be read at any time.
 * AMD64 APM Vol. 2, Appendix B.
 */
#include "printf.h"
#include "svm/svm.h"
#include "svm/svm_vcpu.h"

static void dump_seg(const char *name, const struct vmcb_seg *s)
{
	kprintf("  %-4s sel %04x attrib %03x limit %08x base %016lx\n", name, s->sel,
		s->attrib, s->limit, s->base);
}

/* One intercept word, as the names of its set bits. */
static void dump_bits(const char *what, uint32_t word, const char *const *names, unsigned n)
{
	char line[300];
	int len = ksnprintf(line, sizeof(line), "  %s %08x:", what, word);
	for (unsigned b = 0; b < n && len < (int)sizeof(line); b++)
		if ((word & (1u << b)) && names[b])
			len += ksnprintf(line + len, sizeof(line) - (size_t)len, " %s", names[b]);
	kprintf("%s\n", line);
}

static const char *const misc1_names[32] = {
	"INTR", "NMI", "SMI", "INIT", "VINTR", "CR0_SEL_WRITE", "IDTR_READ", "GDTR_READ",
	"LDTR_READ", "TR_READ", "IDTR_WRITE", "GDTR_WRITE", "LDTR_WRITE", "TR_WRITE",
	"RDTSC", "RDPMC", "PUSHF", "POPF", "CPUID", "RSM", "IRET", "INTn", "INVD", "PAUSE",
	"HLT", "INVLPG", "INVLPGA", "IOIO_PROT", "MSR_PROT", "TASK_SWITCH", "FERR_FREEZE",
	"SHUTDOWN",
};
static const char *const misc2_names[14] = {
	"VMRUN", "VMMCALL", "VMLOAD", "VMSAVE", "STGI", "CLGI", "SKINIT", "RDTSCP", "ICEBP",
	"WBINVD", "MONITOR", "MWAIT", "MWAIT_COND", "XSETBV",
};

void svm_vmcb_dump(const struct vmcb *vmcb)
{
	const struct vmcb_control *c = &vmcb->control;
	const struct vmcb_save *g = &vmcb->save;
	kprintf("VMCB at %p: control area\n", (const void *)vmcb);
	kprintf("  intercept CR reads %04x writes %04x, DR %08x, exceptions %08x\n",
		c->intercept_cr & 0xffff, c->intercept_cr >> 16, c->intercept_dr,
		c->intercept_exc);
	dump_bits("intercepts (vector 3)", c->intercept_misc1, misc1_names, 32);
	dump_bits("intercepts (vector 4)", c->intercept_misc2, misc2_names, 14);
	kprintf("  IOPM %#lx MSRPM %#lx TSC offset %#lx ASID %u TLB control %u\n",
		c->iopm_base_pa, c->msrpm_base_pa, c->tsc_offset, c->asid, c->tlb_control);
	kprintf("  V_INTR %#lx interrupt shadow %lu nested paging %s nCR3 %#lx\n", c->vintr,
		(unsigned long)(c->int_state & SVM_INT_STATE_SHADOW), c->np_control & SVM_NP_ENABLE ? "on" : "off",
		c->n_cr3);
	kprintf("  EXITCODE %#lx (%s) EXITINFO1 %#lx EXITINFO2 %#lx\n", c->exit_code,
		svm_exit_code_name(c->exit_code), c->exit_info1, c->exit_info2);
	kprintf("  EXITINTINFO %#lx EVENTINJ %#lx next RIP %#lx\n", c->exit_int_info,
		c->event_inj, c->next_rip);
	kprintf("VMCB state-save area\n");
	dump_seg("ES", &g->es);
	dump_seg("CS", &g->cs);
	dump_seg("SS", &g->ss);
	dump_seg("DS", &g->ds);
	dump_seg("FS", &g->fs);
	dump_seg("GS", &g->gs);
	dump_seg("GDTR", &g->gdtr);
	dump_seg("LDTR", &g->ldtr);
	dump_seg("IDTR", &g->idtr);
	dump_seg("TR", &g->tr);
	kprintf("  CPL %u EFER %#lx CR0 %#lx CR2 %#lx CR3 %#lx CR4 %#lx\n", g->cpl, g->efer,
		g->cr0, g->cr2, g->cr3, g->cr4);
	kprintf("  RIP %#lx RSP %#lx RAX %#lx RFLAGS %#lx DR6 %#lx DR7 %#lx\n", g->rip,
		g->rsp, g->rax, g->rflags, g->dr6, g->dr7);
	kprintf("  PAT %#lx STAR %#lx LSTAR %#lx KERNEL_GS_BASE %#lx\n", g->g_pat, g->star,
		g->lstar, g->kernel_gs_base);
}

void svm_vmcb_dump_current(void)
{
	const struct vmcb *vmcb = svm_current_vmcb();
	if (vmcb)
		svm_vmcb_dump(vmcb);
	else
		kprintf("svm: no VMCB has run on this CPU\n");
}
