/* PostgreSQL back end over libpq. `?` placeholders become $1..$n; results are
 * fetched whole (queries are paged, so they are small). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv_db.h"

typedef struct {
  srv_db base;
  PGconn *conn;
} pg_db;

typedef struct {
  srv_rows base;
  PGresult *res;
  int row;
} pg_rows;

/* Rewrites `?` outside string literals into $n. */
static char *translate(const char *sql) {
  size_t n = strlen(sql);
  char *out = malloc(n * 4 + 1), *o = out;
  int k = 0;
  bool in_str = false;
  for (const char *p = sql; *p; p++) {
    if (*p == '\'') in_str = !in_str;
    if (*p == '?' && !in_str) {
      o += sprintf(o, "$%d", ++k);
    } else {
      *o++ = *p;
    }
  }
  *o = 0;
  return out;
}

static PGresult *run(pg_db *d, const char *sql, const srv_val *p, int n) {
  char *q = translate(sql);
  const char *vals[64];
  Oid types[64];
  char nums[64][40];
  if (n > 64) n = 64;
  for (int i = 0; i < n; i++) {
    /* Typed parameters (text, int8, float8) so comparisons resolve; NULL stays
     * unknown and takes the type of its context. */
    types[i] = p[i].type == SRV_V_TEXT ? 25 : p[i].type == SRV_V_INT ? 20 : p[i].type == SRV_V_REAL ? 701 : 0;
    if (p[i].type == SRV_V_NULL) {
      vals[i] = NULL;
    } else if (p[i].type == SRV_V_INT) {
      snprintf(nums[i], sizeof nums[i], "%lld", (long long)p[i].i);
      vals[i] = nums[i];
    } else if (p[i].type == SRV_V_REAL) {
      snprintf(nums[i], sizeof nums[i], "%.17g", p[i].d);
      vals[i] = nums[i];
    } else {
      vals[i] = p[i].s;
    }
  }
  PGresult *res = n == 0 ? PQexec(d->conn, q) : PQexecParams(d->conn, q, n, types, vals, NULL, NULL, 0);
  free(q);
  return res;
}

static void pg_close(srv_db *db) {
  pg_db *d = (pg_db *)db;
  PQfinish(d->conn);
  free(d);
}

static int pg_exec(srv_db *db, const char *sql, const srv_val *p, int n, int64_t *changes) {
  pg_db *d = (pg_db *)db;
  PGresult *res = run(d, sql, p, n);
  ExecStatusType st = PQresultStatus(res);
  int rc = SRV_DB_OK;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    snprintf(d->base.err, sizeof d->base.err, "%s", PQresultErrorMessage(res));
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    rc = state && strncmp(state, "23", 2) == 0 ? SRV_DB_CONSTRAINT : SRV_DB_ERROR;
  } else if (changes) {
    const char *t = PQcmdTuples(res);
    *changes = t && *t ? atoll(t) : 0;
  }
  PQclear(res);
  return rc;
}

static srv_rows *pg_query(srv_db *db, const char *sql, const srv_val *p, int n) {
  pg_db *d = (pg_db *)db;
  pg_rows *r = calloc(1, sizeof *r);
  r->base.db = db;
  r->res = run(d, sql, p, n);
  r->row = -1;
  if (PQresultStatus(r->res) != PGRES_TUPLES_OK) {
    snprintf(d->base.err, sizeof d->base.err, "%s", PQresultErrorMessage(r->res));
    r->base.failed = true;
  }
  return &r->base;
}

static bool pg_next(srv_rows *rows) {
  pg_rows *r = (pg_rows *)rows;
  return ++r->row < PQntuples(r->res);
}
static const char *pg_text(srv_rows *rows, int col) {
  pg_rows *r = (pg_rows *)rows;
  return PQgetisnull(r->res, r->row, col) ? NULL : PQgetvalue(r->res, r->row, col);
}
static int64_t pg_int(srv_rows *rows, int col) {
  const char *t = pg_text(rows, col);
  if (!t) return 0;
  if (t[0] == 't' && t[1] == 0) return 1; /* booleans */
  return atoll(t);
}
static double pg_real(srv_rows *rows, int col) {
  const char *t = pg_text(rows, col);
  return t ? strtod(t, NULL) : 0;
}
static bool pg_null(srv_rows *rows, int col) {
  pg_rows *r = (pg_rows *)rows;
  return PQgetisnull(r->res, r->row, col);
}
static void pg_free(srv_rows *rows) {
  pg_rows *r = (pg_rows *)rows;
  PQclear(r->res);
  free(r);
}

static const srv_db_backend pg_backend = {
    "postgres", pg_close, pg_exec, pg_query, pg_next, pg_text, pg_int, pg_real, pg_null, pg_free,
};

static void quiet(void *arg, const char *msg) {
  (void)arg;
  (void)msg;
}

srv_db *srv_db_pg_open(const char *url, char *err, int errlen) {
  pg_db *d = calloc(1, sizeof *d);
  d->base.be = &pg_backend;
  d->conn = PQconnectdb(url);
  if (PQstatus(d->conn) != CONNECTION_OK) {
    snprintf(err, (size_t)errlen, "cannot connect to PostgreSQL: %s", PQerrorMessage(d->conn));
    PQfinish(d->conn);
    free(d);
    return NULL;
  }
  PQsetNoticeProcessor(d->conn, quiet, NULL);
  return &d->base;
}
