/* The scanner: UTF-8 source -> an array of tokens. Each token knows whether
 * whitespace surrounds it (Toit's attachment rules) and, when it starts a
 * line, that line's indentation (the layout rules). String literals are
 * decoded here; interpolations keep the source range of each expression so
 * the parser can parse it in place. */
#ifndef TOIT_COMPILER_SCANNER_H
#define TOIT_COMPILER_SCANNER_H

#include <stdbool.h>
#include <stdint.h>

#include "compiler/arena.h"
#include "compiler/diag.h"

typedef enum {
  TK_EOF,
  TK_IDENT,
  TK_INT,
  TK_FLOAT,
  TK_STRING,      /* str/len; parts when interpolated */
  TK_KEYWORD,     /* text in `text` */
  TK_OP,          /* punctuation/operator, text in `text` */
  TK_NAMED,       /* --name (text = name without dashes) */
  TK_ERROR,
} tok_kind;

/* One piece of an interpolated string: literal bytes, or an expression
 * given as a source range (with an optional format spec). */
typedef struct {
  bool is_expr;
  const char *bytes;     /* literal: decoded bytes */
  uint32_t size;
  uint32_t start, end;   /* expression: byte range in the file */
  const char *format;    /* "5d" for $(%5d x), or NULL */
} str_part;

/* 40 bytes on a 64-bit host: the whole file's tokens are in memory at once,
 * so the layout is kept tight (line and column come from the file's line
 * table when a location is needed). */
typedef struct {
  uint8_t kind;          /* tok_kind */
  uint8_t first : 1;     /* first token on its line */
  uint8_t space_before : 1, space_after : 1;
  uint8_t interpolated : 1; /* a string with parts */
  uint8_t boundary : 1;  /* EOF token of a chunk: more source follows */
  uint16_t indent;       /* indentation of the token's line */
  uint32_t start, len;   /* byte range */
  const char *text;      /* identifier/keyword/operator text (canonical for identifiers) */
  union {
    int64_t ivalue;
    double fvalue;
    struct {
      const char *str;   /* decoded string */
      uint32_t str_len;
    };
    struct {
      str_part *parts;   /* interpolated strings */
      int part_count;
    };
  };
} token;

typedef struct {
  token *toks;
  int count;
} token_list;

/* Scans [start, end) of file f. Errors go to d. The token array is
 * malloc'd (strings it points to live in the arena): free it with scan_free. */
token_list scan(arena *a, diag_ctx *d, src_file *f, uint32_t start, uint32_t end);
void scan_free(token_list *tl);

/* Scanning a whole file one top-level declaration at a time, so only one
 * declaration's tokens are in memory: each chunk holds the tokens up to the
 * next line that starts at indentation 0 outside brackets, then an EOF
 * token whose `boundary` bit says more follows. A chunk's array is reused
 * by the next one. */
typedef struct scan_state scan_state;
scan_state *scan_begin(arena *a, diag_ctx *d, src_file *f);
token_list scan_chunk(scan_state *s);
void scan_end(scan_state *s);

#endif
