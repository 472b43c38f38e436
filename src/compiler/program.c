/* The program model: every unit's declarations, the class tree numbered
 * depth-first, selectors, reachability from main (only reachable methods
 * are emitted), the row-displacement dispatch table, and the image. */
#include <stdlib.h>
#include <string.h>

#include "compiler/corelib.h"
#include "compiler/internal.h"
#include "compiler/parser.h"
#include "image/opcodes.h"

/* ---- strmap ---- */

static uint32_t hash_str(const char *s) {
  uint32_t h = 2166136261u;
  while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
  return h;
}

void *strmap_get(const strmap *m, const char *key) {
  if (!m->cap) return NULL;
  uint32_t i = hash_str(key) & (uint32_t)(m->cap - 1);
  while (m->keys[i]) {
    if (strcmp(m->keys[i], key) == 0) return m->values[i];
    i = (i + 1) & (uint32_t)(m->cap - 1);
  }
  return NULL;
}

void strmap_put(arena *a, strmap *m, const char *key, void *value) {
  if (2 * (m->count + 1) > m->cap) {
    strmap n = {0};
    n.cap = m->cap ? m->cap * 2 : 16;
    n.keys = arena_alloc(a, sizeof(char *) * (size_t)n.cap);
    n.values = arena_alloc(a, sizeof(void *) * (size_t)n.cap);
    for (int i = 0; i < m->cap; i++)
      if (m->keys[i]) strmap_put(a, &n, m->keys[i], m->values[i]);
    *m = n;
  }
  uint32_t i = hash_str(key) & (uint32_t)(m->cap - 1);
  while (m->keys[i]) {
    if (strcmp(m->keys[i], key) == 0) {
      m->values[i] = value;
      return;
    }
    i = (i + 1) & (uint32_t)(m->cap - 1);
  }
  m->keys[i] = key;
  m->values[i] = value;
  m->count++;
}

/* ---- selectors ---- */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

selector *prog_selector(program *p, const char *name, int npos, const char **named, int named_count) {
  const char *sorted[64];
  if (named_count > 64) named_count = 64;
  for (int i = 0; i < named_count; i++) sorted[i] = named[i];
  qsort(sorted, (size_t)named_count, sizeof(char *), cmp_str);
  size_t len = strlen(name) + 16;
  for (int i = 0; i < named_count; i++) len += strlen(sorted[i]) + 3;
  char *key = arena_alloc(p->a, len);
  int at = snprintf(key, len, "%s/%d", name, npos);
  for (int i = 0; i < named_count; i++) at += snprintf(key + at, len - (size_t)at, "/--%s", sorted[i]);
  selector *s = strmap_get(&p->selectors, key);
  if (s) return s;
  s = arena_alloc(p->a, sizeof *s);
  s->key = key;
  s->name = name;
  s->npos = npos;
  s->named_count = named_count;
  s->named = arena_alloc(p->a, sizeof(char *) * (size_t)(named_count + 1));
  for (int i = 0; i < named_count; i++) s->named[i] = sorted[i];
  s->id = p->selector_list.count;
  s->offset = -1;
  strmap_put(p->a, &p->selectors, key, s);
  ptr_vec_push(p->a, &p->selector_list, s);
  return s;
}

selector *prog_is_selector(program *p, cls *iface) {
  selector *s = prog_selector(p, arena_printf(p->a, "<is %s>", iface->name), 0, NULL, 0);
  if (!s->interface_of) {
    s->interface_of = iface;
    s->marker = prog_new_method(p, METH_MARKER, s->name, NULL, iface->unit);
    s->marker->arity = 1;
    s->marker->sel = s;
  }
  if (!s->used) {
    s->used = true;
    prog_enqueue(p, s->marker);
  }
  return s;
}

static bool implements_direct(const cls *c, const cls *iface, int depth) {
  if (c == iface) return true;
  if (depth > 50) return false;
  for (int i = 0; i < c->interfaces.count; i++)
    if (implements_direct(c->interfaces.items[i], iface, depth + 1)) return true;
  for (int i = 0; i < c->mixins.count; i++)
    if (implements_direct(c->mixins.items[i], iface, depth + 1)) return true;
  if ((c->is_interface || c->is_mixin) && c->super && implements_direct(c->super, iface, depth + 1)) return true;
  return false;
}

bool prog_implements(const cls *c, const cls *iface) {
  for (; c; c = c->super)
    if (implements_direct(c, iface, 0)) return true;
  return false;
}

bool prog_accepts(const meth *m, int npos, const char **named, int named_count) {
  if (npos < m->npos_min || npos > m->npos_max) return false;
  for (int i = 0; i < named_count; i++) {
    bool found = false;
    for (int k = 0; k < m->param_count; k++)
      if (m->params[k].is_named && strcmp(m->params[k].name, named[i]) == 0) found = true;
    if (!found) return false;
  }
  for (int k = 0; k < m->param_count; k++) {
    const param_info *pi = &m->params[k];
    if (!pi->is_named || pi->default_value) continue;
    bool given = false;
    for (int i = 0; i < named_count; i++)
      if (strcmp(pi->name, named[i]) == 0) given = true;
    if (!given) return false;
  }
  return true;
}

static strmap members_by_name; /* reset per compilation in cmp_compile */

void prog_enqueue(program *p, meth *m) {
  if (m->index >= 0) return;
  if (p->check_only) {
    /* Unreachable code is checked, not emitted: nothing becomes reachable. */
    ptr_vec_push(p->a, &p->check_methods, m);
    return;
  }
  m->index = p->methods.count;
  ptr_vec_push(p->a, &p->methods, m);
}

/* Does class c or one of its subclasses have instances? */
static bool subtree_instantiated(const cls *c) {
  if (c->instantiated) return true;
  for (int i = 0; i < c->children.count; i++)
    if (subtree_instantiated(c->children.items[i])) return true;
  return false;
}

/* Reachability is rapid type analysis: a method is compiled when its
 * selector is used and its class (or a subclass) has instances. */
void prog_use_selector(program *p, selector *s) {
  if (s->used || p->check_only) return;
  s->used = true;
  ptr_vec *ms = strmap_get(&members_by_name, s->name);
  if (!ms) return;
  for (int i = 0; i < ms->count; i++) {
    meth *m = ms->items[i];
    if (m->is_abstract || !prog_accepts(m, s->npos, s->named, s->named_count)) continue;
    if (m->holder && (m->holder->is_mixin || m->holder->is_interface)) continue; /* copied into classes */
    ptr_vec_push(p->a, &s->implementations, m);
    if (!m->holder || subtree_instantiated(m->holder)) prog_enqueue(p, m);
  }
}

void prog_instantiate(program *p, cls *c) {
  if (c->instantiated || p->check_only) return;
  c->instantiated = true;
  /* Methods of c and its superclasses for selectors already in use. */
  for (cls *k = c; k; k = k->super) {
    for (int j = 0; j < k->members.cap; j++) {
      if (!k->members.keys[j]) continue;
      ptr_vec *v = k->members.values[j];
      for (int n = 0; n < v->count; n++) {
        meth *m = v->items[n];
        if (m->index >= 0 || m->is_abstract) continue;
        for (int si = 0; si < p->selector_list.count; si++) {
          selector *s = p->selector_list.items[si];
          if (s->used && !s->interface_of && strcmp(s->name, m->name) == 0 &&
              prog_accepts(m, s->npos, s->named, s->named_count)) {
            prog_enqueue(p, m);
            break;
          }
        }
      }
    }
  }
}

/* ---- lookups ---- */

/* A top-level name in unit u: its own, then imported ones, then the core
 * library's. */
entity *prog_lookup_top(program *p, unit_info *u, const char *name) {
  entity *e = strmap_get(&u->names, name);
  if (e) return e;
  e = strmap_get(&u->shown, name);
  if (e) return e;
  for (int i = 0; i < u->unprefixed.count; i++) {
    unit_info *m = u->unprefixed.items[i];
    e = prog_module_member(p, m, name);
    if (e) return e;
  }
  if (u != p->core) return strmap_get(&p->core->names, name);
  return NULL;
}

static void resolve_shown(program *p, unit_info *u);

/* Names a module re-exports come from its own imports (not the core
 * library's); `depth` stops cycles of exports. */
static entity *exported(program *p, unit_info *m, const char *name, int depth) {
  entity *e = strmap_get(&m->names, name);
  if (e || depth > 8) return e;
  ast_list *exports = &m->ast->unit.exports;
  bool listed = false;
  for (int i = 0; i < exports->count && !listed; i++) {
    ast_node *ex = exports->items[i];
    if (ex->export_.all) listed = true;
    for (int k = 0; k < ex->export_.count && !listed; k++)
      if (strcmp(ex->export_.names[k], name) == 0) listed = true;
  }
  if (!listed) return NULL;
  if (m->shown_state == 0) resolve_shown(p, m);
  e = m->shown_state == 2 ? strmap_get(&m->shown, name) : NULL;
  if (e) return e;
  for (int i = 0; i < m->unprefixed.count; i++) {
    e = exported(p, m->unprefixed.items[i], name, depth + 1);
    if (e) return e;
  }
  return NULL;
}

entity *prog_module_member(program *p, unit_info *m, const char *name) {
  return exported(p, m, name, 0);
}

cls *prog_find_class(program *p, unit_info *u, const char *name) {
  entity *e = prog_lookup_top(p, u, name);
  return e && e->kind == ENT_CLASS ? e->klass : NULL;
}

/* An interface member (abstract) of iface or the interfaces it extends. */
static meth *find_interface_member(const cls *iface, const char *name, int npos, const char **named,
                                   int named_count, int depth) {
  if (depth > 50) return NULL;
  ptr_vec *v = strmap_get(&iface->members, name);
  for (int i = 0; v && i < v->count; i++) {
    meth *m = v->items[i];
    if (prog_accepts(m, npos, named, named_count)) return m;
  }
  for (int i = 0; i < iface->interfaces.count; i++) {
    meth *m = find_interface_member(iface->interfaces.items[i], name, npos, named, named_count, depth + 1);
    if (m) return m;
  }
  return NULL;
}

meth *prog_find_member(cls *c, const char *name, int npos, const char **named, int named_count,
                       bool want_setter) {
  (void)want_setter;
  for (cls *k = c; k; k = k->super) {
    ptr_vec *v = strmap_get(&k->members, name);
    if (!v) continue;
    for (int i = 0; i < v->count; i++) {
      meth *m = v->items[i];
      if (prog_accepts(m, npos, named, named_count)) return m;
    }
  }
  /* An abstract class may use the members of the interfaces it implements. */
  for (cls *k = c; k; k = k->super) {
    for (int i = 0; i < k->interfaces.count; i++) {
      meth *m = find_interface_member(k->interfaces.items[i], name, npos, named, named_count, 0);
      if (m) return m;
    }
  }
  return NULL;
}

glob *prog_find_static_field(cls *c, const char *name) {
  return strmap_get(&c->static_fields, name);
}

bool prog_is_subclass(const cls *sub, const cls *super) {
  for (; sub; sub = sub->super)
    if (sub == super) return true;
  return false;
}

const char *prog_type_name(type_info t) {
  if (t.kind == TYPE_NONE) return "none";
  if (t.kind == TYPE_ANY) return "any";
  return t.klass->name;
}

type_info prog_resolve_type(program *p, unit_info *u, ast_node *type) {
  type_info t = {TYPE_ANY, NULL, false};
  if (!type) return t;
  t.nullable = type->type.nullable;
  const char *name = type->type.segments[type->type.segment_count - 1];
  if (type->type.segment_count == 1 && strcmp(name, "any") == 0) return t;
  if (type->type.segment_count == 1 && strcmp(name, "none") == 0) {
    t.kind = TYPE_NONE;
    return t;
  }
  cls *c = prog_find_class(p, u, name);
  if (!c) {
    diag_error(p->d, type->loc, "Unknown type: '%s'", name);
    return t;
  }
  if (c == p->c_object) return t;
  t.kind = TYPE_CLASS;
  t.klass = c;
  return t;
}

uint16_t prog_string_const(program *p, const char *bytes, uint32_t size) {
  return img_writer_const(p->w, img_writer_string(p->w, (uint16_t)p->c_string->id, bytes, size));
}

/* ---- building the model ---- */

meth *prog_new_method(program *p, meth_kind kind, const char *name, cls *holder, unit_info *u) {
  meth *m = arena_alloc(p->a, sizeof *m);
  m->kind = kind;
  m->name = name;
  m->holder = holder;
  m->unit = u;
  m->index = -1;
  m->field = -1;
  return m;
}

static int param_order(const void *a, const void *b) {
  const param_info *x = a, *y = b;
  if (x->is_named != y->is_named) return x->is_named ? 1 : -1;
  if (!x->is_named) return 0;
  return strcmp(x->name, y->name);
}

void prog_init_params(program *p, meth *m, ast_list *params, bool instance) {
  m->param_count = params->count;
  m->params = arena_alloc(p->a, sizeof(param_info) * (size_t)(params->count + 1));
  for (int i = 0; i < params->count; i++) {
    ast_node *n = params->items[i];
    param_info *pi = &m->params[i];
    pi->name = n->param.name;
    pi->is_named = n->param.is_named;
    pi->is_block = n->param.is_block;
    pi->is_field = n->param.is_field;
    pi->default_value = n->param.default_value;
    pi->node = n;
    pi->type = prog_resolve_type(p, m->unit, n->param.type);
    if (pi->is_field && m->kind != METH_CONSTRUCTOR)
      diag_error(p->d, n->loc, "Field-storing parameters are only allowed in constructors");
  }
  /* Stable sort: positional in order, then named by name. */
  for (int i = 1; i < m->param_count; i++) {
    param_info t = m->params[i];
    int k = i - 1;
    while (k >= 0 && param_order(&m->params[k], &t) > 0) {
      m->params[k + 1] = m->params[k];
      k--;
    }
    m->params[k + 1] = t;
  }
  m->npos_min = m->npos_max = 0;
  for (int i = 0; i < m->param_count; i++) {
    if (m->params[i].is_named) continue;
    m->npos_max++;
    if (!m->params[i].default_value) m->npos_min++;
  }
  m->arity = m->param_count + (instance ? 1 : 0);
}

static void add_entity_function(program *p, unit_info *u, meth *m, src_loc loc) {
  entity *e = strmap_get(&u->names, m->name);
  if (e && e->kind != ENT_FUNCTIONS) {
    diag_error(p->d, loc, "Duplicate definition of '%s'", m->name);
    return;
  }
  if (!e) {
    e = arena_alloc(p->a, sizeof *e);
    e->kind = ENT_FUNCTIONS;
    strmap_put(p->a, &u->names, m->name, e);
  }
  ptr_vec_push(p->a, &e->methods, m);
}

static glob *new_global(program *p, unit_info *u, ast_node *decl, cls *holder) {
  glob *g = arena_alloc(p->a, sizeof *g);
  g->name = decl->field.name;
  g->decl = decl;
  g->final = decl->field.final;
  g->holder = holder;
  g->unit = u;
  g->index = p->globals.count;
  ptr_vec_push(p->a, &p->globals, g);
  if (decl->field.value) {
    meth *init = prog_new_method(p, METH_GLOBAL_INIT, g->name, holder, u);
    init->decl = decl;
    init->global = g;
    init->returns_value = true;
    g->init = init;
  }
  return g;
}

static void add_member(program *p, cls *c, meth *m, bool is_static) {
  strmap *map = is_static ? &c->statics : &c->members;
  ptr_vec *v = strmap_get(map, m->name);
  if (!v) {
    v = arena_alloc(p->a, sizeof *v);
    strmap_put(p->a, map, m->name, v);
  }
  ptr_vec_push(p->a, v, m);
  if (!is_static) {
    ptr_vec *all = strmap_get(&members_by_name, m->name);
    if (!all) {
      all = arena_alloc(p->a, sizeof *all);
      strmap_put(p->a, &members_by_name, m->name, all);
    }
    ptr_vec_push(p->a, all, m);
  }
}

static const char *member_name(program *p, ast_node *d) {
  switch (d->method.method_kind) {
    case METHOD_SETTER: return arena_printf(p->a, "%s=", d->method.name);
    case METHOD_CONSTRUCTOR:
      return d->method.name && d->method.name[0] ? arena_printf(p->a, "constructor.%s", d->method.name)
                                                 : "constructor";
    default: return d->method.name;
  }
}

static void declare_class(program *p, unit_info *u, ast_node *d) {
  cls *c = arena_alloc(p->a, sizeof *c);
  c->name = d->class_.name;
  c->decl = d;
  c->unit = u;
  c->is_abstract = d->class_.is_abstract || d->class_.class_kind == CLASS_INTERFACE;
  c->is_interface = d->class_.class_kind == CLASS_INTERFACE;
  c->is_mixin = d->class_.class_kind == CLASS_MIXIN;
  c->is_monitor = d->class_.class_kind == CLASS_MONITOR;
  c->layout = LAYOUT_INSTANCE;
  if (strmap_get(&u->names, c->name)) {
    diag_error(p->d, d->loc, "Duplicate definition of '%s'", c->name);
    return;
  }
  entity *e = arena_alloc(p->a, sizeof *e);
  e->kind = ENT_CLASS;
  e->klass = c;
  strmap_put(p->a, &u->names, c->name, e);
  ptr_vec_push(p->a, &p->classes, c);
  for (int i = 0; i < d->class_.members.count; i++) {
    ast_node *mb = d->class_.members.items[i];
    if (mb->kind == AST_FIELD) {
      if (mb->field.is_static) {
        glob *g = new_global(p, u, mb, c);
        strmap_put(p->a, &c->static_fields, g->name, g);
      } else {
        ptr_vec_push(p->a, &c->fields, mb);
      }
      continue;
    }
    if (mb->kind != AST_METHOD) continue;
    const char *name = member_name(p, mb);
    bool is_ctor = mb->method.method_kind == METHOD_CONSTRUCTOR;
    bool is_static = mb->method.is_static || is_ctor;
    meth *m = prog_new_method(p, is_ctor ? METH_CONSTRUCTOR : is_static ? METH_FUNCTION : METH_INSTANCE,
                              name, c, u);
    m->decl = mb;
    m->is_abstract = mb->method.is_abstract || (c->is_interface && !is_static);
    if (is_ctor) c->has_constructor = true;
    add_member(p, c, m, is_static);
  }
}

static void declare_unit(program *p, unit_info *u) {
  ast_node *ast = u->ast;
  for (int i = 0; i < ast->unit.decls.count; i++) {
    ast_node *d = ast->unit.decls.items[i];
    if (d->kind == AST_METHOD) {
      meth *m = prog_new_method(p, METH_FUNCTION, d->method.name, NULL, u);
      m->decl = d;
      add_entity_function(p, u, m, d->loc);
    } else if (d->kind == AST_GLOBAL) {
      if (strmap_get(&u->names, d->field.name)) {
        diag_error(p->d, d->loc, "Duplicate definition of '%s'", d->field.name);
        continue;
      }
      entity *e = arena_alloc(p->a, sizeof *e);
      e->kind = ENT_GLOBAL;
      e->global = new_global(p, u, d, NULL);
      strmap_put(p->a, &u->names, d->field.name, e);
    } else if (d->kind == AST_CLASS) {
      declare_class(p, u, d);
    }
  }
}

static int layout_of(const char *name) {
  if (strcmp(name, "SmallInteger_") == 0) return LAYOUT_SMI;
  if (strcmp(name, "LargeInteger_") == 0) return LAYOUT_LARGEINT;
  if (strcmp(name, "float") == 0) return LAYOUT_FLOAT;
  if (strcmp(name, "string") == 0) return LAYOUT_STRING;
  if (strcmp(name, "ByteArray") == 0) return LAYOUT_BYTES;
  if (strcmp(name, "Array_") == 0) return LAYOUT_ARRAY;
  if (strcmp(name, "Stack_") == 0) return LAYOUT_STACK;
  return LAYOUT_INSTANCE;
}

static void apply_mixin(program *p, cls *c, cls *mixin, int depth) {
  if (depth > 20) return;
  for (int k = 0; k < mixin->decl->class_.members.count; k++) {
    ast_node *mb = mixin->decl->class_.members.items[k];
    if (mb->kind == AST_FIELD && !mb->field.is_static) {
      bool have = false;
      for (int f = 0; f < c->fields.count; f++)
        if (strcmp(((ast_node *)c->fields.items[f])->field.name, mb->field.name) == 0) have = true;
      if (!have) ptr_vec_push(p->a, &c->fields, mb);
    }
  }
  for (int j = 0; j < mixin->members.cap; j++) {
    if (!mixin->members.keys[j]) continue;
    ptr_vec *v = mixin->members.values[j];
    if (strmap_get(&c->members, mixin->members.keys[j])) continue;
    for (int n = 0; n < v->count; n++) {
      meth *src = v->items[n];
      if (src->is_abstract || src->kind != METH_INSTANCE) continue;
      meth *m = prog_new_method(p, METH_INSTANCE, src->name, c, src->unit);
      m->decl = src->decl;
      add_member(p, c, m, false);
    }
  }
  /* A mixin's own mixins come under it. */
  for (int i = mixin->mixins.count - 1; i >= 0; i--) apply_mixin(p, c, mixin->mixins.items[i], depth + 1);
}

static void resolve_class(program *p, cls *c, int depth) {
  if (c->resolved) return;
  if (depth > 100) {
    diag_error(p->d, c->decl->loc, "Cyclic class hierarchy at '%s'", c->name);
    c->resolved = true;
    return;
  }
  ast_node *d = c->decl;
  if (c->unit == p->core) c->layout = layout_of(c->name);
  if (d->class_.super && (c->is_interface || c->is_mixin)) {
    /* interface I extends J / mixin M2 extends M1: J and M1 are supertypes. */
    type_info t = prog_resolve_type(p, c->unit, d->class_.super);
    if (t.kind == TYPE_CLASS) ptr_vec_push(p->a, c->is_mixin ? &c->mixins : &c->interfaces, t.klass);
    c->super = p->c_object;
  } else if (d->class_.super) {
    type_info t = prog_resolve_type(p, c->unit, d->class_.super);
    cls *s = t.kind == TYPE_CLASS ? t.klass : p->c_object;
    if (t.kind == TYPE_CLASS && s->is_interface)
      diag_error(p->d, d->class_.super->loc, "Can't extend interface '%s'", s->name);
    if (s->unit == p->core && c->unit != p->core && s != p->c_object)
      diag_error(p->d, d->class_.super->loc, "Can't extend built-in class '%s'", s->name);
    c->super = s;
  } else if (c != p->c_object) {
    c->super = p->c_object;
  }
  if (c->super) {
    resolve_class(p, c->super, depth + 1);
    if (prog_is_subclass(c->super, c)) {
      diag_error(p->d, d->loc, "Cyclic class hierarchy at '%s'", c->name);
      c->super = p->c_object;
    }
    ptr_vec_push(p->a, &c->super->children, c);
  }
  for (int i = 0; i < d->class_.interfaces.count; i++) {
    type_info t = prog_resolve_type(p, c->unit, d->class_.interfaces.items[i]);
    if (t.kind == TYPE_CLASS) ptr_vec_push(p->a, &c->interfaces, t.klass);
  }
  for (int i = 0; i < d->class_.mixins.count; i++) {
    type_info t = prog_resolve_type(p, c->unit, d->class_.mixins.items[i]);
    if (t.kind != TYPE_CLASS) continue;
    if (!t.klass->is_mixin) diag_error(p->d, d->class_.mixins.items[i]->loc, "'%s' is not a mixin", t.klass->name);
    else ptr_vec_push(p->a, &c->mixins, t.klass);
  }
  if (d->class_.mixins.count && !d->class_.super)
    diag_error(p->d, d->loc, "'with' requires 'extends'");
  /* Mixins: their fields and methods are copied into the class; the
   * class's own members win, and a later mixin wins over an earlier one. */
  for (int i = c->mixins.count - 1; i >= 0; i--) apply_mixin(p, c, c->mixins.items[i], 0);
  c->first_field = c->super ? c->super->field_count : 0;
  c->field_count = c->first_field + c->fields.count;
  if (c->field_count > 255) diag_error(p->d, d->loc, "Class '%s' has too many fields", c->name);
  /* Implicit field accessors. */
  for (int i = 0; i < c->fields.count; i++) {
    ast_node *f = c->fields.items[i];
    meth *g = prog_new_method(p, METH_FIELD_GET, f->field.name, c, c->unit);
    g->decl = f;
    g->field = c->first_field + i;
    g->arity = 1;
    g->returns_value = true;
    g->sel = prog_selector(p, g->name, 0, NULL, 0);
    add_member(p, c, g, false);
    meth *s = prog_new_method(p, METH_FIELD_SET, arena_printf(p->a, "%s=", f->field.name), c, c->unit);
    s->decl = f;
    s->field = c->first_field + i;
    s->arity = 2;
    s->npos_min = s->npos_max = 1;
    s->returns_value = true;
    s->sel = prog_selector(p, s->name, 1, NULL, 0);
    add_member(p, c, s, false);
  }
  c->resolved = true;
}

static int number_classes(program *p, cls *c, int next, ptr_vec *order) {
  c->id = next++;
  ptr_vec_push(p->a, order, c);
  for (int i = 0; i < c->children.count; i++) next = number_classes(p, c->children.items[i], next, order);
  c->end = next;
  return next;
}

static void init_method_signatures(program *p) {
  for (int i = 0; i < p->classes.count; i++) {
    cls *c = p->classes.items[i];
    strmap *maps[2] = {&c->members, &c->statics};
    for (int k = 0; k < 2; k++) {
      for (int j = 0; j < maps[k]->cap; j++) {
        ptr_vec *v = maps[k]->values[j];
        if (!maps[k]->keys[j]) continue;
        for (int n = 0; n < v->count; n++) {
          meth *m = v->items[n];
          if (!m->decl || m->decl->kind != AST_METHOD) continue;
          prog_init_params(p, m, &m->decl->method.params, m->kind == METH_INSTANCE);
          if (m->kind == METH_CONSTRUCTOR) m->arity = m->param_count + (emit_is_factory(p, m) ? 0 : 1);
          m->ret = prog_resolve_type(p, m->unit, m->decl->method.return_type);
          if (m->kind == METH_INSTANCE && !m->is_abstract && !m->sel) {
            const char *named[64];
            int nn = 0;
            for (int q = 0; q < m->param_count && nn < 64; q++)
              if (m->params[q].is_named) named[nn++] = m->params[q].name;
            m->sel = prog_selector(p, m->name, m->npos_max, named, nn);
          }
        }
      }
    }
  }
  for (int i = 0; i < p->units.count; i++) {
    unit_info *u = p->units.items[i];
    for (int j = 0; j < u->names.cap; j++) {
      entity *e = u->names.values[j];
      if (!u->names.keys[j] || e->kind != ENT_FUNCTIONS) continue;
      for (int n = 0; n < e->methods.count; n++) {
        meth *m = e->methods.items[n];
        prog_init_params(p, m, &m->decl->method.params, false);
        m->ret = prog_resolve_type(p, m->unit, m->decl->method.return_type);
      }
    }
  }
  for (int i = 0; i < p->globals.count; i++) {
    glob *g = p->globals.items[i];
    g->type = prog_resolve_type(p, g->unit, g->decl->field.type);
  }
}

/* ---- declaration checks (LANGUAGE.md 7.1, 7.2, 10.1, 10.4-10.6, 10.8) ---- */

static int block_params(const meth *m) {
  int n = 0;
  for (int i = 0; i < m->param_count; i++)
    if (!m->params[i].is_named && m->params[i].is_block) n++;
  return n;
}

static const param_info *named_param(const meth *m, const char *name) {
  for (int i = 0; i < m->param_count; i++)
    if (m->params[i].is_named && strcmp(m->params[i].name, name) == 0) return &m->params[i];
  return NULL;
}

/* Whether some call shape is accepted by both a and b (7.2): the same
 * number of positional blocks, intersecting positional ranges, and every
 * required named parameter of either exists in the other (same blockness). */
static bool shapes_overlap(const meth *a, const meth *b) {
  int ba = block_params(a), bb = block_params(b);
  if (ba != bb) return false;
  int lo = a->npos_min > b->npos_min ? a->npos_min : b->npos_min;
  int hi = a->npos_max < b->npos_max ? a->npos_max : b->npos_max;
  if (lo > hi) return false;
  const meth *pair[2][2] = {{a, b}, {b, a}};
  for (int k = 0; k < 2; k++) {
    const meth *x = pair[k][0], *y = pair[k][1];
    for (int i = 0; i < x->param_count; i++) {
      const param_info *pi = &x->params[i];
      if (!pi->is_named) continue;
      const param_info *other = named_param(y, pi->name);
      if (!other) {
        if (!pi->default_value) return false;
        continue;
      }
      if (other->is_block != pi->is_block) return false;
    }
  }
  return true;
}

static void check_params(program *p, meth *m) {
  if (!m->decl || m->decl->kind != AST_METHOD) return;
  /* Optional positional parameters come after the required ones of the same
   * kind (blocks are a kind of their own). */
  bool optional_seen = false;
  for (int i = 0; i < m->decl->method.params.count; i++) {
    ast_node *n = m->decl->method.params.items[i];
    if (n->param.is_named || n->param.is_block) continue;
    if (n->param.default_value) optional_seen = true;
    else if (optional_seen)
      diag_error(p->d, n->loc, "Required parameter '%s' can't follow an optional positional parameter",
                 n->param.name);
  }
  ast_node *d = m->decl;
  if (d->method.method_kind == METHOD_SETTER) {
    int npos = 0;
    for (int i = 0; i < d->method.params.count; i++)
      if (!((ast_node *)d->method.params.items[i])->param.is_named) npos++;
    if (npos != 1 || npos != d->method.params.count)
      diag_error(p->d, d->loc, "Setters must take exactly one parameter");
  }
  if (d->method.method_kind == METHOD_OPERATOR && d->method.is_static)
    diag_error(p->d, d->loc, "Operators can't be static");
}

static void check_overloads(program *p, ptr_vec *v) {
  for (int i = 1; i < v->count; i++) {
    meth *b = v->items[i];
    if (!b->decl || b->decl->kind != AST_METHOD) continue;
    for (int k = 0; k < i; k++) {
      meth *a = v->items[k];
      if (!a->decl || a->decl->kind != AST_METHOD || a->holder != b->holder) continue;
      if (shapes_overlap(a, b)) {
        diag_error(p->d, b->decl->loc, "Definition of '%s' overlaps with an earlier definition of the same shape",
                   b->decl->method.name);
        break;
      }
    }
  }
}

/* A non-abstract implementation of abstract method am, in c or above. */
static bool has_implementation(cls *c, meth *am) {
  const char *named[64];
  int nn = 0;
  for (int i = 0; i < am->param_count && nn < 64; i++)
    if (am->params[i].is_named && !am->params[i].default_value) named[nn++] = am->params[i].name;
  for (; c; c = c->super) {
    ptr_vec *v = strmap_get(&c->members, am->name);
    if (!v) continue;
    for (int i = 0; i < v->count; i++) {
      meth *m = v->items[i];
      if (!m->is_abstract && m->kind != METH_MARKER && prog_accepts(m, am->npos_max, named, nn)) return true;
    }
  }
  return false;
}

/* Reports the first abstract method of `from` (and its interfaces/mixins)
 * that class c does not implement. */
static bool check_abstracts_of(program *p, cls *c, cls *from, int depth) {
  if (depth > 50) return true;
  for (int j = 0; j < from->members.cap; j++) {
    if (!from->members.keys[j]) continue;
    ptr_vec *v = from->members.values[j];
    for (int n = 0; n < v->count; n++) {
      meth *am = v->items[n];
      if (!am->is_abstract) continue;
      if (!has_implementation(c, am)) {
        diag_error(p->d, c->decl->loc, "Non-abstract class '%s' is missing an implementation of '%s' (from '%s')",
                   c->name, am->name, from->name);
        return false;
      }
    }
  }
  for (int i = 0; i < from->interfaces.count; i++)
    if (!check_abstracts_of(p, c, from->interfaces.items[i], depth + 1)) return false;
  for (int i = 0; i < from->mixins.count; i++)
    if (!check_abstracts_of(p, c, from->mixins.items[i], depth + 1)) return false;
  return true;
}

static void check_class(program *p, cls *c) {
  strmap *maps[2] = {&c->members, &c->statics};
  for (int k = 0; k < 2; k++) {
    for (int j = 0; j < maps[k]->cap; j++) {
      if (!maps[k]->keys[j]) continue;
      ptr_vec *v = maps[k]->values[j];
      bool has_field = false;
      for (int n = 0; n < v->count; n++) {
        meth *m = v->items[n];
        if (m->kind == METH_FIELD_GET && m->holder == c) has_field = true;
      }
      for (int n = 0; n < v->count; n++) {
        meth *m = v->items[n];
        if (m->holder != c || !m->decl || m->decl->kind != AST_METHOD) continue;
        check_params(p, m);
        if (has_field && m->kind == METH_INSTANCE && prog_accepts(m, 0, NULL, 0))
          diag_error(p->d, m->decl->loc, "Field '%s' and method '%s' conflict", m->name, m->name);
        if (m->is_abstract && !c->is_abstract && m->decl->method.is_abstract)
          diag_error(p->d, m->decl->loc,
                     c->is_mixin ? "Mixin '%s' has abstract members: it must be declared 'abstract mixin'"
                                 : "Abstract method in non-abstract class '%s'",
                     c->name);
      }
      check_overloads(p, v);
    }
  }
  if (c->is_abstract || c->is_interface || c->is_mixin) return;
  for (cls *s = c; s; s = s->super)
    if (!check_abstracts_of(p, c, s, 0)) return;
}

/* ---- cyclic untyped globals (LANGUAGE.md 6.3) ---- */

static void globals_referenced(program *p, unit_info *u, ast_node *n, ptr_vec *out);
static void globals_referenced_list(program *p, unit_info *u, ast_list *l, ptr_vec *out) {
  for (int i = 0; i < l->count; i++) globals_referenced(p, u, l->items[i], out);
}

/* The untyped globals of unit u that expression n names directly. */
static void globals_referenced(program *p, unit_info *u, ast_node *n, ptr_vec *out) {
  if (!n) return;
  switch (n->kind) {
    case AST_IDENT: {
      entity *e = strmap_get(&u->names, n->ident.name);
      if (e && e->kind == ENT_GLOBAL && !e->global->decl->field.type && e->global->init)
        ptr_vec_push(p->a, out, e->global);
      return;
    }
    case AST_INTERP: globals_referenced_list(p, u, &n->interp.parts, out); return;
    case AST_LIST: case AST_SET: case AST_BYTES: globals_referenced_list(p, u, &n->list.elems, out); return;
    case AST_MAP:
      globals_referenced_list(p, u, &n->map.keys, out);
      globals_referenced_list(p, u, &n->map.values, out);
      return;
    case AST_DOT: globals_referenced(p, u, n->dot.receiver, out); return;
    case AST_INDEX:
      globals_referenced(p, u, n->index.receiver, out);
      globals_referenced_list(p, u, &n->index.args, out);
      return;
    case AST_UNARY: globals_referenced(p, u, n->unary.operand, out); return;
    case AST_BINARY:
      globals_referenced(p, u, n->binary.left, out);
      globals_referenced(p, u, n->binary.right, out);
      return;
    case AST_COMPARE: globals_referenced_list(p, u, &n->compare.operands, out); return;
    case AST_IS: case AST_AS: globals_referenced(p, u, n->is_as.value, out); return;
    case AST_CONDITIONAL:
      globals_referenced(p, u, n->cond.cond, out);
      globals_referenced(p, u, n->cond.then, out);
      globals_referenced(p, u, n->cond.else_, out);
      return;
    case AST_CALL:
      globals_referenced(p, u, n->call.target, out);
      globals_referenced_list(p, u, &n->call.args, out);
      return;
    case AST_NAMED_ARG: globals_referenced(p, u, n->named.value, out); return;
    default: return;
  }
}

static void check_global_cycles(program *p) {
  for (int i = 0; i < p->units.count; i++) {
    unit_info *u = p->units.items[i];
    if (u->is_core) continue;
    for (int k = 0; k < u->ast->unit.decls.count; k++) {
      ast_node *d = u->ast->unit.decls.items[k];
      if (d->kind != AST_GLOBAL || d->field.type || !d->field.value) continue;
      entity *e = strmap_get(&u->names, d->field.name);
      if (!e || e->kind != ENT_GLOBAL || e->global->decl != d) continue;
      glob *start = e->global;
      /* Is `start` reachable from its own initializer through untyped globals? */
      ptr_vec work = {0}, seen = {0};
      globals_referenced(p, u, d->field.value, &work);
      bool cyclic = false;
      while (work.count && !cyclic) {
        glob *g = work.items[--work.count];
        if (g == start) {
          cyclic = true;
          break;
        }
        bool dup = false;
        for (int q = 0; q < seen.count; q++) dup |= seen.items[q] == g;
        if (dup) continue;
        ptr_vec_push(p->a, &seen, g);
        globals_referenced(p, g->unit, g->decl->field.value, &work);
      }
      if (cyclic) diag_error(p->d, d->loc, "Cyclic type dependency: the initializer of '%s' depends on itself", start->name);
    }
  }
}

static void check_declarations(program *p) {
  for (int i = 0; i < p->classes.count; i++) check_class(p, p->classes.items[i]);
  for (int i = 0; i < p->units.count; i++) {
    unit_info *u = p->units.items[i];
    for (int j = 0; j < u->names.cap; j++) {
      entity *e = u->names.values[j];
      if (!u->names.keys[j] || e->kind != ENT_FUNCTIONS) continue;
      for (int n = 0; n < e->methods.count; n++) check_params(p, e->methods.items[n]);
      check_overloads(p, &e->methods);
    }
  }
}

/* ---- the dispatch table ---- */

typedef struct {
  selector *sel;
  int count;
  meth **row; /* per class id */
} row_info;

static int row_cmp(const void *a, const void *b) {
  const row_info *x = a, *y = b;
  if (x->count != y->count) return y->count - x->count;
  return x->sel->id - y->sel->id;
}

static meth *make_stub(program *p, meth *target, selector *s) {
  meth *m = prog_new_method(p, METH_STUB, target->name, target->holder, target->unit);
  m->target = target;
  m->stub_sel = s;
  m->arity = 1 + s->npos + s->named_count;
  m->returns_value = true;
  prog_enqueue(p, m);
  emit_method(p, m);
  return m;
}

/* Does class c (or a superclass) define a method of this name in any shape? */
static bool has_member_named(cls *c, const char *name) {
  for (; c; c = c->super)
    if (strmap_get(&c->members, name)) return true;
  return false;
}

/* The entry for a selector a class has only in other shapes: a method that
 * throws "Argument mismatch for 'C.name'." */
static meth *mismatch_method(program *p, cls *c, selector *s) {
  meth *m = prog_new_method(p, METH_MISMATCH, s->name, c, c->unit);
  m->stub_sel = s;
  m->arity = 1 + s->npos + s->named_count;
  prog_enqueue(p, m);
  emit_method(p, m);
  return m;
}

static uint16_t *build_dispatch(program *p, uint32_t *size_out, int *entries_out) {
  int nclasses = p->classes.count;
  ptr_vec rows = {0};
  row_info *infos = arena_alloc(p->a, sizeof(row_info) * (size_t)(p->selector_list.count + 1));
  int nrows = 0;
  for (int si = 0; si < p->selector_list.count; si++) {
    selector *s = p->selector_list.items[si];
    if (!s->used) continue;
    meth **row = arena_alloc(p->a, sizeof(meth *) * (size_t)nclasses);
    int count = 0;
    for (int ci = 0; ci < nclasses && s->interface_of; ci++) {
      cls *c = p->classes.items[ci];
      row[ci] = c->instantiated && prog_implements(c, s->interface_of) ? s->marker : NULL;
      if (row[ci]) count++;
    }
    for (int ci = 0; ci < nclasses && !s->interface_of; ci++) {
      cls *c = p->classes.items[ci];
      meth *own = NULL;
      for (int k = 0; k < s->implementations.count; k++) {
        meth *m = s->implementations.items[k];
        if (m->holder == c) own = m;
      }
      if (own && own->index < 0) own = NULL; /* never compiled: its class has no instances */
      row[ci] = own ? own : (c->super ? row[c->super->id] : NULL);
      if (row[ci] && row[ci]->kind == METH_MISMATCH) row[ci] = NULL;
      if (!row[ci] && c->instantiated && has_member_named(c, s->name)) row[ci] = mismatch_method(p, c, s);
      if (row[ci]) count++;
    }
    if (count == 0) continue; /* no class answers: every call fails to look up */
    infos[nrows].sel = s;
    infos[nrows].count = count;
    infos[nrows].row = row;
    nrows++;
  }
  (void)rows;
  qsort(infos, (size_t)nrows, sizeof(row_info), row_cmp);
  uint32_t cap = (uint32_t)nclasses * 4 + 64;
  uint16_t *table = calloc(cap, sizeof(uint16_t));
  uint8_t *offset_used = calloc(cap, 1);
  uint32_t size = 0;
  int entries = 0;
  for (int r = 0; r < nrows; r++) {
    row_info *ri = &infos[r];
    int first = -1;
    for (int ci = 0; ci < nclasses; ci++)
      if (ri->row[ci]) {
        first = ci;
        break;
      }
    /* Offsets are unique per selector, so a method header's selector
     * offset identifies the selector. */
    for (uint32_t off = 0;; off++) {
      if (off + (uint32_t)nclasses + 1 >= cap) {
        uint32_t ncap = cap * 2;
        table = realloc(table, ncap * sizeof(uint16_t));
        offset_used = realloc(offset_used, ncap);
        memset(table + cap, 0, (ncap - cap) * sizeof(uint16_t));
        memset(offset_used + cap, 0, ncap - cap);
        cap = ncap;
      }
      if (offset_used[off]) continue;
      if (first >= 0 && table[off + (uint32_t)first]) continue;
      bool fits = true;
      for (int ci = 0; ci < nclasses && fits; ci++)
        if (ri->row[ci] && table[off + (uint32_t)ci]) fits = false;
      if (!fits) continue;
      ri->sel->offset = (int)off;
      offset_used[off] = 1;
      for (int ci = 0; ci < nclasses; ci++) {
        meth *m = ri->row[ci];
        if (!m) continue;
        entries++;
        bool exact = m->sel == ri->sel || m->kind == METH_MISMATCH;
        if (!exact) {
          /* Reuse one stub per (method, selector). */
          meth *stub = NULL;
          for (int k = 0; k < p->methods.count && !stub; k++) {
            meth *q = p->methods.items[k];
            if (q->kind == METH_STUB && q->target == m && q->stub_sel == ri->sel) stub = q;
          }
          m = stub ? stub : make_stub(p, m, ri->sel);
        }
        table[off + (uint32_t)ci] = (uint16_t)(m->index + 1);
      }
      if (off + (uint32_t)nclasses > size) size = off + (uint32_t)nclasses;
      break;
    }
  }
  /* Selectors used only at call sites nobody implements still need an
   * offset (every call is then a lookup failure): give them fresh ones. */
  for (int si = 0; si < p->selector_list.count; si++) {
    selector *s = p->selector_list.items[si];
    if (s->offset >= 0 || !s->used) continue;
    uint32_t off = 0;
    while (off < cap && offset_used[off]) off++;
    if (off + (uint32_t)nclasses + 1 >= cap) {
      uint32_t ncap = cap * 2 + (uint32_t)nclasses;
      table = realloc(table, ncap * sizeof(uint16_t));
      offset_used = realloc(offset_used, ncap);
      memset(table + cap, 0, (ncap - cap) * sizeof(uint16_t));
      memset(offset_used + cap, 0, ncap - cap);
      cap = ncap;
    }
    offset_used[off] = 1;
    s->offset = (int)off;
    if (off + (uint32_t)nclasses > size) size = off + (uint32_t)nclasses;
  }
  free(offset_used);
  *size_out = size;
  *entries_out = entries;
  return table;
}

/* The user's own code is checked even where main can't reach it: compile
 * each such method for its errors, emitting nothing. */
static void check_unreachable(program *p) {
  p->check_only = true;
  for (int i = 0; i < p->units.count; i++) {
    unit_info *u = p->units.items[i];
    if (u->is_core) continue;
    for (int j = 0; j < u->names.cap; j++) {
      entity *e = u->names.values[j];
      if (!u->names.keys[j]) continue;
      if (e->kind == ENT_FUNCTIONS) {
        for (int k = 0; k < e->methods.count; k++) {
          meth *m = e->methods.items[k];
          if (!m->compiled) emit_method(p, m);
        }
      } else if (e->kind == ENT_GLOBAL && e->global->init && !e->global->init->compiled) {
        emit_method(p, e->global->init);
      }
    }
  }
  for (int i = 0; i < p->classes.count; i++) {
    cls *c = p->classes.items[i];
    if (c->unit->is_core || c->is_mixin || c->is_interface) continue;
    strmap *maps[3] = {&c->members, &c->statics, NULL};
    for (int k = 0; maps[k]; k++) {
      for (int j = 0; j < maps[k]->cap; j++) {
        ptr_vec *v = maps[k]->values[j];
        if (!maps[k]->keys[j]) continue;
        for (int n = 0; n < v->count; n++) {
          meth *m = v->items[n];
          if (!m->compiled && !m->is_abstract && m->decl && m->decl->kind == AST_METHOD) emit_method(p, m);
        }
      }
    }
    for (int j = 0; j < c->static_fields.cap; j++) {
      glob *g = c->static_fields.values[j];
      if (c->static_fields.keys[j] && g->init && !g->init->compiled) emit_method(p, g->init);
    }
  }
  p->check_only = false;
}

/* ---- the driver ---- */

static char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (n + 4096 > cap) {
      cap *= 2;
      buf = realloc(buf, cap);
    }
    size_t r = fread(buf + n, 1, cap - n - 1, f);
    if (r == 0) break;
    n += r;
  }
  fclose(f);
  buf[n] = 0;
  *size = n;
  return buf;
}

static unit_info *add_unit(program *p, const char *path, const char *text, size_t size, bool core) {
  src_file *f = diag_add_file(p->d, path, text, (uint32_t)size);
  unit_info *u = arena_alloc(p->a, sizeof *u);
  u->file = f;
  u->is_core = core;
  u->trusted = core;
  /* The library's method bodies are parsed when a method is compiled. */
  u->ast = parse_unit(p->a, p->d, f, path[0] == '<');
  u->debug_file = img_writer_file(p->w, path);
  ptr_vec_push(p->a, &p->units, u);
  return u;
}

/* Loads the units a unit imports (once each: cycles are fine) and records
 * how their names are seen: through a prefix, unprefixed, or `show`n. */
static void load_imports(program *p, unit_info *u, ptr_vec *owned) {
  ast_list *imports = &u->ast->unit.imports;
  for (int i = 0; i < imports->count; i++) {
    ast_node *im = imports->items[i];
    if (im->import.segment_count == 0) continue;
    const char *last = im->import.segments[im->import.segment_count - 1];
    unit_info *m = NULL;
    if (im->import.dots == 0) {
      /* The VM's library modules, then a/b/c.toit or a/b/c/c.toit under
       * each library root (-I), dashes and underscores alike. */
      char dotted[1024];
      int at = 0;
      for (int k = 0; k < im->import.segment_count && at < 1000; k++)
        at += snprintf(dotted + at, sizeof dotted - (size_t)at, "%s%s", k ? "." : "", im->import.segments[k]);
      const char *key = arena_printf(p->a, "lib:%s", dotted);
      m = strmap_get(&p->modules, key);
      for (int k = 0; !m && im->import.segment_count == 1 && k < cmp_library_module_count; k++) {
        if (strcmp(cmp_library_modules[k].name, last) != 0) continue;
        m = add_unit(p, arena_printf(p->a, "<%s>", last), cmp_library_modules[k].text,
                     cmp_library_modules[k].size, false);
        m->trusted = true;
        strmap_put(p->a, &p->modules, key, m);
        load_imports(p, m, owned);
      }
      for (int r = 0; !m && r < p->lib_dir_count; r++) {
        for (int form = 0; form < 4 && !m; form++) {
          /* form bit 0: a/b/c/c.toit; bit 1: '_' for '-' in the names. */
          char path[4096];
          int n = snprintf(path, sizeof path, "%s", p->lib_dirs[r]);
          for (int k = 0; k < im->import.segment_count && n < 3800; k++)
            n += snprintf(path + n, sizeof path - (size_t)n, "/%s", im->import.segments[k]);
          if (form & 1) n += snprintf(path + n, sizeof path - (size_t)n, "/%s", last);
          snprintf(path + n, sizeof path - (size_t)n, ".toit");
          if (form & 2) {
            size_t root = strlen(p->lib_dirs[r]);
            for (char *c = path + root; *c; c++)
              if (*c == '-') *c = '_';
          }
          size_t size;
          char *text = read_file(path, &size);
          if (!text) continue;
          ptr_vec_push(p->a, owned, text);
          m = add_unit(p, arena_strdup(p->a, path), text, size, false);
          strmap_put(p->a, &p->modules, key, m);
          load_imports(p, m, owned);
        }
      }
    } else {
      /* import .a.b -> a/b.toit beside the importing file; each extra dot
       * goes one directory up. */
      const char *from = u->file->path;
      const char *slash = strrchr(from, '/');
      size_t dirlen = slash ? (size_t)(slash - from) + 1 : 0;
      char path[4096];
      int at = snprintf(path, sizeof path, "%.*s", (int)dirlen, from);
      for (int d = 1; d < im->import.dots && at < 4000; d++) at += snprintf(path + at, sizeof path - (size_t)at, "../");
      for (int k = 0; k < im->import.segment_count && at < 4000; k++)
        at += snprintf(path + at, sizeof path - (size_t)at, "%s%s", k ? "/" : "", im->import.segments[k]);
      snprintf(path + at, sizeof path - (size_t)at, ".toit");
      /* File names may spell dashes as underscores. */
      size_t names_at = dirlen;
      for (int form = 0; form < 2 && !m; form++) {
        if (form == 1) {
          bool changed = false;
          for (char *c = path + names_at; *c; c++)
            if (*c == '-') *c = '_', changed = true;
          if (!changed) break;
        }
        const char *key = arena_strdup(p->a, path);
        m = strmap_get(&p->modules, key);
        if (m) break;
        size_t size;
        char *text = read_file(path, &size);
        if (text) {
          ptr_vec_push(p->a, owned, text);
          m = add_unit(p, key, text, size, false);
          strmap_put(p->a, &p->modules, key, m);
          load_imports(p, m, owned);
        }
      }
    }
    if (!m) {
      if (im->import.dots == 0 && p->lib_dir_count == 0 && im->import.segment_count > 1)
        diag_error(p->d, im->loc, "Cannot find module '%s' (no library root given: use -I DIR)", last);
      else
        diag_error(p->d, im->loc, "Cannot find module '%s'", last);
      continue;
    }
    if (im->import.show_all) {
      ptr_vec_push(p->a, &u->unprefixed, m);
    } else if (im->import.show_count) {
      for (int k = 0; k < im->import.show_count; k++) {
        /* Resolved after declarations: remember the unit, look up later. */
        strmap_put(p->a, &u->shown, im->import.show[k], (void *)m);
      }
    } else if (im->import.prefix || im->import.dots == 0) {
      strmap_put(p->a, &u->prefixes, im->import.prefix ? im->import.prefix : last, m);
    } else {
      ptr_vec_push(p->a, &u->unprefixed, m);
    }
  }
}

/* `show` names were recorded with their unit: replace by the entity. */
static void resolve_shown(program *p, unit_info *u) {
  if (u->shown_state != 0) return;
  u->shown_state = 1;
  for (int i = 0; i < u->shown.cap; i++) {
    if (!u->shown.keys[i]) continue;
    unit_info *m = u->shown.values[i];
    entity *e = prog_module_member(p, m, u->shown.keys[i]);
    if (!e) {
      diag_error(p->d, (src_loc){(int16_t)u->file->id, 1, 1, 0, 1}, "Module has no name '%s' to show",
                 u->shown.keys[i]);
    }
    u->shown.values[i] = e;
  }
  /* Remove names that did not resolve. */
  for (int i = 0; i < u->shown.cap; i++)
    if (u->shown.keys[i] && !u->shown.values[i]) u->shown.values[i] = NULL;
  u->shown_state = 2;
}

static cls *core_class(program *p, const char *name) {
  cls *c = prog_find_class(p, p->core, name);
  if (!c) diag_error(p->d, (src_loc){0}, "the core library lacks class '%s'", name);
  return c;
}

bool cmp_compile(const cmp_options *opt, cmp_result *out) {
  memset(out, 0, sizeof *out);
  arena a;
  arena_init(&a);
  diag_ctx d;
  diag_init(&d, opt->diagnostics ? opt->diagnostics : stderr);
  if (opt->max_errors) d.max_errors = opt->max_errors;
  program prog = {0};
  program *p = &prog;
  p->a = &a;
  p->d = &d;
  p->w = img_writer_new();
  p->strip = opt->strip;
  p->lib_dirs = opt->lib_dirs;
  p->lib_dir_count = opt->lib_dir_count;
  memset(&members_by_name, 0, sizeof members_by_name);
  char *owned = NULL;
  ptr_vec owned_texts = {0}; /* imported files' texts (before any goto done) */
  bool ok = false;

  /* The core library: one unit made of all core files (they share names). */
  size_t total = 0;
  for (int i = 0; i < cmp_corelib_count; i++) total += cmp_corelib_files[i].size + 1;
  char *core_text = arena_alloc(&a, total + 1);
  size_t at = 0;
  for (int i = 0; i < cmp_corelib_count; i++) {
    memcpy(core_text + at, cmp_corelib_files[i].text, cmp_corelib_files[i].size);
    at += cmp_corelib_files[i].size;
    core_text[at++] = '\n';
  }
  p->core = add_unit(p, "<core>", core_text, at, true);

  const char *text = opt->source;
  size_t size = opt->source_size;
  if (!text) {
    owned = read_file(opt->path, &size);
    if (!owned) {
      fprintf(d.out, "%s: error: cannot read the file\n", opt->path);
      d.errors++;
      goto done;
    }
    text = owned;
  }
  unit_info *main_unit = add_unit(p, opt->path, text, size, false);
  load_imports(p, main_unit, &owned_texts);
  /* Syntax errors leave a well-formed tree: go on to find the other errors. */
  int syntax_errors = d.errors;

  for (int i = 0; i < p->units.count; i++) declare_unit(p, p->units.items[i]);
  for (int i = 0; i < p->units.count; i++) resolve_shown(p, p->units.items[i]);
  p->c_object = core_class(p, "Object");
  p->c_null = core_class(p, "Null_");
  p->c_bool = core_class(p, "bool");
  p->c_num = core_class(p, "num");
  p->c_int = core_class(p, "int");
  p->c_smi = core_class(p, "SmallInteger_");
  p->c_largeint = core_class(p, "LargeInteger_");
  p->c_float = core_class(p, "float");
  p->c_string = core_class(p, "string");
  p->c_array = core_class(p, "Array_");
  p->c_bytearray = core_class(p, "ByteArray");
  p->c_list = core_class(p, "List");
  p->c_lambda = core_class(p, "Lambda");
  p->c_box = core_class(p, "Box_");
  p->c_stack = core_class(p, "Stack_");
  p->c_task = core_class(p, "Task_");
  p->c_absent = core_class(p, "Absent_");
  p->c_exception = core_class(p, "Exception_");
  if (d.errors > syntax_errors) goto done;
  for (int i = 0; i < p->classes.count; i++) resolve_class(p, p->classes.items[i], 0);
  ptr_vec order = {0};
  number_classes(p, p->c_object, 0, &order);
  p->classes = order;
  if (p->classes.count > 0x7fff) diag_error(&d, (src_loc){0}, "too many classes");
  init_method_signatures(p);
  check_declarations(p);
  check_global_cycles(p);
  if (d.errors > syntax_errors) goto done;

  uint16_t scls = (uint16_t)p->c_string->id;
  (void)scls;
  p->o_null = img_writer_plain(p->w, (uint16_t)p->c_null->id);
  p->o_true = img_writer_plain(p->w, (uint16_t)p->c_bool->id);
  p->o_false = img_writer_plain(p->w, (uint16_t)p->c_bool->id);
  p->o_absent = img_writer_plain(p->w, (uint16_t)p->c_absent->id);

  entity *me = strmap_get(&main_unit->names, "main");
  meth *main_m = NULL;
  if (!me || me->kind != ENT_FUNCTIONS) {
    diag_error(&d, (src_loc){(int16_t)main_unit->file->id, 1, 1, 0, 0}, "No 'main' function");
    goto done;
  }
  main_m = me->methods.items[0];
  if (me->methods.count > 1 || main_m->npos_min > 1 || main_m->param_count > 1 ||
      (main_m->param_count == 1 && main_m->params[0].is_named)) {
    diag_error(&d, main_m->decl->loc, "'main' must take no parameters or one (the arguments)");
    goto done;
  }
  /* Well-known things the VM needs exist in every image. */
  entity *mx = prog_lookup_top(p, p->core, "make-exception_");
  p->m_make_exception = mx && mx->kind == ENT_FUNCTIONS ? mx->methods.items[0] : NULL;
  /* Values the VM itself makes (literals, primitive results). */
  cls *implicit[] = {p->c_null, p->c_bool, p->c_smi, p->c_largeint, p->c_float, p->c_string,
                     p->c_array};
  for (size_t i = 0; i < sizeof implicit / sizeof *implicit; i++) prog_instantiate(p, implicit[i]);
  if (main_m->param_count == 1) prog_instantiate(p, p->c_list); /* main's arguments */
  prog_enqueue(p, main_m);
  static const char *const root_sel_names[IMG_SELECTOR_ROOT_COUNT] = {
      "==", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", ">>>",
      "[]", "[]=", "stringify", "call", "call", "call", "call", "call"};
  static const int root_sel_npos[IMG_SELECTOR_ROOT_COUNT] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                                              1, 1, 1, 1, 1, 2, 0, 0, 1, 2, 3, 4};
  selector *root_sels[IMG_SELECTOR_ROOT_COUNT];
  for (int i = 0; i < IMG_SELECTOR_ROOT_COUNT; i++)
    root_sels[i] = prog_selector(p, root_sel_names[i], root_sel_npos[i], NULL, 0);
  prog_use_selector(p, root_sels[IMG_SEL_STRINGIFY]);
  prog_use_selector(p, root_sels[IMG_SEL_CALL0]); /* a task runs its lambda's call */

  p->m_main = main_m;
  while (p->next_compile < p->methods.count) emit_method(p, p->methods.items[p->next_compile++]);
  /* A program that may throw objects other than strings starts in the core
   * library's run-main_, which reports an uncaught one with its stringify. */
  meth *entry = main_m;
  entity *rm = p->throws_objects ? prog_lookup_top(p, p->core, "run-main_") : NULL;
  if (rm && rm->kind == ENT_FUNCTIONS) {
    for (int i = 0; i < rm->methods.count; i++) {
      meth *w = rm->methods.items[i];
      if (w->param_count == main_m->param_count) entry = w;
    }
    prog_enqueue(p, entry);
    while (p->next_compile < p->methods.count) emit_method(p, p->methods.items[p->next_compile++]);
    entry->line_count = 0; /* no source position: left out of stack traces */
  }
  check_unreachable(p);
  if (d.errors) goto done;

  uint32_t dsize;
  int dentries;
  uint16_t *table = build_dispatch(p, &dsize, &dentries);
  /* Patch selector ids into offsets, then write the methods. */
  for (int i = 0; i < p->methods.count; i++) {
    meth *m = p->methods.items[i];
    for (int k = 0; k < m->patches.count; k++) {
      int pos = (int)(intptr_t)m->patches.items[k];
      uint16_t id = img_rd16(m->code.data + pos);
      selector *s = p->selector_list.items[id];
      m->code.data[pos] = (uint8_t)s->offset;
      m->code.data[pos + 1] = (uint8_t)(s->offset >> 8);
    }
    uint16_t seloff = 0xffff;
    if (m->kind == METH_STUB || m->kind == METH_MISMATCH) seloff = (uint16_t)m->stub_sel->offset;
    else if (m->sel && m->sel->used) seloff = (uint16_t)m->sel->offset;
    uint8_t kind = m->kind == METH_BLOCK ? IMG_METHOD_BLOCK
                   : m->kind == METH_LAMBDA ? IMG_METHOD_LAMBDA
                   : m->kind == METH_FIELD_GET ? IMG_METHOD_GETTER
                   : m->kind == METH_FIELD_SET && !m->typed_setter ? IMG_METHOD_SETTER
                   : m->kind == METH_GLOBAL_INIT ? IMG_METHOD_GLOBAL_INIT
                                                 : IMG_METHOD_NORMAL;
    if (m->code.size > 0xffff) {
      diag_error(&d, m->decl ? m->decl->loc : (src_loc){0}, "Method '%s' is too large", m->name);
      continue;
    }
    img_writer_method(p->w, (uint8_t)m->arity, kind, (uint16_t)m->max_height, seloff, m->code.data,
                      (uint16_t)m->code.size, m->debug_name ? m->debug_name : m->name,
                      m->holder ? m->holder->name : NULL, m->unit ? m->unit->debug_file : -1,
                      m->lines, m->line_count);
  }
  img_writer_dispatch(p->w, table, dsize);
  free(table);
  for (int i = 0; i < p->selector_list.count; i++) {
    selector *s = p->selector_list.items[i];
    if (s->used || s->offset >= 0) img_writer_selector_name(p->w, (uint16_t)s->offset, s->key);
  }
  for (int i = 0; i < p->classes.count; i++) {
    cls *c = p->classes.items[i];
    uint8_t flags = (c->is_abstract ? IMG_CLASS_ABSTRACT : 0) | (c->is_interface ? IMG_CLASS_INTERFACE : 0);
    img_writer_class(p->w, c->super ? (uint16_t)c->super->id : 0xffff, (uint16_t)c->end,
                     (uint16_t)(c->layout == LAYOUT_INSTANCE ? c->field_count : 0), (uint8_t)c->layout,
                     flags, c->name);
  }
  for (int i = 0; i < p->globals.count; i++) {
    glob *g = p->globals.items[i];
    img_writer_global(p->w, g->init && g->init->index >= 0 ? (uint16_t)g->init->index : 0xffff,
                      g->final ? IMG_GLOBAL_FINAL : 0);
  }
  uint16_t classes[IMG_CLASS_ROOT_COUNT] = {
      (uint16_t)p->c_object->id, (uint16_t)p->c_null->id, (uint16_t)p->c_bool->id,
      (uint16_t)p->c_smi->id, (uint16_t)p->c_largeint->id, (uint16_t)p->c_float->id,
      (uint16_t)p->c_string->id, (uint16_t)p->c_array->id, (uint16_t)p->c_bytearray->id,
      (uint16_t)p->c_list->id, (uint16_t)p->c_lambda->id, (uint16_t)p->c_box->id,
      (uint16_t)p->c_stack->id, (uint16_t)p->c_task->id, (uint16_t)p->c_absent->id,
      (uint16_t)p->c_int->id, (uint16_t)p->c_num->id};
  uint32_t objects[IMG_OBJECT_ROOT_COUNT] = {p->o_null, p->o_true, p->o_false, p->o_absent};
  uint16_t selectors[IMG_SELECTOR_ROOT_COUNT];
  for (int i = 0; i < IMG_SELECTOR_ROOT_COUNT; i++)
    selectors[i] = root_sels[i]->used ? (uint16_t)root_sels[i]->offset : 0xffff;
  img_writer_roots(p->w, classes, objects, selectors, (uint16_t)entry->index);
  if (d.errors) goto done;
  out->image = img_writer_finish(p->w, !opt->strip, &out->size);
  out->class_count = p->classes.count;
  int used = 0;
  for (int i = 0; i < p->selector_list.count; i++) used += ((selector *)p->selector_list.items[i])->used;
  out->selector_count = used;
  out->method_count = p->methods.count;
  out->dispatch_entries = dentries;
  out->dispatch_size = (int)dsize;
  ok = true;

done:
  out->errors = d.errors;
  out->warnings = d.warnings;
  if (!ok && d.errors == 0) out->errors = 1;
  for (int i = 0; i < p->methods.count; i++) {
    meth *m = p->methods.items[i];
    img_buf_free(&m->code);
    free(m->lines);
    m->lines = NULL;
  }
  for (int i = 0; i < p->check_methods.count; i++) {
    /* A method may be listed twice (enqueued and compiled): free once. */
    meth *m = p->check_methods.items[i];
    img_buf_free(&m->code);
    free(m->lines);
    m->lines = NULL;
  }
  img_writer_free(p->w);
  diag_free(&d);
  for (int i = 0; i < owned_texts.count; i++) free(owned_texts.items[i]);
  arena_free(&a);
  free(owned);
  return ok;
}
