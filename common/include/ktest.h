/*
 * ktest.h - the in-kernel test protocol the grader reads.
 *
 * A test is a function registered with KTEST(name). The runner prints one
 * "PASS: name" or "FAIL: name: reason" line per test, then
 * "SUMMARY: N tests, M failures", then ends the run (platform_exit).
 * Tests are selected on the kernel command line: test=all, test=NAME,
 * or test=PREFIX* (several separated by commas).
 */
#ifndef HVLAB_KTEST_H
#define HVLAB_KTEST_H

#include <stdbool.h>

struct ktest {
	const char *name;
	void (*fn)(void);
};

#define KTEST(tname) \
	static void ktest_fn_##tname(void); \
	static const struct ktest ktest_##tname \
		__attribute__((section(".ktests"), used, aligned(8))) = { #tname, ktest_fn_##tname }; \
	static void ktest_fn_##tname(void)

/** Record a failure of the running test (first one wins) with a reason. */
void ktest_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/**
 * Mark the running test skipped: it needs something this machine lacks
 * (a second CPU, say). The runner prints "SKIP: name: reason", never PASS,
 * and does not count it as a failure. A recorded failure still wins.
 */
void ktest_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** True once the running test has recorded a failure. */
bool ktest_failed(void);
/** Name of the test being run, or NULL outside the runner (used by the trap handler). */
const char *ktest_current(void);

/* Check a condition; on failure record it and leave the test function. */
#define KASSERT(c) \
	do { if (!(c)) { ktest_fail(__FILE__, __LINE__, "%s", #c); return; } } while (0)
/* Like KASSERT, with a message of the test's own. */
#define KASSERTF(c, ...) \
	do { if (!(c)) { ktest_fail(__FILE__, __LINE__, __VA_ARGS__); return; } } while (0)
/* Skip the test (see ktest_skip) and leave the test function. */
#define KSKIP(...) \
	do { ktest_skip(__VA_ARGS__); return; } while (0)
/* Check without leaving (usable in helpers that return values). */
#define KEXPECT(c) \
	do { if (!(c)) ktest_fail(__FILE__, __LINE__, "%s", #c); } while (0)

/** Run the tests whose names match @filter; returns the number of failures. */
int ktest_run(const char *filter);
/** Shell-style match of @name against one pattern: exact, or a trailing '*'. */
bool ktest_match(const char *pattern, const char *name);

#endif
