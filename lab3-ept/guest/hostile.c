/*
 * hostile.c - the guest image "lab3-hostile": one attack of attacks.h per
 * run, chosen by its number in EBX. ECX holds a host-physical address of
 * hypervisor data, ESI one inside the victim VM's RAM (both below 4 GiB):
 * the test hands the attacker what it could never learn by itself.
 *
 * Each attack prints a line saying what it does, then, if it is still
 * running, what it observed, and exits with an ATTACK_EXIT_* code:
 *   FAULTED    the CPU refused with the fault the attack expects (#UD, #GP),
 *              or a hypercall refused its pointer (-HC_EFAULT);
 *   NO_EFFECT  it went through but reached only the guest's own state:
 *              an address inside its own RAM (EPT maps guest-physical,
 *              so a host-physical number names the guest's own page), a
 *              port that reads all ones, an MSR the guest cannot tell apart;
 *   ESCAPED    it saw or changed what it must not: it read or wrote beyond
 *              its RAM and was not stopped, a VMX instruction or CR4.VMXE
 *              went through, a port answered like the real device;
 *   UNKNOWN    no attack with that number.
 * The attacks the hypervisor must end itself (EPT violation, triple fault,
 * watchdog, HLT) never reach their exit; if one does, it says so and
 * exits ESCAPED. The suite judges the host and the victim either way.
 */
#include "attacks.h"
#include "grt.h"
#include "grt3.h"
#include "hcall.h"
#include "printf.h"
#include "probe.h"
#include "x86.h"

/* What the write attacks write ("the mark"): easy to spot in a dump of the
 * victim or the host. */
#define HOSTILE_MARK  0x4841434b45442121ull   /* "!!DEKCAH" in memory */

/* Where pt_map_* map their target: PML4[0], PDPT[4], unused by the
 * runtime's identity map of [0, 4 GiB). */
#define ALIAS_VA      (4ull << 30)

#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_LSTAR             0xc0000082
#define EFER_RESERVED_BIT     (1ull << 2)
#define EFER_LME              (1ull << 8)
#define CR4_VMXE              (1ull << 13)
#define APIC_BASE_ENABLE      (1ull << 11)
#define APIC_PAGE             0xfee00000ull
#define APIC_ID_REG           0x20

#define ATTACK_PROTO(id, name, what, how) static int atk_##name(void);
ATTACK_TABLE(ATTACK_PROTO)

struct attack {
	const char *name;
	int (*fn)(void);
};

#define ATTACK_ENTRY(id, name, what, how) [id] = { #name, atk_##name },
static const struct attack attacks[ATTACK_COUNT + 1] = { ATTACK_TABLE(ATTACK_ENTRY) };

static const struct attack *cur;
static uint64_t hv_pa, victim_pa;

#define say(fmt, ...) gprintf("hostile: %s: " fmt "\n", cur->name, ##__VA_ARGS__)

static bool in_own_ram(uint64_t pa)
{
	return pa + 8 <= grt_mem_size;
}

/* The image (code, data, page tables, stack): writing there would only
 * wreck the attacker itself. */
static bool in_own_image(uint64_t pa)
{
	return pa + 8 > (uint64_t)__image_start && pa < (uint64_t)__image_end;
}

/* ---- memory ---- */

static int read_target(const char *whose, uint64_t pa)
{
	pa &= ~7ull;
	if (in_own_ram(pa)) {
		uint64_t v = *(volatile uint64_t *)pa;
		say("read %s %#lx: in my own RAM, it reads %#lx: my own memory", whose,
		    (unsigned long)pa, (unsigned long)v);
		return ATTACK_EXIT_NO_EFFECT;
	}
	say("reading %s %#lx, past my RAM (%#lx bytes): I must be stopped", whose,
	    (unsigned long)pa, (unsigned long)grt_mem_size);
	uint64_t v = *(volatile uint64_t *)pa;
	say("ESCAPED: read %#lx at %#lx and was not stopped", (unsigned long)v, (unsigned long)pa);
	return ATTACK_EXIT_ESCAPED;
}

static int write_target(const char *whose, uint64_t pa)
{
	pa &= ~7ull;
	if (in_own_ram(pa)) {
		if (in_own_image(pa)) {
			say("%s %#lx is in my own image: not written (it would only hurt me)",
			    whose, (unsigned long)pa);
			return ATTACK_EXIT_NO_EFFECT;
		}
		*(volatile uint64_t *)pa = HOSTILE_MARK;
		uint64_t v = *(volatile uint64_t *)pa;
		say("wrote the mark to %s %#lx: in my own RAM, reads back %#lx: my own memory",
		    whose, (unsigned long)pa, (unsigned long)v);
		return ATTACK_EXIT_NO_EFFECT;
	}
	say("writing the mark to %s %#lx, past my RAM (%#lx bytes): I must be stopped", whose,
	    (unsigned long)pa, (unsigned long)grt_mem_size);
	*(volatile uint64_t *)pa = HOSTILE_MARK;
	say("ESCAPED: the write to %#lx went through", (unsigned long)pa);
	return ATTACK_EXIT_ESCAPED;
}

static int atk_read_beyond_ram(void) { return read_target("the first address", grt_mem_size); }
static int atk_write_beyond_ram(void) { return write_target("the first address", grt_mem_size); }
static int atk_read_host_memory(void) { return read_target("hypervisor address", hv_pa); }
static int atk_write_host_memory(void) { return write_target("hypervisor address", hv_pa); }
static int atk_read_other_vm(void) { return read_target("victim address", victim_pa); }
static int atk_write_other_vm(void) { return write_target("victim address", victim_pa); }

/* ---- its own page tables: map the target at ALIAS_VA with a 4 KiB page ---- */

static uint64_t alias_pd[512] __attribute__((aligned(4096)));
static uint64_t alias_pt[512] __attribute__((aligned(4096)));

static int pt_map(const char *whose, uint64_t pa)
{
	pa &= ~7ull;
	alias_pt[0] = (pa & PTE_ADDR_MASK) | PTE_P | PTE_W;
	alias_pd[0] = (uint64_t)alias_pt | PTE_P | PTE_W;
	grt_pdpt[ALIAS_VA >> 30] = (uint64_t)alias_pd | PTE_P | PTE_W;
	invlpg(ALIAS_VA);
	volatile uint64_t *alias = (volatile uint64_t *)(ALIAS_VA + (pa & 0xfff));

	if (in_own_ram(pa) && in_own_image(pa)) {
		uint64_t v = *alias;
		say("mapped %s %#lx at %p: my own image, reads %#lx; not written", whose,
		    (unsigned long)pa, (void *)alias, (unsigned long)v);
		return ATTACK_EXIT_NO_EFFECT;
	}
	say("mapped %s %#lx at %p (PTE %#lx); writing the mark through it", whose,
	    (unsigned long)pa, (void *)alias, (unsigned long)alias_pt[0]);
	*alias = HOSTILE_MARK;
	uint64_t v = *alias;
	if (in_own_ram(pa)) {
		say("the write reached my own RAM at %#lx (reads %#lx): my own memory",
		    (unsigned long)pa, (unsigned long)v);
		return ATTACK_EXIT_NO_EFFECT;
	}
	say("ESCAPED: wrote beyond my RAM through my page tables (reads back %#lx)", (unsigned long)v);
	return ATTACK_EXIT_ESCAPED;
}

static int atk_pt_map_host(void) { return pt_map("hypervisor address", hv_pa); }
static int atk_pt_map_other_vm(void) { return pt_map("victim address", victim_pa); }

/* ---- instructions that must fault ---- */

static const char *vec_str(int v)
{
	return v == PROBE_NO_FAULT ? "no exception" : grt_vector_name((unsigned)v);
}

/* @got from a probe: the expected fault, none (@none_exit: what going
 * through means for this instruction), or another fault. */
static int judge(const char *insn, int got, int want, int none_exit)
{
	if (got == want) {
		say("%s raised %s (error code %#lx), as expected", insn, vec_str(got),
		    (unsigned long)grt_last_trap.error_code);
		return ATTACK_EXIT_FAULTED;
	}
	if (got == PROBE_NO_FAULT) {
		say("%s%s went through without %s", none_exit == ATTACK_EXIT_ESCAPED ? "ESCAPED: " : "",
		    insn, vec_str(want));
		return none_exit;
	}
	say("%s raised %s, not %s", insn, vec_str(got), vec_str(want));
	return ATTACK_EXIT_NO_EFFECT;
}

/* A VMX instruction that completes in a guest means the hypervisor ran it
 * for the guest: nested VMX, which hvlab does not offer. */
static int atk_vmxon(void) { return judge("VMXON", probe_vmxon((uint64_t)alias_pt), VEC_UD, ATTACK_EXIT_ESCAPED); }

static int atk_vmread(void)
{
	uint64_t v;
	return judge("VMREAD of the guest RIP field", probe_vmread(0x681e, &v), VEC_UD,
		     ATTACK_EXIT_ESCAPED);
}

static int atk_vmwrite(void)
{
	return judge("VMWRITE of the host RIP field", probe_vmwrite(0x6c16, hv_pa), VEC_UD,
		     ATTACK_EXIT_ESCAPED);
}

static int atk_vmptrld(void)
{
	say("VMPTRLD %#lx (ESI)", (unsigned long)victim_pa);
	return judge("VMPTRLD", probe_vmptrld(victim_pa), VEC_UD, ATTACK_EXIT_ESCAPED);
}

static int atk_vmlaunch(void) { return judge("VMLAUNCH", probe_vmlaunch(), VEC_UD, ATTACK_EXIT_ESCAPED); }

static int atk_invept(void)
{
	const uint64_t desc[2] = { 0, 0 };
	return judge("INVEPT all-context", probe_invept(2, desc), VEC_UD, ATTACK_EXIT_ESCAPED);
}

static int atk_invvpid(void)
{
	const uint64_t desc[2] = { 0, 0 };
	return judge("INVVPID all-context", probe_invvpid(2, desc), VEC_UD, ATTACK_EXIT_ESCAPED);
}

/* MSRs: a write that goes through is read back; only the host can tell
 * whether it reached a real MSR, so the attack says NO_EFFECT and shows
 * the value. */
static int msr_write(const char *name, uint32_t msr, uint64_t val)
{
	char insn[64];
	int got = probe_wrmsr(msr, val);

	ksnprintf(insn, sizeof(insn), "WRMSR %s (%#x) = %#lx", name, msr, (unsigned long)val);
	if (got == PROBE_NO_FAULT) {
		uint64_t back = 0;
		int rv = probe_rdmsr(msr, &back);
		say("%s went through without #GP; RDMSR gives %#lx (%s)", insn, (unsigned long)back,
		    vec_str(rv));
		return ATTACK_EXIT_NO_EFFECT;
	}
	return judge(insn, got, VEC_GP, ATTACK_EXIT_NO_EFFECT);
}

/* Both writes must fault for FAULTED; otherwise the worse outcome. */
static int both(int a, int b)
{
	return a == ATTACK_EXIT_FAULTED ? b : a;
}

static int atk_wrmsr_feature_ctl(void)
{
	return msr_write("IA32_FEATURE_CONTROL", MSR_IA32_FEATURE_CONTROL, 0x5); /* lock, VMX on */
}

static int atk_wrmsr_efer(void)
{
	uint64_t efer = rdmsr(MSR_EFER);
	int a = msr_write("EFER with reserved bit 2", MSR_EFER, efer | EFER_RESERVED_BIT);
	int b = msr_write("EFER without LME, in long mode", MSR_EFER, efer & ~EFER_LME);
	return both(a, b);
}

static int atk_wrmsr_apic_base(void)
{
	return msr_write("IA32_APIC_BASE", MSR_IA32_APIC_BASE,
			 (hv_pa & PTE_ADDR_MASK) | APIC_BASE_ENABLE);
}

static int atk_wrmsr_sysenter(void)
{
	int a = msr_write("IA32_SYSENTER_ESP", MSR_IA32_SYSENTER_ESP, hv_pa);
	int b = msr_write("IA32_SYSENTER_EIP", MSR_IA32_SYSENTER_EIP, hv_pa);
	return both(a, b);
}

static int atk_wrmsr_lstar(void) { return msr_write("LSTAR", MSR_LSTAR, hv_pa); }

/* CR4.VMXE: the guest's CR4 never shows it (read shadow); clearing it
 * touches only the guest's view. */
static int atk_cr4_clear_vmxe(void)
{
	uint64_t cr4 = read_cr4();
	int got = probe_write_cr4(cr4 & ~CR4_VMXE);

	if (got == PROBE_NO_FAULT) {
		say("MOV to CR4 %#lx (VMXE clear) went through; CR4 reads %#lx: my own view",
		    (unsigned long)(cr4 & ~CR4_VMXE), (unsigned long)read_cr4());
		return ATTACK_EXIT_NO_EFFECT;
	}
	return judge("MOV to CR4 with VMXE clear", got, VEC_GP, ATTACK_EXIT_NO_EFFECT);
}

static int atk_cr4_set_vmxe(void)
{
	uint64_t cr4 = read_cr4();
	int got = probe_write_cr4(cr4 | CR4_VMXE);

	if (got == PROBE_NO_FAULT)
		say("CR4 reads %#lx after setting VMXE", (unsigned long)read_cr4());
	return judge("MOV to CR4 with VMXE set", got, VEC_GP, ATTACK_EXIT_ESCAPED);
}

/* ---- I/O ports: unclaimed ports ignore writes and read all ones ---- */

static int atk_io_pic(void)
{
	outb(0x21, 0xfb);	/* master: mask all but the cascade (OCW1) */
	outb(0xa1, 0xff);	/* slave: mask all */
	outb(0x20, 0x20);	/* a non-specific EOI (OCW2) */
	uint8_t m = inb(0x21), s = inb(0xa1);
	if (m == 0xff && s == 0xff) {
		say("wrote masks 0xfb/0xff to ports 0x21/0xa1 and EOI to 0x20; they read 0xff: ignored");
		return ATTACK_EXIT_NO_EFFECT;
	}
	say("ESCAPED: wrote masks 0xfb/0xff to ports 0x21/0xa1; they read %#x/%#x: a real PIC answers",
	    m, s);
	return ATTACK_EXIT_ESCAPED;
}

static int atk_io_pit(void)
{
	outb(0x43, 0x34);	/* channel 0, lobyte/hibyte, mode 2 */
	outb(0x40, 0x01);	/* divisor 1: the fastest interrupt storm */
	outb(0x40, 0x00);
	outb(0x43, 0x00);	/* latch channel 0 */
	uint16_t count = inb(0x40);
	count |= (uint16_t)(inb(0x40) << 8);
	if (count == 0xffff) {
		say("programmed PIT channel 0 with divisor 1; the latched count reads 0xffff: ignored");
		return ATTACK_EXIT_NO_EFFECT;
	}
	say("ESCAPED: programmed PIT channel 0; the latched count reads %#x: a real PIT answers", count);
	return ATTACK_EXIT_ESCAPED;
}

static int atk_io_kbd_reset(void)
{
	outb(0x64, 0xfe);	/* pulse the reset line */
	say("wrote 0xfe to port 0x64 and I am still here; port 0x64 reads %#x", inb(0x64));
	return ATTACK_EXIT_NO_EFFECT;
}

static int atk_io_cf9_reset(void)
{
	outb(0xcf9, 0x06);	/* reset control: full reset */
	say("wrote 0x06 to port 0xcf9 and I am still here; it reads %#x", inb(0xcf9));
	return ATTACK_EXIT_NO_EFFECT;
}

/* ---- the guest's own exceptions, time and halting ---- */

struct idt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static int atk_triple_fault(void)
{
	static const struct idt_ptr empty = { 0, 0 };

	say("an empty IDT, then UD2: #UD -> #GP -> #DF -> triple fault; I must be stopped");
	__asm__ volatile("lidt %0\n\tud2" : : "m"(empty) : "memory");
	say("ESCAPED: still running after a triple fault");
	return ATTACK_EXIT_ESCAPED;
}

/* hostile_asm.S: load an IDT with only #UD, whose handler resets RSP and
 * executes UD2 again: an endless storm that never grows the stack. */
void hostile_exception_storm(void) __attribute__((noreturn));

static int atk_exception_storm(void)
{
	say("an IDT whose #UD handler executes UD2 again, forever: I must be stopped");
	hostile_exception_storm();
}

static int atk_spin_cli(void)
{
	say("spinning with interrupts off; the watchdog must stop me");
	__asm__ volatile("cli\n1:\tjmp 1b" : : : "memory");
	__builtin_unreachable();
}

static int atk_hlt_cli(void)
{
	say("HLT with interrupts off: nothing can wake me; I must be stopped");
	__asm__ volatile("cli; hlt" : : : "memory");
	say("ESCAPED: HLT with interrupts off returned");
	return ATTACK_EXIT_ESCAPED;
}

/* ---- hypercalls with bad pointers: each must come back -HC_EFAULT ---- */

static int atk_hypercall_pointer(void)
{
	struct { const char *what; uint64_t buf, len; } calls[] = {
		{ "the hypervisor's address", hv_pa, 64 },
		{ "the victim's address", victim_pa, 64 },
		{ "the last 8 bytes of my RAM and beyond", grt_mem_size - 8, 64 },
		{ "past my RAM", grt_mem_size, 16 },
		{ "an end that wraps around to 0x100", ~0ull - 0xff, 0x200 },
		{ "a non-canonical address", 0x8000000000000000ull, 16 },
	};
	int worst = ATTACK_EXIT_FAULTED;

	for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		uint64_t b = calls[i].buf, n = calls[i].len;
		if (b + n >= b && b + n <= grt_mem_size) {
			say("HC_CONSOLE_WRITE(%#lx, %lu), %s: inside my own RAM, skipped",
			    (unsigned long)b, (unsigned long)n, calls[i].what);
			continue;
		}
		long rc = hc_console_write((const char *)b, n);
		say("HC_CONSOLE_WRITE(%#lx, %#lx), %s: %ld%s", (unsigned long)b, (unsigned long)n,
		    calls[i].what, rc, rc == -HC_EFAULT ? " (-HC_EFAULT)" :
		    rc >= 0 ? ": ESCAPED, not refused" : ": refused, but not with -HC_EFAULT");
		if (rc >= 0)
			worst = ATTACK_EXIT_ESCAPED;
		else if (rc != -HC_EFAULT && worst == ATTACK_EXIT_FAULTED)
			worst = ATTACK_EXIT_NO_EFFECT;
	}
	return worst;
}

static int atk_unregistered_mmio(void)
{
	say("reading the local APIC ID register at %#llx (no device): I must be stopped",
	    APIC_PAGE + APIC_ID_REG);
	uint32_t v = *(volatile uint32_t *)(APIC_PAGE + APIC_ID_REG);
	say("ESCAPED: read %#x from the APIC page and was not stopped", v);
	return ATTACK_EXIT_ESCAPED;
}

int guest_main(void)
{
	uint32_t id = grt_boot.ebx;

	hv_pa = grt_boot.ecx;
	victim_pa = grt_boot.esi;
	if (id == 0 || id > ATTACK_COUNT || !attacks[id].fn) {
		gprintf("hostile: no attack number %u (1..%d)\n", id, ATTACK_COUNT);
		return ATTACK_EXIT_UNKNOWN;
	}
	cur = &attacks[id];
	gprintf("hostile: attack %u (%s); ECX %#lx ESI %#lx RAM %#lx\n", id, cur->name,
		(unsigned long)hv_pa, (unsigned long)victim_pa, (unsigned long)grt_mem_size);
	return cur->fn();
}
