/*
 * vmx_ept_exit.c - the VM exits EPT adds: EPT violations (reason 48) and
 * EPT misconfigurations (49). A violation in a registered MMIO region is
 * emulated (decode the guest's MOV, call the device, write the result,
 * move RIP); any other one is reported with its decoding and the guest's
 * page walk, and the guest is killed: it touched guest-physical memory
 * it does not have. The hypervisor and the other VMs go on.
 *
 * Intel SDM Vol. 3C: 28.2.3.2 "EPT Violations", 27.2.1 Table 27-7 (the
 * exit qualification, and the guest-physical and guest-linear address
 * fields), 28.2.3.1 "EPT Misconfigurations".
 */
#include "ept_violation.h"
#include "gpt_walk.h"
#include "init.h"
#include "insn_decode.h"
#include "panic.h"
#include "printf.h"
#include "string.h"
#include "vm.h"
#include "vm_vendor.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ctls.h"
#include "vmx/vmx_vcpu.h"

#define INSN_MAX_LEN 15   /* the longest x86 instruction (Vol. 2A, 2.3.11) */

/* The CS default operand size: 64-bit (L), 32-bit (D) or 16-bit (real mode or a 16-bit segment). */
static enum insn_mode guest_insn_mode(void)
{
	uint32_t ar = vmcs_read32(VMCS_GUEST_CS_AR_BYTES);
	if ((vmcs_read32(VMCS_VM_ENTRY_CONTROLS) & VMX_ENTRY_IA32E_MODE_GUEST) && (ar & VMX_AR_L))
		return INSN_MODE_64;
	return (ar & VMX_AR_DB) ? INSN_MODE_32 : INSN_MODE_16;
}

/* Copy up to @n bytes of guest linear memory at @gla; how many could be read. */
static size_t read_guest_linear(struct vcpu *v, uint64_t gla, uint8_t *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		const uint8_t *p = vcpu_guest_ptr(v, gla + got, 1);
		if (!p)
			break;
		buf[got++] = *p;
	}
	return got;
}

/* RIP after an emulated instruction: wraps at the width of the code segment. */
static void advance_rip_by(unsigned len, enum insn_mode mode)
{
	uint64_t rip = vmcs_readnat(VMCS_GUEST_RIP) + len;
	if (mode == INSN_MODE_16)
		rip &= 0xffff;
	else if (mode == INSN_MODE_32)
		rip &= 0xffffffffull;
	vmcs_writenat(VMCS_GUEST_RIP, rip);
	/* Like any emulated instruction, it ends STI/MOV-SS blocking (24.4.2). */
	uint32_t intr = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	if (intr & (VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS))
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS));
}

/*
 * Emulate the guest's access to MMIO region @r at @gpa: fetch and decode
 * the instruction at CS:RIP, check it is the access the CPU reported,
 * then let the device see it. 0, or -1 after killing the guest with the
 * reason (an instruction the decoder refuses, an access that runs off the
 * end of the region, a device that refuses).
 */
static int mmio_emulate(struct vcpu *v, const struct mmio_region *r, uint64_t gpa, bool write)
{
	/* BEGIN SOLUTION lab3 */
	uint8_t code[INSN_MAX_LEN];
	uint64_t rip = vmcs_readnat(VMCS_GUEST_RIP);
	enum insn_mode mode = guest_insn_mode();
	uint64_t gla = (mode == INSN_MODE_64 ? 0 : vmcs_readnat(VMCS_GUEST_CS_BASE)) + rip;
	size_t got = read_guest_linear(v, gla, code, sizeof(code));
	struct insn in;
	char err[120];
	if (insn_decode(code, got, mode, &in, err, sizeof(err))) {
		vcpu_kill(v, "MMIO %s at %#lx (%s): cannot emulate the instruction at RIP %#lx: %s",
			  write ? "write" : "read", gpa, r->name, rip, err);
		return -1;
	}
	bool is_write = in.kind == INSN_STORE || in.kind == INSN_STORE_IMM;
	if (is_write != write || gpa - r->start + in.size > r->len) {
		vcpu_kill(v, "MMIO at %#lx (%s): the decoded %u-byte %s does not match the access "
			  "(or runs past the region's end)", gpa, r->name, in.size,
			  is_write ? "write" : "read");
		return -1;
	}
	struct mmio_access a = { gpa, gpa - r->start, in.size, is_write, 0 };
	if (is_write)
		a.value = in.kind == INSN_STORE_IMM ? insn_store_value(&in, 0) :
			insn_store_value(&in, vmx_gpr_read(v, in.reg));
	if (r->handler(v->vm, &a, r->ctx)) {
		vcpu_kill(v, "MMIO %s of %u bytes at %#lx: device %s refused it",
			  is_write ? "write" : "read", in.size, gpa, r->name);
		return -1;
	}
	/* in.reg names the whole register, also for AH-BH (insn_decode.h). */
	if (!is_write)
		vmx_gpr_write(v, in.reg, insn_load_result(&in, vmx_gpr_read(v, in.reg), a.value));
	advance_rip_by(in.len, mode);
	return 0;
	/* END SOLUTION */
	/* STUB lab3
	(void)v; (void)r; (void)gpa; (void)write;
	(void)guest_insn_mode; (void)read_guest_linear; (void)advance_rip_by;
	NOT_IMPLEMENTED("lab3");
	*/
}

/* The guest's page walk for @gla, printed when a violation kills it (debugging aid). */
static void print_guest_walk(struct vcpu *v, uint64_t gla)
{
	struct vm_paging p;
	vm_vendor_paging(v, &p);
	enum gpt_mode mode = gpt_mode_of(p.cr0, p.cr4, p.efer);
	if (mode == GPT_MODE_OFF)
		return;
	char line[256];
	struct gpt_result r;
	int err = gpt_walk(mode, p.cr3, p.cr4, p.efer, p.long_mode ? gla : (uint32_t)gla,
			   vm_walk_reader, v->vm, &r);
	gpt_format(&r, mode, gla, err, line, sizeof(line));
	kprintf("  guest page walk: %s\n", line);
}

/*
 * Handle an EPT violation (exit reason 48), the guest's access to guest-
 * physical memory its EPT does not allow. Decode the qualification; an access
 * to an MMIO region (data, not an instruction fetch, and not the CPU reading a
 * guest page table that lies there) is emulated; anything else kills the guest
 * with the decoding.
 */
static int handle_ept_violation(struct vcpu *v)
{
	if (!v->vm)
		return -1;   /* not a lab-3 vCPU: no EPT of ours */
	/* BEGIN SOLUTION lab3 */
	struct ept_violation ev;
	ept_violation_decode(vmcs_readnat(VMCS_EXIT_QUALIFICATION),
			     vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS),
			     vmcs_readnat(VMCS_GUEST_LINEAR_ADDRESS), &ev);
	const struct mmio_region *r = mmio_find(v->vm, ev.gpa);
	bool data_access = !ev.fetch && (!ev.gla_valid || ev.gla_translation);
	if (r && data_access) {
		v->vm->violations++;
		mmio_emulate(v, r, ev.gpa, ev.write);
		return 0;
	}
	char what[200];
	ept_violation_format(&ev, what, sizeof(what));
	const char *where = ev.gpa >= v->vm->ram_size && !r ? ", outside its RAM and every MMIO region" :
		r ? ", an MMIO region that cannot be used that way" : "";
	vcpu_kill(v, "EPT violation: %s%s", what, where);
	if (ev.gla_valid)
		print_guest_walk(v, ev.gla);
	return 0;
	/* END SOLUTION */
	/* STUB lab3
	(void)print_guest_walk;
	(void)mmio_emulate;
	NOT_IMPLEMENTED("lab3");
	*/
}

/*
 * EPT misconfiguration (exit reason 49): an EPT entry the hypervisor wrote
 * is invalid (28.2.3.1: write without read, a reserved memory type,
 * reserved bits). It is the hypervisor's bug, not the guest's: say where.
 */
static int handle_ept_misconfig(struct vcpu *v)
{
	if (!v->vm)
		return -1;
	uint64_t gpa = vmcs_read64(VMCS_GUEST_PHYSICAL_ADDRESS);
	struct ept_mapping m;
	if (ept_translate(&v->vm->ept, gpa, &m) == 0)
		kprintf("vm %s: EPT entry for %#lx: host %#lx, perms %#x, memory type %u\n",
			v->vm->name, gpa, m.hpa, m.perms, m.memtype);
	vcpu_kill(v, "EPT misconfiguration at guest-physical %#lx: the hypervisor's EPT has an "
		  "invalid entry (SDM 28.2.3.1)", gpa);
	return 0;
}

static int vmx_ept_exits_init(void)
{
	vmx_exit_set_handler(EXIT_REASON_EPT_VIOLATION, handle_ept_violation);
	vmx_exit_set_handler(EXIT_REASON_EPT_MISCONFIG, handle_ept_misconfig);
	return 0;
}
INITCALL(30, vmx_ept_exits_init);
