/* Shared by the rollout operations (srv_ops_rollout.c) and the evaluator
 * that moves running rollouts along (srv_rollout_eval.c). */
#ifndef TOIT_SRV_ROLLOUT_H
#define TOIT_SRV_ROLLOUT_H

#include "srv.h"

/* One target device while resolving or admitting. */
typedef struct srv_rollout_member {
  char id[37], name[80], key[65], pin_rollout[37];
  int64_t last_seen;
  int64_t max_offline_s; /* of the current goal: when the device is due */
  int battery;           /* -1 unknown */
  bool plugged;
  char combo[120];       /* firmware|group: diversify takes one of each first */
  bool rep;              /* the first of its combination in order */
  int stage;             /* -1: excluded */
  const char *why;       /* exclusion reason */
} srv_rollout_member;

/* Rollout row columns, in the order rollout_json and the evaluator read them. */
#define SRV_ROLLOUT_COLS                                                                                               \
  "id, name, target_json, change_json, stages_json, policy_json, state, current_stage, stage_started_at,"         \
  " baseline_pct, halt_json, created_by, created_at, started_at, updated_at, finished_at, patch_json"

json_t *srv_rollout_parse(const char *s); /* NULL for NULL or malformed */
char *srv_rollout_dump(json_t *j);        /* canonical compact JSON, malloc'd */
bool srv_rollout_low_battery(const srv_rollout_member *m);
/* Sets the state (and finished_at for final states). */
int srv_rollout_set_state(srv_call *c, const char *id, const char *state, bool finished);
/* Removes the rollout's pins; with mark_reverted its admitted members become
 * `reverted`. */
int srv_rollout_unpin(srv_call *c, const char *id, bool mark_reverted);
/* One evaluation step of a running rollout, recorded with the rollout as
 * the actor (inside the caller's transaction). 0 or -1. */
int srv_rollout_evaluate(srv *s, const char *org, const char *id, const char *name);

#endif
