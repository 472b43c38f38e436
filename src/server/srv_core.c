/* Shared pieces of every call: error codes, roles, events, server life. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "srv.h"
#include "srv_util.h"

static const struct {
  const char *name;
  int grpc, http;
} err_table[] = {
#define X(e, name, grpc, http) {name, grpc, http},
    SRV_ERRORS(X)
#undef X
};

const char *srv_err_name(srv_err e) { return err_table[e].name; }
int srv_err_http(srv_err e) { return err_table[e].http; }
int srv_err_grpc(srv_err e) { return err_table[e].grpc; }

static const char *const event_names[] = {
#define X(e, name) name,
    SRV_EVENT_KINDS(X)
#undef X
};
const char *srv_event_kind_name(srv_event_kind k) { return event_names[k]; }

static const char *const role_names[] = {"none", "viewer", "member", "admin", "device-provisioner", "data-publisher"};
const char *srv_role_name(srv_role r) { return role_names[r]; }
srv_role srv_role_parse(const char *s) {
  if (!s) return SRV_ROLE_NONE;
  for (int i = 1; i < (int)(sizeof role_names / sizeof role_names[0]); i++)
    if (strcmp(s, role_names[i]) == 0) return (srv_role)i;
  return SRV_ROLE_NONE;
}

static const unsigned action_masks[] = {
#define X(a, mask) mask,
    SRV_ACTIONS(X)
#undef X
};
bool srv_role_allows(srv_role r, srv_action a) { return r != SRV_ROLE_NONE && (action_masks[a] & (1u << r)); }

srv_err srv_fail(srv_call *c, srv_err e, const char *fmt, ...) {
  c->err = e;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->msg, sizeof c->msg, fmt, ap);
  va_end(ap);
  return e;
}

srv_err srv_bad_field(srv_call *c, const char *field, const char *why) {
  json_decref(c->details);
  c->details = json_pack("{s:s}", "field", field);
  return srv_fail(c, SRV_E_INVALID_ARGUMENT, "%s: %s", field, why);
}

const char *srv_in_str(srv_call *c, const char *field, bool *bad) {
  json_t *v = c->in ? json_object_get(c->in, field) : NULL;
  if (!v || json_is_null(v)) return NULL;
  if (!json_is_string(v)) {
    srv_bad_field(c, field, "must be a string");
    *bad = true;
    return NULL;
  }
  return json_string_value(v);
}

srv_err srv_in_int(srv_call *c, const char *field, int64_t dflt, int64_t min, int64_t max, int64_t *out) {
  json_t *v = c->in ? json_object_get(c->in, field) : NULL;
  *out = dflt;
  if (!v || json_is_null(v)) return SRV_E_OK;
  if (json_is_integer(v)) {
    *out = json_integer_value(v);
  } else if (json_is_string(v)) {
    const char *t = json_string_value(v);
    char *end;
    errno = 0;
    long long x = strtoll(t, &end, 10);
    if (!*t || *end || errno) return srv_bad_field(c, field, "must be an integer");
    *out = x;
  } else {
    return srv_bad_field(c, field, "must be an integer");
  }
  if (*out < min || *out > max) {
    char why[96];
    snprintf(why, sizeof why, "must be between %lld and %lld", (long long)min, (long long)max);
    return srv_bad_field(c, field, why);
  }
  return SRV_E_OK;
}

json_t *srv_json_time(int64_t ms) {
  if (ms <= 0) return json_null();
  char buf[32];
  srv_time_fmt(ms, buf);
  return json_string(buf);
}

static char *dump_or_null(json_t *j) { return j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL; }

int srv_event_add_org(srv_call *c, const char *org_id, const char *device_id, srv_event_kind kind, json_t *before,
                      json_t *after, json_t *data, const char *summary) {
  const char *type = c->who.kind == SRV_WHO_SESSION   ? "user"
                     : c->who.kind == SRV_WHO_API_KEY ? "api_key"
                     : c->who.kind == SRV_WHO_ROLLOUT ? "rollout"
                                                      : "system";
  const char *actor_id = c->who.kind == SRV_WHO_SESSION ? c->who.user_id
                         : c->who.kind == SRV_WHO_API_KEY || c->who.kind == SRV_WHO_ROLLOUT ? c->who.key_id
                                                                                             : NULL;
  srv_bus_mark(c->s, org_id);
  char *b = dump_or_null(before), *a = dump_or_null(after), *d = dump_or_null(data);
  srv_val p[] = {SRV_TEXT(org_id),   SRV_TEXT(device_id), SRV_INT(srv_now_ms()),
                 SRV_TEXT(srv_event_kind_name(kind)), SRV_TEXT(type), SRV_TEXT(actor_id),
                 SRV_TEXT(c->who.kind ? c->who.display : "system"), SRV_TEXT(summary), SRV_TEXT(b),
                 SRV_TEXT(a), SRV_TEXT(d)};
  int rc = srv_db_exec(c->s->db,
                       "INSERT INTO events (org_id, device_id, time, kind, actor_type, actor_id, actor_display,"
                       " summary, before_json, after_json, data_json) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                       p, 11, NULL);
  free(b);
  free(a);
  free(d);
  json_decref(before);
  json_decref(after);
  json_decref(data);
  return rc < 0 ? -1 : 0;
}

int srv_event_add(srv_call *c, const char *device_id, srv_event_kind kind, json_t *before, json_t *after,
                  json_t *data, const char *fmt, ...) {
  char summary[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(summary, sizeof summary, fmt, ap);
  va_end(ap);
  return srv_event_add_org(c, c->who.org_id, device_id, kind, before, after, data, summary);
}

srv_err srv_invoke(srv_call *c, srv_err (*op)(srv_call *c), srv_action action, const char *authorization, bool noauth,
                   bool notx) {
  srv *s = c->s;
  pthread_mutex_lock(&s->lock);
  srv_err e = SRV_E_OK;
  if (!noauth) {
    if (srv_auth_bearer(s, authorization, &c->who) != SRV_E_OK) {
      e = srv_fail(c, SRV_E_UNAUTHENTICATED, "missing, invalid or expired credentials");
      goto out;
    }
    char key[64];
    snprintf(key, sizeof key, "api:%s", c->who.kind == SRV_WHO_API_KEY ? c->who.key_id : c->who.session_id);
    if (!srv_rate_take(s->rate, key, s->opt.api_rate, 2 * s->opt.api_rate, srv_now_ms())) {
      e = srv_fail(c, SRV_E_RESOURCE_EXHAUSTED, "rate limit exceeded for this credential");
      goto out;
    }
    if (!srv_role_allows(c->who.role, action)) {
      e = srv_fail(c, SRV_E_PERMISSION_DENIED, "role %s may not do this", srv_role_name(c->who.role));
      goto out;
    }
  }
  if (!notx && srv_db_begin(s->db) < 0) {
    e = srv_fail(c, SRV_E_UNAVAILABLE, "database unavailable");
    goto out;
  }
  s->bus_dirty = false;
  e = op(c);
  if (!notx) {
    if (e == SRV_E_OK) {
      if (srv_db_commit(s->db) < 0) {
        srv_db_rollback(s->db);
        e = srv_fail(c, SRV_E_UNAVAILABLE, "database commit failed");
        s->bus_dirty = false;
      }
    } else {
      srv_db_rollback(s->db);
      s->bus_dirty = false;
    }
  }
  srv_bus_publish(s);
out:
  c->err = e;
  pthread_mutex_unlock(&s->lock);
  return e;
}

/* Evaluates running rollouts every sweep_ms (FLEET.md §3.4 step 4). */
static void *sweep_loop(void *arg) {
  srv *s = arg;
  int64_t waited = 0;
  while (!s->stopping) {
    struct timespec ts = {0, 50 * 1000000L};
    nanosleep(&ts, NULL);
    waited += 50;
    if (waited >= s->opt.sweep_ms) {
      waited = 0;
      srv_rollout_sweep(s);
    }
  }
  return NULL;
}

srv *srv_start(const srv_options *opt, char *err, int errlen) {
  if (srv_util_init() < 0) {
    snprintf(err, (size_t)errlen, "libsodium failed to initialize");
    return NULL;
  }
  srv *s = calloc(1, sizeof *s);
  s->opt = *opt;
  if (!s->opt.max_body) s->opt.max_body = 1 << 20;
  if (s->opt.api_rate <= 0) s->opt.api_rate = 20;
  if (s->opt.device_rate <= 0) s->opt.device_rate = 1;
  if (!s->opt.admin_email) s->opt.admin_email = "admin@localhost";
  if (!s->opt.data_dir) s->opt.data_dir = "fleet-data";
  if (!s->opt.http_addr) s->opt.http_addr = "127.0.0.1:8080";
  if (s->opt.sweep_ms <= 0) s->opt.sweep_ms = 30000;
  pthread_mutex_init(&s->lock, NULL);
  s->started_ms = srv_now_ms();
  s->rate = srv_rate_new();
  s->db = srv_db_open(opt->db_url ? opt->db_url : "sqlite:fleet.db", err, errlen);
  srv_bus_start(s, opt->db_url);
  /* gRPC first: the HTTP port file tells tests and scripts that all is up. */
  if (!s->db || srv_auth_first_start(s, err, errlen) < 0 || (s->opt.grpc_addr && srv_grpc_start(s, err, errlen) < 0) ||
      srv_http_start(s, err, errlen) < 0) {
    srv_stop(s);
    return NULL;
  }
  s->sweeping = pthread_create(&s->sweeper, NULL, sweep_loop, s) == 0;
  return s;
}

void srv_stop(srv *s) {
  if (!s) return;
  s->stopping = true;
  if (s->sweeping) pthread_join(s->sweeper, NULL);
  srv_bus_notify(s);
  srv_grpc_stop(s);
  srv_http_stop(s);
  srv_bus_stop(s);
  srv_db_close(s->db);
  srv_rate_free(s->rate);
  pthread_mutex_destroy(&s->lock);
  free(s);
}
