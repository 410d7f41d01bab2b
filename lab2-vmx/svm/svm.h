/*
 * svm.h - AMD SVM: the MSRs, CPUID bits and exit codes, and the SVM
 * instructions as inline wrappers (the twin of vmx/vmx.h).
 *
 * AMD64 APM Vol. 2, chapter 15 "Secure Virtual Machine"; exit codes from
 * Appendix C "SVM Intercept Exit Codes". Generic code never includes this
 * header: it sees struct vcpu and the vendor operations (vcpu.h).
 */
#ifndef HVLAB_SVM_H
#define HVLAB_SVM_H

#include <stdint.h>
#include "x86.h"

/* MSRs (APM 15.30 "SVM-Related MSRs"). */
/* MSR_VM_CR (0xc0010114) is in x86.h: lab 1 reads it too. */
#define MSR_VM_HSAVE_PA    0xc0010117u
#define VM_CR_SVMDIS       (1ull << 4)   /* SVME cannot be set (BIOS or firmware said no) */
#define VM_CR_LOCK         (1ull << 3)
#define EFER_SVME          (1ull << 12)

/* CPUID (APM 15.4 "Enabling SVM", Vol. 3 Appendix E). */
#define CPUID_80000001_ECX_SVM   (1u << 2)
#define CPUID_SVM_FEATURES       0x8000000au   /* EAX revision, EBX ASIDs, EDX features */
#define SVM_FEAT_NP              (1u << 0)
#define SVM_FEAT_LBRV            (1u << 1)
#define SVM_FEAT_SVML            (1u << 2)
#define SVM_FEAT_NRIPS           (1u << 3)
#define SVM_FEAT_TSC_RATE        (1u << 4)
#define SVM_FEAT_VMCB_CLEAN      (1u << 5)
#define SVM_FEAT_FLUSH_BY_ASID   (1u << 6)
#define SVM_FEAT_DECODE_ASSISTS  (1u << 7)
#define SVM_FEAT_PAUSE_FILTER    (1u << 10)
#define SVM_FEAT_PAUSE_THRESHOLD (1u << 12)
#define SVM_FEAT_AVIC            (1u << 13)
#define SVM_FEAT_VLS             (1u << 15)
#define SVM_FEAT_VGIF            (1u << 16)
#define SVM_FEAT_ADDR_CHK        (1u << 28)

/*
 * Exit codes (APM Appendix C, Table C-1), as an X-macro: the names table
 * (svm_names.c) and any switch come from this one list. Ranges: 0x00-0x0f
 * CR reads, 0x10-0x1f CR writes, 0x20-0x3f DR accesses, 0x40-0x5f
 * exceptions (0x40 + vector). VMEXIT_INVALID (-1) means VMRUN refused the
 * VMCB (APM 15.5.1): QEMU 7.2 stores it as 0x00000000ffffffff, so compare
 * the low 32 bits.
 */
#define SVM_EXIT_CODES(X) \
	X(CR0_READ, 0x000) X(CR3_READ, 0x003) X(CR4_READ, 0x004) X(CR8_READ, 0x008) \
	X(CR0_WRITE, 0x010) X(CR3_WRITE, 0x013) X(CR4_WRITE, 0x014) X(CR8_WRITE, 0x018) \
	X(EXCP_DE, 0x040) X(EXCP_DB, 0x041) X(EXCP_NMI, 0x042) X(EXCP_BP, 0x043) \
	X(EXCP_OF, 0x044) X(EXCP_BR, 0x045) X(EXCP_UD, 0x046) X(EXCP_NM, 0x047) \
	X(EXCP_DF, 0x048) X(EXCP_TS, 0x04a) X(EXCP_NP, 0x04b) X(EXCP_SS, 0x04c) \
	X(EXCP_GP, 0x04d) X(EXCP_PF, 0x04e) X(EXCP_MF, 0x050) X(EXCP_AC, 0x051) \
	X(EXCP_MC, 0x052) X(EXCP_XM, 0x053) \
	X(INTR, 0x060) X(NMI, 0x061) X(SMI, 0x062) X(INIT, 0x063) X(VINTR, 0x064) \
	X(CR0_SEL_WRITE, 0x065) X(IDTR_READ, 0x066) X(GDTR_READ, 0x067) \
	X(LDTR_READ, 0x068) X(TR_READ, 0x069) X(IDTR_WRITE, 0x06a) X(GDTR_WRITE, 0x06b) \
	X(LDTR_WRITE, 0x06c) X(TR_WRITE, 0x06d) X(RDTSC, 0x06e) X(RDPMC, 0x06f) \
	X(PUSHF, 0x070) X(POPF, 0x071) X(CPUID, 0x072) X(RSM, 0x073) X(IRET, 0x074) \
	X(SWINT, 0x075) X(INVD, 0x076) X(PAUSE, 0x077) X(HLT, 0x078) X(INVLPG, 0x079) \
	X(INVLPGA, 0x07a) X(IOIO, 0x07b) X(MSR, 0x07c) X(TASK_SWITCH, 0x07d) \
	X(FERR_FREEZE, 0x07e) X(SHUTDOWN, 0x07f) X(VMRUN, 0x080) X(VMMCALL, 0x081) \
	X(VMLOAD, 0x082) X(VMSAVE, 0x083) X(STGI, 0x084) X(CLGI, 0x085) X(SKINIT, 0x086) \
	X(RDTSCP, 0x087) X(ICEBP, 0x088) X(WBINVD, 0x089) X(MONITOR, 0x08a) X(MWAIT, 0x08b) \
	X(MWAIT_COND, 0x08c) X(XSETBV, 0x08d) X(RDPRU, 0x08e) X(EFER_WRITE_TRAP, 0x08f) \
	X(INVLPGB, 0x0a0) X(INVLPGB_ILLEGAL, 0x0a1) X(INVPCID, 0x0a2) X(MCOMMIT, 0x0a3) \
	X(TLBSYNC, 0x0a4) X(NPF, 0x400) X(AVIC_INCOMPLETE_IPI, 0x401) \
	X(AVIC_NOACCEL, 0x402) X(VMGEXIT, 0x403)

#define SVM_EXIT_ENUM(name, code) SVM_EXIT_##name = code,
enum svm_exit_code { SVM_EXIT_CODES(SVM_EXIT_ENUM) };
#undef SVM_EXIT_ENUM
#define SVM_EXIT_EXCP_BASE  0x040
/* Not an APM code: SVM has one MSR exit for RDMSR and WRMSR (EXITINFO1
 * says which); hvlab counts the writes in this unused slot, so that the
 * exit counters tell reads from writes as VMX's do. */
#define SVM_COUNT_MSR_WRITE 0x3ff
#define SVM_EXIT_CODE_MAX   0x404          /* one past VMGEXIT: the counters' size */
#define SVM_EXIT_INVALID    0xffffffffu    /* low 32 bits of VMEXIT_INVALID (-1) */
#define SVM_EXIT_BUSY       0xfffffffeu    /* VMEXIT_BUSY (-2): SEV-ES only */

/** "CPUID", "IOIO", "EXCP_GP", ... or "unknown" (svm_names.c). */
const char *svm_exit_code_name(uint64_t code);

/* The SVM instructions (APM Vol. 3). VMRUN itself is in svm_entry.S, the
 * only place that must keep the guest's registers in the CPU's. */
static inline void svm_vmload(uint64_t pa)
{
	__asm__ volatile("vmload %%rax" : : "a"(pa) : "memory");
}
static inline void svm_vmsave(uint64_t pa)
{
	__asm__ volatile("vmsave %%rax" : : "a"(pa) : "memory");
}
static inline void svm_stgi(void)
{
	__asm__ volatile("stgi" : : : "memory");
}
static inline void svm_clgi(void)
{
	__asm__ volatile("clgi" : : : "memory");
}
/* Invalidate the TLB entry of @va in @asid (APM 15.16.2 "INVLPGA"). */
static inline void svm_invlpga(uint64_t va, uint32_t asid)
{
	__asm__ volatile("invlpga %%rax, %%ecx" : : "a"(va), "c"(asid) : "memory");
}

#endif
