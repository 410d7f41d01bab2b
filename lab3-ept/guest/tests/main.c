/*
 * main.c - the guest image "lab3-tests": in-guest tests of a lab-3 VM.
 * They check the start state vm.h promises (recorded in real mode by
 * rt/entry16.S), the way to long mode, RAM and MMIO through the test
 * device of mmio_test.h, which the hypervisor must register for this
 * guest (MMIO_TEST_BASE, 4 KiB). Already at boot, before long mode,
 * tests/pm32_mmio.S makes MMIO accesses from 32-bit protected mode.
 * The exit code is the number of failures.
 */
#include "grt.h"
#include "grt3.h"
#include "gtest.h"

int guest_main(void)
{
	gprintf("lab3-tests: booted from real mode; RAM %#x bytes, EBX %#x ECX %#x ESI %#x\n",
		grt_boot.edi, grt_boot.ebx, grt_boot.ecx, grt_boot.esi);
	return gtest_run_all();
}
