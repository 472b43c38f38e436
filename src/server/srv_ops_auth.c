/* AuthService: login, refresh, logout, switch-org, whoami. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "srv.h"
#include "srv_util.h"

/* A fixed hash to verify against when the email is unknown, so a wrong email
 * and a wrong password take the same time. */
static char dummy_hash[128];

srv_err srv_op_login(srv_call *c) {
  bool bad = false;
  const char *email_in = srv_in_str(c, "email", &bad), *pw = srv_in_str(c, "password", &bad);
  if (bad) return c->err;
  if (!email_in) return srv_bad_field(c, "email", "required");
  if (!pw) return srv_bad_field(c, "password", "required");
  char email[255], key[300];
  if (!srv_email_norm(email_in, email)) return srv_bad_field(c, "email", "not an email address");
  if (strlen(pw) > 1024) return srv_bad_field(c, "password", "too long");
  int64_t now = srv_now_ms();
  /* 5 failed logins a minute per email and per IP: the buckets are
   * consulted here and charged only on failure below. */
  snprintf(key, sizeof key, "login-email:%s", email);
  char ipkey[300];
  snprintf(ipkey, sizeof ipkey, "login-ip:%s", c->client_ip ? c->client_ip : "?");
  if (!srv_rate_peek(c->s->rate, key, 5.0 / 60, 5, now) || !srv_rate_peek(c->s->rate, ipkey, 5.0 / 60, 5, now))
    return srv_fail(c, SRV_E_RESOURCE_EXHAUSTED, "too many login attempts; wait a minute");

  char user_id[37] = "", hash[128] = "", last_org[37] = "";
  srv_val p[] = {SRV_TEXT(email)};
  srv_rows *r = srv_db_query(c->s->db, "SELECT id, password_hash, last_org_id FROM users WHERE email = ? AND disabled = 0", p, 1);
  if (srv_rows_next(r)) {
    snprintf(user_id, sizeof user_id, "%s", srv_rows_text(r, 0));
    snprintf(hash, sizeof hash, "%s", srv_rows_text(r, 1));
    if (!srv_rows_null(r, 2)) snprintf(last_org, sizeof last_org, "%s", srv_rows_text(r, 2));
  }
  srv_rows_free(r);
  if (!dummy_hash[0]) srv_auth_hash_password(c->s, "dummy-password", dummy_hash);
  /* The password check is slow on purpose: do it without holding the store. */
  pthread_mutex_unlock(&c->s->lock);
  bool ok = srv_auth_check_password(user_id[0] ? hash : dummy_hash, pw) && user_id[0];
  pthread_mutex_lock(&c->s->lock);
  if (!ok) {
    srv_rate_take(c->s->rate, key, 5.0 / 60, 5, now);
    srv_rate_take(c->s->rate, ipkey, 5.0 / 60, 5, now);
    if (last_org[0]) {
      srv_event_add_org(c, last_org, NULL, SRV_EV_AUTH_LOGIN_FAILED, NULL, NULL,
                        json_pack("{s:s,s:s}", "email", email, "ip", c->client_ip ? c->client_ip : ""),
                        "failed login");
    }
    return srv_fail(c, SRV_E_UNAUTHENTICATED, "wrong email or password");
  }
  srv_val q[] = {SRV_TEXT(user_id), SRV_TEXT(last_org)};
  srv_rows *m = srv_db_query(c->s->db,
                             "SELECT org_id FROM memberships WHERE user_id = ?"
                             " ORDER BY CASE WHEN org_id = ? THEN 0 ELSE 1 END, created_at LIMIT 1",
                             q, 2);
  char org[37] = "";
  if (srv_rows_next(m)) snprintf(org, sizeof org, "%s", srv_rows_text(m, 0));
  srv_rows_free(m);
  if (!org[0]) return srv_fail(c, SRV_E_PERMISSION_DENIED, "the user belongs to no organization");
  return srv_auth_new_session(c, user_id, org);
}

srv_err srv_op_refresh(srv_call *c) {
  bool bad = false;
  const char *tok = srv_in_str(c, "refresh_token", &bad);
  if (bad) return c->err;
  if (!tok) return srv_bad_field(c, "refresh_token", "required");
  char h[65];
  srv_sha256_hex(tok, strlen(tok), h);
  srv_val p[] = {SRV_TEXT(h), SRV_INT(srv_now_ms())};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT id, user_id, active_org_id FROM sessions"
                             " WHERE refresh_hash = ? AND revoked = 0 AND refresh_expires_at > ?",
                             p, 2);
  char sid[37] = "", uid[37] = "", org[37] = "";
  if (srv_rows_next(r)) {
    snprintf(sid, sizeof sid, "%s", srv_rows_text(r, 0));
    snprintf(uid, sizeof uid, "%s", srv_rows_text(r, 1));
    snprintf(org, sizeof org, "%s", srv_rows_text(r, 2));
  }
  srv_rows_free(r);
  if (!sid[0]) return srv_fail(c, SRV_E_UNAUTHENTICATED, "refresh token unknown or expired");
  /* Rotation: the old session (and its refresh token) end here. */
  srv_val q[] = {SRV_TEXT(sid)};
  srv_db_exec(c->s->db, "UPDATE sessions SET revoked = 1 WHERE id = ?", q, 1, NULL);
  return srv_auth_new_session(c, uid, org);
}

srv_err srv_op_logout(srv_call *c) {
  if (c->who.kind != SRV_WHO_SESSION) return srv_fail(c, SRV_E_FAILED_PRECONDITION, "API keys have no session");
  srv_val p[] = {SRV_TEXT(c->who.session_id)};
  srv_db_exec(c->s->db, "UPDATE sessions SET revoked = 1 WHERE id = ?", p, 1, NULL);
  c->out = json_object();
  return SRV_E_OK;
}

srv_err srv_op_switch_org(srv_call *c) {
  if (c->who.kind != SRV_WHO_SESSION) return srv_fail(c, SRV_E_PERMISSION_DENIED, "API keys belong to one organization");
  bool bad = false;
  const char *org = srv_in_str(c, "org_id", &bad);
  if (bad) return c->err;
  if (!org) return srv_bad_field(c, "org_id", "required");
  srv_val p[] = {SRV_TEXT(c->who.user_id), SRV_TEXT(org)};
  if (srv_db_int(c->s->db, "SELECT COUNT(*) FROM memberships WHERE user_id = ? AND org_id = ?", p, 2, 0) == 0)
    return srv_fail(c, SRV_E_NOT_FOUND, "no such organization");
  srv_val q[] = {SRV_TEXT(org), SRV_TEXT(c->who.user_id)};
  srv_db_exec(c->s->db, "UPDATE users SET last_org_id = ? WHERE id = ?", q, 2, NULL);
  return srv_auth_new_session(c, c->who.user_id, org);
}

srv_err srv_op_whoami(srv_call *c) {
  srv_val p[] = {SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db, "SELECT name FROM orgs WHERE id = ?", p, 1);
  json_t *org = json_pack("{s:s,s:s}", "id", c->who.org_id, "name", srv_rows_next(r) ? srv_rows_text(r, 0) : "");
  srv_rows_free(r);
  json_t *orgs = json_array(), *user = json_null(), *key = json_null();
  if (c->who.kind == SRV_WHO_SESSION) {
    srv_val u[] = {SRV_TEXT(c->who.user_id)};
    r = srv_db_query(c->s->db, "SELECT id, email, name FROM users WHERE id = ?", u, 1);
    if (srv_rows_next(r))
      user = json_pack("{s:s,s:s,s:s}", "id", srv_rows_text(r, 0), "email", srv_rows_text(r, 1), "name",
                       srv_rows_text(r, 2));
    srv_rows_free(r);
    r = srv_db_query(c->s->db,
                     "SELECT o.id, o.name, m.role FROM memberships m JOIN orgs o ON o.id = m.org_id"
                     " WHERE m.user_id = ? ORDER BY o.name",
                     u, 1);
    while (srv_rows_next(r))
      json_array_append_new(orgs, json_pack("{s:s,s:s,s:s}", "id", srv_rows_text(r, 0), "name", srv_rows_text(r, 1),
                                            "role", srv_rows_text(r, 2)));
    srv_rows_free(r);
  } else {
    srv_val k[] = {SRV_TEXT(c->who.key_id)};
    r = srv_db_query(c->s->db, "SELECT id, name, prefix FROM api_keys WHERE id = ?", k, 1);
    if (srv_rows_next(r))
      key = json_pack("{s:s,s:s,s:s}", "id", srv_rows_text(r, 0), "name", srv_rows_text(r, 1), "prefix",
                      srv_rows_text(r, 2));
    srv_rows_free(r);
    json_array_append_new(orgs, json_pack("{s:s,s:O,s:s}", "id", c->who.org_id, "name", json_object_get(org, "name"),
                                          "role", srv_role_name(c->who.role)));
  }
  c->out = json_pack("{s:o,s:o,s:o,s:s,s:o,s:n}", "user", user, "api_key", key, "org", org, "role",
                     srv_role_name(c->who.role), "orgs", orgs, "csrf_token");
  return SRV_E_OK;
}
