/*
 * gtest.c - runs the tests registered with GTEST() (gtest.h) and prints
 * the protocol lines. A test that takes an exception nobody expected is
 * unwound with grt_longjmp and fails; the next test still runs.
 */
#include <stdarg.h>
#include "grt.h"
#include "gtest.h"
#include "printf.h"
#include "x86.h"

extern const struct gtest __start_gtests[], __stop_gtests[];

static bool failed;
static char fail_reason[200];
static struct grt_jmp test_jmp;

void gtest_fail(const char *file, int line, const char *fmt, ...)
{
	if (failed)
		return;
	failed = true;
	int n = ksnprintf(fail_reason, sizeof(fail_reason), "%s:%d: ", file, line);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (unsigned)n < sizeof(fail_reason))
		kvsnprintf(fail_reason + n, sizeof(fail_reason) - (unsigned)n, fmt, ap);
	va_end(ap);
}

/* An unexpected exception inside a test: fail it and unwind to the runner. */
static void gtest_unexpected(const struct grt_frame *f)
{
	if (!failed) {
		failed = true;
		int n = ksnprintf(fail_reason, sizeof(fail_reason),
				  "unexpected %s (vector %lu), error code %#lx at rip %#lx",
				  grt_vector_name((unsigned)f->vector), (unsigned long)f->vector,
				  (unsigned long)f->error_code, (unsigned long)f->rip);
		if (f->vector == VEC_PF && n > 0 && (unsigned)n < sizeof(fail_reason))
			ksnprintf(fail_reason + n, sizeof(fail_reason) - (unsigned)n,
				  ", cr2 %#lx", (unsigned long)read_cr2());
	}
	grt_longjmp(&test_jmp, 1);
}

/* Run one test; false when it failed. The jump buffer brings an
 * unexpected exception back here, and nothing changes after grt_setjmp. */
static bool run_one(const struct gtest *t)
{
	failed = false;
	grt_unexpected_hook = gtest_unexpected;
	if (grt_setjmp(&test_jmp) == 0)
		t->fn();
	grt_unexpected_hook = 0;
	return !failed;
}

int gtest_run_all(void)
{
	int ran = 0, failures = 0;

	for (const struct gtest *t = __start_gtests; t < __stop_gtests; t++) {
		if (run_one(t)) {
			gprintf("PASS: %s\n", t->name);
		} else {
			gprintf("FAIL: %s: %s\n", t->name, fail_reason);
			failures++;
		}
		ran++;
	}
	gprintf("SUMMARY: %d tests, %d failures\n", ran, failures);
	return failures;
}
