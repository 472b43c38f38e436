/* The core library sources, embedded at build time by scripts/embed.cmake. */
#ifndef TOIT_COMPILER_CORELIB_H
#define TOIT_COMPILER_CORELIB_H

typedef struct {
  const char *name;
  const char *text;
  unsigned size;
} cmp_corelib_file;

extern const cmp_corelib_file cmp_corelib_files[];
extern const int cmp_corelib_count;
/* Library modules, by name without ".toit": `import math`. */
extern const cmp_corelib_file cmp_library_modules[];
extern const int cmp_library_module_count;

#endif
