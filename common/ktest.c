/*
 * ktest.c - runs the tests registered with KTEST() and prints the protocol
 * lines the grader matches (see ktest.h).
 */
#include "ktest.h"
#include "printf.h"
#include "string.h"

extern const struct ktest __start_ktests[], __stop_ktests[];

static const char *current;
static char fail_reason[200];
static bool failed;
static bool skipped;
static char skip_reason[120];

void ktest_fail(const char *file, int line, const char *fmt, ...)
{
	if (failed)
		return;
	failed = true;
	int n = ksnprintf(fail_reason, sizeof(fail_reason), "%s:%d: ", file, line);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof(fail_reason))
		kvsnprintf(fail_reason + n, sizeof(fail_reason) - (size_t)n, fmt, ap);
	va_end(ap);
}

void ktest_skip(const char *fmt, ...)
{
	skipped = true;
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(skip_reason, sizeof(skip_reason), fmt, ap);
	va_end(ap);
}

bool ktest_failed(void) { return failed; }
const char *ktest_current(void) { return current; }

bool ktest_match(const char *pattern, const char *name)
{
	size_t n = strlen(pattern);
	if (n && pattern[n - 1] == '*')
		return strncmp(pattern, name, n - 1) == 0;
	return strcmp(pattern, name) == 0;
}

/* Does @name match any comma-separated pattern in @filter? */
static bool filter_match(const char *filter, const char *name)
{
	char pat[64];
	while (*filter) {
		size_t n = 0;
		while (filter[n] && filter[n] != ',')
			n++;
		if (n < sizeof(pat)) {
			memcpy(pat, filter, n);
			pat[n] = '\0';
			if (strcmp(pat, "all") == 0 || ktest_match(pat, name))
				return true;
		}
		filter += n + (filter[n] == ',');
	}
	return false;
}

int ktest_run(const char *filter)
{
	int ran = 0, failures = 0, skips = 0;

	for (const struct ktest *t = __start_ktests; t < __stop_ktests; t++) {
		if (!filter_match(filter, t->name))
			continue;
		current = t->name;
		failed = false;
		skipped = false;
		t->fn();
		if (failed) {
			kprintf("FAIL: %s: %s\n", t->name, fail_reason);
			failures++;
		} else if (skipped) {
			kprintf("SKIP: %s: %s\n", t->name, skip_reason);
			skips++;
		} else {
			kprintf("PASS: %s\n", t->name);
		}
		ran++;
	}
	current = NULL;
	if (ran == 0)
		kprintf("ktest: no test matches '%s'\n", filter);
	if (skips)
		kprintf("SUMMARY: %d tests, %d failures, %d skipped\n", ran, failures, skips);
	else
		kprintf("SUMMARY: %d tests, %d failures\n", ran, failures);
	return failures;
}
