/*
 * vmcb_asm.h - the VMCB offsets svm_entry.S hard-codes. vmcb.h checks
 * each against its C definition with _Static_assert, so the two cannot
 * drift (this header is plain #defines: assembly can include it).
 */
#ifndef HVLAB_SVM_VMCB_ASM_H
#define HVLAB_SVM_VMCB_ASM_H

#define VMCB_SAVE_RAX_OFFSET 0x5f8   /* APM Table B-2: RAX at 0x1f8 of the save area */

#endif
