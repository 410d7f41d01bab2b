/*
 * svm_insn.h - the length of an instruction that caused a #VMEXIT.
 *
 * With the NRIP-save feature (CPUID 8000_000A EDX bit 3) the CPU writes the
 * address of the next instruction to the VMCB on #VMEXIT (APM Vol. 2,
 * 15.7.1 "State Saved on Exit"). QEMU's TCG does not implement it, so to
 * step the guest over an intercepted instruction the hypervisor decodes
 * the bytes at the guest RIP. Pure logic, no guest memory access: built
 * into the kernel and into the host unit tests.
 *
 * Encodings: Intel SDM Vol. 2A, 2.1 "Instruction Format", 2.2.1 "REX
 * Prefixes"; AMD APM Vol. 3, chapter 1 "Instruction Encoding" and the
 * instruction pages of chapters 3 and 4.
 */
#ifndef HVLAB_SVM_INSN_H
#define HVLAB_SVM_INSN_H

#include <stdint.h>

/* The longest legal instruction (SDM Vol. 2A, 2.3.11): longer is #GP. */
#define SVM_INSN_MAX_LEN 15

/**
 * Length in bytes of the instruction at @bytes (@avail bytes readable, at
 * most 15 are looked at), decoded in @mode (16, 32 or 64: the CS default
 * operand/address size: 64 for long mode, 32 for a 32-bit CS.D=1 segment,
 * 16 otherwise), or -1 when the instruction is not one of those the
 * hypervisor intercepts or is malformed/truncated.
 */
int svm_insn_len(const uint8_t *bytes, unsigned avail, unsigned mode);

/**
 * Short name of the same instruction for messages ("cpuid", "mov-to-cr",
 * "invlpg", ...), or "unknown" when svm_insn_len() would return -1.
 * Never NULL.
 */
const char *svm_insn_name(const uint8_t *bytes, unsigned avail, unsigned mode);

#endif
