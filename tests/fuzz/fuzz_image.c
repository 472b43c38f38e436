/* Fuzzes the image validator with arbitrary bytes; a valid image is also
 * run for a bounded number of steps: nothing may crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "vm/vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *copy = malloc(size + 8); /* malloc is 8-byte aligned */
  memcpy(copy, data, size);
  img_image img;
  char err[256];
  if (img_open(&img, copy, size, err, sizeof err) == IMG_OK) {
    FILE *sink = fopen("/dev/null", "w");
    vm_options opt;
    vm_options_default(&opt);
    opt.out = sink;
    opt.err = sink;
    opt.heap_limit = 1 << 20;
    vm_process p;
    if (vm_process_init(&p, &img, &opt)) {
      for (int slice = 0; slice < 20 && vm_run(&p) == VM_YIELDED; slice++) {
      }
    }
    vm_process_free(&p);
    fclose(sink);
  }
  free(copy);
  return 0;
}
