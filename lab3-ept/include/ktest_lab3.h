/*
 * ktest_lab3.h - what lab 3's in-kernel test files share.
 */
#ifndef HVLAB_KTEST_LAB3_H
#define HVLAB_KTEST_LAB3_H

#include <stdbool.h>
#include <stdint.h>
#include "ktest.h"
#include "vm.h"
#include "vm_vendor.h"
#include "vmx/vmx_caps.h"

/* Skip a test where lab-3 VMs cannot run (no VMX, EPT or unrestricted guest). */
#define NEED_LAB3() \
	do { if (vmx_caps_get() || vm_vendor_check()) KSKIP("no EPT/unrestricted guest here"); } while (0)

/**
 * The host's own check of a lab3-victim VM's memory: every word of its
 * area (victim.h) is what the victim wrote with @seed. Read through the
 * host's view of the VM's RAM, not through the guest.
 */
bool kt_victim_intact(const struct vm *vm, uint32_t seed);

#endif
