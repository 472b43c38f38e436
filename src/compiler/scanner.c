#include "compiler/scanner.h"
#include "vm/utf8.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  arena *a;
  diag_ctx *d;
  src_file *f;
  const char *s;
  uint32_t pos, end;
  uint32_t line_start;   /* offset of the current line's first byte */
  uint32_t line;         /* 1-based */
  uint32_t indent;
  bool at_line_start;    /* the next token is the first on its line */
  token *toks;
  int count, cap;
  /* Identifiers seen in this scan, so each name is stored once. */
  const char **names;
  uint8_t *names_kw;     /* per slot: the name is a keyword */
  uint32_t names_cap, names_count;
  int depth;             /* open brackets (chunks end only outside them) */
} scanner;

static const char *const keywords[] = {"abstract", "and", "as", "assert", "break", "class", "continue",
                                       "else", "export", "false", "finally", "for", "if", "import",
                                       "is", "not", "null", "or", "return", "static", "true", "try",
                                       "while", NULL};

static const char *const operators[] = {
    ">>>=", "<<=", ">>=", ">>>", "::=", "==", "!=", "<=", ">=", "<<", ">>", "++", "--", ":=", "+=",
    "-=", "*=", "/=", "%=", "&=", "|=", "^=", "::", "..", "->", "#[", "&&", "||",
    "(", ")", "[", "]", "{", "}", ",", ";", ":", ".", "+", "-", "*", "/", "%", "~", "&", "|", "^",
    "<", ">", "=", "?", "!", NULL};

static src_loc loc_at(scanner *sc, uint32_t offset, uint32_t len) {
  return diag_loc(sc->d, sc->f->id, offset, len ? len : 1);
}

static void error_at(scanner *sc, uint32_t offset, uint32_t len, const char *msg) {
  diag_error(sc->d, loc_at(sc, offset, len), "%s", msg);
}

void scan_free(token_list *tl) {
  free(tl->toks);
  tl->toks = NULL;
  tl->count = 0;
}

static token *push(scanner *sc, tok_kind kind, uint32_t start, uint32_t len) {
  if (sc->count == sc->cap) {
    /* Roughly one token per 5 bytes of source; chunks are one top-level
     * declaration, so start small there and grow. */
    int guess = (int)((sc->end - sc->pos) / 5 + 16);
    sc->cap = sc->cap ? sc->cap * 2 : (guess < 256 ? guess : 256);
    token *n = realloc(sc->toks, sizeof(token) * (size_t)sc->cap);
    if (!n) abort();
    sc->toks = n;
  }
  token *t = &sc->toks[sc->count++];
  memset(t, 0, sizeof *t);
  t->kind = kind;
  t->start = start;
  t->len = len;
  t->indent = (uint16_t)(sc->indent > 0xffff ? 0xffff : sc->indent);
  t->first = sc->at_line_start;
  sc->at_line_start = false;
  uint32_t before = start;
  t->space_before = before == 0 || before <= sc->line_start ||
                    sc->s[before - 1] == ' ' || sc->s[before - 1] == '\t' || sc->s[before - 1] == '\n' ||
                    sc->s[before - 1] == '\r';
  return t;
}

static bool is_id_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool is_id_part(char c) {
  return is_id_start(c) || (c >= '0' && c <= '9');
}
static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

/* Identifier end from pos (pos is an identifier start). */
static uint32_t ident_end(const char *s, uint32_t pos, uint32_t end) {
  uint32_t i = pos;
  while (i < end) {
    if (is_id_part(s[i])) i++;
    else if (s[i] == '-' && i + 1 < end && is_id_part(s[i + 1]) && i > pos) i++;
    else break;
  }
  return i;
}

/* Canonical name: a single `_` between two identifier characters is `-`. */
static void canonicalize(char *r, uint32_t n) {
  for (uint32_t i = 1; i + 1 < n; i++) {
    if (r[i] == '_' && r[i - 1] != '_' && r[i + 1] != '_' && r[i - 1] != '-' && r[i + 1] != '-')
      r[i] = '-';
  }
}

static char *canonical_copy(arena *a, const char *s, uint32_t n) {
  char *r = arena_strndup(a, s, n);
  canonicalize(r, n);
  return r;
}

static uint32_t name_hash(const char *s, uint32_t n) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < n; i++) h = (h ^ (uint8_t)(s[i] == '_' ? '-' : s[i])) * 16777619u;
  return h;
}

/* The canonical spelling of an identifier ('_' between letters reads as
 * '-'), stored once per scan: the core library repeats its names a lot. */
static bool is_keyword(const char *name, uint32_t n) {
  if (n < 2 || n > 8 || name[0] < 'a' || name[0] > 'w') return false;
  for (int k = 0; keywords[k]; k++)
    if (keywords[k][0] == name[0] && strcmp(keywords[k], name) == 0) return true;
  return false;
}

/* The canonical spelling of an identifier ('_' between letters reads as
 * '-'), stored once per scan (the core library repeats its names a lot),
 * and whether it is a keyword. */
static const char *canonical(scanner *sc, const char *s, uint32_t n, bool *kw) {
  if (sc->names_count * 2 >= sc->names_cap) {
    uint32_t cap = sc->names_cap ? sc->names_cap * 2 : 1024;
    const char **t = calloc(cap, sizeof *t);
    uint8_t *tk = calloc(cap, 1);
    if (!t || !tk) {
      free(t);
      free(tk);
      const char *r = canonical_copy(sc->a, s, n);
      *kw = is_keyword(r, n);
      return r;
    }
    for (uint32_t i = 0; i < sc->names_cap; i++) {
      const char *e = sc->names[i];
      if (!e) continue;
      uint32_t k = name_hash(e, (uint32_t)strlen(e)) & (cap - 1);
      while (t[k]) k = (k + 1) & (cap - 1);
      t[k] = e;
      tk[k] = sc->names_kw[i];
    }
    free(sc->names);
    free(sc->names_kw);
    sc->names = t;
    sc->names_kw = tk;
    sc->names_cap = cap;
  }
  char buf[256];
  if (n >= sizeof buf) {
    *kw = false;
    return canonical_copy(sc->a, s, n);
  }
  memcpy(buf, s, n);
  buf[n] = 0;
  canonicalize(buf, n);
  uint32_t k = name_hash(buf, n) & (sc->names_cap - 1);
  for (; sc->names[k]; k = (k + 1) & (sc->names_cap - 1)) {
    if (strcmp(sc->names[k], buf) == 0) {
      *kw = sc->names_kw[k];
      return sc->names[k];
    }
  }
  const char *r = arena_strndup(sc->a, buf, n);
  sc->names[k] = r;
  sc->names_kw[k] = (uint8_t)is_keyword(r, n);
  *kw = sc->names_kw[k];
  sc->names_count++;
  return r;
}

/* Newline handling: returns true and advances if at a line terminator. */
static bool newline(scanner *sc) {
  if (sc->pos >= sc->end) return false;
  char c = sc->s[sc->pos];
  if (c == '\n' || c == '\r') {
    sc->pos += (c == '\r' && sc->pos + 1 < sc->end && sc->s[sc->pos + 1] == '\n') ? 2 : 1;
    sc->line++;
    sc->line_start = sc->pos;
    return true;
  }
  return false;
}

/* Skips whitespace and comments; at a line start measures indentation. */
static void skip_space(scanner *sc) {
  const char *s = sc->s;
  for (;;) {
    if (sc->pos >= sc->end) return;
    if (sc->at_line_start && sc->pos == sc->line_start) {
      uint32_t i = sc->pos;
      while (i < sc->end && s[i] == ' ') i++;
      sc->indent = i - sc->pos;
      if (i < sc->end && s[i] == '\t') {
        uint32_t k = i;
        while (k < sc->end && (s[k] == ' ' || s[k] == '\t')) k++;
        bool blank = k >= sc->end || s[k] == '\n' || s[k] == '\r' ||
                     (s[k] == '/' && k + 1 < sc->end && (s[k + 1] == '/' || s[k + 1] == '*'));
        if (!blank) error_at(sc, i, 1, "Can't have tabs in leading whitespace");
        /* Go on as if a tab reached the next multiple of 8, so the line
         * still nests where it most likely belongs. */
        uint32_t col = 0;
        for (uint32_t q = sc->pos; q < k; q++) col = s[q] == '\t' ? (col / 8 + 1) * 8 : col + 1;
        sc->indent = col;
        i = k;
      }
      sc->pos = i;
      if (sc->pos >= sc->end) return;
    }
    char c = s[sc->pos];
    if (c == ' ' || c == '\t') {
      sc->pos++;
    } else if (c == '\n' || c == '\r') {
      newline(sc);
      sc->at_line_start = true;
      sc->indent = 0;
    } else if (c == '\\' && sc->pos + 1 < sc->end && (s[sc->pos + 1] == '\n' || s[sc->pos + 1] == '\r')) {
      /* A backslash before a newline joins the lines. */
      sc->pos++;
      bool was = sc->at_line_start;
      newline(sc);
      while (sc->pos < sc->end && (s[sc->pos] == ' ' || s[sc->pos] == '\t')) sc->pos++;
      sc->at_line_start = was; /* keeps the indentation measured before */
    } else if (c == '/' && sc->pos + 1 < sc->end && s[sc->pos + 1] == '/') {
      while (sc->pos < sc->end && s[sc->pos] != '\n' && s[sc->pos] != '\r') sc->pos++;
    } else if (c == '/' && sc->pos + 1 < sc->end && s[sc->pos + 1] == '*') {
      uint32_t start = sc->pos;
      int depth = 0;
      while (sc->pos < sc->end) {
        if (s[sc->pos] == '/' && sc->pos + 1 < sc->end && s[sc->pos + 1] == '*') {
          depth++;
          sc->pos += 2;
        } else if (s[sc->pos] == '*' && sc->pos + 1 < sc->end && s[sc->pos + 1] == '/') {
          depth--;
          sc->pos += 2;
          if (depth == 0) break;
        } else if (!newline(sc)) {
          sc->pos++;
        }
      }
      if (depth != 0) error_at(sc, start, 2, "Unterminated comment");
    } else {
      return;
    }
  }
}

static int hex_val(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes one escape at s[*i] (after the backslash). Appends to out.
 * Returns false on a bad escape (reported). */
static bool escape(scanner *sc, uint32_t *i, uint32_t end, char *out, uint32_t *n, bool multi) {
  char c = sc->s[*i];
  uint32_t at = *i - 1;
  (*i)++;
  switch (c) {
    case 'n': out[(*n)++] = '\n'; return true;
    case 't': out[(*n)++] = '\t'; return true;
    case 'r': out[(*n)++] = '\r'; return true;
    case '0': out[(*n)++] = '\0'; return true;
    case 'a': out[(*n)++] = '\a'; return true;
    case 'b': out[(*n)++] = '\b'; return true;
    case 'f': out[(*n)++] = '\f'; return true;
    case 'v': out[(*n)++] = '\v'; return true;
    case '\\': case '"': case '\'': case '$': out[(*n)++] = c; return true;
    case 's':
      if (multi) {
        out[(*n)++] = ' ';
        return true;
      }
      break;
    case 'x': case 'u': {
      uint32_t cp = 0;
      if (*i < end && sc->s[*i] == '{') {
        (*i)++;
        int digits = 0;
        while (*i < end && hex_val(sc->s[*i]) >= 0) {
          cp = cp * 16 + (uint32_t)hex_val(sc->s[(*i)++]);
          if (++digits > 6) break;
        }
        if (*i >= end || sc->s[*i] != '}' || digits == 0) break;
        (*i)++;
      } else {
        int want = c == 'x' ? 2 : 4;
        for (int k = 0; k < want; k++) {
          if (*i >= end || hex_val(sc->s[*i]) < 0) {
            error_at(sc, at, *i - at, "Invalid escape sequence");
            return false;
          }
          cp = cp * 16 + (uint32_t)hex_val(sc->s[(*i)++]);
        }
      }
      if (cp > 0x10ffff) break;
      *n += (uint32_t)utf8_encode(cp, out + *n);
      return true;
    }
    default: break;
  }
  error_at(sc, at, 2, "Invalid escape sequence");
  return false;
}

static bool valid_utf8(const char *s, uint32_t n) {
  for (uint32_t i = 0; i < n;) {
    uint8_t b = (uint8_t)s[i];
    int len = b < 0x80 ? 1 : (b & 0xe0) == 0xc0 ? 2 : (b & 0xf0) == 0xe0 ? 3 : (b & 0xf8) == 0xf0 ? 4 : 0;
    if (!len || i + (uint32_t)len > n) return false;
    for (int k = 1; k < len; k++)
      if (((uint8_t)s[i + k] & 0xc0) != 0x80) return false;
    i += (uint32_t)len;
  }
  return true;
}

/* Finds the end of a balanced (...) or [...] starting at open; skips nested
 * strings. Returns the index of the closing char, or end. */
static uint32_t balanced(const char *s, uint32_t open, uint32_t end) {
  int depth = 0;
  for (uint32_t i = open; i < end; i++) {
    char c = s[i];
    if (c == '"') {
      for (i++; i < end && s[i] != '"' && s[i] != '\n'; i++)
        if (s[i] == '\\') i++;
      continue;
    }
    if (c == '(' || c == '[' || c == '{') depth++;
    else if (c == ')' || c == ']' || c == '}') {
      depth--;
      if (depth == 0) return i;
    } else if (c == '\n' && depth <= 0) {
      return end;
    }
  }
  return end;
}

static void add_part(scanner *sc, str_part **parts, int *count, int *cap, str_part p) {
  if (*count == *cap) {
    *cap = *cap ? *cap * 2 : 8;
    str_part *n = arena_alloc(sc->a, sizeof(str_part) * (size_t)*cap);
    if (*count) memcpy(n, *parts, sizeof(str_part) * (size_t)*count);
    *parts = n;
  }
  (*parts)[(*count)++] = p;
}

/* Scans a string literal starting at the opening quote. */
static void scan_string(scanner *sc) {
  uint32_t start = sc->pos;
  bool multi = sc->pos + 2 < sc->end && sc->s[sc->pos + 1] == '"' && sc->s[sc->pos + 2] == '"';
  uint32_t i = sc->pos + (multi ? 3 : 1);
  uint32_t content = i;
  /* Find the end of the content first. */
  uint32_t close = i;
  bool terminated = false;
  for (uint32_t k = i; k < sc->end; k++) {
    char c = sc->s[k];
    if (c == '\\') {
      k++;
      continue;
    }
    if (!multi && (c == '\n' || c == '\r')) break;
    if (c == '$' && k + 1 < sc->end && sc->s[k + 1] == '(') {
      uint32_t b = balanced(sc->s, k + 1, sc->end);
      if (b < sc->end) k = b;
      continue;
    }
    if (c == '"') {
      if (!multi) {
        close = k;
        terminated = true;
        break;
      }
      uint32_t q = k;
      while (q < sc->end && sc->s[q] == '"') q++;
      if (q - k >= 3) {
        uint32_t extra = q - k - 3;
        if (extra > 2) extra = 2;
        close = k + extra;
        terminated = true;
        break;
      }
      k = q - 1;
    }
  }
  if (!terminated) {
    error_at(sc, start, multi ? 3 : 1, "Unterminated string");
    /* Skip to the end of the line. */
    while (sc->pos < sc->end && sc->s[sc->pos] != '\n' && sc->s[sc->pos] != '\r') sc->pos++;
    push(sc, TK_ERROR, start, sc->pos - start);
    return;
  }
  uint32_t after = close + (multi ? 3 : 1);
  /* Multi-line indentation rules. */
  uint32_t strip = 0;
  if (multi) {
    uint32_t k = content;
    while (k < close && sc->s[k] == ' ') k++;
    if (k < close && (sc->s[k] == '\n' || sc->s[k] == '\r')) {
      content = k + ((sc->s[k] == '\r' && k + 1 < close && sc->s[k + 1] == '\n') ? 2 : 1);
    }
    bool has_nl = false;
    for (uint32_t q = content; q < close; q++)
      if (sc->s[q] == '\n' || sc->s[q] == '\r') has_nl = true;
    bool ends_nl = close > content && (sc->s[close - 1] == '\n' || sc->s[close - 1] == '\r');
    if (has_nl && !ends_nl) {
      uint32_t m = UINT32_MAX;
      uint32_t ls = content;
      bool first_line = content == i; /* text right after """ kept: counts with indent 0 */
      while (ls <= close) {
        uint32_t le = ls;
        while (le < close && sc->s[le] != '\n' && sc->s[le] != '\r') le++;
        uint32_t sp = ls;
        while (sp < le && sc->s[sp] == ' ') sp++;
        bool blank = sp == le;
        bool last = le >= close;
        if (first_line && ls == content) {
          if (!blank) m = 0;
        } else if (!blank || last) {
          if (sp - ls < m) m = sp - ls;
        }
        if (le >= close) break;
        ls = le + ((sc->s[le] == '\r' && le + 1 < close && sc->s[le + 1] == '\n') ? 2 : 1);
      }
      strip = m == UINT32_MAX ? 0 : m;
    }
  }
  /* Decode, splitting at interpolations. */
  char *buf = arena_alloc(sc->a, (close - content) * 4 + 8);
  uint32_t n = 0;
  str_part *parts = NULL;
  int count = 0, cap = 0;
  bool interp = false;
  bool at_line_start = multi && content != i;
  uint32_t lit_start = 0;
  for (i = content; i < close;) {
    char c = sc->s[i];
    if (at_line_start) {
      uint32_t k = 0;
      while (k < strip && i < close && sc->s[i] == ' ') i++, k++;
      at_line_start = false;
      continue;
    }
    if (c == '\\') {
      if (i + 1 < close && (sc->s[i + 1] == '\n' || sc->s[i + 1] == '\r')) {
        i += (sc->s[i + 1] == '\r' && i + 2 < close && sc->s[i + 2] == '\n') ? 3 : 2;
        at_line_start = multi;
        continue;
      }
      i++;
      if (i >= close) break;
      escape(sc, &i, close, buf, &n, multi);
      continue;
    }
    if (c == '\r') {
      buf[n++] = '\n';
      i += (i + 1 < close && sc->s[i + 1] == '\n') ? 2 : 1;
      at_line_start = true;
      continue;
    }
    if (c == '\n') {
      buf[n++] = '\n';
      i++;
      at_line_start = true;
      continue;
    }
    if (c == '$') {
      str_part lit = {false, arena_strndup(sc->a, buf + lit_start, n - lit_start), n - lit_start, 0, 0, NULL};
      if (i + 1 < close && sc->s[i + 1] == '(') {
        uint32_t b = balanced(sc->s, i + 1, close);
        if (b >= close) {
          error_at(sc, i, 2, "Unterminated interpolation");
          i = close;
          break;
        }
        uint32_t es = i + 2;
        const char *fmt = NULL;
        if (es < b && sc->s[es] == '%') {
          uint32_t fs = es + 1, fe = fs;
          while (fe < b && sc->s[fe] != ' ') fe++;
          fmt = arena_strndup(sc->a, sc->s + fs, fe - fs);
          bool ok = fe < b && fe > fs;
          uint32_t q = fs;
          if (ok && (sc->s[q] == '-' || sc->s[q] == '^')) q++;
          while (ok && q < fe - 1 && (is_digit(sc->s[q]) || sc->s[q] == '.')) q++;
          if (!ok || q != fe - 1 || !is_id_start(sc->s[q]) || sc->s[q] == '_')
            error_at(sc, es, fe - es, "Invalid format string");
          es = fe;
        }
        add_part(sc, &parts, &count, &cap, lit);
        add_part(sc, &parts, &count, &cap, (str_part){true, NULL, 0, es, b, fmt});
        interp = true;
        n = lit_start = 0;
        i = b + 1;
        continue;
      }
      if (i + 1 < close && is_id_start(sc->s[i + 1])) {
        uint32_t es = i + 1;
        uint32_t e = ident_end(sc->s, es, close);
        for (;;) {
          if (e + 1 < close && sc->s[e] == '.' && is_id_start(sc->s[e + 1])) {
            e = ident_end(sc->s, e + 1, close);
          } else if (e < close && sc->s[e] == '[') {
            uint32_t b = balanced(sc->s, e, close);
            if (b >= close) break;
            e = b + 1;
          } else {
            break;
          }
        }
        add_part(sc, &parts, &count, &cap, lit);
        add_part(sc, &parts, &count, &cap, (str_part){true, NULL, 0, es, e, NULL});
        interp = true;
        n = lit_start = 0;
        i = e;
        continue;
      }
      error_at(sc, i, 1, "Unexpected '$' in string (write \\$ for a dollar sign)");
      i++;
      continue;
    }
    buf[n++] = c;
    i++;
  }
  if (!valid_utf8(buf, n)) error_at(sc, start, 1, "Invalid UTF-8 in string literal");
  /* Count lines inside the literal. */
  for (uint32_t k = sc->pos; k < after; k++) {
    if (sc->s[k] == '\n' || (sc->s[k] == '\r' && !(k + 1 < after && sc->s[k + 1] == '\n'))) {
      sc->line++;
      sc->line_start = k + 1;
    }
  }
  token *t = push(sc, TK_STRING, start, after - start);
  if (interp) {
    add_part(sc, &parts, &count, &cap,
             (str_part){false, arena_strndup(sc->a, buf + lit_start, n - lit_start), n - lit_start, 0, 0, NULL});
    t->parts = parts;
    t->part_count = count;
    t->interpolated = 1;
  } else {
    t->str = arena_strndup(sc->a, buf, n);
    t->str_len = n;
  }
  sc->pos = after;
}

static void scan_char(scanner *sc) {
  uint32_t start = sc->pos;
  uint32_t i = start + 1;
  char buf[8];
  uint32_t n = 0;
  if (i < sc->end && sc->s[i] == '\\') {
    i++;
    if (i < sc->end) escape(sc, &i, sc->end, buf, &n, false);
  } else if (i < sc->end && sc->s[i] != '\'' && sc->s[i] != '\n') {
    uint8_t b = (uint8_t)sc->s[i];
    int len = b < 0x80 ? 1 : (b & 0xe0) == 0xc0 ? 2 : (b & 0xf0) == 0xe0 ? 3 : 4;
    for (int k = 0; k < len && i < sc->end; k++) buf[n++] = sc->s[i++];
  }
  if (i >= sc->end || sc->s[i] != '\'' || n == 0) {
    error_at(sc, start, 1, "Invalid character literal");
    while (sc->pos < sc->end && sc->s[sc->pos] != '\n' && sc->s[sc->pos] != '\'') sc->pos++;
    if (sc->pos < sc->end && sc->s[sc->pos] == '\'') sc->pos++;
    push(sc, TK_ERROR, start, sc->pos - start);
    return;
  }
  /* Decode the UTF-8 code point. */
  uint8_t b0 = (uint8_t)buf[0];
  uint32_t cp;
  if (b0 < 0x80) cp = b0;
  else {
    int len = (b0 & 0xe0) == 0xc0 ? 2 : (b0 & 0xf0) == 0xe0 ? 3 : 4;
    cp = b0 & (0x7f >> len);
    for (int k = 1; k < len && k < (int)n; k++) cp = (cp << 6) | ((uint8_t)buf[k] & 0x3f);
  }
  if (!valid_utf8(buf, n)) error_at(sc, start, i + 1 - start, "Invalid character literal");
  token *t = push(sc, TK_INT, start, i + 1 - start);
  t->ivalue = cp;
  sc->pos = i + 1;
}

static void scan_number(scanner *sc, bool negative, uint32_t start) {
  const char *s = sc->s;
  uint32_t i = sc->pos;
  if (s[i] == '0' && i + 1 < sc->end && (s[i + 1] == 'x' || s[i + 1] == 'X' || s[i + 1] == 'b' || s[i + 1] == 'B')) {
    int radix = (s[i + 1] == 'x' || s[i + 1] == 'X') ? 16 : 2;
    i += 2;
    uint64_t v = 0;
    int digits = 0;
    bool bad = false, overflow = false;
    while (i < sc->end) {
      char c = s[i];
      if (c == '_') {
        if (digits == 0 || i + 1 >= sc->end || hex_val(s[i + 1]) < 0 || hex_val(s[i + 1]) >= radix) bad = true;
        i++;
        continue;
      }
      int dv = hex_val(c);
      if (dv < 0 || dv >= radix) {
        if (is_id_part(c)) bad = true, i++;
        else break;
        continue;
      }
      if (radix == 16 ? (v >> 60) != 0 : (v >> 63) != 0) overflow = true;
      v = v * (uint64_t)radix + (uint64_t)dv;
      digits++;
      i++;
    }
    if (digits == 0 || bad) error_at(sc, start, i - start, "Invalid number literal");
    else if (overflow) error_at(sc, start, i - start, "Number literal out of range");
    if (negative) error_at(sc, start, i - start, "Hex literals may not be negated");
    token *t = push(sc, TK_INT, start, i - start);
    t->ivalue = (int64_t)v;
    sc->pos = i;
    return;
  }
  bool is_float = false;
  bool bad = false;
  while (i < sc->end && (is_digit(s[i]) || s[i] == '_')) {
    if (s[i] == '_' && (i + 1 >= sc->end || !is_digit(s[i + 1]) || !is_digit(s[i - 1]))) bad = true;
    i++;
  }
  if (i + 1 < sc->end && s[i] == '.' && is_digit(s[i + 1])) {
    is_float = true;
    i++;
    while (i < sc->end && (is_digit(s[i]) || s[i] == '_')) i++;
  }
  if (i < sc->end && (s[i] == 'e' || s[i] == 'E')) {
    uint32_t k = i + 1;
    if (k < sc->end && (s[k] == '+' || s[k] == '-')) k++;
    if (k < sc->end && is_digit(s[k])) {
      is_float = true;
      i = k;
      while (i < sc->end && is_digit(s[i])) i++;
    }
  }
  if (i < sc->end && is_id_start(s[i])) {
    bad = true;
    while (i < sc->end && is_id_part(s[i])) i++;
  }
  char *text = arena_alloc(sc->a, i - start + 2);
  uint32_t n = 0;
  for (uint32_t k = start; k < i; k++)
    if (s[k] != '_') text[n++] = s[k];
  text[n] = 0;
  if (bad) error_at(sc, start, i - start, "Invalid number literal");
  if (is_float) {
    token *t = push(sc, TK_FLOAT, start, i - start);
    t->fvalue = strtod(text, NULL);
  } else {
    /* Decimal: must fit in signed 64 bits (with the sign). */
    uint64_t v = 0;
    bool overflow = false;
    for (uint32_t k = negative ? 1 : 0; k < n; k++) {
      uint64_t d = (uint64_t)(text[k] - '0');
      if (v > (UINT64_MAX - d) / 10) overflow = true;
      v = v * 10 + d;
    }
    uint64_t limit = negative ? (uint64_t)1 << 63 : ((uint64_t)1 << 63) - 1;
    if (overflow || v > limit) error_at(sc, start, i - start, "Number literal out of range");
    token *t = push(sc, TK_INT, start, i - start);
    t->ivalue = negative ? (int64_t)(0 - v) : (int64_t)v;
  }
  sc->pos = i;
}

static bool prev_allows_negative_literal(scanner *sc, uint32_t minus) {
  /* `-` is part of a literal when it is not attached to a preceding operand. */
  if (minus == 0) return true;
  char p = sc->s[minus - 1];
  if (p == ' ' || p == '\t' || p == '\n' || p == '\r') return true;
  return p == '(' || p == '[' || p == '{' || p == ',' || p == ':' || p == '=' || p == ';';
}

static void scan_init(scanner *sc, arena *a, diag_ctx *d, src_file *f, uint32_t start, uint32_t end) {
  memset(sc, 0, sizeof *sc);
  sc->a = a;
  sc->d = d;
  sc->f = f;
  sc->s = f->text;
  sc->pos = start;
  sc->end = end;
  src_loc l = diag_loc(d, f->id, start, 1);
  sc->line = l.line;
  sc->line_start = start - (l.col - 1);
  sc->at_line_start = start == 0 || l.col == 1;
  if (start == 0 && end >= 2 && sc->s[0] == '#' && sc->s[1] == '!') {
    while (sc->pos < end && sc->s[sc->pos] != '\n' && sc->s[sc->pos] != '\r') sc->pos++;
  }
}

/* Scans tokens into sc->toks (from index 0), then an EOF token. */
static void scan_tokens(scanner *sc, bool chunked) {
  sc->count = 0;
  for (;;) {
    skip_space(sc);
    if (sc->pos >= sc->end) break;
    /* A chunk ends before the next line that starts a top-level
     * declaration (indentation 0, outside brackets). */
    if (chunked && sc->count > 0 && sc->at_line_start && sc->indent == 0 && sc->depth == 0) break;
    char c = sc->s[sc->pos];
    uint32_t st = sc->pos;
    if (is_id_start(c)) {
      uint32_t e = ident_end(sc->s, sc->pos, sc->end);
      bool kw;
      const char *name = canonical(sc, sc->s + st, e - st, &kw);
      token *t = push(sc, kw ? TK_KEYWORD : TK_IDENT, st, e - st);
      t->text = name;
      sc->pos = e;
    } else if (is_digit(c) || (c == '.' && sc->pos + 1 < sc->end && is_digit(sc->s[sc->pos + 1]) &&
                               prev_allows_negative_literal(sc, sc->pos))) {
      scan_number(sc, false, st);
    } else if (c == '-' && sc->pos + 1 < sc->end && is_digit(sc->s[sc->pos + 1]) &&
               prev_allows_negative_literal(sc, sc->pos)) {
      sc->pos++;
      scan_number(sc, true, st);
    } else if (c == '-' && sc->pos + 2 < sc->end && sc->s[sc->pos + 1] == '-' && is_id_start(sc->s[sc->pos + 2]) &&
               prev_allows_negative_literal(sc, sc->pos)) {
      uint32_t e = ident_end(sc->s, sc->pos + 2, sc->end);
      token *t = push(sc, TK_NAMED, st, e - st);
      bool kw;
      t->text = canonical(sc, sc->s + st + 2, e - st - 2, &kw);
      sc->pos = e;
    } else if (c == '"') {
      scan_string(sc);
    } else if (c == '\'') {
      scan_char(sc);
    } else {
      const char *op = NULL;
      size_t oplen = 0;
      for (int k = 0; operators[k]; k++) {
        if (operators[k][0] != c) continue;
        size_t n = strlen(operators[k]);
        if (sc->pos + n <= sc->end && memcmp(sc->s + sc->pos, operators[k], n) == 0) {
          op = operators[k];
          oplen = n;
          break;
        }
      }
      if (!op) {
        error_at(sc, st, 1, (uint8_t)c >= 0x80 ? "Unexpected character (non-ASCII outside a string)"
                                                 : "Unexpected character");
        sc->pos++;
        while (sc->pos < sc->end && ((uint8_t)sc->s[sc->pos] & 0xc0) == 0x80) sc->pos++;
        continue;
      }
      if (strcmp(op, "!") == 0 || strcmp(op, "&&") == 0 || strcmp(op, "||") == 0) {
        const char *alt = op[0] == '!' ? "not" : op[0] == '&' ? "and" : "or";
        diag_error(sc->d, loc_at(sc, st, (uint32_t)strlen(op)), "Deprecated operator '%s': use '%s'", op, alt);
      }
      if (strcmp(op, "(") == 0 || strcmp(op, "[") == 0 || strcmp(op, "{") == 0 || strcmp(op, "#[") == 0) sc->depth++;
      if ((strcmp(op, ")") == 0 || strcmp(op, "]") == 0 || strcmp(op, "}") == 0) && sc->depth > 0) sc->depth--;
      token *t = push(sc, TK_OP, st, (uint32_t)oplen);
      t->text = op;
      sc->pos += (uint32_t)oplen;
    }
  }
  /* space_after from the next token's space_before (or end). */
  for (int k = 0; k < sc->count; k++) {
    uint32_t e = sc->toks[k].start + sc->toks[k].len;
    sc->toks[k].space_after = e >= sc->end || sc->s[e] == ' ' || sc->s[e] == '\t' || sc->s[e] == '\n' || sc->s[e] == '\r';
  }
  bool line_start = sc->at_line_start; /* the next chunk's first token keeps it */
  token *t = push(sc, TK_EOF, sc->pos < sc->end ? sc->pos : sc->end, 0);
  sc->at_line_start = line_start;
  t->first = true;
  t->indent = 0;
  t->boundary = sc->pos < sc->end;
}

token_list scan(arena *a, diag_ctx *d, src_file *f, uint32_t start, uint32_t end) {
  scanner sc;
  scan_init(&sc, a, d, f, start, end);
  scan_tokens(&sc, false);
  free(sc.names);
  free(sc.names_kw);
  token_list list;
  list.toks = sc.toks; /* owned by the caller: scan_free */
  list.count = sc.count;
  return list;
}

struct scan_state {
  scanner sc;
};

scan_state *scan_begin(arena *a, diag_ctx *d, src_file *f) {
  scan_state *s = malloc(sizeof *s);
  if (!s) abort();
  scan_init(&s->sc, a, d, f, 0, f->size);
  return s;
}

token_list scan_chunk(scan_state *s) {
  scan_tokens(&s->sc, true);
  token_list list = {s->sc.toks, s->sc.count};
  return list;
}

void scan_end(scan_state *s) {
  free(s->sc.toks);
  free(s->sc.names);
  free(s->sc.names_kw);
  free(s);
}
