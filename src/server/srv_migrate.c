/* Schema migrations. Each entry upgrades the schema by one version; they run
 * in order inside one transaction each, so an existing database is upgraded in
 * place and a crash mid-way leaves the previous version intact. `@ID@` stands
 * for an auto-incrementing int64 primary key in the back end's dialect.
 * Never edit a released migration: append a new one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv_db.h"

static const char *const migrations[] = {
    /* 1: tenancy, credentials and the event log. */
    "CREATE TABLE orgs (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL,"
    " settings TEXT NOT NULL, rev BIGINT NOT NULL DEFAULT 1);"
    "CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    " password_hash TEXT NOT NULL, created_at BIGINT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
    " last_org_id TEXT);"
    "CREATE TABLE memberships (user_id TEXT NOT NULL REFERENCES users(id), org_id TEXT NOT NULL REFERENCES orgs(id),"
    " role TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (user_id, org_id));"
    "CREATE INDEX memberships_org ON memberships(org_id);"
    "CREATE TABLE sessions (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id),"
    " active_org_id TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, refresh_hash TEXT NOT NULL UNIQUE,"
    " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, refresh_expires_at BIGINT NOT NULL,"
    " revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE api_keys (id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES orgs(id), name TEXT NOT NULL,"
    " prefix TEXT NOT NULL UNIQUE, secret_hash TEXT NOT NULL, role TEXT NOT NULL, created_by TEXT,"
    " created_at BIGINT NOT NULL, last_used_at BIGINT, expires_at BIGINT, revoked_at BIGINT);"
    "CREATE INDEX api_keys_org ON api_keys(org_id);"
    "CREATE TABLE invites (id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES orgs(id), email TEXT NOT NULL,"
    " role TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_by TEXT, created_at BIGINT NOT NULL,"
    " expires_at BIGINT NOT NULL, accepted_at BIGINT, revoked_at BIGINT);"
    "CREATE INDEX invites_org ON invites(org_id);"
    "CREATE TABLE events (id @ID@, org_id TEXT NOT NULL, device_id TEXT, time BIGINT NOT NULL,"
    " device_time BIGINT, kind TEXT NOT NULL, actor_type TEXT NOT NULL, actor_id TEXT, actor_display TEXT,"
    " summary TEXT NOT NULL, before_json TEXT, after_json TEXT, data_json TEXT, dev_seq BIGINT);"
    "CREATE INDEX events_org ON events(org_id, id);"
    "CREATE INDEX events_device ON events(org_id, device_id, id);",
    /* 2: hardware identities, devices, device uploads. */
    "CREATE TABLE hardware (hardware_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, batch TEXT, provisioned_by TEXT,"
    " created_at BIGINT NOT NULL, first_seen_at BIGINT, last_seen_at BIGINT, secret_hash TEXT NOT NULL,"
    " secret_valid INTEGER NOT NULL DEFAULT 1, claim_code TEXT NOT NULL UNIQUE, bound_device_id TEXT,"
    " free_since BIGINT NOT NULL);"
    "CREATE TABLE devices (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, hardware_id TEXT NOT NULL, name TEXT NOT NULL,"
    " is_simulator INTEGER NOT NULL DEFAULT 0, group_id TEXT, tags TEXT NOT NULL DEFAULT '{}',"
    " created_at BIGINT NOT NULL, claimed_at BIGINT NOT NULL, unclaimed_at BIGINT, last_seen_at BIGINT,"
    " last_boot_at BIGINT, boot_id TEXT, connected INTEGER NOT NULL DEFAULT 0, sync_status TEXT,"
    " health TEXT NOT NULL DEFAULT 'never_seen', health_reasons TEXT NOT NULL DEFAULT '[]', firmware TEXT,"
    " goal_rev BIGINT NOT NULL DEFAULT 0, goal_sum TEXT, applied_rev BIGINT, applied_sum TEXT, state_sum TEXT,"
    " state_json TEXT, state_req BIGINT NOT NULL DEFAULT -1, power_json TEXT, layer TEXT NOT NULL DEFAULT '{}',"
    " layer_rev BIGINT NOT NULL DEFAULT 0, token_hash TEXT, pending_token_hash TEXT, token_id TEXT,"
    " acc_logs BIGINT, acc_events BIGINT, acc_metrics BIGINT);"
    "CREATE UNIQUE INDEX devices_name ON devices(org_id, name) WHERE unclaimed_at IS NULL;"
    "CREATE INDEX devices_org ON devices(org_id, id);"
    "CREATE INDEX devices_seen ON devices(org_id, last_seen_at);"
    "CREATE UNIQUE INDEX events_dev_seq ON events(device_id, dev_seq);"
    "CREATE TABLE logs (org_id TEXT NOT NULL, device_id TEXT NOT NULL, seq BIGINT NOT NULL, time BIGINT NOT NULL,"
    " time_estimated INTEGER NOT NULL DEFAULT 0, received_at BIGINT NOT NULL, app TEXT NOT NULL, level TEXT NOT NULL,"
    " kind TEXT NOT NULL, text TEXT NOT NULL, truncated INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (device_id, seq));"
    "CREATE INDEX logs_org ON logs(org_id, device_id, received_at);"
    "CREATE TABLE metrics (org_id TEXT NOT NULL, device_id TEXT NOT NULL, seq BIGINT NOT NULL, time BIGINT NOT NULL,"
    " name TEXT NOT NULL, kind TEXT NOT NULL, value DOUBLE PRECISION NOT NULL, tags TEXT,"
    " PRIMARY KEY (device_id, seq));"
    "CREATE INDEX metrics_name ON metrics(org_id, device_id, name, time);",
    /* 3: content-addressed blobs, applications and their versions. */
    "CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size BIGINT NOT NULL, created_at BIGINT NOT NULL);"
    "CREATE TABLE apps (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL"
    " DEFAULT '', created_at BIGINT NOT NULL, UNIQUE (org_id, name));"
    "CREATE TABLE app_versions (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, app_id TEXT NOT NULL REFERENCES apps(id),"
    " version TEXT NOT NULL, image_sha256 TEXT NOT NULL, image_size BIGINT NOT NULL, spec TEXT NOT NULL,"
    " notes TEXT, created_by TEXT, created_at BIGINT NOT NULL, UNIQUE (app_id, version));"
    "CREATE INDEX app_versions_blob ON app_versions(org_id, image_sha256);",
    /* 4: pub/sub: topics, messages, subscriptions with cursors and leases. */
    "CREATE TABLE topics (org_id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, created_at BIGINT NOT NULL,"
    " PRIMARY KEY (org_id, name));"
    "CREATE TABLE messages (id @ID@, org_id TEXT NOT NULL, topic TEXT NOT NULL, publisher_type TEXT NOT NULL,"
    " publisher_id TEXT, publisher_app TEXT, target_device TEXT, created_at BIGINT NOT NULL,"
    " content_type TEXT NOT NULL, data TEXT NOT NULL, dedup TEXT UNIQUE);"
    "CREATE INDEX messages_topic ON messages(org_id, topic, id);"
    "CREATE TABLE subscriptions (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL, topic TEXT NOT NULL,"
    " cursor BIGINT NOT NULL, ack_deadline_s INTEGER NOT NULL DEFAULT 60, created_at BIGINT NOT NULL,"
    " last_delivered_id BIGINT, last_delivered_at BIGINT, UNIQUE (org_id, name));"
    "CREATE TABLE leases (sub_id TEXT NOT NULL, msg_id BIGINT NOT NULL, lease_until BIGINT NOT NULL,"
    " acked INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (sub_id, msg_id));"
    "ALTER TABLE devices ADD COLUMN acc_publish BIGINT;",
    /* 5: groups (with their goal layer) and per-user favourites. */
    "CREATE TABLE groups (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL"
    " DEFAULT '', layer TEXT NOT NULL DEFAULT '{}', layer_rev BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL,"
    " UNIQUE (org_id, name));"
    "CREATE INDEX devices_group ON devices(org_id, group_id);"
    "CREATE TABLE favourites (user_id TEXT NOT NULL, org_id TEXT NOT NULL, kind TEXT NOT NULL, target_id TEXT NOT NULL,"
    " position BIGINT NOT NULL, PRIMARY KEY (user_id, org_id, kind, target_id));",
    /* 6: simulator runner records. */
    "CREATE TABLE simulators (device_id TEXT PRIMARY KEY, org_id TEXT NOT NULL, owner TEXT, state TEXT NOT NULL,"
    " fault_profile TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"
    "CREATE INDEX simulators_org ON simulators(org_id);",
    /* 7: staged rollouts, their members, and the rollout pin layer of a device. */
    "CREATE TABLE rollouts (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL, target_json TEXT NOT NULL,"
    " change_json TEXT NOT NULL, patch_json TEXT NOT NULL, stages_json TEXT NOT NULL, policy_json TEXT NOT NULL,"
    " state TEXT NOT NULL, current_stage INTEGER NOT NULL DEFAULT 0, stage_started_at BIGINT,"
    " baseline_pct DOUBLE PRECISION, halt_json TEXT, created_by TEXT, created_at BIGINT NOT NULL, started_at BIGINT,"
    " updated_at BIGINT NOT NULL, finished_at BIGINT);"
    "CREATE INDEX rollouts_org ON rollouts(org_id, created_at);"
    "CREATE INDEX rollouts_state ON rollouts(state);"
    "CREATE TABLE rollout_members (rollout_id TEXT NOT NULL, org_id TEXT NOT NULL, device_id TEXT NOT NULL,"
    " order_key TEXT NOT NULL, stage INTEGER NOT NULL, status TEXT NOT NULL, admitted_at BIGINT, applied_at BIGINT,"
    " updated_at BIGINT NOT NULL, PRIMARY KEY (rollout_id, device_id));"
    "CREATE INDEX rollout_members_device ON rollout_members(device_id);"
    "ALTER TABLE devices ADD COLUMN pin_layer TEXT;"
    "ALTER TABLE devices ADD COLUMN pin_rollout TEXT;",
    /* 8: firmware releases (images in the blob store, Ed25519-signed). */
    "CREATE TABLE firmware_releases (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, version TEXT NOT NULL,"
    " target TEXT NOT NULL, image_sha256 TEXT NOT NULL, size BIGINT NOT NULL, sig TEXT NOT NULL,"
    " notes TEXT NOT NULL DEFAULT '', min_from_version TEXT, created_by TEXT, created_at BIGINT NOT NULL,"
    " UNIQUE (org_id, version, target));"
    "CREATE INDEX firmware_releases_blob ON firmware_releases(org_id, image_sha256);",
};

#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int srv_migrate_latest(void) { return N_MIGRATIONS; }

static char *dialect(const char *sql, bool pg) {
  const char *id = pg ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
  size_t n = strlen(sql), idn = strlen(id);
  char *out = malloc(n * 3 + 1), *o = out;
  for (const char *p = sql; *p;) {
    if (strncmp(p, "@ID@", 4) == 0) {
      memcpy(o, id, idn);
      o += idn;
      p += 4;
    } else {
      *o++ = *p++;
    }
  }
  *o = 0;
  return out;
}

int srv_migrate(srv_db *db, int target) {
  bool pg = strcmp(db->be->name, "postgres") == 0;
  if (target <= 0 || target > N_MIGRATIONS) target = N_MIGRATIONS;
  if (srv_db_exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", NULL, 0, NULL) < 0)
    return -1;
  for (;;) {
    if (srv_db_begin(db) < 0) return -1;
    /* Several PostgreSQL instances may start at once: serialize them. */
    if (pg && srv_db_exec(db, "LOCK TABLE schema_version IN EXCLUSIVE MODE", NULL, 0, NULL) < 0) goto fail;
    int64_t cur = srv_db_int(db, "SELECT MAX(version) FROM schema_version", NULL, 0, 0);
    if (cur > N_MIGRATIONS) {
      snprintf(db->err, sizeof db->err, "database schema version %lld is newer than this server (%d)",
               (long long)cur, N_MIGRATIONS);
      goto fail;
    }
    if (cur >= target) {
      srv_db_commit(db);
      return (int)cur;
    }
    char *sql = dialect(migrations[cur], pg);
    int rc = srv_db_exec(db, sql, NULL, 0, NULL);
    free(sql);
    if (rc < 0) goto fail;
    srv_val v = SRV_INT(cur + 1);
    if (srv_db_exec(db, "DELETE FROM schema_version", NULL, 0, NULL) < 0 ||
        srv_db_exec(db, "INSERT INTO schema_version (version) VALUES (?)", &v, 1, NULL) < 0)
      goto fail;
    if (srv_db_commit(db) < 0) goto fail;
  }
fail:
  srv_db_rollback(db);
  return -1;
}
