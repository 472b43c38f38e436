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

typedef struct {
  tok_kind kind;
  const char *text;      /* identifier/keyword/operator text (canonical for identifiers) */
  uint32_t start, len;   /* byte range */
  uint32_t line, col;
  uint32_t indent;       /* indentation of the token's line */
  bool first;            /* first token on its line */
  bool space_before, space_after;
  int64_t ivalue;
  double fvalue;
  const char *str;       /* decoded string */
  uint32_t str_len;
  str_part *parts;       /* interpolated strings */
  int part_count;
} token;

typedef struct {
  token *toks;
  int count;
} token_list;

/* Scans [start, end) of file f. Errors go to d. The token array is
 * malloc'd (strings it points to live in the arena): free it with scan_free. */
token_list scan(arena *a, diag_ctx *d, src_file *f, uint32_t start, uint32_t end);
void scan_free(token_list *tl);

#endif
