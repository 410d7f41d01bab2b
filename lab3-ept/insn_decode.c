/*
 * insn_decode.c - the MOV forms a guest uses on device memory
 * (insn_decode.h). An EPT violation on an MMIO page tells us the
 * guest-physical address and whether it was a read or a write
 * (SDM Vol. 3C, 27.2.1 Table 27-7), but not the register, the width or the
 * instruction length: those come from decoding the bytes at the guest RIP.
 *
 * Layout of an instruction (SDM Vol. 2A, 2.1, Figure 2-1):
 *   legacy prefixes, REX (64-bit mode), opcode (1 or 2 bytes), ModRM,
 *   SIB, displacement (0/1/2/4 bytes), immediate (0/1/2/4 bytes).
 * Anything not listed in insn_decode.h is refused with its bytes: a wrong
 * guess would corrupt a guest register or skip half an instruction.
 */
#include "insn_decode.h"
#include "panic.h"
#include "printf.h"

#define REX_W 0x8   /* 64-bit operand size (SDM Vol. 2A, 2.2.1.2 Table 2-4) */
#define REX_R 0x4   /* extends ModRM.reg to 4 bits */

#define MODRM_MOD(m) ((m) >> 6)
#define MODRM_REG(m) (((m) >> 3) & 7)
#define MODRM_RM(m)  ((m) & 7)
#define SIB_BASE(s)  ((s) & 7)

/* Where the decoder stands: the bytes, what the prefixes said, the cursor. */
struct decoder {
	const uint8_t *code;
	size_t avail;
	enum insn_mode mode;
	unsigned pos;       /* next byte to read */
	unsigned nprefix;   /* legacy prefix and REX bytes before the opcode */
	uint8_t rex;        /* the REX byte in effect (0: none) */
	bool opsize_prefix; /* 66 */
	bool addr_prefix;   /* 67 */
	bool lock;          /* F0 */
	uint8_t rep;        /* F2 or F3, 0 if none */
	enum insn_seg seg;
	char *err;
	size_t errlen;
};

static int fail(struct decoder *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct decoder *d, const char *fmt, ...)
{
	if (d->err && d->errlen) {
		va_list ap;
		va_start(ap, fmt);
		kvsnprintf(d->err, d->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * Make sure @n more bytes (the @what of the instruction) are there: at most
 * 15 bytes in all (longer is #GP, SDM Vol. 2A, 2.3.11), and within what
 * the caller fetched.
 */
static int need(struct decoder *d, unsigned n, const char *what)
{
	if (d->pos + n > INSN_MAX_LEN)
		return fail(d, "instruction longer than %u bytes (%u bytes before the %s): #GP",
			    INSN_MAX_LEN, d->pos, what);
	if (d->pos + n > d->avail) {
		unsigned more = d->pos + n - (unsigned)d->avail;
		return fail(d, "truncated: need %u more byte%s (%s) after the %zu fetched",
			    more, more == 1 ? "" : "s", what, d->avail);
	}
	return 0;
}

/* "0x66 0x89" ...: the bytes from the first prefix to the cursor, for messages. */
static const char *bytes_str(const struct decoder *d, unsigned upto, char *buf, size_t n)
{
	size_t off = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < upto && off < n; i++)
		off += (size_t)ksnprintf(buf + off, n - off, "%s0x%02x", i ? " " : "", d->code[i]);
	return buf;
}

/*
 * (Helpers marked unused are called only from the lab-3 regions below; the
 * attribute keeps the handout, where those are stubs, free of warnings.)
 *
 * Operand size: 16 or 32 bits by the CS default, flipped by 66; in 64-bit
 * mode REX.W makes it 64 and wins over 66 (SDM Vol. 2A, 2.2.1.2, and
 * Vol. 1, 3.6 Table 3-4).
 */
static __attribute__((unused)) unsigned operand_size(const struct decoder *d)
{
	if (d->mode == INSN_MODE_64 && (d->rex & REX_W))
		return 8;
	bool wide = d->mode != INSN_MODE_16;
	return (wide != d->opsize_prefix) ? 4 : 2;
}

/* Address size: the CS default, flipped by 67; 64-bit mode flips to 32. */
static unsigned address_size(const struct decoder *d)
{
	switch (d->mode) {
	case INSN_MODE_16:
		return d->addr_prefix ? 4 : 2;
	case INSN_MODE_32:
		return d->addr_prefix ? 2 : 4;
	default:
		return d->addr_prefix ? 4 : 8;
	}
}

/* Little-endian immediate of @n bytes at the cursor (already checked there). */
static __attribute__((unused)) uint64_t read_le(struct decoder *d, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)d->code[d->pos + i] << (8 * i);
	d->pos += n;
	return v;
}

/* Opcodes a guest is likely to aim at device memory that we do not emulate:
 * named, so that the refusal says what the guest tried. */
struct unhandled {
	uint8_t op;
	bool two_byte;      /* after 0F */
	const char *name;
	const char *why;
};

static const struct unhandled unhandled_ops[] = {
	{ 0xa4, false, "MOVSB", "string instructions are not emulated" },
	{ 0xa5, false, "MOVS", "string instructions are not emulated" },
	{ 0xaa, false, "STOSB", "string instructions are not emulated" },
	{ 0xab, false, "STOS", "string instructions are not emulated" },
	{ 0xac, false, "LODSB", "string instructions are not emulated" },
	{ 0xad, false, "LODS", "string instructions are not emulated" },
	{ 0xa6, false, "CMPSB", "string instructions are not emulated" },
	{ 0xa7, false, "CMPS", "string instructions are not emulated" },
	{ 0xae, false, "SCASB", "string instructions are not emulated" },
	{ 0xaf, false, "SCAS", "string instructions are not emulated" },
	{ 0x6c, false, "INSB", "string I/O exits as I/O, not as MMIO" },
	{ 0x6d, false, "INS", "string I/O exits as I/O, not as MMIO" },
	{ 0x6e, false, "OUTSB", "string I/O exits as I/O, not as MMIO" },
	{ 0x6f, false, "OUTS", "string I/O exits as I/O, not as MMIO" },
	{ 0x86, false, "XCHG", "read-modify-write is not emulated" },
	{ 0x87, false, "XCHG", "read-modify-write is not emulated" },
	{ 0x63, false, "ARPL", "MOVSXD is 63 only in 64-bit mode" },
	{ 0xc4, false, "VEX or LES", "not emulated" },
	{ 0xc5, false, "VEX or LDS", "not emulated" },
	{ 0x62, false, "EVEX or BOUND", "not emulated" },
	{ 0x10, true, "MOVUPS/MOVSS", "vector registers are not emulated" },
	{ 0x11, true, "MOVUPS/MOVSS", "vector registers are not emulated" },
	{ 0x28, true, "MOVAPS", "vector registers are not emulated" },
	{ 0x29, true, "MOVAPS", "vector registers are not emulated" },
	{ 0x6f, true, "MOVQ/MOVDQA", "vector registers are not emulated" },
	{ 0x7f, true, "MOVQ/MOVDQA", "vector registers are not emulated" },
	{ 0xc3, true, "MOVNTI", "not emulated" },
};

/* Refuse the opcode that ends at the cursor, naming all its bytes. */
static __attribute__((unused)) int refuse_opcode(struct decoder *d, bool two_byte, uint8_t op)
{
	char b[INSN_MAX_LEN * 5 + 1];
	bytes_str(d, d->pos, b, sizeof(b));
	for (size_t i = 0; i < sizeof(unhandled_ops) / sizeof(unhandled_ops[0]); i++) {
		const struct unhandled *u = &unhandled_ops[i];
		if (u->op == op && u->two_byte == two_byte)
			return fail(d, "opcode %s (%s%s): %s", b,
				    d->rep == 0xf3 ? "REP " : d->rep == 0xf2 ? "REPNE " : "",
				    u->name, u->why);
	}
	return fail(d, "opcode %s: not a MOV form the MMIO emulator handles", b);
}

/* The ModRM byte of the opcode that ends at the cursor (not consumed). */
static __attribute__((unused)) int peek_modrm(struct decoder *d, uint8_t *modrm)
{
	if (need(d, 1, "ModRM byte"))
		return -1;
	*modrm = d->code[d->pos];
	return 0;
}

/*
 * modrm_operand - step over the memory operand that starts with the ModRM
 * byte at d->pos, and check that @imm_bytes of immediate follow it. The
 * immediate itself is left at the cursor for the caller.
 *
 * What to do (SDM Vol. 2A, 2.1.5, Tables 2-1 to 2-3; 2.2.1.6 for RIP):
 *  - mod = 3 names a register, not memory: refuse ("... ModRM mod=3 ...").
 *  - 16-bit addressing (address_size() == 2): no SIB; mod=0 rm=6 is a
 *    disp16 with no base; mod=1 adds disp8, mod=2 disp16.
 *  - 32/64-bit addressing: rm=4 means a SIB byte follows; mod=0 rm=5 is a
 *    disp32 (RIP-relative in 64-bit mode); a SIB base of 5 with mod=0 also
 *    takes a disp32; mod=1 adds disp8, mod=2 disp32. These checks use the
 *    raw 3-bit fields: REX.B does not change them (R12 still needs a SIB,
 *    R13 with mod=0 still needs a displacement).
 *  - need() the SIB, then need() displacement + immediate in one go, so a
 *    truncated instruction reports exactly how many bytes are missing.
 * Leave d->pos after the displacement; return 0 or -1 (fail() wrote why).
 */
static __attribute__((unused)) int modrm_operand(struct decoder *d, unsigned imm_bytes)
{
	/* BEGIN SOLUTION lab3 */
	uint8_t modrm = d->code[d->pos];
	unsigned mod = MODRM_MOD(modrm), rm = MODRM_RM(modrm), disp = 0;
	if (mod == 3) {
		char b[INSN_MAX_LEN * 5 + 1];
		return fail(d, "opcode %s ModRM 0x%02x: MOV with a register operand "
			    "(ModRM mod=3) does not access memory",
			    bytes_str(d, d->pos, b, sizeof(b)), modrm);
	}
	d->pos++;
	if (address_size(d) == 2) {
		if (mod == 0 && rm == 6)
			disp = 2;
		else
			disp = mod == 1 ? 1 : mod == 2 ? 2 : 0;
	} else {
		if (rm == 4) {
			if (need(d, 1, "SIB byte"))
				return -1;
			uint8_t sib = d->code[d->pos++];
			if (mod == 0 && SIB_BASE(sib) == 5)
				disp = 4;
		}
		if (mod == 0 && rm == 5)
			disp = 4;
		else if (mod == 1)
			disp = 1;
		else if (mod == 2)
			disp = 4;
	}
	if (need(d, disp + imm_bytes, imm_bytes ? "displacement and immediate" : "displacement"))
		return -1;
	d->pos += disp;
	return 0;
	/* END SOLUTION */
	/* STUB lab3
	(void)d;
	(void)imm_bytes;
	NOT_IMPLEMENTED("lab3");
	*/
}

/* The register operand from ModRM.reg (and REX.R) for an operand of @size. */
static __attribute__((unused)) void set_reg(const struct decoder *d, uint8_t modrm,
					    unsigned size, struct insn *out)
{
	unsigned reg = MODRM_REG(modrm) | ((d->rex & REX_R) ? 8 : 0);
	/* Without any REX, byte registers 4..7 are AH CH DH BH (SDM Vol. 2A,
	 * 3.1.1.1 Table 3-1 footnote; with REX they are SPL BPL SIL DIL). */
	out->reg_high8 = size == 1 && !d->rex && reg >= 4;
	out->reg = out->reg_high8 ? (uint8_t)(reg - 4) : (uint8_t)reg;
}

/*
 * decode_opcode - the opcode (and ModRM/immediate) at the cursor, after
 * the prefixes; fills @out's kind, size, reg, reg_high8, reg_size, imm.
 *
 * What to do: read the opcode byte; 0F introduces a second one. Then:
 *  - 88 /r store r8, 89 /r store r16/32/64, 8A /r and 8B /r the loads:
 *    the register is ModRM.reg (set_reg), memory is ModRM.rm
 *    (modrm_operand). Byte forms have size 1; others operand_size().
 *  - A0..A3: AL/rAX to or from a moffs: no ModRM, an absolute address of
 *    address_size() bytes follows; the register is 0 (rAX).
 *  - C6 /0 ib and C7 /0 iw/id store an immediate. ModRM.reg must be 0
 *    (C6/C7 with another reg are not MOV). C7's immediate is 2 bytes for a
 *    16-bit operand, else 4, sign-extended to 8 bytes under REX.W.
 *  - 0F B6 / 0F B7 (MOVZX) and 0F BE / 0F BF (MOVSX): memory is a byte
 *    (B6, BE) or a word (B7, BF), the register operand_size() wide.
 *  - 63 /r in 64-bit mode: MOVSXD, memory of 4 bytes under REX.W (else of
 *    the operand size), sign-extended to the register. Elsewhere 63 is ARPL.
 *  - anything else: refuse_opcode(), which names the bytes.
 * Return 0, or -1 with the reason in d->err.
 */
static int decode_opcode(struct decoder *d, struct insn *out)
{
	/* BEGIN SOLUTION lab3 */
	uint8_t op = d->code[d->pos++], modrm;
	unsigned osz = operand_size(d);

	if (op == 0x0f) {
		if (need(d, 1, "second opcode byte"))
			return -1;
		op = d->code[d->pos++];
		switch (op) {
		case 0xb6: case 0xb7: case 0xbe: case 0xbf:
			if (peek_modrm(d, &modrm) || modrm_operand(d, 0))
				return -1;
			out->kind = (op & 0x08) ? INSN_LOAD_SX : INSN_LOAD_ZX;
			out->size = (op & 1) ? 2 : 1;
			out->reg_size = (uint8_t)osz;
			set_reg(d, modrm, osz, out);
			return 0;
		default:
			return refuse_opcode(d, true, op);
		}
	}

	switch (op) {
	case 0x88: case 0x89: case 0x8a: case 0x8b: {
		unsigned size = (op & 1) ? osz : 1;
		if (peek_modrm(d, &modrm) || modrm_operand(d, 0))
			return -1;
		out->kind = (op & 2) ? INSN_LOAD : INSN_STORE;
		out->size = out->reg_size = (uint8_t)size;
		set_reg(d, modrm, size, out);
		return 0;
	}
	case 0xa0: case 0xa1: case 0xa2: case 0xa3: {
		unsigned asz = address_size(d);
		if (need(d, asz, "moffs address"))
			return -1;
		d->pos += asz;
		out->kind = (op & 2) ? INSN_STORE : INSN_LOAD;
		out->size = out->reg_size = (uint8_t)((op & 1) ? osz : 1);
		out->reg = 0;
		return 0;
	}
	case 0xc6: case 0xc7: {
		unsigned size = (op & 1) ? osz : 1;
		unsigned imm_bytes = size > 4 ? 4 : size;
		if (peek_modrm(d, &modrm))
			return -1;
		if (MODRM_REG(modrm) != 0) {
			char b[INSN_MAX_LEN * 5 + 1];
			return fail(d, "opcode %s ModRM 0x%02x: %#x /%u is not MOV (only /0 is)",
				    bytes_str(d, d->pos, b, sizeof(b)), modrm, op, MODRM_REG(modrm));
		}
		if (modrm_operand(d, imm_bytes))
			return -1;
		uint64_t imm = read_le(d, imm_bytes);
		if (size == 8 && (imm & 0x80000000u))
			imm |= 0xffffffff00000000ull;   /* imm32 sign-extended under REX.W */
		out->kind = INSN_STORE_IMM;
		out->size = out->reg_size = (uint8_t)size;
		out->reg = 0;
		out->imm = imm;
		return 0;
	}
	case 0x63:
		if (d->mode != INSN_MODE_64)
			return refuse_opcode(d, false, op);
		if (peek_modrm(d, &modrm) || modrm_operand(d, 0))
			return -1;
		out->kind = INSN_LOAD_SX;
		out->size = (uint8_t)(osz == 8 ? 4 : osz);
		out->reg_size = (uint8_t)osz;
		set_reg(d, modrm, osz, out);
		return 0;
	default:
		return refuse_opcode(d, false, op);
	}
	/* END SOLUTION */
	/* STUB lab3
	(void)d;
	(void)out;
	NOT_IMPLEMENTED("lab3");
	*/
}

/* ES, CS, SS, DS overrides: null prefixes in 64-bit mode, which neither
 * select a segment nor cancel an FS/GS one (SDM Vol. 1, 3.4.2.1). */
static void legacy_seg(struct decoder *d, enum insn_seg seg)
{
	if (d->mode != INSN_MODE_64)
		d->seg = seg;
}

/*
 * The prefixes (SDM Vol. 2A, 2.1.1): any order, each group's last one
 * counts. REX (40-4F, 64-bit mode only; in other modes these bytes are
 * INC/DEC) counts only right before the opcode: a legacy prefix after it
 * makes the CPU ignore it (2.2.1).
 */
static int decode_prefixes(struct decoder *d)
{
	for (;;) {
		if (need(d, 1, "opcode"))
			return -1;
		uint8_t b = d->code[d->pos];
		switch (b) {
		case 0x66: d->opsize_prefix = true; break;
		case 0x67: d->addr_prefix = true; break;
		case 0x26: legacy_seg(d, INSN_SEG_ES); break;
		case 0x2e: legacy_seg(d, INSN_SEG_CS); break;
		case 0x36: legacy_seg(d, INSN_SEG_SS); break;
		case 0x3e: legacy_seg(d, INSN_SEG_DS); break;
		case 0x64: d->seg = INSN_SEG_FS; break;
		case 0x65: d->seg = INSN_SEG_GS; break;
		case 0xf0: d->lock = true; break;
		case 0xf2: case 0xf3: d->rep = b; break;
		default:
			if (d->mode == INSN_MODE_64 && (b & 0xf0) == 0x40) {
				d->rex = b;
				d->pos++;
				d->nprefix++;
				continue;
			}
			return 0;
		}
		d->rex = 0;
		d->pos++;
		d->nprefix++;
	}
}

int insn_decode(const uint8_t *code, size_t avail, enum insn_mode mode,
		struct insn *out, char *err, size_t errlen)
{
	struct decoder d = {
		.code = code, .avail = avail, .mode = mode, .err = err, .errlen = errlen,
	};
	struct insn in = { 0 };

	if (err && errlen)
		err[0] = '\0';
	if (mode != INSN_MODE_16 && mode != INSN_MODE_32 && mode != INSN_MODE_64)
		return fail(&d, "insn_decode: bad mode %d", (int)mode);
	if (decode_prefixes(&d) || decode_opcode(&d, &in))
		return -1;
	/* LOCK on a MOV is #UD (SDM Vol. 2A, LOCK: only read-modify-write
	 * instructions take it); F2/F3 here would be XACQUIRE/XRELEASE or
	 * meaningless: refuse rather than guess which. */
	if (d.lock)
		return fail(&d, "LOCK prefix on MOV is #UD");
	if (d.rep)
		return fail(&d, "prefix 0x%02x (REP/XACQUIRE/XRELEASE) on MOV is not emulated", d.rep);
	in.len = (uint8_t)d.pos;
	in.seg = d.seg;
	in.addr_size = (uint8_t)address_size(&d);
	*out = in;
	return 0;
}

/* The low @n bytes of @v. */
static uint64_t low_bytes(uint64_t v, unsigned n)
{
	return n >= 8 ? v : v & ((1ull << (8 * n)) - 1);
}

/* @v's low @n bytes, sign-extended to 64 bits. */
static uint64_t sign_extend(uint64_t v, unsigned n)
{
	unsigned shift = 64 - 8 * n;
	return (uint64_t)((int64_t)(v << shift) >> shift);
}

uint64_t insn_load_result(const struct insn *in, uint64_t old_reg, uint64_t mem)
{
	uint64_t v = low_bytes(mem, in->size);
	if (in->kind == INSN_LOAD_SX)
		v = sign_extend(v, in->size);
	switch (in->reg_size) {
	case 1:
		if (in->reg_high8)
			return (old_reg & ~0xff00ull) | (v & 0xff) << 8;
		return (old_reg & ~0xffull) | (v & 0xff);
	case 2:
		return (old_reg & ~0xffffull) | (v & 0xffff);
	case 4:
		/* A 32-bit destination clears bits 63:32 (SDM Vol. 1, 3.4.1.1). */
		return v & 0xffffffffull;
	default:
		return v;
	}
}

uint64_t insn_store_value(const struct insn *in, uint64_t reg_value)
{
	if (in->kind == INSN_STORE_IMM)
		return low_bytes(in->imm, in->size);
	if (in->reg_high8)
		return (reg_value >> 8) & 0xff;
	return low_bytes(reg_value, in->size);
}

const char *insn_kind_name(enum insn_kind k)
{
	switch (k) {
	case INSN_LOAD: return "load";
	case INSN_STORE: return "store";
	case INSN_STORE_IMM: return "store-imm";
	case INSN_LOAD_ZX: return "load-zx";
	case INSN_LOAD_SX: return "load-sx";
	}
	return "?";
}
