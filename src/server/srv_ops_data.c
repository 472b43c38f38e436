/* DataService: publish, topics, subscriptions with per-subscriber cursors,
 * leased fetch (at-least-once: unacked messages come back after the ack
 * deadline) and acknowledgement. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv.h"
#include "srv_util.h"

bool srv_topic_ok(const char *t) {
  size_t n = strlen(t);
  if (n < 1 || n > 128) return false;
  for (size_t i = 0; i < n; i++)
    if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= '0' && t[i] <= '9') ||
          strchr("_./-", t[i])))
      return false;
  return true;
}

/* Creates the topic on first publish; its kind never changes afterwards. */
int srv_topic_touch(srv *s, const char *org, const char *topic, const char *kind) {
  srv_val p[] = {SRV_TEXT(org), SRV_TEXT(topic), SRV_TEXT(kind), SRV_INT(srv_now_ms())};
  return srv_db_exec(s->db, "INSERT INTO topics (org_id, name, kind, created_at) VALUES (?,?,?,?) ON CONFLICT DO NOTHING",
                     p, 4, NULL);
}

srv_err srv_op_publish(srv_call *c) {
  bool bad = false;
  const char *topic = srv_in_str(c, "topic", &bad), *device = srv_in_str(c, "device", &bad),
             *kind = srv_in_str(c, "kind", &bad);
  if (bad) return c->err;
  if (!topic || !srv_topic_ok(topic)) return srv_bad_field(c, "topic", "required, [A-Za-z0-9_./-]{1,128}");
  if (kind && strcmp(kind, "device") && strcmp(kind, "latest")) return srv_bad_field(c, "kind", "device or latest");
  if (device && *device) {
    srv_val p[] = {SRV_TEXT(device), SRV_TEXT(c->who.org_id)};
    if (!srv_is_uuid(device) ||
        srv_db_int(c->s->db, "SELECT COUNT(*) FROM devices WHERE id = ? AND org_id = ? AND unclaimed_at IS NULL", p, 2,
                   0) == 0)
      return srv_fail(c, SRV_E_NOT_FOUND, "no such device");
  } else {
    device = NULL;
  }
  size_t max = device ? 4096 : 65536;
  if (c->raw_len > max) return srv_fail(c, SRV_E_TOO_LARGE, "payload larger than %zu bytes", max);
  const char *ct = c->spec_header && *c->spec_header ? c->spec_header : "application/octet-stream";
  if (strlen(ct) > 128 || !srv_text_ok(ct, 128)) return srv_bad_field(c, "Content-Type", "at most 128 printable bytes");
  size_t b64len = sodium_base64_ENCODED_LEN(c->raw_len, sodium_base64_VARIANT_ORIGINAL);
  char *b64 = malloc(b64len);
  sodium_bin2base64(b64, b64len, (const unsigned char *)(c->raw ? c->raw : ""), c->raw_len, sodium_base64_VARIANT_ORIGINAL);
  if (srv_topic_touch(c->s, c->who.org_id, topic, kind ? kind : "device") < 0) {
    free(b64);
    return srv_fail(c, SRV_E_INTERNAL, "cannot create topic");
  }
  srv_val p[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(topic),
                 SRV_TEXT(c->who.kind == SRV_WHO_SESSION ? "user" : "api_key"),
                 SRV_TEXT(c->who.kind == SRV_WHO_SESSION ? c->who.user_id : c->who.key_id), SRV_TEXT(device),
                 SRV_INT(srv_now_ms()), SRV_TEXT(ct), SRV_TEXT(b64)};
  srv_rows *r = srv_db_query(c->s->db,
                             "INSERT INTO messages (org_id, topic, publisher_type, publisher_id, target_device, created_at,"
                             " content_type, data) VALUES (?,?,?,?,?,?,?,?) RETURNING id",
                             p, 8);
  int64_t id = srv_rows_next(r) ? srv_rows_int(r, 0) : 0;
  srv_rows_free(r);
  free(b64);
  if (id <= 0) return srv_fail(c, SRV_E_INTERNAL, "cannot store message");
  srv_bus_mark(c->s, c->who.org_id); /* wakes data streams */
  c->out = json_pack("{s:I}", "id", (json_int_t)id);
  c->created = 1;
  return SRV_E_OK;
}

srv_err srv_op_list_topics(srv_call *c) {
  srv_val p[] = {SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT t.name, t.kind, t.created_at, (SELECT MAX(m.created_at) FROM messages m"
                             " WHERE m.org_id = t.org_id AND m.topic = t.name) FROM topics t WHERE t.org_id = ?"
                             " ORDER BY t.name",
                             p, 1);
  json_t *items = json_array();
  while (srv_rows_next(r))
    json_array_append_new(items, json_pack("{s:s,s:s,s:o,s:o}", "name", srv_rows_text(r, 0), "kind", srv_rows_text(r, 1),
                                           "created_at", srv_json_time(srv_rows_int(r, 2)), "last_message_at",
                                           srv_json_time(srv_rows_null(r, 3) ? 0 : srv_rows_int(r, 3))));
  srv_rows_free(r);
  c->out = json_pack("{s:o,s:s,s:I}", "items", items, "next_page_token", "", "total", (json_int_t)json_array_size(items));
  return SRV_E_OK;
}

/* SQL condition for a subscription's topic: exact, or prefix for "x/#". */
static void topic_match(const char *topic, char *like, size_t n, bool *prefix) {
  size_t len = strlen(topic);
  *prefix = len >= 2 && strcmp(topic + len - 2, "/#") == 0;
  snprintf(like, n, "%.*s%s", (int)(*prefix ? len - 1 : len), topic, *prefix ? "%" : "");
}

static bool sub_topic_ok(const char *t) {
  size_t n = strlen(t);
  if (n >= 2 && strcmp(t + n - 2, "/#") == 0) {
    char tmp[130];
    snprintf(tmp, sizeof tmp, "%.*s", (int)(n - 2), t);
    return n - 2 > 0 && srv_topic_ok(tmp);
  }
  return srv_topic_ok(t);
}

srv_err srv_op_create_subscription(srv_call *c) {
  bool bad = false;
  const char *name = srv_in_str(c, "name", &bad), *topic = srv_in_str(c, "topic", &bad);
  if (bad) return c->err;
  if (!name || !srv_topic_ok(name) || strlen(name) > 64) return srv_bad_field(c, "name", "required, [A-Za-z0-9_./-]{1,64}");
  if (!topic || !sub_topic_ok(topic)) return srv_bad_field(c, "topic", "a topic name, or a prefix ending in /#");
  char id[37];
  srv_uuid(id);
  int64_t now = srv_now_ms();
  srv_val q[] = {SRV_TEXT(c->who.org_id)};
  int64_t cursor = srv_db_int(c->s->db, "SELECT MAX(id) FROM messages WHERE org_id = ?", q, 1, 0);
  if (cursor < 0) cursor = 0;
  srv_val p[] = {SRV_TEXT(id), SRV_TEXT(c->who.org_id), SRV_TEXT(name), SRV_TEXT(topic), SRV_INT(cursor), SRV_INT(now)};
  int rc = srv_db_exec(c->s->db,
                       "INSERT INTO subscriptions (id, org_id, name, topic, cursor, created_at) VALUES (?,?,?,?,?,?)"
                       " ON CONFLICT DO NOTHING",
                       p, 6, NULL);
  srv_val k[] = {SRV_TEXT(id)};
  if (rc < 0) return srv_fail(c, SRV_E_INTERNAL, "cannot store subscription");
  if (srv_db_int(c->s->db, "SELECT COUNT(*) FROM subscriptions WHERE id = ?", k, 1, 0) == 0)
    return srv_fail(c, SRV_E_ALREADY_EXISTS, "a subscription named '%s' exists", name);
  srv_event_add(c, NULL, SRV_EV_DATA_SUBSCRIPTION_CREATED, NULL, json_pack("{s:s,s:s}", "name", name, "topic", topic), NULL,
                "subscription %s on %s created by %s", name, topic, c->who.display);
  c->out = json_pack("{s:s,s:s,s:o}", "name", name, "topic", topic, "created_at", srv_json_time(now));
  c->created = 1;
  return SRV_E_OK;
}

typedef struct {
  char id[37], topic[140];
  int64_t cursor, deadline_s;
} sub_row;

static bool load_sub(srv_call *c, const char *name, sub_row *s) {
  srv_val p[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(name)};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT id, topic, cursor, ack_deadline_s FROM subscriptions WHERE org_id = ? AND name = ?", p, 2);
  bool found = srv_rows_next(r);
  if (found) {
    snprintf(s->id, sizeof s->id, "%s", srv_rows_text(r, 0));
    snprintf(s->topic, sizeof s->topic, "%s", srv_rows_text(r, 1));
    s->cursor = srv_rows_int(r, 2);
    s->deadline_s = srv_rows_int(r, 3);
  }
  srv_rows_free(r);
  if (!found) srv_fail(c, SRV_E_NOT_FOUND, "no such subscription");
  return found;
}

srv_err srv_op_delete_subscription(srv_call *c) {
  sub_row s;
  if (!load_sub(c, c->params[0], &s)) return c->err;
  srv_val p[] = {SRV_TEXT(s.id)};
  if (srv_db_exec(c->s->db, "DELETE FROM leases WHERE sub_id = ?", p, 1, NULL) < 0 ||
      srv_db_exec(c->s->db, "DELETE FROM subscriptions WHERE id = ?", p, 1, NULL) < 0)
    return srv_fail(c, SRV_E_INTERNAL, "cannot delete subscription");
  srv_event_add(c, NULL, SRV_EV_DATA_SUBSCRIPTION_DELETED, json_pack("{s:s,s:s}", "name", c->params[0], "topic", s.topic),
                NULL, NULL, "subscription %s deleted by %s", c->params[0], c->who.display);
  c->out = json_object();
  return SRV_E_OK;
}

srv_err srv_op_list_subscriptions(srv_call *c) {
  srv_val p[] = {SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT s.name, s.topic, s.created_at, s.cursor, s.last_delivered_id, s.last_delivered_at,"
                             " (SELECT COUNT(*) FROM leases l WHERE l.sub_id = s.id AND l.acked = 0)"
                             " FROM subscriptions s WHERE s.org_id = ? ORDER BY s.name",
                             p, 1);
  json_t *items = json_array();
  while (srv_rows_next(r)) {
    json_t *it = json_pack("{s:s,s:s,s:o,s:I,s:o,s:o,s:I}", "name", srv_rows_text(r, 0), "topic", srv_rows_text(r, 1),
                           "created_at", srv_json_time(srv_rows_int(r, 2)), "cursor", (json_int_t)srv_rows_int(r, 3),
                           "last_delivered_id", srv_rows_null(r, 4) ? json_null() : json_integer(srv_rows_int(r, 4)),
                           "last_delivered_at", srv_json_time(srv_rows_null(r, 5) ? 0 : srv_rows_int(r, 5)), "unacked",
                           (json_int_t)srv_rows_int(r, 6));
    json_array_append_new(items, it);
  }
  srv_rows_free(r);
  /* Lag: messages in the topic after the cursor. */
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    char like[140];
    bool prefix;
    topic_match(json_string_value(json_object_get(it, "topic")), like, sizeof like, &prefix);
    srv_val q[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(like), SRV_INT(json_integer_value(json_object_get(it, "cursor")))};
    json_object_set_new(it, "lag",
                        json_integer(srv_db_int(c->s->db,
                                                prefix ? "SELECT COUNT(*) FROM messages WHERE org_id = ? AND topic LIKE ? AND id > ?"
                                                       : "SELECT COUNT(*) FROM messages WHERE org_id = ? AND topic = ? AND id > ?",
                                                q, 3, 0)));
  }
  c->out = json_pack("{s:o,s:s,s:I}", "items", items, "next_page_token", "", "total", (json_int_t)json_array_size(items));
  return SRV_E_OK;
}

srv_err srv_op_fetch(srv_call *c) {
  sub_row s;
  if (!load_sub(c, c->params[0], &s)) return c->err;
  int64_t limit, max_inflight, wait_s;
  if (srv_in_int(c, "limit", 100, 1, 500, &limit)) return c->err;
  /* Validated here; the HTTP layer long-polls (srv_http.c) outside the lock. */
  if (srv_in_int(c, "wait_s", 0, 0, 30, &wait_s)) return c->err;
  if (srv_in_int(c, "max_inflight", 0, 0, 1000, &max_inflight)) return c->err;
  int64_t now = srv_now_ms();
  if (max_inflight > 0) { /* flow control: at most max_inflight leased and not acked */
    srv_val f[] = {SRV_TEXT(s.id), SRV_INT(now)};
    int64_t open = srv_db_int(c->s->db, "SELECT COUNT(*) FROM leases WHERE sub_id = ? AND acked = 0 AND lease_until > ?", f,
                              2, 0);
    if (open >= max_inflight) {
      c->out = json_pack("{s:[]}", "items");
      return SRV_E_OK;
    }
    if (limit > max_inflight - open) limit = max_inflight - open;
  }
  char like[140];
  bool prefix;
  topic_match(s.topic, like, sizeof like, &prefix);
  char sql[700];
  snprintf(sql, sizeof sql,
           "SELECT m.id, m.topic, m.publisher_type, m.publisher_id, m.publisher_app, m.target_device, m.created_at,"
           " m.content_type, m.data FROM messages m LEFT JOIN leases l ON l.sub_id = ? AND l.msg_id = m.id"
           " WHERE m.org_id = ? AND m.topic %s ? AND m.id > ? AND (l.msg_id IS NULL OR (l.acked = 0 AND l.lease_until <= ?))"
           " ORDER BY m.id LIMIT ?",
           prefix ? "LIKE" : "=");
  srv_val p[] = {SRV_TEXT(s.id), SRV_TEXT(c->who.org_id), SRV_TEXT(like), SRV_INT(s.cursor), SRV_INT(now), SRV_INT(limit)};
  srv_rows *r = srv_db_query(c->s->db, sql, p, 6);
  json_t *items = json_array();
  while (srv_rows_next(r)) {
    json_t *pub = json_pack("{s:s,s:o}", "type", srv_rows_text(r, 2), "id",
                            srv_rows_null(r, 3) ? json_null() : json_string(srv_rows_text(r, 3)));
    if (!srv_rows_null(r, 4)) json_object_set_new(pub, "app", json_string(srv_rows_text(r, 4)));
    json_array_append_new(items, json_pack("{s:I,s:s,s:o,s:o,s:o,s:s,s:s}", "id", (json_int_t)srv_rows_int(r, 0), "topic",
                                           srv_rows_text(r, 1), "publisher", pub, "target_device",
                                           srv_rows_null(r, 5) ? json_null() : json_string(srv_rows_text(r, 5)),
                                           "created_at", srv_json_time(srv_rows_int(r, 6)), "content_type",
                                           srv_rows_text(r, 7), "data", srv_rows_text(r, 8)));
  }
  srv_rows_free(r);
  size_t i;
  json_t *it;
  int64_t last = 0;
  json_array_foreach(items, i, it) {
    last = json_integer_value(json_object_get(it, "id"));
    srv_val l[] = {SRV_TEXT(s.id), SRV_INT(last), SRV_INT(now + s.deadline_s * 1000), SRV_INT(now + s.deadline_s * 1000)};
    if (srv_db_exec(c->s->db,
                    "INSERT INTO leases (sub_id, msg_id, lease_until) VALUES (?,?,?)"
                    " ON CONFLICT (sub_id, msg_id) DO UPDATE SET lease_until = ?",
                    l, 4, NULL) < 0) {
      json_decref(items);
      return srv_fail(c, SRV_E_INTERNAL, "cannot lease messages");
    }
  }
  if (last) {
    srv_val u[] = {SRV_INT(last), SRV_INT(now), SRV_TEXT(s.id)};
    srv_db_exec(c->s->db, "UPDATE subscriptions SET last_delivered_id = ?, last_delivered_at = ? WHERE id = ?", u, 3, NULL);
  }
  c->out = json_pack("{s:o}", "items", items);
  return SRV_E_OK;
}

srv_err srv_op_ack(srv_call *c) {
  sub_row s;
  if (!load_sub(c, c->params[0], &s)) return c->err;
  json_t *ids = json_object_get(c->in, "ids");
  if (!json_is_array(ids) || json_array_size(ids) > 1000) return srv_bad_field(c, "ids", "a list of at most 1000 ids");
  size_t i;
  json_t *v;
  json_array_foreach(ids, i, v) if (!json_is_integer(v) || json_integer_value(v) <= 0) return srv_bad_field(c, "ids", "message ids");
  /* Only leased messages can be acked; unknown ids are ignored. */
  json_array_foreach(ids, i, v) {
    srv_val p[] = {SRV_TEXT(s.id), SRV_INT(json_integer_value(v))};
    srv_db_exec(c->s->db, "UPDATE leases SET acked = 1 WHERE sub_id = ? AND msg_id = ?", p, 2, NULL);
  }
  /* The cursor moves to just below the oldest message not yet acked. */
  char like[140];
  bool prefix;
  topic_match(s.topic, like, sizeof like, &prefix);
  char sql[500];
  snprintf(sql, sizeof sql,
           "SELECT MIN(m.id) FROM messages m LEFT JOIN leases l ON l.sub_id = ? AND l.msg_id = m.id"
           " WHERE m.org_id = ? AND m.topic %s ? AND m.id > ? AND (l.acked IS NULL OR l.acked = 0)",
           prefix ? "LIKE" : "=");
  srv_val p[] = {SRV_TEXT(s.id), SRV_TEXT(c->who.org_id), SRV_TEXT(like), SRV_INT(s.cursor)};
  int64_t first_open = srv_db_int(c->s->db, sql, p, 4, -1);
  int64_t cursor = s.cursor;
  if (first_open > 0) {
    cursor = first_open - 1;
  } else {
    snprintf(sql, sizeof sql, "SELECT MAX(m.id) FROM messages m WHERE m.org_id = ? AND m.topic %s ?", prefix ? "LIKE" : "=");
    int64_t mx = srv_db_int(c->s->db, sql, p + 1, 2, 0);
    if (mx > cursor) cursor = mx;
  }
  if (cursor != s.cursor) {
    srv_val u[] = {SRV_INT(cursor), SRV_TEXT(s.id)};
    srv_val d[] = {SRV_TEXT(s.id), SRV_INT(cursor)};
    srv_db_exec(c->s->db, "UPDATE subscriptions SET cursor = ? WHERE id = ?", u, 2, NULL);
    srv_db_exec(c->s->db, "DELETE FROM leases WHERE sub_id = ? AND msg_id <= ?", d, 2, NULL);
  }
  srv_bus_mark(c->s, c->who.org_id); /* room for flow-controlled streams */
  c->out = json_pack("{s:I}", "cursor", (json_int_t)cursor);
  return SRV_E_OK;
}
