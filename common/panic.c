/*
 * panic.c - the one way a kernel error ends: a message, a backtrace, a halt.
 *
 * panic() must work when the console lock is held by the panicking CPU
 * (a panic inside kprintf), so it writes to the UART without the lock.
 */
#include "console.h"
#include "ksyms.h"
#include "panic.h"
#include "percpu.h"
#include "printf.h"
#include "x86.h"

static volatile int panicking;

void halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

void panic_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (int i = 0; i < n && i < (int)sizeof(buf) - 1; i++)
		console_putc(buf[i]);
}

/*
 * Walk the saved-RBP chain (the kernel is built with -fno-omit-frame-pointer):
 * [rbp] is the caller's rbp, [rbp+8] the return address. Stop at a null,
 * misaligned or implausible frame rather than fault inside the panic path.
 */
void backtrace_print(unsigned long rbp)
{
	panic_printf("backtrace:\n");
	for (int depth = 0; depth < 16 && rbp && !(rbp & 7); depth++) {
		if (rbp < 0x1000 || rbp >= (1ul << 32))
			break;
		unsigned long ret = ((unsigned long *)rbp)[1];
		if (!ret)
			break;
		/* Look up ret-1, the call itself: when a call to a noreturn
		 * function ends its caller, ret already points at the next one. */
		unsigned long off;
		const char *name = ksyms_lookup(ret - 1, &off);
		if (name)
			panic_printf("  #%d %016lx %s+0x%lx\n", depth, ret, name, off + 1);
		else
			panic_printf("  #%d %016lx ?\n", depth, ret);
		rbp = ((unsigned long *)rbp)[0];
	}
}

void panic(const char *fmt, ...)
{
	cli();
	/* A second panic (on another CPU, or from the backtrace) just halts. */
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST))
		halt_forever();

	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	panic_printf("PANIC on cpu %d: %s\n", this_cpu()->index, buf);
	backtrace_print((unsigned long)__builtin_frame_address(0));
	panic_printf("cpu %d halted\n", this_cpu()->index);
	halt_forever();
}
