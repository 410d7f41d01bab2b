#ifndef HVLAB_TRAP_H
#define HVLAB_TRAP_H
void trap_init(void);
#endif
