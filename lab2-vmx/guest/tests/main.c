/*
 * main.c - the guest image "lab2-tests": one in-guest test (or a few) per
 * exit handler of lab 2. Each test checks the values the hypervisor gives
 * back, not only that the guest survived. The tests live in the other
 * files of this folder and run in link order (guest.mk lists the files).
 * The guest's exit code is the number of failures.
 */
#include "grt.h"
#include "gtest.h"

int guest_main(void)
{
	gprintf("lab2-tests: in-guest tests of the exit handlers\n");
	return gtest_run_all();
}
