#ifndef HVLAB_SMP_H
#define HVLAB_SMP_H
void smp_init(void);
int smp_online_count(void);
#endif
