/* OrgService: organizations, members, invites, API keys; plus the org-wide
 * event (audit) reader and server info. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv.h"
#include "srv_util.h"

#define INVITE_MS (7LL * 24 * 3600 * 1000)

static const struct {
  const char *key;
  int dflt, min, max;
} org_settings[] = {
    {"log_retention_d", 14, 1, 3650},   {"event_retention_d", 30, 1, 3650}, {"audit_retention_d", 365, 1, 3650},
    {"metrics_raw_d", 7, 1, 3650},      {"metrics_rollup_d", 90, 1, 3650},  {"simulator_quota", 10, 0, 1000},
};
#define N_SETTINGS (sizeof org_settings / sizeof org_settings[0])

static json_t *settings_full(const char *stored) {
  json_t *s = json_loads(stored ? stored : "{}", 0, NULL);
  if (!json_is_object(s)) {
    json_decref(s);
    s = json_object();
  }
  for (size_t i = 0; i < N_SETTINGS; i++)
    if (!json_object_get(s, org_settings[i].key)) json_object_set_new(s, org_settings[i].key, json_integer(org_settings[i].dflt));
  return s;
}

static json_t *org_json(srv *s, const char *org_id) {
  srv_val p[] = {SRV_TEXT(org_id)};
  srv_rows *r = srv_db_query(s->db, "SELECT id, name, created_at, settings, rev FROM orgs WHERE id = ?", p, 1);
  json_t *o = NULL;
  if (srv_rows_next(r))
    o = json_pack("{s:s,s:s,s:o,s:o,s:I}", "id", srv_rows_text(r, 0), "name", srv_rows_text(r, 1), "created_at",
                  srv_json_time(srv_rows_int(r, 2)), "settings", settings_full(srv_rows_text(r, 3)), "rev",
                  (json_int_t)srv_rows_int(r, 4));
  srv_rows_free(r);
  return o;
}

static bool name_ok(const char *n) { return n && srv_text_ok(n, 64); }

srv_err srv_op_create_org(srv_call *c) {
  if (c->who.kind != SRV_WHO_SESSION) return srv_fail(c, SRV_E_PERMISSION_DENIED, "only users can create organizations");
  bool bad = false;
  const char *name = srv_in_str(c, "name", &bad);
  if (bad) return c->err;
  if (!name_ok(name)) return srv_bad_field(c, "name", "required, 1-64 printable characters");
  char id[37];
  srv_uuid(id);
  int64_t now = srv_now_ms();
  srv_val o[] = {SRV_TEXT(id), SRV_TEXT(name), SRV_INT(now)};
  srv_val m[] = {SRV_TEXT(c->who.user_id), SRV_TEXT(id), SRV_INT(now)};
  if (srv_db_exec(c->s->db, "INSERT INTO orgs (id, name, created_at, settings) VALUES (?,?,?,'{}')", o, 3, NULL) < 0 ||
      srv_db_exec(c->s->db, "INSERT INTO memberships (user_id, org_id, role, created_at) VALUES (?,?,'admin',?)", m, 3,
                  NULL) < 0)
    return srv_fail(c, SRV_E_INTERNAL, "cannot create organization");
  char summary[400];
  snprintf(summary, sizeof summary, "organization %s created by %s", name, c->who.display);
  if (srv_event_add_org(c, id, NULL, SRV_EV_ORG_CREATED, NULL, json_pack("{s:s}", "name", name), NULL, summary) < 0)
    return srv_fail(c, SRV_E_INTERNAL, "cannot record event");
  c->out = org_json(c->s, id);
  c->created = 1;
  return SRV_E_OK;
}

srv_err srv_op_get_org(srv_call *c) {
  c->out = org_json(c->s, c->who.org_id);
  return c->out ? SRV_E_OK : srv_fail(c, SRV_E_NOT_FOUND, "no such organization");
}

srv_err srv_op_update_org(srv_call *c) {
  json_t *before = org_json(c->s, c->who.org_id);
  if (!before) return srv_fail(c, SRV_E_NOT_FOUND, "no such organization");
  int64_t rev = json_integer_value(json_object_get(before, "rev")), expect;
  srv_err e;
  if ((e = srv_in_int(c, "rev", 0, 0, INT64_MAX, &expect)) != SRV_E_OK) goto out;
  if (c->if_match) {
    char *end;
    expect = strtoll(c->if_match, &end, 10);
    if (*end || !*c->if_match) {
      e = srv_bad_field(c, "If-Match", "must be a bare integer");
      goto out;
    }
  }
  if (expect && expect != rev) {
    e = srv_fail(c, SRV_E_CONFLICT, "organization changed (rev %lld, not %lld)", (long long)rev, (long long)expect);
    goto out;
  }
  bool bad = false;
  const char *name = srv_in_str(c, "name", &bad);
  if (bad) {
    e = c->err;
    goto out;
  }
  if (name && !name_ok(name)) {
    e = srv_bad_field(c, "name", "1-64 printable characters");
    goto out;
  }
  json_t *settings = json_deep_copy(json_object_get(before, "settings"));
  json_t *patch = json_object_get(c->in, "settings");
  if (patch && !json_is_null(patch)) {
    if (!json_is_object(patch)) {
      json_decref(settings);
      e = srv_bad_field(c, "settings", "must be an object");
      goto out;
    }
    const char *k;
    json_t *v;
    json_object_foreach(patch, k, v) {
      if (strcmp(k, "firmware_public_key") == 0) { /* base64 Ed25519 public key, or null to remove */
        uint8_t pk[crypto_sign_PUBLICKEYBYTES];
        size_t n = 0;
        if (json_is_null(v)) {
          json_object_del(settings, k);
          continue;
        }
        if (!json_is_string(v) || sodium_base642bin(pk, sizeof pk, json_string_value(v), json_string_length(v), NULL, &n,
                                                    NULL, sodium_base64_VARIANT_ORIGINAL) != 0 || n != sizeof pk) {
          json_decref(settings);
          e = srv_bad_field(c, "settings.firmware_public_key", "base64 of a 32-byte Ed25519 public key, or null");
          goto out;
        }
        json_object_set(settings, k, v);
        continue;
      }
      size_t i;
      for (i = 0; i < N_SETTINGS && strcmp(org_settings[i].key, k) != 0; i++) {
      }
      char field[80];
      snprintf(field, sizeof field, "settings.%.60s", k);
      if (i == N_SETTINGS) {
        json_decref(settings);
        e = srv_bad_field(c, field, "unknown setting");
        goto out;
      }
      if (!json_is_integer(v) || json_integer_value(v) < org_settings[i].min || json_integer_value(v) > org_settings[i].max) {
        json_decref(settings);
        char why[64];
        snprintf(why, sizeof why, "must be an integer in %d..%d", org_settings[i].min, org_settings[i].max);
        e = srv_bad_field(c, field, why);
        goto out;
      }
      json_object_set(settings, k, v);
    }
  }
  char *st = json_dumps(settings, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(settings);
  srv_val p[] = {SRV_TEXT(name ? name : json_string_value(json_object_get(before, "name"))), SRV_TEXT(st),
                 SRV_TEXT(c->who.org_id), SRV_INT(rev)};
  int64_t changed = 0;
  int rc = srv_db_exec(c->s->db, "UPDATE orgs SET name = ?, settings = ?, rev = rev + 1 WHERE id = ? AND rev = ?", p, 4,
                       &changed);
  free(st);
  if (rc < 0 || changed != 1) {
    e = srv_fail(c, SRV_E_CONFLICT, "organization changed concurrently");
    goto out;
  }
  c->out = org_json(c->s, c->who.org_id);
  srv_event_add(c, NULL, SRV_EV_ORG_UPDATED, json_incref(before), json_incref(c->out), NULL, "organization updated by %s",
                c->who.display);
  e = SRV_E_OK;
out:
  json_decref(before);
  return e;
}

srv_err srv_op_list_members(srv_call *c) {
  srv_val p[] = {SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT u.id, u.email, u.name, m.role, m.created_at FROM memberships m"
                             " JOIN users u ON u.id = m.user_id WHERE m.org_id = ? ORDER BY u.email",
                             p, 1);
  json_t *items = json_array();
  while (srv_rows_next(r))
    json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s,s:o}", "user_id", srv_rows_text(r, 0), "email",
                                           srv_rows_text(r, 1), "name", srv_rows_text(r, 2), "role", srv_rows_text(r, 3),
                                           "created_at", srv_json_time(srv_rows_int(r, 4))));
  srv_rows_free(r);
  c->out = json_pack("{s:o,s:s,s:I}", "items", items, "next_page_token", "", "total", (json_int_t)json_array_size(items));
  return SRV_E_OK;
}

/* Role of user in the caller's org, or NULL (not a member) into role[16]. */
static bool member_role(srv_call *c, const char *user_id, char role[24]) {
  srv_val p[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(user_id)};
  srv_rows *r = srv_db_query(c->s->db, "SELECT role FROM memberships WHERE org_id = ? AND user_id = ?", p, 2);
  bool found = srv_rows_next(r);
  if (found) snprintf(role, 24, "%s", srv_rows_text(r, 0));
  srv_rows_free(r);
  return found;
}

static int64_t admin_count(srv_call *c) {
  srv_val p[] = {SRV_TEXT(c->who.org_id)};
  return srv_db_int(c->s->db, "SELECT COUNT(*) FROM memberships WHERE org_id = ? AND role = 'admin'", p, 1, 0);
}

srv_err srv_op_set_member_role(srv_call *c) {
  const char *uid = c->params[0];
  bool bad = false;
  const char *role = srv_in_str(c, "role", &bad);
  if (bad) return c->err;
  srv_role r = srv_role_parse(role);
  if (r != SRV_ROLE_VIEWER && r != SRV_ROLE_MEMBER && r != SRV_ROLE_ADMIN)
    return srv_bad_field(c, "role", "must be viewer, member or admin");
  char old[24];
  if (!srv_is_uuid(uid) || !member_role(c, uid, old)) return srv_fail(c, SRV_E_NOT_FOUND, "no such member");
  if (strcmp(old, "admin") == 0 && r != SRV_ROLE_ADMIN && admin_count(c) <= 1)
    return srv_fail(c, SRV_E_FAILED_PRECONDITION, "the last admin cannot be demoted");
  srv_val p[] = {SRV_TEXT(role), SRV_TEXT(c->who.org_id), SRV_TEXT(uid)};
  if (srv_db_exec(c->s->db, "UPDATE memberships SET role = ? WHERE org_id = ? AND user_id = ?", p, 3, NULL) < 0)
    return srv_fail(c, SRV_E_INTERNAL, "cannot update member");
  srv_event_add(c, NULL, SRV_EV_ORG_MEMBER_ROLE_CHANGED, json_pack("{s:s,s:s}", "user_id", uid, "role", old),
                json_pack("{s:s,s:s}", "user_id", uid, "role", role), NULL, "role %s -> %s by %s", old, role,
                c->who.display);
  c->out = json_pack("{s:s,s:s}", "user_id", uid, "role", role);
  return SRV_E_OK;
}

srv_err srv_op_remove_member(srv_call *c) {
  const char *uid = c->params[0];
  char old[24];
  if (!srv_is_uuid(uid) || !member_role(c, uid, old)) return srv_fail(c, SRV_E_NOT_FOUND, "no such member");
  if (strcmp(old, "admin") == 0 && admin_count(c) <= 1)
    return srv_fail(c, SRV_E_FAILED_PRECONDITION, "the last admin cannot be removed");
  srv_val p[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(uid)};
  if (srv_db_exec(c->s->db, "DELETE FROM memberships WHERE org_id = ? AND user_id = ?", p, 2, NULL) < 0 ||
      srv_db_exec(c->s->db, "UPDATE sessions SET revoked = 1 WHERE active_org_id = ? AND user_id = ?", p, 2, NULL) < 0)
    return srv_fail(c, SRV_E_INTERNAL, "cannot remove member");
  srv_event_add(c, NULL, SRV_EV_ORG_MEMBER_REMOVED, json_pack("{s:s,s:s}", "user_id", uid, "role", old), NULL, NULL,
                "member removed by %s", c->who.display);
  c->out = json_object();
  return SRV_E_OK;
}

srv_err srv_op_invite_member(srv_call *c) {
  bool bad = false;
  const char *email_in = srv_in_str(c, "email", &bad), *role = srv_in_str(c, "role", &bad);
  if (bad) return c->err;
  char email[255];
  if (!email_in || !srv_email_norm(email_in, email)) return srv_bad_field(c, "email", "required, an email address");
  srv_role r = srv_role_parse(role ? role : "member");
  if (r != SRV_ROLE_VIEWER && r != SRV_ROLE_MEMBER && r != SRV_ROLE_ADMIN)
    return srv_bad_field(c, "role", "must be viewer, member or admin");
  char id[37], token[68], h[65];
  srv_uuid(id);
  memcpy(token, "ti_", 3);
  srv_random_hex(token + 3, 32);
  srv_sha256_hex(token, strlen(token), h);
  int64_t now = srv_now_ms();
  srv_val p[] = {SRV_TEXT(id), SRV_TEXT(c->who.org_id), SRV_TEXT(email), SRV_TEXT(srv_role_name(r)), SRV_TEXT(h),
                 SRV_TEXT(c->who.user_id[0] ? c->who.user_id : c->who.key_id), SRV_INT(now), SRV_INT(now + INVITE_MS)};
  if (srv_db_exec(c->s->db,
                  "INSERT INTO invites (id, org_id, email, role, token_hash, created_by, created_at, expires_at)"
                  " VALUES (?,?,?,?,?,?,?,?)",
                  p, 8, NULL) < 0)
    return srv_fail(c, SRV_E_INTERNAL, "cannot store invite");
  srv_event_add(c, NULL, SRV_EV_ORG_MEMBER_INVITED, NULL, json_pack("{s:s,s:s}", "email", email, "role", srv_role_name(r)),
                NULL, "%s invited as %s by %s", email, srv_role_name(r), c->who.display);
  char link[128];
  snprintf(link, sizeof link, "/invites/%s/accept", token);
  c->out = json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:s}", "id", id, "email", email, "role", srv_role_name(r), "created_at",
                     srv_json_time(now), "expires_at", srv_json_time(now + INVITE_MS), "token", token, "link", link);
  c->created = 1;
  return SRV_E_OK;
}

srv_err srv_op_list_invites(srv_call *c) {
  srv_val p[] = {SRV_TEXT(c->who.org_id), SRV_INT(srv_now_ms())};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT id, email, role, created_at, expires_at FROM invites WHERE org_id = ?"
                             " AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at",
                             p, 2);
  json_t *items = json_array();
  while (srv_rows_next(r))
    json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:o,s:o}", "id", srv_rows_text(r, 0), "email", srv_rows_text(r, 1),
                                           "role", srv_rows_text(r, 2), "created_at", srv_json_time(srv_rows_int(r, 3)),
                                           "expires_at", srv_json_time(srv_rows_int(r, 4))));
  srv_rows_free(r);
  c->out = json_pack("{s:o,s:s,s:I}", "items", items, "next_page_token", "", "total", (json_int_t)json_array_size(items));
  return SRV_E_OK;
}

srv_err srv_op_revoke_invite(srv_call *c) {
  srv_val p[] = {SRV_INT(srv_now_ms()), SRV_TEXT(c->params[0]), SRV_TEXT(c->who.org_id)};
  int64_t n = 0;
  if (srv_db_exec(c->s->db,
                  "UPDATE invites SET revoked_at = ? WHERE id = ? AND org_id = ? AND accepted_at IS NULL"
                  " AND revoked_at IS NULL",
                  p, 3, &n) < 0)
    return srv_fail(c, SRV_E_INTERNAL, "cannot revoke invite");
  if (n == 0) return srv_fail(c, SRV_E_NOT_FOUND, "no such pending invite");
  srv_event_add(c, NULL, SRV_EV_ORG_INVITE_REVOKED, json_pack("{s:s}", "invite_id", c->params[0]), NULL, NULL,
                "invite revoked by %s", c->who.display);
  c->out = json_object();
  return SRV_E_OK;
}

/* Unauthenticated: the token is the credential. An existing user proves
 * identity with their password; a new user supplies name and password. */
srv_err srv_op_accept_invite(srv_call *c) {
  const char *token = c->params[0];
  char h[65];
  srv_sha256_hex(token, strlen(token), h);
  srv_val p[] = {SRV_TEXT(h), SRV_INT(srv_now_ms())};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT id, org_id, email, role FROM invites WHERE token_hash = ? AND accepted_at IS NULL"
                             " AND revoked_at IS NULL AND expires_at > ?",
                             p, 2);
  char id[37] = "", org[37] = "", email[255] = "", role[24] = "";
  if (srv_rows_next(r)) {
    snprintf(id, sizeof id, "%s", srv_rows_text(r, 0));
    snprintf(org, sizeof org, "%s", srv_rows_text(r, 1));
    snprintf(email, sizeof email, "%s", srv_rows_text(r, 2));
    snprintf(role, sizeof role, "%s", srv_rows_text(r, 3));
  }
  srv_rows_free(r);
  if (!id[0]) return srv_fail(c, SRV_E_NOT_FOUND, "invite unknown, used, revoked or expired");
  bool bad = false;
  const char *pw = srv_in_str(c, "password", &bad), *name = srv_in_str(c, "name", &bad);
  if (bad) return c->err;
  if (!pw) return srv_bad_field(c, "password", "required");
  srv_val e[] = {SRV_TEXT(email)};
  r = srv_db_query(c->s->db, "SELECT id, password_hash FROM users WHERE email = ?", e, 1);
  char uid[37] = "", hash[128] = "";
  if (srv_rows_next(r)) {
    snprintf(uid, sizeof uid, "%s", srv_rows_text(r, 0));
    snprintf(hash, sizeof hash, "%s", srv_rows_text(r, 1));
  }
  srv_rows_free(r);
  int64_t now = srv_now_ms();
  if (uid[0]) {
    if (!srv_auth_check_password(hash, pw)) return srv_fail(c, SRV_E_UNAUTHENTICATED, "wrong password for %s", email);
  } else {
    if (strlen(pw) < 8 || strlen(pw) > 1024) return srv_bad_field(c, "password", "8-1024 characters");
    if (name && !name_ok(name)) return srv_bad_field(c, "name", "1-64 printable characters");
    if (srv_auth_hash_password(c->s, pw, hash) != 0) return srv_fail(c, SRV_E_INTERNAL, "cannot hash password");
    srv_uuid(uid);
    srv_val u[] = {SRV_TEXT(uid), SRV_TEXT(email), SRV_TEXT(name ? name : email), SRV_TEXT(hash), SRV_INT(now),
                   SRV_TEXT(org)};
    if (srv_db_exec(c->s->db,
                    "INSERT INTO users (id, email, name, password_hash, created_at, last_org_id) VALUES (?,?,?,?,?,?)",
                    u, 6, NULL) < 0)
      return srv_fail(c, SRV_E_INTERNAL, "cannot create user");
  }
  srv_val m[] = {SRV_TEXT(uid), SRV_TEXT(org), SRV_TEXT(role), SRV_INT(now)};
  int rc = srv_db_exec(c->s->db,
                       "INSERT INTO memberships (user_id, org_id, role, created_at) VALUES (?,?,?,?)"
                       " ON CONFLICT DO NOTHING",
                       m, 4, NULL);
  srv_val a[] = {SRV_INT(now), SRV_TEXT(id)};
  if (rc < 0 || srv_db_exec(c->s->db, "UPDATE invites SET accepted_at = ? WHERE id = ?", a, 2, NULL) < 0)
    return srv_fail(c, SRV_E_INTERNAL, "cannot accept invite");
  char summary[320];
  snprintf(summary, sizeof summary, "%s joined as %s", email, role);
  srv_event_add_org(c, org, NULL, SRV_EV_ORG_MEMBER_JOINED, NULL, json_pack("{s:s,s:s}", "user_id", uid, "role", role),
                    NULL, summary);
  return srv_auth_new_session(c, uid, org);
}

static json_t *key_json(srv_rows *r) {
  return json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o}", "id", srv_rows_text(r, 0), "name", srv_rows_text(r, 1), "role",
                   srv_rows_text(r, 2), "prefix", srv_rows_text(r, 3), "created_at", srv_json_time(srv_rows_int(r, 4)),
                   "last_used_at", srv_json_time(srv_rows_int(r, 5)), "expires_at", srv_json_time(srv_rows_int(r, 6)),
                   "revoked_at", srv_json_time(srv_rows_int(r, 7)));
}

srv_err srv_op_create_api_key(srv_call *c) {
  bool bad = false;
  const char *name = srv_in_str(c, "name", &bad), *role = srv_in_str(c, "role", &bad),
             *expires = srv_in_str(c, "expires_at", &bad);
  if (bad) return c->err;
  if (!name_ok(name)) return srv_bad_field(c, "name", "required, 1-64 printable characters");
  srv_role r = srv_role_parse(role);
  if (r == SRV_ROLE_NONE)
    return srv_bad_field(c, "role", "must be admin, member, viewer, device-provisioner or data-publisher");
  int64_t exp_ms = 0, now = srv_now_ms();
  if (expires && (!srv_time_parse(expires, &exp_ms) || exp_ms <= now))
    return srv_bad_field(c, "expires_at", "an RFC 3339 UTC time in the future");
  char secret[46], prefix[9], id[37], h[65];
  srv_auth_new_key_secret(secret, prefix);
  srv_uuid(id);
  srv_sha256_hex(secret, strlen(secret), h);
  srv_val p[] = {SRV_TEXT(id), SRV_TEXT(c->who.org_id), SRV_TEXT(name), SRV_TEXT(prefix), SRV_TEXT(h),
                 SRV_TEXT(srv_role_name(r)), SRV_TEXT(c->who.user_id[0] ? c->who.user_id : c->who.key_id), SRV_INT(now),
                 exp_ms ? SRV_INT(exp_ms) : SRV_NULLV};
  if (srv_db_exec(c->s->db,
                  "INSERT INTO api_keys (id, org_id, name, prefix, secret_hash, role, created_by, created_at, expires_at)"
                  " VALUES (?,?,?,?,?,?,?,?,?)",
                  p, 9, NULL) < 0)
    return srv_fail(c, SRV_E_INTERNAL, "cannot store API key");
  srv_event_add(c, NULL, SRV_EV_APIKEY_CREATED, NULL,
                json_pack("{s:s,s:s,s:s,s:s}", "id", id, "name", name, "role", srv_role_name(r), "prefix", prefix), NULL,
                "API key %s (%s) created by %s", name, srv_role_name(r), c->who.display);
  c->out = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:s}", "id", id, "name", name, "role", srv_role_name(r), "prefix", prefix,
                     "created_at", srv_json_time(now), "expires_at", srv_json_time(exp_ms), "secret", secret);
  c->created = 1;
  return SRV_E_OK;
}

srv_err srv_op_list_api_keys(srv_call *c) {
  srv_val p[] = {SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT id, name, role, prefix, created_at, last_used_at, expires_at, revoked_at"
                             " FROM api_keys WHERE org_id = ? ORDER BY created_at, id",
                             p, 1);
  json_t *items = json_array();
  while (srv_rows_next(r)) json_array_append_new(items, key_json(r));
  srv_rows_free(r);
  c->out = json_pack("{s:o,s:s,s:I}", "items", items, "next_page_token", "", "total", (json_int_t)json_array_size(items));
  return SRV_E_OK;
}

srv_err srv_op_revoke_api_key(srv_call *c) {
  srv_val p[] = {SRV_INT(srv_now_ms()), SRV_TEXT(c->params[0]), SRV_TEXT(c->who.org_id)};
  int64_t n = 0;
  if (srv_db_exec(c->s->db, "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND org_id = ? AND revoked_at IS NULL", p,
                  3, &n) < 0)
    return srv_fail(c, SRV_E_INTERNAL, "cannot revoke key");
  if (n == 0) return srv_fail(c, SRV_E_NOT_FOUND, "no such active API key");
  srv_event_add(c, NULL, SRV_EV_APIKEY_REVOKED, json_pack("{s:s}", "id", c->params[0]), NULL, NULL,
                "API key revoked by %s", c->who.display);
  c->out = json_object();
  return SRV_E_OK;
}

static json_t *parse_or_null(const char *s) {
  json_t *j = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
  return j ? j : json_null();
}

/* Org-wide events, newest first by default; `after` (an event id) pages
 * forward oldest first, `before` pages backward. */
srv_err srv_op_read_events(srv_call *c) {
  int64_t limit, after, before;
  if (srv_in_int(c, "limit", 50, 1, 500, &limit) || srv_in_int(c, "after", 0, 0, INT64_MAX, &after) ||
      srv_in_int(c, "before", 0, 0, INT64_MAX, &before))
    return c->err;
  bool bad = false;
  const char *tok = srv_in_str(c, "page_token", &bad);
  if (bad) return c->err;
  if (tok && *tok) {
    char *end = NULL;
    long long v = (tok[0] == 'a' || tok[0] == 'b') ? strtoll(tok + 1, &end, 10) : -1;
    if (v <= 0 || !end || *end) return srv_bad_field(c, "page_token", "not a token from this list");
    if (tok[0] == 'a')
      after = v;
    else
      before = v;
  }
  const char *device = srv_in_str(c, "device", &bad), *kind = srv_in_str(c, "kind", &bad),
             *actor = srv_in_str(c, "actor", &bad);
  if (bad) return c->err;
  bool asc = after > 0;
  char sql[600];
  snprintf(sql, sizeof sql,
           "SELECT id, device_id, time, kind, actor_type, actor_id, actor_display, summary, before_json, after_json,"
           " data_json FROM events WHERE org_id = ? AND (CAST(? AS TEXT) IS NULL OR device_id = ?) AND (CAST(? AS TEXT) IS NULL OR kind = ?)"
           " AND (CAST(? AS TEXT) IS NULL OR actor_id = ? OR actor_display = ?) AND id > ? AND (? = 0 OR id < ?)"
           " ORDER BY id %s LIMIT ?",
           asc ? "ASC" : "DESC");
  srv_val p[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(device), SRV_TEXT(device), SRV_TEXT(kind), SRV_TEXT(kind),
                 SRV_TEXT(actor), SRV_TEXT(actor), SRV_TEXT(actor), SRV_INT(after), SRV_INT(before), SRV_INT(before),
                 SRV_INT(limit + 1)};
  srv_rows *r = srv_db_query(c->s->db, sql, p, 12);
  json_t *items = json_array();
  int64_t last = 0;
  bool more = false;
  while (srv_rows_next(r)) {
    if ((int64_t)json_array_size(items) == limit) {
      more = true;
      break;
    }
    last = srv_rows_int(r, 0);
    json_array_append_new(
        items, json_pack("{s:I,s:o,s:o,s:s,s:{s:s,s:o,s:o},s:s,s:o,s:o,s:o}", "id", (json_int_t)last, "device_id",
                         srv_rows_null(r, 1) ? json_null() : json_string(srv_rows_text(r, 1)), "time",
                         srv_json_time(srv_rows_int(r, 2)), "kind", srv_rows_text(r, 3), "actor", "type",
                         srv_rows_text(r, 4), "id", srv_rows_null(r, 5) ? json_null() : json_string(srv_rows_text(r, 5)),
                         "display", srv_rows_null(r, 6) ? json_null() : json_string(srv_rows_text(r, 6)), "summary",
                         srv_rows_text(r, 7), "before", parse_or_null(srv_rows_text(r, 8)), "after",
                         parse_or_null(srv_rows_text(r, 9)), "data", parse_or_null(srv_rows_text(r, 10))));
  }
  bool failed = srv_rows_failed(r);
  srv_rows_free(r);
  if (failed) {
    json_decref(items);
    return srv_fail(c, SRV_E_INTERNAL, "cannot read events");
  }
  char next[32] = "";
  if (more) snprintf(next, sizeof next, "%s%lld", asc ? "a" : "b", (long long)last);
  c->out = json_pack("{s:o,s:s}", "items", items, "next_page_token", next);
  return SRV_E_OK;
}

srv_err srv_op_get_info(srv_call *c) {
  c->out = json_pack("{s:s,s:o,s:s,s:I,s:{s:I,s:I,s:I},s:[s]}", "version", "0.1.0", "time", srv_json_time(srv_now_ms()),
                     "storage", c->s->db->be->name, "uptime_s", (json_int_t)((srv_now_ms() - c->s->started_ms) / 1000),
                     "limits", "max_body", (json_int_t)c->s->opt.max_body, "device_body", (json_int_t)65536,
                     "page_size_max", (json_int_t)500, "features", "http-json");
  return SRV_E_OK;
}
