#include "compiler/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
  arena_chunk *next;
  size_t used, cap;
  _Alignas(16) unsigned char data[];
};

void arena_init(arena *a) {
  a->chunks = NULL;
  a->total = 0;
}

void arena_free(arena *a) {
  arena_chunk *c = a->chunks;
  while (c) {
    arena_chunk *n = c->next;
    free(c);
    c = n;
  }
  a->chunks = NULL;
  a->total = 0;
}

void *arena_alloc(arena *a, size_t size) {
  size = (size + 15) & ~(size_t)15;
  arena_chunk *c = a->chunks;
  if (!c || c->used + size > c->cap) {
    size_t cap = size > 60000 ? size : 64 * 1024 - sizeof(arena_chunk);
    c = malloc(sizeof(arena_chunk) + cap);
    if (!c) {
      fprintf(stderr, "toit: out of memory in the compiler\n");
      abort();
    }
    c->cap = cap;
    c->used = 0;
    c->next = a->chunks;
    a->chunks = c;
  }
  void *p = c->data + c->used;
  c->used += size;
  a->total += size;
  memset(p, 0, size);
  return p;
}

char *arena_strndup(arena *a, const char *s, size_t n) {
  char *p = arena_alloc(a, n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *arena_strdup(arena *a, const char *s) {
  return arena_strndup(a, s, strlen(s));
}

char *arena_printf(arena *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *p = arena_alloc(a, (size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

void ptr_vec_push(arena *a, ptr_vec *v, void *item) {
  if (v->count == v->cap) {
    int cap = v->cap ? v->cap * 2 : 8;
    void **items = arena_alloc(a, sizeof(void *) * (size_t)cap);
    if (v->count) memcpy(items, v->items, sizeof(void *) * (size_t)v->count);
    v->items = items;
    v->cap = cap;
  }
  v->items[v->count++] = item;
}
