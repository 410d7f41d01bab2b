/*
 * cmdline.c - parsing "key=value" words of the boot command line.
 * Pure logic: unit-tested on the host.
 */
#include "cmdline.h"
#include "string.h"

static char line[256];

void cmdline_set(const char *s)
{
	size_t n = s ? strnlen(s, sizeof(line) - 1) : 0;
	memcpy(line, s ? s : "", n);
	line[n] = '\0';
}

const char *cmdline_get_all(void) { return line; }

bool cmdline_get(const char *key, char *out, size_t outsz)
{
	size_t klen = strlen(key);
	const char *p = line;

	while (*p) {
		while (*p == ' ')
			p++;
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		size_t wlen = (size_t)(p - w);
		if (wlen >= klen && strncmp(w, key, klen) == 0 &&
		    (wlen == klen || w[klen] == '=')) {
			const char *v = wlen == klen ? w + klen : w + klen + 1;
			size_t vlen = (size_t)(p - v);
			if (outsz) {
				if (vlen >= outsz)
					vlen = outsz - 1;
				memcpy(out, v, vlen);
				out[vlen] = '\0';
			}
			return true;
		}
	}
	return false;
}

bool cmdline_demo(const char *lab)
{
	char which[8];
	if (!cmdline_get("demo", which, sizeof(which)))
		return false;
	return which[0] == '\0' || strcmp(which, lab) == 0;
}
