/*
 * platform.h - leaving the emulator, the same way on Bochs and QEMU.
 */
#ifndef HVLAB_PLATFORM_H
#define HVLAB_PLATFORM_H

/**
 * End the emulated machine. QEMU's isa-debug-exit device (port 0xf4)
 * exits with status (code << 1) | 1; Bochs ends its simulation when the
 * string "Shutdown" is written to port 0x8900. Each port is ignored by the
 * other emulator, so both are written. Halts if neither is present.
 */
void platform_exit(int code) __attribute__((noreturn));

#define PLATFORM_EXIT_HOOKS 4
/**
 * Have platform_exit() call @fn first (e.g. lab 2 leaves VMX operation on
 * every CPU). Hooks run once, in registration order, before interrupts go
 * off. 0, or -1 when all PLATFORM_EXIT_HOOKS slots are taken.
 */
int platform_on_exit(void (*fn)(void));

#endif
