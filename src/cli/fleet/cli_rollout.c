/* `toit rollout ...`: preview, create, list, status with a progress display,
 * start, pause, resume, halt, rollback, abort. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_fleet_int.h"

#define JS(o, k) (json_string_value(json_object_get((o), (k))) ?: "")
#define JI(o, k) ((long long)json_integer_value(json_object_get((o), (k))))

/* "90", "90s", "30m", "2h", "1d" -> seconds; -1 if malformed. */
static long long duration_s(const char *s) {
  char *end;
  long long n = strtoll(s, &end, 10);
  if (end == s || n < 0) return -1;
  if (!*end || strcmp(end, "s") == 0) return n;
  if (strcmp(end, "m") == 0) return n * 60;
  if (strcmp(end, "h") == 0) return n * 3600;
  if (strcmp(end, "d") == 0) return n * 86400;
  return -1;
}

static const char *ROLLOUT_HELP =
    "usage: toit rollout COMMAND [--json]\n"
    "  preview TARGET CHANGE [OPTIONS]   devices per stage, exclusions, download size (no change made)\n"
    "  create TARGET CHANGE [OPTIONS] [--start]\n"
    "  list [--state S]                  rollouts, newest first\n"
    "  status ID [--watch] [--members]   stages with progress bars; --watch follows until it ends\n"
    "  start|pause|resume ID\n"
    "  halt|rollback|abort ID [--reason TEXT]\n"
    "TARGET: --group G | --where QUERY | -d DEVICE (repeatable)\n"
    "CHANGE: --install APP[@VERSION] | --uninstall APP | --firmware VERSION[@TARGET]\n"
    "        | --set KEY=VALUE (repeatable, goal fields)\n"
    "OPTIONS: --name N  --stages 1,10,50,100  --soak 30m  --max-failed PCT  --max-health-drop PTS\n"
    "         --min-sample N  --on-halt pause|rollback  --skip-low-battery  --diversify\n"
    "         --watch-metric NAME[:K]   halt when its average on applied devices exceeds K (2) x the rest\n"
    "ID is a rollout id or a unique prefix of one (at least 4 characters).\n"
    "The rollout halts by itself when, with at least min-sample devices decided, the failed share of\n"
    "admitted devices passes max-failed, or the unhealthy share of applied devices exceeds that of the\n"
    "devices not yet admitted by more than max-health-drop points (docs/fleet-server.md).\n";

/* {kind: {key: NAME, at_key: REST}} from "NAME@REST" (`@REST` optional):
 * `--install app@1.2`, `--firmware 1.1.0@esp32`. */
static json_t *at_change(const char *kind, const char *key, const char *v, const char *at_key) {
  char name[128];
  snprintf(name, sizeof name, "%s", v);
  char *at = strchr(name, '@');
  if (at) *at++ = 0;
  json_t *change = json_pack("{s:{s:s}}", kind, key, name);
  if (at) json_object_set_new(json_object_get(change, kind), at_key, json_string(at));
  return change;
}

/* Builds the rollout spec from the command line (argv[2..]). */
static int build_spec(cli_conf *cf, int argc, char **argv, json_t **spec_out) {
  json_t *spec = json_object(), *target = json_object(), *change = NULL, *cfg = json_object(), *policy = json_object(),
         *devices = json_array();
  json_t *stages = NULL;
  int rc = CLI_OK;
  const char *v;
  for (int i = 2; i < argc && rc == CLI_OK; i++) {
    if (cli_flag(argc, argv, &i, "--group", &v)) {
      json_object_set_new(target, "group", json_string(v));
    } else if (cli_flag(argc, argv, &i, "--where", &v)) {
      json_object_set_new(target, "query", json_string(v));
    } else if (cli_flag(argc, argv, &i, "-d", &v) || cli_flag(argc, argv, &i, "--device", &v)) {
      char id[40];
      rc = cli_device_resolve(cf, v, id);
      if (rc == CLI_OK) json_array_append_new(devices, json_string(id));
    } else if (cli_flag(argc, argv, &i, "--install", &v)) {
      json_decref(change);
      change = at_change("install", "app", v, "version");
    } else if (cli_flag(argc, argv, &i, "--firmware", &v)) {
      json_decref(change);
      change = at_change("firmware", "version", v, "release_target");
    } else if (cli_flag(argc, argv, &i, "--uninstall", &v)) {
      json_decref(change);
      change = json_pack("{s:{s:s}}", "uninstall", "app", v);
    } else if (cli_flag(argc, argv, &i, "--set", &v)) {
      char kv[512];
      snprintf(kv, sizeof kv, "%s", v);
      char *eq = strchr(kv, '=');
      if (!eq) {
        fprintf(stderr, "toit rollout: --set wants KEY=VALUE, got '%s'\n", v);
        rc = CLI_USAGE;
        break;
      }
      *eq = 0;
      json_object_set_new(cfg, kv, cli_value(eq + 1));
    } else if (cli_flag(argc, argv, &i, "--name", &v)) {
      json_object_set_new(spec, "name", json_string(v));
    } else if (cli_flag(argc, argv, &i, "--stages", &v)) {
      stages = json_array();
      char buf[256];
      snprintf(buf, sizeof buf, "%s", v);
      for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        char *end;
        double pct = strtod(tok, &end);
        if (end == tok || *end) {
          fprintf(stderr, "toit rollout: --stages wants percents like 1,10,50,100\n");
          rc = CLI_USAGE;
          break;
        }
        json_array_append_new(stages, json_real(pct));
      }
    } else if (cli_flag(argc, argv, &i, "--soak", &v)) {
      long long s = duration_s(v);
      if (s < 0) {
        fprintf(stderr, "toit rollout: --soak wants a duration like 30m, 2h or 0\n");
        rc = CLI_USAGE;
      }
      json_object_set_new(spec, "soak_s", json_integer(s));
    } else if (cli_flag(argc, argv, &i, "--max-failed", &v)) {
      json_object_set_new(policy, "max_failed_pct", json_real(atof(v)));
    } else if (cli_flag(argc, argv, &i, "--max-health-drop", &v)) {
      json_object_set_new(policy, "max_health_drop_pts", json_real(atof(v)));
    } else if (cli_flag(argc, argv, &i, "--min-sample", &v)) {
      json_object_set_new(policy, "min_sample", json_integer(atoi(v)));
    } else if (cli_flag(argc, argv, &i, "--on-halt", &v)) {
      json_object_set_new(policy, "on_halt", json_string(v));
    } else if (strcmp(argv[i], "--skip-low-battery") == 0) {
      json_object_set_new(policy, "skip_low_battery", json_true());
    } else if (cli_flag(argc, argv, &i, "--watch-metric", &v)) {
      char buf[128];
      snprintf(buf, sizeof buf, "%s", v);
      char *colon = strchr(buf, ':');
      if (colon) *colon++ = 0;
      json_t *wm = json_pack("{s:s}", "name", buf);
      if (colon) json_object_set_new(wm, "k", json_real(atof(colon)));
      json_object_set_new(policy, "watch_metric", wm);
    } else if (strcmp(argv[i], "--diversify") == 0) {
      json_object_set_new(policy, "diversify", json_true());
    } else if (strcmp(argv[i], "--start") == 0) {
      json_object_set_new(spec, "start", json_true());
    } else {
      fprintf(stderr, "toit rollout: unknown argument '%s'\n", argv[i]);
      rc = CLI_USAGE;
    }
  }
  if (json_array_size(devices)) json_object_set(target, "devices", devices);
  if (json_object_size(cfg)) {
    json_decref(change);
    change = json_pack("{s:O}", "config", cfg);
  }
  if (rc == CLI_OK && (json_object_size(target) != 1 || !change)) {
    fprintf(stderr, "toit rollout: give one target (--group, --where or -d) and one change "
                    "(--install, --uninstall, --firmware or --set)\n");
    rc = CLI_USAGE;
  }
  json_object_set_new(spec, "target", target);
  if (change) json_object_set_new(spec, "change", change);
  if (stages) json_object_set_new(spec, "stages", stages);
  if (json_object_size(policy)) json_object_set(spec, "policy", policy);
  json_decref(policy);
  json_decref(cfg);
  json_decref(devices);
  if (rc != CLI_OK) {
    json_decref(spec);
    return rc;
  }
  *spec_out = spec;
  return CLI_OK;
}

static void print_preview(json_t *p) {
  size_t i;
  json_t *st;
  printf("%s: %lld matched, %lld eligible\n", JS(p, "name"), JI(p, "matched"), JI(p, "eligible"));
  json_array_foreach(json_object_get(p, "stages"), i, st) {
    printf("stage %lld (%g%%, soak %llds): %lld device%s", JI(st, "stage"), json_number_value(json_object_get(st, "percent")),
           JI(st, "soak_s"), JI(st, "count"), JI(st, "count") == 1 ? "" : "s");
    size_t k;
    json_t *d;
    json_array_foreach(json_object_get(st, "devices"), k, d) {
      if (k == 8) {
        printf(" …");
        break;
      }
      printf("%s%s", k ? ", " : ": ", JS(d, "name"));
    }
    printf("\n");
  }
  static const char *const lists[] = {"excluded", "deferred"};
  for (int l = 0; l < 2; l++) {
    json_t *xs = json_object_get(p, lists[l]);
    if (!json_array_size(xs)) continue;
    printf("%s: %zu (", lists[l], json_array_size(xs));
    json_t *d;
    json_array_foreach(xs, i, d) {
      if (i == 8) {
        printf(", …");
        break;
      }
      printf("%s%s: %s", i ? ", " : "", JS(d, "name"), JS(d, "reason"));
    }
    printf(")\n");
  }
  json_t *off = json_object_get(p, "offline");
  if (json_array_size(off)) {
    printf("offline now: %zu (they get the change when they check in", json_array_size(off));
    json_t *d;
    json_array_foreach(off, i, d) {
      if (i == 4) {
        printf("; …");
        break;
      }
      printf("; %s due %s", JS(d, "name"), json_is_string(json_object_get(d, "due_at")) ? JS(d, "due_at") : "(never seen)");
    }
    printf(")\n");
  }
  if (JI(p, "download_bytes")) printf("download: %lld bytes in total\n", JI(p, "download_bytes"));
}

/* One line per stage with a bar: '#' healthy/applied, 'x' failed, '.' admitted. */
static void print_status(json_t *r, bool members) {
  json_t *c = json_object_get(r, "counters");
  printf("rollout %.8s  %s  %s\n", JS(r, "id"), JS(r, "name"), JS(r, "state"));
  size_t i;
  json_t *st;
  long long cur = JI(r, "current_stage");
  size_t nst = json_array_size(json_object_get(r, "stages"));
  json_array_foreach(json_object_get(r, "stages"), i, st) {
    json_t *s = json_object_get(st, "status");
    long long n = JI(st, "count"), ok = JI(s, "applied") + JI(s, "healthy"), bad = JI(s, "failed"),
              adm = JI(s, "admitted") + JI(s, "deferred");
    int w = 20, wo = n ? (int)(w * ok / n) : 0, wb = n ? (int)(w * bad / n) : 0, wa = n ? (int)(w * adm / n) : 0;
    char bar[32];
    int k = 0;
    for (int j = 0; j < wo; j++) bar[k++] = '#';
    for (int j = 0; j < wb; j++) bar[k++] = 'x';
    for (int j = 0; j < wa; j++) bar[k++] = '.';
    while (k < w) bar[k++] = ' ';
    bar[k] = 0;
    printf("%s stage %zu/%zu %5g%%  [%s] applied %lld/%lld  healthy %lld  failed %lld\n",
           (long long)i == cur && strcmp(JS(r, "state"), "running") == 0 ? ">" : " ", i + 1, nst,
           json_number_value(json_object_get(st, "percent")), bar, ok, n, JI(s, "healthy"), bad);
  }
  printf("targeted %lld  waiting %lld  admitted %lld  applied %lld  healthy %lld  failed %lld  reverted %lld\n",
         JI(c, "targeted"), JI(c, "waiting"), JI(c, "admitted"), JI(c, "applied"), JI(c, "healthy"), JI(c, "failed"),
         JI(c, "reverted"));
  json_t *h = json_object_get(r, "halt");
  if (json_is_object(h)) {
    if (strcmp(JS(h, "reason"), "manual") == 0)
      printf("halted by hand%s%s\n", *JS(h, "message") ? ": " : "", JS(h, "message"));
    else
      printf("halted: %s (failed %.1f%% of admitted, unhealthy %.1f%% of applied vs %.1f%% baseline)\n", JS(h, "reason"),
             json_number_value(json_object_get(h, "failed_pct")), json_number_value(json_object_get(h, "applied_unhealthy_pct")),
             json_number_value(json_object_get(h, "baseline_unhealthy_pct")));
  }
  if (members) {
    const char *hd[] = {"DEVICE", "STAGE", "STATUS", "ID"};
    cli_table *t = cli_table_new(4, hd);
    json_t *m;
    json_array_foreach(json_object_get(r, "members"), i, m) {
      char stage[24], id[9];
      snprintf(stage, sizeof stage, "%lld", JI(m, "stage") + 1);
      snprintf(id, sizeof id, "%.8s", JS(m, "device_id"));
      const char *row[] = {JS(m, "name"), stage, JS(m, "status"), id};
      cli_table_row(t, row);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
  }
}

/* A rollout id, or a unique prefix of one among the newest 500. */
static int resolve_rollout(cli_conf *cf, const char *want, char id[40]) {
  json_t *out;
  int rc = cli_api(cf, "GET", "/rollouts?page_size=500", NULL, &out);
  if (rc != CLI_OK) return rc;
  int matches = 0;
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(out, "items"), i, r) {
    if (strcmp(JS(r, "id"), want) == 0 || (strlen(want) >= 4 && strncmp(JS(r, "id"), want, strlen(want)) == 0)) {
      snprintf(id, 40, "%s", JS(r, "id"));
      matches++;
    }
  }
  json_decref(out);
  if (matches == 1) return CLI_OK;
  fprintf(stderr, matches > 1 ? "toit rollout: '%s' matches several rollouts\n" : "toit rollout: no rollout '%s'\n", want);
  return matches > 1 ? CLI_USAGE : CLI_NOT_FOUND;
}

static bool finished(const char *state) {
  return strcmp(state, "completed") == 0 || strcmp(state, "rolled_back") == 0 || strcmp(state, "cancelled") == 0 ||
         strcmp(state, "halted") == 0;
}

int cli_fleet_rollout(int argc, char **argv) {
  if (cli_wants_help(argc, argv, ROLLOUT_HELP)) return CLI_OK;
  bool js = cli_strip_flag(&argc, argv, "--json");
  if (argc < 2) {
    fputs(ROLLOUT_HELP, stderr);
    return CLI_USAGE;
  }
  cli_conf cf;
  cli_conf_load(&cf);
  const char *sub = argv[1];
  json_t *out = NULL;
  int rc;
  char path[256], id[40];
  if (strcmp(sub, "preview") == 0 || strcmp(sub, "create") == 0) {
    bool create = strcmp(sub, "create") == 0;
    json_t *spec;
    if ((rc = build_spec(&cf, argc, argv, &spec)) != CLI_OK) return rc;
    if (!create) json_object_del(spec, "start");
    rc = cli_api(&cf, "POST", create ? "/rollouts" : "/rollouts/preview", spec, &out);
    json_decref(spec);
    if (rc == CLI_OK) {
      if (js) {
        cli_print_json(out);
      } else if (create) {
        printf("created rollout %s (%s), %s\n", JS(out, "id"), JS(out, "name"), JS(out, "state"));
        print_preview(json_object_get(out, "preview"));
      } else {
        print_preview(out);
      }
    }
  } else if (strcmp(sub, "list") == 0) {
    const char *state = NULL, *v;
    for (int i = 2; i < argc; i++) {
      if (cli_flag(argc, argv, &i, "--state", &v)) {
        state = v;
      } else {
        fputs(ROLLOUT_HELP, stderr);
        return CLI_USAGE;
      }
    }
    char *e = state ? cli_escape(state) : NULL;
    snprintf(path, sizeof path, "/rollouts?page_size=500%s%s", e ? "&state=" : "", e ? e : "");
    free(e);
    rc = cli_api(&cf, "GET", path, NULL, &out);
    if (rc == CLI_OK && js) {
      cli_print_json(json_object_get(out, "items"));
    } else if (rc == CLI_OK) {
      const char *hd[] = {"ID", "NAME", "STATE", "STAGE", "APPLIED", "FAILED", "CREATED"};
      cli_table *t = cli_table_new(7, hd);
      size_t i;
      json_t *r;
      json_array_foreach(json_object_get(out, "items"), i, r) {
        json_t *c = json_object_get(r, "counters");
        char sid[9], stage[48], applied[48], failed[24];
        snprintf(sid, sizeof sid, "%.8s", JS(r, "id"));
        snprintf(stage, sizeof stage, "%lld/%zu", JI(r, "current_stage") + 1, json_array_size(json_object_get(r, "stages")));
        snprintf(applied, sizeof applied, "%lld/%lld", JI(c, "applied") + JI(c, "healthy"), JI(c, "targeted"));
        snprintf(failed, sizeof failed, "%lld", JI(c, "failed"));
        const char *row[] = {sid, JS(r, "name"), JS(r, "state"), stage, applied, failed, JS(r, "created_at")};
        cli_table_row(t, row);
      }
      cli_table_print(t, stdout);
      cli_table_free(t);
    }
  } else if (strcmp(sub, "status") == 0 && argc >= 3) {
    bool watch = cli_strip_flag(&argc, argv, "--watch"), members = cli_strip_flag(&argc, argv, "--members");
    if (argc != 3) {
      fputs(ROLLOUT_HELP, stderr);
      return CLI_USAGE;
    }
    if ((rc = resolve_rollout(&cf, argv[2], id)) != CLI_OK) return rc;
    snprintf(path, sizeof path, "/rollouts/%s%s", id, members ? "?members=1" : "");
    char *last = NULL;
    for (;;) {
      rc = cli_api(&cf, "GET", path, NULL, &out);
      if (rc != CLI_OK) break;
      if (js) {
        cli_print_json(out);
      } else {
        /* Redraw only on change: compact counters identify a state. */
        json_t *key = json_pack("{s:O,s:O,s:O}", "s", json_object_get(out, "state"), "c", json_object_get(out, "counters"),
                                "k", json_object_get(out, "current_stage"));
        char *now = json_dumps(key, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(key);
        if (!last || strcmp(now, last) != 0) {
          if (last && isatty(1)) printf("\033[H\033[J");
          print_status(out, members);
          fflush(stdout);
        }
        free(last);
        last = now;
      }
      bool done = finished(JS(out, "state"));
      if (!watch || done) break;
      json_decref(out);
      out = NULL;
      sleep(1);
    }
    free(last);
  } else if (argc >= 3 && (strcmp(sub, "start") == 0 || strcmp(sub, "pause") == 0 || strcmp(sub, "resume") == 0 ||
                           strcmp(sub, "halt") == 0 || strcmp(sub, "rollback") == 0 || strcmp(sub, "abort") == 0)) {
    json_t *body = json_object();
    const char *v;
    for (int i = 3; i < argc; i++) {
      if (cli_flag(argc, argv, &i, "--reason", &v)) {
        json_object_set_new(body, "reason", json_string(v));
      } else {
        json_decref(body);
        fputs(ROLLOUT_HELP, stderr);
        return CLI_USAGE;
      }
    }
    if ((rc = resolve_rollout(&cf, argv[2], id)) != CLI_OK) {
      json_decref(body);
      return rc;
    }
    snprintf(path, sizeof path, "/rollouts/%s/%s", id, sub);
    rc = cli_api(&cf, "POST", path, body, &out);
    json_decref(body);
    if (rc == CLI_OK) js ? cli_print_json(out) : (void)printf("rollout %.8s (%s): %s\n", JS(out, "id"), JS(out, "name"), JS(out, "state"));
  } else {
    fputs(ROLLOUT_HELP, stderr);
    return CLI_USAGE;
  }
  json_decref(out);
  return rc;
}
