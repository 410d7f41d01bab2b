/*
 * string.h - the freestanding subset of <string.h> the kernel uses.
 * gcc may emit calls to memcpy/memset/memmove/memcmp itself, so these
 * names must exist even where no code calls them by hand.
 */
#ifndef HVLAB_STRING_H
#define HVLAB_STRING_H

#include <stddef.h>

void *memset(void *d, int c, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#endif
