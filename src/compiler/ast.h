/* The abstract syntax tree the parser builds and the resolver/emitter consume.
 * Nodes are arena-allocated (see arena.h) and never freed one by one.
 *
 * Names are canonical: the scanner folds a `_` between two identifier
 * characters into `-` (LANGUAGE.md §2.3), so `index_of` arrives as
 * "index-of". All strings are NUL-terminated and live in the arena. */
#ifndef TOIT_COMPILER_AST_H
#define TOIT_COMPILER_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "compiler/diag.h"

typedef struct ast_node ast_node;

typedef struct {
  ast_node **items;
  int count;
} ast_list;

typedef enum {
  /* ---- literals ---- */
  AST_INT,        /* int_value (64-bit, already two's complement) */
  AST_FLOAT,      /* float_value */
  AST_STRING,     /* string: bytes (may contain NUL; see str.size) */
  AST_INTERP,     /* interp: "a $x b $(%5d y)": parts alternate literal/expr */
  AST_BOOL,       /* bool_value */
  AST_NULL,
  AST_LIST,       /* elems: [a, b] */
  AST_SET,        /* elems: {a, b}  ({} is an empty set) */
  AST_MAP,        /* map: keys/values ({:} is an empty map) */
  AST_BYTES,      /* elems: #[1, 2] */

  /* ---- names and access ---- */
  AST_IDENT,      /* ident.name: a bare name (local, global, function, class, ...) */
  AST_THIS,
  AST_SUPER,
  AST_DOT,        /* dot: receiver.name (getter call, method target, prefix.name) */
  AST_INDEX,      /* index: receiver[args] */
  AST_SLICE,      /* slice: receiver[from..to] (from/to may be NULL) */

  /* ---- operators ---- */
  AST_UNARY,      /* unary: op in {-, ~, not} */
  AST_BINARY,     /* binary: arithmetic/bitwise/equality; and/or */
  AST_COMPARE,    /* compare: a < b <= c (chain of >=1 relational ops) */
  AST_IS,         /* is_as: x is T / x is not T */
  AST_AS,         /* is_as: x as T */
  AST_CONDITIONAL,/* cond: c ? a : b */
  AST_ASSIGN,     /* assign: target op value; op is "=", "+=", ... */
  AST_INCDEC,     /* incdec: x++ / x-- / ++x */
  AST_DEFINE,     /* define: x := e / x ::= e / x/T := ? */

  /* ---- calls ---- */
  AST_CALL,       /* call: target args (target is IDENT, DOT, SUPER, ...) */
  AST_NAMED_ARG,  /* named: --name=value; --name (value = true); --no-name (false) */
  AST_BLOCK,      /* fn: `: |a b| body` (stack-allocated block) */
  AST_LAMBDA,     /* fn: `:: |a b| body` (heap-allocated closure) */

  /* ---- statements (also expressions where LANGUAGE.md allows) ---- */
  AST_SEQUENCE,   /* seq.stmts: a body */
  AST_IF,         /* if_: cond then else (else may be NULL) */
  AST_WHILE,      /* while_: cond body */
  AST_FOR,        /* for_: init cond update body (any may be NULL) */
  AST_BREAK,      /* jump: label (NULL) value (NULL) */
  AST_CONTINUE,   /* jump: label (e.g. "do" for continue.do) value */
  AST_RETURN,     /* ret.value (NULL for bare return) */
  AST_TRY,        /* try_: body finally_body finally_params (0 or 2 idents) */
  AST_ASSERT,     /* assert_.block (an AST_BLOCK) */

  /* ---- declarations ---- */
  AST_UNIT,       /* unit: one source file */
  AST_LAZY_BODY,  /* lazy: a library method's body not parsed yet (parse_deferred_body) */
  AST_IMPORT,     /* import */
  AST_EXPORT,     /* export */
  AST_METHOD,     /* method: function, method, constructor, getter, setter, operator */
  AST_PARAM,      /* param */
  AST_GLOBAL,     /* field: top-level variable */
  AST_FIELD,      /* field: class member variable (static or instance) */
  AST_CLASS,      /* class: class, interface, mixin, monitor */
  AST_TYPE,       /* type: int, string?, io.Buffer */
} ast_kind;

typedef enum {
  METHOD_NORMAL,      /* foo x y: */
  METHOD_SETTER,      /* foo= value: */
  METHOD_OPERATOR,    /* operator + other: (name is the operator: "+", "[]", "[]=", "[..]", "-" unary has 0 params) */
  METHOD_CONSTRUCTOR, /* constructor / constructor.name (name = "" or the constructor's name) */
} ast_method_kind;

typedef enum {
  CLASS_CLASS,
  CLASS_INTERFACE,
  CLASS_MIXIN,
  CLASS_MONITOR,
} ast_class_kind;

struct ast_node {
  ast_kind kind;
  src_loc loc;       /* the whole construct; for errors, the most telling token */
  union {
    int64_t int_value;
    double float_value;
    bool bool_value;

    struct { const char *bytes; uint32_t size; } str;

    /* parts: literal AST_STRING and expression nodes alternate, starting and
     * ending with a (possibly empty) AST_STRING. formats[i] is the format
     * spec without '%' (e.g. "5d", "-05x", ".3f") for parts[i], or NULL. */
    struct { ast_list parts; const char **formats; } interp;

    struct { ast_list elems; } list;                 /* LIST, SET, BYTES */
    struct { ast_list keys; ast_list values; } map;

    struct { const char *name; } ident;
    struct { ast_node *receiver; const char *name; src_loc name_loc; } dot;
    struct { ast_node *receiver; ast_list args; } index;
    struct { ast_node *receiver; ast_node *from; ast_node *to; } slice;

    /* op: "-", "~", "not" */
    struct { const char *op; ast_node *operand; } unary;
    /* op: "+","-","*","/","%","&","|","^","<<",">>",">>>","==","!=","and","or" */
    struct { const char *op; ast_node *left; ast_node *right; } binary;
    /* operands.count == ops count + 1; ops[i] in "<","<=",">",">=" */
    struct { ast_list operands; const char **ops; } compare;
    struct { ast_node *value; ast_node *type; bool negated; } is_as;
    struct { ast_node *cond; ast_node *then; ast_node *else_; } cond;
    /* op: "=", ":=" is AST_DEFINE, "+=", "-=", "*=", "/=", "%=", "&=", "|=",
     * "^=", "<<=", ">>=", ">>>=" */
    struct { const char *op; ast_node *target; ast_node *value; } assign;
    /* op: "++" or "--"; prefix true for ++x */
    struct { const char *op; ast_node *target; bool prefix; } incdec;
    /* value NULL means `:= ?` (declared, not initialised) */
    struct { const char *name; ast_node *type; ast_node *value; bool final; } define;

    /* args in source order: positional expressions, AST_NAMED_ARG, and
     * AST_BLOCK / AST_LAMBDA (trailing or parenthesised). */
    struct { ast_node *target; ast_list args; } call;
    /* name without "--" and without "no-"; value is the expression, or an
     * AST_BOOL for flags (`--x` -> true, `--no-x` -> false), or a block. */
    struct { const char *name; ast_node *value; } named;
    /* params: AST_PARAM nodes (types allowed, no defaults); body: SEQUENCE.
     * uses_it: no |..| given and the body mentions `it` (the scanner/parser
     * cannot know scoping; the resolver decides; this is just a hint). */
    struct { ast_list params; ast_node *body; bool has_param_list; } fn;

    struct { ast_list stmts; } seq;
    struct { ast_node *cond; ast_node *then; ast_node *else_; } if_;
    struct { ast_node *cond; ast_node *body; } while_;
    struct { ast_node *init; ast_node *cond; ast_node *update; ast_node *body; } for_;
    struct { const char *label; ast_node *value; } jump;
    struct { ast_node *value; } ret;
    struct { ast_node *body; ast_node *finally_body; ast_list finally_params; } try_;
    struct { ast_node *block; } assert_;
    struct { src_file *file; uint32_t start, end; int32_t indent; } lazy;

    struct {
      src_file *file;
      ast_list imports;
      ast_list exports;
      ast_list decls;     /* AST_METHOD, AST_GLOBAL, AST_CLASS */
    } unit;
    /* import .a.b as c show x y / show * ; dots = number of leading dots
     * (0 for a library import). segments: const char* names. */
    struct {
      int dots;
      const char **segments;
      int segment_count;
      const char *prefix;      /* `as` name, or NULL */
      const char **show;       /* names, or NULL */
      int show_count;
      bool show_all;
    } import;
    struct { const char **names; int count; bool all; } export_;

    struct {
      ast_method_kind method_kind;
      const char *name;
      src_loc name_loc;
      bool is_static;
      bool is_abstract;       /* `abstract foo x` or an interface member */
      ast_list params;        /* AST_PARAM */
      ast_node *return_type;  /* AST_TYPE or NULL */
      ast_node *body;         /* AST_SEQUENCE or NULL (abstract/interface) */
    } method;
    struct {
      const char *name;       /* without "--", ".", "this." */
      bool is_named;          /* --name */
      bool is_block;          /* [name] or [--name] */
      bool is_field;          /* .name / this.name (constructors) */
      ast_node *type;         /* AST_TYPE or NULL */
      ast_node *default_value;/* or NULL */
    } param;
    /* globals and fields: value NULL means `:= ?`; is_static for fields */
    struct {
      const char *name;
      ast_node *type;
      ast_node *value;
      bool final;             /* ::= or typed without initializer (fields) */
      bool is_static;
      bool uninitialized;     /* `x /T` field with no initializer, or `:= ?` */
    } field;
    struct {
      ast_class_kind class_kind;
      const char *name;
      bool is_abstract;
      ast_node *super;        /* AST_TYPE or NULL */
      ast_list interfaces;    /* AST_TYPE */
      ast_list mixins;        /* AST_TYPE */
      ast_list members;       /* AST_METHOD, AST_FIELD */
    } class_;
    /* segments: "io" "Buffer"; nullable for `T?`. Names "any", "none" too. */
    struct { const char **segments; int segment_count; bool nullable; } type;
  };
};

#endif
