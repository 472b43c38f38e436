/* The rollout evaluator (FLEET.md §3.4 steps 3-6): admits stages through
 * the pin layer, judges members from their reported state and events, halts
 * on the rule below, advances after the soak, completes into the target's
 * own layer. Run by the sweeper thread (srv_rollout_sweep) and at start.
 *
 * Health rule (documented in docs/fleet-server.md): after admission a member
 * is `failed` when its reported state has a non-empty `blocked` list or an
 * app in state `failed`, or it reported dev.app_install_failed,
 * dev.fw_rolled_back or dev.goal_blocked; a device is `unhealthy` in a window
 * when it reported dev.app_crashed, dev.safe_mode_entered or
 * dev.watchdog_reset in it, has an app crashing/backoff, is in safe mode, or
 * has missed a check-in. With at least min_sample members decided (applied,
 * healthy or failed) the rollout halts when failed/admitted > max_failed_pct,
 * or when the unhealthy share of applied members exceeds the unhealthy share
 * of the waiting members (the baseline, same window: since the rollout
 * started) by more than max_health_drop_pts points, or (watch_metric) when a
 * metric's average over the applied members exceeds k times its average over
 * the waiting members. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv_goal.h"
#include "srv_rollout.h"
#include "srv_util.h"

typedef srv_rollout_member member;

/* An evaluation that holds the store longer than this is reported on stderr
 * (check-ins wait meanwhile). */
#define SLOW_EVALUATION_MS 250

/* Admits the waiting (and deferred) members of stages <= stage: pins the
 * change on each, or defers it (low battery, when the policy says so). */
static int admit(srv_call *c, const char *id, int stage, const char *patch, bool skip_low) {
  srv_val p[] = {SRV_TEXT(id), SRV_INT(stage)};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT m.device_id, d.power_json FROM rollout_members m JOIN devices d ON d.id = m.device_id"
                             " WHERE m.rollout_id = ? AND m.stage <= ? AND m.status IN ('waiting', 'deferred')"
                             " AND d.unclaimed_at IS NULL",
                             p, 2);
  int n = 0, cap = 16;
  member *ms = malloc(sizeof *ms * (size_t)cap);
  while (srv_rows_next(r)) {
    if (n == cap) ms = realloc(ms, sizeof *ms * (size_t)(cap *= 2));
    member *m = &ms[n++];
    memset(m, 0, sizeof *m);
    snprintf(m->id, sizeof m->id, "%s", srv_rows_text(r, 0));
    json_t *pw = srv_rollout_parse(srv_rows_text(r, 1));
    m->battery = json_is_integer(json_object_get(pw, "battery_pct")) ? (int)json_integer_value(json_object_get(pw, "battery_pct")) : -1;
    m->plugged = json_is_true(json_object_get(pw, "plugged"));
    json_decref(pw);
  }
  srv_rows_free(r);
  int rc = 0;
  int64_t now = srv_now_ms();
  for (int i = 0; rc >= 0 && i < n; i++) {
    bool defer = skip_low && srv_rollout_low_battery(&ms[i]);
    srv_val q[] = {SRV_TEXT(defer ? "deferred" : "admitted"), defer ? SRV_NULLV : SRV_INT(now), SRV_INT(now), SRV_TEXT(id),
                   SRV_TEXT(ms[i].id)};
    rc = srv_db_exec(c->s->db,
                     "UPDATE rollout_members SET status = ?, admitted_at = ?, updated_at = ? WHERE rollout_id = ? AND device_id = ?",
                     q, 5, NULL);
    if (rc >= 0 && !defer) {
      srv_val d[] = {SRV_TEXT(patch), SRV_TEXT(id), SRV_TEXT(ms[i].id)};
      rc = srv_db_exec(c->s->db, "UPDATE devices SET pin_layer = ?, pin_rollout = ? WHERE id = ?", d, 3, NULL);
    }
  }
  free(ms);
  return rc < 0 ? -1 : 0;
}

#define FAIL_KINDS "'dev.app_install_failed', 'dev.fw_rolled_back', 'dev.goal_blocked'"
#define SICK_KINDS "'dev.app_crashed', 'dev.safe_mode_entered', 'dev.watchdog_reset'"

/* One query for the whole rollout: per member device, how many failure and
 * sickness events it reported in its window (since admission, or since the
 * rollout started for members not admitted). {device: [failed, sick]}. */
static json_t *member_event_counts(srv_call *c, const char *id, int64_t started) {
  srv_val p[] = {SRV_INT(started), SRV_TEXT(id)};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT m.device_id, SUM(CASE WHEN e.kind IN (" FAIL_KINDS ") THEN 1 ELSE 0 END),"
                             " SUM(CASE WHEN e.kind IN (" SICK_KINDS ") THEN 1 ELSE 0 END)"
                             " FROM rollout_members m JOIN events e ON e.org_id = m.org_id AND e.device_id = m.device_id"
                             " AND e.time >= COALESCE(m.admitted_at, ?)"
                             " WHERE m.rollout_id = ? AND e.kind IN (" FAIL_KINDS ", " SICK_KINDS ") GROUP BY m.device_id",
                             p, 2);
  json_t *o = json_object();
  while (srv_rows_next(r))
    json_object_set_new(o, srv_rows_text(r, 0), json_pack("[I,I]", (json_int_t)srv_rows_int(r, 1), (json_int_t)srv_rows_int(r, 2)));
  srv_rows_free(r);
  return o;
}

/* failed/unhealthy per the rule at the top of this file; counts is the
 * device's [failed, sick] event counts in its window (or NULL). */
static void judge(json_t *counts, json_t *state, int64_t last_seen, int64_t max_off_s, bool *failed, bool *unhealthy) {
  *failed = json_array_size(json_object_get(state, "blocked")) > 0 || json_integer_value(json_array_get(counts, 0)) > 0;
  *unhealthy = json_is_true(json_object_get(json_object_get(state, "boot"), "safe_mode")) ||
               json_integer_value(json_array_get(counts, 1)) > 0;
  const char *k;
  json_t *a;
  json_object_foreach(json_object_get(state, "apps"), k, a) {
    const char *st = json_string_value(json_object_get(a, "state"));
    if (st && strcmp(st, "failed") == 0) *failed = true;
    if (st && (strcmp(st, "crashing") == 0 || strcmp(st, "backoff") == 0)) *unhealthy = true;
  }
  int64_t expected = (max_off_s > 0 ? max_off_s : 60) * 1000, grace = expected / 10 + 120000;
  if (last_seen > 0 && srv_now_ms() - last_seen - grace >= expected) *unhealthy = true;
}

/* One evaluation step of a running rollout (c->who is the rollout actor). */
static int evaluate(srv_call *c, const char *id) {
  int64_t now = srv_now_ms();
  /* Lock the row first (PostgreSQL: instances evaluate one at a time). */
  srv_val lk[] = {SRV_TEXT(id)};
  int64_t changed = 0;
  if (srv_db_exec(c->s->db, "UPDATE rollouts SET state = state WHERE id = ? AND state = 'running'", lk, 1, &changed) < 0)
    return -1;
  if (changed != 1) return 0;
  srv_rows *r = srv_db_query(c->s->db, "SELECT " SRV_ROLLOUT_COLS " FROM rollouts WHERE id = ?", lk, 1);
  if (!srv_rows_next(r)) {
    srv_rows_free(r);
    return 0;
  }
  char name[80];
  snprintf(name, sizeof name, "%s", srv_rows_text(r, 1));
  json_t *stages = srv_rollout_parse(srv_rows_text(r, 4)), *policy = srv_rollout_parse(srv_rows_text(r, 5)),
         *patch = srv_rollout_parse(srv_rows_text(r, 16));
  int stage = (int)srv_rows_int(r, 7);
  int64_t stage_started = srv_rows_int(r, 8), started = srv_rows_int(r, 13);
  double baseline = srv_rows_null(r, 9) ? -1 : srv_rows_real(r, 9);
  char *patch_text = srv_rows_text(r, 16) ? strdup(srv_rows_text(r, 16)) : strdup("{}");
  srv_rows_free(r);
  int rc = 0;
  bool skip_low = json_is_true(json_object_get(policy, "skip_low_battery"));
  if (admit(c, id, stage, patch_text, skip_low) < 0) rc = -1;

  /* Judge every member. */
  json_t *counts = member_event_counts(c, id, started);
  srv_rows *m = srv_db_query(c->s->db,
                             "SELECT m.device_id, m.stage, m.status, m.admitted_at, m.applied_at, d.name, d.layer,"
                             " (SELECT g.layer FROM groups g WHERE g.id = d.group_id), d.applied_sum, d.state_json,"
                             " d.last_seen_at FROM rollout_members m JOIN devices d ON d.id = m.device_id"
                             " WHERE m.rollout_id = ?",
                             lk, 1);
  int admitted = 0, decided = 0, failed = 0, applied = 0, applied_sick = 0, waiting = 0, waiting_sick = 0;
  int stage_total = 0, stage_done = 0, per_stage[32] = {0};
  int64_t stage_settled = 0, max_off_ms = 0;
  typedef struct {
    char dev[37];
    const char *status;
    int64_t applied_at;
  } upd;
  int nu = 0, cu = 16;
  upd *ups = malloc(sizeof *ups * (size_t)cu);
  while (rc >= 0 && srv_rows_next(m)) {
    const char *dev = srv_rows_text(m, 0), *status = srv_rows_text(m, 2);
    int mstage = (int)srv_rows_int(m, 1);
    int64_t applied_at = srv_rows_null(m, 4) ? 0 : srv_rows_int(m, 4);
    json_t *layer = srv_rollout_parse(srv_rows_text(m, 6)), *gl = srv_rollout_parse(srv_rows_text(m, 7)), *state = srv_rollout_parse(srv_rows_text(m, 9));
    json_t *goal = srv_goal_materialize(srv_rows_text(m, 5), gl, patch, layer);
    char sum[33];
    srv_goal_sum(goal, sum);
    int64_t max_off = json_integer_value(json_object_get(goal, "max_offline_s"));
    json_decref(goal);
    json_decref(layer);
    json_decref(gl);
    int64_t last_seen = srv_rows_null(m, 10) ? 0 : srv_rows_int(m, 10);
    const char *asum = srv_rows_text(m, 8);
    const char *next = status;
    bool is_failed, sick;
    if (strcmp(status, "waiting") == 0 || strcmp(status, "deferred") == 0) {
      judge(json_object_get(counts, dev), state, last_seen, max_off, &is_failed, &sick);
      waiting++;
      waiting_sick += sick || is_failed;
    } else if (strcmp(status, "reverted") != 0) {
      admitted++;
      judge(json_object_get(counts, dev), state, last_seen, max_off, &is_failed, &sick);
      if (strcmp(status, "failed") == 0 || is_failed) {
        next = "failed";
      } else if (strcmp(status, "admitted") == 0 && asum && strcmp(asum, sum) == 0) {
        next = "applied";
        applied_at = now;
      }
      int64_t soak_ms = json_integer_value(json_object_get(json_array_get(stages, (size_t)mstage), "soak_s")) * 1000;
      if (strcmp(next, "applied") == 0 && !sick && now >= applied_at + soak_ms) next = "healthy";
      if (strcmp(next, "healthy") == 0 && sick) next = "applied";
      if (strcmp(next, "failed") == 0) {
        failed++;
        decided++;
      } else if (strcmp(next, "applied") == 0 || strcmp(next, "healthy") == 0) {
        applied++;
        decided++;
        applied_sick += sick;
      }
      if (strcmp(next, status) != 0) {
        if (nu == cu) ups = realloc(ups, sizeof *ups * (size_t)(cu *= 2));
        snprintf(ups[nu].dev, sizeof ups[nu].dev, "%s", dev);
        ups[nu].status = next;
        ups[nu].applied_at = applied_at;
        nu++;
      }
    }
    if (mstage >= 0 && mstage < 32) per_stage[mstage]++;
    if (mstage == stage) {
      stage_total++;
      if (max_off * 1000 > max_off_ms) max_off_ms = max_off * 1000;
      if (strcmp(next, "applied") == 0 || strcmp(next, "healthy") == 0 || strcmp(next, "failed") == 0 ||
          strcmp(next, "deferred") == 0) {
        stage_done++;
        if (applied_at > stage_settled) stage_settled = applied_at;
      }
    }
    json_decref(state);
  }
  if (srv_rows_failed(m)) rc = -1;
  srv_rows_free(m);
  json_decref(counts);
  for (int i = 0; rc >= 0 && i < nu; i++) {
    srv_val q[] = {SRV_TEXT(ups[i].status), ups[i].applied_at ? SRV_INT(ups[i].applied_at) : SRV_NULLV, SRV_INT(now),
                   SRV_TEXT(id), SRV_TEXT(ups[i].dev)};
    rc = srv_db_exec(c->s->db,
                     "UPDATE rollout_members SET status = ?, applied_at = ?, updated_at = ? WHERE rollout_id = ? AND device_id = ?",
                     q, 5, NULL);
  }
  free(ups);
  if (nu > 0) srv_bus_mark(c->s, c->who.org_id); /* wake watchers of this rollout */

  /* The baseline: waiting members now, else the last value measured. */
  if (waiting > 0) baseline = 100.0 * waiting_sick / waiting;
  if (rc >= 0) {
    /* updated_at moves only when a member did (watchers see real changes). */
    srv_val q[] = {baseline >= 0 ? SRV_REAL(baseline) : SRV_NULLV, SRV_INT(nu > 0), SRV_INT(now), SRV_TEXT(id)};
    rc = srv_db_exec(c->s->db,
                     "UPDATE rollouts SET baseline_pct = ?, updated_at = CASE WHEN ? = 1 THEN ? ELSE updated_at END"
                     " WHERE id = ?",
                     q, 4, NULL);
  }

  /* Halt? */
  int min_sample = (int)json_integer_value(json_object_get(policy, "min_sample"));
  double max_failed = json_number_value(json_object_get(policy, "max_failed_pct")),
         max_drop = json_number_value(json_object_get(policy, "max_health_drop_pts"));
  double failed_pct = admitted ? 100.0 * failed / admitted : 0, sick_pct = applied ? 100.0 * applied_sick / applied : 0;
  const char *why = NULL;
  if (decided >= min_sample && failed_pct > max_failed) why = "failed_pct";
  else if (decided >= min_sample && applied >= 1 && sick_pct - (baseline >= 0 ? baseline : 0) > max_drop) why = "health_regression";
  /* A watched metric: its average over the applied members (since they
   * applied) against the waiting members' (since the rollout started). */
  json_t *wm = json_object_get(policy, "watch_metric");
  double m_applied = -1, m_base = -1, mk = json_number_value(json_object_get(wm, "k"));
  if (rc >= 0 && !why && wm && decided >= min_sample) {
    srv_val q[] = {SRV_INT(started), SRV_TEXT(id), SRV_TEXT(json_string_value(json_object_get(wm, "name")))};
    srv_rows *mr = srv_db_query(c->s->db,
                                "SELECT CASE WHEN m.status IN ('applied', 'healthy') THEN 1 ELSE 0 END, AVG(x.value)"
                                " FROM rollout_members m JOIN metrics x ON x.org_id = m.org_id AND x.device_id = m.device_id"
                                " AND x.time >= COALESCE(m.applied_at, ?) WHERE m.rollout_id = ? AND x.name = ?"
                                " AND m.status IN ('applied', 'healthy', 'waiting', 'deferred') GROUP BY 1",
                                q, 3);
    while (srv_rows_next(mr)) {
      if (srv_rows_int(mr, 0)) m_applied = srv_rows_real(mr, 1);
      else m_base = srv_rows_real(mr, 1);
    }
    srv_rows_free(mr);
    if (m_applied >= 0 && m_base >= 0 && m_applied > mk * m_base) why = "metric_regression";
  }
  if (rc >= 0 && why) {
    bool rollback = strcmp(json_string_value(json_object_get(policy, "on_halt")), "rollback") == 0;
    json_t *numbers = json_pack("{s:s,s:i,s:i,s:i,s:i,s:f,s:f,s:f,s:f,s:f,s:i}", "reason", why, "admitted", admitted, "decided",
                                decided, "failed", failed, "applied", applied, "failed_pct", failed_pct, "applied_unhealthy_pct",
                                sick_pct, "baseline_unhealthy_pct", baseline >= 0 ? baseline : 0.0, "max_failed_pct", max_failed,
                                "max_health_drop_pts", max_drop, "stage", stage + 1);
    if (strcmp(why, "metric_regression") == 0)
      json_object_update_new(numbers, json_pack("{s:O,s:f,s:f,s:f}", "metric", json_object_get(wm, "name"), "metric_applied_avg",
                                                m_applied, "metric_baseline_avg", m_base, "metric_k", mk));
    char *hj = srv_rollout_dump(numbers);
    srv_val q[] = {SRV_TEXT(hj), SRV_TEXT(id)};
    rc = srv_db_exec(c->s->db, "UPDATE rollouts SET halt_json = ? WHERE id = ?", q, 2, NULL);
    free(hj);
    if (rc >= 0) rc = srv_rollout_set_state(c, id, rollback ? "rolled_back" : "halted", rollback);
    if (rc >= 0 && rollback) rc = srv_rollout_unpin(c, id, true);
    srv_event_add(c, NULL, SRV_EV_ROLLOUT_HALTED, NULL, NULL, numbers,
                  "rollout %s halted at stage %d: %s (failed %.1f%%, unhealthy %.1f%% vs baseline %.1f%%)%s", name, stage + 1,
                  why, failed_pct, sick_pct, baseline >= 0 ? baseline : 0.0, rollback ? "; rolled back" : "");
    if (rollback)
      srv_event_add(c, NULL, SRV_EV_ROLLOUT_ROLLED_BACK, NULL, NULL, NULL, "rollout %s rolled back after its halt", name);
  } else if (rc >= 0) {
    /* Advance: the stage settled (all applied/failed/deferred, or 2 ×
     * max_offline since it started), then soaked. */
    int64_t settled = stage_done == stage_total ? (stage_settled ? stage_settled : stage_started)
                                                : stage_started + 2 * (max_off_ms ? max_off_ms : 300000);
    int64_t soak_ms = json_integer_value(json_object_get(json_array_get(stages, (size_t)stage), "soak_s")) * 1000;
    if (stage_total == 0) soak_ms = 0; /* an empty stage (small targets) is passed at once */
    if (now >= settled + soak_ms) {
      int nst = (int)json_array_size(stages), next = stage + 1;
      while (next < nst - 1 && next < 32 && per_stage[next] == 0) next++; /* skip empty stages */
      if (next < nst) {
        srv_val q[] = {SRV_INT(next), SRV_INT(now), SRV_TEXT(id)};
        rc = srv_db_exec(c->s->db, "UPDATE rollouts SET current_stage = ?, stage_started_at = ? WHERE id = ?", q, 3, NULL);
        if (rc >= 0) rc = admit(c, id, next, patch_text, skip_low);
        srv_event_add(c, NULL, SRV_EV_ROLLOUT_STAGE_ADVANCED, NULL, NULL,
                      json_pack("{s:i,s:i,s:i}", "stage", next + 1, "applied", applied, "failed", failed),
                      "rollout %s advanced to stage %d of %d", name, next + 1, nst);
      } else {
        /* Complete: the change goes into the target's own layer, pins go. */
        srv_val q[] = {SRV_TEXT(id)};
        srv_rows *t = srv_db_query(c->s->db, "SELECT target_json FROM rollouts WHERE id = ?", q, 1);
        json_t *target = srv_rows_next(t) ? srv_rollout_parse(srv_rows_text(t, 0)) : NULL;
        srv_rows_free(t);
        const char *gid = json_string_value(json_object_get(target, "group"));
        if (gid) {
          srv_val gp[] = {SRV_TEXT(gid), SRV_TEXT(c->who.org_id)};
          srv_rows *gr = srv_db_query(c->s->db, "SELECT layer FROM groups WHERE id = ? AND org_id = ?", gp, 2);
          json_t *gl = srv_rows_next(gr) ? srv_rollout_parse(srv_rows_text(gr, 0)) : NULL;
          srv_rows_free(gr);
          if (gl) {
            srv_goal_merge(gl, patch);
            char *lj = srv_rollout_dump(gl);
            srv_val u[] = {SRV_TEXT(lj), SRV_TEXT(gid)};
            rc = srv_db_exec(c->s->db, "UPDATE groups SET layer = ?, layer_rev = layer_rev + 1 WHERE id = ?", u, 2, NULL);
            free(lj);
            json_decref(gl);
          }
        } else {
          srv_rows *dr = srv_db_query(c->s->db,
                                      "SELECT d.id, d.layer FROM rollout_members m JOIN devices d ON d.id = m.device_id"
                                      " WHERE m.rollout_id = ? AND d.unclaimed_at IS NULL",
                                      q, 1);
          json_t *todo = json_array();
          while (srv_rows_next(dr)) {
            json_t *l = srv_rollout_parse(srv_rows_text(dr, 1));
            if (!json_is_object(l)) {
              json_decref(l);
              l = json_object();
            }
            srv_goal_merge(l, patch);
            json_array_append_new(todo, json_pack("{s:s,s:o}", "id", srv_rows_text(dr, 0), "layer", l));
          }
          srv_rows_free(dr);
          size_t i;
          json_t *o;
          json_array_foreach(todo, i, o) {
            char *lj = srv_rollout_dump(json_object_get(o, "layer"));
            srv_val u[] = {SRV_TEXT(lj), SRV_TEXT(json_string_value(json_object_get(o, "id")))};
            if (rc >= 0)
              rc = srv_db_exec(c->s->db, "UPDATE devices SET layer = ?, layer_rev = layer_rev + 1 WHERE id = ?", u, 2, NULL);
            free(lj);
          }
          json_decref(todo);
        }
        json_decref(target);
        if (rc >= 0) rc = srv_rollout_unpin(c, id, false);
        if (rc >= 0) rc = srv_rollout_set_state(c, id, "completed", true);
        srv_event_add(c, NULL, SRV_EV_ROLLOUT_COMPLETED, NULL, NULL,
                      json_pack("{s:i,s:i,s:i}", "applied", applied, "failed", failed, "admitted", admitted),
                      "rollout %s completed: %d applied, %d failed", name, applied, failed);
      }
    }
  }
  free(patch_text);
  json_decref(stages);
  json_decref(policy);
  json_decref(patch);
  return rc < 0 ? -1 : 0;
}

int srv_rollout_evaluate(srv *s, const char *org, const char *id, const char *name) {
  srv_call c = {.s = s};
  c.who.kind = SRV_WHO_ROLLOUT;
  snprintf(c.who.org_id, sizeof c.who.org_id, "%s", org);
  snprintf(c.who.key_id, sizeof c.who.key_id, "%s", id);
  snprintf(c.who.display, sizeof c.who.display, "rollout %s", name);
  int rc = evaluate(&c, id);
  json_decref(c.out);
  json_decref(c.details);
  return rc;
}

void srv_rollout_sweep(srv *s) {
  pthread_mutex_lock(&s->lock);
  srv_rows *r = srv_db_query(s->db, "SELECT id, org_id, name FROM rollouts WHERE state = 'running' LIMIT 1000", NULL, 0);
  json_t *todo = json_array();
  while (srv_rows_next(r))
    json_array_append_new(todo, json_pack("[s,s,s]", srv_rows_text(r, 0), srv_rows_text(r, 1), srv_rows_text(r, 2)));
  srv_rows_free(r);
  size_t i;
  json_t *t;
  json_array_foreach(todo, i, t) {
    int64_t t0 = srv_mono_ms();
    if (srv_db_begin(s->db) < 0) break;
    s->bus_dirty = false;
    if (srv_rollout_evaluate(s, json_string_value(json_array_get(t, 1)), json_string_value(json_array_get(t, 0)),
                            json_string_value(json_array_get(t, 2))) < 0 ||
        srv_db_commit(s->db) < 0) {
      srv_db_rollback(s->db);
      s->bus_dirty = false;
    }
    srv_bus_publish(s);
    long long took = (long long)(srv_mono_ms() - t0);
    if (took >= SLOW_EVALUATION_MS || getenv("TOIT_FLEET_TRACE_SWEEP"))
      fprintf(stderr, "toit serve: evaluating rollout '%s' held the store for %lld ms\n",
              json_string_value(json_array_get(t, 2)), took);
  }
  json_decref(todo);
  pthread_mutex_unlock(&s->lock);
}

