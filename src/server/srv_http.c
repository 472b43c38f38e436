/* The HTTP/JSON front door: libmicrohttpd, the route table of FLEET.md §3.2,
 * body limits, authentication, authorization, rate limits, JSON errors. Each
 * route calls one srv_op_* function inside one database transaction. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv.h"
#include "srv_util.h"

enum { R_NOAUTH = 1, R_NOTX = 2, R_RAW = 4 };

#define MAX_IMAGE (8u << 20)

typedef struct {
  const char *method;
  const char *pattern; /* under /api/v1; "{}" captures one segment */
  srv_err (*op)(srv_call *c);
  srv_action action;
  int flags;
} route;

static const route routes[] = {
    {"POST", "/auth/login", srv_op_login, SRV_ACT_SELF, R_NOAUTH | R_NOTX},
    {"POST", "/auth/refresh", srv_op_refresh, SRV_ACT_SELF, R_NOAUTH},
    {"POST", "/auth/logout", srv_op_logout, SRV_ACT_SELF, 0},
    {"POST", "/auth/switch-org", srv_op_switch_org, SRV_ACT_SELF, 0},
    {"GET", "/me", srv_op_whoami, SRV_ACT_SELF, 0},
    {"POST", "/orgs", srv_op_create_org, SRV_ACT_SELF, 0},
    {"GET", "/org", srv_op_get_org, SRV_ACT_READ, 0},
    {"PATCH", "/org", srv_op_update_org, SRV_ACT_ADMIN, 0},
    {"GET", "/org/members", srv_op_list_members, SRV_ACT_READ, 0},
    {"PATCH", "/org/members/{}", srv_op_set_member_role, SRV_ACT_ADMIN, 0},
    {"DELETE", "/org/members/{}", srv_op_remove_member, SRV_ACT_ADMIN, 0},
    {"GET", "/org/invites", srv_op_list_invites, SRV_ACT_ADMIN, 0},
    {"POST", "/org/invites", srv_op_invite_member, SRV_ACT_ADMIN, 0},
    {"DELETE", "/org/invites/{}", srv_op_revoke_invite, SRV_ACT_ADMIN, 0},
    {"POST", "/invites/{}/accept", srv_op_accept_invite, SRV_ACT_SELF, R_NOAUTH},
    {"GET", "/org/apikeys", srv_op_list_api_keys, SRV_ACT_ADMIN, 0},
    {"POST", "/org/apikeys", srv_op_create_api_key, SRV_ACT_ADMIN, 0},
    {"DELETE", "/org/apikeys/{}", srv_op_revoke_api_key, SRV_ACT_ADMIN, 0},
    {"GET", "/events", srv_op_read_events, SRV_ACT_READ, 0},
    {"GET", "/info", srv_op_get_info, SRV_ACT_SELF, 0},
    {"GET", "/devices", srv_op_list_devices, SRV_ACT_READ, 0},
    {"POST", "/devices/claim", srv_op_claim_devices, SRV_ACT_CLAIM, 0},
    {"GET", "/devices/{}", srv_op_get_device, SRV_ACT_READ, 0},
    {"PATCH", "/devices/{}", srv_op_update_device, SRV_ACT_OPERATE, 0},
    {"POST", "/devices/{}/unclaim", srv_op_unclaim_device, SRV_ACT_OPERATE, 0},
    {"PATCH", "/devices/{}/config", srv_op_configure_device, SRV_ACT_OPERATE, 0},
    {"GET", "/devices/{}/goal", srv_op_get_goal, SRV_ACT_READ, 0},
    {"GET", "/devices/{}/state", srv_op_get_state, SRV_ACT_READ, 0},
    {"GET", "/devices/{}/events", srv_op_read_device_events, SRV_ACT_READ, 0},
    {"GET", "/devices/{}/logs", srv_op_read_logs, SRV_ACT_READ, 0},
    {"GET", "/devices/{}/metrics", srv_op_query_metrics, SRV_ACT_READ, 0},
    {"GET", "/devices/{}/apps", srv_op_list_installations, SRV_ACT_READ, 0},
    {"PUT", "/devices/{}/apps/{}", srv_op_install_app, SRV_ACT_OPERATE, 0},
    {"DELETE", "/devices/{}/apps/{}", srv_op_uninstall_app, SRV_ACT_OPERATE, 0},
    {"GET", "/apps", srv_op_list_apps, SRV_ACT_READ, 0},
    {"GET", "/apps/{}", srv_op_get_app, SRV_ACT_READ, 0},
    {"GET", "/apps/{}/versions", srv_op_list_app_versions, SRV_ACT_READ, 0},
    {"POST", "/apps/{}/versions", srv_op_upload_app_version, SRV_ACT_OPERATE, R_RAW},
    {"GET", "/fleet/summary", srv_op_fleet_summary, SRV_ACT_READ, 0},
    {"GET", "/groups", srv_op_list_groups, SRV_ACT_READ, 0},
    {"POST", "/groups", srv_op_create_group, SRV_ACT_OPERATE, 0},
    {"GET", "/groups/{}", srv_op_get_group, SRV_ACT_READ, 0},
    {"PATCH", "/groups/{}", srv_op_update_group, SRV_ACT_OPERATE, 0},
    {"DELETE", "/groups/{}", srv_op_delete_group, SRV_ACT_OPERATE, 0},
    {"PATCH", "/groups/{}/config", srv_op_configure_group, SRV_ACT_OPERATE, 0},
    {"PUT", "/groups/{}/apps/{}", srv_op_set_group_app, SRV_ACT_OPERATE, 0},
    {"DELETE", "/groups/{}/apps/{}", srv_op_remove_group_app, SRV_ACT_OPERATE, 0},
    {"PUT", "/devices/{}/favourite", srv_op_favourite_device, SRV_ACT_OPERATE, 0},
    {"DELETE", "/devices/{}/favourite", srv_op_unfavourite_device, SRV_ACT_OPERATE, 0},
    {"PUT", "/groups/{}/favourite", srv_op_favourite_group, SRV_ACT_OPERATE, 0},
    {"DELETE", "/groups/{}/favourite", srv_op_unfavourite_group, SRV_ACT_OPERATE, 0},
    {"GET", "/favourites", srv_op_list_favourites, SRV_ACT_READ, 0},
    {"GET", "/simulators", srv_op_list_simulators, SRV_ACT_READ, 0},
    {"POST", "/simulators", srv_op_create_simulator, SRV_ACT_OPERATE, 0},
    {"POST", "/simulators/{}/start", srv_op_start_simulator, SRV_ACT_OPERATE, 0},
    {"POST", "/simulators/{}/stop", srv_op_stop_simulator, SRV_ACT_OPERATE, 0},
    {"DELETE", "/simulators/{}", srv_op_delete_simulator, SRV_ACT_OPERATE, 0},
    {"GET", "/topics", srv_op_list_topics, SRV_ACT_READ, 0},
    {"POST", "/publish", srv_op_publish, SRV_ACT_DATA, R_RAW},
    {"GET", "/subscriptions", srv_op_list_subscriptions, SRV_ACT_READ, 0},
    {"POST", "/subscriptions", srv_op_create_subscription, SRV_ACT_DATA, 0},
    {"DELETE", "/subscriptions/{}", srv_op_delete_subscription, SRV_ACT_DATA, 0},
    {"GET", "/subscriptions/{}/messages", srv_op_fetch, SRV_ACT_DATA, 0},
    {"POST", "/subscriptions/{}/ack", srv_op_ack, SRV_ACT_DATA, 0},
    {"POST", "/rollouts/preview", srv_op_preview_rollout, SRV_ACT_READ, 0},
    {"GET", "/rollouts", srv_op_list_rollouts, SRV_ACT_READ, 0},
    {"POST", "/rollouts", srv_op_create_rollout, SRV_ACT_OPERATE, 0},
    {"GET", "/rollouts/{}", srv_op_get_rollout, SRV_ACT_READ, 0},
    {"POST", "/rollouts/{}/start", srv_op_start_rollout, SRV_ACT_OPERATE, 0},
    {"POST", "/rollouts/{}/pause", srv_op_pause_rollout, SRV_ACT_OPERATE, 0},
    {"POST", "/rollouts/{}/resume", srv_op_resume_rollout, SRV_ACT_OPERATE, 0},
    {"POST", "/rollouts/{}/halt", srv_op_halt_rollout, SRV_ACT_OPERATE, 0},
    {"POST", "/rollouts/{}/rollback", srv_op_rollback_rollout, SRV_ACT_OPERATE, 0},
    {"POST", "/rollouts/{}/abort", srv_op_abort_rollout, SRV_ACT_OPERATE, 0},
    {"GET", "/firmware", srv_op_list_firmware, SRV_ACT_READ, 0},
    {"POST", "/firmware", srv_op_upload_firmware, SRV_ACT_ADMIN, R_RAW},
    {"POST", "/firmware/set", srv_op_set_firmware, SRV_ACT_OPERATE, 0},
    {"GET", "/firmware/{}", srv_op_get_firmware, SRV_ACT_READ, 0},
    {"DELETE", "/firmware/{}", srv_op_delete_firmware, SRV_ACT_ADMIN, 0},
    {"GET", "/watch", srv_op_watch_devices, SRV_ACT_READ, 0},
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

size_t srv_http_ops(srv_err (**ops)(srv_call *c), size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < N_ROUTES && n < max; i++) ops[n++] = routes[i].op;
  return n;
}

bool srv_http_route_of(srv_err (*op)(srv_call *c), srv_action *action, bool *noauth, bool *notx) {
  for (size_t i = 0; i < N_ROUTES; i++) {
    if (routes[i].op != op) continue;
    *action = routes[i].action;
    *noauth = routes[i].flags & R_NOAUTH;
    *notx = routes[i].flags & R_NOTX;
    return true;
  }
  return false;
}

typedef struct {
  char *body;
  size_t len, cap;
  bool too_big;
} req_ctx;

/* Matches path against pattern, capturing {} segments into c->params (copies
 * in segs). Returns true on a match. */
static bool match(const char *pattern, const char *path, char segs[SRV_MAX_PARAMS][129]) {
  int k = 0;
  while (*pattern && *path) {
    if (pattern[0] == '{' && pattern[1] == '}') {
      const char *end = strchr(path, '/');
      size_t n = end ? (size_t)(end - path) : strlen(path);
      if (n == 0 || n > 128 || k == SRV_MAX_PARAMS) return false;
      memcpy(segs[k], path, n);
      segs[k++][n] = 0;
      path += n;
      pattern += 2;
    } else if (*pattern++ != *path++) {
      return false;
    }
  }
  return *pattern == 0 && *path == 0;
}

static enum MHD_Result send_json(struct MHD_Connection *con, int status, json_t *body, const char *request_id,
                                 int retry_after) {
  char *text = json_dumps(body, JSON_COMPACT);
  json_decref(body);
  struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
  MHD_add_response_header(resp, "Content-Type", "application/json");
  MHD_add_response_header(resp, "Cache-Control", "no-store");
  if (request_id) MHD_add_response_header(resp, "X-Request-Id", request_id);
  if (retry_after > 0) {
    char ra[16];
    snprintf(ra, sizeof ra, "%d", retry_after);
    MHD_add_response_header(resp, "Retry-After", ra);
  }
  enum MHD_Result r = MHD_queue_response(con, (unsigned)status, resp);
  MHD_destroy_response(resp);
  return r;
}

static enum MHD_Result send_error(struct MHD_Connection *con, int status, srv_err e, const char *msg, json_t *details,
                                  const char *request_id) {
  json_t *body = json_pack("{s:{s:s,s:s,s:o,s:s}}", "error", "code", srv_err_name(e), "message", msg, "details",
                           details ? details : json_null(), "request_id", request_id);
  return send_json(con, status, body, request_id, e == SRV_E_RESOURCE_EXHAUSTED ? 1 : 0);
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  json_object_set_new((json_t *)cls, key, value ? json_string(value) : json_string(""));
  return MHD_YES;
}

static const char *client_ip(struct MHD_Connection *con, char buf[64]) {
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  buf[0] = 0;
  if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, buf, 64);
  return buf;
}

static enum MHD_Result handle_api(srv *s, struct MHD_Connection *con, const char *method, const char *path,
                                  req_ctx *ctx, const char *rid) {
  char segs[SRV_MAX_PARAMS][129];
  const route *rt = NULL;
  bool path_known = false;
  for (size_t i = 0; i < N_ROUTES; i++) {
    if (match(routes[i].pattern, path, segs)) {
      path_known = true;
      if (strcmp(routes[i].method, method) == 0) {
        rt = &routes[i];
        break;
      }
    }
  }
  if (!rt)
    return path_known ? send_error(con, 405, SRV_E_INVALID_ARGUMENT, "method not allowed on this route", NULL, rid)
                      : send_error(con, 404, SRV_E_NOT_FOUND, "no such route", NULL, rid);
  if (ctx->too_big) return send_error(con, 413, SRV_E_TOO_LARGE, "request body too large", NULL, rid);

  srv_call c = {.s = s, .err = SRV_E_OK};
  for (int i = 0; i < SRV_MAX_PARAMS; i++) c.params[i] = segs[i];
  char ipbuf[64];
  c.client_ip = client_ip(con, ipbuf);
  c.if_match = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "If-Match");
  if (rt->flags & R_RAW) {
    c.raw = ctx->body;
    c.raw_len = ctx->len;
    c.spec_header = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
                                                rt->op == srv_op_publish           ? "Content-Type"
                                                : rt->op == srv_op_upload_firmware ? "X-Firmware-Spec"
                                                                                   : "X-App-Spec");
    c.in = json_object();
  } else if (ctx->len > 0) {
    json_error_t jerr;
    c.in = json_loadb(ctx->body, ctx->len, JSON_REJECT_DUPLICATES, &jerr);
    if (!c.in) {
      char msg[256];
      snprintf(msg, sizeof msg, "malformed JSON at line %d column %d: %s", jerr.line, jerr.column, jerr.text);
      return send_error(con, 400, SRV_E_INVALID_ARGUMENT, msg, NULL, rid);
    }
    if (!json_is_object(c.in)) {
      json_decref(c.in);
      return send_error(con, 400, SRV_E_INVALID_ARGUMENT, "the body must be a JSON object", NULL, rid);
    }
  } else {
    c.in = json_object();
  }
  MHD_get_connection_values(con, MHD_GET_ARGUMENT_KIND, add_arg, c.in);

  const char *follow = json_string_value(json_object_get(c.in, "follow"));
  bool follow_on = follow && (strcmp(follow, "1") == 0 || strcmp(follow, "true") == 0);
  if (rt->op == srv_op_fetch && follow_on) srv_feed_prepare(&c);
  srv_err e = srv_invoke(&c, rt->op, rt->action, MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Authorization"),
                         rt->flags & R_NOAUTH, rt->flags & R_NOTX);
  if (e == SRV_E_OK && rt->op == srv_op_fetch && !follow_on) {
    /* Fetch with wait_s: while nothing is there, wait for the bus (a
     * publish or an ack, on any instance) and ask again, up to wait_s. The
     * database lock is not held while waiting. */
    int64_t wait_s = 0;
    json_t *w = json_object_get(c.in, "wait_s");
    if (json_is_integer(w)) wait_s = json_integer_value(w);
    else if (json_is_string(w)) wait_s = atoll(json_string_value(w));
    int64_t deadline = srv_now_ms() + (wait_s > 30 ? 30 : wait_s) * 1000;
    while (e == SRV_E_OK && json_array_size(json_object_get(c.out, "items")) == 0 && srv_now_ms() < deadline) {
      int64_t left = deadline - srv_now_ms();
      srv_bus_wait(s, srv_bus_gen(s), (int)(left < 1000 ? left : 1000));
      json_decref(c.out);
      c.out = NULL;
      e = srv_invoke(&c, rt->op, rt->action, MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Authorization"),
                     rt->flags & R_NOAUTH, rt->flags & R_NOTX);
    }
  }
  bool followable = rt->op == srv_op_read_logs || rt->op == srv_op_read_events || rt->op == srv_op_read_device_events;
  if (e == SRV_E_OK && (rt->op == srv_op_watch_devices || (rt->op == srv_op_fetch && follow_on))) {
    /* WatchDevices and the data Stream: feeds (srv_feed.c). */
    json_decref(c.details);
    struct MHD_Response *resp =
        srv_sse_feed(rt->op == srv_op_watch_devices
                         ? srv_feed_devices(s, &c.who, c.in)
                         : srv_feed_messages(s, &c.who, c.params[0], c.in, json_object_get(c.out, "items")));
    json_decref(c.out);
    json_decref(c.in);
    MHD_add_response_header(resp, "X-Request-Id", rid);
    enum MHD_Result res = MHD_queue_response(con, 200, resp);
    MHD_destroy_response(resp);
    return res;
  }
  if (e == SRV_E_OK && rt->op == srv_op_get_rollout && follow_on) { /* WatchRollout */
    json_decref(c.out);
    json_decref(c.details);
    struct MHD_Response *resp = srv_sse_watch(&c, rt->op);
    json_decref(c.in);
    MHD_add_response_header(resp, "X-Request-Id", rid);
    enum MHD_Result res = MHD_queue_response(con, 200, resp);
    MHD_destroy_response(resp);
    return res;
  }
  if (e == SRV_E_OK && followable && follow_on) {
    /* The first run validated the request and the device; now stream. */
    json_decref(c.out);
    json_decref(c.details);
    struct MHD_Response *resp = srv_sse_start(&c, rt->op, rt->op == srv_op_read_logs,
                                              MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Last-Event-ID"));
    json_decref(c.in);
    MHD_add_response_header(resp, "X-Request-Id", rid);
    enum MHD_Result res = MHD_queue_response(con, 200, resp);
    MHD_destroy_response(resp);
    return res;
  }
  json_decref(c.in);
  if (e != SRV_E_OK) {
    json_decref(c.out);
    return send_error(con, srv_err_http(e), e, c.msg, c.details, rid);
  }
  json_decref(c.details);
  return send_json(con, c.created ? 201 : 200, c.out ? c.out : json_object(), rid, 0);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_size, void **con_cls) {
  (void)version;
  srv *s = cls;
  req_ctx *ctx = *con_cls;
  size_t limit = strncmp(url, "/d/v1/", 6) == 0 ? 65536 : s->opt.max_body;
  if ((strncmp(url, "/api/v1/apps/", 13) == 0 || strcmp(url, "/api/v1/firmware") == 0) && strcmp(method, "POST") == 0)
    limit = MAX_IMAGE;
  if (!ctx) {
    ctx = calloc(1, sizeof *ctx);
    *con_cls = ctx;
    const char *cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Content-Length");
    if (cl && strtoull(cl, NULL, 10) > limit) ctx->too_big = true;
    return MHD_YES;
  }
  if (*upload_size > 0) {
    if (!ctx->too_big && ctx->len + *upload_size <= limit) {
      if (ctx->len + *upload_size > ctx->cap) {
        ctx->cap = (ctx->len + *upload_size) * 2;
        if (ctx->cap > limit) ctx->cap = limit;
        ctx->body = realloc(ctx->body, ctx->cap);
      }
      memcpy(ctx->body + ctx->len, upload_data, *upload_size);
      ctx->len += *upload_size;
    } else {
      ctx->too_big = true;
      free(ctx->body);
      ctx->body = NULL;
      ctx->len = ctx->cap = 0;
    }
    *upload_size = 0;
    return MHD_YES;
  }
  char rid[17];
  srv_random_hex(rid, 8);
  if (strcmp(url, "/healthz") == 0) return send_json(con, 200, json_pack("{s:s}", "status", "ok"), rid, 0);
  if (strcmp(url, "/readyz") == 0) {
    pthread_mutex_lock(&s->lock);
    int64_t one = srv_db_int(s->db, "SELECT 1", NULL, 0, 0);
    pthread_mutex_unlock(&s->lock);
    return one == 1 ? send_json(con, 200, json_pack("{s:s}", "status", "ready"), rid, 0)
                    : send_error(con, 503, SRV_E_UNAVAILABLE, "database unreachable", NULL, rid);
  }
  if (s->opt.test_hooks && strcmp(url, "/test/clock") == 0 && strcmp(method, "POST") == 0) {
    /* Test builds only: move the server clock forward. */
    json_t *in = ctx->len ? json_loadb(ctx->body, ctx->len, 0, NULL) : NULL;
    json_t *adv = json_object_get(in, "advance_ms");
    bool ok = json_is_integer(adv) && json_integer_value(adv) >= 0;
    if (ok) srv_clock_advance(json_integer_value(adv));
    json_decref(in);
    return ok ? send_json(con, 200, json_pack("{s:I}", "now", (json_int_t)srv_now_ms()), rid, 0)
              : send_error(con, 400, SRV_E_INVALID_ARGUMENT, "want {\"advance_ms\": N}", NULL, rid);
  }
  if (strncmp(url, "/api/v1/", 8) == 0) return handle_api(s, con, method, url + 7, ctx, rid);
  if (strncmp(url, "/d/v1/", 6) == 0) {
    if (ctx->too_big) return send_json(con, 413, json_pack("{s:s}", "error", "too_large"), rid, 0);
    srv_dev_reply r;
    srv_device_request(s, method, url, MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Authorization"), ctx->body,
                       ctx->len, MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Range"), &r);
    if (r.raw) {
      struct MHD_Response *resp = MHD_create_response_from_buffer(r.raw_len, r.raw, MHD_RESPMEM_MUST_FREE);
      MHD_add_response_header(resp, "Content-Type", "application/octet-stream");
      MHD_add_response_header(resp, "Accept-Ranges", "bytes");
      if (r.content_range[0]) MHD_add_response_header(resp, "Content-Range", r.content_range);
      enum MHD_Result res = MHD_queue_response(con, (unsigned)r.status, resp);
      MHD_destroy_response(resp);
      return res;
    }
    if (r.content_range[0]) { /* 416 names the blob's size */
      char *text = json_dumps(r.body, JSON_COMPACT);
      json_decref(r.body);
      struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
      MHD_add_response_header(resp, "Content-Type", "application/json");
      MHD_add_response_header(resp, "Content-Range", r.content_range);
      enum MHD_Result res = MHD_queue_response(con, (unsigned)r.status, resp);
      MHD_destroy_response(resp);
      return res;
    }
    return send_json(con, r.status, r.body, rid, r.retry_after);
  }
  return send_error(con, 404, SRV_E_NOT_FOUND, "no such path", NULL, rid);
}

static void on_done(void *cls, struct MHD_Connection *con, void **con_cls, enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)con;
  (void)toe;
  req_ctx *ctx = *con_cls;
  if (ctx) {
    free(ctx->body);
    free(ctx);
  }
  *con_cls = NULL;
}

int srv_http_start(srv *s, char *err, int errlen) {
  const char *addr = s->opt.http_addr;
  const char *colon = strrchr(addr, ':');
  char host[64] = "127.0.0.1";
  const char *port_s = addr;
  if (colon) {
    if (colon > addr) snprintf(host, sizeof host, "%.*s", (int)(colon - addr), addr);
    port_s = colon + 1;
  }
  char *end;
  long port = strtol(port_s, &end, 10);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (*end || port < 0 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
    snprintf(err, (size_t)errlen, "bad --http address '%s' (want HOST:PORT, IPv4)", addr);
    return -1;
  }
  /* A thread per connection: live streams may wait in their reader without
   * holding up other clients. (Suspend/resume for 20 000 long-polls is a
   * later step.) */
  s->httpd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL, 0, NULL,
                              NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                              MHD_OPTION_NOTIFY_COMPLETED, on_done, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned)2000, MHD_OPTION_END);
  if (!s->httpd) {
    snprintf(err, (size_t)errlen, "cannot listen on %s", addr);
    return -1;
  }
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->httpd, MHD_DAEMON_INFO_BIND_PORT);
  s->http_port = di ? di->port : (int)port;
  if (s->opt.port_file) {
    FILE *f = fopen(s->opt.port_file, "w");
    if (f) {
      fprintf(f, "%d\n", s->http_port);
      fclose(f);
    }
  }
  return 0;
}

void srv_http_stop(srv *s) {
  if (s->httpd) MHD_stop_daemon(s->httpd);
  s->httpd = NULL;
}
