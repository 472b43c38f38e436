/* `toit group ...`: list, create, show, rename, config, add, app, delete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_fleet_int.h"

#define JS(o, k) (json_string_value(json_object_get((o), (k))) ?: "")
#define JI(o, k) ((long long)json_integer_value(json_object_get((o), (k))))

static const char *GROUP_HELP =
    "usage: toit group COMMAND [--json]\n"
    "  list                             groups with their device counts\n"
    "  create NAME [--description D]\n"
    "  show G                           a group and its configuration layer\n"
    "  rename G NEW-NAME\n"
    "  config G set KEY=VALUE... | unset KEY...   change the group's goal layer\n"
    "  add G DEVICE...                  move devices into the group\n"
    "  app install G APP[@VERSION] | app uninstall G APP\n"
    "  delete G [--move-to G2 | --ungroup]\n"
    "G is a group name or id. Changes reach every member at its next check-in;\n"
    "for a staged change use `toit rollout create --group G`.\n";

int cli_fleet_group(int argc, char **argv) {
  if (cli_wants_help(argc, argv, GROUP_HELP)) return CLI_OK;
  bool js = cli_strip_flag(&argc, argv, "--json");
  if (argc < 2) {
    fputs(GROUP_HELP, stderr);
    return CLI_USAGE;
  }
  cli_conf cf;
  cli_conf_load(&cf);
  const char *sub = argv[1], *v;
  json_t *out = NULL;
  int rc = CLI_USAGE;
  char path[400];
  char *g = argc >= 3 ? cli_escape(argv[2]) : NULL;
  if (strcmp(sub, "list") == 0 && argc == 2) {
    rc = cli_api(&cf, "GET", "/groups", NULL, &out);
    if (rc == CLI_OK && js) {
      cli_print_json(json_object_get(out, "items"));
    } else if (rc == CLI_OK) {
      const char *hd[] = {"GROUP", "DEVICES", "CONFIG REV", "ID"};
      cli_table *t = cli_table_new(4, hd);
      size_t i;
      json_t *o;
      json_array_foreach(json_object_get(out, "items"), i, o) {
        char n[24], r[24], id[9];
        snprintf(n, sizeof n, "%lld", JI(o, "devices"));
        snprintf(r, sizeof r, "%lld", JI(o, "config_rev"));
        snprintf(id, sizeof id, "%.8s", JS(o, "id"));
        const char *row[] = {JS(o, "name"), n, r, id};
        cli_table_row(t, row);
      }
      cli_table_print(t, stdout);
      cli_table_free(t);
    }
  } else if (strcmp(sub, "create") == 0 && argc >= 3) {
    json_t *body = json_pack("{s:s}", "name", argv[2]);
    rc = CLI_OK;
    for (int i = 3; i < argc; i++) {
      if (cli_flag(argc, argv, &i, "--description", &v)) json_object_set_new(body, "description", json_string(v));
      else rc = CLI_USAGE;
    }
    if (rc == CLI_OK) rc = cli_api(&cf, "POST", "/groups", body, &out);
    else fputs(GROUP_HELP, stderr);
    json_decref(body);
    if (rc == CLI_OK) js ? cli_print_json(out) : (void)printf("created group %s (%s)\n", JS(out, "name"), JS(out, "id"));
  } else if (strcmp(sub, "show") == 0 && argc == 3) {
    snprintf(path, sizeof path, "/groups/%s", g);
    rc = cli_api(&cf, "GET", path, NULL, &out);
    if (rc == CLI_OK && js) {
      cli_print_json(out);
    } else if (rc == CLI_OK) {
      printf("name: %s\nid: %s\ndescription: %s\ndevices: %lld\nconfig rev: %lld\nconfig:\n", JS(out, "name"), JS(out, "id"),
             JS(out, "description"), JI(out, "devices"), JI(out, "config_rev"));
      const char *k;
      json_t *x;
      json_object_foreach(json_object_get(out, "config"), k, x) {
        char *s = json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY);
        printf("  %s = %s\n", k, s);
        free(s);
      }
    }
  } else if (strcmp(sub, "rename") == 0 && argc == 4) {
    snprintf(path, sizeof path, "/groups/%s", g);
    json_t *body = json_pack("{s:s}", "name", argv[3]);
    rc = cli_api(&cf, "PATCH", path, body, &out);
    json_decref(body);
    if (rc == CLI_OK) js ? cli_print_json(out) : (void)printf("group renamed to %s\n", JS(out, "name"));
  } else if (strcmp(sub, "config") == 0 && argc >= 5 && (strcmp(argv[3], "set") == 0 || strcmp(argv[3], "unset") == 0)) {
    bool set = strcmp(argv[3], "set") == 0;
    json_t *patch = json_object();
    rc = CLI_OK;
    for (int k = 4; k < argc; k++) {
      char *eq = strchr(argv[k], '=');
      if (set && !eq) {
        fprintf(stderr, "toit group config set: expected KEY=VALUE, got '%s'\n", argv[k]);
        rc = CLI_USAGE;
        break;
      }
      if (set) {
        *eq = 0;
        json_object_set_new(patch, argv[k], cli_value(eq + 1));
      } else {
        json_object_set_new(patch, argv[k], json_null());
      }
    }
    snprintf(path, sizeof path, "/groups/%s/config", g);
    if (rc == CLI_OK) rc = cli_api(&cf, "PATCH", path, patch, &out);
    json_decref(patch);
    if (rc == CLI_OK)
      js ? cli_print_json(out)
         : (void)printf("group layer rev %lld; members apply it at their next check-in\n", JI(out, "rev"));
  } else if (strcmp(sub, "add") == 0 && argc >= 4) {
    rc = CLI_OK;
    int moved = 0;
    for (int k = 3; k < argc && rc == CLI_OK; k++) {
      char id[40];
      if ((rc = cli_device_resolve(&cf, argv[k], id)) != CLI_OK) break;
      snprintf(path, sizeof path, "/devices/%s", id);
      json_t *body = json_pack("{s:s}", "group", argv[2]);
      json_decref(out);
      rc = cli_api(&cf, "PATCH", path, body, &out);
      json_decref(body);
      moved += rc == CLI_OK;
    }
    if (!js) printf("%d device%s moved to %s\n", moved, moved == 1 ? "" : "s", argv[2]);
    else printf("{\"moved\": %d}\n", moved);
  } else if (strcmp(sub, "app") == 0 && argc >= 5 && (strcmp(argv[2], "install") == 0 || strcmp(argv[2], "uninstall") == 0)) {
    bool inst = strcmp(argv[2], "install") == 0;
    char app[128];
    snprintf(app, sizeof app, "%s", argv[4]);
    char *at = strchr(app, '@');
    if (at) *at++ = 0;
    char *ge = cli_escape(argv[3]);
    snprintf(path, sizeof path, "/groups/%s/apps/%s", ge, app);
    free(ge);
    json_t *body = at ? json_pack("{s:s}", "version", at) : json_object();
    rc = cli_api(&cf, inst ? "PUT" : "DELETE", path, inst ? body : NULL, &out);
    json_decref(body);
    if (rc == CLI_OK)
      js ? cli_print_json(out)
         : (void)printf("%s %s %s group %s (layer rev %lld)\n", inst ? "installing" : "removing", app, inst ? "on" : "from",
                        argv[3], JI(out, "rev"));
  } else if (strcmp(sub, "delete") == 0 && argc >= 3) {
    json_t *body = json_object();
    rc = CLI_OK;
    for (int i = 3; i < argc; i++) {
      if (cli_flag(argc, argv, &i, "--move-to", &v)) json_object_set_new(body, "move_to", json_string(v));
      else if (strcmp(argv[i], "--ungroup") == 0) json_object_set_new(body, "move_to", json_null());
      else rc = CLI_USAGE;
    }
    snprintf(path, sizeof path, "/groups/%s", g);
    if (rc == CLI_OK) rc = cli_api(&cf, "DELETE", path, body, &out);
    else fputs(GROUP_HELP, stderr);
    json_decref(body);
    if (rc == CLI_OK) js ? cli_print_json(out) : (void)printf("group %s deleted\n", argv[2]);
  } else {
    fputs(GROUP_HELP, stderr);
  }
  free(g);
  json_decref(out);
  return rc;
}
