/* Dispatch of the fleet commands of `toit` (FLEET.md §5). */
#include <stdio.h>
#include <string.h>

#include "cli/fleet.h"
#include "cli_fleet_int.h"

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *help;
} commands[] = {
    {"serve", cli_fleet_serve, "run the fleet server (SQLite or PostgreSQL)"},
    {"login", cli_fleet_login, "log in to a fleet server"},
    {"logout", cli_fleet_logout, "end the session"},
    {"whoami", cli_fleet_whoami, "show the user, organization and role"},
    {"org", cli_fleet_org, "organizations: list, create, use, show, set"},
    {"user", cli_fleet_user, "members: list, invite, role, remove"},
    {"apikey", cli_fleet_apikey, "API keys: create, list, revoke"},
    {"key", cli_fleet_apikey, "same as apikey"},
    {"events", cli_fleet_events, "organization events (audit log)"},
    {"device", cli_fleet_device, "devices: list, show, config, logs, events, metrics, claim, ..."},
    {"app", cli_fleet_app, "applications: upload, list, versions, install, uninstall"},
    {"data", cli_fleet_data, "pub/sub: publish, subscribe, fetch, ack, topics"},
    {"simulator", cli_fleet_simulator, "simulators: list, start, stop, delete"},
    {"group", cli_fleet_group, "groups: list, create, show, rename, config, add, app, delete"},
    {"firmware", cli_fleet_firmware, "firmware releases: keygen, sign, upload, list, show, delete, set"},
    {"rollout", cli_fleet_rollout, "staged rollouts: preview, create, list, status, start, pause, resume, halt, abort"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

void cli_fleet_help(FILE *out) {
  for (size_t i = 0; i < N_COMMANDS; i++) fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
}

int cli_fleet_main(int argc, char **argv) {
  if (argc < 2) return -1;
  for (size_t i = 0; i < N_COMMANDS; i++)
    if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
  return -1;
}
