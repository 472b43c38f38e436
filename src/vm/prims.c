/* Primitives: the C functions the core library calls with __prim__. Each
 * checks its arguments and throws a Toit exception on bad ones; none trusts
 * a value's type. The table at the end is the only list of them. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vm/errors.h"
#include "vm/interp.h"
#include "vm/message.h"
#include "vm/numfmt.h"
#include "vm/utf8.h"
#include "vm/vm.h"

#define ARG_INT(i, name)                                                         \
  int64_t name;                                                                  \
  if (!vm_is_int(p, args[i], &name)) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE)
#define ARG_FLOAT(i, name)                                                       \
  double name;                                                                   \
  if (!vm_is_float(p, args[i], &name)) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE)
#define ARG_STRING(i, name)                                                      \
  if (!vm_is_string(p, args[i])) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE); \
  obj_bytes *name = (obj_bytes *)as_obj(args[i])
#define ARG_BOOL(i, name)                                                        \
  bool name = args[i] == vm_bool(p, true);                                       \
  if (!name && args[i] != vm_bool(p, false)) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE)

static value new_int(vm_process *p, int64_t v) {
  if (smi_fits(v)) return make_smi((intptr_t)v); /* make_smi(0) is 0: not a failure */
  value r = vm_new_int(p, v);
  return r ? r : vm_oom(p);
}
static value new_float(vm_process *p, double d) {
  value r = vm_new_float(p, d);
  return r ? r : vm_oom(p);
}
static value new_string(vm_process *p, const char *s, size_t n) {
  value r = vm_new_string(p, s, n);
  return r ? r : vm_oom(p);
}

/* ---- object ---- */

static value prim_object_stringify(vm_process *p, value *args) {
  const char *name = vm_class_name(p, vm_class_of(p, args[0]));
  char buf[160];
  int n = snprintf(buf, sizeof buf, "an instance of %s", name);
  return new_string(p, buf, (size_t)n);
}

/* ---- int ---- */

/* Converts a numeric argument for mixed arithmetic: returns 1 for int,
 * 2 for float, 0 for anything else. */
static int num_arg(vm_process *p, value v, int64_t *i, double *d) {
  if (vm_is_int(p, v, i)) return 1;
  if (vm_is_float(p, v, d)) return 2;
  return 0;
}

#define INT_ARITH(fname, int_expr, float_expr)                                   \
  static value fname(vm_process *p, value *args) {                               \
    ARG_INT(0, a);                                                               \
    int64_t b;                                                                   \
    double y;                                                                    \
    switch (num_arg(p, args[1], &b, &y)) {                                       \
      case 1: int_expr;                                                          \
      case 2: {                                                                  \
        double x = (double)a;                                                    \
        float_expr;                                                              \
      }                                                                          \
      default: return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);             \
    }                                                                            \
  }

static int64_t wrap_add(int64_t a, int64_t b) {
  return (int64_t)((uint64_t)a + (uint64_t)b);
}
static int64_t wrap_sub(int64_t a, int64_t b) {
  return (int64_t)((uint64_t)a - (uint64_t)b);
}
static int64_t wrap_mul(int64_t a, int64_t b) {
  return (int64_t)((uint64_t)a * (uint64_t)b);
}

INT_ARITH(prim_int_add, return new_int(p, wrap_add(a, b)), return new_float(p, x + y))
INT_ARITH(prim_int_sub, return new_int(p, wrap_sub(a, b)), return new_float(p, x - y))
INT_ARITH(prim_int_mul, return new_int(p, wrap_mul(a, b)), return new_float(p, x * y))
INT_ARITH(prim_int_div, {
  if (b == 0) return vm_throw_error(p, VM_ERR_DIVISION_BY_ZERO);
  if (b == -1) return new_int(p, wrap_sub(0, a));
  return new_int(p, a / b);
}, return new_float(p, x / y))
INT_ARITH(prim_int_mod, {
  if (b == 0) return vm_throw_error(p, VM_ERR_DIVISION_BY_ZERO);
  if (b == -1) return make_smi(0);
  return new_int(p, a % b);
}, return new_float(p, fmod(x, y)))
INT_ARITH(prim_int_lt, return vm_bool(p, a < b), return vm_bool(p, x < y))
INT_ARITH(prim_int_le, return vm_bool(p, a <= b), return vm_bool(p, x <= y))
INT_ARITH(prim_int_gt, return vm_bool(p, a > b), return vm_bool(p, x > y))
INT_ARITH(prim_int_ge, return vm_bool(p, a >= b), return vm_bool(p, x >= y))

static value prim_int_eq(vm_process *p, value *args) {
  ARG_INT(0, a);
  int64_t b;
  double y;
  switch (num_arg(p, args[1], &b, &y)) {
    case 1: return vm_bool(p, a == b);
    case 2: return vm_bool(p, (double)a == y);
    default: return vm_bool(p, false);
  }
}

#define INT_BITS(fname, expr)                                                    \
  static value fname(vm_process *p, value *args) {                               \
    ARG_INT(0, a);                                                               \
    ARG_INT(1, b);                                                               \
    expr;                                                                        \
  }
INT_BITS(prim_int_and, return new_int(p, a & b))
INT_BITS(prim_int_or, return new_int(p, a | b))
INT_BITS(prim_int_xor, return new_int(p, a ^ b))
INT_BITS(prim_int_shl, {
  if (b < 0) return vm_throw_error(p, VM_ERR_NEGATIVE_ARGUMENT);
  return new_int(p, b >= 64 ? 0 : (int64_t)((uint64_t)a << b));
})
INT_BITS(prim_int_shr, {
  if (b < 0) return vm_throw_error(p, VM_ERR_NEGATIVE_ARGUMENT);
  return new_int(p, b >= 64 ? (a < 0 ? -1 : 0) : a >> b);
})
INT_BITS(prim_int_ushr, {
  if (b < 0) return vm_throw_error(p, VM_ERR_NEGATIVE_ARGUMENT);
  return new_int(p, b >= 64 ? 0 : (int64_t)((uint64_t)a >> b));
})

static value prim_int_neg(vm_process *p, value *args) {
  ARG_INT(0, a);
  return new_int(p, wrap_sub(0, a));
}
static value prim_int_not(vm_process *p, value *args) {
  ARG_INT(0, a);
  return new_int(p, ~a);
}
static value prim_int_to_string(vm_process *p, value *args) {
  ARG_INT(0, a);
  ARG_INT(1, radix);
  if (radix < 2 || radix > 36) return vm_throw_error(p, VM_ERR_OUT_OF_RANGE);
  char buf[NUMFMT_BUF];
  int n = numfmt_int(buf, a, (int)radix);
  return new_string(p, buf, (size_t)n);
}
static value prim_int_to_float(vm_process *p, value *args) {
  ARG_INT(0, a);
  return new_float(p, (double)a);
}
static value prim_int_clz(vm_process *p, value *args) {
  ARG_INT(0, a);
  return make_smi(a == 0 ? 64 : __builtin_clzll((uint64_t)a));
}
static value prim_int_popcount(vm_process *p, value *args) {
  ARG_INT(0, a);
  return make_smi(__builtin_popcountll((uint64_t)a));
}
static value prim_int_parse(vm_process *p, value *args) {
  ARG_STRING(0, s);
  ARG_INT(1, radix);
  if (radix < 2 || radix > 36) return vm_throw_error(p, VM_ERR_OUT_OF_RANGE);
  int64_t v;
  if (!numfmt_parse_int((const char *)s->bytes, s->size, (int)radix, &v))
    return vm_throw_error(p, VM_ERR_INTEGER_PARSING_ERROR);
  return new_int(p, v);
}

/* ---- float ---- */

static value prim_float_nan(vm_process *p, value *args) {
  (void)args;
  return new_float(p, NAN);
}
static value prim_float_infinity(vm_process *p, value *args) {
  (void)args;
  return new_float(p, INFINITY);
}

#define FLOAT_ARITH(fname, expr)                                                 \
  static value fname(vm_process *p, value *args) {                               \
    ARG_FLOAT(0, x);                                                             \
    int64_t b;                                                                   \
    double y;                                                                    \
    switch (num_arg(p, args[1], &b, &y)) {                                       \
      case 1: y = (double)b; /* fall through */                                  \
      case 2: expr;                                                              \
      default: return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);             \
    }                                                                            \
  }
FLOAT_ARITH(prim_float_add, return new_float(p, x + y))
FLOAT_ARITH(prim_float_sub, return new_float(p, x - y))
FLOAT_ARITH(prim_float_mul, return new_float(p, x * y))
FLOAT_ARITH(prim_float_div, return new_float(p, x / y))
FLOAT_ARITH(prim_float_mod, return new_float(p, fmod(x, y)))
FLOAT_ARITH(prim_float_lt, return vm_bool(p, x < y))
FLOAT_ARITH(prim_float_le, return vm_bool(p, x <= y))
FLOAT_ARITH(prim_float_gt, return vm_bool(p, x > y))
FLOAT_ARITH(prim_float_ge, return vm_bool(p, x >= y))

static value prim_float_eq(vm_process *p, value *args) {
  ARG_FLOAT(0, x);
  int64_t b;
  double y;
  switch (num_arg(p, args[1], &b, &y)) {
    case 1: return vm_bool(p, x == (double)b);
    case 2: return vm_bool(p, x == y);
    default: return vm_bool(p, false);
  }
}
static value prim_float_neg(vm_process *p, value *args) {
  ARG_FLOAT(0, x);
  return new_float(p, -x);
}
static value prim_float_to_string(vm_process *p, value *args) {
  ARG_FLOAT(0, x);
  ARG_INT(1, precision);
  char buf[420]; /* %.64f of the largest double: 309 digits, the point and 64 decimals */
  int n;
  if (precision < 0) {
    n = numfmt_float(buf, x);
  } else {
    if (precision > 64) return vm_throw_error(p, VM_ERR_OUT_OF_RANGE);
    n = numfmt_float_fixed(buf, sizeof buf, x, (int)precision);
    if (n < 0) return vm_throw_error(p, VM_ERR_OUT_OF_RANGE);
  }
  return new_string(p, buf, (size_t)n);
}
static value prim_float_sign(vm_process *p, value *args) {
  ARG_FLOAT(0, x);
  if (signbit(x) && !isnan(x)) return make_smi(-1);
  return make_smi(x == 0.0 ? 0 : 1);
}
static value prim_float_sqrt(vm_process *p, value *args) {
  ARG_FLOAT(0, x);
  return new_float(p, sqrt(x));
}
static bool float_to_int(double x, int64_t *out) {
  if (isnan(x) || x >= 9223372036854775808.0 || x < -9223372036854775808.0) return false;
  *out = (int64_t)x;
  return true;
}
static value prim_float_round(vm_process *p, value *args) {
  ARG_FLOAT(0, x);
  int64_t v;
  if (!float_to_int(round(x), &v)) return vm_throw_error(p, VM_ERR_OUT_OF_RANGE);
  return new_int(p, v);
}
static value prim_float_floor(vm_process *p, value *args) {
  ARG_FLOAT(0, x);
  return new_float(p, floor(x));
}
static value prim_float_ceil(vm_process *p, value *args) {
  ARG_FLOAT(0, x);
  return new_float(p, ceil(x));
}
static value prim_float_truncate(vm_process *p, value *args) {
  ARG_FLOAT(0, x);
  return new_float(p, trunc(x));
}
static value prim_float_to_int(vm_process *p, value *args) {
  ARG_FLOAT(0, x);
  if (isnan(x)) return vm_throw_error(p, VM_ERR_INVALID_ARGUMENT);
  int64_t v;
  if (!float_to_int(x, &v)) return vm_throw_error(p, VM_ERR_OUT_OF_RANGE);
  return new_int(p, v);
}
static value prim_float_is_nan(vm_process *p, value *args) {
  ARG_FLOAT(0, x);
  return vm_bool(p, isnan(x));
}
static value prim_float_is_finite(vm_process *p, value *args) {
  ARG_FLOAT(0, x);
  return vm_bool(p, isfinite(x));
}
static value prim_float_parse(vm_process *p, value *args) {
  ARG_STRING(0, s);
  double d;
  if (!numfmt_parse_float((const char *)s->bytes, s->size, &d))
    return vm_throw_error(p, VM_ERR_FLOAT_PARSING_ERROR);
  return new_float(p, d);
}

/* ---- string ---- */

static int utf8_len(uint8_t b) {
  if (b < 0x80) return 1;
  if ((b & 0xe0) == 0xc0) return 2;
  if ((b & 0xf0) == 0xe0) return 3;
  if ((b & 0xf8) == 0xf0) return 4;
  return 0; /* continuation byte or invalid */
}

static bool is_continuation(const obj_bytes *s, int64_t i) {
  return i > 0 && i < (int64_t)s->size && (s->bytes[i] & 0xc0) == 0x80;
}

static value prim_string_size(vm_process *p, value *args) {
  ARG_STRING(0, s);
  return make_smi(s->size);
}
static value prim_string_rune_count(vm_process *p, value *args) {
  ARG_STRING(0, s);
  int64_t n = 0;
  for (uint32_t i = 0; i < s->size; i++)
    if ((s->bytes[i] & 0xc0) != 0x80) n++;
  return make_smi((intptr_t)n);
}
static value prim_string_at(vm_process *p, value *args) {
  ARG_STRING(0, s);
  ARG_INT(1, i);
  if (i < 0 || i >= (int64_t)s->size) return vm_throw_error(p, VM_ERR_OUT_OF_BOUNDS);
  uint8_t b = s->bytes[i];
  int n = utf8_len(b);
  if (n == 0) return vm_null(p);
  if (n == 1) return make_smi(b);
  if (i + n > (int64_t)s->size) return vm_null(p);
  uint32_t cp = b & (0x7f >> n);
  for (int k = 1; k < n; k++) cp = (cp << 6) | (s->bytes[i + k] & 0x3f);
  return make_smi((intptr_t)cp);
}
static value prim_string_raw_at(vm_process *p, value *args) {
  ARG_STRING(0, s);
  ARG_INT(1, i);
  if (i < 0 || i >= (int64_t)s->size) return vm_throw_error(p, VM_ERR_OUT_OF_BOUNDS);
  return make_smi(s->bytes[i]);
}
static value prim_string_rune_size(vm_process *p, value *args) {
  ARG_STRING(0, s);
  ARG_INT(1, i);
  if (i < 0 || i >= (int64_t)s->size) return vm_throw_error(p, VM_ERR_OUT_OF_BOUNDS);
  int n = utf8_len(s->bytes[i]);
  if (n == 0 || i + n > (int64_t)s->size) n = 1;
  return make_smi(n);
}
static value prim_string_slice(vm_process *p, value *args) {
  ARG_STRING(0, s);
  ARG_INT(1, from);
  ARG_INT(2, to);
  if (from < 0 || to > (int64_t)s->size || from > to) return vm_throw_error(p, VM_ERR_OUT_OF_BOUNDS);
  if (is_continuation(s, from) || is_continuation(s, to)) return vm_throw_error(p, VM_ERR_ILLEGAL_UTF_8);
  if (from == 0 && to == (int64_t)s->size) return args[0];
  return new_string(p, (const char *)s->bytes + from, (size_t)(to - from));
}
static value prim_string_concat(vm_process *p, value *args) {
  return vm_concat(p, args, 2);
}
static value prim_string_repeat(vm_process *p, value *args) {
  ARG_STRING(0, s);
  ARG_INT(1, n);
  if (n < 0) return vm_throw_error(p, VM_ERR_NEGATIVE_ARGUMENT);
  if (s->size && (uint64_t)n > 0x3fffffffu / s->size) return vm_throw_error(p, VM_ERR_OUT_OF_RANGE);
  size_t total = (size_t)n * s->size;
  value r = vm_new_string(p, NULL, total);
  if (!r) return vm_oom(p);
  obj_bytes *o = (obj_bytes *)as_obj(r);
  s = (obj_bytes *)as_obj(args[0]);
  for (int64_t k = 0; k < n; k++) memcpy(o->bytes + k * s->size, s->bytes, s->size);
  return r;
}
static value prim_string_equals(vm_process *p, value *args) {
  if (!vm_is_string(p, args[1])) return vm_bool(p, false);
  return vm_bool(p, vm_identical(p, args[0], args[1]));
}
static value prim_string_compare(vm_process *p, value *args) {
  ARG_STRING(0, a);
  ARG_STRING(1, b);
  uint32_t n = a->size < b->size ? a->size : b->size;
  int c = memcmp(a->bytes, b->bytes, n);
  if (c == 0) c = a->size < b->size ? -1 : a->size > b->size ? 1 : 0;
  return make_smi(c < 0 ? -1 : c > 0 ? 1 : 0);
}
static uint32_t string_hash(const obj_bytes *s);

static value prim_string_hash(vm_process *p, value *args) {
  ARG_STRING(0, s);
  return make_smi((intptr_t)string_hash(s));
}
static value prim_string_index_of(vm_process *p, value *args) {
  ARG_STRING(0, s);
  ARG_STRING(1, needle);
  ARG_INT(2, from);
  ARG_INT(3, to);
  ARG_BOOL(4, last);
  if (from < 0 || to > (int64_t)s->size || from > to) return vm_throw_error(p, VM_ERR_OUT_OF_BOUNDS);
  int64_t n = needle->size;
  if (last) {
    for (int64_t i = to - n; i >= from; i--)
      if (memcmp(s->bytes + i, needle->bytes, (size_t)n) == 0) return make_smi((intptr_t)i);
    return make_smi(-1);
  }
  if (n == 0) return make_smi((intptr_t)from);
  for (int64_t i = from; i + n <= to; i++) {
    if (s->bytes[i] == needle->bytes[0] && memcmp(s->bytes + i, needle->bytes, (size_t)n) == 0)
      return make_smi((intptr_t)i);
  }
  return make_smi(-1);
}
static bool is_space(uint8_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
static value prim_string_trim(vm_process *p, value *args) {
  ARG_STRING(0, s);
  ARG_BOOL(1, left);
  ARG_BOOL(2, right);
  uint32_t a = 0, b = s->size;
  if (left)
    while (a < b && is_space(s->bytes[a])) a++;
  if (right)
    while (b > a && is_space(s->bytes[b - 1])) b--;
  if (a == 0 && b == s->size) return args[0];
  return new_string(p, (const char *)s->bytes + a, b - a);
}
static value prim_string_case(vm_process *p, value *args) {
  ARG_STRING(0, s);
  ARG_BOOL(1, upper);
  value r = vm_new_string(p, NULL, s->size);
  if (!r) return vm_oom(p);
  obj_bytes *o = (obj_bytes *)as_obj(r);
  s = (obj_bytes *)as_obj(args[0]);
  for (uint32_t i = 0; i < s->size; i++) {
    uint8_t c = s->bytes[i];
    if (upper && c >= 'a' && c <= 'z') c = (uint8_t)(c - 32);
    if (!upper && c >= 'A' && c <= 'Z') c = (uint8_t)(c + 32);
    o->bytes[i] = c;
  }
  return r;
}
static value prim_string_replace(vm_process *p, value *args) {
  ARG_STRING(0, s);
  ARG_STRING(1, old);
  ARG_STRING(2, rep);
  ARG_BOOL(3, all);
  if (old->size == 0) return args[0];
  /* Count matches, then build. */
  size_t count = 0;
  for (uint32_t i = 0; i + old->size <= s->size;) {
    if (memcmp(s->bytes + i, old->bytes, old->size) == 0) {
      count++;
      i += old->size;
      if (!all) break;
    } else {
      i++;
    }
  }
  if (count == 0) return args[0];
  size_t total = s->size + count * rep->size - count * old->size;
  if (total > 0x3fffffff) return vm_throw_error(p, VM_ERR_OUT_OF_RANGE);
  value r = vm_new_string(p, NULL, total);
  if (!r) return vm_oom(p);
  obj_bytes *o = (obj_bytes *)as_obj(r);
  s = (obj_bytes *)as_obj(args[0]);
  old = (obj_bytes *)as_obj(args[1]);
  rep = (obj_bytes *)as_obj(args[2]);
  size_t at = 0, done = 0;
  uint32_t i = 0;
  while (i < s->size) {
    if (done < count && i + old->size <= s->size && memcmp(s->bytes + i, old->bytes, old->size) == 0) {
      memcpy(o->bytes + at, rep->bytes, rep->size);
      at += rep->size;
      i += old->size;
      done++;
    } else {
      o->bytes[at++] = s->bytes[i++];
    }
  }
  return r;
}
static value prim_string_from_rune(vm_process *p, value *args) {
  ARG_INT(0, cp);
  if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return vm_throw_error(p, VM_ERR_INVALID_ARGUMENT);
  char buf[4];
  int n = utf8_encode((uint32_t)cp, buf);
  return new_string(p, buf, (size_t)n);
}
static value prim_string_pad(vm_process *p, value *args) {
  ARG_STRING(0, s);
  ARG_INT(1, width);
  ARG_INT(2, ch);
  ARG_INT(3, mode);
  if (ch < 0 || ch > 0x10ffff) return vm_throw_error(p, VM_ERR_INVALID_ARGUMENT);
  int64_t runes = 0;
  for (uint32_t i = 0; i < s->size; i++)
    if ((s->bytes[i] & 0xc0) != 0x80) runes++;
  if (width <= runes) return args[0];
  if (width > 0x1000000) return vm_throw_error(p, VM_ERR_OUT_OF_RANGE);
  char c[4];
  int cl = utf8_encode((uint32_t)ch, c);
  int64_t pad = width - runes;
  int64_t left = mode == 0 ? pad : mode == 1 ? 0 : pad / 2;
  int64_t right = pad - left;
  value r = vm_new_string(p, NULL, s->size + (size_t)(pad * cl));
  if (!r) return vm_oom(p);
  obj_bytes *o = (obj_bytes *)as_obj(r);
  s = (obj_bytes *)as_obj(args[0]);
  size_t at = 0;
  for (int64_t k = 0; k < left; k++, at += (size_t)cl) memcpy(o->bytes + at, c, (size_t)cl);
  memcpy(o->bytes + at, s->bytes, s->size);
  at += s->size;
  for (int64_t k = 0; k < right; k++, at += (size_t)cl) memcpy(o->bytes + at, c, (size_t)cl);
  return r;
}
static value new_bytes(vm_process *p, const uint8_t *data, size_t n) {
  if (n > 0x3fffffff) return vm_throw_error(p, VM_ERR_OUT_OF_RANGE);
  obj_bytes *b = vm_heap_alloc(&p->heap, p->img->class_ids[IMG_CLASS_BYTE_ARRAY], sizeof(obj_bytes) + n);
  if (!b) return vm_oom(p);
  b->size = (uint32_t)n;
  if (data) memcpy(b->bytes, data, n);
  return obj_value(b);
}
static value prim_string_to_bytes(vm_process *p, value *args) {
  ARG_STRING(0, s);
  return new_bytes(p, s->bytes, s->size);
}

/* ---- byte arrays ---- */

static bool is_bytes(vm_process *p, value v) {
  return is_obj(v) && obj_class(as_obj(v)) == p->img->class_ids[IMG_CLASS_BYTE_ARRAY];
}
static value prim_bytes_new(vm_process *p, value *args) {
  ARG_INT(0, n);
  if (n < 0) return vm_throw_error(p, VM_ERR_NEGATIVE_ARGUMENT);
  return new_bytes(p, NULL, (size_t)n);
}
static value prim_bytes_size(vm_process *p, value *args) {
  if (!is_bytes(p, args[0])) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
  return make_smi(((obj_bytes *)as_obj(args[0]))->size);
}
static value prim_bytes_at(vm_process *p, value *args) {
  if (!is_bytes(p, args[0])) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
  obj_bytes *b = (obj_bytes *)as_obj(args[0]);
  ARG_INT(1, i);
  if (i < 0 || i >= (int64_t)b->size) return vm_throw_error(p, VM_ERR_OUT_OF_BOUNDS);
  return make_smi(b->bytes[i]);
}
static value prim_bytes_at_put(vm_process *p, value *args) {
  if (!is_bytes(p, args[0]) || !vm_heap_contains(&p->heap, args[0]))
    return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
  obj_bytes *b = (obj_bytes *)as_obj(args[0]);
  ARG_INT(1, i);
  ARG_INT(2, v);
  if (i < 0 || i >= (int64_t)b->size) return vm_throw_error(p, VM_ERR_OUT_OF_BOUNDS);
  b->bytes[i] = (uint8_t)v;
  return args[2];
}

/* Whether data[0..n) is well-formed UTF-8 (no overlongs, surrogates or
 * code points above 0x10ffff). */
static bool utf8_valid(const uint8_t *data, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = data[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    if (len == 0 || c > 0xf4 || i + (size_t)len > n) return false;
    uint32_t cp = c & (0x3f >> (len - 1));
    for (int k = 1; k < len; k++) {
      if ((data[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (data[i + k] & 0x3f);
    }
    static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += (size_t)len;
  }
  return true;
}
static value prim_bytes_to_string(vm_process *p, value *args) {
  if (!is_bytes(p, args[0])) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
  ARG_INT(1, from);
  ARG_INT(2, to);
  obj_bytes *b = (obj_bytes *)as_obj(args[0]);
  if (from < 0 || to > (int64_t)b->size || from > to) return vm_throw_error(p, VM_ERR_OUT_OF_BOUNDS);
  if (!utf8_valid(b->bytes + from, (size_t)(to - from))) return vm_throw_error(p, VM_ERR_ILLEGAL_UTF_8);
  return new_string(p, (const char *)b->bytes + from, (size_t)(to - from));
}

/* ---- arrays (the backing store of List) ---- */

static obj_array *array_arg(vm_process *p, value v) {
  if (!is_obj(v) || obj_class(as_obj(v)) != p->img->class_ids[IMG_CLASS_ARRAY]) return NULL;
  return (obj_array *)as_obj(v);
}
static value prim_array_new(vm_process *p, value *args) {
  ARG_INT(0, n);
  if (n < 0) return vm_throw_error(p, VM_ERR_NEGATIVE_ARGUMENT);
  if (n > (1 << 26)) return vm_throw_error(p, VM_ERR_OUT_OF_RANGE);
  value a = vm_new_array(p, (uint32_t)n, vm_null(p));
  return a ? a : vm_oom(p);
}
static value prim_array_size(vm_process *p, value *args) {
  obj_array *a = array_arg(p, args[0]);
  if (!a) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
  return make_smi(a->length);
}
value vm_prim_array_at(vm_process *p, value *args) {
  obj_array *a = array_arg(p, args[0]);
  if (!a) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
  ARG_INT(1, i);
  if (i < 0 || i >= (int64_t)a->length) return vm_throw_error(p, VM_ERR_OUT_OF_BOUNDS);
  return a->elems[i];
}
value vm_prim_array_at_put(vm_process *p, value *args) {
  obj_array *a = array_arg(p, args[0]);
  if (!a) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
  ARG_INT(1, i);
  if (i < 0 || i >= (int64_t)a->length) return vm_throw_error(p, VM_ERR_OUT_OF_BOUNDS);
  a->elems[i] = args[2];
  return args[2];
}
static value prim_array_grow(vm_process *p, value *args) {
  obj_array *a = array_arg(p, args[0]);
  if (!a) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
  ARG_INT(1, n);
  if (n < (int64_t)a->length || n > (1 << 26)) return vm_throw_error(p, VM_ERR_OUT_OF_RANGE);
  value r = vm_new_array(p, (uint32_t)n, vm_null(p));
  if (!r) return vm_oom(p);
  a = (obj_array *)as_obj(args[0]);
  memcpy(((obj_array *)as_obj(r))->elems, a->elems, sizeof(value) * a->length);
  return r;
}

/* Sorts the first n elements of an array in place, stably, when they are
 * all numbers or all strings; returns false (untouched) otherwise, and the
 * core library falls back to its own merge sort. */
static int compare_values(vm_process *p, value a, value b, bool strings) {
  if (strings) {
    obj_bytes *x = (obj_bytes *)as_obj(a), *y = (obj_bytes *)as_obj(b);
    uint32_t n = x->size < y->size ? x->size : y->size;
    int c = memcmp(x->bytes, y->bytes, n);
    if (c) return c;
    return x->size < y->size ? -1 : x->size > y->size;
  }
  int64_t i, j;
  double d, e;
  if (vm_is_int(p, a, &i) && vm_is_int(p, b, &j)) return i < j ? -1 : i > j;
  d = vm_is_int(p, a, &i) ? (double)i : float_value(a);
  e = vm_is_int(p, b, &j) ? (double)j : float_value(b);
  return d < e ? -1 : d > e;
}

static value prim_array_sort(vm_process *p, value *args) {
  obj_array *a = array_arg(p, args[0]);
  if (!a) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
  ARG_INT(1, n);
  if (n < 0 || n > (int64_t)a->length) return vm_throw_error(p, VM_ERR_OUT_OF_BOUNDS);
  bool strings = n > 0 && vm_is_string(p, a->elems[0]);
  for (int64_t k = 0; k < n; k++) {
    int64_t i;
    double d;
    value v = a->elems[k];
    if (strings ? !vm_is_string(p, v) : !(vm_is_int(p, v, &i) || (vm_is_float(p, v, &d) && !isnan(d))))
      return vm_bool(p, false);
  }
  if (n < 2) return vm_bool(p, true);
  value *tmp = malloc(sizeof(value) * (size_t)n);
  if (!tmp) return vm_oom(p);
  value *src = a->elems, *dst = tmp;
  for (int64_t width = 1; width < n; width *= 2) {
    for (int64_t lo = 0; lo < n; lo += 2 * width) {
      int64_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
      int64_t i = lo, j = mid, k = lo;
      while (k < hi) {
        if (i < mid && (j >= hi || compare_values(p, src[i], src[j], strings) <= 0)) dst[k++] = src[i++];
        else dst[k++] = src[j++];
      }
    }
    value *t = src;
    src = dst;
    dst = t;
  }
  if (src != a->elems) memcpy(a->elems, src, sizeof(value) * (size_t)n);
  free(tmp);
  return vm_bool(p, true);
}

/* The slot probing of the core Map for int and string keys (the common
 * case): index is the hash index array, keys the array of entry keys
 * (tombstone marks removed ones). Returns the entry position, -1 if
 * absent, or -2 for other key types (the Toit code handles those). */
static uint32_t string_hash(const obj_bytes *s) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < s->size; i++) h = (h ^ s->bytes[i]) * 16777619u;
  return h & 0x3fffffff;
}

/* The hash of an int or string key, mixed like hash-of_ in the core library;
 * false for other keys. */
static bool map_key_hash(vm_process *p, value key, uint64_t *h, int64_t *ik, bool *is_string) {
  *is_string = vm_is_string(p, key);
  if (*is_string) {
    *h = string_hash((obj_bytes *)as_obj(key));
  } else if (vm_is_int(p, key, ik)) {
    *h = (uint64_t)*ik;
  } else {
    return false;
  }
  *h = (*h * 0x9e3779b97f4a7c15ull) >> 32;
  return true;
}

/* Returns the entry position of the key, -1 if absent (table full), -2 for
 * key types the Toit code handles, or -3 - slot if absent, where slot is the
 * free index slot that ends the probe (where the key would be inserted). */
static value prim_map_find(vm_process *p, value *args) {
  obj_array *index = array_arg(p, args[0]);
  obj_array *keys = array_arg(p, args[1]);
  value key = args[2], tomb = args[3];
  if (!index || !keys) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
  int64_t ik = 0;
  bool is_string;
  uint64_t h;
  if (!map_key_hash(p, key, &h, &ik, &is_string)) return make_smi(-2);
  uint32_t cap = index->length;
  if (cap == 0 || (cap & (cap - 1))) return vm_throw_error(p, VM_ERR_INVALID_ARGUMENT);
  const obj_bytes *ks = is_string ? (const obj_bytes *)as_obj(key) : NULL;
  for (uint32_t probes = 0; probes < cap; probes++) {
    uint32_t slot = (uint32_t)(h & (cap - 1));
    value e = index->elems[slot];
    if (!is_smi(e)) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
    intptr_t pos = smi_value(e);
    if (pos == 0) return make_smi(-3 - (intptr_t)slot);
    if (pos > 0 && (uint32_t)pos <= keys->length) {
      value k = keys->elems[pos - 1];
      if (k == key) return make_smi(pos - 1);
      if (k != tomb) {
        int64_t jk;
        if (is_string) {
          if (vm_is_string(p, k)) {
            const obj_bytes *s = (const obj_bytes *)as_obj(k);
            if (s->size == ks->size && memcmp(s->bytes, ks->bytes, ks->size) == 0) return make_smi(pos - 1);
          }
        } else if (vm_is_int(p, k, &jk) && jk == ik) {
          return make_smi(pos - 1);
        }
      }
    }
    h = (h & (cap - 1)) + 1;
  }
  return make_smi(-1);
}

/* map.rebuild index keys size tomb: fills the hash index for the first
 * `size` keys (tombstones skipped). False, with the index half built, when
 * a key is neither an int nor a string: the Toit code then does it. */
static value prim_map_rebuild(vm_process *p, value *args) {
  obj_array *index = array_arg(p, args[0]);
  obj_array *keys = array_arg(p, args[1]);
  ARG_INT(2, size);
  value tomb = args[3];
  if (!index || !keys) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
  uint32_t cap = index->length;
  if (cap == 0 || (cap & (cap - 1))) return vm_throw_error(p, VM_ERR_INVALID_ARGUMENT);
  if (size < 0 || size > (int64_t)keys->length || size >= (int64_t)cap) return vm_throw_error(p, VM_ERR_OUT_OF_RANGE);
  for (uint32_t i = 0; i < cap; i++) index->elems[i] = make_smi(0);
  for (uint32_t i = 0; i < (uint32_t)size; i++) {
    value k = keys->elems[i];
    if (k == tomb) continue;
    uint64_t h;
    int64_t ik;
    bool is_string;
    if (!map_key_hash(p, k, &h, &ik, &is_string)) return vm_bool(p, false);
    while (index->elems[h & (cap - 1)] != make_smi(0)) h = (h & (cap - 1)) + 1;
    index->elems[h & (cap - 1)] = make_smi((intptr_t)i + 1);
  }
  return vm_bool(p, true);
}

/* ---- time and random ---- */

#include <time.h>

static value prim_time_now_ns(vm_process *p, value *args) {
  (void)args;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return new_int(p, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
}

static value prim_time_monotonic_us(vm_process *p, value *args) {
  (void)args;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return new_int(p, (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/* xorshift64*: a small, fast generator; per process, seeded from the clock
 * unless set-random-seed is called. */
static uint64_t next_random(vm_process *p) {
  if (p->random_state == 0) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    p->random_state = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ 0x9e3779b97f4a7c15ull;
  }
  uint64_t x = p->random_state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  p->random_state = x;
  return x * 0x2545f4914f6cdd1dull;
}

static value prim_random_next(vm_process *p, value *args) {
  ARG_INT(0, n);
  if (n <= 0) return make_smi(0);
  return new_int(p, (int64_t)(next_random(p) % (uint64_t)n));
}

static value prim_random_seed(vm_process *p, value *args) {
  ARG_STRING(0, s);
  uint64_t h = 1469598103934665603ull;
  for (uint32_t i = 0; i < s->size; i++) h = (h ^ s->bytes[i]) * 1099511628211ull;
  p->random_state = h ? h : 1;
  return vm_null(p);
}

/* ---- tasks ---- */

static value prim_task_spawn(vm_process *p, value *args) {
  ARG_BOOL(1, background);
  if (!is_obj(args[0]) || obj_class(as_obj(args[0])) != p->img->class_ids[IMG_CLASS_LAMBDA])
    return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
  int t = vm_spawn_task(p, args[0], background);
  if (t < 0) return p->task_count >= VM_MAX_TASKS ? vm_throw_string(p, "TOO_MANY_TASKS") : vm_oom(p);
  return make_smi(t);
}

static value prim_task_yield(vm_process *p, value *args) {
  (void)args;
  p->switch_request = VM_SWITCH_YIELD;
  return VM_SWITCH;
}

static value prim_task_sleep(vm_process *p, value *args) {
  ARG_INT(0, ms);
  if (ms <= 0) return vm_null(p);
  p->switch_request = VM_SWITCH_SLEEP;
  p->sleep_until = vm_monotonic_us() + (ms > 1000000000 ? 1000000000 : ms) * 1000;
  return VM_SWITCH;
}

/* `await`: blocks until another task of the process has run. The first wait
 * of an `await` lets the other waiters re-check (this task may have changed
 * what they wait for); later ones, after a failed re-check, do not. */
static value prim_task_await(vm_process *p, value *args) {
  ARG_BOOL(0, first);
  p->switch_request = first ? VM_SWITCH_AWAIT : VM_SWITCH_REAWAIT;
  return VM_SWITCH;
}

/* The same, waiting on one object: only task.notify on it wakes the task. */
static value prim_task_await_on(vm_process *p, value *args) {
  ARG_BOOL(1, first);
  if (!is_obj(args[0])) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
  p->await_obj = args[0];
  p->switch_request = first ? VM_SWITCH_AWAIT : VM_SWITCH_REAWAIT;
  return VM_SWITCH;
}

static value prim_task_notify(vm_process *p, value *args) {
  if (is_obj(args[0])) vm_notify(p, args[0]);
  return vm_null(p);
}

/* Monitors: the per-instance lock around a monitor's methods. */
static value prim_monitor_enter(vm_process *p, value *args) {
  if (!is_obj(args[0])) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
  int r = vm_monitor_enter(p, args[0]);
  return r < 0 ? vm_oom(p) : vm_bool(p, r > 0);
}

static value prim_monitor_leave(vm_process *p, value *args) {
  if (is_obj(args[0])) vm_monitor_leave(p, args[0]);
  return vm_null(p);
}

static value prim_monitor_release(vm_process *p, value *args) {
  if (!is_obj(args[0])) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
  return make_smi(vm_monitor_release(p, args[0]));
}

static value prim_monitor_acquire(vm_process *p, value *args) {
  ARG_INT(1, depth);
  if (!is_obj(args[0]) || depth < 0 || depth > 0x7fffffff) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
  int r = vm_monitor_acquire(p, args[0], (int)depth);
  return r < 0 ? vm_oom(p) : vm_bool(p, r > 0);
}

static value prim_task_current(vm_process *p, value *args) {
  (void)args;
  return make_smi(p->current | ((p->tasks[p->current].gen & 0x3fff) << 16));
}

static value prim_task_cancel(vm_process *p, value *args) {
  ARG_INT(0, id);
  int t = vm_task_index(p, id);
  if (t < 0) return vm_null(p); /* finished already */
  vm_task *task = &p->tasks[t];
  task->canceled = true;
  /* A blocked task is woken: its yield point throws CANCELED. */
  if (t != p->current && task->state != VM_TASK_READY) vm_make_ready(p, t);
  return vm_null(p);
}

static value prim_task_is_canceled(vm_process *p, value *args) {
  ARG_INT(0, id);
  int t = vm_task_index(p, id);
  return vm_bool(p, t >= 0 && p->tasks[t].canceled);
}

static value prim_task_is_done(vm_process *p, value *args) {
  ARG_INT(0, id);
  return vm_bool(p, vm_task_index(p, id) < 0);
}

/* with-timeout: the deadline (monotonic µs, 0 none) of the current task;
 * task.set-deadline returns the previous one. */
static value prim_task_deadline(vm_process *p, value *args) {
  (void)args;
  return new_int(p, p->tasks[p->current].deadline_us);
}

static value prim_task_set_deadline(vm_process *p, value *args) {
  ARG_INT(0, us);
  vm_task *t = &p->tasks[p->current];
  int64_t old = t->deadline_us;
  t->deadline_us = us < 0 ? 0 : us;
  return new_int(p, old);
}

/* ---- debug (granted only with the `debug` capability) ---- */

/* Spins in C for ms milliseconds without reaching a preemption check: a
 * stand-in for a native call that hangs, so tests can show the watchdog. */
static value prim_debug_spin(vm_process *p, value *args) {
  ARG_INT(0, ms);
  int64_t end = vm_monotonic_us() + ms * 1000;
  while (vm_monotonic_us() < end && !*p->interrupt) {
  }
  if (*p->interrupt) return vm_throw_string(p, "INTERRUPTED");
  return vm_null(p);
}

/* Ignores the interrupt request too (a driver stuck in a busy loop). */
static value prim_debug_hang(vm_process *p, value *args) {
  ARG_INT(0, ms);
  int64_t end = vm_monotonic_us() + ms * 1000;
  while (vm_monotonic_us() < end) {
  }
  return vm_null(p);
}

/* ---- math ---- */

static value prim_math_unary(vm_process *p, value *args) {
  ARG_INT(0, which);
  ARG_FLOAT(1, x);
  double r;
  switch (which) {
    case 0: r = sqrt(x); break;
    case 1: r = sin(x); break;
    case 2: r = cos(x); break;
    case 3: r = tan(x); break;
    case 4: r = asin(x); break;
    case 5: r = acos(x); break;
    case 6: r = atan(x); break;
    case 7: r = sinh(x); break;
    case 8: r = cosh(x); break;
    case 9: r = tanh(x); break;
    case 10: r = exp(x); break;
    case 11: r = log(x); break;
    default: return vm_throw_error(p, VM_ERR_INVALID_ARGUMENT);
  }
  return new_float(p, r);
}

static value prim_math_binary(vm_process *p, value *args) {
  ARG_INT(0, which);
  ARG_FLOAT(1, x);
  ARG_FLOAT(2, y);
  if (which == 0) return new_float(p, pow(x, y));
  if (which == 1) return new_float(p, atan2(x, y));
  return vm_throw_error(p, VM_ERR_INVALID_ARGUMENT);
}

/* ---- core ---- */

static value prim_core_print(vm_process *p, value *args) {
  ARG_STRING(0, s);
  vm_write(p, 0, (const char *)s->bytes, s->size);
  vm_write(p, 0, "\n", 1);
  return vm_null(p);
}
static value prim_core_exit(vm_process *p, value *args) {
  ARG_INT(0, code);
  p->exit_code = (int)(code & 0xff);
  return VM_FAILED;
}

/* ---- exceptions ---- */

/* `rethrow value trace`: throws value again with the trace it was caught with. */
static value prim_core_rethrow(vm_process *p, value *args) {
  p->rethrow_trace = args[1];
  return vm_throw_value(p, args[0]);
}
/* `catch --trace`: prints the caught exception (value, its stringify, trace). */
static value prim_core_print_exception(vm_process *p, value *args) {
  vm_print_exception(p, args[0], args[1], args[2]);
  return vm_null(p);
}
/* An uncaught object whose stringify the core library computed: reported
 * like any uncaught exception; the process ends with exit code 1. */
static value prim_core_report_uncaught(vm_process *p, value *args) {
  vm_print_exception(p, args[0], args[1], args[2]);
  p->uncaught = args[0];
  p->exit_code = 1;
  return VM_FAILED;
}
static value prim_core_assertion_failed(vm_process *p, value *args) {
  (void)args;
  return vm_throw_error(p, VM_ERR_ASSERTION_FAILED);
}

/* `$(%FMT value)`: the value is an int/float for the numeric types, the
 * already stringified text for 's'. */
static value prim_core_format(vm_process *p, value *args) {
  ARG_STRING(0, spec_s);
  numfmt_spec spec;
  char text[420];
  const char *src = text;
  size_t len = 0, units = 0;
  if (!numfmt_parse_spec((const char *)spec_s->bytes, spec_s->size, &spec)) goto wrong_type;
  if (spec.zero_pad && spec.align != '>') {
    char msg[96];
    snprintf(msg, sizeof msg, "ZERO_PADDING_ONLY_WITH_RIGHT_ALIGNMENT %.*s", (int)spec_s->size, spec_s->bytes);
    return vm_throw_string(p, msg);
  }
  switch (spec.type) {
    case 'd': case 'u': case 'x': case 'X': case 'o': case 'b': case 'c': {
      int64_t i;
      double d;
      int kind = num_arg(p, args[1], &i, &d);
      if (kind == 0) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
      if (kind == 2 && !float_to_int(d, &i)) return vm_throw_error(p, VM_ERR_OUT_OF_RANGE);
      if (spec.type == 'd') len = (size_t)numfmt_int(text, i, 10);
      else if (spec.type == 'u') len = (size_t)numfmt_uint(text, (uint64_t)i, 10, false);
      else if (spec.type == 'x') len = (size_t)numfmt_uint(text, (uint64_t)i, 16, false);
      else if (spec.type == 'X') len = (size_t)numfmt_uint(text, (uint64_t)i, 16, true);
      else if (spec.type == 'o') len = (size_t)numfmt_uint(text, (uint64_t)i, 8, false);
      else if (spec.type == 'b') len = (size_t)numfmt_uint(text, (uint64_t)i, 2, false);
      else {
        if (i < 0 || i > 0x10ffff) return vm_throw_error(p, VM_ERR_INVALID_ARGUMENT);
        len = (size_t)utf8_encode((uint32_t)i, text);
        units = 1;
      }
      if (spec.type != 'c') units = len;
      break;
    }
    case 'f': {
      int64_t i;
      double d;
      int kind = num_arg(p, args[1], &i, &d);
      if (kind == 0) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
      if (kind == 1) d = (double)i;
      int n = spec.precision >= 0 ? numfmt_float_fixed(text, sizeof text, d, spec.precision > 64 ? 64 : spec.precision)
                                  : numfmt_float(text, d);
      if (n < 0) return vm_throw_error(p, VM_ERR_OUT_OF_RANGE);
      len = units = (size_t)n;
      break;
    }
    case 's': {
      ARG_STRING(1, s);
      src = (const char *)s->bytes;
      len = s->size;
      for (uint32_t k = 0; k < s->size; k++)
        if ((s->bytes[k] & 0xc0) != 0x80) units++;
      break;
    }
    default: goto wrong_type;
  }
  {
    size_t width = spec.width > 0 ? (size_t)spec.width : 0;
    size_t cap = len + (width > units ? width - units : 0) + 1;
    if (cap > 0x1000000) return vm_throw_error(p, VM_ERR_OUT_OF_RANGE);
    char *out = malloc(cap);
    if (!out) return vm_oom(p);
    /* src may point into the heap: copy before allocating the result. */
    int n = numfmt_pad(&spec, src, len, units, out, cap);
    value r = n < 0 ? 0 : vm_new_string(p, out, (size_t)n);
    free(out);
    if (n < 0) return vm_throw_error(p, VM_ERR_OUT_OF_RANGE);
    return r ? r : vm_oom(p);
  }
wrong_type: {
    char msg[96];
    snprintf(msg, sizeof msg, "WRONG_TYPE_IN_FORMAT %.*s", (int)spec_s->size, spec_s->bytes);
    return vm_throw_string(p, msg);
  }
}

static value prim_core_argument_mismatch(vm_process *p, value *args) {
  ARG_STRING(0, what);
  char msg[200];
  snprintf(msg, sizeof msg, "Argument mismatch for '%.*s'.", what->size > 150 ? 150 : (int)what->size, what->bytes);
  vm_throw_error(p, VM_ERR_LOOKUP_FAILED);
  snprintf(p->vm_message, sizeof p->vm_message, "%s", msg);
  return VM_FAILED;
}

/* ---- the table ---- */

#define VM_PRIMITIVES(X)                                                         \
  X("object.stringify", prim_object_stringify, 1)                                \
  X("int.add", prim_int_add, 2) X("int.sub", prim_int_sub, 2)                    \
  X("int.mul", prim_int_mul, 2) X("int.div", prim_int_div, 2)                    \
  X("int.mod", prim_int_mod, 2) X("int.eq", prim_int_eq, 2)                      \
  X("int.lt", prim_int_lt, 2) X("int.le", prim_int_le, 2)                        \
  X("int.gt", prim_int_gt, 2) X("int.ge", prim_int_ge, 2)                        \
  X("int.and", prim_int_and, 2) X("int.or", prim_int_or, 2)                      \
  X("int.xor", prim_int_xor, 2) X("int.shl", prim_int_shl, 2)                    \
  X("int.shr", prim_int_shr, 2) X("int.ushr", prim_int_ushr, 2)                  \
  X("int.neg", prim_int_neg, 1) X("int.not", prim_int_not, 1)                    \
  X("int.to-string", prim_int_to_string, 2) X("int.to-float", prim_int_to_float, 1) \
  X("int.clz", prim_int_clz, 1) X("int.popcount", prim_int_popcount, 1)          \
  X("int.parse", prim_int_parse, 2)                                              \
  X("float.nan", prim_float_nan, 0) X("float.infinity", prim_float_infinity, 0)  \
  X("float.add", prim_float_add, 2) X("float.sub", prim_float_sub, 2)            \
  X("float.mul", prim_float_mul, 2) X("float.div", prim_float_div, 2)            \
  X("float.mod", prim_float_mod, 2) X("float.eq", prim_float_eq, 2)              \
  X("float.lt", prim_float_lt, 2) X("float.le", prim_float_le, 2)                \
  X("float.gt", prim_float_gt, 2) X("float.ge", prim_float_ge, 2)                \
  X("float.neg", prim_float_neg, 1) X("float.to-string", prim_float_to_string, 2) \
  X("float.sign", prim_float_sign, 1) X("float.sqrt", prim_float_sqrt, 1)        \
  X("float.round", prim_float_round, 1) X("float.floor", prim_float_floor, 1)    \
  X("float.ceil", prim_float_ceil, 1) X("float.truncate", prim_float_truncate, 1) \
  X("float.to-int", prim_float_to_int, 1) X("float.is-nan", prim_float_is_nan, 1) \
  X("float.is-finite", prim_float_is_finite, 1) X("float.parse", prim_float_parse, 1) \
  X("string.size", prim_string_size, 1) X("string.rune-count", prim_string_rune_count, 1) \
  X("string.at", prim_string_at, 2) X("string.raw-at", prim_string_raw_at, 2)    \
  X("string.rune-size", prim_string_rune_size, 2) X("string.slice", prim_string_slice, 3) \
  X("string.concat", prim_string_concat, 2) X("string.repeat", prim_string_repeat, 2) \
  X("string.equals", prim_string_equals, 2) X("string.compare", prim_string_compare, 2) \
  X("string.hash", prim_string_hash, 1) X("string.index-of", prim_string_index_of, 5) \
  X("string.trim", prim_string_trim, 3) X("string.case", prim_string_case, 2)    \
  X("string.replace", prim_string_replace, 4) X("string.pad", prim_string_pad, 4) \
  X("string.to-bytes", prim_string_to_bytes, 1) X("string.from-rune", prim_string_from_rune, 1) \
  X("bytes.new", prim_bytes_new, 1) X("bytes.size", prim_bytes_size, 1)          \
  X("bytes.at", prim_bytes_at, 2) X("bytes.at-put", prim_bytes_at_put, 3)        \
  X("bytes.to-string", prim_bytes_to_string, 3)                                  \
  X("array.new", prim_array_new, 1) X("array.size", prim_array_size, 1)          \
  X("array.at", vm_prim_array_at, 2) X("array.at-put", vm_prim_array_at_put, 3)  \
  X("array.grow", prim_array_grow, 2) X("array.sort", prim_array_sort, 2)        \
  X("map.find", prim_map_find, 4) X("map.rebuild", prim_map_rebuild, 4)         \
  X("core.print", prim_core_print, 1) X("core.exit", prim_core_exit, 1)          \
  X("core.format", prim_core_format, 2)                                          \
  X("core.rethrow", prim_core_rethrow, 2)                                        \
  X("core.print-exception", prim_core_print_exception, 3)                        \
  X("core.report-uncaught", prim_core_report_uncaught, 3)                        \
  X("core.assertion-failed", prim_core_assertion_failed, 0)                      \
  X("time.now-ns", prim_time_now_ns, 0) X("time.monotonic-us", prim_time_monotonic_us, 0) \
  X("random.next", prim_random_next, 1) X("random.seed", prim_random_seed, 1)     \
  X("math.unary", prim_math_unary, 2) X("math.binary", prim_math_binary, 3)      \
  X("task.spawn", prim_task_spawn, 2) X("task.yield", prim_task_yield, 0)        \
  X("task.sleep", prim_task_sleep, 1) X("task.await", prim_task_await, 1)        \
  X("task.await-on", prim_task_await_on, 2) X("task.notify", prim_task_notify, 1)        \
  X("monitor.enter", prim_monitor_enter, 1) X("monitor.leave", prim_monitor_leave, 1) \
  X("monitor.release", prim_monitor_release, 1) X("monitor.acquire", prim_monitor_acquire, 2) \
  X("task.current", prim_task_current, 0) X("task.cancel", prim_task_cancel, 1)  \
  X("task.is-canceled", prim_task_is_canceled, 1) X("task.is-done", prim_task_is_done, 1) \
  X("task.deadline", prim_task_deadline, 0) X("task.set-deadline", prim_task_set_deadline, 1) \
  X("message.send", vm_prim_message_send, 2) X("message.count", vm_prim_message_count, 0) \
  X("message.take", vm_prim_message_take, 0) X("message.wait", vm_prim_message_wait, 0) \
  X("message.self", vm_prim_message_self, 0)                                     \
  X("debug.spin", prim_debug_spin, 1) X("debug.hang", prim_debug_hang, 1)        \
  X("core.argument-mismatch", prim_core_argument_mismatch, 1)

static const struct {
  const char *name;
  vm_primitive_fn fn;
  int arity;
} primitives[] = {
#define VM_PRIM_ENTRY(name, fn, arity) {name, fn, arity},
    VM_PRIMITIVES(VM_PRIM_ENTRY)
#undef VM_PRIM_ENTRY
};

vm_primitive_fn vm_primitive_lookup(const char *name, int *arity) {
  for (size_t i = 0; i < sizeof primitives / sizeof *primitives; i++) {
    if (strcmp(primitives[i].name, name) == 0) {
      *arity = primitives[i].arity;
      return primitives[i].fn;
    }
  }
  return NULL;
}
