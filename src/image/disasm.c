#include "image/disasm.h"

#include <inttypes.h>
#include <string.h>

#include "image/opcodes.h"
#include "vm/numfmt.h"

static void print_const(const img_image *img, FILE *out, uint32_t index) {
  const uint8_t *o = img_object(img, img_const_offset(img, index));
  uint32_t cls = img_rd32(o) & 0xffff;
  const img_class *c = img_class_at(img, cls);
  switch (c->layout) {
    case LAYOUT_STRING: {
      uint32_t n = img_rd32(o + 4);
      fputc('"', out);
      for (uint32_t i = 0; i < n && i < 60; i++) {
        uint8_t ch = o[8 + i];
        if (ch == '\n') fputs("\\n", out);
        else if (ch == '"' || ch == '\\') fprintf(out, "\\%c", ch);
        else if (ch < 32) fprintf(out, "\\x%02x", ch);
        else fputc(ch, out);
      }
      fputs(n > 60 ? "...\"" : "\"", out);
      break;
    }
    case LAYOUT_FLOAT: {
      double d;
      memcpy(&d, o + 8, 8);
      char buf[NUMFMT_BUF];
      numfmt_float(buf, d);
      fputs(buf, out);
      break;
    }
    case LAYOUT_LARGEINT: {
      int64_t v;
      memcpy(&v, o + 8, 8);
      fprintf(out, "%" PRId64, v);
      break;
    }
    default: fprintf(out, "<%s>", img_name(img, c->name)); break;
  }
}

static void method_title(const img_image *img, uint32_t index, FILE *out) {
  img_position pos;
  img_lookup_position(img, index, 0, &pos);
  fprintf(out, "%s", pos.method_name ? pos.method_name : "?");
  /* Positions in the core library change with every edit of it: leave them out. */
  if (pos.file && strcmp(pos.file, "<core>") != 0) fprintf(out, " %s:%u:%u", pos.file, pos.line, pos.col);
}

static void disasm_method(const img_image *img, uint32_t index, FILE *out) {
  const uint8_t *m = img_method(img, index);
  uint16_t len = img_rd16(m + 6), sel = img_rd16(m + 4);
  static const char *const kinds[] = {"method", "block", "lambda", "global initializer"};
  fprintf(out, "%u: ", index);
  method_title(img, index, out);
  fprintf(out, "\n    %s, arity %u, max stack %u", kinds[m[1] <= 3 ? m[1] : 0], m[0], img_rd16(m + 2));
  if (sel != 0xffff) {
    const char *sn = img_selector_name(img, sel);
    fprintf(out, ", selector %s @%u", sn ? sn : "?", sel);
  }
  fputc('\n', out);
  const uint8_t *bc = m + 8;
  uint32_t last_line = 0;
  for (uint32_t pc = 0; pc < len;) {
    uint8_t op = bc[pc];
    int fmt = toit_opcode_format[op];
    const uint8_t *ip = bc + pc;
    img_position pos;
    img_lookup_position(img, index, pc, &pos);
    char text[160];
    int n = 0;
    switch (fmt) {
      case OPF_NONE: n = snprintf(text, sizeof text, "%s", toit_opcode_name[op]); break;
      case OPF_U8: case OPF_LOCAL: case OPF_FIELD: case OPF_OUTER:
        n = snprintf(text, sizeof text, "%s %u", toit_opcode_name[op], ip[1]);
        break;
      case OPF_SMI8: n = snprintf(text, sizeof text, "%s %u", toit_opcode_name[op], ip[1]); break;
      case OPF_SMI16: n = snprintf(text, sizeof text, "%s %d", toit_opcode_name[op], (int16_t)img_rd16(ip + 1)); break;
      case OPF_LOCAL_IMM: n = snprintf(text, sizeof text, "%s %u %d", toit_opcode_name[op], ip[1], (int16_t)img_rd16(ip + 2)); break;
      case OPF_SMI32: n = snprintf(text, sizeof text, "%s %d", toit_opcode_name[op], (int32_t)img_rd32(ip + 1)); break;
      case OPF_N: n = snprintf(text, sizeof text, "%s %u", toit_opcode_name[op], img_rd16(ip + 1)); break;
      case OPF_GLOBAL: n = snprintf(text, sizeof text, "%s G%u", toit_opcode_name[op], img_rd16(ip + 1)); break;
      case OPF_CONST: {
        fprintf(out, "  %4u: %s ", pc, toit_opcode_name[op]);
        print_const(img, out, img_rd16(ip + 1));
        n = -1;
        break;
      }
      case OPF_CLASS: {
        uint16_t c = img_rd16(ip + 1);
        n = snprintf(text, sizeof text, "%s %s%s", toit_opcode_name[op],
                     img_name(img, img_class_at(img, c & 0x7fff)->name), c & 0x8000 ? "?" : "");
        break;
      }
      case OPF_METHOD: {
        fprintf(out, "  %4u: %s ", pc, toit_opcode_name[op]);
        method_title(img, img_rd16(ip + 1), out);
        n = -1;
        break;
      }
      case OPF_LAMBDA: {
        fprintf(out, "  %4u: %s %u captured, ", pc, toit_opcode_name[op], ip[3]);
        method_title(img, img_rd16(ip + 1), out);
        n = -1;
        break;
      }
      case OPF_VIRTUAL: {
        const char *sn = img_selector_name(img, img_rd16(ip + 2));
        n = snprintf(text, sizeof text, "%s %s (%u args)", toit_opcode_name[op], sn ? sn : "?", ip[1]);
        break;
      }
      case OPF_LOCAL_U8: n = snprintf(text, sizeof text, "%s %u %u", toit_opcode_name[op], ip[1], ip[2]); break;
      case OPF_LOCAL_FIELD: {
        const char *sn = img_selector_name(img, img_rd16(ip + 2));
        n = snprintf(text, sizeof text, "%s %u %s (class %u field %u)", toit_opcode_name[op], ip[1], sn ? sn : "?",
                     img_rd16(ip + 4), ip[6]);
        if (ip[7]) n += snprintf(text + n, sizeof text - (size_t)n, " + %u subclasses", ip[7]);
        break;
      }
      case OPF_SET_FIELD: {
        const char *sn = img_selector_name(img, img_rd16(ip + 1));
        n = snprintf(text, sizeof text, "%s %s (class %u field %u)", toit_opcode_name[op], sn ? sn : "?",
                     img_rd16(ip + 3), ip[5]);
        if (ip[6]) n += snprintf(text + n, sizeof text - (size_t)n, " + %u subclasses", ip[6]);
        break;
      }
      case OPF_LOCAL_VIRTUAL: {
        const char *sn = img_selector_name(img, img_rd16(ip + 2));
        n = snprintf(text, sizeof text, "%s %u %s", toit_opcode_name[op], ip[1], sn ? sn : "?");
        break;
      }
      case OPF_BRANCH: n = snprintf(text, sizeof text, "%s to %u", toit_opcode_name[op], pc + img_rd16(ip + 1)); break;
      case OPF_BACK: n = snprintf(text, sizeof text, "%s to %u", toit_opcode_name[op], pc - img_rd16(ip + 1)); break;
      case OPF_PRIM: {
        const uint8_t *pr = img_section_ptr(img, IMG_SEC_PRIMS) + 8 * img_rd16(ip + 1);
        n = snprintf(text, sizeof text, "%s %s", toit_opcode_name[op], img_name(img, img_rd32(pr)));
        break;
      }
      case OPF_RETURN: n = snprintf(text, sizeof text, "%s (drop %u, arity %u)", toit_opcode_name[op], ip[1], ip[2]); break;
      case OPF_NLBRANCH: n = snprintf(text, sizeof text, "%s %u @%u", toit_opcode_name[op], ip[1], img_rd32(ip + 2)); break;
      default: n = snprintf(text, sizeof text, "?"); break;
    }
    if (n >= 0) fprintf(out, "  %4u: %s", pc, text);
    if (pos.file && pos.line != last_line) {
      fprintf(out, "    // line %u", pos.line);
      last_line = pos.line;
    }
    fputc('\n', out);
    pc += (uint32_t)opf_length(fmt);
  }
}

void img_disasm(const img_image *img, FILE *out, const char *only) {
  for (uint32_t i = 0; i < img->method_count; i++) {
    if (only) {
      img_position pos;
      img_lookup_position(img, i, 0, &pos);
      if (!pos.method_name || strcmp(pos.method_name, only) != 0) continue;
    }
    disasm_method(img, i, out);
    fputc('\n', out);
  }
}

void img_stats(const img_image *img, FILE *out) {
  uint32_t filled = 0;
  const uint8_t *d = img_section_ptr(img, IMG_SEC_DISPATCH);
  for (uint32_t i = 0; i < img->dispatch_count; i++)
    if (img_rd16(d + 2 * i)) filled++;
  uint32_t selectors = img_rd32(img_section_ptr(img, IMG_SEC_NAMES));
  fprintf(out, "image size:         %u bytes\n", img->size);
  for (int s = 0; s < IMG_SEC_COUNT; s++) {
    static const char *const names[] = {"roots", "objects", "consts", "classes", "methods", "code",
                                        "dispatch", "globals", "primitives", "names", "debug"};
    fprintf(out, "  %-16s  %u bytes\n", names[s], img->sec[s].size);
  }
  fprintf(out, "classes:            %u\n", img->class_count);
  fprintf(out, "selectors:          %u\n", selectors);
  fprintf(out, "methods:            %u\n", img->method_count);
  fprintf(out, "dispatch entries:   %u\n", filled);
  fprintf(out, "dispatch size:      %u slots (%u bytes)\n", img->dispatch_count, 2 * img->dispatch_count);
  fprintf(out, "dispatch fill:      %.1f%%\n", img->dispatch_count ? 100.0 * filled / img->dispatch_count : 0.0);
}
