/*
 * svm_insn.c - the length of an intercepted instruction (svm_insn.h).
 *
 * Without NRIP save the VMCB tells the hypervisor which instruction the
 * guest ran (the exit code) but not where the next one starts. Skipping a
 * wrong number of bytes would resume the guest in the middle of an
 * instruction, so only the instructions an SVM hypervisor intercepts are
 * known here and anything else is -1.
 *
 * Layout of an instruction (SDM Vol. 2A, 2.1, Figure 2-1; APM Vol. 3, 1.1):
 *   legacy prefixes, REX (64-bit mode only), opcode (1 or 2 bytes),
 *   ModRM, SIB, displacement (0/1/2/4 bytes), immediate (0 or 1 byte here).
 * At most SVM_INSN_MAX_LEN bytes in all.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "svm/svm_insn.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define MODRM_MOD(m) ((m) >> 6)
#define MODRM_REG(m) (((m) >> 3) & 7)
#define MODRM_RM(m)  ((m) & 7)
#define SIB_BASE(s)  ((s) & 7)

#define REX_B 0x1   /* extends the opcode register field (SDM Vol. 2A, 2.2.1.2) */

/* The bytes, how far the decoder has read, and what the prefixes said. */
struct cursor {
	const uint8_t *bytes;
	unsigned limit;      /* bytes we may read: min(avail, 15) */
	unsigned pos;        /* next byte to read = length so far */
	unsigned addr_size;  /* 16, 32 or 64, after the 67 prefix */
	bool rep;            /* an F3 prefix was seen */
	uint8_t rex;         /* the REX byte (0: none) */
	const char *name;
};

/*
 * One opcode we know: @tail is the number of bytes after it that need no
 * decoding (an imm8, or the ModRM of MOV CRn/DRn, always a register form).
 */
struct opcode {
	uint8_t op;
	uint8_t tail;
	const char *name;
};

/* One-byte opcodes (SDM Vol. 2D, Table A-2; APM Vol. 3, Appendix A). */
static const struct opcode one_byte[] = {
	{ 0x6c, 0, "ins" },   { 0x6d, 0, "ins" },
	{ 0x6e, 0, "outs" },  { 0x6f, 0, "outs" },
	{ 0x9c, 0, "pushf" }, { 0x9d, 0, "popf" },
	{ 0xcc, 0, "int3" },  { 0xcd, 1, "int" },   /* CD ib */
	{ 0xcf, 0, "iret" },
	{ 0xe4, 1, "in" },    { 0xe5, 1, "in" },    /* E4 ib, E5 ib */
	{ 0xe6, 1, "out" },   { 0xe7, 1, "out" },   /* E6 ib, E7 ib */
	{ 0xec, 0, "in" },    { 0xed, 0, "in" },
	{ 0xee, 0, "out" },   { 0xef, 0, "out" },
	{ 0xf1, 0, "icebp" }, { 0xf4, 0, "hlt" },
};

/*
 * Two-byte opcodes, after 0F (SDM Vol. 2D, Table A-3). MOV to/from CRn
 * and DRn always take a register: "the 2 bits in the mod field are
 * ignored" (SDM Vol. 2B, MOV-Move to/from Control Registers), so their
 * ModRM is one plain byte whatever its mod says.
 */
static const struct opcode two_byte[] = {
	{ 0x06, 0, "clts" },
	{ 0x08, 0, "invd" },        { 0x09, 0, "wbinvd" },
	{ 0x20, 1, "mov-from-cr" }, { 0x21, 1, "mov-from-dr" },
	{ 0x22, 1, "mov-to-cr" },   { 0x23, 1, "mov-to-dr" },
	{ 0x30, 0, "wrmsr" },       { 0x31, 0, "rdtsc" },
	{ 0x32, 0, "rdmsr" },       { 0x33, 0, "rdpmc" },
	{ 0xa2, 0, "cpuid" },
};

/*
 * 0F 01 with mod=11: the ModRM byte names a whole instruction rather than
 * an operand (SDM Vol. 2D, Table A-6 group 7; APM Vol. 3, Appendix A,
 * group 7).
 * SMSW (/4) and LMSW (/6) are not here: with mod=11 they are the same
 * instructions on a register operand.
 */
static const struct opcode group7_reg[] = {
	{ 0xc1, 0, "vmcall" },  { 0xc8, 0, "monitor" }, { 0xc9, 0, "mwait" },
	{ 0xd1, 0, "xsetbv" },
	{ 0xd8, 0, "vmrun" },   { 0xd9, 0, "vmmcall" }, { 0xda, 0, "vmload" },
	{ 0xdb, 0, "vmsave" },  { 0xdc, 0, "stgi" },    { 0xdd, 0, "clgi" },
	{ 0xde, 0, "skinit" },  { 0xdf, 0, "invlpga" },
	{ 0xf9, 0, "rdtscp" },
};

/* 0F 01 /reg with a ModRM operand: SMSW r/m, LMSW r/m, INVLPG m. */
static const char *const group7_rm[8] = {
	[4] = "smsw", [6] = "lmsw", [7] = "invlpg",
};

/* Read the next byte: false past what was fetched or past 15 bytes. */
static bool next(struct cursor *c, uint8_t *b)
{
	if (c->pos >= c->limit)
		return false;
	*b = c->bytes[c->pos++];
	return true;
}

/* Step over @n bytes whose value does not matter (displacement, imm8). */
static bool skip(struct cursor *c, unsigned n)
{
	if (c->limit - c->pos < n)
		return false;
	c->pos += n;
	return true;
}

static const struct opcode *lookup(const struct opcode *table, size_t n, uint8_t op)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].op == op)
			return &table[i];
	return NULL;
}

/* Take a table entry (NULL: unknown opcode) and the bytes it says follow. */
static bool found(struct cursor *c, const struct opcode *o)
{
	if (!o)
		return false;
	c->name = o->name;
	return skip(c, o->tail);
}

/*
 * The legacy prefixes, groups 1 to 4 (SDM Vol. 2A, 2.1.1; APM Vol. 3,
 * 1.2): lock/rep, segment overrides, operand size, address size. Any
 * number of them in any order; only the 15-byte limit bounds them.
 */
static bool legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0xf0: case 0xf2: case 0xf3:
	case 0x2e: case 0x36: case 0x3e: case 0x26: case 0x64: case 0x65:
	case 0x66: case 0x67:
		return true;
	default:
		return false;
	}
}

/*
 * Address size: the CS default, flipped by 67; in 64-bit mode 67 selects
 * 32 bits (SDM Vol. 1, 3.6, Tables 3-3 and 3-4). Operand size (66,
 * REX.W) never changes the length of the instructions we know.
 */
static unsigned address_size(unsigned mode, bool prefix_67)
{
	if (mode == 64)
		return prefix_67 ? 32 : 64;
	if (mode == 32)
		return prefix_67 ? 16 : 32;
	return prefix_67 ? 32 : 16;
}

/*
 * Read the prefixes and leave the opcode byte in @op. A REX exists only in
 * 64-bit mode (elsewhere 40-4F are INC/DEC) and only right before the
 * opcode (SDM Vol. 2A, 2.2.1): the CPU ignores a REX followed by another
 * prefix, no compiler emits one, and we refuse it (that prefix byte then
 * reaches the opcode tables, which do not know it).
 */
static bool read_prefixes(struct cursor *c, unsigned mode, uint8_t *op)
{
	bool prefix_67 = false;

	for (;;) {
		if (!next(c, op))
			return false;
		if (!legacy_prefix(*op))
			break;
		prefix_67 |= *op == 0x67;
		c->rep |= *op == 0xf3;
	}
	c->addr_size = address_size(mode, prefix_67);
	if (mode == 64 && (*op & 0xf0) == 0x40) {
		c->rex = *op;
		return next(c, op);
	}
	return true;
}

/* 16-bit addressing (SDM Vol. 2A, Table 2-1): mod=00 rm=110 is disp16 alone. */
static bool skip_mem16(struct cursor *c, uint8_t modrm)
{
	switch (MODRM_MOD(modrm)) {
	case 0:
		return skip(c, MODRM_RM(modrm) == 6 ? 2 : 0);
	case 1:
		return skip(c, 1);
	default:
		return skip(c, 2);
	}
}

/*
 * 32- and 64-bit addressing (SDM Vol. 2A, Tables 2-2 and 2-3): rm=100
 * brings a SIB byte; with mod=00, rm=101 is disp32 alone (RIP-relative in
 * 64-bit mode, 2.2.1.6) and a SIB base of 101 is disp32 with no base.
 * REX.B does not change these rules, so it plays no part in the length.
 */
static bool skip_mem32(struct cursor *c, uint8_t modrm)
{
	uint8_t sib = 0;

	if (MODRM_RM(modrm) == 4 && !next(c, &sib))
		return false;
	switch (MODRM_MOD(modrm)) {
	case 0:
		if (MODRM_RM(modrm) == 5 || (MODRM_RM(modrm) == 4 && SIB_BASE(sib) == 5))
			return skip(c, 4);
		return true;
	case 1:
		return skip(c, 1);
	default:
		return skip(c, 4);
	}
}

/* The operand a ModRM names: a register (mod=11, nothing follows) or memory. */
static bool skip_rm(struct cursor *c, uint8_t modrm)
{
	if (MODRM_MOD(modrm) == 3)
		return true;
	if (c->addr_size == 16)
		return skip_mem16(c, modrm);
	return skip_mem32(c, modrm);
}

/*
 * 0F 01, group 7. With mod=11 most ModRM values are whole instructions
 * (VMRUN is 0F 01 D8), so that table comes first; what is left is SMSW
 * and LMSW on any operand, and INVLPG on memory. SGDT, LGDT, SWAPGS, ...
 * are not intercepted and are refused.
 */
static bool decode_group7(struct cursor *c)
{
	uint8_t modrm;
	unsigned reg;

	if (!next(c, &modrm))
		return false;
	reg = MODRM_REG(modrm);
	if (MODRM_MOD(modrm) == 3 && reg != 4 && reg != 6)
		return found(c, lookup(group7_reg, ARRAY_SIZE(group7_reg), modrm));
	c->name = group7_rm[reg];
	return c->name && skip_rm(c, modrm);
}

static bool decode_0f(struct cursor *c)
{
	uint8_t op;

	if (!next(c, &op))
		return false;
	if (op == 0x01)
		return decode_group7(c);
	return found(c, lookup(two_byte, ARRAY_SIZE(two_byte), op));
}

/*
 * 90 is NOP, which is not intercepted; F3 90 is PAUSE. With REX.B, 90 is
 * XCHG r8, rAX instead (SDM Vol. 2B, XCHG and NOP), even after an F3:
 * QEMU's TCG decodes it so, and raises no PAUSE intercept for it.
 */
static bool decode_90(struct cursor *c)
{
	if (!c->rep || (c->rex & REX_B))
		return false;
	c->name = "pause";
	return true;
}

/* The whole decode: the length, or -1 and @name left at "unknown". */
static int decode(const uint8_t *bytes, unsigned avail, unsigned mode, const char **name)
{
	struct cursor c = {
		.bytes = bytes,
		.limit = avail < SVM_INSN_MAX_LEN ? avail : SVM_INSN_MAX_LEN,
	};
	uint8_t op;
	bool ok;

	*name = "unknown";
	if (!bytes || (mode != 16 && mode != 32 && mode != 64))
		return -1;
	if (!read_prefixes(&c, mode, &op))
		return -1;
	if (op == 0x0f)
		ok = decode_0f(&c);
	else if (op == 0x90)
		ok = decode_90(&c);
	else
		ok = found(&c, lookup(one_byte, ARRAY_SIZE(one_byte), op));
	if (!ok)
		return -1;
	*name = c.name;
	return (int)c.pos;
}

int svm_insn_len(const uint8_t *bytes, unsigned avail, unsigned mode)
{
	const char *name;

	return decode(bytes, avail, mode, &name);
}

const char *svm_insn_name(const uint8_t *bytes, unsigned avail, unsigned mode)
{
	const char *name;

	decode(bytes, avail, mode, &name);
	return name;
}
