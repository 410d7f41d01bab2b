/*
 * guest_image.c - looking up the guest images registered with GUEST_IMAGE
 * (guest_image.h); the linker script collects them in "guest_images".
 */
#include "guest_image.h"
#include "string.h"

extern const struct guest_image __start_guest_images[], __stop_guest_images[];

const struct guest_image *guest_image_at(size_t i)
{
	size_t n = (size_t)(__stop_guest_images - __start_guest_images);
	return i < n ? &__start_guest_images[i] : NULL;
}

const struct guest_image *guest_image_find(const char *name)
{
	for (const struct guest_image *g = __start_guest_images; g < __stop_guest_images; g++)
		if (strcmp(g->name, name) == 0)
			return g;
	return NULL;
}
