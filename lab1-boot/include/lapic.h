#ifndef HVLAB_LAPIC_H
#define HVLAB_LAPIC_H
void lapic_init(void);
#endif
