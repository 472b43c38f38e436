/* Image validation and lookups. See image.h and docs/image-format.md. */
#include "image/image.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "image/opcodes.h"

const uint8_t toit_opcode_format[OP_COUNT] = {
#define TOIT_OPCODE_FMT(name, fmt, text) fmt,
    TOIT_OPCODES(TOIT_OPCODE_FMT)
#undef TOIT_OPCODE_FMT
};
const char *const toit_opcode_name[OP_COUNT] = {
#define TOIT_OPCODE_NAME(name, fmt, text) text,
    TOIT_OPCODES(TOIT_OPCODE_NAME)
#undef TOIT_OPCODE_NAME
};

static const char *const section_names[IMG_SEC_COUNT] = {
#define IMG_SECTION_NAME(name, text) text,
    IMG_SECTIONS(IMG_SECTION_NAME)
#undef IMG_SECTION_NAME
};

/* CRC-32 (IEEE 802.3, reflected 0xedb88320), table-driven: the table is
 * built on first use (1 KB of RAM, or flash if made const by a build step). */
static uint32_t crc_table[256];
static int crc_ready;

uint32_t img_crc32(const uint8_t *p, size_t n, uint32_t crc) {
  if (!crc_ready) {
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
      crc_table[i] = c;
    }
    crc_ready = 1;
  }
  crc = ~crc;
  while (n--) crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

typedef struct {
  img_image *img;
  char *err;
  size_t cap;
  uint8_t *object_starts; /* bitmap over OBJECTS (8-byte granules) */
} vctx;

static img_status fail(vctx *v, img_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(v->err, v->cap, fmt, ap);
  va_end(ap);
  return st;
}

static bool name_ok(const img_image *img, uint32_t off) {
  const img_section *s = &img->sec[IMG_SEC_NAMES];
  return off < s->size;  /* NAMES ends with a NUL (checked), so the string ends inside */
}

static const uint8_t *sec(const img_image *img, img_section_id id) {
  return img->base + img->sec[id].offset;
}

static img_status check_sections(vctx *v) {
  img_image *img = v->img;
  uint32_t min = IMG_HEADER_SIZE + 8 * IMG_SEC_COUNT;
  for (int i = 0; i < IMG_SEC_COUNT; i++) {
    const uint8_t *e = img->base + IMG_HEADER_SIZE + 8 * i;
    img->sec[i].offset = img_rd32(e);
    img->sec[i].size = img_rd32(e + 4);
    if (img->sec[i].offset % 8 || img->sec[i].offset < min ||
        img->sec[i].size > img->size - img->sec[i].offset)
      return fail(v, IMG_ERR_SECTION, "section '%s' lies outside the image or overlaps another",
                  section_names[i]);
    min = img->sec[i].offset + img->sec[i].size;
  }
  return IMG_OK;
}

static img_status check_names(vctx *v) {
  img_image *img = v->img;
  const img_section *s = &img->sec[IMG_SEC_NAMES];
  if (s->size < 5 || sec(img, IMG_SEC_NAMES)[s->size - 1] != 0)
    return fail(v, IMG_ERR_NAME, "the names section is malformed");
  uint32_t count = img_rd32(sec(img, IMG_SEC_NAMES));
  if (count > (s->size - 4) / 8) return fail(v, IMG_ERR_NAME, "the selector name table is truncated");
  for (uint32_t i = 0; i < count; i++) {
    const uint8_t *e = sec(img, IMG_SEC_NAMES) + 4 + 8 * i;
    if (!name_ok(img, img_rd32(e + 4))) return fail(v, IMG_ERR_NAME, "a selector name is out of range");
  }
  return IMG_OK;
}

static img_status check_classes(vctx *v) {
  img_image *img = v->img;
  const img_section *s = &img->sec[IMG_SEC_CLASSES];
  if (s->size % 12 || s->size == 0 || s->size / 12 > 0xfff0)
    return fail(v, IMG_ERR_CLASS, "the class table has a bad size");
  img->class_count = s->size / 12;
  for (uint32_t id = 0; id < img->class_count; id++) {
    const img_class *c = img_class_at(img, id);
    uint16_t super = img_rd16((const uint8_t *)&c->super), end = img_rd16((const uint8_t *)&c->end);
    if (c->layout >= LAYOUT_COUNT || !name_ok(img, img_rd32((const uint8_t *)&c->name)))
      return fail(v, IMG_ERR_CLASS, "class %u is malformed", id);
    if (end <= id || end > img->class_count)
      return fail(v, IMG_ERR_CLASS, "class %u has a bad subclass range", id);
    if (id == 0 ? super != 0xffff : super >= id)
      return fail(v, IMG_ERR_CLASS, "class %u has a bad superclass", id);
    if (id > 0) {
      const img_class *sc = img_class_at(img, super);
      if (end > img_rd16((const uint8_t *)&sc->end))
        return fail(v, IMG_ERR_CLASS, "class %u is not nested in its superclass", id);
      if (c->layout == LAYOUT_INSTANCE && sc->layout == LAYOUT_INSTANCE && c->fields < sc->fields)
        return fail(v, IMG_ERR_CLASS, "class %u has fewer fields than its superclass", id);
    }
  }
  return IMG_OK;
}

static size_t image_object_size(const img_image *img, const uint8_t *o, size_t avail, bool *ok) {
  *ok = false;
  if (avail < 8) return 0;
  uint32_t hdr = img_rd32(o);
  uint32_t cls = hdr & 0xffff;
  if ((hdr >> 16) != 0 || cls >= img->class_count) return 0;
  const img_class *c = img_class_at(img, cls);
  size_t size;
  switch (c->layout) {
    case LAYOUT_INSTANCE:
      if (c->fields != 0) return 0;
      size = 8;
      break;
    case LAYOUT_FLOAT: case LAYOUT_LARGEINT:
      /* The pad word must be 0: a float whose pad is set is a temporary the
       * interpreter may overwrite (interp.c), and image objects are read-only. */
      if (avail < 16 || img_rd32(o + 4) != 0) return 0;
      size = 16;
      break;
    case LAYOUT_STRING: {
      uint32_t n = img_rd32(o + 4);
      if (n > avail - 8 - 1 || o[8 + n] != 0) return 0;
      size = 8 + (size_t)n + 1;
      break;
    }
    case LAYOUT_BYTES: {
      uint32_t n = img_rd32(o + 4);
      if (n > avail - 8) return 0;
      size = 8 + (size_t)n;
      break;
    }
    default: return 0;
  }
  size = (size + 7) & ~(size_t)7;
  if (size > avail) return 0;
  *ok = true;
  return size;
}

static bool is_object_start(vctx *v, uint32_t off) {
  return off % 8 == 0 && off < v->img->sec[IMG_SEC_OBJECTS].size &&
         (v->object_starts[off / 64] >> ((off / 8) % 8) & 1);
}

static img_status check_objects(vctx *v) {
  img_image *img = v->img;
  const img_section *s = &img->sec[IMG_SEC_OBJECTS];
  v->object_starts = calloc(s->size / 64 + 1, 1);
  if (!v->object_starts) return fail(v, IMG_ERR_OBJECT, "out of memory validating the image");
  uint32_t at = 0;
  const uint8_t *objs = sec(img, IMG_SEC_OBJECTS);
  while (at < s->size) {
    bool ok;
    size_t size = image_object_size(img, objs + at, s->size - at, &ok);
    if (!ok) return fail(v, IMG_ERR_OBJECT, "the object at offset %u is malformed", at);
    v->object_starts[at / 64] |= (uint8_t)(1u << ((at / 8) % 8));
    at += (uint32_t)size;
  }
  const img_section *c = &img->sec[IMG_SEC_CONSTS];
  if (c->size % 4) return fail(v, IMG_ERR_OBJECT, "the constant table has a bad size");
  img->const_count = c->size / 4;
  for (uint32_t i = 0; i < img->const_count; i++) {
    if (!is_object_start(v, img_const_offset(img, i)))
      return fail(v, IMG_ERR_OBJECT, "constant %u does not point at an object", i);
  }
  return IMG_OK;
}

static img_status check_roots(vctx *v) {
  img_image *img = v->img;
  if (img->sec[IMG_SEC_ROOTS].size != IMG_ROOTS_SIZE)
    return fail(v, IMG_ERR_SECTION, "the roots section has a bad size");
  const uint8_t *r = sec(img, IMG_SEC_ROOTS);
  static const uint8_t want_layout[IMG_CLASS_ROOT_COUNT] = {
      [IMG_CLASS_OBJECT] = LAYOUT_INSTANCE, [IMG_CLASS_NULL_] = LAYOUT_INSTANCE,
      [IMG_CLASS_BOOL] = LAYOUT_INSTANCE, [IMG_CLASS_SMI] = LAYOUT_SMI,
      [IMG_CLASS_LARGEINT] = LAYOUT_LARGEINT, [IMG_CLASS_FLOAT] = LAYOUT_FLOAT,
      [IMG_CLASS_STRING] = LAYOUT_STRING, [IMG_CLASS_ARRAY] = LAYOUT_ARRAY,
      [IMG_CLASS_BYTE_ARRAY] = LAYOUT_BYTES, [IMG_CLASS_LIST] = LAYOUT_INSTANCE,
      [IMG_CLASS_LAMBDA] = LAYOUT_INSTANCE, [IMG_CLASS_BOX] = LAYOUT_INSTANCE,
      [IMG_CLASS_STACK] = LAYOUT_STACK, [IMG_CLASS_TASK] = LAYOUT_INSTANCE,
      [IMG_CLASS_ABSENT] = LAYOUT_INSTANCE, [IMG_CLASS_INT] = LAYOUT_INSTANCE,
      [IMG_CLASS_NUM] = LAYOUT_INSTANCE};
  for (int i = 0; i < IMG_CLASS_ROOT_COUNT; i++) {
    img->class_ids[i] = img_rd16(r);
    r += 2;
    if (img->class_ids[i] >= img->class_count ||
        img_class_at(img, img->class_ids[i])->layout != want_layout[i])
      return fail(v, IMG_ERR_CLASS, "well-known class %d is missing or has the wrong layout", i);
  }
  static const uint8_t want_class[IMG_OBJECT_ROOT_COUNT] = {IMG_CLASS_NULL_, IMG_CLASS_BOOL,
                                                            IMG_CLASS_BOOL, IMG_CLASS_ABSENT};
  for (int i = 0; i < IMG_OBJECT_ROOT_COUNT; i++) {
    img->objects[i] = img_rd32(r);
    r += 4;
    if (!is_object_start(v, img->objects[i]) ||
        (img_rd32(img_object(img, img->objects[i])) & 0xffff) != img->class_ids[want_class[i]])
      return fail(v, IMG_ERR_OBJECT, "well-known object %d is missing", i);
  }
  if (img->objects[IMG_TRUE_OBJ] == img->objects[IMG_FALSE_OBJ])
    return fail(v, IMG_ERR_OBJECT, "true and false are the same object");
  for (int i = 0; i < IMG_SELECTOR_ROOT_COUNT; i++) {
    img->selectors[i] = img_rd16(r);
    r += 2;
  }
  img->main_method = img_rd16(r);
  img->global_count = img_rd16(r + 2);
  return IMG_OK;
}

/* Stack effect of an instruction: pops, pushes. */
static bool stack_effect(const img_image *img, const uint8_t *ip, int *pop, int *push) {
  *pop = 0;
  *push = 0;
  switch ((toit_opcode)ip[0]) {
    case OP_LOAD_LOCAL: case OP_LOAD_LOCAL_0: case OP_LOAD_LOCAL_1: case OP_LOAD_LOCAL_2:
    case OP_LOAD_LOCAL_3: case OP_LOAD_LOCAL_4: case OP_LOAD_LOCAL_5: case OP_DUP:
    case OP_LOAD_SMI_0: case OP_LOAD_SMI_1: case OP_LOAD_SMI: case OP_LOAD_SMI16: case OP_LOAD_SMI32:
    case OP_LOAD_CONST: case OP_LOAD_INT: case OP_LOAD_NULL: case OP_LOAD_TRUE: case OP_LOAD_FALSE:
    case OP_LOAD_ABSENT: case OP_LOAD_GLOBAL: case OP_LOAD_GLOBAL_LAZY: case OP_LOAD_BLOCK:
    case OP_ALLOCATE: case OP_LOAD_LOCAL_ADD_SMI: case OP_INVOKE_LOCAL: case OP_LOAD_OUTER_LOCAL:
    case OP_LOAD_FIELD_LOCAL: case OP_LOCALS_ADD: case OP_LOCALS_SUB: case OP_LOCALS_MUL: case OP_INVOKE_FIELD_LOCAL:
    case OP_INVOKE_FIELD_ADD: case OP_INVOKE_FIELD_SUB: case OP_INVOKE_FIELD_MUL: case OP_INVOKE_FIELD_DIV:
    case OP_LOCALS_ADD_TEMP: case OP_LOCALS_SUB_TEMP: case OP_LOCALS_MUL_TEMP:
      *push = 1;
      return true;
    case OP_LOAD_LOCAL_FIELD: *push = 2; return true;
    case OP_INVOKE_EQ_SMI: case OP_INVOKE_LT_SMI: case OP_INVOKE_LE_SMI: case OP_INVOKE_GT_SMI:
    case OP_INVOKE_GE_SMI: case OP_INVOKE_ADD_SMI: case OP_INVOKE_SUB_SMI:
    case OP_STORE_LOCAL: case OP_STORE_GLOBAL: case OP_LOAD_FIELD: case OP_LOAD_OUTER:
    case OP_INVOKE_ADD_LOCAL: case OP_INVOKE_SUB_LOCAL: case OP_INVOKE_MUL_LOCAL: case OP_INVOKE_DIV_LOCAL:
    case OP_INVOKE_ADD_LOCAL_TEMP: case OP_INVOKE_SUB_LOCAL_TEMP: case OP_INVOKE_MUL_LOCAL_TEMP:
    case OP_INVOKE_DIV_LOCAL_TEMP: case OP_LOCAL_ADD: case OP_LOCAL_SUB: case OP_LOCAL_MUL:
    case OP_LOCAL_ADD_TEMP: case OP_LOCAL_SUB_TEMP: case OP_LOCAL_MUL_TEMP:
    case OP_NOT: case OP_IS_CLASS: case OP_AS_CLASS: case OP_IS_INTERFACE: case OP_AS_INTERFACE:
      *pop = 1;
      *push = 1;
      return true;
    case OP_STORE_LOCAL_POP: case OP_POP_1: case OP_IF_ABSENT: case OP_BRANCH_IF_TRUE:
    case OP_BRANCH_IF_FALSE: case OP_BRANCH_BACK_IF_TRUE:
      *pop = 1;
      return true;
    case OP_POP: *pop = ip[1]; return true;
    case OP_STORE_FIELD: case OP_STORE_OUTER: case OP_IDENTICAL: case OP_INVOKE_FIELD_SET:
    case OP_INVOKE_EQ: case OP_INVOKE_LT: case OP_INVOKE_LE: case OP_INVOKE_GT: case OP_INVOKE_GE:
    case OP_INVOKE_ADD: case OP_INVOKE_SUB: case OP_INVOKE_MUL: case OP_INVOKE_DIV:
    case OP_INVOKE_MOD: case OP_INVOKE_BIT_AND: case OP_INVOKE_BIT_OR: case OP_INVOKE_BIT_XOR:
    case OP_INVOKE_SHL: case OP_INVOKE_SHR: case OP_INVOKE_USHR: case OP_INVOKE_INDEX:
    case OP_INVOKE_ADD_TEMP: case OP_INVOKE_SUB_TEMP: case OP_INVOKE_MUL_TEMP: case OP_INVOKE_DIV_TEMP:
    case OP_INVOKE_MOD_TEMP: case OP_INVOKE_ADD_SETF: case OP_INVOKE_SUB_SETF: case OP_INVOKE_MUL_SETF:
    case OP_INVOKE_DIV_SETF:
      *pop = 2;
      *push = 1;
      return true;
    case OP_INVOKE_INDEX_SET: *pop = 3; *push = 1; return true;
    case OP_INVOKE_STATIC: {
      uint16_t m = img_rd16(ip + 1);
      if (m >= img->method_count) return false;
      *pop = img_method(img, m)[0];
      *push = 1;
      return true;
    }
    case OP_INVOKE_VIRTUAL: *pop = ip[1]; *push = 1; return ip[1] >= 1;
    case OP_INVOKE_BLOCK: *pop = ip[1]; *push = 1; return ip[1] >= 1;
    case OP_PRIMITIVE: *pop = ip[3]; *push = 1; return true;
    case OP_CONCAT: *pop = ip[1]; *push = 1; return ip[1] >= 1;
    case OP_CREATE_ARRAY: *pop = img_rd16(ip + 1); *push = 1; return true;
    case OP_CREATE_LAMBDA: *pop = ip[3]; *push = 1; return true;
    case OP_INVOKE_LAMBDA: *pop = ip[1]; *push = 1; return ip[1] >= 1;
    case OP_LINK: *push = 5; return true;
    case OP_UNWIND: *pop = 5; return true;
    case OP_BRANCH: case OP_BRANCH_BACK: case OP_UNLINK: return true;
    case OP_STORE_OUTER_LOCAL: *pop = 1; *push = 1; return true;
    case OP_THROW: *pop = 1; return true;
    case OP_RETURN: case OP_RETURN_UNWIND: *pop = 1; return true;
    case OP_RETURN_NULL: case OP_HALT: return true;
    case OP_NON_LOCAL_RETURN: *pop = 2; return true;
    case OP_NON_LOCAL_BRANCH: *pop = 1; return true;
    default: return false;
  }
}

static bool is_terminator(uint8_t op) {
  return op == OP_RETURN || op == OP_RETURN_NULL || op == OP_RETURN_UNWIND ||
         op == OP_NON_LOCAL_RETURN || op == OP_NON_LOCAL_BRANCH || op == OP_THROW ||
         op == OP_BRANCH || op == OP_BRANCH_BACK || op == OP_HALT;
}

#define UNKNOWN 0xffff
#define INSIDE 0xfffe

/* Operand checks that do not depend on the stack height. */
static img_status check_operands(vctx *vc, uint32_t index, const uint8_t *ip, uint32_t pc, uint32_t len) {
  vctx *v = vc;
  img_image *img = v->img;
  uint8_t op = ip[0];
  int fmt = toit_opcode_format[op];
  if (op >= OP_INVOKE_ADD_SETF && op <= OP_INVOKE_DIV_SETF &&
      (pc + 1 >= len || ip[1] != OP_INVOKE_FIELD_SET))
    return fail(v, IMG_ERR_BYTECODE, "method %u: fused operator without its set field at %u", index, pc);
  switch (fmt) {
    case OPF_CONST:
      if (img_rd16(ip + 1) >= img->const_count) return fail(v, IMG_ERR_BYTECODE, "method %u: bad constant at %u", index, pc);
      break;
    case OPF_GLOBAL:
      if (img_rd16(ip + 1) >= img->global_count) return fail(v, IMG_ERR_BYTECODE, "method %u: bad global at %u", index, pc);
      break;
    case OPF_CLASS: {
      uint16_t c = img_rd16(ip + 1);
      if (op == OP_AS_CLASS) c &= 0x7fff; /* bit 15: null passes too */
      if (c >= img->class_count) return fail(v, IMG_ERR_BYTECODE, "method %u: bad class at %u", index, pc);
      const img_class *k = img_class_at(img, c);
      if (op == OP_ALLOCATE && (k->layout != LAYOUT_INSTANCE || (k->flags & IMG_CLASS_ABSTRACT)))
        return fail(v, IMG_ERR_BYTECODE, "method %u: cannot allocate class %u", index, c);
      break;
    }
    case OPF_METHOD:
      if (img_rd16(ip + 1) >= img->method_count) return fail(v, IMG_ERR_BYTECODE, "method %u: bad method at %u", index, pc);
      break;
    case OPF_VIRTUAL: case OPF_LOCAL_VIRTUAL:
      if ((uint32_t)img_rd16(ip + 2) + img->class_count > img->dispatch_count)
        return fail(v, IMG_ERR_BYTECODE, "method %u: bad selector at %u", index, pc);
      break;
    case OPF_LOCAL_FIELD: case OPF_SET_FIELD: {
      /* Selector, class, field, range - 1: at 2, 4, 6, 7 (get) or 1, 3, 5, 6 (set). */
      const uint8_t *o = fmt == OPF_LOCAL_FIELD ? ip + 1 : ip;
      if ((uint32_t)img_rd16(o + 1) + img->class_count > img->dispatch_count)
        return fail(v, IMG_ERR_BYTECODE, "method %u: bad selector at %u", index, pc);
      uint16_t c = img_rd16(o + 3);
      /* At most IMG_FIELD_RANGE_MAX classes, so that checking stays cheap. */
      if (c >= img->class_count || img_class_at(img, c)->end - c > IMG_FIELD_RANGE_MAX ||
          img_class_at(img, c)->end - c != o[6] + 1)
        return fail(v, IMG_ERR_BYTECODE, "method %u: bad class at %u", index, pc);
      /* The interpreter reads or writes the field of any object in [c, c.end). */
      for (uint32_t k = c; k < img_class_at(img, c)->end; k++)
        if (img_class_at(img, k)->layout != LAYOUT_INSTANCE || o[5] >= img_class_at(img, k)->fields)
          return fail(v, IMG_ERR_BYTECODE, "method %u: class %u lacks field %u at %u", index, k, o[5], pc);
      if (op >= OP_INVOKE_FIELD_ADD && op <= OP_INVOKE_FIELD_DIV) {
        /* Fused with the next instruction, which must be its operator. */
        int k = op - OP_INVOKE_FIELD_ADD;
        if (pc + 8 >= len ||
            (ip[8] != OP_INVOKE_ADD + k && ip[8] != OP_INVOKE_ADD_TEMP + k && ip[8] != OP_INVOKE_ADD_SETF + k))
          return fail(v, IMG_ERR_BYTECODE, "method %u: fused field operation without its operator at %u", index, pc);
      }
      break;
    }
    case OPF_PRIM:
      if (img_rd16(ip + 1) >= img->prim_count ||
          img_rd32(sec(img, IMG_SEC_PRIMS) + 8 * img_rd16(ip + 1) + 4) != ip[3])
        return fail(v, IMG_ERR_BYTECODE, "method %u: bad primitive call at %u", index, pc);
      break;
    case OPF_LAMBDA: {
      uint16_t mi = img_rd16(ip + 1);
      if (mi >= img->method_count || img_method(img, mi)[1] != IMG_METHOD_LAMBDA || img_method(img, mi)[0] < 1 + ip[3])
        return fail(v, IMG_ERR_BYTECODE, "method %u: bad lambda at %u", index, pc);
      break;
    }
    case OPF_SMI32: {
      int32_t v = (int32_t)img_rd32(ip + 1);
      if (v < -(1 << 30) || v >= (1 << 30))
        return fail(vc, IMG_ERR_BYTECODE, "method %u: small integer out of range at %u", index, pc);
      break;
    }
    case OPF_NLBRANCH:
      /* The target is in another method (the loop's), checked when taken. */
      if (img_rd32(ip + 2) > 0xffff)
        return fail(v, IMG_ERR_BYTECODE, "method %u: bad non-local branch at %u", index, pc);
      break;
    case OPF_BRANCH: case OPF_BACK: {
      int32_t target = fmt == OPF_BRANCH ? (int32_t)pc + img_rd16(ip + 1) : (int32_t)pc - img_rd16(ip + 1);
      if (target < 0 || (uint32_t)target >= len || (fmt == OPF_BRANCH && (uint32_t)target <= pc))
        return fail(v, IMG_ERR_BYTECODE, "method %u: branch out of the method at %u", index, pc);
      break;
    }
    default: break;
  }
  return IMG_OK;
}

/* Two passes: decode every instruction (operands, boundaries), then follow
 * every path from the entry with its stack height (a worklist), proving
 * that paths agree on heights, never underflow, stay within max_height,
 * never touch the frame marker, return with the exact height and never
 * fall off the end. Unreachable code is decoded but not followed. */
static img_status check_method(vctx *v, uint32_t index, uint16_t *heights, uint16_t *work) {
  img_image *img = v->img;
  const uint8_t *m = img_method(img, index);
  uint8_t arity = m[0], kind = m[1];
  uint16_t max_h = img_rd16(m + 2), sel = img_rd16(m + 4), len = img_rd16(m + 6);
  const uint8_t *bc = m + 8;
  if (kind > IMG_METHOD_SETTER || len == 0)
    return fail(v, IMG_ERR_METHOD, "method %u has a bad header", index);
  if (kind == IMG_METHOD_GETTER &&
      !(arity == 1 && len == 6 && bc[0] == OP_LOAD_LOCAL_1 && bc[1] == OP_LOAD_FIELD && bc[3] == OP_RETURN))
    return fail(v, IMG_ERR_METHOD, "method %u is not a field getter", index);
  if (kind == IMG_METHOD_SETTER &&
      !(arity == 2 && len == 7 && bc[0] == OP_LOAD_LOCAL_2 && bc[1] == OP_LOAD_LOCAL_2 && bc[2] == OP_STORE_FIELD &&
        bc[4] == OP_RETURN))
    return fail(v, IMG_ERR_METHOD, "method %u is not a field setter", index);
  if (sel != 0xffff && sel >= img->dispatch_count)
    return fail(v, IMG_ERR_METHOD, "method %u has a bad selector", index);
  for (uint32_t pc = 0; pc < len;) {
    uint8_t op = bc[pc];
    if (op >= OP_COUNT) return fail(v, IMG_ERR_BYTECODE, "method %u: unknown opcode %u at %u", index, op, pc);
    uint32_t ilen = (uint32_t)opf_length(toit_opcode_format[op]);
    if (pc + ilen > len) return fail(v, IMG_ERR_BYTECODE, "method %u: truncated instruction at %u", index, pc);
    img_status st = check_operands(v, index, bc + pc, pc, len);
    if (st) return st;
    heights[pc] = UNKNOWN;
    for (uint32_t k = 1; k < ilen; k++) heights[pc + k] = INSIDE;
    pc += ilen;
  }
  int top = 0;
  heights[0] = 0;
  work[top++] = 0;
  while (top > 0) {
    uint32_t pc = work[--top];
    int h = heights[pc];
    const uint8_t *ip = bc + pc;
    uint8_t op = ip[0];
    int fmt = toit_opcode_format[op];
    uint32_t ilen = (uint32_t)opf_length(fmt);
    if (fmt == OPF_LOCAL || fmt == OPF_LOCAL_IMM || fmt == OPF_LOCAL_VIRTUAL || fmt == OPF_LOCAL_U8 ||
        fmt == OPF_LOCAL_FIELD) {
      uint8_t n = ip[1];
      /* Slot h is this frame's marker: never readable or writable. */
      if (n == h || n > h + arity || (op == OP_LOAD_BLOCK && n >= h))
        return fail(v, IMG_ERR_BYTECODE, "method %u: bad local %u at %u", index, n, pc);
      uint8_t n2 = ip[2];
      if (op >= OP_LOCALS_ADD && op <= OP_LOCALS_MUL_TEMP && (n2 == h || n2 > h + arity))
        return fail(v, IMG_ERR_BYTECODE, "method %u: bad local %u at %u", index, n2, pc);
    }
    int pop, push;
    if (!stack_effect(img, ip, &pop, &push))
      return fail(v, IMG_ERR_BYTECODE, "method %u: bad instruction at %u", index, pc);
    if (pop > h) return fail(v, IMG_ERR_BYTECODE, "method %u: stack underflow at %u", index, pc);
    if ((op == OP_RETURN || op == OP_RETURN_NULL || op == OP_RETURN_UNWIND) && (ip[1] != h || ip[2] != arity))
      return fail(v, IMG_ERR_BYTECODE, "method %u: bad return at %u", index, pc);
    if (op == OP_UNLINK && h < 5) return fail(v, IMG_ERR_BYTECODE, "method %u: bad unlink at %u", index, pc);
    int nh = h - pop + push;
    if (nh > max_h || (op >= OP_INVOKE_ADD_LOCAL && op <= OP_LOCAL_MUL_TEMP && h + 1 > max_h) ||
        (op >= OP_LOCALS_ADD && op <= OP_LOCALS_MUL_TEMP && h + 2 > max_h))
      return fail(v, IMG_ERR_BYTECODE, "method %u: stack exceeds its declared height at %u", index, pc);
    uint32_t succ[2];
    int succ_h[2];
    int ns = 0;
    if (!is_terminator(op)) {
      if (pc + ilen >= len) return fail(v, IMG_ERR_BYTECODE, "method %u: execution runs off its end", index);
      succ[ns] = pc + ilen;
      succ_h[ns++] = nh;
    }
    if (fmt == OPF_BRANCH || fmt == OPF_BACK) {
      succ[ns] = fmt == OPF_BRANCH ? pc + img_rd16(ip + 1) : pc - img_rd16(ip + 1);
      succ_h[ns++] = op == OP_LINK ? h + 5 : op == OP_IF_ABSENT ? h - 1 : nh;
    }
    for (int k = 0; k < ns; k++) {
      uint32_t t = succ[k];
      if (heights[t] == INSIDE) return fail(v, IMG_ERR_BYTECODE, "method %u: branch into an instruction at %u", index, pc);
      if (heights[t] == UNKNOWN) {
        heights[t] = (uint16_t)succ_h[k];
        work[top++] = (uint16_t)t;
      } else if (heights[t] != succ_h[k]) {
        return fail(v, IMG_ERR_BYTECODE, "method %u: stack height mismatch at %u", index, t);
      }
    }
  }
  return IMG_OK;
}

static img_status check_code(vctx *v) {
  img_image *img = v->img;
  const img_section *ms = &img->sec[IMG_SEC_METHODS];
  const img_section *cs = &img->sec[IMG_SEC_CODE];
  if (ms->size % 4 || ms->size == 0 || ms->size / 4 > 0xffff)
    return fail(v, IMG_ERR_METHOD, "the method table has a bad size");
  img->method_count = ms->size / 4;
  if (cs->size < 1 || sec(img, IMG_SEC_CODE)[0] != OP_HALT)
    return fail(v, IMG_ERR_METHOD, "the code section must start with 'halt'");
  uint32_t expect = 1;
  for (uint32_t i = 0; i < img->method_count; i++) {
    uint32_t off = img_method_offset(img, i);
    if (off != expect || off > cs->size || cs->size - off < 8)
      return fail(v, IMG_ERR_METHOD, "method %u is out of place", i);
    uint16_t len = img_rd16(img_method(img, i) + 6);
    if (cs->size - off - 8 < len) return fail(v, IMG_ERR_METHOD, "method %u is truncated", i);
    expect = off + 8 + len;
  }
  if (expect != cs->size) return fail(v, IMG_ERR_METHOD, "the code section has trailing bytes");
  const img_section *ds = &img->sec[IMG_SEC_DISPATCH];
  if (ds->size % 2) return fail(v, IMG_ERR_DISPATCH, "the dispatch table has a bad size");
  img->dispatch_count = ds->size / 2;
  for (uint32_t i = 0; i < img->dispatch_count; i++) {
    uint16_t e = img_rd16(sec(img, IMG_SEC_DISPATCH) + 2 * i);
    if (e > img->method_count) return fail(v, IMG_ERR_DISPATCH, "dispatch entry %u is out of range", i);
    if (e && img_rd16(img_method(img, e - 1u) + 4) == 0xffff)
      return fail(v, IMG_ERR_DISPATCH, "dispatch entry %u names a static method", i);
    /* A field accessor runs inline at the call without checking the
     * receiver's class: the one class that can hit this entry must be an
     * instance class with that field. */
    const uint8_t *m = e ? img_method(img, e - 1u) : NULL;
    if (m && (m[1] == IMG_METHOD_GETTER || m[1] == IMG_METHOD_SETTER)) {
      uint16_t sel = img_rd16(m + 4), len = img_rd16(m + 6);
      if (len < 4) return fail(v, IMG_ERR_METHOD, "accessor method %u is truncated", e - 1u);
      uint8_t f = m[m[1] == IMG_METHOD_GETTER ? 10 : 11];
      uint32_t c = i - sel;
      if (i >= sel && c < img->class_count &&
          (img_class_at(img, c)->layout != LAYOUT_INSTANCE || f >= img_rd16((const uint8_t *)&img_class_at(img, c)->fields)))
        return fail(v, IMG_ERR_DISPATCH, "dispatch entry %u gives class %u an accessor of a field it lacks", i, c);
    }
  }
  for (int i = 0; i < IMG_SELECTOR_ROOT_COUNT; i++) {
    if (img->selectors[i] != 0xffff && (uint32_t)img->selectors[i] + img->class_count > img->dispatch_count)
      return fail(v, IMG_ERR_DISPATCH, "well-known selector %d is out of range", i);
  }
  if (img->main_method >= img->method_count || img_method(img, img->main_method)[0] > 1)
    return fail(v, IMG_ERR_METHOD, "the entry method is invalid");
  const img_section *ps = &img->sec[IMG_SEC_PRIMS];
  if (ps->size % 8) return fail(v, IMG_ERR_METHOD, "the primitive table has a bad size");
  img->prim_count = ps->size / 8;
  for (uint32_t i = 0; i < img->prim_count; i++)
    if (!name_ok(img, img_rd32(sec(img, IMG_SEC_PRIMS) + 8 * i)))
      return fail(v, IMG_ERR_NAME, "primitive %u has a bad name", i);
  const img_section *gs = &img->sec[IMG_SEC_GLOBALS];
  if (gs->size != 4 * img->global_count) return fail(v, IMG_ERR_GLOBAL, "the global table has a bad size");
  for (uint32_t i = 0; i < img->global_count; i++) {
    uint16_t init = img_rd16(sec(img, IMG_SEC_GLOBALS) + 4 * i);
    if (init != 0xffff && (init >= img->method_count || img_method(img, init)[0] != 0))
      return fail(v, IMG_ERR_GLOBAL, "global %u has a bad initializer", i);
  }
  uint32_t longest = 1;
  for (uint32_t i = 0; i < img->method_count; i++) {
    uint16_t len = img_rd16(img_method(img, i) + 6);
    if (len > longest) longest = len;
  }
  uint16_t *heights = malloc(sizeof(uint16_t) * longest);
  uint16_t *work = malloc(sizeof(uint16_t) * longest);
  img_status st = IMG_OK;
  if (!heights || !work) st = fail(v, IMG_ERR_METHOD, "out of memory validating the image");
  for (uint32_t i = 0; i < img->method_count && st == IMG_OK; i++) st = check_method(v, i, heights, work);
  free(heights);
  free(work);
  return st;
}

static img_status check_debug(vctx *v) {
  img_image *img = v->img;
  const img_section *s = &img->sec[IMG_SEC_DEBUG];
  if (s->size == 0) return IMG_OK;
  const uint8_t *d = sec(img, IMG_SEC_DEBUG);
  if (d[s->size - 1] != 0 || s->size < 8) return fail(v, IMG_ERR_DEBUG, "the debug section is malformed");
  uint32_t files = img_rd32(d);
  if (files > (s->size - 4) / 4) return fail(v, IMG_ERR_DEBUG, "the debug file table is truncated");
  for (uint32_t i = 0; i < files; i++)
    if (img_rd32(d + 4 + 4 * i) >= s->size) return fail(v, IMG_ERR_DEBUG, "bad debug file name");
  uint32_t at = 4 + 4 * files;
  if (at + 4 > s->size) return fail(v, IMG_ERR_DEBUG, "the debug method table is truncated");
  uint32_t methods = img_rd32(d + at);
  at += 4;
  if (methods != img->method_count || methods > (s->size - at) / 12)
    return fail(v, IMG_ERR_DEBUG, "the debug method table does not match the methods");
  for (uint32_t i = 0; i < methods; i++) {
    const uint8_t *e = d + at + 12 * i;
    uint32_t name = img_rd32(e), holder = img_rd32(e + 4), lines = img_rd32(e + 8);
    if (name >= s->size || (holder != 0xffffffffu && holder >= s->size))
      return fail(v, IMG_ERR_DEBUG, "bad debug name for method %u", i);
    if (lines != 0xffffffffu) {
      if (lines > s->size - 4) return fail(v, IMG_ERR_DEBUG, "bad line table for method %u", i);
      uint16_t file = img_rd16(d + lines), count = img_rd16(d + lines + 2);
      if (file >= files || count > (s->size - lines - 4) / 8)
        return fail(v, IMG_ERR_DEBUG, "bad line table for method %u", i);
    }
  }
  return IMG_OK;
}

img_status img_open(img_image *img, const uint8_t *bytes, size_t size, char *err, size_t err_cap) {
  memset(img, 0, sizeof *img);
  vctx v = {img, err, err_cap, NULL};
  if (err_cap) err[0] = 0;
  if ((uintptr_t)bytes % 8) return fail(&v, IMG_ERR_SECTION, "the image is not 8-byte aligned in memory");
  if (size < IMG_HEADER_SIZE + 8 * IMG_SEC_COUNT)
    return fail(&v, IMG_ERR_TRUNCATED, "the image is truncated (%zu bytes)", size);
  if (img_rd32(bytes) != IMG_MAGIC) return fail(&v, IMG_ERR_MAGIC, "not a Toit image (bad magic number)");
  if (img_rd16(bytes + 4) != IMG_VERSION)
    return fail(&v, IMG_ERR_VERSION, "unsupported image version %u (this VM runs version %u)",
                img_rd16(bytes + 4), IMG_VERSION);
  uint32_t total = img_rd32(bytes + 8);
  if (total != size || size > IMG_MAX_SIZE)
    return fail(&v, IMG_ERR_TRUNCATED, "the image is truncated or has extra bytes (header says %u, got %zu)",
                total, size);
  if (img_rd16(bytes + 16) != IMG_SEC_COUNT) return fail(&v, IMG_ERR_SECTION, "unexpected section count");
  uint32_t crc = img_crc32(bytes + 16, size - 16, img_crc32(bytes, 12, 0));
  if (crc != img_rd32(bytes + 12)) return fail(&v, IMG_ERR_CHECKSUM, "the image is corrupt (checksum mismatch)");
  img->base = bytes;
  img->size = (uint32_t)size;
  img->flags = img_rd16(bytes + 6);
  img_status st;
  if ((st = check_sections(&v)) || (st = check_names(&v)) || (st = check_classes(&v)) ||
      (st = check_objects(&v)) || (st = check_roots(&v)) || (st = check_code(&v)) ||
      (st = check_debug(&v))) {
    free(v.object_starts);
    img->base = NULL;
    return st;
  }
  free(v.object_starts);
  return IMG_OK;
}

/* ---- lookups ---- */

bool img_is_instruction_start(const img_image *img, uint32_t method, uint32_t bci) {
  const uint8_t *m = img_method(img, method);
  uint16_t len = img_rd16(m + 6);
  for (uint32_t pc = 0; pc < len; pc += (uint32_t)opf_length(toit_opcode_format[m[8 + pc]])) {
    if (pc == bci) return true;
  }
  return false;
}

int img_method_at_code_offset(const img_image *img, uint32_t off) {
  int lo = 0, hi = (int)img->method_count - 1, found = -1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    if (img_method_offset(img, (uint32_t)mid) <= off) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (found < 0) return -1;
  const uint8_t *m = img_method(img, (uint32_t)found);
  if (off >= img_method_offset(img, (uint32_t)found) + 8u + img_rd16(m + 6)) return -1;
  return found;
}

const char *img_selector_name(const img_image *img, uint32_t offset) {
  const uint8_t *n = img_section_ptr(img, IMG_SEC_NAMES);
  uint32_t count = img_rd32(n);
  for (uint32_t i = 0; i < count; i++) {
    const uint8_t *e = n + 4 + 8 * i;
    if (img_rd16(e) == offset) return img_name(img, img_rd32(e + 4));
  }
  return NULL;
}

void img_lookup_position(const img_image *img, uint32_t index, uint32_t bci, img_position *pos) {
  memset(pos, 0, sizeof *pos);
  const img_section *s = &img->sec[IMG_SEC_DEBUG];
  if (s->size == 0 || index >= img->method_count) return;
  const uint8_t *d = img_section_ptr(img, IMG_SEC_DEBUG);
  uint32_t files = img_rd32(d);
  const uint8_t *e = d + 4 + 4 * files + 4 + 12 * index;
  pos->method_name = (const char *)d + img_rd32(e);
  uint32_t lines = img_rd32(e + 8);
  if (lines == 0xffffffffu) return;
  uint16_t file = img_rd16(d + lines), count = img_rd16(d + lines + 2);
  pos->file = (const char *)d + img_rd32(d + 4 + 4 * file);
  for (uint16_t i = 0; i < count; i++) {
    const uint8_t *l = d + lines + 4 + 8 * i;
    if (img_rd16(l) > bci) break;
    pos->col = img_rd16(l + 2);
    pos->line = img_rd32(l + 4);
  }
}
