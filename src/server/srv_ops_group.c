/* GroupService and favourites. A group's layer sits between the org
 * defaults and each member's device layer in the goal; changing it is one
 * write, and every member picks the change up at its next check-in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv.h"
#include "srv_goal.h"
#include "srv_util.h"

static json_t *group_json(srv_rows *r) {
  json_t *layer = json_loads(srv_rows_text(r, 3), 0, NULL);
  return json_pack("{s:s,s:s,s:s,s:o,s:I,s:o,s:I}", "id", srv_rows_text(r, 0), "name", srv_rows_text(r, 1), "description",
                   srv_rows_text(r, 2), "config", layer ? layer : json_object(), "config_rev", (json_int_t)srv_rows_int(r, 4),
                   "created_at", srv_json_time(srv_rows_int(r, 5)), "devices", (json_int_t)srv_rows_int(r, 6));
}

#define GROUP_SQL                                                                                              \
  "SELECT g.id, g.name, g.description, g.layer, g.layer_rev, g.created_at, (SELECT COUNT(*) FROM devices d"    \
  " WHERE d.group_id = g.id AND d.unclaimed_at IS NULL) FROM groups g WHERE g.org_id = ?"

static json_t *load_group(srv_call *c, const char *idn) {
  char id[37];
  if (!srv_group_resolve(c, idn, id)) {
    srv_fail(c, SRV_E_NOT_FOUND, "no such group");
    return NULL;
  }
  srv_val p[] = {SRV_TEXT(c->who.org_id), SRV_TEXT(id)};
  srv_rows *r = srv_db_query(c->s->db, GROUP_SQL " AND g.id = ?", p, 2);
  json_t *g = srv_rows_next(r) ? group_json(r) : NULL;
  srv_rows_free(r);
  if (!g) srv_fail(c, SRV_E_NOT_FOUND, "no such group");
  return g;
}

static bool group_name_ok(const char *n) { return n && srv_text_ok(n, 64); }

srv_err srv_op_create_group(srv_call *c) {
  bool bad = false;
  const char *name = srv_in_str(c, "name", &bad), *desc = srv_in_str(c, "description", &bad);
  if (bad) return c->err;
  if (!group_name_ok(name)) return srv_bad_field(c, "name", "required, 1-64 printable characters");
  if (desc && strlen(desc) > 1024) return srv_bad_field(c, "description", "at most 1024 bytes");
  char id[37], tmp[37];
  if (srv_is_uuid(name)) return srv_bad_field(c, "name", "must not look like an id");
  if (srv_group_resolve(c, name, tmp)) return srv_fail(c, SRV_E_ALREADY_EXISTS, "a group named '%s' exists", name);
  srv_uuid(id);
  srv_val p[] = {SRV_TEXT(id), SRV_TEXT(c->who.org_id), SRV_TEXT(name), SRV_TEXT(desc ? desc : ""), SRV_INT(srv_now_ms())};
  if (srv_db_exec(c->s->db, "INSERT INTO groups (id, org_id, name, description, created_at) VALUES (?,?,?,?,?)", p, 5,
                  NULL) < 0)
    return srv_fail(c, SRV_E_INTERNAL, "cannot store group");
  srv_event_add(c, NULL, SRV_EV_GROUP_CREATED, NULL, json_pack("{s:s,s:s}", "id", id, "name", name), NULL,
                "group %s created by %s", name, c->who.display);
  c->out = load_group(c, id);
  c->created = 1;
  return c->out ? SRV_E_OK : c->err;
}

srv_err srv_op_list_groups(srv_call *c) {
  srv_val p[] = {SRV_TEXT(c->who.org_id)};
  srv_rows *r = srv_db_query(c->s->db, GROUP_SQL " ORDER BY g.name", p, 1);
  json_t *items = json_array();
  while (srv_rows_next(r)) json_array_append_new(items, group_json(r));
  srv_rows_free(r);
  c->out = json_pack("{s:o,s:s,s:I}", "items", items, "next_page_token", "", "total", (json_int_t)json_array_size(items));
  return SRV_E_OK;
}

srv_err srv_op_get_group(srv_call *c) {
  c->out = load_group(c, c->params[0]);
  return c->out ? SRV_E_OK : c->err;
}

srv_err srv_op_update_group(srv_call *c) {
  json_t *g = load_group(c, c->params[0]);
  if (!g) return c->err;
  bool bad = false;
  const char *name = srv_in_str(c, "name", &bad), *desc = srv_in_str(c, "description", &bad);
  char tmp[37];
  srv_err e = SRV_E_OK;
  const char *id = json_string_value(json_object_get(g, "id"));
  if (bad)
    e = c->err;
  else if (name && (!group_name_ok(name) || srv_is_uuid(name)))
    e = srv_bad_field(c, "name", "1-64 printable characters, not an id");
  else if (name && srv_group_resolve(c, name, tmp) && strcmp(tmp, id) != 0)
    e = srv_fail(c, SRV_E_ALREADY_EXISTS, "a group named '%s' exists", name);
  else if (desc && strlen(desc) > 1024)
    e = srv_bad_field(c, "description", "at most 1024 bytes");
  if (e == SRV_E_OK) {
    srv_val p[] = {SRV_TEXT(name ? name : json_string_value(json_object_get(g, "name"))),
                   SRV_TEXT(desc ? desc : json_string_value(json_object_get(g, "description"))), SRV_TEXT(id)};
    srv_db_exec(c->s->db, "UPDATE groups SET name = ?, description = ? WHERE id = ?", p, 3, NULL);
    srv_event_add(c, NULL, SRV_EV_GROUP_UPDATED, json_pack("{s:O}", "name", json_object_get(g, "name")),
                  json_pack("{s:s}", "name", name ? name : json_string_value(json_object_get(g, "name"))), NULL,
                  "group %s updated by %s", json_string_value(json_object_get(g, "name")), c->who.display);
    c->out = load_group(c, id);
  }
  json_decref(g);
  return e;
}

/* Only an empty group can go, unless move_to names another group (or null
 * to ungroup the members). */
srv_err srv_op_delete_group(srv_call *c) {
  json_t *g = load_group(c, c->params[0]);
  if (!g) return c->err;
  const char *id = json_string_value(json_object_get(g, "id"));
  json_t *move = json_object_get(c->in, "move_to");
  char to[37] = "";
  srv_err e = SRV_E_OK;
  if (move && !json_is_null(move) && (!json_is_string(move) || !srv_group_resolve(c, json_string_value(move), to) ||
                                      strcmp(to, id) == 0))
    e = srv_bad_field(c, "move_to", "another group of this organization");
  else if (!move && json_integer_value(json_object_get(g, "devices")) > 0)
    e = srv_fail(c, SRV_E_FAILED_PRECONDITION, "the group has devices; give move_to (a group, or null)");
  if (e == SRV_E_OK) {
    srv_val m[] = {SRV_TEXT(to[0] ? to : NULL), SRV_TEXT(c->who.org_id), SRV_TEXT(id)};
    srv_val p[] = {SRV_TEXT(id)};
    srv_db_exec(c->s->db, "UPDATE devices SET group_id = ? WHERE org_id = ? AND group_id = ?", m, 3, NULL);
    srv_db_exec(c->s->db, "DELETE FROM favourites WHERE kind = 'group' AND target_id = ?", p, 1, NULL);
    srv_db_exec(c->s->db, "DELETE FROM groups WHERE id = ?", p, 1, NULL);
    srv_event_add(c, NULL, SRV_EV_GROUP_DELETED, json_incref(g), NULL, NULL, "group %s deleted by %s",
                  json_string_value(json_object_get(g, "name")), c->who.display);
    c->out = json_object();
  }
  json_decref(g);
  return e;
}

static srv_err store_group_layer(srv_call *c, json_t *g, json_t *layer, srv_event_kind kind, const char *what) {
  char *lj = json_dumps(layer, JSON_COMPACT | JSON_SORT_KEYS);
  int64_t rev = json_integer_value(json_object_get(g, "config_rev"));
  srv_val p[] = {SRV_TEXT(lj), SRV_TEXT(json_string_value(json_object_get(g, "id"))), SRV_INT(rev)};
  int64_t n = 0;
  int rc = srv_db_exec(c->s->db, "UPDATE groups SET layer = ?, layer_rev = layer_rev + 1 WHERE id = ? AND layer_rev = ?",
                       p, 3, &n);
  free(lj);
  if (rc < 0 || n != 1) return srv_fail(c, SRV_E_CONFLICT, "group configuration changed concurrently");
  srv_event_add(c, NULL, kind, json_incref(json_object_get(g, "config")), json_incref(layer), NULL, "%s group %s by %s", what,
                json_string_value(json_object_get(g, "name")), c->who.display);
  c->out = json_pack("{s:I}", "rev", (json_int_t)(rev + 1));
  return SRV_E_OK;
}

srv_err srv_group_set_field(srv_call *c, const char *group, const char *field, json_t *value, srv_event_kind kind,
                            const char *what) {
  json_t *g = load_group(c, group);
  if (!g) return c->err;
  json_t *layer = json_deep_copy(json_object_get(g, "config"));
  if (value) json_object_set(layer, field, value);
  else json_object_del(layer, field);
  srv_err e = store_group_layer(c, g, layer, kind, what);
  if (e == SRV_E_OK) json_object_set(c->out, "group_id", json_object_get(g, "id"));
  json_decref(layer);
  json_decref(g);
  return e;
}

srv_err srv_op_configure_group(srv_call *c) {
  json_t *g = load_group(c, c->params[0]);
  if (!g) return c->err;
  char field[64], why[128];
  srv_err e;
  if (c->if_match && strtoll(c->if_match, NULL, 10) != json_integer_value(json_object_get(g, "config_rev"))) {
    e = srv_fail(c, SRV_E_CONFLICT, "group configuration is at rev %lld",
                 (long long)json_integer_value(json_object_get(g, "config_rev")));
  } else if (!srv_goal_patch_ok(c->in, field, why)) {
    e = srv_bad_field(c, field, why);
  } else {
    json_t *layer = json_deep_copy(json_object_get(g, "config"));
    srv_goal_merge(layer, c->in);
    e = store_group_layer(c, g, layer, SRV_EV_GROUP_CONFIG_CHANGED, "configured");
    json_decref(layer);
  }
  json_decref(g);
  return e;
}

srv_err srv_op_set_group_app(srv_call *c) {
  json_t *g = load_group(c, c->params[0]);
  if (!g) return c->err;
  json_t *entry = srv_app_entry(c, c->params[1]);
  srv_err e = c->err;
  if (entry) {
    json_t *layer = json_deep_copy(json_object_get(g, "config"));
    json_t *apps = json_object_get(layer, "apps");
    if (!json_is_object(apps)) json_object_set_new(layer, "apps", apps = json_object());
    json_object_set(apps, c->params[1], entry);
    e = store_group_layer(c, g, layer, SRV_EV_APP_INSTALL_REQUESTED, "app install on");
    json_decref(layer);
    json_decref(entry);
  }
  json_decref(g);
  return e;
}

srv_err srv_op_remove_group_app(srv_call *c) {
  json_t *g = load_group(c, c->params[0]);
  if (!g) return c->err;
  json_t *layer = json_deep_copy(json_object_get(g, "config"));
  json_t *apps = json_object_get(layer, "apps");
  srv_err e;
  if (!json_object_get(apps, c->params[1])) {
    e = srv_fail(c, SRV_E_NOT_FOUND, "%s is not installed on this group", c->params[1]);
  } else {
    json_object_del(apps, c->params[1]);
    e = store_group_layer(c, g, layer, SRV_EV_APP_UNINSTALL_REQUESTED, "app uninstall on");
  }
  json_decref(layer);
  json_decref(g);
  return e;
}

/* PUT/DELETE /devices/{id}/favourite and /groups/{id}/favourite. */
static srv_err favourite(srv_call *c, const char *kind, bool on) {
  if (c->who.kind != SRV_WHO_SESSION) return srv_fail(c, SRV_E_PERMISSION_DENIED, "favourites belong to users");
  char id[37] = "";
  if (strcmp(kind, "group") == 0) {
    if (!srv_group_resolve(c, c->params[0], id)) return srv_fail(c, SRV_E_NOT_FOUND, "no such group");
  } else {
    srv_val p[] = {SRV_TEXT(c->params[0]), SRV_TEXT(c->who.org_id)};
    if (!srv_is_uuid(c->params[0]) ||
        srv_db_int(c->s->db, "SELECT COUNT(*) FROM devices WHERE id = ? AND org_id = ? AND unclaimed_at IS NULL", p, 2, 0) == 0)
      return srv_fail(c, SRV_E_NOT_FOUND, "no such device");
    snprintf(id, sizeof id, "%s", c->params[0]);
  }
  srv_val p[] = {SRV_TEXT(c->who.user_id), SRV_TEXT(c->who.org_id), SRV_TEXT(kind), SRV_TEXT(id), SRV_INT(srv_now_ms())};
  int rc = on ? srv_db_exec(c->s->db,
                            "INSERT INTO favourites (user_id, org_id, kind, target_id, position) VALUES (?,?,?,?,?)"
                            " ON CONFLICT DO NOTHING",
                            p, 5, NULL)
              : srv_db_exec(c->s->db, "DELETE FROM favourites WHERE user_id = ? AND org_id = ? AND kind = ? AND target_id = ?",
                            p, 4, NULL);
  if (rc < 0) return srv_fail(c, SRV_E_INTERNAL, "cannot store favourite");
  c->out = json_pack("{s:s,s:s,s:b}", "kind", kind, "id", id, "favourite", on);
  return SRV_E_OK;
}

srv_err srv_op_favourite_device(srv_call *c) { return favourite(c, "device", true); }
srv_err srv_op_unfavourite_device(srv_call *c) { return favourite(c, "device", false); }
srv_err srv_op_favourite_group(srv_call *c) { return favourite(c, "group", true); }
srv_err srv_op_unfavourite_group(srv_call *c) { return favourite(c, "group", false); }

srv_err srv_op_list_favourites(srv_call *c) {
  json_t *items = json_array();
  if (c->who.kind == SRV_WHO_SESSION) {
    srv_val p[] = {SRV_TEXT(c->who.user_id), SRV_TEXT(c->who.org_id)};
    srv_rows *r = srv_db_query(c->s->db,
                               "SELECT f.kind, f.target_id, COALESCE(d.name, g.name) FROM favourites f"
                               " LEFT JOIN devices d ON f.kind = 'device' AND d.id = f.target_id AND d.unclaimed_at IS NULL"
                               " LEFT JOIN groups g ON f.kind = 'group' AND g.id = f.target_id"
                               " WHERE f.user_id = ? AND f.org_id = ? AND COALESCE(d.name, g.name) IS NOT NULL"
                               " ORDER BY f.position",
                               p, 2);
    while (srv_rows_next(r))
      json_array_append_new(items, json_pack("{s:s,s:s,s:s}", "kind", srv_rows_text(r, 0), "id", srv_rows_text(r, 1), "name",
                                             srv_rows_text(r, 2)));
    srv_rows_free(r);
  }
  c->out = json_pack("{s:o}", "items", items);
  return SRV_E_OK;
}
