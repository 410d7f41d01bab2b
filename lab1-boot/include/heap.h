#ifndef HVLAB_HEAP_H
#define HVLAB_HEAP_H
void heap_init(void);
#endif
