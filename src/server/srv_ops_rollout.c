/* RolloutService (FLEET.md §3.4): staged changes with a preview, admission
 * by stage through a per-device pin layer, evaluation of the admitted
 * devices against the not-yet-admitted ones, automatic halt, completion.
 *
 * The evaluation and its halt rule are in srv_rollout_eval.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv.h"
#include "srv_goal.h"
#include "srv_query.h"
#include "srv_rollout.h"
#include "srv_util.h"

#define MAX_MEMBERS 10000
#define MAX_STAGES 10

typedef srv_rollout_member member;

json_t *srv_rollout_parse(const char *s) { return s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL; }

char *srv_rollout_dump(json_t *j) { return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY); }

bool srv_rollout_low_battery(const srv_rollout_member *m) { return m->battery >= 0 && m->battery < 30 && !m->plugged; }

int srv_rollout_set_state(srv_call *c, const char *id, const char *state, bool finished) {
  int64_t now = srv_now_ms();
  srv_val p[] = {SRV_TEXT(state), SRV_INT(now), finished ? SRV_INT(now) : SRV_NULLV, SRV_TEXT(id)};
  return srv_db_exec(c->s->db, "UPDATE rollouts SET state = ?, updated_at = ?, finished_at = COALESCE(?, finished_at) WHERE id = ?",
                     p, 4, NULL);
}

int srv_rollout_unpin(srv_call *c, const char *id, bool mark_reverted) {
  srv_val p[] = {SRV_TEXT(id)};
  if (srv_db_exec(c->s->db, "UPDATE devices SET pin_layer = NULL, pin_rollout = NULL WHERE pin_rollout = ?", p, 1, NULL) < 0)
    return -1;
  if (!mark_reverted) return 0;
  srv_val q[] = {SRV_INT(srv_now_ms()), SRV_TEXT(id)};
  return srv_db_exec(c->s->db,
                     "UPDATE rollout_members SET status = 'reverted', updated_at = ? WHERE rollout_id = ?"
                     " AND status IN ('admitted', 'applied', 'healthy', 'failed')",
                     q, 2, NULL);
}




/* ---- the spec: target, change (with its pin patch), stages, policy ---- */

static bool pct_ok(json_t *v, double lo, double hi) {
  return json_is_number(v) && json_number_value(v) >= lo && json_number_value(v) <= hi;
}

/* Normalizes c->in into spec {name, target, change, stages, policy} and the
 * pin patch the change means. NULL with c->err set when invalid. */
static json_t *parse_spec(srv_call *c, json_t *in, json_t **patch_out) {
  *patch_out = NULL;
  json_t *target = json_object_get(in, "target");
  if (!json_is_object(target) || json_object_size(target) != 1) {
    srv_bad_field(c, "target", "an object with exactly one of group, query, devices");
    return NULL;
  }
  json_t *g = json_object_get(target, "group"), *q = json_object_get(target, "query"), *ds = json_object_get(target, "devices");
  if (g) {
    char gid[37];
    if (!json_is_string(g) || !srv_group_resolve(c, json_string_value(g), gid)) {
      if (!json_is_string(g)) srv_bad_field(c, "target.group", "must be a group id or name");
      else srv_fail(c, SRV_E_NOT_FOUND, "no such group");
      return NULL;
    }
    target = json_pack("{s:s}", "group", gid);
  } else if (q) {
    if (!json_is_string(q) || strlen(json_string_value(q)) > 512) {
      srv_bad_field(c, "target.query", "a device query of at most 512 bytes");
      return NULL;
    }
    target = json_pack("{s:O}", "query", q);
  } else if (ds) {
    size_t i;
    json_t *v;
    if (!json_is_array(ds) || json_array_size(ds) < 1 || json_array_size(ds) > 1000) {
      srv_bad_field(c, "target.devices", "a list of 1-1000 device ids");
      return NULL;
    }
    json_array_foreach(ds, i, v) if (!json_is_string(v) || !srv_is_uuid(json_string_value(v))) {
      srv_bad_field(c, "target.devices", "a list of 1-1000 device ids");
      return NULL;
    }
    target = json_pack("{s:O}", "devices", ds);
  } else {
    srv_bad_field(c, "target", "an object with exactly one of group, query, devices");
    return NULL;
  }

  json_t *change = json_object_get(in, "change"), *norm = NULL, *patch = NULL;
  char autoname[128] = "";
  if (!json_is_object(change) || json_object_size(change) != 1) {
    srv_bad_field(c, "change", "an object with exactly one of install, uninstall, config, firmware");
    goto fail;
  }
  json_t *ins = json_object_get(change, "install"), *unins = json_object_get(change, "uninstall"),
         *cfg = json_object_get(change, "config"), *fwc = json_object_get(change, "firmware");
  if (fwc) {
    const char *ver = json_string_value(json_object_get(fwc, "version"));
    json_t *rtv = json_object_get(fwc, "release_target");
    if (!json_is_object(fwc) || !ver) {
      srv_bad_field(c, "change.firmware.version", "required firmware version");
      goto fail;
    }
    if (rtv && !json_is_null(rtv) && !json_is_string(rtv)) {
      srv_bad_field(c, "change.firmware.release_target", "must be a string");
      goto fail;
    }
    json_t *entry = srv_firmware_entry(c, ver, json_string_value(rtv));
    if (!entry) goto fail;
    norm = json_pack("{s:{s:s}}", "firmware", "version", ver);
    if (json_is_string(rtv)) json_object_set(json_object_get(norm, "firmware"), "release_target", rtv);
    patch = json_pack("{s:o}", "firmware", entry);
    snprintf(autoname, sizeof autoname, "firmware %s", ver);
  } else if (ins || unins) {
    json_t *o = ins ? ins : unins;
    const char *app = json_string_value(json_object_get(o, "app"));
    if (!json_is_object(o) || !app || !srv_text_ok(app, 40)) {
      srv_bad_field(c, ins ? "change.install.app" : "change.uninstall.app", "required app name");
      goto fail;
    }
    if (ins) {
      json_t *v = json_object_get(ins, "version");
      if (v && !json_is_null(v) && !json_is_string(v)) {
        srv_bad_field(c, "change.install.version", "must be a string");
        goto fail;
      }
      json_t *saved = c->in;
      c->in = ins; /* srv_app_entry reads "version" from c->in */
      json_t *entry = srv_app_entry(c, app);
      c->in = saved;
      if (!entry) goto fail;
      const char *ver = json_string_value(json_object_get(entry, "version"));
      norm = json_pack("{s:{s:s,s:s}}", "install", "app", app, "version", ver);
      patch = json_pack("{s:{s:o}}", "apps", app, entry);
      snprintf(autoname, sizeof autoname, "install %s@%s", app, ver);
    } else {
      norm = json_pack("{s:{s:s}}", "uninstall", "app", app);
      patch = json_pack("{s:{s:n}}", "apps", app);
      snprintf(autoname, sizeof autoname, "uninstall %s", app);
    }
  } else if (cfg) {
    char field[64], why[128];
    if (!json_is_object(cfg) || json_object_size(cfg) == 0) {
      srv_bad_field(c, "change.config", "a non-empty goal patch");
      goto fail;
    }
    if (!srv_goal_patch_ok(cfg, field, why)) {
      char f[80];
      snprintf(f, sizeof f, "change.config.%s", field);
      srv_bad_field(c, f, why);
      goto fail;
    }
    norm = json_pack("{s:O}", "config", cfg);
    patch = json_deep_copy(cfg);
    size_t n = (size_t)snprintf(autoname, sizeof autoname, "config");
    const char *k;
    json_t *v;
    json_object_foreach(cfg, k, v) if (n < sizeof autoname - 2) n += (size_t)snprintf(autoname + n, sizeof autoname - n, " %s", k);
  } else {
    srv_bad_field(c, "change", "an object with exactly one of install, uninstall, config, firmware");
    goto fail;
  }

  /* Stages: [{percent, soak_s}] or a list of percents with a common soak_s. */
  json_t *st = json_object_get(in, "stages"), *stages = json_array();
  json_t *soak_in = json_object_get(in, "soak_s");
  int64_t soak_dflt = 1800;
  if (soak_in && !json_is_null(soak_in)) {
    if (!json_is_integer(soak_in) || json_integer_value(soak_in) < 0 || json_integer_value(soak_in) > 30LL * 86400) {
      json_decref(stages);
      srv_bad_field(c, "soak_s", "0..2592000 seconds");
      goto fail;
    }
    soak_dflt = json_integer_value(soak_in);
  }
  if (!st || json_is_null(st)) st = json_pack("[i,i,i,i]", 1, 10, 50, 100);
  else json_incref(st);
  size_t i;
  json_t *v;
  double last = 0;
  if (!json_is_array(st) || json_array_size(st) < 1 || json_array_size(st) > MAX_STAGES) {
    json_decref(st);
    json_decref(stages);
    srv_bad_field(c, "stages", "1-10 stages");
    goto fail;
  }
  json_array_foreach(st, i, v) {
    json_t *pct = json_is_object(v) ? json_object_get(v, "percent") : v;
    json_t *soak = json_is_object(v) ? json_object_get(v, "soak_s") : NULL;
    if (!pct_ok(pct, 0.001, 100) || json_number_value(pct) <= last || (soak && !json_is_null(soak) &&
                                                                           (!json_is_integer(soak) || json_integer_value(soak) < 0 ||
                                                                            json_integer_value(soak) > 30LL * 86400))) {
      json_decref(st);
      json_decref(stages);
      srv_bad_field(c, "stages", "increasing percents in (0, 100] with soak_s 0..2592000");
      goto fail;
    }
    last = json_number_value(pct);
    json_array_append_new(stages, json_pack("{s:f,s:I}", "percent", last,
                                            "soak_s", (json_int_t)(soak && !json_is_null(soak) ? json_integer_value(soak) : soak_dflt)));
  }
  json_decref(st);
  if (last != 100) {
    json_decref(stages);
    srv_bad_field(c, "stages", "the last stage must be 100 percent");
    goto fail;
  }

  json_t *pol = json_object_get(in, "policy");
  if (pol && !json_is_null(pol) && !json_is_object(pol)) {
    json_decref(stages);
    srv_bad_field(c, "policy", "must be an object");
    goto fail;
  }
  json_t *policy = json_pack("{s:f,s:f,s:i,s:s,s:b,s:b}", "max_failed_pct", 5.0, "max_health_drop_pts", 10.0, "min_sample",
                             5, "on_halt", "pause", "skip_low_battery", 0, "diversify", 0);
  const char *k;
  json_object_foreach(pol, k, v) {
    bool ok = true;
    if (strcmp(k, "max_failed_pct") == 0 || strcmp(k, "max_health_drop_pts") == 0) {
      ok = pct_ok(v, 0, 100);
      if (ok) json_object_set_new(policy, k, json_real(json_number_value(v)));
    } else if (strcmp(k, "min_sample") == 0) {
      ok = json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= MAX_MEMBERS;
      if (ok) json_object_set(policy, k, v);
    } else if (strcmp(k, "on_halt") == 0) {
      ok = json_is_string(v) && (strcmp(json_string_value(v), "pause") == 0 || strcmp(json_string_value(v), "rollback") == 0);
      if (ok) json_object_set(policy, k, v);
    } else if (strcmp(k, "watch_metric") == 0) {
      const char *mn = json_string_value(json_object_get(v, "name"));
      json_t *kk = json_object_get(v, "k");
      ok = json_is_object(v) && mn && strlen(mn) >= 1 && strlen(mn) <= 64 && strspn(mn, "abcdefghijklmnopqrstuvwxyz0123456789_.") == strlen(mn) &&
           (!kk || pct_ok(kk, 1.0001, 1000)) && json_object_size(v) <= 2;
      if (ok) json_object_set_new(policy, k, json_pack("{s:s,s:f}", "name", mn, "k", kk ? json_number_value(kk) : 2.0));
    } else if (strcmp(k, "skip_low_battery") == 0 || strcmp(k, "diversify") == 0) {
      ok = json_is_boolean(v);
      if (ok) json_object_set(policy, k, v);
    } else {
      ok = false;
    }
    if (!ok) {
      char f[80];
      snprintf(f, sizeof f, "policy.%.60s", k);
      json_decref(stages);
      json_decref(policy);
      srv_bad_field(c, f, "unknown field or value out of range");
      goto fail;
    }
  }
  json_t *name = json_object_get(in, "name");
  if (name && !json_is_null(name) && (!json_is_string(name) || !srv_text_ok(json_string_value(name), 64))) {
    json_decref(stages);
    json_decref(policy);
    srv_bad_field(c, "name", "1-64 printable characters");
    goto fail;
  }
  *patch_out = patch;
  return json_pack("{s:s,s:o,s:o,s:o,s:o}", "name", name && !json_is_null(name) ? json_string_value(name) : autoname,
                   "target", target, "change", norm, "stages", stages, "policy", policy);
fail:
  json_decref(target);
  json_decref(norm);
  json_decref(patch);
  return NULL;
}

/* ---- members: resolving the target, order keys, stage assignment ---- */


static int by_key(const void *a, const void *b) { return strcmp(((const member *)a)->key, ((const member *)b)->key); }

#define TARGET_COLS                                                                                             \
  "d.id, d.name, d.last_seen_at, d.power_json, d.layer, (SELECT g.layer FROM groups g WHERE g.id = d.group_id)," \
  " d.pin_rollout, (SELECT r.state FROM rollouts r WHERE r.id = d.pin_rollout), d.firmware, d.group_id"


/* Resolves the target into members ordered by SHA-256(org ‖ name ‖ device),
 * marks exclusions and assigns stages. *n gets the count; NULL + error. */
static member *resolve(srv_call *c, json_t *spec, json_t *patch, const char *self_id, int *n) {
  json_t *target = json_object_get(spec, "target");
  const char *g = json_string_value(json_object_get(target, "group")), *q = json_string_value(json_object_get(target, "query"));
  json_t *ds = json_object_get(target, "devices");
  srv_query *qc = calloc(1, sizeof *qc);
  char sql[6000];
  srv_val p[SRV_QUERY_MAX_PARAMS + 2];
  int np = 0;
  p[np++] = SRV_TEXT(c->who.org_id);
  if (g) {
    snprintf(sql, sizeof sql, "SELECT " TARGET_COLS " FROM devices d WHERE d.org_id = ? AND d.unclaimed_at IS NULL AND d.group_id = ?");
    p[np++] = SRV_TEXT(g);
  } else if (q) {
    if (*q && srv_query_compile(q, srv_now_ms(), qc) < 0) {
      srv_bad_field(c, "target.query", qc->error);
      free(qc);
      return NULL;
    }
    snprintf(sql, sizeof sql, "SELECT " TARGET_COLS " FROM devices d WHERE d.org_id = ? AND d.unclaimed_at IS NULL AND %s",
             qc->sql[0] ? qc->sql : "1 = 1");
    for (int i = 0; i < qc->nparams; i++) p[np++] = qc->params[i];
  } else {
    snprintf(sql, sizeof sql, "SELECT " TARGET_COLS " FROM devices d WHERE d.org_id = ? AND d.unclaimed_at IS NULL");
  }
  srv_rows *r = srv_db_query(c->s->db, sql, p, np);
  int cap = 64, k = 0;
  member *ms = malloc(sizeof *ms * (size_t)cap);
  const char *name = json_string_value(json_object_get(spec, "name"));
  int64_t now = srv_now_ms();
  while (srv_rows_next(r)) {
    const char *id = srv_rows_text(r, 0);
    if (ds) { /* explicit list: keep only the named devices */
      size_t i;
      json_t *v;
      bool want = false;
      json_array_foreach(ds, i, v) if (strcmp(json_string_value(v), id) == 0) want = true;
      if (!want) continue;
    }
    if (k == MAX_MEMBERS) {
      srv_bad_field(c, "target", "matches more than 10000 devices");
      break;
    }
    if (k == cap) ms = realloc(ms, sizeof *ms * (size_t)(cap *= 2));
    member *m = &ms[k++];
    memset(m, 0, sizeof *m);
    snprintf(m->id, sizeof m->id, "%s", id);
    snprintf(m->name, sizeof m->name, "%s", srv_rows_text(r, 1));
    m->last_seen = srv_rows_null(r, 2) ? 0 : srv_rows_int(r, 2);
    json_t *pw = srv_rollout_parse(srv_rows_text(r, 3));
    m->battery = json_is_integer(json_object_get(pw, "battery_pct")) ? (int)json_integer_value(json_object_get(pw, "battery_pct")) : -1;
    m->plugged = json_is_true(json_object_get(pw, "plugged"));
    json_decref(pw);
    char buf[200];
    snprintf(buf, sizeof buf, "%s|%s|%s", c->who.org_id, name, id);
    srv_sha256_hex(buf, strlen(buf), m->key);
    /* Exclusions: gone for a week, no effect, pinned by another active rollout. */
    json_t *layer = srv_rollout_parse(srv_rows_text(r, 4)), *gl = srv_rollout_parse(srv_rows_text(r, 5));
    json_t *before = srv_goal_materialize(m->name, gl, NULL, layer), *after = srv_goal_materialize(m->name, gl, patch, layer);
    char s1[33], s2[33];
    srv_goal_sum(before, s1);
    srv_goal_sum(after, s2);
    m->max_offline_s = json_integer_value(json_object_get(before, "max_offline_s"));
    json_decref(before);
    json_decref(after);
    json_decref(layer);
    json_decref(gl);
    snprintf(m->combo, sizeof m->combo, "%.60s|%.40s", srv_rows_text(r, 8) ? srv_rows_text(r, 8) : "",
             srv_rows_text(r, 9) ? srv_rows_text(r, 9) : "");
    const char *pin = srv_rows_text(r, 6), *pin_state = srv_rows_text(r, 7);
    m->stage = 0;
    if (pin && pin_state && (!self_id || strcmp(pin, self_id) != 0) &&
        (strcmp(pin_state, "running") == 0 || strcmp(pin_state, "paused") == 0 || strcmp(pin_state, "halted") == 0)) {
      m->stage = -1;
      m->why = "in_other_rollout";
      snprintf(m->pin_rollout, sizeof m->pin_rollout, "%s", pin);
    } else if (m->last_seen > 0 && now - m->last_seen > 7LL * 86400 * 1000) {
      m->stage = -1;
      m->why = "offline_7d";
    } else if (strcmp(s1, s2) == 0) {
      m->stage = -1;
      m->why = "no_effect";
    } else if ((m->why = srv_firmware_blocked(json_object_get(patch, "firmware"), srv_rows_text(r, 8)))) {
      m->stage = -1; /* it runs firmware older than the release's min_from_version (or unknown) */
    }
  }
  bool failed = srv_rows_failed(r);
  srv_rows_free(r);
  free(qc);
  if (c->err != SRV_E_OK || failed) {
    if (failed) srv_fail(c, SRV_E_INTERNAL, "cannot resolve the target");
    free(ms);
    return NULL;
  }
  qsort(ms, (size_t)k, sizeof *ms, by_key);
  int eligible = 0, reps = 0;
  for (int i = 0; i < k; i++) eligible += ms[i].stage >= 0;
  /* Diversify: the first eligible device (in order) of each firmware|group
   * combination goes first, so stage 1 holds one of each. */
  if (json_is_true(json_object_get(json_object_get(spec, "policy"), "diversify"))) {
    for (int i = 0; i < k; i++) {
      if (ms[i].stage < 0) continue;
      bool seen = false;
      for (int q = 0; q < i && !seen; q++) seen = ms[q].rep && strcmp(ms[q].combo, ms[i].combo) == 0;
      ms[i].rep = !seen;
      reps += !seen;
    }
    member *sorted = malloc(sizeof *ms * (size_t)(k ? k : 1));
    int o = 0;
    for (int pass = 0; pass < 3; pass++)
      for (int i = 0; i < k; i++)
        if ((pass == 0 && ms[i].stage >= 0 && ms[i].rep) || (pass == 1 && ms[i].stage >= 0 && !ms[i].rep) ||
            (pass == 2 && ms[i].stage < 0))
          sorted[o++] = ms[i];
    free(ms);
    ms = sorted;
  }
  /* Stage j holds the members up to ceil(eligible × percent_j / 100), at
   * least one more than the stage before while any are left (and stage 1
   * at least the diversified representatives). */
  json_t *stages = json_object_get(spec, "stages");
  int upto[MAX_STAGES], prev = 0;
  for (size_t j = 0; j < json_array_size(stages); j++) {
    double pct = json_number_value(json_object_get(json_array_get(stages, j), "percent"));
    int want = (int)ceil(eligible * pct / 100.0 - 1e-9);
    if (j == 0 && want < reps) want = reps;
    if (want <= prev && prev < eligible) want = prev + 1;
    if (want > eligible) want = eligible;
    upto[j] = prev = want;
  }
  int idx = 0;
  for (int i = 0; i < k; i++) {
    if (ms[i].stage < 0) continue;
    int j = 0;
    while (idx >= upto[j]) j++;
    ms[i].stage = j;
    idx++;
  }
  *n = k;
  return ms;
}

/* The preview: devices per stage, exclusions, deferrals, download bytes. */
static json_t *preview_json(json_t *spec, json_t *patch, member *ms, int n) {
  json_t *stages = json_array(), *excluded = json_array(), *deferred = json_array();
  size_t j;
  json_t *st;
  json_array_foreach(json_object_get(spec, "stages"), j, st) {
    json_t *devs = json_array();
    for (int i = 0; i < n; i++)
      if (ms[i].stage == (int)j) json_array_append_new(devs, json_pack("{s:s,s:s}", "id", ms[i].id, "name", ms[i].name));
    json_array_append_new(stages, json_pack("{s:i,s:O,s:O,s:I,s:o}", "stage", (int)j + 1, "percent", json_object_get(st, "percent"),
                                            "soak_s", json_object_get(st, "soak_s"), "count", (json_int_t)json_array_size(devs),
                                            "devices", devs));
  }
  int eligible = 0;
  bool skip_low = json_is_true(json_object_get(json_object_get(spec, "policy"), "skip_low_battery"));
  for (int i = 0; i < n; i++) {
    if (ms[i].stage < 0) {
      json_array_append_new(excluded, json_pack("{s:s,s:s,s:s}", "id", ms[i].id, "name", ms[i].name, "reason", ms[i].why));
      continue;
    }
    eligible++;
    if (skip_low && srv_rollout_low_battery(&ms[i]))
      json_array_append_new(deferred, json_pack("{s:s,s:s,s:s,s:i}", "id", ms[i].id, "name", ms[i].name, "reason", "low_battery",
                                                "battery_pct", ms[i].battery));
  }
  /* Offline now: eligible devices past their expected check-in (§1.4 rule),
   * or never seen, with when they are due (they get the change then). */
  json_t *offline = json_array();
  int64_t now = srv_now_ms();
  for (int i = 0; i < n; i++) {
    if (ms[i].stage < 0) continue;
    int64_t expected = (ms[i].max_offline_s > 0 ? ms[i].max_offline_s : 60) * 1000, grace = expected / 10 + 120000;
    if (ms[i].last_seen > 0 && now - ms[i].last_seen - grace < expected) continue;
    json_array_append_new(offline, json_pack("{s:s,s:s,s:o,s:o}", "id", ms[i].id, "name", ms[i].name, "last_seen_at",
                                             srv_json_time(ms[i].last_seen), "due_at",
                                             ms[i].last_seen > 0 ? srv_json_time(ms[i].last_seen + expected) : json_null()));
  }
  /* Bytes to download: the app or firmware image, once per eligible device. */
  int64_t bytes = 0;
  const char *k;
  json_t *v;
  json_object_foreach(json_object_get(patch, "apps"), k, v) bytes += json_integer_value(json_object_get(v, "size"));
  bytes += json_integer_value(json_object_get(json_object_get(patch, "firmware"), "size"));
  return json_pack("{s:O,s:O,s:O,s:i,s:i,s:o,s:o,s:o,s:o,s:I}", "name", json_object_get(spec, "name"), "target",
                   json_object_get(spec, "target"), "change", json_object_get(spec, "change"), "matched", n, "eligible",
                   eligible, "stages", stages, "excluded", excluded, "deferred", deferred, "offline", offline,
                   "download_bytes", (json_int_t)(bytes * eligible));
}

srv_err srv_op_preview_rollout(srv_call *c) {
  json_t *patch;
  json_t *spec = parse_spec(c, c->in, &patch);
  if (!spec) return c->err;
  int n = 0;
  member *ms = resolve(c, spec, patch, NULL, &n);
  if (ms) c->out = preview_json(spec, patch, ms, n);
  free(ms);
  json_decref(spec);
  json_decref(patch);
  return c->out ? SRV_E_OK : c->err;
}

/* ---- rollout rows ---- */


static const char *const statuses[] = {"waiting", "admitted", "deferred", "applied", "healthy", "failed", "reverted"};
#define N_STATUS 7

static json_t *rollout_json(srv_call *c, srv_rows *r) {
  const char *id = srv_rows_text(r, 0);
  json_t *stages = srv_rollout_parse(srv_rows_text(r, 4));
  json_t *counters = json_object();
  for (int i = 0; i < N_STATUS; i++) json_object_set_new(counters, statuses[i], json_integer(0));
  json_t *per_stage = json_array();
  for (size_t j = 0; j < json_array_size(stages); j++) {
    json_t *o = json_object();
    for (int i = 0; i < N_STATUS; i++) json_object_set_new(o, statuses[i], json_integer(0));
    json_array_append_new(per_stage, o);
  }
  srv_val p[] = {SRV_TEXT(id)};
  srv_rows *m = srv_db_query(c->s->db, "SELECT stage, status, COUNT(*) FROM rollout_members WHERE rollout_id = ? GROUP BY stage, status",
                             p, 1);
  int64_t total = 0;
  while (srv_rows_next(m)) {
    const char *st = srv_rows_text(m, 1);
    int64_t k = srv_rows_int(m, 2);
    total += k;
    json_object_set_new(counters, st, json_integer(json_integer_value(json_object_get(counters, st)) + k));
    json_t *o = json_array_get(per_stage, (size_t)srv_rows_int(m, 0));
    if (o) json_object_set_new(o, st, json_integer(json_integer_value(json_object_get(o, st)) + k));
  }
  srv_rows_free(m);
  json_object_set_new(counters, "targeted", json_integer(total));
  size_t j;
  json_t *st;
  json_array_foreach(stages, j, st) {
    json_t *o = json_array_get(per_stage, j);
    int64_t cnt = 0;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) cnt += json_integer_value(v);
    json_object_set_new(st, "count", json_integer(cnt));
    json_object_set(st, "status", o);
  }
  json_decref(per_stage);
  json_t *halt = srv_rollout_parse(srv_rows_text(r, 10));
  return json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:s,s:I,s:o,s:o,s:o,s:o,s:s,s:o,s:o,s:o,s:o}", "id", id, "name",
                   srv_rows_text(r, 1), "target", srv_rollout_parse(srv_rows_text(r, 2)), "change", srv_rollout_parse(srv_rows_text(r, 3)),
                   "stages", stages, "policy", srv_rollout_parse(srv_rows_text(r, 5)), "state", srv_rows_text(r, 6), "current_stage",
                   (json_int_t)srv_rows_int(r, 7), "stage_started_at", srv_json_time(srv_rows_null(r, 8) ? 0 : srv_rows_int(r, 8)),
                   "baseline_unhealthy_pct", srv_rows_null(r, 9) ? json_null() : json_real(srv_rows_real(r, 9)), "halt",
                   halt ? halt : json_null(), "counters", counters, "created_by", srv_rows_text(r, 11) ? srv_rows_text(r, 11) : "",
                   "created_at", srv_json_time(srv_rows_int(r, 12)), "started_at",
                   srv_json_time(srv_rows_null(r, 13) ? 0 : srv_rows_int(r, 13)), "updated_at", srv_json_time(srv_rows_int(r, 14)),
                   "finished_at", srv_json_time(srv_rows_null(r, 15) ? 0 : srv_rows_int(r, 15)));
}

static json_t *load_rollout(srv_call *c, const char *id) {
  if (!srv_is_uuid(id)) {
    srv_fail(c, SRV_E_NOT_FOUND, "no such rollout");
    return NULL;
  }
  srv_val p[] = {SRV_TEXT(id), SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db, "SELECT " SRV_ROLLOUT_COLS " FROM rollouts WHERE id = ? AND org_id = ?", p, 2);
  json_t *o = srv_rows_next(r) ? rollout_json(c, r) : NULL;
  srv_rows_free(r);
  if (!o) srv_fail(c, SRV_E_NOT_FOUND, "no such rollout");
  return o;
}



/* The staged (not excluded) members as `waiting` rows. */
static int insert_members(srv_call *c, const char *id, const member *ms, int n, int64_t now) {
  int rc = 0;
  for (int i = 0; rc >= 0 && i < n; i++) {
    if (ms[i].stage < 0) continue;
    srv_val q[] = {SRV_TEXT(id), SRV_TEXT(c->who.org_id), SRV_TEXT(ms[i].id), SRV_TEXT(ms[i].key), SRV_INT(ms[i].stage),
                   SRV_INT(now)};
    rc = srv_db_exec(c->s->db,
                     "INSERT INTO rollout_members (rollout_id, org_id, device_id, order_key, stage, status, updated_at)"
                     " VALUES (?,?,?,?,?,'waiting',?)",
                     q, 6, NULL);
  }
  return rc;
}

srv_err srv_op_create_rollout(srv_call *c) {
  json_t *patch;
  json_t *spec = parse_spec(c, c->in, &patch);
  if (!spec) return c->err;
  json_t *start = json_object_get(c->in, "start");
  if (start && !json_is_boolean(start)) {
    json_decref(spec);
    json_decref(patch);
    return srv_bad_field(c, "start", "must be true or false");
  }
  int n = 0;
  member *ms = resolve(c, spec, patch, NULL, &n);
  if (!ms) {
    json_decref(spec);
    json_decref(patch);
    return c->err;
  }
  char id[37];
  srv_uuid(id);
  int64_t now = srv_now_ms();
  char *tj = srv_rollout_dump(json_object_get(spec, "target")), *cj = srv_rollout_dump(json_object_get(spec, "change")), *pj = srv_rollout_dump(patch),
       *sj = srv_rollout_dump(json_object_get(spec, "stages")), *po = srv_rollout_dump(json_object_get(spec, "policy"));
  srv_val p[] = {SRV_TEXT(id), SRV_TEXT(c->who.org_id), SRV_TEXT(json_string_value(json_object_get(spec, "name"))),
                 SRV_TEXT(tj), SRV_TEXT(cj), SRV_TEXT(pj), SRV_TEXT(sj), SRV_TEXT(po), SRV_TEXT(c->who.display),
                 SRV_INT(now), SRV_INT(now)};
  int rc = srv_db_exec(c->s->db,
                       "INSERT INTO rollouts (id, org_id, name, target_json, change_json, patch_json, stages_json, policy_json,"
                       " state, created_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,'draft',?,?,?)",
                       p, 11, NULL);
  free(tj);
  free(cj);
  free(pj);
  free(sj);
  free(po);
  if (rc >= 0) rc = insert_members(c, id, ms, n, now);
  json_t *preview = preview_json(spec, patch, ms, n);
  free(ms);
  json_decref(patch);
  if (rc < 0) {
    json_decref(spec);
    json_decref(preview);
    return srv_fail(c, SRV_E_INTERNAL, "cannot store rollout");
  }
  srv_event_add(c, NULL, SRV_EV_ROLLOUT_CREATED, NULL, json_incref(spec), NULL, "rollout %s (%s) created by %s",
                json_string_value(json_object_get(spec, "name")), id, c->who.display);
  json_decref(spec);
  if (json_is_true(start)) {
    const char *saved = c->params[0];
    c->params[0] = id;
    srv_err e = srv_op_start_rollout(c);
    c->params[0] = saved;
    if (e != SRV_E_OK) {
      json_decref(preview);
      return e;
    }
    json_decref(c->out);
  }
  c->out = load_rollout(c, id);
  if (c->out) json_object_set_new(c->out, "preview", preview);
  else json_decref(preview);
  c->created = 1;
  return c->out ? SRV_E_OK : c->err;
}

srv_err srv_op_list_rollouts(srv_call *c) {
  int64_t size, offset = 0;
  if (srv_in_int(c, "page_size", 50, 1, 500, &size)) return c->err;
  bool bad = false;
  const char *state = srv_in_str(c, "state", &bad), *tok = srv_in_str(c, "page_token", &bad);
  if (bad) return c->err;
  if (tok && *tok) {
    char *end;
    offset = strtoll(tok, &end, 10);
    if (*end || offset <= 0 || offset > 10000000) return srv_bad_field(c, "page_token", "not a token from this list");
  }
  srv_val p[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(state), SRV_TEXT(state), SRV_INT(size + 1), SRV_INT(offset)};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT " SRV_ROLLOUT_COLS " FROM rollouts WHERE org_id = ? AND (CAST(? AS TEXT) IS NULL OR state = ?)"
                             " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                             p, 5);
  json_t *items = json_array();
  bool more = false;
  while (srv_rows_next(r)) {
    if ((int64_t)json_array_size(items) == size) {
      more = true;
      break;
    }
    json_array_append_new(items, rollout_json(c, r));
  }
  srv_rows_free(r);
  char next[32] = "";
  if (more) snprintf(next, sizeof next, "%lld", (long long)(offset + size));
  c->out = json_pack("{s:o,s:s}", "items", items, "next_page_token", next);
  return SRV_E_OK;
}

srv_err srv_op_get_rollout(srv_call *c) {
  c->out = load_rollout(c, c->params[0]);
  if (!c->out) return c->err;
  json_t *want = json_object_get(c->in, "members");
  if (want && (json_is_true(want) || (json_is_string(want) && strcmp(json_string_value(want), "1") == 0))) {
    srv_val p[] = {SRV_TEXT(c->params[0])};
    srv_rows *r = srv_db_query(c->s->db,
                               "SELECT m.device_id, d.name, m.stage, m.status, m.admitted_at, m.applied_at FROM rollout_members m"
                               " JOIN devices d ON d.id = m.device_id WHERE m.rollout_id = ? ORDER BY m.stage, m.order_key LIMIT 1000",
                               p, 1);
    json_t *items = json_array();
    while (srv_rows_next(r))
      json_array_append_new(items, json_pack("{s:s,s:s,s:I,s:s,s:o,s:o}", "device_id", srv_rows_text(r, 0), "name",
                                             srv_rows_text(r, 1), "stage", (json_int_t)srv_rows_int(r, 2), "status",
                                             srv_rows_text(r, 3), "admitted_at",
                                             srv_json_time(srv_rows_null(r, 4) ? 0 : srv_rows_int(r, 4)), "applied_at",
                                             srv_json_time(srv_rows_null(r, 5) ? 0 : srv_rows_int(r, 5))));
    srv_rows_free(r);
    json_object_set_new(c->out, "members", items);
  }
  return SRV_E_OK;
}

/* ---- state changes ---- */

static srv_err transition(srv_call *c, const char *const *from, const char *to, srv_event_kind ev, const char *verb,
                          bool remove_pins) {
  json_t *ro = load_rollout(c, c->params[0]);
  if (!ro) return c->err;
  const char *state = json_string_value(json_object_get(ro, "state"));
  bool ok = false;
  for (int i = 0; from[i]; i++) ok |= strcmp(state, from[i]) == 0;
  if (!ok) {
    srv_err e = srv_fail(c, SRV_E_FAILED_PRECONDITION, "rollout is %s; cannot %s it", state, verb);
    json_decref(ro);
    return e;
  }
  bool bad = false;
  const char *reason = srv_in_str(c, "reason", &bad);
  if (bad) {
    json_decref(ro);
    return c->err;
  }
  if (reason && !srv_text_ok(reason, 256)) {
    json_decref(ro);
    return srv_bad_field(c, "reason", "at most 256 printable bytes");
  }
  bool final = strcmp(to, "rolled_back") == 0 || strcmp(to, "cancelled") == 0;
  if (strcmp(to, "running") == 0) {
    srv_val q[] = {SRV_TEXT(c->params[0])};
    srv_db_exec(c->s->db, "UPDATE rollouts SET halt_json = NULL WHERE id = ?", q, 1, NULL);
  }
  if (srv_rollout_set_state(c, c->params[0], to, final) < 0 || (remove_pins && srv_rollout_unpin(c, c->params[0], true) < 0)) {
    json_decref(ro);
    return srv_fail(c, SRV_E_INTERNAL, "cannot update rollout");
  }
  if (strcmp(to, "halted") == 0) {
    json_t *h = json_pack("{s:s,s:s}", "reason", "manual", "message", reason ? reason : "");
    char *hj = srv_rollout_dump(h);
    srv_val q[] = {SRV_TEXT(hj), SRV_TEXT(c->params[0])};
    srv_db_exec(c->s->db, "UPDATE rollouts SET halt_json = ? WHERE id = ?", q, 2, NULL);
    free(hj);
    json_decref(h);
  }
  srv_event_add(c, NULL, ev, json_pack("{s:s}", "state", state), json_pack("{s:s}", "state", to),
                reason ? json_pack("{s:s}", "reason", reason) : NULL, "rollout %s %s by %s%s%s",
                json_string_value(json_object_get(ro, "name")), verb, c->who.display, reason ? ": " : "", reason ? reason : "");
  json_decref(ro);
  c->out = load_rollout(c, c->params[0]);
  return c->out ? SRV_E_OK : c->err;
}

srv_err srv_op_start_rollout(srv_call *c) {
  json_t *ro = load_rollout(c, c->params[0]);
  if (!ro) return c->err;
  srv_err e = SRV_E_OK;
  if (strcmp(json_string_value(json_object_get(ro, "state")), "draft") != 0) {
    e = srv_fail(c, SRV_E_FAILED_PRECONDITION, "rollout is %s; only a draft can start",
                 json_string_value(json_object_get(ro, "state")));
  } else {
    /* The target is resolved again now (FLEET.md §3.4 step 1): devices
     * claimed, moved or changed since the draft count. The order keys are
     * the same, so the stages are the preview's for the same devices. Only
     * one active rollout may pin a device: a target device pinned by another
     * makes the start fail. */
    srv_val p[] = {SRV_TEXT(c->params[0])};
    srv_rows *pr = srv_db_query(c->s->db, "SELECT patch_json FROM rollouts WHERE id = ?", p, 1);
    json_t *patch = srv_rows_next(pr) ? srv_rollout_parse(srv_rows_text(pr, 0)) : NULL;
    srv_rows_free(pr);
    json_t *spec = json_pack("{s:O,s:O,s:O,s:O}", "name", json_object_get(ro, "name"), "target", json_object_get(ro, "target"),
                             "stages", json_object_get(ro, "stages"), "policy", json_object_get(ro, "policy"));
    int n = 0;
    member *ms = resolve(c, spec, patch, c->params[0], &n);
    int64_t busy = 0;
    for (int i = 0; ms && i < n; i++) busy += ms[i].why && strcmp(ms[i].why, "in_other_rollout") == 0;
    if (!ms) {
      e = c->err;
    } else if (busy == 0 && (srv_db_exec(c->s->db, "DELETE FROM rollout_members WHERE rollout_id = ?", p, 1, NULL) < 0 ||
                             insert_members(c, c->params[0], ms, n, srv_now_ms()) < 0)) {
      e = srv_fail(c, SRV_E_INTERNAL, "cannot store the members");
    }
    free(ms);
    json_decref(spec);
    json_decref(patch);
    if (e != SRV_E_OK) {
      /* reported below */
    } else if (busy > 0) {
      e = srv_fail(c, SRV_E_FAILED_PRECONDITION, "%lld target device(s) are in another active rollout", (long long)busy);
    } else {
      int64_t now = srv_now_ms();
      srv_val q[] = {SRV_INT(now), SRV_INT(now), SRV_INT(now), SRV_TEXT(c->params[0])};
      if (srv_db_exec(c->s->db,
                      "UPDATE rollouts SET state = 'running', started_at = ?, stage_started_at = ?, updated_at = ?,"
                      " current_stage = 0 WHERE id = ?",
                      q, 4, NULL) < 0)
        e = srv_fail(c, SRV_E_INTERNAL, "cannot start rollout");
      else
        srv_event_add(c, NULL, SRV_EV_ROLLOUT_STARTED, json_pack("{s:s}", "state", "draft"),
                      json_pack("{s:s}", "state", "running"), NULL, "rollout %s started by %s",
                      json_string_value(json_object_get(ro, "name")), c->who.display);
    }
  }
  if (e == SRV_E_OK && srv_rollout_evaluate(c->s, c->who.org_id, c->params[0], json_string_value(json_object_get(ro, "name"))) < 0)
    e = srv_fail(c, SRV_E_INTERNAL, "cannot admit the first stage");
  json_decref(ro);
  if (e != SRV_E_OK) return e;
  c->out = load_rollout(c, c->params[0]);
  return c->out ? SRV_E_OK : c->err;
}

srv_err srv_op_pause_rollout(srv_call *c) {
  static const char *const from[] = {"running", NULL};
  return transition(c, from, "paused", SRV_EV_ROLLOUT_PAUSED, "paused", false);
}

srv_err srv_op_resume_rollout(srv_call *c) {
  static const char *const from[] = {"paused", "halted", NULL};
  return transition(c, from, "running", SRV_EV_ROLLOUT_RESUMED, "resumed", false);
}

srv_err srv_op_halt_rollout(srv_call *c) {
  static const char *const from[] = {"running", "paused", NULL};
  return transition(c, from, "halted", SRV_EV_ROLLOUT_HALTED, "halted", false);
}

srv_err srv_op_rollback_rollout(srv_call *c) {
  static const char *const from[] = {"running", "paused", "halted", NULL};
  return transition(c, from, "rolled_back", SRV_EV_ROLLOUT_ROLLED_BACK, "rolled back", true);
}

srv_err srv_op_abort_rollout(srv_call *c) {
  static const char *const from[] = {"draft", "running", "paused", "halted", NULL};
  return transition(c, from, "cancelled", SRV_EV_ROLLOUT_CANCELLED, "aborted", true);
}
