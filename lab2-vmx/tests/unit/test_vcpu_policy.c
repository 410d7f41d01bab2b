/*
 * test_vcpu_policy.c - the vendor-independent guest policy on the host:
 * hypercall decoding (hypercall.c), the I/O-port, MSR and CPUID answers
 * (vcpu_policy.c) and guest_mem_ptr's bounds. A struct vcpu is built by
 * hand; its "guest memory" is a host buffer whose address plays the
 * host-physical address, as in the identity-mapped kernel.
 *
 * The few kernel functions the policy calls are stubbed below and record
 * what they were asked: console bytes, stops, log lines.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "vcpu_policy.h"

#define MEM_SIZE (64 * 1024)

static uint8_t guest_ram[MEM_SIZE] __attribute__((aligned(4096)));
static struct vcpu v;
static char console[8192];
static size_t console_len;
static int log_lines;

/* ---- stubs of the kernel side ---- */
void vcpu_console_write(struct vcpu *vc, const char *buf, size_t len)
{
	(void)vc;
	cr_assert(console_len + len <= sizeof(console));
	memcpy(console + console_len, buf, len);
	console_len += len;
}

void vcpu_stop(struct vcpu *vc, enum vcpu_stop how, const char *why)
{
	if (vc->stop == VCPU_STOP_NONE) {
		vc->stop = how;
		vc->stop_why = why;
	}
}

int kprintf(const char *fmt, ...)
{
	(void)fmt;
	log_lines++;
	return 0;
}

static void setup(void)
{
	memset(&v, 0, sizeof(v));
	memset(guest_ram, 0, sizeof(guest_ram));
	v.name = "unit";
	v.mem.pa = (uint64_t)(uintptr_t)guest_ram;
	v.mem.base = GUEST_BASE;
	v.mem.size = MEM_SIZE;
	v.mem.pages = MEM_SIZE / 4096;
	console_len = 0;
	log_lines = 0;
}

TestSuite(guest_mem, .init = setup);
TestSuite(hypercall, .init = setup);
TestSuite(pio, .init = setup);
TestSuite(msr, .init = setup);
TestSuite(cpuid, .init = setup);

/* ---- guest_mem_ptr ---- */

Test(guest_mem, inside_and_edges)
{
	cr_assert_eq(guest_mem_ptr(&v.mem, GUEST_BASE, 1), guest_ram);
	cr_assert_eq(guest_mem_ptr(&v.mem, GUEST_BASE + 10, 5), guest_ram + 10);
	cr_assert_eq(guest_mem_ptr(&v.mem, GUEST_BASE, MEM_SIZE), guest_ram);
	cr_assert_eq(guest_mem_ptr(&v.mem, GUEST_BASE + MEM_SIZE - 1, 1), guest_ram + MEM_SIZE - 1);
	/* An empty range at the very end is inside. */
	cr_assert_eq(guest_mem_ptr(&v.mem, GUEST_BASE + MEM_SIZE, 0), guest_ram + MEM_SIZE);
}

Test(guest_mem, outside_and_overflow)
{
	cr_assert_null(guest_mem_ptr(&v.mem, GUEST_BASE - 1, 1));
	cr_assert_null(guest_mem_ptr(&v.mem, GUEST_BASE - 1, 2));
	cr_assert_null(guest_mem_ptr(&v.mem, GUEST_BASE + MEM_SIZE, 1));
	cr_assert_null(guest_mem_ptr(&v.mem, GUEST_BASE + MEM_SIZE - 2, 4));
	cr_assert_null(guest_mem_ptr(&v.mem, GUEST_BASE, MEM_SIZE + 1));
	cr_assert_null(guest_mem_ptr(&v.mem, 0x1000, 4));
	cr_assert_null(guest_mem_ptr(&v.mem, UINT64_MAX - 1, 4));
	cr_assert_null(guest_mem_ptr(&v.mem, GUEST_BASE + 8, UINT64_MAX));
	cr_assert_null(guest_mem_ptr(&v.mem, UINT64_MAX, UINT64_MAX));
}

/* ---- hypercalls ---- */

static long hcall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	v.regs.rax = nr;
	v.regs.rdi = a0;
	v.regs.rsi = a1;
	v.regs.rdx = a2;
	v.regs.rbx = 0x1234;
	vcpu_hypercall(&v);
	cr_assert_eq(v.regs.rbx, 0x1234, "a hypercall changed a register other than RAX");
	cr_assert_eq(v.regs.rdi, a0);
	return (long)v.regs.rax;
}

Test(hypercall, version_and_unknown)
{
	cr_assert_eq(hcall(HC_VERSION, 0, 0, 0), HC_ABI_VERSION);
	cr_assert_eq(hcall(0x7fff, 0, 0, 0), -HC_ENOSYS);
	cr_assert_eq(hcall(UINT64_MAX, 0, 0, 0), -HC_ENOSYS);
	cr_assert_eq(hcall(HC_READ_COUNTER + 1, 0, 0, 0), -HC_ENOSYS);
}

Test(hypercall, console_write)
{
	memcpy(guest_ram + 100, "hello\n", 6);
	cr_assert_eq(hcall(HC_CONSOLE_WRITE, GUEST_BASE + 100, 6, 0), 6);
	cr_assert_eq(console_len, 6);
	cr_assert(memcmp(console, "hello\n", 6) == 0);
	cr_assert_eq(hcall(HC_CONSOLE_WRITE, GUEST_BASE + 100, 0, 0), 0);
	cr_assert_eq(hcall(HC_CONSOLE_WRITE, 0, 0, 0), 0, "an empty write needs no valid pointer");
	cr_assert_eq(console_len, 6);
}

Test(hypercall, console_write_refuses_bad_buffers)
{
	cr_assert_eq(hcall(HC_CONSOLE_WRITE, 0x1000, 4, 0), -HC_EFAULT);
	cr_assert_eq(hcall(HC_CONSOLE_WRITE, GUEST_BASE - 2, 4, 0), -HC_EFAULT);
	cr_assert_eq(hcall(HC_CONSOLE_WRITE, GUEST_BASE + MEM_SIZE - 2, 4, 0), -HC_EFAULT);
	cr_assert_eq(hcall(HC_CONSOLE_WRITE, UINT64_MAX - 1, 4, 0), -HC_EFAULT);
	cr_assert_eq(hcall(HC_CONSOLE_WRITE, (uint64_t)(uintptr_t)guest_ram, 4, 0), -HC_EFAULT,
		     "a host address is not a guest address");
	cr_assert_eq(hcall(HC_CONSOLE_WRITE, GUEST_BASE, HC_CONSOLE_MAX + 1, 0), -HC_EINVAL);
	cr_assert_eq(hcall(HC_CONSOLE_WRITE, GUEST_BASE, UINT64_MAX, 0), -HC_EINVAL);
	cr_assert_eq(console_len, 0, "a refused write printed something");
}

Test(hypercall, exit_codes)
{
	cr_assert_eq(hcall(HC_EXIT, 256, 0, 0), -HC_EINVAL);
	cr_assert_eq(hcall(HC_EXIT, (uint64_t)-1, 0, 0), -HC_EINVAL);
	cr_assert_eq(v.stop, VCPU_STOP_NONE);
	hcall(HC_EXIT, 255, 0, 0);
	cr_assert_eq(v.stop, VCPU_STOP_EXIT);
	cr_assert_eq(v.exit_code, 255);
}

/* A vendor whose raw reasons 10 and 0x7c are CPUID, 12 and 0x78 HLT. */
static enum hc_exit_kind fake_exit_kind(unsigned reason)
{
	return reason == 10 || reason == 0x7c ? HC_EXIT_CPUID :
	       reason == 12 || reason == 0x78 ? HC_EXIT_HLT : HC_EXIT_OTHER;
}
static const struct vcpu_ops fake_ops = { .name = "fake", .exit_kind = fake_exit_kind };

Test(hypercall, counters)
{
	v.ops = &fake_ops;
	v.exit_counts[10] = 5;
	v.exit_counts[12] = 12;
	v.exit_counts[0x7c] = 2;
	v.exit_counts[0x3ff] = 1;
	cr_assert_eq(hcall(HC_READ_COUNTER, HC_COUNTER_EXITS, 0, 0), 20);
	/* By kind, whatever the raw reason: 5 + 2 CPUID, 12 HLT, 1 other. */
	cr_assert_eq(hcall(HC_READ_COUNTER, HC_COUNTER_EXITS_REASON, HC_EXIT_CPUID, 0), 7);
	cr_assert_eq(hcall(HC_READ_COUNTER, HC_COUNTER_EXITS_REASON, HC_EXIT_HLT, 0), 12);
	cr_assert_eq(hcall(HC_READ_COUNTER, HC_COUNTER_EXITS_REASON, HC_EXIT_OTHER, 0), 1);
	cr_assert_eq(hcall(HC_READ_COUNTER, HC_COUNTER_EXITS_REASON, HC_EXIT_IO, 0), 0);
	cr_assert_eq(hcall(HC_READ_COUNTER, HC_COUNTER_EXITS_REASON, HC_EXIT_KIND_COUNT, 0),
		     -HC_EINVAL);
	cr_assert_str_eq(vcpu_exit_kind_name(HC_EXIT_CPUID), "cpuid");
	cr_assert_str_eq(vcpu_exit_kind_name(HC_EXIT_KIND_COUNT), "unknown");
	cr_assert_eq(hcall(HC_READ_COUNTER, HC_COUNTER_EXITS_REASON, UINT64_MAX, 0), -HC_EINVAL);
	cr_assert_eq(hcall(HC_READ_COUNTER, 99, 0, 0), -HC_EINVAL);
	long t0 = hcall(HC_READ_COUNTER, HC_COUNTER_TSC, 0, 0);
	long t1 = hcall(HC_READ_COUNTER, HC_COUNTER_TSC, 0, 0);
	cr_assert(t0 > 0 && t1 > t0);
}

/* ---- I/O ports ---- */

Test(pio, debug_port)
{
	cr_assert_eq(vcpu_pio_in(&v, HC_PORT_DEBUG, 1), HC_PORT_DEBUG_READBACK);
	vcpu_pio_out(&v, HC_PORT_DEBUG, 1, 'x');
	vcpu_pio_out(&v, HC_PORT_DEBUG, 1, 0x100 | 'y');   /* only the low byte */
	cr_assert_eq(console_len, 2);
	cr_assert(memcmp(console, "xy", 2) == 0);
	/* A word at 0xE9 covers 0xE9 and 0xEA (unclaimed: ones). */
	cr_assert_eq(vcpu_pio_in(&v, HC_PORT_DEBUG, 2), 0xff00 | HC_PORT_DEBUG_READBACK);
	cr_assert_eq(log_lines, 0, "a claimed port was logged");
}

Test(pio, scratch_read_after_write)
{
	vcpu_pio_out(&v, HC_PORT_SCRATCH, 4, 0xdeadbeef);
	cr_assert_eq(vcpu_pio_in(&v, HC_PORT_SCRATCH, 4), 0xdeadbeef);
	cr_assert_eq(vcpu_pio_in(&v, HC_PORT_SCRATCH + 1, 1), 0xbe);
	cr_assert_eq(vcpu_pio_in(&v, HC_PORT_SCRATCH + 2, 2), 0xdead);
	vcpu_pio_out(&v, HC_PORT_SCRATCH + 1, 2, 0x1122);
	cr_assert_eq(vcpu_pio_in(&v, HC_PORT_SCRATCH, 4), 0xde1122ef);
	/* Straddling the end: the byte past it is dropped / reads as ones. */
	vcpu_pio_out(&v, HC_PORT_SCRATCH + 3, 2, 0x77bb);
	cr_assert_eq(vcpu_pio_in(&v, HC_PORT_SCRATCH + 3, 2), 0xffbb);
	cr_assert_eq(vcpu_pio_in(&v, HC_PORT_SCRATCH, 4), 0xbb1122ef);
	cr_assert_eq(console_len, 0);
}

Test(pio, unclaimed_ports_logged_once)
{
	cr_assert_eq(vcpu_pio_in(&v, 0x2a0, 1), 0xff);
	cr_assert_eq(vcpu_pio_in(&v, 0x2a0, 2), 0xffff);
	cr_assert_eq(vcpu_pio_in(&v, 0x2a0, 4), 0xffffffff);
	vcpu_pio_out(&v, 0x2a0, 4, 0);
	cr_assert_eq(log_lines, 1, "port 0x2a0 logged %d times", log_lines);
	vcpu_pio_out(&v, 0x2a1, 1, 0);
	cr_assert_eq(log_lines, 2);
	/* Past VCPU_LOGGED_PORTS distinct ports: one last line, then silence. */
	for (unsigned p = 0; p < 3 * VCPU_LOGGED_PORTS; p++)
		vcpu_pio_in(&v, (uint16_t)(0x1000 + p), 1);
	cr_assert_eq(log_lines, VCPU_LOGGED_PORTS + 1, "%d lines", log_lines);
	cr_assert_eq(vcpu_pio_in(&v, 0xffff, 4), 0xffffffff, "port 0xffff + 3 wraps nowhere");
}

/* ---- MSRs ---- */

Test(msr, scratch_and_emulated)
{
	uint64_t val = 0;
	cr_assert_eq(vcpu_msr_write(&v, HC_MSR_SCRATCH, 0x0123456789abcdefull), 0);
	cr_assert_eq(vcpu_msr_read(&v, HC_MSR_SCRATCH, &val), 0);
	cr_assert_eq(val, 0x0123456789abcdefull);
	cr_assert_eq(vcpu_msr_read(&v, MSR_IA32_FEATURE_CONTROL, &val), 0);
	cr_assert_eq(val & 7, 1, "FEATURE_CONTROL must read 'locked, VMX off'");
	cr_assert_eq(vcpu_msr_read(&v, 0x10, &val), 0);
	cr_assert(val > 0);
}

Test(msr, forbidden_and_unknown)
{
	uint64_t val = 42;
	cr_assert_eq(vcpu_msr_write(&v, MSR_IA32_FEATURE_CONTROL, 5), -1);
	cr_assert_eq(vcpu_msr_write(&v, 0x10, 0), -1, "writing IA32_TSC is forbidden");
	cr_assert_eq(vcpu_msr_write(&v, MSR_EFER, 0), -1, "writing EFER is forbidden");
	cr_assert_eq(vcpu_msr_read(&v, HC_MSR_SCRATCH + 1, &val), -1);
	cr_assert_eq(vcpu_msr_read(&v, MSR_IA32_VMX_BASIC, &val), -1, "VMX MSRs are hidden");
	cr_assert_eq(vcpu_msr_write(&v, 0xc0010000, 1), -1);
	cr_assert_eq(val, 42, "a refused read wrote the value");
}

Test(msr, passthrough_list)
{
	bool efer_read = false, efer_write = false;
	for (size_t i = 0; i < vcpu_msr_passthrough_count; i++) {
		if (vcpu_msr_passthrough[i].msr == MSR_EFER) {
			if (vcpu_msr_passthrough[i].write)
				efer_write = true;
			else
				efer_read = true;
		}
		cr_assert_neq(vcpu_msr_passthrough[i].msr, HC_MSR_SCRATCH);
		cr_assert_neq(vcpu_msr_passthrough[i].msr, MSR_IA32_FEATURE_CONTROL);
	}
	cr_assert(efer_read && !efer_write, "EFER: reads pass, writes must exit");
}

/* ---- CPUID ---- */

static void guest_cpuid(uint32_t leaf, uint32_t sub)
{
	v.regs.rax = 0xffffffff00000000ull | leaf;
	v.regs.rcx = 0xffffffff00000000ull | sub;
	v.regs.rbx = v.regs.rdx = UINT64_MAX;
	vcpu_cpuid(&v);
	cr_assert_eq(v.regs.rax >> 32, 0);
	cr_assert_eq(v.regs.rbx >> 32, 0);
	cr_assert_eq(v.regs.rcx >> 32, 0);
	cr_assert_eq(v.regs.rdx >> 32, 0);
}

Test(cpuid, hypervisor_leaves)
{
	char sig[13] = { 0 };
	guest_cpuid(HC_CPUID_LEAF, 0);
	uint32_t w[3] = { (uint32_t)v.regs.rbx, (uint32_t)v.regs.rcx, (uint32_t)v.regs.rdx };
	memcpy(sig, w, 12);
	cr_assert_str_eq(sig, HC_CPUID_SIGNATURE);
	cr_assert_eq(v.regs.rax, HC_CPUID_LEAF);
	guest_cpuid(HC_CPUID_LEAF + 1, 0);
	cr_assert(v.regs.rax == 0 && v.regs.rbx == 0 && v.regs.rcx == 0 && v.regs.rdx == 0);
	guest_cpuid(0x4fffffff, 0);
	cr_assert(v.regs.rax == 0 && v.regs.rbx == 0);
}

Test(cpuid, leaf1_hides_vmx)
{
	guest_cpuid(1, 0);
	cr_assert_eq(v.regs.rcx & CPUID1_ECX_VMX, 0);
	cr_assert_neq(v.regs.rcx & CPUID1_ECX_HYPERVISOR, 0);
	struct cpuid_regs host = cpuid(1, 0);
	cr_assert_eq(v.regs.rax, host.eax, "leaf 1 EAX must be the host's");
	cr_assert_eq(v.regs.rdx, host.edx);
}

Test(cpuid, other_leaves_pass_through)
{
	struct cpuid_regs host = cpuid(0, 0);
	guest_cpuid(0, 0);
	cr_assert_eq(v.regs.rax, host.eax);
	cr_assert_eq(v.regs.rbx, host.ebx);
	cr_assert_eq(v.regs.rcx, host.ecx);
	cr_assert_eq(v.regs.rdx, host.edx);
}
