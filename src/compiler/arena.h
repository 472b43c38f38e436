/* A bump allocator for compiler data (AST, symbols, code buffers). Everything
 * allocated from an arena is freed at once with arena_free. */
#ifndef TOIT_COMPILER_ARENA_H
#define TOIT_COMPILER_ARENA_H

#include <stddef.h>

typedef struct arena_chunk arena_chunk;
typedef struct {
  arena_chunk *chunks;
  size_t total;
} arena;

void arena_init(arena *a);
void arena_free(arena *a);
/* Returns zeroed memory aligned to 16 bytes; aborts on host OOM. */
void *arena_alloc(arena *a, size_t size);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Growable array of pointers, arena-backed. */
typedef struct {
  void **items;
  int count;
  int cap;
} ptr_vec;
void ptr_vec_push(arena *a, ptr_vec *v, void *item);

#endif
