/*
 * ept_violation.c - decode and describe an EPT violation (Intel SDM
 * Vol. 3C, 27.2.1, Table 27-7 "Exit Qualification for EPT Violations").
 */
#include <stdarg.h>
#include "ept_violation.h"
#include "panic.h"
#include "printf.h"

/*
 * ept_violation_decode - split the exit qualification into its fields.
 *
 * What to do: bits 0, 1, 2 say what the access was (read, write, fetch;
 * more than one may be set). Bits 5:3 are the AND of bits 2:0 of the EPT
 * entries of the walk, so they line up with EPT_R, EPT_W, EPT_X: what the
 * guest was allowed, 0 where the walk met a non-present entry. Bit 7 says
 * the guest-linear address is valid; only then does bit 8 mean "the
 * access itself" (1) or "a guest paging-structure access during its
 * translation" (0). Bit 12 is NMI unblocking due to IRET. Copy @gpa, and
 * @gla only when bit 7 says it is valid (0 otherwise).
 */
void ept_violation_decode(uint64_t qualification, uint64_t gpa, uint64_t gla,
			  struct ept_violation *out)
{
	/* BEGIN SOLUTION lab3 */
	uint64_t q = qualification;
	out->gpa = gpa;
	out->read = q & EPT_VQ_READ;
	out->write = q & EPT_VQ_WRITE;
	out->fetch = q & EPT_VQ_FETCH;
	out->allowed = (q >> EPT_VQ_ALLOWED_SHIFT) & EPT_RWX;
	out->gla_valid = q & EPT_VQ_GLA_VALID;
	out->gla_translation = out->gla_valid && (q & EPT_VQ_GLA_XLATE);
	out->gla = out->gla_valid ? gla : 0;
	out->nmi_unblocking = q & EPT_VQ_NMI_UNBLOCK;
	/* END SOLUTION */
	/* STUB lab3
	NOT_IMPLEMENTED("lab3");
	*/
}

/* A line built piece by piece with snprintf's contract: len counts all. */
struct line {
	char *buf;
	size_t n;
	int len;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *fmt, ...)
{
	size_t at = (size_t)l->len;
	if (l->n && at > l->n - 1)
		at = l->n - 1;
	va_list ap;
	va_start(ap, fmt);
	l->len += kvsnprintf(l->n ? l->buf + at : l->buf, l->n ? l->n - at : 0, fmt, ap);
	va_end(ap);
}

/* "read", "write and instruction fetch", ... then the preposition that fits. */
static void add_access(struct line *l, const struct ept_violation *ev)
{
	const char *kinds[3];
	int k = 0;
	if (ev->read)
		kinds[k++] = "read";
	if (ev->write)
		kinds[k++] = "write";
	if (ev->fetch)
		kinds[k++] = "instruction fetch";
	if (k == 0) {
		add(l, "access (kind not reported) at");
		return;
	}
	for (int i = 0; i < k; i++)
		add(l, "%s%s", i ? " and " : "", kinds[i]);
	if (k > 1)
		add(l, " at");
	else
		add(l, ev->read ? " of" : ev->write ? " to" : " at");
}

int ept_violation_format(const struct ept_violation *ev, char *buf, size_t n)
{
	struct line l = { buf, n, 0 };
	add_access(&l, ev);
	if (ev->gla_valid && !ev->gla_translation)
		add(&l, " a guest paging structure at guest-physical 0x%lx while translating "
		    "guest-linear 0x%lx", ev->gpa, ev->gla);
	else if (ev->gla_valid)
		add(&l, " guest-physical 0x%lx (guest-linear 0x%lx, the access itself)",
		    ev->gpa, ev->gla);
	else
		add(&l, " guest-physical 0x%lx (no guest-linear address)", ev->gpa);
	if (!ev->allowed) {
		add(&l, ": not mapped");
	} else {
		static const char *const rights[] = { "read", "write", "execute" };
		add(&l, ": the entry allows");
		for (int i = 0, first = 1; i < 3; i++) {
			if (ev->allowed & (1u << i)) {
				add(&l, "%s %s", first ? "" : ",", rights[i]);
				first = 0;
			}
		}
	}
	if (ev->nmi_unblocking)
		add(&l, "; NMI unblocked by IRET");
	return l.len;
}
