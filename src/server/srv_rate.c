/* Token buckets keyed by credential (or email / IP for failed logins). A
 * fixed-size open-addressing table: a full table evicts the stalest slot of
 * the probe run, which can only make a limit more lenient for one key. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv.h"

#define RATE_SLOTS 4096
#define RATE_PROBE 8

typedef struct {
  char key[96];
  double tokens;
  int64_t last_ms;
} bucket;

struct srv_rate {
  pthread_mutex_t lock;
  bucket slots[RATE_SLOTS];
};

srv_rate *srv_rate_new(void) {
  srv_rate *r = calloc(1, sizeof *r);
  pthread_mutex_init(&r->lock, NULL);
  return r;
}

void srv_rate_free(srv_rate *r) {
  if (!r) return;
  pthread_mutex_destroy(&r->lock);
  free(r);
}

static uint32_t hash(const char *s) {
  uint32_t h = 2166136261u;
  while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
  return h;
}

static bool take(srv_rate *r, const char *key, double rate, double burst, int64_t now_ms, bool consume) {
  pthread_mutex_lock(&r->lock);
  uint32_t h = hash(key);
  bucket *b = NULL, *oldest = NULL;
  for (int i = 0; i < RATE_PROBE; i++) {
    bucket *x = &r->slots[(h + (uint32_t)i) % RATE_SLOTS];
    if (strcmp(x->key, key) == 0) {
      b = x;
      break;
    }
    if (!oldest || x->last_ms < oldest->last_ms) oldest = x;
  }
  if (!b) {
    b = oldest;
    snprintf(b->key, sizeof b->key, "%s", key);
    b->tokens = burst;
    b->last_ms = now_ms;
  }
  double dt = (double)(now_ms - b->last_ms) / 1000.0;
  if (dt > 0) {
    b->tokens += dt * rate;
    if (b->tokens > burst) b->tokens = burst;
  }
  b->last_ms = now_ms;
  bool ok = b->tokens >= 1.0;
  if (ok && consume) b->tokens -= 1.0;
  pthread_mutex_unlock(&r->lock);
  return ok;
}

bool srv_rate_take(srv_rate *r, const char *key, double rate, double burst, int64_t now_ms) {
  return take(r, key, rate, burst, now_ms, true);
}

bool srv_rate_peek(srv_rate *r, const char *key, double rate, double burst, int64_t now_ms) {
  return take(r, key, rate, burst, now_ms, false);
}
