/*
 * vmx_cpu.h - VMX operation on each physical CPU: VMXON and VMXOFF.
 *
 * VMX is turned on lazily, only when lab 2 work is asked for (a plain boot
 * runs none of it): vcpu_create() turns it on for its own CPU, and
 * vmx_enable_all() for every online CPU (BSP and APs, through smp_run_on).
 * It is turned off on every CPU on the way out (a platform_exit hook).
 * Intel SDM Vol. 3C, 23.7 "Enabling and Entering VMX Operation" and 23.8
 * "Restrictions on VMX Operation".
 */
#ifndef HVLAB_VMX_CPU_H
#define HVLAB_VMX_CPU_H

#include <stdbool.h>
#include <stdint.h>

/**
 * Enter VMX root operation on this CPU (nothing to do if it already is):
 * check IA32_FEATURE_CONTROL (lock it with VMX-outside-SMX on when it is
 * unlocked), apply the CR0/CR4 fixed bits, VMXON a fresh region. 0, or -1
 * after printing why.
 */
int vmx_cpu_enable(void);
/** Leave VMX operation on this CPU (VMCLEAR is the caller's business). */
void vmx_cpu_disable(void);
/** True when CPU @cpu is in VMX root operation. */
bool vmx_cpu_is_on(int cpu);
/** VMXON on every online CPU. Returns how many CPUs failed (0 = all on). */
int vmx_enable_all(void);
/** VMXOFF on every CPU where it is on (the platform_exit hook). */
void vmx_disable_all(void);

#endif
