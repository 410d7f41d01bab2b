/*
 * guest_elf.c - validate a guest's ELF image, then copy its segments
 * (guest_elf.h). Pure logic: the host unit tests run it too.
 *
 * Layouts from the System V ABI ("ELF-64 Object File Format" and the
 * generic ABI, chapters "ELF Header" and "Program Header"). The image is
 * read with memcpy into local structures: it may sit at any alignment.
 * seL4's rule is followed: check everything first (elf_check_header,
 * elf_check_loads, elf_find_entry), act only on known-good input after.
 */
#include <stdbool.h>
#include "guest_elf.h"
#include "panic.h"
#include "printf.h"
#include "string.h"

#define EI_NIDENT     16
#define ELFCLASS32    1
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define EV_CURRENT    1
#define ET_EXEC       2
#define EM_386        3
#define EM_X86_64     62
#define PT_LOAD       1
#define PF_X          1
#define PN_XNUM       0xffff

struct elf32_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type, e_machine;
	uint32_t e_version, e_entry, e_phoff, e_shoff, e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type, e_machine;
	uint32_t e_version;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf32_phdr {
	uint32_t p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
};

struct elf64_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

_Static_assert(sizeof(struct elf32_ehdr) == 52, "ELF32 header layout");
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header layout");
_Static_assert(sizeof(struct elf32_phdr) == 32, "ELF32 program header layout");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header layout");

/* What the header says, whatever the class. */
struct elf_file {
	const uint8_t *bytes;
	size_t size;
	int cls;                    /* 32 or 64 */
	uint64_t entry, phoff;
	unsigned phnum, phentsize;
};

/* One program header, widened to 64 bits. @index: its place in the table. */
struct elf_seg {
	unsigned index;
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

static const char *machine_name(unsigned m)
{
	switch (m) {
	case 2: return "SPARC";
	case EM_386: return "x86";
	case 8: return "MIPS";
	case 20: return "PowerPC";
	case 21: return "PowerPC64";
	case 40: return "ARM";
	case EM_X86_64: return "x86-64";
	case 183: return "AArch64";
	case 243: return "RISC-V";
	default: return "unknown";
	}
}

static const char *type_name(unsigned t)
{
	switch (t) {
	case 0: return "none";
	case 1: return "relocatable";
	case ET_EXEC: return "executable";
	case 3: return "shared object or PIE";
	case 4: return "core dump";
	default: return "unknown";
	}
}

/* The ELF header and the program header table's place in the file. */
static int elf_check_header(const uint8_t *b, size_t size, struct elf_file *f, char *err,
			    size_t errlen)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };

	if (size < sizeof(magic))
		return errorf(err, errlen, "truncated: an image of %zu bytes cannot hold the ELF magic",
			    size);
	if (memcmp(b, magic, sizeof(magic)) != 0)
		return errorf(err, errlen,
			    "not an ELF file (magic %02x %02x %02x %02x, expected 7f 45 4c 46)",
			    b[0], b[1], b[2], b[3]);
	if (size < EI_NIDENT)
		return errorf(err, errlen,
			    "truncated: the %d-byte ELF identification ends at byte %d of a %zu-byte image",
			    EI_NIDENT, EI_NIDENT, size);
	if (b[4] != ELFCLASS32 && b[4] != ELFCLASS64)
		return errorf(err, errlen, "ELF class %u is neither ELF32 (1) nor ELF64 (2)", b[4]);
	if (b[5] != ELFDATA2LSB)
		return errorf(err, errlen,
			    "ELF data encoding %u: hvlab runs little-endian (1) x86 guests", b[5]);
	if (b[6] != EV_CURRENT)
		return errorf(err, errlen, "ELF identification version %u, expected 1", b[6]);

	uint16_t type, machine, ehsize, phentsize, phnum;
	uint32_t version;
	size_t ehdr_size, phdr_size;
	f->cls = b[4] == ELFCLASS64 ? 64 : 32;
	if (f->cls == 64) {
		struct elf64_ehdr h;
		ehdr_size = sizeof(h);
		phdr_size = sizeof(struct elf64_phdr);
		if (size < ehdr_size)
			goto truncated;
		memcpy(&h, b, sizeof(h));
		type = h.e_type, machine = h.e_machine, version = h.e_version;
		ehsize = h.e_ehsize, phentsize = h.e_phentsize, phnum = h.e_phnum;
		f->entry = h.e_entry;
		f->phoff = h.e_phoff;
	} else {
		struct elf32_ehdr h;
		ehdr_size = sizeof(h);
		phdr_size = sizeof(struct elf32_phdr);
		if (size < ehdr_size)
			goto truncated;
		memcpy(&h, b, sizeof(h));
		type = h.e_type, machine = h.e_machine, version = h.e_version;
		ehsize = h.e_ehsize, phentsize = h.e_phentsize, phnum = h.e_phnum;
		f->entry = h.e_entry;
		f->phoff = h.e_phoff;
	}

	if (type != ET_EXEC)
		return errorf(err, errlen,
			    "ELF type %u (%s): only an executable (ET_EXEC, 2) can be loaded",
			    type, type_name(type));
	if (machine != EM_386 && machine != EM_X86_64)
		return errorf(err, errlen, "ELF machine %u (%s): hvlab runs x86 guests", machine,
			    machine_name(machine));
	if (machine != (f->cls == 64 ? EM_X86_64 : EM_386))
		return errorf(err, errlen, "ELF machine %u (%s) in an ELF%d file: expected machine %u",
			    machine, machine_name(machine), f->cls,
			    f->cls == 64 ? EM_X86_64 : EM_386);
	if (version != EV_CURRENT)
		return errorf(err, errlen, "ELF version %u, expected 1", version);
	if (ehsize != ehdr_size)
		return errorf(err, errlen, "ELF header size %u, expected %zu for ELF%d", ehsize,
			    ehdr_size, f->cls);
	if (phnum == 0)
		return errorf(err, errlen, "no program headers: nothing to load");
	if (phnum == PN_XNUM)
		return errorf(err, errlen,
			    "e_phnum 0xffff (PN_XNUM, extended numbering) is not supported");
	if (phentsize != phdr_size)
		return errorf(err, errlen, "program header size %u, expected %zu for ELF%d",
			    phentsize, phdr_size, f->cls);
	/* The table: first the start, then the first header that does not fit
	 * (phoff < size here, and both are small, so nothing overflows). */
	if (f->phoff >= size)
		return errorf(err, errlen,
			    "truncated: the program header table starts at byte %llu of a %zu-byte image",
			    (unsigned long long)f->phoff, size);
	uint64_t fit = (size - f->phoff) / phdr_size;
	if (fit < phnum)
		return errorf(err, errlen, "truncated: program header %llu ends at byte %llu of a %zu-byte image",
			    (unsigned long long)fit,
			    (unsigned long long)(f->phoff + (fit + 1) * phdr_size), size);
	f->bytes = b;
	f->size = size;
	f->phnum = phnum;
	f->phentsize = phentsize;
	return 0;

truncated:
	return errorf(err, errlen, "truncated: the ELF%d header ends at byte %zu of a %zu-byte image",
		    f->cls, ehdr_size, size);
}

/* Program header @i, widened (elf_check_header proved it lies in the file). */
static void elf_read_phdr(const struct elf_file *f, unsigned i, struct elf_seg *s)
{
	const uint8_t *p = f->bytes + f->phoff + (uint64_t)i * f->phentsize;

	s->index = i;
	if (f->cls == 64) {
		struct elf64_phdr h;
		memcpy(&h, p, sizeof(h));
		s->type = h.p_type, s->flags = h.p_flags;
		s->offset = h.p_offset, s->vaddr = h.p_vaddr, s->paddr = h.p_paddr;
		s->filesz = h.p_filesz, s->memsz = h.p_memsz;
	} else {
		struct elf32_phdr h;
		memcpy(&h, p, sizeof(h));
		s->type = h.p_type, s->flags = h.p_flags;
		s->offset = h.p_offset, s->vaddr = h.p_vaddr, s->paddr = h.p_paddr;
		s->filesz = h.p_filesz, s->memsz = h.p_memsz;
	}
}

/* "[0x100000, 0x300000)", or "[0x..., +0x...)" when the end wraps around. */
static const char *range_str(char *buf, size_t len, uint64_t start, uint64_t n)
{
	if (start + n < start)
		ksnprintf(buf, len, "[%#llx, +%#llx)", (unsigned long long)start,
			  (unsigned long long)n);
	else
		ksnprintf(buf, len, "[%#llx, %#llx)", (unsigned long long)start,
			  (unsigned long long)(start + n));
	return buf;
}

/*
 * Every PT_LOAD segment, checked and collected into @segs (*@n of them).
 * The sums are never computed before the subtraction proves they fit: a
 * crafted p_offset near UINT64_MAX must not wrap around into the image.
 */
static int elf_check_loads(const struct elf_file *f, uint64_t ram_size,
			   struct elf_seg segs[GUEST_ELF_MAX_LOAD], unsigned *n, char *err,
			   size_t errlen)
{
	char r[64];

	*n = 0;
	/* BEGIN SOLUTION lab3 */
	for (unsigned i = 0; i < f->phnum; i++) {
		struct elf_seg s;
		elf_read_phdr(f, i, &s);
		if (s.type != PT_LOAD)
			continue;
		if (*n == GUEST_ELF_MAX_LOAD)
			return errorf(err, errlen, "more than %d loadable segments (segment %u)",
				    GUEST_ELF_MAX_LOAD, i);
		if (s.filesz > s.memsz)
			return errorf(err, errlen,
				    "segment %u: file size %#llx is larger than its memory size %#llx",
				    i, (unsigned long long)s.filesz, (unsigned long long)s.memsz);
		if (s.offset > f->size || s.filesz > f->size - s.offset)
			return errorf(err, errlen,
				    "truncated: segment %u's bytes %s run past the end of a %zu-byte image",
				    i, range_str(r, sizeof(r), s.offset, s.filesz), f->size);
		if (s.paddr > ram_size || s.memsz > ram_size - s.paddr)
			return errorf(err, errlen,
				    "segment %u %s lies outside the guest's RAM [0, %#llx)", i,
				    range_str(r, sizeof(r), s.paddr, s.memsz),
				    (unsigned long long)ram_size);
		/* Both lie inside RAM now: the ends cannot wrap. Empty
		 * segments occupy nothing and overlap nothing. */
		for (unsigned j = 0; j < *n && s.memsz; j++) {
			const struct elf_seg *o = &segs[j];
			if (o->memsz && s.paddr < o->paddr + o->memsz && o->paddr < s.paddr + s.memsz)
				return errorf(err, errlen, "segments %u and %u overlap (%s and [%#llx, %#llx))",
					    o->index, i, range_str(r, sizeof(r), s.paddr, s.memsz),
					    (unsigned long long)o->paddr,
					    (unsigned long long)(o->paddr + o->memsz));
		}
		segs[(*n)++] = s;
	}
	/* END SOLUTION */
	/* STUB lab3
	(void)f; (void)ram_size; (void)segs; (void)r;
	(void)elf_read_phdr; (void)range_str;
	NOT_IMPLEMENTED("lab3");
	*/
	if (*n == 0)
		return errorf(err, errlen, "no loadable (PT_LOAD) segment");
	return 0;
}

/* The entry point (a virtual address) as a guest-physical one, through the
 * executable segment that holds it. */
static int elf_find_entry(const struct elf_file *f, const struct elf_seg *segs, unsigned n,
			  uint64_t *entry, char *err, size_t errlen)
{
	const struct elf_seg *noexec = NULL;

	for (unsigned i = 0; i < n; i++) {
		const struct elf_seg *s = &segs[i];
		if (f->entry < s->vaddr || f->entry - s->vaddr >= s->memsz)
			continue;
		if (!(s->flags & PF_X)) {
			noexec = s;
			continue;
		}
		*entry = s->paddr + (f->entry - s->vaddr);
		return 0;
	}
	if (noexec)
		return errorf(err, errlen,
			    "entry point %#llx lies in segment %u, which is not executable (no PF_X)",
			    (unsigned long long)f->entry, noexec->index);
	return errorf(err, errlen, "entry point %#llx is not inside an executable segment",
		    (unsigned long long)f->entry);
}

int guest_elf_load(const void *image, size_t size, uint64_t ram_size, guest_copy_fn copy,
		   void *ctx, struct guest_elf_info *info, char *err, size_t errlen)
{
	struct elf_file f;
	struct elf_seg segs[GUEST_ELF_MAX_LOAD];
	unsigned n;
	uint64_t entry;

	if (err && errlen)
		err[0] = '\0';
	if (!image || size == 0)
		return errorf(err, errlen, "empty image");
	if (size > GUEST_ELF_MAX_BYTES)
		return errorf(err, errlen, "image of %zu bytes is larger than the limit of %lu bytes",
			    size, GUEST_ELF_MAX_BYTES);
	if (elf_check_header(image, size, &f, err, errlen) < 0 ||
	    elf_check_loads(&f, ram_size, segs, &n, err, errlen) < 0 ||
	    elf_find_entry(&f, segs, n, &entry, err, errlen) < 0)
		return -1;

	struct guest_elf_info in = { .entry = entry, .lowest = UINT64_MAX, .highest = 0,
				     .elf_class = f.cls, .nload = n };
	for (unsigned i = 0; i < n; i++) {
		if (!segs[i].memsz)
			continue;
		if (segs[i].paddr < in.lowest)
			in.lowest = segs[i].paddr;
		if (segs[i].paddr + segs[i].memsz > in.highest)
			in.highest = segs[i].paddr + segs[i].memsz;
	}
	/* Known-good from here on: copy. */
	for (unsigned i = 0; copy && i < n; i++) {
		const struct elf_seg *s = &segs[i];
		if (s->memsz && copy(ctx, s->paddr, f.bytes + s->offset, s->filesz, s->memsz) != 0)
			return errorf(err, errlen, "copying segment %u to guest-physical %#llx failed",
				    s->index, (unsigned long long)s->paddr);
	}
	if (info)
		*info = in;
	return 0;
}
