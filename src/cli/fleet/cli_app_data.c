/* `toit app ...` (upload, list, versions, install, uninstall) and
 * `toit data ...` (publish, subscribe, fetch, ack, topics, subscriptions). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_fleet_int.h"

#define JS(o, k) (json_string_value(json_object_get((o), (k))) ?: "")

char *cli_read_file(const char *path, size_t *len) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 65536, n = 0;
  char *buf = malloc(cap);
  size_t k;
  while ((k = fread(buf + n, 1, cap - n, f)) > 0) {
    n += k;
    if (n == cap) buf = realloc(buf, cap *= 2);
  }
  if (f != stdin) fclose(f);
  *len = n;
  return buf;
}

/* Progress bar on stderr for uploads (only on a terminal). */
static int progress(void *ud, curl_off_t dlt, curl_off_t dln, curl_off_t ult, curl_off_t uln) {
  (void)ud, (void)dlt, (void)dln;
  if (ult <= 0) return 0;
  int w = 30, done = (int)(w * uln / ult);
  fprintf(stderr, "\rupload [%.*s%*s] %3d%%", done, "##############################", w - done, "", (int)(100 * uln / ult));
  if (uln == ult) fputc('\n', stderr);
  return 0;
}

/* POSTs raw bytes with a header; returns exit code, parsed answer in *out. */
int cli_post_raw(const cli_conf *cf, const char *path, const char *data, size_t len, const char *header, json_t **out,
                 bool show_progress) {
  CURL *curl = curl_easy_init();
  char url[2048], auth[600];
  snprintf(url, sizeof url, "%s/api/v1%s", cf->server, path);
  snprintf(auth, sizeof auth, "Authorization: Bearer %s", cf->token);
  struct curl_slist *h = curl_slist_append(NULL, auth);
  if (header) h = curl_slist_append(h, header);
  char *resp = NULL;
  size_t rlen = 0;
  FILE *mem = open_memstream(&resp, &rlen);
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, data);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, mem);
  if (show_progress && isatty(2)) {
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, progress);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  }
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(h);
  curl_easy_cleanup(curl);
  fclose(mem);
  *out = rc == CURLE_OK && rlen ? json_loadb(resp, rlen, 0, NULL) : NULL;
  free(resp);
  if (rc != CURLE_OK) {
    fprintf(stderr, "toit: cannot reach %s: %s\n", cf->server, curl_easy_strerror(rc));
    return CLI_ERR;
  }
  if (status >= 200 && status < 300) return CLI_OK;
  json_t *e = json_object_get(*out, "error");
  fprintf(stderr, "toit: %s: %s\n", JS(e, "code"), JS(e, "message"));
  return status == 404 ? CLI_NOT_FOUND : (status == 401 || status == 403) ? CLI_DENIED : status == 400 ? CLI_USAGE : CLI_ERR;
}

int cli_upload_with_spec(const cli_conf *cf, const char *what, const char *file, const char *path,
                         const char *spec_header, json_t *spec, json_t **out) {
  size_t len;
  char *data = cli_read_file(file, &len);
  if (!data) {
    fprintf(stderr, "%s: cannot read %s\n", what, file);
    json_decref(spec);
    return CLI_ERR;
  }
  char *sj = json_dumps(spec, JSON_COMPACT);
  json_decref(spec);
  size_t n = strlen(spec_header) + strlen(sj) + 3;
  char *hdr = malloc(n);
  snprintf(hdr, n, "%s: %s", spec_header, sj);
  free(sj);
  int rc = cli_post_raw(cf, path, data, len, hdr, out, true);
  free(hdr);
  free(data);
  return rc;
}

static const char APP_HELP[] =
    "usage: toit app COMMAND [--json]\n"
    "  upload IMAGE --name N [--version V] [--trigger T]... [--critical]\n"
    "  list                          applications with their latest version\n"
    "  versions N                    versions of an application\n"
    "  install N[@V] -d D            install (latest version unless @V) on a device\n"
    "  uninstall N -d D\n"
    "  installed -d D                installations on a device and their state\n";

int cli_fleet_app(int argc, char **argv) {
  if (cli_wants_help(argc, argv, APP_HELP)) return CLI_OK;
  bool js = cli_strip_flag(&argc, argv, "--json");
  if (argc < 2) {
    fputs(APP_HELP, stderr);
    return CLI_USAGE;
  }
  cli_conf cf;
  cli_conf_load(&cf);
  json_t *out = NULL;
  int rc = CLI_USAGE;
  char path[400], id[40];
  const char *sub = argv[1], *v;
  if (strcmp(sub, "upload") == 0 && argc >= 3) {
    const char *name = NULL, *version = NULL;
    json_t *spec = json_object(), *triggers = json_array();
    for (int i = 3; i < argc; i++) {
      if (cli_flag(argc, argv, &i, "--name", &v))
        name = v;
      else if (cli_flag(argc, argv, &i, "--version", &v))
        version = v;
      else if (cli_flag(argc, argv, &i, "--trigger", &v))
        json_array_append_new(triggers, json_string(v));
      else if (strcmp(argv[i], "--critical") == 0)
        json_object_set_new(spec, "critical", json_true());
      else
        name = NULL, i = argc;
    }
    if (!name) {
      json_decref(spec);
      json_decref(triggers);
      fputs(APP_HELP, stderr);
      return CLI_USAGE;
    }
    if (version) json_object_set_new(spec, "version", json_string(version));
    if (json_array_size(triggers)) json_object_set(spec, "triggers", triggers);
    json_decref(triggers);
    snprintf(path, sizeof path, "/apps/%s/versions", name);
    rc = cli_upload_with_spec(&cf, "toit app upload", argv[2], path, "X-App-Spec", spec, &out);
    if (rc == CLI_OK)
      js ? cli_print_json(out)
         : (void)printf("uploaded %s@%s (sha256 %.12s…, %.1f KiB)\n", name, JS(out, "version"), JS(out, "image_sha256"),
                        (double)json_integer_value(json_object_get(out, "image_size")) / 1024);
  } else if (strcmp(sub, "list") == 0 && argc == 2) {
    rc = cli_api(&cf, "GET", "/apps", NULL, &out);
    if (rc == CLI_OK) {
      if (js) {
        cli_print_json(json_object_get(out, "items"));
      } else {
        const char *h[] = {"APP", "LATEST", "VERSIONS"};
        cli_table *t = cli_table_new(3, h);
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(out, "items"), i, a) {
          char n[24];
          snprintf(n, sizeof n, "%lld", (long long)json_integer_value(json_object_get(a, "versions")));
          const char *row[] = {JS(a, "name"), JS(a, "latest_version"), n};
          cli_table_row(t, row);
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
      }
    }
  } else if (strcmp(sub, "versions") == 0 && argc == 3) {
    snprintf(path, sizeof path, "/apps/%s/versions", argv[2]);
    rc = cli_api(&cf, "GET", path, NULL, &out);
    if (rc == CLI_OK) {
      if (js) {
        cli_print_json(json_object_get(out, "items"));
      } else {
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(out, "items"), i, a) printf("%-10s %.12s  %lld bytes  %s\n", JS(a, "version"),
                                                                       JS(a, "image_sha256"),
                                                                       (long long)json_integer_value(json_object_get(a, "image_size")),
                                                                       JS(a, "created_at"));
      }
    }
  } else if ((strcmp(sub, "install") == 0 || strcmp(sub, "uninstall") == 0 || strcmp(sub, "installed") == 0) && argc >= 4) {
    bool installed = strcmp(sub, "installed") == 0;
    int di = installed ? 2 : 3;
    if (argc != di + 2 || strcmp(argv[di], "-d") != 0) {
      fputs(APP_HELP, stderr);
      return CLI_USAGE;
    }
    if ((rc = cli_device_resolve(&cf, argv[di + 1], id)) != CLI_OK) return rc;
    if (installed) {
      snprintf(path, sizeof path, "/devices/%s/apps", id);
      rc = cli_api(&cf, "GET", path, NULL, &out);
      if (rc == CLI_OK) {
        if (js) {
          cli_print_json(json_object_get(out, "items"));
        } else {
          size_t i;
          json_t *a;
          json_array_foreach(json_object_get(out, "items"), i, a) printf("%-16s %-10s %s\n", JS(a, "app"), JS(a, "version"),
                                                                         JS(a, "state"));
        }
      }
    } else {
      char name[64], *at;
      snprintf(name, sizeof name, "%s", argv[2]);
      json_t *body = json_object();
      if ((at = strchr(name, '@'))) {
        *at = 0;
        json_object_set_new(body, "version", json_string(at + 1));
      }
      snprintf(path, sizeof path, "/devices/%s/apps/%s", id, name);
      bool inst = strcmp(sub, "install") == 0;
      rc = cli_api(&cf, inst ? "PUT" : "DELETE", path, inst ? body : NULL, &out);
      json_decref(body);
      if (rc == CLI_OK)
        js ? cli_print_json(out)
           : inst ? (void)printf("%s@%s goes to %s at its next check-in\n", name, JS(out, "version"), argv[di + 1])
                  : (void)printf("%s leaves %s at its next check-in\n", name, argv[di + 1]);
    }
  } else {
    fputs(APP_HELP, stderr);
    return CLI_USAGE;
  }
  json_decref(out);
  return rc;
}

static const char DATA_HELP[] =
    "usage: toit data COMMAND [--json]\n"
    "  publish TOPIC [DATA | -] [-d DEVICE] [--kind device|latest] [--type CONTENT-TYPE]\n"
    "  subscribe NAME TOPIC          a subscription (TOPIC may be a prefix ending in /#)\n"
    "  fetch NAME [--limit N] [--ack]  leased messages, oldest first, one JSON line each\n"
    "  ack NAME ID...\n"
    "  stream NAME [--ack] [--max-inflight N] [--count N]\n"
    "                                live leased messages, one JSON line each; --ack acknowledges\n"
    "                                each after printing; --count stops after N messages\n"
    "  topics | subscriptions\n"
    "  unsubscribe NAME\n";

typedef struct {
  cli_conf *cf;
  const char *name;
  long count; /* -1: no limit */
  bool ack;
  int rc;
} stream_ctx;

/* One streamed message: printed as a JSON line, then acknowledged if asked. */
static bool stream_item(json_t *m, void *ctx) {
  stream_ctx *sc = ctx;
  char *line = json_dumps(m, JSON_COMPACT);
  printf("%s\n", line);
  fflush(stdout);
  free(line);
  if (sc->ack) {
    char path[400];
    char *en = cli_escape(sc->name);
    snprintf(path, sizeof path, "/subscriptions/%s/ack", en);
    free(en);
    json_t *body = json_pack("{s:[O]}", "ids", json_object_get(m, "id")), *a = NULL;
    sc->rc = cli_api(sc->cf, "POST", path, body, &a);
    json_decref(body);
    json_decref(a);
    if (sc->rc != CLI_OK) return false;
  }
  return sc->count < 0 || --sc->count > 0;
}

int cli_fleet_data(int argc, char **argv) {
  if (cli_wants_help(argc, argv, DATA_HELP)) return CLI_OK;
  bool js = cli_strip_flag(&argc, argv, "--json");
  if (argc < 2) {
    fputs(DATA_HELP, stderr);
    return CLI_USAGE;
  }
  cli_conf cf;
  cli_conf_load(&cf);
  json_t *out = NULL;
  int rc = CLI_USAGE;
  char path[700];
  const char *sub = argv[1], *v;
  if (strcmp(sub, "publish") == 0 && argc >= 3) {
    const char *data = NULL, *device = NULL, *kind = NULL, *type = "application/octet-stream";
    for (int i = 3; i < argc; i++) {
      if (cli_flag(argc, argv, &i, "-d", &v))
        device = v;
      else if (cli_flag(argc, argv, &i, "--kind", &v))
        kind = v;
      else if (cli_flag(argc, argv, &i, "--type", &v))
        type = v;
      else if (!data)
        data = argv[i];
      else {
        fputs(DATA_HELP, stderr);
        return CLI_USAGE;
      }
    }
    char id[40] = "";
    if (device && (rc = cli_device_resolve(&cf, device, id)) != CLI_OK) return rc;
    size_t len = 0;
    char *buf = !data || strcmp(data, "-") == 0 ? cli_read_file("-", &len) : strdup(data);
    if (data && strcmp(data, "-") != 0) len = strlen(buf);
    char *et = cli_escape(argv[2]), hdr[300];
    snprintf(path, sizeof path, "/publish?topic=%s%s%s%s%s", et, id[0] ? "&device=" : "", id, kind ? "&kind=" : "",
             kind ? kind : "");
    free(et);
    snprintf(hdr, sizeof hdr, "Content-Type: %s", type);
    rc = cli_post_raw(&cf, path, buf ? buf : "", len, hdr, &out, false);
    free(buf);
    if (rc == CLI_OK) js ? cli_print_json(out) : (void)printf("published message %lld\n", (long long)json_integer_value(json_object_get(out, "id")));
  } else if (strcmp(sub, "subscribe") == 0 && argc == 4) {
    json_t *body = json_pack("{s:s,s:s}", "name", argv[2], "topic", argv[3]);
    rc = cli_api(&cf, "POST", "/subscriptions", body, &out);
    json_decref(body);
    if (rc == CLI_OK) js ? cli_print_json(out) : (void)printf("subscription %s on %s\n", argv[2], argv[3]);
  } else if (strcmp(sub, "unsubscribe") == 0 && argc == 3) {
    snprintf(path, sizeof path, "/subscriptions/%s", argv[2]);
    rc = cli_api(&cf, "DELETE", path, NULL, &out);
    if (rc == CLI_OK && !js) printf("deleted subscription %s\n", argv[2]);
  } else if (strcmp(sub, "fetch") == 0 && argc >= 3) {
    const char *limit = "100";
    bool ack = false;
    for (int i = 3; i < argc; i++) {
      if (cli_flag(argc, argv, &i, "--limit", &v))
        limit = v;
      else if (strcmp(argv[i], "--ack") == 0)
        ack = true;
      else {
        fputs(DATA_HELP, stderr);
        return CLI_USAGE;
      }
    }
    char *el = cli_escape(limit);
    snprintf(path, sizeof path, "/subscriptions/%s/messages?limit=%s", argv[2], el);
    free(el);
    rc = cli_api(&cf, "GET", path, NULL, &out);
    if (rc == CLI_OK) {
      json_t *items = json_object_get(out, "items"), *ids = json_array();
      size_t i;
      json_t *m;
      json_array_foreach(items, i, m) {
        json_array_append(ids, json_object_get(m, "id"));
        char *line = json_dumps(m, JSON_COMPACT);
        printf("%s\n", line);
        free(line);
      }
      if (ack && json_array_size(ids)) {
        json_t *body = json_pack("{s:o}", "ids", ids), *a;
        snprintf(path, sizeof path, "/subscriptions/%s/ack", argv[2]);
        rc = cli_api(&cf, "POST", path, body, &a);
        json_decref(body);
        json_decref(a);
      } else {
        json_decref(ids);
      }
    }
  } else if (strcmp(sub, "stream") == 0 && argc >= 3) {
    stream_ctx sc = {.cf = &cf, .name = argv[2], .count = -1};
    const char *mi = NULL;
    for (int i = 3; i < argc; i++) {
      if (cli_flag(argc, argv, &i, "--max-inflight", &v))
        mi = v;
      else if (cli_flag(argc, argv, &i, "--count", &v))
        sc.count = atol(v);
      else if (strcmp(argv[i], "--ack") == 0)
        sc.ack = true;
      else {
        fputs(DATA_HELP, stderr);
        return CLI_USAGE;
      }
    }
    if (sc.count == 0) return CLI_OK;
    char *en = cli_escape(argv[2]), *em = cli_escape(mi ? mi : "100");
    snprintf(path, sizeof path, "/subscriptions/%s/messages?follow=1&max_inflight=%s", en, em);
    free(en);
    free(em);
    rc = cli_sse(&cf, path, stream_item, &sc);
    if (rc == CLI_OK) rc = sc.rc;
  } else if (strcmp(sub, "ack") == 0 && argc >= 4) {
    json_t *ids = json_array();
    for (int i = 3; i < argc; i++) {
      char *end;
      long long x = strtoll(argv[i], &end, 10);
      if (*end || x <= 0) {
        fprintf(stderr, "toit data ack: '%s' is not a message id\n", argv[i]);
        json_decref(ids);
        return CLI_USAGE;
      }
      json_array_append_new(ids, json_integer(x));
    }
    json_t *body = json_pack("{s:o}", "ids", ids);
    snprintf(path, sizeof path, "/subscriptions/%s/ack", argv[2]);
    rc = cli_api(&cf, "POST", path, body, &out);
    json_decref(body);
    if (rc == CLI_OK) js ? cli_print_json(out) : (void)printf("cursor at %lld\n", (long long)json_integer_value(json_object_get(out, "cursor")));
  } else if ((strcmp(sub, "topics") == 0 || strcmp(sub, "subscriptions") == 0) && argc == 2) {
    bool topics = strcmp(sub, "topics") == 0;
    rc = cli_api(&cf, "GET", topics ? "/topics" : "/subscriptions", NULL, &out);
    if (rc == CLI_OK) {
      if (js) {
        cli_print_json(json_object_get(out, "items"));
      } else {
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(out, "items"), i, x) {
          if (topics)
            printf("%-32s %-7s %s\n", JS(x, "name"), JS(x, "kind"), JS(x, "last_message_at"));
          else
            printf("%-20s %-28s lag %lld  unacked %lld\n", JS(x, "name"), JS(x, "topic"),
                   (long long)json_integer_value(json_object_get(x, "lag")),
                   (long long)json_integer_value(json_object_get(x, "unacked")));
        }
      }
    }
  } else {
    fputs(DATA_HELP, stderr);
    return CLI_USAGE;
  }
  json_decref(out);
  return rc;
}

static const char SIM_HELP[] =
    "usage: toit simulator COMMAND [--json]\n"
    "  list                          simulators of the organization and their state\n"
    "  start [--name N] [--group G]  create a simulator (a device with a server-minted identity)\n"
    "  stop ID | delete ID\n";

int cli_fleet_simulator(int argc, char **argv) {
  if (cli_wants_help(argc, argv, SIM_HELP)) return CLI_OK;
  bool js = cli_strip_flag(&argc, argv, "--json");
  if (argc < 2) {
    fputs(SIM_HELP, stderr);
    return CLI_USAGE;
  }
  cli_conf cf;
  cli_conf_load(&cf);
  json_t *out = NULL;
  int rc = CLI_USAGE;
  char path[300];
  const char *v;
  if (strcmp(argv[1], "list") == 0 && argc == 2) {
    rc = cli_api(&cf, "GET", "/simulators", NULL, &out);
    if (rc == CLI_OK) {
      if (js) {
        cli_print_json(json_object_get(out, "items"));
      } else {
        const char *h[] = {"NAME", "STATE", "ID"};
        cli_table *t = cli_table_new(3, h);
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(out, "items"), i, x) {
          const char *row[] = {JS(x, "name"), JS(x, "state"), JS(x, "device_id")};
          cli_table_row(t, row);
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
      }
    }
  } else if (strcmp(argv[1], "start") == 0) {
    json_t *body = json_object();
    for (int i = 2; i < argc; i++) {
      if (cli_flag(argc, argv, &i, "--name", &v))
        json_object_set_new(body, "name", json_string(v));
      else if (cli_flag(argc, argv, &i, "--group", &v))
        json_object_set_new(body, "group", json_string(v));
      else {
        json_decref(body);
        fputs(SIM_HELP, stderr);
        return CLI_USAGE;
      }
    }
    rc = cli_api(&cf, "POST", "/simulators", body, &out);
    json_decref(body);
    if (rc == CLI_OK) js ? cli_print_json(out) : (void)printf("simulator %s (%s)\n", JS(out, "name"), JS(out, "device_id"));
  } else if ((strcmp(argv[1], "stop") == 0 || strcmp(argv[1], "delete") == 0) && argc == 3) {
    bool del = strcmp(argv[1], "delete") == 0;
    snprintf(path, sizeof path, del ? "/simulators/%s" : "/simulators/%s/stop", argv[2]);
    json_t *body = json_object();
    rc = cli_api(&cf, del ? "DELETE" : "POST", path, del ? NULL : body, &out);
    json_decref(body);
    if (rc == CLI_OK && !js) printf("%s\n", del ? "deleted" : "stopped");
  } else {
    fputs(SIM_HELP, stderr);
  }
  json_decref(out);
  return rc;
}
