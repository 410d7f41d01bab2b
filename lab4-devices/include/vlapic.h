/*
 * vlapic.h - a model of one CPU's local APIC (Intel SDM Vol. 3A, chapter 10
 * "Advanced Programmable Interrupt Controller (APIC)", 2016-2022 numbering):
 * the xAPIC register page at 0xFEE00000 and the x2APIC MSRs 0x800-0x8FF,
 * interrupt priorities (IRR, ISR, TMR, TPR, PPR), EOI, IPIs through the ICR,
 * the local vector table and the timer (one-shot, periodic, TSC-deadline).
 *
 * Pure logic: no VMX, no locks, no clock of its own. Every call that can
 * make time pass takes the guest's time: @now_ns (guest nanoseconds, never
 * going backwards) and, where TSC-deadline mode needs it, @tsc (the guest's
 * TSC at that same instant). The model reaches the rest of the machine only
 * through struct vlapic_ops. One struct vlapic per vCPU; the caller serialises
 * calls on one vlapic (the vCPU's own thread, or a lock around them).
 *
 * How the vCPU uses it (the interrupt path of lab 4):
 *   - devices and IPIs put vectors in with vlapic_accept(); ops->kick says
 *     "look again";
 *   - before each VM entry: vlapic_update(), then vlapic_pending(); when the
 *     guest can take it (RFLAGS.IF, no interrupt shadow), inject that vector
 *     and call vlapic_ack(); the guest's EOI write then ends it;
 *   - to block in HLT: sleep until vlapic_next_event() or a kick.
 */
#ifndef HVLAB_VLAPIC_H
#define HVLAB_VLAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define VLAPIC_DEFAULT_BASE   0xFEE00000u
#define VLAPIC_MMIO_SIZE      0x1000u

/* xAPIC register offsets (SDM Table 10-1); x2APIC MSR = 0x800 + offset / 16. */
#define VLAPIC_ID        0x020
#define VLAPIC_VERSION   0x030
#define VLAPIC_TPR       0x080
#define VLAPIC_APR       0x090
#define VLAPIC_PPR       0x0A0
#define VLAPIC_EOI       0x0B0
#define VLAPIC_RRD       0x0C0   /* remote read: not supported (reads 0) */
#define VLAPIC_LDR       0x0D0
#define VLAPIC_DFR       0x0E0
#define VLAPIC_SVR       0x0F0
#define VLAPIC_ISR       0x100   /* 8 registers, 0x10 apart: vectors 32*i .. 32*i+31 */
#define VLAPIC_TMR       0x180
#define VLAPIC_IRR       0x200
#define VLAPIC_ESR       0x280
#define VLAPIC_LVT_CMCI  0x2F0   /* absent here: max LVT is 5 */
#define VLAPIC_ICR_LO    0x300
#define VLAPIC_ICR_HI    0x310
#define VLAPIC_LVT_TIMER 0x320
#define VLAPIC_LVT_THERM 0x330
#define VLAPIC_LVT_PERF  0x340
#define VLAPIC_LVT_LINT0 0x350
#define VLAPIC_LVT_LINT1 0x360
#define VLAPIC_LVT_ERROR 0x370
#define VLAPIC_TIMER_ICR 0x380   /* initial count */
#define VLAPIC_TIMER_CCR 0x390   /* current count (read-only) */
#define VLAPIC_TIMER_DCR 0x3E0   /* divide configuration */
#define VLAPIC_SELF_IPI  0x3F0   /* x2APIC only (MSR 0x83F) */

/* MSRs (SDM Vol. 4, and 10.4.4, 10.5.4.1, 10.12.1.2). */
#define VLAPIC_MSR_APIC_BASE    0x1B
#define VLAPIC_MSR_TSC_DEADLINE 0x6E0
#define VLAPIC_MSR_X2APIC_FIRST      0x800
#define VLAPIC_MSR_X2APIC_LAST       0x8FF
#define VLAPIC_MSR_X2APIC_ICR        0x830   /* the whole 64-bit ICR */

/* IA32_APIC_BASE bits (SDM Figure 10-5 and 10.12.1). */
#define VLAPIC_BASE_BSP   (1ull << 8)
#define VLAPIC_BASE_EXTD  (1ull << 10)   /* x2APIC mode */
#define VLAPIC_BASE_EN    (1ull << 11)   /* APIC global enable */

/* Version register: version 0x14 (integrated APIC), max LVT entry 5 (SDM 10.4.8). */
#define VLAPIC_VERSION_VALUE 0x00050014u

/* Spurious-interrupt vector register (SDM Figure 10-23). */
#define VLAPIC_SVR_ENABLE     (1u << 8)   /* APIC software enable */
#define VLAPIC_SVR_FOCUS_OFF  (1u << 9)   /* focus processor checking off: stored only */

/* LVT and ICR fields (SDM Figures 10-8 and 10-12). */
#define VLAPIC_VECTOR_MASK     0xFFu
#define VLAPIC_DM_SHIFT        8          /* delivery mode, bits 10:8 */
#define VLAPIC_DM_FIXED        0
#define VLAPIC_DM_LOWEST       1
#define VLAPIC_DM_SMI          2
#define VLAPIC_DM_NMI          4
#define VLAPIC_DM_INIT         5
#define VLAPIC_DM_SIPI         6
#define VLAPIC_DM_EXTINT       7
#define VLAPIC_DEST_LOGICAL    (1u << 11)
#define VLAPIC_DELIVS          (1u << 12)  /* delivery status: always reads idle here */
#define VLAPIC_LEVEL_ASSERT    (1u << 14)  /* ICR: level assert (0: INIT de-assert) */
#define VLAPIC_TRIGGER_LEVEL   (1u << 15)
#define VLAPIC_LVT_MASKED      (1u << 16)
#define VLAPIC_TIMER_MODE_SHIFT 17         /* LVT timer bits 18:17 (SDM Table 10-2) */
#define VLAPIC_TIMER_ONESHOT   0
#define VLAPIC_TIMER_PERIODIC  1
#define VLAPIC_TIMER_TSC_DEADLINE 2
#define VLAPIC_SHORTHAND_SHIFT 18          /* ICR bits 19:18 */
#define VLAPIC_SH_NONE         0
#define VLAPIC_SH_SELF         1
#define VLAPIC_SH_ALL_INCL     2
#define VLAPIC_SH_ALL_EXCL     3

/* Error status register bits (SDM Figure 10-9). */
#define VLAPIC_ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define VLAPIC_ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define VLAPIC_ESR_ILLEGAL_REGISTER    (1u << 7)

enum vlapic_lvt {
	VLAPIC_LVT_IDX_TIMER, VLAPIC_LVT_IDX_THERMAL, VLAPIC_LVT_IDX_PERF,
	VLAPIC_LVT_IDX_LINT0, VLAPIC_LVT_IDX_LINT1, VLAPIC_LVT_IDX_ERROR,
	VLAPIC_NLVT
};

struct vlapic_ops {
	/* Something became deliverable (an IRR vector above PPR, or an NMI):
	 * the vCPU should look (wake it from HLT, or make it exit). */
	void (*kick)(void *ctx);
	/* An ICR write for other CPUs: route it (vlapic_match_dest) and call
	 * vlapic_accept() / vlapic_accept_nmi() on each target, INIT/SIPI on
	 * vCPUs. Called for every send without the "self" shorthand, even
	 * when @dest names this CPU; "all including self" arrives as
	 * VLAPIC_SH_ALL_EXCL, this CPU's copy being taken locally. @dest is
	 * 8 bits (xAPIC) or 32 bits (x2APIC); @level is the ICR's level bit
	 * (false: an INIT de-assert, which may be ignored). */
	void (*ipi)(void *ctx, uint32_t dest, uint8_t vector, unsigned mode, bool logical,
		    bool level, unsigned shorthand);
	/* EOI of a level-triggered vector (TMR bit set): clear the IOAPIC's
	 * remote IRR (ioapic_eoi). May be NULL. */
	void (*eoi)(void *ctx, uint8_t vector);
};

struct vlapic {
	uint32_t id;               /* the APIC ID this CPU was created with */
	uint64_t apic_base;        /* IA32_APIC_BASE */
	uint32_t xapic_id;         /* the xAPIC ID register, bits 31:24 (writable) */
	uint32_t tpr, ldr, dfr, svr;
	uint32_t esr, esr_pending; /* what a read shows; what accumulated since the last write */
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[VLAPIC_NLVT];
	uint32_t irr[8], isr[8], tmr[8];
	bool nmi_pending;

	/* Timer (SDM 10.5.4). Counting started at timer_start_ns with the
	 * count timer_base; timer_next_tick is the tick (since start) of the
	 * next expiry, UINT64_MAX when none is due. */
	uint32_t timer_icr, timer_dcr;
	uint64_t timer_start_ns;
	uint32_t timer_base;
	uint64_t timer_next_tick;
	uint64_t tsc_deadline;     /* 0: disarmed */

	uint64_t bus_hz, tsc_hz;
	const struct vlapic_ops *ops;
	void *ctx;
	uint32_t warned;           /* log-once bits (vlapic.c) */
	uint64_t timer_fired;      /* timer interrupts raised (statistics, tests) */
};

/**
 * Power-up state (SDM 10.4.7.1): enabled in xAPIC mode at VLAPIC_DEFAULT_BASE
 * but software-disabled (SVR 0xFF), LVTs masked, DFR all ones. Differs from
 * bare hardware in one way firmware would do: on the BSP, LVT LINT0 is
 * ExtINT unmasked (virtual-wire mode), so the 8259 reaches the CPU before
 * the guest programs its APIC (see vlapic_accepts_pic).
 * @bus_hz: the timer's input clock (before the divider); @tsc_hz: the guest
 * TSC's rate, to turn a TSC deadline into nanoseconds. Both non-zero.
 */
void vlapic_init(struct vlapic *l, uint32_t apic_id, bool bsp, uint64_t bus_hz, uint64_t tsc_hz,
		const struct vlapic_ops *ops, void *ctx);

/**
 * An xAPIC register access at @offset into the 4 KiB page. The caller passes
 * 32-bit accesses at 4-byte-aligned offsets (SDM 10.4.1: registers are
 * 16-byte aligned and accessed as 32 bits). Anything else (offset not a
 * multiple of 16, beyond the page) reads 0 and ignores writes, logged once;
 * reserved and absent registers do the same and set ESR bit 7. With the
 * APIC in x2APIC mode or hardware-disabled the page does not respond
 * (SDM 10.12.2): reads 0, writes ignored.
 */
uint32_t vlapic_mmio_read(struct vlapic *l, uint32_t offset, uint64_t now_ns);
void vlapic_mmio_write(struct vlapic *l, uint32_t offset, uint32_t val, uint64_t now_ns);

/**
 * RDMSR/WRMSR of IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC range
 * (0x800-0x8FF, only in x2APIC mode; SDM Table 10-6). Returns 0, or -1 where
 * the SDM says #GP (the caller injects #GP(0)), or 1 for an MSR this model
 * does not own (any other number).
 */
int vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t *val, uint64_t now_ns, uint64_t tsc);
int vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t val, uint64_t now_ns, uint64_t tsc);

/**
 * A fixed or lowest-priority interrupt for this CPU (from the IOAPIC, an IPI,
 * an LVT entry): the vector goes into IRR; @level sets its TMR bit (EOI then
 * calls ops->eoi). Vectors 0-15 are illegal: discarded, ESR bit 6. Discarded
 * too while the APIC is software- or hardware-disabled (SDM 10.4.7.2).
 */
void vlapic_accept(struct vlapic *l, uint8_t vector, bool level);
/** An NMI for this CPU; vlapic_take_nmi() returns it once. */
void vlapic_accept_nmi(struct vlapic *l);
bool vlapic_take_nmi(struct vlapic *l);

/** The highest IRR vector whose priority class is above PPR's, or -1 (SDM 10.8.3.1). */
int vlapic_pending(const struct vlapic *l);
/** @vector (as vlapic_pending gave it) was injected: IRR -> ISR, which raises PPR. */
void vlapic_ack(struct vlapic *l, uint8_t vector);

/**
 * The guest ns of the next timer expiry, or UINT64_MAX if the timer is not
 * armed. A masked timer still counts, so it still reports its expiry. A TSC
 * deadline is converted with tsc_hz from the current @tsc; a deadline
 * already passed gives @now_ns.
 */
uint64_t vlapic_next_event(const struct vlapic *l, uint64_t now_ns, uint64_t tsc);
/**
 * Fire the timer if due: its LVT vector into IRR unless masked. Idempotent.
 * Register accesses fire a due one-shot or periodic timer themselves; a TSC
 * deadline is only checked here and in the MSR calls (the page has no TSC).
 */
void vlapic_update(struct vlapic *l, uint64_t now_ns, uint64_t tsc);

/**
 * Does a message for @dest reach this APIC (SDM 10.6.2)? Physical: the
 * APIC ID or the broadcast ID (0xFF xAPIC, 0xFFFFFFFF x2APIC). Logical:
 * flat or cluster model per DFR (xAPIC), cluster ID and bitmap (x2APIC).
 */
bool vlapic_match_dest(const struct vlapic *l, uint32_t dest, bool logical);
/** Are interrupts from the 8259 (INTR) taken: APIC hardware-disabled, or LINT0 ExtINT unmasked. */
bool vlapic_accepts_pic(const struct vlapic *l);
/** MOV to/from CR8 is TPR[7:4] (SDM 10.8.6.1). */
uint64_t vlapic_get_cr8(const struct vlapic *l);
void vlapic_set_cr8(struct vlapic *l, uint64_t cr8);
bool vlapic_x2apic(const struct vlapic *l);

#endif
