/*
 * vm_platform_internal.h - what the files of the platform share
 * (platform.c wires, pio.c looks up ports, ports.c is the small ports,
 * platform_msr.c the MSRs and CPUID a PC guest expects).
 */
#ifndef HVLAB_VM_PLATFORM_INTERNAL_H
#define HVLAB_VM_PLATFORM_INTERNAL_H

#include "i8254.h"
#include "i8259.h"
#include "ioapic.h"
#include "rtc.h"
#include "uart16550.h"
#include "vlapic.h"
#include "vm_platform.h"

#define PLATFORM_MAX_PIO   24
#define DEBUG_EXIT_PORT    0xf4
#define SHUTDOWN_PORT      0x8900
#define FW_CFG_PORT_SEL    0x510
#define PCI_PORT_ADDR      0xcf8
#define RESET_CONTROL_PORT 0xcf9
#define PCI_PORT_DATA      0xcfc
#define KBC_PORT_DATA      0x60
#define KBC_PORT_STATUS    0x64
#define PM1A_EVT_PORT      0x600   /* ACPI PM1a event block (4 bytes), then control (2) */
#define PM1A_CNT_PORT      0x604

struct pio_range {
	uint16_t base, count;
	pio_read_fn rd;        /* NULL: reads all ones */
	pio_write_fn wr;       /* NULL: writes ignored */
	void *dev;
	const char *name;
};

struct vm_platform {
	struct vm *vm;
	struct pio_range pio[PLATFORM_MAX_PIO];   /* sorted by base */
	unsigned npio;
	uint64_t tsc0;                 /* the TSC at guest time 0 */
	uint64_t armed_deadline;       /* TSC the preemption timer was last armed to reach */
	uint64_t next_due;             /* TSC of the next device deadline (~0: none), cached */
	bool timers_dirty;             /* a timer was reprogrammed: next_due is stale */
	bool halted;                   /* the guest waits in HLT for an interrupt */

	struct pic_pair pic;
	bool pic_intr;                 /* the PIC's INTR line */
	struct i8254 pit;
	struct rtc_cmos rtc;
	struct uart16550 uart;
	struct vlapic lapic;
	struct ioapic ioapic;

	unsigned ncpus;
	bool console_raw, host_input;
	uint64_t input_tick;           /* host timer tick of the last look at the host's serial input */
	uint64_t injected;             /* interrupts delivered to the guest */

	/* MSRs a PC guest sets and reads back (platform_msr.c) */
	uint64_t pat, mtrr_def_type, misc_enable, tsc_aux;
	uint64_t mtrr_var[16];         /* PHYSBASE/PHYSMASK pairs 0x200-0x20f: stored only */
	bool msr_logged;

	/* ports.c */
	unsigned shutdown_pos;
	uint16_t fw_cfg_key;
	uint32_t fw_cfg_offset;
	bool fw_cfg_logged;
	uint32_t pci_addr;
	uint8_t kbc_ctr, kbc_out, kbc_pending;
	bool kbc_obf, kbc_logged;
	uint16_t pm1_en, pm1_cnt;
	char end_why[80];

	/* exitlog=TICKS: exit counts sampled over time, for bench-linux's chart */
	uint64_t exitlog_every, exitlog_next;
	struct exitlog_sample *exitlog;
	unsigned exitlog_n;
};

#define EXITLOG_REASONS 64
#define EXITLOG_MAX     1024
struct exitlog_sample {
	uint64_t tsc;
	uint32_t counts[EXITLOG_REASONS];
};

int platform_ports_init(struct vm_platform *p);
int platform_pio_in(struct vcpu *v, uint16_t port, unsigned size, uint32_t *val);
int platform_pio_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val);
int platform_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int platform_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);
void platform_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t r[4]);
/** The guest TSC now (the host's: RDTSC does not exit). */
uint64_t platform_tsc(void);

void platform_msr_init(struct vm_platform *p);

/* The vendor's side (vmx_events.c). */
void vm_vendor_deliver(struct vcpu *v);
void vm_vendor_rearm_timer(struct vcpu *v);
void vm_vendor_msr_passthrough(struct vcpu *v, uint32_t msr);

#endif
