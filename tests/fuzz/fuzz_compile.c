/* Fuzzes the compiler with arbitrary source text: it must report errors or
 * produce an image that validates, and never crash or leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compiler.h"
#include "image/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  memcpy(text, data, size);
  text[size] = 0;
  FILE *sink = fopen("/dev/null", "w");
  cmp_options o = {0};
  o.path = "fuzz.toit";
  o.source = text;
  o.source_size = size;
  o.diagnostics = sink;
  cmp_result r;
  if (cmp_compile(&o, &r)) {
    img_image img;
    char err[256];
    if (img_open(&img, r.image, r.size, err, sizeof err) != IMG_OK) {
      fprintf(stderr, "compiler produced an invalid image: %s\n", err);
      abort();
    }
    free(r.image);
  }
  fclose(sink);
  free(text);
  return 0;
}
