"""lab4.py - lab 4's graded tests: device models, interrupt injection, guest
loaders, and an unmodified Debian Linux kernel booted to a busybox /init.

Every test needs code students write in lab 4 (BEGIN SOLUTION lab4): the
device models' cores (PIC priorities, PIT counting, UART interrupt
identification, RTC calendar, APIC priorities, I/O APIC delivery), event
injection (vmx_events.c), and the loaders' cores (the zero page, the
multiboot information). Lab 4 needs what lab 3 needs (VMX with EPT and
unrestricted guest: Bochs here).

The Linux runs link the kernel and an initramfs from cache/linux (`make
linux-fetch`: Debian's packages, fetched at test time, never committed)
into a kernel of their own (RunSpec.payloads).
Run `python3 -m grader.grade --lab 4 --list` to see the tests.
"""
from grader.gradelib import RunSpec, check, expect_end, expect_ktests, expect_lines

LINUX = "cache/linux"
LINUX_TEST = (("vmlinuz", f"{LINUX}/vmlinuz"), ("initrd", f"{LINUX}/initramfs-test.cpio.gz"))
LINUX_SHELL = (("vmlinuz", f"{LINUX}/vmlinuz"), ("initrd", f"{LINUX}/initramfs-shell.cpio.gz"))
# What the test /init must find (tools/linux/init-test): the RAM hvlab gives,
# and the CPU brand string of Bochs' corei7_skylake_x, which CPUID passes
# through ('_' for spaces: a kernel parameter has none).
BRAND = "Intel(R)_Core(TM)_i7-7800X_CPU_@_3.50GHz"
EXPECT = f"hvlab.mem=128M hvlab.cpu={BRAND} hvlab.cpus=1"
PIC_PATH = "console=ttyS0 acpi=off pci=off noapic nolapic panic=-1"
APIC_PATH = "console=ttyS0 acpi=off pci=off panic=-1"
# The APIC path for real: this kernel finds APICs only through ACPI (it has
# no MP-table support), so without acpi=off it reads hvlab's ACPI tables.
ACPI_PATH = "console=ttyS0 pci=off panic=-1"
HOST_MEM = 512
LINUX_TIMEOUT = 400


def linux_run(append, payloads=LINUX_TEST, script=()):
    return RunSpec(cmdline=f"boot=vmlinuz,initrd vmram=131072 -- {append}", cpus=1,
                   mem=HOST_MEM, timeout=LINUX_TIMEOUT, payloads=payloads, script=script)


LINUX_PIC = linux_run(f"{PIC_PATH} {EXPECT}")
LINUX_APIC = linux_run(f"{APIC_PATH} {EXPECT}")
LINUX_ACPI = linux_run(f"{ACPI_PATH} {EXPECT}")
# `make run-linux`: a shell on the serial console; the test types at its prompt.
LINUX_TYPING = linux_run(PIC_PATH, LINUX_SHELL, script=(
    (r"poweroff -f to end", "echo typed $((6 * 7))\n"),
    (r"typed 42", "poweroff -f\n"),
))
KTESTS = RunSpec(cmdline="test=platform_*", cpus=1)

INIT_CHECKS = ["cmdline", "mem-e820", "mem-total", "cpu-model", "cpus", "serial", "serial-irq",
               "timer", "timer-irq"]


def init_test_lines(path):
    return [r"^boot: Linux kernel at 0x[0-9a-f]+-0x[0-9a-f]+, initrd 0x[0-9a-f]+",
            r"Linux version 6\.1\.",
            r"Run /init as init process",
            r"^init: hvtsc \d+"] + \
        [rf"^init-test: PASS {c} " for c in INIT_CHECKS] + \
        [r"^init-test: SUMMARY 9 checks, 0 failures",
         r"reboot: System halted",
         r"^vcpu: guest vmlinuz halted with interrupts off",
         r"^vcpu: guest vmlinuz exits: \d+ \(.*\bio \d+",
         r"^vm vmlinuz: [\d.]+ s of guest time, \d+ interrupts injected",
         r"^boot: finished; exit status 0"]


check(20, "Linux (Debian 6.1 cloud kernel) boots to /init on the PIC path; its 9 checks pass",
      expect_lines(init_test_lines(PIC_PATH), end="finished"), run=LINUX_PIC, name="linux_pic")
check(5, "Linux with acpi=off but without noapic/nolapic boots (no MP-table support: PIC mode)",
      expect_lines(init_test_lines(APIC_PATH), end="finished"), run=LINUX_APIC, name="linux_apic")
check(10, "Linux on the APIC path (ACPI MADT): local APIC deadline timer, I/O APIC, 9 checks pass",
      expect_lines([r"ACPI: RSDP 0x00000000000E0000",
                    r"IOAPIC\[0\]: apic_id 1, version 17, address 0xfec00000, GSI 0-23",
                    r"^init-test: INFO local APIC in use: yes; timer interrupt: .*IO-APIC"]),
      expect_lines([r"^init-test: INFO clocksource .*, clockevent lapic"]),
      expect_lines(init_test_lines(ACPI_PATH)[:-1] +
                   [r"^vm vmlinuz: I/O APIC deliveries: .*pin 4: \d+",
                    r"^boot: finished; exit status 0"], end="finished"),
      run=LINUX_ACPI, name="linux_acpi_apic")
check(10, "make run-linux: a busybox shell on the serial console, typing works, poweroff -f ends it",
      expect_lines([r"hvlab: busybox shell; poweroff -f to end",
                     r"typed 42",
                     r"^vcpu: guest vmlinuz halted with interrupts off",
                     r"^boot: finished; exit status 0"], end="finished"),
      run=LINUX_TYPING, name="linux_typing")
check(15, "the platform: attach/free without leaks, port table rules, loaders refuse bad images, "
          "devices survive nonsense",
      expect_ktests(["platform_attach_no_leak", "platform_pio_register_rules",
                     "platform_loaders_refuse_bad_images", "platform_devices_survive_nonsense"]),
      expect_end("finished"), run=KTESTS, name="ktest_platform")

# The in-guest device tests (lab4-devices/guest): a Multiboot kernel on the
# virtual PC tests each device and the interrupt path from the guest's side,
# then writes its failure count to the debug-exit port.
DEVICE_TESTS = RunSpec(cmdline="boot=lab4-tests vmram=16384 -- hello", cpus=1, mem=256,
                       timeout=120)
GUEST_GROUPS = [
    (5, "guest_multiboot", "guest: a Multiboot 1 kernel loaded and entered as the spec says",
     "mb_magic mb_entry_state mb_info_flags mb_mem_sizes mb_cmdline mb_mmap mb_image_loaded"),
    (5, "guest_ports", "guest: fw_cfg, PCI host bridge, unclaimed ports, 8042, CMOS sizes, MP table",
     "fwcfg_signature fwcfg_cpu_count fwcfg_ram_size pci_host_bridge pci_absent_device "
     "unclaimed_port i8042_self_test cmos_memory_size mptable"),
    (5, "guest_uart", "guest: 16550 UART registers, loopback, THRE interrupt on IRQ 4",
     "uart_scratch uart_divisor_latch uart_fifo_iir uart_lsr_idle uart_loopback_data "
     "uart_loopback_overrun uart_loopback_msr uart_loopback_iir uart_out2_gates_irq uart_thre_irq"),
    (5, "guest_pic", "guest: 8259 PIC pair: init, masks, ELCR, EOI, poll, cascade priorities",
     "pic_icw_init pic_mask_readback pic_elcr pic_isr_until_eoi pic_mask_blocks pic_poll "
     "pic_priority_cascade"),
    (5, "guest_pit", "guest: 8254 PIT modes 0/2/3, channel 2 gate and port 0x61, HLT wakes on time",
     "tsc_calibration pit_ch2_gate_out2 pit_counter_latch pit_mode0_oneshot pit_mode2_rate "
     "pit_mode3_square_wave hlt_wakes_on_timer"),
    (5, "guest_rtc", "guest: CMOS RTC: BCD/binary, 12h, UIP, register C, update IRQ 8, set time",
     "rtc_time_bcd rtc_binary_12h rtc_uip rtc_reg_c_flags rtc_update_irq8 rtc_set_time_rollover"),
    (5, "guest_lapic", "guest: local APIC: enable, timer one-shot/periodic/TSC-deadline, TPR, EOI",
     "lapic_id_version lapic_svr_enable lapic_timer_oneshot lapic_timer_periodic "
     "lapic_tpr_blocks_class lapic_isr_until_eoi lapic_x2apic lapic_tsc_deadline"),
    (5, "guest_ioapic", "guest: I/O APIC: registers, PIT on pin 2, level-triggered remote IRR",
     "ioapic_version_id ioapic_rte_reset_rw ioapic_pit_pin2 ioapic_level_remote_irr"),
]
for _points, _name, _title, _tests in GUEST_GROUPS:
    check(_points, _title, expect_ktests(_tests.split()),
          expect_lines([r"^SUMMARY: 58 tests, 0 failures",
                        r"^vm lab4-tests: debug-exit port 0xf4: status 0",
                        r"^vcpu: guest lab4-tests exited with code 0",
                        r"^boot: finished; exit status 0"], end="finished"),
          run=DEVICE_TESTS, name=_name)
