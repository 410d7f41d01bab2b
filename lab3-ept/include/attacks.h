/*
 * attacks.h - the hostile guests of lab 3's isolation suite, shared by the
 * guest that carries them out (guest/hostile.c) and the in-hypervisor test
 * that judges them (tests/ktest_isolation.c).
 *
 * One attacker VM runs one attack (its number in the start register EBX,
 * see vm.h "What a lab-3 guest finds at start") beside a victim VM that
 * checksums its own memory. The attacker is given addresses worth
 * attacking in ECX and ESI: host-physical addresses of the hypervisor
 * and of the victim (a guest has no way to learn them, so the test hands
 * them over: the strongest attacker knows everything).
 *
 * How the attacker can end (ATTACK_EXIT_*, its HC_EXIT code), and how the
 * hypervisor may end it (killed with a named reason, the watchdog, HLT
 * with interrupts off). Either way the suite then checks the host and
 * the victim. An attack is contained when the attacker did not report an
 * escape, the victim's checksum is right, and the host's own checks for
 * that attack (its memory, its MSRs, its timer) still hold.
 */
#ifndef HVLAB_ATTACKS_H
#define HVLAB_ATTACKS_H

/* HC_EXIT codes of the attacker. */
#define ATTACK_EXIT_FAULTED   0x60   /* the CPU refused: it got the fault the attack expects */
#define ATTACK_EXIT_NO_EFFECT 0x61   /* it went through but reached only the guest's own state */
#define ATTACK_EXIT_ESCAPED   0x66   /* it saw or changed what it must not: an escape */
#define ATTACK_EXIT_UNKNOWN   0x67   /* no attack with that number */

/*
 * ATTACK(id, name, what the attacker does, how the hypervisor must end it)
 * The last column is documentation for the handout and the suite's log;
 * the suite accepts any containment (see above) and names what happened.
 */
#define ATTACK_TABLE(ATTACK) \
	ATTACK(1,  read_beyond_ram,     "read a guest-physical address past its RAM", "killed: EPT violation") \
	ATTACK(2,  write_beyond_ram,    "write a guest-physical address past its RAM", "killed: EPT violation") \
	ATTACK(3,  read_host_memory,    "read the host-physical address of hypervisor data", "own memory or EPT violation") \
	ATTACK(4,  write_host_memory,   "write the host-physical address of hypervisor data", "own memory or EPT violation") \
	ATTACK(5,  read_other_vm,       "read the other VM's host-physical address", "own memory or EPT violation") \
	ATTACK(6,  write_other_vm,      "write the other VM's host-physical address", "own memory or EPT violation") \
	ATTACK(7,  pt_map_host,         "map the hypervisor's address in its own page tables, write", "EPT violation") \
	ATTACK(8,  pt_map_other_vm,     "map the other VM's address in its own page tables, write", "EPT violation") \
	ATTACK(9,  vmxon,               "VMXON", "#UD") \
	ATTACK(10, vmread,              "VMREAD", "#UD") \
	ATTACK(11, vmwrite,             "VMWRITE", "#UD") \
	ATTACK(12, vmptrld,             "VMPTRLD of the other VM's VMCS address", "#UD") \
	ATTACK(13, vmlaunch,            "VMLAUNCH", "#UD") \
	ATTACK(14, invept,              "INVEPT", "#UD") \
	ATTACK(15, invvpid,             "INVVPID", "#UD") \
	ATTACK(16, wrmsr_feature_ctl,   "WRMSR IA32_FEATURE_CONTROL", "#GP") \
	ATTACK(17, wrmsr_efer,          "WRMSR EFER with reserved bits / clearing LME in long mode", "#GP") \
	ATTACK(18, wrmsr_apic_base,     "WRMSR IA32_APIC_BASE over hypervisor memory", "#GP") \
	ATTACK(19, wrmsr_sysenter,      "WRMSR SYSENTER_EIP/ESP at hypervisor memory", "#GP, host MSRs unchanged") \
	ATTACK(20, wrmsr_lstar,         "WRMSR LSTAR at hypervisor memory", "#GP, host MSR unchanged") \
	ATTACK(21, cr4_clear_vmxe,      "MOV to CR4 with VMXE clear", "its own view only: host VMXE stays") \
	ATTACK(22, cr4_set_vmxe,        "MOV to CR4 with VMXE set", "#GP") \
	ATTACK(23, io_pic,              "mask every line of the PIC (ports 0x20/0x21/0xa1)", "writes ignored") \
	ATTACK(24, io_pit,              "reprogram the PIT (ports 0x40/0x43)", "writes ignored") \
	ATTACK(25, io_kbd_reset,        "keyboard-controller reset (0xfe to port 0x64)", "write ignored") \
	ATTACK(26, io_cf9_reset,        "reset through port 0xcf9", "write ignored") \
	ATTACK(27, triple_fault,        "an empty IDT, then an exception", "killed: double/triple fault") \
	ATTACK(28, exception_storm,     "a #UD handler that faults again, forever", "killed or watchdog") \
	ATTACK(29, spin_cli,            "spin forever with interrupts off", "watchdog") \
	ATTACK(30, hlt_cli,             "HLT with interrupts off", "halted") \
	ATTACK(31, hypercall_pointer,   "hypercalls with pointers into the host and past RAM", "-HC_EFAULT") \
	ATTACK(32, unregistered_mmio,   "touch the local APIC page (no device there)", "killed: EPT violation")

#define ATTACK_COUNT 32

#endif
