/*
 * test_lapic.c - the local APIC model against the SDM (Vol. 3A, chapter
 * 10) and against the sequences Linux runs (arch/x86/kernel/apic/apic.c:
 * setup_local_APIC, the timer calibration, vlapic_next_event and
 * vlapic_next_deadline, EOI). Offsets and bits are written out as the SDM
 * numbers them, not taken from vlapic.h. Times are explicit guest ns.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "vlapic.h"

static int nlog;
static char lastlog[256];
int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(lastlog, sizeof(lastlog), fmt, ap);
	va_end(ap);
	nlog++;
	return 0;
}

struct ipi { uint32_t dest; uint8_t vector; unsigned mode; bool logical, level; unsigned sh; };
static struct ipi ipis[16];
static int nipi, nkick, neoi;
static uint8_t eois[16];

static void kick(void *ctx) { nkick++; }
static void ipi(void *ctx, uint32_t dest, uint8_t vector, unsigned mode, bool logical,
		bool level, unsigned sh)
{
	cr_assert_lt(nipi, 16);
	ipis[nipi++] = (struct ipi){ dest, vector, mode, logical, level, sh };
}
static void eoi(void *ctx, uint8_t vector)
{
	cr_assert_lt(neoi, 16);
	eois[neoi++] = vector;
}
static const struct vlapic_ops ops = { kick, ipi, eoi };

#define BUS_HZ 100000000ull     /* 100 MHz: one tick at divide 1 is 10 ns */
#define TSC_HZ 2000000000ull    /* 2 GHz: two TSC ticks per ns */

static struct vlapic l;

static void reset(void)
{
	nlog = nipi = nkick = neoi = 0;
	vlapic_init(&l, 3, true, BUS_HZ, TSC_HZ, &ops, NULL);
}

static uint32_t rd(uint32_t off) { return vlapic_mmio_read(&l, off, 0); }
static void wr(uint32_t off, uint32_t v) { vlapic_mmio_write(&l, off, v, 0); }
static void enable(void) { wr(0xF0, 0x1FF); }

static uint64_t msr_rd(uint32_t msr, int expect_rc)
{
	uint64_t v = 0xdead;
	int rc = vlapic_msr_read(&l, msr, &v, 0, 0);
	cr_assert_eq(rc, expect_rc, "rdmsr %#x: rc %d, expected %d", msr, rc, expect_rc);
	return v;
}
static void msr_wr(uint32_t msr, uint64_t v, int expect_rc)
{
	int rc = vlapic_msr_write(&l, msr, v, 0, 0);
	cr_assert_eq(rc, expect_rc, "wrmsr %#x <- %#lx: rc %d, expected %d", msr, v, rc, expect_rc);
}
static void x2apic_on(void) { msr_wr(0x1B, 0xFEE00000ull | (1 << 11) | (1 << 10), 0); }

TestSuite(vlapic, .init = reset);

/* ---- reset state (SDM 10.4.7.1) ---- */

Test(vlapic, power_up_state)
{
	cr_expect_eq(rd(0x20), 3u << 24, "ID in bits 31:24");
	cr_expect_eq(rd(0x30), 0x00050014, "version 0x14, max LVT 5");
	cr_expect_eq(rd(0x80), 0);
	cr_expect_eq(rd(0xA0), 0);
	cr_expect_eq(rd(0xD0), 0);
	cr_expect_eq(rd(0xE0), 0xFFFFFFFF);
	cr_expect_eq(rd(0xF0), 0xFF, "software-disabled, spurious vector 0xFF");
	uint32_t lvt_off[] = { 0x320, 0x330, 0x340, 0x360, 0x370 };
	for (unsigned i = 0; i < 5; i++)
		cr_expect_eq(rd(lvt_off[i]), 1u << 16, "LVT %#x masked", lvt_off[i]);
	cr_expect_eq(rd(0x350), 0x700, "BSP: LINT0 ExtINT unmasked (virtual wire)");
	cr_expect_eq(msr_rd(0x1B, 0), 0xFEE00000ull | (1 << 11) | (1 << 8));
	for (uint32_t off = 0x100; off < 0x280; off += 0x10)
		cr_expect_eq(rd(off), 0, "ISR/TMR/IRR %#x", off);
	cr_expect(vlapic_accepts_pic(&l));
	cr_expect_eq(vlapic_pending(&l), -1);

	vlapic_init(&l, 1, false, BUS_HZ, TSC_HZ, &ops, NULL);
	cr_expect_eq(msr_rd(0x1B, 0), 0xFEE00000ull | (1 << 11), "an AP: no BSP bit");
	cr_expect_eq(rd(0x350), 1u << 16, "an AP's LINT0 is masked");
	cr_expect_not(vlapic_accepts_pic(&l));
}

Test(vlapic, pic_through_lint0)
{
	wr(0x350, 0x10700);
	cr_expect_not(vlapic_accepts_pic(&l), "masked ExtINT");
	enable();
	wr(0x350, 0x700);
	cr_expect(vlapic_accepts_pic(&l));
	wr(0x350, 0x400);
	cr_expect_not(vlapic_accepts_pic(&l), "LINT0 as NMI does not take the PIC");
	msr_wr(0x1B, 0xFEE00000ull, 0);
	cr_expect(vlapic_accepts_pic(&l), "a disabled APIC passes INTR through");
}

/* ---- acceptance and priorities (SDM 10.8) ---- */

Test(vlapic, software_disabled_takes_no_fixed_interrupts)
{
	vlapic_accept(&l, 0x40, false);
	cr_expect_eq(rd(0x200 + 0x20), 0);
	cr_expect_eq(nkick, 0);
	enable();
	vlapic_accept(&l, 0x40, false);
	cr_expect_eq(rd(0x200 + 0x20), 1u << 0, "vector 0x40 is bit 0 of IRR[2]");
	cr_expect_eq(nkick, 1, "a deliverable vector kicks");
	cr_expect_eq(vlapic_pending(&l), 0x40);
}

Test(vlapic, vector_bits_in_irr_isr_tmr)
{
	enable();
	for (unsigned v = 16; v < 256; v += 7) {
		vlapic_accept(&l, v, v & 1);
		uint32_t bit = 1u << (v % 32), idx = (v / 32) * 0x10;
		cr_expect(rd(0x200 + idx) & bit, "IRR vector %u", v);
		cr_expect_eq((rd(0x180 + idx) & bit) != 0, (v & 1) != 0, "TMR vector %u", v);
		cr_expect_eq(vlapic_pending(&l), (int)v);
		vlapic_ack(&l, v);
		cr_expect_eq(rd(0x200 + idx) & bit, 0, "ack clears IRR %u", v);
		cr_expect(rd(0x100 + idx) & bit, "ack sets ISR %u", v);
		int before = neoi;
		wr(0xB0, 0);
		cr_expect_eq(rd(0x100 + idx) & bit, 0, "EOI clears ISR %u", v);
		cr_expect_eq(neoi - before, (int)(v & 1), "ops->eoi for level vector %u", v);
		if (v & 1)
			cr_expect_eq(eois[neoi - 1], v);
		neoi = 0;
	}
}

Test(vlapic, priority_classes)
{
	enable();
	vlapic_accept(&l, 0x31, false);
	vlapic_accept(&l, 0x45, false);
	cr_expect_eq(vlapic_pending(&l), 0x45, "highest vector first");
	vlapic_ack(&l, 0x45);
	cr_expect_eq(rd(0xA0), 0x40, "PPR = class of the ISR vector");
	cr_expect_eq(vlapic_pending(&l), -1, "0x31 is below the class in service");
	vlapic_accept(&l, 0x4F, false);
	cr_expect_eq(vlapic_pending(&l), -1, "same class waits for the EOI");
	vlapic_accept(&l, 0x50, false);
	cr_expect_eq(vlapic_pending(&l), 0x50, "a higher class nests");
	vlapic_ack(&l, 0x50);
	cr_expect_eq(rd(0xA0), 0x50);
	wr(0xB0, 0);
	cr_expect_eq(rd(0x100 + 0x20), 1u << 5, "EOI ended 0x50, not 0x45");
	cr_expect_eq(vlapic_pending(&l), -1, "0x4F still waits for 0x45");
	nkick = 0;
	wr(0xB0, 0);
	cr_expect_eq(nkick, 1, "the EOI made 0x4F deliverable");
	cr_expect_eq(vlapic_pending(&l), 0x4F);
	vlapic_ack(&l, 0x4F);
	wr(0xB0, 0);
	cr_expect_eq(vlapic_pending(&l), 0x31);
	cr_expect_eq(neoi, 0, "edge-triggered vectors tell no IOAPIC");
}

Test(vlapic, tpr_blocks_classes_at_or_below)
{
	enable();
	wr(0x80, 0x5A);
	cr_expect_eq(rd(0x80), 0x5A);
	cr_expect_eq(rd(0xA0), 0x5A, "PPR = TPR when nothing is in service");
	vlapic_accept(&l, 0x5F, false);
	cr_expect_eq(vlapic_pending(&l), -1);
	vlapic_accept(&l, 0x60, false);
	cr_expect_eq(vlapic_pending(&l), 0x60);
	vlapic_ack(&l, 0x60);
	cr_expect_eq(rd(0xA0), 0x60, "ISR class above TPR: PPR = 0x60");
	wr(0xB0, 0);
	nkick = 0;
	wr(0x80, 0x40);
	cr_expect_eq(nkick, 1, "lowering TPR kicks");
	cr_expect_eq(vlapic_pending(&l), 0x5F);
	wr(0x80, 0x1FF);
	cr_expect_eq(rd(0x80), 0xFF, "TPR is 8 bits");
	cr_expect_eq(vlapic_get_cr8(&l), 0xF);
	vlapic_set_cr8(&l, 4);
	cr_expect_eq(rd(0x80), 0x40, "CR8 is TPR[7:4]");
}

Test(vlapic, level_eoi_goes_to_the_ioapic)
{
	enable();
	vlapic_accept(&l, 0x61, true);
	vlapic_ack(&l, 0x61);
	vlapic_accept(&l, 0x62, false);
	vlapic_ack(&l, 0x62);
	wr(0xB0, 0);
	cr_expect_eq(neoi, 0, "0x62 was edge");
	wr(0xB0, 0);
	cr_assert_eq(neoi, 1);
	cr_expect_eq(eois[0], 0x61);
	wr(0xB0, 0);
	cr_expect_eq(neoi, 1, "EOI with nothing in service does nothing");
}

Test(vlapic, ack_of_a_vector_not_in_irr_is_refused)
{
	enable();
	vlapic_ack(&l, 0x70);
	cr_expect_eq(rd(0x100 + 0x30), 0);
	cr_expect_eq(nlog, 1);
}

Test(vlapic, arbitration_priority)
{
	enable();
	wr(0x80, 0x30);
	cr_expect_eq(rd(0x90), 0x30, "TPR above everything");
	vlapic_accept(&l, 0x85, false);
	cr_expect_eq(rd(0x90), 0x80, "IRR class above TPR");
}

/* ---- errors (SDM 10.5.3) ---- */

Test(vlapic, esr_is_write_then_read)
{
	enable();
	wr(0x370, 0xFE);
	vlapic_accept(&l, 7, false);
	cr_expect_eq(rd(0x280), 0, "not visible before a write");
	cr_expect_eq(vlapic_pending(&l), 0xFE, "the LVT error interrupt");
	wr(0x280, 0);
	cr_expect_eq(rd(0x280), 1u << 6, "received illegal vector");
	wr(0x280, 0);
	cr_expect_eq(rd(0x280), 0, "the next write clears it");
	cr_expect_eq(rd(0x200), 0, "vector 7 never reached IRR");
}

Test(vlapic, error_lvt_with_illegal_vector_does_not_loop)
{
	enable();
	wr(0x370, 0x03);
	vlapic_accept(&l, 5, false);
	wr(0x280, 0);
	cr_expect_eq(rd(0x280), 1u << 6);
	cr_expect_eq(vlapic_pending(&l), -1);
}

Test(vlapic, reserved_and_misaligned_offsets)
{
	enable();
	cr_expect_eq(rd(0x40), 0);
	wr(0x40, 0x1234);
	cr_expect_eq(rd(0x2F0), 0, "no CMCI LVT with max LVT 5");
	cr_expect_eq(rd(0x3F0), 0, "self IPI is x2APIC only");
	wr(0x3F0, 0x40);
	cr_expect_eq(rd(0x200 + 0x20), 0);
	cr_expect_eq(nlog, 1, "one line for reserved registers");
	wr(0x280, 0);
	cr_expect_eq(rd(0x280), 1u << 7, "illegal register address");
	cr_expect_eq(rd(0x24), 0, "not on a 16-byte boundary");
	wr(0x84, 0x10);
	cr_expect_eq(rd(0x80), 0);
	cr_expect_eq(rd(0x1000), 0, "beyond the page");
	cr_expect_eq(nlog, 2, "one line for bad offsets");
	cr_expect(strstr(lastlog, "16-byte"), "%s", lastlog);
}

Test(vlapic, read_only_registers)
{
	enable();
	wr(0x30, 0);
	wr(0xA0, 0xFF);
	wr(0x100, 0xFFFFFFFF);
	wr(0x200, 0xFFFFFFFF);
	wr(0x390, 5);
	cr_expect_eq(rd(0x30), 0x00050014);
	cr_expect_eq(rd(0xA0), 0);
	cr_expect_eq(rd(0x100), 0);
	cr_expect_eq(rd(0x200), 0);
	cr_expect_eq(rd(0x390), 0);
	cr_expect_eq(rd(0xB0), 0, "EOI is write-only");
	cr_expect_eq(nlog, 1);
}

/* ---- SVR and LVT (SDM 10.4.7.2, 10.5.1) ---- */

Test(vlapic, software_disable_masks_the_lvt)
{
	enable();
	wr(0x320, 0xEC);
	wr(0x370, 0xFE);
	cr_expect_eq(rd(0x320), 0xEC);
	wr(0xF0, 0xFF);
	cr_expect_eq(rd(0x320), 0x100EC, "masked by the disable");
	cr_expect_eq(rd(0x370), 0x100FE);
	wr(0x320, 0xEC);
	cr_expect_eq(rd(0x320), 0x100EC, "and cannot be unmasked while disabled");
	cr_expect_eq(rd(0xF0), 0xFF);
	wr(0xF0, 0xFFFFFFFF);
	cr_expect_eq(rd(0xF0), 0x3FF, "vector, enable, focus-off are the writable bits");
}

Test(vlapic, lvt_writable_bits)
{
	enable();
	uint32_t off[] = { 0x320, 0x330, 0x340, 0x350, 0x360, 0x370 };
	uint32_t want[] = { 0x300FF & ~(1u << 18), 0x107FF, 0x107FF, 0x1A7FF, 0x1A7FF, 0x100FF };
	for (unsigned i = 0; i < 6; i++) {
		wr(off[i], 0xFFFFFFFF & ~(i == 0 ? 1u << 18 : 0));
		cr_expect_eq(rd(off[i]), want[i], "LVT %#x: %#x", off[i], rd(off[i]));
	}
	wr(0x320, 3u << 17 | 0xEC);
	cr_expect_eq(rd(0x320), want[0], "mode 3 is reserved: ignored");
}

/* ---- IPIs (SDM 10.6) ---- */

Test(vlapic, icr_sends_through_ops)
{
	enable();
	wr(0x310, 0x05000000);
	wr(0x300, 0x4000 | 0x800 | 0x41);   /* fixed, logical, assert */
	cr_assert_eq(nipi, 1);
	cr_expect_eq(ipis[0].dest, 5);
	cr_expect_eq(ipis[0].vector, 0x41);
	cr_expect_eq(ipis[0].mode, 0);
	cr_expect(ipis[0].logical);
	cr_expect(ipis[0].level);
	cr_expect_eq(ipis[0].sh, 0);
	cr_expect_eq(rd(0x300), 0x4841, "delivery status reads idle");
	cr_expect_eq(rd(0x310), 0x05000000);
	wr(0x310, 0xFFFFFFFF);
	cr_expect_eq(rd(0x310), 0xFF000000, "only the destination field");
	cr_expect_eq(rd(0x200 + 0x20), 0, "not taken locally");
}

Test(vlapic, init_sipi_sequence)
{
	enable();
	wr(0x310, 1u << 24);
	wr(0x300, 0xC500);   /* INIT, level, assert */
	wr(0x300, 0x8500);   /* INIT de-assert */
	wr(0x300, 0x0699);   /* SIPI, vector 0x99 (page 0x99000) */
	cr_assert_eq(nipi, 3);
	cr_expect_eq(ipis[0].mode, 5);
	cr_expect(ipis[0].level);
	cr_expect_eq(ipis[1].mode, 5);
	cr_expect_not(ipis[1].level, "the de-assert says so");
	cr_expect_eq(ipis[2].mode, 6);
	cr_expect_eq(ipis[2].vector, 0x99);
	cr_expect(ipis[2].level);
	cr_expect_eq(ipis[2].dest, 1);
}

Test(vlapic, self_ipi_is_local)
{
	enable();
	wr(0x300, (1u << 18) | 0x55);
	cr_expect_eq(nipi, 0);
	cr_expect_eq(vlapic_pending(&l), 0x55);
	wr(0x300, (2u << 18) | 0x66);      /* all including self */
	cr_expect_eq(vlapic_pending(&l), 0x66, "this CPU's copy");
	cr_assert_eq(nipi, 1);
	cr_expect_eq(ipis[0].sh, 3, "the others: all excluding self");
	wr(0x300, (3u << 18) | 0x67);
	cr_expect_eq(nipi, 2);
	cr_expect_eq(vlapic_pending(&l), 0x66);
	wr(0x300, (1u << 18) | (4u << 8));  /* NMI to self */
	cr_expect(vlapic_take_nmi(&l));
	cr_expect_not(vlapic_take_nmi(&l), "taken once");
}

Test(vlapic, ipi_with_illegal_vector_is_not_sent)
{
	enable();
	wr(0x300, 0x4000 | 0x0F);
	wr(0x300, (1u << 18) | 0x0F);
	cr_expect_eq(nipi, 0);
	cr_expect_eq(rd(0x200), 0);
	wr(0x280, 0);
	cr_expect_eq(rd(0x280), 1u << 5, "send illegal vector");
	wr(0x300, 2u << 8);   /* SMI: not modelled */
	cr_expect_eq(nipi, 0);
	cr_expect_eq(nlog, 1);
}

/* ---- destinations (SDM 10.6.2) ---- */

Test(vlapic, destinations_xapic)
{
	cr_expect(vlapic_match_dest(&l, 3, false));
	cr_expect_not(vlapic_match_dest(&l, 4, false));
	cr_expect(vlapic_match_dest(&l, 0xFF, false), "broadcast");
	cr_expect_not(vlapic_match_dest(&l, 0x08, true), "LDR 0 matches no logical ID");
	wr(0xD0, 0x08000000);
	cr_expect_eq(rd(0xD0), 0x08000000);
	cr_expect(vlapic_match_dest(&l, 0x0C, true), "flat: a bitmap");
	cr_expect_not(vlapic_match_dest(&l, 0x04, true));
	wr(0xE0, 0x0FFFFFFF);
	cr_expect_eq(rd(0xE0), 0x0FFFFFFF, "cluster model");
	wr(0xD0, 0x21000000);
	cr_expect(vlapic_match_dest(&l, 0x23, true), "cluster 2, member bit 0");
	cr_expect_not(vlapic_match_dest(&l, 0x13, true), "another cluster");
	cr_expect_not(vlapic_match_dest(&l, 0x22, true));
	wr(0x20, 0x07000000);
	cr_expect(vlapic_match_dest(&l, 7, false), "the xAPIC ID is writable");
	wr(0xE0, 0x5FFFFFFF);
	cr_expect_eq(nlog, 1, "a DFR model that is neither");
}

Test(vlapic, destinations_x2apic)
{
	vlapic_init(&l, 0x25, false, BUS_HZ, TSC_HZ, &ops, NULL);
	x2apic_on();
	cr_expect_eq(msr_rd(0x80D, 0), (2u << 16) | (1u << 5), "LDR from the ID");
	cr_expect(vlapic_match_dest(&l, 0x25, false));
	cr_expect_not(vlapic_match_dest(&l, 0x05, false));
	cr_expect(vlapic_match_dest(&l, 0xFFFFFFFF, false));
	cr_expect(vlapic_match_dest(&l, (2u << 16) | 0x21, true));
	cr_expect_not(vlapic_match_dest(&l, (1u << 16) | 0x20, true));
	msr_wr(0x1B, 0xFEE00000ull, 0);
	cr_expect_not(vlapic_match_dest(&l, 0xFFFFFFFF, false), "disabled: nothing");
}

/* ---- the timer (SDM 10.5.4) ---- */

Test(vlapic, one_shot)
{
	enable();
	vlapic_mmio_write(&l, 0x3E0, 0xB, 0);              /* divide by 1: 10 ns a tick */
	vlapic_mmio_write(&l, 0x320, 0xEC, 0);
	vlapic_mmio_write(&l, 0x380, 1000, 1000);
	cr_expect_eq(vlapic_mmio_read(&l, 0x380, 1000), 1000);
	cr_expect_eq(vlapic_mmio_read(&l, 0x390, 1000), 1000);
	cr_expect_eq(vlapic_mmio_read(&l, 0x390, 6000), 500);
	cr_expect_eq(vlapic_mmio_read(&l, 0x390, 6009), 500, "whole ticks only");
	cr_expect_eq(vlapic_next_event(&l, 6000, 0), 11000);
	vlapic_update(&l, 10999, 0);
	cr_expect_eq(vlapic_pending(&l), -1);
	vlapic_update(&l, 11000, 0);
	cr_expect_eq(vlapic_pending(&l), 0xEC);
	cr_expect_eq(vlapic_mmio_read(&l, 0x390, 11000), 0);
	cr_expect_eq(vlapic_next_event(&l, 11000, 0), UINT64_MAX, "one shot");
	vlapic_update(&l, 50000, 0);
	cr_expect_eq(l.timer_fired, 1);
	cr_expect_eq(vlapic_mmio_read(&l, 0x380, 50000), 1000, "the initial count stays");
}

Test(vlapic, register_read_fires_an_expired_timer)
{
	enable();
	vlapic_mmio_write(&l, 0x3E0, 0xB, 0);
	vlapic_mmio_write(&l, 0x320, 0xEC, 0);
	vlapic_mmio_write(&l, 0x380, 10, 0);
	cr_expect_eq(vlapic_mmio_read(&l, 0x200 + 0x70, 100), 1u << 12, "IRR shows 0xEC");
}

Test(vlapic, divide_values)
{
	static const struct { uint32_t dcr, div; } tab[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xA, 128 }, { 0xB, 1 },
	};
	for (unsigned i = 0; i < 8; i++) {
		reset();
		enable();
		vlapic_mmio_write(&l, 0x3E0, tab[i].dcr | 0xFFFFFFF0, 0);
		cr_expect_eq(rd(0x3E0), tab[i].dcr, "DCR keeps bits 3,1,0");
		vlapic_mmio_write(&l, 0x380, 1000, 0);
		uint64_t tick_ns = 10 * tab[i].div;
		cr_expect_eq(vlapic_mmio_read(&l, 0x390, 100 * tick_ns), 900, "div %u", tab[i].div);
		cr_expect_eq(vlapic_next_event(&l, 0, 0), 1000 * tick_ns, "div %u", tab[i].div);
	}
}

Test(vlapic, periodic)
{
	enable();
	vlapic_mmio_write(&l, 0x3E0, 0xB, 0);
	vlapic_mmio_write(&l, 0x320, (1u << 17) | 0xEF, 0);
	vlapic_mmio_write(&l, 0x380, 100, 0);            /* 1 us period */
	for (unsigned p = 1; p <= 5; p++) {
		cr_expect_eq(vlapic_next_event(&l, 0, 0), p * 1000ull, "period %u", p);
		vlapic_update(&l, p * 1000 - 1, 0);
		cr_expect_eq(l.timer_fired, p - 1);
		vlapic_update(&l, p * 1000, 0);
		cr_expect_eq(l.timer_fired, p);
		cr_expect_eq(vlapic_mmio_read(&l, 0x390, p * 1000 + 500), 50, "half-way");
	}
	cr_expect_eq(vlapic_pending(&l), 0xEF);
	vlapic_update(&l, 10500, 0);
	cr_expect_eq(l.timer_fired, 6, "missed periods fire once");
	cr_expect_eq(vlapic_next_event(&l, 10500, 0), 11000, "and keep the phase");
	cr_expect_eq(vlapic_mmio_read(&l, 0x390, 10500), 50);
	vlapic_mmio_write(&l, 0x380, 0, 10600);
	cr_expect_eq(vlapic_next_event(&l, 10600, 0), UINT64_MAX, "initial count 0 stops it");
	cr_expect_eq(vlapic_mmio_read(&l, 0x390, 10600), 0);
}

Test(vlapic, masked_timer_counts_silently)
{
	enable();
	vlapic_mmio_write(&l, 0x3E0, 0xB, 0);
	vlapic_mmio_write(&l, 0x320, (1u << 16) | 0xEC, 0);
	vlapic_mmio_write(&l, 0x380, 10, 0);
	vlapic_update(&l, 100, 0);
	cr_expect_eq(l.timer_fired, 1);
	cr_expect_eq(vlapic_pending(&l), -1);
	cr_expect_eq(rd(0x200 + 0x70), 0);
}

Test(vlapic, divide_change_keeps_the_count)
{
	enable();
	vlapic_mmio_write(&l, 0x3E0, 0xB, 0);
	vlapic_mmio_write(&l, 0x380, 1000, 0);
	vlapic_mmio_write(&l, 0x3E0, 0x0, 4000);          /* 400 ticks done; now 20 ns a tick */
	cr_expect_eq(vlapic_mmio_read(&l, 0x390, 4000), 600);
	cr_expect_eq(vlapic_next_event(&l, 4000, 0), 4000 + 600 * 20);
}

Test(vlapic, mode_change_disarms)
{
	enable();
	vlapic_mmio_write(&l, 0x3E0, 0xB, 0);
	vlapic_mmio_write(&l, 0x320, 0xEC, 0);
	vlapic_mmio_write(&l, 0x380, 1000, 0);
	vlapic_mmio_write(&l, 0x320, (1u << 17) | 0xEC, 100);
	cr_expect_eq(vlapic_next_event(&l, 100, 0), UINT64_MAX);
	vlapic_update(&l, 100000, 0);
	cr_expect_eq(l.timer_fired, 0);
	vlapic_mmio_write(&l, 0x320, (1u << 17) | 0xED, 200);
	cr_expect_eq(vlapic_next_event(&l, 200, 0), UINT64_MAX, "the vector alone changes no mode");
}

Test(vlapic, far_in_time)
{
	enable();
	uint64_t t0 = 1ull << 62;
	vlapic_mmio_write(&l, 0x3E0, 0xA, t0);            /* divide 128 */
	vlapic_mmio_write(&l, 0x320, 1u << 17 | 0xEC, t0);
	vlapic_mmio_write(&l, 0x380, 0xFFFFFFFF, t0);
	uint64_t period = 0xFFFFFFFFull * 1280;
	cr_expect_eq(vlapic_next_event(&l, t0, 0), t0 + period);
	vlapic_update(&l, t0 + 1000 * period + 5, 0);
	cr_expect_eq(l.timer_fired, 1);
	cr_expect_eq(vlapic_next_event(&l, t0, 0), t0 + 1001 * period);
}

/* TSC-deadline mode (SDM 10.5.4.1) */
Test(vlapic, tsc_deadline)
{
	enable();
	cr_assert_eq(vlapic_msr_write(&l, 0x6E0, 5000, 0, 0), 0);
	cr_expect_eq(msr_rd(0x6E0, 0), 0, "not in TSC-deadline mode: ignored, reads 0");
	wr(0x320, (2u << 17) | 0xEC);
	wr(0x380, 1234);
	cr_expect_eq(rd(0x380), 0, "initial count ignored");
	cr_expect_eq(vlapic_next_event(&l, 0, 0), UINT64_MAX, "not armed");
	cr_assert_eq(vlapic_msr_write(&l, 0x6E0, 12000, 100, 10000), 0);
	uint64_t v;
	cr_assert_eq(vlapic_msr_read(&l, 0x6E0, &v, 100, 10000), 0);
	cr_expect_eq(v, 12000);
	cr_expect_eq(vlapic_next_event(&l, 100, 10000), 100 + 1000, "2000 TSC ticks at 2 GHz");
	cr_expect_eq(vlapic_next_event(&l, 100, 10001), 100 + 1000, "rounded up");
	vlapic_update(&l, 1099, 11999);
	cr_expect_eq(vlapic_pending(&l), -1);
	vlapic_update(&l, 1100, 12000);
	cr_expect_eq(vlapic_pending(&l), 0xEC);
	cr_assert_eq(vlapic_msr_read(&l, 0x6E0, &v, 1100, 12000), 0);
	cr_expect_eq(v, 0, "reads 0 once fired");
	cr_expect_eq(rd(0x390), 0, "current count reads 0");
	cr_assert_eq(vlapic_msr_write(&l, 0x6E0, 500, 2000, 14000), 0);
	cr_expect_eq(l.timer_fired, 2, "a deadline in the past fires at once");
	cr_assert_eq(vlapic_msr_write(&l, 0x6E0, 90000, 2000, 14000), 0);
	cr_assert_eq(vlapic_msr_write(&l, 0x6E0, 0, 2000, 14000), 0);
	cr_expect_eq(vlapic_next_event(&l, 2000, 14000), UINT64_MAX, "0 disarms");
	cr_assert_eq(vlapic_msr_write(&l, 0x6E0, 90000, 2000, 14000), 0);
	wr(0x320, 0xEC);
	cr_expect_eq(l.tsc_deadline, 0, "leaving the mode disarms");
	cr_expect_eq(vlapic_next_event(&l, 2000, 14000), UINT64_MAX);
}

/* ---- IA32_APIC_BASE and x2APIC (SDM 10.12) ---- */

Test(vlapic, apic_base_transitions)
{
	const uint64_t en = 1 << 11, extd = 1 << 10, base = 0xFEE00000;
	msr_wr(0x1B, base | extd, -1);                   /* EXTD without EN */
	msr_wr(0x1B, base | en | 1, -1);                 /* reserved bit 0 */
	msr_wr(0x1B, base | en | (1ull << 9), -1);
	msr_wr(0x1B, base | en | (1ull << 52), -1);
	msr_wr(0x1B, base, 0);                           /* xAPIC -> disabled */
	msr_wr(0x1B, base | en | extd, -1);              /* disabled -> x2APIC */
	msr_wr(0x1B, base | en, 0);
	msr_wr(0x1B, base | en | extd, 0);               /* xAPIC -> x2APIC */
	cr_expect(vlapic_x2apic(&l));
	msr_wr(0x1B, base | en, -1);                     /* x2APIC -> xAPIC */
	msr_wr(0x1B, base, 0);                           /* x2APIC -> disabled */
	msr_wr(0x1B, base | en, 0);
	cr_expect_eq(msr_rd(0x1B, 0), base | en | (1 << 8), "BSP kept, not writable");
	msr_wr(0x1B, 0xFED00000 | en, 0);
	cr_expect_eq(nlog, 1, "a moved base is logged");
}

Test(vlapic, disable_resets_registers)
{
	enable();
	wr(0x80, 0x20);
	vlapic_accept(&l, 0x40, false);
	msr_wr(0x1B, 0xFEE00000ull, 0);
	cr_expect_eq(rd(0x80), 0, "the page does not answer while disabled");
	vlapic_accept(&l, 0x41, false);
	msr_wr(0x1B, 0xFEE00000ull | (1 << 11), 0);
	cr_expect_eq(rd(0xF0), 0xFF);
	cr_expect_eq(rd(0x80), 0);
	cr_expect_eq(rd(0x200 + 0x20), 0);
	cr_expect_eq(vlapic_pending(&l), -1);
}

Test(vlapic, x2apic_msrs)
{
	msr_rd(0x802, -1);                               /* still xAPIC: #GP */
	cr_expect_eq(msr_rd(0x10, 1), 0, "not an APIC MSR: 1");
	enable();
	wr(0x80, 0x30);
	x2apic_on();
	cr_expect_eq(rd(0x80), 0, "the page is off in x2APIC mode");
	wr(0x80, 0x50);
	cr_expect_eq(msr_rd(0x808, 0), 0x30, "registers kept across the switch");
	cr_expect_eq(msr_rd(0x802, 0), 3, "the 32-bit ID");
	cr_expect_eq(msr_rd(0x803, 0), 0x00050014);
	cr_expect_eq(msr_rd(0x80F, 0), 0x1FF);
	cr_expect_eq(msr_rd(0x80D, 0), 1u << 3);
	msr_rd(0x809, -1);                               /* APR */
	msr_rd(0x80C, -1);                               /* RRD */
	msr_rd(0x80E, -1);                               /* DFR */
	msr_rd(0x831, -1);                               /* ICR high */
	msr_rd(0x80B, -1);                               /* EOI is write-only */
	msr_rd(0x83F, -1);                               /* self IPI is write-only */
	msr_rd(0x82F, -1);                               /* no CMCI */
	msr_rd(0x8FF, -1);
	msr_wr(0x802, 7, -1);
	msr_wr(0x80D, 7, -1);
	msr_wr(0x803, 0, -1);
	msr_wr(0x80A, 0, -1);
	msr_wr(0x839, 0, -1);
	msr_wr(0x808, 1ull << 32, -1);
	msr_wr(0x80E, 0, -1);
	msr_wr(0x808, 0x20, 0);
	cr_expect_eq(msr_rd(0x808, 0), 0x20);
	cr_expect_eq(msr_rd(0x80A, 0), 0x20, "PPR");
}

Test(vlapic, x2apic_icr_self_ipi_eoi_esr)
{
	enable();
	x2apic_on();
	msr_wr(0x830, (0x12345ull << 32) | 0x4000 | 0x51, 0);
	cr_assert_eq(nipi, 1);
	cr_expect_eq(ipis[0].dest, 0x12345, "a 32-bit destination");
	cr_expect_eq(ipis[0].vector, 0x51);
	cr_expect_eq(msr_rd(0x830, 0), (0x12345ull << 32) | 0x4051);
	msr_wr(0x83F, 0x77, 0);
	cr_expect_eq(nipi, 1, "self IPI stays here");
	cr_expect_eq(vlapic_pending(&l), 0x77);
	cr_expect_eq(msr_rd(0x820 + 3, 0), 1u << (0x77 - 96), "IRR[3] via MSR");
	vlapic_ack(&l, 0x77);
	cr_expect_eq(msr_rd(0x810 + 3, 0), 1u << (0x77 - 96), "ISR[3] via MSR");
	msr_wr(0x80B, 1, -1);
	cr_expect_eq(msr_rd(0x813, 0), 1u << (0x77 - 96), "a refused EOI ends nothing");
	msr_wr(0x80B, 0, 0);
	cr_expect_eq(msr_rd(0x813, 0), 0);
	msr_wr(0x83F, 0x05, 0);
	msr_wr(0x828, 1, -1);
	msr_wr(0x828, 0, 0);
	cr_expect_eq(msr_rd(0x828, 0), 1u << 5, "self IPI with vector 5");
}

Test(vlapic, x2apic_timer)
{
	enable();
	x2apic_on();
	cr_assert_eq(vlapic_msr_write(&l, 0x83E, 0xB, 0, 0), 0);
	cr_assert_eq(vlapic_msr_write(&l, 0x832, 0xEC, 0, 0), 0);
	cr_assert_eq(vlapic_msr_write(&l, 0x838, 50, 0, 0), 0);
	uint64_t v;
	cr_assert_eq(vlapic_msr_read(&l, 0x839, &v, 200, 0), 0);
	cr_expect_eq(v, 30);
	vlapic_update(&l, 500, 0);
	cr_expect_eq(vlapic_pending(&l), 0xEC);
}

/* ---- the sequences Linux runs ---- */

/* setup_local_APIC() and vlapic_setup_esr() on the BSP, then an EOI. */
Test(vlapic, linux_setup_local_apic)
{
	uint32_t maxlvt = (rd(0x30) >> 16) & 0xFF;
	cr_expect_eq(maxlvt, 5);
	wr(0x80, rd(0x80) & ~0xFFu);                     /* accept all */
	for (int i = 0; i < 8; i++)                      /* apic_pending_intr_clear */
		cr_expect_eq(rd(0x100 + i * 0x10), 0);
	wr(0xF0, (rd(0xF0) & ~0xFFu) | 0x100 | 0x200 | 0xFF);
	wr(0x350, 0x700);                                /* LINT0 ExtINT on the BSP */
	wr(0x360, 0x400);                                /* LINT1 NMI */
	wr(0x280, 0);
	wr(0x280, 0);
	wr(0x370, 0xFE);
	wr(0x280, 0);
	cr_expect_eq(rd(0x280), 0, "no errors");
	cr_expect_eq(rd(0x360), 0x400);
	cr_expect(vlapic_accepts_pic(&l));
	vlapic_accept(&l, 0x30, true);                    /* an IOAPIC level interrupt */
	cr_assert_eq(vlapic_pending(&l), 0x30);
	vlapic_ack(&l, 0x30);
	wr(0xB0, 0);                                     /* apic_eoi() */
	cr_expect_eq(neoi, 1);
	cr_expect_eq(nlog, 0, "Linux touches no reserved register");
}

/* calibrate_APIC_clock(): divide 16, count from 0xFFFFFFFF, masked, read after 100 ms. */
Test(vlapic, linux_timer_calibration)
{
	enable();
	uint64_t t0 = 123456789;
	vlapic_mmio_write(&l, 0x320, 0x10000 | 0xEC, t0);
	vlapic_mmio_write(&l, 0x3E0, 0x3, t0);
	vlapic_mmio_write(&l, 0x380, 0xFFFFFFFF, t0);
	uint32_t c0 = vlapic_mmio_read(&l, 0x390, t0);
	uint32_t c1 = vlapic_mmio_read(&l, 0x390, t0 + 100000000);
	cr_expect_eq(c0, 0xFFFFFFFF);
	cr_expect_eq(c0 - c1, BUS_HZ / 10 / 16, "bus_hz / 16 ticks a second");
	cr_expect_eq(vlapic_pending(&l), -1, "masked during calibration");
}

/* vlapic_next_event(): one-shot TMICT = delta, the interrupt, ack, EOI, again. */
Test(vlapic, linux_one_shot_clockevent)
{
	enable();
	vlapic_mmio_write(&l, 0x3E0, 0x3, 0);             /* divide 16: 160 ns a tick */
	vlapic_mmio_write(&l, 0x320, 0xEC, 0);
	uint64_t now = 0;
	for (int i = 0; i < 3; i++) {
		vlapic_mmio_write(&l, 0x380, 6250, now);      /* 1 ms */
		uint64_t due = vlapic_next_event(&l, now, 0);
		cr_expect_eq(due, now + 1000000);
		vlapic_update(&l, due, 0);
		cr_assert_eq(vlapic_pending(&l), 0xEC);
		vlapic_ack(&l, 0xEC);
		vlapic_mmio_write(&l, 0xB0, 0, due + 100);
		cr_expect_eq(rd(0x100 + 0x70), 0);
		now = due + 200;
	}
	cr_expect_eq(neoi, 0, "timer vectors are edge-triggered");
	/* vlapic_timer_shutdown: masked, count 0 */
	vlapic_mmio_write(&l, 0x320, 0x100EC, now);
	vlapic_mmio_write(&l, 0x380, 0, now);
	cr_expect_eq(vlapic_next_event(&l, now, 0), UINT64_MAX);
}

/* vlapic_next_deadline() in x2APIC mode: wrmsr(TSC_DEADLINE, rdtsc() + delta). */
Test(vlapic, linux_tsc_deadline_clockevent)
{
	enable();
	x2apic_on();
	cr_assert_eq(vlapic_msr_write(&l, 0x832, (2u << 17) | 0xEC, 0, 0), 0);
	uint64_t now = 1000, tsc = 2000;
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(vlapic_msr_write(&l, 0x6E0, tsc + 8 * 25000, now, tsc), 0);
		uint64_t due = vlapic_next_event(&l, now, tsc);
		cr_expect_eq(due, now + 100000);
		now = due;
		tsc += 200000;
		vlapic_update(&l, now, tsc);
		cr_assert_eq(vlapic_pending(&l), 0xEC);
		vlapic_ack(&l, 0xEC);
		cr_assert_eq(vlapic_msr_write(&l, 0x80B, 0, now, tsc), 0);
	}
	cr_expect_eq(l.timer_fired, 3);
}
