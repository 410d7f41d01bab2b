/*
 * test_printf.c - kvsnprintf against the C standard's formatting rules.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include "printf.h"

/* Some formats below are malformed on purpose. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-overflow"

static char buf[128];

#define CHECK(expect, ...) do { \
	int n_ = ksnprintf(buf, sizeof(buf), __VA_ARGS__); \
	cr_expect_str_eq(buf, expect, "format %s", #__VA_ARGS__); \
	cr_expect_eq(n_, (int)sizeof(expect) - 1, "length for %s", #__VA_ARGS__); \
} while (0)

Test(printf, integers)
{
	CHECK("42", "%d", 42);
	CHECK("-42", "%i", -42);
	CHECK("4294967295", "%u", 4294967295u);
	CHECK("-9223372036854775808", "%ld", (long)INT64_MIN);
	CHECK("18446744073709551615", "%lu", (unsigned long)UINT64_MAX);
	CHECK("-1", "%lld", -1ll);
	CHECK("255", "%hhu", 0x1ff);
	CHECK("-1", "%hd", 0xffff);
	CHECK("123", "%zu", (size_t)123);
}

Test(printf, hex_and_octal)
{
	CHECK("ff", "%x", 255);
	CHECK("FF", "%X", 255);
	CHECK("0xff", "%#x", 255);
	CHECK("0", "%#x", 0);
	CHECK("deadbeefcafe", "%lx", 0xdeadbeefcafeul);
	CHECK("17", "%o", 15);
	CHECK("017", "%#o", 15);
	CHECK("0x1000", "%p", (void *)0x1000);
}

Test(printf, width_precision_flags)
{
	CHECK("   42", "%5d", 42);
	CHECK("42   |", "%-5d|", 42);
	CHECK("00042", "%05d", 42);
	CHECK("-0042", "%05d", -42);
	CHECK("+42", "%+d", 42);
	CHECK(" 42", "% d", 42);
	CHECK("  007", "%5.3d", 7);
	CHECK("", "%.0d", 0);
	CHECK("0x0000ff", "%#08x", 255);
	CHECK("00000000000000ff", "%016lx", 255ul);
	CHECK("   ab", "%*s", 5, "ab");
	CHECK("ab   |", "%*s|", -5, "ab");
	CHECK("abc", "%.3s", "abcdef");
	CHECK("ab", "%.*s", 2, "abcdef");
}

Test(printf, chars_strings_percent)
{
	CHECK("x", "%c", 'x');
	CHECK("  x", "%3c", 'x');
	CHECK("hello world", "%s %s", "hello", "world");
	CHECK("(null)", "%s", (char *)NULL);
	CHECK("100%", "%d%%", 100);
}

Test(printf, malformed_formats_are_visible)
{
	CHECK("%y", "%y");
	CHECK("abc%", "abc%");
}

Test(printf, truncation)
{
	char small[6];
	int n = ksnprintf(small, sizeof(small), "%s", "hello world");
	cr_expect_eq(n, 11, "returns the untruncated length");
	cr_expect_str_eq(small, "hello");
	n = ksnprintf(small, 0, "%d", 12345);
	cr_expect_eq(n, 5, "size 0 writes nothing but still counts");
	n = ksnprintf(small, 1, "abc");
	cr_expect_str_eq(small, "");
}
