#include "compiler/diag.h"

#include <stdlib.h>
#include <string.h>

void diag_init(diag_ctx *d, FILE *out) {
  memset(d, 0, sizeof *d);
  d->out = out ? out : stderr;
  d->max_errors = 20;
}

static int entry_order(const void *a, const void *b) {
  const diag_entry *x = a, *y = b;
  if (x->loc.file != y->loc.file) return x->loc.file - y->loc.file;
  if (x->loc.offset != y->loc.offset) return x->loc.offset < y->loc.offset ? -1 : 1;
  return x->seq - y->seq;
}

void diag_flush(diag_ctx *d) {
  if (d->entry_count > 1) qsort(d->entries, (size_t)d->entry_count, sizeof(diag_entry), entry_order);
  for (int i = 0; i < d->entry_count; i++) {
    fputs(d->entries[i].text, d->out);
    free(d->entries[i].text);
  }
  d->entry_count = 0;
}

void diag_free(diag_ctx *d) {
  diag_flush(d);
  free(d->entries);
  for (int i = 0; i < d->file_count; i++) {
    free(d->files[i]->line_starts);
    free(d->files[i]);
  }
  free(d->files);
  memset(d, 0, sizeof *d);
}

src_file *diag_add_file(diag_ctx *d, const char *path, const char *text, uint32_t size) {
  src_file *f = calloc(1, sizeof *f);
  if (!f) abort();
  f->path = path;
  f->text = text;
  f->size = size;
  uint32_t cap = 64;
  f->line_starts = malloc(sizeof(uint32_t) * cap);
  f->line_starts[f->line_count++] = 0;
  for (uint32_t i = 0; i < size; i++) {
    bool nl = text[i] == '\n' || (text[i] == '\r' && !(i + 1 < size && text[i + 1] == '\n'));
    if (!nl) continue;
    if (f->line_count == cap) {
      cap *= 2;
      f->line_starts = realloc(f->line_starts, sizeof(uint32_t) * cap);
    }
    f->line_starts[f->line_count++] = i + 1;
  }
  if (d->file_count == d->file_cap) {
    d->file_cap = d->file_cap ? d->file_cap * 2 : 8;
    d->files = realloc(d->files, sizeof(src_file *) * (size_t)d->file_cap);
  }
  f->id = d->file_count;
  d->files[d->file_count++] = f;
  return f;
}

src_loc diag_loc(diag_ctx *d, int file, uint32_t offset, uint32_t length) {
  src_loc loc = {(int16_t)file, 1, 1, offset, length};
  if (file < 0 || file >= d->file_count) return loc;
  src_file *f = d->files[file];
  uint32_t lo = 0, hi = f->line_count;
  uint32_t h = f->hint < f->line_count ? f->hint : 0;
  if (f->line_starts[h] <= offset) {
    /* Most lookups fall on the hinted line or one of the next two. */
    for (uint32_t k = h; k < h + 3 && k < f->line_count; k++) {
      if (k + 1 == f->line_count || f->line_starts[k + 1] > offset) {
        lo = k;
        hi = k + 1;
        break;
      }
    }
    if (hi - lo > 1) lo = h;
  }
  while (hi - lo > 1) {
    uint32_t mid = (lo + hi) / 2;
    if (f->line_starts[mid] <= offset) lo = mid;
    else hi = mid;
  }
  f->hint = lo;
  loc.line = lo + 1;
  loc.col = (uint16_t)(offset - f->line_starts[lo] + 1);
  return loc;
}

void diag_verror(diag_ctx *d, src_loc loc, const char *kind, const char *fmt, va_list ap) {
  bool is_error = strcmp(kind, "error") == 0;
  if (is_error) d->errors++;
  else d->warnings++;
  if (is_error && d->errors > d->max_errors) return;
  if (!is_error && d->suppress_warnings) return;
  char *buf = NULL;
  size_t size = 0;
  FILE *out = open_memstream(&buf, &size);
  if (!out) return;
  src_file *f = loc.file >= 0 && loc.file < d->file_count ? d->files[loc.file] : NULL;
  if (f) fprintf(out, "%s:%u:%u: %s: ", f->path, loc.line, loc.col, kind);
  else fprintf(out, "%s: ", kind);
  vfprintf(out, fmt, ap);
  fputc('\n', out);
  if (f && loc.line > 0 && loc.line <= f->line_count) {
    uint32_t start = f->line_starts[loc.line - 1], end = start;
    while (end < f->size && f->text[end] != '\n' && f->text[end] != '\r') end++;
    fprintf(out, "%.*s\n", (int)(end - start), f->text + start);
    uint32_t col = loc.col ? loc.col - 1u : 0;
    for (uint32_t i = 0; i < col && start + i < end; i++) fputc(f->text[start + i] == '\t' ? '\t' : ' ', out);
    fputc('^', out);
    uint32_t len = loc.length;
    if (start + col + len > end) len = end > start + col ? end - start - col : 1;
    for (uint32_t i = 1; i < len; i++) fputc('~', out);
    fputc('\n', out);
  }
  fclose(out);
  if (d->entry_count == d->entry_cap) {
    d->entry_cap = d->entry_cap ? d->entry_cap * 2 : 16;
    d->entries = realloc(d->entries, sizeof(diag_entry) * (size_t)d->entry_cap);
    if (!d->entries) abort();
  }
  d->entries[d->entry_count] = (diag_entry){loc, buf, d->entry_count};
  d->entry_count++;
}

void diag_error(diag_ctx *d, src_loc loc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  diag_verror(d, loc, "error", fmt, ap);
  va_end(ap);
}

void diag_warning(diag_ctx *d, src_loc loc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  diag_verror(d, loc, "warning", fmt, ap);
  va_end(ap);
}
