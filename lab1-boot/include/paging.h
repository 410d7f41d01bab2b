/*
 * paging.h - 4-level x86-64 page tables (Intel SDM Vol. 3A, 4.5).
 * INTERFACE (fixed names; flags are the architectural PTE bits).
 */
#ifndef HVLAB_PAGING_H
#define HVLAB_PAGING_H
#include <stdint.h>
struct memmap;
struct pt_mapping;

#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_U   (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_A   (1ull << 5)
#define PTE_D   (1ull << 6)
#define PTE_PS  (1ull << 7)
#define PTE_G   (1ull << 8)
#define PTE_NX  (1ull << 63)   /* reserved unless EFER.NXE: entry.S sets it when CPUID has NX */

/** Build the kernel's own identity map of RAM and device memory and load it in CR3. */
void paging_init(const struct memmap *m);
/** Physical address of the kernel's PML4 (what CR3 holds). */
extern uint64_t kernel_pml4;

/* The kernel's own address space, edited under a lock; each change is
 * flushed from this CPU's TLB (other CPUs are not told: lab 1 only changes
 * mappings no other CPU uses). Sizes are PT_SIZE_4K or PT_SIZE_2M; flags
 * and errors (negative MEM_E* codes, memerr.h) are pt.h's. */

/** Map the page of @size at @va to @pa with @flags (P implied). */
int paging_map(uint64_t va, uint64_t pa, uint64_t size, uint64_t flags);
/** Remove the page of @size at @va. */
int paging_unmap(uint64_t va, uint64_t size);
/** Replace the flags of the page of @size at @va. */
int paging_protect(uint64_t va, uint64_t size, uint64_t flags);
/** What @va maps to in the kernel's tables (struct pt_mapping: pt.h). */
int paging_translate(uint64_t va, struct pt_mapping *m);
#endif
