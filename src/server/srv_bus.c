/* The in-memory bus that wakes live streams (FLEET.md §3.5). Writers mark
 * the server dirty when they insert events or logs; after their commit
 * srv_bus_publish wakes this instance's streams and, on PostgreSQL, sends
 * NOTIFY fleet so that every other instance does the same: a listener thread
 * with its own connection LISTENs and broadcasts locally. The payload is only
 * a pointer ("<org>"); streams re-read by cursor, and wait at most 5 s before
 * re-reading anyway, which heals a lost notification. */
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "srv.h"

struct srv_bus {
  pthread_mutex_t mu;
  pthread_cond_t cond;
  uint64_t gen;
  pthread_t listener;
  bool listening;
  char *pg_url;
  uint64_t notifies_received;
};

static void broadcast(srv_bus *b) {
  pthread_mutex_lock(&b->mu);
  b->gen++;
  pthread_cond_broadcast(&b->cond);
  pthread_mutex_unlock(&b->mu);
}

void srv_bus_notify(srv *s) {
  if (s->bus) broadcast(s->bus);
}

void srv_bus_publish(srv *s) {
  if (!s->bus_dirty) return;
  s->bus_dirty = false;
  if (s->db && strcmp(s->db->be->name, "postgres") == 0) {
    srv_val p[] = {SRV_TEXT(s->bus_org[0] ? s->bus_org : "*")};
    srv_db_exec(s->db, "SELECT pg_notify('fleet', ?)", p, 1, NULL);
  }
  s->bus_org[0] = 0;
  broadcast(s->bus);
}

void srv_bus_mark(srv *s, const char *org) {
  if (s->bus_dirty && strcmp(s->bus_org, org ? org : "") != 0) snprintf(s->bus_org, sizeof s->bus_org, "*");
  else snprintf(s->bus_org, sizeof s->bus_org, "%s", org ? org : "*");
  s->bus_dirty = true;
}

uint64_t srv_bus_gen(srv *s) {
  pthread_mutex_lock(&s->bus->mu);
  uint64_t g = s->bus->gen;
  pthread_mutex_unlock(&s->bus->mu);
  return g;
}

bool srv_bus_wait(srv *s, uint64_t seen, int timeout_ms) {
  srv_bus *b = s->bus;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_sec += timeout_ms / 1000;
  ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&b->mu);
  while (b->gen == seen && !s->stopping)
    if (pthread_cond_timedwait(&b->cond, &b->mu, &ts) != 0) break;
  bool changed = b->gen != seen;
  pthread_mutex_unlock(&b->mu);
  return changed;
}

uint64_t srv_bus_notifies_received(srv *s) { return s->bus ? s->bus->notifies_received : 0; }

/* PostgreSQL: LISTEN on a dedicated connection; reconnects after errors. */
static void *listen_loop(void *arg) {
  srv *s = arg;
  srv_bus *b = s->bus;
  PGconn *conn = NULL;
  while (!s->stopping) {
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
      if (conn) PQfinish(conn);
      conn = PQconnectdb(b->pg_url);
      PGresult *res = PQstatus(conn) == CONNECTION_OK ? PQexec(conn, "LISTEN fleet") : NULL;
      bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
      PQclear(res);
      if (!ok) {
        PQfinish(conn);
        conn = NULL;
        for (int i = 0; i < 10 && !s->stopping; i++) poll(NULL, 0, 100);
        continue;
      }
      broadcast(b); /* we may have missed something while away */
    }
    struct pollfd pfd = {.fd = PQsocket(conn), .events = POLLIN};
    if (poll(&pfd, 1, 200) > 0) {
      PQconsumeInput(conn);
      PGnotify *n;
      bool any = false;
      while ((n = PQnotifies(conn)) != NULL) {
        any = true;
        PQfreemem(n);
      }
      if (any) {
        b->notifies_received++;
        broadcast(b);
      }
    }
  }
  if (conn) PQfinish(conn);
  return NULL;
}

int srv_bus_start(srv *s, const char *db_url) {
  srv_bus *b = calloc(1, sizeof *b);
  pthread_mutex_init(&b->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_cond_init(&b->cond, &ca);
  pthread_condattr_destroy(&ca);
  s->bus = b;
  if (db_url && (strncmp(db_url, "postgres://", 11) == 0 || strncmp(db_url, "postgresql://", 13) == 0)) {
    b->pg_url = strdup(db_url);
    if (pthread_create(&b->listener, NULL, listen_loop, s) == 0) b->listening = true;
  }
  return 0;
}

void srv_bus_stop(srv *s) {
  srv_bus *b = s->bus;
  if (!b) return;
  broadcast(b);
  if (b->listening) pthread_join(b->listener, NULL);
  free(b->pg_url);
  pthread_cond_destroy(&b->cond);
  pthread_mutex_destroy(&b->mu);
  free(b);
  s->bus = NULL;
}
