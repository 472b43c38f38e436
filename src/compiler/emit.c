/* Bytecode for one method: resolves names against locals, members and
 * top-level scopes, checks what LANGUAGE.md makes a compile-time error,
 * and tracks the exact stack height (locals live in stack slots; "local n"
 * is counted from the top). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/internal.h"
#include "compiler/parser.h"
#include "image/opcodes.h"
#include "vm/numfmt.h"

typedef struct fn fn;

typedef struct {
  const char *name;
  int pos;                /* relative to the frame marker: >= 1 local, <= -1 argument */
  bool final;
  bool is_block;          /* holds a block reference */
  bool assigned;          /* for `x := ?` */
  bool boxed;             /* lives in a Box_: captured by a lambda and assigned */
  type_info type;
  int depth;              /* scope depth */
  src_loc loc;
} local;

typedef struct loop_info {
  struct loop_info *outer;
  int height;             /* height at loop entry (break/continue pop down to it) */
  int try_depth;
  int continue_target;    /* bytecode offset for a backward continue, -1 if forward */
  ptr_vec breaks, continues; /* (intptr) positions of u16 operands to patch */
  ptr_vec nl_breaks, nl_continues; /* nl_patch*: branches from blocks */
  fn *owner;
} loop_info;

/* A non-local break/continue in a block method, patched with the loop's
 * target (a bytecode offset in the loop's method) once it is known. */
typedef struct {
  meth *m;
  int pos;
} nl_patch;

struct fn {
  program *p;
  meth *m;
  unit_info *u;
  fn *outer;              /* enclosing function of a block */
  int bpos;               /* block: position of its slot in the outer frame */
  int arity;
  int height, max_height;
  local *locals;
  int nlocals, cap;
  int depth;
  loop_info *loop;
  int try_depth;
  bool is_block;
  bool is_lambda;
  const char *call_name;  /* block: the name of the call it is an argument of */
  strmap *boxed_names;    /* names that live in boxes in this function */
  cls *holder;            /* class of `this`, NULL in static code */
  bool has_this;
  bool static_part;       /* constructor before the super call */
  img_buf *code;
  int returns_value, returns_plain;
  int value_returns, plain_returns; /* home function: all returns, including from blocks */
  bool mixed_reported;
  ast_node *assign_ok;    /* the one plain assignment whose value may be used here */
  ast_node *block_ok;     /* the one block variable that may be loaded here (call, pass on) */
  bool dead;
  bool temp_result;       /* the binary operation being emitted feeds another + - * / % */
  int last_op_pos;        /* where the last instruction starts (peepholes) */
  int prev_op_pos;        /* and the one before it */
  int last_target;        /* the last position a branch or handler lands on */
  src_loc cur;
  meth *lines_owner;
};

/* ---- emission primitives ---- */

static void set_height(fn *f, int h) {
  f->height = h;
  if (h > f->max_height) f->max_height = h;
}

static void mark_line(fn *f) {
  meth *m = f->m;
  uint32_t bci = (uint32_t)f->code->size;
  f->prev_op_pos = f->last_op_pos;
  f->last_op_pos = (int)bci;
  if (m->line_count && m->lines[m->line_count - 1].bci == bci) {
    m->lines[m->line_count - 1].line = f->cur.line;
    m->lines[m->line_count - 1].col = f->cur.col;
    return;
  }
  if (m->line_count && m->lines[m->line_count - 1].line == f->cur.line &&
      m->lines[m->line_count - 1].col == f->cur.col)
    return;
  if (m->line_count == m->line_cap) {
    m->line_cap = m->line_cap ? m->line_cap * 2 : 16;
    m->lines = realloc(m->lines, sizeof(img_line_entry) * (size_t)m->line_cap);
    if (!m->lines) abort();
  }
  m->lines[m->line_count++] = (img_line_entry){(uint16_t)bci, f->cur.col, f->cur.line};
}

static void at(fn *f, src_loc loc) {
  if (loc.line) f->cur = loc;
}

static void op(fn *f, int opcode, int delta) {
  if (f->dead) return;
  mark_line(f);
  img_buf_u8(f->code, (uint8_t)opcode);
  set_height(f, f->height + delta);
}
static void op8(fn *f, int opcode, int v, int delta) {
  if (f->dead) return;
  mark_line(f);
  img_buf_u8(f->code, (uint8_t)opcode);
  img_buf_u8(f->code, (uint8_t)v);
  set_height(f, f->height + delta);
}
static void op16(fn *f, int opcode, int v, int delta) {
  if (f->dead) return;
  mark_line(f);
  img_buf_u8(f->code, (uint8_t)opcode);
  img_buf_u16(f->code, (uint16_t)v);
  set_height(f, f->height + delta);
}

static void emit_error(fn *f, src_loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void emit_error(fn *f, src_loc loc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  diag_verror(f->p->d, loc, "error", fmt, ap);
  va_end(ap);
}

static int here(fn *f) {
  return (int)f->code->size;
}

/* here(), noted as a branch target: no peephole may merge the instructions
 * on both sides of it. */
static int target_here(fn *f) {
  f->last_target = here(f);
  return f->last_target;
}

/* Forward branch: returns the instruction position, or -1 when dead. */
typedef struct {
  int pos;
  int height;
} jump;

static jump branch(fn *f, int opcode, int delta) {
  jump j = {-1, 0};
  if (f->dead) return j;
  j.pos = here(f);
  op16(f, opcode, 0, delta);
  j.height = f->height;
  if (opcode == OP_BRANCH) f->dead = true;
  return j;
}

static void bind(fn *f, jump j) {
  if (j.pos < 0) return;
  int off = target_here(f) - j.pos;
  f->code->data[j.pos + 1] = (uint8_t)off;
  f->code->data[j.pos + 2] = (uint8_t)(off >> 8);
  if (f->dead) {
    f->dead = false;
    f->height = j.height;
  }
}

static void branch_back(fn *f, int opcode, int target, int delta) {
  if (f->dead) return;
  int off = here(f) - target;
  op16(f, opcode, off, delta);
  if (opcode == OP_BRANCH_BACK) f->dead = true;
}

static void load_smi(fn *f, int64_t v);

static void load_local_at(fn *f, int pos) {
  int n = f->height - pos;
  if (n < 0 || n > 255) {
    emit_error(f, f->cur, "Too many locals");
    n = 0;
  }
  if (n <= 5) op(f, OP_LOAD_LOCAL_0 + n, 1);
  else op8(f, OP_LOAD_LOCAL, n, 1);
}

/* Stores the top into slot pos; pops it when `pop`. */
static void store_local_at(fn *f, int pos, bool pop) {
  int n = f->height - pos;
  if (n < 1 || n > 255) {
    emit_error(f, f->cur, "Too many locals");
    n = 1;
  }
  op8(f, pop ? OP_STORE_LOCAL_POP : OP_STORE_LOCAL, n, pop ? -1 : 0);
}

static void pop_n(fn *f, int n) {
  if (n <= 0) return;
  if (n == 1) op(f, OP_POP_1, -1);
  else
    while (n > 0) {
      int k = n > 255 ? 255 : n;
      op8(f, OP_POP, k, -k);
      n -= k;
    }
}

static void load_smi(fn *f, int64_t v) {
  if (v == 0) op(f, OP_LOAD_SMI_0, 1);
  else if (v == 1) op(f, OP_LOAD_SMI_1, 1);
  else if (v > 0 && v <= 255) op8(f, OP_LOAD_SMI, (int)v, 1);
  else if (v >= -32768 && v <= 32767) op16(f, OP_LOAD_SMI16, (int)(int16_t)v, 1);
  else if (v >= -(1LL << 30) && v < (1LL << 30)) {
    if (f->dead) return;
    mark_line(f);
    img_buf_u8(f->code, OP_LOAD_SMI32);
    img_buf_u32(f->code, (uint32_t)(int32_t)v);
    set_height(f, f->height + 1);
  } else {
    /* Beyond 16 bits the value comes from the constant pool: a boxed int in
     * the image. The VM turns values that fit a small integer back into
     * one when it loads the constant (LOAD_CONST), so arithmetic stays on
     * the fast path on the 64-bit host while a 32-bit device still gets a
     * correct 64-bit value. */
    uint32_t obj = img_writer_largeint(f->p->w, (uint16_t)f->p->c_largeint->id, v);
    op16(f, OP_LOAD_INT, img_writer_const(f->p->w, obj), 1);
  }
}

static void invoke_static(fn *f, meth *m, int argc) {
  prog_enqueue(f->p, m);
  op16(f, OP_INVOKE_STATIC, m->index, 1 - argc);
}

/* The slot read by the instruction [pos, end) if it is a `load local` (dup
 * is local 0), or -1. */
static int load_local_in(fn *f, int pos, int end) {
  if (pos < 0 || pos >= end) return -1;
  const uint8_t *at = f->code->data + pos;
  int len = end - pos;
  if (len == 1 && at[0] >= OP_LOAD_LOCAL_0 && at[0] <= OP_LOAD_LOCAL_5) return at[0] - OP_LOAD_LOCAL_0;
  if (len == 1 && at[0] == OP_DUP) return 0;
  if (len == 2 && at[0] == OP_LOAD_LOCAL) return at[1];
  return -1;
}

/* The slot of the `load local` just emitted, or -1. */
static int last_load_local(fn *f) {
  if (f->dead || f->last_target == here(f) || f->last_op_pos >= here(f)) return -1;
  return load_local_in(f, f->last_op_pos, here(f));
}

/* The same for the instruction at `pos` before the last one. */
static int load_local_at_pos(fn *f, int pos) {
  if (pos >= f->last_op_pos) return -1;
  return load_local_in(f, pos, f->last_op_pos);
}

/* The class whose field is the only instance member called `name` in the
 * whole program (so every object with that getter is in the class's id
 * range, and none of its subclasses overrides it), or NULL. */
static cls *sole_field_class(program *p, const char *name, int *field, meth_kind kind) {
  cls *found = NULL;
  for (int i = 0; i < p->classes.count; i++) {
    cls *c = p->classes.items[i];
    if (!c->resolved || c->id < 0) return NULL;
    ptr_vec *v = strmap_get(&c->members, name);
    if (!v || v->count == 0) continue;
    if (found || c->is_interface || c->is_mixin || c->mixins.count || v->count != 1) return NULL;
    meth *m = v->items[0];
    if (m->kind != kind || m->holder != c || c->end - c->id > IMG_FIELD_RANGE_MAX) return NULL;
    /* A typed field's setter checks the value: it must be called. */
    if (kind == METH_FIELD_SET && m->decl && m->decl->field.type &&
        prog_resolve_type(p, c->unit, m->decl->field.type).kind != TYPE_ANY)
      return NULL;
    found = c;
    *field = m->field;
  }
  return found;
}

static void invoke_virtual(fn *f, selector *s) {
  if (f->dead) return;
  prog_use_selector(f->p, s);
  int argc = 1 + s->npos + s->named_count;
  if (argc == 2 && s->npos == 1) {
    /* A setter that only one class has: INVOKE_FIELD_SET. */
    int field = -1;
    cls *only = sole_field_class(f->p, s->name, &field, METH_FIELD_SET);
    if (only && field >= 0 && field <= 255) {
      if (f->last_target != here(f) && f->last_op_pos == here(f) - 1 &&
          f->code->data[f->last_op_pos] >= OP_INVOKE_ADD && f->code->data[f->last_op_pos] <= OP_INVOKE_DIV)
        /* `o.f = a op b`: the operator stores into the field (opcodes.h). */
        f->code->data[f->last_op_pos] += OP_INVOKE_ADD_SETF - OP_INVOKE_ADD;
      mark_line(f);
      img_buf_u8(f->code, OP_INVOKE_FIELD_SET);
      ptr_vec_push(f->p->a, &f->m->patches, (void *)(intptr_t)f->code->size);
      img_buf_u16(f->code, (uint16_t)s->id);
      img_buf_u16(f->code, (uint16_t)only->id);
      img_buf_u8(f->code, (uint8_t)field);
      img_buf_u8(f->code, (uint8_t)(only->end - only->id - 1));
      set_height(f, f->height - 1);
      return;
    }
  }
  if (argc == 1) {
    /* `load local n` (or dup) just before: one INVOKE_LOCAL instead. */
    int n = last_load_local(f);
    int field = -1;
    cls *only = n >= 0 && s->npos == 0 && s->named_count == 0 ? sole_field_class(f->p, s->name, &field, METH_FIELD_GET) : NULL;
    if (only && field >= 0 && field <= 255) {
      int op = OP_INVOKE_FIELD_LOCAL;
      int m = n == 0 && f->last_target != f->last_op_pos ? load_local_at_pos(f, f->prev_op_pos) : -1;
      if (m >= 0) {
        /* `load local m; dup; getter` (the object of `o.f op= v`): one
         * instruction pushes both. */
        f->code->size = (size_t)f->prev_op_pos;
        f->last_op_pos = f->prev_op_pos;
        op = OP_LOAD_LOCAL_FIELD;
        n = m;
      } else {
        f->code->size = (size_t)f->last_op_pos;
      }
      img_buf_u8(f->code, (uint8_t)op);
      img_buf_u8(f->code, (uint8_t)n);
      ptr_vec_push(f->p->a, &f->m->patches, (void *)(intptr_t)f->code->size);
      img_buf_u16(f->code, (uint16_t)s->id);
      img_buf_u16(f->code, (uint16_t)only->id);
      img_buf_u8(f->code, (uint8_t)field);
      img_buf_u8(f->code, (uint8_t)(only->end - only->id - 1));
      return;
    }
    if (n >= 0) {
      f->code->size = (size_t)f->last_op_pos;
      img_buf_u8(f->code, OP_INVOKE_LOCAL);
      img_buf_u8(f->code, (uint8_t)n);
      ptr_vec_push(f->p->a, &f->m->patches, (void *)(intptr_t)f->code->size);
      img_buf_u16(f->code, (uint16_t)s->id);
      return; /* the height already counts the loaded receiver */
    }
  }
  mark_line(f);
  img_buf_u8(f->code, OP_INVOKE_VIRTUAL);
  img_buf_u8(f->code, (uint8_t)argc);
  ptr_vec_push(f->p->a, &f->m->patches, (void *)(intptr_t)f->code->size);
  img_buf_u16(f->code, (uint16_t)s->id);
  set_height(f, f->height + 1 - argc);
}

static selector *sel(fn *f, const char *name, int npos) {
  return prog_selector(f->p, name, npos, NULL, 0);
}

static void emit_return_op(fn *f, int opcode) {
  if (f->dead) return;
  int drop = f->height;
  op16(f, opcode, 0, 0);
  f->code->data[f->code->size - 2] = (uint8_t)drop;
  f->code->data[f->code->size - 1] = (uint8_t)f->arity;
  f->dead = true;
}

/* ---- scopes ---- */

static local *find_local_in(fn *f, const char *name) {
  for (int i = f->nlocals - 1; i >= 0; i--)
    if (strcmp(f->locals[i].name, name) == 0) return &f->locals[i];
  return NULL;
}

static local *add_local(fn *f, const char *name, int pos, src_loc loc) {
  if (f->nlocals == f->cap) {
    f->cap = f->cap ? f->cap * 2 : 16;
    local *n = arena_alloc(f->p->a, sizeof(local) * (size_t)f->cap);
    if (f->nlocals) memcpy(n, f->locals, sizeof(local) * (size_t)f->nlocals);
    f->locals = n;
  }
  local *l = &f->locals[f->nlocals++];
  memset(l, 0, sizeof *l);
  l->name = name;
  l->pos = pos;
  l->depth = f->depth;
  l->assigned = true;
  l->loc = loc;
  return l;
}

static void check_shadowing(fn *f, const char *name, src_loc loc) {
  for (fn *g = f; g; g = g->outer) {
    if (find_local_in(g, name)) {
      emit_error(f, loc, "Definition of '%s' shadows earlier definition", name);
      return;
    }
  }
  entity *e = prog_lookup_top(f->p, f->u, name);
  if (e && e->kind == ENT_GLOBAL) {
    emit_error(f, loc, "Definition of '%s' shadows global variable", name);
    return;
  }
  if (f->holder && f->has_this) {
    for (cls *c = f->holder; c; c = c->super)
      for (int i = 0; i < c->fields.count; i++)
        if (strcmp(((ast_node *)c->fields.items[i])->field.name, name) == 0) {
          emit_error(f, loc, "Definition of '%s' shadows outer field definition", name);
          return;
        }
  }
}

static void begin_scope(fn *f) {
  f->depth++;
}

/* Ends a scope: its locals' slots are popped, keeping `keep` values on top. */
static void end_scope(fn *f, int keep) {
  int n = 0;
  while (f->nlocals > 0 && f->locals[f->nlocals - 1].depth == f->depth && f->locals[f->nlocals - 1].pos > 0) {
    f->nlocals--;
    n++;
  }
  while (f->nlocals > 0 && f->locals[f->nlocals - 1].depth == f->depth) f->nlocals--;
  f->depth--;
  if (n == 0 || f->dead) {
    if (f->dead) f->height -= n; /* keep the bookkeeping in step */
    return;
  }
  if (keep) {
    /* [locals..., value] -> [value] */
    store_local_at(f, f->height - n, true);
    pop_n(f, n - 1);
  } else {
    pop_n(f, n);
  }
}

/* ---- variables across block frames ---- */

typedef struct {
  fn *owner;
  local *l;
} var_ref;

static var_ref lookup_var(fn *f, const char *name) {
  var_ref r = {NULL, NULL};
  for (fn *g = f; g; g = g->outer) {
    local *l = find_local_in(g, name);
    if (l) {
      r.owner = g;
      r.l = l;
      return r;
    }
    if (g->is_lambda) break; /* a lambda sees outer variables only as its captures */
  }
  return r;
}

/* Pushes the block reference through which `target` (an enclosing frame)
 * is reached from f. */
static void load_frame_ref(fn *f, fn *target) {
  /* Our own block reference: argument 0. */
  load_local_at(f, -f->arity);
  for (fn *g = f; g->outer != target; g = g->outer) {
    /* g's outer is itself a block: read its block reference (its argument 0). */
    fn *o = g->outer;
    int d = g->bpos - (-o->arity);
    op8(f, OP_LOAD_OUTER, d, 0);
  }
}

static fn *frame_below(fn *f, fn *target) {
  fn *g = f;
  while (g->outer != target) g = g->outer;
  return g;
}

/* [obj] -> [obj.field fi]; `load local n` just before is fused into it. */
static void emit_load_field(fn *f, int fi) {
  int n = last_load_local(f);
  if (n >= 0) {
    f->code->size = (size_t)f->last_op_pos;
    mark_line(f);
    img_buf_u8(f->code, OP_LOAD_FIELD_LOCAL);
    img_buf_u8(f->code, (uint8_t)n);
    img_buf_u8(f->code, (uint8_t)fi);
    return;
  }
  op8(f, OP_LOAD_FIELD, fi, 0);
}

/* The slot itself (for a boxed variable: the box). */
static void load_var_raw(fn *f, var_ref r) {
  if (r.owner == f) {
    load_local_at(f, r.l->pos);
    return;
  }
  load_frame_ref(f, r.owner);
  fn *g = frame_below(f, r.owner);
  int n = last_load_local(f);
  if (n >= 0) {
    /* The block reference came from one `load local n`: fuse. */
    f->code->size = (size_t)f->last_op_pos;
    mark_line(f);
    img_buf_u8(f->code, OP_LOAD_OUTER_LOCAL);
    img_buf_u8(f->code, (uint8_t)n);
    img_buf_u8(f->code, (uint8_t)(g->bpos - r.l->pos));
    return;
  }
  op8(f, OP_LOAD_OUTER, g->bpos - r.l->pos, 0);
}

static void load_var(fn *f, var_ref r) {
  load_var_raw(f, r);
  if (r.l->boxed) emit_load_field(f, 0);
}

/* [value] -> [box] with box.value = value. */
static void emit_box(fn *f) {
  op16(f, OP_ALLOCATE, f->p->c_box->id, 1);
  prog_instantiate(f->p, f->p->c_box);
  op(f, OP_DUP, 1);
  load_local_at(f, f->height - 2);
  op8(f, OP_STORE_FIELD, 0, -1);
  pop_n(f, 1);
  store_local_at(f, f->height - 1, true);
}

static bool is_boxed_name(fn *f, const char *name) {
  return f->boxed_names && strmap_get(f->boxed_names, name);
}

/* Value on top; stores it into the variable, leaving it (or popping). */
static void store_var(fn *f, var_ref r, bool pop) {
  if (r.l->boxed) {
    load_var_raw(f, r);                 /* [value, box] */
    load_local_at(f, f->height - 1);    /* [value, box, value] */
    op8(f, OP_STORE_FIELD, 0, -1);      /* [value, value] */
    pop_n(f, 1);
    if (pop) pop_n(f, 1);
    return;
  }
  if (r.owner == f) {
    store_local_at(f, r.l->pos, pop);
    return;
  }
  if (f->outer == r.owner && !f->dead) {
    /* Our own block reference (argument 0) leads to the variable. */
    int n = f->height + f->arity;
    if (n >= 1 && n <= 255) {
      mark_line(f);
      img_buf_u8(f->code, OP_STORE_OUTER_LOCAL);
      img_buf_u8(f->code, (uint8_t)n);
      img_buf_u8(f->code, (uint8_t)(f->bpos - r.l->pos));
      if (pop) pop_n(f, 1);
      return;
    }
  }
  /* [value] -> [ref, value] via a temporary arrangement. */
  load_frame_ref(f, r.owner);               /* [value, ref] */
  fn *g = frame_below(f, r.owner);
  load_local_at(f, f->height - 1);          /* [value, ref, value] */
  op8(f, OP_STORE_OUTER, g->bpos - r.l->pos, -1); /* [value, value] */
  pop_n(f, 1);
  if (pop) pop_n(f, 1);
}

/* ---- expressions ---- */

static void emit_expr(fn *f, ast_node *n, bool want);
static void emit_body(fn *f, ast_node *body, bool want);
static void emit_block_method(fn *f, ast_node *blk, int bpos, meth *bm, const char *call_name);
static void emit_lambda(fn *f, ast_node *lam);

static void emit_call(fn *f, ast_node *n, bool want);
static ast_node *call_with_this(fn *f, const char *name, src_loc loc);
static void push_node(fn *f, ast_list *l, ast_node *n);

static void emit_const_string(fn *f, const char *bytes, uint32_t size) {
  op16(f, OP_LOAD_CONST, prog_string_const(f->p, bytes, size), 1);
}

static void emit_float(fn *f, double d) {
  uint32_t obj = img_writer_float(f->p->w, (uint16_t)f->p->c_float->id, d);
  op16(f, OP_LOAD_CONST, img_writer_const(f->p->w, obj), 1);
}

static meth *core_function(fn *f, const char *name) {
  entity *e = strmap_get(&f->p->core->names, name);
  if (!e || e->kind != ENT_FUNCTIONS) {
    emit_error(f, f->cur, "the core library lacks '%s'", name);
    return NULL;
  }
  return e->methods.items[0];
}

static void call_core(fn *f, const char *name, int argc) {
  meth *m = core_function(f, name);
  if (m) invoke_static(f, m, argc);
  else set_height(f, f->height + 1 - argc);
}

static void emit_stringify(fn *f) {
  invoke_virtual(f, sel(f, "stringify", 0));
}

static void emit_interp(fn *f, ast_node *n, bool want) {
  int count = 0;
  for (int i = 0; i < n->interp.parts.count; i++) {
    ast_node *part = n->interp.parts.items[i];
    if (i % 2 == 0) { /* literal and expression parts alternate */
      if (part->str.size == 0) continue;
      emit_const_string(f, part->str.bytes, part->str.size);
    } else {
      const char *fmt = n->interp.formats ? n->interp.formats[i] : NULL;
      if (fmt) {
        numfmt_spec spec;
        if (!numfmt_parse_spec(fmt, strlen(fmt), &spec)) emit_error(f, part->loc, "Invalid format string");
        emit_const_string(f, fmt, (uint32_t)strlen(fmt));
        emit_expr(f, part, true);
        call_core(f, "format-interpolated_", 2);
      } else {
        emit_expr(f, part, true);
        at(f, part->loc);
        emit_stringify(f);
      }
    }
    count++;
    if (count == 255) {
      op8(f, OP_CONCAT, count, 1 - count);
      count = 1;
    }
  }
  if (count == 0) emit_const_string(f, "", 0);
  else if (count > 1) op8(f, OP_CONCAT, count, 1 - count);
  if (!want) pop_n(f, 1);
}

static bool is_literal_kind(ast_node *n) {
  return n->kind == AST_INT || n->kind == AST_FLOAT || n->kind == AST_STRING || n->kind == AST_BOOL ||
         n->kind == AST_INTERP;
}

static cls *static_class_of(fn *f, ast_node *n) {
  switch (n->kind) {
    case AST_INT: return f->p->c_int;
    case AST_FLOAT: return f->p->c_float;
    case AST_STRING: case AST_INTERP: return f->p->c_string;
    case AST_BOOL: return f->p->c_bool;
    case AST_LIST: return f->p->c_list;
    default: return NULL;
  }
}

/* Compile-time part of a type check: literal values of the wrong type. */
static void check_static_type(fn *f, ast_node *value, type_info t) {
  if (t.kind != TYPE_CLASS || !value) return;
  if (value->kind == AST_NULL) {
    if (!t.nullable) emit_error(f, value->loc, "Type mismatch. Expected '%s'. Got 'Null_'", t.klass->name);
    return;
  }
  cls *c = static_class_of(f, value);
  if (!c || !is_literal_kind(value)) return;
  if (!prog_is_subclass(c, t.klass) && !(c == f->p->c_int && prog_is_subclass(f->p->c_smi, t.klass)))
    emit_error(f, value->loc, "Type mismatch. Expected '%s'. Got '%s'", t.klass->name, c->name);
}

/* Run-time part: checks the top of the stack against t. */
static void emit_type_check(fn *f, type_info t) {
  if (t.kind != TYPE_CLASS || t.klass == f->p->c_object) return;
  if (t.klass->is_interface || t.klass->is_mixin) {
    selector *is = prog_is_selector(f->p, t.klass);
    if (f->dead) return;
    jump skip = {-1, 0};
    if (t.nullable) {
      op(f, OP_DUP, 1);
      op(f, OP_LOAD_NULL, 1);
      op(f, OP_IDENTICAL, -1);
      skip = branch(f, OP_BRANCH_IF_TRUE, -1);
    }
    mark_line(f);
    img_buf_u8(f->code, OP_AS_INTERFACE);
    img_buf_u8(f->code, 1);
    ptr_vec_push(f->p->a, &f->m->patches, (void *)(intptr_t)f->code->size);
    img_buf_u16(f->code, (uint16_t)is->id);
    bind(f, skip);
    return;
  }
  op16(f, OP_AS_CLASS, t.klass->id | (t.nullable ? 0x8000 : 0), 0);
}

/* A literal whose class already satisfies `t`: no check needed. */
static bool literal_fits(fn *f, ast_node *v, type_info t) {
  if (!v || t.kind != TYPE_CLASS) return false;
  cls *k = t.klass;
  program *p = f->p;
  switch (v->kind) {
    case AST_INT: return k == p->c_int || k == p->c_num;
    case AST_FLOAT: return k == p->c_float || k == p->c_num;
    case AST_STRING: case AST_INTERP: return k == p->c_string;
    case AST_BOOL: return k == p->c_bool;
    case AST_NULL: return t.nullable;
    default: return false;
  }
}

static void emit_literal_list(fn *f, ast_list *elems, const char *maker) {
  for (int i = 0; i < elems->count; i++) emit_expr(f, elems->items[i], true);
  op16(f, OP_CREATE_ARRAY, elems->count, 1 - elems->count);
  call_core(f, maker, 1);
}

static int64_t wrap_neg(int64_t v) {
  return (int64_t)(0 - (uint64_t)v);
}

static bool is_block_value(fn *f, ast_node *n);
static void check_not_none(fn *f, ast_node *n, const char *msg);

static void emit_unary(fn *f, ast_node *n, bool want) {
  const char *o = n->unary.op;
  ast_node *x = n->unary.operand;
  if (strcmp(o, "not") == 0) {
    check_not_none(f, x, "Can't use a 'none' value as an operand of 'not'");
    emit_expr(f, x, true);
    op(f, OP_NOT, 0);
  } else if (strcmp(o, "-") == 0 && x->kind == AST_INT) {
    load_smi(f, wrap_neg(x->int_value));
  } else if (strcmp(o, "-") == 0 && x->kind == AST_FLOAT) {
    emit_float(f, -x->float_value);
  } else {
    emit_expr(f, x, true);
    at(f, n->loc);
    invoke_virtual(f, sel(f, o, 0));
  }
  if (!want) pop_n(f, 1);
}

static int binary_opcode(const char *o) {
  static const struct {
    const char *name;
    int opcode;
  } t[] = {{"==", OP_INVOKE_EQ}, {"<", OP_INVOKE_LT}, {"<=", OP_INVOKE_LE}, {">", OP_INVOKE_GT},
           {">=", OP_INVOKE_GE}, {"+", OP_INVOKE_ADD}, {"-", OP_INVOKE_SUB}, {"*", OP_INVOKE_MUL},
           {"/", OP_INVOKE_DIV}, {"%", OP_INVOKE_MOD}, {"&", OP_INVOKE_BIT_AND},
           {"|", OP_INVOKE_BIT_OR}, {"^", OP_INVOKE_BIT_XOR}, {"<<", OP_INVOKE_SHL},
           {">>", OP_INVOKE_SHR}, {">>>", OP_INVOKE_USHR}};
  for (size_t i = 0; i < sizeof t / sizeof *t; i++)
    if (strcmp(t[i].name, o) == 0) return t[i].opcode;
  return -1;
}

/* The immediate form of `a op k` for a small-int literal k, or -1. */
static int immediate_opcode(const char *o, ast_node *right) {
  if (!right || right->kind != AST_INT || right->int_value < -32768 || right->int_value > 32767) return -1;
  static const struct {
    const char *name;
    int opcode;
  } t[] = {{"==", OP_INVOKE_EQ_SMI}, {"!=", OP_INVOKE_EQ_SMI}, {"<", OP_INVOKE_LT_SMI},
           {"<=", OP_INVOKE_LE_SMI}, {">", OP_INVOKE_GT_SMI}, {">=", OP_INVOKE_GE_SMI},
           {"+", OP_INVOKE_ADD_SMI}, {"-", OP_INVOKE_SUB_SMI}};
  for (size_t i = 0; i < sizeof t / sizeof *t; i++)
    if (strcmp(t[i].name, o) == 0) return t[i].opcode;
  return -1;
}

/* [a] -> [a op k]: the operand is a small literal. */
static void emit_operator_immediate(fn *f, const char *o, int opcode, ast_node *right) {
  bool neg = strcmp(o, "!=") == 0;
  prog_use_selector(f->p, sel(f, neg ? "==" : o, 1));
  op16(f, opcode, (int)(int16_t)right->int_value, 0);
  if (neg) op(f, OP_NOT, 0);
}

/* + - * /: the operators whose float results may be temporaries. */
static bool is_arith_op(const char *o) {
  return o && (strcmp(o, "+") == 0 || strcmp(o, "-") == 0 || strcmp(o, "*") == 0 || strcmp(o, "/") == 0 ||
               strcmp(o, "%") == 0);
}

/* [a, b] -> [a op b]; `temp`: the result is an operand of the next + - * / %
 * and nothing else (INVOKE_*_TEMP, see opcodes.h). */
static void emit_operator_temp(fn *f, const char *o, bool temp) {
  bool neg = strcmp(o, "!=") == 0;
  if (neg) o = "==";
  int opc = binary_opcode(o);
  prog_use_selector(f->p, sel(f, o, 1));
  int n = opc >= OP_INVOKE_ADD && opc <= OP_INVOKE_DIV ? last_load_local(f) : -1;
  if (n >= 0) {
    /* `load local n; op` -> `op local n`. */
    f->code->size = (size_t)f->last_op_pos;
    op8(f, (temp ? OP_INVOKE_ADD_LOCAL_TEMP : OP_INVOKE_ADD_LOCAL) + (opc - OP_INVOKE_ADD), n, -1);
    if (neg) op(f, OP_NOT, 0);
    return;
  }
  if (opc >= OP_INVOKE_ADD && opc <= OP_INVOKE_DIV && !f->dead && f->last_target != here(f) &&
      f->last_op_pos < here(f) && here(f) - f->last_op_pos == opf_length(OPF_LOCAL_FIELD) &&
      f->code->data[f->last_op_pos] == OP_INVOKE_FIELD_LOCAL)
    /* The right operand is a field read just before: fuse (opcodes.h). */
    f->code->data[f->last_op_pos] = (uint8_t)(OP_INVOKE_FIELD_ADD + (opc - OP_INVOKE_ADD));
  if (temp && is_arith_op(o)) opc = OP_INVOKE_ADD_TEMP + (opc - OP_INVOKE_ADD);
  op(f, opc, -1);
  if (neg) op(f, OP_NOT, 0);
}

static void emit_operator(fn *f, const char *o) {
  emit_operator_temp(f, o, false);
}

/* An operand of `op`. When op is + - * / % (the full form, not the small-
 * literal one) and the operand is such an operation too, its result is used
 * exactly once, right here: it is emitted as a temporary. */
static void emit_operand(fn *f, ast_node *x, const char *op) {
  if (is_arith_op(op) && x && x->kind == AST_BINARY && is_arith_op(x->binary.op) &&
      immediate_opcode(x->binary.op, x->binary.right) < 0)
    f->temp_result = true;
  emit_expr(f, x, true);
  f->temp_result = false;
}

/* A local of this frame held directly (not in a box, not a block). */
static local *plain_local(fn *f, ast_node *x) {
  if (!x || x->kind != AST_IDENT) return NULL;
  var_ref r = lookup_var(f, x->ident.name);
  if (!r.l || r.owner != f || r.l->boxed || r.l->is_block || !r.l->assigned) return NULL;
  return r.l;
}

/* Arithmetic on plain locals and literals only: evaluating it cannot read
 * or change any local (no calls but operators on values that can't hold a
 * block of this frame), so a local operand may be read after it. */
static bool simple_arith(fn *f, ast_node *x, int depth) {
  if (!x || depth > 8) return false;
  switch (x->kind) {
    case AST_INT: case AST_FLOAT: return true;
    case AST_IDENT: return plain_local(f, x) != NULL;
    case AST_UNARY: return strcmp(x->unary.op, "-") == 0 && simple_arith(f, x->unary.operand, depth + 1);
    case AST_BINARY:
      return strcmp(x->binary.op, "and") != 0 && strcmp(x->binary.op, "or") != 0 &&
             simple_arith(f, x->binary.left, depth + 1) && simple_arith(f, x->binary.right, depth + 1);
    default: return false;
  }
}

static void emit_binary(fn *f, ast_node *n, bool want) {
  const char *o = n->binary.op;
  if (strcmp(o, "and") == 0 || strcmp(o, "or") == 0) {
    check_not_none(f, n->binary.left, "Can't use a 'none' value as an operand of 'and'/'or'");
    check_not_none(f, n->binary.right, "Can't use a 'none' value as an operand of 'and'/'or'");
    emit_expr(f, n->binary.left, true);
    op(f, OP_DUP, 1);
    jump j = branch(f, o[0] == 'a' ? OP_BRANCH_IF_FALSE : OP_BRANCH_IF_TRUE, -1);
    pop_n(f, 1);
    emit_expr(f, n->binary.right, true);
    bind(f, j);
    if (!want) pop_n(f, 1);
    return;
  }
  bool temp = f->temp_result;
  f->temp_result = false;
  int imm = immediate_opcode(o, n->binary.right);
  local *ll = imm < 0 && (strcmp(o, "+") == 0 || strcmp(o, "-") == 0 || strcmp(o, "*") == 0) &&
                      n->binary.right->kind != AST_IDENT && n->binary.right->kind != AST_INT &&
                      n->binary.right->kind != AST_FLOAT
                  ? plain_local(f, n->binary.left)
                  : NULL;
  local *lr = ll ? NULL : plain_local(f, n->binary.right);
  local *l2 = lr && (strcmp(o, "+") == 0 || strcmp(o, "-") == 0 || strcmp(o, "*") == 0)
                  ? plain_local(f, n->binary.left)
                  : NULL;
  if (l2 && !f->dead && f->height - l2->pos >= 0 && f->height - l2->pos <= 255 &&
      f->height - lr->pos >= 0 && f->height - lr->pos <= 255) {
    /* `a op b` on two locals: one instruction. */
    at(f, n->loc);
    prog_use_selector(f->p, sel(f, o, 1));
    int k = o[0] == '+' ? 0 : o[0] == '-' ? 1 : 2;
    int da = f->height - l2->pos, db = f->height - lr->pos;
    mark_line(f);
    img_buf_u8(f->code, (uint8_t)((temp ? OP_LOCALS_ADD_TEMP : OP_LOCALS_ADD) + k));
    img_buf_u8(f->code, (uint8_t)da);
    img_buf_u8(f->code, (uint8_t)db);
    set_height(f, f->height + 2); /* the slow path pushes both */
    set_height(f, f->height - 1);
    if (!want) pop_n(f, 1);
    return;
  }
  if (ll && simple_arith(f, n->binary.right, 0) && !f->dead) {
    /* `local op expr`: expr first, then one instruction reads the local. */
    emit_operand(f, n->binary.right, o);
    at(f, n->loc);
    int dist = f->height - ll->pos;
    int base = temp ? OP_LOCAL_ADD_TEMP : OP_LOCAL_ADD;
    int k = o[0] == '+' ? 0 : o[0] == '-' ? 1 : 2;
    if (dist >= 1 && dist <= 255) {
      prog_use_selector(f->p, sel(f, o, 1));
      op8(f, base + k, dist, 0);
      if (!want) pop_n(f, 1);
      return;
    }
    emit_error(f, n->loc, "Too many locals");
    return;
  }
  if (imm >= 0) {
    emit_expr(f, n->binary.left, true);
    at(f, n->loc);
    emit_operator_immediate(f, o, imm, n->binary.right);
  } else {
    emit_operand(f, n->binary.left, o);
    emit_operand(f, n->binary.right, o);
    at(f, n->loc);
    emit_operator_temp(f, o, temp);
  }
  if (!want) pop_n(f, 1);
}

static void emit_compare(fn *f, ast_node *n, bool want) {
  int count = n->compare.operands.count;
  if (count == 2) {
    emit_expr(f, n->compare.operands.items[0], true);
    ast_node *right = n->compare.operands.items[1];
    int imm = immediate_opcode(n->compare.ops[0], right);
    if (imm >= 0) {
      at(f, n->loc);
      emit_operator_immediate(f, n->compare.ops[0], imm, right);
      if (!want) pop_n(f, 1);
      return;
    }
    emit_expr(f, right, true);
    at(f, n->loc);
    emit_operator(f, n->compare.ops[0]);
    if (!want) pop_n(f, 1);
    return;
  }
  /* a < b < c: the middle operands are evaluated once, kept in a temp. */
  op(f, OP_LOAD_NULL, 1);
  int temp = f->height;
  emit_expr(f, n->compare.operands.items[0], true);
  jump fails[64];
  int nf = 0;
  for (int i = 1; i < count; i++) {
    emit_expr(f, n->compare.operands.items[i], true); /* [t, left, right] */
    if (i < count - 1) {
      load_local_at(f, f->height);                    /* dup right */
      store_local_at(f, temp, true);                  /* t = right */
    }
    at(f, n->loc);
    emit_operator(f, n->compare.ops[i - 1]);          /* [t, r] */
    if (i < count - 1) {
      if (nf < 64) fails[nf++] = branch(f, OP_BRANCH_IF_FALSE, -1);
      load_local_at(f, temp);                         /* [t, t] = next left */
    }
  }
  /* [t, result] */
  store_local_at(f, temp, true);
  jump done = branch(f, OP_BRANCH, 0);
  for (int i = 0; i < nf; i++) bind(f, fails[i]);
  if (nf) {
    /* [t] -> [false] */
    pop_n(f, 1);
    op(f, OP_LOAD_FALSE, 1);
  }
  bind(f, done);
  if (!want) pop_n(f, 1);
}

static void emit_conditional(fn *f, ast_node *n, bool want) {
  check_not_none(f, n->cond.cond, "Can't use a 'none' value as a condition");
  emit_expr(f, n->cond.cond, true);
  jump else_j = branch(f, OP_BRANCH_IF_FALSE, -1);
  emit_expr(f, n->cond.then, want);
  jump end_j = branch(f, OP_BRANCH, 0);
  bind(f, else_j);
  emit_expr(f, n->cond.else_, want);
  bind(f, end_j);
}

/* Definite assignment of `x := ?` locals (LANGUAGE.md 6.4): which of the
 * first n locals are assigned, saved and merged around branches. */
typedef struct {
  int n;
  bool *assigned;
} assign_state;

static assign_state save_assigned(fn *f) {
  assign_state st = {f->nlocals, NULL};
  if (st.n) {
    st.assigned = arena_alloc(f->p->a, sizeof(bool) * (size_t)st.n);
    for (int i = 0; i < st.n; i++) st.assigned[i] = f->locals[i].assigned;
  }
  return st;
}

static void restore_assigned(fn *f, assign_state st) {
  for (int i = 0; i < st.n && i < f->nlocals; i++) f->locals[i].assigned = st.assigned[i];
}

static void emit_if(fn *f, ast_node *n, bool want) {
  check_not_none(f, n->if_.cond, "Can't use a 'none' value as a condition");
  emit_expr(f, n->if_.cond, true);
  assign_state before = save_assigned(f);
  jump else_j = branch(f, OP_BRANCH_IF_FALSE, -1);
  emit_body(f, n->if_.then, want);
  bool then_falls = !f->dead;
  assign_state after_then = save_assigned(f);
  restore_assigned(f, before);
  jump end_j = branch(f, OP_BRANCH, 0);
  bind(f, else_j);
  if (n->if_.else_) emit_body(f, n->if_.else_, want);
  else if (want) op(f, OP_LOAD_NULL, 1);
  bool else_falls = !f->dead;
  /* A local is assigned after the if when every branch that falls through
   * assigned it. */
  for (int i = 0; i < before.n && i < f->nlocals; i++) {
    if (!then_falls) continue; /* the else branch's state stands */
    if (!else_falls) f->locals[i].assigned = after_then.assigned[i];
    else f->locals[i].assigned = f->locals[i].assigned && after_then.assigned[i];
  }
  bind(f, end_j);
}

static bool is_true_literal(ast_node *n) {
  return n && n->kind == AST_BOOL && n->bool_value;
}

static void patch_nl(ptr_vec *v, int target) {
  for (int i = 0; i < v->count; i++) {
    nl_patch *np = v->items[i];
    uint8_t *d = np->m->code.data + np->pos;
    d[0] = (uint8_t)target;
    d[1] = (uint8_t)(target >> 8);
    d[2] = d[3] = 0;
  }
}

/* Loops are rotated: the condition sits at the bottom and branches back to
 * the body, so each iteration runs one branch instead of two. */
static void emit_loop(fn *f, ast_node *cond, ast_node *update, ast_node *body, bool want, local *fresh) {
  loop_info L = {0};
  L.outer = f->loop;
  L.height = f->height;
  L.try_depth = f->try_depth;
  L.owner = f;
  L.continue_target = -1;
  bool forever = !cond || is_true_literal(cond);
  jump to_cond = forever ? (jump){-1, 0} : branch(f, OP_BRANCH, 0);
  if (!forever) f->dead = false, f->height = L.height;
  int top = target_here(f);
  f->loop = &L;
  assign_state before = save_assigned(f);
  emit_body(f, body, false);
  /* The body may not run at all (unless the loop is `while true`). */
  if (!forever) restore_assigned(f, before);
  f->loop = L.outer;
  for (int i = 0; i < L.continues.count; i++) {
    jump j = {(int)(intptr_t)L.continues.items[i], L.height};
    bind(f, j);
  }
  if (L.nl_continues.count) {
    if (f->dead) f->dead = false, f->height = L.height;
    patch_nl(&L.nl_continues, target_here(f));
  }
  if (fresh && !f->dead) {
    /* A loop variable shared with lambdas: each iteration gets its own box,
     * copied before the update runs on the new one. */
    load_local_at(f, fresh->pos);
    op8(f, OP_LOAD_FIELD, 0, 0);
    emit_box(f);
    store_local_at(f, fresh->pos, true);
  }
  if (update) emit_expr(f, update, false);
  if (forever) {
    branch_back(f, OP_BRANCH_BACK, top, 0);
  } else {
    bind(f, to_cond);
    check_not_none(f, cond, "Can't use a 'none' value as a condition");
    emit_expr(f, cond, true);
    branch_back(f, OP_BRANCH_BACK_IF_TRUE, top, -1);
  }
  for (int i = 0; i < L.breaks.count; i++) {
    jump j = {(int)(intptr_t)L.breaks.items[i], L.height};
    bind(f, j);
  }
  if (L.nl_breaks.count) {
    if (f->dead) f->dead = false, f->height = L.height;
    patch_nl(&L.nl_breaks, target_here(f));
  }
  if (want) op(f, OP_LOAD_NULL, 1);
}

/* [value] -> returns it from the frame of `target` (f itself, or a frame f
 * is nested in through blocks), running finally bodies on the way. */
static void emit_return_from(fn *f, fn *target) {
  if (target == f) {
    emit_return_op(f, f->try_depth ? OP_RETURN_UNWIND : OP_RETURN);
    return;
  }
  load_frame_ref(f, target);
  load_local_at(f, f->height - 1);
  fn *g = frame_below(f, target);
  if (f->dead) return;
  mark_line(f);
  img_buf_u8(f->code, OP_NON_LOCAL_RETURN);
  img_buf_u8(f->code, (uint8_t)g->bpos);
  img_buf_u8(f->code, (uint8_t)target->arity);
  f->dead = true;
}

static void emit_jump(fn *f, ast_node *n) {
  bool is_break = n->kind == AST_BREAK;
  if (n->jump.label) {
    if (is_break) {
      emit_error(f, n->loc, "'break.%s' is not supported (use 'continue.%s' or a return)", n->jump.label, n->jump.label);
      return;
    }
    /* continue.label v: ends the invocation of the block given to the
     * innermost enclosing call named `label`, with value v. */
    fn *target = NULL;
    for (fn *g = f; g && g->is_block; g = g->outer)
      if (g->call_name && strcmp(g->call_name, n->jump.label) == 0) {
        target = g;
        break;
      }
    if (!target) {
      emit_error(f, n->loc, "No enclosing block given to a call named '%s'", n->jump.label);
      return;
    }
    emit_expr(f, n->jump.value, true);
    at(f, n->loc);
    int saved = f->height;
    emit_return_from(f, target);
    f->height = saved - 1;
    return;
  }
  /* The innermost loop of this function, possibly in a frame this block
   * belongs to. */
  loop_info *L = f->loop;
  fn *owner = f;
  while (!L && owner->is_block) {
    owner = owner->outer;
    L = owner->loop;
  }
  if (!L) {
    emit_error(f, n->loc, "%s outside of a loop", is_break ? "'break'" : "'continue'");
    return;
  }
  if (f->dead) return;
  int saved = f->height;
  if (owner != f || f->try_depth != L->try_depth) {
    /* Non-local (from a block), or out of a try in this frame: unwind to
     * the loop's frame and height, running the finally bodies on the way,
     * then branch to the target (patched when the loop binds it). In this
     * frame the reference is to the slot just above the loop's height. */
    int below;
    if (owner != f) {
      load_frame_ref(f, owner);
      below = frame_below(f, owner)->bpos - L->height;
    } else {
      op8(f, OP_LOAD_BLOCK, f->height - (L->height + 1), 1); /* a link slot: always there */
      below = 1;
    }
    mark_line(f);
    img_buf_u8(f->code, OP_NON_LOCAL_BRANCH);
    img_buf_u8(f->code, (uint8_t)below);
    nl_patch *np = arena_alloc(f->p->a, sizeof *np);
    np->m = f->m;
    np->pos = here(f);
    img_buf_u32(f->code, 0);
    ptr_vec_push(f->p->a, is_break ? &L->nl_breaks : &L->nl_continues, np);
    f->dead = true;
    f->height = saved;
    return;
  }
  pop_n(f, f->height - L->height);
  if (!is_break && L->continue_target >= 0) {
    branch_back(f, OP_BRANCH_BACK, L->continue_target, 0);
  } else {
    jump j = branch(f, OP_BRANCH, 0);
    ptr_vec_push(f->p->a, is_break ? &L->breaks : &L->continues, (void *)(intptr_t)j.pos);
  }
  f->height = saved;
}


static void emit_return(fn *f, ast_node *n) {
  if (f->m->kind == METH_GLOBAL_INIT) {
    emit_error(f, n->loc, "Can't return from a global initializer");
    return;
  }
  for (fn *g = f; g; g = g->outer) {
    if (g->is_lambda) {
      emit_error(f, n->loc, "Can't explicitly return from within a lambda");
      return;
    }
    if (!g->is_block) break;
  }
  ast_node *v = n->ret.value;
  if (v) f->returns_value++;
  else f->returns_plain++;
  /* The method whose frame we return from. */
  fn *home = f;
  while (home->is_block) home = home->outer;
  if (v && is_block_value(f, v)) {
    emit_error(f, v->loc, "Can't return a block");
    f->block_ok = v;
  }
  if (v) home->value_returns++;
  else home->plain_returns++;
  if (home->value_returns && home->plain_returns && !home->mixed_reported) {
    home->mixed_reported = true;
    emit_error(f, n->loc, "Method can't have 'return's with and without value");
  }
  if (v && v->kind == AST_ASSIGN) f->assign_ok = v;
  if (v) {
    check_static_type(f, v, home->m->ret);
    emit_expr(f, v, true);
    if (home->m->ret.kind == TYPE_NONE || literal_fits(f, v, home->m->ret)) {
      /* `return expr` in a `-> none` function is a warning only. */
    } else {
      emit_type_check(f, home->m->ret);
    }
  } else {
    op(f, OP_LOAD_NULL, 1);
  }
  at(f, n->loc);
  if (home == f && f->m->kind == METH_CONSTRUCTOR && !v) {
    /* A bare return in a constructor returns `this`. */
    pop_n(f, 1);
    load_local_at(f, -f->arity);
  }
  emit_return_from(f, home);
}

static void emit_define(fn *f, ast_node *n, bool want) {
  const char *name = n->define.name;
  f->assign_ok = NULL;
  if (strcmp(name, "_") == 0) emit_error(f, n->loc, "'_' can't be used as the name of a local");
  else if (strcmp(name, "this") == 0) emit_error(f, n->loc, "'this' can't be used as the name of a local");
  check_shadowing(f, name, n->loc);
  if (n->define.value) check_not_none(f, n->define.value, "Variable can't be initialized with 'none'");
  type_info t = prog_resolve_type(f->p, f->u, n->define.type);
  if (n->define.value && n->define.value->kind != AST_BLOCK) {
    check_static_type(f, n->define.value, t);
    emit_expr(f, n->define.value, true);
    emit_type_check(f, t);
  } else if (n->define.value) {
    /* handled below */
  } else {
    op(f, OP_LOAD_NULL, 1);
  }
  if (n->define.value && n->define.value->kind == AST_BLOCK) {
    /* A block in a local: its block slot, then the reference to it. */
    meth *bm = prog_new_method(f->p, METH_BLOCK, "<block>", f->m->holder, f->u);
    bm->decl = n->define.value;
    prog_enqueue(f->p, bm);
    load_smi(f, bm->index);
    add_local(f, "", f->height, n->loc); /* the slot; no name can refer to it */
    emit_block_method(f, n->define.value, f->height, bm, NULL);
    op8(f, OP_LOAD_BLOCK, 0, 1);
    local *l = add_local(f, name, f->height, n->loc);
    l->is_block = true;
    l->final = true;
    if (want) load_local_at(f, l->pos);
    return;
  }
  bool boxed = is_boxed_name(f, name);
  if (boxed) emit_box(f);
  local *l = add_local(f, name, f->height, n->loc);
  l->final = n->define.final;
  l->type = t;
  l->boxed = boxed;
  l->assigned = n->define.value != NULL;
  if (n->define.value && n->define.value->kind == AST_BLOCK) l->is_block = true;
  if (want) load_var(f, (var_ref){f, l});
}

/* ---- names ---- */

static bool in_instance_context(fn *f) {
  return f->holder && f->has_this;
}

static int field_index(cls *c, const char *name) {
  for (cls *k = c; k; k = k->super)
    for (int i = 0; i < k->fields.count; i++)
      if (strcmp(((ast_node *)k->fields.items[i])->field.name, name) == 0) return k->first_field + i;
  return -1;
}

static ast_node *field_decl(cls *c, const char *name) {
  for (cls *k = c; k; k = k->super)
    for (int i = 0; i < k->fields.count; i++)
      if (strcmp(((ast_node *)k->fields.items[i])->field.name, name) == 0) return k->fields.items[i];
  return NULL;
}

static void load_this(fn *f) {
  var_ref captured = lookup_var(f, "this");
  if (captured.l) {
    load_var(f, captured);
    return;
  }
  fn *home = f;
  while (home->is_block) home = home->outer;
  if (home == f) {
    load_local_at(f, -f->arity);
    return;
  }
  load_frame_ref(f, home);
  fn *g = frame_below(f, home);
  op8(f, OP_LOAD_OUTER, g->bpos + home->arity, 0);
}

static void emit_global_load(fn *f, glob *g) {
  if (g->init) {
    prog_enqueue(f->p, g->init);
    op16(f, OP_LOAD_GLOBAL_LAZY, g->index, 1);
  } else {
    op16(f, OP_LOAD_GLOBAL, g->index, 1);
  }
}

/* Bit i set: positional argument i of the call being resolved is a block
 * (set by collect_args). Overloads differ by which arguments are blocks. */
static unsigned call_block_mask;

static bool blocks_match(meth *m, int npos) {
  /* The number of block arguments must equal the number of block
   * parameters (blocks always come last). */
  int call_blocks = 0, param_blocks = 0;
  for (int i = 0; i < npos && i < 32; i++) call_blocks += (call_block_mask >> i) & 1;
  for (int i = 0; i < m->param_count; i++) param_blocks += !m->params[i].is_named && m->params[i].is_block;
  return call_blocks == param_blocks;
}

/* Chooses among overloads for a call shape. */
static meth *pick_overload(fn *f, ptr_vec *cands, int npos, const char **named, int nn, src_loc loc,
                           const char *name, bool report) {
  meth *found = NULL;
  int matches = 0;
  for (int i = 0; i < cands->count; i++) {
    meth *m = cands->items[i];
    if (prog_accepts(m, npos, named, nn) && blocks_match(m, npos)) {
      if (!found) found = m;
      matches++;
    }
  }
  if (matches > 1 && report) emit_error(f, loc, "Ambiguous call to '%s'", name);
  if (!found && report) emit_error(f, loc, "Argument mismatch for '%s'", name);
  return found;
}

/* Is there a lambda between f and the frame that owns a variable? */
static bool crosses_lambda(fn *f, fn *owner) {
  for (fn *g = f; g && g != owner; g = g->outer)
    if (g->is_lambda) return true;
  return false;
}

static void emit_ident(fn *f, ast_node *n, bool want) {
  const char *name = n->ident.name;
  var_ref r = lookup_var(f, name);
  if (r.l) {
    if (!r.l->assigned && r.owner == f)
      emit_error(f, n->loc, "Local '%s' must be initialized before first use", name);
    if (r.l->is_block && r.owner != f && crosses_lambda(f, r.owner))
      emit_error(f, n->loc, "Can't capture block variable %s", name);
    else if (r.l->is_block && want && f->block_ok != n)
      emit_error(f, n->loc, "A block can only be called or passed as an argument");
    load_var(f, r);
    if (!want) pop_n(f, 1);
    return;
  }
  /* A zero-argument call or a global. */
  ast_node call = {0};
  call.kind = AST_CALL;
  call.loc = n->loc;
  call.call.target = n;
  emit_call(f, &call, want);
}

/* ---- calls ---- */

typedef struct {
  ast_node *node;   /* the argument expression */
  const char *name; /* named argument, or NULL */
  bool is_block;
  bool passed_on;   /* a block parameter or block local given to another call */
  int param;        /* index into the callee's canonical params */
} arg_info;


static int collect_args(fn *f, ast_list *args, arg_info *out, int max, const char **named, int *nn,
                        int *npos) {
  int count = 0;
  *nn = 0;
  *npos = 0;
  call_block_mask = 0;
  for (int i = 0; i < args->count && count < max; i++) {
    ast_node *a = args->items[i];
    arg_info *ai = &out[count++];
    memset(ai, 0, sizeof *ai);
    if (a->kind == AST_NAMED_ARG) {
      ai->name = a->named.name;
      ai->node = a->named.value;
      ai->is_block = a->named.value && a->named.value->kind == AST_BLOCK;
      if (a->named.value && !ai->is_block && is_block_value(f, a->named.value)) ai->is_block = ai->passed_on = true;
      for (int k = 0; k < *nn; k++)
        if (strcmp(named[k], ai->name) == 0) emit_error(f, a->loc, "Named argument '%s' given twice", ai->name);
      named[(*nn)++] = ai->name;
    } else {
      ai->node = a;
      ai->is_block = a->kind == AST_BLOCK;
      if (!ai->is_block && is_block_value(f, a)) ai->is_block = ai->passed_on = true;
      if (ai->is_block && *npos < 32) call_block_mask |= 1u << *npos;
      (*npos)++;
    }
  }
  return count;
}


/* Pushes the block slots of an argument list (before the receiver and the
 * arguments, so arguments stay contiguous). Returns the number pushed. */
static int push_block_slots(fn *f, arg_info *args, int count, int *slot_pos, const char *call_name) {
  int n = 0;
  for (int i = 0; i < count; i++) {
    if (!args[i].is_block || args[i].passed_on) continue;
    meth *bm = prog_new_method(f->p, METH_BLOCK, "<block>", f->m->holder, f->u);
    bm->decl = args[i].node;
    prog_enqueue(f->p, bm);
    load_smi(f, bm->index);
    slot_pos[i] = f->height;
    emit_block_method(f, args[i].node, f->height, bm, call_name);
    n++;
  }
  return n;
}

static void push_arg(fn *f, arg_info *a, int slot_pos) {
  if (a->passed_on) {
    f->block_ok = a->node;
    emit_expr(f, a->node, true);
  } else if (a->is_block) {
    op8(f, OP_LOAD_BLOCK, f->height - slot_pos, 1);
  } else if (a->node->kind == AST_LAMBDA) {
    emit_lambda(f, a->node);
  } else {
    emit_expr(f, a->node, true);
  }
}

/* After a call: [slots..., result] -> [result]. */
static void drop_block_slots(fn *f, int nslots) {
  if (!nslots) return;
  store_local_at(f, f->height - nslots, true);
  pop_n(f, nslots - 1);
}

/* Pushes the arguments of a call in the callee's canonical order (missing
 * optional ones as `absent`), evaluating them in source order. */
static void push_receiver(fn *f, meth *m, int receiver) {
  if (receiver == 1) load_this(f);
  else if (receiver == 2) {
    op16(f, OP_ALLOCATE, m->holder->id, 1);
    prog_instantiate(f->p, m->holder);
  }
}

static void push_args_for(fn *f, meth *m, arg_info *args, int count, int *slot_pos, int receiver) {
  /* Map each argument to its parameter. */
  int posi = 0;
  for (int i = 0; i < count; i++) {
    args[i].param = -1;
    if (args[i].name) {
      for (int k = 0; k < m->param_count; k++)
        if (m->params[k].is_named && strcmp(m->params[k].name, args[i].name) == 0) args[i].param = k;
    } else {
      int seen = 0;
      for (int k = 0; k < m->param_count; k++) {
        if (m->params[k].is_named) continue;
        if (seen == posi) {
          args[i].param = k;
          break;
        }
        seen++;
      }
      posi++;
    }
  }
  bool in_order = true;
  for (int i = 1; i < count; i++)
    if (args[i].param < args[i - 1].param) in_order = false;
  for (int i = 0; i < count; i++) {
    if (args[i].param < 0) continue;
    param_info *pi = &m->params[args[i].param];
    if (pi->is_block != args[i].is_block) {
      emit_error(f, args[i].node->loc, pi->is_block ? "Expected a block argument" : "Unexpected block");
    }
    check_static_type(f, args[i].node, pi->type);
    if (pi->type.kind == TYPE_CLASS && !args[i].is_block)
      check_not_none(f, args[i].node, "Can't pass a 'none' value to a typed parameter");
  }
  if (in_order) {
    push_receiver(f, m, receiver);
    int next = 0;
    for (int i = 0; i < count; i++) {
      if (args[i].param < 0) continue;
      while (next < args[i].param) {
        op(f, OP_LOAD_ABSENT, 1);
        next++;
      }
      push_arg(f, &args[i], slot_pos[i]);
      next++;
    }
    while (next < m->param_count) {
      op(f, OP_LOAD_ABSENT, 1);
      next++;
    }
    return;
  }
  /* Out of order: evaluate into temps, then load them in parameter order.
   * [temps..., args...] -> call -> the caller drops the temps. */
  int base = f->height;
  for (int i = 0; i < count; i++) push_arg(f, &args[i], slot_pos[i]);
  push_receiver(f, m, receiver);
  for (int k = 0; k < m->param_count; k++) {
    int found = -1;
    for (int i = 0; i < count; i++)
      if (args[i].param == k) found = i;
    if (found < 0) op(f, OP_LOAD_ABSENT, 1);
    else load_local_at(f, base + 1 + found);
  }
}

static int temps_of(meth *m, arg_info *args, int count) {
  for (int i = 1; i < count; i++)
    if (args[i].param < args[i - 1].param) return count;
  (void)m;
  return 0;
}

static void finish_call(fn *f, int temps, int nslots, bool want) {
  if (temps) {
    store_local_at(f, f->height - temps, true);
    pop_n(f, temps - 1);
  }
  drop_block_slots(f, nslots);
  if (!want) pop_n(f, 1);
}

/* A static call of m (function, static method, constructor). `this_first`
 * pushes `this` (super calls); `alloc` allocates a fresh instance first. */
static void emit_static_call(fn *f, meth *m, ast_list *argl, src_loc loc, bool want, int receiver) {
  arg_info args[64];
  const char *named[64];
  int nn, npos;
  int count = collect_args(f, argl, args, 64, named, &nn, &npos);
  int slot_pos[64];
  int nslots = push_block_slots(f, args, count, slot_pos, m->name);
  push_args_for(f, m, args, count, slot_pos, receiver);
  at(f, loc);
  invoke_static(f, m, m->arity);
  finish_call(f, temps_of(m, args, count), nslots, want);
}

static bool is_factory(program *p, meth *m);

static void emit_constructor_call(fn *f, cls *c, const char *ctor, ast_list *argl, src_loc loc, bool want) {
  if (c->is_abstract && !c->is_interface) {
    emit_error(f, loc, "Can't instantiate abstract class '%s'", c->name);
  }
  if (c->is_interface || c->is_mixin) {
    emit_error(f, loc, "Can't instantiate '%s'", c->name);
    return;
  }
  arg_info args[64];
  const char *named[64];
  int nn, npos;
  collect_args(f, argl, args, 64, named, &nn, &npos);
  ptr_vec *v = strmap_get(&c->statics, ctor);
  meth *m = NULL;
  if (v) m = pick_overload(f, v, npos, named, nn, loc, c->name, true);
  else if (strcmp(ctor, "constructor") == 0 && !c->has_constructor) {
    /* The implicit default constructor. */
    m = prog_new_method(f->p, METH_CONSTRUCTOR, "constructor", c, c->unit);
    m->arity = 1;
    ptr_vec *nv = arena_alloc(f->p->a, sizeof *nv);
    ptr_vec_push(f->p->a, nv, m);
    strmap_put(f->p->a, &c->statics, "constructor", nv);
    if (npos || nn) emit_error(f, loc, "Argument mismatch for '%s'", c->name);
  } else {
    if (strncmp(ctor, "constructor.", 12) == 0)
      emit_error(f, loc, "Class '%s' has no constructor named '%s'", c->name, ctor + 12);
    else
      emit_error(f, loc, "Class '%s' has only named constructors", c->name);
  }
  if (!m) {
    if (want) op(f, OP_LOAD_NULL, 1);
    return;
  }
  emit_static_call(f, m, argl, loc, want, is_factory(f->p, m) ? 0 : 2);
}

static void emit_virtual_call(fn *f, ast_node *receiver, bool receiver_is_this, const char *name,
                              ast_list *argl, src_loc loc, bool want) {
  arg_info args[64];
  const char *named[64];
  int nn, npos;
  int count = argl ? collect_args(f, argl, args, 64, named, &nn, &npos) : 0;
  if (!argl) nn = npos = 0;
  int slot_pos[64];
  int nslots = push_block_slots(f, args, count, slot_pos, name);
  if (receiver_is_this) load_this(f);
  else emit_expr(f, receiver, true);
  selector *s = prog_selector(f->p, name, npos, named, nn);
  /* Canonical order: positional, then named sorted by name. Named
   * arguments written in another order are evaluated in source order into
   * temporaries first. */
  bool sorted = true;
  for (int i = 0, k = 0; i < count; i++) {
    if (!args[i].name) continue;
    if (strcmp(args[i].name, s->named[k]) != 0) sorted = false;
    k++;
  }
  int temps = 0;
  if (!sorted) {
    int recv_pos = f->height;
    int base = f->height;
    for (int i = 0; i < count; i++) push_arg(f, &args[i], slot_pos[i]);
    temps = count + 1;
    load_local_at(f, recv_pos);
    for (int i = 0; i < count; i++)
      if (!args[i].name) load_local_at(f, base + 1 + i);
    for (int k = 0; k < s->named_count; k++)
      for (int i = 0; i < count; i++)
        if (args[i].name && strcmp(args[i].name, s->named[k]) == 0) load_local_at(f, base + 1 + i);
  } else {
    for (int i = 0; i < count; i++)
      if (!args[i].name) push_arg(f, &args[i], slot_pos[i]);
    for (int k = 0; k < s->named_count; k++)
      for (int i = 0; i < count; i++)
        if (args[i].name && strcmp(args[i].name, s->named[k]) == 0) push_arg(f, &args[i], slot_pos[i]);
  }
  at(f, loc);
  invoke_virtual(f, s);
  finish_call(f, temps, nslots, want);
}

static meth *default_constructor(fn *f, cls *c) {
  ptr_vec *v = strmap_get(&c->statics, "constructor");
  if (v) return v->count ? v->items[0] : NULL;
  if (c->has_constructor) return NULL;
  meth *m = prog_new_method(f->p, METH_CONSTRUCTOR, "constructor", c, c->unit);
  m->arity = 1;
  ptr_vec *nv = arena_alloc(f->p->a, sizeof *nv);
  ptr_vec_push(f->p->a, nv, m);
  strmap_put(f->p->a, &c->statics, "constructor", nv);
  return m;
}

static bool is_super_call(ast_node *s) {
  if (s->kind == AST_SUPER) return true;
  if (s->kind == AST_DOT) return s->dot.receiver->kind == AST_SUPER;  /* super.name */
  if (s->kind != AST_CALL) return false;
  ast_node *t = s->call.target;
  return t->kind == AST_SUPER || (t->kind == AST_DOT && t->dot.receiver->kind == AST_SUPER);
}

/* The superclass constructor call of a constructor: explicit (`super args`,
 * `super.name args`) or implicit (the superclass's default constructor). */
static void emit_super_constructor(fn *f, ast_node *s, src_loc loc) {
  cls *sup = f->holder->super;
  if (!sup || sup == f->p->c_object) {
    if (s && s->kind == AST_CALL && s->call.args.count) emit_error(f, s->loc, "Object's constructor takes no arguments");
    return;
  }
  const char *ctor = "constructor";
  ast_list empty = {0};
  ast_list *argl = &empty;
  if (s && s->kind == AST_CALL) {
    argl = &s->call.args;
    if (s->call.target->kind == AST_DOT) ctor = arena_printf(f->p->a, "constructor.%s", s->call.target->dot.name);
    loc = s->loc;
  } else if (s && s->kind == AST_DOT) {
    ctor = arena_printf(f->p->a, "constructor.%s", s->dot.name);
    loc = s->loc;
  }
  meth *m = NULL;
  arg_info args[64];
  const char *named[64];
  int nn, npos;
  collect_args(f, argl, args, 64, named, &nn, &npos);
  ptr_vec *v = strmap_get(&sup->statics, ctor);
  if (v) m = pick_overload(f, v, npos, named, nn, loc, sup->name, true);
  else if (strcmp(ctor, "constructor") == 0 && !npos && !nn) m = default_constructor(f, sup);
  if (!m) {
    if (!v) emit_error(f, loc, strcmp(ctor, "constructor") == 0 ? "No default constructor in superclass '%s'"
                                                                  : "Superclass '%s' has no such constructor", sup->name);
    return;
  }
  if (is_factory(f->p, m)) {
    emit_error(f, loc, "Can't call a factory constructor as a super constructor");
    return;
  }
  emit_static_call(f, m, argl, loc, false, 1);
}

/* `super args` in a method: the superclass's implementation, called statically. */
static void emit_super_method(fn *f, ast_list *argl, src_loc loc, bool want) {
  fn *home = f;
  while (home->is_block) home = home->outer;
  meth *cur = home->m;
  if (!f->holder || !f->has_this || cur->kind != METH_INSTANCE) {
    emit_error(f, loc, "'super' is only available in instance methods and constructors");
    if (want) op(f, OP_LOAD_NULL, 1);
    return;
  }
  arg_info args[64];
  const char *named[64];
  int nn, npos;
  collect_args(f, argl, args, 64, named, &nn, &npos);
  meth *m = f->holder->super ? prog_find_member(f->holder->super, cur->name, npos, named, nn, false) : NULL;
  if (!m || m->is_abstract) {
    emit_error(f, loc, "No superclass method '%s' to call", cur->name);
    if (want) op(f, OP_LOAD_NULL, 1);
    return;
  }
  emit_static_call(f, m, argl, loc, want, 1);
}

static bool try_intrinsic(fn *f, const char *name, ast_list *argl, src_loc loc, bool want) {
  if (!f->u->trusted && prog_lookup_top(f->p, f->u, name) != strmap_get(&f->p->core->names, name))
    return false; /* shadowed by the user's own definition */
  if (strcmp(name, "__prim__") == 0 && f->u->trusted) {
    ast_node *first = argl->count ? argl->items[0] : NULL;
    if (!first || first->kind != AST_STRING) {
      emit_error(f, loc, "__prim__ needs a primitive name");
      return true;
    }
    for (int i = 1; i < argl->count; i++) emit_expr(f, argl->items[i], true);
    /* Primitives that make byte arrays: only then is ByteArray instantiated
     * (keeps its methods out of images that never make one). */
    if (strcmp(first->str.bytes, "bytes.new") == 0 || strcmp(first->str.bytes, "string.to-bytes") == 0)
      prog_instantiate(f->p, f->p->c_bytearray);
    if (strcmp(first->str.bytes, "core.rethrow") == 0) f->p->throws_objects = true;
    uint16_t idx = img_writer_prim(f->p->w, first->str.bytes, (uint8_t)(argl->count - 1));
    if (f->dead) return true;
    mark_line(f);
    img_buf_u8(f->code, OP_PRIMITIVE);
    img_buf_u16(f->code, idx);
    img_buf_u8(f->code, (uint8_t)(argl->count - 1));
    set_height(f, f->height + 1 - (argl->count - 1));
    if (!want) pop_n(f, 1);
    return true;
  }
  if (strcmp(name, "__call-lambda__") == 0 && f->u->is_core && argl->count >= 1) {
    for (int i = 0; i < argl->count; i++) emit_expr(f, argl->items[i], true);
    at(f, loc);
    op8(f, OP_INVOKE_LAMBDA, argl->count, 1 - argl->count);
    if (!want) pop_n(f, 1);
    return true;
  }
  if (strcmp(name, "__call-main__") == 0 && f->u->is_core && f->p->m_main) {
    meth *m = f->p->m_main;
    for (int i = 0; i < argl->count; i++) emit_expr(f, argl->items[i], true);
    if (argl->count != m->arity) {
      emit_error(f, loc, "__call-main__ takes main's arguments");
      return true;
    }
    at(f, loc);
    invoke_static(f, m, m->arity);
    if (!want) pop_n(f, 1);
    return true;
  }
  if (strcmp(name, "throw") == 0 && argl->count == 1 && argl->items[0]->kind != AST_NAMED_ARG) {
    ast_node *v = argl->items[0];
    if (v->kind != AST_STRING && v->kind != AST_INTERP) f->p->throws_objects = true;
    emit_expr(f, argl->items[0], true);
    at(f, loc);
    op(f, OP_THROW, 0);
    f->dead = true;
    if (want) set_height(f, f->height);
    return true;
  }
  if (strcmp(name, "identical") == 0 && argl->count == 2) {
    emit_expr(f, argl->items[0], true);
    emit_expr(f, argl->items[1], true);
    op(f, OP_IDENTICAL, -1);
    if (!want) pop_n(f, 1);
    return true;
  }
  return false;
}

/* A static call among overloads (functions, static methods): picks the one
 * that fits the arguments and emits it, or reports why none does. */
static void emit_overloaded_call(fn *f, ptr_vec *cands, ast_list *argl, src_loc loc, const char *name,
                                 bool want) {
  arg_info args[64];
  const char *named[64];
  int nn, npos;
  collect_args(f, argl, args, 64, named, &nn, &npos);
  meth *m = pick_overload(f, cands, npos, named, nn, loc, name, true);
  if (m) emit_static_call(f, m, argl, loc, want, 0);
  else if (want) op(f, OP_LOAD_NULL, 1);
}

/* A top-level name (of this unit or an imported module) used as a value or
 * called: a global is read, a class constructed, a function called. */
static void emit_entity_use(fn *f, entity *e, const char *name, ast_list *argl, src_loc name_loc,
                            src_loc loc, bool want) {
  if (e->kind == ENT_GLOBAL) {
    if (argl->count) emit_error(f, name_loc, "Can't call global variable '%s' with arguments", name);
    emit_global_load(f, e->global);
    if (!want) pop_n(f, 1);
  } else if (e->kind == ENT_CLASS) {
    emit_constructor_call(f, e->klass, "constructor", argl, loc, want);
  } else {
    emit_overloaded_call(f, &e->methods, argl, loc, name, want);
  }
}

static void emit_block_call(fn *f, ast_node *receiver, ast_list *argl, src_loc loc, bool want) {
  f->block_ok = receiver;
  emit_expr(f, receiver, true);
  int argc = 1;
  for (int i = 0; argl && i < argl->count; i++) {
    ast_node *a = argl->items[i];
    if (a->kind == AST_NAMED_ARG || a->kind == AST_BLOCK) {
      emit_error(f, a->loc, "Blocks take only positional arguments");
      continue;
    }
    emit_expr(f, a, true);
    argc++;
  }
  at(f, loc);
  op8(f, OP_INVOKE_BLOCK, argc, 1 - argc);
  if (!want) pop_n(f, 1);
}

static bool is_block_value(fn *f, ast_node *n) {
  if (n->kind != AST_IDENT) return false;
  var_ref r = lookup_var(f, n->ident.name);
  return r.l && r.l->is_block;
}

static void emit_call(fn *f, ast_node *n, bool want) {
  ast_node *t = n->call.target;
  ast_list *argl = &n->call.args;
  at(f, n->loc);
  if (t->kind == AST_IDENT) {
    const char *name = t->ident.name;
    var_ref r = lookup_var(f, name);
    if (r.l) {
      if (argl->count) emit_error(f, t->loc, "Can't call local variable '%s' with arguments", name);
      load_var(f, r);
      if (!want) pop_n(f, 1);
      return;
    }
    if (strcmp(name, "await") == 0 && f->has_this && f->holder && f->holder->is_monitor &&
        prog_lookup_top(f->p, f->u, name) == strmap_get(&f->p->core->names, name)) {
      /* In a monitor, `await: cond` releases the lock while it waits. */
      ast_node *call = call_with_this(f, "monitor-await_", n->loc);
      for (int i = 0; i < argl->count; i++) push_node(f, &call->call.args, argl->items[i]);
      emit_call(f, call, want);
      return;
    }
    if (try_intrinsic(f, name, argl, n->loc, want)) return;
    arg_info args[64];
    const char *named[64];
    int nn, npos;
    collect_args(f, argl, args, 64, named, &nn, &npos);
    /* Members of this class (instance context), then statics of the class. */
    if (f->holder) {
      if (in_instance_context(f)) {
        int fi = field_index(f->holder, name);
        if (fi >= 0 && argl->count == 0) {
          if (f->static_part) emit_error(f, t->loc, "Can't access field '%s' before the super call", name);
          load_this(f);
          emit_load_field(f, fi);
          if (!want) pop_n(f, 1);
          return;
        }
        meth *mm = prog_find_member(f->holder, name, npos, named, nn, false);
        if (!mm) {
          /* Same name with another shape: still a virtual call (runtime error). */
          for (cls *c = f->holder; c && !mm; c = c->super) {
            ptr_vec *v = strmap_get(&c->members, name);
            if (v && v->count) mm = v->items[0];
          }
          if (mm) emit_error(f, n->loc, "Argument mismatch for '%s'", name);
        }
        if (mm) {
          emit_virtual_call(f, NULL, true, name, argl, n->loc, want);
          return;
        }
      }
      for (cls *c = f->holder; c; c = c->super) {
        ptr_vec *v = strmap_get(&c->statics, name);
        if (v) {
          emit_overloaded_call(f, v, argl, n->loc, name, want);
          return;
        }
        glob *g = prog_find_static_field(c, name);
        if (g && argl->count == 0) {
          emit_global_load(f, g);
          if (!want) pop_n(f, 1);
          return;
        }
      }
    }
    entity *e = prog_lookup_top(f->p, f->u, name);
    if (!e) {
      emit_error(f, t->loc, "Unresolved identifier: '%s'", name);
      for (int i = 0; i < argl->count; i++)
        if (argl->items[i]->kind != AST_BLOCK && argl->items[i]->kind != AST_NAMED_ARG) emit_expr(f, argl->items[i], false);
      if (want) op(f, OP_LOAD_NULL, 1);
      return;
    }
    emit_entity_use(f, e, name, argl, t->loc, n->loc, want);
    return;
  }
  if (t->kind == AST_DOT) {
    ast_node *recv = t->dot.receiver;
    const char *name = t->dot.name;
    /* prefix.name: a function, global or class of an imported module. */
    unit_info *mod = recv->kind == AST_IDENT && !lookup_var(f, recv->ident.name).l
                         ? strmap_get(&f->u->prefixes, recv->ident.name)
                         : NULL;
    if (mod) {
      entity *e = prog_module_member(f->p, mod, name);
      if (!e) {
        emit_error(f, t->dot.name_loc, "Module '%s' has no member '%s'", recv->ident.name, name);
        if (want) op(f, OP_LOAD_NULL, 1);
        return;
      }
      emit_entity_use(f, e, name, argl, t->loc, n->loc, want);
      return;
    }
    /* Class.static / Class.named-constructor. */
    if (recv->kind == AST_IDENT && !lookup_var(f, recv->ident.name).l) {
      cls *c = prog_find_class(f->p, f->u, recv->ident.name);
      if (c) {
        ptr_vec *v = strmap_get(&c->statics, name);
        if (v) {
          emit_overloaded_call(f, v, argl, n->loc, name, want);
          return;
        }
        glob *g = prog_find_static_field(c, name);
        if (g) {
          if (argl->count) emit_error(f, t->loc, "Can't call static field '%s' with arguments", name);
          emit_global_load(f, g);
          if (!want) pop_n(f, 1);
          return;
        }
        const char *ctor = arena_printf(f->p->a, "constructor.%s", name);
        if (strmap_get(&c->statics, ctor)) {
          emit_constructor_call(f, c, ctor, argl, n->loc, want);
          return;
        }
        emit_error(f, t->dot.name_loc, "Class '%s' has no static member '%s'", c->name, name);
        if (want) op(f, OP_LOAD_NULL, 1);
        return;
      }
    }
    if (strcmp(name, "call") == 0 && is_block_value(f, recv)) {
      emit_block_call(f, recv, argl, n->loc, want);
      return;
    }
    if (recv->kind == AST_THIS) {
      emit_virtual_call(f, NULL, true, name, argl, n->loc, want);
      return;
    }
    if (recv->kind == AST_SUPER) {
      fn *home = f;
      while (home->is_block) home = home->outer;
      if (home->m->kind == METH_CONSTRUCTOR) {
        emit_error(f, n->loc, "A super constructor call must be a statement of the constructor's body");
        if (want) op(f, OP_LOAD_NULL, 1);
        return;
      }
    }
    if (is_block_value(f, recv)) {
      emit_error(f, recv->loc, "Blocks only support 'call'");
    }
    check_not_none(f, recv, "Can't call a method on a 'none' value");
    emit_virtual_call(f, recv, false, name, argl, n->loc, want);
    return;
  }
  if (t->kind == AST_SUPER) {
    fn *home = f;
    while (home->is_block) home = home->outer;
    if (home->m->kind == METH_CONSTRUCTOR) {
      emit_error(f, t->loc, "A super constructor call must be a statement of the constructor's body");
      if (want) op(f, OP_LOAD_NULL, 1);
      return;
    }
    emit_super_method(f, argl, n->loc, want);
    return;
  }
  if (is_block_value(f, t)) {
    emit_error(f, t->loc, "Blocks must be called with 'call'");
  }
  /* Calling the value of an expression: `(expr) args` */
  emit_error(f, t->loc, "Can't call this expression");
  if (want) op(f, OP_LOAD_NULL, 1);
}

/* ---- assignment ---- */

static const char *compound_op(const char *o) {
  /* "+=" -> "+" */
  static char buf[8];
  size_t n = strlen(o);
  if (n < 2 || n > 5) return NULL;
  memcpy(buf, o, n - 1);
  buf[n - 1] = 0;
  return buf;
}

static void emit_assign(fn *f, ast_node *n, bool want) {
  ast_node *t = n->assign.target;
  if (n->assign.value && n->assign.value->kind == AST_ASSIGN) f->assign_ok = n->assign.value;
  const char *o = n->assign.op;
  bool compound = strcmp(o, "=") != 0;
  const char *bop = compound ? arena_strdup(f->p->a, compound_op(o)) : NULL;
  if (t->kind == AST_IDENT) {
    const char *name = t->ident.name;
    var_ref r = lookup_var(f, name);
    if (r.l) {
      if (r.l->final) emit_error(f, t->loc, "Can't assign to final local '%s'", name);
      if (r.l->is_block) emit_error(f, t->loc, "Can't assign to block variable '%s'", name);
      if (compound) {
        int imm = immediate_opcode(bop, n->assign.value);
        at(f, n->loc);
        if (r.owner == f && !r.l->boxed && (imm == OP_INVOKE_ADD_SMI || imm == OP_INVOKE_SUB_SMI) &&
            !(imm == OP_INVOKE_SUB_SMI && n->assign.value->int_value == -32768) && !f->dead) {
          /* i++ / i += k: one instruction on the fast path. */
          int k = (int)n->assign.value->int_value * (imm == OP_INVOKE_SUB_SMI ? -1 : 1);
          int dist = f->height - r.l->pos;
          prog_use_selector(f->p, sel(f, "+", 1));
          mark_line(f);
          img_buf_u8(f->code, OP_LOAD_LOCAL_ADD_SMI);
          img_buf_u8(f->code, (uint8_t)dist);
          img_buf_u16(f->code, (uint16_t)(int16_t)k);
          set_height(f, f->height + 1);
          goto store;
        }
        load_var(f, r);
        if (imm >= 0) {
          emit_operator_immediate(f, bop, imm, n->assign.value);
        } else {
          emit_operand(f, n->assign.value, bop);
          at(f, n->loc);
          emit_operator(f, bop);
        }
      } else {
        check_static_type(f, n->assign.value, r.l->type);
        emit_expr(f, n->assign.value, true);
      }
    store:
      emit_type_check(f, r.l->type);
      if (r.owner == f) r.l->assigned = true;
      store_var(f, r, !want);
      return;
    }
    if (in_instance_context(f)) {
      int fi = field_index(f->holder, name);
      if (fi >= 0) {
        ast_node *fd = field_decl(f->holder, name);
        bool is_ctor = f->m->kind == METH_CONSTRUCTOR && !f->is_block;
        if (fd->field.final && !(is_ctor && f->static_part))
          emit_error(f, t->loc, is_ctor ? "Can't assign final field in dynamic part of constructor"
                                        : "Can't assign to final field '%s'", name);
        load_this(f);
        if (compound) {
          op(f, OP_DUP, 1);
          emit_load_field(f, fi);
          emit_operand(f, n->assign.value, bop);
          at(f, n->loc);
          emit_operator(f, bop);
        } else {
          emit_expr(f, n->assign.value, true);
        }
        type_info ft = prog_resolve_type(f->p, f->u, fd->field.type);
        emit_type_check(f, ft);
        op8(f, OP_STORE_FIELD, fi, -1);
        if (!want) pop_n(f, 1);
        return;
      }
      if (prog_find_member(f->holder, arena_printf(f->p->a, "%s=", name), 1, NULL, 0, true)) {
        /* this.name = value via the setter. */
        load_this(f);
        if (compound) {
          op(f, OP_DUP, 1);
          invoke_virtual(f, sel(f, name, 0));
          emit_operand(f, n->assign.value, bop);
          emit_operator(f, bop);
        } else {
          emit_expr(f, n->assign.value, true);
        }
        invoke_virtual(f, sel(f, arena_printf(f->p->a, "%s=", name), 1));
        if (!want) pop_n(f, 1);
        return;
      }
    }
    glob *g = NULL;
    for (cls *c = f->holder; c && !g; c = c->super) g = prog_find_static_field(c, name);
    if (!g) {
      entity *e = prog_lookup_top(f->p, f->u, name);
      if (e && e->kind == ENT_GLOBAL) g = e->global;
      else if (!e) emit_error(f, t->loc, "Unresolved identifier: '%s'", name);
      else emit_error(f, t->loc, "Can't assign to '%s'", name);
    }
    if (!g) {
      emit_expr(f, n->assign.value, want);
      return;
    }
    if (g->final && f->m->global != g) emit_error(f, t->loc, "Can't assign to final global '%s'", name);
    if (compound) {
      emit_global_load(f, g);
      emit_operand(f, n->assign.value, bop);
      at(f, n->loc);
      emit_operator(f, bop);
    } else {
      check_static_type(f, n->assign.value, g->type);
      emit_expr(f, n->assign.value, true);
    }
    emit_type_check(f, g->type);
    op16(f, OP_STORE_GLOBAL, g->index, 0);
    if (!want) pop_n(f, 1);
    return;
  }
  if (t->kind == AST_DOT) {
    ast_node *recv = t->dot.receiver;
    const char *name = t->dot.name;
    if (recv->kind == AST_IDENT && !lookup_var(f, recv->ident.name).l) {
      cls *c = prog_find_class(f->p, f->u, recv->ident.name);
      if (c) {
        glob *g = prog_find_static_field(c, name);
        if (!g) {
          emit_error(f, t->loc, "Class '%s' has no static field '%s'", c->name, name);
          emit_expr(f, n->assign.value, want);
          return;
        }
        if (compound) {
          emit_global_load(f, g);
          emit_operand(f, n->assign.value, bop);
          emit_operator(f, bop);
        } else {
          emit_expr(f, n->assign.value, true);
        }
        emit_type_check(f, g->type);
        op16(f, OP_STORE_GLOBAL, g->index, 0);
        if (!want) pop_n(f, 1);
        return;
      }
    }
    /* obj.name = v: [tmp?, obj, v] -> setter */
    if (want) op(f, OP_LOAD_NULL, 1);
    int tmp = f->height;
    if (recv->kind == AST_THIS) load_this(f);
    else emit_expr(f, recv, true);
    if (compound) {
      op(f, OP_DUP, 1);
      invoke_virtual(f, sel(f, name, 0));
      emit_operand(f, n->assign.value, bop);
      at(f, n->loc);
      emit_operator(f, bop);
    } else {
      emit_expr(f, n->assign.value, true);
    }
    if (want) {
      load_local_at(f, f->height);
      store_local_at(f, tmp, true);
    }
    at(f, n->loc);
    invoke_virtual(f, sel(f, arena_printf(f->p->a, "%s=", name), 1));
    pop_n(f, 1);
    return;
  }
  if (t->kind == AST_INDEX) {
    if (want) op(f, OP_LOAD_NULL, 1);
    int tmp = f->height;
    emit_expr(f, t->index.receiver, true);
    if (t->index.args.count != 1) {
      emit_error(f, t->loc, "Index assignment takes one index");
    }
    for (int i = 0; i < t->index.args.count && i < 1; i++) emit_expr(f, t->index.args.items[i], true);
    if (compound) {
      load_local_at(f, f->height - 1);
      load_local_at(f, f->height - 1);
      prog_use_selector(f->p, sel(f, "[]", 1));
      op(f, OP_INVOKE_INDEX, -1);
      emit_operand(f, n->assign.value, bop);
      at(f, n->loc);
      emit_operator(f, bop);
    } else {
      emit_expr(f, n->assign.value, true);
    }
    if (want) {
      load_local_at(f, f->height);
      store_local_at(f, tmp, true);
    }
    at(f, n->loc);
    prog_use_selector(f->p, sel(f, "[]=", 2));
    op(f, OP_INVOKE_INDEX_SET, -2);
    pop_n(f, 1);
    return;
  }
  if (t->kind == AST_SUPER && !compound) {
    /* `super = v` in a setter: the superclass's setter (LANGUAGE.md 10.3). */
    fn *home = f;
    while (home->is_block) home = home->outer;
    const char *cur = home->m->name;
    size_t len = strlen(cur);
    if (home->m->kind == METH_INSTANCE && len > 1 && cur[len - 1] == '=') {
      ast_node *items[1] = {n->assign.value};
      ast_list argl = {items, 1};
      emit_super_method(f, &argl, n->loc, want);
      return;
    }
  }
  emit_error(f, t->loc, "Can't assign to this expression");
  emit_expr(f, n->assign.value, want);
}

static void emit_incdec(fn *f, ast_node *n, bool want) {
  /* x++ is x += 1 with the old value as result; ++x has the new value. */
  ast_node one = {0};
  one.kind = AST_INT;
  one.int_value = 1;
  one.loc = n->loc;
  ast_node asg = {0};
  asg.kind = AST_ASSIGN;
  asg.loc = n->loc;
  asg.assign.op = strcmp(n->incdec.op, "++") == 0 ? "+=" : "-=";
  asg.assign.target = n->incdec.target;
  asg.assign.value = &one;
  if (n->incdec.prefix || !want) {
    emit_assign(f, &asg, want);
    return;
  }
  /* Postfix with value: old value kept below. */
  emit_expr(f, n->incdec.target, true);
  emit_assign(f, &asg, false);
}

/* ---- blocks ---- */

static bool mentions_it(ast_node *n);

static bool list_mentions_it(ast_list *l) {
  for (int i = 0; i < l->count; i++)
    if (mentions_it(l->items[i])) return true;
  return false;
}

/* Does the body use `it` as the implicit parameter? Nested blocks with
 * their own parameter list see the outer `it`; nested blocks without one
 * have their own. */
static bool mentions_it(ast_node *n) {
  if (!n) return false;
  switch (n->kind) {
    case AST_IDENT: return strcmp(n->ident.name, "it") == 0;
    case AST_BLOCK: case AST_LAMBDA:
      return n->fn.has_param_list ? mentions_it(n->fn.body) : false;
    case AST_INTERP: return list_mentions_it(&n->interp.parts);
    case AST_LIST: case AST_SET: case AST_BYTES: return list_mentions_it(&n->list.elems);
    case AST_MAP: return list_mentions_it(&n->map.keys) || list_mentions_it(&n->map.values);
    case AST_DOT: return mentions_it(n->dot.receiver);
    case AST_INDEX: return mentions_it(n->index.receiver) || list_mentions_it(&n->index.args);
    case AST_SLICE: return mentions_it(n->slice.receiver) || mentions_it(n->slice.from) || mentions_it(n->slice.to);
    case AST_UNARY: return mentions_it(n->unary.operand);
    case AST_BINARY: return mentions_it(n->binary.left) || mentions_it(n->binary.right);
    case AST_COMPARE: return list_mentions_it(&n->compare.operands);
    case AST_IS: case AST_AS: return mentions_it(n->is_as.value);
    case AST_CONDITIONAL: return mentions_it(n->cond.cond) || mentions_it(n->cond.then) || mentions_it(n->cond.else_);
    case AST_ASSIGN: return mentions_it(n->assign.target) || mentions_it(n->assign.value);
    case AST_INCDEC: return mentions_it(n->incdec.target);
    case AST_DEFINE: return mentions_it(n->define.value);
    case AST_CALL: return mentions_it(n->call.target) || list_mentions_it(&n->call.args);
    case AST_NAMED_ARG: return mentions_it(n->named.value);
    case AST_SEQUENCE: return list_mentions_it(&n->seq.stmts);
    case AST_IF: return mentions_it(n->if_.cond) || mentions_it(n->if_.then) || mentions_it(n->if_.else_);
    case AST_WHILE: return mentions_it(n->while_.cond) || mentions_it(n->while_.body);
    case AST_FOR: return mentions_it(n->for_.init) || mentions_it(n->for_.cond) || mentions_it(n->for_.update) || mentions_it(n->for_.body);
    case AST_BREAK: case AST_CONTINUE: return mentions_it(n->jump.value);
    case AST_RETURN: return mentions_it(n->ret.value);
    case AST_TRY: return mentions_it(n->try_.body) || mentions_it(n->try_.finally_body);
    case AST_ASSERT: return mentions_it(n->assert_.block);
    default: return false;
  }
}

/* Calls pred on every node of the tree (blocks and lambdas included);
 * true as soon as one returns true. */
/* A visitor: > 0 stops with true, 0 descends into the node, < 0 skips it. */
typedef int (*ast_pred)(fn *f, ast_node *n);
static bool ast_any(fn *f, ast_node *n, ast_pred pred);

static bool ast_any_list(fn *f, ast_list *l, ast_pred pred) {
  for (int i = 0; i < l->count; i++)
    if (ast_any(f, l->items[i], pred)) return true;
  return false;
}

static bool ast_any(fn *f, ast_node *n, ast_pred pred) {
  if (!n) return false;
  int r = pred(f, n);
  if (r > 0) return true;
  if (r < 0) return false;
  switch (n->kind) {
    case AST_INTERP: return ast_any_list(f, &n->interp.parts, pred);
    case AST_LIST: case AST_SET: case AST_BYTES: return ast_any_list(f, &n->list.elems, pred);
    case AST_MAP: return ast_any_list(f, &n->map.keys, pred) || ast_any_list(f, &n->map.values, pred);
    case AST_DOT: return ast_any(f, n->dot.receiver, pred);
    case AST_INDEX: return ast_any(f, n->index.receiver, pred) || ast_any_list(f, &n->index.args, pred);
    case AST_SLICE: return ast_any(f, n->slice.receiver, pred) || ast_any(f, n->slice.from, pred) || ast_any(f, n->slice.to, pred);
    case AST_UNARY: return ast_any(f, n->unary.operand, pred);
    case AST_BINARY: return ast_any(f, n->binary.left, pred) || ast_any(f, n->binary.right, pred);
    case AST_COMPARE: return ast_any_list(f, &n->compare.operands, pred);
    case AST_IS: case AST_AS: return ast_any(f, n->is_as.value, pred);
    case AST_CONDITIONAL: return ast_any(f, n->cond.cond, pred) || ast_any(f, n->cond.then, pred) || ast_any(f, n->cond.else_, pred);
    case AST_ASSIGN: return ast_any(f, n->assign.target, pred) || ast_any(f, n->assign.value, pred);
    case AST_INCDEC: return ast_any(f, n->incdec.target, pred);
    case AST_DEFINE: return ast_any(f, n->define.value, pred);
    case AST_CALL: return ast_any(f, n->call.target, pred) || ast_any_list(f, &n->call.args, pred);
    case AST_NAMED_ARG: return ast_any(f, n->named.value, pred);
    case AST_BLOCK: case AST_LAMBDA: return ast_any(f, n->fn.body, pred);
    case AST_SEQUENCE: return ast_any_list(f, &n->seq.stmts, pred);
    case AST_IF: return ast_any(f, n->if_.cond, pred) || ast_any(f, n->if_.then, pred) || ast_any(f, n->if_.else_, pred);
    case AST_WHILE: return ast_any(f, n->while_.cond, pred) || ast_any(f, n->while_.body, pred);
    case AST_FOR: return ast_any(f, n->for_.init, pred) || ast_any(f, n->for_.cond, pred) || ast_any(f, n->for_.update, pred) || ast_any(f, n->for_.body, pred);
    case AST_BREAK: case AST_CONTINUE: return ast_any(f, n->jump.value, pred);
    case AST_RETURN: return ast_any(f, n->ret.value, pred);
    case AST_TRY: return ast_any(f, n->try_.body, pred) || ast_any(f, n->try_.finally_body, pred);
    case AST_ASSERT: return ast_any(f, n->assert_.block, pred);
    default: return false;
  }
}

/* Does this node read `this`: `this`, `super`, or a member name that no
 * local shadows? Plain assignments to fields do not count (they belong to
 * the constructor's static part). */
static int is_this_use(fn *f, ast_node *n) {
  if (n->kind == AST_THIS || n->kind == AST_SUPER) return 1;
  const char *name = NULL;
  if (n->kind == AST_IDENT) name = n->ident.name;
  else if (n->kind == AST_CALL && n->call.target->kind == AST_IDENT) name = n->call.target->ident.name;
  if (n->kind == AST_ASSIGN && strcmp(n->assign.op, "=") == 0 && n->assign.target->kind == AST_IDENT)
    return ast_any(f, n->assign.value, is_this_use) ? 1 : -1;
  if (!name || lookup_var(f, name).l) return 0;
  for (cls *c = f->holder; c; c = c->super) {
    if (strmap_get(&c->members, name)) return 1;
  }
  return 0;
}

/* Boxing analysis: a variable that a lambda refers to and that is assigned
 * somewhere (outside its definition) lives in a Box_, so the lambda and the
 * function share it. Collected by name (locals can't shadow each other). */
static struct {
  arena *a;
  strmap refs, assigned;
} box_scan;

static int collect_lambda_refs(fn *f, ast_node *n) {
  (void)f;
  if (n->kind == AST_IDENT) strmap_put(box_scan.a, &box_scan.refs, n->ident.name, n);
  return 0;
}

static int collect_for_boxing(fn *f, ast_node *n) {
  if (n->kind == AST_LAMBDA) ast_any(f, n->fn.body, collect_lambda_refs);
  const char *target = NULL;
  if (n->kind == AST_ASSIGN && n->assign.target->kind == AST_IDENT) target = n->assign.target->ident.name;
  if (n->kind == AST_INCDEC && n->incdec.target->kind == AST_IDENT) target = n->incdec.target->ident.name;
  if (target) strmap_put(box_scan.a, &box_scan.assigned, target, n);
  return 0;
}

static strmap *boxed_names_of(fn *f, ast_node *body) {
  memset(&box_scan, 0, sizeof box_scan);
  box_scan.a = f->p->a;
  ast_any(f, body, collect_for_boxing);
  strmap *result = NULL;
  for (int i = 0; i < box_scan.refs.cap; i++) {
    const char *k = box_scan.refs.keys[i];
    if (!k || !strmap_get(&box_scan.assigned, k)) continue;
    if (!result) result = arena_alloc(f->p->a, sizeof *result);
    strmap_put(f->p->a, result, k, (void *)1);
  }
  return result;
}

static int collect_free_names(fn *f, ast_node *n) {
  (void)f;
  if (n->kind == AST_IDENT) strmap_put(box_scan.a, &box_scan.refs, n->ident.name, n);
  return 0;
}

static void emit_block_method(fn *f, ast_node *blk, int bpos, meth *bm, const char *call_name) {
  fn b = {0};
  b.call_name = call_name;
  b.p = f->p;
  b.m = bm;
  b.u = f->u;
  b.outer = f;
  b.bpos = bpos;
  b.is_block = true;
  b.holder = f->holder;
  b.has_this = f->has_this;
  b.boxed_names = f->boxed_names;
  b.code = &bm->code;
  b.cur = blk->loc;
  fn *home = f;
  while (home->is_block) home = home->outer;
  bm->debug_name = arena_printf(f->p->a, "%s.<block>", home->m->debug_name ? home->m->debug_name : home->m->name);
  int nparams = blk->fn.params.count;
  bool implicit_it = !blk->fn.has_param_list && nparams == 0 && mentions_it(blk->fn.body);
  int arity = 1 + (implicit_it ? 1 : nparams);
  b.arity = arity;
  bm->arity = arity;
  /* Parameters: block ref at -arity, then params. */
  for (int i = 0; i < nparams; i++) {
    ast_node *pn = blk->fn.params.items[i];
    local *l = add_local(&b, pn->param.name, -arity + 1 + i, pn->loc);
    l->type = prog_resolve_type(f->p, f->u, pn->param.type);
  }
  if (implicit_it) add_local(&b, "it", -1, blk->loc);
  for (int i = 0; i < nparams; i++) {
    ast_node *pn = blk->fn.params.items[i];
    type_info t = prog_resolve_type(f->p, f->u, pn->param.type);
    if (t.kind == TYPE_CLASS) {
      load_local_at(&b, -arity + 1 + i);
      emit_type_check(&b, t);
      pop_n(&b, 1);
    }
  }
  emit_body(&b, blk->fn.body, true);
  if (!b.dead) emit_return_op(&b, OP_RETURN);
  bm->max_height = b.max_height;
  bm->compiled = true;
}

/* A lambda: its body becomes a method whose arguments are the lambda
 * object, the parameters, then the captured values; creating it pushes the
 * captured values (boxes for shared variables) and builds the object. */
static void emit_lambda(fn *f, ast_node *lam) {
  program *p = f->p;
  int nparams = lam->fn.params.count;
  bool implicit_it = !lam->fn.has_param_list && nparams == 0 && mentions_it(lam->fn.body);
  int P = implicit_it ? 1 : nparams;
  /* Free variables: names in the body that are variables where the lambda
   * is created, except its own parameters. */
  memset(&box_scan, 0, sizeof box_scan);
  box_scan.a = p->a;
  ast_any(f, lam->fn.body, collect_free_names);
  const char *caps[255];
  var_ref refs[255];
  int C = 0;
  for (int i = 0; i < box_scan.refs.cap && C < 250; i++) {
    const char *name = box_scan.refs.keys[i];
    if (!name) continue;
    bool is_param = implicit_it ? strcmp(name, "it") == 0 : false;
    for (int k = 0; k < nparams; k++)
      if (strcmp(((ast_node *)lam->fn.params.items[k])->param.name, name) == 0) is_param = true;
    if (is_param) continue;
    var_ref r = lookup_var(f, name);
    if (!r.l) continue;
    if (r.l->is_block) {
      emit_error(f, ((ast_node *)box_scan.refs.values[i])->loc, "Can't capture block variable %s", name);
      continue;
    }
    caps[C] = name;
    refs[C++] = r;
  }
  bool capture_this = f->has_this && f->holder && ast_any(f, lam->fn.body, is_this_use);
  int arity = 1 + P + C + (capture_this ? 1 : 0);
  if (arity > 255) {
    emit_error(f, lam->loc, "Lambda captures too many variables");
    op(f, OP_LOAD_NULL, 1);
    return;
  }
  meth *lm = prog_new_method(p, METH_LAMBDA, "<lambda>", f->m->holder, f->u);
  lm->decl = lam;
  lm->arity = arity;
  prog_enqueue(p, lm);
  fn home_f = {0};
  fn *home = f;
  while (home->is_block || home->is_lambda) home = home->outer ? home->outer : home;
  (void)home_f;
  lm->debug_name = arena_printf(p->a, "%s.<lambda>", home->m->debug_name ? home->m->debug_name : home->m->name);
  fn b = {0};
  b.p = p;
  b.m = lm;
  b.u = f->u;
  b.outer = f;
  b.is_lambda = true;
  b.holder = f->holder;
  b.has_this = capture_this;
  b.code = &lm->code;
  b.cur = lam->loc;
  b.arity = arity;
  for (int i = 0; i < nparams; i++) {
    ast_node *pn = lam->fn.params.items[i];
    local *l = add_local(&b, pn->param.name, -arity + 1 + i, pn->loc);
    l->type = prog_resolve_type(p, f->u, pn->param.type);
  }
  if (implicit_it) add_local(&b, "it", -arity + 1, lam->loc);
  for (int k = 0; k < C; k++) {
    local *l = add_local(&b, caps[k], -arity + 1 + P + k, lam->loc);
    l->boxed = refs[k].l->boxed;
    l->final = refs[k].l->final;
    l->type = refs[k].l->type;
  }
  if (capture_this) add_local(&b, "this", -arity + 1 + P + C, lam->loc);
  b.boxed_names = boxed_names_of(&b, lam->fn.body);
  /* Parameters the lambda's own lambdas share. */
  for (int i = 0; i < nparams; i++) {
    ast_node *pn = lam->fn.params.items[i];
    if (is_boxed_name(&b, pn->param.name)) {
      load_local_at(&b, -arity + 1 + i);
      emit_box(&b);
      store_local_at(&b, -arity + 1 + i, true);
      find_local_in(&b, pn->param.name)->boxed = true;
    }
  }
  emit_body(&b, lam->fn.body, true);
  if (!b.dead) emit_return_op(&b, OP_RETURN);
  lm->max_height = b.max_height;
  lm->compiled = true;
  /* Create it: the captured slots, then the object. */
  for (int k = 0; k < C; k++) load_var_raw(f, refs[k]);
  if (capture_this) load_this(f);
  int ncap = C + (capture_this ? 1 : 0);
  if (f->dead) return;
  mark_line(f);
  img_buf_u8(f->code, OP_CREATE_LAMBDA);
  img_buf_u16(f->code, (uint16_t)lm->index);
  img_buf_u8(f->code, (uint8_t)ncap);
  set_height(f, f->height + 1 - ncap);
  prog_instantiate(p, p->c_lambda);
}

/* ---- try/finally ---- */

static void emit_try(fn *f, ast_node *n, bool want) {
  if (want) op(f, OP_LOAD_NULL, 1);
  jump link = branch(f, OP_LINK, 5);
  f->try_depth++;
  emit_body(f, n->try_.body, false);
  f->try_depth--;
  bool body_completes = !f->dead;
  if (!f->dead) op(f, OP_UNLINK, 0);
  /* The handler: reached by falling through (reason normal) or by unwinding. */
  if (link.pos >= 0) {
    int off = target_here(f) - link.pos;
    f->code->data[link.pos + 1] = (uint8_t)off;
    f->code->data[link.pos + 2] = (uint8_t)(off >> 8);
    f->dead = false;
    f->height = link.height;
  }
  int link_base = f->height - 4; /* position of the link's first slot */
  begin_scope(f);
  if (n->try_.finally_params.count == 2) {
    ast_node *p0 = n->try_.finally_params.items[0], *p1 = n->try_.finally_params.items[1];
    /* is-exception := reason == THROW */
    load_local_at(f, link_base + 2);
    load_smi(f, -2);
    op(f, OP_IDENTICAL, -1);
    add_local(f, p0->param.name, f->height, p0->loc);
    load_local_at(f, link_base + 2);
    load_local_at(f, link_base + 3);
    load_local_at(f, link_base + 4);
    if (f->p->m_make_exception) invoke_static(f, f->p->m_make_exception, 3);
    add_local(f, p1->param.name, f->height, p1->loc);
  } else if (n->try_.finally_params.count) {
    emit_error(f, n->loc, "A finally block takes zero or two parameters");
  }
  emit_body(f, n->try_.finally_body, false);
  end_scope(f, 0);
  op(f, OP_UNWIND, -5);
  if (!body_completes && !f->dead) {
    /* The body never completes normally, so `unwind` never falls through. */
    op(f, OP_HALT, 0);
    f->dead = true;
  }
}

/* ---- sequences ---- */

static void emit_body(fn *f, ast_node *body, bool want) {
  if (!body) {
    if (want) op(f, OP_LOAD_NULL, 1);
    return;
  }
  if (body->kind != AST_SEQUENCE) {
    f->assign_ok = body;
    emit_expr(f, body, want);
    return;
  }
  begin_scope(f);
  int count = body->seq.stmts.count;
  for (int i = 0; i < count; i++) {
    ast_node *s = body->seq.stmts.items[i];
    bool last = i == count - 1;
    if (f->dead) {
      /* Unreachable code is checked but not emitted. */
    }
    if (s->kind == AST_DEFINE) {
      emit_define(f, s, last && want);
    } else {
      f->assign_ok = s;
      emit_expr(f, s, last && want);
    }
  }
  if (count == 0 && want) op(f, OP_LOAD_NULL, 1);
  else if (want && count && body->seq.stmts.items[count - 1]->kind == AST_DEFINE) {
    /* the define pushed its value copy */
  }
  end_scope(f, want ? 1 : 0);
}

/* ---- 'none' values (LANGUAGE.md 7.3) ---- */

static int is_value_return(fn *f, ast_node *n) {
  (void)f;
  if (n->kind == AST_LAMBDA) return -1;
  return n->kind == AST_RETURN && n->ret.value ? 1 : 0;
}

/* A method's body, parsed now if the library's parse left it for later. */
static ast_node *body_of(program *p, ast_node *decl) {
  ast_node *b = decl->method.body;
  if (b && b->kind == AST_LAZY_BODY) {
    b = parse_deferred_body(p->a, p->d, b);
    decl->method.body = b;
  }
  return b;
}

/* A function typed `-> none`, or untyped without any `return expr`. */
static bool meth_is_none(fn *f, meth *m) {
  if (m->kind != METH_FUNCTION || !m->decl || m->decl->kind != AST_METHOD) return false;
  if (m->ret.kind == TYPE_NONE) return true;
  if (m->decl->method.return_type || !body_of(f->p, m->decl)) return false;
  return !ast_any(f, body_of(f->p, m->decl), is_value_return);
}

/* Whether n is a call that the compiler resolves statically to a function
 * whose value is 'none'. */
static bool is_none_expr(fn *f, ast_node *n) {
  ast_node *t = n;
  ast_list empty = {0};
  ast_list *argl = &empty;
  if (n->kind == AST_CALL) {
    t = n->call.target;
    argl = &n->call.args;
  }
  if (t->kind != AST_IDENT) return false;
  const char *name = t->ident.name;
  if (lookup_var(f, name).l) return false;
  int npos = 0, nn = 0;
  const char *named[64];
  for (int i = 0; i < argl->count; i++) {
    ast_node *a = argl->items[i];
    if (a->kind == AST_NAMED_ARG) {
      if (nn < 64) named[nn++] = a->named.name;
    } else {
      npos++;
    }
  }
  ptr_vec *cands = NULL;
  if (f->holder) {
    if (in_instance_context(f)) {
      for (cls *c = f->holder; c; c = c->super)
        if (strmap_get(&c->members, name) || field_index(c, name) >= 0) return false;
    }
    for (cls *c = f->holder; c && !cands; c = c->super) {
      cands = strmap_get(&c->statics, name);
      if (!cands && prog_find_static_field(c, name)) return false;
    }
  }
  if (!cands) {
    entity *e = prog_lookup_top(f->p, f->u, name);
    if (!e || e->kind != ENT_FUNCTIONS) return false;
    cands = &e->methods;
  }
  for (int i = 0; i < cands->count; i++) {
    meth *m = cands->items[i];
    if (prog_accepts(m, npos, named, nn)) return meth_is_none(f, m);
  }
  return false;
}

static void check_not_none(fn *f, ast_node *n, const char *msg) {
  if (n && is_none_expr(f, n)) emit_error(f, n->loc, "%s", msg);
}

static void emit_expr(fn *f, ast_node *n, bool want) {
  if (!n) {
    if (want) op(f, OP_LOAD_NULL, 1);
    return;
  }
  bool ok = f->assign_ok == n;
  at(f, n->loc);
  switch (n->kind) {
    case AST_INT: if (want) load_smi(f, n->int_value); return;
    case AST_FLOAT: if (want) emit_float(f, n->float_value); return;
    case AST_STRING: if (want) emit_const_string(f, n->str.bytes, n->str.size); return;
    case AST_INTERP: emit_interp(f, n, want); return;
    case AST_BOOL: if (want) op(f, n->bool_value ? OP_LOAD_TRUE : OP_LOAD_FALSE, 1); return;
    case AST_NULL: if (want) op(f, OP_LOAD_NULL, 1); return;
    case AST_LIST: emit_literal_list(f, &n->list.elems, "list-from-array_"); if (!want) pop_n(f, 1); return;
    case AST_SET: emit_literal_list(f, &n->list.elems, "set-from-array_"); if (!want) pop_n(f, 1); return;
    case AST_BYTES: emit_literal_list(f, &n->list.elems, "bytes-from-array_"); if (!want) pop_n(f, 1); return;
    case AST_MAP: {
      for (int i = 0; i < n->map.keys.count; i++) {
        emit_expr(f, n->map.keys.items[i], true);
        emit_expr(f, n->map.values.items[i], true);
      }
      op16(f, OP_CREATE_ARRAY, 2 * n->map.keys.count, 1 - 2 * n->map.keys.count);
      call_core(f, "map-from-array_", 1);
      if (!want) pop_n(f, 1);
      return;
    }
    case AST_IDENT: emit_ident(f, n, want); return;
    case AST_SUPER: {
      ast_node call = {0};
      call.kind = AST_CALL;
      call.loc = n->loc;
      call.call.target = n;
      emit_call(f, &call, want);
      return;
    }
    case AST_THIS:
      if (!in_instance_context(f)) emit_error(f, n->loc, "'this' is not available here");
      else if (f->static_part) emit_error(f, n->loc, "Can't access 'this' before the super call");
      if (want) {
        if (in_instance_context(f)) load_this(f);
        else op(f, OP_LOAD_NULL, 1);
      }
      return;
    case AST_DOT: {
      ast_node call = {0};
      call.kind = AST_CALL;
      call.loc = n->loc;
      call.call.target = n;
      emit_call(f, &call, want);
      return;
    }
    case AST_INDEX:
      emit_expr(f, n->index.receiver, true);
      if (n->index.args.count == 1) {
        emit_expr(f, n->index.args.items[0], true);
        at(f, n->loc);
        prog_use_selector(f->p, sel(f, "[]", 1));
        op(f, OP_INVOKE_INDEX, -1);
      } else {
        for (int i = 0; i < n->index.args.count; i++) emit_expr(f, n->index.args.items[i], true);
        at(f, n->loc);
        invoke_virtual(f, sel(f, "[]", n->index.args.count));
      }
      if (!want) pop_n(f, 1);
      return;
    case AST_SLICE: {
      emit_expr(f, n->slice.receiver, true);
      const char *named[2];
      int nn = 0;
      if (n->slice.from) {
        emit_expr(f, n->slice.from, true);
        named[nn++] = "from";
      }
      if (n->slice.to) {
        emit_expr(f, n->slice.to, true);
        named[nn++] = "to";
      }
      at(f, n->loc);
      invoke_virtual(f, prog_selector(f->p, "[..]", 0, named, nn));
      if (!want) pop_n(f, 1);
      return;
    }
    case AST_UNARY: emit_unary(f, n, want); return;
    case AST_BINARY: emit_binary(f, n, want); return;
    case AST_COMPARE: emit_compare(f, n, want); return;
    case AST_IS: case AST_AS: {
      emit_expr(f, n->is_as.value, true);
      type_info t = prog_resolve_type(f->p, f->u, n->is_as.type);
      at(f, n->loc);
      if (t.kind == TYPE_CLASS && !t.klass->is_interface && !t.klass->is_mixin) {
        op16(f, n->kind == AST_IS ? OP_IS_CLASS : OP_AS_CLASS, t.klass->id, 0);
      } else if (t.kind == TYPE_CLASS) {
        selector *is = prog_is_selector(f->p, t.klass);
        if (!f->dead) {
          mark_line(f);
          img_buf_u8(f->code, n->kind == AST_IS ? OP_IS_INTERFACE : OP_AS_INTERFACE);
          img_buf_u8(f->code, 1);
          ptr_vec_push(f->p->a, &f->m->patches, (void *)(intptr_t)f->code->size);
          img_buf_u16(f->code, (uint16_t)is->id);
        }
      } else if (n->kind == AST_IS) {
        pop_n(f, 1);
        op(f, OP_LOAD_TRUE, 1);
      }
      if (n->kind == AST_IS && n->is_as.negated) op(f, OP_NOT, 0);
      if (!want) pop_n(f, 1);
      return;
    }
    case AST_CONDITIONAL: emit_conditional(f, n, want); return;
    case AST_ASSIGN:
      if (want && !ok && strcmp(n->assign.op, "=") == 0)
        emit_error(f, n->loc, "Assignment to variable not allowed at this location");
      emit_assign(f, n, want);
      return;
    case AST_INCDEC: emit_incdec(f, n, want); return;
    case AST_DEFINE:
      emit_error(f, n->loc, "Definition of variable not allowed at this location");
      emit_expr(f, n->define.value, want);
      return;
    case AST_CALL: emit_call(f, n, want); return;
    case AST_NAMED_ARG:
      emit_error(f, n->loc, "Named argument not allowed here");
      if (want) op(f, OP_LOAD_NULL, 1);
      return;
    case AST_BLOCK:
      emit_error(f, n->loc, "Unexpected block");
      if (want) op(f, OP_LOAD_NULL, 1);
      return;
    case AST_LAMBDA:
      emit_lambda(f, n);
      if (!want) pop_n(f, 1);
      return;
    case AST_SEQUENCE: emit_body(f, n, want); return;
    case AST_IF: emit_if(f, n, want); return;
    case AST_WHILE: emit_loop(f, n->while_.cond, NULL, n->while_.body, want, NULL); return;
    case AST_FOR:
      begin_scope(f);
      local *fresh = NULL;
      if (n->for_.init) {
        if (n->for_.init->kind == AST_DEFINE) {
          emit_define(f, n->for_.init, false);
          local *l = &f->locals[f->nlocals - 1];
          if (l->boxed) fresh = l;
        } else {
          emit_expr(f, n->for_.init, false);
        }
      }
      emit_loop(f, n->for_.cond, n->for_.update, n->for_.body, false, fresh);
      end_scope(f, 0);
      if (want) op(f, OP_LOAD_NULL, 1);
      return;
    case AST_BREAK: case AST_CONTINUE: emit_jump(f, n); if (want) set_height(f, f->height + 1); return;
    case AST_RETURN: emit_return(f, n); if (want) set_height(f, f->height + 1); return;
    case AST_TRY: emit_try(f, n, want); return;
    case AST_ASSERT: {
      ast_node *blk = n->assert_.block;
      if (blk && blk->kind == AST_BLOCK) emit_body(f, blk->fn.body, true);
      else emit_expr(f, blk, true);
      jump ok = branch(f, OP_BRANCH_IF_TRUE, -1);
      /* Thrown by the VM, so an uncaught one reads "ASSERTION_FAILED error." */
      uint16_t idx = img_writer_prim(f->p->w, "core.assertion-failed", 0);
      if (!f->dead) {
        mark_line(f);
        img_buf_u8(f->code, OP_PRIMITIVE);
        img_buf_u16(f->code, idx);
        img_buf_u8(f->code, 0);
        set_height(f, f->height + 1);
        pop_n(f, 1);
      }
      f->dead = true;
      bind(f, ok);
      if (want) op(f, OP_LOAD_NULL, 1);
      return;
    }
    default:
      emit_error(f, n->loc, "This construct is not supported here");
      if (want) op(f, OP_LOAD_NULL, 1);
      return;
  }
}

/* ---- methods ---- */

static bool any_return_value(ast_node *n) {
  if (!n) return false;
  switch (n->kind) {
    case AST_RETURN: return n->ret.value != NULL;
    case AST_SEQUENCE:
      for (int i = 0; i < n->seq.stmts.count; i++)
        if (any_return_value(n->seq.stmts.items[i])) return true;
      return false;
    case AST_IF: return any_return_value(n->if_.then) || any_return_value(n->if_.else_);
    case AST_WHILE: return any_return_value(n->while_.body);
    case AST_FOR: return any_return_value(n->for_.body);
    case AST_TRY: return any_return_value(n->try_.body) || any_return_value(n->try_.finally_body);
    default: return false;
  }
}

bool emit_is_factory(program *p, meth *m) {
  return is_factory(p, m);
}

static bool is_factory(program *p, meth *m) {
  return m->kind == METH_CONSTRUCTOR && m->decl && m->decl->kind == AST_METHOD &&
         any_return_value(body_of(p, m->decl));
}

static void init_fn(fn *f, program *p, meth *m) {
  memset(f, 0, sizeof *f);
  f->p = p;
  f->m = m;
  f->u = m->unit;
  f->code = &m->code;
  f->holder = m->holder;
  f->arity = m->arity;
  if (m->decl) f->cur = m->decl->loc;
}

static void emit_params_prologue(fn *f, meth *m, int first_arg_pos) {
  if (m->decl && m->decl->kind == AST_METHOD) f->boxed_names = boxed_names_of(f, body_of(f->p, m->decl));
  /* Parameters are arguments at fixed positions. */
  for (int i = 0; i < m->param_count; i++) {
    param_info *pi = &m->params[i];
    local *l = add_local(f, pi->name, first_arg_pos + i, pi->node ? pi->node->loc : f->cur);
    l->type = pi->type;
    l->is_block = pi->is_block;
  }
  /* Defaults, in parameter order, for absent optional arguments. */
  for (int i = 0; i < m->param_count; i++) {
    param_info *pi = &m->params[i];
    if (!pi->default_value) continue;
    at(f, pi->default_value->loc);
    load_local_at(f, first_arg_pos + i);
    jump present = branch(f, OP_IF_ABSENT, -1);
    check_static_type(f, pi->default_value, pi->type);
    emit_expr(f, pi->default_value, true);
    store_local_at(f, first_arg_pos + i, true);
    bind(f, present);
  }
  for (int i = 0; i < m->param_count; i++) {
    param_info *pi = &m->params[i];
    if (pi->type.kind != TYPE_CLASS || pi->is_block) continue;
    at(f, pi->node->loc);
    load_local_at(f, first_arg_pos + i);
    emit_type_check(f, pi->type);
    pop_n(f, 1);
  }
  /* Parameters shared with lambdas move into boxes. */
  for (int i = 0; i < m->param_count; i++) {
    param_info *pi = &m->params[i];
    if (pi->is_block || !is_boxed_name(f, pi->name)) continue;
    load_local_at(f, first_arg_pos + i);
    emit_box(f);
    store_local_at(f, first_arg_pos + i, true);
    find_local_in(f, pi->name)->boxed = true;
  }
}

static void check_returns(fn *f, meth *m) {
  bool needs_value = m->ret.kind == TYPE_CLASS || (m->ret.kind == TYPE_ANY && m->decl->method.return_type) ||
                     (m->ret.kind == TYPE_ANY && f->returns_value);
  if (needs_value && !f->dead && m->kind != METH_CONSTRUCTOR) {
    if (f->returns_value) emit_error(f, m->decl->method.name_loc, "Method doesn't return a value on all paths");
    else emit_error(f, m->decl->method.name_loc, "Method doesn't return a value");
  }
}

static void emit_field_inits(fn *f, cls *c) {
  for (int i = 0; i < c->fields.count; i++) {
    ast_node *fd = c->fields.items[i];
    if (!fd->field.value) continue;
    load_local_at(f, -f->arity);
    type_info ft = prog_resolve_type(f->p, c->unit, fd->field.type);
    check_static_type(f, fd->field.value, ft);
    emit_expr(f, fd->field.value, true);
    emit_type_check(f, ft);
    op8(f, OP_STORE_FIELD, c->first_field + i, -1);
    pop_n(f, 1);
  }
}

/* Fields a constructor must assign: `x /T` and `x := ?` of the class itself. */
static const char *assigned_field_name;
static int assigns_field(fn *f, ast_node *n) {
  (void)f;
  if (n->kind != AST_ASSIGN || strcmp(n->assign.op, "=") != 0) return 0;
  ast_node *t = n->assign.target;
  if (t->kind == AST_IDENT && strcmp(t->ident.name, assigned_field_name) == 0) return 1;
  if (t->kind == AST_DOT && t->dot.receiver->kind == AST_THIS && strcmp(t->dot.name, assigned_field_name) == 0)
    return 1;
  return 0;
}

static void check_fields_initialized(fn *f, meth *m) {
  cls *c = m->holder;
  ast_list *members = &c->decl->class_.members;
  for (int i = 0; i < members->count; i++) {
    ast_node *fd = members->items[i];
    if (fd->kind != AST_FIELD || fd->field.is_static || !fd->field.uninitialized) continue;
    bool done = false;
    for (int k = 0; k < m->param_count && !done; k++)
      if (m->params[k].is_field && strcmp(m->params[k].name, fd->field.name) == 0) done = true;
    if (!done && m->decl && body_of(f->p, m->decl)) {
      assigned_field_name = fd->field.name;
      done = ast_any(f, body_of(f->p, m->decl), assigns_field);
    }
    if (!done)
      emit_error(f, m->decl ? m->decl->loc : c->decl->loc, "Field '%s' not initialized%s", fd->field.name,
                 m->decl ? " by this constructor" : " (the class has no constructor)");
  }
}

static void emit_constructor(fn *f, meth *m) {
  cls *c = m->holder;
  bool factory = is_factory(f->p, m);
  if (!factory) check_fields_initialized(f, m);
  f->has_this = !factory;
  if (factory) {
    emit_params_prologue(f, m, -m->arity);
    emit_body(f, body_of(f->p, m->decl), false);
    if (!f->dead) {
      op(f, OP_LOAD_NULL, 1);
      emit_return_op(f, OP_RETURN);
    }
    return;
  }
  /* this is argument 0. */
  emit_params_prologue(f, m, -m->arity + 1);
  f->static_part = true;
  emit_field_inits(f, c);
  for (int i = 0; i < m->param_count; i++) {
    param_info *pi = &m->params[i];
    if (!pi->is_field) continue;
    int fi = field_index(c, pi->name);
    if (fi < 0) {
      emit_error(f, pi->node->loc, "Unknown field '%s'", pi->name);
      continue;
    }
    load_local_at(f, -m->arity);
    load_local_at(f, -m->arity + 1 + i);
    if (pi->type.kind != TYPE_CLASS) {
      ast_node *fd = field_decl(c, pi->name);
      if (fd) {
        at(f, pi->node->loc);
        emit_type_check(f, prog_resolve_type(f->p, f->u, fd->field.type));
      }
    }
    op8(f, OP_STORE_FIELD, fi, -1);
    pop_n(f, 1);
  }
  /* The body: statements before the super call (explicit, or implicitly
   * before the first statement that uses `this`) are the static part. */
  ast_list *stmts = m->decl && body_of(f->p, m->decl) ? &m->decl->method.body->seq.stmts : NULL;
  int count = stmts ? stmts->count : 0;
  int split = count;
  bool explicit_super = false;
  for (int i = 0; i < count; i++) {
    if (is_super_call(stmts->items[i])) {
      split = i;
      explicit_super = true;
      break;
    }
  }
  begin_scope(f);
  if (!explicit_super) {
    /* Emit the static part one statement at a time, deciding as we go
     * (locals defined so far must be known to decide). */
    split = count;
    for (int i = 0; i < count; i++) {
      if (ast_any(f, stmts->items[i], is_this_use)) {
        split = i;
        break;
      }
      if (stmts->items[i]->kind == AST_DEFINE) emit_define(f, stmts->items[i], false);
      else emit_expr(f, stmts->items[i], false);
    }
  } else {
    for (int i = 0; i < split; i++) {
      if (stmts->items[i]->kind == AST_DEFINE) emit_define(f, stmts->items[i], false);
      else emit_expr(f, stmts->items[i], false);
    }
  }
  emit_super_constructor(f, explicit_super ? stmts->items[split] : NULL, m->decl ? m->decl->loc : c->decl->loc);
  f->static_part = false;
  for (int i = split + (explicit_super ? 1 : 0); i < count; i++) {
    ast_node *st = stmts->items[i];
    if (is_super_call(st)) emit_error(f, st->loc, "Only one super constructor call is allowed");
    if (st->kind == AST_DEFINE) emit_define(f, st, false);
    else emit_expr(f, st, false);
  }
  end_scope(f, 0);
  if (!f->dead) {
    load_local_at(f, -m->arity);
    emit_return_op(f, OP_RETURN);
  }
}

static bool ends_with_underscore(const char *name) {
  size_t n = strlen(name);
  return n > 0 && name[n - 1] == '_';
}

static ast_node *synthetic(fn *f, ast_kind kind, src_loc loc) {
  ast_node *n = arena_alloc(f->p->a, sizeof *n);
  memset(n, 0, sizeof *n);
  n->kind = kind;
  n->loc = loc;
  return n;
}

static void push_node(fn *f, ast_list *l, ast_node *n) {
  ast_node **items = arena_alloc(f->p->a, sizeof(ast_node *) * (size_t)(l->count + 1));
  for (int i = 0; i < l->count; i++) items[i] = l->items[i];
  items[l->count++] = n;
  l->items = items;
}

/* `name this` as a statement. */
static ast_node *call_with_this(fn *f, const char *name, src_loc loc) {
  ast_node *call = synthetic(f, AST_CALL, loc);
  call->call.target = synthetic(f, AST_IDENT, loc);
  call->call.target->ident.name = name;
  push_node(f, &call->call.args, synthetic(f, AST_THIS, loc));
  return call;
}

/* A public method of a monitor runs under the instance's lock:
 *   monitor-enter_ this
 *   try: BODY
 *   finally: monitor-leave_ this */
static ast_node *monitor_body(fn *f, ast_node *body) {
  ast_node *seq = synthetic(f, AST_SEQUENCE, body->loc);
  push_node(f, &seq->seq.stmts, call_with_this(f, "monitor-enter_", body->loc));
  ast_node *t = synthetic(f, AST_TRY, body->loc);
  t->try_.body = body;
  t->try_.finally_body = synthetic(f, AST_SEQUENCE, body->loc);
  push_node(f, &t->try_.finally_body->seq.stmts, call_with_this(f, "monitor-leave_", body->loc));
  push_node(f, &seq->seq.stmts, t);
  return seq;
}

void emit_method(program *p, meth *m) {
  if (m->compiled) return;
  m->compiled = true;
  if (p->check_only && m->index < 0) ptr_vec_push(p->a, &p->check_methods, m);
  fn f;
  init_fn(&f, p, m);
  if (!m->debug_name)
    m->debug_name = m->holder && m->kind != METH_BLOCK ? arena_printf(p->a, "%s.%s", m->holder->name, m->name) : m->name;
  switch (m->kind) {
    case METH_FUNCTION: case METH_INSTANCE: {
      bool instance = m->kind == METH_INSTANCE;
      f.has_this = instance;
      emit_params_prologue(&f, m, -m->arity + (instance ? 1 : 0));
      ast_node *body = body_of(p, m->decl);
      if (instance && m->holder && m->holder->is_monitor && body && !ends_with_underscore(m->name))
        body = monitor_body(&f, body);
      emit_body(&f, body, false);
      check_returns(&f, m);
      if (!f.dead) {
        op(&f, OP_LOAD_NULL, 1);
        emit_return_op(&f, OP_RETURN);
      }
      break;
    }
    case METH_CONSTRUCTOR: emit_constructor(&f, m); break;
    case METH_GLOBAL_INIT: {
      ast_node *d = m->decl;
      check_not_none(&f, d->field.value, "Variable can't be initialized with 'none'");
      check_static_type(&f, d->field.value, m->global->type);
      emit_expr(&f, d->field.value, true);
      emit_type_check(&f, m->global->type);
      op16(&f, OP_STORE_GLOBAL, m->global->index, 0);
      emit_return_op(&f, OP_RETURN);
      break;
    }
    case METH_FIELD_GET:
      load_local_at(&f, -1);
      op8(&f, OP_LOAD_FIELD, m->field, 0);
      emit_return_op(&f, OP_RETURN);
      break;
    case METH_FIELD_SET: {
      /* A typed field's setter checks the value: then it is an ordinary
       * method, not the exact pattern the VM inlines. */
      type_info ft = prog_resolve_type(p, m->holder->unit, m->decl->field.type);
      m->typed_setter = ft.kind == TYPE_CLASS;
      load_local_at(&f, -2);
      load_local_at(&f, -1);
      if (m->typed_setter) {
        f.cur = m->decl->loc;
        emit_type_check(&f, ft);
      }
      op8(&f, OP_STORE_FIELD, m->field, -1);
      emit_return_op(&f, OP_RETURN);
      break;
    }
    case METH_STUB: {
      meth *t = m->target;
      selector *s = m->stub_sel;
      /* Receiver, then the target's parameters from the selector's shape. */
      load_local_at(&f, -m->arity);
      int posi = 0;
      for (int k = 0; k < t->param_count; k++) {
        param_info *pi = &t->params[k];
        int from = -1;
        if (!pi->is_named) {
          if (posi < s->npos) from = 1 + posi;
          posi++;
        } else {
          for (int q = 0; q < s->named_count; q++)
            if (strcmp(s->named[q], pi->name) == 0) from = 1 + s->npos + q;
        }
        if (from < 0) op(&f, OP_LOAD_ABSENT, 1);
        else load_local_at(&f, -m->arity + from);
      }
      invoke_static(&f, t, t->arity);
      emit_return_op(&f, OP_RETURN);
      break;
    }
    case METH_BLOCK: case METH_LAMBDA: break; /* compiled where they appear */
    case METH_MARKER:
      op(&f, OP_LOAD_TRUE, 1);
      emit_return_op(&f, OP_RETURN);
      break;
    case METH_MISMATCH: {
      const char *what = arena_printf(p->a, "%s.%s", m->holder->name, m->name);
      op16(&f, OP_LOAD_CONST, prog_string_const(p, what, (uint32_t)strlen(what)), 1);
      uint16_t idx = img_writer_prim(p->w, "core.argument-mismatch", 1);
      mark_line(&f);
      img_buf_u8(f.code, OP_PRIMITIVE);
      img_buf_u16(f.code, idx);
      img_buf_u8(f.code, 1);
      emit_return_op(&f, OP_RETURN);
      break;
    }
  }
  m->max_height = f.max_height;
}
