/*
 * insn_decode.h - decode the MOV forms a guest uses on device memory, so
 * that an EPT violation on an MMIO page can be emulated: which register,
 * which direction, how many bytes, and how long the instruction is (the
 * caller advances RIP by exactly that). Pure logic: no VMCS, no guest
 * memory access; built into the kernel and into the host unit tests.
 *
 * Encodings: Intel SDM Vol. 2A, 2.1 "Instruction Format" (prefixes,
 * ModRM, SIB, displacement, immediate), 2.2.1 "REX Prefixes", and the
 * MOV, MOVZX, MOVSX/MOVSXD pages of Vol. 2B chapter 4.
 */
#ifndef HVLAB_INSN_DECODE_H
#define HVLAB_INSN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest legal instruction (SDM Vol. 2A, 2.3.11): longer is #GP. */
#define INSN_MAX_LEN 15

/* The default operand and address size of the code segment (CS.D, CS.L). */
enum insn_mode { INSN_MODE_16, INSN_MODE_32, INSN_MODE_64 };

enum insn_kind {
	INSN_LOAD,       /* MOV reg, [mem]             8A /r, 8B /r, A0/A1 (moffs) */
	INSN_STORE,      /* MOV [mem], reg             88 /r, 89 /r, A2/A3 (moffs) */
	INSN_STORE_IMM,  /* MOV [mem], imm             C6 /0 ib, C7 /0 iw/id */
	INSN_LOAD_ZX,    /* MOVZX reg, byte/word [mem] 0F B6, 0F B7 */
	INSN_LOAD_SX,    /* MOVSX reg, byte/word [mem] 0F BE, 0F BF; MOVSXD 63 /r (64-bit mode) */
};

/* The segment override prefix, if any (the caller translates a GPA it got
 * from the EPT violation, so this is for logs and for a caller that wants
 * to recompute the linear address). */
enum insn_seg {
	INSN_SEG_NONE, INSN_SEG_ES, INSN_SEG_CS, INSN_SEG_SS,
	INSN_SEG_DS, INSN_SEG_FS, INSN_SEG_GS,
};

struct insn {
	enum insn_kind kind;
	uint8_t len;        /* bytes, prefixes included (<= INSN_MAX_LEN) */
	uint8_t size;       /* bytes of memory accessed: 1, 2, 4 or 8 */
	uint8_t reg;        /* GPR in encoding order: 0=RAX 1=RCX 2=RDX 3=RBX 4=RSP
			     * 5=RBP 6=RSI 7=RDI 8..15=R8..R15 (unused for STORE_IMM) */
	bool reg_high8;     /* AH CH DH BH: a byte operand without REX, reg 4..7
			     * names bits 15:8 of register reg-4 (reg is then 0..3) */
	uint8_t reg_size;   /* width of the register operand: equals size except
			     * for MOVZX/MOVSX/MOVSXD */
	uint64_t imm;       /* INSN_STORE_IMM: the value stored, sized and
			     * sign-extended to size */
	enum insn_seg seg;  /* segment override prefix (the last one wins) */
	uint8_t addr_size;  /* address size in bytes: 2, 4 or 8 */
};

/**
 * Decode the instruction at @code (@avail bytes fetched from the guest)
 * executed with CS default size @mode. Returns 0 with *@out filled, or -1
 * with a message in @err (NUL-terminated, @errlen bytes) that names the
 * bytes refused and why: an opcode that is not one of the MOV forms above
 * (nothing is guessed), LOCK/REP prefixes, a register-only ModRM (mod=3),
 * an instruction longer than 15 bytes, or "truncated: need N more bytes"
 * when @avail ends before the instruction does.
 */
int insn_decode(const uint8_t *code, size_t avail, enum insn_mode mode,
		struct insn *out, char *err, size_t errlen);

/**
 * The new value of the destination register after a load of @mem (its low
 * @in->size bytes count): 32-bit destinations zero-extend to 64 bits (SDM
 * Vol. 1, 3.4.1.1), 8- and 16-bit ones keep the other bits of @old_reg, a
 * high-8 destination writes bits 15:8; MOVZX/MOVSX extend to reg_size.
 */
uint64_t insn_load_result(const struct insn *in, uint64_t old_reg, uint64_t mem);

/**
 * The value a store writes to memory (@in->size bytes): the low bytes of
 * @reg_value (bits 15:8 for a high-8 register), or the immediate.
 */
uint64_t insn_store_value(const struct insn *in, uint64_t reg_value);

/** "load", "store", "store-imm", "load-zx", "load-sx". */
const char *insn_kind_name(enum insn_kind k);

#endif
