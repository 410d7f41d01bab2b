/*
 * vmcs_dump.h - a readable dump of the current VMCS.
 *
 * Used wherever a guest dies (unhandled exit, failed entry) so that the
 * console shows the whole state the CPU saw: controls decoded by bit name,
 * the host area, the guest area with segments and control registers decoded,
 * and the exit information.
 */
#ifndef HVLAB_VMCS_DUMP_H
#define HVLAB_VMCS_DUMP_H

/**
 * Print the current VMCS (the one loaded with VMPTRLD on this CPU) to the
 * console. A field the CPU does not support (VMREAD fails) prints as
 * "unsupported", never as a made-up value. Safe to call with no current
 * VMCS: it says so and returns.
 */
void vmcs_dump(void);

#endif
