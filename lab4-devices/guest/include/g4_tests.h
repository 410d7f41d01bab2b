/*
 * g4_tests.h - every test of lab4-tests, in the order they run.
 *
 * The order matters: the PIC tests run while the local APIC still passes
 * the 8259's INTR through LINT0 (virtual wire), the I/O APIC tests after
 * the local APIC ones have shown that it takes interrupts. Each test is
 * "void test_NAME(void)" in tests/<device>.c and prints "PASS: NAME" or
 * "FAIL: NAME: why".
 */
#ifndef G4_TESTS_H
#define G4_TESTS_H

#define G4_TESTS(X) \
	/* tests/boot.c: the Multiboot hand-over */ \
	X(mb_magic) X(mb_entry_state) X(mb_info_flags) X(mb_mem_sizes) X(mb_cmdline) \
	X(mb_mmap) X(mb_image_loaded) \
	/* tests/ports.c: fw_cfg, PCI, unclaimed ports, 8042, CMOS sizes, MP table */ \
	X(fwcfg_signature) X(fwcfg_cpu_count) X(fwcfg_ram_size) X(pci_host_bridge) \
	X(pci_absent_device) X(unclaimed_port) X(i8042_self_test) X(cmos_memory_size) \
	X(mptable) \
	/* tests/uart.c: the 16550 */ \
	X(uart_scratch) X(uart_divisor_latch) X(uart_fifo_iir) X(uart_lsr_idle) \
	X(uart_loopback_data) X(uart_loopback_overrun) X(uart_loopback_msr) \
	X(uart_loopback_iir) X(uart_out2_gates_irq) X(uart_thre_irq) \
	/* tests/pic.c: the 8259A pair */ \
	X(pic_icw_init) X(pic_mask_readback) X(pic_elcr) X(pic_isr_until_eoi) \
	X(pic_mask_blocks) X(pic_poll) X(pic_priority_cascade) \
	/* tests/pit.c: the 8254, port 0x61, the TSC, HLT */ \
	X(tsc_calibration) X(pit_ch2_gate_out2) X(pit_counter_latch) X(pit_mode0_oneshot) \
	X(pit_mode2_rate) X(pit_mode3_square_wave) X(hlt_wakes_on_timer) \
	/* tests/rtc.c: the MC146818A */ \
	X(rtc_time_bcd) X(rtc_binary_12h) X(rtc_uip) X(rtc_reg_c_flags) \
	X(rtc_update_irq8) X(rtc_set_time_rollover) \
	/* tests/lapic.c: the local APIC */ \
	X(lapic_id_version) X(lapic_svr_enable) X(lapic_timer_oneshot) \
	X(lapic_timer_periodic) X(lapic_tpr_blocks_class) X(lapic_isr_until_eoi) \
	X(lapic_x2apic) X(lapic_tsc_deadline) \
	/* tests/ioapic.c: the I/O APIC */ \
	X(ioapic_version_id) X(ioapic_rte_reset_rw) X(ioapic_pit_pin2) \
	X(ioapic_level_remote_irr)

#define G4_DECLARE_TEST(name) void test_##name(void);
G4_TESTS(G4_DECLARE_TEST)

#endif
