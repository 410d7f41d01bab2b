/*
#include <string.h>
 * test_cmdline.c - the boot command line parser.
 */
#include <criterion/criterion.h>
#include "cmdline.h"

Test(cmdline, key_value_and_bare_keys)
{
	char v[32];
	cmdline_set("test=pmm*,heap quiet  cpus=2");
	cr_assert(cmdline_get("test", v, sizeof(v)));
	cr_expect_str_eq(v, "pmm*,heap");
	cr_assert(cmdline_get("quiet", v, sizeof(v)));
	cr_expect_str_eq(v, "");
	cr_assert(cmdline_get("cpus", v, sizeof(v)));
	cr_expect_str_eq(v, "2");
}

Test(cmdline, prefixes_do_not_match)
{
	char v[8];
	cmdline_set("testing=1 tes=2");
	cr_expect_not(cmdline_get("test", v, sizeof(v)));
	cr_expect_not(cmdline_get("te", v, sizeof(v)));
}

Test(cmdline, value_truncated_to_buffer)
{
	char v[4];
	cmdline_set("k=abcdefgh");
	cr_assert(cmdline_get("k", v, sizeof(v)));
	cr_expect_str_eq(v, "abc");
}

Test(cmdline, overlong_line_is_cut_not_overflowed)
{
	char big[1000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cmdline_set(big);
	cr_expect_eq(strlen(cmdline_get_all()), 255);
	cmdline_set(NULL);
	cr_expect_str_eq(cmdline_get_all(), "");
}
