/* The fleet server: its context, the credential a call acts with, and the
 * call record that both front doors (HTTP/JSON now, gRPC later) fill in and
 * hand to the srv_op_* functions, which hold all behaviour. */
#ifndef TOIT_SRV_H
#define TOIT_SRV_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "srv_db.h"
#include "srv_errors.h"
#include "srv_event_kinds.h"

typedef struct srv_rate srv_rate;
typedef struct srv_bus srv_bus;

typedef struct {
  const char *db_url;       /* "sqlite:PATH" or "postgres://..." */
  const char *http_addr;    /* "[HOST]:PORT"; port 0 picks a free one */
  const char *port_file;    /* if set, the bound HTTP port is written here */
  const char *data_dir;     /* blobs live under DATA/blobs (default fleet-data) */
  const char *grpc_addr;    /* "HOST:PORT" for gRPC, NULL = none */
  const char *grpc_port_file;
  const char *admin_email;  /* first start: admin user (default admin@localhost) */
  const char *admin_password; /* first start: NULL = random, printed */
  bool demo;
  bool test_hooks;
  size_t max_body;          /* API request bodies (default 1 MiB) */
  double api_rate;          /* requests per second per credential (default 20) */
  double device_rate;       /* device syncs per second per device (default 1, burst 10) */
  int sweep_ms;             /* rollout evaluation period (default 30000) */
} srv_options;

typedef struct srv {
  srv_options opt;
  srv_db *db;
  pthread_mutex_t lock; /* serializes database access */
  struct MHD_Daemon *httpd;
  int http_port;
  srv_rate *rate;
  int64_t started_ms;
  volatile bool stopping; /* ends live streams */
  void *grpc;             /* srv_grpc.c state */
  int grpc_port;
  srv_bus *bus;           /* wakes live streams (srv_bus.c) */
  bool bus_dirty;         /* events/logs written in the open transaction */
  char bus_org[40];
  pthread_t sweeper;
  bool sweeping;
} srv;

typedef enum { SRV_ROLE_NONE, SRV_ROLE_VIEWER, SRV_ROLE_MEMBER, SRV_ROLE_ADMIN, SRV_ROLE_PROVISIONER, SRV_ROLE_PUBLISHER } srv_role;

const char *srv_role_name(srv_role r);
srv_role srv_role_parse(const char *s); /* SRV_ROLE_NONE if unknown */

/* SRV_WHO_ROLLOUT: the rollout evaluator acting on its own (key_id holds
 * the rollout id); never a credential. */
typedef enum { SRV_WHO_NONE, SRV_WHO_SESSION, SRV_WHO_API_KEY, SRV_WHO_ROLLOUT } srv_who_kind;

typedef struct {
  srv_who_kind kind;
  char org_id[37];
  char user_id[37];
  char session_id[37];
  char key_id[37];
  srv_role role;
  char display[256]; /* email, or key name */
} srv_who;

/* What a call may do (FLEET.md §3.3), each with the roles allowed. */
#define SRV_ACTIONS(X)                                                          \
  X(READ, SRV_RM(VIEWER) | SRV_RM(MEMBER) | SRV_RM(ADMIN))                      \
  X(OPERATE, SRV_RM(MEMBER) | SRV_RM(ADMIN))                                   \
  X(CLAIM, SRV_RM(MEMBER) | SRV_RM(ADMIN) | SRV_RM(PROVISIONER))               \
  X(PROVISION, SRV_RM(ADMIN) | SRV_RM(PROVISIONER))                            \
  X(ADMIN, SRV_RM(ADMIN))                                                       \
  X(DATA, SRV_RM(MEMBER) | SRV_RM(ADMIN) | SRV_RM(PUBLISHER))                   \
  X(SELF, SRV_RM(VIEWER) | SRV_RM(MEMBER) | SRV_RM(ADMIN) | SRV_RM(PROVISIONER) | SRV_RM(PUBLISHER))
#define SRV_RM(r) (1u << SRV_ROLE_##r)
typedef enum {
#define X(a, mask) SRV_ACT_##a,
  SRV_ACTIONS(X)
#undef X
} srv_action;
bool srv_role_allows(srv_role r, srv_action a);

#define SRV_MAX_PARAMS 4

typedef struct {
  srv *s;
  srv_who who;
  const char *params[SRV_MAX_PARAMS]; /* path segments captured by the route */
  json_t *in;                         /* request body or query arguments */
  const char *if_match;               /* HTTP If-Match / expected_rev */
  const char *client_ip;
  const char *raw;         /* binary request body (image uploads) */
  size_t raw_len;
  const char *spec_header; /* X-App-Spec */
  /* Results. */
  srv_err err;
  char msg[256];
  json_t *details;
  json_t *out;
  int created; /* 1: the answer is a new object (HTTP 201) */
} srv_call;

/* Sets the call's error; returns the code so ops can `return srv_fail(...)`. */
srv_err srv_fail(srv_call *c, srv_err e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* invalid_argument naming a field in details. */
srv_err srv_bad_field(srv_call *c, const char *field, const char *why);

/* Reads a string field of c->in: NULL when absent or null, sets an error
 * (and *bad) when present but not a string. */
const char *srv_in_str(srv_call *c, const char *field, bool *bad);

/* Reads an integer field (JSON number or decimal string, as query arguments
 * arrive): dflt when absent; invalid_argument outside [min, max]. */
srv_err srv_in_int(srv_call *c, const char *field, int64_t dflt, int64_t min, int64_t max, int64_t *out);

/* Records an event in the current transaction. Returns 0 or -1. */
int srv_event_add(srv_call *c, const char *device_id, srv_event_kind kind, json_t *before, json_t *after,
                  json_t *data, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* Same, with an explicit org (for org creation and joins). */
int srv_event_add_org(srv_call *c, const char *org_id, const char *device_id, srv_event_kind kind, json_t *before,
                      json_t *after, json_t *data, const char *summary);

/* Time value for JSON: RFC 3339 string, or null when ms <= 0 / NULL column. */
json_t *srv_json_time(int64_t ms);

/* Runs op for a front door: authenticates `authorization` (unless
 * noauth), applies the per-credential rate limit and the role check for
 * `action`, then calls op inside one transaction (unless notx). The result
 * is in c (err, msg, details, out). */
srv_err srv_invoke(srv_call *c, srv_err (*op)(srv_call *c), srv_action action, const char *authorization, bool noauth,
                   bool notx);

/* gRPC front door (srv_grpc.c): started when opt.grpc_addr is set. */
int srv_grpc_start(srv *s, char *err, int errlen);
void srv_grpc_stop(srv *s);

/* Server life cycle. */
srv *srv_start(const srv_options *opt, char *err, int errlen);
void srv_stop(srv *s);

/* Credentials (srv_auth.c). Resolves an Authorization header value. */
srv_err srv_auth_bearer(srv *s, const char *header, srv_who *who);
int srv_auth_first_start(srv *s, char *err, int errlen);
/* Argon2id hash of a password (crypto_pwhash_str); out holds 128 bytes. */
int srv_auth_hash_password(srv *s, const char *pw, char out[128]);
bool srv_auth_check_password(const char *hash, const char *pw);
/* Creates a session for user in org and writes the login answer into c->out. */
srv_err srv_auth_new_session(srv_call *c, const char *user_id, const char *org_id);
/* Mints an API key secret "tk_<prefix>_<32>" (prefix 8 chars). */
void srv_auth_new_key_secret(char secret[46], char prefix[9]);

/* Rate limiting (srv_rate.c): token buckets keyed by a string. */
srv_rate *srv_rate_new(void);
void srv_rate_free(srv_rate *r);
/* Takes one token from bucket `key` (rate per second, burst); false = limited. */
bool srv_rate_take(srv_rate *r, const char *key, double rate, double burst, int64_t now_ms);
/* True if a token is available, without taking it. */
bool srv_rate_peek(srv_rate *r, const char *key, double rate, double burst, int64_t now_ms);

/* Operations (one function per FLEET.md operation). */
#define SRV_OPS(X)                                                  \
  X(login) X(refresh) X(logout) X(switch_org) X(whoami)             \
  X(create_org) X(get_org) X(update_org)                            \
  X(list_members) X(set_member_role) X(remove_member)               \
  X(invite_member) X(list_invites) X(revoke_invite) X(accept_invite) \
  X(create_api_key) X(list_api_keys) X(revoke_api_key)              \
  X(read_events) X(get_info)                                        \
  X(claim_devices) X(list_devices) X(get_device) X(update_device)   \
  X(unclaim_device) X(configure_device) X(get_goal) X(get_state)    \
  X(read_device_events) X(read_logs) X(query_metrics)               \
  X(upload_app_version) X(list_app_versions) X(list_apps) X(get_app) \
  X(install_app) X(uninstall_app) X(list_installations)             \
  X(publish) X(list_topics) X(create_subscription)                  \
  X(delete_subscription) X(list_subscriptions) X(fetch) X(ack)      \
  X(create_group) X(list_groups) X(get_group) X(update_group)       \
  X(delete_group) X(configure_group) X(set_group_app)               \
  X(remove_group_app) X(favourite_device) X(unfavourite_device)     \
  X(favourite_group) X(unfavourite_group) X(list_favourites)        \
  X(create_simulator) X(list_simulators) X(start_simulator)         \
  X(stop_simulator) X(delete_simulator) X(fleet_summary)            \
  X(preview_rollout) X(create_rollout) X(list_rollouts)             \
  X(get_rollout) X(start_rollout) X(pause_rollout) X(resume_rollout) \
  X(halt_rollout) X(rollback_rollout) X(abort_rollout)             \
  X(upload_firmware) X(list_firmware) X(get_firmware)               \
  X(delete_firmware) X(set_firmware) X(watch_devices)
#define X(name) srv_err srv_op_##name(srv_call *c);
SRV_OPS(X)
#undef X

/* Rollout evaluation (srv_ops_rollout.c): one step of every running
 * rollout, each in its own transaction; run by the sweeper thread. */
void srv_rollout_sweep(srv *s);

/* The live-stream bus (srv_bus.c). Writers call srv_bus_mark (lock held)
 * when they insert events or logs, and srv_bus_publish after their commit;
 * streams wait with srv_bus_wait for a generation other than the one seen. */
int srv_bus_start(srv *s, const char *db_url);
void srv_bus_stop(srv *s);
void srv_bus_mark(srv *s, const char *org);
void srv_bus_publish(srv *s);
void srv_bus_notify(srv *s);
uint64_t srv_bus_gen(srv *s);
bool srv_bus_wait(srv *s, uint64_t seen, int timeout_ms);
uint64_t srv_bus_notifies_received(srv *s);

/* Device endpoints (srv_sync.c): POST /d/v1/provision and /d/v1/sync. */
typedef struct {
  int status;
  json_t *body;
  int retry_after;
  char *raw; /* binary answer (blob bytes), malloc'd; body is NULL then */
  size_t raw_len;
  char content_range[96];
} srv_dev_reply;

/* Group by id or name in the caller's org (srv_ops_device.c). */
bool srv_group_resolve(srv_call *c, const char *g, char id[37]);
/* Goal entry for an app version (srv_ops_app.c). */
json_t *srv_app_entry(srv_call *c, const char *app);

/* Sets (value) or removes (NULL) one field of a group's layer, recording
 * `kind`; c->out gets {rev, group_id} (srv_ops_group.c). */
srv_err srv_group_set_field(srv_call *c, const char *group, const char *field, json_t *value, srv_event_kind kind,
                            const char *what);
/* Stores bytes in the blob store under their SHA-256 (idempotent). */
int srv_blob_put(srv *s, const char *data, size_t len, char sha[65]);
/* The goal's `firmware` entry {version, sha256, size, url_path, sig} for a
 * release of the caller's org (srv_ops_firmware.c); release_target may be
 * NULL when the version exists for one target only. NULL with c->err set. */
json_t *srv_firmware_entry(srv_call *c, const char *version, const char *release_target);
/* Why a device running `running` (NULL: not reported) may not take the
 * firmware goal entry (its min_from_version): "firmware_too_old" or
 * "firmware_unknown"; NULL when it may. */
const char *srv_firmware_blocked(json_t *entry, const char *running);

/* Pub/sub helpers (srv_ops_data.c). */
bool srv_topic_ok(const char *t);
int srv_topic_touch(srv *s, const char *org, const char *topic, const char *kind);

/* Path of a blob file: DATA/blobs/ab/cdef... */
void srv_blob_path(srv *s, const char *sha, char *out, size_t n);
void srv_device_request(srv *s, const char *method, const char *path, const char *auth, const char *body, size_t len,
                        const char *range, srv_dev_reply *r);

/* Live follow (srv_sse.c): an SSE response that re-runs `op` (a logs or
 * events read) after a cursor. c has passed authentication and the op's
 * checks once already. */
struct MHD_Response;
/* Shared by SSE and gRPC streams: runs the read op (logs or events) as `who`
 * after *cursor (100 items at most) and advances the cursor; the items, or
 * NULL when the op fails. srv_follow_newest: the cursor of "from now on". */
json_t *srv_follow_fetch(srv *s, const srv_who *who, srv_err (*op)(srv_call *c), const char *param, json_t *filters,
                         bool logs, int64_t *cursor);
int64_t srv_follow_newest(srv *s, const srv_who *who, const char *device, bool logs);
/* Watches (WatchRollout): runs the get op as `who`; the object when it
 * differs from *last (which it replaces), else NULL (*failed on error).
 * srv_watch_final: the object's state is one a rollout never leaves. */
json_t *srv_watch_fetch(srv *s, const srv_who *who, srv_err (*op)(srv_call *c), const char *param, json_t *filters,
                         char **last, bool *failed);
bool srv_watch_final(json_t *o);
/* SSE of the get op's object each time it changes, ending at a final state. */
struct MHD_Response *srv_sse_watch(srv_call *c, srv_err (*op)(srv_call *c));
struct MHD_Response *srv_sse_start(srv_call *c, srv_err (*op)(srv_call *c), bool logs, const char *last_event_id);

/* Feeds (srv_feed.c): WatchDevices and the data Stream, for SSE and gRPC.
 * srv_feed_next runs one round: the items to send now (maybe none; NULL and
 * *err on failure) and in *wait_ms how soon it wants the next round at the
 * latest (sooner when the bus moves). */
typedef struct srv_feed srv_feed;
srv_feed *srv_feed_devices(srv *s, const srv_who *who, json_t *in);
/* first: the items the validating first fetch leased (sent first). */
srv_feed *srv_feed_messages(srv *s, const srv_who *who, const char *sub, json_t *in, json_t *first);
/* Before a data Stream's first (validating) fetch: the default max_inflight. */
void srv_feed_prepare(srv_call *c);
json_t *srv_feed_next(srv_feed *f, int *wait_ms, srv_err *err, char *msg, size_t msglen);
int64_t srv_feed_item_id(srv_feed *f, json_t *item); /* the SSE id: message id, or a sequence */
srv *srv_feed_srv(const srv_feed *f);
void srv_feed_free(srv_feed *f);
/* Runs a feed until the client leaves (emit false or idle true) or the
 * server stops. */
srv_err srv_feed_run(srv_feed *f, bool (*emit)(void *ctx, json_t *item), bool (*idle)(void *ctx), void *ctx, char *msg,
                     size_t msglen);
/* SSE of a feed (takes it over). */
struct MHD_Response *srv_sse_feed(srv_feed *feed);

/* HTTP front door (srv_http.c). The route table is also the gRPC door's
 * source of each op's action and flags. */
size_t srv_http_ops(srv_err (**ops)(srv_call *c), size_t max);
bool srv_http_route_of(srv_err (*op)(srv_call *c), srv_action *action, bool *noauth, bool *notx);
/* Every HTTP op has an RPC and vice versa (srv_grpc.c); returns how many do
 * not, naming them in report. */
int srv_api_parity(char *report, size_t n);
/* HTTP front door (srv_http.c). */
int srv_http_start(srv *s, char *err, int errlen);
void srv_http_stop(srv *s);

#endif
