/* The device endpoints under /d/v1 (FLEET.md §2): provisioning and the
 * check-in exchange. Errors are flat {"error": code} bodies. The whole
 * check-in runs in one transaction; uploads are idempotent on
 * (device, stream, seq), so a resent request gets the same answer. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv.h"
#include "srv_goal.h"
#include "srv_util.h"

#define MAX_ITEMS 500

static void reply(srv_dev_reply *r, int status, json_t *body) {
  r->status = status;
  r->body = body;
}

static void fail(srv_dev_reply *r, int status, const char *code) { reply(r, status, json_pack("{s:s}", "error", code)); }

/* Hash of 64 hex chars (32 raw bytes) as the store keeps it; false if the
 * text is not exactly that. */
static bool secret_hash(const char *hex, char out[65]) {
  uint8_t raw[32];
  if (!srv_unhex(hex, raw, 32)) return false;
  srv_sha256_hex(raw, 32, out);
  return true;
}

static bool hardware_id_ok(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > 64) return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':' ||
          c == '-'))
      return false;
  }
  return true;
}

static void claim_code(char out[9]) {
  static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  for (int i = 0; i < 8; i++) out[i] = crockford[randombytes_uniform(32)];
  out[8] = 0;
}

static void provision(srv *s, const char *auth, json_t *in, srv_dev_reply *r) {
  srv_who who;
  if (!auth || strncmp(auth, "Bearer tk_", 10) != 0 || srv_auth_bearer(s, auth, &who) != SRV_E_OK)
    return fail(r, 401, "unauthenticated");
  if (!srv_role_allows(who.role, SRV_ACT_PROVISION)) return fail(r, 403, "permission_denied");
  json_t *hw = json_object_get(in, "hardware_id"), *batch = json_object_get(in, "batch");
  char id[65];
  if (hw && !json_is_null(hw)) {
    if (!json_is_string(hw) || !hardware_id_ok(json_string_value(hw))) return fail(r, 400, "invalid_argument");
    snprintf(id, sizeof id, "%s", json_string_value(hw));
  } else {
    srv_uuid(id);
  }
  if (batch && !json_is_null(batch) && (!json_is_string(batch) || !srv_text_ok(json_string_value(batch), 64)))
    return fail(r, 400, "invalid_argument");
  uint8_t secret[32];
  char secret_hex[65], h[65], code[9];
  randombytes_buf(secret, sizeof secret);
  srv_hex(secret, 32, secret_hex);
  srv_sha256_hex(secret, 32, h);
  int64_t now = srv_now_ms();
  for (int attempt = 0; attempt < 5; attempt++) {
    claim_code(code);
    srv_val p[] = {SRV_TEXT(id), SRV_TEXT(who.org_id), SRV_TEXT(json_string_value(batch)), SRV_TEXT(who.key_id),
                   SRV_INT(now), SRV_TEXT(h), SRV_TEXT(code), SRV_INT(now)};
    srv_val q[] = {SRV_TEXT(id)};
    if (srv_db_int(s->db, "SELECT COUNT(*) FROM hardware WHERE hardware_id = ?", q, 1, 0) > 0)
      return fail(r, 409, "already_exists");
    int rc = srv_db_exec(s->db,
                         "INSERT INTO hardware (hardware_id, org_id, batch, provisioned_by, created_at, secret_hash,"
                         " claim_code, free_since) VALUES (?,?,?,?,?,?,?,?)",
                         p, 8, NULL);
    if (rc == SRV_DB_OK) {
      srv_call c = {.s = s, .who = who};
      srv_event_add(&c, NULL, SRV_EV_HARDWARE_PROVISIONED, NULL, json_pack("{s:s}", "hardware_id", id), NULL,
                    "hardware %s provisioned by %s", id, who.display);
      return reply(r, 201, json_pack("{s:s,s:s,s:s}", "hardware_id", id, "secret", secret_hex, "claim_code", code));
    }
    if (rc != SRV_DB_CONSTRAINT) break; /* else: claim code collision, retry */
  }
  fail(r, 503, "unavailable");
}

typedef struct {
  char id[37], org_id[37], name[80], hardware_id[65];
  char goal_sum[33], state_sum[33];
  int64_t goal_rev, state_req, first_seen, layer_rev;
  int64_t acc[4];
  bool acc_null[4];
  json_t *layer, *group_layer, *pin_layer;
  bool unclaimed;
} dev_row;

static void dev_free(dev_row *d) {
  json_decref(d->layer);
  json_decref(d->group_layer);
  json_decref(d->pin_layer);
  d->layer = d->group_layer = d->pin_layer = NULL;
}

static bool load_device(srv *s, const char *id, dev_row *d, char token_hash[65], char pending_hash[65]) {
  srv_val p[] = {SRV_TEXT(id)};
  srv_rows *r = srv_db_query(s->db,
                             "SELECT id, org_id, name, hardware_id, goal_sum, state_sum, goal_rev, state_req,"
                             " last_seen_at, layer, acc_logs, acc_events, acc_metrics, token_hash, pending_token_hash,"
                             " unclaimed_at, acc_publish, (SELECT g.layer FROM groups g WHERE g.id = devices.group_id),"
                             " pin_layer FROM devices WHERE id = ?",
                             p, 1);
  bool found = srv_rows_next(r);
  if (found) {
    memset(d, 0, sizeof *d);
    snprintf(d->id, sizeof d->id, "%s", srv_rows_text(r, 0));
    snprintf(d->org_id, sizeof d->org_id, "%s", srv_rows_text(r, 1));
    snprintf(d->name, sizeof d->name, "%s", srv_rows_text(r, 2));
    snprintf(d->hardware_id, sizeof d->hardware_id, "%s", srv_rows_text(r, 3));
    snprintf(d->goal_sum, sizeof d->goal_sum, "%s", srv_rows_text(r, 4) ? srv_rows_text(r, 4) : "");
    snprintf(d->state_sum, sizeof d->state_sum, "%s", srv_rows_text(r, 5) ? srv_rows_text(r, 5) : "");
    d->goal_rev = srv_rows_int(r, 6);
    d->state_req = srv_rows_int(r, 7);
    d->first_seen = srv_rows_null(r, 8) ? 0 : 1;
    d->layer = json_loads(srv_rows_text(r, 9), 0, NULL);
    for (int i = 0; i < 3; i++) {
      d->acc_null[i] = srv_rows_null(r, 10 + i);
      d->acc[i] = srv_rows_int(r, 10 + i);
    }
    snprintf(token_hash, 65, "%s", srv_rows_text(r, 13) ? srv_rows_text(r, 13) : "");
    snprintf(pending_hash, 65, "%s", srv_rows_text(r, 14) ? srv_rows_text(r, 14) : "");
    d->unclaimed = !srv_rows_null(r, 15);
    d->acc_null[3] = srv_rows_null(r, 16);
    d->acc[3] = srv_rows_int(r, 16);
    d->group_layer = srv_rows_null(r, 17) ? NULL : json_loads(srv_rows_text(r, 17), 0, NULL);
    d->pin_layer = srv_rows_null(r, 18) ? NULL : json_loads(srv_rows_text(r, 18), 0, NULL);
  }
  srv_rows_free(r);
  return found;
}

/* Validated fields of one upload item. */
static bool item_int(json_t *o, const char *k, bool required, int64_t *out) {
  json_t *v = json_object_get(o, k);
  if (!v || json_is_null(v)) return !required;
  if (!json_is_integer(v)) return false;
  *out = json_integer_value(v);
  return true;
}

static bool name_chars(const char *s, size_t max, const char *extra) {
  size_t n = strlen(s);
  if (n < 1 || n > max) return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr(extra, c))) return false;
  }
  return true;
}

/* Device time of an entry: its own clock if synced, else estimated from the
 * uptime difference (current boot), else the receive time. */
static int64_t entry_time(json_t *it, int64_t now, int64_t req_up, bool *estimated) {
  int64_t t = 0, up = -1;
  *estimated = false;
  if (item_int(it, "t", false, &t) && t > 0) return t;
  if (req_up >= 0 && item_int(it, "up", false, &up) && up >= 0 && up <= req_up) {
    *estimated = true;
    return now - (req_up - up);
  }
  *estimated = true;
  return now;
}

static const char *const levels[] = {"debug", "info", "warn", "error", "fatal", "print"};
static const char *const log_kinds[] = {"print", "app_start", "app_stop", "stack_trace", "boot", "shutdown"};
static bool in_list(const char *s, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(s, list[i]) == 0) return true;
  return false;
}

/* Cuts text to at most max bytes at a UTF-8 boundary. */
static void cut_utf8(char *s, size_t max) {
  size_t n = strlen(s);
  if (n <= max) return;
  n = max;
  while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80) n--;
  s[n] = 0;
}

/* Stores one upload stream. Returns 0, or -1 for a malformed item, -2 for
 * a database failure. acc gets the new high-water mark. */
static int store_stream(srv *s, dev_row *d, int stream, json_t *up, int64_t now, int64_t req_up, int64_t *acc,
                        bool *have) {
  json_t *items = json_object_get(up, "items");
  if (!json_is_object(up) || !json_is_array(items) || json_array_size(items) > MAX_ITEMS) return -1;
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    int64_t seq;
    if (!json_is_object(it) || !item_int(it, "seq", true, &seq) || seq < 0) return -1;
    bool est;
    int64_t t = entry_time(it, now, req_up, &est);
    int rc;
    if (stream == 0) {
      const char *app = json_string_value(json_object_get(it, "app")), *lvl = json_string_value(json_object_get(it, "lvl")),
                 *k = json_string_value(json_object_get(it, "k")), *msg = json_string_value(json_object_get(it, "msg"));
      if (!app) app = "system";
      if (!lvl) lvl = "info";
      if (!k) k = "print";
      if (!msg || !name_chars(app, 40, "-_") || !in_list(lvl, levels, 6) || !in_list(k, log_kinds, 6)) return -1;
      char text[600];
      size_t mlen = strlen(msg);
      snprintf(text, sizeof text, "%s", msg);
      cut_utf8(text, 512);
      srv_val p[] = {SRV_TEXT(d->org_id), SRV_TEXT(d->id), SRV_INT(seq),  SRV_INT(t),      SRV_INT(est),
                     SRV_INT(now),        SRV_TEXT(app),   SRV_TEXT(lvl), SRV_TEXT(k),     SRV_TEXT(text),
                     SRV_INT(mlen > 512)};
      rc = srv_db_exec(s->db,
                       "INSERT INTO logs (org_id, device_id, seq, time, time_estimated, received_at, app, level, kind,"
                       " text, truncated) VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                       p, 11, NULL);
      srv_bus_mark(s, d->org_id);
    } else if (stream == 1) {
      const char *kind = json_string_value(json_object_get(it, "kind"));
      json_t *data = json_object_get(it, "data");
      if (!kind || strncmp(kind, "dev.", 4) != 0 || !name_chars(kind, 64, "._")) return -1;
      char *dj = data ? json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
      if (dj && strlen(dj) > 2048) {
        free(dj);
        return -1;
      }
      const char *app = json_string_value(json_object_get(it, "app"));
      char summary[160];
      snprintf(summary, sizeof summary, "%s%s%.40s", kind, app ? " app " : "", app ? app : "");
      srv_val p[] = {SRV_TEXT(d->org_id), SRV_TEXT(d->id), SRV_INT(now), SRV_INT(t), SRV_TEXT(kind),
                     SRV_TEXT(d->id),     SRV_TEXT(d->name), SRV_TEXT(summary), SRV_TEXT(dj), SRV_INT(seq)};
      rc = srv_db_exec(s->db,
                       "INSERT INTO events (org_id, device_id, time, device_time, kind, actor_type, actor_id,"
                       " actor_display, summary, data_json, dev_seq) VALUES (?,?,?,?,?,'device',?,?,?,?,?)"
                       " ON CONFLICT DO NOTHING",
                       p, 10, NULL);
      srv_bus_mark(s, d->org_id);
      free(dj);
    } else {
      const char *n = json_string_value(json_object_get(it, "n")), *k = json_string_value(json_object_get(it, "k"));
      json_t *v = json_object_get(it, "v"), *tags = json_object_get(it, "tags");
      if (!k) k = "g";
      if (!n || !name_chars(n, 64, "_.") || !json_is_number(v) || (strcmp(k, "g") && strcmp(k, "c") && strcmp(k, "h")))
        return -1;
      if (tags && !json_is_null(tags) && !json_is_object(tags)) return -1;
      char *tj = tags && json_object_size(tags) ? json_dumps(tags, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
      if (tj && strlen(tj) > 512) {
        free(tj);
        return -1;
      }
      srv_val p[] = {SRV_TEXT(d->org_id), SRV_TEXT(d->id), SRV_INT(seq), SRV_INT(t), SRV_TEXT(n),
                     SRV_TEXT(strcmp(k, "g") == 0 ? "gauge" : strcmp(k, "c") == 0 ? "counter" : "histogram"),
                     SRV_REAL(json_number_value(v)), SRV_TEXT(tj)};
      rc = srv_db_exec(s->db,
                       "INSERT INTO metrics (org_id, device_id, seq, time, name, kind, value, tags)"
                       " VALUES (?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                       p, 8, NULL);
      free(tj);
    }
    if (rc == SRV_DB_ERROR) return -2;
    if (!*have || seq > *acc) *acc = seq;
    *have = true;
  }
  return 0;
}

static void unclaimed_reply(srv *s, const char *hw, int64_t free_since, int64_t first_seen, srv_dev_reply *r) {
  int64_t now = srv_now_ms(), since = first_seen > free_since ? first_seen : free_since;
  int64_t days = (now - since) / (24LL * 3600 * 1000);
  int64_t next = days >= 6 ? 21600 : 600LL << days;
  if (next > 21600) next = 21600;
  srv_val p[] = {SRV_INT(now), SRV_INT(now), SRV_TEXT(hw)};
  srv_db_exec(s->db, "UPDATE hardware SET first_seen_at = COALESCE(first_seen_at, ?), last_seen_at = ? WHERE hardware_id = ?",
              p, 3, NULL);
  reply(r, 200, json_pack("{s:i,s:I,s:b,s:I}", "v", 1, "now", (json_int_t)now, "claimed", 0, "next_sync_s", (json_int_t)next));
}

static void sync_request(srv *s, const char *auth, json_t *in, srv_dev_reply *r) {
  if (!auth) return fail(r, 401, "unauthenticated");
  bool hardware = strncmp(auth, "Hardware ", 9) == 0, device = strncmp(auth, "Device ", 7) == 0;
  if (!hardware && !device) return fail(r, 401, "unauthenticated");
  const char *cred = auth + (hardware ? 9 : 7), *dot = strchr(cred, '.');
  if (!dot || dot - cred > 64 || dot == cred) return fail(r, 401, "unauthenticated");
  char ident[65], h[65], key[80];
  snprintf(ident, sizeof ident, "%.*s", (int)(dot - cred), cred);
  /* Per identity, before any database work: 1 sync/s on average, burst 10. */
  snprintf(key, sizeof key, "dev:%s", ident);
  if (!srv_rate_take(s->rate, key, s->opt.device_rate, 10 * s->opt.device_rate, srv_now_ms()))
    return fail(r, 429, "resource_exhausted");
  if (!secret_hash(dot + 1, h)) return fail(r, 401, "unauthenticated");

  dev_row d;
  char token_hash[65], pending_hash[65];
  json_t *auth_out = json_null();
  if (hardware) {
    srv_val p[] = {SRV_TEXT(ident)};
    srv_rows *q = srv_db_query(s->db,
                               "SELECT secret_hash, secret_valid, bound_device_id, free_since, first_seen_at"
                               " FROM hardware WHERE hardware_id = ?",
                               p, 1);
    bool ok = srv_rows_next(q) && srv_streq_ct(srv_rows_text(q, 0), h) && srv_rows_int(q, 1) == 1;
    char bound[37] = "";
    int64_t free_since = 0, first_seen = 0;
    if (ok) {
      if (!srv_rows_null(q, 2)) snprintf(bound, sizeof bound, "%s", srv_rows_text(q, 2));
      free_since = srv_rows_int(q, 3);
      first_seen = srv_rows_int(q, 4);
    }
    srv_rows_free(q);
    if (!ok) return fail(r, 401, "unauthenticated");
    if (!bound[0]) return unclaimed_reply(s, ident, free_since, first_seen, r);
    if (!load_device(s, bound, &d, token_hash, pending_hash)) return fail(r, 401, "unauthenticated");
    /* Hand over a fresh device token; it replaces any earlier unseen one. */
    uint8_t tok[32];
    char tok_hex[65], th[65], tid[37];
    randombytes_buf(tok, 32);
    srv_hex(tok, 32, tok_hex);
    srv_sha256_hex(tok, 32, th);
    srv_uuid(tid);
    srv_val u[] = {SRV_TEXT(th), SRV_TEXT(tid), SRV_TEXT(d.id)};
    if (srv_db_exec(s->db, "UPDATE devices SET pending_token_hash = ?, token_id = ? WHERE id = ?", u, 3, NULL) < 0) {
      dev_free(&d);
      return fail(r, 503, "unavailable");
    }
    auth_out = json_pack("{s:s,s:s,s:s}", "device_id", d.id, "token", tok_hex, "token_id", tid);
  } else {
    if (!srv_is_uuid(ident) || !load_device(s, ident, &d, token_hash, pending_hash))
      return fail(r, 401, "unauthenticated");
    bool cur = token_hash[0] && srv_streq_ct(token_hash, h), pend = pending_hash[0] && srv_streq_ct(pending_hash, h);
    if (!cur && !pend) {
      dev_free(&d);
      return fail(r, 401, "unauthenticated");
    }
    if (d.unclaimed) {
      dev_free(&d);
      return fail(r, 403, "unclaimed");
    }
    if (pend) {
      /* First use of the new token: it becomes the only credential; the
       * hardware secret stops working until an unclaim. */
      srv_val u[] = {SRV_TEXT(h), SRV_TEXT(d.id)};
      srv_val w[] = {SRV_TEXT(d.hardware_id)};
      if (srv_db_exec(s->db, "UPDATE devices SET token_hash = ?, pending_token_hash = NULL WHERE id = ?", u, 2, NULL) < 0 ||
          srv_db_exec(s->db, "UPDATE hardware SET secret_valid = 0 WHERE hardware_id = ?", w, 1, NULL) < 0) {
        dev_free(&d);
        return fail(r, 503, "unavailable");
      }
    }
  }

  /* The request proper. */
  int64_t v = 0, req = 0, up = -1;
  const char *boot = json_string_value(json_object_get(in, "boot"));
  if (!item_int(in, "v", true, &v) || v != 1 || !boot || strlen(boot) > 64 || !item_int(in, "req", true, &req) ||
      req < 0 || !item_int(in, "up", false, &up)) {
    dev_free(&d);
    json_decref(auth_out);
    return fail(r, 400, "invalid_argument");
  }
  int64_t now = srv_now_ms();
  static const char *const streams[] = {"up_logs", "up_events", "up_metrics"};
  for (int i = 0; i < 3; i++) {
    json_t *st = json_object_get(in, streams[i]);
    if (!st || json_is_null(st)) continue;
    bool have = !d.acc_null[i];
    int rc = store_stream(s, &d, i, st, now, up, &d.acc[i], &have);
    if (rc < 0) {
      dev_free(&d);
      json_decref(auth_out);
      return rc == -1 ? fail(r, 400, "invalid_argument") : fail(r, 503, "unavailable");
    }
    d.acc_null[i] = !have;
  }

  /* Published messages (cloud-bound), idempotent on (device, publish id). */
  json_t *pubs = json_object_get(in, "publish");
  if (pubs && !json_is_null(pubs)) {
    size_t i;
    json_t *it;
    if (!json_is_array(pubs) || json_array_size(pubs) > MAX_ITEMS) goto bad_publish;
    json_array_foreach(pubs, i, it) {
      int64_t pid;
      const char *topic = json_string_value(json_object_get(it, "topic")), *data = json_string_value(json_object_get(it, "data")),
                 *app = json_string_value(json_object_get(it, "app")), *ct = json_string_value(json_object_get(it, "ct"));
      if (!json_is_object(it) || !item_int(it, "id", true, &pid) || pid < 0 || !topic || !srv_topic_ok(topic) || !data ||
          strlen(data) > 21848 || (app && !name_chars(app, 40, "-_")) || (ct && (strlen(ct) > 128 || !srv_text_ok(ct, 128))))
        goto bad_publish;
      uint8_t bin[16384 + 4];
      size_t blen;
      if (sodium_base642bin(bin, sizeof bin, data, strlen(data), NULL, &blen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
          blen > 16384)
        goto bad_publish;
      char dedup[120];
      snprintf(dedup, sizeof dedup, "%s:%lld", d.id, (long long)pid);
      srv_val p[] = {SRV_TEXT(d.org_id), SRV_TEXT(topic), SRV_TEXT(d.id), SRV_TEXT(app), SRV_INT(now),
                     SRV_TEXT(ct ? ct : "application/octet-stream"), SRV_TEXT(data), SRV_TEXT(dedup)};
      if (srv_topic_touch(s, d.org_id, topic, "cloud") < 0 ||
          srv_db_exec(s->db,
                      "INSERT INTO messages (org_id, topic, publisher_type, publisher_id, publisher_app, created_at,"
                      " content_type, data, dedup) VALUES (?,?,'device',?,?,?,?,?,?) ON CONFLICT DO NOTHING",
                      p, 8, NULL) == SRV_DB_ERROR) {
        dev_free(&d);
        json_decref(auth_out);
        return fail(r, 503, "unavailable");
      }
      srv_bus_mark(s, d.org_id); /* wakes data streams */
      if (d.acc_null[3] || pid > d.acc[3]) d.acc[3] = pid;
      d.acc_null[3] = false;
    }
  }
  if (false) {
  bad_publish:
    dev_free(&d);
    json_decref(auth_out);
    return fail(r, 400, "invalid_argument");
  }

  /* Reported state: stored only when newer than what we have. */
  const char *state_sum = json_string_value(json_object_get(in, "state_sum"));
  json_t *state = json_object_get(in, "state");
  bool state_wanted = false;
  if (state && !json_is_null(state)) {
    if (!json_is_object(state) || !state_sum || strlen(state_sum) > 64) {
      dev_free(&d);
      json_decref(auth_out);
      return fail(r, 400, "invalid_argument");
    }
    if (req > d.state_req) {
      char *sj = json_dumps(state, JSON_COMPACT | JSON_SORT_KEYS);
      json_t *fw = json_object_get(state, "firmware"), *power = json_object_get(state, "power"),
             *sync = json_object_get(state, "sync");
      char *pj = json_is_object(power) ? json_dumps(power, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
      json_t *ar = json_object_get(state, "applied_rev");
      srv_val p[] = {SRV_TEXT(sj),
                     SRV_TEXT(state_sum),
                     SRV_INT(req),
                     json_is_integer(ar) ? SRV_INT(json_integer_value(ar)) : SRV_NULLV,
                     SRV_TEXT(json_string_value(json_object_get(state, "applied_sum"))),
                     SRV_TEXT(json_string_value(json_object_get(fw, "running_version"))),
                     SRV_TEXT(pj),
                     SRV_TEXT(json_string_value(json_object_get(sync, "status"))),
                     SRV_TEXT(d.id)};
      int rc = srv_db_exec(s->db,
                           "UPDATE devices SET state_json = ?, state_sum = ?, state_req = ?, applied_rev = ?,"
                           " applied_sum = ?, firmware = COALESCE(?, firmware), power_json = ?,"
                           " sync_status = COALESCE(?, sync_status) WHERE id = ?",
                           p, 9, NULL);
      free(sj);
      free(pj);
      if (rc < 0) {
        dev_free(&d);
        json_decref(auth_out);
        return fail(r, 503, "unavailable");
      }
      snprintf(d.state_sum, sizeof d.state_sum, "%.32s", state_sum);
      srv_bus_mark(s, d.org_id); /* wakes device watchers */
    }
  } else if (state_sum && strcmp(state_sum, d.state_sum) != 0) {
    state_wanted = true;
  } else if (!state_sum && !d.state_sum[0]) {
    state_wanted = true;
  }

  /* Goal: bump rev only when the materialized document changed. */
  json_t *goal = srv_goal_materialize(d.name, d.group_layer, d.pin_layer, d.layer);
  dev_free(&d);
  char sum[33];
  srv_goal_sum(goal, sum);
  if (strcmp(sum, d.goal_sum) != 0) {
    d.goal_rev++;
    srv_val p[] = {SRV_INT(d.goal_rev), SRV_TEXT(sum), SRV_TEXT(d.id)};
    if (srv_db_exec(s->db, "UPDATE devices SET goal_rev = ?, goal_sum = ? WHERE id = ?", p, 3, NULL) < 0) {
      json_decref(goal);
      json_decref(auth_out);
      return fail(r, 503, "unavailable");
    }
  }
  json_object_set_new(goal, "rev", json_integer(d.goal_rev));
  json_object_set_new(goal, "sum", json_string(sum));
  const char *held = json_string_value(json_object_get(json_object_get(in, "goal"), "sum"));
  bool send_goal = !held || strcmp(held, sum) != 0;

  srv_val p[] = {SRV_INT(now), SRV_TEXT(boot), SRV_INT(now), d.acc_null[0] ? SRV_NULLV : SRV_INT(d.acc[0]),
                 d.acc_null[1] ? SRV_NULLV : SRV_INT(d.acc[1]), d.acc_null[2] ? SRV_NULLV : SRV_INT(d.acc[2]),
                 SRV_TEXT(d.id)};
  /* last_boot_at moves when the boot id changes. */
  if (srv_db_exec(s->db,
                  "UPDATE devices SET last_seen_at = ?, last_boot_at = CASE WHEN boot_id IS NULL OR boot_id <> ?"
                  " THEN ? ELSE last_boot_at END, boot_id = ?, acc_logs = ?, acc_events = ?, acc_metrics = ?, acc_publish = ?,"
                  " health = CASE WHEN health = 'never_seen' THEN 'healthy' ELSE health END WHERE id = ?",
                  (srv_val[]){p[0], p[1], p[2], SRV_TEXT(boot), p[3], p[4], p[5],
                              d.acc_null[3] ? SRV_NULLV : SRV_INT(d.acc[3]), p[6]},
                  9, NULL) < 0) {
    json_decref(goal);
    json_decref(auth_out);
    return fail(r, 503, "unavailable");
  }
  if (!d.first_seen) {
    srv_call c = {.s = s};
    snprintf(c.who.org_id, sizeof c.who.org_id, "%s", d.org_id);
    srv_event_add(&c, d.id, SRV_EV_DEVICE_FIRST_SEEN, NULL, NULL, NULL, "%s checked in for the first time", d.name);
  }
  json_t *accepted = json_object();
  static const char *const acc_names[] = {"logs", "events", "metrics", "publish"};
  for (int i = 0; i < 4; i++)
    json_object_set_new(accepted, acc_names[i], d.acc_null[i] ? json_null() : json_integer(d.acc[i]));
  if (!send_goal) {
    json_decref(goal);
    goal = json_null();
  }
  reply(r, 200,
        json_pack("{s:i,s:I,s:o,s:o,s:b,s:[],s:o,s:b,s:n,s:n}", "v", 1, "now", (json_int_t)now, "accepted", accepted, "goal",
                  goal, "state_wanted", state_wanted, "messages", "auth", auth_out, "more", 0, "next_sync_s",
                  "recovery_urls"));
}

/* Device credentials only (no hardware secret): downloads need a claimed
 * device. Writes the device's org into org. */
static bool device_cred(srv *s, const char *auth, char org[37], srv_dev_reply *r) {
  if (!auth || strncmp(auth, "Device ", 7) != 0) {
    fail(r, 401, "unauthenticated");
    return false;
  }
  const char *cred = auth + 7, *dot = strchr(cred, '.');
  char ident[65], h[65], th[65], ph[65];
  if (!dot || dot - cred > 64 || !secret_hash(dot + 1, h)) {
    fail(r, 401, "unauthenticated");
    return false;
  }
  snprintf(ident, sizeof ident, "%.*s", (int)(dot - cred), cred);
  dev_row d;
  if (!srv_is_uuid(ident) || !load_device(s, ident, &d, th, ph)) {
    fail(r, 401, "unauthenticated");
    return false;
  }
  dev_free(&d);
  bool ok = (th[0] && srv_streq_ct(th, h)) || (ph[0] && srv_streq_ct(ph, h));
  if (!ok) {
    fail(r, 401, "unauthenticated");
    return false;
  }
  if (d.unclaimed) {
    fail(r, 403, "unclaimed");
    return false;
  }
  snprintf(org, 37, "%s", d.org_id);
  return true;
}

#define BLOB_CHUNK 16384

/* GET /d/v1/blobs/{sha256}[/manifest], with Range for one chunk. */
static void blob_request(srv *s, const char *sha, bool manifest, const char *auth, const char *range, srv_dev_reply *r) {
  char org[37];
  if (!device_cred(s, auth, org, r)) return;
  uint8_t raw[32];
  srv_val p[] = {SRV_TEXT(org), SRV_TEXT(sha), SRV_TEXT(org), SRV_TEXT(sha)};
  if (!srv_unhex(sha, raw, 32) ||
      srv_db_int(s->db,
                 "SELECT (SELECT COUNT(*) FROM app_versions WHERE org_id = ? AND image_sha256 = ?) +"
                 " (SELECT COUNT(*) FROM firmware_releases WHERE org_id = ? AND image_sha256 = ?)",
                 p, 4, 0) == 0)
    return fail(r, 404, "not_found");
  char path[1200];
  srv_blob_path(s, sha, path, sizeof path);
  FILE *f = fopen(path, "rb");
  if (!f) return fail(r, 503, "unavailable");
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  if (manifest) {
    json_t *chunks = json_array();
    char *buf = malloc(BLOB_CHUNK);
    size_t n;
    while ((n = fread(buf, 1, BLOB_CHUNK, f)) > 0) {
      char h[65];
      srv_sha256_hex(buf, n, h);
      json_array_append_new(chunks, json_string(h));
    }
    free(buf);
    fclose(f);
    return reply(r, 200, json_pack("{s:s,s:I,s:i,s:o}", "sha256", sha, "size", (json_int_t)size, "chunk_size", BLOB_CHUNK,
                                   "chunks", chunks));
  }
  long a = 0, b = size - 1;
  if (range) {
    const char *q = range + 6;
    char *e1, *e2;
    if (strncmp(range, "bytes=", 6) != 0) goto bad_range;
    a = strtol(q, &e1, 10);
    if (e1 == q || *e1 != '-') goto bad_range;
    if (e1[1]) {
      b = strtol(e1 + 1, &e2, 10);
      if (e2 == e1 + 1 || *e2) goto bad_range;
    } else {
      b = size - 1;
    }
    if (a < 0 || a > b || a >= size) goto bad_range;
    if (b >= size) b = size - 1;
    if (b - a + 1 > 65536) b = a + 65535; /* one chunk at most */
    snprintf(r->content_range, sizeof r->content_range, "bytes %ld-%ld/%ld", a, b, size);
  }
  r->raw_len = (size_t)(b - a + 1);
  r->raw = malloc(r->raw_len ? r->raw_len : 1);
  fseek(f, a, SEEK_SET);
  if (fread(r->raw, 1, r->raw_len, f) != r->raw_len) {
    free(r->raw);
    r->raw = NULL;
    fclose(f);
    return fail(r, 503, "unavailable");
  }
  fclose(f);
  r->status = range ? 206 : 200;
  return;
bad_range:
  fclose(f);
  snprintf(r->content_range, sizeof r->content_range, "bytes */%ld", size);
  fail(r, 416, "invalid_argument");
}

void srv_device_request(srv *s, const char *method, const char *path, const char *auth, const char *body, size_t len,
                        const char *range, srv_dev_reply *r) {
  memset(r, 0, sizeof *r);
  if (strncmp(path, "/d/v1/blobs/", 12) == 0) {
    if (strcmp(method, "GET") != 0) return fail(r, 405, "invalid_argument");
    char sha[65];
    const char *rest = path + 12;
    size_t n = strcspn(rest, "/");
    bool manifest = strcmp(rest + n, "/manifest") == 0;
    if (n != 64 || (rest[n] && !manifest)) return fail(r, 404, "not_found");
    memcpy(sha, rest, 64);
    sha[64] = 0;
    pthread_mutex_lock(&s->lock);
    blob_request(s, sha, manifest, auth, range, r);
    pthread_mutex_unlock(&s->lock);
    return;
  }
  bool is_sync = strcmp(path, "/d/v1/sync") == 0, is_prov = strcmp(path, "/d/v1/provision") == 0;
  if (!is_sync && !is_prov) return fail(r, 404, "not_found");
  if (strcmp(method, "POST") != 0) return fail(r, 405, "invalid_argument");
  json_t *in = len ? json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL) : (is_prov ? json_object() : NULL);
  if (!json_is_object(in)) {
    json_decref(in);
    return fail(r, 400, "invalid_argument");
  }
  pthread_mutex_lock(&s->lock);
  s->bus_dirty = false;
  if (srv_db_begin(s->db) < 0) {
    fail(r, 503, "unavailable");
  } else {
    if (is_prov)
      provision(s, auth, in, r);
    else
      sync_request(s, auth, in, r);
    if (r->status < 300) {
      if (srv_db_commit(s->db) < 0) {
        srv_db_rollback(s->db);
        json_decref(r->body);
        fail(r, 503, "unavailable");
        s->bus_dirty = false;
      }
    } else {
      srv_db_rollback(s->db);
      s->bus_dirty = false;
    }
  }
  srv_bus_publish(s);
  pthread_mutex_unlock(&s->lock);
  json_decref(in);
  if (r->status == 503) r->retry_after = 5;
  if (r->status == 429) r->retry_after = 1;
}
