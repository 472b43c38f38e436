/* Unit tests of the scanner and the parser: tokens with their attachment
 * and layout attributes, literal decoding, the shape of parsed trees, error
 * recovery, and hostile input (random bytes, deep nesting). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/arena.h"
#include "compiler/diag.h"
#include "compiler/corelib.h"
#include "compiler/parser.h"
#include "compiler/scanner.h"

#include "check.h"

typedef struct {
  arena a;
  diag_ctx d;
  FILE *sink;
  token_list tl;
  ast_node *unit;
} fixture;

static void scan_text(fixture *fx, const char *text) {
  arena_init(&fx->a);
  fx->sink = fopen("/dev/null", "w");
  diag_init(&fx->d, fx->sink);
  src_file *f = diag_add_file(&fx->d, "t.toit", text, (uint32_t)strlen(text));
  fx->tl = scan(&fx->a, &fx->d, f, 0, f->size);
  fx->unit = NULL;
}

static void parse_text(fixture *fx, const char *text) {
  arena_init(&fx->a);
  fx->sink = fopen("/dev/null", "w");
  diag_init(&fx->d, fx->sink);
  src_file *f = diag_add_file(&fx->d, "t.toit", text, (uint32_t)strlen(text));
  fx->tl.toks = NULL;
  fx->tl.count = 0;
  fx->unit = parse_unit(&fx->a, &fx->d, f, false);
}

static void done(fixture *fx) {
  scan_free(&fx->tl);
  diag_free(&fx->d);
  fclose(fx->sink);
  arena_free(&fx->a);
}

static void test_tokens(void) {
  fixture fx;
  scan_text(&fx, "foo-bar x - 1 a-1 index_of --name=3 -7 f -1\n");
  token *t = fx.tl.toks;
  CHECK(t[0].kind == TK_IDENT && strcmp(t[0].text, "foo-bar") == 0, "dash identifier");
  CHECK(t[1].kind == TK_IDENT && strcmp(t[1].text, "x") == 0, "x");
  CHECK(t[2].kind == TK_OP && strcmp(t[2].text, "-") == 0 && t[2].space_before && t[2].space_after,
        "spaced minus is an operator");
  CHECK(t[3].kind == TK_INT && t[3].ivalue == 1, "1");
  CHECK(t[4].kind == TK_IDENT && strcmp(t[4].text, "a-1") == 0, "a-1 is one identifier");
  CHECK(t[5].kind == TK_IDENT && strcmp(t[5].text, "index-of") == 0, "underscore folded to dash");
  CHECK(t[6].kind == TK_NAMED && strcmp(t[6].text, "name") == 0, "named argument");
  CHECK(t[7].kind == TK_OP && strcmp(t[7].text, "=") == 0 && !t[7].space_before, "attached =");
  CHECK(t[9].kind == TK_INT && t[9].ivalue == -7, "negative literal");
  CHECK(t[11].kind == TK_INT && t[11].ivalue == -1, "f -1 passes -1");
  CHECK(fx.d.errors == 0, "no errors");
  done(&fx);

  scan_text(&fx, "main:\n  x := 1\n\n  // comment\n    y\n");
  t = fx.tl.toks;
  CHECK(t[0].first && t[0].indent == 0, "first token");
  CHECK(t[2].first && t[2].indent == 2, "indented line");
  CHECK(!t[3].first, "same line");
  CHECK(t[5].first && t[5].indent == 4 && strcmp(t[5].text, "y") == 0, "continuation line after a comment line");
  done(&fx);

  scan_text(&fx, "0xFFFF_FFFF_FFFF_FFFF 0b101 1_000 1.5 .5 1e3 'a' '\\n' \"a\\tb\" 1.abs");
  t = fx.tl.toks;
  CHECK(t[0].ivalue == -1, "hex two's complement");
  CHECK(t[1].ivalue == 5, "binary");
  CHECK(t[2].ivalue == 1000, "underscores");
  CHECK(t[3].kind == TK_FLOAT && t[3].fvalue == 1.5, "float");
  CHECK(t[4].kind == TK_FLOAT && t[4].fvalue == 0.5, ".5");
  CHECK(t[5].kind == TK_FLOAT && t[5].fvalue == 1000.0, "exponent");
  CHECK(t[6].kind == TK_INT && t[6].ivalue == 'a', "char");
  CHECK(t[7].ivalue == '\n', "escaped char");
  CHECK(t[8].kind == TK_STRING && t[8].str_len == 3 && memcmp(t[8].str, "a\tb", 3) == 0, "string escape");
  CHECK(t[9].kind == TK_INT && t[10].kind == TK_OP && strcmp(t[10].text, ".") == 0, "1.abs is int then dot");
  done(&fx);

  scan_text(&fx, "\"x $name.size $(a + 1) $(%5d n) y\"");
  t = fx.tl.toks;
  CHECK(t[0].kind == TK_STRING && t[0].part_count == 7, "interpolation parts: %d", t[0].part_count);
  CHECK(t[0].parts[1].is_expr && t[0].parts[5].format && strcmp(t[0].parts[5].format, "5d") == 0, "format part");
  done(&fx);

  scan_text(&fx, "s := \"\"\"\n    one\n      two\n    \"\"\"");
  t = fx.tl.toks;
  CHECK(t[2].kind == TK_STRING && t[2].str_len == 10 && memcmp(t[2].str, "one\n  two\n", 10) == 0,
        "multi-line string indentation stripped");
  done(&fx);
}

static void test_scan_errors(void) {
  static const char *const bad[] = {"\"open", "/* open", "0x", "1__0", "'ab'", "\"\\q\"", "!x", "a && b",
                                    "\"$\"", "9223372036854775808", "-0x10", "\"$(%+d x)\""};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    fixture fx;
    scan_text(&fx, bad[i]);
    CHECK(fx.d.errors > 0, "error expected for %s", bad[i]);
    CHECK(fx.tl.toks[fx.tl.count - 1].kind == TK_EOF, "ends with EOF for %s", bad[i]);
    done(&fx);
  }
}

static ast_node *first_stmt(ast_node *unit) {
  ast_node *m = unit->unit.decls.items[0];
  return m->method.body->seq.stmts.items[0];
}

static void test_parse_shapes(void) {
  fixture fx;
  parse_text(&fx, "main:\n  print 1 + 2\n");
  ast_node *s = first_stmt(fx.unit);
  CHECK(s->kind == AST_CALL && s->call.args.count == 1 && s->call.args.items[0]->kind == AST_BINARY,
        "print 1 + 2 is a call with one argument");
  done(&fx);

  parse_text(&fx, "main:\n  f a b --x=1 --no-y: it\n");
  s = first_stmt(fx.unit);
  CHECK(s->kind == AST_CALL && s->call.args.count == 5, "args: %d", s->kind == AST_CALL ? s->call.args.count : -1);
  if (s->kind == AST_CALL && s->call.args.count == 5) {
    CHECK(s->call.args.items[2]->kind == AST_NAMED_ARG, "named");
    CHECK(s->call.args.items[3]->kind == AST_NAMED_ARG && !s->call.args.items[3]->named.value->bool_value &&
              strcmp(s->call.args.items[3]->named.name, "y") == 0, "--no-y is y=false");
    CHECK(s->call.args.items[4]->kind == AST_BLOCK, "trailing block");
  }
  done(&fx);

  parse_text(&fx, "main:\n  x := a < b <= c\n");
  s = first_stmt(fx.unit);
  CHECK(s->kind == AST_DEFINE && s->define.value->kind == AST_COMPARE &&
            s->define.value->compare.operands.count == 3, "comparison chain");
  done(&fx);

  parse_text(&fx, "main:\n  x := y and not z or w\n");
  s = first_stmt(fx.unit);
  CHECK(s->kind == AST_DEFINE && s->define.value->kind == AST_BINARY &&
            strcmp(s->define.value->binary.op, "or") == 0, "or binds loosest");
  done(&fx);

  parse_text(&fx, "main:\n  if a: b\n  else if c: d\n  else: e\n");
  s = first_stmt(fx.unit);
  CHECK(s->kind == AST_IF && s->if_.else_ && s->if_.else_->kind == AST_IF && s->if_.else_->if_.else_,
        "else if chain");
  done(&fx);

  parse_text(&fx, "class A extends B implements I J:\n  x := 0\n  y /int\n  constructor .y:\n  foo a/int -> int: return a\n  operator + other: return 1\n  static bar: return 2\n  name= v: x = v\n");
  ast_node *c = fx.unit->unit.decls.items[0];
  CHECK(c->kind == AST_CLASS && c->class_.members.count == 7, "class members: %d", c->class_.members.count);
  CHECK(c->class_.interfaces.count == 2 && c->class_.super, "super and interfaces");
  CHECK(fx.d.errors == 0, "class parses cleanly");
  done(&fx);

  parse_text(&fx, "main:\n  list[0] = 3\n  s[1..]\n  a.b.c\n");
  s = first_stmt(fx.unit);
  CHECK(s->kind == AST_ASSIGN && s->assign.target->kind == AST_INDEX, "index assignment");
  done(&fx);
}

static void test_parse_recovery(void) {
  fixture fx;
  parse_text(&fx, "a x: return x +\nmain:\n  if true print 1\n  print 2\nb: return 3\n");
  CHECK(fx.d.errors == 2, "two independent errors, got %d", fx.d.errors);
  CHECK(fx.unit->unit.decls.count == 3, "all three declarations kept: %d", fx.unit->unit.decls.count);
  done(&fx);
}

static void test_hostile(void) {
  /* Deep nesting is an error, not a stack overflow. */
  size_t n = 100000;
  char *deep = malloc(n * 2 + 32);
  strcpy(deep, "main:\n  x := ");
  size_t at = strlen(deep);
  for (size_t i = 0; i < n; i++) deep[at++] = '(';
  deep[at++] = '1';
  for (size_t i = 0; i < n; i++) deep[at++] = ')';
  deep[at] = 0;
  fixture fx;
  parse_text(&fx, deep);
  CHECK(fx.d.errors > 0, "deep nesting reported");
  done(&fx);
  free(deep);

  /* Random bytes never crash or hang the front end. */
  unsigned seed = 12345;
  char buf[512];
  for (int round = 0; round < 2000; round++) {
    size_t len = (size_t)(seed % 500);
    for (size_t i = 0; i < len; i++) {
      seed = seed * 1103515245u + 12345u;
      static const char alphabet[] = "ab1 :=\n\t\"'$()[]{}#.-+*/%<>!?|&^~,;\\_0x e";
      buf[i] = (seed >> 16) % 7 == 0 ? (char)(seed >> 8) : alphabet[(seed >> 16) % (sizeof alphabet - 1)];
    }
    buf[len] = 0;
    parse_text(&fx, buf);
    done(&fx);
  }
  passed++;
}

/* Library units keep method bodies as AST_LAZY_BODY until they are used;
 * a deferred parse gives the same statements, and syntax errors in a lazy
 * body are still reported when the unit is parsed. */
static void test_lazy_bodies(void) {
  const char *text =
      "class A:\n"
      "  f x: return x + 1\n"
      "  g:\n"
      "    a := [\n"
      "1, 2]\n"
      "    return a.size\n"
      "top n:\n"
      "  if n > 0:\n"
      "    print n\n"
      "  return \"$(n + 1) done\"\n";
  arena a;
  arena_init(&a);
  FILE *sink = fopen("/dev/null", "w");
  diag_ctx d;
  diag_init(&d, sink);
  src_file *f = diag_add_file(&d, "<lib>", text, (uint32_t)strlen(text));
  ast_node *unit = parse_unit(&a, &d, f, true);
  CHECK(d.errors == 0, "no errors: %d", d.errors);
  CHECK(unit->unit.decls.count == 2, "two declarations: %d", unit->unit.decls.count);
  ast_node *cls = unit->unit.decls.items[0];
  ast_node *g = cls->class_.members.items[1];
  CHECK(g->method.body && g->method.body->kind == AST_LAZY_BODY, "g's body is lazy");
  ast_node *gb = parse_deferred_body(&a, &d, g->method.body);
  CHECK(gb->kind == AST_SEQUENCE && gb->seq.stmts.count == 2, "g: 2 statements, got %d", gb->seq.stmts.count);
  ast_node *fm = cls->class_.members.items[0];
  ast_node *fb = parse_deferred_body(&a, &d, fm->method.body);
  CHECK(fb->kind == AST_SEQUENCE && fb->seq.stmts.count == 1, "f: one-line body");
  ast_node *top = unit->unit.decls.items[1];
  ast_node *tb = parse_deferred_body(&a, &d, top->method.body);
  CHECK(tb->seq.stmts.count == 2, "top: if and return, got %d", tb->seq.stmts.count);
  CHECK(d.errors == 0, "deferred parses are clean: %d", d.errors);
  diag_free(&d);
  diag_init(&d, sink);
  /* An empty body (the next member follows at once) stays empty. */
  const char *empty = "class B:\n  a_ := 0\n  constructor.x .a_:\n  size -> int:\n    return a_\n";
  f = diag_add_file(&d, "<lib>", empty, (uint32_t)strlen(empty));
  unit = parse_unit(&a, &d, f, true);
  ast_node *b = unit->unit.decls.items[0];
  CHECK(b->class_.members.count == 3, "empty constructor body keeps the next member: %d", b->class_.members.count);
  const char *bad = "f:\n  return 1 +\ng: return 2\n";
  f = diag_add_file(&d, "<lib>", bad, (uint32_t)strlen(bad));
  unit = parse_unit(&a, &d, f, true);
  CHECK(unit->unit.decls.count == 2, "a broken lazy body does not hide the next declaration: %d",
        unit->unit.decls.count);
  ast_node *broken = parse_deferred_body(&a, &d, ((ast_node *)unit->unit.decls.items[0])->method.body);
  CHECK(broken && d.errors >= 1, "its error is reported when it is parsed");
  diag_free(&d);
  fclose(sink);
  arena_free(&a);
}

/* The library's method bodies are skipped, not parsed, until used: parse
 * all of it eagerly here, so a syntax error in a body nobody calls yet
 * still fails the build's tests. */
static void test_library_parses(void) {
  for (int k = 0; k < cmp_corelib_count + cmp_library_module_count; k++) {
    const cmp_corelib_file *lib = k < cmp_corelib_count ? &cmp_corelib_files[k] : &cmp_library_modules[k - cmp_corelib_count];
    arena a;
    arena_init(&a);
    diag_ctx d;
    diag_init(&d, stdout);
    src_file *f = diag_add_file(&d, lib->name, lib->text, lib->size);
    ast_node *unit = parse_unit(&a, &d, f, false);
    CHECK(d.errors == 0 && unit->unit.decls.count > 0, "library file %s parses: %d errors", lib->name, d.errors);
    diag_flush(&d);
    diag_free(&d);
    arena_free(&a);
  }
}

int main(void) {
  test_library_parses();
  test_lazy_bodies();
  test_tokens();
  test_scan_errors();
  test_parse_shapes();
  test_parse_recovery();
  test_hostile();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
