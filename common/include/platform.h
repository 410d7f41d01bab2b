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

#endif
