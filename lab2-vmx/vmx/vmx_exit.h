/*
 * vmx_exit.h - the exit handlers shared by vmx_exit.c (the dispatch table
 * and the lean handlers) and vmx_exit_slow.c (the rare and fatal ones),
 * and the exit-qualification layouts they decode (Intel SDM Vol. 3C, 27.2.1
 * "Basic VM-Exit Information").
 * Every handler follows the contract written above the table in vmx_exit.c.
 */
#ifndef HVLAB_VMX_EXIT_H
#define HVLAB_VMX_EXIT_H

#include <stdbool.h>
#include <stdint.h>
#include "vcpu.h"
#include "vmx/vmx_ctls.h"

#define EXIT_REASON_BASIC_MASK 0xffffu   /* bits 15:0 of the exit reason (24.9.1) */

/* I/O instructions (Table 27-5). */
#define IOQ_SIZE_MASK   0x7ull           /* bits 2:0: size - 1 (0, 1 or 3) */
#define IOQ_IN          (1ull << 3)      /* direction: 1 = IN */
#define IOQ_STRING      (1ull << 4)      /* INS/OUTS */
#define IOQ_REP         (1ull << 5)      /* REP prefix */
#define IOQ_IMM         (1ull << 6)      /* port from an immediate (else DX) */
#define IOQ_PORT_SHIFT  16               /* bits 31:16: the port */

/* Control-register accesses (Table 27-3). */
#define CRQ_CR(q)       ((unsigned)(q) & 0xfu)          /* bits 3:0 */
#define CRQ_TYPE(q)     ((unsigned)((q) >> 4) & 3u)     /* bits 5:4 */
#define CRQ_GPR(q)      ((unsigned)((q) >> 8) & 0xfu)   /* bits 11:8 */
#define CRQ_LMSW_SRC(q) ((uint16_t)((q) >> 16))         /* bits 31:16 */
#define CRQ_MOV_TO_CR   0
#define CRQ_MOV_FROM_CR 1
#define CRQ_CLTS        2
#define CRQ_LMSW        3

int vmx_handle_exception(struct vcpu *v);
int vmx_handle_external_interrupt(struct vcpu *v);
int vmx_handle_fatal(struct vcpu *v);
int vmx_handle_cr_access(struct vcpu *v);
int vmx_handle_watchdog(struct vcpu *v);
/** INS/OUTS, with REP: each element through guest memory, bounds-checked. */
int vmx_handle_string_io(struct vcpu *v, uint16_t port, unsigned size, bool in, bool rep);
/** The one place unhandled exits go: dump the VMCS, kill the guest. */
void vmx_unhandled_exit(struct vcpu *v, uint32_t basic);

#endif
