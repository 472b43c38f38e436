/* The gRPC front door: grpc's C core API with protobuf-c messages
 * (proto/fleet/v1/fleet.proto). Every RPC is one row of the table below that
 * names the srv_op_* it runs; the request message is turned into the same
 * JSON input the HTTP route builds, and the op's JSON answer into the
 * response message, both generically through protobuf-c's descriptors
 * (field names are the JSON names; `x_json` strings carry the JSON value of
 * `x`; enums are the lower-case JSON strings with their type prefix). The
 * role check, rate limit and transaction come from srv_invoke with the HTTP
 * route's action, so both doors behave the same; errors map through the one
 * table in srv_errors.h. Calls are served one at a time on one thread: the
 * store is serialized anyway. */
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
#include "srv_pbjson.h"
#include "srv.h"
#include "srv_util.h"

#define MAX_STREAMS 64
#define N_STREAM_RPCS 7

/* A streaming RPC waiting for its next call: it gets its own completion
 * queue, which the worker thread serving the call then owns. */
typedef struct {
  void *method; /* grpc_server_register_method handle */
  grpc_completion_queue *cq;
  grpc_call *call;
  gpr_timespec deadline;
  grpc_metadata_array md;
  grpc_byte_buffer *payload;
} stream_slot;

typedef struct {
  pthread_t thread;
  bool used;
  volatile bool done;
} worker_slot;

typedef struct {
  grpc_server *server;
  grpc_completion_queue *cq;  /* new-call notifications and shutdown */
  grpc_completion_queue *ucq; /* batches of unary calls (served one at a time) */
  pthread_t thread;
  bool shutdown_seen;
  /* the outstanding unary request */
  grpc_call *call;
  grpc_call_details details;
  grpc_metadata_array md;
  int generic_tag;
  stream_slot slots[N_STREAM_RPCS];
  pthread_mutex_t wlock;
  worker_slot workers[MAX_STREAMS];
} grpc_state;

enum { TAG_RECV = 1, TAG_SEND, TAG_SHUTDOWN, TAG_INIT, TAG_CLOSE, TAG_MSG, TAG_STATUS };

#define MAX_UPLOAD (9u << 20)

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* ---- the RPC table ---- */

typedef struct {
  const char *method;                     /* "/fleet.v1.Service/Method" */
  srv_err (*op)(srv_call *c);
  const ProtobufCMessageDescriptor *req, *resp;
  const char *params[2];                  /* request fields that are the route's {} segments */
  const char *body;                       /* request field whose JSON value is the whole input */
  const char *raw, *header;               /* bytes field -> raw body; string field -> spec header */
  void (*shape)(json_t *in, json_t *out); /* adjusts the input (out NULL) or the answer */
  bool client_stream;                     /* a stream of requests, one answer (uploads) */
} rpc;

/* WhoAmI keeps its flat fields next to the nested ones; GetInfo names gRPC. */
static void shape_whoami(json_t *in, json_t *o) {
  (void)in;
  if (!o) return;
  json_t *u = json_object_get(o, "user"), *k = json_object_get(o, "api_key"), *org = json_object_get(o, "org");
  if (json_is_object(u)) {
    json_object_set(o, "user_id", json_object_get(u, "id"));
    json_object_set(o, "user_email", json_object_get(u, "email"));
  }
  if (json_is_object(k)) {
    json_object_set(o, "api_key_id", json_object_get(k, "id"));
    json_object_set(o, "api_key_name", json_object_get(k, "name"));
  }
  if (json_is_object(org)) json_object_set(org, "role", json_object_get(o, "role"));
}
static void shape_info(json_t *in, json_t *o) {
  (void)in;
  if (o) json_array_append_new(json_object_get(o, "features"), json_string("grpc"));
}
/* `ungroup: true` is the HTTP API's `null` (proto3 has no null). */
static void shape_delete_group(json_t *in, json_t *o) {
  if (o || !json_is_true(json_object_get(in, "ungroup"))) return;
  json_object_del(in, "ungroup");
  json_object_set_new(in, "move_to", json_null());
}
static void shape_update_device(json_t *in, json_t *o) {
  if (o) return;
  if (json_is_true(json_object_get(in, "ungroup"))) {
    json_object_del(in, "ungroup");
    json_object_set_new(in, "group", json_null());
  }
}

#define D(x) &fleet__v1__##x##__descriptor
#define RPC(svc, m, opn, rq, rs, ...) \
  {.method = "/fleet.v1." #svc "/" #m, .op = srv_op_##opn, .req = D(rq), .resp = D(rs), .params = __VA_ARGS__}
static const rpc rpcs[] = {
    RPC(AuthService, Login, login, login_request, tokens, {0}),
    RPC(AuthService, Refresh, refresh, refresh_request, tokens, {0}),
    RPC(AuthService, Logout, logout, empty, empty, {0}),
    RPC(AuthService, WhoAmI, whoami, who_am_irequest, who_am_iresponse, {0}, .shape = shape_whoami),
    RPC(AuthService, SwitchOrg, switch_org, switch_org_request, tokens, {0}),
    RPC(OrgService, CreateOrg, create_org, create_org_request, org, {0}),
    RPC(OrgService, GetOrg, get_org, get_org_request, org, {0}),
    RPC(OrgService, UpdateOrg, update_org, update_org_request, org, {0}),
    RPC(OrgService, ListMembers, list_members, list_members_request, list_members_response, {0}),
    RPC(OrgService, SetMemberRole, set_member_role, set_member_role_request, member_role, {"user_id"}),
    RPC(OrgService, RemoveMember, remove_member, remove_member_request, empty, {"user_id"}),
    RPC(OrgService, InviteMember, invite_member, invite_member_request, invite, {0}),
    RPC(OrgService, ListInvites, list_invites, list_invites_request, list_invites_response, {0}),
    RPC(OrgService, RevokeInvite, revoke_invite, revoke_invite_request, empty, {"id"}),
    RPC(OrgService, AcceptInvite, accept_invite, accept_invite_request, tokens, {"token"}),
    RPC(OrgService, CreateApiKey, create_api_key, create_api_key_request, api_key, {0}),
    RPC(OrgService, ListApiKeys, list_api_keys, list_api_keys_request, list_api_keys_response, {0}),
    RPC(OrgService, RevokeApiKey, revoke_api_key, revoke_api_key_request, empty, {"id"}),
    RPC(DeviceService, ListDevices, list_devices, list_devices_request, list_devices_response, {0}),
    RPC(DeviceService, GetDevice, get_device, get_device_request, device, {"id"}),
    RPC(DeviceService, UpdateDevice, update_device, update_device_request, device, {"id"}, .shape = shape_update_device),
    RPC(DeviceService, ClaimDevices, claim_devices, claim_devices_request, claim_devices_response, {0}),
    RPC(DeviceService, UnclaimDevice, unclaim_device, unclaim_device_request, empty, {"id"}),
    RPC(DeviceService, ConfigureDevice, configure_device, configure_device_request, rev, {"id"}, .body = "patch"),
    RPC(DeviceService, GetGoal, get_goal, get_goal_request, goal_response, {"id"}),
    RPC(DeviceService, GetReportedState, get_state, get_reported_state_request, reported_state, {"id"}),
    RPC(DeviceService, FavouriteDevice, favourite_device, favourite_request, favourite, {"id"}),
    RPC(DeviceService, UnfavouriteDevice, unfavourite_device, favourite_request, favourite, {"id"}),
    RPC(DeviceService, ListFavourites, list_favourites, list_favourites_request, list_favourites_response, {0}),
    RPC(GroupService, CreateGroup, create_group, create_group_request, group, {0}),
    RPC(GroupService, ListGroups, list_groups, list_groups_request, list_groups_response, {0}),
    RPC(GroupService, GetGroup, get_group, get_group_request, group, {"id"}),
    RPC(GroupService, UpdateGroup, update_group, update_group_request, group, {"id"}),
    RPC(GroupService, DeleteGroup, delete_group, delete_group_request, empty, {"id"}, .shape = shape_delete_group),
    RPC(GroupService, ConfigureGroup, configure_group, configure_group_request, rev, {"id"}, .body = "patch"),
    RPC(GroupService, SetGroupApp, set_group_app, group_app_request, rev, {"id", "app"}),
    RPC(GroupService, RemoveGroupApp, remove_group_app, group_app_request, rev, {"id", "app"}),
    RPC(GroupService, FavouriteGroup, favourite_group, favourite_request, favourite, {"id"}),
    RPC(GroupService, UnfavouriteGroup, unfavourite_group, favourite_request, favourite, {"id"}),
    RPC(AppService, UploadAppVersion, upload_app_version, upload_app_version_request, app_version, {"app"}, .raw = "image",
        .header = "spec_json"),
    RPC(AppService, ListApps, list_apps, list_apps_request, list_apps_response, {0}),
    RPC(AppService, GetApp, get_app, get_app_request, app, {"name"}),
    RPC(AppService, ListAppVersions, list_app_versions, list_app_versions_request, list_app_versions_response, {"app"}),
    RPC(AppService, InstallApp, install_app, install_app_request, install_result, {"device", "app"}),
    RPC(AppService, UninstallApp, uninstall_app, install_app_request, rev, {"device", "app"}),
    RPC(AppService, ListInstallations, list_installations, list_installations_request, list_installations_response,
        {"device"}),
    RPC(RolloutService, PreviewRollout, preview_rollout, rollout_spec, rollout_preview, {0}),
    RPC(RolloutService, CreateRollout, create_rollout, rollout_spec, rollout, {0}),
    RPC(RolloutService, ListRollouts, list_rollouts, list_rollouts_request, list_rollouts_response, {0}),
    RPC(RolloutService, GetRollout, get_rollout, get_rollout_request, rollout, {"id"}),
    RPC(RolloutService, StartRollout, start_rollout, rollout_action_request, rollout, {"id"}),
    RPC(RolloutService, PauseRollout, pause_rollout, rollout_action_request, rollout, {"id"}),
    RPC(RolloutService, ResumeRollout, resume_rollout, rollout_action_request, rollout, {"id"}),
    RPC(RolloutService, HaltRollout, halt_rollout, rollout_action_request, rollout, {"id"}),
    RPC(RolloutService, RollbackRollout, rollback_rollout, rollout_action_request, rollout, {"id"}),
    RPC(RolloutService, AbortRollout, abort_rollout, rollout_action_request, rollout, {"id"}),
    RPC(TelemetryService, ReadEvents, read_events, read_events_request, read_events_response, {0}),
    RPC(TelemetryService, ReadDeviceEvents, read_device_events, read_device_events_request, read_events_response, {"id"}),
    RPC(TelemetryService, ReadLogs, read_logs, read_logs_request, read_logs_response, {"id"}),
    RPC(TelemetryService, QueryMetrics, query_metrics, query_metrics_request, metric_series, {"id"}),
    RPC(TelemetryService, FleetSummary, fleet_summary, fleet_summary_request, fleet_summary_response, {0}),
    RPC(DataService, Publish, publish, publish_request, publish_response, {0}, .raw = "data", .header = "content_type"),
    RPC(DataService, ListTopics, list_topics, list_topics_request, list_topics_response, {0}),
    RPC(DataService, CreateSubscription, create_subscription, create_subscription_request, subscription, {0}),
    RPC(DataService, DeleteSubscription, delete_subscription, delete_subscription_request, empty, {"name"}),
    RPC(DataService, ListSubscriptions, list_subscriptions, list_subscriptions_request, list_subscriptions_response, {0}),
    RPC(DataService, Fetch, fetch, fetch_request, fetch_response, {"name"}),
    RPC(DataService, Acknowledge, ack, acknowledge_request, acknowledge_response, {"name"}),
    RPC(SimulatorService, CreateSimulator, create_simulator, create_simulator_request, simulator, {0}),
    RPC(SimulatorService, ListSimulators, list_simulators, list_simulators_request, list_simulators_response, {0}),
    RPC(SimulatorService, StartSimulator, start_simulator, simulator_request, simulator_state, {"id"}),
    RPC(SimulatorService, StopSimulator, stop_simulator, simulator_request, simulator_state, {"id"}),
    RPC(SimulatorService, DeleteSimulator, delete_simulator, simulator_request, empty, {"id"}),
    RPC(ServerService, GetInfo, get_info, get_info_request, get_info_response, {0}, .shape = shape_info),
    RPC(FirmwareService, ListFirmware, list_firmware, list_firmware_request, list_firmware_response, {0}),
    RPC(FirmwareService, GetFirmware, get_firmware, firmware_request, firmware, {"id"}),
    RPC(FirmwareService, DeleteFirmware, delete_firmware, firmware_request, empty, {"id"}),
    RPC(FirmwareService, SetFirmware, set_firmware, set_firmware_request, set_firmware_response, {0}),
};
#define N_RPCS (sizeof rpcs / sizeof rpcs[0])

static const ProtobufCFieldDescriptor *field_named(const ProtobufCMessageDescriptor *d, const char *name) {
  return protobuf_c_message_descriptor_get_field_by_name(d, name);
}

typedef struct {
  srv_call c;
  char params[2][129], if_match[32];
  char *header;
  ProtobufCMessage *req;
} decoded;

static void decoded_free(decoded *d) {
  json_decref(d->c.in);
  json_decref(d->c.details);
  json_decref(d->c.out);
  free(d->header);
  if (d->req) protobuf_c_message_free_unpacked(d->req, NULL);
}

/* Decodes a request of r into d->c: the JSON input, the route parameters,
 * If-Match, the raw body. SRV_E_OK, or an error with msg. */
static srv_err decode(srv *s, const rpc *r, const uint8_t *data, size_t len, decoded *d, char *msg, size_t msglen) {
  memset(d, 0, sizeof *d);
  d->c.s = s;
  if (len > (r->raw ? MAX_UPLOAD : s->opt.max_body)) {
    snprintf(msg, msglen, "request too large");
    return SRV_E_TOO_LARGE;
  }
  d->req = protobuf_c_message_unpack(r->req, NULL, len, data);
  if (!d->req) {
    snprintf(msg, msglen, "malformed request message");
    return SRV_E_INVALID_ARGUMENT;
  }
  char bad[160] = "";
  srv_call *c = &d->c;
  c->in = srv_pb_to_json(d->req, bad, sizeof bad);
  for (int i = 0; i < 2 && r->params[i]; i++) {
    json_t *v = json_object_get(c->in, r->params[i]);
    snprintf(d->params[i], sizeof d->params[i], "%s", json_is_string(v) ? json_string_value(v) : "");
    json_object_del(c->in, r->params[i]);
    if (!d->params[i][0] && !*bad) snprintf(bad, sizeof bad, "%s: required", r->params[i]);
  }
  c->params[0] = d->params[0];
  c->params[1] = d->params[1];
  json_t *rev = json_object_get(c->in, "expected_rev");
  if (rev) {
    snprintf(d->if_match, sizeof d->if_match, "%lld", (long long)json_integer_value(rev));
    c->if_match = d->if_match;
    json_object_del(c->in, "expected_rev");
  }
  if (r->body) {
    json_t *b = json_incref(json_object_get(c->in, r->body));
    json_decref(c->in);
    c->in = b ? b : json_object();
    if (!json_is_object(c->in) && !*bad) snprintf(bad, sizeof bad, "%s_json: must be a JSON object", r->body);
  }
  if (r->raw) {
    const ProtobufCFieldDescriptor *rf = field_named(r->req, r->raw), *hf = field_named(r->req, r->header);
    ProtobufCBinaryData *bin = (ProtobufCBinaryData *)((char *)d->req + rf->offset);
    c->raw = (const char *)bin->data;
    c->raw_len = bin->len;
    const char *h = *(char **)((char *)d->req + hf->offset);
    d->header = h && *h ? strdup(h) : NULL;
    c->spec_header = d->header;
    json_object_del(c->in, r->raw);
    char hk[64];
    snprintf(hk, sizeof hk, "%s", r->header);
    if (ends_with(hk, "_json")) hk[strlen(hk) - 5] = 0;
    json_object_del(c->in, hk);
  }
  if (r->shape) r->shape(c->in, NULL);
  if (*bad) {
    snprintf(msg, msglen, "%s", bad);
    return SRV_E_INVALID_ARGUMENT;
  }
  return SRV_E_OK;
}

/* Decodes the request, runs the op, encodes the answer. */
static srv_err dispatch_rpc(srv *s, const rpc *r, const uint8_t *data, size_t len, const char *authz, const char *ip,
                            uint8_t **out, size_t *out_len, char *msg, size_t msglen) {
  const char *method = r->method;
  srv_action action;
  bool noauth, notx;
  if (!srv_http_route_of(r->op, &action, &noauth, &notx)) {
    snprintf(msg, msglen, "no route for %s", method);
    return SRV_E_INTERNAL;
  }
  decoded d;
  srv_err e = decode(s, r, data, len, &d, msg, msglen);
  d.c.client_ip = ip;
  if (e == SRV_E_OK) {
    e = srv_invoke(&d.c, r->op, action, authz, noauth, notx);
    if (e != SRV_E_OK) snprintf(msg, msglen, "%s", d.c.msg);
  }
  if (e == SRV_E_OK) {
    if (!d.c.out) d.c.out = json_object();
    if (r->shape) r->shape(NULL, d.c.out);
    ProtobufCMessage *resp = srv_pb_from_json(r->resp, d.c.out);
    *out_len = protobuf_c_message_get_packed_size(resp);
    *out = malloc(*out_len ? *out_len : 1);
    protobuf_c_message_pack(resp, *out);
    protobuf_c_message_free_unpacked(resp, NULL);
  }
  decoded_free(&d);
  return e;
}

static srv_err dispatch(srv *s, const char *method, const uint8_t *data, size_t len, const char *authz, const char *ip,
                        uint8_t **out, size_t *out_len, char *msg, size_t msglen) {
  const rpc *r = NULL;
  for (size_t i = 0; i < N_RPCS && !r; i++)
    if (strcmp(rpcs[i].method, method) == 0) r = &rpcs[i];
  if (!r) {
    snprintf(msg, msglen, "unknown method %s", method);
    return (srv_err)-1; /* UNIMPLEMENTED */
  }
  return dispatch_rpc(s, r, data, len, authz, ip, out, out_len, msg, msglen);
}

/* Waits for one tag on a call's queue. */
static bool wait_on(grpc_completion_queue *cq, intptr_t tag, bool *closed) {
  for (;;) {
    grpc_event ev = grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    if (ev.type == GRPC_QUEUE_SHUTDOWN) return false;
    if ((intptr_t)ev.tag == TAG_CLOSE && closed) *closed = true;
    if ((intptr_t)ev.tag == tag) return ev.success;
  }
}

/* Sends a unary reply: initial metadata, the message (if any) and the
 * status, and waits until the batch is done. */
static void send_reply(grpc_call *call, grpc_completion_queue *cq, const uint8_t *out, size_t out_len,
                       grpc_status_code status, const char *details_text) {
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
  grpc_slice details = grpc_slice_from_copied_string(details_text);
  ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
  ops[n].data.send_status_from_server.status = status;
  ops[n++].data.send_status_from_server.status_details = &details;
  int cancelled = 0;
  ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
  ops[n++].data.recv_close_on_server.cancelled = &cancelled;
  if (grpc_call_start_batch(call, ops, (size_t)n, (void *)TAG_SEND, NULL) == GRPC_CALL_OK) wait_on(cq, TAG_SEND, NULL);
  grpc_slice_unref(details);
  if (resp) grpc_byte_buffer_destroy(resp);
}

static void metadata_authz(grpc_metadata_array *md, char *authz, size_t n) {
  authz[0] = 0;
  for (size_t i = 0; i < md->count; i++) {
    if (grpc_slice_str_cmp(md->metadata[i].key, "authorization") == 0) {
      char *v = grpc_slice_to_c_string(md->metadata[i].value);
      snprintf(authz, n, "%s", v);
      gpr_free(v);
    }
  }
}

static uint8_t *buffer_bytes(grpc_byte_buffer *b, size_t *len) {
  *len = 0;
  if (!b) return NULL;
  grpc_byte_buffer_reader rd;
  grpc_byte_buffer_reader_init(&rd, b);
  grpc_slice all = grpc_byte_buffer_reader_readall(&rd);
  *len = GRPC_SLICE_LENGTH(all);
  uint8_t *in = malloc(*len ? *len : 1);
  memcpy(in, GRPC_SLICE_START_PTR(all), *len);
  grpc_slice_unref(all);
  grpc_byte_buffer_reader_destroy(&rd);
  return in;
}

/* The client's address from the call's peer ("ipv4:1.2.3.4:5678"), for the
 * per-IP login limit, as the HTTP door does. */
static void peer_ip(grpc_call *call, char ip[64]) {
  char *peer = grpc_call_get_peer(call);
  const char *p = peer ? peer : "";
  if (strncmp(p, "ipv4:", 5) == 0) p += 5;
  else if (strncmp(p, "ipv6:", 5) == 0) p += 5;
  snprintf(ip, 64, "%s", p);
  char *colon = strrchr(ip, ':');
  if (colon) *colon = 0;
  gpr_free(peer);
}

static void serve_call(srv *s, grpc_state *g, grpc_call *call, grpc_call_details *details, grpc_metadata_array *md) {
  grpc_byte_buffer *req = NULL;
  grpc_op op = {0};
  op.op = GRPC_OP_RECV_MESSAGE;
  op.data.recv_message.recv_message = &req;
  if (grpc_call_start_batch(call, &op, 1, (void *)TAG_RECV, NULL) != GRPC_CALL_OK || !wait_on(g->ucq, TAG_RECV, NULL)) {
    if (req) grpc_byte_buffer_destroy(req);
    return;
  }
  char method[256], authz[600];
  char *m = grpc_slice_to_c_string(details->method);
  snprintf(method, sizeof method, "%s", m);
  gpr_free(m);
  metadata_authz(md, authz, sizeof authz);
  size_t in_len;
  uint8_t *in = buffer_bytes(req, &in_len);
  if (req) grpc_byte_buffer_destroy(req);
  uint8_t *out = NULL;
  size_t out_len = 0;
  char msg[300] = "";
  char ip[64];
  peer_ip(call, ip);
  srv_err e = dispatch(s, method, in ? in : (const uint8_t *)"", in_len, authz, ip, &out, &out_len, msg, sizeof msg);
  free(in);
  grpc_status_code code = (int)e == -1 ? GRPC_STATUS_UNIMPLEMENTED : (grpc_status_code)srv_err_grpc(e);
  send_reply(call, g->ucq, out, out_len, e == SRV_E_OK ? GRPC_STATUS_OK : code, e == SRV_E_OK ? "" : msg);
  free(out);
}

/* ---- server streaming: live follow of events and logs ---- */

/* Each has the unary read's request and streams its items, new ones as they
 * commit (woken by the bus, like the HTTP `?follow=1` streams). */
static const rpc streams[N_STREAM_RPCS] = {
    RPC(TelemetryService, FollowEvents, read_events, read_events_request, event, {0}),
    RPC(TelemetryService, FollowDeviceEvents, read_device_events, read_device_events_request, event, {"id"}),
    RPC(TelemetryService, FollowLogs, read_logs, read_logs_request, log_line, {"id"}),
    RPC(RolloutService, WatchRollout, get_rollout, get_rollout_request, rollout, {"id"}),
    RPC(DeviceService, WatchDevices, watch_devices, watch_devices_request, device_change, {0}),
    RPC(DataService, Stream, fetch, stream_request, message, {"name"}),
    /* Client streaming: the first message holds the fields, every message
     * may hold a piece of the image (appended in order). */
    RPC(FirmwareService, UploadFirmware, upload_firmware, upload_firmware_request, firmware, {0}, .raw = "image",
        .header = "spec_json", .client_stream = true),
};

/* Every HTTP route has an RPC (unary or stream) and vice versa. */
int srv_api_parity(char *report, size_t n) {
  int missing = 0;
  size_t k = 0;
  report[0] = 0;
  srv_err (*ops[256])(srv_call *);
  size_t nops = srv_http_ops(ops, 256);
  for (size_t i = 0; i < nops; i++) {
    bool found = false;
    for (size_t j = 0; j < N_RPCS && !found; j++) found = rpcs[j].op == ops[i];
    for (size_t j = 0; j < N_STREAM_RPCS && !found; j++) found = streams[j].op == ops[i];
    if (!found) {
      missing++;
      if (k < n) k += (size_t)snprintf(report + k, n - k, "HTTP route %zu has no RPC; ", i);
    }
  }
  for (size_t j = 0; j < N_RPCS + N_STREAM_RPCS; j++) {
    const rpc *r = j < N_RPCS ? &rpcs[j] : &streams[j - N_RPCS];
    bool found = false;
    for (size_t i = 0; i < nops && !found; i++) found = r->op == ops[i];
    if (!found) {
      missing++;
      if (k < n) k += (size_t)snprintf(report + k, n - k, "%s has no HTTP route; ", r->method);
    }
  }
  return missing;
}


typedef struct {
  srv *s;
  grpc_state *g;
  const rpc *r;
  stream_slot slot; /* the call, its queue, metadata and first message */
  worker_slot *self;
} stream_job;

static bool send_status(grpc_call *call, grpc_completion_queue *cq, srv_err e, const char *msg, bool *closed) {
  grpc_op op;
  memset(&op, 0, sizeof op);
  grpc_slice details = grpc_slice_from_copied_string(e == SRV_E_OK ? "" : msg);
  op.op = GRPC_OP_SEND_STATUS_FROM_SERVER;
  op.data.send_status_from_server.status = e == SRV_E_OK ? GRPC_STATUS_OK : (grpc_status_code)srv_err_grpc(e);
  op.data.send_status_from_server.status_details = &details;
  bool ok = grpc_call_start_batch(call, &op, 1, (void *)TAG_STATUS, NULL) == GRPC_CALL_OK && wait_on(cq, TAG_STATUS, closed);
  grpc_slice_unref(details);
  return ok;
}

/* Sends one JSON item as a message of the stream's response type. */
static bool send_item(grpc_call *call, grpc_completion_queue *cq, const ProtobufCMessageDescriptor *resp, json_t *item,
                      bool *closed) {
  ProtobufCMessage *m = srv_pb_from_json(resp, item);
  size_t n = protobuf_c_message_get_packed_size(m);
  uint8_t *buf = malloc(n ? n : 1);
  protobuf_c_message_pack(m, buf);
  protobuf_c_message_free_unpacked(m, NULL);
  grpc_slice sl = grpc_slice_from_copied_buffer((const char *)buf, n);
  free(buf);
  grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&sl, 1);
  grpc_slice_unref(sl);
  grpc_op op;
  memset(&op, 0, sizeof op);
  op.op = GRPC_OP_SEND_MESSAGE;
  op.data.send_message.send_message = bb;
  bool ok = grpc_call_start_batch(call, &op, 1, (void *)TAG_MSG, NULL) == GRPC_CALL_OK && wait_on(cq, TAG_MSG, closed);
  grpc_byte_buffer_destroy(bb);
  return ok;
}

typedef struct {
  grpc_call *call;
  grpc_completion_queue *cq;
  const ProtobufCMessageDescriptor *resp;
  bool *closed;
} feed_ctx;

static bool feed_emit(void *ctx, json_t *item) {
  feed_ctx *fc = ctx;
  if (*fc->closed) return false;
  if (!send_item(fc->call, fc->cq, fc->resp, item, fc->closed)) *fc->closed = true;
  return !*fc->closed;
}

static bool feed_idle(void *ctx) {
  feed_ctx *fc = ctx;
  grpc_event ev = grpc_completion_queue_next(fc->cq, gpr_time_0(GPR_CLOCK_REALTIME), NULL);
  if (ev.type == GRPC_OP_COMPLETE && (intptr_t)ev.tag == TAG_CLOSE) *fc->closed = true;
  return *fc->closed;
}

/* A client-streaming upload: reads every request message, appends their
 * `raw` bytes to the first one's, then runs the op once as a unary call. */
static void *upload_main(void *arg) {
  stream_job *j = arg;
  srv *s = j->s;
  const rpc *r = j->r;
  grpc_call *call = j->slot.call;
  grpc_completion_queue *cq = j->slot.cq;
  char msg[300] = "";
  srv_err e = SRV_E_OK;
  ProtobufCMessage *first = NULL;
  uint8_t *image = NULL;
  size_t image_len = 0;
  const ProtobufCFieldDescriptor *rf = field_named(r->req, r->raw);
  for (;;) {
    grpc_byte_buffer *bb = NULL;
    grpc_op op;
    memset(&op, 0, sizeof op);
    op.op = GRPC_OP_RECV_MESSAGE;
    op.data.recv_message.recv_message = &bb;
    if (grpc_call_start_batch(call, &op, 1, (void *)TAG_RECV, NULL) != GRPC_CALL_OK || !wait_on(cq, TAG_RECV, NULL)) {
      e = SRV_E_UNAVAILABLE;
      snprintf(msg, sizeof msg, "the upload stream broke");
      break;
    }
    if (!bb) break; /* the client's half-close */
    size_t n;
    uint8_t *in = buffer_bytes(bb, &n);
    grpc_byte_buffer_destroy(bb);
    ProtobufCMessage *m = protobuf_c_message_unpack(r->req, NULL, n, in);
    free(in);
    if (!m) {
      e = SRV_E_INVALID_ARGUMENT;
      snprintf(msg, sizeof msg, "malformed request message");
      break;
    }
    ProtobufCBinaryData *bin = (ProtobufCBinaryData *)((char *)m + rf->offset);
    if (image_len + bin->len > MAX_UPLOAD - 65536) {
      protobuf_c_message_free_unpacked(m, NULL);
      e = SRV_E_TOO_LARGE;
      snprintf(msg, sizeof msg, "the image is larger than %u bytes", MAX_UPLOAD - 65536);
      break;
    }
    image = realloc(image, image_len + bin->len + 1);
    if (bin->len) memcpy(image + image_len, bin->data, bin->len);
    image_len += bin->len;
    if (!first) first = m;
    else protobuf_c_message_free_unpacked(m, NULL);
  }
  uint8_t *out = NULL;
  size_t out_len = 0;
  if (e == SRV_E_OK && !first) {
    e = SRV_E_INVALID_ARGUMENT;
    snprintf(msg, sizeof msg, "no request message");
  }
  if (e == SRV_E_OK) {
    /* One request with the whole image, through the unary path. */
    ProtobufCBinaryData *bin = (ProtobufCBinaryData *)((char *)first + rf->offset);
    ProtobufCBinaryData saved = *bin;
    bin->data = image;
    bin->len = image_len;
    size_t n = protobuf_c_message_get_packed_size(first);
    uint8_t *whole = malloc(n ? n : 1);
    protobuf_c_message_pack(first, whole);
    *bin = saved;
    char authz[600], ip[64];
    metadata_authz(&j->slot.md, authz, sizeof authz);
    peer_ip(call, ip);
    e = dispatch_rpc(s, r, whole, n, authz, ip, &out, &out_len, msg, sizeof msg);
    free(whole);
  }
  if (first) protobuf_c_message_free_unpacked(first, NULL);
  free(image);
  send_reply(call, cq, out, out_len, e == SRV_E_OK ? GRPC_STATUS_OK : (grpc_status_code)srv_err_grpc(e),
             e == SRV_E_OK ? "" : msg);
  free(out);
  grpc_call_unref(call);
  grpc_completion_queue_shutdown(cq);
  while (grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN) {
  }
  grpc_completion_queue_destroy(cq);
  grpc_metadata_array_destroy(&j->slot.md);
  j->self->done = true;
  free(j);
  return NULL;
}

static void *stream_main(void *arg) {
  stream_job *j = arg;
  srv *s = j->s;
  const rpc *r = j->r;
  grpc_call *call = j->slot.call;
  grpc_completion_queue *cq = j->slot.cq;
  bool closed = false;
  int cancelled = 0;
  grpc_op ops[1];
  memset(ops, 0, sizeof ops);
  ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
  grpc_call_start_batch(call, ops, 1, (void *)TAG_INIT, NULL);
  wait_on(cq, TAG_INIT, &closed);
  memset(ops, 0, sizeof ops);
  ops[0].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
  ops[0].data.recv_close_on_server.cancelled = &cancelled;
  grpc_call_start_batch(call, ops, 1, (void *)TAG_CLOSE, NULL);

  char authz[600], msg[300] = "";
  metadata_authz(&j->slot.md, authz, sizeof authz);
  size_t len;
  uint8_t *in = buffer_bytes(j->slot.payload, &len);
  decoded d;
  srv_err e = decode(s, r, in ? in : (const uint8_t *)"", len, &d, msg, sizeof msg);
  free(in);
  char ip[64];
  peer_ip(call, ip);
  d.c.client_ip = ip;
  srv_action action;
  bool noauth, notx;
  srv_http_route_of(r->op, &action, &noauth, &notx);
  bool feed = r->op == srv_op_watch_devices || r->op == srv_op_fetch;
  if (e == SRV_E_OK && r->op == srv_op_fetch) srv_feed_prepare(&d.c);
  /* The first run authenticates, authorizes and validates, as for SSE. */
  if (e == SRV_E_OK) {
    e = srv_invoke(&d.c, r->op, action, authz, noauth, notx);
    if (e != SRV_E_OK) snprintf(msg, sizeof msg, "%s", d.c.msg);
  }
  bool logs = r->op == srv_op_read_logs, watch = r->op == srv_op_get_rollout;
  if (e == SRV_E_OK && feed) {
    srv_feed *f = r->op == srv_op_watch_devices
                      ? srv_feed_devices(s, &d.c.who, d.c.in)
                      : srv_feed_messages(s, &d.c.who, d.params[0], d.c.in, json_object_get(d.c.out, "items"));
    feed_ctx fc = {.call = call, .cq = cq, .resp = r->resp, .closed = &closed};
    e = srv_feed_run(f, feed_emit, feed_idle, &fc, msg, sizeof msg);
    srv_feed_free(f);
  } else if (e == SRV_E_OK && watch) {
    /* The object each time it changes, until a final state. */
    char *last = NULL;
    bool final = false;
    while (!closed && !s->stopping && !final) {
      uint64_t gen = srv_bus_gen(s);
      bool failed;
      json_t *o = srv_watch_fetch(s, &d.c.who, r->op, d.params[0], d.c.in, &last, &failed);
      if (failed) {
        e = SRV_E_NOT_FOUND;
        snprintf(msg, sizeof msg, "the watched object is gone");
        break;
      }
      if (o) {
        final = srv_watch_final(o);
        bool ok = send_item(call, cq, r->resp, o, &closed);
        json_decref(o);
        if (!ok) closed = true;
        continue;
      }
      srv_bus_wait(s, gen, 1000);
      grpc_event ev = grpc_completion_queue_next(cq, gpr_time_0(GPR_CLOCK_REALTIME), NULL);
      if (ev.type == GRPC_OP_COMPLETE && (intptr_t)ev.tag == TAG_CLOSE) closed = true;
    }
    free(last);
  } else if (e == SRV_E_OK) {
    int64_t after = json_integer_value(json_object_get(d.c.in, "after"));
    int64_t cursor = after > 0 ? after : srv_follow_newest(s, &d.c.who, d.params[0], logs);
    while (!closed && !s->stopping) {
      uint64_t gen = srv_bus_gen(s);
      json_t *items = srv_follow_fetch(s, &d.c.who, r->op, d.params[0], d.c.in, logs, &cursor);
      if (!items) {
        e = srv_fail(&d.c, SRV_E_UNAVAILABLE, "the stream's read failed");
        snprintf(msg, sizeof msg, "%s", d.c.msg);
        break;
      }
      size_t i;
      json_t *it;
      json_array_foreach(items, i, it) {
        bool ok = send_item(call, cq, r->resp, it, &closed);
        if (!ok) {
          closed = true;
          break;
        }
      }
      size_t got = json_array_size(items);
      json_decref(items);
      if (closed || got) continue;
      srv_bus_wait(s, gen, 1000);
      /* The client may have gone meanwhile. */
      grpc_event ev = grpc_completion_queue_next(cq, gpr_time_0(GPR_CLOCK_REALTIME), NULL);
      if (ev.type == GRPC_OP_COMPLETE && (intptr_t)ev.tag == TAG_CLOSE) closed = true;
    }
  }
  if (!closed) send_status(call, cq, e, msg, &closed);
  if (!closed) wait_on(cq, TAG_CLOSE, &closed);
  decoded_free(&d);
  grpc_call_unref(call);
  grpc_completion_queue_shutdown(cq);
  while (grpc_completion_queue_next(cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN) {
  }
  grpc_completion_queue_destroy(cq);
  grpc_metadata_array_destroy(&j->slot.md);
  if (j->slot.payload) grpc_byte_buffer_destroy(j->slot.payload);
  j->self->done = true;
  free(j);
  return NULL;
}

/* Asks for the next call of streaming method i on a fresh queue. */
static bool request_stream(grpc_state *g, int i) {
  stream_slot *sl = &g->slots[i];
  sl->cq = grpc_completion_queue_create_for_next(NULL);
  sl->call = NULL;
  sl->payload = NULL;
  grpc_metadata_array_init(&sl->md);
  return grpc_server_request_registered_call(g->server, sl->method, &sl->call, &sl->deadline, &sl->md,
                                             streams[i].client_stream ? NULL : &sl->payload, sl->cq, g->cq,
                                             sl) == GRPC_CALL_OK;
}

static void drop_slot_queue(stream_slot *sl) {
  if (!sl->cq) return;
  grpc_completion_queue_shutdown(sl->cq);
  while (grpc_completion_queue_next(sl->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN) {
  }
  grpc_completion_queue_destroy(sl->cq);
  sl->cq = NULL;
  grpc_metadata_array_destroy(&sl->md);
}

/* Starts a worker for an arrived streaming call (or refuses it when
 * MAX_STREAMS are open). */
static void start_stream(srv *s, grpc_state *g, int i) {
  stream_slot *sl = &g->slots[i];
  worker_slot *w = NULL;
  pthread_mutex_lock(&g->wlock);
  for (int k = 0; k < MAX_STREAMS && !w; k++) {
    if (g->workers[k].used && g->workers[k].done) {
      pthread_join(g->workers[k].thread, NULL);
      g->workers[k].used = false;
    }
    if (!g->workers[k].used) w = &g->workers[k];
  }
  if (w) {
    stream_job *j = calloc(1, sizeof *j);
    *j = (stream_job){.s = s, .g = g, .r = &streams[i], .slot = *sl, .self = w};
    w->used = true;
    w->done = false;
    if (pthread_create(&w->thread, NULL, streams[i].client_stream ? upload_main : stream_main, j) != 0) {
      w->used = false;
      free(j);
      w = NULL;
    }
  }
  pthread_mutex_unlock(&g->wlock);
  if (!w) { /* refuse: too many open streams */
    bool closed = false;
    grpc_op op;
    memset(&op, 0, sizeof op);
    op.op = GRPC_OP_SEND_INITIAL_METADATA;
    grpc_call_start_batch(sl->call, &op, 1, (void *)TAG_INIT, NULL);
    wait_on(sl->cq, TAG_INIT, &closed);
    send_status(sl->call, sl->cq, SRV_E_RESOURCE_EXHAUSTED, "too many open streams", &closed);
    grpc_call_unref(sl->call);
    if (sl->payload) grpc_byte_buffer_destroy(sl->payload);
    drop_slot_queue(sl);
  }
  sl->cq = NULL; /* now the worker's (or gone) */
}

static bool request_unary(grpc_state *g) {
  g->call = NULL;
  grpc_call_details_init(&g->details);
  grpc_metadata_array_init(&g->md);
  return grpc_server_request_call(g->server, &g->call, &g->details, &g->md, g->ucq, g->cq, &g->generic_tag) == GRPC_CALL_OK;
}

static void *loop(void *arg) {
  srv *s = arg;
  grpc_state *g = s->grpc;
  bool unary_pending = request_unary(g);
  for (int i = 0; i < N_STREAM_RPCS; i++) request_stream(g, i);
  for (;;) {
    grpc_event ev = grpc_completion_queue_next(g->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    if (ev.type == GRPC_QUEUE_SHUTDOWN) break;
    if ((intptr_t)ev.tag == TAG_SHUTDOWN) {
      g->shutdown_seen = true;
      break;
    }
    if (ev.tag == &g->generic_tag) {
      if (ev.success && g->call) serve_call(s, g, g->call, &g->details, &g->md);
      if (g->call) grpc_call_unref(g->call);
      grpc_call_details_destroy(&g->details);
      grpc_metadata_array_destroy(&g->md);
      unary_pending = ev.success && request_unary(g);
      continue;
    }
    for (int i = 0; i < N_STREAM_RPCS; i++) {
      if (ev.tag != &g->slots[i]) continue;
      if (ev.success && g->slots[i].call) {
        start_stream(s, g, i);
        request_stream(g, i);
      } else {
        if (g->slots[i].call) grpc_call_unref(g->slots[i].call);
        if (g->slots[i].payload) grpc_byte_buffer_destroy(g->slots[i].payload);
        g->slots[i].call = NULL;
        g->slots[i].payload = NULL;
      }
    }
  }
  (void)unary_pending;
  return NULL;
}

int srv_grpc_start(srv *s, char *err, int errlen) {
  grpc_init();
  grpc_state *g = calloc(1, sizeof *g);
  pthread_mutex_init(&g->wlock, NULL);
  grpc_arg arg = {.type = GRPC_ARG_INTEGER, .key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
                  .value.integer = (int)MAX_UPLOAD + 4096};
  grpc_channel_args args = {.num_args = 1, .args = &arg};
  g->server = grpc_server_create(&args, NULL);
  g->cq = grpc_completion_queue_create_for_next(NULL);
  g->ucq = grpc_completion_queue_create_for_next(NULL);
  grpc_server_register_completion_queue(g->server, g->cq, NULL);
  for (int i = 0; i < N_STREAM_RPCS; i++)
    g->slots[i].method = grpc_server_register_method(
        g->server, streams[i].method, NULL,
        streams[i].client_stream ? GRPC_SRM_PAYLOAD_NONE : GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
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
    grpc_completion_queue_shutdown(g->ucq);
    grpc_completion_queue_destroy(g->ucq);
    pthread_mutex_destroy(&g->wlock);
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
  for (int k = 0; k < MAX_STREAMS; k++)
    if (g->workers[k].used) pthread_join(g->workers[k].thread, NULL);
  grpc_server_destroy(g->server);
  grpc_completion_queue_shutdown(g->cq);
  while (grpc_completion_queue_next(g->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN) {
  }
  grpc_completion_queue_destroy(g->cq);
  grpc_completion_queue_shutdown(g->ucq);
  while (grpc_completion_queue_next(g->ucq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type != GRPC_QUEUE_SHUTDOWN) {
  }
  grpc_completion_queue_destroy(g->ucq);
  for (int i = 0; i < N_STREAM_RPCS; i++) drop_slot_queue(&g->slots[i]);
  pthread_mutex_destroy(&g->wlock);
  free(g);
  s->grpc = NULL;
  grpc_shutdown();
}
