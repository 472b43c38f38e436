#include "srv_db.h"

#include <stdio.h>
#include <string.h>

srv_db *srv_db_open(const char *url, char *err, int errlen) { return srv_db_open_at(url, 0, err, errlen); }

srv_db *srv_db_open_at(const char *url, int version, char *err, int errlen) {
  srv_db *db;
  if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
    db = srv_db_pg_open(url, err, errlen);
  } else {
    if (strncmp(url, "sqlite:", 7) == 0) url += 7;
    db = srv_db_sqlite_open(url, err, errlen);
  }
  if (!db) return NULL;
  if (srv_migrate(db, version) < 0) {
    snprintf(err, (size_t)errlen, "migration failed: %s", db->err);
    srv_db_close(db);
    return NULL;
  }
  return db;
}

void srv_db_close(srv_db *db) {
  if (db) db->be->close(db);
}

int srv_db_exec(srv_db *db, const char *sql, const srv_val *p, int n, int64_t *changes) {
  return db->be->exec(db, sql, p, n, changes);
}

srv_rows *srv_db_query(srv_db *db, const char *sql, const srv_val *p, int n) { return db->be->query(db, sql, p, n); }
bool srv_rows_next(srv_rows *r) { return !r->failed && r->db->be->next(r); }
const char *srv_rows_text(srv_rows *r, int col) { return r->db->be->text(r, col); }
int64_t srv_rows_int(srv_rows *r, int col) { return r->db->be->integer(r, col); }
double srv_rows_real(srv_rows *r, int col) { return r->db->be->real(r, col); }
bool srv_rows_null(srv_rows *r, int col) { return r->db->be->is_null(r, col); }
bool srv_rows_failed(srv_rows *r) { return r->failed; }
void srv_rows_free(srv_rows *r) { r->db->be->free_rows(r); }

int64_t srv_db_int(srv_db *db, const char *sql, const srv_val *p, int n, int64_t dflt) {
  srv_rows *r = srv_db_query(db, sql, p, n);
  int64_t v = dflt;
  if (srv_rows_next(r) && !srv_rows_null(r, 0)) v = srv_rows_int(r, 0);
  srv_rows_free(r);
  return v;
}

int srv_db_begin(srv_db *db) { return srv_db_exec(db, "BEGIN", NULL, 0, NULL); }
int srv_db_commit(srv_db *db) { return srv_db_exec(db, "COMMIT", NULL, 0, NULL); }
void srv_db_rollback(srv_db *db) { srv_db_exec(db, "ROLLBACK", NULL, 0, NULL); }
const char *srv_db_error(srv_db *db) { return db->err; }
