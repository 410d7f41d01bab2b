/*
 * i8259.h - the PC's two Intel 8259A programmable interrupt controllers,
 * cascaded: the master at ports 0x20/0x21 drives the CPU's INTR pin, the
 * slave at 0xA0/0xA1 drives the master's IR2 input, and the edge/level
 * control registers (ELCR, as in the PIIX/ICH south bridges) sit at
 * 0x4D0 (IRQ 0-7) and 0x4D1 (IRQ 8-15).
 *
 * A pure model: devices call pic_set_irq() when their IRQ line changes,
 * the caller forwards the guest's port accesses, and the model reports its
 * INTR output through a callback. The vCPU takes an interrupt with
 * pic_intack() (the two INTA cycles of the datasheet, in one call) when it
 * can deliver it.
 *
 * References: Intel 8259A datasheet (order 231468), "Interrupt Sequence",
 * "Initialization Command Words", "Operation Command Words", "Edge and
 * Level Triggered Modes", "The Special Fully Nested Mode", "Cascading";
 * Intel 82371AB PIIX4 datasheet 12.2 "ELCR1/ELCR2".
 *
 * One deliberate difference from the silicon: an edge-triggered request is
 * latched in IRR on the rising edge and stays there until acknowledged,
 * even if the line drops first (the 8259A wants the line held high until
 * INTA). A device model may therefore raise and drop its line in one go.
 */
#ifndef HVLAB_I8259_H
#define HVLAB_I8259_H

#include <stdbool.h>
#include <stdint.h>

#define PIC_MASTER_CMD	0x20	/* A0=0: ICW1, OCW2, OCW3; reads IRR/ISR/poll */
#define PIC_MASTER_DATA	0x21	/* A0=1: ICW2-4, OCW1 (IMR) */
#define PIC_SLAVE_CMD	0xa0
#define PIC_SLAVE_DATA	0xa1
#define PIC_ELCR_MASTER	0x4d0
#define PIC_ELCR_SLAVE	0x4d1

#define PIC_CASCADE_IRQ	2	/* the master's input wired to the slave's INT */
#define PIC_NR_IRQS	16

/* ICW1 (A0=0, D4=1) */
#define PIC_ICW1_IC4	0x01	/* ICW4 follows */
#define PIC_ICW1_SNGL	0x02	/* single 8259A: no ICW3 */
#define PIC_ICW1_ADI	0x04	/* call address interval (MCS-80 only) */
#define PIC_ICW1_LTIM	0x08	/* level-triggered inputs */
#define PIC_ICW1_INIT	0x10
/* ICW4 */
#define PIC_ICW4_UPM	0x01	/* 8086/8088 mode (else MCS-80/85) */
#define PIC_ICW4_AEOI	0x02	/* automatic end of interrupt */
#define PIC_ICW4_MS	0x04	/* buffered mode: master/slave */
#define PIC_ICW4_BUF	0x08	/* buffered mode */
#define PIC_ICW4_SFNM	0x10	/* special fully nested mode */
/* OCW2 (A0=0, D4:D3=00): R SL EOI in bits 7:5, a level in bits 2:0 */
#define PIC_OCW2_EOI	0x20
#define PIC_OCW2_SL	0x40	/* specific: the level is in bits 2:0 */
#define PIC_OCW2_R	0x80	/* rotate */
/* OCW3 (A0=0, D4:D3=01) */
#define PIC_OCW3_RIS	0x01	/* with RR: read ISR (else IRR) */
#define PIC_OCW3_RR	0x02	/* change the register read */
#define PIC_OCW3_P	0x04	/* poll command */
#define PIC_OCW3_SEL	0x08
#define PIC_OCW3_SMM	0x20	/* with ESMM: set (1) or reset special mask mode */
#define PIC_OCW3_ESMM	0x40

/* One 8259A. Bit n of each mask is input IRn. */
struct i8259 {
	uint8_t irr;		/* interrupt request register */
	uint8_t isr;		/* in-service register */
	uint8_t imr;		/* interrupt mask register (OCW1) */
	uint8_t line;		/* the IR inputs' current levels */
	uint8_t elcr;		/* ELCR: 1 = level-triggered input */
	uint8_t elcr_mask;	/* ELCR bits that exist (IRQ 0, 1, 2, 8, 13 are edge only) */
	uint8_t vector_base;	/* ICW2 with bits 2:0 cleared */
	uint8_t icw3;		/* master: inputs with a slave; slave: its ID */
	uint8_t lowest;		/* the input with the lowest priority (7 after ICW1) */
	uint8_t init_next;	/* 0: operating; 2, 3, 4: which ICW the data port expects */
	bool is_slave;
	bool ltim, single, need_icw4;
	bool aeoi, rotate_on_aeoi, sfnm;
	bool read_isr;		/* OCW3 RIS: a command-port read returns ISR, not IRR */
	bool poll;		/* OCW3 P: the next command-port read is a poll */
	bool special_mask;	/* OCW3 SMM */
};

/* The master and slave wired as on a PC, and the INTR line to the CPU. */
struct pic_pair {
	struct i8259 chip[2];	/* [0] master, [1] slave */
	bool intr_level;	/* what intr() was last told */
	void (*intr)(void *ctx, bool level);
	void *ctx;
	uint32_t warned;	/* kinds of guest mistakes already logged */
};

/**
 * Reset both chips to what a PC BIOS leaves behind: initialized, vectors
 * 0x08 (master) and 0x70 (slave), 8086 mode, normal EOI, edge-triggered,
 * every input masked except the cascade (master IMR 0xFB, slave 0xFF).
 * @intr(ctx, level) is called whenever the INTR line to the CPU changes;
 * it may be NULL (poll pic_intr() instead). Nothing is called from here.
 */
void pic_init(struct pic_pair *p, void (*intr)(void *ctx, bool level), void *ctx);

/**
 * A device's IRQ line (0-15) is now @level. An edge-triggered input latches
 * a request on a low-to-high transition; a level-triggered one (ELCR or
 * ICW1 LTIM) requests for as long as the line is high. IRQ 2 is the
 * cascade and has no device: using it, or an IRQ above 15, is logged once
 * and ignored.
 */
void pic_set_irq(struct pic_pair *p, unsigned irq, bool level);

/**
 * Guest port reads and writes: 0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x4D1. Other
 * ports read 0xFF and ignore writes, logged once.
 */
uint8_t pic_io_read(struct pic_pair *p, uint16_t port);
void pic_io_write(struct pic_pair *p, uint16_t port, uint8_t val);

/**
 * True while INTR is asserted: the master has an unmasked request of higher
 * priority than the one it has in service (a slave's request counts at
 * IR2's priority).
 */
bool pic_intr(const struct pic_pair *p);

/**
 * The CPU acknowledges INTR: returns the vector to deliver (0-255). The
 * request moves from IRR to ISR (not in AEOI mode). If the request has
 * vanished since INTR was seen (masked, or a level line dropped), the chip
 * answers with its IR7 vector and sets no ISR bit: the spurious IRQ 7, or
 * IRQ 15 from the slave (the master then has IR2 in service), which the
 * guest recognizes by reading ISR.
 */
int pic_intack(struct pic_pair *p);

#endif
