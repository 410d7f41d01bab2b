/*
 * platform.c - a PC around a lab-3 VM (vm_platform.h): the device models
 * created and wired to ports, MMIO and interrupt lines, guest time, and
 * the vCPU hooks through which exits reach them.
 *
 * Interrupt routing, as on a PC with an MP table (mptable.c):
 *   ISA IRQ n --> PIC input n  --INTR--> local APIC LINT0 (ExtINT) --> CPU
 *            \--> I/O APIC pin n (IRQ 0 on pin 2) --message--> local APIC
 * A guest that masks the PIC and programs the I/O APIC (Linux's APIC path)
 * gets the second; one booted with "noapic nolapic" gets the first, the
 * local APIC then being disabled (hardware-disabled APICs pass INTR on).
 */
#include "acpi_tables.h"
#include "cmdline.h"
#include "console.h"
#include "heap.h"
#include "mptable.h"
#include "percpu.h"
#include "pmm.h"
#include "pit.h"
#include "printf.h"
#include "string.h"
#include "vm_platform_internal.h"
#include "x86.h"

#define NS_PER_S         1000000000ull
#define CALIBRATE_US     10000u
#define IOAPIC_ID        1
#define COM1_BASE        0x3f8
#define RTC_PORT         0x70
#define PIT_PORT         0x40
#define PORT_61          0x61
#define PIC_MASTER       0x20
#define PIC_SLAVE        0xa0
#define PIC_ELCR         0x4d0
#define HOST_COM1_LSR    0x3fd
#define HOST_COM1_DATA   0x3f8
#define LSR_DATA_READY   0x01

static uint64_t tsc_hz;

/* The host TSC's rate, against the PIT, once (Bochs: emulated instructions per second). */
uint64_t platform_tsc_hz(void)
{
	if (!tsc_hz) {
		uint64_t t0 = rdtsc();
		pit_oneshot_start(CALIBRATE_US);
		while (!pit_oneshot_done())
			;
		tsc_hz = (rdtsc() - t0) * (1000000 / CALIBRATE_US);
	}
	return tsc_hz;
}

uint64_t platform_tsc(void)
{
	return rdtsc();
}

/* @a * @b / @c without overflow, for @b and @c below 2^34 (a clock rate,
 * NS_PER_S) and no 128-bit division (the kernel has no libgcc). */
static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t c)
{
	return a / c * b + a % c * b / c;
}

uint64_t platform_now_ns(const struct vm *vm)
{
	const struct vm_platform *p = vm->platform;
	return mul_div(rdtsc() - p->tsc0, NS_PER_S, tsc_hz);
}

static uint64_t ns_to_tsc(const struct vm_platform *p, uint64_t ns)
{
	return p->tsc0 + mul_div(ns, tsc_hz, NS_PER_S);
}

/* ---- interrupt lines ---- */

void platform_set_irq(struct vm *vm, unsigned irq, bool level)
{
	struct vm_platform *p = vm->platform;

	if (irq >= 16)
		return;
	pic_set_irq(&p->pic, irq, level);
	ioapic_set_irq(&p->ioapic, irq == 0 ? 2 : irq, level);   /* MP table: IRQ 0 on pin 2 */
}

static void pic_intr_line(void *ctx, bool level)
{
	((struct vm_platform *)ctx)->pic_intr = level;
}

static void ioapic_deliver(void *ctx, uint32_t dest, uint8_t vector, bool level, unsigned mode,
			   bool logical)
{
	struct vm_platform *p = ctx;
	if (!vlapic_match_dest(&p->lapic, dest, logical))
		return;   /* one vCPU: a message for another APIC has nowhere to go */
	if (mode == VLAPIC_DM_NMI)
		vlapic_accept_nmi(&p->lapic);
	else if (mode == VLAPIC_DM_FIXED || mode == VLAPIC_DM_LOWEST)
		vlapic_accept(&p->lapic, vector, level);
}

static void lapic_kick(void *ctx)
{
	(void)ctx;   /* pre_entry looks before every entry anyway */
}

static void lapic_ipi(void *ctx, uint32_t dest, uint8_t vector, unsigned mode, bool logical,
		      bool level, unsigned shorthand)
{
	struct vm_platform *p = ctx;
	(void)level;
	/* One vCPU: an IPI reaches this APIC only if it names it. */
	if (shorthand == VLAPIC_SH_ALL_EXCL || !vlapic_match_dest(&p->lapic, dest, logical))
		return;
	if (mode == VLAPIC_DM_FIXED || mode == VLAPIC_DM_LOWEST)
		vlapic_accept(&p->lapic, vector, false);
	else if (mode == VLAPIC_DM_NMI)
		vlapic_accept_nmi(&p->lapic);
}

static void lapic_eoi(void *ctx, uint8_t vector)
{
	ioapic_eoi(&((struct vm_platform *)ctx)->ioapic, vector);
}

static const struct vlapic_ops lapic_ops = { lapic_kick, lapic_ipi, lapic_eoi };

static void irq_pit(void *ctx, bool level) { platform_set_irq(((struct vm_platform *)ctx)->vm, IRQ_PIT, level); }
static void irq_rtc(void *ctx, bool level) { platform_set_irq(((struct vm_platform *)ctx)->vm, IRQ_RTC, level); }
static void irq_com1(void *ctx, bool level) { platform_set_irq(((struct vm_platform *)ctx)->vm, IRQ_COM1, level); }

bool platform_has_interrupt(struct vm *vm)
{
	struct vm_platform *p = vm->platform;
	return vlapic_pending(&p->lapic) >= 0 || (p->pic_intr && vlapic_accepts_pic(&p->lapic));
}

int platform_take_vector(struct vm *vm)
{
	struct vm_platform *p = vm->platform;
	int v = vlapic_pending(&p->lapic);
	if (v >= 0) {
		vlapic_ack(&p->lapic, (uint8_t)v);
	} else if (p->pic_intr && vlapic_accepts_pic(&p->lapic)) {
		v = pic_intack(&p->pic);
	}
	if (v >= 0)
		p->injected++;
	return v;
}

/* ---- the UART's two ends ---- */

static void uart_tx(void *ctx, uint8_t b)
{
	struct vm_platform *p = ctx;
	if (p->console_raw)
		console_putc((char)b);
	else
		vcpu_console_write(p->vm->vcpu, (const char *)&b, 1);
}

/* The host's serial input, once per host timer tick, into the guest's UART. */
static void poll_host_input(struct vm_platform *p)
{
	uint64_t tick = this_cpu()->ticks;
	if (!p->host_input || tick == p->input_tick)
		return;
	p->input_tick = tick;
	while (uart_rx_ready(&p->uart) && (inb(HOST_COM1_LSR) & LSR_DATA_READY))
		uart_rx(&p->uart, inb(HOST_COM1_DATA));
}

/* The timers up to now: PIT, RTC, the local APIC's (each fires what is due). */
static void update_timers(struct vm_platform *p)
{
	uint64_t now = platform_now_ns(p->vm);
	pit_update(&p->pit, now);
	rtc_update(&p->rtc, now);
	vlapic_update(&p->lapic, now, rdtsc());
}

/* The earliest device deadline, as a TSC value (~0: none). */
static uint64_t next_device_event(struct vm_platform *p)
{
	uint64_t now = platform_now_ns(p->vm), tsc = rdtsc();
	uint64_t ns = pit_next_event(&p->pit, now);
	uint64_t r = rtc_next_event(&p->rtc, now);
	uint64_t l = vlapic_next_event(&p->lapic, now, tsc);
	ns = r < ns ? r : ns;
	ns = l < ns ? l : ns;
	return ns == UINT64_MAX ? ~0ull : ns_to_tsc(p, ns);
}

void platform_update(struct vm *vm)
{
	struct vm_platform *p = vm->platform;
	update_timers(p);
	p->next_due = next_device_event(p);
	p->timers_dirty = false;
	poll_host_input(p);
}

/* A guest wrote a timer's registers: its next deadline must be computed again. */
static inline void timers_touched(struct vm_platform *p)
{
	p->timers_dirty = true;
}

/* The next_event hook: lab 2 arms the preemption timer no later than this. */
static uint64_t hook_next_event(struct vcpu *v)
{
	struct vm_platform *p = v->vm->platform;
	if (p->timers_dirty)
		platform_update(v->vm);
	p->armed_deadline = p->next_due;
	return p->armed_deadline;
}

/* exitlog: the exit counts so far, every exitlog_every TSC ticks (until the buffer is full). */
static void exitlog_sample(struct vm_platform *p, const struct vcpu *v)
{
	uint64_t now = rdtsc();
	if (now < p->exitlog_next || p->exitlog_n == EXITLOG_MAX)
		return;
	struct exitlog_sample *e = &p->exitlog[p->exitlog_n++];
	e->tsc = now;
	for (unsigned r = 0; r < EXITLOG_REASONS; r++)
		e->counts[r] = (uint32_t)v->exit_counts[r];
	p->exitlog_next = now + p->exitlog_every;
}

void platform_exitlog(struct vm *vm, uint64_t every)
{
	struct vm_platform *p = vm->platform;
	p->exitlog = kzalloc(EXITLOG_MAX * sizeof(*p->exitlog));
	if (!p->exitlog) {
		kprintf("exitlog: out of memory: no samples\n");
		return;
	}
	p->exitlog_every = every;
	p->exitlog_next = rdtsc();
}

/* One line per sample: "exitlog: TSC REASON=COUNT ..." (cumulative, non-zero reasons). */
static void exitlog_print(const struct vm_platform *p, const struct vcpu *v)
{
	for (unsigned i = 0; i < p->exitlog_n; i++) {
		char line[600];
		const struct exitlog_sample *e = &p->exitlog[i];
		int n = ksnprintf(line, sizeof(line), "exitlog: %lu", e->tsc - p->tsc0);
		for (unsigned r = 0; r < EXITLOG_REASONS && n < (int)sizeof(line); r++)
			if (e->counts[r])
				n += ksnprintf(line + n, sizeof(line) - (size_t)n, " %s=%u",
					       v->ops->exit_reason_name(r), e->counts[r]);
		kprintf("%s\n", line);
	}
}

/*
 * The pre_entry hook, after every exit: the exit path's overhead, kept
 * small. The timers are brought up to now only when one is due or the
 * guest reprogrammed one (the next deadline is cached); the preemption
 * timer is armed for that deadline; then the pending interrupts are
 * delivered.
 */
static void hook_pre_entry(struct vcpu *v)
{
	struct vm_platform *p = v->vm->platform;
	if (p->exitlog)
		exitlog_sample(p, v);
	if (p->timers_dirty || rdtsc() >= p->next_due) {
		update_timers(p);
		p->next_due = next_device_event(p);
		p->timers_dirty = false;
	}
	/* The preemption timer counts only while the guest runs (25.5.1): the
	 * time this exit took would push a device's deadline back. Arm it
	 * again from the absolute deadline. */
	if (p->next_due != ~0ull || p->armed_deadline != ~0ull)
		vm_vendor_rearm_timer(v);
	poll_host_input(p);
	vm_vendor_deliver(v);
}

/* ---- MMIO: the local APIC page and the I/O APIC window ---- */

static int lapic_mmio(struct vm *vm, struct mmio_access *a, void *ctx)
{
	struct vm_platform *p = ctx;
	uint32_t off = (uint32_t)a->offset & ~3u, shift = 8 * ((uint32_t)a->offset & 3);
	uint64_t now = platform_now_ns(vm);
	if (a->write) {
		vlapic_mmio_write(&p->lapic, off, (uint32_t)(a->value << shift), now);
		timers_touched(p);
	}
	else
		a->value = vlapic_mmio_read(&p->lapic, off, now) >> shift;
	return 0;
}

static int ioapic_mmio(struct vm *vm, struct mmio_access *a, void *ctx)
{
	(void)vm;
	struct vm_platform *p = ctx;
	uint32_t off = (uint32_t)a->offset & ~3u;
	if (a->write)
		ioapic_mmio_write(&p->ioapic, off, (uint32_t)a->value);
	else
		a->value = ioapic_mmio_read(&p->ioapic, off);
	return 0;
}

/* ---- port handlers of the models ---- */

static uint32_t pic_rd(void *dev, uint16_t port, unsigned size)
{
	(void)size;
	return pic_io_read(&((struct vm_platform *)dev)->pic, port);
}

static void pic_wr(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	(void)size;
	pic_io_write(&((struct vm_platform *)dev)->pic, port, (uint8_t)val);
}

static uint32_t pit_rd(void *dev, uint16_t port, unsigned size)
{
	(void)size;
	struct vm_platform *p = dev;
	return pit_read(&p->pit, port, platform_now_ns(p->vm));
}

static void pit_wr(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	(void)size;
	struct vm_platform *p = dev;
	pit_write(&p->pit, port, (uint8_t)val, platform_now_ns(p->vm));
	timers_touched(p);
}

static uint32_t rtc_rd(void *dev, uint16_t port, unsigned size)
{
	(void)size;
	struct vm_platform *p = dev;
	return rtc_read(&p->rtc, port, platform_now_ns(p->vm));
}

static void rtc_wr(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	(void)size;
	struct vm_platform *p = dev;
	rtc_write(&p->rtc, port, (uint8_t)val, platform_now_ns(p->vm));
	timers_touched(p);
}

static uint32_t uart_rd(void *dev, uint16_t port, unsigned size)
{
	(void)size;
	return uart_read(&((struct vm_platform *)dev)->uart, port - COM1_BASE);
}

static void uart_wr(void *dev, uint16_t port, unsigned size, uint32_t val)
{
	(void)size;
	uart_write(&((struct vm_platform *)dev)->uart, port - COM1_BASE, (uint8_t)val);
}

/* CMOS bytes a BIOS leaves: memory sizes in KiB (0x17/0x30 below 64 MiB, 0x34 in 64 KiB above 16 MiB). */
static void rtc_memory_sizes(struct vm_platform *p)
{
	uint64_t ext_kib = p->vm->ram_size > (1u << 20) ? (p->vm->ram_size >> 10) - 1024 : 0;
	uint64_t ext = ext_kib > 0xffff ? 0xffff : ext_kib;
	rtc_set_nvram(&p->rtc, 0x17, (uint8_t)ext);
	rtc_set_nvram(&p->rtc, 0x18, (uint8_t)(ext >> 8));
	rtc_set_nvram(&p->rtc, 0x30, (uint8_t)ext);
	rtc_set_nvram(&p->rtc, 0x31, (uint8_t)(ext >> 8));
	uint64_t high = p->vm->ram_size > (16u << 20) ? (p->vm->ram_size - (16u << 20)) >> 16 : 0;
	if (high > 0xffff)
		high = 0xffff;
	rtc_set_nvram(&p->rtc, 0x34, (uint8_t)high);
	rtc_set_nvram(&p->rtc, 0x35, (uint8_t)(high >> 8));
}

static void platform_free(struct vm *vm)
{
	kfree(vm->platform->exitlog);
	kfree(vm->platform);
	vm->platform = NULL;
	vm->platform_free = NULL;
}

void platform_detach(struct vm *vm)
{
	if (vm->platform)
		platform_free(vm);
}

/* Lab 3's hooks (guest pointers, EFER) with the platform's added; the
 * MSR hooks chain to lab 3's for what they do not own (platform_msr.c). */
static struct vcpu_ext_ops ext_ops;

int platform_attach(struct vm *vm, const struct platform_config *pc)
{
	struct vm_platform *p = kzalloc(sizeof(*p));
	if (!p) {
		kprintf("platform_attach %s: out of memory\n", vm->name);
		return -1;
	}
	platform_tsc_hz();
	vm->platform = p;
	vm->platform_free = platform_free;
	p->vm = vm;
	p->tsc0 = rdtsc();
	p->ncpus = pc->ncpus ? pc->ncpus : 1;
	p->console_raw = pc->console_raw;
	p->host_input = pc->host_input;
	p->armed_deadline = ~0ull;
	p->timers_dirty = true;

	pic_init(&p->pic, pic_intr_line, p);
	pit_init(&p->pit, 0, irq_pit, p);
	rtc_init(&p->rtc, pc->unix_time, 0, irq_rtc, p);
	rtc_memory_sizes(p);
	uart_init(&p->uart, irq_com1, uart_tx, p);
	/* The APIC timer counts at the crystal rate CPUID 15H reports: the TSC's (platform_msr.c). */
	vlapic_init(&p->lapic, 0, true, tsc_hz, tsc_hz, &lapic_ops, p);
	ioapic_init(&p->ioapic, IOAPIC_ID, ioapic_deliver, p);

	int err = 0;
	err |= pio_register(vm, PIC_MASTER, 2, pic_rd, pic_wr, p, "pic-master");
	err |= pio_register(vm, PIC_SLAVE, 2, pic_rd, pic_wr, p, "pic-slave");
	err |= pio_register(vm, PIC_ELCR, 2, pic_rd, pic_wr, p, "pic-elcr");
	err |= pio_register(vm, PIT_PORT, 4, pit_rd, pit_wr, p, "pit");
	err |= pio_register(vm, PORT_61, 1, pit_rd, pit_wr, p, "port-61");
	err |= pio_register(vm, RTC_PORT, 2, rtc_rd, rtc_wr, p, "rtc");
	err |= pio_register(vm, COM1_BASE, 8, uart_rd, uart_wr, p, "com1");
	err |= platform_ports_init(p);
	err |= mmio_register(vm, PLATFORM_LAPIC_BASE, VLAPIC_MMIO_SIZE, lapic_mmio, p, "local-apic");
	err |= mmio_register(vm, PLATFORM_IOAPIC_BASE, IOAPIC_MMIO_SIZE, ioapic_mmio, p, "io-apic");
	if (!err && pc->mptable) {
		char why[120];
		struct guest_ram ram;
		platform_guest_ram(vm, &ram);
		if (mptable_build(&ram, PLATFORM_MPTABLE_GPA, p->ncpus, IOAPIC_ID,
				  (uint32_t)PLATFORM_IOAPIC_BASE, why, sizeof(why))) {
			kprintf("platform_attach %s: MP table: %s\n", vm->name, why);
			err = 1;
		}
	}
	if (!err && pc->acpi) {
		char why[160];
		struct guest_ram ram;
		struct acpi_config ac = { p->ncpus, (uint32_t)PLATFORM_LAPIC_BASE, IOAPIC_ID,
					  (uint32_t)PLATFORM_IOAPIC_BASE, PM1A_EVT_PORT,
					  PM1A_CNT_PORT };
		platform_guest_ram(vm, &ram);
		if (acpi_tables_build(&ram, PLATFORM_ACPI_GPA, &ac, why, sizeof(why))) {
			kprintf("platform_attach %s: %s\n", vm->name, why);
			err = 1;
		}
	}
	if (err) {
		platform_free(vm);
		return -1;
	}
	platform_msr_init(p);
	ext_ops = vm_ext_ops;
	ext_ops.pio_in = platform_pio_in;
	ext_ops.pio_out = platform_pio_out;
	ext_ops.msr_read = platform_msr_read;
	ext_ops.msr_write = platform_msr_write;
	ext_ops.pre_entry = hook_pre_entry;
	ext_ops.next_event = hook_next_event;
	ext_ops.cpuid = platform_cpuid;
	vm->vcpu->ext = &ext_ops;
	return 0;
}

/* ---- guest RAM for the loaders (guest_load.h) ---- */

static int ram_write(void *ctx, uint64_t gpa, const void *src, uint64_t len)
{
	struct vm *vm = ctx;
	for (uint64_t off = 0; off < len;) {
		uint64_t n = PAGE_SIZE - ((gpa + off) & (PAGE_SIZE - 1));
		n = n < len - off ? n : len - off;
		void *dst = vm_gpa_ptr(vm, gpa + off, n);
		if (!dst)
			return -1;
		if (src)
			memcpy(dst, (const uint8_t *)src + off, n);
		else
			memset(dst, 0, n);
		off += n;
	}
	return 0;
}

static int ram_zero(void *ctx, uint64_t gpa, uint64_t len)
{
	return ram_write(ctx, gpa, NULL, len);
}

void platform_guest_ram(struct vm *vm, struct guest_ram *ram)
{
	*ram = (struct guest_ram){ vm->ram_size, ram_write, ram_zero, vm, 0 };
}

void platform_print_stats(const struct vm *vm)
{
	const struct vm_platform *p = vm->platform;
	uint64_t ns = platform_now_ns(vm);
	kprintf("vm %s: %lu.%03lu s of guest time, %lu interrupts injected, %lu MMIO exits, "
		"%lu local APIC timer interrupts\n", vm->name, (unsigned long)(ns / 1000000000ull),
		(unsigned long)((ns / 1000000ull) % 1000), p->injected, vm->violations, p->lapic.timer_fired);
	char pins[200];
	int n = 0;
	for (unsigned pin = 0; pin < IOAPIC_NPINS && n < (int)sizeof(pins); pin++)
		if (p->ioapic.delivered[pin])
			n += ksnprintf(pins + n, sizeof(pins) - (size_t)n, " pin %u: %lu,", pin,
				       (unsigned long)p->ioapic.delivered[pin]);
	if (n)
		kprintf("vm %s: I/O APIC deliveries:%.*s\n", vm->name, n - 1, pins);
	if (p->exitlog)
		exitlog_print(p, vm->vcpu);
}

const char *platform_guest_args(void)
{
	const char *all = cmdline_get_all();
	for (const char *p = all; *p; p++)
		if (p[0] == '-' && p[1] == '-' && (p == all || p[-1] == ' ') && (p[2] == ' ' || !p[2]))
			return p[2] ? p + 3 : p + 2;
	return "";
}

int platform_args_with_tsc(char *buf, size_t n, const char *args)
{
	int len = ksnprintf(buf, n, "%s%s%0*d", args, BOOT_TSC_PARAM, BOOT_TSC_DIGITS, 0);
	if (len < 0 || (size_t)len >= n)
		return -1;
	return len - BOOT_TSC_DIGITS;
}

void platform_stamp_tsc(char *digits, uint64_t tsc)
{
	for (int i = BOOT_TSC_DIGITS - 1; i >= 0; i--, tsc /= 10)
		digits[i] = (char)('0' + tsc % 10);
}
