/*
 * pio.c - the port-I/O table of a lab-4 VM (platform.h): devices claim
 * port ranges once; the I/O exit (lab 2's vcpu_pio_in/out, through the
 * pio hooks of struct vcpu_ext_ops) only looks them up. The table is
 * small and sorted by first port; a lookup is a short scan.
 *
 * An access that spans two devices (an OUT of 2 bytes at the last port
 * of one) is split byte by byte, as the ISA bus would.
 */
#include "vm_platform_internal.h"
#include "printf.h"
#include "string.h"

int pio_register(struct vm *vm, uint16_t base, uint16_t count, pio_read_fn rd, pio_write_fn wr,
		 void *dev, const char *name)
{
	struct vm_platform *p = vm->platform;
	if (!count || (uint32_t)base + count > 0x10000u) {
		kprintf("pio_register %s: ports [%#x, +%u) are not in 0..0xffff\n", name, base, count);
		return -1;
	}
	for (unsigned i = 0; i < p->npio; i++) {
		const struct pio_range *r = &p->pio[i];
		if (base < r->base + r->count && r->base < base + count) {
			kprintf("pio_register %s: ports [%#x, %#x) overlap %s\n", name, base,
				base + count, r->name);
			return -1;
		}
	}
	if (p->npio == PLATFORM_MAX_PIO) {
		kprintf("pio_register %s: the table is full (%d ranges)\n", name, PLATFORM_MAX_PIO);
		return -1;
	}
	unsigned at = p->npio;
	while (at && p->pio[at - 1].base > base) {
		p->pio[at] = p->pio[at - 1];
		at--;
	}
	p->pio[at] = (struct pio_range){ base, count, rd, wr, dev, name };
	p->npio++;
	return 0;
}

static const struct pio_range *pio_find(const struct vm_platform *p, uint32_t port)
{
	for (unsigned i = 0; i < p->npio && p->pio[i].base <= port; i++)
		if (port - p->pio[i].base < p->pio[i].count)
			return &p->pio[i];
	return NULL;
}

/*
 * The pio_in hook: one device takes the whole access when it covers every
 * port of it, else byte by byte (an unclaimed byte reads 0xff).
 */
int platform_pio_in(struct vcpu *v, uint16_t port, unsigned size, uint32_t *val)
{
	struct vm_platform *p = v->vm->platform;
	const struct pio_range *r = pio_find(p, port);
	if (!r)
		return VCPU_MSR_UNCLAIMED;   /* lab 2's policy: debug port, scratch, all ones */
	if (port + size <= r->base + r->count) {
		*val = r->rd ? r->rd(r->dev, port, size) : ~0u;
		if (size < 4)
			*val &= (1u << (8 * size)) - 1;
		return 0;
	}
	uint32_t out = 0;
	for (unsigned i = 0; i < size; i++) {
		const struct pio_range *b = pio_find(p, port + i);
		uint32_t byte = b && b->rd ? b->rd(b->dev, (uint16_t)(port + i), 1) & 0xff : 0xff;
		out |= byte << (8 * i);
	}
	*val = out;
	return 0;
}

int platform_pio_out(struct vcpu *v, uint16_t port, unsigned size, uint32_t val)
{
	struct vm_platform *p = v->vm->platform;
	const struct pio_range *r = pio_find(p, port);
	if (!r)
		return VCPU_MSR_UNCLAIMED;
	if (port + size <= r->base + r->count) {
		if (r->wr)
			r->wr(r->dev, port, size, val);
		return 0;
	}
	for (unsigned i = 0; i < size; i++) {
		const struct pio_range *b = pio_find(p, port + i);
		if (b && b->wr)
			b->wr(b->dev, (uint16_t)(port + i), 1, (val >> (8 * i)) & 0xff);
	}
	return 0;
}
