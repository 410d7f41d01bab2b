/*
 * vmx.h - one static inline wrapper per VMX instruction (CONVENTIONS.md
 * rule 4: no inline assembly anywhere else in lab 2).
 *
 * Every VMX instruction reports its outcome in RFLAGS (Intel SDM Vol. 3C,
 * 30.2 "Conventions"):
 *   VMsucceed      CF = 0, ZF = 0
 *   VMfailInvalid  CF = 1   (no current VMCS: nothing could record an error)
 *   VMfailValid    ZF = 1   (the error number is in the current VMCS's
 *                            VM_INSTRUCTION_ERROR field, 30.4 "VM Instruction Error Numbers")
 * The wrappers turn those flags into enum vmx_status. GCC's flag-output
 * constraints ("=@ccc", "=@ccz") read CF and ZF without extra instructions.
 */
#ifndef HVLAB_VMX_H
#define HVLAB_VMX_H

#include <stdbool.h>
#include <stdint.h>

enum vmx_status {
	VMX_OK = 0,            /* VMsucceed */
	VMX_FAIL_INVALID = 1,  /* VMfailInvalid: CF = 1 */
	VMX_FAIL_VALID = 2,    /* VMfailValid: ZF = 1, error in VM_INSTRUCTION_ERROR */
};

/** "VMsucceed", "VMfailInvalid" or "VMfailValid", for log lines. */
static inline const char *vmx_status_name(enum vmx_status s)
{
	return s == VMX_OK ? "VMsucceed" : s == VMX_FAIL_INVALID ? "VMfailInvalid" : "VMfailValid";
}

static inline enum vmx_status vmx_flags_status(uint8_t cf, uint8_t zf)
{
	return cf ? VMX_FAIL_INVALID : zf ? VMX_FAIL_VALID : VMX_OK;
}

/* VMXON takes the physical address of the VMXON region in memory (30.3 "VMX Instructions", VMXON). */
static inline enum vmx_status vmxon(uint64_t region_pa)
{
	uint8_t cf, zf;
	__asm__ volatile("vmxon %[pa]" : "=@ccc"(cf), "=@ccz"(zf)
			 : [pa] "m"(region_pa) : "memory");
	return vmx_flags_status(cf, zf);
}

static inline enum vmx_status vmxoff(void)
{
	uint8_t cf, zf;
	__asm__ volatile("vmxoff" : "=@ccc"(cf), "=@ccz"(zf) : : "memory");
	return vmx_flags_status(cf, zf);
}

/* VMCLEAR: flush a VMCS to memory and mark it clear (not launched). */
static inline enum vmx_status vmclear(uint64_t vmcs_pa)
{
	uint8_t cf, zf;
	__asm__ volatile("vmclear %[pa]" : "=@ccc"(cf), "=@ccz"(zf)
			 : [pa] "m"(vmcs_pa) : "memory");
	return vmx_flags_status(cf, zf);
}

/* VMPTRLD: make a VMCS current and active on this CPU. */
static inline enum vmx_status vmptrld(uint64_t vmcs_pa)
{
	uint8_t cf, zf;
	__asm__ volatile("vmptrld %[pa]" : "=@ccc"(cf), "=@ccz"(zf)
			 : [pa] "m"(vmcs_pa) : "memory");
	return vmx_flags_status(cf, zf);
}

/* VMPTRST: the current VMCS pointer (all ones when there is none). */
static inline uint64_t vmptrst(void)
{
	uint64_t pa;
	__asm__ volatile("vmptrst %0" : "=m"(pa) : : "memory");
	return pa;
}

/* VMREAD of the field encoded @field into *@val (AT&T order: field, dest). */
static inline enum vmx_status vmread(uint64_t field, uint64_t *val)
{
	uint8_t cf, zf;
	uint64_t v;
	__asm__ volatile("vmread %[f], %[v]" : [v] "=r"(v), "=@ccc"(cf), "=@ccz"(zf)
			 : [f] "r"(field) : "memory");
	*val = v;
	return vmx_flags_status(cf, zf);
}

/* VMWRITE @val to the field encoded @field (AT&T order: value, field). */
static inline enum vmx_status vmwrite(uint64_t field, uint64_t val)
{
	uint8_t cf, zf;
	__asm__ volatile("vmwrite %[v], %[f]" : "=@ccc"(cf), "=@ccz"(zf)
			 : [v] "r"(val), [f] "r"(field) : "memory");
	return vmx_flags_status(cf, zf);
}

/*
 * The exit path's VMREAD/VMWRITE: one instruction and one branch on
 * success ("JBE": CF or ZF means failure), through asm goto. They only say
 * whether it worked; vmcs.c tells VMfailInvalid from VMfailValid afterwards
 * (VMPTRST gives all ones when there is no current VMCS).
 */
static inline __attribute__((always_inline)) bool vmread_fast(uint64_t field, uint64_t *val)
{
	uint64_t v;
	__asm__ goto("vmread %[f], %[v]\n\tjbe %l[fail]"
		     : [v] "=r"(v) : [f] "r"(field) : "cc" : fail);
	*val = v;
	return true;
fail:
	return false;
}

static inline __attribute__((always_inline)) bool vmwrite_fast(uint64_t field, uint64_t val)
{
	__asm__ goto("vmwrite %[v], %[f]\n\tjbe %l[fail]"
		     : : [v] "r"(val), [f] "r"(field) : "cc", "memory" : fail);
	return true;
fail:
	return false;
}

/* INVEPT / INVVPID descriptors and types (30.3, "INVEPT", "INVVPID"). */
struct invept_desc { uint64_t eptp, reserved; };
struct invvpid_desc { uint64_t vpid, linear; };
#define INVEPT_SINGLE_CONTEXT   1
#define INVEPT_ALL_CONTEXT      2
#define INVVPID_ADDRESS         0
#define INVVPID_SINGLE_CONTEXT  1
#define INVVPID_ALL_CONTEXT     2

static inline enum vmx_status invept(uint64_t type, uint64_t eptp)
{
	struct invept_desc d = { eptp, 0 };
	uint8_t cf, zf;
	__asm__ volatile("invept %[d], %[t]" : "=@ccc"(cf), "=@ccz"(zf)
			 : [d] "m"(d), [t] "r"(type) : "memory");
	return vmx_flags_status(cf, zf);
}

static inline enum vmx_status invvpid(uint64_t type, uint16_t vpid, uint64_t linear)
{
	struct invvpid_desc d = { vpid, linear };
	uint8_t cf, zf;
	__asm__ volatile("invvpid %[d], %[t]" : "=@ccc"(cf), "=@ccz"(zf)
			 : [d] "m"(d), [t] "r"(type) : "memory");
	return vmx_flags_status(cf, zf);
}

#endif
