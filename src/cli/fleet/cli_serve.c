/* `toit serve`: runs the fleet server until SIGINT or SIGTERM. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_fleet_int.h"
#include "server/srv.h"

static int mkdir_p(char *path) {
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    int rc = mkdir(path, 0700);
    *p = '/';
    if (rc != 0 && errno != EEXIST) return -1;
  }
  return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static void usage(FILE *out) {
  fprintf(out,
          "usage: toit serve [--db sqlite:PATH | --db postgres://...] [--http HOST:PORT] [--data DIR]\n"
          "                  [--grpc HOST:PORT] [--grpc-port-file F]\n"
          "                  [--admin-email E] [--demo] [--port-file F] [--api-rate N]\n"
          "                  [--device-rate N] [--sweep-ms N] [--test-hooks]\n"
          "       toit serve [--db ...] --migrate-to N   (upgrade the schema to version N and exit)\n"
          "Runs the fleet server. Defaults: --db sqlite:DIR/fleet.db, --data ./fleet-data,\n"
          "--http 127.0.0.1:8080 (port 0 picks a free port; --port-file receives it),\n"
          "--api-rate 20 (API requests per second per credential, burst twice that),\n"
          "--device-rate 1 (syncs per second per device, burst ten times that),\n"
          "--sweep-ms 30000 (how often running rollouts are evaluated).\n"
          "On first start it creates organization 'default' and an admin user; the password\n"
          "comes from TOIT_ADMIN_PASSWORD or is generated and printed once.\n");
}

int cli_fleet_serve(int argc, char **argv) {
  srv_options opt = {0};
  const char *data = "fleet-data", *v;
  char dbbuf[1200];
  int migrate_to = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      return CLI_OK;
    } else if (cli_flag(argc, argv, &i, "--db", &v)) {
      opt.db_url = v;
    } else if (cli_flag(argc, argv, &i, "--http", &v)) {
      opt.http_addr = v;
    } else if (cli_flag(argc, argv, &i, "--data", &v)) {
      data = v;
    } else if (cli_flag(argc, argv, &i, "--admin-email", &v)) {
      opt.admin_email = v;
    } else if (cli_flag(argc, argv, &i, "--grpc", &v)) {
      opt.grpc_addr = v;
    } else if (cli_flag(argc, argv, &i, "--grpc-port-file", &v)) {
      opt.grpc_port_file = v;
    } else if (cli_flag(argc, argv, &i, "--port-file", &v)) {
      opt.port_file = v;
    } else if (cli_flag(argc, argv, &i, "--api-rate", &v)) {
      opt.api_rate = atof(v);
      if (opt.api_rate <= 0) {
        fprintf(stderr, "toit serve: --api-rate wants a positive number\n");
        return CLI_USAGE;
      }
    } else if (cli_flag(argc, argv, &i, "--device-rate", &v)) {
      opt.device_rate = atof(v);
      if (opt.device_rate <= 0) {
        fprintf(stderr, "toit serve: --device-rate wants a positive number\n");
        return CLI_USAGE;
      }
    } else if (cli_flag(argc, argv, &i, "--sweep-ms", &v)) {
      opt.sweep_ms = atoi(v);
      if (opt.sweep_ms < 10 || opt.sweep_ms > 3600000) {
        fprintf(stderr, "toit serve: --sweep-ms wants 10..3600000\n");
        return CLI_USAGE;
      }
    } else if (cli_flag(argc, argv, &i, "--migrate-to", &v)) {
      migrate_to = atoi(v);
      if (migrate_to < 1 || migrate_to > srv_migrate_latest()) {
        fprintf(stderr, "toit serve: --migrate-to wants a schema version 1..%d\n", srv_migrate_latest());
        return CLI_USAGE;
      }
    } else if (strcmp(argv[i], "--demo") == 0) {
      opt.demo = true;
    } else if (strcmp(argv[i], "--test-hooks") == 0) {
      opt.test_hooks = true;
    } else {
      fprintf(stderr, "toit serve: unknown argument '%s'\n", argv[i]);
      usage(stderr);
      return CLI_USAGE;
    }
  }
  char cmd[1100];
  snprintf(cmd, sizeof cmd, "%s", data);
  if (mkdir_p(cmd) != 0) {
    fprintf(stderr, "toit serve: cannot create %s\n", data);
    return CLI_ERR;
  }
  if (!opt.db_url) {
    snprintf(dbbuf, sizeof dbbuf, "sqlite:%s/fleet.db", data);
    opt.db_url = dbbuf;
  }
  if (migrate_to) {
    char err[512];
    srv_db *db = srv_db_open_at(opt.db_url, migrate_to, err, sizeof err);
    if (!db) {
      fprintf(stderr, "toit serve: %s\n", err);
      return CLI_ERR;
    }
    int64_t ver = srv_db_int(db, "SELECT MAX(version) FROM schema_version", NULL, 0, 0);
    srv_db_close(db);
    printf("schema version %lld\n", (long long)ver);
    return CLI_OK;
  }
  opt.admin_password = getenv("TOIT_ADMIN_PASSWORD");
  opt.data_dir = data;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL); /* server threads inherit the mask */
  signal(SIGPIPE, SIG_IGN);
  char err[512];
  srv *s = srv_start(&opt, err, sizeof err);
  if (!s) {
    fprintf(stderr, "toit serve: %s\n", err);
    return CLI_ERR;
  }
  fprintf(stderr, "fleet server (%s) listening on http://%s:%d\n", s->db->be->name,
          strncmp(s->opt.http_addr, ":", 1) == 0 ? "127.0.0.1" : "localhost", s->http_port);
  if (s->grpc_port > 0) fprintf(stderr, "fleet server: gRPC on port %d\n", s->grpc_port);
  int sig = 0;
  sigwait(&set, &sig);
  fprintf(stderr, "fleet server: stopping\n");
  srv_stop(s);
  return CLI_OK;
}
