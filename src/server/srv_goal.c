#include "srv_goal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv_util.h"

void srv_goal_merge(json_t *target, json_t *patch) {
  const char *k;
  json_t *v;
  json_object_foreach(patch, k, v) {
    if (json_is_null(v)) {
      json_object_del(target, k);
    } else if (json_is_object(v)) {
      json_t *cur = json_object_get(target, k);
      if (!json_is_object(cur)) {
        cur = json_object();
        json_object_set_new(target, k, cur);
      }
      srv_goal_merge(cur, v);
    } else {
      json_object_set(target, k, v);
    }
  }
}

char *srv_goal_canonical(json_t *doc) {
  json_t *copy = json_copy(doc);
  json_object_del(copy, "rev");
  json_object_del(copy, "sum");
  json_object_del(copy, "sig");
  char *s = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(copy);
  return s;
}

void srv_goal_sum(json_t *doc, char out[33]) {
  char *canon = srv_goal_canonical(doc);
  char full[65];
  srv_sha256_hex(canon, strlen(canon), full);
  free(canon);
  memcpy(out, full, 32);
  out[32] = 0;
}

static const char *const goal_fields[] = {"max_offline_s", "firmware", "apps", "log_level", "metrics_level", "upload",
                                          "connections", "power", "recovery_urls", "validate", "actions"};

static bool value_ok(json_t *v, int depth, char field[64], const char *name, char why[128]) {
  if (depth > 8) {
    snprintf(field, 64, "%s", name);
    snprintf(why, 128, "nested too deeply");
    return false;
  }
  if (json_is_real(v)) {
    snprintf(field, 64, "%s", name);
    snprintf(why, 128, "numbers must be integers");
    return false;
  }
  if (json_is_object(v)) {
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x) if (!value_ok(x, depth + 1, field, name, why)) return false;
  } else if (json_is_array(v)) {
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) if (!value_ok(x, depth + 1, field, name, why)) return false;
  }
  return true;
}

bool srv_goal_patch_ok(json_t *patch, char field[64], char why[128]) {
  if (!json_is_object(patch)) {
    snprintf(field, 64, "patch");
    snprintf(why, 128, "must be an object");
    return false;
  }
  char *s = json_dumps(patch, JSON_COMPACT);
  size_t n = s ? strlen(s) : 0;
  free(s);
  if (n > 32768) {
    snprintf(field, 64, "patch");
    snprintf(why, 128, "larger than 32 KiB");
    return false;
  }
  const char *k;
  json_t *v;
  json_object_foreach(patch, k, v) {
    size_t i;
    for (i = 0; i < sizeof goal_fields / sizeof goal_fields[0] && strcmp(goal_fields[i], k) != 0; i++) {
    }
    if (i == sizeof goal_fields / sizeof goal_fields[0]) {
      snprintf(field, 64, "%.63s", k);
      snprintf(why, 128, "not a goal field");
      return false;
    }
    if (!value_ok(v, 0, field, k, why)) return false;
    if (strcmp(k, "max_offline_s") == 0 && !json_is_null(v) &&
        (!json_is_integer(v) || (json_integer_value(v) != 0 && json_integer_value(v) < 30) ||
         json_integer_value(v) > 30LL * 24 * 3600)) {
      snprintf(field, 64, "max_offline_s");
      snprintf(why, 128, "0 (stay connected) or 30..2592000 seconds");
      return false;
    }
    if ((strcmp(k, "log_level") == 0 || strcmp(k, "metrics_level") == 0) && !json_is_null(v) && !json_is_string(v)) {
      snprintf(field, 64, "%s", k);
      snprintf(why, 128, "must be a string");
      return false;
    }
  }
  return true;
}

json_t *srv_goal_materialize(const char *name, json_t *group_layer, json_t *pin_layer, json_t *device_layer) {
  json_t *g = json_pack("{s:i}", "max_offline_s", 300);
  if (group_layer) srv_goal_merge(g, group_layer);
  if (pin_layer) srv_goal_merge(g, pin_layer);
  if (device_layer) srv_goal_merge(g, device_layer);
  json_object_set_new(g, "name", json_string(name));
  return g;
}
