/*
 * vmx_vcpu.c - building a VMCS for a lab-2 guest: the control fields
 * computed from the capability MSRs, the host-state area from this CPU,
 * and the guest-state area of a 64-bit guest without EPT.
 *
 * Intel SDM Vol. 3C, chapter 24 "Virtual Machine Control Structures"
 * (24.2 the VMCS region, 24.4 guest-state area, 24.5 host-state area,
 * 24.6-24.8 controls) and chapter 26 "VM Entries" (26.2-26.3: what the
 * CPU checks on the values written here).
 */
#include "gdt.h"
#include "heap.h"
#include "panic.h"
#include "percpu.h"
#include "pmm.h"
#include "printf.h"
#include "string.h"
#include "trap.h"
#include "vcpu_policy.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_dump.h"
#include "vmx/vmx_check.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_vcpu.h"
#include "x86.h"

#define MSR_IA32_SYSENTER_CS   0x174
#define MSR_IA32_SYSENTER_ESP  0x175
#define MSR_IA32_SYSENTER_EIP  0x176
#define MSR_FS_BASE            0xc0000100
#define MSR_KERNEL_GS_BASE     0xc0000102

/* Guest segments (24.4.1, Table 24-2 access rights). */
#define GUEST_CODE_SEL   0x08
#define GUEST_DATA_SEL   0x10
#define AR_TYPE_CODE_XRA 0xb     /* execute/read, accessed */
#define AR_TYPE_DATA_RWA 0x3     /* read/write, accessed */
#define AR_TYPE_TSS_BUSY 0xb     /* 64-bit busy TSS */
#define GUEST_CODE_AR    (AR_TYPE_CODE_XRA | VMX_AR_S | VMX_AR_P | VMX_AR_L | VMX_AR_G)
#define GUEST_DATA_AR    (AR_TYPE_DATA_RWA | VMX_AR_S | VMX_AR_P | VMX_AR_DB | VMX_AR_G)
#define GUEST_TR_AR      (AR_TYPE_TSS_BUSY | VMX_AR_P)
#define GUEST_TSS_LIMIT  0x67    /* the smallest 64-bit TSS (Vol. 3A, 7.7) */
#define FLAT_LIMIT       0xffffffffu
#define DR7_INIT         0x400   /* DR7's value after reset (Vol. 3B, 17.2.4) */
#define VMCS_LINK_NONE   (~0ull) /* "no shadow VMCS": all ones (26.3.1.5) */
#define PREEMPT_VALUE_MAX 0xffffffffu
/* One time slice of guest execution between host looks, in TSC ticks:
 * about a host timer tick (10 ms) under Bochs at ips=10000000. */
#define VMX_SLICE_TICKS   (1ull << 17)
#define IO_BITMAP_PAGES  2
#define MSR_BITMAP_WRITE_OFFSET 2048   /* 24.6.9: read low, read high, write low, write high */
#define MSR_BITMAP_HIGH_OFFSET  1024
#define MSR_HIGH_BASE    0xc0000000u
#define MSR_RANGE_SIZE   0x2000u

/* Clear @msr's exit bit for reads or writes: that access then runs without an exit. */
static void msr_bitmap_pass(uint8_t *bm, uint32_t msr, bool write)
{
	unsigned off = write ? MSR_BITMAP_WRITE_OFFSET : 0;
	if (msr >= MSR_HIGH_BASE) {
		off += MSR_BITMAP_HIGH_OFFSET;
		msr -= MSR_HIGH_BASE;
	}
	if (msr >= MSR_RANGE_SIZE)
		return;   /* outside both ranges: always exits (24.6.9) */
	bm[off + msr / 8] &= (uint8_t)~(1u << (msr % 8));
}

void vmx_msr_passthrough(struct vcpu *v, uint32_t msr)
{
	struct vmx_vcpu *x = v->vendor;
	uint8_t *bm = (uint8_t *)(uintptr_t)x->msr_bitmap_pa;
	msr_bitmap_pass(bm, msr, false);
	msr_bitmap_pass(bm, msr, true);
}

/* All ports exit; every MSR exits except the ones the policy passes through. */
static void fill_bitmaps(struct vmx_vcpu *x)
{
	memset((void *)(uintptr_t)x->io_bitmap_pa, 0xff, IO_BITMAP_PAGES * PAGE_SIZE);
	uint8_t *bm = (uint8_t *)(uintptr_t)x->msr_bitmap_pa;
	memset(bm, 0xff, PAGE_SIZE);
	for (size_t i = 0; i < vcpu_msr_passthrough_count; i++)
		msr_bitmap_pass(bm, vcpu_msr_passthrough[i].msr, vcpu_msr_passthrough[i].write);
}

/*
 * Choose every control from what this CPU allows (vmx_ctl_compute): what
 * lab 2 needs is "wanted" (an error if refused), the rest "optional".
 *  - pin-based: external-interrupt exiting, so the host's timer interrupt
 *    exits the guest (25.2 "Other Causes of VM Exits"); the preemption
 *    timer as a watchdog (25.5.1 "VMX-Preemption Timer");
 *  - primary: HLT exiting, I/O bitmaps, MSR bitmaps; secondary controls
 *    only for RDTSCP (without it, RDTSCP raises #UD in the guest, 25.3);
 *  - exit: 64-bit host, acknowledge interrupt on exit (27.2.2 "Information for VM Exits Due to Vectored Events": the vector
 *    comes in the exit information, the host handles it), EFER switching;
 *  - entry: IA-32e mode guest (26.2.1.3 "VM-Entry Control Fields"), load EFER.
 */
int vmx_compute_controls(struct vmx_vcpu *x, bool watchdog)
{
	/* BEGIN SOLUTION lab2 */
	int err = 0;
	uint32_t pin_opt = watchdog ? VMX_PIN_PREEMPTION_TIMER : 0;
	err |= vmx_ctl_compute(VMX_CTL_PIN, VMX_PIN_EXT_INTR_EXITING, pin_opt, &x->pin);
	err |= vmx_ctl_compute(VMX_CTL_PROC, VMX_PROC_HLT_EXITING | VMX_PROC_USE_IO_BITMAPS |
			       VMX_PROC_USE_MSR_BITMAPS, VMX_PROC_SECONDARY_CTLS, &x->proc);
	err |= vmx_ctl_compute(VMX_CTL_EXIT, VMX_EXIT_HOST_ADDR_SPACE_SIZE |
			       VMX_EXIT_ACK_INTR_ON_EXIT, VMX_EXIT_LOAD_EFER | VMX_EXIT_SAVE_EFER |
			       VMX_EXIT_SAVE_PREEMPT_TIMER, &x->exit);
	err |= vmx_ctl_compute(VMX_CTL_ENTRY, VMX_ENTRY_IA32E_MODE_GUEST, VMX_ENTRY_LOAD_EFER,
			       &x->entry);
	if (err)
		return -1;
	x->proc2 = 0;
	if (x->proc & VMX_PROC_SECONDARY_CTLS) {
		if (vmx_ctl_compute(VMX_CTL_PROC2, 0, VMX_PROC2_ENABLE_RDTSCP, &x->proc2))
			return -1;
		/* Nothing wanted from the secondary controls: leave them off. */
		if (!x->proc2 && !(vmx_caps.ctl[VMX_CTL_PROC].must1 & VMX_PROC_SECONDARY_CTLS))
			x->proc &= ~VMX_PROC_SECONDARY_CTLS;
	}
	/* EFER is switched only both ways or not at all. */
	if (!(x->entry & VMX_ENTRY_LOAD_EFER) || !(x->exit & VMX_EXIT_LOAD_EFER)) {
		x->entry &= ~(VMX_ENTRY_LOAD_EFER & ~vmx_caps.ctl[VMX_CTL_ENTRY].must1);
		x->exit &= ~((VMX_EXIT_LOAD_EFER | VMX_EXIT_SAVE_EFER) &
			     ~vmx_caps.ctl[VMX_CTL_EXIT].must1);
	}
	x->watchdog = x->pin & VMX_PIN_PREEMPTION_TIMER;
	x->watchdog_saved = x->watchdog && (x->exit & VMX_EXIT_SAVE_PREEMPT_TIMER);
	return 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)x;
	(void)watchdog;
	NOT_IMPLEMENTED("lab2");
	*/
}

/*
 * Write the controls vmx_compute_controls() chose, and the rest of the
 * VM-execution control fields: exception bitmap, I/O and MSR bitmaps, the
 * (empty) MSR lists, no event to inject, and the CR0/CR4 guest/host masks.
 */
static int vmx_setup_controls(struct vcpu *v, struct vmx_vcpu *x)
{
	/* BEGIN SOLUTION lab2 */
	if (vmx_compute_controls(x, v->watchdog_budget != 0))
		return -1;
	int err = 0;
	err |= vmcs_write32(VMCS_PIN_BASED_VM_EXEC_CONTROL, x->pin);
	err |= vmcs_write32(VMCS_CPU_BASED_VM_EXEC_CONTROL, x->proc);
	if (x->proc & VMX_PROC_SECONDARY_CTLS)
		err |= vmcs_write32(VMCS_SECONDARY_VM_EXEC_CONTROL, x->proc2);
	err |= vmcs_write32(VMCS_VM_EXIT_CONTROLS, x->exit);
	err |= vmcs_write32(VMCS_VM_ENTRY_CONTROLS, x->entry);

	/* Exceptions that exit (24.6.3 "Exception Bitmap"): a guest #DF means its IDT or stack is
	 * broken; the hypervisor reports it rather than wait for the triple fault. */
	err |= vmcs_write32(VMCS_EXCEPTION_BITMAP, 1u << T_DF);
	err |= vmcs_write32(VMCS_PAGE_FAULT_ERROR_CODE_MASK, 0);
	err |= vmcs_write32(VMCS_PAGE_FAULT_ERROR_CODE_MATCH, 0);
	err |= vmcs_write32(VMCS_CR3_TARGET_COUNT, 0);
	err |= vmcs_write64(VMCS_IO_BITMAP_A, x->io_bitmap_pa);
	err |= vmcs_write64(VMCS_IO_BITMAP_B, x->io_bitmap_pa + PAGE_SIZE);
	err |= vmcs_write64(VMCS_MSR_BITMAP, x->msr_bitmap_pa);
	err |= vmcs_write32(VMCS_VM_EXIT_MSR_STORE_COUNT, 0);
	err |= vmcs_write32(VMCS_VM_EXIT_MSR_LOAD_COUNT, 0);
	err |= vmcs_write32(VMCS_VM_ENTRY_MSR_LOAD_COUNT, 0);
	err |= vmcs_write32(VMCS_VM_ENTRY_INTR_INFO_FIELD, 0);

	/* CR0/CR4 bits whose value VMX fixes (23.8 "Restrictions on VMX
	 * Operation") belong to the host: the
	 * guest reads them from the shadows and writing them exits (24.6.6 "Guest/Host Masks and Read Shadows
	 * for CR0 and CR4"). */
	x->cr0_mask = vmx_caps.cr0_fixed0 | ~vmx_caps.cr0_fixed1;
	x->cr4_mask = vmx_caps.cr4_fixed0 | ~vmx_caps.cr4_fixed1 | X86_CR4_VMXE;
	err |= vmcs_writenat(VMCS_CR0_GUEST_HOST_MASK, x->cr0_mask);
	err |= vmcs_writenat(VMCS_CR4_GUEST_HOST_MASK, x->cr4_mask);
	return err ? -1 : 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	(void)x;
	NOT_IMPLEMENTED("lab2");
	*/
}

/*
 * The host-state area (24.5 "Host-State Area") is what a VM exit loads
 * (27.5 "Loading Host State"): this CPU's
 * own control registers, segment selectors, GDT/IDT/TSS bases, FS/GS
 * bases (GS holds the per-CPU pointer), SYSENTER MSRs and EFER. HOST_RSP
 * is written by vmx_run on each entry; HOST_RIP is its exit label.
 * Checks: 26.2.2 "Checks on Host Control Registers and MSRs" and 26.2.3
 * "Checks on Host Segment and Descriptor-Table Registers" (selectors with RPL and TI 0, TR not 0,
 * canonical bases, "host address-space size" = 1 for a 64-bit host).
 */
static int vmx_setup_host_state(struct vcpu *v, struct vmx_vcpu *x)
{
	/* BEGIN SOLUTION lab2 */
	struct desc_ptr gdtr, idtr;
	int err = 0;
	sgdt(&gdtr);
	sidt(&idtr);
	err |= vmcs_writenat(VMCS_HOST_CR0, read_cr0());
	err |= vmcs_writenat(VMCS_HOST_CR3, read_cr3());
	err |= vmcs_writenat(VMCS_HOST_CR4, read_cr4());
	err |= vmcs_write16(VMCS_HOST_CS_SELECTOR, GDT_KCODE_SEL);
	err |= vmcs_write16(VMCS_HOST_SS_SELECTOR, GDT_KDATA_SEL);
	err |= vmcs_write16(VMCS_HOST_DS_SELECTOR, GDT_KDATA_SEL);
	err |= vmcs_write16(VMCS_HOST_ES_SELECTOR, GDT_KDATA_SEL);
	err |= vmcs_write16(VMCS_HOST_FS_SELECTOR, 0);
	err |= vmcs_write16(VMCS_HOST_GS_SELECTOR, 0);
	err |= vmcs_write16(VMCS_HOST_TR_SELECTOR, read_tr());
	err |= vmcs_writenat(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	err |= vmcs_writenat(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	err |= vmcs_writenat(VMCS_HOST_TR_BASE, (uint64_t)gdt_tss(v->cpu));
	err |= vmcs_writenat(VMCS_HOST_GDTR_BASE, gdtr.base);
	err |= vmcs_writenat(VMCS_HOST_IDTR_BASE, idtr.base);
	err |= vmcs_write32(VMCS_HOST_IA32_SYSENTER_CS, (uint32_t)rdmsr(MSR_IA32_SYSENTER_CS));
	err |= vmcs_writenat(VMCS_HOST_IA32_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP));
	err |= vmcs_writenat(VMCS_HOST_IA32_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP));
	if (x->exit & VMX_EXIT_LOAD_EFER)
		err |= vmcs_write64(VMCS_HOST_IA32_EFER, rdmsr(MSR_EFER));
	err |= vmcs_writenat(VMCS_HOST_RIP, (uint64_t)vmx_exit_entry);
	return err ? -1 : 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	(void)x;
	NOT_IMPLEMENTED("lab2");
	*/
}

/* One segment of the guest-state area (24.4.1 "Guest Register State"). */
static int guest_segment(enum vmcs_field sel, uint16_t s, uint64_t base, uint32_t limit,
			 uint32_t ar)
{
	/* The selector, base, limit and access-rights encodings of one segment
	 * are 0x0800+2n, 0x6806+2n, 0x4800+2n and 0x4814+2n (Appendix B). */
	unsigned n = (sel - VMCS_GUEST_ES_SELECTOR) / 2;
	int err = 0;
	err |= vmcs_write16(sel, s);
	err |= vmcs_writenat((enum vmcs_field)(VMCS_GUEST_ES_BASE + 2 * n), base);
	err |= vmcs_write32((enum vmcs_field)(VMCS_GUEST_ES_LIMIT + 2 * n), limit);
	err |= vmcs_write32((enum vmcs_field)(VMCS_GUEST_ES_AR_BYTES + 2 * n), ar);
	return err;
}

/*
 * The guest-state area (24.4 "Guest-State Area") of a guest that starts in 64-bit mode at
 * GUEST_BASE (see guest_image.h for what the guest may rely on). VM entry
 * checks all of it (26.3.1 "Checks on the Guest State Area"): CR0/CR4 with the VMX fixed bits (the read
 * shadows show the guest its own view: no VMXE), CS with L = 1 and D = 0,
 * TR a busy TSS, LDTR unusable, RFLAGS bit 1 set, the link pointer all ones.
 */
static int vmx_setup_guest_state(struct vcpu *v, struct vmx_vcpu *x)
{
	/* BEGIN SOLUTION lab2 */
	uint64_t cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	uint64_t cr4 = X86_CR4_PAE;
	uint64_t efer = X86_EFER_LME | X86_EFER_LMA | (rdmsr(MSR_EFER) & (X86_EFER_NXE | X86_EFER_SCE));
	int err = 0;

	err |= vmcs_writenat(VMCS_GUEST_CR0, (cr0 | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1);
	err |= vmcs_writenat(VMCS_CR0_READ_SHADOW, cr0);
	err |= vmcs_writenat(VMCS_GUEST_CR3, v->mem.pt.root);
	err |= vmcs_writenat(VMCS_GUEST_CR4, (cr4 | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1);
	err |= vmcs_writenat(VMCS_CR4_READ_SHADOW, cr4);
	err |= vmcs_writenat(VMCS_GUEST_DR7, DR7_INIT);
	if (x->entry & VMX_ENTRY_LOAD_EFER)
		err |= vmcs_write64(VMCS_GUEST_IA32_EFER, efer);

	err |= guest_segment(VMCS_GUEST_CS_SELECTOR, GUEST_CODE_SEL, 0, FLAT_LIMIT, GUEST_CODE_AR);
	err |= guest_segment(VMCS_GUEST_SS_SELECTOR, GUEST_DATA_SEL, 0, FLAT_LIMIT, GUEST_DATA_AR);
	err |= guest_segment(VMCS_GUEST_DS_SELECTOR, GUEST_DATA_SEL, 0, FLAT_LIMIT, GUEST_DATA_AR);
	err |= guest_segment(VMCS_GUEST_ES_SELECTOR, GUEST_DATA_SEL, 0, FLAT_LIMIT, GUEST_DATA_AR);
	err |= guest_segment(VMCS_GUEST_FS_SELECTOR, GUEST_DATA_SEL, 0, FLAT_LIMIT, GUEST_DATA_AR);
	err |= guest_segment(VMCS_GUEST_GS_SELECTOR, GUEST_DATA_SEL, 0, FLAT_LIMIT, GUEST_DATA_AR);
	err |= guest_segment(VMCS_GUEST_LDTR_SELECTOR, 0, 0, 0, VMX_AR_UNUSABLE);
	err |= guest_segment(VMCS_GUEST_TR_SELECTOR, 0, 0, GUEST_TSS_LIMIT, GUEST_TR_AR);
	err |= vmcs_writenat(VMCS_GUEST_GDTR_BASE, 0);
	err |= vmcs_write32(VMCS_GUEST_GDTR_LIMIT, 0);
	err |= vmcs_writenat(VMCS_GUEST_IDTR_BASE, 0);
	err |= vmcs_write32(VMCS_GUEST_IDTR_LIMIT, 0);

	err |= vmcs_writenat(VMCS_GUEST_RIP, v->mem.base);
	err |= vmcs_writenat(VMCS_GUEST_RSP, v->mem.base + v->mem.size);
	err |= vmcs_writenat(VMCS_GUEST_RFLAGS, X86_RFLAGS_FIXED);
	err |= vmcs_write64(VMCS_GUEST_IA32_DEBUGCTL, 0);
	err |= vmcs_write32(VMCS_GUEST_SYSENTER_CS, 0);
	err |= vmcs_writenat(VMCS_GUEST_SYSENTER_ESP, 0);
	err |= vmcs_writenat(VMCS_GUEST_SYSENTER_EIP, 0);
	err |= vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY_INFO, 0);
	err |= vmcs_write32(VMCS_GUEST_ACTIVITY_STATE, VMX_ACTIVITY_ACTIVE);
	err |= vmcs_writenat(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	err |= vmcs_write64(VMCS_VMCS_LINK_POINTER, VMCS_LINK_NONE);
	return err ? -1 : 0;
	/* END SOLUTION */
	/* STUB lab2
	(void)v;
	(void)x;
	(void)guest_segment;
	NOT_IMPLEMENTED("lab2");
	*/
}

static void vmx_arm_watchdog(struct vcpu *v);

static void vmx_free(struct vmx_vcpu *x)
{
	if (x->vmcs_pa)
		page_free(x->vmcs_pa);
	if (x->io_bitmap_pa)
		pages_free(x->io_bitmap_pa, IO_BITMAP_PAGES);
	if (x->msr_bitmap_pa)
		page_free(x->msr_bitmap_pa);
	kfree(x);
}

/*
 * The create hook: a VMCS region (24.2 "Format of the VMCS Region":
 * revision identifier in its first word), VMCLEAR then VMPTRLD to make it
 * current and clear (24.1 "Overview"), the
 * bitmaps, then the three areas.
 */
static int vmx_vcpu_create(struct vcpu *v)
{
	struct vmx_vcpu *x = kzalloc(sizeof(*x));
	if (!x)
		return -1;
	x->vmcs_pa = page_alloc();
	x->io_bitmap_pa = pages_alloc(IO_BITMAP_PAGES);
	x->msr_bitmap_pa = page_alloc();
	if (!x->vmcs_pa || !x->io_bitmap_pa || !x->msr_bitmap_pa) {
		kprintf("vcpu_create: out of memory for the VMCS and its bitmaps\n");
		vmx_free(x);
		return -1;
	}
	*(volatile uint32_t *)(uintptr_t)x->vmcs_pa = vmx_caps.revision;
	enum vmx_status st = vmclear(x->vmcs_pa);
	if (st == VMX_OK)
		st = vmptrld(x->vmcs_pa);
	if (st != VMX_OK) {
		kprintf("vcpu_create: VMCLEAR/VMPTRLD of the new VMCS failed: %s%s%s\n",
			vmx_status_name(st), st == VMX_FAIL_VALID ? ", " : "",
			st == VMX_FAIL_VALID ? vmx_insn_error_name(vmcs_insn_error()) : "");
		vmx_free(x);
		return -1;
	}
	v->vendor = x;
	fill_bitmaps(x);
	if (vmx_setup_controls(v, x) || vmx_setup_host_state(v, x) ||
	    vmx_setup_guest_state(v, x)) {
		kprintf("vcpu_create: the VMCS for guest %s could not be set up\n", v->name);
		vmclear(x->vmcs_pa);
		vmx_free(x);
		v->vendor = NULL;
		return -1;
	}
	vmx_arm_watchdog(v);   /* the default budget, for vmx_try_launch */
	return 0;
}

/*
 * The vCPU whose VMCS and KERNEL_GS_BASE are loaded on each CPU (the
 * load hook). VMPTRLD makes a VMCS current (24.1 "Overview"); each
 * vCPU's VMCS stays active on its CPU, so switching needs no VMCLEAR.
 * IA32_KERNEL_GS_BASE and the SYSCALL MSRs are neither in the VMCS nor
 * switched by VM entry or exit: with several guests on one CPU they are
 * saved and loaded here.
 */
static struct vcpu *vmx_loaded[MAX_CPUS];

/* STAR, LSTAR, CSTAR, SFMASK (Vol. 3A, 5.8.8 "Fast System Calls in 64-Bit
 * Mode"), present on every 64-bit CPU: the host never uses them; a guest
 * that owns them (lab 4's Linux) needs its own values live while it runs. */
#define GUEST_SYSCALL_MSRS 4
static const uint32_t guest_syscall_msrs[GUEST_SYSCALL_MSRS] = {
	0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
};

static void vmx_vcpu_load(struct vcpu *v)
{
	struct vmx_vcpu *x = v->vendor;
	struct vcpu **slot = &vmx_loaded[v->cpu];
	if (*slot != v) {
		if (*slot) {
			(*slot)->kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE);
			for (unsigned i = 0; i < GUEST_SYSCALL_MSRS; i++)
				(*slot)->syscall_msrs[i] = rdmsr(guest_syscall_msrs[i]);
		}
		wrmsr(MSR_KERNEL_GS_BASE, v->kernel_gs_base);
		for (unsigned i = 0; i < GUEST_SYSCALL_MSRS; i++)
			wrmsr(guest_syscall_msrs[i], v->syscall_msrs[i]);
		*slot = v;
	}
	if (vmptrst() != x->vmcs_pa)
		vmptrld(x->vmcs_pa);
}

static void vmx_vcpu_destroy(struct vcpu *v)
{
	struct vmx_vcpu *x = v->vendor;
	if (!x)
		return;
	if (vmx_loaded[v->cpu] == v)
		vmx_loaded[v->cpu] = NULL;
	/* VMCLEAR: no longer current or active on this CPU (24.1 "Overview"). */
	vmclear(x->vmcs_pa);
	vmx_free(x);
	v->vendor = NULL;
}

/*
 * The watchdog and the time slice (25.5.1 "VMX-Preemption Timer"): the
 * timer counts down once every 2^rate TSC ticks while the guest runs and
 * exits when it reaches 0. hvlab arms it for one slice at a time, never
 * more than the budget left: each expiry gives the host its CPU back
 * (vmx_watchdog_expired), which takes the interrupts that are pending,
 * then the guest goes on with the next slice until the budget is spent.
 * The slice is what keeps the host's timer ticking when no external-
 * interrupt exit comes: Bochs 2.7 gives none while the guest runs with
 * RFLAGS.IF = 0 (the SDM says external-interrupt exiting ignores IF).
 * With "save VMX-preemption timer value" the count left survives other
 * exits; without it each entry reloads the slice, which only makes the
 * budget count slices instead of ticks.
 */
static void vmx_arm_slice(struct vcpu *v)
{
	struct vmx_vcpu *x = v->vendor;
	uint64_t ticks = x->budget_left < VMX_SLICE_TICKS ? x->budget_left : VMX_SLICE_TICKS;
	/* A device timer due sooner (lab 4) cuts the slice short. */
	uint64_t due = v->ext && v->ext->next_event ? v->ext->next_event(v) : ~0ull, now = rdtsc();
	if (due != ~0ull)
		ticks = due <= now ? 1 : due - now < ticks ? due - now : ticks;
	uint64_t value = ticks >> vmx_caps.preempt_rate;
	if (value > PREEMPT_VALUE_MAX)
		value = PREEMPT_VALUE_MAX;
	x->slice_armed = ticks;
	vmcs_write32(VMCS_VMX_PREEMPTION_TIMER_VALUE, (uint32_t)(value ? value : 1));
}

static void vmx_arm_watchdog(struct vcpu *v)
{
	struct vmx_vcpu *x = v->vendor;
	if (!x->watchdog)
		return;
	x->budget_left = v->watchdog_budget;
	vmx_arm_slice(v);
}

bool vmx_watchdog_expired(struct vcpu *v)
{
	struct vmx_vcpu *x = v->vendor;
	x->budget_left -= x->slice_armed < x->budget_left ? x->slice_armed : x->budget_left;
	if (x->budget_left == 0)
		return true;
	vmx_arm_slice(v);
	irq_window();   /* the host's pending interrupts (its timer) run now */
	if (v->yield)
		vcpu_stop(v, VCPU_STOP_YIELD, "time slice over");
	return false;
}

void vmx_slice_rearm(struct vcpu *v)
{
	struct vmx_vcpu *x = v->vendor;
	if (!x->watchdog)
		return;
	/* Charge what ran of the current slice, then arm the next one. */
	uint64_t left = x->watchdog_saved ?
		(uint64_t)vmcs_read32(VMCS_VMX_PREEMPTION_TIMER_VALUE) << vmx_caps.preempt_rate : 0;
	uint64_t ran = x->slice_armed > left ? x->slice_armed - left : 0;
	x->budget_left -= ran < x->budget_left ? ran : x->budget_left - 1;
	vmx_arm_slice(v);
}

/*
 * Before the first run: arm the watchdog (its budget then spans every
 * later vcpu_run of a vCPU that yields), and let the
 * software checker (vmx_check.c) go over the VMCS: a broken rule is named
 * by section and field before the CPU's terser verdict ("boot with
 * vmcheck=off to skip it"). The entry is attempted either way.
 */
static void vmx_vcpu_run_start(struct vcpu *v)
{
	if (v->launched)
		return;
	vmx_arm_watchdog(v);
	if (vmx_check_enabled())
		vmx_check_current(true);
}

static uint64_t vmx_read_rip(struct vcpu *v)
{
	(void)v;
	return vmcs_readnat(VMCS_GUEST_RIP);
}

/* The register dump printed when a guest dies. */
static void vmx_dump(struct vcpu *v)
{
	const struct vcpu_regs *r = &v->regs;
	uint32_t reason = vmcs_read32(VMCS_VM_EXIT_REASON);
	kprintf("  exit reason %u (%s%s), qualification %#lx\n", reason & 0xffff,
		vmx_exit_reason_name(reason), reason & VMX_EXIT_REASON_FAILED_ENTRY ?
		", VM-entry failure" : "", vmcs_readnat(VMCS_EXIT_QUALIFICATION));
	kprintf("  RIP %016lx RSP %016lx RFLAGS %016lx\n", vmcs_readnat(VMCS_GUEST_RIP),
		vmcs_readnat(VMCS_GUEST_RSP), vmcs_readnat(VMCS_GUEST_RFLAGS));
	kprintf("  RAX %016lx RBX %016lx RCX %016lx\n", r->rax, r->rbx, r->rcx);
	kprintf("  RDX %016lx RSI %016lx RDI %016lx\n", r->rdx, r->rsi, r->rdi);
	kprintf("  RBP %016lx R8  %016lx R9  %016lx\n", r->rbp, r->r8, r->r9);
	kprintf("  R10 %016lx R11 %016lx R12 %016lx\n", r->r10, r->r11, r->r12);
	kprintf("  R13 %016lx R14 %016lx R15 %016lx\n", r->r13, r->r14, r->r15);
	/* What MOV from CR0/CR4 gives the guest: host-owned bits (the mask) from
	 * the read shadow, the others from the real register (25.3). */
	uint64_t cr0 = vmcs_readnat(VMCS_GUEST_CR0), cr4 = vmcs_readnat(VMCS_GUEST_CR4);
	uint64_t m0 = vmcs_readnat(VMCS_CR0_GUEST_HOST_MASK), m4 = vmcs_readnat(VMCS_CR4_GUEST_HOST_MASK);
	kprintf("  CR0 %016lx CR3 %016lx CR4 %016lx (guest sees CR0 %lx CR4 %lx)\n",
		cr0, vmcs_readnat(VMCS_GUEST_CR3), cr4,
		(cr0 & ~m0) | (vmcs_readnat(VMCS_CR0_READ_SHADOW) & m0),
		(cr4 & ~m4) | (vmcs_readnat(VMCS_CR4_READ_SHADOW) & m4));
}

/* The intercept_exceptions hook: the exception bitmap (24.6.3). */
static void vmx_intercept_exceptions(struct vcpu *v, uint32_t vectors)
{
	(void)v;
	vmcs_write32(VMCS_EXCEPTION_BITMAP, vectors);
}

const struct vcpu_ops vmx_vcpu_ops = {
	.name = "vmx",
	.cpu_enable = vmx_cpu_enable,
	.create = vmx_vcpu_create,
	.destroy = vmx_vcpu_destroy,
	.load = vmx_vcpu_load,
	.run_start = vmx_vcpu_run_start,
	.run_once = vmx_exit_run_once,
	.advance_rip = vmx_advance_rip,
	.inject_exception = vmx_inject_exception,
	.read_rip = vmx_read_rip,
	.intercept_exceptions = vmx_intercept_exceptions,
	.dump = vmx_dump,
	.full_dump = vmcs_dump,
	.exit_reason_name = vmx_exit_reason_name,
	.exit_kind = vmx_exit_kind,
	.hw_name = "VMX",
	.enable_all = vmx_enable_all,
	.cpu_is_on = vmx_cpu_is_on,
};
