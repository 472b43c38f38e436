/* Compiler internals shared by program.c (the program model: scopes,
 * classes, selectors, reachability, dispatch table, image output) and
 * emit.c (bytecode for one method). */
#ifndef TOIT_COMPILER_INTERNAL_H
#define TOIT_COMPILER_INTERNAL_H

#include "compiler/arena.h"
#include "compiler/ast.h"
#include "compiler/compiler.h"
#include "compiler/diag.h"
#include "image/image.h"
#include "image/writer.h"

typedef struct cls cls;
typedef struct meth meth;
typedef struct glob glob;
typedef struct unit_info unit_info;
typedef struct selector selector;
typedef struct program program;

/* ---- a string-keyed hash map (arena-backed) ---- */
typedef struct {
  const char **keys;
  void **values;
  int cap, count;
} strmap;
void *strmap_get(const strmap *m, const char *key);
void strmap_put(arena *a, strmap *m, const char *key, void *value);

/* What a name denotes in a scope. */
typedef enum { ENT_FUNCTIONS, ENT_GLOBAL, ENT_CLASS } ent_kind;
typedef struct {
  ent_kind kind;
  ptr_vec methods;  /* ENT_FUNCTIONS: overloads (meth*) */
  glob *global;
  cls *klass;
} entity;

struct unit_info {
  ast_node *ast;
  src_file *file;
  strmap names;     /* top-level names -> entity* */
  bool is_core;
  bool trusted;     /* core library and library modules: may use __prim__ */
  int debug_file;   /* index in the image's file table */
  strmap prefixes;  /* import prefix -> unit_info* */
  strmap shown;     /* names imported with `show` -> entity* (unit_info* until resolved) */
  int shown_state;  /* 0 unresolved, 1 resolving, 2 resolved */
  ptr_vec unprefixed; /* units whose names are visible here (relative imports, show *) */
};

typedef enum { TYPE_ANY, TYPE_NONE, TYPE_CLASS } type_kind;
typedef struct {
  type_kind kind;
  cls *klass;
  bool nullable;
} type_info;

typedef struct {
  const char *name;
  bool is_named, is_block, is_field;
  ast_node *default_value;
  ast_node *node;
  type_info type;
} param_info;

typedef enum {
  METH_FUNCTION,     /* top-level function or static method */
  METH_INSTANCE,     /* instance method, getter, setter, operator */
  METH_CONSTRUCTOR,  /* allocates (unless factory) and initialises */
  METH_GLOBAL_INIT,  /* lazy initializer of a global or static field */
  METH_BLOCK,        /* a block's body */
  METH_STUB,         /* adapts a selector's shape to a method's full parameter list */
  METH_FIELD_GET,    /* implicit getter of a field */
  METH_FIELD_SET,    /* implicit setter of a field */
  METH_MARKER,       /* dispatch-table marker of an interface/mixin: `is I` */
  METH_LAMBDA,       /* a lambda's body */
  METH_MISMATCH,     /* dispatch entry for a name the class has in another shape: throws */
} meth_kind;

struct meth {
  meth_kind kind;
  const char *name;          /* "foo", "foo=", "+", "constructor", "constructor.polar" */
  ast_node *decl;            /* AST_METHOD, AST_GLOBAL/AST_FIELD (init), AST_BLOCK */
  cls *holder;
  unit_info *unit;
  bool is_abstract;
  param_info *params;        /* canonical order: positional (incl. blocks), then named sorted */
  int param_count;
  int npos_min, npos_max;    /* positional parameters accepted */
  int arity;                 /* image arity: params (+ receiver for instance methods) */
  type_info ret;
  bool returns_value;        /* has `return expr` (or typed) */
  int index;                 /* image method index, -1 until enqueued */
  selector *sel;             /* virtual methods: their full selector */
  int field;                 /* METH_FIELD_GET/SET */
  bool typed_setter;         /* METH_FIELD_SET of a typed field: checks, so not inlined */
  glob *global;              /* METH_GLOBAL_INIT */
  meth *target;              /* METH_STUB: the method it adapts */
  selector *stub_sel;        /* METH_STUB: the selector it serves */
  /* Output. */
  img_buf code;
  int max_height;
  img_line_entry *lines;
  int line_count, line_cap;
  ptr_vec patches;           /* (int*) bytecode offsets of selector ids to patch */
  const char *debug_name;
  bool compiled;
};

struct cls {
  const char *name;
  ast_node *decl;
  unit_info *unit;
  cls *super;
  ptr_vec interfaces;        /* cls* */
  ptr_vec mixins;            /* cls* */
  ptr_vec children;
  int id, end;
  int field_count;           /* including inherited */
  ptr_vec fields;            /* own fields: AST_FIELD nodes (instance) */
  int first_field;           /* index of the first own field */
  strmap members;            /* instance: name -> ptr_vec* of meth* (own only) */
  strmap statics;            /* static methods/constructors: name -> ptr_vec*; static fields -> glob* via static_fields */
  strmap static_fields;
  int layout;
  bool is_abstract, is_interface, is_mixin, is_monitor;
  bool resolved;
  bool has_constructor;
  bool instantiated;
};

struct glob {
  const char *name;
  ast_node *decl;
  type_info type;
  bool final;
  int index;
  meth *init;                /* NULL when there is no initializer */
  cls *holder;
  unit_info *unit;
};

struct selector {
  const char *key;           /* "name/N" or "name/N/--a/--b" */
  const char *name;
  int npos;                  /* positional arguments, receiver excluded */
  const char **named;        /* sorted */
  int named_count;
  int id;
  int offset;                /* in the dispatch table, assigned at the end */
  cls *interface_of;         /* `is I` selector of interface or mixin I */
  meth *marker;              /* its marker method */
  bool used;
  ptr_vec implementations;   /* meth* */
};

struct program {
  arena *a;
  diag_ctx *d;
  img_writer *w;
  ptr_vec units;
  unit_info *core;
  ptr_vec classes;           /* cls*, in id order after numbering */
  ptr_vec globals;
  ptr_vec methods;           /* meth* in index order (enqueued) */
  int next_compile;
  strmap selectors;
  ptr_vec selector_list;
  strmap modules;            /* module key (library name or file path) -> unit_info* */
  const char *const *lib_dirs;
  int lib_dir_count;
  /* Well-known classes. */
  cls *c_object, *c_null, *c_bool, *c_num, *c_int, *c_smi, *c_largeint, *c_float, *c_string,
      *c_array, *c_bytearray, *c_list, *c_lambda, *c_box, *c_stack, *c_task, *c_absent,
      *c_exception;
  uint32_t o_null, o_true, o_false, o_absent;
  meth *m_make_exception;
  meth *m_main;              /* the program's main (called by run-main_ through __call-main__) */
  bool throws_objects;       /* some reachable throw may throw a non-string: wrap main */
  bool strip;
  bool check_only;           /* compiling unreachable user code for its errors only */
  ptr_vec check_methods;     /* methods compiled that way (freed, never emitted) */
};

/* program.c */
selector *prog_selector(program *p, const char *name, int npos, const char **named, int named_count);
/* The selector that `x is I` checks, for an interface or mixin I. */
selector *prog_is_selector(program *p, cls *iface);
bool prog_implements(const cls *c, const cls *iface);
void prog_use_selector(program *p, selector *s);
/* Marks a class as having instances: its methods for used selectors become
 * reachable (rapid type analysis). */
void prog_instantiate(program *p, cls *c);
void prog_enqueue(program *p, meth *m);
entity *prog_lookup_top(program *p, unit_info *u, const char *name);
/* A name as another module sees it in m: m's own, or one m `export`s. */
entity *prog_module_member(program *p, unit_info *m, const char *name);
cls *prog_find_class(program *p, unit_info *u, const char *name);
meth *prog_find_member(cls *c, const char *name, int npos, const char **named, int named_count,
                       bool want_setter);
bool prog_accepts(const meth *m, int npos, const char **named, int named_count);
meth *prog_new_method(program *p, meth_kind kind, const char *name, cls *holder, unit_info *u);
void prog_init_params(program *p, meth *m, ast_list *params, bool instance);
type_info prog_resolve_type(program *p, unit_info *u, ast_node *type);
const char *prog_type_name(type_info t);
uint16_t prog_string_const(program *p, const char *bytes, uint32_t size);
bool prog_is_subclass(const cls *sub, const cls *super);
glob *prog_find_static_field(cls *c, const char *name);

/* emit.c */
void emit_method(program *p, meth *m);
bool emit_is_factory(program *p, meth *m);

#endif
