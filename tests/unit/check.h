/* The unit tests' one assertion: counts, and prints the failures with their
 * place. Each test ends with `printf("%d passed, %d failed\n", ...)`. */
#ifndef TOIT_TESTS_CHECK_H
#define TOIT_TESTS_CHECK_H

#include <stdio.h>

static int passed, failed;
#define CHECK(cond, ...)                                                         \
  do {                                                                           \
    if (cond) {                                                                  \
      passed++;                                                                  \
    } else {                                                                     \
      failed++;                                                                  \
      printf("FAIL %s:%d: ", __FILE__, __LINE__);                                \
      printf(__VA_ARGS__);                                                       \
      printf("\n");                                                              \
    }                                                                            \
  } while (0)

#endif
