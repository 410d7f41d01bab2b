/*
 * hvtsc.c - print the time stamp counter: "hvtsc: <RDTSC value in decimal>".
 *
 * The test /init (tools/linux/init-test) runs it first thing, so that
 * `make bench-linux` can tell how far the boot got when user space began.
 * Under Bochs (and QEMU with -icount shift=0) the TSC advances by one per
 * emulated instruction, so the value is the number of instructions the
 * machine ran from reset to /init: the same figure on bare Bochs and under
 * hvlab, whose ratio is the cost of virtualization.
 *
 * No C library: a static binary of a few kilobytes whose own start-up is a
 * handful of instructions (glibc's static start-up runs thousands, CPUID
 * included, before main). Linux x86-64 system call ABI: number in RAX,
 * arguments in RDI, RSI, RDX; the kernel clobbers RCX and R11.
 *
 * Build (tools/linux/linux.mk):
 *   gcc -static -O2 -nostdlib -ffreestanding -fno-stack-protector -fno-pie -no-pie \
 *       -o hvtsc tools/linux/hvtsc.c
 */

#define SYS_write	1
#define SYS_exit	60

static long hvtsc_syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

/* RDTSC: EDX:EAX = TSC (Intel SDM Vol. 2B, "RDTSC"). */
static unsigned long long hvtsc_rdtsc(void)
{
	unsigned int lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((unsigned long long)hi << 32) | lo;
}

/* Formats @v in decimal, right to left, ending at @end; returns the start. */
static char *hvtsc_utoa(unsigned long long v, char *end)
{
	char *p = end;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

/* Called from _start below with the stack as the kernel left it. */
__attribute__((used, noreturn)) static void hvtsc_main(void)
{
	unsigned long long tsc = hvtsc_rdtsc();
	static const char prefix[] = "hvtsc: ";
	char buf[sizeof(prefix) - 1 + 20 + 1];
	char digits[20];
	char *d = hvtsc_utoa(tsc, digits + sizeof(digits));
	unsigned long n = 0;

	for (unsigned long i = 0; i < sizeof(prefix) - 1; i++)
		buf[n++] = prefix[i];
	while (d < digits + sizeof(digits))
		buf[n++] = *d++;
	buf[n++] = '\n';
	hvtsc_syscall3(SYS_write, 1, (long)buf, (long)n);
	hvtsc_syscall3(SYS_exit, 0, 0, 0);
	__builtin_unreachable();
}

/*
 * The ELF entry point. At entry RSP points at argc and is 16-byte aligned;
 * a C function expects RSP+8 aligned (a return address pushed), so call it.
 */
__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	xor %ebp, %ebp\n"
	"	call hvtsc_main\n"
	"	hlt\n");
