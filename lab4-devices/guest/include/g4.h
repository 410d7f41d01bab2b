/*
 * g4.h - the runtime of "lab4-tests", a small Multiboot 1 kernel that
 * tests hvlab's virtual PC from inside (lab 4).
 *
 * The kernel runs in 32-bit protected mode with paging off, as the
 * Multiboot spec (0.6.96, section 3.2) starts it: a flat GDT of its own,
 * an IDT whose 256 stubs end in g4_trap(), a console on COM1 that polls
 * LSR.THRE, and the test runner (main.c). It uses no interrupt unless a
 * test asks for one: g4_set_handler() puts a C function on a vector, and
 * every test cleans up after itself through g4_quiesce().
 *
 * Time is the TSC, calibrated against PIT channel 2 at boot the way Linux
 * does it (pit_calibrate_tsc): g4_tsc_hz. Under Bochs the TSC counts
 * emulated instructions, and hvlab derives its devices' time from it, so
 * everything a test measures with the TSC is in the devices' own time.
 */
#ifndef G4_H
#define G4_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define G4_KERNEL_CS 0x08
#define G4_KERNEL_DS 0x10

/* ---- instructions ---- */

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
/* STI's one-instruction shadow makes "sti; hlt" atomic: no interrupt slips in between. */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }

static inline uint32_t read_eflags(void)
{
	uint32_t f;
	__asm__ volatile("pushfl; popl %0" : "=r"(f));
	return f;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

/*
 * Device memory through one MOV each, written out in assembly: hvlab
 * emulates an MMIO access by decoding the instruction (lab 3's
 * insn_decode), and a compiler could fold a volatile read into a CMP or
 * TEST that the decoder need not know.
 */
static inline uint32_t mmio_read32(uint32_t addr)
{
	uint32_t v;
	__asm__ volatile("movl (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write32(uint32_t addr, uint32_t v)
{
	__asm__ volatile("movl %0, (%1)" : : "r"(v), "r"(addr) : "memory");
}

/*
 * RDMSR/WRMSR that may fault: a #GP comes back as -1 (the trap handler
 * finds the instruction in the g4_fixup table and resumes after it).
 */
int g4_rdmsr(uint32_t msr, uint64_t *val);
int g4_wrmsr(uint32_t msr, uint64_t val);

/* ---- console (COM1, polled) ---- */

void g4_putc(char c);
int g4_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int g4_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int g4_snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/** Program COM1 for the console: 115200 8N1, FIFOs on, IRQ output (OUT2) off. */
void g4_console_init(void);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* ---- interrupts ---- */

/* The frame g4_trap() gets: what the stub and PUSHA saved, then what the CPU pushed. */
struct g4_frame {
	uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
};

typedef void (*g4_handler_fn)(struct g4_frame *f);

/** Load the GDT's selectors into the IDT and LIDT it (entry.S loaded the GDT). */
void g4_idt_init(void);
/** Call @fn for interrupts on @vector (32-255); NULL: count them only. */
void g4_set_handler(unsigned vector, g4_handler_fn fn);
/** Interrupts taken on each vector since the last g4_quiesce(). */
extern volatile uint32_t g4_irq_count[256];
/** Interrupts on vectors without a handler since the last g4_quiesce(), and the last one. */
extern volatile uint32_t g4_stray_count, g4_stray_vector;

/**
 * An exception nobody expected (no g4_fixup entry for its EIP): the runner
 * fails the running test and goes on with the next one (main.c).
 */
void g4_unexpected_exception(struct g4_frame *f) __attribute__((noreturn));

/* ---- time ---- */

extern uint64_t g4_tsc_hz;
/** What one exit costs the guest in its own time (measured at boot), for tolerances. */
extern uint64_t g4_exit_us_pio, g4_exit_us_mmio;
/** TSC ticks in @us microseconds, and back. */
uint64_t g4_us_to_tsc(uint64_t us);
uint64_t g4_tsc_to_us(uint64_t ticks);
/** Spin (interrupts as they are) for @us microseconds of TSC time. */
void g4_delay_us(uint64_t us);
/**
 * Spin with interrupts enabled until g4_irq_count[@vector] reaches @count
 * or @timeout_us pass; interrupts are disabled again on return. True if
 * the count was reached. Never HLTs: nothing could wake a vCPU whose
 * interrupt source is broken.
 */
bool g4_wait_irqs(unsigned vector, uint32_t count, uint64_t timeout_us);

/* ---- boot state, saved by entry.S before anything changed it ---- */

extern uint32_t g4_boot_eax, g4_boot_ebx, g4_boot_cr0, g4_boot_eflags, g4_boot_cs, g4_boot_ds;
extern char __image_start[], __image_end[];

/* ---- tests ---- */

/** Record why the running test failed (the first reason wins); the runner prints it. */
void g4_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/** An informative line from a test ("INFO: ..."), for people and the grader. */
#define g4_info(...) g4_printf("INFO: " __VA_ARGS__)

/* Fail the test and leave it: the runner restores the devices (g4_quiesce). */
#define CHECK(cond, ...)                                               \
	do {                                                           \
		if (!(cond)) {                                         \
			g4_fail(__FILE__, __LINE__, __VA_ARGS__);      \
			return;                                        \
		}                                                      \
	} while (0)

#define CHECK_EQ(got, want, what)                                                      \
	do {                                                                           \
		uint32_t g4_got_ = (uint32_t)(got), g4_want_ = (uint32_t)(want);       \
		CHECK(g4_got_ == g4_want_, "%s: got %#x, want %#x", what, g4_got_,     \
		      g4_want_);                                                       \
	} while (0)

/* A value in [lo, hi]. */
#define CHECK_RANGE(got, lo, hi, what)                                                  \
	do {                                                                            \
		uint64_t g4_v_ = (uint64_t)(got);                                       \
		CHECK(g4_v_ >= (uint64_t)(lo) && g4_v_ <= (uint64_t)(hi),               \
		      "%s: got %llu, want %llu..%llu", what, (unsigned long long)g4_v_,  \
		      (unsigned long long)(lo), (unsigned long long)(hi));             \
	} while (0)

/**
 * Put every device back into the quiet state tests start from: interrupts
 * off, the PICs at vectors 0x20/0x28 with every input masked, PIT channel
 * 0 stopped and channel 2's gate low, the RTC without interrupts, the UART
 * as the console, the local APIC enabled with its timer stopped, every
 * I/O APIC pin masked.
 */
void g4_quiesce(void);

#endif
