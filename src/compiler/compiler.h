/* The compiler's public interface: Toit source -> program image. */
#ifndef TOIT_COMPILER_COMPILER_H
#define TOIT_COMPILER_COMPILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
  const char *path;        /* the main file as given by the user (used in messages) */
  const char *source;      /* its text, or NULL to read `path` */
  size_t source_size;
  bool strip;              /* leave the debug section out */
  FILE *diagnostics;       /* errors and warnings (stderr when NULL) */
  int max_errors;          /* 0 = default */
  const char *const *lib_dirs; /* library roots for `import a.b` (-I), searched in order */
  int lib_dir_count;
} cmp_options;

typedef struct {
  uint8_t *image;          /* malloc'd; NULL when compilation failed */
  size_t size;
  int errors;
  int warnings;
  /* Statistics (toit disasm --stats). */
  int class_count, selector_count, method_count, dispatch_entries, dispatch_size;
  int defined_methods;
} cmp_result;

/* Compiles; prints diagnostics. Returns true on success. */
bool cmp_compile(const cmp_options *opt, cmp_result *out);

#endif
