/* A process's heap: pages from a shared pool, a precise non-moving
 * mark-sweep collector with segregated free lists, a byte limit, and two
 * test modes (collect at every allocation; fail the Nth allocation).
 * Why non-moving: C primitives may hold raw object pointers across an
 * allocation, image objects and heap objects mix freely, and on a 400 KB
 * device a copying collector's reserve would double the heap (docs/gc.md). */
#ifndef TOIT_VM_HEAP_H
#define TOIT_VM_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vm/object.h"

/* Pages from the system are aligned to VM_PAGE_SIZE (a large page is aligned
 * too and holds its one object in its first VM_PAGE_SIZE bytes), so the page
 * of a heap object is its address rounded down; in a static pool a table
 * says (vm_pool). Marking flags the page, and the sweep drops wholly dead
 * pages without parsing them. */
#define VM_PAGE_SIZE 4096u
#define VM_FIRST_PAGE_SIZE 1024u
#define VM_FREE_BUCKETS 32 /* exact-size lists for small sizes, last is "larger" */

typedef struct vm_page vm_page;
struct vm_page {
  vm_page *next;
  uint32_t size;   /* bytes of object area */
  uint32_t used;   /* bytes parsed from the start of the area (objects + gaps) */
  uint16_t large;  /* holds a single object bigger than a normal page */
  uint16_t marked; /* some object on it was marked by the current collection */
  uint32_t pad;
  _Alignas(8) uint8_t data[];
};

typedef struct vm_heap vm_heap;

#define VM_CHUNK_PAGES 16
#define VM_UNIT 1024u /* static pools hand out pages in units of this many bytes */
#define VM_UNIT_FREE 0xffffffffu

typedef struct vm_chunk {
  struct vm_chunk *next;
  void *mem;
} vm_chunk;

/* The page pool all heaps of a VM draw from: a byte budget shared by every
 * process (on a device, the RAM left for applications), and the one mark
 * stack (the VM collects one heap at a time). On the host normal pages come
 * from aligned chunks of VM_CHUNK_PAGES and go back to the pool's free list
 * (never to the system before vm_pool_free); large pages and a heap's small
 * first page are aligned allocations of their own. `used` counts the bytes
 * of pages held by heaps. */
typedef struct vm_pool {
  size_t capacity;         /* bytes all heaps together may hold */
  size_t used;
  size_t peak;
  /* Reservations: bytes promised to heaps and not yet used by them (the sum
   * over reservations of reserve - committed, where positive). A heap may
   * take a page only if the pool keeps the others' promises afterwards. */
  size_t outstanding;
  vm_chunk *chunks;
  vm_page *free_pages;
  /* Static mode (vm_pool_init_static): pages are runs of VM_UNIT-byte units
   * of one region given by the caller, as on a device without an MMU: a
   * page needs contiguous free units. unit_start[u] is the first unit of
   * the page that holds unit u (VM_UNIT_FREE: free), which is how the
   * collector finds an object's page in this mode. */
  uint8_t *region;
  uint32_t units;
  uint32_t *unit_start;
  uint32_t hint;           /* where the next search for free units starts */
  obj_header **mark_stack; /* allocated at the first collection */
  int mark_cap;
} vm_pool;

void vm_pool_init(vm_pool *pool, size_t capacity);
/* A pool over `bytes` of memory at `mem` (the unit table is carved from its
 * start; the rest, VM_UNIT aligned, is the capacity); false if it is too
 * small for one page. The memory stays the caller's. */
bool vm_pool_init_static(vm_pool *pool, void *mem, size_t bytes);
/* The bytes of a block that gives a static pool at least `capacity`. */
size_t vm_pool_static_size(size_t capacity);
void vm_pool_free(vm_pool *pool);
/* Promises `bytes` to a heap that will be created with that reserve (a
 * container's, while it is installed, running or not): false if the pool
 * cannot keep the promise on top of what is used and promised now. */
bool vm_pool_reserve(vm_pool *pool, size_t bytes);
/* Takes back a promise made by vm_pool_reserve (no heap holds it now). */
void vm_pool_unreserve(vm_pool *pool, size_t bytes);

/* Called by the collector to visit every root slot. */
typedef void (*vm_root_visitor)(vm_heap *h, value *slot);
typedef void (*vm_root_scanner)(vm_heap *h, void *ctx, vm_root_visitor visit);

/* Tells the collector an object's size and which words are values. */
typedef struct {
  const void *img;  /* const img_image *: class layouts */
} vm_heap_types;

struct vm_heap {
  vm_page *pages;
  obj_free *free[VM_FREE_BUCKETS];
  uint32_t free_mask;      /* bit b: free[b] is not empty */
  /* The bump region: a free range inside some page (a fresh page, or a gap
   * left by the last sweep). Pages are always "used" to their end; the
   * region is sealed into a free gap before the heap is parsed. */
  uint8_t *bump_top, *bump_end;
  /* bump_end is clamped so that the bytes bumped since bump_start stay
   * within next_gc (they are added to `allocated` when the region is
   * left): the fast path checks one bound. The free range ends at
   * region_end. */
  uint8_t *bump_start, *region_end;
  size_t limit;            /* max bytes of pages */
  size_t reserve;          /* bytes the pool promised this heap (vm_pool_reserve) */
  size_t committed;        /* bytes of pages in use */
  size_t allocated;        /* bytes handed out since the last collection */
  size_t live;             /* bytes live after the last collection */
  size_t next_gc;          /* collect when allocated reaches this */
  const void *img;         /* const img_image * */
  vm_pool *pool;
  const uint8_t *img_lo, *img_hi;
  const uint8_t *static_lo, *static_hi; /* VM-owned static objects */
  vm_root_scanner scan_roots;
  void *roots_ctx;
  /* Marking (the stack itself is the pool's). */
  int mark_top;
  int mark_overflow;
  /* Test modes. */
  int stress;              /* collect before every allocation */
  long fail_countdown;     /* >0: fail when it reaches 0 */
  /* Statistics. */
  uint32_t gc_count;
  size_t peak_committed;
};

/* The heap's pages come from `pool`; `limit` caps this heap alone. The
 * first page is small (VM_FIRST_PAGE_SIZE) so a tiny process stays tiny. */
void vm_heap_init(vm_heap *h, const void *img, size_t limit, vm_pool *pool);
void vm_heap_free(vm_heap *h);

/* Allocates `size` bytes (header included) for an object of class `cls`,
 * zero-filled, header set. Collects and grows as needed; returns NULL when
 * the heap's limit is reached (the caller throws OUT_OF_MEMORY). */
void *vm_heap_alloc_slow(vm_heap *h, uint32_t cls, size_t size);

/* Room for `size` more bytes in the bump region, without leaving a tail too
 * small for a gap header (possible only with 4-byte words). The stress and
 * failing-allocator modes keep the region empty, so they always take the
 * slow path. */
static inline int vm_heap_bump_fits(const vm_heap *h, size_t size) {
  size_t avail = (size_t)(h->bump_end - h->bump_top);
  return size <= avail && (sizeof(value) == 8 || avail - size != 4);
}

/* The common case inline: bump allocation. */
static inline void *vm_heap_alloc(vm_heap *h, uint32_t cls, size_t size) {
  size = WORD_ALIGN(size < sizeof(obj_free) ? sizeof(obj_free) : size);
  if (vm_heap_bump_fits(h, size)) {
    void *r = h->bump_top;
    h->bump_top += size;
    memset(r, 0, size);
    uint32_t words = (uint32_t)(size / sizeof(value));
    ((obj_header *)r)->hdr = cls | ((words <= HDR_SIZE_MAX ? words : 0) << HDR_SIZE_SHIFT);
    return r;
  }
  return vm_heap_alloc_slow(h, cls, size);
}

/* A float, the most frequent short-lived object, by bumping only (no
 * memset; never collects): NULL when the slow path is needed. */
static inline obj_float *vm_heap_bump_float(vm_heap *h, uint32_t cls) {
  if (!vm_heap_bump_fits(h, sizeof(obj_float))) return NULL;
  obj_float *f = (obj_float *)h->bump_top;
  h->bump_top += sizeof(obj_float);
  f->hdr = cls | ((uint32_t)(sizeof(obj_float) / sizeof(value)) << HDR_SIZE_SHIFT);
  f->pad = 0;
  return f;
}
void vm_heap_collect(vm_heap *h);

/* Size in bytes of an object (header included, word aligned). */
size_t vm_object_size(const vm_heap *h, const obj_header *o);

static inline int vm_heap_contains(const vm_heap *h, value v) {
  const uint8_t *p = (const uint8_t *)as_obj(v);
  return !(p >= h->img_lo && p < h->img_hi) && !(p >= h->static_lo && p < h->static_hi);
}

#endif
