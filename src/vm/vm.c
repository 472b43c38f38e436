/* Processes: creation, object helpers, throwing, stack traces. */
#include "vm/vm.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "image/opcodes.h"
#include "vm/errors.h"
#include "vm/interp.h"
#include "vm/numfmt.h"

static const char *const error_names[VM_ERR_COUNT] = {
#define VM_ERROR_NAME(name) #name,
    VM_ERRORS(VM_ERROR_NAME)
#undef VM_ERROR_NAME
};

/* Per-process block of VM-owned string objects (error values). */
typedef struct {
  uint32_t offsets[VM_ERR_COUNT];
  uint8_t *block;
} static_strings;

void vm_options_default(vm_options *o) {
  memset(o, 0, sizeof *o);
  o->heap_limit = VM_HEAP_DEFAULT;
  o->max_stack_slots = VM_STACK_DEFAULT_SLOTS;
  o->out = stdout;
  o->err = stderr;
}

value vm_null(const vm_process *p) {
  return obj_value(img_object(p->img, p->img->objects[IMG_NULL_OBJ]));
}

value vm_bool(const vm_process *p, bool b) {
  return obj_value(img_object(p->img, p->img->objects[b ? IMG_TRUE_OBJ : IMG_FALSE_OBJ]));
}

const char *vm_class_name(const vm_process *p, uint32_t cls) {
  if (cls >= p->img->class_count) return "?";
  return img_name(p->img, img_class_at(p->img, cls)->name);
}

static void scan_roots(vm_heap *h, void *ctx, vm_root_visitor visit) {
  vm_process *p = ctx;
  for (int i = 0; i < p->task_count; i++)
    if (i != p->current && p->tasks[i].state != VM_TASK_DONE) visit(h, &p->tasks[i].stack);
  for (uint32_t i = 0; i < p->img->global_count; i++) visit(h, &p->globals[i]);
  visit(h, &p->stack);
  visit(h, &p->pending);
  visit(h, &p->vm_exc);
  for (int i = 0; i < p->handle_count; i++) visit(h, &p->handles[i]);
}

static bool make_static_strings(vm_process *p) {
  size_t total = 0;
  for (int i = 0; i < VM_ERR_COUNT; i++)
    total += WORD_ALIGN(sizeof(obj_bytes) + strlen(error_names[i]) + 1);
  p->static_block = calloc(1, total + 8);
  if (!p->static_block) return false;
  uint8_t *at = (uint8_t *)(((uintptr_t)p->static_block + 7) & ~(uintptr_t)7);
  uint8_t *start = at;
  for (int i = 0; i < VM_ERR_COUNT; i++) {
    obj_bytes *s = (obj_bytes *)at;
    size_t n = strlen(error_names[i]);
    s->hdr = p->img->class_ids[IMG_CLASS_STRING];
    s->size = (uint32_t)n;
    memcpy(s->bytes, error_names[i], n + 1);
    p->error_values[i] = obj_value(s);
    at += WORD_ALIGN(sizeof(obj_bytes) + n + 1);
  }
  p->heap.static_lo = start;
  p->heap.static_hi = at;
  return true;
}

bool vm_process_init(vm_process *p, const img_image *img, const vm_options *opt) {
  memset(p, 0, sizeof *p);
  p->img = img;
  p->code = img_section_ptr(img, IMG_SEC_CODE);
  p->opt = *opt;
  if (!p->opt.heap_limit) p->opt.heap_limit = VM_HEAP_DEFAULT;
  if (!p->opt.max_stack_slots) p->opt.max_stack_slots = VM_STACK_DEFAULT_SLOTS;
  if (!p->opt.out) p->opt.out = stdout;
  if (!p->opt.err) p->opt.err = stderr;
  p->try_top = -1;
  p->exit_code = -1;
  vm_heap_init(&p->heap, img, p->opt.heap_limit);
  p->heap.scan_roots = scan_roots;
  p->heap.roots_ctx = p;
  p->heap.stress = opt->gc_stress;
  p->heap.fail_countdown = opt->fail_allocation;
  value null_v = vm_null(p);
  p->pending = null_v;
  p->vm_exc = null_v;
  p->stack = null_v;
  if (!make_static_strings(p)) {
    snprintf(p->error, sizeof p->error, "out of memory creating the process");
    return false;
  }
  p->globals = malloc(sizeof(value) * (img->global_count + 1));
  p->global_state = calloc(img->global_count + 1, 1);
  p->prims = calloc(img->prim_count + 1, sizeof(vm_primitive_fn));
  if (!p->globals || !p->global_state || !p->prims) {
    snprintf(p->error, sizeof p->error, "out of memory creating the process");
    return false;
  }
  for (uint32_t i = 0; i < img->global_count; i++) p->globals[i] = null_v;
  const uint8_t *prims = img_section_ptr(img, IMG_SEC_PRIMS);
  for (uint32_t i = 0; i < img->prim_count; i++) {
    const char *name = img_name(img, img_rd32(prims + 8 * i));
    int arity;
    p->prims[i] = vm_primitive_lookup(name, &arity);
    if (p->prims[i] && (uint32_t)arity != img_rd32(prims + 8 * i + 4)) {
      snprintf(p->error, sizeof p->error, "the image calls primitive '%s' with the wrong arity", name);
      return false;
    }
    if (!p->prims[i]) {
      snprintf(p->error, sizeof p->error, "the image needs primitive '%s', which this VM lacks", name);
      return false;
    }
  }
  return true;
}

void vm_process_free(vm_process *p) {
  vm_heap_free(&p->heap);
  free(p->tasks);
  free(p->ready);
  p->tasks = NULL;
  p->ready = NULL;
  free(p->globals);
  free(p->global_state);
  free(p->prims);
  free(p->static_block);
  p->globals = NULL;
}

/* ---- object helpers ---- */

value vm_oom(vm_process *p) {
  p->pending = p->error_values[VM_ERR_OUT_OF_MEMORY];
  p->vm_exc = p->pending;
  p->vm_message[0] = 0;
  return VM_FAILED;
}

value vm_new_string(vm_process *p, const char *bytes, size_t size) {
  if (size > 0x7fffffff) return 0;
  obj_bytes *s = vm_heap_alloc(&p->heap, p->img->class_ids[IMG_CLASS_STRING], sizeof(obj_bytes) + size + 1);
  if (!s) return 0;
  s->size = (uint32_t)size;
  if (bytes) memcpy(s->bytes, bytes, size);
  s->bytes[size] = 0;
  return obj_value(s);
}

value vm_new_float(vm_process *p, double d) {
  obj_float *f = vm_heap_alloc(&p->heap, p->img->class_ids[IMG_CLASS_FLOAT], sizeof(obj_float));
  if (!f) return 0;
  memcpy(&f->value, &d, sizeof d);
  return obj_value(f);
}

value vm_new_int(vm_process *p, int64_t i) {
  if (smi_fits(i)) return make_smi((intptr_t)i);
  obj_largeint *l = vm_heap_alloc(&p->heap, p->img->class_ids[IMG_CLASS_LARGEINT], sizeof(obj_largeint));
  if (!l) return 0;
  memcpy(&l->value, &i, sizeof i);
  return obj_value(l);
}

value vm_new_array(vm_process *p, uint32_t length, value fill) {
  if (length > (1u << 28)) return 0;
  obj_array *a = vm_heap_alloc(&p->heap, p->img->class_ids[IMG_CLASS_ARRAY],
                               sizeof(obj_array) + sizeof(value) * length);
  if (!a) return 0;
  a->length = length;
  for (uint32_t i = 0; i < length; i++) a->elems[i] = fill;
  return obj_value(a);
}

bool vm_is_string(const vm_process *p, value v) {
  return is_obj(v) && obj_class(as_obj(v)) == p->img->class_ids[IMG_CLASS_STRING];
}

bool vm_is_int(const vm_process *p, value v, int64_t *out) {
  if (is_smi(v)) {
    *out = smi_value(v);
    return true;
  }
  if (is_obj(v) && obj_class(as_obj(v)) == p->img->class_ids[IMG_CLASS_LARGEINT]) {
    *out = largeint_value(v);
    return true;
  }
  return false;
}

bool vm_is_float(const vm_process *p, value v, double *out) {
  if (is_obj(v) && obj_class(as_obj(v)) == p->img->class_ids[IMG_CLASS_FLOAT]) {
    *out = float_value(v);
    return true;
  }
  return false;
}

bool vm_identical(const vm_process *p, value a, value b) {
  if (a == b) return true;
  if (!is_obj(a) || !is_obj(b)) return false;
  uint32_t ca = obj_class(as_obj(a)), cb = obj_class(as_obj(b));
  if (ca != cb) return false;
  const img_image *img = p->img;
  if (ca == img->class_ids[IMG_CLASS_LARGEINT]) return largeint_value(a) == largeint_value(b);
  if (ca == img->class_ids[IMG_CLASS_FLOAT]) {
    double x = float_value(a), y = float_value(b);
    return memcmp(&x, &y, sizeof x) == 0;
  }
  if (ca == img->class_ids[IMG_CLASS_STRING]) {
    obj_bytes *x = (obj_bytes *)as_obj(a), *y = (obj_bytes *)as_obj(b);
    return x->size == y->size && memcmp(x->bytes, y->bytes, x->size) == 0;
  }
  return false;
}

value vm_concat(vm_process *p, value *parts, int n) {
  size_t total = 0;
  for (int i = 0; i < n; i++) {
    if (!vm_is_string(p, parts[i])) {
      return vm_throw_string(p, "WRONG_ARGUMENT_TYPE");
    }
    total += ((obj_bytes *)as_obj(parts[i]))->size;
  }
  if (total > 0x3fffffff) return vm_throw_string(p, "OUT_OF_RANGE");
  value r = vm_new_string(p, NULL, total);
  if (!r) return vm_oom(p);
  obj_bytes *s = (obj_bytes *)as_obj(r);
  size_t at = 0;
  for (int i = 0; i < n; i++) {
    obj_bytes *part = (obj_bytes *)as_obj(parts[i]);
    memcpy(s->bytes + at, part->bytes, part->size);
    at += part->size;
  }
  return r;
}

/* ---- throwing ---- */

value vm_throw_value(vm_process *p, value v) {
  p->pending = v;
  return VM_FAILED;
}

static value throw_vm(vm_process *p, value v, const char *fmt, ...) {
  p->pending = v;
  p->vm_exc = v;
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->vm_message, sizeof p->vm_message, fmt, ap);
    va_end(ap);
  } else {
    p->vm_message[0] = 0;
  }
  return VM_FAILED;
}

value vm_throw_string(vm_process *p, const char *msg) {
  for (int i = 0; i < VM_ERR_COUNT; i++) {
    if (strcmp(error_names[i], msg) == 0) return throw_vm(p, p->error_values[i], "%s error.", msg);
  }
  value s = vm_new_string(p, msg, strlen(msg));
  if (!s) return vm_oom(p);
  return throw_vm(p, s, NULL);
}

value vm_throw_error(vm_process *p, int error) {
  return throw_vm(p, p->error_values[error], "%s error.", error_names[error]);
}

/* "a string (\"s\")", "an int (3)", "null", "an A". */
static void describe_value(vm_process *p, value v, char *buf, size_t cap) {
  int64_t i;
  double d;
  if (v == vm_null(p)) {
    snprintf(buf, cap, "null");
  } else if (vm_is_int(p, v, &i)) {
    snprintf(buf, cap, "an int (%" PRId64 ")", i);
  } else if (vm_is_float(p, v, &d)) {
    char f[NUMFMT_BUF];
    numfmt_float(f, d);
    snprintf(buf, cap, "a float (%s)", f);
  } else if (vm_is_string(p, v)) {
    obj_bytes *s = (obj_bytes *)as_obj(v);
    snprintf(buf, cap, "a string (\"%.*s\")", s->size > 40 ? 40 : (int)s->size, s->bytes);
  } else if (v == vm_bool(p, true) || v == vm_bool(p, false)) {
    snprintf(buf, cap, "a bool (%s)", v == vm_bool(p, true) ? "true" : "false");
  } else {
    const char *name = vm_class_name(p, vm_class_of(p, v));
    const char *article = strchr("AEIOUaeiou", name[0]) ? "an" : "a";
    snprintf(buf, cap, "%s %s", article, name);
  }
}

void vm_throw_as_check(vm_process *p, value v, const char *type_name) {
  char what[128];
  char iface[96];
  if (type_name && strncmp(type_name, "<is ", 4) == 0) {
    /* An interface check's selector is named "<is Name>/0". */
    snprintf(iface, sizeof iface, "%s", type_name + 4);
    char *end = strchr(iface, '>');
    if (end) *end = 0;
    type_name = iface;
  }
  describe_value(p, v, what, sizeof what);
  throw_vm(p, p->error_values[VM_ERR_AS_CHECK_FAILED], "As check failed: %s is not a %s.", what,
           type_name ? type_name : "?");
}

void vm_throw_too_few(vm_process *p, int given, int expected) {
  throw_vm(p, p->error_values[VM_ERR_CODE_INVOCATION_FAILED],
           "Called lambda with too few arguments.\nGot: %d Expected: %d.", given, expected);
}

void vm_throw_lookup_failed(vm_process *p, const uint8_t *bcp) {
  const img_image *img = p->img;
  uint8_t op = *bcp;
  if (op >= OP_INVOKE_ADD_TEMP && op <= OP_INVOKE_MOD_TEMP) op = (uint8_t)(OP_INVOKE_ADD + (op - OP_INVOKE_ADD_TEMP));
  if (op >= OP_INVOKE_ADD_LOCAL && op <= OP_INVOKE_DIV_LOCAL_TEMP) op = (uint8_t)(OP_INVOKE_ADD + (op - OP_INVOKE_ADD_LOCAL) % 4);
  if (op >= OP_LOCAL_ADD && op <= OP_LOCAL_MUL_TEMP) op = (uint8_t)(OP_INVOKE_ADD + (op - OP_LOCAL_ADD) % 3);
  if (op >= OP_LOCALS_ADD && op <= OP_LOCALS_MUL_TEMP) op = (uint8_t)(OP_INVOKE_ADD + (op - OP_LOCALS_ADD) % 3);
  value receiver = 0;
  uint32_t offset = 0xffff;
  obj_stack *s = (obj_stack *)as_obj(p->stack);
  value *sp = s->slots + s->top - 1;
  if (op == OP_INVOKE_VIRTUAL) {
    receiver = sp[1 - (int)bcp[1]];
    offset = img_rd16(bcp + 2);
  } else if (op == OP_INVOKE_LOCAL || op == OP_INVOKE_FIELD_LOCAL) {
    receiver = sp[0]; /* pushed before the lookup */
    offset = img_rd16(bcp + 2);
  } else if (op == OP_INVOKE_FIELD_SET) {
    receiver = sp[-1];
    offset = img_rd16(bcp + 1);
  } else if (op == OP_INVOKE_INDEX_SET) {
    receiver = sp[-2];
    offset = img->selectors[IMG_SEL_INDEX_SET];
  } else if (op == OP_LOAD_LOCAL_ADD_SMI) {
    receiver = sp[0];
    offset = img->selectors[IMG_SEL_ADD];
  } else if (op >= OP_INVOKE_EQ_SMI && op <= OP_INVOKE_SUB_SMI) {
    static const uint8_t sel_of[] = {IMG_SEL_EQ, IMG_SEL_LT, IMG_SEL_LE, IMG_SEL_GT,
                                     IMG_SEL_GE, IMG_SEL_ADD, IMG_SEL_SUB};
    receiver = sp[0];
    offset = img->selectors[sel_of[op - OP_INVOKE_EQ_SMI]];
  } else if (op >= OP_INVOKE_EQ && op <= OP_INVOKE_INDEX) {
    static const uint8_t sel_of[] = {IMG_SEL_EQ, IMG_SEL_LT, IMG_SEL_LE, IMG_SEL_GT, IMG_SEL_GE,
                                     IMG_SEL_ADD, IMG_SEL_SUB, IMG_SEL_MUL, IMG_SEL_DIV, IMG_SEL_MOD,
                                     IMG_SEL_BIT_AND, IMG_SEL_BIT_OR, IMG_SEL_BIT_XOR, IMG_SEL_SHL,
                                     IMG_SEL_SHR, IMG_SEL_USHR, IMG_SEL_INDEX};
    receiver = sp[-1];
    offset = img->selectors[sel_of[op - OP_INVOKE_EQ]];
  }
  const char *sel = offset != 0xffff ? img_selector_name(img, offset) : NULL;
  char name[96];
  snprintf(name, sizeof name, "%s", sel ? sel : "?");
  char *slash = strchr(name, '/');
  if (slash) *slash = 0;
  const char *cls = receiver ? vm_class_name(p, vm_class_of(p, receiver)) : "?";
  if (receiver == vm_null(p)) cls = "Null_";
  /* Does the class have a method of that name with another shape? */
  bool other_shape = false;
  if (receiver && sel) {
    uint32_t cid = vm_class_of(p, receiver);
    const uint8_t *names = img_section_ptr(img, IMG_SEC_NAMES);
    uint32_t count = img_rd32(names);
    size_t len = strlen(name);
    const uint8_t *dispatch = img_section_ptr(img, IMG_SEC_DISPATCH);
    for (uint32_t i = 0; i < count && !other_shape; i++) {
      const uint8_t *e = names + 4 + 8 * i;
      const char *n = img_name(img, img_rd32(e + 4));
      uint32_t off = img_rd16(e);
      if (off == offset || strncmp(n, name, len) != 0 || (n[len] != '/' && n[len] != 0)) continue;
      if (cid + off >= img->dispatch_count) continue;
      uint16_t entry = img_rd16(dispatch + 2 * (cid + off));
      if (entry && img_rd16(img_method(img, entry - 1u) + 4) == off) other_shape = true;
    }
  }
  if (other_shape)
    throw_vm(p, p->error_values[VM_ERR_LOOKUP_FAILED], "Argument mismatch for '%s.%s'.", cls, name);
  else
    throw_vm(p, p->error_values[VM_ERR_LOOKUP_FAILED], "Class '%s' does not have any method '%s'.",
             cls, name);
}

/* ---- stack traces ---- */

typedef struct {
  uint32_t method;
  uint32_t bci;
} frame_pos;

/* Walks the current stack: frame 0 is at `pc` (a CODE offset inside a
 * method), callers follow their frame markers. */
static int collect_frames(vm_process *p, uint32_t pc, frame_pos *out, int max) {
  obj_stack *s = (obj_stack *)as_obj(p->stack);
  int n = 0;
  int64_t i = (int64_t)s->top - 1;
  for (;;) {
    int m = img_method_at_code_offset(p->img, pc);
    if (m < 0) break;
    if (n < max) {
      out[n].method = (uint32_t)m;
      out[n].bci = pc - img_method_offset(p->img, (uint32_t)m) - 8;
    }
    n++;
    while (i >= 0 && !is_frame_marker(s->slots[i])) i--;
    if (i < 0) break;
    uint32_t ret = (uint32_t)frame_marker_offset(s->slots[i]);
    i--;
    if (ret == 0) break; /* the HALT that ends the task */
    pc = ret - 1;        /* inside the call instruction */
  }
  return n;
}

static void print_frames(vm_process *p, const frame_pos *f, int n, int total) {
  FILE *err = p->opt.err;
  int shown = 0;
  for (int k = 0; k < n; k++) {
    img_position pos;
    img_lookup_position(p->img, f[k].method, f[k].bci, &pos);
    if (pos.file && pos.line == 0) continue; /* compiler-made helpers have no source */
    char left[128];
    snprintf(left, sizeof left, "%3d: %s", shown++, pos.method_name ? pos.method_name : "?");
    if (pos.file)
      fprintf(err, "%-30s %s:%u:%u\n", left, pos.file, pos.line, pos.col);
    else
      fprintf(err, "%-30s <stripped>\n", left);
  }
  if (total > n) fprintf(err, "  ... %d more frames\n", total - n);
}

static void print_exception_header(vm_process *p, value exc) {
  FILE *err = p->opt.err;
  if (exc == p->vm_exc && p->vm_message[0]) {
    fprintf(err, "%s\n", p->vm_message);
    return;
  }
  fprintf(err, "EXCEPTION error. \n");
  int64_t i;
  double d;
  if (vm_is_string(p, exc)) {
    obj_bytes *s = (obj_bytes *)as_obj(exc);
    fwrite(s->bytes, 1, s->size, err);
    fputc('\n', err);
  } else if (vm_is_int(p, exc, &i)) {
    fprintf(err, "%" PRId64 "\n", i);
  } else if (vm_is_float(p, exc, &d)) {
    char buf[NUMFMT_BUF];
    numfmt_float(buf, d);
    fprintf(err, "%s\n", buf);
  } else {
    char what[128];
    describe_value(p, exc, what, sizeof what);
    fprintf(err, "%s\n", what);
  }
}

#define MAX_TRACE 64

static void report_uncaught_live(vm_process *p, value exc) {
  frame_pos f[MAX_TRACE];
  int total = collect_frames(p, p->saved_bci, f, MAX_TRACE);
  fflush(p->opt.out);
  print_exception_header(p, exc);
  print_frames(p, f, total < MAX_TRACE ? total : MAX_TRACE, total);
  p->uncaught = exc;
}

static void report_uncaught_trace(vm_process *p, value exc, value trace) {
  frame_pos f[MAX_TRACE];
  int n = 0;
  if (is_obj(trace) && obj_class(as_obj(trace)) == p->img->class_ids[IMG_CLASS_ARRAY]) {
    obj_array *a = (obj_array *)as_obj(trace);
    for (uint32_t k = 0; k + 1 < a->length && n < MAX_TRACE; k += 2, n++) {
      f[n].method = (uint32_t)smi_value(a->elems[k]);
      f[n].bci = (uint32_t)smi_value(a->elems[k + 1]);
    }
  }
  fflush(p->opt.out);
  print_exception_header(p, exc);
  print_frames(p, f, n, n);
  p->uncaught = exc;
}

/* Captures the current stack trace as an array of (method, bci) SMIs. */
static value capture_trace(vm_process *p, value exc) {
  frame_pos f[MAX_TRACE];
  int total = collect_frames(p, p->saved_bci, f, MAX_TRACE);
  int n = total < MAX_TRACE ? total : MAX_TRACE;
  p->handles[p->handle_count++] = exc;
  value a = vm_new_array(p, (uint32_t)(2 * n), make_smi(0));
  p->handle_count--;
  if (!a) return vm_null(p);
  obj_array *arr = (obj_array *)as_obj(a);
  for (int k = 0; k < n; k++) {
    arr->elems[2 * k] = make_smi(f[k].method);
    arr->elems[2 * k + 1] = make_smi(f[k].bci);
  }
  return a;
}

static void enter_handler(vm_process *p, value exc, value trace) {
  obj_stack *s = (obj_stack *)as_obj(p->stack);
  value *link = s->slots + p->try_top;
  link[2] = make_smi(-2);
  link[3] = exc;
  link[4] = trace;
  p->try_top = (int32_t)smi_value(link[1]);
  s->top = (uint32_t)(link - s->slots) + 5;
  p->saved_bci = (uint32_t)smi_value(link[0]);
}

bool vm_throw_to_handler(vm_process *p, value exc) {
  if (p->try_top < 0) {
    report_uncaught_live(p, exc);
    return false;
  }
  value trace = capture_trace(p, exc);
  enter_handler(p, exc, trace);
  return true;
}

bool vm_rethrow(vm_process *p, value exc, value trace) {
  if (p->try_top < 0) {
    report_uncaught_trace(p, exc, trace);
    return false;
  }
  enter_handler(p, exc, trace);
  return true;
}

/* ---- running ---- */

/* The List of command-line arguments for `main args` (List's first two
 * fields are its backing array and its size: the core library keeps them so). */
static value make_arguments(vm_process *p) {
  int n = p->opt.argc;
  value arr = vm_new_array(p, (uint32_t)n, vm_null(p));
  if (!arr) return 0;
  p->handles[p->handle_count++] = arr;
  for (int i = 0; i < n; i++) {
    value s = vm_new_string(p, p->opt.argv[i], strlen(p->opt.argv[i]));
    if (!s) {
      p->handle_count--;
      return 0;
    }
    ((obj_array *)as_obj(arr))->elems[i] = s;
  }
  uint16_t cls = p->img->class_ids[IMG_CLASS_LIST];
  obj_instance *list = vm_heap_alloc(&p->heap, cls, sizeof(obj_instance) + 2 * sizeof(value));
  p->handle_count--;
  if (!list || img_class_at(p->img, cls)->fields < 2) return 0;
  list->fields[0] = arr;
  list->fields[1] = make_smi(n);
  return obj_value(list);
}

static bool start(vm_process *p) {
  const img_image *img = p->img;
  obj_stack *s = vm_heap_alloc(&p->heap, img->class_ids[IMG_CLASS_STACK],
                               sizeof(obj_stack) + sizeof(value) * VM_INITIAL_STACK_SLOTS);
  if (!s) return false;
  s->length = VM_INITIAL_STACK_SLOTS;
  p->stack = obj_value(s);
  const uint8_t *main = img_method(img, img->main_method);
  uint32_t top = 0;
  if (main[0] == 1) {
    /* `main args`: a List of the argument strings. */
    value list = make_arguments(p);
    if (!list) return false;
    s = (obj_stack *)as_obj(p->stack);
    s->slots[top++] = list;
  }
  s->slots[top++] = make_frame_marker(0);
  s->top = top;
  p->saved_top = top;
  p->saved_bci = img_method_offset(img, img->main_method) + 8;
  p->started = true;
  return true;
}

/* ---- tasks ---- */

#include <time.h>

int64_t vm_monotonic_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static bool ensure_task_room(vm_process *p) {
  if (p->task_count < p->task_cap) return true;
  int cap = p->task_cap ? p->task_cap * 2 : 8;
  vm_task *t = realloc(p->tasks, sizeof(vm_task) * (size_t)cap);
  if (!t) return false;
  p->tasks = t;
  int *r = malloc(sizeof(int) * (size_t)cap);
  if (!r) return false;
  for (int i = 0; i < p->ready_count; i++) r[i] = p->ready[(p->ready_head + i) % p->task_cap];
  free(p->ready);
  p->ready = r;
  p->ready_head = 0;
  p->task_cap = cap;
  return true;
}

static void make_ready(vm_process *p, int task) {
  p->tasks[task].state = VM_TASK_READY;
  p->ready[(p->ready_head + p->ready_count) % p->task_cap] = task;
  p->ready_count++;
}

int vm_spawn_task(vm_process *p, value lambda, bool background) {
  const img_image *img = p->img;
  uint16_t cls = img->class_ids[IMG_CLASS_LAMBDA];
  uint16_t off = img->selectors[IMG_SEL_CALL0];
  if (off == 0xffff) return -1;
  uint16_t entry = img_rd16(img_section_ptr(img, IMG_SEC_DISPATCH) + 2 * (cls + off));
  if (!entry || img_method(img, entry - 1u)[0] != 1) return -1;
  if (!ensure_task_room(p)) return -1;
  p->handles[p->handle_count++] = lambda;
  obj_stack *s = vm_heap_alloc(&p->heap, img->class_ids[IMG_CLASS_STACK],
                               sizeof(obj_stack) + sizeof(value) * VM_INITIAL_STACK_SLOTS);
  lambda = p->handles[--p->handle_count];
  if (!s) return -1;
  s->length = VM_INITIAL_STACK_SLOTS;
  s->slots[0] = lambda;
  s->slots[1] = make_frame_marker(0);
  s->top = 2;
  int t = p->task_count++;
  p->tasks[t] = (vm_task){obj_value(s), img_method_offset(img, entry - 1u) + 8, -1, 0, 0, VM_TASK_READY, background};
  make_ready(p, t);
  return t;
}

static void save_task(vm_process *p) {
  vm_task *t = &p->tasks[p->current];
  t->stack = p->stack;
  t->bci = p->saved_bci;
  t->try_top = p->try_top;
}

static void load_task(vm_process *p, int index) {
  p->current = index;
  vm_task *t = &p->tasks[index];
  p->stack = t->stack;
  p->saved_bci = t->bci;
  p->try_top = t->try_top;
  t->stack = vm_null(p); /* the live copy is p->stack */
}

/* Picks the next task to run, sleeping until a sleeper is due when none is
 * ready. Returns false when no task is left to run. */
static bool schedule(vm_process *p) {
  for (;;) {
    /* Wake the sleepers that are due, earliest (then first asleep) first. */
    int64_t now = vm_monotonic_us();
    for (;;) {
      int best = -1;
      for (int i = 0; i < p->task_count; i++) {
        vm_task *t = &p->tasks[i];
        if (t->state != VM_TASK_SLEEPING || t->wake_us > now) continue;
        if (best < 0 || t->wake_us < p->tasks[best].wake_us ||
            (t->wake_us == p->tasks[best].wake_us && t->sleep_seq < p->tasks[best].sleep_seq))
          best = i;
      }
      if (best < 0) break;
      make_ready(p, best);
    }
    if (p->ready_count > 0) {
      int next = p->ready[p->ready_head];
      p->ready_head = (p->ready_head + 1) % p->task_cap;
      p->ready_count--;
      load_task(p, next);
      return true;
    }
    int64_t earliest = -1;
    bool live = false;
    for (int i = 0; i < p->task_count; i++) {
      vm_task *t = &p->tasks[i];
      if (t->state == VM_TASK_SLEEPING && (earliest < 0 || t->wake_us < earliest)) earliest = t->wake_us;
      if (t->state != VM_TASK_DONE && !t->background) live = true;
    }
    if (!live || earliest < 0) return false;
    int64_t wait = earliest - vm_monotonic_us();
    if (wait > 0) {
      struct timespec ts = {(time_t)(wait / 1000000), (long)(wait % 1000000) * 1000};
      nanosleep(&ts, NULL);
    }
  }
}

vm_status vm_run(vm_process *p) {
  if (!p->started) {
    if (!ensure_task_room(p) || !start(p)) {
      snprintf(p->error, sizeof p->error, "out of memory starting the process");
      return VM_OOM;
    }
    p->task_count = 1;
    p->current = 0;
    p->tasks[0] = (vm_task){vm_null(p), 0, -1, 0, 0, VM_TASK_READY, false};
  }
  for (;;) {
    vm_status st = vm_interpret(p);
    if (st == VM_YIELDED) {
      obj_stack *s = (obj_stack *)as_obj(p->stack);
      p->saved_top = s->top;
      return st; /* time slice over: the same task continues next time */
    }
    if (st == VM_TASK_SWITCH) {
      save_task(p);
      vm_task *t = &p->tasks[p->current];
      if (p->switch_request == 2) {
        t->state = VM_TASK_SLEEPING;
        t->wake_us = p->sleep_until;
        t->sleep_seq = p->sleep_seq++;
      } else {
        make_ready(p, p->current);
      }
      p->switch_request = 0;
    } else if (st == VM_DONE) {
      p->tasks[p->current].state = VM_TASK_DONE;
      p->stack = vm_null(p);
    } else {
      return st;
    }
    if (!schedule(p)) return VM_DONE;
  }
}
