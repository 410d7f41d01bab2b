/*
 * ktest_isolation.c - the isolation suite: one test per hostile guest of
 * attacks.h. Each attacker VM runs beside a victim VM (time-shared on
 * this CPU) that checksums its own memory; the attacker is handed the
 * host-physical addresses of a page of hypervisor data and of the
 * victim's memory. An attack is contained when
 *   - the attacker ended the way that attack may end (a fault it saw, an
 *     access that only reached its own state, or the hypervisor stopping
 *     it with a named reason: EPT violation, double fault, watchdog, HLT),
 *     and never reported an escape;
 *   - the victim finished with the right checksum, and its memory, read
 *     by the host, still holds exactly what the victim wrote;
 *   - the hypervisor's data page, its MSRs, CR4.VMXE and the PIC masks
 *     are unchanged, and its timer kept ticking.
 * isolation_summary (last) prints "isolation: N attacks, N contained, 0 escapes".
 */
#include "attacks.h"
#include "ktest.h"
#include "ktest_lab3.h"
#include "percpu.h"
#include "pmm.h"
#include "printf.h"
#include "string.h"
#include "victim.h"
#include "vm.h"
#include "vm_vendor.h"
#include "vmx/vmx_caps.h"
#include "vmx/vmx_vcpu.h"
#include "x86.h"

#define ISO_SEED        0x5eedu
#define ISO_ROUNDS      2
#define ISO_WATCHDOG    (1ull << 23)   /* TSC ticks the attacker may run (Bochs: instructions) */
#define ISO_CANARY      0xc0ffee00d15ea5e5ull
#define PIC1_DATA       0x21
#define PIC2_DATA       0xa1

/* How an attacker may end (bit set = acceptable). */
enum {
	END_FAULTED = 1 << 0,    /* exit ATTACK_EXIT_FAULTED */
	END_NO_EFFECT = 1 << 1,  /* exit ATTACK_EXIT_NO_EFFECT */
	END_EPT = 1 << 2,        /* killed: "EPT violation: ..." */
	END_FAULT_KILL = 1 << 3, /* killed: double or triple fault */
	END_WATCHDOG = 1 << 4,
	END_HALTED = 1 << 5,
};

static const unsigned iso_allowed[ATTACK_COUNT + 1] = {
	[1] = END_EPT, [2] = END_EPT,
	[3] = END_NO_EFFECT | END_EPT, [4] = END_NO_EFFECT | END_EPT,
	[5] = END_NO_EFFECT | END_EPT, [6] = END_NO_EFFECT | END_EPT,
	[7] = END_EPT | END_NO_EFFECT, [8] = END_EPT | END_NO_EFFECT,
	[9] = END_FAULTED, [10] = END_FAULTED, [11] = END_FAULTED, [12] = END_FAULTED,
	[13] = END_FAULTED, [14] = END_FAULTED, [15] = END_FAULTED,
	[16] = END_FAULTED, [17] = END_FAULTED, [18] = END_FAULTED, [19] = END_FAULTED,
	[20] = END_FAULTED, [21] = END_NO_EFFECT, [22] = END_FAULTED,
	[23] = END_NO_EFFECT, [24] = END_NO_EFFECT, [25] = END_NO_EFFECT, [26] = END_NO_EFFECT,
	[27] = END_FAULT_KILL, [28] = END_FAULT_KILL | END_WATCHDOG, [29] = END_WATCHDOG,
	[30] = END_HALTED, [31] = END_NO_EFFECT | END_FAULTED, [32] = END_EPT,
};

static const char *const iso_names[ATTACK_COUNT + 1] = {
#define ISO_NAME(id, name, what, expect) [id] = #name,
	ATTACK_TABLE(ISO_NAME)
#undef ISO_NAME
};

static unsigned iso_run, iso_contained, iso_escapes;

/* The host state an attack must not change. */
struct iso_host {
	uint64_t msr[8];
	uint64_t cr4;
	uint8_t pic1, pic2;
};

static const uint32_t iso_msrs[8] = {
	MSR_IA32_FEATURE_CONTROL, MSR_EFER, 0x1b /* APIC base */, 0x174, 0x175, 0x176 /* SYSENTER */,
	0xc0000082 /* LSTAR */, 0xc0000081 /* STAR */,
};

static void iso_snapshot(struct iso_host *h)
{
	memset(h, 0, sizeof(*h));   /* the padding too: the snapshots are compared with memcmp */
	for (unsigned i = 0; i < 8; i++)
		h->msr[i] = rdmsr(iso_msrs[i]);
	h->cr4 = read_cr4();
	h->pic1 = inb(PIC1_DATA);
	h->pic2 = inb(PIC2_DATA);
}

static unsigned iso_end_of(const struct vcpu *v, int rc)
{
	const char *why = v->stop_why ? v->stop_why : "";
	switch (v->stop) {
	case VCPU_STOP_EXIT:
		return rc == ATTACK_EXIT_FAULTED ? END_FAULTED :
		       rc == ATTACK_EXIT_NO_EFFECT ? END_NO_EFFECT : 0;
	case VCPU_STOP_KILLED:
		if (!strncmp(why, "EPT violation", 13))
			return END_EPT;
		if (!strncmp(why, "double fault", 12) || !strncmp(why, "triple fault", 12))
			return END_FAULT_KILL;
		return 0;
	case VCPU_STOP_WATCHDOG:
		return END_WATCHDOG;
	case VCPU_STOP_HLT:
		return END_HALTED;
	default:
		return 0;
	}
}

/*
 * The hypervisor data the attacker is pointed at: for the plain read and
 * write (attacks 3, 4) a page of the hypervisor's own code, whose address
 * (about 1 MiB) lies inside the attacker's guest-physical RAM, so the
 * access "succeeds" but reaches the attacker's own page; for the others a
 * page allocated here, above the attacker's RAM. Either way it must not
 * change.
 */
static uint64_t iso_host_target(unsigned id, uint64_t canary_pa)
{
	return id == 3 || id == 4 ? (uint64_t)(uintptr_t)iso_host_target & ~(PAGE_SIZE - 1) :
		canary_pa;
}

static uint64_t iso_page_sum(uint64_t pa)
{
	const uint64_t *w = (const uint64_t *)(uintptr_t)pa;
	uint64_t sum = 0;
	for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
		sum = (sum << 1 | sum >> 63) ^ w[i];
	return sum;
}

/* Run attack @id beside a victim and judge it (see the top of the file). */
static void iso_attack(unsigned id)
{
	NEED_LAB3();
	const struct guest_image *hostile = guest_image_find("lab3-hostile");
	const struct guest_image *victim_img = guest_image_find("lab3-victim");
	KASSERTF(hostile && victim_img, "guest images lab3-hostile and lab3-victim are missing");
	uint64_t canary_pa = page_alloc();
	KASSERT(canary_pa);
	uint64_t *canary = (uint64_t *)(uintptr_t)canary_pa;
	for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
		canary[i] = ISO_CANARY ^ i;

	struct vm_config vc = { .name = "victim", .image = victim_img,
				.arg = { ISO_SEED, ISO_ROUNDS, 0 }, .quiet = true };
	struct vm *victim = vm_create(&vc);
	KASSERT(victim);
	struct vm_config ac = { .name = "attacker", .image = hostile, .watchdog = ISO_WATCHDOG,
				.arg = { id, (uint32_t)iso_host_target(id, canary_pa),
					 (uint32_t)(victim->ram[0].hpa + VICTIM_BASE) } };
	struct vm *attacker = vm_create(&ac);
	if (!attacker) {
		vm_destroy(victim);
		page_free(canary_pa);
		KASSERTF(0, "the attacker VM could not be created");
	}

	struct iso_host before, after;
	uint64_t target_sum = iso_page_sum(iso_host_target(id, canary_pa));
	iso_snapshot(&before);
	uint64_t ticks = this_cpu()->ticks;
	struct vm *vms[2] = { attacker, victim };
	int rcs[2];
	vm_run_together(vms, 2, rcs);
	iso_snapshot(&after);
	bool ticked = this_cpu()->ticks != ticks;

	unsigned end = iso_end_of(attacker->vcpu, rcs[0]);
	bool reported_escape = attacker->vcpu->stop == VCPU_STOP_EXIT && rcs[0] == ATTACK_EXIT_ESCAPED;
	bool victim_ok = rcs[1] == 0 && kt_victim_intact(victim, ISO_SEED);
	bool canary_ok = iso_page_sum(iso_host_target(id, canary_pa)) == target_sum;
	for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
		canary_ok &= canary[i] == (ISO_CANARY ^ i);
	bool host_ok = !memcmp(&before, &after, sizeof(before)) && (after.cr4 & X86_CR4_VMXE);
	char how[240];
	ksnprintf(how, sizeof(how), "%s%s%s", vcpu_stop_name(attacker->vcpu->stop),
		  attacker->vcpu->stop_why ? ": " : "",
		  attacker->vcpu->stop_why ? attacker->vcpu->stop_why : "");
	if (attacker->vcpu->stop == VCPU_STOP_EXIT)
		ksnprintf(how, sizeof(how), "exited with %#x", rcs[0]);
	vm_destroy(attacker);
	vm_destroy(victim);
	page_free(canary_pa);

	bool escaped = reported_escape || !victim_ok || !canary_ok || !host_ok;
	bool contained = !escaped && (end & iso_allowed[id]) && ticked;
	iso_run++;
	iso_contained += contained;
	iso_escapes += escaped;
	kprintf("isolation: attack %u (%s): %s; attacker %s\n", id, iso_names[id],
		escaped ? "ESCAPED" : contained ? "contained" : "NOT CONTAINED", how);
	KASSERTF(!reported_escape, "the attacker reports it escaped");
	KASSERTF(victim_ok, "the victim ended with %d or its memory changed", rcs[1]);
	KASSERTF(canary_ok, "the hypervisor's page at %#lx changed", iso_host_target(id, 0));
	KASSERTF(host_ok, "host MSRs, CR4 or PIC masks changed");
	KASSERTF(ticked, "the host timer did not tick during the attack");
	KASSERTF(end & iso_allowed[id], "the attacker ended in a way this attack may not (%s)", how);
}

#define ISO_TEST(id, name, what, expect) \
	KTEST(isolation_##name) { iso_attack(id); }
ATTACK_TABLE(ISO_TEST)
#undef ISO_TEST

/* Last: the suite's verdict, for the grader and the README. */
KTEST(isolation_summary)
{
	if (!iso_run)
		KSKIP("no attack ran: boot with test=isolation_*");
	kprintf("isolation: %u attacks, %u contained, %u escapes\n", iso_run, iso_contained,
		iso_escapes);
	KASSERT(iso_escapes == 0);
	KASSERT(iso_contained == iso_run);
}
