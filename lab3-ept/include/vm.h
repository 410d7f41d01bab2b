/*
 * vm.h - a virtual machine of lab 3: its own guest-physical memory behind
 * its own EPT, its own VPID, MMIO regions, and one vCPU that starts like
 * a PC, in real mode.
 *
 * Life of a VM:
 *   struct vm_config c = { .name = "victim", .image = img, .ram_size = 2 << 20 };
 *   struct vm *vm = vm_create(&c);   RAM allocated and mapped (EPT), the image
 *                                    loaded (ELF, validated), the vCPU ready
 *   rc = vcpu_run(vm->vcpu);         or vm_run_together() for several VMs
 *   vm_destroy(vm);                  everything returned: pmm_free_count() as before
 *
 * What a lab-3 guest finds at start (vm_create sets it up; "reset-like",
 * Intel SDM Vol. 3A, 9.1.1 "Processor State After Reset", but entered
 * at the image's entry point rather than at 0xFFFFFFF0):
 *   - real mode: CR0 = ET (the guest reads 0x10; NE is forced on
 *     underneath, see vmx_vm.c), paging off, EFER 0, RFLAGS 0x2;
 *   - CS selector = (entry >> 4) & 0xF000, CS base = selector << 4,
 *     IP = entry - CS base: an entry point below 1 MiB is required;
 *     DS = ES = SS = FS = GS = 0 (base 0, limit 0xFFFF);
 *   - GDTR and IDTR base 0, limit 0xFFFF (the real-mode IVT);
 *   - EDX = CPUID.01H:EAX (family, model, stepping, as after reset);
 *     EDI = RAM size in bytes; EBX = config.arg[0]; ECX = config.arg[1];
 *     ESI = config.arg[2]; other GPRs and ESP 0;
 *   - RAM: guest-physical [0, ram_size), write-back, read/write/execute;
 *     everything above is unmapped: an access there is an EPT violation,
 *     handled by a registered MMIO region or reported, killing the guest.
 */
#ifndef HVLAB_VM_H
#define HVLAB_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ept.h"
#include "guest_image.h"
#include "vcpu.h"

#define VM_MAX_MMIO      8          /* MMIO regions per VM */
#define VM_RAM_MIN       (256ul << 10)   /* images load at 64 KiB; the stack tops RAM */
#define VM_RAM_MAX       (1ul << 30)
#define VM_RAM_DEFAULT   (2ul << 20)
#define VM_NAME_MAX      24

struct vm;

/* An MMIO access the guest made (mmio_register): @size is 1, 2, 4 or 8. */
struct mmio_access {
	uint64_t gpa;         /* the first byte accessed */
	uint64_t offset;      /* gpa - region start */
	unsigned size;
	bool write;
	uint64_t value;       /* writes: the value written; reads: the handler fills it */
};

/* Handles one access; 0, or -1 to refuse it (the guest is then killed, named). */
typedef int (*mmio_handler_fn)(struct vm *vm, struct mmio_access *a, void *ctx);

struct mmio_region {
	uint64_t start, len;
	mmio_handler_fn handler;
	void *ctx;
	const char *name;
};

struct vm_config {
	const char *name;                 /* for log lines; the image's name if NULL */
	const struct guest_image *image;  /* an ELF image (guest_elf.h) */
	uint64_t ram_size;                /* bytes, multiple of 4 KiB; 0: VM_RAM_DEFAULT */
	uint32_t arg[3];                  /* EBX, ECX, ESI at start */
	uint64_t watchdog;                /* TSC ticks of guest time; 0: the vCPU default */
	bool quiet;                       /* no "[guest NAME]" console lines */
	bool blank;                       /* no image: RAM and a vCPU only; the caller loads
	                                     its own format and sets the start state (lab 4) */
};

/* One run of host-physical pages backing part of the guest's RAM. */
struct vm_ram_chunk {
	uint64_t gpa, hpa, pages;
};
/* RAM comes in runs of at most this many pages (pmm aligns runs to 2 MiB at most). */
#define VM_RAM_RUN_PAGES 512

struct vm {
	char name[VM_NAME_MAX];
	unsigned id;                      /* 1.. while it exists */
	uint16_t vpid;                    /* 0 when the CPU has no VPID */
	struct ept ept;                   /* guest-physical -> host-physical */
	uint64_t ram_size;
	struct vm_ram_chunk *ram;         /* ascending gpa, contiguous runs merged */
	unsigned nram;
	struct mmio_region mmio[VM_MAX_MMIO];
	unsigned nmmio;
	struct vcpu *vcpu;
	uint64_t entry;                   /* the image's entry point */
	uint64_t violations;              /* EPT violations handled (MMIO) */
	/* Lab 4: the PC around the vCPU (platform.h), and how to free it. NULL in lab 3. */
	struct vm_platform *platform;
	void (*platform_free)(struct vm *vm);
};

/**
 * A VM for @c on this CPU. NULL after saying why: a malformed or
 * oversized image, a RAM size out of range, no EPT or unrestricted guest
 * on this CPU, out of memory. Nothing is left allocated on failure.
 */
struct vm *vm_create(const struct vm_config *c);
/** Free everything vm_create took (RAM, EPT, VPID, vCPU). NULL is fine. */
void vm_destroy(struct vm *vm);

/**
 * Register an MMIO region [@gpa, @gpa + @len) of @vm: it must lie outside
 * RAM and not overlap another region. 0, or -1 after saying why.
 */
int mmio_register(struct vm *vm, uint64_t gpa, uint64_t len, mmio_handler_fn fn, void *ctx,
		  const char *name);
/** The region holding @gpa, or NULL. */
const struct mmio_region *mmio_find(const struct vm *vm, uint64_t gpa);

/** The host pointer for guest-physical [@gpa, @gpa + @len) if it lies in one RAM chunk. */
void *vm_gpa_ptr(const struct vm *vm, uint64_t gpa, uint64_t len);

/** The vCPU hooks of lab-3 VMs (guest pointers through the guest's page
 *  tables and EPT; EFER): later labs chain to them. */
extern const struct vcpu_ext_ops vm_ext_ops;

/** gpt_walk's reader (gpt_walk.h) over @ctx = a struct vm: guest page tables lie in its RAM. */
int vm_walk_reader(void *ctx, uint64_t gpa, unsigned size, uint64_t *val);
/**
 * Guest linear address @gla of @v to guest-physical, through the guest's
 * own page tables (or none: paging off), as the CPU would (SDM Vol. 3A,
 * chapter 4). 0, or a -GPT_E* error (gpt_walk.h).
 */
int vm_linear_to_gpa(struct vcpu *v, uint64_t gla, uint64_t *gpa);

/**
 * Run @n VMs (their vCPUs, all created on this CPU) time-shared on this
 * CPU, round robin, one VMX-preemption-timer slice each turn, until every
 * one has stopped. rcs[i] gets vcpu_run's result for vms[i].
 */
void vm_run_together(struct vm **vms, size_t n, int *rcs);
/**
 * After changing @vm's EPT (ept_unmap, ept_protect) while it may have run:
 * drop the translations the CPU cached from the old entries (INVEPT).
 */
void vm_ept_changed(struct vm *vm);

#endif
