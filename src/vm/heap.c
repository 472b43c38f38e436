#include "vm/heap.h"

#include <stdlib.h>
#include <string.h>

#include "image/image.h"

#define MIN_NEXT_GC (32u * 1024)
#define MARK_STACK_CAP 512

void vm_pool_init(vm_pool *pool, size_t capacity) {
  memset(pool, 0, sizeof *pool);
  pool->capacity = capacity;
}

/* Marks units [first, first + n) as held by the page at `first`, or free. */
static void set_units(vm_pool *pool, uint32_t first, uint32_t n, uint32_t owner) {
  for (uint32_t u = first; u < first + n; u++) pool->unit_start[u] = owner;
}

bool vm_pool_init_static(vm_pool *pool, void *mem, size_t bytes) {
  memset(pool, 0, sizeof *pool);
  /* units * (VM_UNIT + 4) plus alignment must fit in bytes. */
  size_t units = bytes > VM_UNIT ? (bytes - VM_UNIT) / (VM_UNIT + sizeof(uint32_t)) : 0;
  if (units > 0xfffffff0u) units = 0xfffffff0u;
  uint8_t *region = (uint8_t *)(((uintptr_t)mem + units * sizeof(uint32_t) + VM_UNIT - 1) & ~(uintptr_t)(VM_UNIT - 1));
  while (units > 0 && region + units * VM_UNIT > (uint8_t *)mem + bytes) units--;
  if (units * VM_UNIT < VM_PAGE_SIZE) return false;
  pool->unit_start = mem;
  pool->region = region;
  pool->units = (uint32_t)units;
  pool->capacity = units * VM_UNIT;
  set_units(pool, 0, pool->units, VM_UNIT_FREE);
  return true;
}

size_t vm_pool_static_size(size_t capacity) {
  size_t units = (capacity + VM_UNIT - 1) / VM_UNIT;
  return units * (VM_UNIT + sizeof(uint32_t)) + 2 * VM_UNIT; /* units, their table, alignment */
}

/* n contiguous free units of a static pool, first fit from the hint. */
static vm_page *region_take(vm_pool *pool, uint32_t n) {
  uint32_t total = pool->units, run = 0, start = 0;
  for (uint32_t k = 0; k < total + n; k++) {
    uint32_t u = (pool->hint + k) % total;
    if (u == 0) run = 0; /* runs do not wrap around the end */
    if (pool->unit_start[u] != VM_UNIT_FREE) {
      run = 0;
      continue;
    }
    if (run++ == 0) start = u;
    if (run == n) {
      set_units(pool, start, n, start);
      pool->hint = (start + n) % total;
      return (vm_page *)(pool->region + (size_t)start * VM_UNIT);
    }
  }
  return NULL;
}

bool vm_pool_reserve(vm_pool *pool, size_t bytes) {
  if (bytes > pool->capacity || pool->used + pool->outstanding > pool->capacity - bytes) return false;
  pool->outstanding += bytes;
  return true;
}

void vm_pool_unreserve(vm_pool *pool, size_t bytes) {
  pool->outstanding -= bytes <= pool->outstanding ? bytes : pool->outstanding;
}

void vm_pool_free(vm_pool *pool) {
  free(pool->mark_stack);
  pool->mark_stack = NULL;
  pool->mark_cap = 0;
  while (pool->chunks) {
    vm_chunk *c = pool->chunks;
    pool->chunks = c->next;
    free(c->mem);
    free(c);
  }
  pool->free_pages = NULL;
}

/* A normal page from the pool's free list, which is refilled a chunk of
 * VM_CHUNK_PAGES aligned pages at a time (one aligned allocation each, so
 * aligning costs at most a page per chunk, not a page per page). */
static vm_page *pool_take_page(vm_pool *pool) {
  if (!pool->free_pages) {
    vm_chunk *c = malloc(sizeof *c);
    void *mem = NULL;
    if (!c || posix_memalign(&mem, VM_PAGE_SIZE, (size_t)VM_PAGE_SIZE * VM_CHUNK_PAGES) != 0) {
      free(c);
      return NULL;
    }
    c->mem = mem;
    c->next = pool->chunks;
    pool->chunks = c;
    for (int i = VM_CHUNK_PAGES - 1; i >= 0; i--) {
      vm_page *p = (vm_page *)((uint8_t *)mem + (size_t)i * VM_PAGE_SIZE);
      p->next = pool->free_pages;
      pool->free_pages = p;
    }
  }
  vm_page *p = pool->free_pages;
  pool->free_pages = p->next;
  return p;
}

static int is_pool_page(const vm_page *p) {
  return !p->large && p->size == VM_PAGE_SIZE - sizeof(vm_page);
}

/* What the pool still owes heap h of its reserve when h holds `committed`. */
static size_t owed(const vm_heap *h, size_t committed) {
  return h->reserve > committed ? h->reserve - committed : 0;
}

/* The bytes a page with `area` bytes of objects takes from the pool: a
 * static pool hands out whole units (the area grows to the end of the last). */
static size_t page_bytes(const vm_pool *pool, uint32_t area) {
  size_t bytes = sizeof(vm_page) + area;
  return pool->region ? (bytes + VM_UNIT - 1) / VM_UNIT * VM_UNIT : bytes;
}

/* A page for heap h, if the pool has room for it and still keeps the other
 * heaps' reservations. */
static vm_page *page_new(vm_heap *h, uint32_t area, int large) {
  vm_pool *pool = h->pool;
  size_t bytes = page_bytes(pool, area);
  size_t mine = owed(h, h->committed), after = owed(h, h->committed + bytes);
  size_t others = pool->outstanding > mine ? pool->outstanding - mine : 0;
  if (pool->used + others + bytes > pool->capacity) return NULL;
  vm_page *p;
  if (pool->region) {
    p = region_take(pool, (uint32_t)(bytes / VM_UNIT));
    if (!p) return NULL;
    area = (uint32_t)(bytes - sizeof(vm_page));
  } else if (!large && bytes == VM_PAGE_SIZE) {
    p = pool_take_page(pool);
    if (!p) return NULL;
  } else {
    /* A large page, or a heap's small first page. */
    void *mem = NULL;
    if (posix_memalign(&mem, VM_PAGE_SIZE, bytes) != 0) return NULL;
    p = mem;
  }
  pool->used += bytes;
  pool->outstanding -= mine - after;
  if (pool->used > pool->peak) pool->peak = pool->used;
  h->committed += bytes;
  if (h->committed > h->peak_committed) h->peak_committed = h->committed;
  p->next = NULL;
  p->size = area;
  p->used = 0;
  p->large = (uint16_t)large;
  p->marked = 0;
  return p;
}

static size_t page_cost(const vm_page *p) {
  return sizeof(vm_page) + p->size;
}

/* Gives a page of heap h back to the pool (h's reserve is owed again as
 * far as h drops below it). */
static void page_free(vm_heap *h, vm_page *p) {
  vm_pool *pool = h->pool;
  size_t cost = page_cost(p);
  pool->outstanding += owed(h, h->committed - cost) - owed(h, h->committed);
  h->committed -= cost;
  pool->used -= cost;
  if (pool->region) {
    set_units(pool, (uint32_t)(((uint8_t *)p - pool->region) / VM_UNIT), (uint32_t)(cost / VM_UNIT), VM_UNIT_FREE);
  } else if (is_pool_page(p)) {
    p->next = pool->free_pages;
    pool->free_pages = p;
  } else {
    free(p);
  }
}

void vm_heap_init(vm_heap *h, const void *img, size_t limit, vm_pool *pool) {
  memset(h, 0, sizeof *h);
  h->img = img;
  h->pool = pool;
  const img_image *im = img;
  if (im) {
    h->img_lo = im->base;
    h->img_hi = im->base + im->size;
  }
  h->limit = limit;
  h->next_gc = MIN_NEXT_GC;
}

void vm_heap_free(vm_heap *h) {
  vm_page *p = h->pages;
  while (p) {
    vm_page *n = p->next;
    page_free(h, p);
    p = n;
  }
  h->pages = NULL;
  h->bump_top = h->bump_end = h->bump_start = h->region_end = NULL;
  h->committed = 0;
}

size_t vm_object_size(const vm_heap *h, const obj_header *o) {
  uint32_t words = o->hdr >> HDR_SIZE_SHIFT;
  if (words) return words * sizeof(value);
  uint32_t cls = obj_class(o);
  if (cls == FREE_CLASS_ID) return ((const obj_free *)o)->size;
  const img_class *c = img_class_at(h->img, cls);
  size_t size;
  switch (c->layout) {
    case LAYOUT_INSTANCE: size = sizeof(obj_instance) + sizeof(value) * c->fields; break;
    case LAYOUT_FLOAT: size = sizeof(obj_float); break;
    case LAYOUT_LARGEINT: size = sizeof(obj_largeint); break;
    case LAYOUT_STRING: size = sizeof(obj_bytes) + ((const obj_bytes *)o)->size + 1; break;
    case LAYOUT_BYTES: size = sizeof(obj_bytes) + ((const obj_bytes *)o)->size; break;
    case LAYOUT_ARRAY: size = sizeof(obj_array) + sizeof(value) * ((const obj_array *)o)->length; break;
    case LAYOUT_STACK: size = sizeof(obj_stack) + sizeof(value) * ((const obj_stack *)o)->length; break;
    default: size = 8; break;
  }
  if (size < sizeof(obj_free)) size = sizeof(obj_free);
  return WORD_ALIGN(size);
}

/* The size from the header when it is there (every heap object but huge
 * ones and gaps), without a call. */
static inline size_t object_size(const vm_heap *h, const obj_header *o) {
  uint32_t words = o->hdr >> HDR_SIZE_SHIFT;
  return words ? words * sizeof(value) : vm_object_size(h, o);
}

static int bucket_of(size_t size) {
  size_t b = size / sizeof(value);
  return b < VM_FREE_BUCKETS - 1 ? (int)b : VM_FREE_BUCKETS - 1;
}

/* Free gaps are linked through the word after their header. */
static obj_free **free_next(obj_free *f) {
  return (obj_free **)((uint8_t *)f + sizeof(obj_free));
}

static void make_gap(uint8_t *at, size_t size) {
  obj_free *f = (obj_free *)at;
  f->hdr = FREE_CLASS_ID;
  f->size = (uint32_t)size;
}

static void free_push(vm_heap *h, uint8_t *at, size_t size) {
  make_gap(at, size);
  /* Gaps smaller than header + link stay unlinked: parseable, not reusable
   * until their neighbours die. */
  if (size < sizeof(obj_free) + sizeof(obj_free *)) return;
  obj_free *f = (obj_free *)at;
  int b = bucket_of(size);
  *free_next(f) = h->free[b];
  h->free[b] = f;
  h->free_mask |= 1u << b;
}

/* Takes the gap at *link out of list b. */
static obj_free *unlink_gap(vm_heap *h, int b, obj_free **link) {
  obj_free *f = *link;
  *link = *free_next(f);
  if (!h->free[b]) h->free_mask &= ~(1u << b);
  return f;
}

/* One object off a gap that fits: exact fit first, then split a bigger gap
 * (the test modes allocate this way, one object at a time). */
static void *take_from_free(vm_heap *h, size_t size) {
  int b = bucket_of(size);
  for (int i = b; i < VM_FREE_BUCKETS; i++) {
    if (!(h->free_mask & (1u << i))) continue;
    obj_free **link = &h->free[i];
    while (*link) {
      obj_free *f = *link;
      size_t fsize = f->size;
      if (fsize == size || (fsize > size && fsize - size >= sizeof(obj_free))) {
        unlink_gap(h, i, link);
        if (fsize != size) free_push(h, (uint8_t *)f + size, fsize - size);
        return f;
      }
      if (i < VM_FREE_BUCKETS - 1) break; /* a whole bucket has one size */
      link = free_next(f);
    }
  }
  return NULL;
}

/* The biggest gap that holds `size` bytes, out of its list: the next bump
 * region. Small buckets hold one size each; the last holds sizes above. */
static obj_free *take_gap(vm_heap *h, size_t size) {
  uint32_t mask = h->free_mask & ~((1u << bucket_of(size)) - 1u);
  while (mask) {
    int i = 31 - __builtin_clz(mask);
    obj_free **link = &h->free[i];
    while (*link) {
      if ((*link)->size >= size) return unlink_gap(h, i, link);
      link = free_next(*link);
    }
    mask &= ~(1u << i);
  }
  return NULL;
}

/* Adds the bytes bumped since bump_start to `allocated`. */
static void account(vm_heap *h) {
  h->allocated += (size_t)(h->bump_top - h->bump_start);
  h->bump_start = h->bump_top;
}

/* The fast path's bound: the region's end, or less so that `allocated`
 * reaches next_gc no later than it would allocation by allocation. */
static void clamp(vm_heap *h) {
  size_t room = h->next_gc > h->allocated ? h->next_gc - h->allocated : 0;
  uint8_t *e = h->region_end;
  if ((size_t)(e - h->bump_top) > room) e = h->bump_top + room;
  h->bump_end = e;
}

/* Turns what is left of the bump region into a free gap (so that the page
 * stays parseable) and empties the region. */
static void seal_bump(vm_heap *h) {
  account(h);
  if (h->bump_top && h->bump_top < h->region_end) free_push(h, h->bump_top, (size_t)(h->region_end - h->bump_top));
  h->bump_top = h->bump_end = h->bump_start = h->region_end = NULL;
}

/* The test modes must see every allocation, so they never bump. */
static int may_bump(const vm_heap *h) {
  return !h->stress && h->fail_countdown <= 0;
}

static void set_bump(vm_heap *h, uint8_t *at, size_t size) {
  seal_bump(h);
  h->bump_top = h->bump_start = at;
  h->region_end = at + size;
  clamp(h);
}

/* Bump-allocates *size bytes; with 4-byte words a 4-byte tail (too small
 * for a gap header) is given to the object. */
static void *bump(vm_heap *h, size_t *size) {
  size_t avail = (size_t)(h->region_end - h->bump_top);
  if (!h->bump_top || avail < *size) return NULL;
  if (avail - *size < sizeof(obj_free)) *size = avail;
  void *r = h->bump_top;
  h->bump_top += *size;
  h->bump_start = h->bump_top; /* counted by the slow path itself */
  return r;
}

static int add_page(vm_heap *h, size_t size) {
  int large = size > VM_PAGE_SIZE - sizeof(vm_page);
  uint32_t area = large ? (uint32_t)size : (uint32_t)(VM_PAGE_SIZE - sizeof(vm_page));
  if (!h->pages && size <= VM_FIRST_PAGE_SIZE - sizeof(vm_page))
    area = (uint32_t)(VM_FIRST_PAGE_SIZE - sizeof(vm_page));
  if (h->committed + page_bytes(h->pool, area) > h->limit) return 0;
  vm_page *p = page_new(h, area, large);
  if (!p) return 0;
  p->next = h->pages;
  h->pages = p;
  if (!large) {
    p->used = p->size; /* the whole area is the bump region or a gap */
    if (may_bump(h)) set_bump(h, p->data, p->size);
    else free_push(h, p->data, p->size);
  }
  return 1;
}

static void *try_alloc(vm_heap *h, size_t *size) {
  if (*size > VM_PAGE_SIZE - sizeof(vm_page)) {
    if (!add_page(h, *size)) return NULL;
    vm_page *p = h->pages;
    p->used = (uint32_t)*size;
    return p->data;
  }
  void *r = bump(h, size);
  if (r) return r;
  if (!may_bump(h)) return take_from_free(h, *size);
  /* The biggest gap that fits becomes the bump region: allocation bumps
   * through the gaps the sweep left instead of taking objects off them one
   * slow call at a time. */
  obj_free *g = take_gap(h, *size);
  if (!g) return NULL;
  set_bump(h, (uint8_t *)g, g->size);
  return bump(h, size);
}

void *vm_heap_alloc_slow(vm_heap *h, uint32_t cls, size_t size) {
  size = WORD_ALIGN(size < sizeof(obj_free) ? sizeof(obj_free) : size);
  if (h->fail_countdown > 0 && --h->fail_countdown == 0) return NULL;
  account(h);
  if (h->stress) vm_heap_collect(h);
  else if (h->allocated + size > h->next_gc) vm_heap_collect(h);
  void *r = try_alloc(h, &size);
  if (!r && size <= VM_PAGE_SIZE - sizeof(vm_page) && add_page(h, size)) r = try_alloc(h, &size);
  if (!r) {
    vm_heap_collect(h);
    r = try_alloc(h, &size);
    if (!r && size <= VM_PAGE_SIZE - sizeof(vm_page) && add_page(h, size)) r = try_alloc(h, &size);
    if (!r) return NULL;
  }
  h->allocated += size;
  if (h->bump_top) clamp(h);
  memset(r, 0, size);
  uint32_t words = (uint32_t)(size / sizeof(value));
  ((obj_header *)r)->hdr = cls | ((words <= HDR_SIZE_MAX ? words : 0) << HDR_SIZE_SHIFT);
  return r;
}

/* ---- Marking ---- */

static inline vm_page *page_of(const vm_pool *pool, const obj_header *o) {
  if (pool->region) {
    uint32_t u = (uint32_t)(((const uint8_t *)o - pool->region) / VM_UNIT);
    return (vm_page *)(pool->region + (size_t)pool->unit_start[u] * VM_UNIT);
  }
  return (vm_page *)((uintptr_t)o & ~(uintptr_t)(VM_PAGE_SIZE - 1));
}

static void mark_value(vm_heap *h, value v) {
  if (!is_obj(v) || !vm_heap_contains(h, v)) return;
  obj_header *o = as_obj(v);
  if (o->hdr & HDR_MARK) return;
  o->hdr |= HDR_MARK;
  page_of(h->pool, o)->marked = 1;
  if (h->mark_top < h->pool->mark_cap) {
    h->pool->mark_stack[h->mark_top++] = o;
  } else {
    o->hdr |= HDR_GREY;
    h->mark_overflow = 1;
  }
}

static void visit_root(vm_heap *h, value *slot) {
  mark_value(h, *slot);
}

static void scan_object(vm_heap *h, obj_header *o) {
  const img_class *c = img_class_at(h->img, obj_class(o));
  switch (c->layout) {
    case LAYOUT_INSTANCE: {
      obj_instance *inst = (obj_instance *)o;
      for (uint32_t i = 0; i < c->fields; i++) mark_value(h, inst->fields[i]);
      break;
    }
    case LAYOUT_ARRAY: {
      obj_array *a = (obj_array *)o;
      for (uint32_t i = 0; i < a->length; i++) mark_value(h, a->elems[i]);
      break;
    }
    case LAYOUT_STACK: {
      obj_stack *s = (obj_stack *)o;
      for (uint32_t i = 0; i < s->top; i++) mark_value(h, s->slots[i]);
      break;
    }
    default: break;
  }
}

static void drain(vm_heap *h) {
  for (;;) {
    while (h->mark_top > 0) scan_object(h, h->pool->mark_stack[--h->mark_top]);
    if (!h->mark_overflow) return;
    /* The mark stack overflowed: rescan the heap for grey objects. */
    h->mark_overflow = 0;
    for (vm_page *p = h->pages; p; p = p->next) {
      uint8_t *at = p->data, *end = p->data + p->used;
      while (at < end) {
        obj_header *o = (obj_header *)at;
        size_t size = vm_object_size(h, o);
        if (o->hdr & HDR_GREY) {
          o->hdr &= ~HDR_GREY;
          scan_object(h, o);
          while (h->mark_top > 0) scan_object(h, h->pool->mark_stack[--h->mark_top]);
        }
        at += size;
      }
    }
  }
}

/* ---- Sweeping ---- */

/* Pages with nothing marked are not parsed, only returned to the pool. The
 * others are walked: live objects are unmarked, runs of dead objects and
 * gaps become one gap. */
static void sweep(vm_heap *h) {
  memset(h->free, 0, sizeof h->free);
  h->free_mask = 0;
  size_t live = 0;
  vm_page **link = &h->pages;
  while (*link) {
    vm_page *p = *link;
    if (!p->marked) {
      *link = p->next;
      page_free(h, p);
      continue;
    }
    p->marked = 0;
    uint8_t *at = p->data, *end = p->data + p->used;
    uint8_t *gap = NULL;
    while (at < end) {
      obj_header *o = (obj_header *)at;
      /* Most dead objects are floats: a predicted branch on their size lets
       * the CPU start on the next header before this one arrives, instead
       * of chasing sizes from header to header. */
      size_t size;
      if (__builtin_expect((o->hdr >> HDR_SIZE_SHIFT) == sizeof(obj_float) / sizeof(value), 1))
        size = sizeof(obj_float);
      else
        size = object_size(h, o);
      if (obj_class(o) != FREE_CLASS_ID && (o->hdr & HDR_MARK)) {
        o->hdr &= ~(HDR_MARK | HDR_GREY);
        live += size;
        if (gap) {
          free_push(h, gap, (size_t)(at - gap));
          gap = NULL;
        }
      } else if (!gap) {
        gap = at;
      }
      at += size;
    }
    if (gap) free_push(h, gap, (size_t)(end - gap));
    link = &p->next;
  }
  h->live = live;
}

void vm_heap_collect(vm_heap *h) {
  h->gc_count++;
  seal_bump(h); /* pages must parse; the sweep rebuilds the free lists anyway */
  h->mark_top = 0;
  vm_pool *pool = h->pool;
  if (!pool->mark_stack) {
    /* Shared by every heap of the pool; without it marking still works,
     * through the overflow rescan, only slower. */
    pool->mark_stack = malloc(sizeof(obj_header *) * MARK_STACK_CAP);
    if (pool->mark_stack) pool->mark_cap = MARK_STACK_CAP;
  }
  h->mark_overflow = 0;
  if (h->scan_roots) h->scan_roots(h, h->roots_ctx, visit_root);
  drain(h);
  sweep(h);
  h->allocated = 0;
  h->next_gc = h->live > MIN_NEXT_GC ? h->live : MIN_NEXT_GC;
}
