/*
 * cmdline.h - the kernel command line ("key=value key2 ...").
 */
#ifndef HVLAB_CMDLINE_H
#define HVLAB_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/** Remember @s (copied) as the command line. */
void cmdline_set(const char *s);
const char *cmdline_get_all(void);
/**
 * Copy the value of @key into @out (NUL-terminated). Returns true when the key
 * is present; a bare "key" gives an empty value.
 */
bool cmdline_get(const char *key, char *out, size_t outsz);

#endif
