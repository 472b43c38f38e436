#include "image/writer.h"

#include <stdlib.h>
#include <string.h>

#include "image/opcodes.h"

void img_buf_put(img_buf *b, const void *p, size_t n) {
  if (b->size + n > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap < b->size + n) cap *= 2;
    uint8_t *d = realloc(b->data, cap);
    if (!d) abort();
    b->data = d;
    b->cap = cap;
  }
  if (n) memcpy(b->data + b->size, p, n);
  b->size += n;
}
void img_buf_u8(img_buf *b, uint8_t v) {
  img_buf_put(b, &v, 1);
}
void img_buf_u16(img_buf *b, uint16_t v) {
  uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  img_buf_put(b, x, 2);
}
void img_buf_u32(img_buf *b, uint32_t v) {
  uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  img_buf_put(b, x, 4);
}
void img_buf_align(img_buf *b, size_t a) {
  static const uint8_t zeros[16];
  while (b->size % a) img_buf_put(b, zeros, 1);
}
void img_buf_free(img_buf *b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}

/* Byte-string -> u32 map (interning of objects, names and primitives). */
typedef struct {
  char *key;
  size_t key_size;
  uint32_t value;
  uint32_t hash;
} dedup_entry;

typedef struct {
  dedup_entry *items;   /* open addressing; key NULL = empty */
  int count, cap;
} dedup;

static uint32_t dedup_hash(const void *key, size_t n) {
  const uint8_t *p = key;
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static int dedup_find(dedup *d, const void *key, size_t n) {
  if (!d->cap) return -1;
  uint32_t h = dedup_hash(key, n);
  for (uint32_t i = h & (uint32_t)(d->cap - 1);; i = (i + 1) & (uint32_t)(d->cap - 1)) {
    dedup_entry *e = &d->items[i];
    if (!e->key) return -1;
    if (e->hash == h && e->key_size == n && memcmp(e->key, key, n) == 0) return (int)i;
  }
}

static void dedup_insert(dedup *d, char *key, size_t n, uint32_t value, uint32_t h) {
  for (uint32_t i = h & (uint32_t)(d->cap - 1);; i = (i + 1) & (uint32_t)(d->cap - 1)) {
    if (!d->items[i].key) {
      d->items[i] = (dedup_entry){key, n, value, h};
      return;
    }
  }
}

static void dedup_add(dedup *d, const void *key, size_t n, uint32_t value) {
  if (2 * (d->count + 1) > d->cap) {
    dedup old = *d;
    d->cap = d->cap ? d->cap * 2 : 64;
    d->items = calloc((size_t)d->cap, sizeof(dedup_entry));
    if (!d->items) abort();
    for (int i = 0; i < old.cap; i++)
      if (old.items[i].key) dedup_insert(d, old.items[i].key, old.items[i].key_size, old.items[i].value, old.items[i].hash);
    free(old.items);
  }
  char *copy = malloc(n ? n : 1);
  if (!copy) abort();
  memcpy(copy, key, n);
  dedup_insert(d, copy, n, value, dedup_hash(key, n));
  d->count++;
}

static void dedup_free(dedup *d) {
  for (int i = 0; i < d->cap; i++) free(d->items[i].key);
  free(d->items);
}

struct img_writer {
  img_buf objects, consts, classes, methods, code, dispatch, globals, prims, names_data, sel_names,
      roots;
  dedup object_dedup, const_dedup, name_dedup, prim_dedup;
  uint32_t const_count, sel_count;
  uint16_t prim_count;
  /* Debug info. */
  img_buf dbg_data, dbg_methods, dbg_lines;
  dedup dbg_dedup;
  char **files;
  int file_count;
  uint32_t method_count;
};

img_writer *img_writer_new(void) {
  img_writer *w = calloc(1, sizeof *w);
  if (!w) abort();
  img_buf_u8(&w->code, OP_HALT);
  img_buf_u8(&w->names_data, 0); /* offset 0: the empty name */
  img_buf_u8(&w->dbg_data, 0);
  return w;
}

void img_writer_free(img_writer *w) {
  if (!w) return;
  img_buf *bufs[] = {&w->objects, &w->consts, &w->classes, &w->methods, &w->code, &w->dispatch,
                     &w->globals, &w->prims, &w->names_data, &w->sel_names, &w->roots,
                     &w->dbg_data, &w->dbg_methods, &w->dbg_lines};
  for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) img_buf_free(bufs[i]);
  dedup_free(&w->object_dedup);
  dedup_free(&w->const_dedup);
  dedup_free(&w->name_dedup);
  dedup_free(&w->prim_dedup);
  dedup_free(&w->dbg_dedup);
  for (int i = 0; i < w->file_count; i++) free(w->files[i]);
  free(w->files);
  free(w);
}

/* Objects are deduplicated by their exact bytes (string interning). */
static uint32_t add_object(img_writer *w, const uint8_t *bytes, size_t n) {
  int i = dedup_find(&w->object_dedup, bytes, n);
  if (i >= 0) return w->object_dedup.items[i].value;
  img_buf_align(&w->objects, 8);
  uint32_t off = (uint32_t)w->objects.size;
  img_buf_put(&w->objects, bytes, n);
  img_buf_align(&w->objects, 8);
  dedup_add(&w->object_dedup, bytes, n, off);
  return off;
}

static uint32_t add_sized(img_writer *w, uint16_t cls, const void *bytes, uint32_t size, int nul) {
  size_t n = 8 + size + (size_t)nul;
  uint8_t *tmp = calloc(1, n);
  if (!tmp) abort();
  tmp[0] = (uint8_t)cls;
  tmp[1] = (uint8_t)(cls >> 8);
  tmp[4] = (uint8_t)size;
  tmp[5] = (uint8_t)(size >> 8);
  tmp[6] = (uint8_t)(size >> 16);
  tmp[7] = (uint8_t)(size >> 24);
  if (size) memcpy(tmp + 8, bytes, size);
  uint32_t off = add_object(w, tmp, n);
  free(tmp);
  return off;
}

uint32_t img_writer_string(img_writer *w, uint16_t cls, const char *bytes, uint32_t size) {
  return add_sized(w, cls, bytes, size, 1);
}
uint32_t img_writer_bytes(img_writer *w, uint16_t cls, const uint8_t *bytes, uint32_t size) {
  return add_sized(w, cls, bytes, size, 0);
}
uint32_t img_writer_float(img_writer *w, uint16_t cls, double d) {
  uint8_t tmp[16] = {(uint8_t)cls, (uint8_t)(cls >> 8)};
  memcpy(tmp + 8, &d, 8);
  return add_object(w, tmp, 16);
}
uint32_t img_writer_largeint(img_writer *w, uint16_t cls, int64_t i) {
  uint8_t tmp[16] = {(uint8_t)cls, (uint8_t)(cls >> 8)};
  memcpy(tmp + 8, &i, 8);
  return add_object(w, tmp, 16);
}
uint32_t img_writer_plain(img_writer *w, uint16_t cls) {
  /* Never deduplicated: true and false are distinct objects of one class. */
  img_buf_align(&w->objects, 8);
  uint32_t off = (uint32_t)w->objects.size;
  img_buf_u32(&w->objects, cls);
  img_buf_u32(&w->objects, 0);
  return off;
}

uint16_t img_writer_const(img_writer *w, uint32_t object) {
  int i = dedup_find(&w->const_dedup, &object, sizeof object);
  if (i >= 0) return (uint16_t)w->const_dedup.items[i].value;
  uint16_t index = (uint16_t)w->const_count++;
  img_buf_u32(&w->consts, object);
  dedup_add(&w->const_dedup, &object, sizeof object, index);
  return index;
}

uint32_t img_writer_name(img_writer *w, const char *s) {
  size_t n = strlen(s);
  int i = dedup_find(&w->name_dedup, s, n);
  if (i >= 0) return w->name_dedup.items[i].value;
  uint32_t off = (uint32_t)w->names_data.size;
  img_buf_put(&w->names_data, s, n + 1);
  dedup_add(&w->name_dedup, s, n, off);
  return off;
}

void img_writer_selector_name(img_writer *w, uint16_t offset, const char *name) {
  img_buf_u16(&w->sel_names, offset);
  img_buf_u16(&w->sel_names, 0);
  img_buf_u32(&w->sel_names, img_writer_name(w, name));
  w->sel_count++;
}

void img_writer_class(img_writer *w, uint16_t super, uint16_t end, uint16_t fields, uint8_t layout,
                      uint8_t flags, const char *name) {
  img_buf_u16(&w->classes, super);
  img_buf_u16(&w->classes, end);
  img_buf_u16(&w->classes, fields);
  img_buf_u8(&w->classes, layout);
  img_buf_u8(&w->classes, flags);
  img_buf_u32(&w->classes, img_writer_name(w, name));
}

static uint32_t dbg_string(img_writer *w, const char *s) {
  size_t n = strlen(s);
  int i = dedup_find(&w->dbg_dedup, s, n);
  if (i >= 0) return w->dbg_dedup.items[i].value;
  uint32_t off = (uint32_t)w->dbg_data.size;
  img_buf_put(&w->dbg_data, s, n + 1);
  dedup_add(&w->dbg_dedup, s, n, off);
  return off;
}

int img_writer_file(img_writer *w, const char *path) {
  for (int i = 0; i < w->file_count; i++)
    if (strcmp(w->files[i], path) == 0) return i;
  w->files = realloc(w->files, sizeof(char *) * (size_t)(w->file_count + 1));
  if (!w->files) abort();
  w->files[w->file_count] = strdup(path);
  return w->file_count++;
}

void img_writer_method(img_writer *w, uint8_t arity, uint8_t kind, uint16_t max_height,
                       uint16_t selector, const uint8_t *bc, uint16_t length, const char *name,
                       const char *holder, int file, const img_line_entry *lines, int line_count) {
  img_buf_u32(&w->methods, (uint32_t)w->code.size);
  img_buf_u8(&w->code, arity);
  img_buf_u8(&w->code, kind);
  img_buf_u16(&w->code, max_height);
  img_buf_u16(&w->code, selector);
  img_buf_u16(&w->code, length);
  img_buf_put(&w->code, bc, length);
  /* Debug: name, holder, line table (offsets fixed up in finish: relative
   * to the line-table buffer, marked by the high bit). */
  img_buf_u32(&w->dbg_methods, dbg_string(w, name ? name : "?"));
  img_buf_u32(&w->dbg_methods, holder ? dbg_string(w, holder) : 0xffffffffu);
  if (file >= 0) {
    img_buf_u32(&w->dbg_methods, (uint32_t)w->dbg_lines.size);
    img_buf_u16(&w->dbg_lines, (uint16_t)file);
    img_buf_u16(&w->dbg_lines, (uint16_t)line_count);
    for (int i = 0; i < line_count; i++) {
      img_buf_u16(&w->dbg_lines, lines[i].bci);
      img_buf_u16(&w->dbg_lines, lines[i].col);
      img_buf_u32(&w->dbg_lines, lines[i].line);
    }
  } else {
    img_buf_u32(&w->dbg_methods, 0xffffffffu);
  }
  w->method_count++;
}

void img_writer_dispatch(img_writer *w, const uint16_t *entries, uint32_t count) {
  for (uint32_t i = 0; i < count; i++) img_buf_u16(&w->dispatch, entries[i]);
}

void img_writer_global(img_writer *w, uint16_t init, uint16_t flags) {
  img_buf_u16(&w->globals, init);
  img_buf_u16(&w->globals, flags);
}

uint16_t img_writer_prim(img_writer *w, const char *name, uint8_t arity) {
  size_t n = strlen(name);
  int i = dedup_find(&w->prim_dedup, name, n);
  if (i >= 0) return (uint16_t)w->prim_dedup.items[i].value;
  img_buf_u32(&w->prims, img_writer_name(w, name));
  img_buf_u32(&w->prims, arity);
  dedup_add(&w->prim_dedup, name, n, w->prim_count);
  return w->prim_count++;
}

void img_writer_roots(img_writer *w, const uint16_t *classes, const uint32_t *objects,
                      const uint16_t *selectors, uint16_t main_method) {
  w->roots.size = 0;
  for (int i = 0; i < IMG_CLASS_ROOT_COUNT; i++) img_buf_u16(&w->roots, classes[i]);
  for (int i = 0; i < IMG_OBJECT_ROOT_COUNT; i++) img_buf_u32(&w->roots, objects[i]);
  for (int i = 0; i < IMG_SELECTOR_ROOT_COUNT; i++) img_buf_u16(&w->roots, selectors[i]);
  img_buf_u16(&w->roots, main_method);
  img_buf_u16(&w->roots, (uint16_t)(w->globals.size / 4));
}

uint8_t *img_writer_finish(img_writer *w, bool debug, size_t *size) {
  img_buf names = {0};
  img_buf_u32(&names, w->sel_count);
  /* Selector entries point into the name data, which follows them. */
  uint32_t base = 4 + (uint32_t)w->sel_names.size;
  for (uint32_t i = 0; i < w->sel_count; i++) {
    const uint8_t *e = w->sel_names.data + 8 * i;
    img_buf_put(&names, e, 4);
    img_buf_u32(&names, img_rd32(e + 4) + base);
  }
  img_buf_put(&names, w->names_data.data, w->names_data.size);
  /* Name offsets in classes and primitives are relative to names_data. */
  for (size_t i = 0; i + 12 <= w->classes.size; i += 12) {
    uint32_t off = img_rd32(w->classes.data + i + 8) + base;
    memcpy(w->classes.data + i + 8, &off, 4);
  }
  for (size_t i = 0; i + 8 <= w->prims.size; i += 8) {
    uint32_t off = img_rd32(w->prims.data + i) + base;
    memcpy(w->prims.data + i, &off, 4);
  }
  img_buf dbg = {0};
  if (debug) {
    /* files, methods (12 bytes each), strings, line tables. */
    uint32_t files_at = 4, methods_at = 4 + 4 * (uint32_t)w->file_count;
    uint32_t data_at = methods_at + 4 + (uint32_t)w->dbg_methods.size;
    uint32_t lines_at = data_at + (uint32_t)w->dbg_data.size;
    for (int i = 0; i < w->file_count; i++) dbg_string(w, w->files[i]);
    lines_at = data_at + (uint32_t)w->dbg_data.size;
    lines_at = (lines_at + 3) & ~3u;
    img_buf_u32(&dbg, (uint32_t)w->file_count);
    for (int i = 0; i < w->file_count; i++) img_buf_u32(&dbg, dbg_string(w, w->files[i]) + data_at);
    (void)files_at;
    img_buf_u32(&dbg, w->method_count);
    for (uint32_t i = 0; i < w->method_count; i++) {
      const uint8_t *e = w->dbg_methods.data + 12 * i;
      uint32_t holder = img_rd32(e + 4), lines = img_rd32(e + 8);
      img_buf_u32(&dbg, img_rd32(e) + data_at);
      img_buf_u32(&dbg, holder == 0xffffffffu ? holder : holder + data_at);
      img_buf_u32(&dbg, lines == 0xffffffffu ? lines : lines + lines_at);
    }
    img_buf_put(&dbg, w->dbg_data.data, w->dbg_data.size);
    img_buf_align(&dbg, 4);
    img_buf_put(&dbg, w->dbg_lines.data, w->dbg_lines.size);
    img_buf_u8(&dbg, 0);
  }
  img_buf *secs[IMG_SEC_COUNT] = {&w->roots, &w->objects, &w->consts, &w->classes, &w->methods,
                                  &w->code, &w->dispatch, &w->globals, &w->prims, &names, &dbg};
  img_buf out = {0};
  uint8_t header[IMG_HEADER_SIZE] = {0};
  img_buf_put(&out, header, sizeof header);
  size_t table_at = out.size;
  for (int i = 0; i < IMG_SEC_COUNT; i++) img_buf_u32(&out, 0), img_buf_u32(&out, 0);
  for (int i = 0; i < IMG_SEC_COUNT; i++) {
    img_buf_align(&out, 8);
    uint32_t off = (uint32_t)out.size, sz = (uint32_t)secs[i]->size;
    img_buf_put(&out, secs[i]->data, secs[i]->size);
    memcpy(out.data + table_at + 8 * i, &off, 4);
    memcpy(out.data + table_at + 8 * i + 4, &sz, 4);
  }
  img_buf_align(&out, 8);
  uint32_t v32 = IMG_MAGIC;
  memcpy(out.data, &v32, 4);
  uint16_t v16 = IMG_VERSION;
  memcpy(out.data + 4, &v16, 2);
  v16 = debug ? IMG_FLAG_DEBUG : 0;
  memcpy(out.data + 6, &v16, 2);
  v32 = (uint32_t)out.size;
  memcpy(out.data + 8, &v32, 4);
  v16 = IMG_SEC_COUNT;
  memcpy(out.data + 16, &v16, 2);
  v32 = img_crc32(out.data + 16, out.size - 16, img_crc32(out.data, 12, 0));
  memcpy(out.data + 12, &v32, 4);
  img_buf_free(&names);
  img_buf_free(&dbg);
  *size = out.size;
  return out.data;
}
