/* Builds an image (the compiler's back end writes through this). Everything
 * is appended in order; img_writer_finish lays out the sections, computes
 * the checksum and returns the bytes. */
#ifndef TOIT_IMAGE_WRITER_H
#define TOIT_IMAGE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/image.h"

typedef struct {
  uint8_t *data;
  size_t size, cap;
} img_buf;

void img_buf_put(img_buf *b, const void *p, size_t n);
void img_buf_u8(img_buf *b, uint8_t v);
void img_buf_u16(img_buf *b, uint16_t v);
void img_buf_u32(img_buf *b, uint32_t v);
void img_buf_align(img_buf *b, size_t a);
void img_buf_free(img_buf *b);

typedef struct {
  uint16_t bci, col;
  uint32_t line;
} img_line_entry;

typedef struct img_writer img_writer;

img_writer *img_writer_new(void);
void img_writer_free(img_writer *w);

uint32_t img_writer_string(img_writer *w, uint16_t cls, const char *bytes, uint32_t size);
uint32_t img_writer_bytes(img_writer *w, uint16_t cls, const uint8_t *bytes, uint32_t size);
uint32_t img_writer_float(img_writer *w, uint16_t cls, double d);
uint32_t img_writer_largeint(img_writer *w, uint16_t cls, int64_t i);
uint32_t img_writer_plain(img_writer *w, uint16_t cls);
/* Returns the constant index of an object offset (deduplicated). */
uint16_t img_writer_const(img_writer *w, uint32_t object);

uint32_t img_writer_name(img_writer *w, const char *s);
void img_writer_selector_name(img_writer *w, uint16_t offset, const char *name);
void img_writer_class(img_writer *w, uint16_t super, uint16_t end, uint16_t fields, uint8_t layout,
                      uint8_t flags, const char *name);
/* Methods are appended in index order. */
void img_writer_method(img_writer *w, uint8_t arity, uint8_t kind, uint16_t max_height,
                       uint16_t selector, const uint8_t *bc, uint16_t length, const char *name,
                       const char *holder, int file, const img_line_entry *lines, int line_count);
int img_writer_file(img_writer *w, const char *path);
void img_writer_dispatch(img_writer *w, const uint16_t *entries, uint32_t count);
void img_writer_global(img_writer *w, uint16_t init, uint16_t flags);
uint16_t img_writer_prim(img_writer *w, const char *name, uint8_t arity);

void img_writer_roots(img_writer *w, const uint16_t *classes, const uint32_t *objects,
                      const uint16_t *selectors, uint16_t main_method);

/* Lays out the image. With debug false the DEBUG section is empty. */
uint8_t *img_writer_finish(img_writer *w, bool debug, size_t *size);

#endif
