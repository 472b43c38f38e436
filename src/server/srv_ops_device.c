/* DeviceService and the device-scoped telemetry reads: claim, list, get,
 * update, unclaim, configure, goal, logs, events, metrics. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv.h"
#include "srv_goal.h"
#include "srv_query.h"
#include "srv_util.h"

#define DEVICE_COLS                                                                                          \
  "id, name, hardware_id, is_simulator, group_id, tags, last_seen_at, firmware, sync_status, connected,"      \
  " goal_rev, goal_sum, applied_sum, power_json, claimed_at, created_at, layer, layer_rev, last_boot_at,"        \
  " (SELECT g.layer FROM groups g WHERE g.id = devices.group_id), pin_layer"

static json_t *parse_or(const char *s, json_t *dflt) {
  json_t *j = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
  if (j) {
    json_decref(dflt);
    return j;
  }
  return dflt;
}

/* Health at read time (FLEET.md §1.4, the rules that need no reported
 * state): never_seen, offline by missed check-ins, outdated. */
static void health(int64_t last_seen, int64_t max_offline_s, bool up_to_date, json_t **h, json_t **reasons) {
  *reasons = json_array();
  if (last_seen <= 0) {
    *h = json_string("never_seen");
    return;
  }
  int64_t expected = (max_offline_s > 0 ? max_offline_s : 60) * 1000, grace = expected / 10 + 120000;
  int64_t missed = (srv_now_ms() - last_seen - grace) / expected;
  if (missed >= 1) json_array_append_new(*reasons, json_string("offline"));
  (void)up_to_date;
  *h = json_string(json_array_size(*reasons) ? "unhealthy" : "healthy");
}

static json_t *device_json(srv_rows *r) {
  json_t *layer = parse_or(srv_rows_text(r, 16), json_object());
  json_t *glayer = srv_rows_null(r, 19) ? NULL : parse_or(srv_rows_text(r, 19), NULL);
  json_t *pin = srv_rows_null(r, 20) ? NULL : parse_or(srv_rows_text(r, 20), NULL);
  json_t *goal = srv_goal_materialize(srv_rows_text(r, 1), glayer, pin, layer);
  json_decref(glayer);
  json_decref(pin);
  int64_t max_off = json_integer_value(json_object_get(goal, "max_offline_s"));
  char sum[33];
  srv_goal_sum(goal, sum);
  json_decref(goal);
  json_decref(layer);
  const char *applied = srv_rows_text(r, 12);
  bool up_to_date = applied && strcmp(applied, sum) == 0;
  json_t *h, *reasons;
  health(srv_rows_null(r, 6) ? 0 : srv_rows_int(r, 6), max_off, up_to_date, &h, &reasons);
  json_t *d = json_object();
  json_object_set_new(d, "id", json_string(srv_rows_text(r, 0)));
  json_object_set_new(d, "name", json_string(srv_rows_text(r, 1)));
  json_object_set_new(d, "hardware_id", json_string(srv_rows_text(r, 2)));
  json_object_set_new(d, "is_simulator", json_boolean(srv_rows_int(r, 3)));
  json_object_set_new(d, "group_id", srv_rows_null(r, 4) ? json_null() : json_string(srv_rows_text(r, 4)));
  json_object_set_new(d, "tags", parse_or(srv_rows_text(r, 5), json_object()));
  json_object_set_new(d, "last_seen_at", srv_json_time(srv_rows_null(r, 6) ? 0 : srv_rows_int(r, 6)));
  json_object_set_new(d, "firmware", srv_rows_null(r, 7) ? json_null() : json_string(srv_rows_text(r, 7)));
  json_object_set_new(d, "health", h);
  json_object_set_new(d, "health_reasons", reasons);
  json_object_set_new(d, "sync_status", srv_rows_null(r, 8) ? json_null() : json_string(srv_rows_text(r, 8)));
  json_object_set_new(d, "connected", json_boolean(srv_rows_int(r, 9)));
  json_object_set_new(d, "goal_rev", json_integer(srv_rows_int(r, 10)));
  json_object_set_new(d, "up_to_date", json_boolean(up_to_date));
  json_object_set_new(d, "power", parse_or(srv_rows_text(r, 13), json_null()));
  json_object_set_new(d, "claimed_at", srv_json_time(srv_rows_int(r, 14)));
  json_object_set_new(d, "created_at", srv_json_time(srv_rows_int(r, 15)));
  json_object_set_new(d, "last_boot_at", srv_json_time(srv_rows_null(r, 18) ? 0 : srv_rows_int(r, 18)));
  json_object_set_new(d, "favourite", json_false());
  return d;
}

/* Sets `favourite` on device objects for the calling user. */
static void mark_favourite(srv_call *c, json_t *d) {
  if (c->who.kind != SRV_WHO_SESSION) return;
  srv_val p[] = {SRV_TEXT(c->who.user_id), SRV_TEXT(c->who.org_id), SRV_TEXT(json_string_value(json_object_get(d, "id")))};
  json_object_set_new(d, "favourite",
                      json_boolean(srv_db_int(c->s->db,
                                              "SELECT COUNT(*) FROM favourites WHERE user_id = ? AND org_id = ?"
                                              " AND kind = 'device' AND target_id = ?",
                                              p, 3, 0) > 0));
}

/* The same for a page of devices, with one query. */
static void mark_favourites(srv_call *c, json_t *items) {
  if (c->who.kind != SRV_WHO_SESSION || json_array_size(items) == 0) return;
  srv_val p[] = {SRV_TEXT(c->who.user_id), SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT target_id FROM favourites WHERE user_id = ? AND org_id = ? AND kind = 'device'",
                             p, 2);
  json_t *fav = json_object();
  while (srv_rows_next(r)) json_object_set_new(fav, srv_rows_text(r, 0), json_true());
  srv_rows_free(r);
  size_t i;
  json_t *d;
  json_array_foreach(items, i, d)
    json_object_set_new(d, "favourite", json_boolean(json_object_get(fav, json_string_value(json_object_get(d, "id"))) != NULL));
  json_decref(fav);
}

/* Resolves a group given by id or name in the caller's org into id[37]. */
bool srv_group_resolve(srv_call *c, const char *g, char id[37]) {
  srv_val p[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(g), SRV_TEXT(g)};
  srv_rows *r = srv_db_query(c->s->db, "SELECT id FROM groups WHERE org_id = ? AND (id = ? OR name = ?)", p, 3);
  bool found = srv_rows_next(r);
  if (found) snprintf(id, 37, "%s", srv_rows_text(r, 0));
  srv_rows_free(r);
  return found;
}

/* Loads a claimed device of the caller's org; NULL (and not_found) else. */
static json_t *get_device(srv_call *c, const char *id) {
  if (!srv_is_uuid(id)) {
    srv_fail(c, SRV_E_NOT_FOUND, "no such device");
    return NULL;
  }
  srv_val p[] = {SRV_TEXT(id), SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT " DEVICE_COLS " FROM devices WHERE id = ? AND org_id = ? AND unclaimed_at IS NULL",
                             p, 2);
  json_t *d = srv_rows_next(r) ? device_json(r) : NULL;
  srv_rows_free(r);
  if (!d) srv_fail(c, SRV_E_NOT_FOUND, "no such device");
  else mark_favourite(c, d);
  return d;
}

static bool device_name_ok(const char *n) { return n && srv_text_ok(n, 64); }

static bool name_taken(srv_call *c, const char *name, const char *except_id) {
  srv_val p[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(name), SRV_TEXT(except_id ? except_id : "")};
  return srv_db_int(c->s->db,
                    "SELECT COUNT(*) FROM devices WHERE org_id = ? AND name = ? AND unclaimed_at IS NULL AND id <> ?", p,
                    3, 0) > 0;
}

/* Crockford normalization: upper case, I/L -> 1, O -> 0, '-' dropped. */
static bool norm_code(const char *in, char out[9]) {
  int n = 0;
  for (const char *p = in; *p; p++) {
    char ch = *p;
    if (ch == '-') continue;
    if (ch >= 'a' && ch <= 'z') ch = (char)(ch - 32);
    if (ch == 'I' || ch == 'L') ch = '1';
    if (ch == 'O') ch = '0';
    if (!strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", ch) || n == 8) return false;
    out[n++] = ch;
  }
  out[n] = 0;
  return n == 8;
}

static bool tags_ok(json_t *tags, char why[128]) {
  if (!json_is_object(tags) || json_object_size(tags) > 32) {
    snprintf(why, 128, "an object of at most 32 tags");
    return false;
  }
  const char *k;
  json_t *v;
  json_object_foreach(tags, k, v) {
    size_t n = strlen(k);
    bool ok = n >= 1 && n <= 32;
    for (size_t i = 0; ok && i < n; i++)
      ok = (k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || strchr("_.-", k[i]);
    if (!ok) {
      snprintf(why, 128, "tag keys are [a-z0-9_.-]{1,32}");
      return false;
    }
    if (!json_is_string(v) || strlen(json_string_value(v)) > 128 ||
        (json_string_length(v) > 0 && !srv_text_ok(json_string_value(v), 128))) {
      snprintf(why, 128, "tag values are strings of at most 128 printable bytes");
      return false;
    }
  }
  return true;
}

static json_t *claim_one(srv_call *c, json_t *it) {
  const char *code = json_string_value(json_object_get(it, "claim_code")),
             *hw = json_string_value(json_object_get(it, "hardware_id")),
             *name = json_string_value(json_object_get(it, "name"));
  json_t *tags = json_object_get(it, "tags"), *group = json_object_get(it, "group");
  if (!json_is_object(it) || (!code && !hw) || (code && hw))
    return json_pack("{s:s,s:s}", "status", "invalid", "message", "give exactly one of claim_code and hardware_id");
  char norm[9], why[128];
  if (code && !norm_code(code, norm))
    return json_pack("{s:s,s:s}", "status", "invalid", "message", "malformed claim code");
  if (json_object_get(it, "name") && !json_is_null(json_object_get(it, "name")) && !device_name_ok(name))
    return json_pack("{s:s,s:s}", "status", "invalid", "message", "name: 1-64 printable characters");
  if (tags && !json_is_null(tags) && !tags_ok(tags, why)) return json_pack("{s:s,s:s}", "status", "invalid", "message", why);
  char gid[37] = "";
  if (group && !json_is_null(group) && (!json_is_string(group) || !srv_group_resolve(c, json_string_value(group), gid)))
    return json_pack("{s:s,s:s}", "status", "invalid", "message", "unknown group");
  /* One answer for unknown, taken, or foreign hardware: nothing leaks. */
  srv_val p[] = {SRV_TEXT(code ? norm : hw), SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db,
                             code ? "SELECT hardware_id FROM hardware WHERE claim_code = ? AND bound_device_id IS NULL"
                                  : "SELECT hardware_id FROM hardware WHERE hardware_id = ? AND org_id = ?"
                                    " AND bound_device_id IS NULL",
                             p, code ? 1 : 2);
  char hwid[65] = "";
  if (srv_rows_next(r)) snprintf(hwid, sizeof hwid, "%s", srv_rows_text(r, 0));
  srv_rows_free(r);
  if (!hwid[0]) return json_pack("{s:s}", "status", "not_available");
  char id[37], dname[80];
  srv_uuid(id);
  if (name)
    snprintf(dname, sizeof dname, "%s", name);
  else
    snprintf(dname, sizeof dname, "device-%.8s", id);
  if (name_taken(c, dname, NULL)) return json_pack("{s:s,s:s}", "status", "invalid", "message", "name taken");
  char *tj = tags && json_is_object(tags) ? json_dumps(tags, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  int64_t now = srv_now_ms();
  srv_val d[] = {SRV_TEXT(id),    SRV_TEXT(c->who.org_id), SRV_TEXT(hwid), SRV_TEXT(dname), SRV_TEXT(tj ? tj : "{}"),
                 SRV_INT(now),    SRV_INT(now),            SRV_TEXT(gid[0] ? gid : NULL)};
  srv_val h[] = {SRV_TEXT(id), SRV_TEXT(hwid)};
  int rc = srv_db_exec(c->s->db,
                       "INSERT INTO devices (id, org_id, hardware_id, name, tags, created_at, claimed_at, group_id)"
                       " VALUES (?,?,?,?,?,?,?,?)",
                       d, 8, NULL);
  free(tj);
  if (rc < 0 ||
      srv_db_exec(c->s->db, "UPDATE hardware SET bound_device_id = ?, secret_valid = 1 WHERE hardware_id = ?", h, 2,
                  NULL) < 0 ||
      srv_event_add(c, id, SRV_EV_DEVICE_CLAIMED, NULL, json_pack("{s:s,s:s}", "name", dname, "hardware_id", hwid),
                    NULL, "%s claimed by %s", dname, c->who.display) < 0)
    return NULL;
  return json_pack("{s:s,s:s}", "status", "claimed", "device_id", id);
}

srv_err srv_op_claim_devices(srv_call *c) {
  json_t *items = json_object_get(c->in, "items");
  if (!json_is_array(items) || json_array_size(items) < 1 || json_array_size(items) > 100)
    return srv_bad_field(c, "items", "a list of 1-100 items");
  json_t *out = json_array();
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    json_t *res = claim_one(c, it);
    if (!res) {
      json_decref(out);
      return srv_fail(c, SRV_E_INTERNAL, "cannot store the claim");
    }
    json_array_append_new(out, res);
  }
  c->out = json_pack("{s:o}", "items", out);
  return SRV_E_OK;
}

srv_err srv_op_list_devices(srv_call *c) {
  int64_t size, offset = 0;
  if (srv_in_int(c, "page_size", 50, 1, 500, &size)) return c->err;
  bool bad = false;
  const char *sort = srv_in_str(c, "sort", &bad), *order = srv_in_str(c, "order", &bad), *q = srv_in_str(c, "q", &bad),
             *tok = srv_in_str(c, "page_token", &bad);
  if (bad) return c->err;
  const char *col = "name";
  if (sort && strcmp(sort, "name") && strcmp(sort, "last_seen") && strcmp(sort, "created") && strcmp(sort, "firmware"))
    return srv_bad_field(c, "sort", "one of name, last_seen, created, firmware");
  if (sort && strcmp(sort, "last_seen") == 0) col = "last_seen_at";
  if (sort && strcmp(sort, "created") == 0) col = "created_at";
  if (sort && strcmp(sort, "firmware") == 0) col = "firmware";
  if (order && strcmp(order, "asc") && strcmp(order, "desc")) return srv_bad_field(c, "order", "asc or desc");
  if (tok && *tok) {
    char *end;
    offset = strtoll(tok, &end, 10);
    if (*end || offset <= 0 || offset > 10000000) return srv_bad_field(c, "page_token", "not a token from this list");
  }
  srv_query *qc = calloc(1, sizeof *qc);
  if (q && *q && srv_query_compile(q, srv_now_ms(), qc) < 0) {
    srv_err e = srv_bad_field(c, "q", qc->error);
    free(qc);
    return e;
  }
  bool desc = order && strcmp(order, "desc") == 0;
  char *sql = malloc(8192);
  snprintf(sql, 8192,
           "SELECT " DEVICE_COLS " FROM devices WHERE org_id = ? AND unclaimed_at IS NULL AND %s"
           " ORDER BY %s %s, id %s LIMIT ? OFFSET ?",
           qc->sql[0] ? qc->sql : "1 = 1", col, desc ? "DESC" : "ASC", desc ? "DESC" : "ASC");
  srv_val p[SRV_QUERY_MAX_PARAMS + 3];
  int n = 0;
  p[n++] = SRV_TEXT(c->who.org_id);
  for (int i = 0; i < qc->nparams; i++) p[n++] = qc->params[i];
  p[n++] = SRV_INT(size + 1);
  p[n++] = SRV_INT(offset);
  srv_rows *r = srv_db_query(c->s->db, sql, p, n);
  json_t *items = json_array();
  bool more = false;
  while (srv_rows_next(r)) {
    if ((int64_t)json_array_size(items) == size) {
      more = true;
      break;
    }
    json_array_append_new(items, device_json(r));
  }
  bool failed = srv_rows_failed(r);
  srv_rows_free(r);
  mark_favourites(c, items);
  snprintf(sql, 8192, "SELECT COUNT(*) FROM devices WHERE org_id = ? AND unclaimed_at IS NULL AND %s",
           qc->sql[0] ? qc->sql : "1 = 1");
  int64_t total = srv_db_int(c->s->db, sql, p, n - 2, 0);
  free(sql);
  free(qc);
  if (failed) {
    json_decref(items);
    return srv_fail(c, SRV_E_INTERNAL, "cannot list devices");
  }
  char next[32] = "";
  if (more) snprintf(next, sizeof next, "%lld", (long long)(offset + size));
  c->out = json_pack("{s:o,s:s,s:I}", "items", items, "next_page_token", next, "total", (json_int_t)total);
  return SRV_E_OK;
}

srv_err srv_op_get_device(srv_call *c) {
  c->out = get_device(c, c->params[0]);
  return c->out ? SRV_E_OK : c->err;
}

srv_err srv_op_update_device(srv_call *c) {
  json_t *before = get_device(c, c->params[0]);
  if (!before) return c->err;
  json_t *name = json_object_get(c->in, "name"), *tags = json_object_get(c->in, "tags");
  char why[128];
  srv_err e = SRV_E_OK;
  if (name && !json_is_null(name)) {
    if (!json_is_string(name) || !device_name_ok(json_string_value(name))) {
      e = srv_bad_field(c, "name", "1-64 printable characters");
      goto out;
    }
    if (name_taken(c, json_string_value(name), c->params[0])) {
      e = srv_fail(c, SRV_E_ALREADY_EXISTS, "a device named '%s' exists", json_string_value(name));
      goto out;
    }
    srv_val p[] = {SRV_TEXT(json_string_value(name)), SRV_TEXT(c->params[0]), SRV_TEXT(c->who.org_id)};
    srv_db_exec(c->s->db, "UPDATE devices SET name = ? WHERE id = ? AND org_id = ?", p, 3, NULL);
    srv_event_add(c, c->params[0], SRV_EV_DEVICE_RENAMED, json_pack("{s:O}", "name", json_object_get(before, "name")),
                  json_pack("{s:O}", "name", name), NULL, "renamed %s -> %s by %s",
                  json_string_value(json_object_get(before, "name")), json_string_value(name), c->who.display);
  }
  if (tags && !json_is_null(tags)) {
    if (!tags_ok(tags, why)) {
      e = srv_bad_field(c, "tags", why);
      goto out;
    }
    char *tj = json_dumps(tags, JSON_COMPACT | JSON_SORT_KEYS);
    srv_val p[] = {SRV_TEXT(tj), SRV_TEXT(c->params[0]), SRV_TEXT(c->who.org_id)};
    srv_db_exec(c->s->db, "UPDATE devices SET tags = ? WHERE id = ? AND org_id = ?", p, 3, NULL);
    free(tj);
    srv_event_add(c, c->params[0], SRV_EV_DEVICE_TAGS_CHANGED, json_pack("{s:O}", "tags", json_object_get(before, "tags")),
                  json_pack("{s:O}", "tags", tags), NULL, "tags changed by %s", c->who.display);
  }
  json_t *group = json_object_get(c->in, "group");
  if (group) {
    char gid[37] = "";
    if (!json_is_null(group) && (!json_is_string(group) || !srv_group_resolve(c, json_string_value(group), gid))) {
      e = srv_bad_field(c, "group", "unknown group");
      goto out;
    }
    srv_val p[] = {SRV_TEXT(gid[0] ? gid : NULL), SRV_TEXT(c->params[0]), SRV_TEXT(c->who.org_id)};
    srv_db_exec(c->s->db, "UPDATE devices SET group_id = ? WHERE id = ? AND org_id = ?", p, 3, NULL);
    srv_event_add(c, c->params[0], SRV_EV_DEVICE_GROUP_CHANGED,
                  json_pack("{s:O}", "group_id", json_object_get(before, "group_id")),
                  json_pack("{s:o}", "group_id", gid[0] ? json_string(gid) : json_null()), NULL, "group changed by %s",
                  c->who.display);
  }
  c->out = get_device(c, c->params[0]);
out:
  json_decref(before);
  return e;
}

srv_err srv_op_unclaim_device(srv_call *c) {
  json_t *d = get_device(c, c->params[0]);
  if (!d) return c->err;
  int64_t now = srv_now_ms();
  srv_val p[] = {SRV_INT(now), SRV_TEXT(c->params[0]), SRV_TEXT(c->who.org_id)};
  srv_val h[] = {SRV_INT(now), SRV_TEXT(json_string_value(json_object_get(d, "hardware_id")))};
  if (srv_db_exec(c->s->db, "UPDATE devices SET unclaimed_at = ? WHERE id = ? AND org_id = ?", p, 3, NULL) < 0 ||
      srv_db_exec(c->s->db,
                  "UPDATE hardware SET bound_device_id = NULL, secret_valid = 1, free_since = ? WHERE hardware_id = ?", h,
                  2, NULL) < 0) {
    json_decref(d);
    return srv_fail(c, SRV_E_INTERNAL, "cannot unclaim");
  }
  srv_event_add(c, c->params[0], SRV_EV_DEVICE_UNCLAIMED, NULL, NULL, NULL, "%s unclaimed by %s",
                json_string_value(json_object_get(d, "name")), c->who.display);
  json_decref(d);
  c->out = json_object();
  return SRV_E_OK;
}

static bool load_layer(srv_call *c, const char *id, json_t **layer, int64_t *rev, char name[80]) {
  srv_val p[] = {SRV_TEXT(id), SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT layer, layer_rev, name FROM devices WHERE id = ? AND org_id = ? AND unclaimed_at IS NULL",
                             p, 2);
  bool found = srv_is_uuid(id) && srv_rows_next(r);
  if (found) {
    *layer = parse_or(srv_rows_text(r, 0), json_object());
    *rev = srv_rows_int(r, 1);
    snprintf(name, 80, "%s", srv_rows_text(r, 2));
  }
  srv_rows_free(r);
  if (!found) srv_fail(c, SRV_E_NOT_FOUND, "no such device");
  return found;
}

srv_err srv_op_configure_device(srv_call *c) {
  json_t *layer;
  int64_t rev;
  char name[80], field[64], why[128];
  if (!load_layer(c, c->params[0], &layer, &rev, name)) return c->err;
  if (c->if_match) {
    char *end;
    long long want = strtoll(c->if_match, &end, 10);
    if (*end || !*c->if_match) {
      json_decref(layer);
      return srv_bad_field(c, "If-Match", "must be a bare integer");
    }
    if (want != rev) {
      json_decref(layer);
      return srv_fail(c, SRV_E_CONFLICT, "device layer is at rev %lld, not %lld", (long long)rev, want);
    }
  }
  if (!srv_goal_patch_ok(c->in, field, why)) {
    json_decref(layer);
    return srv_bad_field(c, field, why);
  }
  json_t *before = json_deep_copy(layer);
  srv_goal_merge(layer, c->in);
  char *lj = json_dumps(layer, JSON_COMPACT | JSON_SORT_KEYS);
  srv_val p[] = {SRV_TEXT(lj), SRV_TEXT(c->params[0]), SRV_TEXT(c->who.org_id), SRV_INT(rev)};
  int64_t n = 0;
  int rc = srv_db_exec(c->s->db,
                       "UPDATE devices SET layer = ?, layer_rev = layer_rev + 1 WHERE id = ? AND org_id = ? AND layer_rev = ?",
                       p, 4, &n);
  free(lj);
  if (rc < 0 || n != 1) {
    json_decref(before);
    json_decref(layer);
    return srv_fail(c, SRV_E_CONFLICT, "device layer changed concurrently");
  }
  srv_event_add(c, c->params[0], SRV_EV_DEVICE_CONFIG_CHANGED, before, layer, NULL, "configuration of %s changed by %s",
                name, c->who.display);
  c->out = json_pack("{s:I}", "rev", (json_int_t)(rev + 1));
  return SRV_E_OK;
}

srv_err srv_op_get_goal(srv_call *c) {
  json_t *layer;
  int64_t rev;
  char name[80];
  if (!load_layer(c, c->params[0], &layer, &rev, name)) return c->err;
  srv_val p[] = {SRV_TEXT(c->params[0])};
  srv_rows *r = srv_db_query(c->s->db, "SELECT g.layer FROM devices d JOIN groups g ON g.id = d.group_id WHERE d.id = ?", p, 1);
  json_t *glayer = srv_rows_next(r) ? parse_or(srv_rows_text(r, 0), json_object()) : json_null();
  srv_rows_free(r);
  r = srv_db_query(c->s->db, "SELECT pin_layer, pin_rollout FROM devices WHERE id = ? AND pin_layer IS NOT NULL", p, 1);
  json_t *pin = json_null(), *pin_rollout = json_null();
  if (srv_rows_next(r)) {
    pin = parse_or(srv_rows_text(r, 0), json_null());
    pin_rollout = json_string(srv_rows_text(r, 1) ? srv_rows_text(r, 1) : "");
  }
  srv_rows_free(r);
  json_t *goal = srv_goal_materialize(name, json_is_null(glayer) ? NULL : glayer, json_is_null(pin) ? NULL : pin, layer);
  char sum[33];
  srv_goal_sum(goal, sum);
  json_object_set_new(goal, "sum", json_string(sum));
  c->out = json_pack("{s:o,s:{s:{s:i},s:o,s:o,s:o,s:o},s:I}", "goal", goal, "layers", "defaults", "max_offline_s", 300,
                     "group", glayer, "rollout", pin, "rollout_id", pin_rollout, "device", layer, "device_layer_rev",
                     (json_int_t)rev);
  return SRV_E_OK;
}

srv_err srv_op_get_state(srv_call *c) {
  json_t *d = get_device(c, c->params[0]);
  if (!d) return c->err;
  json_decref(d);
  srv_val p[] = {SRV_TEXT(c->params[0]), SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db, "SELECT state_json, state_sum FROM devices WHERE id = ? AND org_id = ?", p, 2);
  if (srv_rows_next(r))
    c->out = json_pack("{s:o,s:o}", "state", parse_or(srv_rows_text(r, 0), json_null()), "state_sum",
                       srv_rows_null(r, 1) ? json_null() : json_string(srv_rows_text(r, 1)));
  srv_rows_free(r);
  return SRV_E_OK;
}

srv_err srv_op_read_device_events(srv_call *c) {
  json_t *d = get_device(c, c->params[0]);
  if (!d) return c->err;
  json_decref(d);
  json_object_set_new(c->in, "device", json_string(c->params[0]));
  return srv_op_read_events(c);
}

static const char *const levels[] = {"debug", "info", "warn", "error", "fatal", "print"};

srv_err srv_op_read_logs(srv_call *c) {
  json_t *d = get_device(c, c->params[0]);
  if (!d) return c->err;
  json_decref(d);
  int64_t limit, after;
  if (srv_in_int(c, "limit", 100, 1, 500, &limit) || srv_in_int(c, "after", -1, -1, INT64_MAX, &after)) return c->err;
  bool bad = false;
  const char *app = srv_in_str(c, "app", &bad), *level = srv_in_str(c, "level", &bad), *q = srv_in_str(c, "q", &bad),
             *tok = srv_in_str(c, "page_token", &bad);
  if (bad) return c->err;
  if (tok && *tok) {
    char *end;
    after = strtoll(tok, &end, 10);
    if (*end || after < 0) return srv_bad_field(c, "page_token", "not a token from this list");
  }
  int min_level = 0;
  if (level) {
    for (min_level = 0; min_level < 6 && strcmp(levels[min_level], level) != 0; min_level++) {
    }
    if (min_level == 6) return srv_bad_field(c, "level", "one of debug, info, warn, error, fatal, print");
  }
  /* "print" sorts with info: levels below the minimum are left out. */
  char like[300];
  snprintf(like, sizeof like, "%%%s%%", q ? q : "");
  srv_val p[] = {SRV_TEXT(c->params[0]), SRV_TEXT(c->who.org_id), SRV_INT(after), SRV_TEXT(app), SRV_TEXT(app),
                 SRV_INT(min_level),     SRV_TEXT(q),             SRV_TEXT(like), SRV_INT(limit + 1)};
  srv_rows *r = srv_db_query(
      c->s->db,
      "SELECT seq, time, time_estimated, received_at, app, level, kind, text, truncated FROM logs"
      " WHERE device_id = ? AND org_id = ? AND seq > ? AND (CAST(? AS TEXT) IS NULL OR app = ?)"
      " AND (CASE level WHEN 'debug' THEN 0 WHEN 'info' THEN 1 WHEN 'print' THEN 1 WHEN 'warn' THEN 2"
      " WHEN 'error' THEN 3 ELSE 4 END) >= (CASE ? WHEN 0 THEN 0 WHEN 1 THEN 1 WHEN 5 THEN 1 WHEN 2 THEN 2"
      " WHEN 3 THEN 3 ELSE 4 END) AND (CAST(? AS TEXT) IS NULL OR text LIKE ?) ORDER BY seq LIMIT ?",
      p, 9);
  json_t *items = json_array();
  int64_t last = after;
  bool more = false;
  while (srv_rows_next(r)) {
    if ((int64_t)json_array_size(items) == limit) {
      more = true;
      break;
    }
    last = srv_rows_int(r, 0);
    json_array_append_new(items, json_pack("{s:I,s:o,s:b,s:o,s:s,s:s,s:s,s:s,s:b}", "seq", (json_int_t)last, "time",
                                           srv_json_time(srv_rows_int(r, 1)), "time_estimated", (int)srv_rows_int(r, 2),
                                           "received_at", srv_json_time(srv_rows_int(r, 3)), "app", srv_rows_text(r, 4),
                                           "level", srv_rows_text(r, 5), "kind", srv_rows_text(r, 6), "text",
                                           srv_rows_text(r, 7), "truncated", (int)srv_rows_int(r, 8)));
  }
  bool failed = srv_rows_failed(r);
  srv_rows_free(r);
  if (failed) {
    json_decref(items);
    return srv_fail(c, SRV_E_INTERNAL, "cannot read logs");
  }
  char next[32] = "";
  if (more) snprintf(next, sizeof next, "%lld", (long long)last);
  c->out = json_pack("{s:o,s:s}", "items", items, "next_page_token", next);
  return SRV_E_OK;
}

srv_err srv_op_query_metrics(srv_call *c) {
  json_t *d = get_device(c, c->params[0]);
  if (!d) return c->err;
  json_decref(d);
  bool bad = false;
  const char *name = srv_in_str(c, "name", &bad), *from_s = srv_in_str(c, "from", &bad), *to_s = srv_in_str(c, "to", &bad),
             *agg = srv_in_str(c, "agg", &bad);
  if (bad) return c->err;
  if (!name || !*name || strlen(name) > 64) return srv_bad_field(c, "name", "required metric name");
  int64_t to = srv_now_ms(), from, step;
  if (to_s && !srv_time_parse(to_s, &to)) return srv_bad_field(c, "to", "an RFC 3339 UTC time");
  from = to - 3600 * 1000;
  if (from_s && !srv_time_parse(from_s, &from)) return srv_bad_field(c, "from", "an RFC 3339 UTC time");
  if (from >= to) return srv_bad_field(c, "from", "must be before to");
  if (srv_in_int(c, "step", 60, 1, 30 * 86400, &step)) return c->err;
  if ((to - from) / (step * 1000) > 10000) return srv_bad_field(c, "step", "more than 10000 buckets");
  const char *fn = "AVG";
  if (!agg) agg = "avg";
  if (strcmp(agg, "avg") == 0) fn = "AVG";
  else if (strcmp(agg, "min") == 0) fn = "MIN";
  else if (strcmp(agg, "max") == 0) fn = "MAX";
  else if (strcmp(agg, "sum") == 0) fn = "SUM";
  else if (strcmp(agg, "count") == 0) fn = "COUNT";
  else return srv_bad_field(c, "agg", "one of avg, min, max, sum, count");
  char sql[400];
  snprintf(sql, sizeof sql,
           "SELECT (time - ?) / ? AS b, %s(value) FROM metrics WHERE device_id = ? AND org_id = ? AND name = ?"
           " AND time >= ? AND time < ? GROUP BY b ORDER BY b",
           fn);
  srv_val p[] = {SRV_INT(from), SRV_INT(step * 1000), SRV_TEXT(c->params[0]), SRV_TEXT(c->who.org_id), SRV_TEXT(name),
                 SRV_INT(from), SRV_INT(to)};
  srv_rows *r = srv_db_query(c->s->db, sql, p, 7);
  json_t *points = json_array();
  while (srv_rows_next(r))
    json_array_append_new(points, json_pack("{s:o,s:f}", "t", srv_json_time(from + srv_rows_int(r, 0) * step * 1000), "v",
                                            srv_rows_real(r, 1)));
  srv_rows_free(r);
  c->out = json_pack("{s:s,s:s,s:I,s:o}", "name", name, "agg", agg, "step_s", (json_int_t)step, "points", points);
  return SRV_E_OK;
}

/* FleetSummary: counts for the dashboard, from the same health rules as the
 * device rows. O(devices) per call for now (no health cache yet). */
srv_err srv_op_fleet_summary(srv_call *c) {
  srv_val p[] = {SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db, "SELECT " DEVICE_COLS " FROM devices WHERE org_id = ? AND unclaimed_at IS NULL", p, 1);
  json_t *health = json_pack("{s:i,s:i,s:i}", "healthy", 0, "unhealthy", 0, "never_seen", 0), *reasons = json_object(),
         *firmware = json_object(), *groups = json_object();
  int64_t total = 0, connected = 0, sims = 0, up_to_date = 0;
  while (srv_rows_next(r)) {
    json_t *d = device_json(r);
    total++;
    connected += json_is_true(json_object_get(d, "connected"));
    sims += json_is_true(json_object_get(d, "is_simulator"));
    up_to_date += json_is_true(json_object_get(d, "up_to_date"));
    const char *h = json_string_value(json_object_get(d, "health"));
    json_object_set_new(health, h, json_integer(json_integer_value(json_object_get(health, h)) + 1));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(d, "health_reasons"), i, v) {
      const char *k = json_string_value(v);
      json_object_set_new(reasons, k, json_integer(json_integer_value(json_object_get(reasons, k)) + 1));
    }
    const char *fw = json_string_value(json_object_get(d, "firmware"));
    if (!fw) fw = "unknown";
    json_object_set_new(firmware, fw, json_integer(json_integer_value(json_object_get(firmware, fw)) + 1));
    const char *g = json_string_value(json_object_get(d, "group_id"));
    if (!g) g = "none";
    json_object_set_new(groups, g, json_integer(json_integer_value(json_object_get(groups, g)) + 1));
    json_decref(d);
  }
  srv_rows_free(r);
  c->out = json_pack("{s:I,s:o,s:o,s:o,s:o,s:I,s:I,s:I}", "total", (json_int_t)total, "by_health", health, "by_reason",
                     reasons, "by_firmware", firmware, "by_group", groups, "connected", (json_int_t)connected, "simulators",
                     (json_int_t)sims, "up_to_date", (json_int_t)up_to_date);
  return SRV_E_OK;
}
