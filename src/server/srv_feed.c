/* Feeds: the two live streams that are not a read by cursor, shared by the
 * SSE door (srv_sse.c) and the gRPC door (srv_grpc.c).
 *
 * WatchDevices (FLEET.md §3.1, §3.5): the devices matching a query, as
 * {type, device} changes. The first message is {"type": "snapshot", "total":
 * n}, followed by the n matching devices as `added`; then `added` (a device
 * now matches), `removed` (unclaimed, or no longer matches; device holds id
 * and name), `offline` / `online` (the §1.4 `offline` reason appeared or went
 * away) and `changed` (any other field). A feed re-lists the query when the
 * bus says something was committed (here, or on another instance through
 * NOTIFY) and at the latest every 5 s (offline is a matter of time), at most
 * 4 times a second and at most a fifth of the time; changes of one device
 * are sent at most once per second, the latest state winning.
 *
 * Data Stream: leased messages of a subscription with flow control: the
 * subscription never has more than max_inflight (default 100) leased and not
 * acknowledged messages; an acknowledgement (any client, any instance) wakes
 * the feed to send more. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "srv.h"
#include "srv_util.h"

#define WATCH_MAX 10000
#define WATCH_PAGE 500
#define COALESCE_MS 1000
#define ROUND_MS 250
/* A round may take the store lock at most 1/ROUND_SHARE of the time: the
 * pause after a round is at least ROUND_SHARE - 1 times its duration, so a
 * watcher of a large fleet cannot crowd out the check-ins. */
#define ROUND_SHARE 5

struct srv_feed {
  srv *s;
  srv_who who;
  bool devices;
  json_t *in;    /* devices: {"q"}; messages: fetch input */
  char sub[129]; /* messages: the subscription */
  json_t *known; /* devices: id -> {"sig", "off", "t" (last sent, ms), "name"} */
  bool started;
  int64_t seq;
  json_t *first;      /* messages: what the validating first fetch leased */
  int64_t last_round; /* devices: monotonic ms of the last re-list */
  int64_t round_ms;   /* devices: how long it took */
};

void srv_feed_prepare(srv_call *c) {
  json_t *mi = json_object_get(c->in, "max_inflight");
  if (!mi || (json_is_integer(mi) && json_integer_value(mi) == 0) ||
      (json_is_string(mi) && !*json_string_value(mi)))
    json_object_set_new(c->in, "max_inflight", json_integer(100));
}

srv_err srv_op_watch_devices(srv_call *c) {
  /* Validates the query the stream will run (list_devices says what is wrong). */
  json_t *saved = c->in;
  c->in = json_pack("{s:O*,s:i}", "q", json_object_get(saved, "q"), "page_size", 1);
  srv_err e = srv_op_list_devices(c);
  json_decref(c->in);
  c->in = saved;
  json_decref(c->out);
  c->out = e == SRV_E_OK ? json_object() : NULL;
  return e;
}

srv_feed *srv_feed_devices(srv *s, const srv_who *who, json_t *in) {
  srv_feed *f = calloc(1, sizeof *f);
  f->s = s;
  f->who = *who;
  f->devices = true;
  const char *q = json_string_value(json_object_get(in, "q"));
  f->in = json_pack("{s:s}", "q", q ? q : "");
  f->known = json_object();
  return f;
}

srv_feed *srv_feed_messages(srv *s, const srv_who *who, const char *sub, json_t *in,
                            json_t *first) {
  srv_feed *f = calloc(1, sizeof *f);
  f->first = json_is_array(first) ? json_incref(first) : NULL;
  f->s = s;
  f->who = *who;
  snprintf(f->sub, sizeof f->sub, "%s", sub);
  json_t *mi = json_object_get(in, "max_inflight");
  int64_t max_inflight = json_is_integer(mi)  ? json_integer_value(mi)
                         : json_is_string(mi) ? atoll(json_string_value(mi))
                                              : 0;
  if (max_inflight <= 0 || max_inflight > 1000) max_inflight = 100;
  f->in = json_pack("{s:i,s:I}", "limit", 100, "max_inflight", (json_int_t)max_inflight);
  return f;
}

void srv_feed_free(srv_feed *f) {
  if (!f) return;
  json_decref(f->in);
  json_decref(f->known);
  json_decref(f->first);
  free(f);
}

srv *srv_feed_srv(const srv_feed *f) {
  return f->s;
}

/* All devices matching the query (at most WATCH_MAX), or NULL on error. */
static json_t *list_all(srv_feed *f) {
  json_t *all = json_array();
  char token[32] = "";
  while (json_array_size(all) < WATCH_MAX) {
    srv_call c = {.s = f->s, .who = f->who};
    c.in = json_pack("{s:O,s:i,s:s}", "q", json_object_get(f->in, "q"), "page_size", WATCH_PAGE,
                     "page_token", token);
    pthread_mutex_lock(&f->s->lock);
    srv_err e = srv_op_list_devices(&c);
    pthread_mutex_unlock(&f->s->lock);
    json_decref(c.in);
    json_decref(c.details);
    if (e != SRV_E_OK) {
      json_decref(c.out);
      json_decref(all);
      return NULL;
    }
    json_array_extend(all, json_object_get(c.out, "items"));
    const char *next = json_string_value(json_object_get(c.out, "next_page_token"));
    snprintf(token, sizeof token, "%s", next ? next : "");
    json_decref(c.out);
    if (!token[0]) break;
  }
  return all;
}

static bool is_offline(json_t *d) {
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(d, "health_reasons"), i,
                     r) if (strcmp(json_string_value(r) ?: "", "offline") == 0) return true;
  return false;
}

static json_t *change(const char *type, json_t *device) {
  return json_pack("{s:s,s:O}", "type", type, "device", device);
}

static json_t *devices_next(srv_feed *f, int *wait_ms) {
  /* At most 4 rounds a second (a busy bus must not become a busy loop), and
   * at most a fifth of the time in rounds. */
  int64_t gap = f->round_ms * ROUND_SHARE;
  if (gap < ROUND_MS) gap = ROUND_MS;
  int64_t since = srv_mono_ms() - f->last_round;
  if (f->started && since < gap) {
    int64_t ms = gap - since;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
  }
  f->last_round = srv_mono_ms();
  json_t *all = list_all(f);
  f->round_ms = srv_mono_ms() - f->last_round;
  if (!all) return NULL;
  json_t *out = json_array();
  int64_t now = srv_mono_ms();
  *wait_ms = 5000;
  if (!f->started)
    json_array_append_new(
        out, json_pack("{s:s,s:I}", "type", "snapshot", "total", (json_int_t)json_array_size(all)));
  json_t *seen = json_object();
  size_t i;
  json_t *d;
  json_array_foreach(all, i, d) {
    const char *id = json_string_value(json_object_get(d, "id"));
    json_object_set_new(seen, id, json_true());
    char *sig = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
    bool off = is_offline(d);
    json_t *k = json_object_get(f->known, id);
    const char *type = NULL;
    if (!k) {
      type = "added";
    } else if (strcmp(json_string_value(json_object_get(k, "sig")), sig) != 0) {
      int64_t since = now - json_integer_value(json_object_get(k, "t"));
      if (since < COALESCE_MS) {
        if (*wait_ms > COALESCE_MS - since) *wait_ms = (int)(COALESCE_MS - since);
      } else {
        bool was_off = json_is_true(json_object_get(k, "off"));
        type = off != was_off ? (off ? "offline" : "online") : "changed";
      }
    }
    if (type) {
      json_array_append_new(out, change(type, d));
      json_object_set_new(f->known, id,
                          json_pack("{s:s,s:b,s:I,s:O}", "sig", sig, "off", off, "t",
                                    (json_int_t)now, "name", json_object_get(d, "name")));
    }
    free(sig);
  }
  const char *id;
  json_t *k;
  void *tmp;
  json_object_foreach_safe(f->known, tmp, id, k) {
    if (json_object_get(seen, id)) continue;
    json_t *stub = json_pack("{s:s,s:O}", "id", id, "name", json_object_get(k, "name"));
    json_array_append_new(out, change("removed", stub));
    json_decref(stub);
    json_object_del(f->known, id);
  }
  json_decref(seen);
  json_decref(all);
  f->started = true;
  return out;
}

static json_t *messages_next(srv_feed *f, int *wait_ms, srv_err *err, char *msg, size_t msglen) {
  if (f->first) {
    json_t *items = f->first;
    f->first = NULL;
    *wait_ms = 0;
    return items;
  }
  srv_call c = {.s = f->s, .who = f->who};
  c.params[0] = f->sub;
  c.in = json_deep_copy(f->in);
  pthread_mutex_lock(&f->s->lock);
  srv_err e = SRV_E_UNAVAILABLE;
  if (srv_db_begin(f->s->db) == 0) {
    e = srv_op_fetch(&c);
    if (e == SRV_E_OK && srv_db_commit(f->s->db) < 0) e = SRV_E_UNAVAILABLE;
    if (e != SRV_E_OK) srv_db_rollback(f->s->db);
  }
  pthread_mutex_unlock(&f->s->lock);
  json_decref(c.in);
  json_decref(c.details);
  *wait_ms = 5000; /* leases expire: look again now and then */
  if (e != SRV_E_OK) {
    *err = e;
    snprintf(msg, msglen, "%s", c.msg[0] ? c.msg : "the stream's fetch failed");
    json_decref(c.out);
    return NULL;
  }
  json_t *items = json_incref(json_object_get(c.out, "items"));
  json_decref(c.out);
  return items ? items : json_array();
}

json_t *srv_feed_next(srv_feed *f, int *wait_ms, srv_err *err, char *msg, size_t msglen) {
  *err = SRV_E_OK;
  if (!f->devices) return messages_next(f, wait_ms, err, msg, msglen);
  json_t *items = devices_next(f, wait_ms);
  if (!items) {
    *err = SRV_E_UNAVAILABLE;
    snprintf(msg, msglen, "the watch's device list failed");
  }
  return items;
}

int64_t srv_feed_item_id(srv_feed *f, json_t *item) {
  return f->devices ? ++f->seq : json_integer_value(json_object_get(item, "id"));
}

/* Runs a feed until stopped: calls emit for each item (false = the client is
 * gone), waiting on the bus between rounds; `idle` is called when a round
 * sent nothing (true = stop). Shared by the gRPC stream workers. */
srv_err srv_feed_run(srv_feed *f, bool (*emit)(void *ctx, json_t *item), bool (*idle)(void *ctx),
                     void *ctx, char *msg, size_t msglen) {
  srv *s = f->s;
  while (!s->stopping) {
    uint64_t gen = srv_bus_gen(s);
    int wait_ms;
    srv_err e;
    json_t *items = srv_feed_next(f, &wait_ms, &e, msg, msglen);
    if (!items) return e;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) if (!emit(ctx, it)) {
      json_decref(items);
      return SRV_E_OK;
    }
    size_t n = json_array_size(items);
    json_decref(items);
    if (n && !f->devices) continue; /* more may be waiting */
    /* Until the bus moves or wait_ms passed, noticing a client that left. */
    while (wait_ms > 0 && !s->stopping) {
      int step = wait_ms > 1000 ? 1000 : wait_ms;
      bool moved = srv_bus_wait(s, gen, step);
      if (idle(ctx)) return SRV_E_OK;
      if (moved) break;
      wait_ms -= step;
    }
  }
  return SRV_E_OK;
}
