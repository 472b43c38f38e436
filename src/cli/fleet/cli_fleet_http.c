/* The fleet CLI's plumbing: configuration file, HTTP/JSON calls via libcurl,
 * aligned tables, flags. */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_fleet_int.h"

static void conf_path(char *out, size_t n) {
  const char *env = getenv("TOIT_CONFIG");
  if (env && *env) {
    snprintf(out, n, "%s", env);
    return;
  }
  const char *home = getenv("HOME");
  snprintf(out, n, "%s/.config/toit/config.json", home ? home : ".");
}

int cli_conf_load(cli_conf *cf) {
  memset(cf, 0, sizeof *cf);
  conf_path(cf->config_path, sizeof cf->config_path);
  json_t *j = json_load_file(cf->config_path, 0, NULL);
  if (json_is_object(j)) {
    const char *v;
    if ((v = json_string_value(json_object_get(j, "server")))) snprintf(cf->server, sizeof cf->server, "%s", v);
    if ((v = json_string_value(json_object_get(j, "token")))) snprintf(cf->token, sizeof cf->token, "%s", v);
    if ((v = json_string_value(json_object_get(j, "org")))) snprintf(cf->org, sizeof cf->org, "%s", v);
  }
  json_decref(j);
  const char *e;
  if ((e = getenv("TOIT_SERVER")) && *e) snprintf(cf->server, sizeof cf->server, "%s", e);
  if ((e = getenv("TOIT_TOKEN")) && *e) snprintf(cf->token, sizeof cf->token, "%s", e);
  if (!cf->server[0]) snprintf(cf->server, sizeof cf->server, "http://localhost:8080");
  return 0;
}

int cli_conf_save(const cli_conf *cf) {
  char dir[1024];
  snprintf(dir, sizeof dir, "%s", cf->config_path);
  for (char *p = dir + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    mkdir(dir, 0700);
    *p = '/';
  }
  json_t *j = json_pack("{s:s,s:s,s:s}", "server", cf->server, "token", cf->token, "org", cf->org);
  char tmp[1100];
  snprintf(tmp, sizeof tmp, "%s.tmp", cf->config_path);
  int rc = -1;
  FILE *f = fopen(tmp, "w");
  if (f) {
    fchmod(fileno(f), 0600); /* holds a bearer token */
    rc = json_dumpf(j, f, JSON_INDENT(2)) == 0 && fputc('\n', f) != EOF ? 0 : -1;
    if (fclose(f) != 0) rc = -1;
    if (rc == 0) rc = rename(tmp, cf->config_path);
  }
  json_decref(j);
  if (rc != 0) fprintf(stderr, "toit: cannot write %s: %s\n", cf->config_path, strerror(errno));
  return rc;
}

typedef struct {
  char *buf;
  size_t len;
} membuf;

static size_t on_data(char *p, size_t size, size_t n, void *ud) {
  membuf *m = ud;
  size_t k = size * n;
  if (m->len + k > (64u << 20)) return 0;
  m->buf = realloc(m->buf, m->len + k + 1);
  memcpy(m->buf + m->len, p, k);
  m->len += k;
  m->buf[m->len] = 0;
  return k;
}

int cli_api(const cli_conf *cf, const char *method, const char *path, json_t *body, json_t **out) {
  *out = NULL;
  CURL *curl = curl_easy_init();
  if (!curl) return CLI_ERR;
  char url[2048], auth[600];
  snprintf(url, sizeof url, "%s/api/v1%s", cf->server, path);
  struct curl_slist *hdrs = NULL;
  hdrs = curl_slist_append(hdrs, "Accept: application/json");
  if (cf->token[0]) {
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", cf->token);
    hdrs = curl_slist_append(hdrs, auth);
  }
  char *text = NULL;
  if (body) {
    text = json_dumps(body, JSON_COMPACT);
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, text);
  }
  membuf m = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &m);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(curl);
  free(text);
  if (rc != CURLE_OK) {
    fprintf(stderr, "toit: cannot reach %s: %s\n", cf->server, curl_easy_strerror(rc));
    free(m.buf);
    return CLI_ERR;
  }
  json_t *j = m.len ? json_loadb(m.buf, m.len, 0, NULL) : json_object();
  free(m.buf);
  if (!j) {
    fprintf(stderr, "toit: the server sent a malformed answer (HTTP %ld)\n", status);
    return CLI_ERR;
  }
  *out = j;
  if (status >= 200 && status < 300) return CLI_OK;
  json_t *e = json_object_get(j, "error");
  fprintf(stderr, "toit: %s: %s\n", json_string_value(json_object_get(e, "code")) ?: "error",
          json_string_value(json_object_get(e, "message")) ?: "request failed");
  if (status == 401 && !cf->token[0]) fprintf(stderr, "toit: not logged in; run `toit login`\n");
  return status == 404 ? CLI_NOT_FOUND : (status == 401 || status == 403) ? CLI_DENIED : status == 400 ? CLI_USAGE : CLI_ERR;
}

struct cli_table {
  int ncols, nrows, cap;
  char **cells; /* row-major, row 0 = headers */
};

cli_table *cli_table_new(int ncols, const char *const *headers) {
  cli_table *t = calloc(1, sizeof *t);
  t->ncols = ncols;
  cli_table_row(t, headers);
  return t;
}

void cli_table_row(cli_table *t, const char *const *cells) {
  if (t->nrows == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 16;
    t->cells = realloc(t->cells, sizeof(char *) * (size_t)(t->cap * t->ncols));
  }
  for (int i = 0; i < t->ncols; i++) t->cells[t->nrows * t->ncols + i] = strdup(cells[i] ? cells[i] : "");
  t->nrows++;
}

void cli_table_print(cli_table *t, FILE *out) {
  int w[32] = {0};
  for (int r = 0; r < t->nrows; r++)
    for (int c = 0; c < t->ncols && c < 32; c++) {
      int n = (int)strlen(t->cells[r * t->ncols + c]);
      if (n > w[c]) w[c] = n;
    }
  for (int r = 0; r < t->nrows; r++) {
    for (int c = 0; c < t->ncols; c++) {
      const char *cell = t->cells[r * t->ncols + c];
      if (c == t->ncols - 1)
        fprintf(out, "%s\n", cell);
      else
        fprintf(out, "%-*s  ", w[c], cell);
    }
  }
}

void cli_table_free(cli_table *t) {
  for (int i = 0; i < t->nrows * t->ncols; i++) free(t->cells[i]);
  free(t->cells);
  free(t);
}

bool cli_flag(int argc, char **argv, int *i, const char *name, const char **val) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0) return false;
  if (argv[*i][n] == '=') {
    *val = argv[*i] + n + 1;
    return true;
  }
  if (argv[*i][n] == 0 && *i + 1 < argc) {
    *val = argv[++*i];
    return true;
  }
  return false;
}

void cli_print_json(json_t *j) {
  json_dumpf(j, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY);
  fputc('\n', stdout);
}

char *cli_escape(const char *s) {
  char *e = curl_easy_escape(NULL, s, 0);
  char *r = strdup(e ? e : "");
  curl_free(e);
  return r;
}

bool cli_strip_flag(int *argc, char **argv, const char *flag) {
  bool found = false;
  int k = 0;
  for (int i = 0; i < *argc; i++) {
    if (strcmp(argv[i], flag) == 0)
      found = true;
    else
      argv[k++] = argv[i];
  }
  *argc = k;
  return found;
}

bool cli_wants_help(int argc, char **argv, const char *text) {
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(text, stdout);
      return true;
    }
  return false;
}

json_t *cli_value(const char *v) {
  char *end;
  long long n = strtoll(v, &end, 10);
  if (*v && !*end) return json_integer(n);
  json_t *j = json_loads(v, JSON_DECODE_ANY, NULL);
  if (j && !json_is_real(j)) return j;
  json_decref(j);
  return json_string(v);
}

typedef struct {
  CURL *curl;
  char *line;
  size_t len;
  bool (*cb)(json_t *item, void *ctx);
  void *ctx;
  bool stopped;
  long status;
  char *err; /* the body of a failed answer */
  size_t err_len;
} sse_reader;

/* Splits the stream into lines; each `data:` line is one JSON item. */
static size_t on_sse(char *p, size_t size, size_t n, void *ud) {
  sse_reader *r = ud;
  size_t k = size * n;
  if (!r->status) curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &r->status);
  if (r->status != 200) { /* an error object */
    if (r->err_len + k > 65536) return 0;
    r->err = realloc(r->err, r->err_len + k + 1);
    memcpy(r->err + r->err_len, p, k);
    r->err_len += k;
    r->err[r->err_len] = 0;
    return k;
  }
  for (size_t i = 0; i < k; i++) {
    if (p[i] != '\n') {
      if (r->len < (1u << 20)) {
        r->line = realloc(r->line, r->len + 2);
        r->line[r->len++] = p[i];
        r->line[r->len] = 0;
      }
      continue;
    }
    if (r->len > 6 && strncmp(r->line, "data: ", 6) == 0) {
      json_t *j = json_loads(r->line + 6, 0, NULL);
      bool go = j && r->cb(j, r->ctx);
      json_decref(j);
      if (!go) {
        r->stopped = true;
        return 0;
      }
    }
    r->len = 0;
  }
  return k;
}

int cli_sse(const cli_conf *cf, const char *path, bool (*cb)(json_t *item, void *ctx), void *ctx) {
  CURL *curl = curl_easy_init();
  if (!curl) return CLI_ERR;
  char url[2048], auth[600];
  snprintf(url, sizeof url, "%s/api/v1%s", cf->server, path);
  struct curl_slist *hdrs = curl_slist_append(NULL, "Accept: text/event-stream");
  if (cf->token[0]) {
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", cf->token);
    hdrs = curl_slist_append(hdrs, auth);
  }
  sse_reader r = {.curl = curl, .cb = cb, .ctx = ctx};
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_sse);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(curl);
  free(r.line);
  if (r.stopped) {
    free(r.err);
    return CLI_OK;
  }
  if (status != 200 && status != 0) {
    json_t *j = r.err ? json_loads(r.err, 0, NULL) : NULL;
    json_t *e = json_object_get(j, "error");
    fprintf(stderr, "toit: %s: %s\n", json_string_value(json_object_get(e, "code")) ?: "error",
            json_string_value(json_object_get(e, "message")) ?: "request failed");
    json_decref(j);
    free(r.err);
    return status == 404 ? CLI_NOT_FOUND : (status == 401 || status == 403) ? CLI_DENIED : status == 400 ? CLI_USAGE : CLI_ERR;
  }
  free(r.err);
  if (rc != CURLE_OK) {
    fprintf(stderr, "toit: stream from %s ended: %s\n", cf->server, curl_easy_strerror(rc));
    return CLI_ERR;
  }
  return CLI_OK;
}
