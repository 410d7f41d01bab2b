/*
 * paging.h - 4-level x86-64 page tables (Intel SDM Vol. 3A, 4.5).
 * INTERFACE (fixed names; flags are the architectural PTE bits).
 */
#ifndef HVLAB_PAGING_H
#define HVLAB_PAGING_H
#include <stdint.h>
struct memmap;

#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_U   (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_A   (1ull << 5)
#define PTE_D   (1ull << 6)
#define PTE_PS  (1ull << 7)
#define PTE_G   (1ull << 8)
#define PTE_NX  (1ull << 63)

/** Build the kernel's own identity map of RAM and device memory and load it in CR3. */
void paging_init(const struct memmap *m);
/** Physical address of the kernel's PML4 (what CR3 holds). */
extern uint64_t kernel_pml4;
#endif
