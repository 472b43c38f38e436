/* SQLite back end: one connection in WAL mode; the server serializes access
 * with its store lock, so no connection pool is needed. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv_db.h"

typedef struct {
  srv_db base;
  sqlite3 *conn;
} sq_db;

typedef struct {
  srv_rows base;
  sqlite3_stmt *st;
} sq_rows;

static void set_err(sq_db *d) { snprintf(d->base.err, sizeof d->base.err, "%s", sqlite3_errmsg(d->conn)); }

static sqlite3_stmt *prepare(sq_db *d, const char *sql, const srv_val *p, int n) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(d->conn, sql, -1, &st, NULL) != SQLITE_OK) {
    set_err(d);
    return NULL;
  }
  for (int i = 0; i < n; i++) {
    int rc = SQLITE_OK;
    switch (p[i].type) {
      case SRV_V_NULL: rc = sqlite3_bind_null(st, i + 1); break;
      case SRV_V_INT: rc = sqlite3_bind_int64(st, i + 1, p[i].i); break;
      case SRV_V_TEXT: rc = sqlite3_bind_text(st, i + 1, p[i].s, -1, SQLITE_TRANSIENT); break;
      case SRV_V_REAL: rc = sqlite3_bind_double(st, i + 1, p[i].d); break;
    }
    if (rc != SQLITE_OK) {
      set_err(d);
      sqlite3_finalize(st);
      return NULL;
    }
  }
  return st;
}

static void sq_close(srv_db *db) {
  sq_db *d = (sq_db *)db;
  sqlite3_close(d->conn);
  free(d);
}

static int sq_exec(srv_db *db, const char *sql, const srv_val *p, int n, int64_t *changes) {
  sq_db *d = (sq_db *)db;
  if (n == 0 && !changes && !strchr(sql, '?')) {
    /* Multi-statement scripts (migrations) go through sqlite3_exec. */
    char *msg = NULL;
    if (sqlite3_exec(d->conn, sql, NULL, NULL, &msg) != SQLITE_OK) {
      snprintf(d->base.err, sizeof d->base.err, "%s", msg ? msg : "error");
      sqlite3_free(msg);
      return SRV_DB_ERROR;
    }
    return SRV_DB_OK;
  }
  sqlite3_stmt *st = prepare(d, sql, p, n);
  if (!st) return SRV_DB_ERROR;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
  }
  int status = SRV_DB_OK;
  if (rc != SQLITE_DONE) {
    set_err(d);
    status = (sqlite3_errcode(d->conn) & 0xff) == SQLITE_CONSTRAINT ? SRV_DB_CONSTRAINT : SRV_DB_ERROR;
  } else if (changes) {
    *changes = sqlite3_changes(d->conn);
  }
  sqlite3_finalize(st);
  return status;
}

static srv_rows *sq_query(srv_db *db, const char *sql, const srv_val *p, int n) {
  sq_db *d = (sq_db *)db;
  sq_rows *r = calloc(1, sizeof *r);
  r->base.db = db;
  r->st = prepare(d, sql, p, n);
  r->base.failed = r->st == NULL;
  return &r->base;
}

static bool sq_next(srv_rows *rows) {
  sq_rows *r = (sq_rows *)rows;
  int rc = sqlite3_step(r->st);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) {
    set_err((sq_db *)rows->db);
    rows->failed = true;
  }
  return false;
}

static const char *sq_text(srv_rows *rows, int col) {
  return (const char *)sqlite3_column_text(((sq_rows *)rows)->st, col);
}
static int64_t sq_int(srv_rows *rows, int col) { return sqlite3_column_int64(((sq_rows *)rows)->st, col); }
static double sq_real(srv_rows *rows, int col) { return sqlite3_column_double(((sq_rows *)rows)->st, col); }
static bool sq_null(srv_rows *rows, int col) {
  return sqlite3_column_type(((sq_rows *)rows)->st, col) == SQLITE_NULL;
}
static void sq_free(srv_rows *rows) {
  sq_rows *r = (sq_rows *)rows;
  sqlite3_finalize(r->st);
  free(r);
}

static const srv_db_backend sqlite_backend = {
    "sqlite", sq_close, sq_exec, sq_query, sq_next, sq_text, sq_int, sq_real, sq_null, sq_free,
};

srv_db *srv_db_sqlite_open(const char *path, char *err, int errlen) {
  sq_db *d = calloc(1, sizeof *d);
  d->base.be = &sqlite_backend;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path, &d->conn, flags, NULL) != SQLITE_OK) {
    snprintf(err, (size_t)errlen, "cannot open %s: %s", path, d->conn ? sqlite3_errmsg(d->conn) : "out of memory");
    sqlite3_close(d->conn);
    free(d);
    return NULL;
  }
  sqlite3_busy_timeout(d->conn, 5000);
  if (sq_exec(&d->base, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", NULL, 0,
              NULL) != SRV_DB_OK) {
    snprintf(err, (size_t)errlen, "cannot configure %s: %s", path, d->base.err);
    sq_close(&d->base);
    return NULL;
  }
  return &d->base;
}
