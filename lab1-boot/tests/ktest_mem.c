/*
 * ktest_mem.c - in-kernel tests of the page allocator, the heap and the
 * kernel's page tables. Each test checks what the memory really holds (or
 * what the CPU did with a mapping), not only the return codes; and each
 * gives back what it took, so the tests can run in any order.
 */
#include "heap.h"
#include "ktest.h"
#include "memerr.h"
#include "memmap.h"
#include "paging.h"
#include "pmm.h"
#include "pt.h"
#include "string.h"
#include "x86.h"

#define MIB (1ull << 20)
/* Test mappings live in the upper half, far from the identity map. */
#define TEST_VA 0xffff800000000000ull

extern char _kernel_start[], _kernel_end[];

/* True when every 64-bit word of [pa, pa + bytes) equals @v. */
static bool words_equal(uint64_t pa, size_t bytes, uint64_t v)
{
	const volatile uint64_t *w = (const volatile uint64_t *)(uintptr_t)pa;
	for (size_t i = 0; i < bytes / sizeof(*w); i++)
		if (w[i] != v)
			return false;
	return true;
}

static void words_fill(uint64_t pa, size_t bytes, uint64_t v)
{
	volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)pa;
	for (size_t i = 0; i < bytes / sizeof(*w); i++)
		w[i] = v;
}

static bool in_kernel_image(uint64_t pa)
{
	return pa >= (uintptr_t)_kernel_start && pa < (uintptr_t)_kernel_end;
}

/* The alignment pages_alloc(n) promises, in bytes. */
static uint64_t run_alignment(size_t n)
{
	uint64_t a = 1;
	while (a < n && a < 512)
		a *= 2;
	return a * PAGE_SIZE;
}

KTEST(pmm_alloc_free)
{
	enum { N = 16 };
	uint64_t pa[N];
	size_t before = pmm_free_count();

	for (int i = 0; i < N; i++) {
		pa[i] = page_alloc();
		KASSERTF(pa[i] != 0, "page_alloc() returned 0 with %zu frames free", before - i);
		KASSERTF(pa[i] % PAGE_SIZE == 0, "frame %#lx not page-aligned", pa[i]);
		KASSERTF(pa[i] >= MIB, "frame %#lx lies in the first MiB", pa[i]);
		KASSERTF(!in_kernel_image(pa[i]), "frame %#lx lies in the kernel image", pa[i]);
		KASSERTF(pmm_is_allocated(pa[i]), "frame %#lx not marked allocated", pa[i]);
		KASSERTF(words_equal(pa[i], PAGE_SIZE, 0), "frame %#lx not zeroed", pa[i]);
		for (int j = 0; j < i; j++)
			KASSERTF(pa[j] != pa[i], "frame %#lx handed out twice", pa[i]);
		words_fill(pa[i], PAGE_SIZE, pa[i] ^ 0x5a5a5a5a5a5a5a5aull);
	}
	KASSERTF(pmm_free_count() == before - N, "free count %zu, want %zu",
		 pmm_free_count(), before - N);
	for (int i = 0; i < N; i++)
		KASSERTF(words_equal(pa[i], PAGE_SIZE, pa[i] ^ 0x5a5a5a5a5a5a5a5aull),
			 "frame %#lx was overwritten: frames overlap", pa[i]);
	for (int i = 0; i < N; i++) {
		page_free(pa[i]);
		KASSERTF(!pmm_is_allocated(pa[i]), "frame %#lx still allocated after free", pa[i]);
	}
	KASSERTF(pmm_free_count() == before, "free count %zu after freeing all, want %zu",
		 pmm_free_count(), before);

	/* A dirty frame comes back zeroed. The lowest free frame is taken
	 * first (pmm_core.h), so a frame just freed is the next one handed out. */
	uint64_t p = page_alloc();
	KASSERT(p != 0);
	words_fill(p, PAGE_SIZE, ~0ull);
	page_free(p);
	uint64_t q = page_alloc();
	KASSERTF(q == p, "freed frame %#lx not reused (got %#lx): not lowest-first", p, q);
	KASSERTF(words_equal(q, PAGE_SIZE, 0), "reused frame %#lx not zeroed", q);
	page_free(q);
}

KTEST(pmm_contig)
{
	static const size_t sizes[] = { 2, 3, 8, 64, 100, 512 };

	KASSERT(pages_alloc(0) == 0);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s], before = pmm_free_count();
		uint64_t pa = pages_alloc(n);
		KASSERTF(pa != 0, "pages_alloc(%zu) failed with %zu frames free", n, before);
		KASSERTF(pa % run_alignment(n) == 0, "pages_alloc(%zu) = %#lx, not aligned to %#lx",
			 n, pa, run_alignment(n));
		KASSERTF(pmm_free_count() == before - n, "pages_alloc(%zu) took %zu frames",
			 n, before - pmm_free_count());
		for (size_t k = 0; k < n; k++)
			KASSERTF(pmm_is_allocated(pa + k * PAGE_SIZE),
				 "frame %zu of the run at %#lx is not allocated", k, pa);
		KASSERTF(words_equal(pa, n * PAGE_SIZE, 0), "run at %#lx not zeroed", pa);
		words_fill(pa, n * PAGE_SIZE, 0xc0ffee);
		/* Frame by frame: page_free() panics on any frame not allocated. */
		for (size_t k = n; k-- > 0;)
			page_free(pa + k * PAGE_SIZE);
		KASSERTF(pmm_free_count() == before, "free count not restored after %zu frames", n);
	}
}

KTEST(pmm_exhaust)
{
	size_t before = pmm_free_count(), got = 0;
	uint64_t chain = 0;   /* the runs taken, linked through their first two words */

	/* 2 MiB runs while there are any (fewer calls under Bochs), then single
	 * frames until page_alloc() fails. Bounded by the free count: an
	 * allocator handing out a frame twice must not make this loop forever. */
	for (size_t n = 512; got <= before;) {
		uint64_t pa = n > 1 ? pages_alloc(n) : page_alloc();
		if (!pa) {
			if (n == 1)
				break;
			n = 1;
			continue;
		}
		uint64_t *w = (uint64_t *)(uintptr_t)pa;
		w[0] = chain;
		w[1] = n;
		chain = pa;
		got += n;
	}
	size_t left = pmm_free_count();
	uint64_t run = pages_alloc(2);
	if (run)
		pages_free(run, 2);
	while (chain) {
		uint64_t *w = (uint64_t *)(uintptr_t)chain, next = w[0];
		pages_free(chain, w[1]);
		chain = next;
	}
	KASSERTF(got == before, "took %zu frames before page_alloc() failed, %zu were free",
		 got, before);
	KASSERTF(left == 0, "free count %zu with memory exhausted", left);
	KASSERTF(run == 0, "pages_alloc(2) = %#lx with memory exhausted", run);
	KASSERTF(pmm_free_count() == before, "free count %zu after freeing all, want %zu",
		 pmm_free_count(), before);
}

KTEST(pmm_reserve)
{
	uint64_t a = page_alloc();
	KASSERT(a != 0);
	KASSERT(pmm_reserve(a, PAGE_SIZE) == -MEM_EBUSY);
	KASSERTF(pmm_is_allocated(a), "a refused reservation changed frame %#lx", a);
	page_free(a);

	/* a is now the lowest free frame; reserving it must keep it from page_alloc(). */
	size_t before = pmm_free_count();
	KASSERT(pmm_reserve(a + 1, 10) == 0);   /* any byte of a frame withdraws it */
	KASSERT(pmm_free_count() == before - 1);
	uint64_t b = page_alloc();
	KASSERT(b != 0);
	KASSERTF(b != a, "reserved frame %#lx handed out", a);
	page_free(b);
}

KTEST(heap_basic)
{
	size_t before = pmm_free_count();

	char *a = kmalloc(24);
	KASSERT(a != NULL);
	KASSERTF((uintptr_t)a % 16 == 0, "kmalloc(24) = %p not 16-byte aligned", a);
	memset(a, 0xaa, 24);
	char *keep = kmalloc(200), *dirty = kmalloc(200);
	KASSERT(keep && dirty && keep != dirty);
	memset(dirty, 0xff, 200);
	kfree(dirty);
	/* keep holds the slab, so kzalloc reuses a dirty slot: it must zero it. */
	unsigned char *z = kzalloc(200);
	KASSERT(z != NULL);
	for (int i = 0; i < 200; i++)
		KASSERTF(z[i] == 0, "kzalloc(200) byte %d is %#x", i, z[i]);
	void *e1 = kmalloc(0), *e2 = kmalloc(0);
	KASSERT(e1 && e2 && e1 != e2);
	for (int i = 0; i < 24; i++)
		KASSERTF((unsigned char)a[i] == 0xaa, "kmalloc(24) block overwritten at %d", i);
	kfree(NULL);
	kfree(a);
	kfree(keep);
	kfree(z);
	kfree(e1);
	kfree(e2);
	KASSERTF(pmm_free_count() == before, "heap kept %ld frames after freeing everything",
		 (long)(before - pmm_free_count()));
}

/* A small deterministic generator (xorshift32): the same sizes every run. */
static uint32_t next_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

enum { HEAP_MANY = 96 };
static unsigned char *blk[HEAP_MANY];
static size_t blen[HEAP_MANY];

static uint8_t pattern(int i) { return (uint8_t)(i * 37 + 11); }

/* Every block still holds its own pattern, and no two blocks overlap. */
static bool blocks_intact(int *bad)
{
	for (int i = 0; i < HEAP_MANY; i++) {
		*bad = i;
		for (size_t k = 0; k < blen[i]; k++)
			if (blk[i][k] != pattern(i))
				return false;
		for (int j = 0; j < i; j++)
			if (blk[i] < blk[j] + blen[j] && blk[j] < blk[i] + blen[i])
				return false;
	}
	return true;
}

KTEST(heap_many)
{
	size_t before = pmm_free_count();
	uint32_t seed = 2463534242u;
	int bad;

	for (int round = 0; round < 2; round++) {
		/* Round 0 fills every slot; round 1 refills the odd ones freed below. */
		for (int i = round; i < HEAP_MANY; i += 1 + round) {
			blen[i] = 1 + next_random(&seed) % (i % 8 == 0 ? 6000 : 1100);
			blk[i] = kmalloc(blen[i]);
			KASSERTF(blk[i] != NULL, "kmalloc(%zu) failed", blen[i]);
			KASSERTF((uintptr_t)blk[i] % 16 == 0, "kmalloc(%zu) = %p not aligned",
				 blen[i], blk[i]);
			memset(blk[i], pattern(i), blen[i]);
		}
		KASSERTF(blocks_intact(&bad), "block %d (%zu bytes at %p) damaged or overlapping",
			 bad, blen[bad], blk[bad]);
		if (round == 0)
			for (int i = 1; i < HEAP_MANY; i += 2)
				kfree(blk[i]);
	}
	for (int i = HEAP_MANY; i-- > 0;)
		kfree(blk[i]);
	KASSERTF(pmm_free_count() == before, "heap kept %ld frames after freeing everything",
		 (long)(before - pmm_free_count()));
}

KTEST(heap_large)
{
	static const size_t sizes[] = { 4096, 64 << 10, 1 << 20 };

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s], before = pmm_free_count();
		unsigned char *p = kmalloc(n);
		KASSERTF(p != NULL, "kmalloc(%zu) failed", n);
		KASSERTF((uintptr_t)p % 16 == 0, "kmalloc(%zu) = %p not aligned", n, p);
		KASSERTF(before - pmm_free_count() >= n / PAGE_SIZE,
			 "kmalloc(%zu) took only %zu frames", n, before - pmm_free_count());
		/* Served from contiguous pages: every frame under it is allocated. */
		for (uintptr_t f = (uintptr_t)p & ~(PAGE_SIZE - 1); f < (uintptr_t)p + n; f += PAGE_SIZE)
			KASSERTF(pmm_is_allocated(f), "frame %#lx under a %zu-byte block is free", f, n);
		words_fill((uintptr_t)p, n, n);
		KASSERT(words_equal((uintptr_t)p, n, n));
		kfree(p);
		KASSERTF(pmm_free_count() == before, "kfree of %zu bytes left %ld frames taken",
			 n, (long)(before - pmm_free_count()));
	}
	size_t before = pmm_free_count();
	KASSERT(kmalloc((size_t)-1) == NULL);
	KASSERT(kmalloc((before + 1) * PAGE_SIZE) == NULL);
	KASSERT(pmm_free_count() == before);
}

KTEST(paging_kernel_map)
{
	struct pt_mapping m;
	uint64_t probes[] = { 0x40e, (uintptr_t)&kernel_pml4, memmap_top(&boot_memmap) - 1 };

	KASSERTF((read_cr3() & PT_ADDR_MASK) == kernel_pml4, "CR3 %#lx, kernel_pml4 %#lx",
		 read_cr3(), kernel_pml4);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		KASSERTF(paging_translate(probes[i], &m) == 0, "%#lx not mapped", probes[i]);
		KASSERTF(m.pa == probes[i], "%#lx maps to %#lx, not to itself", probes[i], m.pa);
		KASSERTF(!(m.flags & PTE_PCD), "RAM at %#lx mapped uncached", probes[i]);
	}
	uint64_t lapic = 0xfee00000;
	KASSERTF(paging_translate(lapic, &m) == 0, "the LAPIC page is not mapped");
	KASSERT(m.pa == lapic);
	KASSERTF((m.flags & (PTE_PCD | PTE_PWT)) == (PTE_PCD | PTE_PWT),
		 "the LAPIC page is not uncached (flags %#lx)", m.flags);
	KASSERT(paging_translate(TEST_VA, &m) == -MEM_ENOENT);
	KASSERT(paging_translate(0x0000800000000000ull, &m) == -MEM_EINVAL);   /* not canonical */
}

KTEST(paging_map_4k)
{
	uint64_t va = TEST_VA + 0x7000, f1 = page_alloc(), f2 = page_alloc();
	volatile uint64_t *v = (volatile uint64_t *)va;
	struct pt_mapping m;

	KASSERT(f1 && f2);
	KASSERT(paging_translate(va, &m) == -MEM_ENOENT);
	KASSERT(paging_map(va, f1, PT_SIZE_4K, PTE_W) == 0);
	v[0] = 0x1122334455667788ull;   /* through the new mapping... */
	KASSERTF(*(volatile uint64_t *)(uintptr_t)f1 == 0x1122334455667788ull,
		 "write through %#lx did not reach frame %#lx", va, f1);
	*(volatile uint64_t *)(uintptr_t)(f1 + 8) = 0xabcdef;   /* ...and the other way */
	KASSERT(v[1] == 0xabcdef);
	KASSERT(paging_translate(va + 0x123, &m) == 0);
	KASSERTF(m.pa == f1 + 0x123 && m.size == PT_SIZE_4K && (m.flags & PTE_W),
		 "translate gave pa %#lx size %#lx flags %#lx", m.pa, m.size, m.flags);

	KASSERT(paging_map(va, f2, PT_SIZE_4K, PTE_W) == -MEM_EEXIST);
	KASSERT(paging_map(va + 8, f2, PT_SIZE_4K, PTE_W) == -MEM_EALIGN);
	KASSERT(paging_map(va + PAGE_SIZE, f2 + 8, PT_SIZE_4K, PTE_W) == -MEM_EALIGN);
	KASSERT(paging_map(va + PAGE_SIZE, f2, 8192, PTE_W) == -MEM_EINVAL);
	KASSERT(paging_unmap(va, PT_SIZE_4K) == 0);
	KASSERT(paging_translate(va, &m) == -MEM_ENOENT);
	KASSERT(paging_unmap(va, PT_SIZE_4K) == -MEM_ENOENT);

	/* The unmap flushed the TLB: the same va, now on f2, shows f2's bytes
	 * (a stale TLB entry would still show f1's). */
	*(volatile uint64_t *)(uintptr_t)f2 = 0x2222;
	KASSERT(paging_map(va, f2, PT_SIZE_4K, PTE_W) == 0);
	KASSERTF(v[0] == 0x2222, "read %#lx through %#lx after remap: stale TLB entry", v[0], va);
	KASSERT(paging_unmap(va, PT_SIZE_4K) == 0);
	page_free(f1);
	page_free(f2);
}

KTEST(paging_map_2m)
{
	uint64_t va = TEST_VA + (1ull << 30), run = pages_alloc(512), f = page_alloc();
	struct pt_mapping m;

	KASSERT(run && f);
	KASSERT(run % PT_SIZE_2M == 0);
	KASSERT(paging_map(va, run, PT_SIZE_2M, PTE_W) == 0);
	*(volatile uint64_t *)(va + 0x1ff008) = 0x2020;
	KASSERT(*(volatile uint64_t *)(uintptr_t)(run + 0x1ff008) == 0x2020);
	KASSERT(paging_translate(va + 0x12345, &m) == 0);
	KASSERTF(m.pa == run + 0x12345 && m.size == PT_SIZE_2M,
		 "translate gave pa %#lx size %#lx", m.pa, m.size);

	/* 4 KiB inside the 2 MiB page is refused, not split (pt.h). */
	KASSERT(paging_map(va + 0x3000, f, PT_SIZE_4K, PTE_W) == -MEM_EHUGE);
	KASSERT(paging_unmap(va + 0x3000, PT_SIZE_4K) == -MEM_EHUGE);
	KASSERT(paging_map(va, run, PT_SIZE_2M, PTE_W) == -MEM_EEXIST);
	KASSERT(paging_map(va + PT_SIZE_2M, run + PAGE_SIZE, PT_SIZE_2M, PTE_W) == -MEM_EALIGN);
	KASSERT(paging_unmap(va, PT_SIZE_2M) == 0);
	KASSERT(paging_translate(va + 0x12345, &m) == -MEM_ENOENT);

	/* A 4 KiB page blocks a 2 MiB one; once it is gone, its empty table is
	 * replaced by the 2 MiB page and freed. */
	KASSERT(paging_map(va + 0x3000, f, PT_SIZE_4K, PTE_W) == 0);
	KASSERT(paging_map(va, run, PT_SIZE_2M, PTE_W) == -MEM_EEXIST);
	KASSERT(paging_unmap(va, PT_SIZE_2M) == -MEM_ETABLE);
	KASSERT(paging_unmap(va + 0x3000, PT_SIZE_4K) == 0);
	size_t before = pmm_free_count();
	KASSERT(paging_map(va, run, PT_SIZE_2M, PTE_W) == 0);
	KASSERTF(pmm_free_count() == before + 1, "the empty page table was not freed");
	KASSERT(*(volatile uint64_t *)(va + 0x1ff008) == 0x2020);
	KASSERT(paging_unmap(va, PT_SIZE_2M) == 0);
	pages_free(run, 512);
	page_free(f);
}

KTEST(paging_remap_protect)
{
	uint64_t va = TEST_VA + 0x9000, f = page_alloc();
	volatile uint64_t *v = (volatile uint64_t *)va;
	struct pt_mapping m;

	KASSERT(f != 0);
	KASSERT(paging_map(va, f, PT_SIZE_4K, PTE_W) == 0);
	KASSERT(paging_translate(va, &m) == 0 && !(m.flags & (PTE_A | PTE_D)));
	/* The CPU marks the entry it used: accessed on a read, dirty on a
	 * write (SDM 4.8). That proves it walked our tables. */
	(void)v[0];
	KASSERT(paging_translate(va, &m) == 0);
	KASSERTF((m.flags & (PTE_A | PTE_D)) == PTE_A, "after a read: flags %#lx", m.flags);
	v[0] = 7;
	KASSERT(paging_translate(va, &m) == 0);
	KASSERTF(m.flags & PTE_D, "after a write: flags %#lx", m.flags);

	/* New flags clear A and D; the flush makes the CPU walk the entry
	 * again on the next read, so A comes back (a stale TLB entry would not). */
	KASSERT(paging_protect(va, PT_SIZE_4K, PTE_W) == 0);
	KASSERT(paging_translate(va, &m) == 0 && !(m.flags & (PTE_A | PTE_D)));
	KASSERT(v[0] == 7);
	KASSERT(paging_translate(va, &m) == 0);
	KASSERTF(m.flags & PTE_A, "no re-walk after paging_protect: TLB not flushed");

	KASSERT(paging_protect(va, PT_SIZE_4K, 0) == 0);   /* read-only */
	KASSERT(paging_translate(va, &m) == 0 && m.pa == f && !(m.flags & PTE_W));
	KASSERT(v[0] == 7);
	KASSERT(paging_protect(va, PT_SIZE_4K, PTE_W | PTE_PCD | PTE_PWT) == 0);
	KASSERT(paging_translate(va, &m) == 0);
	KASSERTF((m.flags & (PTE_W | PTE_PCD | PTE_PWT)) == (PTE_W | PTE_PCD | PTE_PWT),
		 "flags %#lx", m.flags);
	v[1] = 8;
	KASSERT(*(volatile uint64_t *)(uintptr_t)(f + 8) == 8);
	KASSERT(paging_protect(va, PT_SIZE_4K, PTE_PS) == -MEM_EINVAL);
	KASSERT(paging_protect(va + PAGE_SIZE, PT_SIZE_4K, PTE_W) == -MEM_ENOENT);
	KASSERT(paging_unmap(va, PT_SIZE_4K) == 0);
	page_free(f);
}
