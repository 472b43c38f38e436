/* Credentials: sessions (bearer tokens, hashed at rest), API keys (SHA-256 of
 * the whole secret), passwords (argon2id), and the first-start seeding. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv.h"
#include "srv_util.h"

#define SESSION_MS (12LL * 3600 * 1000)
#define REFRESH_MS (30LL * 24 * 3600 * 1000)

int srv_auth_hash_password(srv *s, const char *pw, char out[128]) {
  unsigned long long ops = s->opt.test_hooks ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  size_t mem = s->opt.test_hooks ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  return crypto_pwhash_str(out, pw, strlen(pw), ops, mem);
}

bool srv_auth_check_password(const char *hash, const char *pw) {
  return hash && crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

void srv_auth_new_key_secret(char secret[46], char prefix[9]) {
  char tail[33];
  srv_random_base32(prefix, 8);
  srv_random_base32(tail, 32);
  snprintf(secret, 46, "tk_%s_%s", prefix, tail);
}

srv_err srv_auth_new_session(srv_call *c, const char *user_id, const char *org_id) {
  char id[37], token[68], refresh[68], th[65], rh[65];
  srv_uuid(id);
  memcpy(token, "ts_", 3);
  srv_random_hex(token + 3, 32);
  memcpy(refresh, "tr_", 3);
  srv_random_hex(refresh + 3, 32);
  srv_sha256_hex(token, strlen(token), th);
  srv_sha256_hex(refresh, strlen(refresh), rh);
  int64_t now = srv_now_ms();
  srv_val p[] = {SRV_TEXT(id), SRV_TEXT(user_id), SRV_TEXT(org_id), SRV_TEXT(th), SRV_TEXT(rh),
                 SRV_INT(now), SRV_INT(now + SESSION_MS), SRV_INT(now + REFRESH_MS)};
  if (srv_db_exec(c->s->db,
                  "INSERT INTO sessions (id, user_id, active_org_id, token_hash, refresh_hash, created_at,"
                  " expires_at, refresh_expires_at) VALUES (?,?,?,?,?,?,?,?)",
                  p, 8, NULL) < 0)
    return srv_fail(c, SRV_E_INTERNAL, "cannot store session");
  json_decref(c->out);
  c->out = json_pack("{s:s,s:o,s:s,s:o}", "token", token, "expires_at", srv_json_time(now + SESSION_MS),
                     "refresh_token", refresh, "refresh_expires_at", srv_json_time(now + REFRESH_MS));
  return SRV_E_OK;
}

static srv_err auth_key(srv *s, const char *secret, srv_who *who) {
  /* tk_ + 8 + _ + 32 */
  if (strlen(secret) != 44 || secret[11] != '_') return SRV_E_UNAUTHENTICATED;
  char prefix[9], h[65];
  memcpy(prefix, secret + 3, 8);
  prefix[8] = 0;
  srv_sha256_hex(secret, strlen(secret), h);
  srv_val p[] = {SRV_TEXT(prefix)};
  srv_rows *r = srv_db_query(s->db,
                             "SELECT id, org_id, name, secret_hash, role, expires_at, revoked_at, last_used_at"
                             " FROM api_keys WHERE prefix = ?",
                             p, 1);
  srv_err e = SRV_E_UNAUTHENTICATED;
  int64_t now = srv_now_ms(), last_used = 0;
  if (srv_rows_next(r) && srv_streq_ct(srv_rows_text(r, 3), h) && srv_rows_null(r, 6) &&
      (srv_rows_null(r, 5) || srv_rows_int(r, 5) > now)) {
    who->kind = SRV_WHO_API_KEY;
    snprintf(who->key_id, sizeof who->key_id, "%s", srv_rows_text(r, 0));
    snprintf(who->org_id, sizeof who->org_id, "%s", srv_rows_text(r, 1));
    snprintf(who->display, sizeof who->display, "key %s", srv_rows_text(r, 2));
    who->role = srv_role_parse(srv_rows_text(r, 4));
    last_used = srv_rows_int(r, 7);
    e = SRV_E_OK;
  }
  srv_rows_free(r);
  if (e == SRV_E_OK && now - last_used > 60000) { /* coalesce: one write a minute */
    srv_val q[] = {SRV_INT(now), SRV_TEXT(who->key_id)};
    srv_db_exec(s->db, "UPDATE api_keys SET last_used_at = ? WHERE id = ?", q, 2, NULL);
  }
  return e;
}

static srv_err auth_session(srv *s, const char *token, srv_who *who) {
  char h[65];
  srv_sha256_hex(token, strlen(token), h);
  int64_t now = srv_now_ms();
  srv_val p[] = {SRV_TEXT(h)};
  srv_rows *r = srv_db_query(s->db,
                             "SELECT s.id, s.user_id, s.active_org_id, s.expires_at, u.email, m.role"
                             " FROM sessions s JOIN users u ON u.id = s.user_id"
                             " JOIN memberships m ON m.user_id = s.user_id AND m.org_id = s.active_org_id"
                             " WHERE s.token_hash = ? AND s.revoked = 0 AND u.disabled = 0",
                             p, 1);
  srv_err e = SRV_E_UNAUTHENTICATED;
  int64_t expires = 0;
  if (srv_rows_next(r) && srv_rows_int(r, 3) > now) {
    who->kind = SRV_WHO_SESSION;
    snprintf(who->session_id, sizeof who->session_id, "%s", srv_rows_text(r, 0));
    snprintf(who->user_id, sizeof who->user_id, "%s", srv_rows_text(r, 1));
    snprintf(who->org_id, sizeof who->org_id, "%s", srv_rows_text(r, 2));
    snprintf(who->display, sizeof who->display, "%s", srv_rows_text(r, 4));
    who->role = srv_role_parse(srv_rows_text(r, 5));
    expires = srv_rows_int(r, 3);
    e = SRV_E_OK;
  }
  srv_rows_free(r);
  if (e == SRV_E_OK && now + SESSION_MS - expires > 60000) { /* sliding expiry, coalesced */
    srv_val q[] = {SRV_INT(now + SESSION_MS), SRV_TEXT(who->session_id)};
    srv_db_exec(s->db, "UPDATE sessions SET expires_at = ? WHERE id = ?", q, 2, NULL);
  }
  return e;
}

srv_err srv_auth_bearer(srv *s, const char *header, srv_who *who) {
  memset(who, 0, sizeof *who);
  if (!header || strncmp(header, "Bearer ", 7) != 0) return SRV_E_UNAUTHENTICATED;
  const char *cred = header + 7;
  if (strncmp(cred, "tk_", 3) == 0) return auth_key(s, cred, who);
  if (strncmp(cred, "ts_", 3) == 0 && strlen(cred) == 67) return auth_session(s, cred, who);
  return SRV_E_UNAUTHENTICATED;
}

/* Creates an org, a user and the admin membership, in the caller's transaction. */
static int seed(srv *s, const char *org_name, const char *email, const char *password, char org_id[37]) {
  char user_id[37], hash[128];
  srv_uuid(org_id);
  srv_uuid(user_id);
  if (srv_auth_hash_password(s, password, hash) != 0) return -1;
  int64_t now = srv_now_ms();
  srv_val o[] = {SRV_TEXT(org_id), SRV_TEXT(org_name), SRV_INT(now), SRV_TEXT("{}")};
  srv_val u[] = {SRV_TEXT(user_id), SRV_TEXT(email), SRV_TEXT(email), SRV_TEXT(hash), SRV_INT(now), SRV_TEXT(org_id)};
  srv_val m[] = {SRV_TEXT(user_id), SRV_TEXT(org_id), SRV_INT(now)};
  if (srv_db_exec(s->db, "INSERT INTO orgs (id, name, created_at, settings) VALUES (?,?,?,?)", o, 4, NULL) < 0 ||
      srv_db_exec(s->db,
                  "INSERT INTO users (id, email, name, password_hash, created_at, last_org_id) VALUES (?,?,?,?,?,?)",
                  u, 6, NULL) < 0 ||
      srv_db_exec(s->db, "INSERT INTO memberships (user_id, org_id, role, created_at) VALUES (?,?,'admin',?)", m,
                  3, NULL) < 0)
    return -1;
  return 0;
}

int srv_auth_first_start(srv *s, char *err, int errlen) {
  int64_t users = srv_db_int(s->db, "SELECT COUNT(*) FROM users", NULL, 0, -1);
  if (users < 0) {
    snprintf(err, (size_t)errlen, "database: %s", srv_db_error(s->db));
    return -1;
  }
  char org_id[37];
  if (s->opt.demo) {
    int64_t others = srv_db_int(s->db, "SELECT COUNT(*) FROM users WHERE email <> 'demo@example.com'", NULL, 0, 0);
    if (others > 0) {
      snprintf(err, (size_t)errlen, "--demo refuses a database that holds other users");
      return -1;
    }
    if (users > 0) return 0;
    if (srv_db_begin(s->db) < 0 || seed(s, "demo", "demo@example.com", "demo", org_id) < 0) goto fail;
    char secret[46], prefix[9], key_id[37], h[65];
    srv_auth_new_key_secret(secret, prefix);
    srv_uuid(key_id);
    srv_sha256_hex(secret, strlen(secret), h);
    srv_val k[] = {SRV_TEXT(key_id), SRV_TEXT(org_id), SRV_TEXT(prefix), SRV_TEXT(h), SRV_INT(srv_now_ms())};
    if (srv_db_exec(s->db,
                    "INSERT INTO api_keys (id, org_id, name, prefix, secret_hash, role, created_at)"
                    " VALUES (?,?,'demo-provisioner',?,?,'device-provisioner',?)",
                    k, 5, NULL) < 0 ||
        srv_db_commit(s->db) < 0)
      goto fail;
    fprintf(stderr, "demo: organization 'demo', login demo@example.com / demo\n");
    fprintf(stderr, "demo: device-provisioner API key %s\n", secret);
    return 0;
  }
  if (users > 0) return 0;
  char email[255], pw[33];
  if (!srv_email_norm(s->opt.admin_email, email)) {
    snprintf(err, (size_t)errlen, "invalid --admin-email '%s'", s->opt.admin_email);
    return -1;
  }
  const char *password = s->opt.admin_password;
  if (!password || !*password) {
    srv_random_base32(pw, 20);
    password = pw;
  }
  if (srv_db_begin(s->db) < 0 || seed(s, "default", email, password, org_id) < 0 || srv_db_commit(s->db) < 0)
    goto fail;
  if (password == pw) fprintf(stderr, "first start: admin %s, password %s (shown once)\n", email, pw);
  return 0;
fail:
  snprintf(err, (size_t)errlen, "cannot seed the database: %s", srv_db_error(s->db));
  srv_db_rollback(s->db);
  return -1;
}
