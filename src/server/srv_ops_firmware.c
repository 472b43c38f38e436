/* FirmwareService (FLEET.md §1.5, §3.1): firmware releases and SetFirmware.
 *
 * A release is an image in the blob store plus {version, target, sig, notes,
 * min_from_version}. Signature scheme: `sig` is the standard base64 (with
 * padding) of a 64-byte Ed25519 detached signature over the 32 raw bytes of
 * the image's SHA-256, made with the organization's firmware signing key;
 * the org setting `firmware_public_key` holds the base64 of its 32-byte
 * public key. Without that setting uploads are refused; a signature that
 * does not verify is refused. Devices verify the same signature (§2.6). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv.h"
#include "srv_query.h"
#include "srv_util.h"

#define FW_COLS                                                                                    \
  "id, version, target, image_sha256, size, sig, notes, min_from_version, created_by, created_at"
#define MAX_SET_DEVICES 10000

static const char *const fw_targets[] = {"esp32", "esp32c3", "posix-sim", "rv32-qemu"};

static bool target_ok(const char *t) {
  for (size_t i = 0; i < sizeof fw_targets / sizeof fw_targets[0]; i++)
    if (t && strcmp(t, fw_targets[i]) == 0) return true;
  return false;
}

static bool fw_version_ok(const char *v) {
  size_t len = v ? strlen(v) : 0;
  if (len < 1 || len > 32) return false;
  for (size_t i = 0; i < len; i++)
    if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
          (v[i] >= '0' && v[i] <= '9') || strchr(".+-", v[i])))
      return false;
  return true;
}

static json_t *fw_json(srv_rows *r) {
  return json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:o,s:o,s:o}", "id", srv_rows_text(r, 0),
                   "version", srv_rows_text(r, 1), "target", srv_rows_text(r, 2), "image_sha256",
                   srv_rows_text(r, 3), "size", (json_int_t)srv_rows_int(r, 4), "sig",
                   srv_rows_text(r, 5), "notes", srv_rows_text(r, 6), "min_from_version",
                   srv_rows_null(r, 7) ? json_null() : json_string(srv_rows_text(r, 7)),
                   "created_by",
                   srv_rows_null(r, 8) ? json_null() : json_string(srv_rows_text(r, 8)),
                   "created_at", srv_json_time(srv_rows_int(r, 9)));
}

/* The org's firmware public key; false when none is configured. */
static bool org_key(srv_call *c, uint8_t pk[crypto_sign_PUBLICKEYBYTES]) {
  srv_val p[] = {SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db, "SELECT settings FROM orgs WHERE id = ?", p, 1);
  json_t *settings = srv_rows_next(r) ? json_loads(srv_rows_text(r, 0), 0, NULL) : NULL;
  srv_rows_free(r);
  const char *b64 = json_string_value(json_object_get(settings, "firmware_public_key"));
  size_t n = 0;
  bool ok = b64 &&
            sodium_base642bin(pk, crypto_sign_PUBLICKEYBYTES, b64, strlen(b64), NULL, &n, NULL,
                              sodium_base64_VARIANT_ORIGINAL) == 0 &&
            n == crypto_sign_PUBLICKEYBYTES;
  json_decref(settings);
  return ok;
}

/* Upload input: the query arguments (HTTP) or the message fields (gRPC),
 * and/or a JSON object in X-Firmware-Spec / spec_json. */
static json_t *upload_input(srv_call *c) {
  json_t *in = json_deep_copy(c->in);
  if (c->spec_header) {
    json_t *spec = json_loads(c->spec_header, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(spec)) {
      json_decref(spec);
      json_decref(in);
      srv_bad_field(c, "X-Firmware-Spec", "must be a JSON object");
      return NULL;
    }
    json_object_update(in, spec);
    json_decref(spec);
  }
  return in;
}

srv_err srv_op_upload_firmware(srv_call *c) {
  json_t *in = upload_input(c);
  if (!in) return c->err;
  const char *version = json_string_value(json_object_get(in, "version"));
  const char *target = json_string_value(json_object_get(in, "target"));
  const char *sig = json_string_value(json_object_get(in, "sig"));
  const char *notes = json_string_value(json_object_get(in, "notes"));
  const char *minv = json_string_value(json_object_get(in, "min_from_version"));
  if (minv && !*minv) minv = NULL;
  srv_err e = SRV_E_OK;
  uint8_t pk[crypto_sign_PUBLICKEYBYTES], sigb[crypto_sign_BYTES], digest[32];
  size_t siglen = 0;
  if (!fw_version_ok(version))
    e = srv_bad_field(c, "version", "required, [0-9A-Za-z.+-]{1,32}");
  else if (!target_ok(target))
    e = srv_bad_field(c, "target", "one of esp32, esp32c3, posix-sim, rv32-qemu");
  else if (minv && !fw_version_ok(minv))
    e = srv_bad_field(c, "min_from_version", "[0-9A-Za-z.+-]{1,32}");
  else if (notes && *notes && !srv_text_ok(notes, 1024))
    e = srv_bad_field(c, "notes", "at most 1024 bytes of text");
  else if (c->raw_len == 0)
    e = srv_bad_field(c, "image", "the body must hold the image");
  else if (!sig ||
           sodium_base642bin(sigb, sizeof sigb, sig, strlen(sig), NULL, &siglen, NULL,
                             sodium_base64_VARIANT_ORIGINAL) != 0 ||
           siglen != sizeof sigb)
    e = srv_bad_field(c, "sig",
                      "required: base64 of a 64-byte Ed25519 signature over the image's SHA-256");
  else if (!org_key(c, pk))
    e = srv_fail(c, SRV_E_FAILED_PRECONDITION,
                 "the organization has no firmware_public_key setting");
  if (e != SRV_E_OK) goto out;
  crypto_hash_sha256(digest, (const unsigned char *)c->raw, c->raw_len);
  if (crypto_sign_verify_detached(sigb, digest, sizeof digest, pk) != 0) {
    e = srv_bad_field(c, "sig",
                      "the signature does not verify with the organization's firmware_public_key");
    goto out;
  }
  srv_val q[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(version), SRV_TEXT(target)};
  if (srv_db_int(
          c->s->db,
          "SELECT COUNT(*) FROM firmware_releases WHERE org_id = ? AND version = ? AND target = ?",
          q, 3, 0) > 0) {
    e = srv_fail(c, SRV_E_ALREADY_EXISTS, "firmware %s for %s exists (releases are immutable)",
                 version, target);
    goto out;
  }
  char sha[65], id[37];
  if (srv_blob_put(c->s, c->raw, c->raw_len, sha) < 0) {
    e = srv_fail(c, SRV_E_UNAVAILABLE, "cannot store the image");
    goto out;
  }
  srv_uuid(id);
  srv_val p[] = {SRV_TEXT(id),         SRV_TEXT(c->who.org_id),
                 SRV_TEXT(version),    SRV_TEXT(target),
                 SRV_TEXT(sha),        SRV_INT((int64_t)c->raw_len),
                 SRV_TEXT(sig),        SRV_TEXT(notes ? notes : ""),
                 SRV_TEXT(minv),       SRV_TEXT(c->who.user_id[0] ? c->who.user_id : c->who.key_id),
                 SRV_INT(srv_now_ms())};
  if (srv_db_exec(c->s->db,
                  "INSERT INTO firmware_releases (id, org_id, version, target, image_sha256, size, "
                  "sig, notes,"
                  " min_from_version, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                  p, 11, NULL) < 0) {
    e = srv_fail(c, SRV_E_INTERNAL, "cannot store the release");
    goto out;
  }
  srv_val v[] = {SRV_TEXT(id)};
  srv_rows *r =
      srv_db_query(c->s->db, "SELECT " FW_COLS " FROM firmware_releases WHERE id = ?", v, 1);
  if (srv_rows_next(r)) c->out = fw_json(r);
  srv_rows_free(r);
  srv_event_add(c, NULL, SRV_EV_FW_RELEASE_UPLOADED, NULL, json_incref(c->out), NULL,
                "firmware %s for %s uploaded by %s", version, target, c->who.display);
  c->created = 1;
out:
  json_decref(in);
  return e;
}

srv_err srv_op_list_firmware(srv_call *c) {
  bool bad = false;
  const char *target = srv_in_str(c, "target", &bad);
  if (bad) return c->err;
  if (target && *target && !target_ok(target))
    return srv_bad_field(c, "target", "one of esp32, esp32c3, posix-sim, rv32-qemu");
  if (target && !*target) target = NULL;
  srv_val p[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(target), SRV_TEXT(target)};
  srv_rows *r =
      srv_db_query(c->s->db,
                   "SELECT " FW_COLS " FROM firmware_releases WHERE org_id = ?"
                   " AND (CAST(? AS TEXT) IS NULL OR target = ?) ORDER BY created_at DESC, id",
                   p, 3);
  json_t *items = json_array();
  while (srv_rows_next(r))
    json_array_append_new(items, fw_json(r));
  srv_rows_free(r);
  c->out = json_pack("{s:o,s:s,s:I}", "items", items, "next_page_token", "", "total",
                     (json_int_t)json_array_size(items));
  return SRV_E_OK;
}

/* A release by id, or by version (with `target` in c->in when the version
 * exists for several targets). NULL with c->err set. */
static json_t *find_release(srv_call *c, const char *idv, const char *target) {
  srv_rows *r;
  if (srv_is_uuid(idv)) {
    srv_val p[] = {SRV_TEXT(idv), SRV_TEXT(c->who.org_id)};
    r = srv_db_query(c->s->db,
                     "SELECT " FW_COLS " FROM firmware_releases WHERE id = ? AND org_id = ?", p, 2);
  } else {
    if (target && !*target) target = NULL;
    srv_val p[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(idv), SRV_TEXT(target), SRV_TEXT(target)};
    r = srv_db_query(c->s->db,
                     "SELECT " FW_COLS " FROM firmware_releases WHERE org_id = ? AND version = ?"
                     " AND (CAST(? AS TEXT) IS NULL OR target = ?) ORDER BY target LIMIT 2",
                     p, 4);
  }
  json_t *fw = srv_rows_next(r) ? fw_json(r) : NULL;
  bool several = fw && srv_rows_next(r);
  srv_rows_free(r);
  if (several) {
    json_decref(fw);
    srv_bad_field(c, "target", "this version exists for several targets; name one");
    return NULL;
  }
  if (!fw) srv_fail(c, SRV_E_NOT_FOUND, "no such firmware release");
  return fw;
}

srv_err srv_op_get_firmware(srv_call *c) {
  bool bad = false;
  const char *target = srv_in_str(c, "target", &bad);
  if (bad) return c->err;
  c->out = find_release(c, c->params[0], target);
  return c->out ? SRV_E_OK : c->err;
}

static json_t *entry_of(json_t *fw) {
  char url[120];
  snprintf(url, sizeof url, "/d/v1/blobs/%s",
           json_string_value(json_object_get(fw, "image_sha256")));
  json_t *e = json_pack("{s:O,s:O,s:O,s:s,s:O}", "version", json_object_get(fw, "version"), "sha256",
                        json_object_get(fw, "image_sha256"), "size", json_object_get(fw, "size"),
                        "url_path", url, "sig", json_object_get(fw, "sig"));
  /* The device must refuse it when it runs something older (and the
   * server does not send it to such devices it knows of). */
  json_t *minv = json_object_get(fw, "min_from_version");
  if (json_is_string(minv)) json_object_set(e, "min_from_version", minv);
  return e;
}

/* Why a device running `running` (NULL: never reported) may not take the
 * firmware entry, or NULL when it may. */
const char *srv_firmware_blocked(json_t *entry, const char *running) {
  const char *minv = json_string_value(json_object_get(entry, "min_from_version"));
  if (!minv) return NULL;
  if (!running || !*running) return "firmware_unknown";
  return srv_version_cmp(running, minv) < 0 ? "firmware_too_old" : NULL;
}

/* In use: some goal layer (device, group, rollout pin) or an unfinished
 * rollout holds its goal entry. Layers are stored as compact JSON with
 * sorted keys, so the entry appears there verbatim: as entry_of makes it
 * now, or without min_from_version as it was made before that was added. */
static int64_t release_uses(srv_call *c, json_t *fw) {
  json_t *entry = entry_of(fw);
  char *now = json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS);
  json_object_del(entry, "min_from_version");
  char *old = json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(entry);
  size_t n = strlen(now) + 3;
  char *like_now = malloc(n), *like_old = malloc(n);
  snprintf(like_now, n, "%%%s%%", now);
  snprintf(like_old, n, "%%%s%%", old);
  free(now);
  free(old);
  srv_val p[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(like_now), SRV_TEXT(like_now), SRV_TEXT(like_old), SRV_TEXT(like_old)};
  srv_val g[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(like_now), SRV_TEXT(like_old)};
  int64_t uses =
      srv_db_int(c->s->db,
                 "SELECT COUNT(*) FROM devices WHERE org_id = ? AND unclaimed_at IS NULL AND "
                 "(layer LIKE ? OR pin_layer LIKE ? OR layer LIKE ? OR pin_layer LIKE ?)",
                 p, 5, 0) +
      srv_db_int(c->s->db, "SELECT COUNT(*) FROM groups WHERE org_id = ? AND (layer LIKE ? OR layer LIKE ?)", g, 3,
                 0) +
      srv_db_int(c->s->db,
                 "SELECT COUNT(*) FROM rollouts WHERE org_id = ? AND (patch_json LIKE ? OR patch_json LIKE ?) AND"
                 " state IN ('draft', 'running', 'paused', 'halted')",
                 g, 3, 0);
  free(like_now);
  free(like_old);
  return uses;
}

srv_err srv_op_delete_firmware(srv_call *c) {
  bool bad = false;
  const char *target = srv_in_str(c, "target", &bad);
  if (bad) return c->err;
  json_t *fw = find_release(c, c->params[0], target);
  if (!fw) return c->err;
  int64_t uses = release_uses(c, fw);
  if (uses > 0) {
    json_decref(fw);
    return srv_fail(c, SRV_E_FAILED_PRECONDITION,
                    "the release is in %lld goal layer(s); set other firmware first",
                    (long long)uses);
  }
  srv_val p[] = {SRV_TEXT(json_string_value(json_object_get(fw, "id")))};
  if (srv_db_exec(c->s->db, "DELETE FROM firmware_releases WHERE id = ?", p, 1, NULL) < 0) {
    json_decref(fw);
    return srv_fail(c, SRV_E_INTERNAL, "cannot delete the release");
  }
  srv_event_add(c, NULL, SRV_EV_FW_RELEASE_DELETED, json_incref(fw), NULL, NULL,
                "firmware %s for %s deleted by %s",
                json_string_value(json_object_get(fw, "version")),
                json_string_value(json_object_get(fw, "target")), c->who.display);
  json_decref(fw);
  c->out = json_object();
  return SRV_E_OK;
}

json_t *srv_firmware_entry(srv_call *c, const char *version, const char *release_target) {
  if (!fw_version_ok(version)) {
    srv_bad_field(c, "version", "required, [0-9A-Za-z.+-]{1,32}");
    return NULL;
  }
  if (release_target && *release_target && !target_ok(release_target)) {
    srv_bad_field(c, "release_target", "one of esp32, esp32c3, posix-sim, rv32-qemu");
    return NULL;
  }
  json_t *fw = find_release(c, version, release_target);
  if (!fw) return NULL;
  json_t *e = entry_of(fw);
  json_decref(fw);
  return e;
}

/* Writes entry into one device's layer (conditional on its rev), with the
 * event. false when the device is gone or changed concurrently. */
static bool set_device_fw(srv_call *c, const char *id, json_t *entry) {
  srv_val p[] = {SRV_TEXT(id), SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT layer, layer_rev, name FROM devices WHERE id = ? AND org_id = "
                             "? AND unclaimed_at IS NULL",
                             p, 2);
  if (!srv_is_uuid(id) || !srv_rows_next(r)) {
    srv_rows_free(r);
    return false;
  }
  json_t *layer = json_loads(srv_rows_text(r, 0), 0, NULL);
  if (!json_is_object(layer)) {
    json_decref(layer);
    layer = json_object();
  }
  int64_t rev = srv_rows_int(r, 1);
  char name[80];
  snprintf(name, sizeof name, "%s", srv_rows_text(r, 2));
  srv_rows_free(r);
  json_t *before = json_incref(json_object_get(layer, "firmware"));
  json_object_set(layer, "firmware", entry);
  char *lj = json_dumps(layer, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(layer);
  srv_val u[] = {SRV_TEXT(lj), SRV_TEXT(id), SRV_TEXT(c->who.org_id), SRV_INT(rev)};
  int64_t n = 0;
  int rc = srv_db_exec(c->s->db,
                       "UPDATE devices SET layer = ?, layer_rev = layer_rev + 1 WHERE id = ? AND "
                       "org_id = ? AND layer_rev = ?",
                       u, 4, &n);
  free(lj);
  if (rc < 0 || n != 1) {
    json_decref(before);
    return false;
  }
  srv_event_add(c, id, SRV_EV_FW_UPDATE_REQUESTED, before, json_incref(entry), NULL,
                "firmware %s on %s requested by %s",
                json_string_value(json_object_get(entry, "version")), name, c->who.display);
  return true;
}

/* Why the device may not take the entry (srv_firmware_blocked), with its
 * name and running version; NULL when it may or is not there. */
static const char *device_blocked(srv_call *c, const char *id, json_t *entry, char name[80], char running[40]) {
  name[0] = running[0] = 0;
  if (!json_object_get(entry, "min_from_version") || !srv_is_uuid(id)) return NULL;
  srv_val p[] = {SRV_TEXT(id), SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db,
                             "SELECT name, firmware FROM devices WHERE id = ? AND org_id = ? AND unclaimed_at IS NULL", p, 2);
  const char *why = NULL;
  if (srv_rows_next(r)) {
    snprintf(name, 80, "%s", srv_rows_text(r, 0));
    snprintf(running, 40, "%s", srv_rows_text(r, 1) ? srv_rows_text(r, 1) : "");
    why = srv_firmware_blocked(entry, running[0] ? running : NULL);
  }
  srv_rows_free(r);
  return why;
}

/* The refusal for a device that may not take the entry. */
static srv_err refuse_blocked(srv_call *c, json_t *entry, const char *why, const char *name, const char *running) {
  const char *v = json_string_value(json_object_get(entry, "version")),
             *minv = json_string_value(json_object_get(entry, "min_from_version"));
  if (strcmp(why, "firmware_unknown") == 0)
    return srv_fail(c, SRV_E_FAILED_PRECONDITION,
                    "device %s has not reported its firmware; firmware %s can only replace %s or later", name, v, minv);
  return srv_fail(c, SRV_E_FAILED_PRECONDITION,
                  "device %s runs firmware %s; firmware %s can only replace %s or later (update it to an "
                  "intermediate release first)",
                  name, running, v, minv);
}

/* SRV_E_OK when every device of `ids` may take the entry, else the refusal
 * for the first that may not. */
static srv_err refuse_any_blocked(srv_call *c, json_t *ids, json_t *entry) {
  size_t i;
  json_t *v;
  json_array_foreach(ids, i, v) {
    char name[80], running[40];
    const char *why = device_blocked(c, json_string_value(v), entry, name, running);
    if (why) return refuse_blocked(c, entry, why, name, running);
  }
  return SRV_E_OK;
}

/* SetFirmware: {"target": {"device": id} | {"devices": [ids]} | {"group": g}
 * | {"query": q}, "version", "release_target"?}: the goal's firmware in the
 * device layers (device, devices, query) or the group layer, at once. */
srv_err srv_op_set_firmware(srv_call *c) {
  json_t *target = json_object_get(c->in, "target");
  bool bad = false;
  const char *version = srv_in_str(c, "version", &bad), *rt = srv_in_str(c, "release_target", &bad);
  if (bad) return c->err;
  if (!json_is_object(target) || json_object_size(target) != 1)
    return srv_bad_field(c, "target",
                         "an object with exactly one of device, devices, group, query");
  json_t *dev = json_object_get(target, "device"), *devs = json_object_get(target, "devices"),
         *grp = json_object_get(target, "group"), *q = json_object_get(target, "query");
  if (dev && !json_is_string(dev)) return srv_bad_field(c, "target.device", "a device id");
  if (grp && !json_is_string(grp)) return srv_bad_field(c, "target.group", "a group id or name");
  if (q && (!json_is_string(q) || json_string_length(q) > 512))
    return srv_bad_field(c, "target.query", "a device query of at most 512 bytes");
  if (devs) {
    size_t i;
    json_t *v;
    if (!json_is_array(devs) || json_array_size(devs) < 1 || json_array_size(devs) > 1000)
      return srv_bad_field(c, "target.devices", "a list of 1-1000 device ids");
    json_array_foreach(devs, i, v) if (!json_is_string(v)) return srv_bad_field(
        c, "target.devices", "a list of 1-1000 device ids");
  }
  if (!dev && !devs && !grp && !q)
    return srv_bad_field(c, "target",
                         "an object with exactly one of device, devices, group, query");
  json_t *entry = srv_firmware_entry(c, version, rt);
  if (!entry) return c->err;
  srv_err e = SRV_E_OK;
  if (grp && json_object_get(entry, "min_from_version")) {
    /* Every current member must be able to take it. */
    char gid[37];
    if (srv_group_resolve(c, json_string_value(grp), gid)) {
      srv_val p[] = {SRV_TEXT(gid), SRV_TEXT(c->who.org_id)};
      srv_rows *r = srv_db_query(c->s->db,
                                 "SELECT id FROM devices WHERE group_id = ? AND org_id = ? AND unclaimed_at IS NULL"
                                 " ORDER BY name",
                                 p, 2);
      json_t *members = json_array();
      while (srv_rows_next(r)) json_array_append_new(members, json_string(srv_rows_text(r, 0)));
      srv_rows_free(r);
      e = refuse_any_blocked(c, members, entry);
      json_decref(members);
      if (e != SRV_E_OK) {
        json_decref(entry);
        return e;
      }
    }
  }
  if (grp) {
    e = srv_group_set_field(c, json_string_value(grp), "firmware", entry,
                            SRV_EV_FW_UPDATE_REQUESTED, "firmware set on");
    if (e == SRV_E_OK) json_object_set(c->out, "firmware", entry);
    json_decref(entry);
    return e;
  }
  json_t *ids = json_array(), *skipped = json_array();
  if (dev) {
    json_array_append(ids, dev);
  } else if (devs) {
    json_array_extend(ids, devs);
  } else {
    srv_query *qc = calloc(1, sizeof *qc);
    if (srv_query_compile(json_string_value(q), srv_now_ms(), qc) < 0) {
      e = srv_bad_field(c, "target.query", qc->error);
    } else {
      char sql[4300];
      snprintf(sql, sizeof sql,
               "SELECT id, name, firmware FROM devices WHERE org_id = ? AND unclaimed_at IS NULL AND %s "
               "ORDER BY id LIMIT %d",
               qc->sql[0] ? qc->sql : "1 = 1", MAX_SET_DEVICES + 1);
      srv_val p[SRV_QUERY_MAX_PARAMS + 1];
      int n = 0;
      p[n++] = SRV_TEXT(c->who.org_id);
      for (int i = 0; i < qc->nparams; i++)
        p[n++] = qc->params[i];
      srv_rows *r = srv_db_query(c->s->db, sql, p, n);
      /* The devices that may not take it are left out and listed. */
      while (srv_rows_next(r)) {
        const char *why = srv_firmware_blocked(entry, srv_rows_text(r, 2));
        if (why)
          json_array_append_new(skipped, json_pack("{s:s,s:s,s:s}", "id", srv_rows_text(r, 0), "name",
                                                   srv_rows_text(r, 1), "reason", why));
        else
          json_array_append_new(ids, json_string(srv_rows_text(r, 0)));
      }
      srv_rows_free(r);
      if (json_array_size(ids) + json_array_size(skipped) > MAX_SET_DEVICES)
        e = srv_fail(c, SRV_E_FAILED_PRECONDITION,
                     "the query matches more than %d devices; use a rollout", MAX_SET_DEVICES);
    }
    free(qc);
  }
  size_t i, changed = 0;
  json_t *v;
  /* Named devices: all of them may take it, or nothing changes. */
  if (e == SRV_E_OK && (dev || devs)) e = refuse_any_blocked(c, ids, entry);
  if (e == SRV_E_OK) {
    json_array_foreach(ids, i, v) {
      if (set_device_fw(c, json_string_value(v), entry)) {
        changed++;
      } else if (dev || devs) { /* a named device that is not there */
        e = srv_fail(c, SRV_E_NOT_FOUND, "no such device: %.40s", json_string_value(v));
        break;
      }
    }
  }
  if (e == SRV_E_OK)
    c->out = json_pack("{s:I,s:O,s:O}", "devices", (json_int_t)changed, "firmware", entry, "skipped", skipped);
  json_decref(skipped);
  json_decref(ids);
  json_decref(entry);
  return e;
}
