#ifndef HVLAB_PAGING_H
#define HVLAB_PAGING_H
struct memmap;
void paging_init(const struct memmap *m);
#endif
