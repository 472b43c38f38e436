/* A scripted device that speaks the sync protocol (FLEET.md §2), for tests,
 * the demo and the load bench. Until the device runtime exists this is the
 * only client of /d/v1.
 *
 *   fleet-device provision --server URL --key KEY --identity FILE [--claim NAME]
 *   fleet-device sync --identity FILE [--count N] [--interval S] [--logs K] [--metrics K]
 *   fleet-device load --server URL --key KEY --devices N --rate R --duration S [--threads T]
 *
 * The identity file holds hardware_id, secret, claim code, the device token
 * once handed over, and the persisted counters (req, log/metric seq). */
#include <curl/curl.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  char *buf;
  size_t len;
} membuf;

static size_t on_data(char *p, size_t size, size_t n, void *ud) {
  membuf *m = ud;
  size_t k = size * n;
  m->buf = realloc(m->buf, m->len + k + 1);
  memcpy(m->buf + m->len, p, k);
  m->len += k;
  m->buf[m->len] = 0;
  return k;
}

/* POSTs body to url with an Authorization header; returns the HTTP status
 * (0 on transport failure) and the parsed answer in *out. */
static long post(CURL *curl, const char *url, const char *auth, json_t *body, json_t **out) {
  char *text = json_dumps(body, JSON_COMPACT);
  char hdr[512];
  snprintf(hdr, sizeof hdr, "Authorization: %s", auth);
  struct curl_slist *h = curl_slist_append(NULL, hdr);
  h = curl_slist_append(h, "Content-Type: application/json");
  membuf m = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, text);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &m);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(h);
  free(text);
  *out = m.len ? json_loadb(m.buf, m.len, 0, NULL) : NULL;
  free(m.buf);
  return status;
}

static const char *arg(int argc, char **argv, const char *name, const char *dflt) {
  for (int i = 1; i + 1 < argc; i++)
    if (strcmp(argv[i], name) == 0) return argv[i + 1];
  return dflt;
}

static int save_identity(const char *path, json_t *id) {
  char tmp[1100];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  if (json_dump_file(id, tmp, JSON_INDENT(2)) != 0) return -1;
  return rename(tmp, path); /* atomic replace, like the device's config store */
}

static int cmd_provision(int argc, char **argv) {
  const char *server = arg(argc, argv, "--server", NULL), *key = arg(argc, argv, "--key", NULL),
             *path = arg(argc, argv, "--identity", NULL), *claim = arg(argc, argv, "--claim", NULL);
  if (!server || !key || !path) {
    fprintf(stderr, "usage: fleet-device provision --server URL --key KEY --identity FILE [--claim NAME]\n");
    return 2;
  }
  CURL *curl = curl_easy_init();
  char url[600], auth[600];
  snprintf(url, sizeof url, "%s/d/v1/provision", server);
  snprintf(auth, sizeof auth, "Bearer %s", key);
  json_t *body = json_object(), *out;
  long st = post(curl, url, auth, body, &out);
  json_decref(body);
  if (st != 201 || !out) {
    fprintf(stderr, "fleet-device: provision failed (HTTP %ld)\n", st);
    return 1;
  }
  json_object_set_new(out, "server", json_string(server));
  json_object_set_new(out, "req", json_integer(0));
  json_object_set_new(out, "log_seq", json_integer(0));
  json_object_set_new(out, "metric_seq", json_integer(0));
  if (claim) {
    snprintf(url, sizeof url, "%s/api/v1/devices/claim", server);
    json_t *c = json_pack("{s:[{s:O,s:s}]}", "items", "claim_code", json_object_get(out, "claim_code"), "name", claim), *res;
    st = post(curl, url, auth, c, &res);
    json_decref(c);
    const char *status = json_string_value(json_object_get(json_array_get(json_object_get(res, "items"), 0), "status"));
    if (st != 200 || !status || strcmp(status, "claimed") != 0) {
      fprintf(stderr, "fleet-device: claim failed (HTTP %ld, %s)\n", st, status ? status : "?");
      json_decref(res);
      return 1;
    }
    json_decref(res);
  }
  curl_easy_cleanup(curl);
  if (save_identity(path, out) != 0) {
    fprintf(stderr, "fleet-device: cannot write %s\n", path);
    return 1;
  }
  printf("provisioned %s (claim code %s)\n", json_string_value(json_object_get(out, "hardware_id")),
         json_string_value(json_object_get(out, "claim_code")));
  json_decref(out);
  return 0;
}

static const char *const messages[] = {"sensor read ok", "temperature 21.5 C", "wifi rssi -61 dBm", "valve closed",
                                       "uploading batch"};

/* One check-in of a device described by id (updated in place). */
static long sync_once(CURL *curl, json_t *id, const char *boot, int nlogs, int nmetrics, int64_t uptime, char *err,
                      size_t errlen) {
  char url[600], auth[300];
  snprintf(url, sizeof url, "%s/d/v1/sync", json_string_value(json_object_get(id, "server")));
  const char *token = json_string_value(json_object_get(id, "token"));
  if (token)
    snprintf(auth, sizeof auth, "Device %s.%s", json_string_value(json_object_get(id, "device_id")), token);
  else
    snprintf(auth, sizeof auth, "Hardware %s.%s", json_string_value(json_object_get(id, "hardware_id")),
             json_string_value(json_object_get(id, "secret")));
  int64_t req = json_integer_value(json_object_get(id, "req")) + 1;
  int64_t lseq = json_integer_value(json_object_get(id, "log_seq")), mseq = json_integer_value(json_object_get(id, "metric_seq"));
  json_t *body = json_pack("{s:i,s:s,s:I,s:I}", "v", 1, "boot", boot, "req", (json_int_t)req, "up", (json_int_t)uptime);
  json_t *goal = json_object_get(id, "goal");
  if (goal) json_object_set_new(body, "goal", json_pack("{s:O,s:O}", "rev", json_object_get(goal, "rev"), "sum", json_object_get(goal, "sum")));
  if (json_object_get(id, "state_sum")) json_object_set(body, "state_sum", json_object_get(id, "state_sum"));
  if (nlogs > 0) {
    json_t *items = json_array();
    for (int i = 0; i < nlogs; i++)
      json_array_append_new(items, json_pack("{s:I,s:I,s:s,s:s,s:s}", "seq", (json_int_t)(lseq + 1 + i), "up",
                                             (json_int_t)uptime, "app", "sensor", "lvl", i % 7 == 6 ? "warn" : "info", "msg",
                                             messages[(lseq + i) % 5]));
    json_object_set_new(body, "up_logs", json_pack("{s:i,s:o}", "dropped", 0, "items", items));
  }
  if (nmetrics > 0) {
    json_t *items = json_array();
    for (int i = 0; i < nmetrics; i++)
      json_array_append_new(items, json_pack("{s:I,s:s,s:s,s:f}", "seq", (json_int_t)(mseq + 1 + i), "n",
                                             i % 2 ? "heap.free_bytes" : "battery.pct", "k", "g", "v",
                                             i % 2 ? 60000.0 + (double)(rand() % 5000) : 50.0 + 40.0 * sin((double)(mseq + i) / 10)));
    json_object_set_new(body, "up_metrics", json_pack("{s:i,s:o}", "dropped", 0, "items", items));
  }
  json_t *out;
  long st = post(curl, url, auth, body, &out);
  json_decref(body);
  if (st != 200 || !out) {
    snprintf(err, errlen, "HTTP %ld %s", st, out ? json_string_value(json_object_get(out, "error")) : "");
    json_decref(out);
    if (st == 403 && token) { /* unclaimed: back to the hardware credentials */
      json_object_del(id, "token");
      json_object_del(id, "device_id");
      json_object_del(id, "goal");
    }
    return st ? st : -1;
  }
  json_object_set_new(id, "req", json_integer(req));
  json_t *acc = json_object_get(out, "accepted");
  if (json_is_integer(json_object_get(acc, "logs"))) json_object_set(id, "log_seq", json_object_get(acc, "logs"));
  if (json_is_integer(json_object_get(acc, "metrics"))) json_object_set(id, "metric_seq", json_object_get(acc, "metrics"));
  json_t *a = json_object_get(out, "auth");
  if (json_is_object(a)) {
    json_object_set(id, "device_id", json_object_get(a, "device_id"));
    json_object_set(id, "token", json_object_get(a, "token"));
  }
  json_t *g = json_object_get(out, "goal");
  if (json_is_object(g)) {
    json_object_set(id, "goal", g);
    /* Apply at once and report: this device has nothing to install. */
    char ssum[33];
    snprintf(ssum, sizeof ssum, "%.24s%08llx", json_string_value(json_object_get(g, "sum")), (unsigned long long)req);
    json_object_set_new(id, "state_sum", json_string(ssum));
    json_object_set_new(id, "pending_state", json_true());
  }
  if (json_is_true(json_object_get(out, "state_wanted")) || json_is_true(json_object_get(id, "pending_state"))) {
    json_object_set_new(id, "pending_state", json_true());
  }
  if (json_object_get(out, "claimed") == json_false()) snprintf(err, errlen, "unclaimed");
  json_decref(out);
  return 200;
}

/* Sends the reported state (applied goal, firmware, power) when pending. */
static void report_state(CURL *curl, json_t *id, const char *boot, int64_t uptime) {
  if (!json_is_true(json_object_get(id, "pending_state")) || !json_object_get(id, "token")) return;
  json_t *g = json_object_get(id, "goal");
  char url[600], auth[300];
  snprintf(url, sizeof url, "%s/d/v1/sync", json_string_value(json_object_get(id, "server")));
  snprintf(auth, sizeof auth, "Device %s.%s", json_string_value(json_object_get(id, "device_id")),
           json_string_value(json_object_get(id, "token")));
  int64_t req = json_integer_value(json_object_get(id, "req")) + 1;
  if (!json_object_get(id, "state_sum")) json_object_set_new(id, "state_sum", json_string("00000000000000000000000000000000"));
  json_t *state = json_pack("{s:O,s:O,s:{s:s},s:{s:i,s:b},s:{s:s}}", "applied_rev", json_object_get(g, "rev"),
                            "applied_sum", json_object_get(g, "sum"), "firmware", "running_version", "v0.1.0", "power",
                            "battery_pct", 80, "plugged", 0, "sync", "status", "green");
  json_t *body = json_pack("{s:i,s:s,s:I,s:I,s:O,s:o,s:{s:O,s:O}}", "v", 1, "boot", boot, "req", (json_int_t)req, "up",
                           (json_int_t)uptime, "state_sum", json_object_get(id, "state_sum"), "state", state, "goal", "rev",
                           json_object_get(g, "rev"), "sum", json_object_get(g, "sum"));
  json_t *out;
  if (post(curl, url, auth, body, &out) == 200) {
    json_object_set_new(id, "req", json_integer(req));
    json_object_del(id, "pending_state");
  }
  json_decref(out);
  json_decref(body);
}

static int cmd_sync(int argc, char **argv) {
  const char *path = arg(argc, argv, "--identity", NULL);
  int count = atoi(arg(argc, argv, "--count", "1")), nlogs = atoi(arg(argc, argv, "--logs", "0")),
      nmetrics = atoi(arg(argc, argv, "--metrics", "0"));
  double interval = atof(arg(argc, argv, "--interval", "0"));
  if (!path) {
    fprintf(stderr, "usage: fleet-device sync --identity FILE [--count N|0=forever] [--interval S] [--logs K] [--metrics K]\n");
    return 2;
  }
  json_t *id = json_load_file(path, 0, NULL);
  if (!json_is_object(id)) {
    fprintf(stderr, "fleet-device: cannot read %s\n", path);
    return 1;
  }
  char boot[33];
  snprintf(boot, sizeof boot, "%08x%08x", (unsigned)time(NULL), (unsigned)getpid());
  CURL *curl = curl_easy_init();
  int failures = 0;
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int n = 0; count == 0 || n < count; n++) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t up = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
    char err[128] = "";
    long st = sync_once(curl, id, boot, nlogs, nmetrics, up, err, sizeof err);
    if (st == 200) report_state(curl, id, boot, up);
    save_identity(path, id);
    json_t *g = json_object_get(id, "goal");
    printf("sync %d: %s%s goal rev %lld, logs accepted %lld\n", n + 1, st == 200 ? "ok" : "error ", st == 200 ? err : err,
           (long long)json_integer_value(json_object_get(g, "rev")), (long long)json_integer_value(json_object_get(id, "log_seq")));
    fflush(stdout);
    if (st != 200) failures++;
    if (interval > 0 && (count == 0 || n + 1 < count)) usleep((useconds_t)(interval * 1e6));
  }
  curl_easy_cleanup(curl);
  json_decref(id);
  return failures ? 1 : 0;
}

/* Load generator: N devices, shared among T threads, R check-ins/s overall. */
typedef struct {
  json_t **ids;
  int first, count;
  double rate; /* per thread */
  double duration;
  int64_t ok, errors;
  double *lat;
  size_t nlat, caplat;
} worker;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *work(void *arg) {
  worker *w = arg;
  CURL *curl = curl_easy_init();
  double start = now_s(), next = start;
  int k = 0;
  char boot[17];
  snprintf(boot, sizeof boot, "%016llx", (unsigned long long)(uintptr_t)w);
  while (now_s() - start < w->duration) {
    double t = now_s();
    if (t < next) {
      usleep((useconds_t)((next - t) * 1e6));
      continue;
    }
    next += 1.0 / w->rate;
    json_t *id = w->ids[w->first + (k++ % w->count)];
    char err[128];
    double t1 = now_s();
    long st = sync_once(curl, id, boot, 0, 0, (int64_t)((t1 - start) * 1000), err, sizeof err);
    double dt = now_s() - t1;
    if (st == 200) {
      w->ok++;
      if (w->nlat == w->caplat) {
        w->caplat = w->caplat ? w->caplat * 2 : 4096;
        w->lat = realloc(w->lat, w->caplat * sizeof(double));
      }
      w->lat[w->nlat++] = dt;
    } else {
      w->errors++;
    }
  }
  curl_easy_cleanup(curl);
  return NULL;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int cmd_load(int argc, char **argv) {
  const char *server = arg(argc, argv, "--server", NULL), *key = arg(argc, argv, "--key", NULL);
  int ndev = atoi(arg(argc, argv, "--devices", "100")), threads = atoi(arg(argc, argv, "--threads", "8"));
  double rate = atof(arg(argc, argv, "--rate", "100")), duration = atof(arg(argc, argv, "--duration", "10"));
  if (!server || !key || ndev < 1 || threads < 1 || threads > 256 || rate <= 0 || duration <= 0) {
    fprintf(stderr, "usage: fleet-device load --server URL --key KEY --devices N --rate R --duration S [--threads T]\n");
    return 2;
  }
  CURL *curl = curl_easy_init();
  char url[600], auth[600];
  snprintf(auth, sizeof auth, "Bearer %s", key);
  json_t **ids = calloc((size_t)ndev, sizeof *ids);
  double t0 = now_s();
  /* Provision and claim in batches of 100, then hand over tokens. */
  for (int b = 0; b < ndev; b += 100) {
    json_t *items = json_array();
    for (int i = b; i < ndev && i < b + 100; i++) {
      json_t *out, *body = json_object();
      snprintf(url, sizeof url, "%s/d/v1/provision", server);
      long st = post(curl, url, auth, body, &out);
      json_decref(body);
      if (st != 201) {
        fprintf(stderr, "fleet-device: provision failed (HTTP %ld)\n", st);
        return 1;
      }
      json_object_set_new(out, "server", json_string(server));
      ids[i] = out;
      char name[32];
      snprintf(name, sizeof name, "load-%05d", i);
      json_array_append_new(items, json_pack("{s:O,s:s}", "claim_code", json_object_get(out, "claim_code"), "name", name));
    }
    json_t *out, *body = json_pack("{s:o}", "items", items);
    snprintf(url, sizeof url, "%s/api/v1/devices/claim", server);
    long st = post(curl, url, auth, body, &out);
    json_decref(body);
    json_decref(out);
    if (st != 200) {
      fprintf(stderr, "fleet-device: claim failed (HTTP %ld)\n", st);
      return 1;
    }
  }
  for (int i = 0; i < ndev; i++) {
    char err[128];
    for (int pass = 0; pass < 2; pass++) /* hardware sync (token), then first device sync */
      if (sync_once(curl, ids[i], "setup", 0, 0, 0, err, sizeof err) != 200) {
        fprintf(stderr, "fleet-device: setup sync failed: %s\n", err);
        return 1;
      }
  }
  curl_easy_cleanup(curl);
  fprintf(stderr, "setup: %d devices provisioned, claimed and synced in %.1f s\n", ndev, now_s() - t0);
  worker *ws = calloc((size_t)threads, sizeof *ws);
  pthread_t *th = calloc((size_t)threads, sizeof *th);
  int per = ndev / threads;
  for (int i = 0; i < threads; i++) {
    ws[i] = (worker){.ids = ids, .first = i * per, .count = i == threads - 1 ? ndev - i * per : per,
                     .rate = rate / threads, .duration = duration};
    pthread_create(&th[i], NULL, work, &ws[i]);
  }
  int64_t ok = 0, errors = 0;
  size_t n = 0;
  for (int i = 0; i < threads; i++) {
    pthread_join(th[i], NULL);
    ok += ws[i].ok;
    errors += ws[i].errors;
    n += ws[i].nlat;
  }
  double *all = malloc((n + 1) * sizeof(double));
  size_t k = 0;
  for (int i = 0; i < threads; i++) {
    memcpy(all + k, ws[i].lat, ws[i].nlat * sizeof(double));
    k += ws[i].nlat;
    free(ws[i].lat);
  }
  qsort(all, n, sizeof(double), cmp_double);
  double p50 = n ? all[n / 2] : 0, p99 = n ? all[(size_t)((double)n * 0.99)] : 0, mx = n ? all[n - 1] : 0;
  printf("{\"devices\": %d, \"duration_s\": %.0f, \"target_rate\": %.0f, \"checkins\": %lld, \"errors\": %lld,"
         " \"throughput\": %.1f, \"p50_ms\": %.2f, \"p99_ms\": %.2f, \"max_ms\": %.2f}\n",
         ndev, duration, rate, (long long)ok, (long long)errors, (double)ok / duration, p50 * 1e3, p99 * 1e3, mx * 1e3);
  free(all);
  for (int i = 0; i < ndev; i++) json_decref(ids[i]);
  free(ids);
  free(ws);
  free(th);
  return errors ? 1 : 0;
}

int main(int argc, char **argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  srand((unsigned)time(NULL) ^ (unsigned)getpid());
  int rc = 2;
  if (argc >= 2 && strcmp(argv[1], "provision") == 0)
    rc = cmd_provision(argc - 1, argv + 1);
  else if (argc >= 2 && strcmp(argv[1], "sync") == 0)
    rc = cmd_sync(argc - 1, argv + 1);
  else if (argc >= 2 && strcmp(argv[1], "load") == 0)
    rc = cmd_load(argc - 1, argv + 1);
  else
    fprintf(stderr, "usage: fleet-device provision|sync|load ... (see the source header)\n");
  curl_global_cleanup();
  return rc;
}
