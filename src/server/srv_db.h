/* The storage back end seen by the rest of the server: a connection that runs
 * parameterized SQL. Statements use `?` placeholders and the common subset of
 * SQLite and PostgreSQL; each back end (srv_db_sqlite.c, later srv_db_pg.c)
 * translates what differs. Parameters are always bound, never spliced. */
#ifndef TOIT_SRV_DB_H
#define TOIT_SRV_DB_H

#include <stdbool.h>
#include <stdint.h>

typedef struct srv_db srv_db;
typedef struct srv_rows srv_rows;

typedef enum { SRV_V_NULL, SRV_V_INT, SRV_V_TEXT, SRV_V_REAL } srv_vtype;
typedef struct {
  srv_vtype type;
  int64_t i;
  const char *s;
  double d;
} srv_val;

#define SRV_INT(x) ((srv_val){SRV_V_INT, (int64_t)(x), 0, 0})
static inline srv_val srv_val_text(const char *s) {
  srv_val v = {s ? SRV_V_TEXT : SRV_V_NULL, 0, s, 0};
  return v;
}
#define SRV_TEXT(x) srv_val_text(x)
#define SRV_REAL(x) ((srv_val){SRV_V_REAL, 0, 0, (double)(x)})
#define SRV_NULLV ((srv_val){SRV_V_NULL, 0, 0, 0})

typedef enum { SRV_DB_OK = 0, SRV_DB_ERROR = -1, SRV_DB_CONSTRAINT = -2 } srv_db_status;

typedef struct {
  const char *name; /* "sqlite" or "postgres" */
  void (*close)(srv_db *db);
  int (*exec)(srv_db *db, const char *sql, const srv_val *p, int n, int64_t *changes);
  srv_rows *(*query)(srv_db *db, const char *sql, const srv_val *p, int n);
  bool (*next)(srv_rows *r);
  const char *(*text)(srv_rows *r, int col);
  int64_t (*integer)(srv_rows *r, int col);
  double (*real)(srv_rows *r, int col);
  bool (*is_null)(srv_rows *r, int col);
  void (*free_rows)(srv_rows *r);
} srv_db_backend;

struct srv_db {
  const srv_db_backend *be;
  char err[256];
};

struct srv_rows {
  srv_db *db;
  bool failed;
};

/* Opens "sqlite:PATH", a bare PATH, or "postgres://..." and migrates the
 * schema to the newest version. On failure returns NULL and writes why. */
srv_db *srv_db_open(const char *url, char *err, int errlen);
/* Same, migrating only up to `version` (0 = the newest): for upgrade tests
 * and operators who stage an upgrade (`toit serve --migrate-to N`). */
srv_db *srv_db_open_at(const char *url, int version, char *err, int errlen);
void srv_db_close(srv_db *db);

/* Runs a statement without rows; changes (may be NULL) gets the row count. */
int srv_db_exec(srv_db *db, const char *sql, const srv_val *p, int n, int64_t *changes);
/* Runs a query; never NULL (check srv_rows_failed after the loop). */
srv_rows *srv_db_query(srv_db *db, const char *sql, const srv_val *p, int n);
bool srv_rows_next(srv_rows *r);
const char *srv_rows_text(srv_rows *r, int col); /* NULL for SQL NULL */
int64_t srv_rows_int(srv_rows *r, int col);
double srv_rows_real(srv_rows *r, int col);
bool srv_rows_null(srv_rows *r, int col);
bool srv_rows_failed(srv_rows *r);
void srv_rows_free(srv_rows *r);

/* Convenience: first column of the first row as int (dflt if none). */
int64_t srv_db_int(srv_db *db, const char *sql, const srv_val *p, int n, int64_t dflt);

int srv_db_begin(srv_db *db);
int srv_db_commit(srv_db *db);
void srv_db_rollback(srv_db *db);
const char *srv_db_error(srv_db *db);

/* Schema migrations (srv_migrate.c): brings the schema to `target` (0 = the
 * newest) inside transactions; returns the version now in force or -1. */
int srv_migrate(srv_db *db, int target);
int srv_migrate_latest(void);

/* Back-end constructors. */
srv_db *srv_db_sqlite_open(const char *path, char *err, int errlen);
srv_db *srv_db_pg_open(const char *url, char *err, int errlen);

#endif
