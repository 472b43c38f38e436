/* Live follow (`?follow=1`) as Server-Sent Events for logs and events: each
 * item is one `data:` line with its cursor as `id:`, so `Last-Event-ID`
 * resumes after a reconnect. The stream re-reads the store by cursor when the
 * bus says something was written (srv_bus.c: on this instance, or on another
 * one through PostgreSQL's NOTIFY), at the latest every 5 s, and sends a
 * comment every 15 s so dead clients are noticed. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "srv.h"
#include "srv_util.h"

typedef struct {
  srv *s;
  srv_who who;
  srv_err (*op)(srv_call *c);
  char param[129];
  json_t *filters; /* the request's query arguments */
  int64_t cursor;
  bool logs; /* cursor is a log seq, else an event id */
  bool watch; /* a watch: the op's object each time it changes */
  bool ended; /* a watch reached a final state */
  char *last; /* a watch: the last object sent (canonical JSON) */
  srv_feed *feed; /* WatchDevices or a data Stream (srv_feed.c) */
  int feed_wait;  /* ms until the feed wants another round */
  char *buf;
  size_t len, off;
} sse;

json_t *srv_follow_fetch(srv *s, const srv_who *who, srv_err (*op)(srv_call *c), const char *param, json_t *filters,
                         bool logs, int64_t *cursor) {
  srv_call c = {.s = s, .who = *who};
  c.params[0] = param;
  c.in = json_deep_copy(filters);
  json_object_del(c.in, "follow");
  json_object_del(c.in, "page_token");
  json_object_set_new(c.in, "after", json_integer(*cursor));
  json_object_set_new(c.in, "limit", json_integer(100));
  pthread_mutex_lock(&s->lock);
  srv_err e = op(&c);
  pthread_mutex_unlock(&s->lock);
  json_decref(c.in);
  json_decref(c.details);
  if (e != SRV_E_OK) {
    json_decref(c.out);
    return NULL;
  }
  json_t *items = json_incref(json_object_get(c.out, "items"));
  json_decref(c.out);
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    int64_t id = json_integer_value(json_object_get(it, logs ? "seq" : "id"));
    if (id > *cursor) *cursor = id;
  }
  return items ? items : json_array();
}

/* Appends one SSE frame (`id:` and the item as `data:`) to the buffer. */
static void append_frame(sse *x, long long id, json_t *item) {
  char *data = json_dumps(item, JSON_COMPACT);
  size_t need = strlen(data) + 64;
  x->buf = realloc(x->buf, x->len + need);
  x->len += (size_t)snprintf(x->buf + x->len, need, "id: %lld\ndata: %s\n\n", id, data);
  free(data);
}

/* Runs the read op once after the cursor; appends SSE frames to the buffer.
 * Returns the number of items, or -1 on error. */
static int fetch(sse *x) {
  json_t *items = srv_follow_fetch(x->s, &x->who, x->op, x->param, x->filters, x->logs, &x->cursor);
  if (!items) return -1;
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) append_frame(x, json_integer_value(json_object_get(it, x->logs ? "seq" : "id")), it);
  int n = (int)json_array_size(items);
  json_decref(items);
  return n;
}

json_t *srv_watch_fetch(srv *s, const srv_who *who, srv_err (*op)(srv_call *c), const char *param, json_t *filters,
                         char **last, bool *failed) {
  srv_call c = {.s = s, .who = *who};
  c.params[0] = param;
  c.in = json_deep_copy(filters);
  json_object_del(c.in, "follow");
  pthread_mutex_lock(&s->lock);
  srv_err e = op(&c);
  pthread_mutex_unlock(&s->lock);
  json_decref(c.in);
  json_decref(c.details);
  *failed = e != SRV_E_OK;
  if (e != SRV_E_OK) {
    json_decref(c.out);
    return NULL;
  }
  char *now = json_dumps(c.out, JSON_COMPACT | JSON_SORT_KEYS);
  if (*last && now && strcmp(*last, now) == 0) {
    free(now);
    json_decref(c.out);
    return NULL;
  }
  free(*last);
  *last = now;
  return c.out;
}

bool srv_watch_final(json_t *o) {
  const char *st = json_string_value(json_object_get(o, "state"));
  return st && (strcmp(st, "completed") == 0 || strcmp(st, "rolled_back") == 0 || strcmp(st, "cancelled") == 0);
}

/* A watch: one frame when the object changed; 0 when unchanged, -1 on error. */
static int watch_fetch(sse *x) {
  bool failed;
  json_t *o = srv_watch_fetch(x->s, &x->who, x->op, x->param, x->filters, &x->last, &failed);
  if (failed) return -1;
  if (!o) return 0;
  append_frame(x, ++x->cursor, o);
  x->ended = srv_watch_final(o);
  json_decref(o);
  return 1;
}

/* A feed round: its items as frames; the count, or -1 on error. */
static int feed_fetch(sse *x) {
  srv_err e;
  char msg[200];
  json_t *items = srv_feed_next(x->feed, &x->feed_wait, &e, msg, sizeof msg);
  if (!items) return -1;
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) append_frame(x, srv_feed_item_id(x->feed, it), it);
  int n = (int)json_array_size(items);
  json_decref(items);
  return n;
}

static ssize_t reader(void *cls, uint64_t pos, char *out, size_t max) {
  (void)pos;
  sse *x = cls;
  int waited_ms = 0;
  while (x->off == x->len) {
    x->off = x->len = 0;
    if (x->s->stopping || x->ended) return MHD_CONTENT_READER_END_OF_STREAM;
    uint64_t gen = srv_bus_gen(x->s);
    int n = x->feed ? feed_fetch(x) : x->watch ? watch_fetch(x) : fetch(x);
    if (n < 0) return MHD_CONTENT_READER_END_WITH_ERROR;
    if (n > 0) break;
    if (waited_ms >= 15000) {
      x->buf = realloc(x->buf, 16);
      x->len = (size_t)snprintf(x->buf, 16, ": keepalive\n\n");
      break;
    }
    int64_t t0 = srv_mono_ms();
    srv_bus_wait(x->s, gen, x->feed && x->feed_wait < 5000 ? (x->feed_wait > 0 ? x->feed_wait : 1) : 5000);
    waited_ms += (int)(srv_mono_ms() - t0);
  }
  size_t k = x->len - x->off < max ? x->len - x->off : max;
  memcpy(out, x->buf + x->off, k);
  x->off += k;
  return (ssize_t)k;
}

static void release(void *cls) {
  sse *x = cls;
  srv_feed_free(x->feed);
  json_decref(x->filters);
  free(x->last);
  free(x->buf);
  free(x);
}

int64_t srv_follow_newest(srv *s, const srv_who *who, const char *device, bool logs) {
  srv_val p[] = {SRV_TEXT(who->org_id), SRV_TEXT(device)};
  pthread_mutex_lock(&s->lock);
  int64_t v = logs ? srv_db_int(s->db, "SELECT MAX(seq) FROM logs WHERE org_id = ? AND device_id = ?", p, 2, -1)
                   : srv_db_int(s->db, "SELECT MAX(id) FROM events WHERE org_id = ?", p, 1, 0);
  pthread_mutex_unlock(&s->lock);
  return v;
}

struct MHD_Response *srv_sse_start(srv_call *c, srv_err (*op)(srv_call *c), bool logs, const char *last_event_id) {
  sse *x = calloc(1, sizeof *x);
  x->s = c->s;
  x->who = c->who;
  x->op = op;
  x->logs = logs;
  snprintf(x->param, sizeof x->param, "%s", c->params[0] ? c->params[0] : "");
  x->filters = json_deep_copy(c->in);
  int64_t after;
  if (last_event_id && *last_event_id) {
    char *end;
    after = strtoll(last_event_id, &end, 10);
    if (*end) after = -2;
  } else if (srv_in_int(c, "after", -2, -1, INT64_MAX, &after) != SRV_E_OK) {
    after = -2;
  }
  x->cursor = after > -2 ? after : srv_follow_newest(c->s, &c->who, x->param, logs);
  struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, reader, x, release);
  MHD_add_response_header(r, "Content-Type", "text/event-stream");
  MHD_add_response_header(r, "Cache-Control", "no-store");
  return r;
}

struct MHD_Response *srv_sse_watch(srv_call *c, srv_err (*op)(srv_call *c)) {
  sse *x = calloc(1, sizeof *x);
  x->s = c->s;
  x->who = c->who;
  x->op = op;
  x->watch = true;
  snprintf(x->param, sizeof x->param, "%s", c->params[0] ? c->params[0] : "");
  x->filters = json_deep_copy(c->in);
  struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, reader, x, release);
  MHD_add_response_header(r, "Content-Type", "text/event-stream");
  MHD_add_response_header(r, "Cache-Control", "no-store");
  return r;
}

struct MHD_Response *srv_sse_feed(srv_feed *feed) {
  sse *x = calloc(1, sizeof *x);
  x->feed = feed;
  x->s = srv_feed_srv(feed);
  x->filters = json_object();
  struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, reader, x, release);
  MHD_add_response_header(r, "Content-Type", "text/event-stream");
  MHD_add_response_header(r, "Cache-Control", "no-store");
  return r;
}
