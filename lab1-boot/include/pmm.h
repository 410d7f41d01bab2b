/* pmm.h - physical page allocator (placeholder interface; see pmm.c). */
#ifndef HVLAB_PMM_H
#define HVLAB_PMM_H
#include <stddef.h>
#include <stdint.h>
struct memmap;
void pmm_init(const struct memmap *m);
#endif
