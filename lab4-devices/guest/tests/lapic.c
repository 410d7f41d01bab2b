/*
 * lapic.c - the local APIC (Intel SDM Vol. 3A, chapter 10, 2016-2022
 * numbering): IA32_APIC_BASE and the ID and version registers (10.4),
 * the spurious-interrupt vector register and software enable (10.4.7,
 * 10.9), the timer in one-shot, periodic and TSC-deadline modes (10.5.4),
 * task priority and in-service priority (10.8.3), EOI (10.8.5), self
 * IPIs through the ICR (10.6.1), and x2APIC mode (10.12).
 *
 * The PICs are masked throughout; every interrupt here comes from the
 * local APIC itself.
 */
#include "g4_dev.h"

#define CPUID1_ECX_X2APIC	(1u << 21)
#define CPUID1_ECX_TSC_DEADLINE	(1u << 24)
#define CPUID1_EDX_APIC		(1u << 9)

static volatile uint8_t order[8];
static volatile unsigned norder;
static volatile uint64_t irq_tsc[32];

/* Counts, records the order and the TSC, and ends the interrupt. */
static void lapic_isr(struct g4_frame *f)
{
	uint32_t n = g4_irq_count[f->vector];
	if (norder < sizeof(order))
		order[norder++] = (uint8_t)f->vector;
	if (n <= 32)
		irq_tsc[n - 1] = rdtsc();
	lapic_eoi();
}

static uint32_t cpuid_apic_id(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	return r[1] >> 24;
}

/*
 * The timer's input clock in Hz (divide configuration @dcr), from two
 * reads of the current count 10 ms apart. Each read is an MMIO exit that
 * samples the count somewhere inside it; two reads sample at the same
 * point of their exits, so their distance is the TSC time between them.
 */
static uint64_t lapic_timer_rate(uint32_t dcr)
{
	lapic_write(LAPIC_TIMER_DCR, dcr);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_TIMER_ICR, 0xffffffffu);
	uint64_t t0 = rdtsc();
	uint32_t c0 = lapic_read(LAPIC_TIMER_CCR);
	g4_delay_us(10000);
	uint64_t t1 = rdtsc();
	uint32_t c1 = lapic_read(LAPIC_TIMER_CCR);
	lapic_write(LAPIC_TIMER_ICR, 0);
	uint64_t us = g4_tsc_to_us(t1 - t0);
	return us ? (uint64_t)(c0 - c1) * 1000000 / us : 0;
}

/*
 * IA32_APIC_BASE: enabled, BSP, at 0xFEE00000, xAPIC mode. The ID
 * register is CPUID's initial APIC ID; the version an integrated APIC's
 * (0x10-0x15) with at least LINT0, LINT1 and the error LVT. LINT0 is
 * ExtINT and unmasked as firmware leaves it (virtual wire mode, MP spec
 * 3.6.2.2): the PIC tests got their interrupts that way.
 */
void test_lapic_id_version(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	CHECK(r[3] & CPUID1_EDX_APIC, "CPUID.1:EDX.APIC[bit 9] clear");
	uint64_t base;
	CHECK(g4_rdmsr(MSR_APIC_BASE, &base) == 0, "RDMSR IA32_APIC_BASE faulted");
	g4_info("IA32_APIC_BASE %#llx, ID %#x, version %#x\n", (unsigned long long)base,
		lapic_read(LAPIC_ID), lapic_read(LAPIC_VER));
	CHECK_EQ(base & ~0xfffull, LAPIC_BASE, "IA32_APIC_BASE address");
	CHECK_EQ(base & (APIC_BASE_EN | APIC_BASE_EXTD | APIC_BASE_BSP), APIC_BASE_EN | APIC_BASE_BSP,
		 "IA32_APIC_BASE EN, EXTD, BSP");
	CHECK_EQ(lapic_read(LAPIC_ID) >> 24, cpuid_apic_id(), "APIC ID register vs. CPUID.1:EBX[31:24]");
	uint32_t ver = lapic_read(LAPIC_VER);
	CHECK_RANGE(ver & 0xff, 0x10, 0x15, "version (integrated APIC)");
	CHECK_RANGE((ver >> 16) & 0xff, 3, 6, "max LVT entry");
	CHECK_EQ(g4_boot_lapic_lint0, 0x700, "LVT LINT0 at boot (ExtINT, unmasked)");
	CHECK_EQ(g4_boot_lapic_timer & LAPIC_LVT_MASKED, LAPIC_LVT_MASKED, "LVT timer mask at boot");
}

/*
 * SVR after reset is 0xFF: software-disabled. While disabled, LVT mask
 * bits cannot be cleared (10.4.7.2); once enabled they can.
 */
void test_lapic_svr_enable(void)
{
	CHECK_EQ(g4_boot_lapic_svr, 0xff, "SVR at boot");
	if (!(lapic_read(LAPIC_SVR) & LAPIC_SVR_ENABLE)) {
		lapic_write(LAPIC_LVT_TIMER, 0x40);
		CHECK_EQ(lapic_read(LAPIC_LVT_TIMER), LAPIC_LVT_MASKED | 0x40,
			 "LVT timer written unmasked while software-disabled");
	}
	lapic_enable();
	CHECK_EQ(lapic_read(LAPIC_SVR), LAPIC_SVR_ENABLE | LAPIC_SPURIOUS_VECTOR, "SVR read back");
	lapic_write(LAPIC_LVT_TIMER, 0x40);
	CHECK_EQ(lapic_read(LAPIC_LVT_TIMER), 0x40, "LVT timer written unmasked while enabled");
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED);
	CHECK_EQ(lapic_read(LAPIC_LVT_LINT0), 0x700, "LVT LINT0 after enabling");
	lapic_write(LAPIC_ESR, 0);
	CHECK_EQ(lapic_read(LAPIC_ESR), 0, "ESR (no errors so far)");
}

/*
 * One-shot: one interrupt when the count reaches 0 (5 ms worth), CCR 0
 * afterwards. The divide configuration scales the rate: by 16 it counts
 * a sixteenth as fast.
 */
void test_lapic_timer_oneshot(void)
{
	lapic_enable();
	uint64_t hz = lapic_timer_rate(LAPIC_DCR_DIV1), hz16 = lapic_timer_rate(0x3);
	g4_info("local APIC timer %llu Hz (divide by 1), %llu Hz (divide by 16)\n",
		(unsigned long long)hz, (unsigned long long)hz16);
	CHECK(hz >= 1000000, "timer clock %llu Hz: not counting", (unsigned long long)hz);
	CHECK_RANGE(hz16 * 16, hz - hz / 20, hz + hz / 20, "16 x the rate with divide by 16");
	CHECK_EQ(lapic_read(LAPIC_TIMER_CCR), 0, "CCR after writing initial count 0");

	lapic_write(LAPIC_TIMER_DCR, LAPIC_DCR_DIV1);
	g4_set_handler(0x40, lapic_isr);
	lapic_write(LAPIC_LVT_TIMER, 0x40);
	uint32_t icr = (uint32_t)(hz * 5 / 1000);
	lapic_write(LAPIC_TIMER_ICR, icr);
	uint64_t ta = rdtsc();
	uint32_t ccr = lapic_read(LAPIC_TIMER_CCR);
	uint64_t tb = rdtsc();
	CHECK(ccr <= icr && ccr > icr / 2, "CCR %u right after ICR %u", ccr, icr);
	/* Exits meanwhile (hvlab's time, not the guest's) must not delay the timer. */
	for (int i = 0; i < 3; i++)
		(void)lapic_read(LAPIC_VER);
	CHECK(g4_wait_irqs(0x40, 1, 20000), "no timer interrupt within 20 ms of a 5 ms one-shot");
	/*
	 * CCR was sampled inside the read's exit, between ta and tb: the
	 * count reaches 0 between ta and tb plus CCR's worth of time. The
	 * interrupt may come a little after that (one exit to deliver it).
	 */
	uint64_t left = g4_us_to_tsc((uint64_t)ccr * 1000000 / hz);
	CHECK(irq_tsc[0] + g4_us_to_tsc(50) >= ta + left, "the interrupt came %llu us early",
	      (unsigned long long)g4_tsc_to_us(ta + left - irq_tsc[0]));
	CHECK(irq_tsc[0] <= tb + left + g4_us_to_tsc(500),
	      "the interrupt came %llu us after the count (as CCR read) reached 0",
	      (unsigned long long)g4_tsc_to_us(irq_tsc[0] - (tb + left)));
	CHECK_EQ(lapic_read(LAPIC_TIMER_CCR), 0, "CCR after expiry");
	CHECK(!g4_wait_irqs(0x40, 2, 10000), "a second interrupt from a one-shot");
}

/*
 * Periodic: one interrupt per initial count (4 ms: each interrupt costs
 * the guest an MMIO exit for its EOI, so no faster), CCR within the
 * count; a masked LVT entry stops the interrupts but not the count;
 * writing 0 stops the timer.
 */
void test_lapic_timer_periodic(void)
{
	lapic_enable();
	uint64_t hz = lapic_timer_rate(LAPIC_DCR_DIV1);
	lapic_write(LAPIC_TIMER_DCR, LAPIC_DCR_DIV1);
	CHECK(hz >= 1000000, "timer clock %llu Hz: not counting", (unsigned long long)hz);
	uint32_t icr = (uint32_t)(hz / 250);
	g4_set_handler(0x41, lapic_isr);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_PERIODIC | 0x41);
	lapic_write(LAPIC_TIMER_ICR, icr);
	CHECK(g4_wait_irqs(0x41, 11, 100000), "only %u periodic interrupts in 100 ms at 250 Hz",
	      g4_irq_count[0x41]);
	uint64_t us = g4_tsc_to_us(irq_tsc[10] - irq_tsc[0]);
	g4_info("local APIC periodic: 10 periods of 4 ms in %llu us\n", (unsigned long long)us);
	CHECK_RANGE(us, 39000, 41000, "us for 10 periods of 4 ms");
	uint32_t ccr = lapic_read(LAPIC_TIMER_CCR);
	CHECK(ccr > 0 && ccr <= icr, "CCR %u of a running periodic timer (ICR %u)", ccr, icr);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | LAPIC_TIMER_PERIODIC | 0x41);
	g4_wait_irqs(0x41, 0xffffffffu, 1000);	/* one already in IRR may still come */
	uint32_t n = g4_irq_count[0x41];
	CHECK(!g4_wait_irqs(0x41, n + 1, 10000), "an interrupt through a masked LVT entry");
	CHECK(lapic_read(LAPIC_TIMER_CCR) != 0, "CCR 0: a masked timer still counts");
	lapic_write(LAPIC_TIMER_ICR, 0);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_PERIODIC | 0x41);
	CHECK(!g4_wait_irqs(0x41, n + 1, 10000), "an interrupt after initial count 0");
}

/*
 * TPR: a vector is taken only if its class (bits 7:4) is above the TPR's
 * class. With TPR 0x50 and 0x4F, 0x50, 0x61 pending, 0x61 comes; 0x50
 * after TPR 0x40; 0x4F after TPR 0. PPR follows TPR.
 */
void test_lapic_tpr_blocks_class(void)
{
	lapic_enable();
	norder = 0;
	g4_set_handler(0x4f, lapic_isr);
	g4_set_handler(0x50, lapic_isr);
	g4_set_handler(0x61, lapic_isr);
	lapic_write(LAPIC_TPR, 0x50);
	CHECK_EQ(lapic_read(LAPIC_TPR), 0x50, "TPR read back");
	CHECK_EQ(lapic_read(LAPIC_PPR) & 0xf0, 0x50, "PPR class with TPR 0x50");
	lapic_self_ipi(0x4f);
	lapic_self_ipi(0x50);
	lapic_self_ipi(0x61);
	CHECK(lapic_vec_bit(LAPIC_IRR, 0x50), "IRR bit of vector 0x50 after the self IPI");
	CHECK(g4_wait_irqs(0x61, 1, 2000), "vector 0x61 (class 6 > TPR class 5) not taken");
	CHECK(!g4_wait_irqs(0x50, 1, 1000), "vector 0x50 taken with TPR 0x50");
	CHECK(lapic_vec_bit(LAPIC_IRR, 0x50) && lapic_vec_bit(LAPIC_IRR, 0x4f),
	      "vectors 0x4f and 0x50 no longer pending in IRR");
	lapic_write(LAPIC_TPR, 0x40);
	CHECK(g4_wait_irqs(0x50, 1, 2000), "vector 0x50 not taken with TPR 0x40");
	CHECK(!g4_wait_irqs(0x4f, 1, 1000), "vector 0x4f taken with TPR 0x40");
	lapic_write(LAPIC_TPR, 0);
	CHECK(g4_wait_irqs(0x4f, 1, 2000), "vector 0x4f not taken with TPR 0");
	CHECK_EQ(norder, 3, "interrupts taken");
	CHECK_EQ(order[0] | order[1] << 8 | order[2] << 16, 0x4f5061, "order 0x61, 0x50, 0x4f");
	CHECK_EQ(g4_stray_count, 0, "interrupts on other vectors");
}

static volatile bool irr61_in_handler, isr60_in_handler, tmr60_in_handler;
static volatile uint32_t n61_before_eoi, n70_before_eoi, n61_after_eoi, ppr_in_handler;

/*
 * In service of 0x60 (interrupts enabled inside on purpose): 0x61, the
 * same class, waits in IRR; 0x70, a higher class, preempts at once; the
 * EOI then lets 0x61 in.
 */
static void nest_isr(struct g4_frame *f)
{
	(void)f;
	isr60_in_handler = lapic_vec_bit(LAPIC_ISR, 0x60);
	tmr60_in_handler = lapic_vec_bit(LAPIC_TMR, 0x60);
	ppr_in_handler = lapic_read(LAPIC_PPR);
	lapic_self_ipi(0x61);
	lapic_self_ipi(0x70);
	irr61_in_handler = lapic_vec_bit(LAPIC_IRR, 0x61);
	sti();
	g4_delay_us(300);
	n61_before_eoi = g4_irq_count[0x61];
	n70_before_eoi = g4_irq_count[0x70];
	lapic_eoi();
	g4_delay_us(300);
	n61_after_eoi = g4_irq_count[0x61];
	cli();
}

void test_lapic_isr_until_eoi(void)
{
	lapic_enable();
	g4_set_handler(0x60, nest_isr);
	g4_set_handler(0x61, lapic_isr);
	g4_set_handler(0x70, lapic_isr);
	lapic_self_ipi(0x60);
	CHECK(g4_wait_irqs(0x60, 1, 2000), "self IPI 0x60 not taken");
	CHECK(isr60_in_handler, "ISR bit of 0x60 clear inside its handler");
	CHECK(!tmr60_in_handler, "TMR bit of 0x60 set: a self IPI is edge-triggered");
	CHECK_EQ(ppr_in_handler & 0xf0, 0x60, "PPR class in service of 0x60");
	CHECK(irr61_in_handler, "IRR bit of 0x61 clear right after sending it");
	CHECK_EQ(n70_before_eoi, 1, "vector 0x70 (higher class) taken inside 0x60's handler");
	CHECK_EQ(n61_before_eoi, 0, "vector 0x61 (same class) taken before 0x60's EOI");
	CHECK_EQ(n61_after_eoi, 1, "vector 0x61 taken after 0x60's EOI");
	for (unsigned r = 0; r < 8; r++)
		CHECK_EQ(lapic_read(LAPIC_ISR + r * 0x10), 0, "an ISR register after all EOIs");
}

/*
 * x2APIC (10.12), when CPUID advertises it: the MSRs #GP in xAPIC mode;
 * EXTD switches to them with the registers kept; the ID is the full
 * 32-bit APIC ID, the LDR derived from it; the self-IPI MSR and EOI work;
 * a non-zero EOI write #GPs. Leaving takes a disable (which resets the
 * APIC), then an enable into xAPIC mode. Without x2APIC, EXTD is reserved.
 */
void test_lapic_x2apic(void)
{
	uint32_t r[4];
	uint64_t base, v;
	cpuid(1, 0, r);
	CHECK(g4_rdmsr(MSR_APIC_BASE, &base) == 0, "RDMSR IA32_APIC_BASE faulted");
	if (!(r[2] & CPUID1_ECX_X2APIC)) {
		g4_info("x2APIC not advertised: checking that EXTD is refused\n");
		CHECK(g4_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD) != 0,
		      "setting IA32_APIC_BASE.EXTD without x2APIC support did not #GP");
		return;
	}
	lapic_enable();
	uint32_t ver = lapic_read(LAPIC_VER);
	CHECK(g4_rdmsr(MSR_X2APIC(LAPIC_ID), &v) != 0, "RDMSR 0x802 in xAPIC mode did not #GP");
	CHECK(g4_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD) == 0, "setting EXTD faulted");
	CHECK(g4_rdmsr(MSR_APIC_BASE, &v) == 0 && (v & APIC_BASE_EXTD), "EXTD not set after WRMSR");
	CHECK(g4_rdmsr(MSR_X2APIC(LAPIC_ID), &v) == 0, "RDMSR x2APIC ID faulted");
	CHECK_EQ(v, cpuid_apic_id(), "x2APIC ID");
	CHECK(g4_rdmsr(MSR_X2APIC(LAPIC_VER), &v) == 0 && v == ver, "x2APIC version %#llx, xAPIC %#x",
	      (unsigned long long)v, ver);
	CHECK(g4_rdmsr(MSR_X2APIC(LAPIC_SVR), &v) == 0, "RDMSR x2APIC SVR faulted");
	CHECK_EQ(v, LAPIC_SVR_ENABLE | LAPIC_SPURIOUS_VECTOR, "SVR kept across the switch");
	uint32_t id = cpuid_apic_id();
	CHECK(g4_rdmsr(0x80d, &v) == 0, "RDMSR x2APIC LDR faulted");
	CHECK_EQ(v, (id >> 4) << 16 | 1u << (id & 15), "x2APIC LDR (cluster, bit)");
	g4_set_handler(0x42, NULL);
	CHECK(g4_wrmsr(0x83f, 0x42) == 0, "WRMSR SELF IPI faulted");
	sti();
	g4_delay_us(200);
	cli();
	CHECK_EQ(g4_irq_count[0x42], 1, "interrupts from the x2APIC self IPI");
	CHECK(g4_wrmsr(MSR_X2APIC(LAPIC_EOI), 1) != 0, "a non-zero EOI write did not #GP");
	CHECK(g4_wrmsr(MSR_X2APIC(LAPIC_EOI), 0) == 0, "EOI write faulted");
	CHECK(g4_wrmsr(MSR_APIC_BASE, base & ~(uint64_t)APIC_BASE_EN) == 0, "disabling faulted");
	CHECK(g4_wrmsr(MSR_APIC_BASE, base) == 0, "enabling in xAPIC mode faulted");
	CHECK_EQ(lapic_read(LAPIC_SVR) & LAPIC_SVR_ENABLE, 0, "SVR enable after a disable (reset)");
	lapic_enable();
}

/*
 * TSC-deadline mode (10.5.4.1), when CPUID advertises it: the interrupt
 * comes once the TSC reaches IA32_TSC_DEADLINE, never before; the MSR
 * then reads 0. The initial-count register does nothing in this mode.
 */
void test_lapic_tsc_deadline(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	if (!(r[2] & CPUID1_ECX_TSC_DEADLINE)) {
		g4_info("TSC-deadline mode not advertised: nothing to test\n");
		return;
	}
	lapic_enable();
	g4_set_handler(0x43, lapic_isr);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_TIMER_TSC_DEADLINE | 0x43);
	lapic_write(LAPIC_TIMER_ICR, 1000);
	CHECK_EQ(lapic_read(LAPIC_TIMER_CCR), 0, "CCR in TSC-deadline mode");
	uint64_t deadline = rdtsc() + g4_us_to_tsc(2000), v;
	CHECK(g4_wrmsr(MSR_TSC_DEADLINE, deadline) == 0, "WRMSR IA32_TSC_DEADLINE faulted");
	CHECK(g4_rdmsr(MSR_TSC_DEADLINE, &v) == 0 && v == deadline, "IA32_TSC_DEADLINE read back");
	CHECK(g4_wait_irqs(0x43, 1, 20000), "no interrupt within 20 ms of a 2 ms deadline");
	CHECK(irq_tsc[0] >= deadline, "the interrupt came %llu TSC ticks before the deadline",
	      (unsigned long long)(deadline - irq_tsc[0]));
	uint64_t late = g4_tsc_to_us(irq_tsc[0] - deadline);
	CHECK(late < 500, "the interrupt came %llu us after the deadline", (unsigned long long)late);
	CHECK(g4_rdmsr(MSR_TSC_DEADLINE, &v) == 0 && v == 0, "IA32_TSC_DEADLINE after firing: %#llx",
	      (unsigned long long)v);
	CHECK(!g4_wait_irqs(0x43, 2, 5000), "a second interrupt from one deadline");
}
