/*
 * gtest.h - the in-guest test protocol, the same lines as the kernel's
 * ktest (common/include/ktest.h): "PASS: name" or "FAIL: name: reason" per
 * test, then "SUMMARY: N tests, M failures"; the guest then ends with
 * HC_EXIT(failures). The hypervisor prints guest lines with a
 * "[guest NAME] " prefix, so the grader tells them from the kernel's.
 *
 * An exception that no fixup expected fails the running test and the
 * runner goes on with the next one.
 */
#ifndef GUEST_GTEST_H
#define GUEST_GTEST_H

#include <stdbool.h>

struct gtest {
	const char *name;
	void (*fn)(void);
};

#define GTEST(tname) \
	static void gtest_fn_##tname(void); \
	static const struct gtest gtest_##tname \
		__attribute__((section("gtests"), used, aligned(8))) = { #tname, gtest_fn_##tname }; \
	static void gtest_fn_##tname(void)

/** Record a failure of the running test (the first one wins). */
void gtest_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Check a condition; on failure record it and leave the test function. */
#define GASSERT(c) \
	do { if (!(c)) { gtest_fail(__FILE__, __LINE__, "%s", #c); return; } } while (0)
/* Like GASSERT, with a message of the test's own (say what was seen). */
#define GASSERTF(c, ...) \
	do { if (!(c)) { gtest_fail(__FILE__, __LINE__, __VA_ARGS__); return; } } while (0)
/* Compare two integers; the message shows both values. */
#define GASSERT_EQ(a, b) \
	do { unsigned long long ga_ = (unsigned long long)(a), gb_ = (unsigned long long)(b); \
	     if (ga_ != gb_) { gtest_fail(__FILE__, __LINE__, "%s is %#llx, expected %#llx (%s)", \
					  #a, ga_, gb_, #b); return; } } while (0)

/** Run every registered test in link order; returns the number of failures. */
int gtest_run_all(void);

#endif
