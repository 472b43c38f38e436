#include "srv_query.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *src, *p;
  int64_t now;
  srv_query *q;
  int depth;
  bool failed;
} parser;

static void perr(parser *ps, const char *fmt, ...) {
  if (ps->failed) return;
  ps->failed = true;
  char msg[120];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  snprintf(ps->q->error, sizeof ps->q->error, "%s at offset %d", msg, (int)(ps->p - ps->src));
}

static void emit(parser *ps, const char *s) {
  size_t n = strlen(ps->q->sql);
  if (n + strlen(s) + 1 >= sizeof ps->q->sql) return perr(ps, "query too complex");
  strcat(ps->q->sql, s);
}

static void param_text(parser *ps, const char *v) {
  if (ps->q->nparams == SRV_QUERY_MAX_PARAMS) return perr(ps, "query too complex");
  int i = ps->q->nparams++;
  snprintf(ps->q->store[i], sizeof ps->q->store[i], "%s", v);
  ps->q->params[i] = SRV_TEXT(ps->q->store[i]);
}

static void param_int(parser *ps, int64_t v) {
  if (ps->q->nparams == SRV_QUERY_MAX_PARAMS) return perr(ps, "query too complex");
  ps->q->params[ps->q->nparams++] = SRV_INT(v);
}

static void skip(parser *ps) {
  while (*ps->p == ' ' || *ps->p == '\t') ps->p++;
}

static bool is_word_char(char c) { return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-' || c == ':' || c == '/'; }

/* Reads a word or a "quoted string" into out; false if none. */
static bool token(parser *ps, char *out, size_t n) {
  skip(ps);
  size_t k = 0;
  if (*ps->p == '"') {
    ps->p++;
    while (*ps->p && *ps->p != '"') {
      if (k + 1 < n) out[k++] = *ps->p;
      ps->p++;
    }
    if (*ps->p != '"') {
      perr(ps, "unterminated string");
      return false;
    }
    ps->p++;
    out[k] = 0;
    return true;
  }
  while (is_word_char(*ps->p)) {
    if (k + 1 < n) out[k++] = *ps->p;
    ps->p++;
  }
  out[k] = 0;
  return k > 0;
}

static bool keyword(parser *ps, const char *kw) {
  skip(ps);
  size_t n = strlen(kw);
  if (strncasecmp(ps->p, kw, n) == 0 && !is_word_char(ps->p[n])) {
    ps->p += n;
    return true;
  }
  return false;
}

static const char *op(parser *ps) {
  skip(ps);
  static const char *const ops[] = {"!=", "<=", ">=", "=", "<", ">", "~"};
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (strncmp(ps->p, ops[i], strlen(ops[i])) == 0) {
      ps->p += strlen(ops[i]);
      return ops[i];
    }
  return NULL;
}

/* "90s", "5m", "2h", "7d" → ms; -1 if malformed. */
static int64_t duration(const char *v) {
  char *end;
  long long n = strtoll(v, &end, 10);
  if (end == v || n < 0 || n > 100000000) return -1;
  int64_t unit = strcmp(end, "s") == 0 ? 1000 : strcmp(end, "m") == 0 ? 60000 : strcmp(end, "h") == 0 ? 3600000
                 : strcmp(end, "d") == 0 ? 86400000 : -1;
  return unit < 0 ? -1 : n * unit;
}

static void comparison(parser *ps, const char *field, const char *o, const char *v) {
  static const struct {
    const char *name, *column;
  } text_fields[] = {{"name", "name"}, {"id", "id"}, {"firmware", "firmware"}, {"health", "health"}, {"sync", "sync_status"}};
  char frag[200];
  if (strcmp(field, "last_seen") == 0) {
    int64_t ms = duration(v);
    if (ms < 0) return perr(ps, "last_seen wants a duration like 90s, 5m, 2h, 7d");
    if (strcmp(o, "~") == 0 || strcmp(o, "=") == 0 || strcmp(o, "!=") == 0) return perr(ps, "last_seen compares with < or >");
    /* last_seen > 2h: not seen for over 2 h (or never). */
    bool older = o[0] == '>';
    snprintf(frag, sizeof frag, older ? "(last_seen_at IS NULL OR last_seen_at %s ?)" : "(last_seen_at %s ?)",
             older ? (o[1] == '=' ? "<=" : "<") : (o[1] == '=' ? ">=" : ">"));
    emit(ps, frag);
    param_int(ps, ps->now - ms);
    return;
  }
  if (strcmp(field, "group") == 0) {
    if (strcmp(o, "=") && strcmp(o, "!=")) return perr(ps, "group compares with = or !=");
    snprintf(frag, sizeof frag, "(%sEXISTS (SELECT 1 FROM groups g WHERE g.id = devices.group_id AND g.name = ?))",
             o[0] == '!' ? "NOT " : "");
    emit(ps, frag);
    param_text(ps, v);
    return;
  }
  const char *col = NULL;
  bool tag = strncmp(field, "tag.", 4) == 0;
  if (tag) {
    const char *k = field + 4;
    size_t n = strlen(k);
    if (n < 1 || n > 32) return perr(ps, "bad tag key");
    for (size_t i = 0; i < n; i++)
      if (!(islower((unsigned char)k[i]) || isdigit((unsigned char)k[i]) || strchr("_.-", k[i]))) return perr(ps, "bad tag key");
  } else {
    for (size_t i = 0; i < sizeof text_fields / sizeof text_fields[0]; i++)
      if (strcmp(field, text_fields[i].name) == 0) col = text_fields[i].column;
    if (!col) return perr(ps, "unknown field '%.40s'", field);
  }
  /* Tags live in a JSON object: match its "key":"value" text exactly. */
  if (tag) {
    char needle[200];
    if (strcmp(o, "=") && strcmp(o, "!=")) return perr(ps, "tags compare with = or !=");
    snprintf(needle, sizeof needle, "%%\"%s\":\"%s\"%%", field + 4, v);
    emit(ps, o[0] == '!' ? "(tags NOT LIKE ?)" : "(tags LIKE ?)");
    param_text(ps, needle);
    return;
  }
  if (strcmp(o, "~") == 0) {
    char like[170];
    snprintf(like, sizeof like, "%%%s%%", v);
    snprintf(frag, sizeof frag, "(LOWER(COALESCE(%s, '')) LIKE LOWER(?))", col);
    emit(ps, frag);
    param_text(ps, like);
    return;
  }
  snprintf(frag, sizeof frag, "(%s %s ?)", col, strcmp(o, "!=") == 0 ? "<>" : o);
  emit(ps, frag);
  param_text(ps, v);
}

static void expr(parser *ps);

static void unary(parser *ps) {
  if (ps->failed) return;
  if (++ps->depth > 32) return perr(ps, "nested too deeply");
  if (keyword(ps, "not")) {
    emit(ps, "NOT ");
    unary(ps);
    ps->depth--;
    return;
  }
  skip(ps);
  if (*ps->p == '(') {
    ps->p++;
    emit(ps, "(");
    expr(ps);
    skip(ps);
    if (*ps->p != ')') return perr(ps, "missing )");
    ps->p++;
    emit(ps, ")");
    ps->depth--;
    return;
  }
  char word[160], value[160];
  if (!token(ps, word, sizeof word)) return perr(ps, "expected a field or a word");
  const char *o = op(ps);
  if (o) {
    if (!token(ps, value, sizeof value)) return perr(ps, "expected a value after %s", o);
    comparison(ps, word, o, value);
  } else if (strcmp(word, "sim") == 0) {
    emit(ps, "(is_simulator = 1)");
  } else if (strcmp(word, "connected") == 0) {
    emit(ps, "(connected = 1)");
  } else {
    char like[170], prefix[170], tagv[180];
    snprintf(like, sizeof like, "%%%s%%", word);
    snprintf(prefix, sizeof prefix, "%s%%", word);
    snprintf(tagv, sizeof tagv, "%%:\"%s\"%%", word);
    emit(ps, "(LOWER(name) LIKE LOWER(?) OR id LIKE ? OR tags LIKE ?)");
    param_text(ps, like);
    param_text(ps, prefix);
    param_text(ps, tagv);
  }
  ps->depth--;
}

static void conjunction(parser *ps) {
  unary(ps);
  while (!ps->failed && keyword(ps, "and")) {
    emit(ps, " AND ");
    unary(ps);
  }
}

static void expr(parser *ps) {
  emit(ps, "(");
  conjunction(ps);
  while (!ps->failed && keyword(ps, "or")) {
    emit(ps, " OR ");
    conjunction(ps);
  }
  emit(ps, ")");
}

int srv_query_compile(const char *text, int64_t now_ms, srv_query *q) {
  memset(q, 0, sizeof *q);
  if (strlen(text) > 512) {
    snprintf(q->error, sizeof q->error, "query longer than 512 bytes");
    return -1;
  }
  parser ps = {.src = text, .p = text, .now = now_ms, .q = q};
  expr(&ps);
  skip(&ps);
  if (!ps.failed && *ps.p) perr(&ps, "unexpected '%c'", *ps.p);
  return ps.failed ? -1 : 0;
}
