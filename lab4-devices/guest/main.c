/*
 * main.c - lab4-tests: boot, run every test of g4_tests.h, report, and
 * end the VM with the number of failures.
 *
 * Output (COM1), one line each:
 *   PASS: name
 *   FAIL: name: file:line: why
 *   SUMMARY: N tests, M failures
 * then a 32-bit OUT of M to the debug-exit port 0xF4, which ends the VM
 * with status M. INFO lines in between are measurements for people.
 */
#include "g4_dev.h"
#include "g4_tests.h"

struct g4_jmp {
	uint32_t ebx, esi, edi, ebp, esp, eip;
};
int g4_setjmp(struct g4_jmp *j);
void g4_longjmp(struct g4_jmp *j, int val) __attribute__((noreturn));
void g4_main(void);

struct g4_test {
	const char *name;
	void (*fn)(void);
};

#define G4_TEST_ENTRY(name) { #name, test_##name },
static const struct g4_test tests[] = { G4_TESTS(G4_TEST_ENTRY) };

uint64_t g4_exit_us_pio, g4_exit_us_mmio;
static bool failed;
static char fail_reason[200];
static bool in_test;
static struct g4_jmp test_jmp;

void g4_fail(const char *file, int line, const char *fmt, ...)
{
	if (failed)
		return;
	failed = true;
	int n = g4_snprintf(fail_reason, sizeof(fail_reason), "%s:%d: ", file, line);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (unsigned)n < sizeof(fail_reason))
		g4_vsnprintf(fail_reason + n, sizeof(fail_reason) - (unsigned)n, fmt, ap);
	va_end(ap);
}

void g4_unexpected_exception(struct g4_frame *f)
{
	if (!in_test) {
		g4_printf("lab4-tests: exception %u (error %#x) at eip %#x outside a test; giving up\n",
			  f->vector, f->error, f->eip);
		outl(DEBUG_EXIT, 0xff);
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	if (!failed) {
		failed = true;
		g4_snprintf(fail_reason, sizeof(fail_reason),
			    "unexpected exception %u (error code %#x) at eip %#x", f->vector, f->error,
			    f->eip);
	}
	g4_longjmp(&test_jmp, 1);
}

/* Run one test from the quiet state; false if it failed. */
static bool run_one(const struct g4_test *t)
{
	failed = false;
	g4_quiesce();
	in_test = true;
	if (g4_setjmp(&test_jmp) == 0)
		t->fn();
	in_test = false;
	/* The devices first: a test may have left the UART in loopback. */
	g4_quiesce();
	return !failed;
}

/* What one exit costs: a port read that hvlab emulates (the PIC's IMR). */
static void measure_exit_cost(void)
{
	uint64_t t0 = rdtsc();
	for (int i = 0; i < 100; i++)
		(void)inb(PIC1_DATA);
	uint64_t pio = (rdtsc() - t0) / 100;
	t0 = rdtsc();
	for (int i = 0; i < 100; i++)
		(void)lapic_read(LAPIC_VER);
	uint64_t mmio = (rdtsc() - t0) / 100;
	g4_exit_us_pio = g4_tsc_to_us(pio) + 1;
	g4_exit_us_mmio = g4_tsc_to_us(mmio) + 1;
	g4_info("one exit takes %llu TSC ticks (%llu ns) for port I/O, %llu (%llu ns) for MMIO\n",
		(unsigned long long)pio, (unsigned long long)(pio * 1000000000ull / g4_tsc_hz),
		(unsigned long long)mmio, (unsigned long long)(mmio * 1000000000ull / g4_tsc_hz));
}

void g4_main(void)
{
	g4_console_init();
	g4_idt_init();
	g4_snapshot_boot_state();
	g4_quiesce();
	g4_printf("lab4-tests: Multiboot test kernel for hvlab's PC, %u tests\n",
		  (unsigned)(sizeof(tests) / sizeof(tests[0])));
	g4_tsc_hz = pit_calibrate_tsc(20);
	if (!g4_tsc_hz) {
		g4_printf("lab4-tests: PIT channel 2 never raised OUT2: assuming a 1 GHz TSC\n");
		g4_tsc_hz = 1000000000ull;
	}
	g4_info("TSC %llu Hz (PIT channel 2, 20 ms)\n", (unsigned long long)g4_tsc_hz);
	measure_exit_cost();

	unsigned n = sizeof(tests) / sizeof(tests[0]), failures = 0;
	uint64_t start = rdtsc();
	for (unsigned i = 0; i < n; i++) {
		uint64_t t0 = rdtsc();
		if (run_one(&tests[i])) {
			g4_printf("PASS: %s\n", tests[i].name);
		} else {
			g4_printf("FAIL: %s: %s\n", tests[i].name, fail_reason);
			failures++;
		}
		uint64_t ms = g4_tsc_to_us(rdtsc() - t0) / 1000;
		if (ms >= 100)
			g4_info("%s took %llu ms of guest time\n", tests[i].name, (unsigned long long)ms);
	}
	g4_info("the tests took %llu ms of guest time\n",
		(unsigned long long)(g4_tsc_to_us(rdtsc() - start) / 1000));
	g4_printf("SUMMARY: %u tests, %u failures\n", n, failures);
	outl(DEBUG_EXIT, failures);
	g4_printf("FAIL: debug_exit: the VM still runs after a write to port 0xf4\n");
}
