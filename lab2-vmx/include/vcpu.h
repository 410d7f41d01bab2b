/*
 * vcpu.h - a virtual CPU, independent of the vendor that runs it.
 *
 * Generic code (the run loop in vcpu.c, the hypercall, CPUID, I/O-port and
 * MSR policies, and later labs' devices, scheduler and migration) sees only
 * struct vcpu and the hooks of struct vcpu_ops. The vendor backend (Intel
 * VMX here: vmx_vcpu.c, vmx_exit.c; an AMD SVM backend could sit beside it)
 * owns the hardware control structure behind v->vendor and is the only code
 * that touches VMCS fields.
 *
 * Life of a vCPU:
 *   v = vcpu_create(img);   memory, page tables, VMCS set up and current here
 *   rc = vcpu_run(v);       enter, handle exits, ... until the guest stops
 *   vcpu_destroy(v);        everything returned (pmm_free_count restored)
 * A vCPU is bound to the CPU that created it (its VMCS is active there):
 * run and destroy it on that CPU.
 */
#ifndef HVLAB_VCPU_H
#define HVLAB_VCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "guest_image.h"
#include "guest_mem.h"
#include "hypercall.h"

/*
 * The guest's general-purpose registers, saved and loaded by the entry
 * path (vmx_entry.S relies on this order: do not reorder). RSP, RIP and
 * RFLAGS live in the vendor's control structure (VMCS guest-state area).
 */
struct vcpu_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

/* Why a guest stopped. */
enum vcpu_stop {
	VCPU_STOP_NONE = 0,     /* still runnable */
	VCPU_STOP_YIELD,        /* its time slice ended (v->yield): it may run again */
	VCPU_STOP_EXIT,         /* HC_EXIT: exit_code holds its code */
	VCPU_STOP_HLT,          /* HLT with RFLAGS.IF clear: nothing could ever wake it */
	VCPU_STOP_KILLED,       /* the hypervisor stopped it: stop_why says why */
	VCPU_STOP_WATCHDOG,     /* it used up its watchdog budget (preemption timer) */
	VCPU_STOP_ENTRY_FAILED, /* VM entry failed (VMfail or exit reason bit 31) */
};

/* Negative results of vcpu_run(). */
#define VCPU_EKILLED   1   /* killed: unhandled exit, fatal exit, guest fault */
#define VCPU_EWATCHDOG 2   /* stopped by the watchdog */
#define VCPU_EENTRY    3   /* VM entry failed */
/* vcpu_run's result when a vCPU with v->yield set used up one time slice:
 * not an exit code (those are 0..255); vcpu_run again to go on. */
#define VCPU_YIELDED   256

/* Exit counters: indexed by the vendor's raw exit reason, a space that
 * holds both vendors' (VMX basic reasons 0..75, SVM exit codes 0..0x403). */
#define VCPU_EXIT_REASONS 0x404
/* Unclaimed I/O ports remembered for "logged once per port". */
#define VCPU_LOGGED_PORTS 16
#define VCPU_CONSOLE_LINE 128

/* Default watchdog budget in TSC ticks of guest time (Bochs: instructions). */
#define VCPU_WATCHDOG_DEFAULT (1ull << 30)

struct vcpu;
struct vm;

/*
 * What a later lab adds to a vCPU: lab 3's VMs give it guest-physical
 * memory behind EPT, so guest pointers are translated differently, and
 * own a few MSRs (EFER) lab 2's policy forbids. NULL in lab 2.
 */
#define VCPU_MSR_UNCLAIMED 1   /* a hook's "not mine: ask lab 2's policy" */
struct vcpu_ext_ops {
	/* The host pointer for the @len bytes at guest linear address @gla, or NULL. */
	void *(*guest_ptr)(struct vcpu *v, uint64_t gla, uint64_t len);
	/* 0 handled, -1 #GP(0), VCPU_MSR_UNCLAIMED: lab 2's policy decides. */
	int (*msr_read)(struct vcpu *v, uint32_t msr, uint64_t *val);
	int (*msr_write)(struct vcpu *v, uint32_t msr, uint64_t val);
	/* Lab 4's devices: port I/O of @size bytes; 0 handled, VCPU_MSR_UNCLAIMED: lab 2's policy. */
	int (*pio_in)(struct vcpu *v, uint16_t port, unsigned size, uint32_t *val);
	int (*pio_out)(struct vcpu *v, uint16_t port, unsigned size, uint32_t val);
	/* Just before each VM entry (after every exit's handler): deliver what is due. */
	void (*pre_entry)(struct vcpu *v);
	/* The TSC value by which the host must look again (a device timer), or ~0. */
	uint64_t (*next_event)(struct vcpu *v);
	/* Adjust what CPUID leaf @leaf returns to the guest (after lab 2's policy). */
	void (*cpuid)(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t r[4]);
};

/*
 * The vendor hooks. Generic code calls only these; each is documented
 * where VMX implements it (vmx_vcpu.c, vmx_exit.c).
 */
struct vcpu_ops {
	const char *name;                                   /* "vmx" */
	int (*cpu_enable)(void);                            /* this CPU can run guests: 0, or -1 said why */
	int (*create)(struct vcpu *v);                      /* control structure; 0 or -1 */
	void (*destroy)(struct vcpu *v);
	/* Make @v this CPU's current vCPU (VMX: VMPTRLD its VMCS, switch the
	 * MSRs no control switches) when another one ran here since. */
	void (*load)(struct vcpu *v);
	void (*run_start)(struct vcpu *v);                  /* before a run: arm the watchdog */
	/* Enter the guest once and handle the exit that ends it;
	 * the handler sets v->stop when the guest is to stop. */
	void (*run_once)(struct vcpu *v);
	void (*advance_rip)(struct vcpu *v);                /* past the exiting instruction */
	void (*inject_exception)(struct vcpu *v, unsigned vector, bool has_error, uint32_t error);
	uint64_t (*read_rip)(struct vcpu *v);
	/* Which guest exceptions exit to the hypervisor (bit n = vector n). */
	void (*intercept_exceptions)(struct vcpu *v, uint32_t vectors);
	void (*dump)(struct vcpu *v);                       /* registers and state, for deaths */
	void (*full_dump)(void);                            /* the whole control structure */
	const char *(*exit_reason_name)(unsigned reason);
	/* What raw exit reason @reason is, in the words both vendors share
	 * (hypercall.h, HC_EXIT_*): the counters and exit lines use these. */
	enum hc_exit_kind (*exit_kind)(unsigned reason);
	/* "VMX" or "SVM": what the banner and the demo call it. */
	const char *hw_name;
	/* Every online CPU can run guests: 0, or -1 after saying which could not. */
	int (*enable_all)(void);
	bool (*cpu_is_on)(int cpu);
};

/* The backends, in the order vcpu_backend() tries them; the CPU's CPUID
 * decides (cpu_enable refuses on a CPU without that vendor's extension). */
extern const struct vcpu_ops vmx_vcpu_ops;   /* Intel VMX: vmx/vmx_vcpu.c */
extern const struct vcpu_ops svm_vcpu_ops;   /* AMD SVM: svm/svm_vcpu.c */
/** The backend this CPU runs guests with, or NULL after saying why none can. */
const struct vcpu_ops *vcpu_backend(void);

struct vcpu {
	struct vcpu_regs regs;        /* first: the entry path reaches it from its argument */
	const struct vcpu_ops *ops;
	void *vendor;                 /* struct vmx_vcpu * for VMX */
	const struct guest_image *image;
	const char *name;             /* the image's name, for "[guest NAME] " lines */
	struct guest_mem mem;
	int cpu;                      /* index of the CPU that owns it */
	struct vm *vm;                /* lab 3: the VM it belongs to; NULL in lab 2 */
	const struct vcpu_ext_ops *ext;   /* lab 3's hooks (above); NULL in lab 2 */
	bool yield;                   /* vcpu_run returns VCPU_YIELDED after each time slice */
	/* The guest's MSRs that neither the VMCS nor VM entry/exit switch
	 * (KERNEL_GS_BASE, and the SYSCALL MSRs a lab-4 guest owns), kept here
	 * while another vCPU is loaded on its CPU (vmx_vcpu.c, the load hook). */
	uint64_t kernel_gs_base;
	uint64_t syscall_msrs[4];     /* STAR, LSTAR, CSTAR, SFMASK */
	bool launched;                /* VMLAUNCH done: next entry is VMRESUME */

	enum vcpu_stop stop;
	const char *stop_why;         /* names the cause (static text, or why_buf) */
	char why_buf[200];            /* vcpu_kill's formatted reason */
	long exit_code;               /* HC_EXIT's code (0..255) */

	uint64_t exit_counts[VCPU_EXIT_REASONS];   /* by basic reason; no total kept on the hot path */
	uint64_t watchdog_budget;     /* TSC ticks it may run; 0 = no watchdog */

	/* Device and policy state (hypercall.c, vcpu_io.c). */
	uint8_t scratch_port[4];      /* HC_PORT_SCRATCH bytes */
	uint64_t scratch_msr;         /* HC_MSR_SCRATCH */
	uint16_t logged_ports[VCPU_LOGGED_PORTS];
	unsigned nlogged_ports;
	char console_line[VCPU_CONSOLE_LINE];
	size_t console_len;
	bool quiet;                   /* tests: no "[guest NAME]" console lines */
};

/**
 * A vCPU for @img on this CPU: VMX turned on here if it was not, guest
 * memory allocated and the image copied in, page tables built, and the
 * control structure (VMCS) fully set up, valid, loaded (VMPTRLD) and not
 * launched. NULL on failure, after saying why (no VMX, out of memory, a
 * control the CPU does not allow, a VMWRITE that failed).
 */
struct vcpu *vcpu_create(const struct guest_image *img);
/**
 * A vCPU named @name with no memory of its own: the caller (lab 3's
 * vm_create) gives it memory and rewrites the guest state. The VMCS is set
 * up as for vcpu_create and left current. NULL after saying why.
 */
struct vcpu *vcpu_create_bare(const char *name);
/**
 * Run @v until its guest stops. Returns its exit code (HC_EXIT, 0..255;
 * 0 for a HLT with interrupts off) or a negative VCPU_E* (killed,
 * watchdog, entry failure). Prints the guest's last partial console line,
 * how it ended and its exit counts (unless v->quiet). Before the first
 * entry the VMX backend runs the software entry checker (vmx_check.h).
 */
int vcpu_run(struct vcpu *v);
/**
 * The host pointer for the @len bytes at guest address @gla (lab 2: a
 * guest-virtual address inside its memory; lab 3: a linear address,
 * translated through the guest's page tables and EPT), or NULL.
 */
static inline void *vcpu_guest_ptr(struct vcpu *v, uint64_t gla, uint64_t len)
{
	if (v->ext && v->ext->guest_ptr)
		return v->ext->guest_ptr(v, gla, len);
	return guest_mem_ptr(&v->mem, gla, len);
}
/** Free everything vcpu_create() took; pmm_free_count() is as before it. */
void vcpu_destroy(struct vcpu *v);

/** Stop @v: the run loop returns after the current exit. @why is static text. */
void vcpu_stop(struct vcpu *v, enum vcpu_stop how, const char *why);
/** Stop @v as killed: print the reason (printf-style) and its register dump. */
void vcpu_kill(struct vcpu *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Print the per-reason exit counts of @v (one line, reasons by name). */
void vcpu_print_exit_counts(const struct vcpu *v);
/**
 * Choose the guest exceptions that exit (bit n = vector n) instead of going
 * through the guest's IDT. The default is #DF only: a guest whose exception
 * cannot be delivered is reported at its double fault, before the triple
 * fault. @v must be current on this CPU (as vcpu_create leaves it).
 */
static inline void vcpu_intercept_exceptions(struct vcpu *v, uint32_t vectors)
{
	v->ops->intercept_exceptions(v, vectors);
}

/** VM exits of @v of kind @kind (HC_EXIT_*), whatever the vendor called them. */
uint64_t vcpu_exits_of_kind(const struct vcpu *v, unsigned kind);
/** "cpuid", "io", ...: the word for exit kind @kind. */
const char *vcpu_exit_kind_name(unsigned kind);

/** VM exits of @v so far, all reasons (the sum of exit_counts). */
static inline uint64_t vcpu_exits_total(const struct vcpu *v)
{
	uint64_t total = 0;
	for (unsigned r = 0; r < VCPU_EXIT_REASONS; r++)
		total += v->exit_counts[r];
	return total;
}
/** "exit 3", "halted", "killed: ...": what vcpu_run's result means. */
const char *vcpu_stop_name(enum vcpu_stop s);
/** Append @len bytes of guest console output; complete lines are printed. */
void vcpu_console_write(struct vcpu *v, const char *buf, size_t len);
/** Print what is left of the console line (at the guest's end). */
void vcpu_console_flush(struct vcpu *v);

#endif
