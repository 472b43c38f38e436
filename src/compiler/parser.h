/* The parser: UTF-8 source text -> AST_UNIT. Reports every syntax error it
 * can find (recovering at the next statement or declaration) through diag;
 * the caller checks d->errors. Never returns NULL. */
#ifndef TOIT_COMPILER_PARSER_H
#define TOIT_COMPILER_PARSER_H

#include "compiler/arena.h"
#include "compiler/ast.h"
#include "compiler/diag.h"

/* lazy_bodies: method bodies are checked for syntax errors, then dropped
 * and kept as an AST_LAZY_BODY (the library: most of it is never used). */
ast_node *parse_unit(arena *a, diag_ctx *d, src_file *file, bool lazy_bodies);
/* The body of an AST_LAZY_BODY, parsed now. */
ast_node *parse_deferred_body(arena *a, diag_ctx *d, const ast_node *lazy);


#endif
