/* SimulatorService records (FLEET.md §1.8): a simulator is a device row with
 * is_simulator set, a server-minted hardware identity and a runner record.
 * Starting the `toit simulate` child process comes with the device runtime;
 * until then start/stop only change the record's state. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv.h"
#include "srv_util.h"

static json_t *sim_json(srv_rows *r) {
  return json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o}", "device_id", srv_rows_text(r, 0), "name", srv_rows_text(r, 1), "state",
                   srv_rows_text(r, 2), "owner", srv_rows_null(r, 3) ? json_null() : json_string(srv_rows_text(r, 3)),
                   "fault_profile", srv_rows_null(r, 4) ? json_null() : json_string(srv_rows_text(r, 4)), "created_at",
                   srv_json_time(srv_rows_int(r, 5)), "last_seen_at", srv_json_time(srv_rows_null(r, 6) ? 0 : srv_rows_int(r, 6)));
}

#define SIM_SQL                                                                                         \
  "SELECT s.device_id, d.name, s.state, s.owner, s.fault_profile, s.created_at, d.last_seen_at"        \
  " FROM simulators s JOIN devices d ON d.id = s.device_id WHERE s.org_id = ? AND d.unclaimed_at IS NULL"

srv_err srv_op_create_simulator(srv_call *c) {
  bool bad = false;
  const char *name = srv_in_str(c, "name", &bad), *group = srv_in_str(c, "group", &bad),
             *faults = srv_in_str(c, "fault_profile", &bad);
  if (bad) return c->err;
  if (name && !srv_text_ok(name, 64)) return srv_bad_field(c, "name", "1-64 printable characters");
  if (faults && !srv_text_ok(faults, 64)) return srv_bad_field(c, "fault_profile", "1-64 printable characters");
  char gid[37] = "";
  if (group && !srv_group_resolve(c, group, gid)) return srv_bad_field(c, "group", "unknown group");
  /* Quota: the org setting simulator_quota (default 10). */
  srv_val o[] = {SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db, "SELECT settings FROM orgs WHERE id = ?", o, 1);
  json_t *settings = srv_rows_next(r) ? json_loads(srv_rows_text(r, 0), 0, NULL) : NULL;
  srv_rows_free(r);
  json_t *q = json_object_get(settings, "simulator_quota");
  int64_t quota = json_is_integer(q) ? json_integer_value(q) : 10;
  json_decref(settings);
  int64_t used = srv_db_int(c->s->db,
                            "SELECT COUNT(*) FROM simulators s JOIN devices d ON d.id = s.device_id"
                            " WHERE s.org_id = ? AND d.unclaimed_at IS NULL",
                            o, 1, 0);
  if (used >= quota) return srv_fail(c, SRV_E_RESOURCE_EXHAUSTED, "simulator quota of %lld reached", (long long)quota);
  char id[37], hw[37], dname[80], code[9], h[65];
  srv_uuid(id);
  srv_uuid(hw);
  if (name)
    snprintf(dname, sizeof dname, "%s", name);
  else
    snprintf(dname, sizeof dname, "sim-%.8s", id);
  srv_val n[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(dname)};
  if (srv_db_int(c->s->db, "SELECT COUNT(*) FROM devices WHERE org_id = ? AND name = ? AND unclaimed_at IS NULL", n, 2, 0))
    return srv_fail(c, SRV_E_ALREADY_EXISTS, "a device named '%s' exists", dname);
  uint8_t secret[32];
  randombytes_buf(secret, sizeof secret);
  srv_sha256_hex(secret, 32, h);
  static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  for (int i = 0; i < 8; i++) code[i] = crockford[randombytes_uniform(32)];
  code[8] = 0;
  int64_t now = srv_now_ms();
  const char *owner = c->who.kind == SRV_WHO_SESSION ? c->who.user_id : c->who.key_id;
  srv_val hwp[] = {SRV_TEXT(hw), SRV_TEXT(c->who.org_id), SRV_INT(now), SRV_TEXT(h), SRV_TEXT(code), SRV_TEXT(id), SRV_INT(now)};
  srv_val dp[] = {SRV_TEXT(id), SRV_TEXT(c->who.org_id), SRV_TEXT(hw), SRV_TEXT(dname), SRV_INT(now), SRV_INT(now),
                  SRV_TEXT(gid[0] ? gid : NULL)};
  srv_val sp[] = {SRV_TEXT(id), SRV_TEXT(c->who.org_id), SRV_TEXT(owner), SRV_TEXT(faults), SRV_INT(now), SRV_INT(now)};
  if (srv_db_exec(c->s->db,
                  "INSERT INTO hardware (hardware_id, org_id, batch, created_at, secret_hash, claim_code, bound_device_id,"
                  " free_since) VALUES (?,?,'simulator',?,?,?,?,?)",
                  hwp, 7, NULL) < 0 ||
      srv_db_exec(c->s->db,
                  "INSERT INTO devices (id, org_id, hardware_id, name, is_simulator, created_at, claimed_at, group_id)"
                  " VALUES (?,?,?,?,1,?,?,?)",
                  dp, 7, NULL) < 0 ||
      srv_db_exec(c->s->db,
                  "INSERT INTO simulators (device_id, org_id, owner, state, fault_profile, created_at, updated_at)"
                  " VALUES (?,?,?,'starting',?,?,?)",
                  sp, 6, NULL) < 0)
    return srv_fail(c, SRV_E_INTERNAL, "cannot store simulator");
  srv_event_add(c, id, SRV_EV_SIM_CREATED, NULL, json_pack("{s:s,s:s}", "name", dname, "hardware_id", hw), NULL,
                "simulator %s created by %s", dname, c->who.display);
  srv_val p[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(id)};
  r = srv_db_query(c->s->db, SIM_SQL " AND s.device_id = ?", p, 2);
  if (srv_rows_next(r)) c->out = sim_json(r);
  srv_rows_free(r);
  c->created = 1;
  return SRV_E_OK;
}

srv_err srv_op_list_simulators(srv_call *c) {
  srv_val p[] = {SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db, SIM_SQL " ORDER BY d.name", p, 1);
  json_t *items = json_array();
  while (srv_rows_next(r)) json_array_append_new(items, sim_json(r));
  srv_rows_free(r);
  c->out = json_pack("{s:o,s:s,s:I}", "items", items, "next_page_token", "", "total", (json_int_t)json_array_size(items));
  return SRV_E_OK;
}

static srv_err set_state(srv_call *c, const char *state, srv_event_kind kind) {
  srv_val p[] = {SRV_TEXT(state), SRV_INT(srv_now_ms()), SRV_TEXT(c->params[0]), SRV_TEXT(c->who.org_id)};
  int64_t n = 0;
  if (srv_db_exec(c->s->db,
                  "UPDATE simulators SET state = ?, updated_at = ? WHERE device_id = ? AND org_id = ?"
                  " AND device_id IN (SELECT id FROM devices WHERE unclaimed_at IS NULL)",
                  p, 4, &n) < 0)
    return srv_fail(c, SRV_E_INTERNAL, "cannot update simulator");
  if (n == 0) return srv_fail(c, SRV_E_NOT_FOUND, "no such simulator");
  srv_event_add(c, c->params[0], kind, NULL, json_pack("{s:s}", "state", state), NULL, "simulator %s by %s",
                kind == SRV_EV_SIM_STARTED ? "started" : "stopped", c->who.display);
  c->out = json_pack("{s:s,s:s}", "device_id", c->params[0], "state", state);
  return SRV_E_OK;
}

srv_err srv_op_start_simulator(srv_call *c) { return set_state(c, "starting", SRV_EV_SIM_STARTED); }
srv_err srv_op_stop_simulator(srv_call *c) { return set_state(c, "stopped", SRV_EV_SIM_STOPPED); }

/* Delete also unclaims the device and removes the identity. */
srv_err srv_op_delete_simulator(srv_call *c) {
  srv_val p[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(c->params[0])};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT d.hardware_id, d.name FROM simulators s JOIN devices d ON d.id = s.device_id"
                             " WHERE s.org_id = ? AND s.device_id = ? AND d.unclaimed_at IS NULL",
                             p, 2);
  char hw[65] = "", name[80] = "";
  if (srv_rows_next(r)) {
    snprintf(hw, sizeof hw, "%s", srv_rows_text(r, 0));
    snprintf(name, sizeof name, "%s", srv_rows_text(r, 1));
  }
  srv_rows_free(r);
  if (!hw[0]) return srv_fail(c, SRV_E_NOT_FOUND, "no such simulator");
  srv_val u[] = {SRV_INT(srv_now_ms()), SRV_TEXT(c->params[0])};
  srv_val h[] = {SRV_TEXT(hw)};
  srv_val s[] = {SRV_TEXT(c->params[0])};
  if (srv_db_exec(c->s->db, "UPDATE devices SET unclaimed_at = ? WHERE id = ?", u, 2, NULL) < 0 ||
      srv_db_exec(c->s->db, "DELETE FROM hardware WHERE hardware_id = ?", h, 1, NULL) < 0 ||
      srv_db_exec(c->s->db, "DELETE FROM simulators WHERE device_id = ?", s, 1, NULL) < 0)
    return srv_fail(c, SRV_E_INTERNAL, "cannot delete simulator");
  srv_event_add(c, c->params[0], SRV_EV_SIM_DELETED, NULL, NULL, NULL, "simulator %s deleted by %s", name, c->who.display);
  c->out = json_object();
  return SRV_E_OK;
}
