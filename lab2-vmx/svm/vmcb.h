/*
 * vmcb.h - the AMD Virtual Machine Control Block: one 4 KiB page whose
 * control area (offsets 0x000-0x3ff) says what the guest may do and why it
 * exited, and whose state-save area (0x400-) holds the guest's registers.
 *
 * AMD64 APM Vol. 2, Appendix B "Layout of VMCB" (Table B-1 control area,
 * Table B-2 state-save area). Unlike the VMCS, the VMCB is plain memory:
 * the host reads and writes it with ordinary loads and stores, and the
 * offsets below are the architecture (the _Static_asserts tie each one to
 * the APM's table, so a misplaced field does not compile).
 */
#ifndef HVLAB_SVM_VMCB_H
#define HVLAB_SVM_VMCB_H

#include <stddef.h>
#include <stdint.h>

/* One segment in the save area (Table B-2): the descriptor's attributes
 * compressed to 12 bits: bits 7:0 are descriptor bits 47:40 (type, S,
 * DPL, P), bits 11:8 are descriptor bits 55:52 (AVL, L, D/B, G). */
struct vmcb_seg {
	uint16_t sel;
	uint16_t attrib;
	uint32_t limit;
	uint64_t base;
} __attribute__((packed));

#define VMCB_ATTR_TYPE(t) ((t) & 0xfu)
#define VMCB_ATTR_S       (1u << 4)
#define VMCB_ATTR_DPL(d)  (((d) & 3u) << 5)
#define VMCB_ATTR_P       (1u << 7)
#define VMCB_ATTR_AVL     (1u << 8)
#define VMCB_ATTR_L       (1u << 9)
#define VMCB_ATTR_DB      (1u << 10)
#define VMCB_ATTR_G       (1u << 11)

/* The control area (Table B-1). */
struct vmcb_control {
	uint32_t intercept_cr;        /* 0x000: bits 15:0 CR reads, 31:16 CR writes */
	uint32_t intercept_dr;        /* 0x004: bits 15:0 DR reads, 31:16 DR writes */
	uint32_t intercept_exc;       /* 0x008: bit n = exception vector n */
	uint32_t intercept_misc1;     /* 0x00c: SVM_INTERCEPT_* (vector 3) */
	uint32_t intercept_misc2;     /* 0x010: SVM_INTERCEPT2_* (vector 4) */
	uint32_t intercept_misc3;     /* 0x014: vector 5 (INVLPGB, INVPCID, ...) */
	uint8_t reserved_018[0x03c - 0x018];
	uint16_t pause_filter_thresh; /* 0x03c */
	uint16_t pause_filter_count;  /* 0x03e */
	uint64_t iopm_base_pa;        /* 0x040: 12 KiB I/O permission map, 4 KiB aligned */
	uint64_t msrpm_base_pa;       /* 0x048: 8 KiB MSR permission map, 4 KiB aligned */
	uint64_t tsc_offset;          /* 0x050 */
	uint32_t asid;                /* 0x058: the guest's address-space ID; 0 is the host's */
	uint8_t tlb_control;          /* 0x05c: SVM_TLB_* */
	uint8_t reserved_05d[3];
	uint64_t vintr;               /* 0x060: V_TPR, V_IRQ, V_INTR_PRIO, V_INTR_MASKING, vector */
	uint64_t int_state;           /* 0x068: bit 0 interrupt shadow, bit 1 guest IF (VGIF) */
	uint64_t exit_code;           /* 0x070: SVM_EXIT_* (VMEXIT_INVALID is -1) */
	uint64_t exit_info1;          /* 0x078 */
	uint64_t exit_info2;          /* 0x080 */
	uint64_t exit_int_info;       /* 0x088: an event being delivered when the exit came */
	uint64_t np_control;          /* 0x090: bit 0 nested paging enable */
	uint64_t avic_apic_bar;       /* 0x098 */
	uint64_t ghcb_pa;             /* 0x0a0 */
	uint64_t event_inj;           /* 0x0a8: the event to inject at VMRUN */
	uint64_t n_cr3;               /* 0x0b0: the nested page tables' root */
	uint64_t virt_ext;            /* 0x0b8: bit 0 LBR virtualization, bit 1 virtual VMLOAD/VMSAVE */
	uint32_t clean_bits;          /* 0x0c0: fields unchanged since the last VMRUN */
	uint32_t reserved_0c4;
	uint64_t next_rip;            /* 0x0c8: RIP after the exiting instruction (NRIPS) */
	uint8_t insn_len;             /* 0x0d0: bytes fetched (decode assists) */
	uint8_t insn_bytes[15];       /* 0x0d1 */
	uint8_t reserved_0e0[0x400 - 0x0e0];
} __attribute__((packed));

/* The state-save area (Table B-2), at VMCB offset 0x400. */
struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs;   /* 0x000-0x05f */
	struct vmcb_seg gdtr, ldtr, idtr, tr;     /* 0x060-0x09f (GDTR/IDTR: base and limit only) */
	uint8_t reserved_0a0[0x0cb - 0x0a0];
	uint8_t cpl;                  /* 0x0cb */
	uint32_t reserved_0cc;
	uint64_t efer;                /* 0x0d0 */
	uint8_t reserved_0d8[0x148 - 0x0d8];
	uint64_t cr4;                 /* 0x148 */
	uint64_t cr3;                 /* 0x150 */
	uint64_t cr0;                 /* 0x158 */
	uint64_t dr7;                 /* 0x160 */
	uint64_t dr6;                 /* 0x168 */
	uint64_t rflags;              /* 0x170 */
	uint64_t rip;                 /* 0x178 */
	uint8_t reserved_180[0x1d8 - 0x180];
	uint64_t rsp;                 /* 0x1d8 */
	uint64_t s_cet, ssp, isst_addr;   /* 0x1e0-0x1f7 */
	uint64_t rax;                 /* 0x1f8 */
	uint64_t star;                /* 0x200 */
	uint64_t lstar;               /* 0x208 */
	uint64_t cstar;               /* 0x210 */
	uint64_t sfmask;              /* 0x218 */
	uint64_t kernel_gs_base;      /* 0x220 */
	uint64_t sysenter_cs;         /* 0x228 */
	uint64_t sysenter_esp;        /* 0x230 */
	uint64_t sysenter_eip;        /* 0x238 */
	uint64_t cr2;                 /* 0x240 */
	uint8_t reserved_248[0x268 - 0x248];
	uint64_t g_pat;               /* 0x268 */
	uint64_t dbgctl;              /* 0x270 */
	uint64_t br_from, br_to;      /* 0x278, 0x280 */
	uint64_t last_excp_from, last_excp_to;   /* 0x288, 0x290 */
} __attribute__((packed));

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
	uint8_t reserved_rest[4096 - 0x400 - sizeof(struct vmcb_save)];
} __attribute__((packed, aligned(4096)));

/* The APM's offsets, checked where a typo would otherwise go unnoticed. */
_Static_assert(sizeof(struct vmcb_seg) == 16, "vmcb_seg: 16 bytes (Table B-2)");
_Static_assert(offsetof(struct vmcb_control, pause_filter_thresh) == 0x03c, "Table B-1");
_Static_assert(offsetof(struct vmcb_control, iopm_base_pa) == 0x040, "Table B-1");
_Static_assert(offsetof(struct vmcb_control, asid) == 0x058, "Table B-1");
_Static_assert(offsetof(struct vmcb_control, vintr) == 0x060, "Table B-1");
_Static_assert(offsetof(struct vmcb_control, exit_code) == 0x070, "Table B-1");
_Static_assert(offsetof(struct vmcb_control, exit_int_info) == 0x088, "Table B-1");
_Static_assert(offsetof(struct vmcb_control, event_inj) == 0x0a8, "Table B-1");
_Static_assert(offsetof(struct vmcb_control, n_cr3) == 0x0b0, "Table B-1");
_Static_assert(offsetof(struct vmcb_control, next_rip) == 0x0c8, "Table B-1");
_Static_assert(offsetof(struct vmcb_control, insn_bytes) == 0x0d1, "Table B-1");
_Static_assert(sizeof(struct vmcb_control) == 0x400, "the save area starts at 0x400");
_Static_assert(offsetof(struct vmcb_save, tr) == 0x090, "Table B-2");
_Static_assert(offsetof(struct vmcb_save, cpl) == 0x0cb, "Table B-2");
_Static_assert(offsetof(struct vmcb_save, efer) == 0x0d0, "Table B-2");
_Static_assert(offsetof(struct vmcb_save, cr4) == 0x148, "Table B-2");
_Static_assert(offsetof(struct vmcb_save, rip) == 0x178, "Table B-2");
_Static_assert(offsetof(struct vmcb_save, rsp) == 0x1d8, "Table B-2");
_Static_assert(offsetof(struct vmcb_save, rax) == 0x1f8, "Table B-2");
_Static_assert(offsetof(struct vmcb_save, kernel_gs_base) == 0x220, "Table B-2");
_Static_assert(offsetof(struct vmcb_save, cr2) == 0x240, "Table B-2");
_Static_assert(offsetof(struct vmcb_save, g_pat) == 0x268, "Table B-2");
_Static_assert(offsetof(struct vmcb_save, last_excp_to) == 0x290, "Table B-2");
_Static_assert(sizeof(struct vmcb) == 4096, "one page");

/* The guest's RAX as the entry stub (svm_entry.S) reaches it. */
#include "svm/vmcb_asm.h"
_Static_assert(offsetof(struct vmcb, save.rax) == VMCB_SAVE_RAX_OFFSET, "svm_entry.S");

/* Intercept vector 3 (VMCB 0x00c; APM 15.9-15.14). */
#define SVM_INTERCEPT_INTR          (1u << 0)
#define SVM_INTERCEPT_NMI           (1u << 1)
#define SVM_INTERCEPT_SMI           (1u << 2)
#define SVM_INTERCEPT_INIT          (1u << 3)
#define SVM_INTERCEPT_VINTR         (1u << 4)
#define SVM_INTERCEPT_CR0_SEL_WRITE (1u << 5)
#define SVM_INTERCEPT_RDTSC         (1u << 14)
#define SVM_INTERCEPT_RDPMC         (1u << 15)
#define SVM_INTERCEPT_CPUID         (1u << 18)
#define SVM_INTERCEPT_RSM           (1u << 19)
#define SVM_INTERCEPT_INVD          (1u << 22)
#define SVM_INTERCEPT_PAUSE         (1u << 23)
#define SVM_INTERCEPT_HLT           (1u << 24)
#define SVM_INTERCEPT_INVLPG        (1u << 25)
#define SVM_INTERCEPT_INVLPGA       (1u << 26)
#define SVM_INTERCEPT_IOIO_PROT     (1u << 27)
#define SVM_INTERCEPT_MSR_PROT      (1u << 28)
#define SVM_INTERCEPT_TASK_SWITCH   (1u << 29)
#define SVM_INTERCEPT_FERR_FREEZE   (1u << 30)
#define SVM_INTERCEPT_SHUTDOWN      (1u << 31)
/* Intercept vector 4 (VMCB 0x010). */
#define SVM_INTERCEPT2_VMRUN        (1u << 0)
#define SVM_INTERCEPT2_VMMCALL      (1u << 1)
#define SVM_INTERCEPT2_VMLOAD       (1u << 2)
#define SVM_INTERCEPT2_VMSAVE       (1u << 3)
#define SVM_INTERCEPT2_STGI         (1u << 4)
#define SVM_INTERCEPT2_CLGI         (1u << 5)
#define SVM_INTERCEPT2_SKINIT       (1u << 6)
#define SVM_INTERCEPT2_RDTSCP       (1u << 7)
#define SVM_INTERCEPT2_ICEBP        (1u << 8)
#define SVM_INTERCEPT2_WBINVD       (1u << 9)
#define SVM_INTERCEPT2_MONITOR      (1u << 10)
#define SVM_INTERCEPT2_MWAIT        (1u << 11)
#define SVM_INTERCEPT2_MWAIT_COND   (1u << 12)
#define SVM_INTERCEPT2_XSETBV       (1u << 13)

/* TLB_CONTROL (VMCB 0x05c; APM 15.16.1). */
#define SVM_TLB_NOTHING      0
#define SVM_TLB_FLUSH_ALL    1   /* every ASID's entries */
#define SVM_TLB_FLUSH_ASID   3   /* this guest's ASID (needs FlushByAsid) */
#define SVM_TLB_FLUSH_ASID_G 7   /* this ASID's non-global entries */

/* VINTR (VMCB 0x060; APM 15.21.1). */
#define SVM_VINTR_TPR_MASK       0xffull
#define SVM_VINTR_IRQ            (1ull << 8)
#define SVM_VINTR_PRIO_SHIFT     16
#define SVM_VINTR_IGN_TPR        (1ull << 20)
#define SVM_VINTR_MASKING        (1ull << 24)
#define SVM_VINTR_VECTOR_SHIFT   32
/* Interrupt state (VMCB 0x068). */
#define SVM_INT_STATE_SHADOW     (1ull << 0)

/* NP_ENABLE (VMCB 0x090). */
#define SVM_NP_ENABLE            (1ull << 0)

/* EVENTINJ and EXITINTINFO share one format (APM 15.20, Figure 15-4). */
#define SVM_EVTINJ_VECTOR(e)     ((unsigned)((e) & 0xff))
#define SVM_EVTINJ_TYPE_SHIFT    8
#define SVM_EVTINJ_TYPE(e)       ((unsigned)(((e) >> 8) & 7))
#define SVM_EVTINJ_TYPE_INTR     0
#define SVM_EVTINJ_TYPE_NMI      2
#define SVM_EVTINJ_TYPE_EXC      3
#define SVM_EVTINJ_TYPE_SOFT     4
#define SVM_EVTINJ_EV            (1ull << 11)   /* an error code is pushed */
#define SVM_EVTINJ_VALID         (1ull << 31)
#define SVM_EVTINJ_ERR_SHIFT     32

/* IOIO EXITINFO1 (APM 15.10.2, Figure 15-2). */
#define SVM_IOIO_TYPE_IN    (1u << 0)
#define SVM_IOIO_STR        (1u << 2)
#define SVM_IOIO_REP        (1u << 3)
#define SVM_IOIO_SZ8        (1u << 4)
#define SVM_IOIO_SZ16       (1u << 5)
#define SVM_IOIO_SZ32       (1u << 6)
#define SVM_IOIO_A16        (1u << 7)
#define SVM_IOIO_A32        (1u << 8)
#define SVM_IOIO_A64        (1u << 9)
#define SVM_IOIO_SEG(i)     (((i) >> 10) & 7u)
#define SVM_IOIO_PORT(i)    ((uint16_t)((i) >> 16))

/* The permission maps' sizes (APM 15.10.1, 15.11). */
#define SVM_IOPM_PAGES  3
#define SVM_MSRPM_PAGES 2

#endif
