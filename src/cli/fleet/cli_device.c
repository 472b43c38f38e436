/* `toit device ...`: the Devices table and one-device commands. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "cli_fleet_int.h"

#define JS(o, k) (json_string_value(json_object_get((o), (k))) ?: "")

static const char DEVICE_HELP[] =
    "usage: toit device COMMAND [--json]\n"
    "  list [--where TEXT] [--sort name|last_seen|created|firmware] [--desc] [--watch]\n"
    "  watch [--where TEXT] [--lines] [--count N]\n"
    "                                live changes: a table redrawn on a terminal, else one line per\n"
    "                                change (--json: one JSON object per change); --count stops after\n"
    "                                N changes (the snapshot marker not counted)\n"
    "  show -d D                     one device with goal and status\n"
    "  rename -d D NAME\n"
    "  tag -d D KEY=VALUE...         replace the device's tags\n"
    "  config -d D [get | set KEY=VALUE... | unset KEY...]\n"
    "  logs -d D [--app A] [--level L] [--limit N]\n"
    "  events -d D [--kind K] [--limit N]\n"
    "  metrics -d D NAME [--since SECONDS] [--step SECONDS] [--agg avg|min|max|sum|count]\n"
    "  claim CODE|HARDWARE_ID... [--name N]\n"
    "  unclaim -d D --yes\n"
    "D is a device name, id, or unique id prefix.\n";

static void ago(const char *rfc, char out[32]) {
  if (!rfc || !*rfc) {
    snprintf(out, 32, "never");
    return;
  }
  struct tm tm = {0};
  if (!strptime(rfc, "%Y-%m-%dT%H:%M:%S", &tm)) {
    snprintf(out, 32, "?");
    return;
  }
  long d = (long)(time(NULL) - timegm(&tm));
  if (d < 0) d = 0;
  if (d < 60)
    snprintf(out, 32, "%lds ago", d);
  else if (d < 3600)
    snprintf(out, 32, "%ldm ago", d / 60);
  else if (d < 86400)
    snprintf(out, 32, "%ldh ago", d / 3600);
  else
    snprintf(out, 32, "%ldd ago", d / 86400);
}

static const char *status_word(json_t *d) {
  const char *h = JS(d, "health");
  return strcmp(h, "healthy") == 0 ? "Healthy" : strcmp(h, "unhealthy") == 0 ? "Unhealthy" : "Never seen";
}

/* Resolves -d D to a device id (name, id, or unique id prefix). */
int cli_device_resolve(cli_conf *cf, const char *want, char id[40]) {
  char path[200] = "/devices?page_size=500";
  int matches = 0;
  id[0] = 0;
  for (int page = 0; page < 1000; page++) {
    json_t *out;
    int rc = cli_api(cf, "GET", path, NULL, &out);
    if (rc != CLI_OK) return rc;
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(out, "items"), i, d) {
      if (strcmp(JS(d, "name"), want) == 0 || strcmp(JS(d, "id"), want) == 0) {
        snprintf(id, 40, "%s", JS(d, "id"));
        json_decref(out);
        return CLI_OK;
      }
      if (strlen(want) >= 4 && strncmp(JS(d, "id"), want, strlen(want)) == 0) {
        snprintf(id, 40, "%s", JS(d, "id"));
        matches++;
      }
    }
    const char *next = JS(out, "next_page_token");
    bool more = *next;
    if (more) snprintf(path, sizeof path, "/devices?page_size=500&page_token=%s", next);
    json_decref(out);
    if (!more) break;
  }
  if (matches == 1) return CLI_OK;
  fprintf(stderr, matches > 1 ? "toit device: '%s' matches several devices\n" : "toit device: no device '%s'\n", want);
  return matches > 1 ? CLI_USAGE : CLI_NOT_FOUND;
}

static void print_devices(json_t *items) {
  const char *h[] = {"DEVICE", "FIRMWARE", "LAST SEEN", "ID", "STATUS"};
  cli_table *t = cli_table_new(5, h);
  size_t i;
  json_t *d;
  json_array_foreach(items, i, d) {
    char seen[32], shortid[9], status[200];
    ago(json_string_value(json_object_get(d, "last_seen_at")), seen);
    snprintf(shortid, sizeof shortid, "%s", JS(d, "id"));
    snprintf(status, sizeof status, "%s", status_word(d));
    json_t *reasons = json_object_get(d, "health_reasons");
    if (json_array_size(reasons)) {
      size_t k;
      json_t *r;
      strcat(status, " (");
      json_array_foreach(reasons, k, r) {
        if (k) strcat(status, ", ");
        strncat(status, json_string_value(r) ?: "", sizeof status - strlen(status) - 3);
      }
      strcat(status, ")");
    }
    const char *row[] = {JS(d, "name"), json_is_string(json_object_get(d, "firmware")) ? JS(d, "firmware") : "-", seen,
                         shortid, status};
    cli_table_row(t, row);
  }
  cli_table_print(t, stdout);
  cli_table_free(t);
}

static int list(cli_conf *cf, int argc, char **argv, bool js) {
  const char *where = NULL, *sort = NULL, *v;
  bool desc = false;
  for (int i = 2; i < argc; i++) {
    if (cli_flag(argc, argv, &i, "--where", &v))
      where = v;
    else if (cli_flag(argc, argv, &i, "--sort", &v))
      sort = v;
    else if (strcmp(argv[i], "--desc") == 0)
      desc = true;
    else {
      fputs(DEVICE_HELP, stderr);
      return CLI_USAGE;
    }
  }
  json_t *all = json_array();
  char base[600], path[700];
  char *ew = where ? cli_escape(where) : NULL, *es = sort ? cli_escape(sort) : NULL;
  snprintf(base, sizeof base, "/devices?page_size=500%s%s%s%s%s", ew ? "&q=" : "", ew ? ew : "", es ? "&sort=" : "",
           es ? es : "", desc ? "&order=desc" : "");
  free(ew);
  free(es);
  snprintf(path, sizeof path, "%s", base);
  int rc = CLI_OK;
  for (;;) {
    json_t *out;
    rc = cli_api(cf, "GET", path, NULL, &out);
    if (rc != CLI_OK) break;
    json_array_extend(all, json_object_get(out, "items"));
    const char *next = JS(out, "next_page_token");
    bool more = *next;
    if (more) snprintf(path, sizeof path, "%s&page_token=%s", base, next);
    json_decref(out);
    if (!more) break;
  }
  if (rc == CLI_OK) {
    if (js)
      cli_print_json(all);
    else if (json_array_size(all) == 0)
      printf("No devices yet. Provision hardware and claim it with `toit device claim CODE`.\n");
    else
      print_devices(all);
  }
  json_decref(all);
  return rc;
}

typedef struct {
  bool js, table;
  long count;      /* -1: no limit */
  int64_t pending; /* snapshot devices still to come */
  json_t *devices; /* the table: id -> device */
} watch_ctx;

static void redraw(watch_ctx *w) {
  json_t *items = json_array();
  const char *k;
  json_t *d;
  json_object_foreach(w->devices, k, d) json_array_append(items, d);
  printf("\033[H\033[J");
  print_devices(items);
  fflush(stdout);
  json_decref(items);
}

static bool watch_item(json_t *c, void *ctx) {
  watch_ctx *w = ctx;
  const char *type = JS(c, "type");
  json_t *d = json_object_get(c, "device");
  bool snapshot = strcmp(type, "snapshot") == 0;
  if (snapshot) w->pending = json_integer_value(json_object_get(c, "total"));
  if (w->js) {
    char *line = json_dumps(c, JSON_COMPACT);
    printf("%s\n", line);
    free(line);
  } else if (w->table) {
    if (strcmp(type, "removed") == 0) json_object_del(w->devices, JS(d, "id"));
    else if (d) json_object_set(w->devices, JS(d, "id"), d);
  } else if (!snapshot) {
    time_t now = time(NULL);
    struct tm tm;
    char hms[16];
    strftime(hms, sizeof hms, "%H:%M:%S", localtime_r(&now, &tm));
    printf("%s %-8s %-20s %-10s %s\n", hms, type, JS(d, "name"),
           strcmp(type, "removed") == 0 ? "-" : status_word(d),
           json_is_string(json_object_get(d, "firmware")) ? JS(d, "firmware") : "-");
  }
  if (!snapshot && w->pending > 0) w->pending--;
  if (w->table && !w->js && w->pending == 0) redraw(w);
  fflush(stdout);
  if (snapshot) return true;
  return w->count < 0 || --w->count > 0;
}

/* `toit device watch` / `list --watch`: GET /watch?q= (WatchDevices). */
static int watch(cli_conf *cf, int argc, char **argv, bool js) {
  const char *where = NULL, *v;
  watch_ctx w = {.js = js, .count = -1, .table = isatty(1)};
  for (int i = 2; i < argc; i++) {
    if (cli_flag(argc, argv, &i, "--where", &v))
      where = v;
    else if (cli_flag(argc, argv, &i, "--count", &v))
      w.count = atol(v);
    else if (strcmp(argv[i], "--lines") == 0)
      w.table = false;
    else if (strcmp(argv[i], "--watch") == 0 || strcmp(argv[i], "--sort") == 0 || strcmp(argv[i], "--desc") == 0)
      i += strcmp(argv[i], "--sort") == 0; /* list's flags: the watch has its own order */
    else {
      fputs(DEVICE_HELP, stderr);
      return CLI_USAGE;
    }
  }
  if (w.count == 0) return CLI_OK;
  char path[700];
  char *ew = cli_escape(where ? where : "");
  snprintf(path, sizeof path, "/watch?q=%s", ew);
  free(ew);
  w.devices = json_object();
  int rc = cli_sse(cf, path, watch_item, &w);
  json_decref(w.devices);
  return rc;
}

static int show(cli_conf *cf, const char *id, bool js) {
  char path[200];
  snprintf(path, sizeof path, "/devices/%s", id);
  json_t *d, *g = NULL;
  int rc = cli_api(cf, "GET", path, NULL, &d);
  if (rc != CLI_OK) return rc;
  snprintf(path, sizeof path, "/devices/%s/goal", id);
  rc = cli_api(cf, "GET", path, NULL, &g);
  if (rc == CLI_OK) {
    if (js) {
      json_object_set(d, "goal", json_object_get(g, "goal"));
      cli_print_json(d);
    } else {
      char seen[32];
      ago(json_string_value(json_object_get(d, "last_seen_at")), seen);
      printf("name:        %s\nid:          %s\nhardware:    %s\nstatus:      %s\nfirmware:    %s\nlast seen:   %s (%s)\n"
             "goal rev:    %lld (%s)\n",
             JS(d, "name"), JS(d, "id"), JS(d, "hardware_id"), status_word(d),
             json_is_string(json_object_get(d, "firmware")) ? JS(d, "firmware") : "-", seen,
             json_is_string(json_object_get(d, "last_seen_at")) ? JS(d, "last_seen_at") : "never",
             (long long)json_integer_value(json_object_get(d, "goal_rev")),
             json_is_true(json_object_get(d, "up_to_date")) ? "up to date" : "not applied yet");
      const char *k;
      json_t *v;
      printf("tags:       ");
      json_object_foreach(json_object_get(d, "tags"), k, v) printf(" %s=%s", k, json_string_value(v));
      printf("\ngoal:        ");
      json_dumpf(json_object_get(g, "goal"), stdout, JSON_COMPACT | JSON_SORT_KEYS);
      printf("\n");
    }
  }
  json_decref(d);
  json_decref(g);
  return rc;
}

static int config(cli_conf *cf, const char *id, int argc, char **argv, int i, bool js) {
  char path[200];
  const char *sub = i < argc ? argv[i] : "get";
  if (strcmp(sub, "get") == 0) {
    snprintf(path, sizeof path, "/devices/%s/goal", id);
    json_t *g;
    int rc = cli_api(cf, "GET", path, NULL, &g);
    if (rc == CLI_OK) {
      if (js) {
        cli_print_json(g);
      } else {
        const char *k;
        json_t *v;
        json_t *dev = json_object_get(json_object_get(g, "layers"), "device");
        json_object_foreach(json_object_get(g, "goal"), k, v) {
          char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
          printf("%-16s %-30s %s\n", k, s, json_object_get(dev, k) ? "(device)" : strcmp(k, "sum") == 0 ? "" : "(default)");
          free(s);
        }
      }
    }
    json_decref(g);
    return rc;
  }
  bool set = strcmp(sub, "set") == 0, unset = strcmp(sub, "unset") == 0;
  if ((!set && !unset) || i + 1 >= argc) {
    fputs(DEVICE_HELP, stderr);
    return CLI_USAGE;
  }
  json_t *patch = json_object();
  for (int k = i + 1; k < argc; k++) {
    char *eq = strchr(argv[k], '=');
    if (set && !eq) {
      fprintf(stderr, "toit device config set: expected KEY=VALUE, got '%s'\n", argv[k]);
      json_decref(patch);
      return CLI_USAGE;
    }
    if (set) {
      *eq = 0;
      json_object_set_new(patch, argv[k], cli_value(eq + 1));
    } else {
      json_object_set_new(patch, argv[k], json_null());
    }
  }
  snprintf(path, sizeof path, "/devices/%s/config", id);
  json_t *out;
  int rc = cli_api(cf, "PATCH", path, patch, &out);
  json_decref(patch);
  if (rc == CLI_OK)
    js ? cli_print_json(out)
       : (void)printf("device layer rev %lld; the device applies it at its next check-in\n",
                      (long long)json_integer_value(json_object_get(out, "rev")));
  json_decref(out);
  return rc;
}

static int logs_or_events(cli_conf *cf, const char *id, int argc, char **argv, int i, bool js, bool logs) {
  const char *app = NULL, *level = NULL, *kind = NULL, *limit = "100", *v;
  for (; i < argc; i++) {
    if (logs && cli_flag(argc, argv, &i, "--app", &v))
      app = v;
    else if (logs && cli_flag(argc, argv, &i, "--level", &v))
      level = v;
    else if (!logs && cli_flag(argc, argv, &i, "--kind", &v))
      kind = v;
    else if (cli_flag(argc, argv, &i, "--limit", &v))
      limit = v;
    else {
      fputs(DEVICE_HELP, stderr);
      return CLI_USAGE;
    }
  }
  char path[700];
  char *ea = app ? cli_escape(app) : NULL, *el = level ? cli_escape(level) : NULL, *ek = kind ? cli_escape(kind) : NULL,
       *en = cli_escape(limit);
  snprintf(path, sizeof path, "/devices/%s/%s?limit=%s%s%s%s%s%s%s", id, logs ? "logs" : "events", en, ea ? "&app=" : "",
           ea ? ea : "", el ? "&level=" : "", el ? el : "", ek ? "&kind=" : "", ek ? ek : "");
  free(ea);
  free(el);
  free(ek);
  free(en);
  json_t *out;
  int rc = cli_api(cf, "GET", path, NULL, &out);
  if (rc == CLI_OK) {
    json_t *items = json_object_get(out, "items");
    if (js) {
      cli_print_json(items);
    } else {
      size_t k;
      json_t *e;
      json_array_foreach(items, k, e) {
        const char *t = JS(e, "time");
        const char *clock = strlen(t) >= 19 ? t + 11 : t;
        if (logs)
          printf("%.8s %-10s %-5s %s\n", clock, JS(e, "app"), JS(e, "level"), JS(e, "text"));
        else
          printf("%s  %-26s %-20s %s\n", t, JS(e, "kind"), JS(json_object_get(e, "actor"), "display"), JS(e, "summary"));
      }
    }
  }
  json_decref(out);
  return rc;
}

static int metrics(cli_conf *cf, const char *id, int argc, char **argv, int i, bool js) {
  if (i >= argc) {
    fputs(DEVICE_HELP, stderr);
    return CLI_USAGE;
  }
  const char *name = argv[i++], *since = "3600", *step = "60", *agg = "avg", *v;
  for (; i < argc; i++) {
    if (cli_flag(argc, argv, &i, "--since", &v))
      since = v;
    else if (cli_flag(argc, argv, &i, "--step", &v))
      step = v;
    else if (cli_flag(argc, argv, &i, "--agg", &v))
      agg = v;
    else {
      fputs(DEVICE_HELP, stderr);
      return CLI_USAGE;
    }
  }
  long long sec = atoll(since);
  if (sec <= 0) {
    fprintf(stderr, "toit device metrics: --since wants seconds\n");
    return CLI_USAGE;
  }
  time_t from = time(NULL) - sec;
  struct tm tm;
  gmtime_r(&from, &tm);
  char froms[40], path[700];
  strftime(froms, sizeof froms, "%Y-%m-%dT%H:%M:%SZ", &tm);
  char *en = cli_escape(name), *es = cli_escape(step), *eg = cli_escape(agg);
  snprintf(path, sizeof path, "/devices/%s/metrics?name=%s&from=%s&step=%s&agg=%s", id, en, froms, es, eg);
  free(en);
  free(es);
  free(eg);
  json_t *out;
  int rc = cli_api(cf, "GET", path, NULL, &out);
  if (rc == CLI_OK) {
    if (js) {
      cli_print_json(out);
    } else {
      size_t k;
      json_t *p;
      json_array_foreach(json_object_get(out, "points"), k, p) printf("%s  %g\n", JS(p, "t"),
                                                                      json_number_value(json_object_get(p, "v")));
    }
  }
  json_decref(out);
  return rc;
}

static int claim(cli_conf *cf, int argc, char **argv, bool js) {
  const char *name = NULL, *v;
  json_t *items = json_array();
  for (int i = 2; i < argc; i++) {
    if (cli_flag(argc, argv, &i, "--name", &v)) {
      name = v;
    } else {
      const char *a = argv[i];
      bool code = strlen(a) <= 9 && !strchr(a, ':');
      json_array_append_new(items, json_pack("{s:s}", code ? "claim_code" : "hardware_id", a));
    }
  }
  if (json_array_size(items) == 0 || (name && json_array_size(items) != 1)) {
    fprintf(stderr, "toit device claim: give one or more codes (--name only with one)\n");
    json_decref(items);
    return CLI_USAGE;
  }
  if (name) json_object_set_new(json_array_get(items, 0), "name", json_string(name));
  json_t *body = json_pack("{s:o}", "items", items), *out;
  int rc = cli_api(cf, "POST", "/devices/claim", body, &out);
  json_decref(body);
  if (rc == CLI_OK) {
    json_t *res = json_object_get(out, "items");
    if (js) {
      cli_print_json(res);
    } else {
      size_t k;
      json_t *r;
      json_array_foreach(res, k, r) {
        printf("%s: %s%s%s\n", argv[2 + k] ? argv[2 + k] : "?", JS(r, "status"),
               json_object_get(r, "device_id") ? " as " : json_object_get(r, "message") ? ": " : "",
               json_object_get(r, "device_id") ? JS(r, "device_id") : JS(r, "message"));
      }
    }
    size_t k;
    json_t *r;
    json_array_foreach(res, k, r) if (strcmp(JS(r, "status"), "claimed") != 0) rc = CLI_ERR;
  }
  json_decref(out);
  return rc;
}

int cli_fleet_device(int argc, char **argv) {
  if (cli_wants_help(argc, argv, DEVICE_HELP)) return CLI_OK;
  bool js = cli_strip_flag(&argc, argv, "--json");
  if (argc < 2) {
    fputs(DEVICE_HELP, stderr);
    return CLI_USAGE;
  }
  cli_conf cf;
  cli_conf_load(&cf);
  const char *sub = argv[1];
  if (strcmp(sub, "watch") == 0) return watch(&cf, argc, argv, js);
  for (int i = 2; strcmp(sub, "list") == 0 && i < argc; i++)
    if (strcmp(argv[i], "--watch") == 0) return watch(&cf, argc, argv, js);
  if (strcmp(sub, "list") == 0) return list(&cf, argc, argv, js);
  if (strcmp(sub, "claim") == 0) return claim(&cf, argc, argv, js);
  /* The rest name one device with -d. */
  const char *want = NULL;
  int rest = 2;
  if (argc >= 4 && (strcmp(argv[2], "-d") == 0 || strcmp(argv[2], "--device") == 0)) {
    want = argv[3];
    rest = 4;
  }
  if (!want) {
    fprintf(stderr, "toit device %s: -d DEVICE is required\n", sub);
    return CLI_USAGE;
  }
  bool known = strcmp(sub, "show") == 0 || strcmp(sub, "rename") == 0 || strcmp(sub, "tag") == 0 ||
               strcmp(sub, "config") == 0 || strcmp(sub, "logs") == 0 || strcmp(sub, "events") == 0 ||
               strcmp(sub, "metrics") == 0 || strcmp(sub, "unclaim") == 0;
  if (!known) {
    fputs(DEVICE_HELP, stderr);
    return CLI_USAGE;
  }
  char id[40], path[200];
  int rc = cli_device_resolve(&cf, want, id);
  if (rc != CLI_OK) return rc;
  if (strcmp(sub, "show") == 0) return show(&cf, id, js);
  if (strcmp(sub, "config") == 0) return config(&cf, id, argc, argv, rest, js);
  if (strcmp(sub, "logs") == 0) return logs_or_events(&cf, id, argc, argv, rest, js, true);
  if (strcmp(sub, "events") == 0) return logs_or_events(&cf, id, argc, argv, rest, js, false);
  if (strcmp(sub, "metrics") == 0) return metrics(&cf, id, argc, argv, rest, js);
  json_t *out = NULL, *body;
  snprintf(path, sizeof path, "/devices/%s", id);
  if (strcmp(sub, "rename") == 0) {
    if (rest + 1 != argc) {
      fputs(DEVICE_HELP, stderr);
      return CLI_USAGE;
    }
    body = json_pack("{s:s}", "name", argv[rest]);
    rc = cli_api(&cf, "PATCH", path, body, &out);
  } else if (strcmp(sub, "tag") == 0) {
    body = json_pack("{s:{}}", "tags");
    for (int i = rest; i < argc; i++) {
      char *eq = strchr(argv[i], '=');
      if (!eq) {
        fprintf(stderr, "toit device tag: expected KEY=VALUE, got '%s'\n", argv[i]);
        json_decref(body);
        return CLI_USAGE;
      }
      *eq = 0;
      json_object_set_new(json_object_get(body, "tags"), argv[i], json_string(eq + 1));
    }
    rc = cli_api(&cf, "PATCH", path, body, &out);
  } else {
    bool yes = rest < argc && strcmp(argv[rest], "--yes") == 0;
    if (!yes) {
      fprintf(stderr, "toit device unclaim: this unbinds %s from the organization; add --yes to confirm\n", want);
      return CLI_USAGE;
    }
    body = json_object();
    snprintf(path, sizeof path, "/devices/%s/unclaim", id);
    rc = cli_api(&cf, "POST", path, body, &out);
  }
  json_decref(body);
  if (rc == CLI_OK) js ? cli_print_json(out) : (void)printf("%s: done\n", sub);
  json_decref(out);
  return rc;
}
