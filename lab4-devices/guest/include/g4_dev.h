/*
 * g4_dev.h - the PC devices lab4-tests talks to: where they are, their
 * register bits (named as in their datasheets), and small helpers
 * (rt/dev.c) that the tests and the runtime share.
 */
#ifndef G4_DEV_H
#define G4_DEV_H

#include "g4.h"

/* ---- 16550 UART, COM1 (PC16550D datasheet) ---- */
#define COM1		0x3f8
#define UART_RBR	0	/* read, DLAB=0 */
#define UART_THR	0	/* write, DLAB=0 */
#define UART_DLL	0	/* DLAB=1 */
#define UART_IER	1	/* DLAB=0 */
#define UART_DLM	1	/* DLAB=1 */
#define UART_IIR	2	/* read */
#define UART_FCR	2	/* write */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7
#define IER_ERBFI	0x01	/* received data available */
#define IER_ETBEI	0x02	/* THR empty */
#define IIR_NO_INT	0x01
#define IIR_ID_MASK	0x0f
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFOS	0xc0	/* both bits set: FIFOs enabled */
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define FCR_CLEAR_TX	0x04
#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08	/* on a PC: gates the INTR pin to IRQ 4 */
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_DCTS	0x01
#define MSR_DDSR	0x02
#define MSR_TERI	0x04
#define MSR_DDCD	0x08
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

static inline uint8_t uart_in(unsigned reg) { return inb(COM1 + reg); }
static inline void uart_out(unsigned reg, uint8_t v) { outb(COM1 + reg, v); }

/* ---- 8259A PIC pair (Intel 231468) ---- */
#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1
#define PIC_ELCR1	0x4d0
#define PIC_ELCR2	0x4d1
#define PIC1_VECTOR	0x20	/* IRQ n (0-7) arrives on 0x20 + n */
#define PIC2_VECTOR	0x28	/* IRQ n (8-15) arrives on 0x28 + n - 8 */
#define PIC_EOI		0x20	/* OCW2: non-specific EOI */
#define PIC_SEOI	0x60	/* OCW2: specific EOI, level in bits 2:0 */
#define PIC_READ_IRR	0x0a	/* OCW3 */
#define PIC_READ_ISR	0x0b
#define PIC_POLL	0x0c

/** ICW1-4: 8086 mode, edge, cascaded on IR2; every input masked afterwards. */
void pic_init(uint8_t master_base, uint8_t slave_base);
void pic_set_masks(uint8_t master, uint8_t slave);
uint8_t pic_read_irr(unsigned chip);	/* 0 master, 1 slave */
uint8_t pic_read_isr(unsigned chip);
/** Non-specific EOI for @irq: to the slave and the master for IRQ 8-15. */
void pic_eoi(unsigned irq);

/* ---- 8254 PIT and port 0x61 (Intel 231164) ---- */
#define PIT_HZ		1193182u
#define PIT_CH0		0x40
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PORT_B		0x61
#define PORT_B_GATE2	0x01
#define PORT_B_SPKR	0x02
#define PORT_B_REFRESH	0x10
#define PORT_B_OUT2	0x20
#define PIT_ST_OUT	0x80
#define PIT_ST_NULL	0x40

/** Channel @ch (0-2): control word (binary, LSB then MSB, @mode), then @count (0 = 65536). */
void pit_program(unsigned ch, unsigned mode, uint32_t count);
/** Counter latch command, then the latched count (LSB, MSB). */
uint16_t pit_latch(unsigned ch);
/** Read-back command for @ch's status byte alone. */
uint8_t pit_status(unsigned ch);
/** Channel 0: a control word without a count, which stops it (OUT low, IRQ 0 quiet). */
void pit_stop_ch0(void);

/* ---- MC146818A RTC / CMOS ---- */
#define RTC_INDEX	0x70
#define RTC_DATA	0x71
#define RTC_SEC		0x00
#define RTC_MIN		0x02
#define RTC_HOUR	0x04
#define RTC_WDAY	0x06
#define RTC_MDAY	0x07
#define RTC_MONTH	0x08
#define RTC_YEAR	0x09
#define RTC_A		0x0a
#define RTC_B		0x0b
#define RTC_C		0x0c
#define RTC_D		0x0d
#define RTC_CENTURY	0x32
#define RTC_A_UIP	0x80
#define RTC_A_DEFAULT	0x26	/* 32.768 kHz time base, 1024 Hz periodic rate */
#define RTC_B_SET	0x80
#define RTC_B_PIE	0x40
#define RTC_B_AIE	0x20
#define RTC_B_UIE	0x10
#define RTC_B_DM	0x04	/* binary */
#define RTC_B_24H	0x02
#define RTC_C_IRQF	0x80
#define RTC_C_PF	0x40
#define RTC_C_AF	0x20
#define RTC_C_UF	0x10
#define RTC_D_VRT	0x80

uint8_t rtc_read(uint8_t reg);
void rtc_write(uint8_t reg, uint8_t val);

/* ---- local APIC (SDM Vol. 3A ch. 10) ---- */
#define LAPIC_BASE	0xfee00000u
#define LAPIC_ID	0x020
#define LAPIC_VER	0x030
#define LAPIC_TPR	0x080
#define LAPIC_PPR	0x0a0
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define LAPIC_ISR	0x100
#define LAPIC_TMR	0x180
#define LAPIC_IRR	0x200
#define LAPIC_ESR	0x280
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_LVT_LINT0	0x350
#define LAPIC_LVT_LINT1	0x360
#define LAPIC_LVT_ERROR	0x370
#define LAPIC_TIMER_ICR	0x380
#define LAPIC_TIMER_CCR	0x390
#define LAPIC_TIMER_DCR	0x3e0
#define LAPIC_SVR_ENABLE	0x100
#define LAPIC_LVT_MASKED	0x10000
#define LAPIC_TIMER_PERIODIC	(1u << 17)
#define LAPIC_TIMER_TSC_DEADLINE (2u << 17)
#define LAPIC_DCR_DIV1		0xb
#define LAPIC_ICR_SELF		(1u << 18)	/* destination shorthand "self" */
#define LAPIC_SPURIOUS_VECTOR	0xff
#define MSR_APIC_BASE		0x1b
#define APIC_BASE_BSP		(1u << 8)
#define APIC_BASE_EXTD		(1u << 10)
#define APIC_BASE_EN		(1u << 11)
#define MSR_TSC_DEADLINE	0x6e0
#define MSR_X2APIC(off)		(0x800 + (off) / 16)

static inline uint32_t lapic_read(uint32_t off) { return mmio_read32(LAPIC_BASE + off); }
static inline void lapic_write(uint32_t off, uint32_t v) { mmio_write32(LAPIC_BASE + off, v); }
static inline void lapic_eoi(void) { lapic_write(LAPIC_EOI, 0); }
/** Is @vector's bit set in the 256-bit register at @base (ISR, TMR, IRR)? */
bool lapic_vec_bit(uint32_t base, unsigned vector);
/** Send a fixed, edge interrupt to this CPU (ICR destination shorthand "self"). */
void lapic_self_ipi(uint8_t vector);

/* ---- 82093AA I/O APIC ---- */
#define IOAPIC_BASE	0xfec00000u
#define IOAPIC_REGSEL	0x00
#define IOAPIC_WIN	0x10
#define IOAPIC_REG_ID	0x00
#define IOAPIC_REG_VER	0x01
#define IOAPIC_REDTBL(pin) (0x10 + 2 * (pin))
#define IOAPIC_NPINS	24
#define RTE_LOW_ACTIVE	(1u << 13)
#define RTE_REMOTE_IRR	(1u << 14)
#define RTE_LEVEL	(1u << 15)
#define RTE_MASKED	(1u << 16)

uint32_t ioapic_read(uint8_t reg);
void ioapic_write(uint8_t reg, uint32_t val);
/** Redirection entry of @pin: low dword @lo (vector, modes, mask), destination APIC ID @dest. */
void ioapic_set_rte(unsigned pin, uint32_t lo, uint8_t dest);

/* ---- the small platform ports ---- */
#define FW_CFG_SEL	0x510
#define FW_CFG_DATA	0x511
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_RAM_SIZE	0x0003
#define FW_CFG_NB_CPUS	0x0005
#define PCI_ADDR	0xcf8
#define PCI_DATA	0xcfc
#define DEBUG_EXIT	0xf4

/** fw_cfg item @key: its first @n bytes (little-endian) as a number. */
uint64_t fw_cfg_read(uint16_t key, unsigned n);
/** PCI configuration mechanism #1: the dword at @reg of bus/dev/fn. */
uint32_t pci_read32(unsigned bus, unsigned dev, unsigned fn, unsigned reg);

/* ---- state before the first g4_quiesce ---- */

/* The I/O APIC's redirection entries (low dwords) and local APIC registers as hvlab reset them. */
extern uint32_t g4_boot_rte[IOAPIC_NPINS];
extern uint32_t g4_boot_lapic_svr, g4_boot_lapic_lint0, g4_boot_lapic_timer;
void g4_snapshot_boot_state(void);

/** Software-enable the local APIC (SVR bit 8, spurious vector 0xFF), as tests expect it. */
void lapic_enable(void);

/* ---- TSC against the PIT ---- */

/**
 * TSC ticks per second, measured over @ms milliseconds of PIT channel 2
 * in mode 0 with its gate, watching OUT2 in port 0x61 as Linux's
 * pit_calibrate_tsc() does; 0 if OUT2 never rose.
 */
uint64_t pit_calibrate_tsc(unsigned ms);

#endif
