/* Session and organization commands: login, logout, whoami, org, user,
 * apikey, events. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_fleet_int.h"

#define JS(o, k) (json_string_value(json_object_get((o), (k))) ?: "")

static char *read_password(const char *prompt) {
  const char *env = getenv("TOIT_PASSWORD");
  if (env) return strdup(env);
  if (isatty(0)) return strdup(getpass(prompt));
  char buf[1100];
  if (!fgets(buf, sizeof buf, stdin)) return NULL;
  buf[strcspn(buf, "\r\n")] = 0;
  return strdup(buf);
}

static const char LOGIN_HELP[] =
    "usage: toit login [--server URL] [--email E]\n"
    "Logs in and stores the session in ~/.config/toit/config.json (or $TOIT_CONFIG).\n"
    "The password comes from $TOIT_PASSWORD, the terminal, or the first line of stdin.\n";

int cli_fleet_login(int argc, char **argv) {
  if (cli_wants_help(argc, argv, LOGIN_HELP)) return CLI_OK;
  cli_conf cf;
  cli_conf_load(&cf);
  const char *email = NULL, *v;
  for (int i = 1; i < argc; i++) {
    if (cli_flag(argc, argv, &i, "--server", &v))
      snprintf(cf.server, sizeof cf.server, "%s", v);
    else if (cli_flag(argc, argv, &i, "--email", &v))
      email = v;
    else {
      fprintf(stderr, "toit login: unknown argument '%s'\n%s", argv[i], LOGIN_HELP);
      return CLI_USAGE;
    }
  }
  char ebuf[300];
  if (!email) {
    fprintf(stderr, "email: ");
    if (!fgets(ebuf, sizeof ebuf, stdin)) return CLI_USAGE;
    ebuf[strcspn(ebuf, "\r\n")] = 0;
    email = ebuf;
  }
  char *pw = read_password("password: ");
  if (!pw) return CLI_USAGE;
  json_t *out, *body = json_pack("{s:s,s:s}", "email", email, "password", pw);
  free(pw);
  cf.token[0] = 0;
  int rc = cli_api(&cf, "POST", "/auth/login", body, &out);
  json_decref(body);
  if (rc == CLI_OK) {
    snprintf(cf.token, sizeof cf.token, "%s", JS(out, "token"));
    json_t *me;
    if (cli_api(&cf, "GET", "/me", NULL, &me) == CLI_OK) {
      json_t *org = json_object_get(me, "org");
      snprintf(cf.org, sizeof cf.org, "%s", JS(org, "id"));
      printf("logged in to %s as %s (organization %s, role %s)\n", cf.server, email, JS(org, "name"), JS(me, "role"));
    }
    json_decref(me);
    rc = cli_conf_save(&cf) == 0 ? CLI_OK : CLI_ERR;
  }
  json_decref(out);
  return rc;
}

int cli_fleet_logout(int argc, char **argv) {
  if (cli_wants_help(argc, argv, "usage: toit logout\nEnds the session and forgets the token.\n")) return CLI_OK;
  cli_conf cf;
  cli_conf_load(&cf);
  json_t *out;
  if (cf.token[0]) cli_api(&cf, "POST", "/auth/logout", NULL, &out), json_decref(out);
  cf.token[0] = 0;
  return cli_conf_save(&cf) == 0 ? CLI_OK : CLI_ERR;
}

int cli_fleet_whoami(int argc, char **argv) {
  if (cli_wants_help(argc, argv, "usage: toit whoami [--json]\nShows the user (or API key), organization and role.\n"))
    return CLI_OK;
  bool js = cli_strip_flag(&argc, argv, "--json");
  cli_conf cf;
  cli_conf_load(&cf);
  json_t *me;
  int rc = cli_api(&cf, "GET", "/me", NULL, &me);
  if (rc == CLI_OK) {
    if (js) {
      cli_print_json(me);
    } else {
      json_t *u = json_object_get(me, "user"), *k = json_object_get(me, "api_key");
      printf("%s %s in organization %s (%s) as %s\n", u && !json_is_null(u) ? "user" : "API key",
             u && !json_is_null(u) ? JS(u, "email") : JS(k, "name"), JS(json_object_get(me, "org"), "name"),
             JS(json_object_get(me, "org"), "id"), JS(me, "role"));
    }
  }
  json_decref(me);
  return rc;
}

static const char ORG_HELP[] =
    "usage: toit org list | create NAME | use ORG | show | set KEY=VALUE... [--json]\n"
    "  list         organizations you belong to\n"
    "  create NAME  a new organization (you become its admin)\n"
    "  use ORG      switch the session to ORG (name or id)\n"
    "  show         the active organization and its settings\n"
    "  set K=V      change the name or a setting (e.g. log_retention_d=30)\n";

int cli_fleet_org(int argc, char **argv) {
  if (cli_wants_help(argc, argv, ORG_HELP)) return CLI_OK;
  bool js = cli_strip_flag(&argc, argv, "--json");
  if (argc < 2) {
    fputs(ORG_HELP, stderr);
    return CLI_USAGE;
  }
  cli_conf cf;
  cli_conf_load(&cf);
  json_t *out = NULL;
  int rc;
  const char *sub = argv[1];
  if (strcmp(sub, "list") == 0 && argc == 2) {
    rc = cli_api(&cf, "GET", "/me", NULL, &out);
    if (rc == CLI_OK) {
      json_t *orgs = json_object_get(out, "orgs");
      if (js) {
        cli_print_json(orgs);
      } else {
        const char *h[] = {"NAME", "ROLE", "ID", ""};
        cli_table *t = cli_table_new(4, h);
        size_t i;
        json_t *o;
        const char *active = JS(json_object_get(out, "org"), "id");
        json_array_foreach(orgs, i, o) {
          const char *row[] = {JS(o, "name"), JS(o, "role"), JS(o, "id"), strcmp(JS(o, "id"), active) == 0 ? "*" : ""};
          cli_table_row(t, row);
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
      }
    }
  } else if (strcmp(sub, "create") == 0 && argc == 3) {
    json_t *body = json_pack("{s:s}", "name", argv[2]);
    rc = cli_api(&cf, "POST", "/orgs", body, &out);
    json_decref(body);
    if (rc == CLI_OK) js ? cli_print_json(out) : (void)printf("created organization %s (%s)\n", JS(out, "name"), JS(out, "id"));
  } else if (strcmp(sub, "use") == 0 && argc == 3) {
    json_t *me;
    rc = cli_api(&cf, "GET", "/me", NULL, &me);
    if (rc != CLI_OK) return rc;
    const char *id = NULL;
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(me, "orgs"), i, o) if (strcmp(JS(o, "name"), argv[2]) == 0 ||
                                                               strcmp(JS(o, "id"), argv[2]) == 0) id = JS(o, "id");
    if (!id) {
      fprintf(stderr, "toit org use: no organization '%s'\n", argv[2]);
      json_decref(me);
      return CLI_NOT_FOUND;
    }
    json_t *body = json_pack("{s:s}", "org_id", id);
    json_decref(me);
    rc = cli_api(&cf, "POST", "/auth/switch-org", body, &out);
    json_decref(body);
    if (rc == CLI_OK) {
      snprintf(cf.token, sizeof cf.token, "%s", JS(out, "token"));
      snprintf(cf.org, sizeof cf.org, "%s", json_string_value(json_object_get(body, "org_id")) ?: "");
      rc = cli_conf_save(&cf) == 0 ? CLI_OK : CLI_ERR;
      if (rc == CLI_OK) printf("now acting in organization %s\n", argv[2]);
    }
  } else if (strcmp(sub, "show") == 0 && argc == 2) {
    rc = cli_api(&cf, "GET", "/org", NULL, &out);
    if (rc == CLI_OK) {
      if (js) {
        cli_print_json(out);
      } else {
        printf("name: %s\nid: %s\ncreated: %s\n", JS(out, "name"), JS(out, "id"), JS(out, "created_at"));
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(out, "settings"), k, v) printf("%s: %lld\n", k, (long long)json_integer_value(v));
      }
    }
  } else if (strcmp(sub, "set") == 0 && argc >= 3) {
    json_t *body = json_object(), *settings = json_object();
    for (int i = 2; i < argc; i++) {
      char *eq = strchr(argv[i], '=');
      if (!eq) {
        fprintf(stderr, "toit org set: expected KEY=VALUE, got '%s'\n", argv[i]);
        json_decref(body);
        json_decref(settings);
        return CLI_USAGE;
      }
      *eq = 0;
      if (strcmp(argv[i], "name") == 0) {
        json_object_set_new(body, "name", json_string(eq + 1));
      } else {
        char *end;
        long long n = strtoll(eq + 1, &end, 10);
        json_object_set_new(settings, argv[i], *end || !eq[1] ? json_string(eq + 1) : json_integer(n));
      }
    }
    if (json_object_size(settings)) json_object_set(body, "settings", settings);
    json_decref(settings);
    rc = cli_api(&cf, "PATCH", "/org", body, &out);
    json_decref(body);
    if (rc == CLI_OK) js ? cli_print_json(out) : (void)printf("organization updated (rev %lld)\n", (long long)json_integer_value(json_object_get(out, "rev")));
  } else {
    fputs(ORG_HELP, stderr);
    return CLI_USAGE;
  }
  json_decref(out);
  return rc;
}

static const char USER_HELP[] =
    "usage: toit user list | invite EMAIL [--role R] | role EMAIL R | remove EMAIL [--json]\n"
    "Members of the active organization; roles are viewer, member, admin.\n"
    "`invite` prints the accept link (no mail is sent).\n";

/* Finds a member's user id by email (or id). */
static int member_id(cli_conf *cf, const char *who, char out[64]) {
  json_t *m;
  int rc = cli_api(cf, "GET", "/org/members", NULL, &m);
  if (rc != CLI_OK) return rc;
  size_t i;
  json_t *o;
  out[0] = 0;
  json_array_foreach(json_object_get(m, "items"), i, o) if (strcasecmp(JS(o, "email"), who) == 0 ||
                                                            strcmp(JS(o, "user_id"), who) == 0)
      snprintf(out, 64, "%s", JS(o, "user_id"));
  json_decref(m);
  if (!out[0]) {
    fprintf(stderr, "toit user: no member '%s'\n", who);
    return CLI_NOT_FOUND;
  }
  return CLI_OK;
}

int cli_fleet_user(int argc, char **argv) {
  if (cli_wants_help(argc, argv, USER_HELP)) return CLI_OK;
  bool js = cli_strip_flag(&argc, argv, "--json");
  if (argc < 2) {
    fputs(USER_HELP, stderr);
    return CLI_USAGE;
  }
  cli_conf cf;
  cli_conf_load(&cf);
  json_t *out = NULL;
  int rc;
  char path[200], id[64];
  if (strcmp(argv[1], "list") == 0 && argc == 2) {
    rc = cli_api(&cf, "GET", "/org/members", NULL, &out);
    if (rc == CLI_OK) {
      if (js) {
        cli_print_json(json_object_get(out, "items"));
      } else {
        const char *h[] = {"EMAIL", "NAME", "ROLE", "ID"};
        cli_table *t = cli_table_new(4, h);
        size_t i;
        json_t *o;
        json_array_foreach(json_object_get(out, "items"), i, o) {
          char shortid[9];
          snprintf(shortid, sizeof shortid, "%s", JS(o, "user_id"));
          const char *row[] = {JS(o, "email"), JS(o, "name"), JS(o, "role"), shortid};
          cli_table_row(t, row);
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
      }
    }
  } else if (strcmp(argv[1], "invite") == 0 && argc >= 3) {
    const char *role = "member", *v;
    for (int i = 3; i < argc; i++) {
      if (cli_flag(argc, argv, &i, "--role", &v)) {
        role = v;
      } else {
        fputs(USER_HELP, stderr);
        return CLI_USAGE;
      }
    }
    json_t *body = json_pack("{s:s,s:s}", "email", argv[2], "role", role);
    rc = cli_api(&cf, "POST", "/org/invites", body, &out);
    json_decref(body);
    if (rc == CLI_OK)
      js ? cli_print_json(out)
         : (void)printf("invited %s as %s; accept link (valid 7 days): %s/api/v1%s\n", JS(out, "email"), JS(out, "role"),
                        cf.server, JS(out, "link"));
  } else if (strcmp(argv[1], "role") == 0 && argc == 4) {
    if ((rc = member_id(&cf, argv[2], id)) != CLI_OK) return rc;
    snprintf(path, sizeof path, "/org/members/%s", id);
    json_t *body = json_pack("{s:s}", "role", argv[3]);
    rc = cli_api(&cf, "PATCH", path, body, &out);
    json_decref(body);
    if (rc == CLI_OK) js ? cli_print_json(out) : (void)printf("%s is now %s\n", argv[2], argv[3]);
  } else if (strcmp(argv[1], "remove") == 0 && argc == 3) {
    if ((rc = member_id(&cf, argv[2], id)) != CLI_OK) return rc;
    snprintf(path, sizeof path, "/org/members/%s", id);
    rc = cli_api(&cf, "DELETE", path, NULL, &out);
    if (rc == CLI_OK) js ? cli_print_json(out) : (void)printf("removed %s\n", argv[2]);
  } else {
    fputs(USER_HELP, stderr);
    return CLI_USAGE;
  }
  json_decref(out);
  return rc;
}

static const char KEY_HELP[] =
    "usage: toit apikey create NAME --role R [--expires RFC3339] | list | revoke ID [--json]\n"
    "Roles: admin, member, viewer, device-provisioner, data-publisher.\n"
    "The secret is printed once by `create`; the server keeps only its hash.\n";

int cli_fleet_apikey(int argc, char **argv) {
  if (cli_wants_help(argc, argv, KEY_HELP)) return CLI_OK;
  bool js = cli_strip_flag(&argc, argv, "--json");
  if (argc < 2) {
    fputs(KEY_HELP, stderr);
    return CLI_USAGE;
  }
  cli_conf cf;
  cli_conf_load(&cf);
  json_t *out = NULL;
  int rc;
  if (strcmp(argv[1], "create") == 0 && argc >= 3) {
    const char *role = NULL, *expires = NULL, *v;
    for (int i = 3; i < argc; i++) {
      if (cli_flag(argc, argv, &i, "--role", &v))
        role = v;
      else if (cli_flag(argc, argv, &i, "--expires", &v))
        expires = v;
      else {
        fputs(KEY_HELP, stderr);
        return CLI_USAGE;
      }
    }
    if (!role) {
      fprintf(stderr, "toit apikey create: --role is required\n");
      return CLI_USAGE;
    }
    json_t *body = json_pack("{s:s,s:s}", "name", argv[2], "role", role);
    if (expires) json_object_set_new(body, "expires_at", json_string(expires));
    rc = cli_api(&cf, "POST", "/org/apikeys", body, &out);
    json_decref(body);
    if (rc == CLI_OK)
      js ? cli_print_json(out)
         : (void)printf("created API key %s (%s, id %s)\nsecret (shown once): %s\n", JS(out, "name"), JS(out, "role"),
                        JS(out, "id"), JS(out, "secret"));
  } else if (strcmp(argv[1], "list") == 0 && argc == 2) {
    rc = cli_api(&cf, "GET", "/org/apikeys", NULL, &out);
    if (rc == CLI_OK) {
      if (js) {
        cli_print_json(json_object_get(out, "items"));
      } else {
        const char *h[] = {"NAME", "ROLE", "PREFIX", "LAST USED", "STATE", "ID"};
        cli_table *t = cli_table_new(6, h);
        size_t i;
        json_t *o;
        json_array_foreach(json_object_get(out, "items"), i, o) {
          const char *row[] = {JS(o, "name"), JS(o, "role"), JS(o, "prefix"),
                               json_is_null(json_object_get(o, "last_used_at")) ? "never" : JS(o, "last_used_at"),
                               json_is_null(json_object_get(o, "revoked_at")) ? "active" : "revoked", JS(o, "id")};
          cli_table_row(t, row);
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
      }
    }
  } else if (strcmp(argv[1], "revoke") == 0 && argc == 3) {
    char path[200];
    snprintf(path, sizeof path, "/org/apikeys/%s", argv[2]);
    rc = cli_api(&cf, "DELETE", path, NULL, &out);
    if (rc == CLI_OK) js ? cli_print_json(out) : (void)printf("revoked API key %s\n", argv[2]);
  } else {
    fputs(KEY_HELP, stderr);
    return CLI_USAGE;
  }
  json_decref(out);
  return rc;
}

static const char EVENTS_HELP[] =
    "usage: toit events [--kind K] [--actor A] [--limit N] [--json]\n"
    "The organization's events (audit log), newest first.\n";

int cli_fleet_events(int argc, char **argv) {
  if (cli_wants_help(argc, argv, EVENTS_HELP)) return CLI_OK;
  bool js = cli_strip_flag(&argc, argv, "--json");
  cli_conf cf;
  cli_conf_load(&cf);
  char path[600] = "/events?limit=", *p;
  const char *kind = NULL, *actor = NULL, *limit = "50", *v;
  for (int i = 1; i < argc; i++) {
    if (cli_flag(argc, argv, &i, "--kind", &v))
      kind = v;
    else if (cli_flag(argc, argv, &i, "--actor", &v))
      actor = v;
    else if (cli_flag(argc, argv, &i, "--limit", &v))
      limit = v;
    else {
      fputs(EVENTS_HELP, stderr);
      return CLI_USAGE;
    }
  }
  p = path + strlen(path);
  char *ek = kind ? cli_escape(kind) : NULL, *ea = actor ? cli_escape(actor) : NULL, *el = cli_escape(limit);
  snprintf(p, sizeof path - strlen(path), "%s%s%s%s%s", el, ek ? "&kind=" : "", ek ? ek : "", ea ? "&actor=" : "",
           ea ? ea : "");
  free(ek);
  free(ea);
  free(el);
  json_t *out;
  int rc = cli_api(&cf, "GET", path, NULL, &out);
  if (rc == CLI_OK) {
    if (js) {
      cli_print_json(json_object_get(out, "items"));
    } else {
      const char *h[] = {"TIME", "KIND", "ACTOR", "SUMMARY"};
      cli_table *t = cli_table_new(4, h);
      size_t i;
      json_t *o;
      json_array_foreach(json_object_get(out, "items"), i, o) {
        const char *row[] = {JS(o, "time"), JS(o, "kind"), JS(json_object_get(o, "actor"), "display"), JS(o, "summary")};
        cli_table_row(t, row);
      }
      cli_table_print(t, stdout);
      cli_table_free(t);
    }
  }
  json_decref(out);
  return rc;
}
