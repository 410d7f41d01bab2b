/* Temporary: replaced module by module. */
#include "heap.h"
#include "lapic.h"
#include "paging.h"
#include "pmm.h"
#include "smp.h"
#include "trap.h"
void pmm_init(const struct memmap *m) { (void)m; }
void heap_init(void) {}
void paging_init(const struct memmap *m) { (void)m; }
void trap_init(void) {}
void lapic_init(void) {}
void smp_init(void) {}
int smp_online_count(void) { return 1; }
