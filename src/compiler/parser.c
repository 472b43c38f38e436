/* The parser: tokens -> AST (ast.h). Layout follows LANGUAGE.md §3: a body
 * after `:` is either the rest of the line or the following lines indented
 * more than the line that owns it; a line indented more than its statement
 * continues the statement; inside (), [], {} layout is ignored. Calls are by
 * juxtaposition (§4.2). After a syntax error the parser skips to the next
 * line at the statement's indentation and goes on. */
#include <stdlib.h>
#include <string.h>

#include "compiler/parser.h"
#include "compiler/scanner.h"

#define MAX_DEPTH 200

typedef struct {
  arena *a;
  diag_ctx *d;
  src_file *f;
  token *t;
  int n, i;
  int stmt_indent;   /* indentation of the current statement's first line */
  int paren;         /* open (), [], {} */
  int no_block;      /* in if/while/for headers and map keys: ':' is not a block */
  int ternary;       /* in the then-branch of ?: */
  int depth;
  bool lazy;         /* method bodies become AST_LAZY_BODY */
} parser;

/* ---- tokens ---- */

static token *cur(parser *p) {
  return &p->t[p->i];
}
static token *peek(parser *p, int k) {
  int j = p->i + k;
  return &p->t[j < p->n ? j : p->n - 1];
}
static void advance(parser *p) {
  if (p->i < p->n - 1) p->i++;
}
static bool is_op(const token *t, const char *op) {
  return t->kind == TK_OP && strcmp(t->text, op) == 0;
}
static bool is_kw(const token *t, const char *kw) {
  return t->kind == TK_KEYWORD && strcmp(t->text, kw) == 0;
}
static bool is_ident(const token *t, const char *name) {
  return t->kind == TK_IDENT && strcmp(t->text, name) == 0;
}
/* Does the current token end the current statement by layout? */
static bool at_boundary(parser *p) {
  token *t = cur(p);
  if (t->kind == TK_EOF) return true;
  return p->paren == 0 && t->first && (int)t->indent <= p->stmt_indent;
}

static src_loc tok_loc(parser *p, const token *t) {
  return diag_loc(p->d, p->f->id, t->start, t->len ? t->len : 1);
}

static void error(parser *p, const token *t, const char *msg) {
  diag_error(p->d, tok_loc(p, t), "%s", msg);
}

static ast_node *node(parser *p, ast_kind kind, const token *t) {
  ast_node *n = arena_alloc(p->a, sizeof *n);
  n->kind = kind;
  n->loc = tok_loc(p, t);
  return n;
}

static void list_push(parser *p, ast_list *l, ast_node *n) {
  ptr_vec v = {(void **)l->items, l->count, l->count};
  /* Reuse ptr_vec's growth: capacity is tracked as a power of two. */
  /* Most lists (arguments, parameters) are short: start with two. */
  int cap = 2;
  while (cap < l->count) cap *= 2;
  v.cap = l->count == 0 ? 0 : cap;
  if (l->count == v.cap) {
    int ncap = v.cap ? v.cap * 2 : 2;
    ast_node **items = arena_alloc(p->a, sizeof(ast_node *) * (size_t)ncap);
    if (l->count) memcpy(items, l->items, sizeof(ast_node *) * (size_t)l->count);
    l->items = items;
  }
  l->items[l->count++] = n;
}

/* Skips to the next line that starts at or before the statement's indentation. */
static void recover(parser *p) {
  int open = 0;
  if (cur(p)->kind != TK_EOF) advance(p); /* always make progress */
  while (cur(p)->kind != TK_EOF) {
    token *t = cur(p);
    if (t->first && open <= 0 && (int)t->indent <= p->stmt_indent && p->i > 0) break;
    if (is_op(t, "(") || is_op(t, "[") || is_op(t, "{") || is_op(t, "#[")) open++;
    if (is_op(t, ")") || is_op(t, "]") || is_op(t, "}")) open--;
    advance(p);
  }
  p->paren = 0;
}

static bool expect_op(parser *p, const char *op, const char *msg) {
  if (is_op(cur(p), op)) {
    advance(p);
    return true;
  }
  token *t = cur(p);
  if ((t->first || t->kind == TK_EOF) && p->i > 0) {
    /* Missing at the end of a line: point just after the line's last token. */
    token *prev = &p->t[p->i - 1];
    diag_error(p->d, diag_loc(p->d, p->f->id, prev->start + prev->len, 1), "%s", msg);
    return false;
  }
  error(p, t, msg);
  return false;
}

/* ---- forward declarations ---- */

static ast_node *parse_expr(parser *p);
static ast_node *parse_statement(parser *p);
static ast_node *parse_body(parser *p, int owner_indent);
static ast_node *skip_body(parser *p, int owner_indent);
static ast_node *parse_binary(parser *p, int min_level);
static ast_node *parse_unary(parser *p);
static ast_node *parse_type(parser *p);

/* ---- types ---- */

static ast_node *parse_type(parser *p) {
  token *t = cur(p);
  if (t->kind != TK_IDENT) {
    error(p, t, "Expected a type");
    return NULL;
  }
  ast_node *n = node(p, AST_TYPE, t);
  const char *segs[8];
  int count = 0;
  segs[count++] = t->text;
  advance(p);
  while (is_op(cur(p), ".") && !cur(p)->space_before && peek(p, 1)->kind == TK_IDENT && count < 8) {
    advance(p);
    segs[count++] = cur(p)->text;
    advance(p);
  }
  if (is_op(cur(p), "?") && !cur(p)->space_before) {
    n->type.nullable = true;
    advance(p);
  }
  n->type.segments = arena_alloc(p->a, sizeof(char *) * (size_t)count);
  memcpy(n->type.segments, segs, sizeof(char *) * (size_t)count);
  n->type.segment_count = count;
  return n;
}

/* ---- strings ---- */

static ast_node *parse_sub_expression(parser *p, uint32_t start, uint32_t end, const token *at);

static ast_node *parse_string(parser *p) {
  token *t = cur(p);
  advance(p);
  if (!t->interpolated) {
    ast_node *n = node(p, AST_STRING, t);
    n->str.bytes = t->str;
    n->str.size = t->str_len;
    return n;
  }
  ast_node *n = node(p, AST_INTERP, t);
  n->interp.formats = arena_alloc(p->a, sizeof(char *) * (size_t)(t->part_count + 1));
  for (int k = 0; k < t->part_count; k++) {
    str_part *sp = &t->parts[k];
    ast_node *part;
    if (sp->is_expr) {
      part = parse_sub_expression(p, sp->start, sp->end, t);
      n->interp.formats[n->interp.parts.count] = sp->format;
    } else {
      part = node(p, AST_STRING, t);
      part->str.bytes = sp->bytes;
      part->str.size = sp->size;
    }
    list_push(p, &n->interp.parts, part);
  }
  return n;
}

/* ---- blocks ---- */

static ast_node *parse_block(parser *p) {
  token *t = cur(p);
  bool lambda = is_op(t, "::");
  advance(p);
  ast_node *n = node(p, lambda ? AST_LAMBDA : AST_BLOCK, t);
  if (is_op(cur(p), "|")) {
    n->fn.has_param_list = true;
    advance(p);
    while (cur(p)->kind == TK_IDENT) {
      token *pt = cur(p);
      ast_node *pn = node(p, AST_PARAM, pt);
      pn->param.name = pt->text;
      advance(p);
      if (is_op(cur(p), "/")) {
        advance(p);
        pn->param.type = parse_type(p);
      }
      list_push(p, &n->fn.params, pn);
    }
    expect_op(p, "|", "Expected '|' after the block's parameters");
  }
  if (lambda && n->fn.params.count > 4) error(p, t, "Lambdas can have at most 4 parameters");
  int saved_no_block = p->no_block, saved_ternary = p->ternary, saved_paren = p->paren;
  p->no_block = 0;
  p->ternary = 0;
  p->paren = 0;
  n->fn.body = parse_body(p, p->stmt_indent);
  p->no_block = saved_no_block;
  p->ternary = saved_ternary;
  p->paren = saved_paren;
  if (n->fn.body->seq.stmts.count == 0) error(p, t, "Empty blocks are not allowed");
  return n;
}

/* ---- primaries ---- */

static ast_node *parse_collection(parser *p) {
  token *t = cur(p);
  bool bytes = is_op(t, "#[");
  bool brace = is_op(t, "{");
  advance(p);
  p->paren++;
  ast_node *n = node(p, bytes ? AST_BYTES : brace ? AST_SET : AST_LIST, t);
  const char *close = brace ? "}" : "]";
  if (brace && is_op(cur(p), ":") && is_op(peek(p, 1), "}")) {
    advance(p);
    advance(p);
    p->paren--;
    n->kind = AST_MAP;
    return n;
  }
  while (!is_op(cur(p), close) && cur(p)->kind != TK_EOF) {
    p->no_block++;
    ast_node *e = parse_expr(p);
    p->no_block--;
    if (brace && is_op(cur(p), ":")) {
      if (n->kind == AST_SET && n->list.elems.count > 0) error(p, cur(p), "Mixed set and map literal");
      n->kind = AST_MAP;
      advance(p);
      list_push(p, &n->map.keys, e);
      list_push(p, &n->map.values, parse_expr(p));
    } else {
      if (n->kind == AST_MAP) error(p, cur(p), "Expected ':' in map literal");
      list_push(p, &n->list.elems, e);
    }
    if (is_op(cur(p), ",")) advance(p);
    else break;
  }
  p->paren--;
  if (!expect_op(p, close, brace ? "Expected '}'" : "Expected ']'")) recover(p);
  return n;
}

static ast_node *parse_if(parser *p);

static ast_node *parse_primary(parser *p) {
  token *t = cur(p);
  switch (t->kind) {
    case TK_INT: {
      ast_node *n = node(p, AST_INT, t);
      n->int_value = t->ivalue;
      advance(p);
      return n;
    }
    case TK_FLOAT: {
      ast_node *n = node(p, AST_FLOAT, t);
      n->float_value = t->fvalue;
      advance(p);
      return n;
    }
    case TK_STRING: return parse_string(p);
    case TK_IDENT: {
      ast_node *n;
      if (strcmp(t->text, "this") == 0) n = node(p, AST_THIS, t);
      else if (strcmp(t->text, "super") == 0) n = node(p, AST_SUPER, t);
      else {
        n = node(p, AST_IDENT, t);
        n->ident.name = t->text;
      }
      advance(p);
      return n;
    }
    case TK_KEYWORD:
      if (is_kw(t, "true") || is_kw(t, "false")) {
        ast_node *n = node(p, AST_BOOL, t);
        n->bool_value = is_kw(t, "true");
        advance(p);
        return n;
      }
      if (is_kw(t, "null")) {
        advance(p);
        return node(p, AST_NULL, t);
      }
      if (is_kw(t, "if")) return parse_if(p);
      if (is_kw(t, "not")) {
        error(p, t, "'not' must be parenthesized when used at this location");
        advance(p);
        ast_node *n = node(p, AST_UNARY, t);
        n->unary.op = "not";
        n->unary.operand = parse_unary(p);
        return n;
      }
      break;
    case TK_OP:
      if (is_op(t, "(")) {
        advance(p);
        p->paren++;
        ast_node *e;
        if (is_op(cur(p), ":") || is_op(cur(p), "::")) {
          int saved = p->stmt_indent;
          e = parse_block(p);
          p->stmt_indent = saved;
        } else {
          int nb = p->no_block, tern = p->ternary;
          p->no_block = 0;
          p->ternary = 0;
          e = parse_expr(p);
          p->no_block = nb;
          p->ternary = tern;
        }
        p->paren--;
        if (!expect_op(p, ")", "Expected ')'")) recover(p);
        if (e->kind == AST_IDENT) {
          /* `(Foo).bar`: the parentheses make a call of Foo, not a prefix. */
          ast_node *call = node(p, AST_CALL, t);
          call->loc = e->loc;
          call->call.target = e;
          return call;
        }
        return e;
      }
      if (is_op(t, "[") || is_op(t, "{") || is_op(t, "#[")) return parse_collection(p);
      if (is_op(t, ":") || is_op(t, "::")) return parse_block(p);
      break;
    case TK_NAMED: error(p, t, "Named argument not allowed here"); advance(p); return node(p, AST_NULL, t);
    case TK_ERROR: advance(p); return node(p, AST_NULL, t);
    default: break;
  }
  error(p, t, t->kind == TK_EOF && !t->boundary ? "Unexpected end of file" : "Unexpected token");
  if (t->kind != TK_EOF) advance(p);
  return node(p, AST_NULL, t);
}

static ast_node *parse_postfix(parser *p, ast_node *e) {
  for (;;) {
    token *t = cur(p);
    if (is_op(t, ".") && !t->space_before && (peek(p, 1)->kind == TK_IDENT || peek(p, 1)->kind == TK_KEYWORD)) {
      advance(p);
      token *name = cur(p);
      advance(p);
      ast_node *n = node(p, AST_DOT, name);
      n->loc = e->loc;
      n->dot.receiver = e;
      n->dot.name = name->text;
      n->dot.name_loc = tok_loc(p, name);
      e = n;
    } else if (is_op(t, "[") && !t->space_before) {
      advance(p);
      p->paren++;
      ast_node *first = NULL;
      if (!is_op(cur(p), "..")) first = parse_expr(p);
      if (is_op(cur(p), "..")) {
        advance(p);
        ast_node *n = node(p, AST_SLICE, t);
        n->slice.receiver = e;
        n->slice.from = first;
        if (!is_op(cur(p), "]")) n->slice.to = parse_expr(p);
        e = n;
      } else {
        ast_node *n = node(p, AST_INDEX, t);
        n->index.receiver = e;
        list_push(p, &n->index.args, first);
        while (is_op(cur(p), ",")) {
          advance(p);
          list_push(p, &n->index.args, parse_expr(p));
        }
        e = n;
      }
      p->paren--;
      if (!expect_op(p, "]", "Expected ']'")) recover(p);
    } else if ((is_op(t, "++") || is_op(t, "--")) && !t->space_before) {
      advance(p);
      ast_node *n = node(p, AST_INCDEC, t);
      n->incdec.op = t->text;
      n->incdec.target = e;
      e = n;
    } else {
      return e;
    }
  }
}

static ast_node *parse_unary(parser *p) {
  token *t = cur(p);
  if (++p->depth > MAX_DEPTH) {
    error(p, t, "Expression nested too deeply");
    p->depth--;
    advance(p);
    return node(p, AST_NULL, t);
  }
  ast_node *r;
  if ((is_op(t, "-") || is_op(t, "~")) && !t->space_after) {
    advance(p);
    r = node(p, AST_UNARY, t);
    r->unary.op = t->text;
    r->unary.operand = parse_unary(p);
  } else if (is_op(t, "++") && !t->space_after) {
    advance(p);
    r = node(p, AST_INCDEC, t);
    r->incdec.op = "++";
    r->incdec.prefix = true;
    r->incdec.target = parse_unary(p);
  } else {
    r = parse_postfix(p, parse_primary(p));
  }
  p->depth--;
  return r;
}

/* ---- binary operators ---- */

static int binary_level(parser *p, const token *t) {
  if (at_boundary(p)) return 0;
  if (t->kind == TK_KEYWORD) {
    if (is_kw(t, "is") || is_kw(t, "as")) return 8;
    return 0;
  }
  if (t->kind != TK_OP) return 0;
  const char *o = t->text;
  if (!strcmp(o, "==") || !strcmp(o, "!=")) return 7;
  if (!strcmp(o, "<") || !strcmp(o, "<=") || !strcmp(o, ">") || !strcmp(o, ">=")) return 8;
  if (!strcmp(o, "|")) return 9;
  if (!strcmp(o, "^")) return 10;
  if (!strcmp(o, "&")) return 11;
  if (!strcmp(o, "<<") || !strcmp(o, ">>") || !strcmp(o, ">>>")) return 12;
  if (!strcmp(o, "+")) return 13;
  if (!strcmp(o, "-")) return t->space_before && !t->space_after ? 0 : 13;
  if (!strcmp(o, "*") || !strcmp(o, "/") || !strcmp(o, "%")) return 14;
  return 0;
}

static bool is_relational(const token *t) {
  return t->kind == TK_OP && (!strcmp(t->text, "<") || !strcmp(t->text, "<=") || !strcmp(t->text, ">") ||
                              !strcmp(t->text, ">="));
}

static ast_node *parse_binary(parser *p, int min_level) {
  ast_node *left = parse_unary(p);
  for (;;) {
    token *t = cur(p);
    int level = binary_level(p, t);
    if (level == 0 || level < min_level) return left;
    if (t->kind == TK_KEYWORD) {
      /* is / is not / as */
      bool is = is_kw(t, "is");
      advance(p);
      ast_node *n = node(p, is ? AST_IS : AST_AS, t);
      if (is && is_kw(cur(p), "not")) {
        n->is_as.negated = true;
        advance(p);
      }
      n->is_as.value = left;
      n->is_as.type = parse_type(p);
      if (n->is_as.type && n->is_as.type->type.nullable) error(p, t, "Nullable types are not allowed after 'is'/'as'");
      left = n;
      continue;
    }
    if (level == 8) {
      ast_node *n = node(p, AST_COMPARE, t);
      n->loc = left->loc;
      const char *ops[64];
      int count = 0;
      list_push(p, &n->compare.operands, left);
      while (is_relational(cur(p)) && !at_boundary(p) && count < 64) {
        ops[count++] = cur(p)->text;
        advance(p);
        list_push(p, &n->compare.operands, parse_binary(p, 9));
      }
      n->compare.ops = arena_alloc(p->a, sizeof(char *) * (size_t)count);
      memcpy(n->compare.ops, ops, sizeof(char *) * (size_t)count);
      left = n;
      continue;
    }
    advance(p);
    if (at_boundary(p)) {
      diag_error(p->d, tok_loc(p, t), "Unexpected end of expression after '%s'", t->text);
      return left;
    }
    ast_node *n = node(p, AST_BINARY, t);
    n->binary.op = t->text;
    n->binary.left = left;
    n->binary.right = parse_binary(p, level + 1);
    left = n;
  }
}

/* ---- calls ---- */

static bool callable(ast_node *e) {
  return e->kind == AST_IDENT || e->kind == AST_DOT || e->kind == AST_SUPER;
}

static bool can_start_arg(parser *p) {
  token *t = cur(p);
  if (t->kind == TK_EOF) return false;
  if (p->paren == 0 && t->first && (int)t->indent <= p->stmt_indent) return false;
  switch (t->kind) {
    case TK_IDENT: case TK_INT: case TK_FLOAT: case TK_STRING: case TK_NAMED: return true;
    case TK_KEYWORD: return is_kw(t, "true") || is_kw(t, "false") || is_kw(t, "null") || is_kw(t, "not");
    case TK_OP:
      if (is_op(t, "(") || is_op(t, "{") || is_op(t, "#[")) return true;
      if (is_op(t, "[")) return t->space_before;
      if ((is_op(t, "-") || is_op(t, "~") || is_op(t, "++")) && t->space_before && !t->space_after) return true;
      if (is_op(t, "::")) return !p->no_block;
      if (is_op(t, ":")) return !p->no_block && !p->ternary;
      return false;
    default: return false;
  }
}

static ast_node *parse_call(parser *p) {
  ast_node *target = parse_binary(p, 7);
  if (!callable(target) || !can_start_arg(p)) return target;
  token *t = cur(p);
  ast_node *call = node(p, AST_CALL, t);
  call->loc = target->loc;
  call->call.target = target;
  bool seen_block = false;
  while (can_start_arg(p)) {
    token *a = cur(p);
    if (a->kind == TK_NAMED) {
      advance(p);
      ast_node *na = node(p, AST_NAMED_ARG, a);
      const char *name = a->text;
      if (is_op(cur(p), "=") && !cur(p)->space_before) {
        advance(p);
        if (is_op(cur(p), ":") || is_op(cur(p), "::")) na->named.value = parse_block(p);
        else na->named.value = parse_binary(p, 7);
      } else {
        ast_node *b = node(p, AST_BOOL, a);
        b->bool_value = true;
        if (strncmp(name, "no-", 3) == 0) {
          name += 3;
          b->bool_value = false;
        }
        na->named.value = b;
      }
      na->named.name = name;
      list_push(p, &call->call.args, na);
      continue;
    }
    if (is_kw(a, "not")) {
      error(p, a, "'not' must be parenthesized when used at this location");
    }
    if (is_op(a, ":") || is_op(a, "::")) {
      int saved = p->stmt_indent;
      list_push(p, &call->call.args, parse_block(p));
      p->stmt_indent = saved;
      seen_block = true;
      continue;
    }
    ast_node *arg = parse_binary(p, 7);
    if (seen_block && arg->kind != AST_BLOCK) error(p, a, "Blocks must be after non-block arguments");
    if (arg->kind == AST_BLOCK) seen_block = true;
    list_push(p, &call->call.args, arg);
  }
  return call;
}

static ast_node *parse_not(parser *p) {
  token *t = cur(p);
  if (is_kw(t, "not")) {
    advance(p);
    ast_node *n = node(p, AST_UNARY, t);
    n->unary.op = "not";
    n->unary.operand = parse_not(p);
    return n;
  }
  return parse_call(p);
}

static ast_node *parse_logical(parser *p, bool is_or) {
  ast_node *left = is_or ? parse_logical(p, false) : parse_not(p);
  token *t = cur(p);
  if (is_kw(t, is_or ? "or" : "and") && !at_boundary(p)) {
    advance(p);
    ast_node *n = node(p, AST_BINARY, t);
    n->binary.op = is_or ? "or" : "and";
    n->binary.left = left;
    n->binary.right = parse_logical(p, is_or);
    return n;
  }
  return left;
}

static ast_node *parse_conditional(parser *p) {
  ast_node *c = parse_logical(p, true);
  token *t = cur(p);
  if (is_op(t, "?") && !at_boundary(p)) {
    advance(p);
    ast_node *n = node(p, AST_CONDITIONAL, t);
    n->cond.cond = c;
    p->ternary++;
    n->cond.then = parse_expr(p);
    p->ternary--;
    if (!expect_op(p, ":", "Expected ':' in conditional expression")) return n;
    n->cond.else_ = parse_expr(p);
    return n;
  }
  return c;
}

static bool is_assign_op(const token *t) {
  static const char *const ops[] = {"=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", ">>>=", NULL};
  if (t->kind != TK_OP) return false;
  for (int i = 0; ops[i]; i++)
    if (strcmp(t->text, ops[i]) == 0) return true;
  return false;
}

static ast_node *parse_expr(parser *p) {
  if (++p->depth > MAX_DEPTH) {
    token *t = cur(p);
    error(p, t, "Expression nested too deeply");
    p->depth--;
    recover(p);
    return node(p, AST_NULL, t);
  }
  ast_node *e = parse_conditional(p);
  token *t = cur(p);
  if (is_assign_op(t) && !at_boundary(p)) {
    advance(p);
    ast_node *n = node(p, AST_ASSIGN, t);
    n->loc = e->loc;
    n->assign.op = t->text;
    n->assign.target = e;
    n->assign.value = parse_expr(p);
    e = n;
  } else if ((is_op(t, ":=") || is_op(t, "::=")) && !at_boundary(p)) {
    error(p, t, "Definition of variable not allowed at this location");
    advance(p);
    parse_expr(p);
  }
  p->depth--;
  return e;
}

/* ---- statements ---- */

/* For `name`, `name/T`, `name/a.T?` at the cursor: the token after the
 * name and its type, or NULL when the cursor is not at that shape. */
static token *after_name_and_type(parser *p) {
  if (cur(p)->kind != TK_IDENT) return NULL;
  if (!is_op(peek(p, 1), "/")) return peek(p, 1);
  int k = 2;
  if (peek(p, k)->kind != TK_IDENT) return NULL;
  k++;
  while (is_op(peek(p, k), ".") && peek(p, k + 1)->kind == TK_IDENT) k += 2;
  if (is_op(peek(p, k), "?")) k++;
  return peek(p, k);
}

/* Is this `name :=`, `name ::=` or `name/T :=`? */
static bool looks_like_definition(parser *p) {
  token *after = after_name_and_type(p);
  return after && (is_op(after, ":=") || is_op(after, "::="));
}

static ast_node *parse_definition(parser *p) {
  token *t = cur(p);
  ast_node *n = node(p, AST_DEFINE, t);
  n->define.name = t->text;
  advance(p);
  if (is_op(cur(p), "/")) {
    advance(p);
    n->define.type = parse_type(p);
  }
  n->define.final = is_op(cur(p), "::=");
  advance(p);
  if (is_op(cur(p), "?")) {
    advance(p);
    n->define.value = NULL;
    if (n->define.final) error(p, t, "A final variable can't be left uninitialized");
  } else {
    n->define.value = parse_expr(p);
  }
  return n;
}

static ast_node *parse_if(parser *p) {
  token *t = cur(p);
  int indent = p->stmt_indent;
  advance(p);
  ast_node *n = node(p, AST_IF, t);
  p->no_block++;
  n->if_.cond = parse_expr(p);
  p->no_block--;
  if (!expect_op(p, ":", "Missing colon")) {
    recover(p);
    return n;
  }
  n->if_.then = parse_body(p, indent);
  token *e = cur(p);
  if (is_kw(e, "else") && (!e->first || (int)e->indent == indent)) {
    advance(p);
    if (is_kw(cur(p), "if")) {
      int saved = p->stmt_indent;
      p->stmt_indent = indent;
      n->if_.else_ = parse_if(p);
      p->stmt_indent = saved;
    } else if (expect_op(p, ":", "Missing colon")) {
      n->if_.else_ = parse_body(p, indent);
    }
  }
  return n;
}

static ast_node *parse_statement(parser *p) {
  token *t = cur(p);
  if (t->first) p->stmt_indent = (int)t->indent;
  int indent = p->stmt_indent;
  if (is_kw(t, "if")) return parse_if(p);
  if (is_kw(t, "while")) {
    advance(p);
    ast_node *n = node(p, AST_WHILE, t);
    p->no_block++;
    n->while_.cond = parse_expr(p);
    p->no_block--;
    if (!expect_op(p, ":", "Missing colon")) {
      recover(p);
      return n;
    }
    n->while_.body = parse_body(p, indent);
    return n;
  }
  if (is_kw(t, "for")) {
    advance(p);
    ast_node *n = node(p, AST_FOR, t);
    p->no_block++;
    if (!is_op(cur(p), ";")) n->for_.init = looks_like_definition(p) ? parse_definition(p) : parse_expr(p);
    if (!expect_op(p, ";", "Expected ';' in 'for'")) {
      p->no_block--;
      recover(p);
      return n;
    }
    if (!is_op(cur(p), ";")) n->for_.cond = parse_expr(p);
    if (!expect_op(p, ";", "Expected ';' in 'for'")) {
      p->no_block--;
      recover(p);
      return n;
    }
    if (!is_op(cur(p), ":")) n->for_.update = parse_expr(p);
    p->no_block--;
    if (!expect_op(p, ":", "Missing colon")) {
      recover(p);
      return n;
    }
    n->for_.body = parse_body(p, indent);
    return n;
  }
  if (is_kw(t, "try")) {
    advance(p);
    ast_node *n = node(p, AST_TRY, t);
    if (!expect_op(p, ":", "Missing colon")) {
      recover(p);
      return n;
    }
    n->try_.body = parse_body(p, indent);
    token *f = cur(p);
    if (!is_kw(f, "finally") || (f->first && (int)f->indent != indent)) {
      error(p, f, "Expected 'finally' after 'try'");
      return n;
    }
    advance(p);
    if (!expect_op(p, ":", "Missing colon")) return n;
    if (is_op(cur(p), "|")) {
      advance(p);
      while (cur(p)->kind == TK_IDENT) {
        ast_node *pn = node(p, AST_PARAM, cur(p));
        pn->param.name = cur(p)->text;
        advance(p);
        list_push(p, &n->try_.finally_params, pn);
      }
      expect_op(p, "|", "Expected '|'");
    }
    n->try_.finally_body = parse_body(p, indent);
    return n;
  }
  if (is_kw(t, "return")) {
    advance(p);
    ast_node *n = node(p, AST_RETURN, t);
    token *nt = cur(p);
    if (!at_boundary(p) && !is_op(nt, ";") && !is_op(nt, ")") && !is_kw(nt, "else") && !is_op(nt, "]"))
      n->ret.value = parse_expr(p);
    return n;
  }
  if (is_kw(t, "break") || is_kw(t, "continue")) {
    advance(p);
    ast_node *n = node(p, is_kw(t, "break") ? AST_BREAK : AST_CONTINUE, t);
    if (is_op(cur(p), ".") && !cur(p)->space_before && peek(p, 1)->kind == TK_IDENT) {
      advance(p);
      n->jump.label = cur(p)->text;
      advance(p);
      token *nt = cur(p);
      if (!at_boundary(p) && !is_op(nt, ";") && !is_op(nt, ")") && !is_kw(nt, "else"))
        n->jump.value = parse_expr(p);
    }
    return n;
  }
  if (is_kw(t, "assert")) {
    advance(p);
    ast_node *n = node(p, AST_ASSERT, t);
    if (!is_op(cur(p), ":")) {
      error(p, cur(p), "Missing colon");
      recover(p);
      return n;
    }
    n->assert_.block = parse_block(p);
    return n;
  }
  if (looks_like_definition(p)) return parse_definition(p);
  return parse_expr(p);
}

/* A body after ':' — inline statements separated by ';', or an indented
 * block of lines. Returns an AST_SEQUENCE. */
static ast_node *parse_body(parser *p, int owner_indent) {
  token *t = cur(p);
  ast_node *seq = node(p, AST_SEQUENCE, t);
  int saved = p->stmt_indent;
  if (t->kind == TK_EOF || (t->first && (int)t->indent <= owner_indent && p->paren == 0)) {
    p->stmt_indent = saved;
    return seq; /* empty body */
  }
  if (t->first && p->paren == 0) {
    int body_indent = (int)t->indent;
    for (;;) {
      t = cur(p);
      if (t->kind == TK_EOF) break;
      if (t->first && (int)t->indent < body_indent) {
        if ((int)t->indent <= owner_indent || p->paren) break;
        error(p, t, "All expressions in a sequence must be indented the same way");
        p->stmt_indent = (int)t->indent;
        recover(p);
        continue;
      }
      if (t->first && (int)t->indent > body_indent) {
        error(p, t, "All expressions in a sequence must be indented the same way");
        p->stmt_indent = body_indent;
        recover(p);
        continue;
      }
      p->stmt_indent = body_indent;
      int before = p->i;
      list_push(p, &seq->seq.stmts, parse_statement(p));
      while (is_op(cur(p), ";") && !cur(p)->first) {
        advance(p);
        if (at_boundary(p)) break;
        list_push(p, &seq->seq.stmts, parse_statement(p));
      }
      p->stmt_indent = body_indent;
      if (!cur(p)->first && cur(p)->kind != TK_EOF) {
        if (is_kw(cur(p), "else") || is_kw(cur(p), "finally")) {
          error(p, cur(p), "'else' and 'finally' must line up with their 'if' and 'try'");
        } else {
          error(p, cur(p), "Unexpected token");
        }
        recover(p);
      }
      if (p->i == before) advance(p);
    }
  } else {
    /* Inline: the rest of the line. */
    for (;;) {
      int before = p->i;
      list_push(p, &seq->seq.stmts, parse_statement(p));
      p->stmt_indent = saved;
      if (is_op(cur(p), ";") && !at_boundary(p)) {
        advance(p);
        if (at_boundary(p) || is_op(cur(p), ")")) break;
        continue;
      }
      if (p->i == before) advance(p);
      break;
    }
  }
  p->stmt_indent = saved;
  return seq;
}

/* ---- declarations ---- */

static ast_node *parse_sub_expression(parser *p, uint32_t start, uint32_t end, const token *at) {
  token_list tl = scan(p->a, p->d, p->f, start, end);
  parser sub = *p;
  sub.t = tl.toks;
  sub.n = tl.count;
  sub.i = 0;
  sub.stmt_indent = -1;
  sub.paren = 1;
  sub.no_block = 0;
  sub.ternary = 0;
  if (tl.count <= 1) {
    scan_free(&tl);
    error(p, at, "Empty interpolation");
    return node(p, AST_NULL, at);
  }
  ast_node *e = parse_expr(&sub);
  if (sub.t[sub.i].kind != TK_EOF) error(&sub, &sub.t[sub.i], "Unexpected token in interpolation");
  scan_free(&tl);
  return e;
}

static ast_node *parse_default_value(parser *p) {
  /* default = postfix expression (no spaces around '=') */
  return parse_unary(p);
}

/* Parameters and return type up to ':' or the end of the signature. */
static void parse_signature(parser *p, ast_node *m, int decl_indent) {
  for (;;) {
    token *t = cur(p);
    if (t->kind == TK_EOF) return;
    if (t->first && (int)t->indent <= decl_indent && !(is_op(t, ":") && (int)t->indent == decl_indent)) return;
    if (is_op(t, ":")) return;
    if (is_op(t, "->")) {
      advance(p);
      m->method.return_type = parse_type(p);
      continue;
    }
    ast_node *pn = node(p, AST_PARAM, t);
    bool block = false;
    if (is_op(t, "[")) {
      block = true;
      advance(p);
      t = cur(p);
    }
    if (t->kind == TK_NAMED) {
      pn->param.is_named = true;
      pn->param.name = t->text;
      if (strncmp(t->text, "no-", 3) == 0) error(p, t, "A parameter name can't start with 'no-'");
      advance(p);
    } else if (is_op(t, ".") && peek(p, 1)->kind == TK_IDENT) {
      advance(p);
      pn->param.is_field = true;
      pn->param.name = cur(p)->text;
      advance(p);
    } else if (is_ident(t, "this") && is_op(peek(p, 1), ".") && peek(p, 2)->kind == TK_IDENT) {
      advance(p);
      advance(p);
      pn->param.is_field = true;
      pn->param.name = cur(p)->text;
      advance(p);
    } else if (t->kind == TK_IDENT) {
      pn->param.name = t->text;
      advance(p);
    } else {
      error(p, t, "Expected a parameter");
      recover(p);
      return;
    }
    if (block) {
      pn->param.is_block = true;
      if (!expect_op(p, "]", "Expected ']' after a block parameter")) {
        recover(p);
        return;
      }
    }
    if (is_op(cur(p), "/")) {
      advance(p);
      pn->param.type = parse_type(p);
    }
    if (is_op(cur(p), "=") && !cur(p)->space_before) {
      advance(p);
      pn->param.default_value = parse_default_value(p);
    }
    list_push(p, &m->method.params, pn);
  }
}

static ast_node *parse_method(parser *p, int decl_indent, bool in_class, bool is_static, bool is_abstract) {
  token *t = cur(p);
  ast_node *m = node(p, AST_METHOD, t);
  m->method.is_static = is_static;
  m->method.is_abstract = is_abstract;
  m->method.name_loc = tok_loc(p, t);
  if (in_class && is_ident(t, "constructor")) {
    m->method.method_kind = METHOD_CONSTRUCTOR;
    m->method.name = "";
    advance(p);
    if (is_op(cur(p), ".") && !cur(p)->space_before && peek(p, 1)->kind == TK_IDENT) {
      advance(p);
      m->method.name = cur(p)->text;
      advance(p);
    }
  } else if (in_class && is_ident(t, "operator")) {
    m->method.method_kind = METHOD_OPERATOR;
    advance(p);
    token *o = cur(p);
    if (is_op(o, "[") && is_op(peek(p, 1), "]")) {
      advance(p);
      advance(p);
      if (is_op(cur(p), "=") && !cur(p)->space_before) {
        advance(p);
        m->method.name = "[]=";
      } else {
        m->method.name = "[]";
      }
    } else if (is_op(o, "[") && is_op(peek(p, 1), "..") && is_op(peek(p, 2), "]")) {
      advance(p);
      advance(p);
      advance(p);
      m->method.name = "[..]";
    } else if (o->kind == TK_OP && strchr("+-*/%~&|^<>=", o->text[0]) && !is_op(o, "=")) {
      m->method.name = o->text;
      advance(p);
    } else {
      error(p, o, "Expected an operator");
      recover(p);
      return NULL;
    }
  } else if (t->kind == TK_IDENT) {
    m->method.name = t->text;
    advance(p);
    if (is_op(cur(p), "=") && !cur(p)->space_before) {
      m->method.method_kind = METHOD_SETTER;
      advance(p);
    }
  } else {
    error(p, t, "Expected a declaration");
    recover(p);
    return NULL;
  }
  parse_signature(p, m, decl_indent);
  if (is_op(cur(p), ":")) {
    advance(p);
    if (is_abstract) error(p, t, "Abstract methods can't have a body");
    p->stmt_indent = decl_indent;
    if (p->lazy) {
      m->method.body = skip_body(p, decl_indent);
    } else {
      m->method.body = parse_body(p, decl_indent);
    }
  } else if (!is_abstract && !in_class) {
    error(p, cur(p), "Missing colon");
    recover(p);
  } else if (!is_abstract) {
    m->method.is_abstract = true; /* interface members */
  }
  return m;
}

static ast_node *parse_field(parser *p, bool is_static, bool top_level) {
  token *t = cur(p);
  ast_node *f = node(p, top_level ? AST_GLOBAL : AST_FIELD, t);
  f->field.name = t->text;
  f->field.is_static = is_static;
  advance(p);
  if (is_op(cur(p), "/")) {
    advance(p);
    f->field.type = parse_type(p);
  }
  if (is_op(cur(p), ":=") || is_op(cur(p), "::=")) {
    f->field.final = is_op(cur(p), "::=");
    advance(p);
    if (is_op(cur(p), "?")) {
      advance(p);
      f->field.uninitialized = true;
    } else {
      f->field.value = parse_expr(p);
    }
  } else {
    /* `x /T` in a class: final, set by the constructor. */
    f->field.final = true;
    f->field.uninitialized = true;
    if (top_level) error(p, cur(p), "Global variables need an initializer");
  }
  return f;
}

/* A class member that is a field: a definition, or `name /T` alone on its line. */
static bool looks_like_field(parser *p) {
  if (looks_like_definition(p)) return true;
  if (!is_op(peek(p, 1), "/")) return false;
  token *after = after_name_and_type(p);
  return after && (after->first || after->kind == TK_EOF);
}

static ast_node *parse_class(parser *p, bool is_abstract) {
  token *kw = cur(p);
  int indent = (int)kw->indent;
  ast_node *c = node(p, AST_CLASS, kw);
  c->class_.is_abstract = is_abstract;
  c->class_.class_kind = is_ident(kw, "interface") ? CLASS_INTERFACE
                         : is_ident(kw, "mixin")   ? CLASS_MIXIN
                         : is_ident(kw, "monitor") ? CLASS_MONITOR
                                                   : CLASS_CLASS;
  advance(p);
  if (cur(p)->kind != TK_IDENT) {
    error(p, cur(p), "Expected a class name");
    recover(p);
    return NULL;
  }
  c->class_.name = cur(p)->text;
  c->loc = tok_loc(p, cur(p));
  advance(p);
  for (;;) {
    token *t = cur(p);
    if (is_ident(t, "extends")) {
      advance(p);
      c->class_.super = parse_type(p);
    } else if (is_ident(t, "implements")) {
      advance(p);
      while (cur(p)->kind == TK_IDENT && !is_ident(cur(p), "with") && !cur(p)->first)
        list_push(p, &c->class_.interfaces, parse_type(p));
    } else if (is_ident(t, "with")) {
      advance(p);
      while (cur(p)->kind == TK_IDENT && !is_ident(cur(p), "implements") && !cur(p)->first)
        list_push(p, &c->class_.mixins, parse_type(p));
    } else {
      break;
    }
  }
  if (!expect_op(p, ":", "Missing colon")) {
    recover(p);
    return c;
  }
  token *t = cur(p);
  if (t->kind == TK_EOF || !t->first || (int)t->indent <= indent) return c;
  int member_indent = (int)t->indent;
  while (cur(p)->kind != TK_EOF) {
    t = cur(p);
    if (!t->first || (int)t->indent < member_indent) {
      if (!t->first) {
        error(p, t, "Unexpected token");
        p->stmt_indent = member_indent;
        recover(p);
        continue;
      }
      break;
    }
    if ((int)t->indent > member_indent) {
      error(p, t, "All members must be indented the same way");
      p->stmt_indent = member_indent;
      recover(p);
      continue;
    }
    p->stmt_indent = member_indent;
    int before = p->i;
    bool is_static = false, abstract = false;
    if (is_kw(cur(p), "static")) {
      is_static = true;
      advance(p);
    }
    if (is_kw(cur(p), "abstract")) {
      abstract = true;
      advance(p);
    }
    ast_node *m;
    if (!abstract && looks_like_field(p)) m = parse_field(p, is_static, false);
    else m = parse_method(p, member_indent, true, is_static, abstract);
    if (m) list_push(p, &c->class_.members, m);
    if (!cur(p)->first && cur(p)->kind != TK_EOF) {
      error(p, cur(p), "Unexpected token");
      p->stmt_indent = member_indent;
      recover(p);
    }
    if (p->i == before) advance(p);
  }
  return c;
}

static ast_node *parse_import(parser *p) {
  token *t = cur(p);
  ast_node *n = node(p, AST_IMPORT, t);
  advance(p);
  const char *segs[32];
  int count = 0;
  while (is_op(cur(p), ".") || is_op(cur(p), "..")) {
    n->import.dots += is_op(cur(p), "..") ? 2 : 1;
    advance(p);
  }
  while (cur(p)->kind == TK_IDENT && count < 32) {
    segs[count++] = cur(p)->text;
    advance(p);
    if (is_op(cur(p), ".") && !cur(p)->space_before) advance(p);
    else break;
  }
  if (count == 0) error(p, cur(p), "Expected a module name");
  n->import.segments = arena_alloc(p->a, sizeof(char *) * (size_t)(count + 1));
  memcpy(n->import.segments, segs, sizeof(char *) * (size_t)count);
  n->import.segment_count = count;
  if (is_kw(cur(p), "as")) {
    advance(p);
    if (cur(p)->kind == TK_IDENT) {
      n->import.prefix = cur(p)->text;
      advance(p);
    }
  }
  if (is_ident(cur(p), "show")) {
    advance(p);
    const char *names[64];
    int nn = 0;
    while (!at_boundary(p) && nn < 64) {
      if (is_op(cur(p), "*")) n->import.show_all = true;
      else if (cur(p)->kind == TK_IDENT) names[nn++] = cur(p)->text;
      else break;
      advance(p);
    }
    n->import.show = arena_alloc(p->a, sizeof(char *) * (size_t)(nn + 1));
    memcpy(n->import.show, names, sizeof(char *) * (size_t)nn);
    n->import.show_count = nn;
  }
  return n;
}

/* Skips a library method's body and records where it is, to parse it if
 * the method is ever compiled. The body ends where parse_body's would: at
 * the first line, outside brackets, indented no deeper than its owner.
 * (The library is ours: tests/unit/test_frontend.c parses all of it
 * eagerly and checks it has no syntax errors.) */
static ast_node *skip_body(parser *p, int owner_indent) {
  token *t0 = cur(p);
  uint32_t start = t0->start;
  if (t0->first) {
    while (start > 0 && p->f->text[start - 1] != '\n' && p->f->text[start - 1] != '\r') start--;
  }
  int depth = 0;
  for (;;) {
    token *t = cur(p);
    if (t->kind == TK_EOF) break;
    if (t->first && (int)t->indent <= owner_indent && depth == 0) break;
    if (t->kind == TK_OP) {
      const char *o = t->text;
      if (o[0] == '(' || o[0] == '[' || o[0] == '{' || (o[0] == '#' && o[1] == '[')) depth++;
      else if ((o[0] == ')' || o[0] == ']' || o[0] == '}') && depth > 0) depth--;
    }
    advance(p);
  }
  ast_node *lazy = node(p, AST_LAZY_BODY, t0);
  lazy->lazy.file = p->f;
  lazy->lazy.start = start;
  lazy->lazy.end = cur(p)->start;
  lazy->lazy.indent = owner_indent;
  return lazy;
}

ast_node *parse_deferred_body(arena *a, diag_ctx *d, const ast_node *lazy) {
  parser p = {0};
  p.a = a;
  p.d = d;
  p.f = lazy->lazy.file;
  token_list tl = scan(a, d, p.f, lazy->lazy.start, lazy->lazy.end);
  p.t = tl.toks;
  p.n = tl.count;
  p.stmt_indent = lazy->lazy.indent;
  ast_node *body = parse_body(&p, lazy->lazy.indent);
  scan_free(&tl);
  return body;
}

ast_node *parse_unit(arena *a, diag_ctx *d, src_file *file, bool lazy_bodies) {
  parser p = {0};
  p.a = a;
  p.d = d;
  p.f = file;
  p.lazy = lazy_bodies;
  scan_state *ss = scan_begin(a, d, file);
  token_list tl = scan_chunk(ss);
  p.t = tl.toks;
  p.n = tl.count;
  ast_node *unit = arena_alloc(a, sizeof *unit);
  unit->kind = AST_UNIT;
  unit->unit.file = file;
  for (;;) {
    if (cur(&p)->kind == TK_EOF) {
      if (!cur(&p)->boundary) break;
      /* The next top-level declaration's tokens replace this one's. */
      tl = scan_chunk(ss);
      p.t = tl.toks;
      p.n = tl.count;
      p.i = 0;
      continue;
    }
    token *t = cur(&p);
    p.stmt_indent = 0;
    int before = p.i;
    if (!t->first || t->indent != 0) {
      error(&p, t, t->first ? "Top-level declarations must not be indented" : "Unexpected token");
      p.stmt_indent = -1;
      recover(&p);
      p.stmt_indent = 0;
      if (p.i == before) advance(&p);
      continue;
    }
    ast_node *decl = NULL;
    if (is_kw(t, "import")) {
      ast_node *imp = parse_import(&p);
      if (unit->unit.decls.count) error(&p, t, "Imports must come before declarations");
      list_push(&p, &unit->unit.imports, imp);
    } else if (is_kw(t, "export")) {
      ast_node *ex = node(&p, AST_EXPORT, t);
      advance(&p);
      const char *names[64];
      int nn = 0;
      while (!at_boundary(&p) && nn < 64) {
        if (is_op(cur(&p), "*")) ex->export_.all = true;
        else if (cur(&p)->kind == TK_IDENT) names[nn++] = cur(&p)->text;
        else break;
        advance(&p);
      }
      ex->export_.names = arena_alloc(a, sizeof(char *) * (size_t)(nn + 1));
      memcpy(ex->export_.names, names, sizeof(char *) * (size_t)nn);
      ex->export_.count = nn;
      list_push(&p, &unit->unit.exports, ex);
    } else if (is_kw(t, "abstract") && (is_kw(peek(&p, 1), "class") || is_ident(peek(&p, 1), "mixin"))) {
      advance(&p);
      decl = parse_class(&p, true);
    } else if ((is_kw(t, "class") || is_ident(t, "interface") || is_ident(t, "mixin") ||
                is_ident(t, "monitor")) && peek(&p, 1)->kind == TK_IDENT && !peek(&p, 1)->first) {
      decl = parse_class(&p, false);
    } else if (looks_like_definition(&p)) {
      decl = parse_field(&p, false, true);
    } else if (t->kind == TK_IDENT) {
      decl = parse_method(&p, 0, false, false, false);
    } else {
      error(&p, t, "Expected a declaration");
      p.stmt_indent = 0;
      recover(&p);
    }
    if (decl) list_push(&p, &unit->unit.decls, decl);
    if (!cur(&p)->first && cur(&p)->kind != TK_EOF) {
      error(&p, cur(&p), "Unexpected token");
      p.stmt_indent = 0;
      recover(&p);
    }
    if (p.i == before) advance(&p);
  }
  scan_end(ss);
  return unit;
}
