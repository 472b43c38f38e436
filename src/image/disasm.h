/* `toit disasm`: every method with its bytecodes, operands resolved to
 * names and constants, and source positions. */
#ifndef TOIT_IMAGE_DISASM_H
#define TOIT_IMAGE_DISASM_H

#include <stdio.h>

#include "image/image.h"

void img_disasm(const img_image *img, FILE *out, const char *only_method);
/* Prints class, selector, method and dispatch-table statistics. */
void img_stats(const img_image *img, FILE *out);

#endif
