/*
 * mmio_test.h - the test device lab 3's in-guest tests talk to through
 * MMIO (the hypervisor registers it with mmio_register, tests/ktest_vm.c).
 *
 * A 4 KiB window of guest-physical addresses, outside RAM, backed by a
 * byte array in the hypervisor: a write stores its bytes, a read returns
 * them (little-endian), like memory, except that each access is a VM exit
 * (an EPT violation) emulated by decoding the guest's MOV instruction.
 * One register reports how the previous access was decoded, so the guest
 * can check the size and direction the hypervisor saw:
 *   MMIO_TEST_LAST (read-only, 8 bytes): bits 7:0 size of the previous
 *   access, bit 8 set if it was a write, bits 31:16 its offset.
 * Reading MMIO_TEST_LAST is itself an access, but it does not replace
 * what the register reports.
 */
#ifndef HVLAB_MMIO_TEST_H
#define HVLAB_MMIO_TEST_H

#define MMIO_TEST_BASE  0xC0000000ull
#define MMIO_TEST_SIZE  0x1000ull
#define MMIO_TEST_LAST  0xFF0ull   /* offset of the report register */

#define MMIO_TEST_LAST_SIZE(r)   ((unsigned)((r) & 0xff))
#define MMIO_TEST_LAST_WRITE(r)  (((r) >> 8) & 1)
#define MMIO_TEST_LAST_OFFSET(r) ((unsigned)(((r) >> 16) & 0xffff))

#endif
