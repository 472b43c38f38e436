/* The gRPC front door: grpc's C core API with protobuf-c messages
 * (proto/fleet/v1/fleet.proto). Each RPC decodes its request into the same
 * JSON shape the HTTP routes use, calls the same srv_op_* through
 * srv_invoke (auth, rate limit, role, transaction), and encodes the op's
 * answer. Calls are served one at a time on one thread: the store is
 * serialized anyway. Errors are gRPC status codes with the op's message. */
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet/v1/fleet.pb-c.h"
#include "srv.h"
#include "srv_util.h"

typedef struct {
  grpc_server *server;
  grpc_completion_queue *cq;
  pthread_t thread;
  bool shutdown_seen;
} grpc_state;

enum { TAG_NEW = 1, TAG_RECV, TAG_SEND, TAG_SHUTDOWN };

/* Frees everything allocated while building one answer. */
typedef struct {
  void *p[4096];
  int n;
} arena;
static void *amalloc(arena *a, size_t n) {
  void *p = calloc(1, n);
  if (a->n < 4096) a->p[a->n++] = p;
  return p;
}
static char *astr(arena *a, const char *s) {
  char *d = amalloc(a, strlen(s ? s : "") + 1);
  strcpy(d, s ? s : "");
  return d;
}
static void afree(arena *a) {
  for (int i = 0; i < a->n; i++) free(a->p[i]);
  a->n = 0;
}

static Google__Protobuf__Timestamp *ts(arena *a, json_t *v) {
  int64_t ms;
  if (!json_is_string(v) || !srv_time_parse(json_string_value(v), &ms)) return NULL;
  Google__Protobuf__Timestamp *t = amalloc(a, sizeof *t);
  google__protobuf__timestamp__init(t);
  t->seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  t->nanos = (int32_t)((ms - t->seconds * 1000) * 1000000);
  return t;
}

#define JS(o, k) json_string_value(json_object_get((o), (k)))

static Fleet__V1__Device *device_pb(arena *a, json_t *d) {
  Fleet__V1__Device *x = amalloc(a, sizeof *x);
  fleet__v1__device__init(x);
  x->id = astr(a, JS(d, "id"));
  x->name = astr(a, JS(d, "name"));
  x->hardware_id = astr(a, JS(d, "hardware_id"));
  x->is_simulator = json_is_true(json_object_get(d, "is_simulator"));
  x->group_id = astr(a, JS(d, "group_id"));
  json_t *tags = json_object_get(d, "tags");
  x->n_tags = json_object_size(tags);
  x->tags = amalloc(a, sizeof(void *) * (x->n_tags + 1));
  const char *k;
  json_t *v;
  size_t i = 0;
  json_object_foreach(tags, k, v) {
    Fleet__V1__Device__TagsEntry *e = amalloc(a, sizeof *e);
    fleet__v1__device__tags_entry__init(e);
    e->key = astr(a, k);
    e->value = astr(a, json_string_value(v));
    x->tags[i++] = e;
  }
  x->last_seen_at = ts(a, json_object_get(d, "last_seen_at"));
  x->firmware = astr(a, JS(d, "firmware"));
  const char *h = JS(d, "health");
  x->health = !h ? FLEET__V1__HEALTH__HEALTH_UNSPECIFIED
              : strcmp(h, "healthy") == 0   ? FLEET__V1__HEALTH__HEALTH_HEALTHY
              : strcmp(h, "unhealthy") == 0 ? FLEET__V1__HEALTH__HEALTH_UNHEALTHY
                                            : FLEET__V1__HEALTH__HEALTH_NEVER_SEEN;
  json_t *reasons = json_object_get(d, "health_reasons");
  x->n_health_reasons = json_array_size(reasons);
  x->health_reasons = amalloc(a, sizeof(char *) * (x->n_health_reasons + 1));
  json_array_foreach(reasons, i, v) x->health_reasons[i] = astr(a, json_string_value(v));
  x->sync_status = astr(a, JS(d, "sync_status"));
  x->connected = json_is_true(json_object_get(d, "connected"));
  x->goal_rev = json_integer_value(json_object_get(d, "goal_rev"));
  x->up_to_date = json_is_true(json_object_get(d, "up_to_date"));
  json_t *p = json_object_get(d, "power");
  if (json_is_object(p)) {
    x->power = amalloc(a, sizeof *x->power);
    fleet__v1__power__init(x->power);
    x->power->battery_pct = (int32_t)json_integer_value(json_object_get(p, "battery_pct"));
    x->power->plugged = json_is_true(json_object_get(p, "plugged"));
    x->power->known = 1;
  }
  x->claimed_at = ts(a, json_object_get(d, "claimed_at"));
  x->favourite = json_is_true(json_object_get(d, "favourite"));
  return x;
}

static Fleet__V1__Event *event_pb(arena *a, json_t *e) {
  Fleet__V1__Event *x = amalloc(a, sizeof *x);
  fleet__v1__event__init(x);
  x->id = json_integer_value(json_object_get(e, "id"));
  x->device_id = astr(a, JS(e, "device_id"));
  x->time = ts(a, json_object_get(e, "time"));
  x->kind = astr(a, JS(e, "kind"));
  json_t *ac = json_object_get(e, "actor");
  x->actor = amalloc(a, sizeof *x->actor);
  fleet__v1__actor__init(x->actor);
  const char *t = JS(ac, "type") ? JS(ac, "type") : "";
  x->actor->type = strcmp(t, "user") == 0      ? FLEET__V1__ACTOR__TYPE__TYPE_USER
                   : strcmp(t, "api_key") == 0 ? FLEET__V1__ACTOR__TYPE__TYPE_API_KEY
                   : strcmp(t, "device") == 0  ? FLEET__V1__ACTOR__TYPE__TYPE_DEVICE
                   : strcmp(t, "rollout") == 0 ? FLEET__V1__ACTOR__TYPE__TYPE_ROLLOUT
                   : strcmp(t, "system") == 0  ? FLEET__V1__ACTOR__TYPE__TYPE_SYSTEM
                                               : FLEET__V1__ACTOR__TYPE__TYPE_UNSPECIFIED;
  x->actor->id = astr(a, JS(ac, "id"));
  x->actor->display = astr(a, JS(ac, "display"));
  x->summary = astr(a, JS(e, "summary"));
  static const char *const js[] = {"before", "after", "data"};
  char **out[] = {&x->before_json, &x->after_json, &x->data_json};
  for (int i = 0; i < 3; i++) {
    json_t *v = json_object_get(e, js[i]);
    char *s = v && !json_is_null(v) ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    *out[i] = astr(a, s ? s : "");
    free(s);
  }
  return x;
}

static Fleet__V1__OrgRef *org_pb(arena *a, json_t *o, const char *role) {
  Fleet__V1__OrgRef *x = amalloc(a, sizeof *x);
  fleet__v1__org_ref__init(x);
  x->id = astr(a, JS(o, "id"));
  x->name = astr(a, JS(o, "name"));
  x->role = astr(a, role ? role : JS(o, "role"));
  return x;
}

/* Packs a protobuf-c message into a malloc'd buffer. */
static uint8_t *pack(const ProtobufCMessage *m, size_t *len) {
  *len = protobuf_c_message_get_packed_size(m);
  uint8_t *buf = malloc(*len ? *len : 1);
  protobuf_c_message_pack(m, buf);
  return buf;
}

static void set_str(json_t *in, const char *k, const char *v) {
  if (v && *v) json_object_set_new(in, k, json_string(v));
}

/* Decodes the request, runs the op, encodes the answer. */
static srv_err dispatch(srv *s, const char *method, const uint8_t *data, size_t len, const char *authz, uint8_t **out,
                        size_t *out_len, char *msg, size_t msglen) {
  srv_call c = {.s = s};
  c.in = json_object();
  srv_err (*op)(srv_call *) = NULL;
  srv_action act = SRV_ACT_READ;
  int kind = 0;
  char param[129] = "";
  if (strcmp(method, "/fleet.v1.AuthService/WhoAmI") == 0) {
    Fleet__V1__WhoAmIRequest *r = fleet__v1__who_am_irequest__unpack(NULL, len, data);
    if (!r) goto malformed;
    fleet__v1__who_am_irequest__free_unpacked(r, NULL);
    op = srv_op_whoami, act = SRV_ACT_SELF, kind = 1;
  } else if (strcmp(method, "/fleet.v1.DeviceService/ListDevices") == 0) {
    Fleet__V1__ListDevicesRequest *r = fleet__v1__list_devices_request__unpack(NULL, len, data);
    if (!r) goto malformed;
    set_str(c.in, "q", r->query);
    set_str(c.in, "sort", r->sort);
    set_str(c.in, "order", r->order);
    set_str(c.in, "page_token", r->page_token);
    if (r->page_size) json_object_set_new(c.in, "page_size", json_integer(r->page_size));
    fleet__v1__list_devices_request__free_unpacked(r, NULL);
    op = srv_op_list_devices, kind = 2;
  } else if (strcmp(method, "/fleet.v1.DeviceService/GetDevice") == 0) {
    Fleet__V1__GetDeviceRequest *r = fleet__v1__get_device_request__unpack(NULL, len, data);
    if (!r) goto malformed;
    snprintf(param, sizeof param, "%s", r->id);
    fleet__v1__get_device_request__free_unpacked(r, NULL);
    op = srv_op_get_device, kind = 3;
  } else if (strcmp(method, "/fleet.v1.TelemetryService/ReadEvents") == 0) {
    Fleet__V1__ReadEventsRequest *r = fleet__v1__read_events_request__unpack(NULL, len, data);
    if (!r) goto malformed;
    set_str(c.in, "device", r->device);
    set_str(c.in, "kind", r->kind);
    set_str(c.in, "actor", r->actor);
    set_str(c.in, "page_token", r->page_token);
    if (r->after) json_object_set_new(c.in, "after", json_integer(r->after));
    if (r->limit) json_object_set_new(c.in, "limit", json_integer(r->limit));
    fleet__v1__read_events_request__free_unpacked(r, NULL);
    op = srv_op_read_events, kind = 4;
  } else if (strcmp(method, "/fleet.v1.ServerService/GetInfo") == 0) {
    Fleet__V1__GetInfoRequest *r = fleet__v1__get_info_request__unpack(NULL, len, data);
    if (!r) goto malformed;
    fleet__v1__get_info_request__free_unpacked(r, NULL);
    op = srv_op_get_info, act = SRV_ACT_SELF, kind = 5;
  } else {
    json_decref(c.in);
    snprintf(msg, msglen, "unknown method %s", method);
    return (srv_err)-1; /* UNIMPLEMENTED */
  }
  c.params[0] = param;
  srv_err e = srv_invoke(&c, op, act, authz, false, false);
  json_decref(c.in);
  json_decref(c.details);
  if (e != SRV_E_OK) {
    snprintf(msg, msglen, "%s", c.msg);
    json_decref(c.out);
    return e;
  }
  arena a = {.n = 0};
  json_t *o = c.out;
  size_t i;
  json_t *v;
  if (kind == 1) {
    Fleet__V1__WhoAmIResponse m = FLEET__V1__WHO_AM_IRESPONSE__INIT;
    json_t *u = json_object_get(o, "user"), *k = json_object_get(o, "api_key");
    m.user_id = astr(&a, JS(u, "id"));
    m.user_email = astr(&a, JS(u, "email"));
    m.api_key_id = astr(&a, JS(k, "id"));
    m.api_key_name = astr(&a, JS(k, "name"));
    m.org = org_pb(&a, json_object_get(o, "org"), JS(o, "role"));
    m.role = astr(&a, JS(o, "role"));
    json_t *orgs = json_object_get(o, "orgs");
    m.n_orgs = json_array_size(orgs);
    m.orgs = amalloc(&a, sizeof(void *) * (m.n_orgs + 1));
    json_array_foreach(orgs, i, v) m.orgs[i] = org_pb(&a, v, NULL);
    *out = pack(&m.base, out_len);
  } else if (kind == 2) {
    Fleet__V1__ListDevicesResponse m = FLEET__V1__LIST_DEVICES_RESPONSE__INIT;
    json_t *items = json_object_get(o, "items");
    m.n_items = json_array_size(items);
    m.items = amalloc(&a, sizeof(void *) * (m.n_items + 1));
    json_array_foreach(items, i, v) m.items[i] = device_pb(&a, v);
    m.next_page_token = astr(&a, JS(o, "next_page_token"));
    m.total = json_integer_value(json_object_get(o, "total"));
    *out = pack(&m.base, out_len);
  } else if (kind == 3) {
    *out = pack(&device_pb(&a, o)->base, out_len);
  } else if (kind == 4) {
    Fleet__V1__ReadEventsResponse m = FLEET__V1__READ_EVENTS_RESPONSE__INIT;
    json_t *items = json_object_get(o, "items");
    m.n_items = json_array_size(items);
    m.items = amalloc(&a, sizeof(void *) * (m.n_items + 1));
    json_array_foreach(items, i, v) m.items[i] = event_pb(&a, v);
    m.next_page_token = astr(&a, JS(o, "next_page_token"));
    *out = pack(&m.base, out_len);
  } else {
    Fleet__V1__GetInfoResponse m = FLEET__V1__GET_INFO_RESPONSE__INIT;
    m.version = astr(&a, JS(o, "version"));
    m.time = ts(&a, json_object_get(o, "time"));
    m.storage = astr(&a, JS(o, "storage"));
    static char *features[] = {"http-json", "grpc"};
    m.n_features = 2;
    m.features = features;
    *out = pack(&m.base, out_len);
  }
  afree(&a);
  json_decref(o);
  return SRV_E_OK;
malformed:
  json_decref(c.in);
  snprintf(msg, msglen, "malformed request message");
  return SRV_E_INVALID_ARGUMENT;
}

/* Waits for one tag on the queue, remembering a shutdown seen meanwhile. */
static bool wait_tag(grpc_state *g, intptr_t tag) {
  for (;;) {
    grpc_event ev = grpc_completion_queue_next(g->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    if (ev.type == GRPC_QUEUE_SHUTDOWN) return false;
    if ((intptr_t)ev.tag == TAG_SHUTDOWN) g->shutdown_seen = true;
    if ((intptr_t)ev.tag == tag) return ev.success;
  }
}

static void serve_call(srv *s, grpc_state *g, grpc_call *call, grpc_call_details *details, grpc_metadata_array *md) {
  grpc_byte_buffer *req = NULL;
  grpc_op op = {0};
  op.op = GRPC_OP_RECV_MESSAGE;
  op.data.recv_message.recv_message = &req;
  if (grpc_call_start_batch(call, &op, 1, (void *)TAG_RECV, NULL) != GRPC_CALL_OK || !wait_tag(g, TAG_RECV)) return;
  char method[256], authz[600] = "";
  char *m = grpc_slice_to_c_string(details->method);
  snprintf(method, sizeof method, "%s", m);
  gpr_free(m);
  for (size_t i = 0; i < md->count; i++) {
    if (grpc_slice_str_cmp(md->metadata[i].key, "authorization") == 0) {
      char *v = grpc_slice_to_c_string(md->metadata[i].value);
      snprintf(authz, sizeof authz, "%s", v);
      gpr_free(v);
    }
  }
  uint8_t *in = NULL;
  size_t in_len = 0;
  if (req) {
    grpc_byte_buffer_reader rd;
    grpc_byte_buffer_reader_init(&rd, req);
    grpc_slice all = grpc_byte_buffer_reader_readall(&rd);
    in_len = GRPC_SLICE_LENGTH(all);
    in = malloc(in_len ? in_len : 1);
    memcpy(in, GRPC_SLICE_START_PTR(all), in_len);
    grpc_slice_unref(all);
    grpc_byte_buffer_reader_destroy(&rd);
    grpc_byte_buffer_destroy(req);
  }
  uint8_t *out = NULL;
  size_t out_len = 0;
  char msg[300] = "";
  srv_err e = in_len > 1 << 20 ? srv_fail(&(srv_call){.s = s}, SRV_E_TOO_LARGE, "request too large")
                               : dispatch(s, method, in ? in : (const uint8_t *)"", in_len, authz, &out, &out_len, msg,
                                          sizeof msg);
  free(in);
  grpc_status_code code = (int)e == -1 ? GRPC_STATUS_UNIMPLEMENTED : (grpc_status_code)srv_err_grpc(e);
  grpc_op ops[4];
  memset(ops, 0, sizeof ops);
  int n = 0;
  ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
  grpc_byte_buffer *resp = NULL;
  if (out) {
    grpc_slice sl = grpc_slice_from_copied_buffer((const char *)out, out_len);
    resp = grpc_raw_byte_buffer_create(&sl, 1);
    grpc_slice_unref(sl);
    ops[n].op = GRPC_OP_SEND_MESSAGE;
    ops[n++].data.send_message.send_message = resp;
  }
  grpc_slice status_details = grpc_slice_from_copied_string(e == SRV_E_OK ? "" : msg);
  ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
  ops[n].data.send_status_from_server.status = e == SRV_E_OK ? GRPC_STATUS_OK : code;
  ops[n++].data.send_status_from_server.status_details = &status_details;
  int cancelled = 0;
  ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
  ops[n++].data.recv_close_on_server.cancelled = &cancelled;
  if (grpc_call_start_batch(call, ops, (size_t)n, (void *)TAG_SEND, NULL) == GRPC_CALL_OK) wait_tag(g, TAG_SEND);
  grpc_slice_unref(status_details);
  if (resp) grpc_byte_buffer_destroy(resp);
  free(out);
}

static void *loop(void *arg) {
  srv *s = arg;
  grpc_state *g = s->grpc;
  while (!g->shutdown_seen) {
    grpc_call *call = NULL;
    grpc_call_details details;
    grpc_metadata_array md;
    grpc_call_details_init(&details);
    grpc_metadata_array_init(&md);
    if (grpc_server_request_call(g->server, &call, &details, &md, g->cq, g->cq, (void *)TAG_NEW) != GRPC_CALL_OK) break;
    bool ok = wait_tag(g, TAG_NEW);
    if (ok && call) serve_call(s, g, call, &details, &md);
    if (call) grpc_call_unref(call);
    grpc_call_details_destroy(&details);
    grpc_metadata_array_destroy(&md);
    if (!ok) break;
  }
  /* Drain until the shutdown notification. */
  while (!g->shutdown_seen) {
    grpc_event ev = grpc_completion_queue_next(g->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    if (ev.type == GRPC_QUEUE_SHUTDOWN || (intptr_t)ev.tag == TAG_SHUTDOWN) break;
  }
  return NULL;
}

int srv_grpc_start(srv *s, char *err, int errlen) {
  grpc_init();
  grpc_state *g = calloc(1, sizeof *g);
  g->server = grpc_server_create(NULL, NULL);
  g->cq = grpc_completion_queue_create_for_next(NULL);
  grpc_server_register_completion_queue(g->server, g->cq, NULL);
  grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
  char addr[300];
  snprintf(addr, sizeof addr, "%s%s", s->opt.grpc_addr[0] == ':' ? "127.0.0.1" : "", s->opt.grpc_addr);
  s->grpc_port = grpc_server_add_http2_port(g->server, addr, creds);
  grpc_server_credentials_release(creds);
  if (s->grpc_port <= 0) {
    snprintf(err, (size_t)errlen, "cannot listen for gRPC on %s", s->opt.grpc_addr);
    grpc_server_destroy(g->server);
    grpc_completion_queue_shutdown(g->cq);
    grpc_completion_queue_destroy(g->cq);
    free(g);
    grpc_shutdown();
    return -1;
  }
  grpc_server_start(g->server);
  s->grpc = g;
  if (s->opt.grpc_port_file) {
    FILE *f = fopen(s->opt.grpc_port_file, "w");
    if (f) {
      fprintf(f, "%d\n", s->grpc_port);
      fclose(f);
    }
  }
  pthread_create(&g->thread, NULL, loop, s);
  return 0;
}

void srv_grpc_stop(srv *s) {
  grpc_state *g = s->grpc;
  if (!g) return;
  grpc_server_shutdown_and_notify(g->server, g->cq, (void *)TAG_SHUTDOWN);
  grpc_server_cancel_all_calls(g->server);
  pthread_join(g->thread, NULL);
  grpc_server_destroy(g->server);
  grpc_completion_queue_shutdown(g->cq);
  while (grpc_completion_queue_next(g->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN) {
  }
  grpc_completion_queue_destroy(g->cq);
  free(g);
  s->grpc = NULL;
  grpc_shutdown();
}
