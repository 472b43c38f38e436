/* Unit tests of the server's pure pieces and the SQLite store: migrations,
 * helpers, rate limiter, role matrix. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/srv.h"
#include "server/srv_goal.h"
#include "server/srv_query.h"
#include "server/srv_util.h"

static int failures, checks;
#define CHECK(cond)                                                  \
  do {                                                               \
    checks++;                                                        \
    if (!(cond)) {                                                   \
      failures++;                                                    \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                \
  } while (0)

static void test_util(void) {
  char u[37], u2[37];
  srv_uuid(u);
  srv_uuid(u2);
  CHECK(srv_is_uuid(u) && u[14] == '4' && strchr("89ab", u[19]));
  CHECK(strcmp(u, u2) != 0);
  CHECK(!srv_is_uuid("not-a-uuid"));
  CHECK(!srv_is_uuid("3f2a91c0-0000-4000-8000-00000000000G"));
  uint8_t b[4];
  CHECK(srv_unhex("00ff7a10", b, 4) && b[1] == 0xff && b[2] == 0x7a);
  CHECK(!srv_unhex("00FF7a10", b, 4)); /* upper case is not the wire format */
  CHECK(!srv_unhex("00ff7a1", b, 4));
  char h[65];
  srv_sha256_hex("abc", 3, h);
  CHECK(strcmp(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
  char t[32];
  srv_time_fmt(1767259042123LL, t);
  CHECK(strcmp(t, "2026-01-01T09:17:22.123Z") == 0);
  int64_t ms;
  CHECK(srv_time_parse("2026-01-01T09:17:22.123Z", &ms) && ms == 1767259042123LL);
  CHECK(srv_time_parse("2026-01-01T09:17:22Z", &ms) && ms == 1767259042000LL);
  CHECK(!srv_time_parse("2026-01-01T09:17:22+01:00", &ms));
  CHECK(!srv_time_parse("2026-13-01T09:17:22Z", &ms));
  CHECK(!srv_time_parse("yesterday", &ms));
  char e[255];
  CHECK(srv_email_norm("Ana@Example.COM", e) && strcmp(e, "ana@example.com") == 0);
  CHECK(!srv_email_norm("ana", e) && !srv_email_norm("a@b@c", e) && !srv_email_norm("a b@c", e) &&
        !srv_email_norm("@x", e) && !srv_email_norm("x@", e));
  CHECK(srv_text_ok("héllo", 64));
  CHECK(!srv_text_ok("", 64) && !srv_text_ok("a\nb", 64) && !srv_text_ok("\xc3", 64) && !srv_text_ok("\xc0\xaf", 64));
  CHECK(!srv_text_ok("abcdef", 5));
  char k[46], p[9];
  srv_auth_new_key_secret(k, p);
  CHECK(strlen(k) == 44 && strncmp(k, "tk_", 3) == 0 && strncmp(k + 3, p, 8) == 0 && k[11] == '_');
  for (int i = 3; i < 44; i++) CHECK(k[i] == '_' || (k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '2' && k[i] <= '7'));
}

/* Firmware version order (min_from_version). */
static void test_versions(void) {
  static const char *const ordered[] = {"0.9",     "v0.9.1",   "1.0.0-alpha", "1.0.0-alpha.2", "1.0.0-beta",
                                        "1.0.0-rc1", "1",      "1.0.1",       "1.2",           "1.10",
                                        "1.10.1+build7", "2.0.0", "2.0.0.x",  "10.0"};
  int n = (int)(sizeof ordered / sizeof *ordered);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      int r = srv_version_cmp(ordered[i], ordered[j]);
      CHECK(i < j ? r < 0 : i > j ? r > 0 : r == 0);
    }
  CHECK(srv_version_cmp("1", "1.0.0") == 0);
  CHECK(srv_version_cmp("v1.2.3", "1.2.3") == 0);
  CHECK(srv_version_cmp("1.2.3+a", "1.2.3+b") == 0);
  CHECK(srv_version_cmp("01.2", "1.2") == 0);
  CHECK(srv_version_cmp("1.2", "1.b") < 0);
}

static void test_roles(void) {
  CHECK(srv_role_allows(SRV_ROLE_VIEWER, SRV_ACT_READ));
  CHECK(!srv_role_allows(SRV_ROLE_VIEWER, SRV_ACT_OPERATE));
  CHECK(srv_role_allows(SRV_ROLE_MEMBER, SRV_ACT_OPERATE));
  CHECK(!srv_role_allows(SRV_ROLE_MEMBER, SRV_ACT_ADMIN));
  CHECK(srv_role_allows(SRV_ROLE_ADMIN, SRV_ACT_ADMIN));
  CHECK(srv_role_allows(SRV_ROLE_PROVISIONER, SRV_ACT_PROVISION) && srv_role_allows(SRV_ROLE_PROVISIONER, SRV_ACT_CLAIM));
  CHECK(!srv_role_allows(SRV_ROLE_PROVISIONER, SRV_ACT_READ));
  CHECK(srv_role_allows(SRV_ROLE_PUBLISHER, SRV_ACT_DATA) && !srv_role_allows(SRV_ROLE_PUBLISHER, SRV_ACT_READ));
  CHECK(!srv_role_allows(SRV_ROLE_MEMBER, SRV_ACT_PROVISION));
  CHECK(!srv_role_allows(SRV_ROLE_NONE, SRV_ACT_SELF));
  CHECK(srv_role_parse("device-provisioner") == SRV_ROLE_PROVISIONER && srv_role_parse("root") == SRV_ROLE_NONE &&
        srv_role_parse(NULL) == SRV_ROLE_NONE);
}

static void test_rate(void) {
  srv_rate *r = srv_rate_new();
  int ok = 0;
  for (int i = 0; i < 10; i++) ok += srv_rate_take(r, "k", 1, 5, 1000);
  CHECK(ok == 5);
  CHECK(!srv_rate_take(r, "k", 1, 5, 1500));
  CHECK(srv_rate_take(r, "k", 1, 5, 2100)); /* refilled ~1 token */
  CHECK(srv_rate_take(r, "other", 1, 5, 2100));
  CHECK(srv_rate_peek(r, "p", 1, 1, 0) && srv_rate_peek(r, "p", 1, 1, 0)); /* peek never drains */
  srv_rate_free(r);
}

static void test_migrations(void) {
  char path[] = "/tmp/srv_store_XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  char err[256];
  srv_db *db = srv_db_sqlite_open(path, err, sizeof err);
  CHECK(db != NULL);
  if (!db) return;
  /* An old database: schema version 1 with data in it. */
  CHECK(srv_migrate(db, 1) == 1);
  srv_val o[] = {SRV_TEXT("o1"), SRV_TEXT("acme")};
  CHECK(srv_db_exec(db, "INSERT INTO orgs (id, name, created_at, settings) VALUES (?,?,1,'{}')", o, 2, NULL) == 0);
  srv_db_close(db);
  /* Opening it upgrades in place and keeps the data. */
  db = srv_db_open(path, err, sizeof err);
  CHECK(db != NULL);
  if (!db) return;
  CHECK(srv_db_int(db, "SELECT MAX(version) FROM schema_version", NULL, 0, 0) == srv_migrate_latest());
  CHECK(srv_db_int(db, "SELECT COUNT(*) FROM orgs WHERE name = 'acme'", NULL, 0, 0) == 1);
  CHECK(srv_migrate(db, 0) == srv_migrate_latest()); /* idempotent */
  /* Constraint violations are reported as such. */
  CHECK(srv_db_exec(db, "INSERT INTO orgs (id, name, created_at, settings) VALUES (?,?,1,'{}')", o, 2, NULL) ==
        SRV_DB_CONSTRAINT);
  /* A schema newer than the server is refused, not silently used. */
  srv_val v = SRV_INT(srv_migrate_latest() + 1);
  CHECK(srv_db_exec(db, "UPDATE schema_version SET version = ?", &v, 1, NULL) == 0);
  CHECK(srv_migrate(db, 0) == -1);
  srv_db_close(db);
  db = srv_db_open(path, err, sizeof err);
  CHECK(db == NULL && strstr(err, "newer") != NULL);
  /* Bad SQL is an error, never a crash. */
  db = srv_db_sqlite_open(path, err, sizeof err);
  srv_rows *r = srv_db_query(db, "SELECT nope FROM nowhere", NULL, 0);
  CHECK(!srv_rows_next(r) && srv_rows_failed(r));
  srv_rows_free(r);
  srv_db_close(db);
  unlink(path);
  char wal[64];
  snprintf(wal, sizeof wal, "%s-wal", path);
  unlink(wal);
  snprintf(wal, sizeof wal, "%s-shm", path);
  unlink(wal);
  CHECK(srv_db_open("/nonexistent-dir/x/y.db", err, sizeof err) == NULL);
}

/* Golden vectors computed independently with Python's
 * json.dumps(d, sort_keys=True, separators=(",", ":"), ensure_ascii=False). */
static void test_goal(void) {
  json_t *g = json_loads("{\"rev\":3,\"sum\":\"x\",\"sig\":\"y\",\"name\":\"sensor-1\",\"max_offline_s\":300}", 0, NULL);
  char *c = srv_goal_canonical(g), sum[33];
  CHECK(strcmp(c, "{\"max_offline_s\":300,\"name\":\"sensor-1\"}") == 0);
  srv_goal_sum(g, sum);
  CHECK(strcmp(sum, "e06865d99e2b757c778a765a5ebda2dc") == 0);
  free(c);
  json_decref(g);
  g = json_loads("{\"name\":\"\\u00e9/\\u007f\",\"z\":{\"b\":[3,1,2],\"a\":\"\\\"\\\\\\n\\t\\u0001\"},\"a\":-5}", 0, NULL);
  c = srv_goal_canonical(g);
  CHECK(c && strcmp(c, "{\"a\":-5,\"name\":\"\xc3\xa9/\x7f\",\"z\":{\"a\":\"\\\"\\\\\\n\\t\\u0001\",\"b\":[3,1,2]}}") == 0);
  srv_goal_sum(g, sum);
  CHECK(strcmp(sum, "28049b5a7c7b8b1acaf1fb3bc9674af1") == 0);
  free(c);
  json_decref(g);
  /* Merge patch: objects merge, null deletes, lists replace. */
  json_t *t = json_loads("{\"a\":{\"x\":1,\"y\":2},\"l\":[1,2],\"k\":1}", 0, NULL);
  json_t *p = json_loads("{\"a\":{\"y\":null,\"z\":3},\"l\":[9],\"k\":null,\"n\":{\"m\":1}}", 0, NULL);
  srv_goal_merge(t, p);
  c = json_dumps(t, JSON_COMPACT | JSON_SORT_KEYS);
  CHECK(strcmp(c, "{\"a\":{\"x\":1,\"z\":3},\"l\":[9],\"n\":{\"m\":1}}") == 0);
  free(c);
  json_decref(t);
  json_decref(p);
  /* Patch validation. */
  char field[64], why[128];
  const char *bad[] = {"[1]", "{\"bogus\":1}", "{\"max_offline_s\":29}", "{\"max_offline_s\":\"60\"}",
                       "{\"upload\":{\"x\":0.5}}", "{\"log_level\":1}",
                       "{\"apps\":{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"h\":{\"i\":1}}}}}}}}}}"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    json_t *b = json_loads(bad[i], JSON_DECODE_ANY, NULL);
    CHECK(b && !srv_goal_patch_ok(b, field, why));
    json_decref(b);
  }
  json_t *ok = json_loads("{\"max_offline_s\":0,\"log_level\":null,\"upload\":{\"max_batch_bytes\":8192}}", 0, NULL);
  CHECK(srv_goal_patch_ok(ok, field, why));
  json_decref(ok);
}

static void test_query(void) {
  srv_query q;
  CHECK(srv_query_compile("name=sensor-1", 0, &q) == 0);
  CHECK(strcmp(q.sql, "((name = ?))") == 0 && q.nparams == 1 && strcmp(q.store[0], "sensor-1") == 0);
  CHECK(srv_query_compile("health=unhealthy and group=drones or not sim", 0, &q) == 0);
  CHECK(strcmp(q.sql, "((health = ?) AND (NOT EXISTS (SELECT 1 FROM groups g WHERE g.id = devices.group_id AND g.name = ?))"
                      " OR NOT (is_simulator = 1))") != 0); /* and binds tighter: */
  CHECK(strcmp(q.sql, "((health = ?) AND (EXISTS (SELECT 1 FROM groups g WHERE g.id = devices.group_id AND g.name = ?))"
                      " OR NOT (is_simulator = 1))") == 0);
  CHECK(srv_query_compile("last_seen > 2h", 10000000, &q) == 0);
  CHECK(strcmp(q.sql, "((last_seen_at IS NULL OR last_seen_at < ?))") == 0 && q.params[0].i == 10000000 - 7200000);
  CHECK(srv_query_compile("tag.site = \"lab 2\" and (firmware ~ v0 or connected)", 0, &q) == 0);
  CHECK(strcmp(q.store[0], "%\"site\":\"lab 2\"%") == 0 && strcmp(q.store[1], "%v0%") == 0);
  CHECK(srv_query_compile("drone", 0, &q) == 0 && q.nparams == 3);
  /* Values never reach the SQL text. */
  CHECK(srv_query_compile("name=\"x'); DROP TABLE devices; --\"", 0, &q) == 0 && strchr(q.sql, '\'') == NULL);
  const char *bad[] = {"", "bogus=1", "name=", "(name=a", "name=a)", "last_seen > soon", "last_seen ~ 2h", "tag.=x",
                       "tag.Site=x", "group < a", "\"open", "name=a and", "not", "a b", "name==a"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CHECK(srv_query_compile(bad[i], 0, &q) == -1 && q.error[0]);
  }
  char deep[600];
  memset(deep, '(', 100);
  strcpy(deep + 100, "a");
  memset(deep + 101, ')', 100);
  deep[201] = 0;
  CHECK(srv_query_compile(deep, 0, &q) == -1 && strstr(q.error, "deeply"));
  /* Hostile input: random strings from the query alphabet never crash and
   * either compile or say why. */
  const char alpha[] = "abnotrdg=!<>~()\" .tag_last_seen0123456789hms";
  srand(7);
  for (int i = 0; i < 20000; i++) {
    char buf[64];
    int n = rand() % 63;
    for (int k = 0; k < n; k++) buf[k] = alpha[rand() % (int)(sizeof alpha - 1)];
    buf[n] = 0;
    int rc = srv_query_compile(buf, 0, &q);
    if (rc != 0 && !q.error[0]) CHECK(!"an error without a message");
    if (rc == 0 && q.nparams > SRV_QUERY_MAX_PARAMS) CHECK(!"too many params");
  }
}

/* FLEET.md §8 "API parity": every HTTP route's operation has an RPC and
 * every RPC an HTTP route. */
static void test_api_parity(void) {
  char report[2048];
  int missing = srv_api_parity(report, sizeof report);
  if (missing) fprintf(stderr, "API parity: %s\n", report);
  CHECK(missing == 0);
}

int main(void) {
  srv_util_init();
  test_api_parity();
  test_util();
  test_versions();
  test_roles();
  test_rate();
  test_migrations();
  test_goal();
  test_query();
  printf("%d passed, %d failed\n", checks - failures, failures);
  return failures ? 1 : 0;
}
