/*
 * test_ept_violation.c - decoding the EPT-violation exit qualification
 * (SDM Vol. 3C, 27.2.1, Table 27-7) and the line that describes it.
 * The bit positions are written out here as numbers, from the SDM table,
 * not taken from ept_violation.h.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>
#include "ept_violation.h"

Test(ept_violation, decode_every_combination_of_bits_0_to_12)
{
	for (uint64_t q = 0; q < (1u << 13); q++) {
		struct ept_violation ev;
		memset(&ev, 0xa5, sizeof(ev));
		ept_violation_decode(q, 0x123456789000ull + q, 0xffff800000001000ull + q, &ev);
		bool gla_valid = q & (1 << 7);
		cr_assert_eq(ev.gpa, 0x123456789000ull + q, "q %#lx: gpa", q);
		cr_assert_eq(ev.read, (q & 1) != 0, "q %#lx: read", q);
		cr_assert_eq(ev.write, (q & 2) != 0, "q %#lx: write", q);
		cr_assert_eq(ev.fetch, (q & 4) != 0, "q %#lx: fetch", q);
		cr_assert_eq(ev.allowed, (q >> 3) & 7, "q %#lx: allowed %u", q, ev.allowed);
		cr_assert_eq(ev.gla_valid, gla_valid, "q %#lx: gla_valid", q);
		cr_assert_eq(ev.gla, gla_valid ? 0xffff800000001000ull + q : 0, "q %#lx: gla", q);
		cr_assert_eq(ev.gla_translation, gla_valid && (q & (1 << 8)),
			     "q %#lx: bit 8 means something only with bit 7", q);
		cr_assert_eq(ev.nmi_unblocking, (q & (1 << 12)) != 0, "q %#lx: NMI unblocking", q);
	}
}

/* Bits 5:3 line up with the entry's bits 2:0: read, write, execute. */
Test(ept_violation, allowed_uses_entry_bit_names)
{
	struct ept_violation ev;
	ept_violation_decode(1 << 3, 0, 0, &ev);
	cr_expect_eq(ev.allowed, EPT_R);
	ept_violation_decode(1 << 4, 0, 0, &ev);
	cr_expect_eq(ev.allowed, EPT_W);
	ept_violation_decode(1 << 5, 0, 0, &ev);
	cr_expect_eq(ev.allowed, EPT_X);
}

/* Bits the decoder does not report (6, 9-11, 13 and up) change nothing it reports. */
Test(ept_violation, other_bits_are_ignored)
{
	uint64_t others = (1ull << 6) | (7ull << 9) | ~((1ull << 13) - 1);
	for (uint64_t q = 0; q < (1u << 13); q += 37) {
		struct ept_violation a, b;
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		ept_violation_decode(q, 0x1000, 0x2000, &a);
		ept_violation_decode(q | others, 0x1000, 0x2000, &b);
		cr_assert(memcmp(&a, &b, sizeof(a)) == 0, "q %#lx: other bits changed the decode", q);
	}
}

static const char *format(uint64_t q, uint64_t gpa, uint64_t gla)
{
	static char buf[256];
	struct ept_violation ev;
	ept_violation_decode(q, gpa, gla, &ev);
	int n = ept_violation_format(&ev, buf, sizeof(buf));
	cr_assert_eq(n, (int)strlen(buf), "returned %d for \"%s\"", n, buf);
	return buf;
}

Test(ept_violation, format_write_not_mapped)
{
	cr_expect_str_eq(format(0x2 | 0x180, 0x200010, 0x200010),
			 "write to guest-physical 0x200010 (guest-linear 0x200010, the access "
			 "itself): not mapped");
}

Test(ept_violation, format_fetch_not_executable)
{
	cr_expect_str_eq(format(0x4 | (3 << 3) | 0x180, 0x5000, 0xffff800000005000ull),
			 "instruction fetch at guest-physical 0x5000 (guest-linear "
			 "0xffff800000005000, the access itself): the entry allows read, write");
}

Test(ept_violation, format_read_not_allowed)
{
	cr_expect_str_eq(format(0x1 | (6 << 3) | 0x180, 0x7000, 0x7000),
			 "read of guest-physical 0x7000 (guest-linear 0x7000, the access itself): "
			 "the entry allows write, execute");
}

Test(ept_violation, format_paging_structure_access)
{
	cr_expect_str_eq(format(0x1 | 0x80, 0x3ff8, 0x400000),
			 "read of a guest paging structure at guest-physical 0x3ff8 while "
			 "translating guest-linear 0x400000: not mapped");
	/* An accessed/dirty update of a guest paging-structure entry is a write. */
	cr_expect_str_eq(format(0x2 | (5 << 3) | 0x80, 0x3ff8, 0x400000),
			 "write to a guest paging structure at guest-physical 0x3ff8 while "
			 "translating guest-linear 0x400000: the entry allows read, execute");
}

Test(ept_violation, format_without_linear_address)
{
	/* Bit 8 without bit 7 is reserved: still no linear address, and the gla field ignored. */
	cr_expect_str_eq(format(0x1 | (1 << 3) | 0x100, 0x1000, 0xdead000),
			 "read of guest-physical 0x1000 (no guest-linear address): the entry allows "
			 "read");
}

Test(ept_violation, format_several_kinds_and_none)
{
	cr_expect_str_eq(format(0x3 | (1 << 3) | 0x180, 0x9000, 0x9000),
			 "read and write at guest-physical 0x9000 (guest-linear 0x9000, the access "
			 "itself): the entry allows read");
	cr_expect_str_eq(format(0x7 | 0x180, 0x9000, 0x9000),
			 "read and write and instruction fetch at guest-physical 0x9000 (guest-linear "
			 "0x9000, the access itself): not mapped");
	cr_expect_str_eq(format(0, 0, 0),
			 "access (kind not reported) at guest-physical 0x0 (no guest-linear address): "
			 "not mapped");
}

Test(ept_violation, format_all_rights_and_nmi)
{
	cr_expect_str_eq(format(0x2 | (7 << 3) | 0x180 | 0x1000, 0xb8000, 0xb8000),
			 "write to guest-physical 0xb8000 (guest-linear 0xb8000, the access itself): "
			 "the entry allows read, write, execute; NMI unblocked by IRET");
	cr_expect_str_eq(format(0x1 | (4 << 3) | 0x180, 0xb8000, 0xb8000),
			 "read of guest-physical 0xb8000 (guest-linear 0xb8000, the access itself): "
			 "the entry allows execute");
}

/* snprintf's contract: the full length back, the buffer always terminated. */
Test(ept_violation, format_truncates_like_snprintf)
{
	struct ept_violation ev;
	ept_violation_decode(0x4 | (3 << 3) | 0x180 | 0x1000, 0x5000, 0x5000, &ev);
	char full[256];
	int len = ept_violation_format(&ev, full, sizeof(full));
	cr_assert_gt(len, 40);
	cr_assert_eq(len, (int)strlen(full));
	cr_expect_eq(ept_violation_format(&ev, NULL, 0), len, "n 0: only the length");
	for (int n = 1; n <= len + 2; n++) {
		char buf[260];
		memset(buf, 'Z', sizeof(buf));
		cr_assert_eq(ept_violation_format(&ev, buf, n), len, "n %d", n);
		int kept = n - 1 < len ? n - 1 : len;
		cr_assert_eq(buf[kept], '\0', "n %d: not terminated at %d", n, kept);
		cr_assert(memcmp(buf, full, kept) == 0, "n %d: \"%s\" is not a prefix", n, buf);
		cr_assert_eq(buf[kept + 1], 'Z', "n %d: wrote past the terminator", n);
	}
}
