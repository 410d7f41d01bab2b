/*
 * init.c - running the INITCALL() table the linker script collects.
 */
#include "init.h"
#include "printf.h"

extern const struct initcall __start_initcalls[], __stop_initcalls[];

int initcalls_run(void)
{
	int failed = 0;
	for (const struct initcall *c = __start_initcalls; c < __stop_initcalls; c++) {
		int rc = c->fn();
		if (rc) {
			kprintf("init: %s failed (%d); continuing without it\n", c->name, rc);
			failed++;
		}
	}
	return failed;
}
