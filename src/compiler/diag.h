/* Source files and diagnostics: every compiler error and warning goes through
 * here, printed as `file:line:col: error: message`, the source line, and a
 * caret line (`^~~~` under the offending range). */
#ifndef TOIT_COMPILER_DIAG_H
#define TOIT_COMPILER_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
  const char *path;   /* as given by the user (printed in messages) */
  const char *text;   /* UTF-8 bytes, NUL-terminated */
  uint32_t size;
  uint32_t *line_starts; /* byte offset of each line's first byte */
  uint32_t line_count;
  uint32_t hint;      /* the line of the last lookup (lookups come mostly in order) */
  int id;             /* index in the compilation's file table */
} src_file;

/* A source range: [offset, offset + length) in file `file`. line/col are
 * 1-based; col counts bytes. */
typedef struct {
  int16_t file;
  uint16_t col;
  uint32_t line;
  uint32_t offset;
  uint32_t length;
} src_loc;

typedef struct {
  src_loc loc;
  char *text;        /* the whole formatted diagnostic, excerpt included */
  int seq;
} diag_entry;

/* Diagnostics are collected and printed in source order by diag_flush (the
 * scanner runs ahead of the parser, so they are not found in order). */
typedef struct {
  diag_entry *entries;
  int entry_count, entry_cap;
  src_file **files;
  int file_count;
  int file_cap;
  int errors;
  int warnings;
  int max_errors;      /* stop reporting (but keep counting) beyond this */
  FILE *out;           /* where diagnostics go (stderr by default) */
  int suppress_warnings;
} diag_ctx;

void diag_init(diag_ctx *d, FILE *out);
/* Prints the collected diagnostics, sorted by file and position. */
void diag_flush(diag_ctx *d);
void diag_free(diag_ctx *d);

/* Registers a file (copies nothing: text must outlive d). Returns its id. */
src_file *diag_add_file(diag_ctx *d, const char *path, const char *text, uint32_t size);

/* Computes line/col for a byte offset in file `file`. */
src_loc diag_loc(diag_ctx *d, int file, uint32_t offset, uint32_t length);

void diag_error(diag_ctx *d, src_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_warning(diag_ctx *d, src_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_verror(diag_ctx *d, src_loc loc, const char *kind, const char *fmt, va_list ap);

#endif
