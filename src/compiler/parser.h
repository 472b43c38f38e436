/* The parser: UTF-8 source text -> AST_UNIT. Reports every syntax error it
 * can find (recovering at the next statement or declaration) through diag;
 * the caller checks d->errors. Never returns NULL. */
#ifndef TOIT_COMPILER_PARSER_H
#define TOIT_COMPILER_PARSER_H

#include "compiler/arena.h"
#include "compiler/ast.h"
#include "compiler/diag.h"

ast_node *parse_unit(arena *a, diag_ctx *d, src_file *file);


#endif
