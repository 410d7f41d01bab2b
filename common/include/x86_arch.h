/*
 * x86_arch.h - architectural bits both vendors and every lab share: CR0,
 * CR4, EFER and RFLAGS (Intel SDM Vol. 3A, 2.5 "Control Registers" and
 * 2.2.1 "Extended Feature Enable Register"; AMD APM Vol. 2, 3.1). Usable
 * from C and from assembly (X86_BIT gives a plain shift there).
 */
#ifndef HVLAB_X86_ARCH_H
#define HVLAB_X86_ARCH_H

#ifdef __ASSEMBLY__
#define X86_BIT(n) (1 << (n))
#else
#define X86_BIT(n) (1ull << (n))
#endif

#define X86_CR0_PE   X86_BIT(0)
#define X86_CR0_MP   X86_BIT(1)
#define X86_CR0_ET   X86_BIT(4)
#define X86_CR0_NE   X86_BIT(5)
#define X86_CR0_WP   X86_BIT(16)
#define X86_CR0_NW   X86_BIT(29)
#define X86_CR0_CD   X86_BIT(30)
#define X86_CR0_PG   X86_BIT(31)
#define X86_CR4_PAE  X86_BIT(5)
#define X86_CR4_OSXSAVE X86_BIT(18)
#define X86_CR4_VMXE X86_BIT(13)
#define X86_EFER_SCE X86_BIT(0)
#define X86_EFER_LME X86_BIT(8)
#define X86_EFER_LMA X86_BIT(10)
#define X86_EFER_NXE X86_BIT(11)
#define X86_RFLAGS_FIXED X86_BIT(1)   /* bit 1 always reads 1 */
#define X86_RFLAGS_IF    X86_BIT(9)
#define X86_RFLAGS_DF    X86_BIT(10)

#define X86_EFER_SVME X86_BIT(12)

#endif
