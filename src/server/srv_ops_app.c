/* AppService: application versions (images in the blob store), direct
 * install/uninstall on a device (the device layer's `apps`), installations;
 * plus the blob store itself (content-addressed files under DATA/blobs). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "srv.h"
#include "srv_goal.h"
#include "srv_util.h"

#define CHUNK 16384

void srv_blob_path(srv *s, const char *sha, char *out, size_t n) {
  snprintf(out, n, "%s/blobs/%.2s/%s", s->opt.data_dir, sha, sha + 2);
}

static int mkdirs(char *path) {
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    int rc = mkdir(path, 0700);
    *p = '/';
    if (rc != 0 && errno != EEXIST) return -1;
  }
  return 0;
}

/* Stores bytes under their SHA-256 (idempotent); sha gets the hex digest. */
int srv_blob_put(srv *s, const char *data, size_t len, char sha[65]) {
  srv_sha256_hex(data, len, sha);
  char path[1200], tmp[1300];
  srv_blob_path(s, sha, path, sizeof path);
  struct stat st;
  if (stat(path, &st) != 0 || (size_t)st.st_size != len) {
    if (mkdirs(path) != 0) return -1;
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) return -1;
    bool ok = fwrite(data, 1, len, f) == len && fflush(f) == 0 && fsync(fileno(f)) == 0;
    if (fclose(f) != 0 || !ok || rename(tmp, path) != 0) {
      unlink(tmp);
      return -1;
    }
  }
  srv_val p[] = {SRV_TEXT(sha), SRV_INT((int64_t)len), SRV_INT(srv_now_ms())};
  return srv_db_exec(s->db, "INSERT INTO blobs (sha256, size, created_at) VALUES (?,?,?) ON CONFLICT DO NOTHING", p, 3,
                     NULL) < 0
             ? -1
             : 0;
}

static bool app_name_ok(const char *n) {
  size_t len = strlen(n);
  if (len < 1 || len > 40) return false;
  for (size_t i = 0; i < len; i++)
    if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '-')) return false;
  return true;
}

static bool version_ok(const char *v) {
  size_t len = strlen(v);
  if (len < 1 || len > 32) return false;
  for (size_t i = 0; i < len; i++)
    if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= '0' && v[i] <= '9') ||
          strchr(".+-", v[i])))
      return false;
  return true;
}

/* Validates the spec: {version?, triggers?: [string], args?: [string], critical?: bool, notes?: string}. */
static bool spec_ok(srv_call *c, json_t *spec) {
  const char *k;
  json_t *v;
  json_object_foreach(spec, k, v) {
    bool ok;
    if (strcmp(k, "version") == 0 || strcmp(k, "notes") == 0) {
      ok = json_is_string(v) && json_string_length(v) <= 512;
    } else if (strcmp(k, "triggers") == 0 || strcmp(k, "args") == 0) {
      ok = json_is_array(v) && json_array_size(v) <= 32;
      size_t i;
      json_t *x;
      json_array_foreach(v, i, x) ok = ok && json_is_string(x) && json_string_length(x) <= 128;
    } else if (strcmp(k, "critical") == 0) {
      ok = json_is_boolean(v);
    } else {
      ok = false;
    }
    if (!ok) {
      char f[80];
      snprintf(f, sizeof f, "spec.%.60s", k);
      srv_bad_field(c, f, "unknown field or wrong type");
      return false;
    }
  }
  return true;
}

static json_t *version_json(srv_rows *r, const char *app) {
  json_t *spec = json_loads(srv_rows_text(r, 3), 0, NULL);
  return json_pack("{s:s,s:s,s:s,s:I,s:o,s:o}", "app", app, "version", srv_rows_text(r, 0), "image_sha256",
                   srv_rows_text(r, 1), "image_size", (json_int_t)srv_rows_int(r, 2), "spec", spec ? spec : json_object(),
                   "created_at", srv_json_time(srv_rows_int(r, 4)));
}

/* Looks up app id by name in the caller's org. */
static bool app_id(srv_call *c, const char *name, char id[37]) {
  srv_val p[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(name)};
  srv_rows *r = srv_db_query(c->s->db, "SELECT id FROM apps WHERE org_id = ? AND name = ?", p, 2);
  bool found = srv_rows_next(r);
  if (found) snprintf(id, 37, "%s", srv_rows_text(r, 0));
  srv_rows_free(r);
  return found;
}

srv_err srv_op_upload_app_version(srv_call *c) {
  const char *name = c->params[0];
  if (!app_name_ok(name)) return srv_bad_field(c, "app", "[a-z0-9-]{1,40}");
  if (c->raw_len == 0) return srv_bad_field(c, "image", "the body must hold the image");
  json_t *spec = c->spec_header ? json_loads(c->spec_header, JSON_REJECT_DUPLICATES, NULL) : json_object();
  if (!json_is_object(spec)) {
    json_decref(spec);
    return srv_bad_field(c, "X-App-Spec", "must be a JSON object");
  }
  if (!spec_ok(c, spec)) {
    json_decref(spec);
    return c->err;
  }
  int64_t now = srv_now_ms();
  char aid[37];
  if (!app_id(c, name, aid)) {
    srv_uuid(aid);
    srv_val p[] = {SRV_TEXT(aid), SRV_TEXT(c->who.org_id), SRV_TEXT(name), SRV_INT(now)};
    if (srv_db_exec(c->s->db, "INSERT INTO apps (id, org_id, name, created_at) VALUES (?,?,?,?)", p, 4, NULL) < 0) {
      json_decref(spec);
      return srv_fail(c, SRV_E_INTERNAL, "cannot create app");
    }
  }
  char version[40];
  const char *given = json_string_value(json_object_get(spec, "version"));
  if (given) {
    if (!version_ok(given)) {
      json_decref(spec);
      return srv_bad_field(c, "spec.version", "[0-9A-Za-z.+-]{1,32}");
    }
    snprintf(version, sizeof version, "%s", given);
  } else {
    srv_val p[] = {SRV_TEXT(aid)};
    snprintf(version, sizeof version, "%lld",
             (long long)srv_db_int(c->s->db, "SELECT COUNT(*) FROM app_versions WHERE app_id = ?", p, 1, 0) + 1);
  }
  json_object_del(spec, "version");
  srv_val q[] = {SRV_TEXT(aid), SRV_TEXT(version)};
  if (srv_db_int(c->s->db, "SELECT COUNT(*) FROM app_versions WHERE app_id = ? AND version = ?", q, 2, 0) > 0) {
    json_decref(spec);
    return srv_fail(c, SRV_E_ALREADY_EXISTS, "%s@%s exists (versions are immutable)", name, version);
  }
  char sha[65], vid[37];
  if (srv_blob_put(c->s, c->raw, c->raw_len, sha) < 0) {
    json_decref(spec);
    return srv_fail(c, SRV_E_UNAVAILABLE, "cannot store the image");
  }
  srv_uuid(vid);
  char *sj = json_dumps(spec, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(spec);
  srv_val p[] = {SRV_TEXT(vid), SRV_TEXT(c->who.org_id), SRV_TEXT(aid), SRV_TEXT(version), SRV_TEXT(sha),
                 SRV_INT((int64_t)c->raw_len), SRV_TEXT(sj), SRV_TEXT(c->who.user_id[0] ? c->who.user_id : c->who.key_id),
                 SRV_INT(now)};
  int rc = srv_db_exec(c->s->db,
                       "INSERT INTO app_versions (id, org_id, app_id, version, image_sha256, image_size, spec, created_by,"
                       " created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                       p, 9, NULL);
  free(sj);
  if (rc < 0) return srv_fail(c, SRV_E_INTERNAL, "cannot store the version");
  srv_event_add(c, NULL, SRV_EV_APP_VERSION_UPLOADED, NULL,
                json_pack("{s:s,s:s,s:s,s:I}", "app", name, "version", version, "sha256", sha, "size", (json_int_t)c->raw_len),
                NULL, "%s@%s uploaded by %s", name, version, c->who.display);
  srv_val v[] = {SRV_TEXT(vid)};
  srv_rows *r = srv_db_query(c->s->db, "SELECT version, image_sha256, image_size, spec, created_at FROM app_versions WHERE id = ?", v, 1);
  if (srv_rows_next(r)) c->out = version_json(r, name);
  srv_rows_free(r);
  c->created = 1;
  return SRV_E_OK;
}

srv_err srv_op_list_app_versions(srv_call *c) {
  char aid[37];
  if (!app_id(c, c->params[0], aid)) return srv_fail(c, SRV_E_NOT_FOUND, "no such app");
  srv_val p[] = {SRV_TEXT(aid)};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT version, image_sha256, image_size, spec, created_at FROM app_versions WHERE app_id = ?"
                             " ORDER BY created_at, id",
                             p, 1);
  json_t *items = json_array();
  while (srv_rows_next(r)) json_array_append_new(items, version_json(r, c->params[0]));
  srv_rows_free(r);
  c->out = json_pack("{s:o,s:s,s:I}", "items", items, "next_page_token", "", "total", (json_int_t)json_array_size(items));
  return SRV_E_OK;
}

srv_err srv_op_list_apps(srv_call *c) {
  srv_val p[] = {SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT a.name, a.description, a.created_at, COUNT(v.id),"
                             " (SELECT v2.version FROM app_versions v2 WHERE v2.app_id = a.id ORDER BY v2.created_at DESC,"
                             " v2.id DESC LIMIT 1) FROM apps a LEFT JOIN app_versions v ON v.app_id = a.id"
                             " WHERE a.org_id = ? GROUP BY a.id, a.name, a.description, a.created_at ORDER BY a.name",
                             p, 1);
  json_t *items = json_array();
  while (srv_rows_next(r))
    json_array_append_new(items, json_pack("{s:s,s:s,s:o,s:I,s:o}", "name", srv_rows_text(r, 0), "description",
                                           srv_rows_text(r, 1), "created_at", srv_json_time(srv_rows_int(r, 2)), "versions",
                                           (json_int_t)srv_rows_int(r, 3), "latest_version",
                                           srv_rows_null(r, 4) ? json_null() : json_string(srv_rows_text(r, 4))));
  srv_rows_free(r);
  c->out = json_pack("{s:o,s:s,s:I}", "items", items, "next_page_token", "", "total", (json_int_t)json_array_size(items));
  return SRV_E_OK;
}

srv_err srv_op_get_app(srv_call *c) {
  srv_err e = srv_op_list_app_versions(c);
  if (e != SRV_E_OK) return e;
  json_t *versions = json_incref(json_object_get(c->out, "items"));
  json_decref(c->out);
  c->out = json_pack("{s:s,s:o}", "name", c->params[0], "versions", versions);
  return SRV_E_OK;
}

/* Device layer read/write for installs (same conditional update as config). */
static bool device_layer(srv_call *c, json_t **layer, int64_t *rev, char name[80]) {
  srv_val p[] = {SRV_TEXT(c->params[0]), SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT layer, layer_rev, name, state_json FROM devices WHERE id = ? AND org_id = ?"
                             " AND unclaimed_at IS NULL",
                             p, 2);
  bool found = srv_is_uuid(c->params[0]) && srv_rows_next(r);
  if (found) {
    *layer = json_loads(srv_rows_text(r, 0), 0, NULL);
    if (!*layer) *layer = json_object();
    *rev = srv_rows_int(r, 1);
    snprintf(name, 80, "%s", srv_rows_text(r, 2));
  }
  srv_rows_free(r);
  if (!found) srv_fail(c, SRV_E_NOT_FOUND, "no such device");
  return found;
}

static srv_err store_layer(srv_call *c, json_t *layer, int64_t rev) {
  char *lj = json_dumps(layer, JSON_COMPACT | JSON_SORT_KEYS);
  srv_val p[] = {SRV_TEXT(lj), SRV_TEXT(c->params[0]), SRV_TEXT(c->who.org_id), SRV_INT(rev)};
  int64_t n = 0;
  int rc = srv_db_exec(c->s->db,
                       "UPDATE devices SET layer = ?, layer_rev = layer_rev + 1 WHERE id = ? AND org_id = ? AND layer_rev = ?",
                       p, 4, &n);
  free(lj);
  if (rc < 0 || n != 1) return srv_fail(c, SRV_E_CONFLICT, "device layer changed concurrently");
  return SRV_E_OK;
}

/* The goal entry for app (version from c->in, else the newest); NULL and an
 * error in c when the app, the version or the argument is wrong. */
json_t *srv_app_entry(srv_call *c, const char *app) {
  char aid[37];
  if (!app_id(c, app, aid)) {
    srv_fail(c, SRV_E_NOT_FOUND, "no such app");
    return NULL;
  }
  bool bad = false;
  const char *version = srv_in_str(c, "version", &bad);
  if (bad) return NULL;
  srv_val p[] = {SRV_TEXT(aid), SRV_TEXT(version), SRV_TEXT(version)};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT version, image_sha256, image_size, spec FROM app_versions WHERE app_id = ?"
                             " AND (CAST(? AS TEXT) IS NULL OR version = ?) ORDER BY created_at DESC, id DESC LIMIT 1",
                             p, 3);
  json_t *entry = NULL;
  if (srv_rows_next(r)) {
    json_t *spec = json_loads(srv_rows_text(r, 3), 0, NULL);
    char url[120];
    snprintf(url, sizeof url, "/d/v1/blobs/%s", srv_rows_text(r, 1));
    json_t *trig = json_object_get(spec, "triggers"), *args = json_object_get(spec, "args");
    entry = json_pack("{s:s,s:s,s:I,s:s,s:o,s:o,s:b}", "version", srv_rows_text(r, 0), "sha256", srv_rows_text(r, 1),
                      "size", (json_int_t)srv_rows_int(r, 2), "url_path", url, "triggers",
                      trig ? json_incref(trig) : json_pack("[s,s]", "install", "boot"), "args",
                      args ? json_incref(args) : json_array(), "critical", json_is_true(json_object_get(spec, "critical")));
    json_decref(spec);
  }
  srv_rows_free(r);
  if (!entry) srv_fail(c, SRV_E_NOT_FOUND, "no such version of %s", app);
  return entry;
}

srv_err srv_op_install_app(srv_call *c) {
  const char *app = c->params[1];
  json_t *layer;
  int64_t rev;
  char dname[80];
  if (!device_layer(c, &layer, &rev, dname)) return c->err;
  json_t *entry = srv_app_entry(c, app);
  if (!entry) {
    json_decref(layer);
    return c->err;
  }
  json_t *apps = json_object_get(layer, "apps");
  if (!json_is_object(apps)) {
    apps = json_object();
    json_object_set_new(layer, "apps", apps);
  }
  if (!json_object_get(apps, app) && json_object_size(apps) >= 32) {
    json_decref(layer);
    json_decref(entry);
    return srv_fail(c, SRV_E_FAILED_PRECONDITION, "a device holds at most 32 apps");
  }
  json_t *before = json_incref(json_object_get(apps, app));
  json_object_set(apps, app, entry);
  srv_err e = store_layer(c, layer, rev);
  if (e == SRV_E_OK) {
    srv_event_add(c, c->params[0], SRV_EV_APP_INSTALL_REQUESTED, before, json_incref(entry), NULL,
                  "install %s@%s on %s requested by %s", app, json_string_value(json_object_get(entry, "version")), dname,
                  c->who.display);
    c->out = json_pack("{s:I,s:s,s:O}", "rev", (json_int_t)(rev + 1), "app", app, "version", json_object_get(entry, "version"));
  } else {
    json_decref(before);
  }
  json_decref(entry);
  json_decref(layer);
  return e;
}

srv_err srv_op_uninstall_app(srv_call *c) {
  const char *app = c->params[1];
  json_t *layer;
  int64_t rev;
  char dname[80];
  if (!device_layer(c, &layer, &rev, dname)) return c->err;
  json_t *apps = json_object_get(layer, "apps");
  json_t *before = json_incref(json_object_get(apps, app));
  if (!before) {
    json_decref(layer);
    return srv_fail(c, SRV_E_NOT_FOUND, "%s is not installed on this device", app);
  }
  json_object_del(apps, app);
  srv_err e = store_layer(c, layer, rev);
  if (e == SRV_E_OK) {
    srv_event_add(c, c->params[0], SRV_EV_APP_UNINSTALL_REQUESTED, before, NULL, NULL, "uninstall %s on %s requested by %s",
                  app, dname, c->who.display);
    c->out = json_pack("{s:I}", "rev", (json_int_t)(rev + 1));
  } else {
    json_decref(before);
  }
  json_decref(layer);
  return e;
}

srv_err srv_op_list_installations(srv_call *c) {
  srv_val p[] = {SRV_TEXT(c->params[0]), SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT layer, state_json FROM devices WHERE id = ? AND org_id = ? AND unclaimed_at IS NULL", p, 2);
  if (!srv_is_uuid(c->params[0]) || !srv_rows_next(r)) {
    srv_rows_free(r);
    return srv_fail(c, SRV_E_NOT_FOUND, "no such device");
  }
  json_t *layer = json_loads(srv_rows_text(r, 0), 0, NULL), *state = srv_rows_text(r, 1) ? json_loads(srv_rows_text(r, 1), 0, NULL) : NULL;
  srv_rows_free(r);
  json_t *items = json_array(), *reported = json_object_get(state, "apps");
  const char *k;
  json_t *v;
  json_object_foreach(json_object_get(layer, "apps"), k, v) {
    json_t *rep = json_object_get(reported, k);
    const char *rsha = json_string_value(json_object_get(rep, "sha256"));
    const char *st = rsha && strcmp(rsha, json_string_value(json_object_get(v, "sha256"))) == 0
                         ? (json_string_value(json_object_get(rep, "state")) ?: "installed")
                         : "pending";
    json_array_append_new(items, json_pack("{s:s,s:O,s:O,s:s,s:s}", "app", k, "version", json_object_get(v, "version"),
                                           "sha256", json_object_get(v, "sha256"), "origin", "device", "state", st));
  }
  json_decref(layer);
  json_decref(state);
  c->out = json_pack("{s:o,s:s,s:I}", "items", items, "next_page_token", "", "total", (json_int_t)json_array_size(items));
  return SRV_E_OK;
}
