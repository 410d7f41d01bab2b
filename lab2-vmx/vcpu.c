/*
 * vcpu.c - the generic life of a vCPU: create, the run loop, stop, destroy,
 * the guest's console and the exit counts (vcpu.h). The vendor hooks do
 * everything that touches the hardware's control structure.
 */
#include <stdarg.h>
#include "heap.h"
#include "percpu.h"
#include "printf.h"
#include "string.h"
#include "vcpu.h"
#include "x86.h"

#define RFLAGS_IF (1ull << 9)

/*
 * The backend is the CPU's: CPUID.1:ECX.VMX (Intel SDM Vol. 3C, 23.6
 * "Discovering Support for VMX") or CPUID.80000001h:ECX.SVM (AMD APM
 * Vol. 2, 15.4 "Enabling SVM"). Its cpu_enable then turns the extension
 * on for this CPU (VMXON, or EFER.SVME), or says why it cannot.
 */
#define CPUID1_ECX_VMX          (1u << 5)
#define CPUID_EXT_FEATURES      0x80000001u
#define CPUID_EXT_ECX_SVM       (1u << 2)

const struct vcpu_ops *vcpu_backend(void)
{
	const struct vcpu_ops *ops = NULL;
	if (cpuid(1, 0).ecx & CPUID1_ECX_VMX)
		ops = &vmx_vcpu_ops;
	else if (cpuid(0x80000000u, 0).eax >= CPUID_EXT_FEATURES &&
		 (cpuid(CPUID_EXT_FEATURES, 0).ecx & CPUID_EXT_ECX_SVM))
		ops = &svm_vcpu_ops;
	if (!ops) {
		kprintf("vcpu: this CPU has neither VMX nor SVM (CPUID): no guest can run here\n");
		return NULL;
	}
	return ops->cpu_enable() == 0 ? ops : NULL;
}

/* The vCPU itself, no memory yet: backend chosen, struct zeroed and named. */
static struct vcpu *vcpu_alloc(const char *name, const struct guest_image *img)
{
	const struct vcpu_ops *ops = vcpu_backend();
	if (!ops)
		return NULL;   /* the backend said why */
	struct vcpu *v = kzalloc(sizeof(*v));
	if (!v) {
		kprintf("vcpu_create: out of memory for guest %s\n", name);
		return NULL;
	}
	v->ops = ops;
	v->image = img;
	v->name = name;
	v->cpu = this_cpu()->index;
	v->watchdog_budget = VCPU_WATCHDOG_DEFAULT;
	return v;
}

struct vcpu *vcpu_create(const struct guest_image *img)
{
	if (!img || !img->size) {
		kprintf("vcpu_create: no guest image (or an empty one)\n");
		return NULL;
	}
	if (img->size >= 4 && !memcmp(img->start, "\x7f" "ELF", 4)) {
		kprintf("vcpu_create: image %s is an ELF file, not a flat lab-2 binary: run it as "
			"a lab-3 VM (vm=%s)\n", img->name, img->name);
		return NULL;
	}
	struct vcpu *v = vcpu_alloc(img->name, img);
	if (!v)
		return NULL;
	if (guest_mem_init(&v->mem, img->start, img->size)) {
		kfree(v);
		return NULL;
	}
	/* The start-up registers guest_image.h promises. */
	v->regs.rdi = v->mem.size;
	v->regs.rsi = v->mem.base;
	if (v->ops->create(v)) {
		guest_mem_destroy(&v->mem);
		kfree(v);
		return NULL;
	}
	return v;
}

struct vcpu *vcpu_create_bare(const char *name)
{
	struct vcpu *v = vcpu_alloc(name, NULL);
	if (!v)
		return NULL;
	if (v->ops->create(v)) {
		kfree(v);
		return NULL;
	}
	return v;
}

void vcpu_destroy(struct vcpu *v)
{
	if (!v)
		return;
	v->ops->destroy(v);
	guest_mem_destroy(&v->mem);
	kfree(v);
}

void vcpu_stop(struct vcpu *v, enum vcpu_stop how, const char *why)
{
	if (v->stop != VCPU_STOP_NONE)
		return;   /* the first cause is the one reported */
	v->stop = how;
	v->stop_why = why;
}

void vcpu_kill(struct vcpu *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(v->why_buf, sizeof(v->why_buf), fmt, ap);
	va_end(ap);
	kprintf("vcpu: guest %s killed: %s\n", v->name, v->why_buf);
	v->ops->dump(v);
	vcpu_stop(v, VCPU_STOP_KILLED, v->why_buf);
}

const char *vcpu_stop_name(enum vcpu_stop s)
{
	static const char *const names[] = {
		[VCPU_STOP_NONE] = "running", [VCPU_STOP_YIELD] = "time slice over",
		[VCPU_STOP_EXIT] = "exited",
		[VCPU_STOP_HLT] = "halted with interrupts off", [VCPU_STOP_KILLED] = "killed",
		[VCPU_STOP_WATCHDOG] = "stopped by the watchdog",
		[VCPU_STOP_ENTRY_FAILED] = "VM entry failed",
	};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

/* One line, in the words both vendors share:
 * "vcpu: guest demo exits: 31 (cpuid 2, hlt 1, hypercall 27, io 1)". */
void vcpu_print_exit_counts(const struct vcpu *v)
{
	char line[400];
	int n = ksnprintf(line, sizeof(line), "vcpu: guest %s exits: %lu (", v->name,
			  vcpu_exits_total(v));
	const char *sep = "";
	for (unsigned k = 0; k < HC_EXIT_KIND_COUNT && n < (int)sizeof(line); k++) {
		uint64_t count = vcpu_exits_of_kind(v, k);
		if (!count)
			continue;
		n += ksnprintf(line + n, sizeof(line) - (size_t)n, "%s%s %lu", sep,
			       vcpu_exit_kind_name(k), count);
		sep = ", ";
	}
	kprintf("%s)\n", line);
}

static void console_emit(struct vcpu *v)
{
	if (!v->quiet)
		kprintf("[guest %s] %.*s\n", v->name, (int)v->console_len, v->console_line);
	v->console_len = 0;
}

void vcpu_console_write(struct vcpu *v, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (c == '\n') {
			console_emit(v);
			continue;
		}
		if (c == '\r')
			continue;
		if (v->console_len == sizeof(v->console_line))
			console_emit(v);   /* a very long line comes out in pieces */
		v->console_line[v->console_len++] = c;
	}
}

void vcpu_console_flush(struct vcpu *v)
{
	if (v->console_len)
		console_emit(v);
}

/*
 * The run loop: enter, handle one exit, until a handler stops the guest.
 * Nothing here prints or allocates: it is the hot path of every exit.
 * With v->yield set it returns VCPU_YIELDED at the end of each time slice
 * (lab 3 time-shares a CPU between VMs this way).
 * A VM exit clears RFLAGS.IF (27.5.3: RFLAGS is loaded as 0x2); the host's
 * interrupts arrive meanwhile as external-interrupt exits, and the
 * caller's IF is put back at the end.
 */
int vcpu_run(struct vcpu *v)
{
	if (v->cpu != this_cpu()->index) {
		kprintf("vcpu_run: guest %s belongs to cpu %d, not cpu %d\n", v->name, v->cpu,
			this_cpu()->index);
		return -VCPU_EKILLED;
	}
	uint64_t rflags = read_rflags();
	v->ops->load(v);
	v->ops->run_start(v);
	while (v->stop == VCPU_STOP_NONE)
		v->ops->run_once(v);
	if (rflags & RFLAGS_IF)
		sti();
	if (v->stop == VCPU_STOP_YIELD) {
		v->stop = VCPU_STOP_NONE;   /* runnable: the next vcpu_run goes on */
		return VCPU_YIELDED;
	}

	vcpu_console_flush(v);
	int rc;
	switch (v->stop) {
	case VCPU_STOP_EXIT: rc = (int)v->exit_code; break;
	case VCPU_STOP_HLT: rc = 0; break;
	case VCPU_STOP_WATCHDOG: rc = -VCPU_EWATCHDOG; break;
	case VCPU_STOP_ENTRY_FAILED: rc = -VCPU_EENTRY; break;
	default: rc = -VCPU_EKILLED; break;
	}
	if (!v->quiet) {
		if (v->stop == VCPU_STOP_EXIT)
			kprintf("vcpu: guest %s exited with code %d\n", v->name, rc);
		else
			kprintf("vcpu: guest %s %s (%s)\n", v->name, vcpu_stop_name(v->stop),
				v->stop_why ? v->stop_why : "no reason given");
		vcpu_print_exit_counts(v);
	}
	return rc;
}
