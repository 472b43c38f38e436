/* The bytecode interpreter. The image was validated by img_open (operands in
 * range, branch targets on instruction boundaries, stack heights within each
 * method's max_height), so the loop only checks what depends on run-time
 * values: types where a wrong type would touch memory, arities of dynamic
 * calls, the stack limit on entry to a method, and the time-slice budget at
 * calls and back-edges (the preemption and watchdog hook). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/opcodes.h"

/* The handlers load operands as separate stack slots that were just stored
 * one by one; GCC's SLP vectorizer (on at -O2 since GCC 12) may merge two
 * such loads into one 16-byte load, which cannot be store-forwarded from
 * two 8-byte stores and stalls (nbody ran 30% slower that way). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-slp-vectorize")
#endif
#include "vm/interp.h"
#include "vm/vm.h"

#define SLICE_BUDGET 100000

/* Link layout on the stack, from its base slot: handler code offset (SMI),
 * previous try_top (SMI), reason (SMI), value, trace. */
#define LINK_SLOTS 5
#define REASON_NORMAL (-1)
#define REASON_THROW (-2)
/* reason >= 0: return to frame marker slot (reason >> 8) with arity reason & 255.
 * reason <= -3: branch; target sp slot -(reason) - 3, value = target code offset. */

static inline uint32_t class_of(const vm_process *p, value v) {
  if (is_smi(v)) return p->img->class_ids[IMG_CLASS_SMI];
  if (is_obj(v)) return obj_class(as_obj(v));
  return p->img->class_ids[IMG_CLASS_OBJECT]; /* block refs: only .call is legal */
}

/* Both operands as doubles when at least one is a float and the other a
 * float or a small int. */
static inline bool float_operands(value a, value b, uint16_t fcls, double *x, double *y) {
  bool fa = is_obj(a) && obj_class(as_obj(a)) == fcls, fb = is_obj(b) && obj_class(as_obj(b)) == fcls;
  if (fa && fb) {
    *x = float_value(a);
    *y = float_value(b);
    return true;
  }
  if (fa && is_smi(b)) {
    *x = float_value(a);
    *y = (double)smi_value(b);
    return true;
  }
  if (fb && is_smi(a)) {
    *x = (double)smi_value(a);
    *y = float_value(b);
    return true;
  }
  return false;
}

/* The backing array of a List and its element count (bounded by the array). */
static inline obj_array *list_array(const value *fields, uint16_t array_cls, uintptr_t *n) {
  value a = fields[0], size = fields[1];
  if (!is_obj(a) || obj_class(as_obj(a)) != array_cls || !is_smi(size)) return NULL;
  obj_array *arr = (obj_array *)as_obj(a);
  *n = (uintptr_t)smi_value(size);
  if (*n > arr->length) *n = arr->length;
  return arr;
}

/* `load local argc`, argc times: the arguments pushed again in order. */
static inline bool forwards_args(const uint8_t *bc, uint8_t argc) {
  for (uint8_t i = 0; i < argc; i++)
    if (bc[i] != OP_LOAD_LOCAL_0 + argc) return false;
  return true;
}

/* x % y and x / y (y not 0 or -1): a 32-bit division when both fit, which
 * is several times faster than a 64-bit one on common CPUs. */
static inline intptr_t smi_mod(intptr_t x, intptr_t y) {
  if (x == (int32_t)x && y == (int32_t)y) return (int32_t)x % (int32_t)y;
  return x % y;
}
static inline intptr_t smi_div(intptr_t x, intptr_t y) {
  if (x == (int32_t)x && y == (int32_t)y) return (int32_t)x / (int32_t)y;
  return x / y;
}

/* A method whose whole body is `load <constant>; return` (a small int,
 * null, true or false): the constant, else 0. Such calls need no frame:
 * nothing in them can throw or be observed. */
static inline value constant_method(const uint8_t *m, value null_v, value true_v, value false_v) {
  const uint8_t *bc = m + 8;
  if (m[1] != IMG_METHOD_NORMAL) return 0;
  if (m[6] == 5 && m[7] == 0 && bc[0] == OP_LOAD_SMI && bc[2] == OP_RETURN) return make_smi(bc[1]);
  if (m[6] != 4 || m[7] != 0 || bc[1] != OP_RETURN) return 0;
  switch (bc[0]) {
    case OP_LOAD_SMI_0: return make_smi(0);
    case OP_LOAD_SMI_1: return make_smi(1);
    case OP_LOAD_NULL: return null_v;
    case OP_LOAD_TRUE: return true_v;
    case OP_LOAD_FALSE: return false_v;
    default: return 0;
  }
}

uint32_t vm_class_of(const vm_process *p, value v) {
  return class_of(p, v);
}

/* Grows the current task's stack so that `need` more slots fit above
 * `top`. Returns false when the stack limit is reached. */
static bool grow_stack(vm_process *p, uint32_t top, uint32_t need) {
  obj_stack *old = (obj_stack *)as_obj(p->stack);
  uint32_t length = old->length;
  uint32_t want = top + need + 16;
  if (want > p->opt.max_stack_slots) return false;
  while (length < want) length *= 2;
  if (length > p->opt.max_stack_slots) length = (uint32_t)p->opt.max_stack_slots;
  old->top = top;
  obj_stack *s = vm_heap_alloc(&p->heap, p->img->class_ids[IMG_CLASS_STACK],
                               sizeof(obj_stack) + sizeof(value) * length);
  if (!s) return false;
  old = (obj_stack *)as_obj(p->stack); /* non-moving heap: unchanged, but be explicit */
  s->length = length;
  s->top = top;
  memcpy(s->slots, old->slots, sizeof(value) * top);
  p->stack = obj_value(s);
  return true;
}

/* The receiver of a field instruction is in the instruction's class range:
 * the class id at cls_at, the range's width minus one at cls_at[3] (the
 * validator checked both against the class table). */
static inline bool in_field_range(value r, const uint8_t *cls_at) {
  return is_obj(r) && obj_class(as_obj(r)) - img_rd16(cls_at) <= (uint32_t)cls_at[3];
}

/* A method (header at m, code at m + 8, its length at m + 6) whose whole
 * body is `load local 1; primitive P 1; [as class C;] return`. */
static inline bool leaf_prim_shape(const uint8_t *m, uint16_t len) {
  /* The length first: no byte past the method's code is read. */
  if (len != 8 && len != 11) return false;
  if (m[8] != OP_LOAD_LOCAL_1 || m[9] != OP_PRIMITIVE || m[12] != 1) return false;
  return len == 8 ? m[13] == OP_RETURN : m[13] == OP_AS_CLASS && m[16] == OP_RETURN;
}

vm_status vm_interpret(vm_process *p) {
  const img_image *img = p->img;
  const uint8_t *code = p->code;
  const uint8_t *dispatch = img_section_ptr(img, IMG_SEC_DISPATCH);
  const uint8_t *objects = img_section_ptr(img, IMG_SEC_OBJECTS);
  const value null_v = obj_value(objects + img->objects[IMG_NULL_OBJ]);
  const value true_v = obj_value(objects + img->objects[IMG_TRUE_OBJ]);
  const value false_v = obj_value(objects + img->objects[IMG_FALSE_OBJ]);
  const value absent_v = obj_value(objects + img->objects[IMG_ABSENT_OBJ]);
  const uint16_t float_cls = img->class_ids[IMG_CLASS_FLOAT];
  const uint16_t smi_cls = img->class_ids[IMG_CLASS_SMI];
  const uint16_t object_cls = img->class_ids[IMG_CLASS_OBJECT];
  const uint16_t array_cls = img->class_ids[IMG_CLASS_ARRAY];
  const uint16_t lambda_cls = img->class_ids[IMG_CLASS_LAMBDA];
  const uint32_t method_count = img->method_count;
  /* The core List: array_ and size_ are its first fields (vm.c makes lists
   * the same way); `list[i]` in bounds is done inline. */
  const uint16_t list_cls = img->class_ids[IMG_CLASS_LIST];
  const bool list_inline = img_class_at(img, list_cls)->layout == LAYOUT_INSTANCE &&
                           img_class_at(img, list_cls)->fields >= 2;
#define LIST_ARRAY(v, n)                                                         \
  (is_obj(v) && obj_class(as_obj(v)) == list_cls && list_inline                  \
       ? list_array(((obj_instance *)as_obj(v))->fields, array_cls, &(n))        \
       : NULL)
  /* The image never changes: section bases once, not through img each time. */
  const uint8_t *methods = img_section_ptr(img, IMG_SEC_METHODS);
  const uint8_t *classes = img_section_ptr(img, IMG_SEC_CLASSES);
#define IMETHOD(i) (code + img_rd32(methods + 4 * (i)))
#define ICLASS(id) ((const img_class *)(classes + 12 * (id)))
#define CLASS_OF(v) (is_smi(v) ? smi_cls : is_obj(v) ? obj_class(as_obj(v)) : object_cls)

  obj_stack *stk = (obj_stack *)as_obj(p->stack);
  value *base = stk->slots;
  value *limit = base + stk->length;
  value *sp = base + stk->top - 1;
  const uint8_t *bcp = code + p->saved_bci;
  value exc = 0;
  value ret_value = 0;
  uintptr_t ret_marker = 0, br_to = 0;
  uint32_t br_target = 0;
  int ret_arity = 0;
  uint8_t lambda_argc = 0;
  int local_len = 4;
  const uint8_t *lambda_next = NULL;
  value inv_recv = 0;                               /* invoke_recv: the receiver */
  const uint8_t *leaf_m = NULL, *leaf_next = NULL; /* leaf_prim: the method, the caller's next instruction */
  value prim_r = 0;                                 /* prim_done: the primitive's result */
  uint8_t prim_argc = 0;                            /* and its argument count */
  int budget = SLICE_BUDGET;
  p->budget = budget;

#define SAVE() (stk->top = (uint32_t)(sp - base + 1), p->saved_bci = (uint32_t)(bcp - code))
#define RELOAD_STACK()                                                           \
  do {                                                                           \
    uint32_t top_ = (uint32_t)(sp - base);                                       \
    stk = (obj_stack *)as_obj(p->stack);                                         \
    base = stk->slots;                                                           \
    limit = base + stk->length;                                                  \
    sp = base + top_;                                                            \
  } while (0)
#define PUSH(v) (*++sp = (v))
#define U8(i) (bcp[i])
#define U16(i) img_rd16(bcp + (i))
#define THROW_STR(msg)                                                           \
  do {                                                                           \
    SAVE();                                                                      \
    vm_throw_string(p, msg);                                                     \
    exc = p->pending;                                                            \
    goto do_throw;                                                               \
  } while (0)
#define METHOD_ENTER(m, next_bcp)                                                \
  do {                                                                           \
    const uint8_t *callee_ = (m);                                                     \
    PUSH(make_frame_marker((uintptr_t)((next_bcp) - code)));                     \
    if (sp + img_rd16(callee_ + 2) + 8 >= limit) {                                    \
      bcp = (next_bcp);                                                          \
      SAVE();                                                                    \
      if (!grow_stack(p, (uint32_t)(sp - base + 1), img_rd16(callee_ + 2) + 8)) {     \
        sp--; /* drop the marker: the error belongs to the caller */             \
        bcp = (next_bcp) - opf_length(toit_opcode_format[*(bcp)]);               \
        goto stack_overflow;                                                     \
      }                                                                          \
      RELOAD_STACK();                                                            \
    }                                                                            \
    bcp = callee_ + 8;                                                                \
  } while (0)
#define CHECK_BUDGET()                                                           \
  do {                                                                           \
    if (--budget < 0) {                                                          \
      SAVE();                                                                    \
      p->budget = 0;                                                             \
      return VM_YIELDED;                                                         \
    }                                                                            \
  } while (0)

/* A receiver-only primitive method, such as float.sqrt or string.size. */
#define LEAF_PRIM(m) leaf_prim_shape(m, img_rd16((m) + 6))
/* `v as C` passes, for C the 16-bit operand of AS_CLASS (bit 15: null too). */
#define AS_CLASS_OK(operand, v)                                                  \
  ((((operand) & 0x8000) && (v) == null_v) ||                                    \
   (!is_special(v) && CLASS_OF(v) - ((operand) & 0x7fffu) <                      \
                          (uint32_t)(ICLASS((operand) & 0x7fff)->end - ((operand) & 0x7fff))))
/* [o, v] -> [v] with field f of o set to v, for an instruction of `len`
 * bytes; a `pop 1` right after it is done too (`o.f = v` as a statement). */
#define SET_FIELD_NEXT(r, f, len)                                                \
  do {                                                                           \
    ((obj_instance *)as_obj(r))->fields[f] = sp[0];                              \
    sp[-1] = sp[0];                                                              \
    sp--;                                                                        \
    if (bcp[len] == OP_POP_1) {                                                  \
      sp--;                                                                      \
      NEXT((len) + 1);                                                           \
    }                                                                            \
    NEXT(len);                                                                   \
  } while (0)

/* A comparison followed by a conditional branch takes the branch directly
 * (the validator checked the branch like any other instruction). */
#define BRANCH_ON(c, len)                                                        \
  do {                                                                           \
    const uint8_t *next_ = bcp + (len);                                          \
    if (*next_ == OP_BRANCH_IF_FALSE) {                                          \
      bcp = (c) ? next_ + 3 : next_ + img_rd16(next_ + 1);                       \
      DISPATCH();                                                                \
    }                                                                            \
    if (*next_ == OP_BRANCH_BACK_IF_TRUE) {                                      \
      if (c) {                                                                   \
        bcp = next_ - img_rd16(next_ + 1);                                       \
        CHECK_BUDGET();                                                          \
      } else {                                                                   \
        bcp = next_ + 3;                                                         \
      }                                                                          \
      DISPATCH();                                                                \
    }                                                                            \
  } while (0)
#if defined(__GNUC__) && !defined(TOIT_NO_COMPUTED_GOTO)
  static const void *labels[OP_COUNT] = {
#define TOIT_LABEL(name, fmt, text) &&L_##name,
      TOIT_OPCODES(TOIT_LABEL)
#undef TOIT_LABEL
  };
#define CASE(name) L_##name:
#ifdef TOIT_TRACE
#define NEXT(n)                                                                  \
  do {                                                                           \
    bcp += (n);                                                                  \
    fprintf(stderr, "%6ld h%-3ld %s\n", (long)(bcp - code), (long)(sp - base + 1), toit_opcode_name[*bcp]); \
    goto *labels[*bcp];                                                          \
  } while (0)
#define DISPATCH() NEXT(0)
#else
#define NEXT(n) goto *labels[*(bcp += (n))]
#define DISPATCH() goto *labels[*bcp]
#endif
  DISPATCH();
#else
#define CASE(name) case OP_##name:
#define NEXT(n)                                                                  \
  do {                                                                           \
    bcp += (n);                                                                  \
    goto dispatch;                                                               \
  } while (0)
#define DISPATCH() goto dispatch
dispatch:
  switch ((toit_opcode)*bcp) {
#endif

  CASE(LOAD_LOCAL) { value v = sp[-(int)U8(1)]; PUSH(v); NEXT(2); }
  CASE(LOAD_LOCAL_0) { value v = sp[0]; PUSH(v); NEXT(1); }
  CASE(LOAD_LOCAL_1) { value v = sp[-1]; PUSH(v); NEXT(1); }
  CASE(LOAD_LOCAL_2) { value v = sp[-2]; PUSH(v); NEXT(1); }
  CASE(LOAD_LOCAL_3) { value v = sp[-3]; PUSH(v); NEXT(1); }
  CASE(LOAD_LOCAL_4) { value v = sp[-4]; PUSH(v); NEXT(1); }
  CASE(LOAD_LOCAL_5) { value v = sp[-5]; PUSH(v); NEXT(1); }
  CASE(STORE_LOCAL) { sp[-(int)U8(1)] = sp[0]; NEXT(2); }
  CASE(STORE_LOCAL_POP) { sp[-(int)U8(1)] = sp[0]; sp--; NEXT(2); }
  CASE(POP) { sp -= U8(1); NEXT(2); }
  CASE(POP_1) { sp--; NEXT(1); }
  CASE(DUP) { value v = sp[0]; PUSH(v); NEXT(1); }
  CASE(LOAD_SMI_0) { PUSH(make_smi(0)); NEXT(1); }
  CASE(LOAD_SMI_1) { PUSH(make_smi(1)); NEXT(1); }
  CASE(LOAD_SMI) { PUSH(make_smi(U8(1))); NEXT(2); }
  CASE(LOAD_SMI16) { PUSH(make_smi((int16_t)U16(1))); NEXT(3); }
  CASE(LOAD_SMI32) {
    intptr_t k = (int32_t)img_rd32(bcp + 1);
    /* `x % K` and `x * K` with a literal beyond 16 bits (hashes, LCGs). */
    if (bcp[5] == OP_INVOKE_MOD && is_smi(sp[0]) && k > 0) {
      value r = make_smi(smi_mod(smi_value(sp[0]), k));
      /* x = y % K: store it right away. */
      if (bcp[6] == OP_STORE_LOCAL_POP) {
        sp[-(int)bcp[7]] = r;
        sp--;
        NEXT(8);
      }
      sp[0] = r;
      NEXT(6);
    }
    if (bcp[5] >= OP_INVOKE_LT && bcp[5] <= OP_INVOKE_GE && is_smi(sp[0])) {
      intptr_t x = smi_value(sp[0]);
      bool c = bcp[5] == OP_INVOKE_LT ? x < k : bcp[5] == OP_INVOKE_LE ? x <= k : bcp[5] == OP_INVOKE_GT ? x > k : x >= k;
      sp--;
      bcp += 5;
      BRANCH_ON(c, 1);
      PUSH(c ? true_v : false_v);
      NEXT(1);
    }
    if (bcp[5] == OP_INVOKE_MUL && is_smi(sp[0])) {
      intptr_t r;
      if (!__builtin_mul_overflow((intptr_t)sp[0] >> 1, (intptr_t)make_smi(k), &r)) {
        sp[0] = (value)r;
        NEXT(6);
      }
    }
    PUSH(make_smi(k));
    NEXT(5);
  }
  CASE(LOAD_CONST) { PUSH(obj_value(objects + img_const_offset(img, U16(1)))); NEXT(3); }
  CASE(LOAD_INT) {
    /* A 64-bit literal: a small integer when it fits this VM's SMIs. */
    value v = obj_value(objects + img_const_offset(img, U16(1)));
    int64_t i;
    if (vm_is_int(p, v, &i) && smi_fits(i)) v = make_smi((intptr_t)i);
    PUSH(v);
    NEXT(3);
  }
  CASE(LOAD_NULL) { PUSH(null_v); NEXT(1); }
  CASE(LOAD_TRUE) { PUSH(true_v); NEXT(1); }
  CASE(LOAD_FALSE) { PUSH(false_v); NEXT(1); }
  CASE(LOAD_ABSENT) { PUSH(absent_v); NEXT(1); }
  CASE(LOAD_GLOBAL) { PUSH(p->globals[U16(1)]); NEXT(3); }
  CASE(LOAD_GLOBAL_LAZY) {
    uint16_t g = U16(1);
    uint8_t state = p->global_state[g];
    if (state == 2) { PUSH(p->globals[g]); NEXT(3); }
    if (state == 1) THROW_STR("INITIALIZATION_IN_PROGRESS");
    const img_global *gl = (const img_global *)(img_section_ptr(img, IMG_SEC_GLOBALS) + 4 * g);
    uint16_t init = img_rd16((const uint8_t *)&gl->init);
    if (init == 0xffff) { PUSH(p->globals[g]); NEXT(3); }
    /* Run the initializer; it ends with a STORE_GLOBAL that marks the global
     * ready, and returns the value. On a throw the state goes back to 0. */
    p->global_state[g] = 1;
    METHOD_ENTER(IMETHOD(init), bcp + 3);
    CHECK_BUDGET();
    DISPATCH();
  }
  CASE(STORE_GLOBAL) {
    uint16_t g = U16(1);
    p->globals[g] = sp[0];
    p->global_state[g] = 2;
    NEXT(3);
  }
  CASE(LOAD_FIELD) {
    value r = sp[0];
    uint8_t f = U8(1);
    if (!is_obj(r) || f >= ICLASS(obj_class(as_obj(r)))->fields ||
        ICLASS(obj_class(as_obj(r)))->layout != LAYOUT_INSTANCE)
      THROW_STR("LOOKUP_FAILED");
    sp[0] = ((obj_instance *)as_obj(r))->fields[f];
    NEXT(2);
  }
  CASE(STORE_FIELD) {
    /* [object, value] -> [value] */
    value r = sp[-1];
    uint8_t f = U8(1);
    if (!is_obj(r) || !vm_heap_contains(&p->heap, r) ||
        f >= ICLASS(obj_class(as_obj(r)))->fields ||
        ICLASS(obj_class(as_obj(r)))->layout != LAYOUT_INSTANCE)
      THROW_STR("LOOKUP_FAILED");
    ((obj_instance *)as_obj(r))->fields[f] = sp[0];
    sp[-1] = sp[0];
    sp--;
    NEXT(2);
  }
  CASE(LOAD_OUTER) {
    value b = sp[0];
    uintptr_t slot = block_ref_slot(b);
    uint8_t d = U8(1);
    if (!is_block_ref(b) || slot < d || base + slot > sp) THROW_STR("LOOKUP_FAILED");
    sp[0] = base[slot - d];
    NEXT(2);
  }
  CASE(STORE_OUTER) {
    /* [block, value] -> [value] */
    value b = sp[-1];
    uintptr_t slot = block_ref_slot(b);
    uint8_t d = U8(1);
    if (!is_block_ref(b) || slot < d || base + slot > sp) THROW_STR("LOOKUP_FAILED");
    base[slot - d] = sp[0];
    sp[-1] = sp[0];
    sp--;
    NEXT(2);
  }
  CASE(LOAD_FIELD_LOCAL) {
    value r = sp[-(int)U8(1)];
    uint8_t f = U8(2);
    if (!is_obj(r) || f >= ICLASS(obj_class(as_obj(r)))->fields ||
        ICLASS(obj_class(as_obj(r)))->layout != LAYOUT_INSTANCE)
      THROW_STR("LOOKUP_FAILED");
    PUSH(((obj_instance *)as_obj(r))->fields[f]);
    NEXT(3);
  }
  CASE(LOAD_OUTER_LOCAL) {
    value b = sp[-(int)U8(1)];
    uintptr_t slot = block_ref_slot(b);
    uint8_t d = U8(2);
    if (!is_block_ref(b) || slot < d || base + slot > sp) THROW_STR("LOOKUP_FAILED");
    PUSH(base[slot - d]);
    NEXT(3);
  }
  CASE(STORE_OUTER_LOCAL) {
    value b = sp[-(int)U8(1)];
    uintptr_t slot = block_ref_slot(b);
    uint8_t d = U8(2);
    if (!is_block_ref(b) || slot < d || base + slot > sp) THROW_STR("LOOKUP_FAILED");
    base[slot - d] = sp[0];
    NEXT(3);
  }
  CASE(LOAD_BLOCK) {
    value *slot = sp - U8(1);
    PUSH(make_block_ref((uintptr_t)(slot - base)));
    NEXT(2);
  }
  CASE(IF_ABSENT) {
    /* Branch past the default-value code when the argument is present. */
    if (sp[0] != absent_v) { sp--; NEXT(U16(1)); }
    sp--;
    NEXT(3);
  }
  CASE(ALLOCATE) {
    uint16_t cls = U16(1);
    const img_class *c = ICLASS(cls);
    SAVE();
    obj_instance *o = vm_heap_alloc(&p->heap, cls, sizeof(obj_instance) + sizeof(value) * c->fields);
    if (!o) goto out_of_memory;
    for (uint32_t i = 0; i < c->fields; i++) o->fields[i] = null_v;
    PUSH(obj_value(o));
    NEXT(3);
  }
  CASE(INVOKE_STATIC) {
    const uint8_t *m = IMETHOD(U16(1));
    METHOD_ENTER(m, bcp + 3);
    CHECK_BUDGET();
    DISPATCH();
  }
  CASE(INVOKE_VIRTUAL) {
    uint8_t argc = U8(1);
    uint16_t offset = U16(2);
    value r = sp[1 - (int)argc];
    uint32_t cls = CLASS_OF(r);
    uint16_t entry = img_rd16(dispatch + 2 * (cls + offset));
    const uint8_t *m;
    if (entry == 0 || img_rd16((m = IMETHOD(entry - 1u)) + 4) != offset || m[0] != argc)
      goto lookup_failed;
    if (m[1] >= IMG_METHOD_GETTER) {
      /* A field accessor: done here, without a frame. */
      /* The validator proved that class `cls` is an instance class with
       * that field (check_code); a block reference has class Object. */
      if (!is_obj(r)) goto lookup_failed;
      if (m[1] == IMG_METHOD_GETTER) {
        sp[0] = ((obj_instance *)as_obj(r))->fields[m[10]];
        NEXT(4);
      }
      if (!vm_heap_contains(&p->heap, r)) goto lookup_failed;
      SET_FIELD_NEXT(r, m[11], 4);
    }
    {
      value k = constant_method(m, null_v, true_v, false_v);
      if (k) {
        sp -= argc - 1;
        sp[0] = k;
        NEXT(4);
      }
    }
    if (argc == 1 && LEAF_PRIM(m)) {
      leaf_m = m;
      leaf_next = bcp + 4;
      goto leaf_prim;
    }
    /* lambda.call a b: Lambda.call only forwards (`load local n` n times,
     * `invoke lambda n`, `return`), so invoke the lambda without its frame. */
    if (cls == lambda_cls && argc <= 5 && img_rd16(m + 6) == argc + 5u && m[8 + argc] == OP_INVOKE_LAMBDA &&
        m[9 + argc] == argc && m[10 + argc] == OP_RETURN && forwards_args(m + 8, argc)) {
      lambda_argc = argc;
      lambda_next = bcp + 4;
      goto invoke_lambda;
    }
    METHOD_ENTER(m, bcp + 4);
    CHECK_BUDGET();
    DISPATCH();
  }
  CASE(INVOKE_FIELD_LOCAL) {
    value r = sp[-(int)U8(1)];
    if (in_field_range(r, bcp + 4)) {
      PUSH(((obj_instance *)as_obj(r))->fields[bcp[6]]);
      NEXT(8);
    }
    local_len = 8;
    goto invoke_local;
  }
  CASE(LOAD_LOCAL_FIELD) {
    value r = sp[-(int)U8(1)];
    PUSH(r);
    if (in_field_range(r, bcp + 4)) {
      PUSH(((obj_instance *)as_obj(r))->fields[bcp[6]]);
      NEXT(8);
    }
    local_len = 8;
    inv_recv = r;
    goto invoke_recv;
  }
  CASE(INVOKE_FIELD_SET) {
    /* [o, v] -> [v] */
    value r = sp[-1];
    if (in_field_range(r, bcp + 3) && vm_heap_contains(&p->heap, r)) SET_FIELD_NEXT(r, bcp[5], 7);
    /* Not in the range: an ordinary virtual call with two arguments. */
    uint16_t offset = U16(1);
    uint32_t cls = CLASS_OF(r);
    uint16_t entry = img_rd16(dispatch + 2 * (cls + offset));
    const uint8_t *m;
    if (entry == 0 || img_rd16((m = IMETHOD(entry - 1u)) + 4) != offset || m[0] != 2) goto lookup_failed;
    if (m[1] == IMG_METHOD_SETTER) {
      if (!is_obj(r) || !vm_heap_contains(&p->heap, r)) goto lookup_failed;
      SET_FIELD_NEXT(r, m[11], 7);
    }
    METHOD_ENTER(m, bcp + 7);
    CHECK_BUDGET();
    DISPATCH();
  }
  CASE(INVOKE_LOCAL) {
    local_len = 4;
    goto invoke_local;
  }
  invoke_local:
    inv_recv = sp[-(int)U8(1)];
  invoke_recv: {
    /* [..] -> [.., inv_recv.sel]: a call with the receiver as the only
     * argument; the selector offset is at bcp + 2. */
    value r = inv_recv;
    uint16_t offset = U16(2);
    uint32_t cls = CLASS_OF(r);
    uint16_t entry = img_rd16(dispatch + 2 * (cls + offset));
    const uint8_t *m;
    PUSH(r);
    if (entry == 0 || img_rd16((m = IMETHOD(entry - 1u)) + 4) != offset || m[0] != 1) goto lookup_failed;
    if (m[1] == IMG_METHOD_GETTER) {
      if (!is_obj(r)) goto lookup_failed; /* see INVOKE_VIRTUAL */
      sp[0] = ((obj_instance *)as_obj(r))->fields[m[10]];
      NEXT(local_len);
    }
    value k = constant_method(m, null_v, true_v, false_v);
    if (k) {
      sp[0] = k;
      NEXT(local_len);
    }
    if (LEAF_PRIM(m)) {
      leaf_m = m;
      leaf_next = bcp + local_len;
      goto leaf_prim;
    }
    METHOD_ENTER(m, bcp + local_len);
    CHECK_BUDGET();
    DISPATCH();
  }
  leaf_prim: {
    /* [.., receiver] -> [.., result] of a LEAF_PRIM method, without its
     * frame. Anything but a plain result that passes the `as` check (a
     * failure, a task switch, exit, a failed check) continues in the frame
     * the call would have built, just after the primitive, so traces and
     * task switches are exactly those of the real call. */
    const uint8_t *m = leaf_m;
    SAVE();
    value r = p->prims[img_rd16(m + 10)](p, sp);
    if (p->stack != obj_value(stk)) RELOAD_STACK();
    if (r != VM_FAILED && r != VM_SWITCH) {
      if (m[13] != OP_AS_CLASS || AS_CLASS_OK(img_rd16(m + 14), r)) {
        sp[0] = r;
        bcp = leaf_next;
        DISPATCH();
      }
    }
    value recv = sp[0];
    METHOD_ENTER(m, leaf_next);
    PUSH(recv); /* load local 1 */
    bcp += 1;   /* at the primitive */
    SAVE();     /* a throw's trace starts here */
    prim_r = r;
    prim_argc = 1;
    goto prim_done;
  }
  CASE(INVOKE_BLOCK) {
    uint8_t argc = U8(1);
    value b = sp[1 - (int)argc];
    uintptr_t slot = block_ref_slot(b);
    if (!is_block_ref(b) || base + slot >= sp || !is_smi(base[slot])) THROW_STR("LOOKUP_FAILED");
    intptr_t mi = smi_value(base[slot]);
    if (mi < 0 || (uintptr_t)mi >= method_count) THROW_STR("LOOKUP_FAILED");
    const uint8_t *m = IMETHOD((uint32_t)mi);
    if (m[1] != IMG_METHOD_BLOCK) THROW_STR("LOOKUP_FAILED");
    if (argc < m[0]) {
      SAVE();
      vm_throw_too_few(p, "block", argc - 1, m[0] - 1, (uint32_t)mi);
      exc = p->pending;
      goto do_throw;
    }
    sp -= argc - m[0]; /* extra arguments are ignored */
    METHOD_ENTER(m, bcp + 2);
    CHECK_BUDGET();
    DISPATCH();
  }

/* Floats (and a float with a small int) are computed inline too, so float
 * arithmetic costs an allocation, not a call and a primitive. */
#define FLOAT_BINARY(...)                                                        \
  do {                                                                           \
    double x, y;                                                                 \
    if (float_operands(a, b, float_cls, &x, &y)) {                               \
      __VA_ARGS__;                                                               \
    }                                                                            \
  } while (0)
/* A float result: overwrites an operand that is a temporary (a float whose
 * pad word is set: made by an INVOKE_*_TEMP for exactly this operation, see
 * opcodes.h, so nothing else refers to it), else allocates. `temp` marks the
 * result as a temporary in turn. Image floats always have pad 0. */
#define IS_TEMP(v) (!is_smi(v) && ((obj_float *)as_obj(v))->pad != 0)
#define FLOAT_BOX(f_)                                                            \
  do {                                                                           \
    if (IS_TEMP(a)) {                                                            \
      f_ = (obj_float *)as_obj(a);                                               \
    } else if (IS_TEMP(b)) {                                                     \
      f_ = (obj_float *)as_obj(b);                                               \
    } else if (!(f_ = vm_heap_bump_float(&p->heap, float_cls))) {               \
      SAVE(); /* the slow path may collect: the stack must be current */         \
      f_ = vm_heap_alloc_slow(&p->heap, float_cls, sizeof(obj_float));           \
      if (!f_) goto out_of_memory;                                               \
    }                                                                            \
  } while (0)
#define FLOAT_RESULT(d, temp)                                                    \
  do {                                                                           \
    double d_ = (d);                                                             \
    obj_float *f_;                                                               \
    FLOAT_BOX(f_);                                                               \
    f_->pad = (temp);                                                            \
    memcpy(&f_->value, &d_, sizeof d_);                                          \
    sp -= drop_;                                                                 \
    sp[0] = obj_value(f_);                                                       \
    NEXT(len_);                                                                  \
  } while (0)
/* A temporary that reaches Toit code (an operator method) is an ordinary
 * float from then on. */
#define UNTEMP(v)                                                                \
  do {                                                                           \
    if (is_obj(v) && obj_class(as_obj(v)) == float_cls && ((obj_float *)as_obj(v))->pad) \
      ((obj_float *)as_obj(v))->pad = 0;                                         \
  } while (0)
#define FLOAT_CMP(c)                                                             \
  do {                                                                           \
    bool fc_ = (c);                                                              \
    sp -= 2;                                                                     \
    BRANCH_ON(fc_, 1);                                                           \
    *++sp = fc_ ? true_v : false_v;                                              \
    NEXT(1);                                                                     \
  } while (0)
#define NO_FLOAT (void)0

/* Calls the binary operator `sel` (IMG_SEL_*) of `a` with the two operands
 * on the stack, returning to bcp + len; `undo` runs before a failed lookup. */
#define CALL_OPERATOR(sel, a, len, undo)                                         \
  do {                                                                           \
    uint16_t offset_ = img->selectors[IMG_SEL_##sel];                            \
    uint32_t cls_ = CLASS_OF(a);                                                 \
    uint16_t entry_ = img_rd16(dispatch + 2 * (cls_ + offset_));                 \
    const uint8_t *m_;                                                           \
    if (offset_ == 0xffff || entry_ == 0 ||                                      \
        img_rd16((m_ = IMETHOD(entry_ - 1u)) + 4) != offset_ || m_[0] != 2) {    \
      undo;                                                                      \
      goto lookup_failed;                                                        \
    }                                                                            \
    METHOD_ENTER(m_, bcp + (len));                                               \
    CHECK_BUDGET();                                                              \
    DISPATCH();                                                                  \
  } while (0)

#define SMI_BINARY(name, sel, fpath, ...)                                        \
  CASE(name) {                                                                   \
    enum { drop_ = 1, len_ = 1 };                                                \
    value a = sp[-1], b = sp[0];                                                 \
    if (((a | b) & 1) == 0) {                                                    \
      __VA_ARGS__;                                                               \
    }                                                                            \
    fpath;                                                                       \
    CALL_OPERATOR(sel, a, 1, (void)0);                                          \
  }

/* list[i] in bounds on the core List. */
#define LIST_AT()                                                                \
  do {                                                                           \
    uintptr_t n_;                                                                \
    obj_array *arr_ = LIST_ARRAY(a, n_);                                         \
    if (arr_ && is_smi(b) && (uintptr_t)smi_value(b) < n_) {                     \
      sp--;                                                                      \
      sp[0] = arr_->elems[smi_value(b)];                                         \
      NEXT(1);                                                                   \
    }                                                                            \
  } while (0)

/* + - * / %: floats inline, temporaries reused (FLOAT_RESULT). */
#define ARITH_BINARY(name, sel, temp, fexpr, ...)                                \
  CASE(name) {                                                                   \
    enum { drop_ = 1, len_ = 1 };                                                \
    value a = sp[-1], b = sp[0];                                                 \
    ARITH_BODY(sel, temp, fexpr, __VA_ARGS__);                                   \
  }
/* The same with the right operand a local: `load local n; op` in one,
 * [.., a] -> [.., a op local n]. The slow path pushes the local first. */
#define ARITH_LOCAL(name, sel, temp, fexpr, ...)                                 \
  CASE(name) {                                                                   \
    enum { drop_ = 0, len_ = 2 };                                                \
    value a = sp[0], b = sp[-(int)U8(1)];                                        \
    ARITH_BODY(sel, temp, fexpr, __VA_ARGS__);                                   \
  }
/* And with the left operand a local: [.., b] -> [.., local n op b]. */
#define ARITH_LLOCAL(name, sel, temp, fexpr, ...)                                \
  CASE(name) {                                                                   \
    enum { drop_ = 0, len_ = 2 };                                                \
    value a = sp[-(int)U8(1)], b = sp[0];                                        \
    ARITH_BODY(sel, temp, fexpr, __VA_ARGS__);                                   \
  }
/* And with both operands locals: [..] -> [.., local a op local b]. */
#define ARITH_LOCALS(name, sel, temp, fexpr, ...)                                \
  CASE(name) {                                                                   \
    enum { drop_ = -1, len_ = 3 };                                               \
    value a = sp[-(int)U8(1)], b = sp[-(int)U8(2)];                              \
    ARITH_BODY(sel, temp, fexpr, __VA_ARGS__);                                   \
  }
#define ARITH_BODY(sel, temp, fexpr, ...) ARITH_BODY_F(sel, FLOAT_RESULT(fexpr, temp), __VA_ARGS__)
#define ARITH_BODY_F(sel, fresult, ...)                                          \
  do {                                                                           \
    if (((a | b) & 1) == 0) {                                                    \
      __VA_ARGS__;                                                               \
    }                                                                            \
    FLOAT_BINARY(fresult);                                                       \
    UNTEMP(a);                                                                   \
    UNTEMP(b);                                                                   \
    sp += 1 - drop_; /* both operands on the stack for the call */              \
    sp[-1] = a;                                                                  \
    sp[0] = b;                                                                   \
    CALL_OPERATOR(sel, a, len_, (void)0);                                       \
  } while (0)

#define CMP_RESULT(c)                                                            \
  do {                                                                           \
    bool c_ = (c);                                                               \
    sp--;                                                                        \
    sp--;                                                                        \
    BRANCH_ON(c_, 1);                                                            \
    *++sp = c_ ? true_v : false_v;                                               \
    NEXT(1);                                                                     \
  } while (0)
#define ARITH_RESULT(r)                                                          \
  do {                                                                           \
    intptr_t r_ = (r);                                                           \
    sp -= drop_;                                                                 \
    sp[0] = make_smi(r_);                                                        \
    NEXT(len_);                                                                  \
  } while (0)

  CASE(INVOKE_EQ) {
    value a = sp[-1], b = sp[0];
    if (((a | b) & 1) == 0 || a == null_v || b == null_v) CMP_RESULT(a == b);
    FLOAT_BINARY(FLOAT_CMP(x == y));
    {
      uint16_t offset_ = img->selectors[IMG_SEL_EQ];
      uint32_t cls_ = CLASS_OF(a);
      uint16_t entry_ = img_rd16(dispatch + 2 * (cls_ + offset_));
      const uint8_t *m_;
      if (offset_ == 0xffff || entry_ == 0 ||
          img_rd16((m_ = IMETHOD(entry_ - 1u)) + 4) != offset_ || m_[0] != 2)
        goto lookup_failed;
      METHOD_ENTER(m_, bcp + 1);
      CHECK_BUDGET();
      DISPATCH();
    }
  }
  SMI_BINARY(INVOKE_LT, LT, FLOAT_BINARY(FLOAT_CMP(x < y)), CMP_RESULT((intptr_t)a < (intptr_t)b))
  SMI_BINARY(INVOKE_LE, LE, FLOAT_BINARY(FLOAT_CMP(x <= y)), CMP_RESULT((intptr_t)a <= (intptr_t)b))
  SMI_BINARY(INVOKE_GT, GT, FLOAT_BINARY(FLOAT_CMP(x > y)), CMP_RESULT((intptr_t)a > (intptr_t)b))
  SMI_BINARY(INVOKE_GE, GE, FLOAT_BINARY(FLOAT_CMP(x >= y)), CMP_RESULT((intptr_t)a >= (intptr_t)b))
#define ADD_SMI_BODY                                                             \
  {                                                                              \
    intptr_t r;                                                                  \
    if (!__builtin_add_overflow((intptr_t)a, (intptr_t)b, &r)) {                 \
      sp -= drop_;                                                               \
      /* (a + b) % K, as in hashes: the sum goes straight into the division. */ \
      if (bcp[len_] == OP_LOAD_SMI32 && bcp[len_ + 5] == OP_INVOKE_MOD) {        \
        intptr_t k_ = (int32_t)img_rd32(bcp + len_ + 1);                         \
        if (k_ > 0) {                                                            \
          value m_ = make_smi(smi_mod(r >> 1, k_));                              \
          if (bcp[len_ + 6] == OP_STORE_LOCAL_POP) {                             \
            sp[-(int)bcp[len_ + 7]] = m_;                                        \
            sp--;                                                                \
            NEXT(len_ + 8);                                                      \
          }                                                                      \
          sp[0] = m_;                                                            \
          NEXT(len_ + 6);                                                        \
        }                                                                        \
      }                                                                          \
      sp[0] = (value)r;                                                          \
      NEXT(len_);                                                                \
    }                                                                            \
  }
#define SUB_SMI_BODY                                                             \
  {                                                                              \
    intptr_t r;                                                                  \
    if (!__builtin_sub_overflow((intptr_t)a, (intptr_t)b, &r)) {                 \
      sp -= drop_;                                                               \
      sp[0] = (value)r;                                                          \
      NEXT(len_);                                                                \
    }                                                                            \
  }
#define MUL_SMI_BODY                                                             \
  {                                                                              \
    intptr_t r;                                                                  \
    if (!__builtin_mul_overflow((intptr_t)a >> 1, (intptr_t)b, &r)) {            \
      sp -= drop_;                                                               \
      sp[0] = (value)r;                                                          \
      NEXT(len_);                                                                \
    }                                                                            \
  }
#define DIV_SMI_BODY                                                             \
  {                                                                              \
    intptr_t x = smi_value(a), y = smi_value(b);                                 \
    if (y != 0 && y != -1) ARITH_RESULT(smi_div(x, y));                           \
    if (y == -1 && x != SMI_MIN) ARITH_RESULT(-x);                               \
  }
#define MOD_SMI_BODY                                                             \
  {                                                                              \
    intptr_t x = smi_value(a), y = smi_value(b);                                 \
    if (y != 0 && y != -1) ARITH_RESULT(smi_mod(x, y));                          \
  }
  ARITH_BINARY(INVOKE_ADD, ADD, 0, x + y, ADD_SMI_BODY)
  ARITH_BINARY(INVOKE_SUB, SUB, 0, x - y, SUB_SMI_BODY)
  ARITH_BINARY(INVOKE_MUL, MUL, 0, x * y, MUL_SMI_BODY)
  ARITH_BINARY(INVOKE_DIV, DIV, 0, x / y, DIV_SMI_BODY)
  ARITH_BINARY(INVOKE_MOD, MOD, 0, fmod(x, y), MOD_SMI_BODY)
  ARITH_BINARY(INVOKE_ADD_TEMP, ADD, 1, x + y, ADD_SMI_BODY)
  ARITH_BINARY(INVOKE_SUB_TEMP, SUB, 1, x - y, SUB_SMI_BODY)
  ARITH_BINARY(INVOKE_MUL_TEMP, MUL, 1, x * y, MUL_SMI_BODY)
  ARITH_BINARY(INVOKE_DIV_TEMP, DIV, 1, x / y, DIV_SMI_BODY)
  ARITH_BINARY(INVOKE_MOD_TEMP, MOD, 1, fmod(x, y), MOD_SMI_BODY)
  ARITH_LOCAL(INVOKE_ADD_LOCAL, ADD, 0, x + y, ADD_SMI_BODY)
  ARITH_LOCAL(INVOKE_SUB_LOCAL, SUB, 0, x - y, SUB_SMI_BODY)
  ARITH_LOCAL(INVOKE_MUL_LOCAL, MUL, 0, x * y, MUL_SMI_BODY)
  ARITH_LOCAL(INVOKE_DIV_LOCAL, DIV, 0, x / y, DIV_SMI_BODY)
  ARITH_LOCAL(INVOKE_ADD_LOCAL_TEMP, ADD, 1, x + y, ADD_SMI_BODY)
  ARITH_LOCAL(INVOKE_SUB_LOCAL_TEMP, SUB, 1, x - y, SUB_SMI_BODY)
  ARITH_LOCAL(INVOKE_MUL_LOCAL_TEMP, MUL, 1, x * y, MUL_SMI_BODY)
  ARITH_LOCAL(INVOKE_DIV_LOCAL_TEMP, DIV, 1, x / y, DIV_SMI_BODY)
  ARITH_LLOCAL(LOCAL_ADD, ADD, 0, x + y, ADD_SMI_BODY)
  ARITH_LLOCAL(LOCAL_SUB, SUB, 0, x - y, SUB_SMI_BODY)
  ARITH_LLOCAL(LOCAL_MUL, MUL, 0, x * y, MUL_SMI_BODY)
  ARITH_LLOCAL(LOCAL_ADD_TEMP, ADD, 1, x + y, ADD_SMI_BODY)
  ARITH_LLOCAL(LOCAL_SUB_TEMP, SUB, 1, x - y, SUB_SMI_BODY)
  ARITH_LLOCAL(LOCAL_MUL_TEMP, MUL, 1, x * y, MUL_SMI_BODY)
  ARITH_LOCALS(LOCALS_ADD, ADD, 0, x + y, ADD_SMI_BODY)
  ARITH_LOCALS(LOCALS_SUB, SUB, 0, x - y, SUB_SMI_BODY)
  ARITH_LOCALS(LOCALS_MUL, MUL, 0, x * y, MUL_SMI_BODY)
  ARITH_LOCALS(LOCALS_ADD_TEMP, ADD, 1, x + y, ADD_SMI_BODY)
  ARITH_LOCALS(LOCALS_SUB_TEMP, SUB, 1, x - y, SUB_SMI_BODY)
  ARITH_LOCALS(LOCALS_MUL_TEMP, MUL, 1, x * y, MUL_SMI_BODY)
/* `invoke op` fused with the `set field` after it (opcodes.h): a float
 * result goes straight into the field of the object under the operands
 * ([o, a, b] -> [a op b], or [] when a `pop 1` follows too); anything else
 * is `invoke op`, and the set field runs itself. */
#define FLOAT_SETF(d)                                                            \
  do {                                                                           \
    double d_ = (d);                                                             \
    obj_float *f_;                                                               \
    FLOAT_BOX(f_);                                                               \
    f_->pad = 0;                                                                 \
    memcpy(&f_->value, &d_, sizeof d_);                                          \
    value v_ = obj_value(f_), o_ = sp[-2];                                       \
    const uint8_t *s_ = bcp + 1;                                                 \
    if (in_field_range(o_, s_ + 3) && vm_heap_contains(&p->heap, o_)) {          \
      ((obj_instance *)as_obj(o_))->fields[s_[5]] = v_;                          \
      if (s_[7] == OP_POP_1) {                                                   \
        sp -= 3;                                                                 \
        NEXT(9);                                                                 \
      }                                                                          \
      sp -= 2;                                                                   \
      sp[0] = v_;                                                                \
      NEXT(8);                                                                   \
    }                                                                            \
    sp--;                                                                        \
    sp[0] = v_;                                                                  \
    NEXT(1);                                                                     \
  } while (0)
#define ARITH_SETF(name, sel, fexpr, ...)                                        \
  CASE(name) {                                                                   \
    enum { drop_ = 1, len_ = 1 };                                                \
    value a = sp[-1], b = sp[0];                                                 \
    ARITH_BODY_F(sel, FLOAT_SETF(fexpr), __VA_ARGS__);                           \
  }
  ARITH_SETF(INVOKE_ADD_SETF, ADD, x + y, ADD_SMI_BODY)
  ARITH_SETF(INVOKE_SUB_SETF, SUB, x - y, SUB_SMI_BODY)
  ARITH_SETF(INVOKE_MUL_SETF, MUL, x * y, MUL_SMI_BODY)
  ARITH_SETF(INVOKE_DIV_SETF, DIV, x / y, DIV_SMI_BODY)

/* `get field on local` fused with the operator after it (opcodes.h): the
 * field of a receiver in range is the right operand; on floats the result
 * replaces the left operand and both instructions are done. Otherwise the
 * field is pushed (or the getter called) and the operator runs itself. */
#define FIELD_ARITH(name, k, fexpr)                                              \
  CASE(name) {                                                                   \
    value r = sp[-(int)U8(1)];                                                   \
    if (in_field_range(r, bcp + 4)) {                                            \
      enum { drop_ = 0, len_ = 9 };                                              \
      value a = sp[0], b = ((obj_instance *)as_obj(r))->fields[bcp[6]];          \
      FLOAT_BINARY(FLOAT_RESULT(fexpr, bcp[8] == OP_INVOKE_ADD_TEMP + (k)));          \
      PUSH(b);                                                                   \
      NEXT(8);                                                                   \
    }                                                                            \
    local_len = 8;                                                               \
    goto invoke_local;                                                           \
  }
  FIELD_ARITH(INVOKE_FIELD_ADD, 0, x + y)
  FIELD_ARITH(INVOKE_FIELD_SUB, 1, x - y)
  FIELD_ARITH(INVOKE_FIELD_MUL, 2, x * y)
  FIELD_ARITH(INVOKE_FIELD_DIV, 3, x / y)
  SMI_BINARY(INVOKE_BIT_AND, BIT_AND, NO_FLOAT, { sp--; sp[0] = a & b; NEXT(1); })
  SMI_BINARY(INVOKE_BIT_OR, BIT_OR, NO_FLOAT, { sp--; sp[0] = a | b; NEXT(1); })
  SMI_BINARY(INVOKE_BIT_XOR, BIT_XOR, NO_FLOAT, { sp--; sp[0] = a ^ b; NEXT(1); })
  SMI_BINARY(INVOKE_SHL, SHL, NO_FLOAT, {
    intptr_t x = smi_value(a), n = smi_value(b);
    if (n >= 0 && n < (intptr_t)SMI_BITS - 1) {
      intptr_t r = (intptr_t)((uintptr_t)x << n);
      if ((r >> n) == x && smi_fits(r)) ARITH_RESULT(r);
    }
  })
  SMI_BINARY(INVOKE_SHR, SHR, NO_FLOAT, {
    intptr_t x = smi_value(a), n = smi_value(b);
    if (n >= 0) ARITH_RESULT(n >= (intptr_t)SMI_BITS ? (x < 0 ? -1 : 0) : x >> n);
  })
  SMI_BINARY(INVOKE_USHR, USHR, NO_FLOAT, {
    intptr_t x = smi_value(a), n = smi_value(b);
    if (x >= 0 && n >= 0) ARITH_RESULT(n >= (intptr_t)SMI_BITS ? 0 : x >> n);
  })
  SMI_BINARY(INVOKE_INDEX, INDEX, LIST_AT(), (void)0)


/* `x OP k` with a small-int literal k: one instruction on the fast path;
 * the slow path pushes k and dispatches like the plain operator. */
#define SMI_IMMEDIATE(name, sel, ...)                                            \
  CASE(name) {                                                                   \
    value a = sp[0];                                                             \
    intptr_t k = (int16_t)U16(1);                                                \
    if (is_smi(a)) {                                                             \
      intptr_t x = smi_value(a);                                                 \
      __VA_ARGS__;                                                               \
    }                                                                            \
    PUSH(make_smi(k));                                                           \
    CALL_OPERATOR(sel, a, 3, sp--);                                              \
  }
#define IMM_RESULT(v)                                                            \
  do {                                                                           \
    sp[0] = (v);                                                                 \
    NEXT(3);                                                                     \
  } while (0)

#define IMM_CMP(c)                                                               \
  do {                                                                           \
    bool c_ = (c);                                                               \
    sp--;                                                                        \
    BRANCH_ON(c_, 3);                                                            \
    *++sp = c_ ? true_v : false_v;                                               \
    NEXT(3);                                                                     \
  } while (0)
  SMI_IMMEDIATE(INVOKE_EQ_SMI, EQ, IMM_CMP(x == k))
  SMI_IMMEDIATE(INVOKE_LT_SMI, LT, IMM_CMP(x < k))
  SMI_IMMEDIATE(INVOKE_LE_SMI, LE, IMM_CMP(x <= k))
  SMI_IMMEDIATE(INVOKE_GT_SMI, GT, IMM_CMP(x > k))
  SMI_IMMEDIATE(INVOKE_GE_SMI, GE, IMM_CMP(x >= k))
  SMI_IMMEDIATE(INVOKE_ADD_SMI, ADD, {
    intptr_t r;
    if (!__builtin_add_overflow(x, k, &r) && smi_fits(r)) IMM_RESULT(make_smi(r));
  })
  SMI_IMMEDIATE(INVOKE_SUB_SMI, SUB, {
    intptr_t r;
    if (!__builtin_sub_overflow(x, k, &r) && smi_fits(r)) IMM_RESULT(make_smi(r));
  })

  CASE(LOAD_LOCAL_ADD_SMI) {
    /* `x += k` on a local: [..] -> [.., x + k]. When the next instruction
     * stores back into the same slot (the usual i++), do that too. */
    value a = sp[-(int)U8(1)];
    intptr_t k = (int16_t)img_rd16(bcp + 2);
    intptr_t r;
    if (is_smi(a) && !__builtin_add_overflow(smi_value(a), k, &r) && smi_fits(r)) {
      if (bcp[4] == OP_STORE_LOCAL_POP && bcp[5] == U8(1) + 1) {
        sp[-(int)U8(1)] = make_smi(r);
        /* The rest of a counting loop on the same slot, `load local n`,
         * then `invoke < smi K` or `load local m / load smi K; invoke <`,
         * then `branch back if true`, is done here too. */
        if (U8(1) <= 5 && bcp[6] == OP_LOAD_LOCAL_0 + U8(1)) {
          const uint8_t *q = bcp + 7;
          /* No limit yet: a value that is neither a small int nor an object
           * (the tag of a block reference). */
          const value no_lim = 3;
          value lim = no_lim;
          if (*q == OP_INVOKE_LT_SMI) {
            lim = make_smi((int16_t)img_rd16(q + 1));
            q += 3;
          } else {
            /* One more slot is pushed at this point: `load local k` reads sp[1 - k]. */
            if (*q >= OP_LOAD_LOCAL_1 && *q <= OP_LOAD_LOCAL_5) lim = sp[1 - (*q - OP_LOAD_LOCAL_0)], q++;
            else if (*q == OP_LOAD_LOCAL && q[1] >= 1) lim = sp[1 - (int)q[1]], q += 2;
            else if (*q == OP_LOAD_SMI16) lim = make_smi((int16_t)img_rd16(q + 1)), q += 3;
            else if (*q == OP_LOAD_SMI32) lim = make_smi((int32_t)img_rd32(q + 1)), q += 5;
            else if (*q == OP_LOAD_FIELD_LOCAL && q[1] >= 1) {
              value o = sp[1 - (int)q[1]];
              if (is_obj(o) && q[2] < ICLASS(obj_class(as_obj(o)))->fields &&
                  ICLASS(obj_class(as_obj(o)))->layout == LAYOUT_INSTANCE)
                lim = ((obj_instance *)as_obj(o))->fields[q[2]];
              else
                lim = no_lim;
              q += 3;
            }
            if (*q == OP_LOAD_FIELD && q > bcp + 7) {
              /* `i < this.size_`: the limit is a field of that local. */
              if (is_obj(lim) && q[1] < ICLASS(obj_class(as_obj(lim)))->fields &&
                  ICLASS(obj_class(as_obj(lim)))->layout == LAYOUT_INSTANCE)
                lim = ((obj_instance *)as_obj(lim))->fields[q[1]];
              else
                lim = no_lim;
              q += 2;
            }
            if (*q == OP_INVOKE_LT) q++;
            else lim = no_lim;
          }
          if (is_smi(lim) && *q == OP_BRANCH_BACK_IF_TRUE) {
            if (r < smi_value(lim)) {
              bcp = q - img_rd16(q + 1);
              CHECK_BUDGET();
              DISPATCH();
            }
            bcp = q + 3;
            DISPATCH();
          }
        }
        NEXT(6);
      }
      PUSH(make_smi(r));
      NEXT(4);
    }
    PUSH(a);
    PUSH(make_smi(k));
    {
      uint16_t offset_ = img->selectors[IMG_SEL_ADD];
      uint32_t cls_ = CLASS_OF(a);
      uint16_t entry_ = img_rd16(dispatch + 2 * (cls_ + offset_));
      const uint8_t *m_;
      if (offset_ == 0xffff || entry_ == 0 ||
          img_rd16((m_ = IMETHOD(entry_ - 1u)) + 4) != offset_ || m_[0] != 2) {
        sp--;
        goto lookup_failed;
      }
      METHOD_ENTER(m_, bcp + 4);
      CHECK_BUDGET();
      DISPATCH();
    }
  }
  CASE(INVOKE_INDEX_SET) {
    value a = sp[-2];
    {
      /* list[i] = v in bounds on the core List: [list, i, v] -> [v]. */
      uintptr_t n_;
      obj_array *arr_ = LIST_ARRAY(a, n_);
      if (arr_ && is_smi(sp[-1]) && (uintptr_t)smi_value(sp[-1]) < n_) {
        arr_->elems[smi_value(sp[-1])] = sp[0];
        sp[-2] = sp[0];
        sp -= 2;
        NEXT(1);
      }
    }
    uint16_t offset = img->selectors[IMG_SEL_INDEX_SET];
    uint32_t cls = CLASS_OF(a);
    uint16_t entry = img_rd16(dispatch + 2 * (cls + offset));
    const uint8_t *m;
    if (offset == 0xffff || entry == 0 || img_rd16((m = IMETHOD(entry - 1u)) + 4) != offset ||
        m[0] != 3)
      goto lookup_failed;
    METHOD_ENTER(m, bcp + 1);
    CHECK_BUDGET();
    DISPATCH();
  }
  CASE(IDENTICAL) {
    value a = sp[-1], b = sp[0];
    bool same = vm_identical(p, a, b);
    sp--;
    sp[0] = same ? true_v : false_v;
    NEXT(1);
  }
  CASE(NOT) {
    value v = sp[0];
    sp[0] = (v == false_v || v == null_v) ? true_v : false_v;
    NEXT(1);
  }
  CASE(IS_CLASS) {
    uint16_t cls = U16(1);
    uint32_t c = CLASS_OF(sp[0]);
    if (is_special(sp[0])) c = 0xffff;
    const img_class *k = ICLASS(cls);
    sp[0] = (c >= cls && c < k->end) ? true_v : false_v;
    NEXT(3);
  }
  CASE(AS_CLASS) {
    uint16_t cls = U16(1);
    if (!AS_CLASS_OK(cls, sp[0])) {
      const img_class *k = ICLASS(cls & 0x7fff);
      SAVE();
      vm_throw_as_check(p, sp[0], img_name(img, img_rd32((const uint8_t *)&k->name)));
      exc = p->pending;
      goto do_throw;
    }
    NEXT(3);
  }
  CASE(IS_INTERFACE) {
    uint16_t offset = U16(2);
    uint32_t cls = CLASS_OF(sp[0]);
    uint16_t entry = is_special(sp[0]) ? 0 : img_rd16(dispatch + 2 * (cls + offset));
    sp[0] = (entry != 0 && img_rd16(IMETHOD(entry - 1u) + 4) == offset) ? true_v : false_v;
    NEXT(4);
  }
  CASE(AS_INTERFACE) {
    uint16_t offset = U16(2);
    uint32_t cls = CLASS_OF(sp[0]);
    uint16_t entry = is_special(sp[0]) ? 0 : img_rd16(dispatch + 2 * (cls + offset));
    if (!(entry != 0 && img_rd16(IMETHOD(entry - 1u) + 4) == offset)) {
      SAVE();
      vm_throw_as_check(p, sp[0], img_selector_name(img, offset));
      exc = p->pending;
      goto do_throw;
    }
    NEXT(4);
  }
  CASE(BRANCH) { NEXT(U16(1)); }
  CASE(BRANCH_IF_TRUE) {
    value v = *sp--;
    if (v != false_v && v != null_v) NEXT(U16(1));
    NEXT(3);
  }
  CASE(BRANCH_IF_FALSE) {
    value v = *sp--;
    if (v == false_v || v == null_v) NEXT(U16(1));
    NEXT(3);
  }
  CASE(BRANCH_BACK) {
    bcp -= U16(1);
    CHECK_BUDGET();
    DISPATCH();
  }
  CASE(BRANCH_BACK_IF_TRUE) {
    value v = *sp--;
    if (v != false_v && v != null_v) {
      bcp -= U16(1);
      CHECK_BUDGET();
      DISPATCH();
    }
    NEXT(3);
  }
  CASE(PRIMITIVE) {
    uint16_t index = U16(1);
    uint8_t argc = U8(3);
    vm_primitive_fn prim = p->prims[index];
    /* The core library's List and Map index their arrays through these. */
    if (prim == vm_prim_array_at && argc == 2) {
      value av = sp[-1], iv = sp[0];
      if (is_obj(av) && obj_class(as_obj(av)) == array_cls && is_smi(iv) &&
          (uintptr_t)smi_value(iv) < ((obj_array *)as_obj(av))->length) {
        sp[-1] = ((obj_array *)as_obj(av))->elems[smi_value(iv)];
        sp--;
        NEXT(4);
      }
    } else if (prim == vm_prim_array_at_put && argc == 3) {
      value av = sp[-2], iv = sp[-1];
      if (is_obj(av) && obj_class(as_obj(av)) == array_cls && is_smi(iv) &&
          (uintptr_t)smi_value(iv) < ((obj_array *)as_obj(av))->length) {
        ((obj_array *)as_obj(av))->elems[smi_value(iv)] = sp[0];
        sp[-2] = sp[0];
        sp -= 2;
        NEXT(4);
      }
    }
    value *args = sp - argc + 1;
    SAVE();
    prim_r = prim(p, args);
    prim_argc = argc;
    if (p->stack != obj_value(stk)) RELOAD_STACK();
  prim_done:;
    /* prim_r: the result of the primitive at bcp, whose prim_argc
     * arguments are still on the stack. */
    value r = prim_r;
    if (r == VM_FAILED) {
      if (p->exit_code >= 0) {
        SAVE();
        return VM_EXITED;
      }
      exc = p->pending;
      goto do_throw;
    }
    sp -= prim_argc;
    if (r == VM_SWITCH) {
      /* yield/sleep: finish the instruction, then let the scheduler run. */
      PUSH(null_v);
      bcp += 4;
      SAVE();
      return VM_TASK_SWITCH;
    }
    PUSH(r);
    NEXT(4);
  }
  CASE(RETURN) {
    value v = sp[0];
    sp -= U8(1);
    value marker = sp[0];
    if (!is_frame_marker(marker)) THROW_STR("LOOKUP_FAILED"); /* never in a verified frame */
    sp -= 1 + U8(2);
    bcp = code + frame_marker_offset(marker);
    /* A call whose result is dropped (a statement): drop it here. */
    if (*bcp == OP_POP_1) NEXT(1);
    PUSH(v);
    DISPATCH();
  }
  CASE(RETURN_NULL) {
    sp -= U8(1);
    value marker = sp[0];
    if (!is_frame_marker(marker)) THROW_STR("LOOKUP_FAILED");
    sp -= 1 + U8(2);
    bcp = code + frame_marker_offset(marker);
    if (*bcp == OP_POP_1) NEXT(1);
    PUSH(null_v);
    DISPATCH();
  }
  CASE(NON_LOCAL_RETURN) {
    /* [block ref, value]: return the value from the block's home method,
     * whose frame marker lies U8(1) slots below the block slot. */
    value v = sp[0];
    value b = sp[-1];
    uintptr_t slot = block_ref_slot(b);
    if (!is_block_ref(b) || slot < U8(1) || base + slot > sp ||
        !is_frame_marker(base[slot - U8(1)]))
      THROW_STR("LOOKUP_FAILED");
    ret_marker = slot - U8(1);
    ret_arity = U8(2);
    ret_value = v;
    goto do_return;
  }
  CASE(RETURN_UNWIND) {
    /* A return inside try: run the finally bodies of this frame first. */
    ret_value = sp[0];
    ret_marker = (uintptr_t)(sp - base) - U8(1);
    ret_arity = U8(2);
    goto do_return;
  }
  CASE(NON_LOCAL_BRANCH) {
    /* [block ref]: unwind to the loop's frame at height (block slot -
     * U8(1)) and continue at bytecode offset U32(2) of that frame's method.
     * The method is found from the return address of its pending call. */
    value b = sp[0];
    uintptr_t slot = block_ref_slot(b);
    if (!is_block_ref(b) || slot < U8(1) || base + slot > sp) THROW_STR("LOOKUP_FAILED");
    br_to = slot - U8(1);
    uint32_t bci = img_rd32(bcp + 2);
    value *scan = base + br_to + 1;
    while (scan <= sp && !is_frame_marker(*scan)) scan++;
    /* No call above the target height: the loop is in this very frame
     * (a break/continue out of a try). */
    int home = scan <= sp ? img_method_at_code_offset(img, (uint32_t)frame_marker_offset(*scan) - 1)
                          : img_method_at_code_offset(img, (uint32_t)(bcp - code));
    if (home < 0 || !img_is_instruction_start(img, (uint32_t)home, bci)) THROW_STR("LOOKUP_FAILED");
    br_target = img_method_offset(img, (uint32_t)home) + 8 + bci;
    goto do_branch;
  }
  CASE(THROW) {
    exc = sp[0];
    SAVE();
    goto do_throw;
  }
  CASE(LINK) {
    PUSH(make_smi((intptr_t)(bcp + U16(1) - code)));
    PUSH(make_smi(p->try_top));
    PUSH(make_smi(REASON_NORMAL));
    PUSH(null_v);
    PUSH(null_v);
    p->try_top = (int32_t)(sp - base - 4);
    NEXT(3);
  }
  CASE(UNLINK) {
    value *link = sp - 4;
    p->try_top = (int32_t)smi_value(link[1]);
    NEXT(1);
  }
  CASE(UNWIND) {
    /* End of a finally body: the link's five slots are on top. */
    value *link = sp - 4;
    intptr_t reason = smi_value(link[2]);
    if (reason == REASON_NORMAL) {
      sp -= LINK_SLOTS;
      NEXT(1);
    }
    if (reason == REASON_THROW) {
      exc = link[3];
      value trace = link[4];
      sp -= LINK_SLOTS;
      SAVE();
      if (vm_rethrow(p, exc, trace)) goto unwound;
      goto uncaught;
    }
    if (reason >= 0) {
      ret_value = link[3];
      ret_marker = (uintptr_t)reason >> 8;
      ret_arity = (int)(reason & 255);
      goto do_return;
    }
    br_to = (uintptr_t)(-reason - 3);
    br_target = (uint32_t)smi_value(link[3]);
    goto do_branch;
  }
  CASE(CONCAT) {
    uint8_t n = U8(1);
    SAVE();
    value r = vm_concat(p, sp - n + 1, n);
    if (r == VM_FAILED) {
      exc = p->pending;
      goto do_throw;
    }
    sp -= n;
    PUSH(r);
    NEXT(2);
  }
  CASE(CREATE_ARRAY) {
    uint16_t n = U16(1);
    SAVE();
    value a = vm_new_array(p, n, null_v);
    if (!a) goto out_of_memory;
    obj_array *arr = (obj_array *)as_obj(a);
    memcpy(arr->elems, sp - n + 1, sizeof(value) * n);
    sp -= n;
    PUSH(a);
    NEXT(3);
  }
  CASE(CREATE_LAMBDA) {
    /* [captured...] -> [lambda]: a Lambda holds its method and an array of
     * the captured values (boxes for variables assigned after capture). */
    uint16_t mi = U16(1);
    uint8_t n = bcp[3];
    SAVE();
    value captures = null_v;
    if (n) {
      captures = vm_new_array(p, n, null_v);
      if (!captures) goto out_of_memory;
      memcpy(((obj_array *)as_obj(captures))->elems, sp - n + 1, sizeof(value) * n);
    }
    sp -= n;
    SAVE();
    p->handles[p->handle_count++] = captures;
    uint16_t cls = lambda_cls;
    obj_instance *l = ICLASS(cls)->fields >= 2
                          ? vm_heap_alloc(&p->heap, cls, sizeof(obj_instance) + sizeof(value) * ICLASS(cls)->fields)
                          : NULL;
    captures = p->handles[--p->handle_count];
    if (!l) goto out_of_memory;
    for (uint32_t i = 0; i < ICLASS(cls)->fields; i++) l->fields[i] = null_v;
    l->fields[0] = make_smi(mi);
    l->fields[1] = captures;
    PUSH(obj_value(l));
    NEXT(4);
  }
  CASE(INVOKE_LAMBDA) {
    lambda_argc = U8(1);
    lambda_next = bcp + 2;
    goto invoke_lambda;
  }
  invoke_lambda: {
    /* [lambda, args...]: too few arguments is an error, extra ones are
     * dropped, then the captured values follow the arguments. */
    uint8_t argc = lambda_argc;
    value lv = sp[1 - (int)argc];
    if (!is_obj(lv) || obj_class(as_obj(lv)) != lambda_cls) THROW_STR("LOOKUP_FAILED");
    obj_instance *l = (obj_instance *)as_obj(lv);
    value mv = l->fields[0], cv = l->fields[1];
    if (!is_smi(mv) || smi_value(mv) < 0 || (uintptr_t)smi_value(mv) >= method_count) THROW_STR("LOOKUP_FAILED");
    const uint8_t *m = IMETHOD((uint32_t)smi_value(mv));
    uint32_t ncap = 0;
    if (cv != null_v) {
      if (!is_obj(cv) || obj_class(as_obj(cv)) != array_cls) THROW_STR("LOOKUP_FAILED");
      ncap = ((obj_array *)as_obj(cv))->length;
    }
    if (m[1] != IMG_METHOD_LAMBDA || m[0] < 1 + ncap) THROW_STR("LOOKUP_FAILED");
    uint32_t params = m[0] - 1 - ncap;
    if ((uint32_t)argc - 1 < params) {
      SAVE();
      vm_throw_too_few(p, "lambda", argc - 1, params, (uint32_t)smi_value(mv));
      exc = p->pending;
      goto do_throw;
    }
    sp -= (argc - 1) - params;
    if (sp + ncap + img_rd16(m + 2) + 8 >= limit) {
      SAVE();
      if (!grow_stack(p, (uint32_t)(sp - base + 1), ncap + img_rd16(m + 2) + 8)) goto stack_overflow;
      RELOAD_STACK();
      cv = ((obj_instance *)as_obj(sp[-(int)params]))->fields[1];
    }
    for (uint32_t i = 0; i < ncap; i++) PUSH(((obj_array *)as_obj(cv))->elems[i]);
    METHOD_ENTER(m, lambda_next);
    CHECK_BUDGET();
    DISPATCH();
  }
  CASE(HALT) {
    SAVE();
    return VM_DONE;
  }

#if !(defined(__GNUC__) && !defined(TOIT_NO_COMPUTED_GOTO))
  default:
    THROW_STR("LOOKUP_FAILED");
  }
#endif

  /* ---- slow paths ---- */
do_return: {
    /* Return ret_value from the frame whose marker is at ret_marker, after
     * running the finally bodies of every try linked above it. */
    if (p->try_top >= 0 && (uintptr_t)p->try_top > ret_marker) {
      value *link = base + p->try_top;
      link[2] = make_smi((intptr_t)((ret_marker << 8) | (uintptr_t)ret_arity));
      link[3] = ret_value;
      p->try_top = (int32_t)smi_value(link[1]);
      sp = link + 4;
      bcp = code + smi_value(link[0]);
      DISPATCH();
    }
    bcp = code + frame_marker_offset(base[ret_marker]);
    sp = base + ret_marker - 1 - ret_arity;
    PUSH(ret_value);
    DISPATCH();
  }
do_branch: {
    if (p->try_top >= 0 && (uintptr_t)p->try_top > br_to) {
      value *link = base + p->try_top;
      link[2] = make_smi(-(intptr_t)br_to - 3);
      link[3] = make_smi((intptr_t)br_target);
      p->try_top = (int32_t)smi_value(link[1]);
      sp = link + 4;
      bcp = code + smi_value(link[0]);
      DISPATCH();
    }
    sp = base + br_to;
    bcp = code + br_target;
    DISPATCH();
  }

lookup_failed: {
    SAVE();
    vm_throw_lookup_failed(p, bcp);
    exc = p->pending;
    goto do_throw;
  }
stack_overflow: {
    SAVE();
    vm_throw_string(p, "STACK_OVERFLOW");
    exc = p->pending;
    goto do_throw;
  }
out_of_memory: {
    SAVE();
    vm_throw_string(p, "OUT_OF_MEMORY");
    exc = p->pending;
    goto do_throw;
  }
do_throw: {
    /* State is saved (stk->top, saved_bci at the throwing instruction). */
    if (vm_throw_to_handler(p, exc)) goto unwound;
    goto uncaught;
  }
unwound: {
    stk = (obj_stack *)as_obj(p->stack);
    base = stk->slots;
    limit = base + stk->length;
    sp = base + stk->top - 1;
    bcp = code + p->saved_bci;
    DISPATCH();
  }
uncaught:
  return VM_UNCAUGHT;
}
