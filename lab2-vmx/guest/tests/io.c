/*
 * io.c - the I/O-instruction exit (Intel SDM Vol. 3C, 27.2.1, Table 27-5:
 * the qualification gives port, size, direction, string and REP). The
 * ports the hypervisor answers are documented in hypercall.h: the debug
 * port 0xE9, four scratch bytes at 0x500, all ones from any other port.
 */
#include "grt.h"
#include "gtest.h"
#include "hcall.h"
#include "probe.h"
#include "string.h"
#include "x86.h"

#define PORT_UNCLAIMED 0x2a0      /* nothing lives here on a PC */

/* Reading the debug port says it is there. */
GTEST(io_debug_port_read)
{
	GASSERT_EQ(inb(HC_PORT_DEBUG), HC_PORT_DEBUG_READBACK);
}

/* Each OUT to the debug port is one I/O exit; the text appears on the
 * hypervisor's console as a guest line. */
GTEST(io_debug_port_write)
{
	static const char msg[] = "io: a line through port 0xE9\n";
	long before = hc_read_counter(HC_COUNTER_EXITS_REASON, HC_EXIT_IO);

	for (const char *p = msg; *p; p++)
		outb(HC_PORT_DEBUG, (uint8_t)*p);
	long after = hc_read_counter(HC_COUNTER_EXITS_REASON, HC_EXIT_IO);
	GASSERT_EQ(after - before, sizeof(msg) - 1);
}

/* The scratch ports keep what was written, for 1-, 2- and 4-byte accesses;
 * a wider access covers the next ports, least significant byte first. */
GTEST(io_scratch_read_after_write)
{
	outb(HC_PORT_SCRATCH, 0x5a);
	GASSERT_EQ(inb(HC_PORT_SCRATCH), 0x5a);
	outb(HC_PORT_SCRATCH + 3, 0xa5);
	GASSERT_EQ(inb(HC_PORT_SCRATCH + 3), 0xa5);
	GASSERT_EQ(inb(HC_PORT_SCRATCH), 0x5a);

	outw(HC_PORT_SCRATCH, 0x1234);
	GASSERT_EQ(inw(HC_PORT_SCRATCH), 0x1234);
	GASSERT_EQ(inb(HC_PORT_SCRATCH + 1), 0x12);

	outl(HC_PORT_SCRATCH, 0xdeadbeef);
	GASSERT_EQ(inl(HC_PORT_SCRATCH), 0xdeadbeef);
	GASSERT_EQ(inw(HC_PORT_SCRATCH + 2), 0xdead);
	GASSERT_EQ(inb(HC_PORT_SCRATCH + 1), 0xbe);

	outl(HC_PORT_SCRATCH, 0x01020304);
	GASSERT_EQ(inl(HC_PORT_SCRATCH), 0x01020304);
}

/* Past the end of the scratch range: writes are dropped, reads are ones. */
GTEST(io_scratch_edge)
{
	outl(HC_PORT_SCRATCH, 0);
	outw(HC_PORT_SCRATCH + HC_PORT_SCRATCH_COUNT - 1, 0x77bb);
	GASSERT_EQ(inb(HC_PORT_SCRATCH + HC_PORT_SCRATCH_COUNT - 1), 0xbb);
	GASSERT_EQ(inw(HC_PORT_SCRATCH + HC_PORT_SCRATCH_COUNT - 1), 0xffbb);
	GASSERT_EQ(inl(HC_PORT_SCRATCH), 0xbb000000);
}

/* A port nobody claims reads as all ones at every size; writes vanish. */
GTEST(io_unclaimed_port)
{
	outb(PORT_UNCLAIMED, 0);
	GASSERT_EQ(inb(PORT_UNCLAIMED), 0xff);
	GASSERT_EQ(inw(PORT_UNCLAIMED), 0xffff);
	GASSERT_EQ(inl(PORT_UNCLAIMED), 0xffffffff);
}

/* REP OUTSB: all bytes go out (to the debug console, and to the scratch
 * port, where the last one stays), RSI and RCX move as the SDM says. */
GTEST(io_rep_outsb)
{
	static const char msg[] = "io: a line through rep outsb\n";
	static const uint8_t bytes[] = { 1, 2, 3, 0x44 };
	const void *src = msg;
	uint64_t count = sizeof(msg) - 1;

	__asm__ volatile("cld; rep outsb" : "+S"(src), "+c"(count) : "d"(HC_PORT_DEBUG) : "memory");
	GASSERT_EQ(count, 0);
	GASSERT_EQ((const char *)src, msg + sizeof(msg) - 1);

	src = bytes;
	count = sizeof(bytes);
	__asm__ volatile("cld; rep outsb" : "+S"(src), "+c"(count) : "d"(HC_PORT_SCRATCH) : "memory");
	GASSERT_EQ(count, 0);
	GASSERT_EQ((const uint8_t *)src, bytes + sizeof(bytes));
	GASSERT_EQ(inb(HC_PORT_SCRATCH), 0x44);
}

/* With RFLAGS.DF set the string instructions walk down (SDM Vol. 1, 3.4.3.3). */
GTEST(io_rep_insb_backwards)
{
	uint8_t buf[6] = { 0, 0, 0, 0, 0, 0 };
	void *dst = &buf[4];
	uint64_t count = 3;

	__asm__ volatile("std; rep insb; cld" : "+D"(dst), "+c"(count) : "d"(HC_PORT_DEBUG) : "memory");
	GASSERT_EQ(count, 0);
	GASSERT_EQ((uint8_t *)dst, &buf[1]);
	GASSERT_EQ(buf[0], 0);
	GASSERT_EQ(buf[1], 0);
	GASSERT_EQ(buf[2], HC_PORT_DEBUG_READBACK);
	GASSERT_EQ(buf[4], HC_PORT_DEBUG_READBACK);
	GASSERT_EQ(buf[5], 0);
}

/* A string buffer outside the guest's memory never reaches the hypervisor's:
 * the guest gets #GP(0) and RCX still counts every element (none done). */
GTEST(io_string_bad_buffer)
{
	const void *src = (const void *)0x1000;    /* below GUEST_BASE */
	uint64_t count = 2;

	grt_trap_arm();
	__asm__ volatile("cld\n\t" PROBE_ASM("rep outsb") : "+S"(src), "+c"(count)
			 : "d"(HC_PORT_SCRATCH) : "memory");
	GASSERT_EQ(grt_last_trap.vector, VEC_GP);
	GASSERT_EQ(grt_last_trap.error_code, 0);
	GASSERT_EQ(count, 2);
}

/* REP INSB / INSW: the hypervisor writes guest memory, RDI and RCX move,
 * and nothing past the buffer is touched. */
GTEST(io_rep_ins)
{
	uint8_t buf[12];
	void *dst = buf;
	uint64_t count = 8;

	memset(buf, 0, sizeof(buf));
	__asm__ volatile("cld; rep insb" : "+D"(dst), "+c"(count) : "d"(HC_PORT_DEBUG) : "memory");
	GASSERT_EQ(count, 0);
	GASSERT_EQ((uint8_t *)dst, buf + 8);
	for (int i = 0; i < 8; i++)
		GASSERT_EQ(buf[i], HC_PORT_DEBUG_READBACK);
	GASSERT_EQ(buf[8], 0);

	uint16_t words[4] = { 0, 0, 0, 0 };
	outl(HC_PORT_SCRATCH, 0x44332211);
	dst = words;
	count = 3;
	__asm__ volatile("cld; rep insw" : "+D"(dst), "+c"(count) : "d"(HC_PORT_SCRATCH) : "memory");
	GASSERT_EQ(count, 0);
	GASSERT_EQ((uint16_t *)dst, words + 3);
	GASSERT_EQ(words[0], 0x2211);
	GASSERT_EQ(words[2], 0x2211);
	GASSERT_EQ(words[3], 0);
}
