/*
 * crash.c - "crash=pf|gp|ud|de|df|panic" on the command line makes the
 * kernel fail on purpose once it is up, so the grader (and a student) can
 * see what an exception report and a panic backtrace look like.
 *
 * Each crash goes through two functions so the backtrace has frames to
 * show. The inline assembly is the point here: C cannot ask for a #UD or a
 * divide by zero without undefined behaviour.
 */
#include <stdint.h>
#include "cmdline.h"
#include "init.h"
#include "panic.h"
#include "printf.h"
#include "string.h"

/* Canonical, but far above any RAM the kernel identity-maps. */
#define CRASH_UNMAPPED_VA  0x00007ffffffff000ull
/* Bit 63 set, bits 62:47 clear: not canonical, so any access is #GP(0). */
#define CRASH_NONCANONICAL 0x8000000000000000ull

struct crash_kind {
	const char *name;
	const char *what;
	void (*fn)(void);
};

static void __attribute__((noinline)) crash_pf(void)
{
	volatile uint64_t *p = (volatile uint64_t *)CRASH_UNMAPPED_VA;
	(void)*p;
}

static void __attribute__((noinline)) crash_gp(void)
{
	volatile uint64_t *p = (volatile uint64_t *)CRASH_NONCANONICAL;
	(void)*p;
}

static void __attribute__((noinline)) crash_ud(void)
{
	__asm__ volatile("ud2");
}

static void __attribute__((noinline)) crash_de(void)
{
	uint64_t dividend = 1, zero = 0;
	__asm__ volatile("xorl %%edx, %%edx\n\tdivq %1" : "+a"(dividend) : "r"(zero) : "rdx");
}

/*
 * A kernel stack overflow, in miniature: move RSP onto an unmapped page and
 * push. The #PF cannot push its own frame there either, and a page fault
 * while delivering a page fault is a double fault (Intel SDM Vol. 3A,
 * 6.15, Table 6-5). Only the IST stack for #DF lets it be reported.
 */
static void __attribute__((noinline)) crash_df(void)
{
	__asm__ volatile("movq %0, %%rsp\n\tpushq $0" : : "r"(CRASH_UNMAPPED_VA) : "memory");
}

static void __attribute__((noinline)) crash_panic(void)
{
	panic("crash: deliberate panic (crash=panic on the command line)");
}

static const struct crash_kind crash_kinds[] = {
	{ "pf", "page fault: read of unmapped address 0x7ffffffff000", crash_pf },
	{ "gp", "general protection: read of a non-canonical address", crash_gp },
	{ "ud", "invalid opcode: ud2", crash_ud },
	{ "de", "divide error: divq by zero", crash_de },
	{ "df", "double fault: push with RSP on an unmapped page", crash_df },
	{ "panic", "panic() with a backtrace", crash_panic },
};

static void __attribute__((noinline)) crash_run(const struct crash_kind *k)
{
	kprintf("crash: triggering %s as asked (crash=%s)\n", k->what, k->name);
	k->fn();
	kprintf("crash: crash=%s returned; it should not have\n", k->name);
}

static int crash_from_cmdline(void)
{
	char v[16];
	if (!cmdline_get("crash", v, sizeof(v)))
		return 0;
	for (size_t i = 0; i < sizeof(crash_kinds) / sizeof(crash_kinds[0]); i++) {
		if (strcmp(v, crash_kinds[i].name) == 0) {
			crash_run(&crash_kinds[i]);
			return -1;
		}
	}
	kprintf("crash: unknown value '%s'; expected one of pf, gp, ud, de, df, panic\n", v);
	return -1;
}
INITCALL(19, crash_from_cmdline);
