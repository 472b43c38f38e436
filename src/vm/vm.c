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

void vm_options_default(vm_options *o) {
  memset(o, 0, sizeof *o);
  o->heap_limit = VM_HEAP_DEFAULT;
  o->max_stack_slots = VM_STACK_DEFAULT_SLOTS;
  o->out = stdout;
  o->err = stderr;
  o->caps = VM_CAPS_DEFAULT;
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

/* ---- output ---- */

void vm_write(vm_process *p, int stream, const char *bytes, size_t size) {
  if (p->opt.write) {
    p->opt.write(p->opt.write_ctx, stream, bytes, size);
    return;
  }
  FILE *f = stream == 0 ? p->opt.out : p->opt.err;
  if (stream != 0) fflush(p->opt.out);
  fwrite(bytes, 1, size, f);
}

static void vm_printf(vm_process *p, int stream, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  vm_write(p, stream, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* ---- capabilities ---- */

static const struct {
  const char *name;
  uint32_t cap;
} cap_names[] = {
    {"time", VM_CAP_TIME}, {"random", VM_CAP_RANDOM}, {"task", VM_CAP_TASK},
    {"message", VM_CAP_MESSAGE}, {"debug", VM_CAP_DEBUG},
};

bool vm_caps_parse(const char *list, uint32_t *out) {
  uint32_t caps = 0;
  const char *at = list;
  while (*at) {
    const char *end = strchr(at, ',');
    size_t n = end ? (size_t)(end - at) : strlen(at);
    bool found = n == 0;
    if (n == 3 && strncmp(at, "all", 3) == 0) caps |= VM_CAPS_ALL, found = true;
    if (n == 4 && strncmp(at, "none", 4) == 0) found = true;
    for (size_t i = 0; i < sizeof cap_names / sizeof *cap_names && !found; i++) {
      if (strlen(cap_names[i].name) == n && strncmp(cap_names[i].name, at, n) == 0) {
        caps |= cap_names[i].cap;
        found = true;
      }
    }
    if (!found) return false;
    at += n;
    if (*at == ',') at++;
  }
  *out = caps;
  return true;
}

uint32_t vm_primitive_cap(const char *name) {
  const char *dot = strchr(name, '.');
  size_t n = dot ? (size_t)(dot - name) : strlen(name);
  for (size_t i = 0; i < sizeof cap_names / sizeof *cap_names; i++)
    if (strlen(cap_names[i].name) == n && strncmp(cap_names[i].name, name, n) == 0) return cap_names[i].cap;
  return 0;
}

/* Bound in place of a primitive the process was not granted: a clean error
 * in the process that names the primitive. */
static value prim_not_granted(vm_process *p, value *args) {
  (void)args;
  const uint8_t *bcp = p->code + p->saved_bci; /* the PRIMITIVE instruction */
  uint16_t index = img_rd16(bcp + 1);
  const uint8_t *prims = img_section_ptr(p->img, IMG_SEC_PRIMS);
  const char *name = index < p->img->prim_count ? img_name(p->img, img_rd32(prims + 8 * index)) : "?";
  p->pending = p->error_values[VM_ERR_PRIMITIVE_NOT_ALLOWED];
  p->vm_exc = p->pending;
  snprintf(p->vm_message, sizeof p->vm_message,
           "PRIMITIVE_NOT_ALLOWED error.\nThis container was not granted '%.*s' (primitive '%s').",
           (int)(strchr(name, '.') ? strchr(name, '.') - name : (ptrdiff_t)strlen(name)), name, name);
  return VM_FAILED;
}

/* ---- programs ---- */

bool vm_program_init(vm_program *prog, const img_image *img, uint32_t caps) {
  memset(prog, 0, sizeof *prog);
  prog->img = img;
  prog->caps = caps;
  size_t total = 0;
  for (int i = 0; i < VM_ERR_COUNT; i++) total += WORD_ALIGN(sizeof(obj_bytes) + strlen(error_names[i]) + 1);
  prog->static_block = calloc(1, total + 8);
  prog->prims = calloc(img->prim_count + 1, sizeof(vm_primitive_fn));
  if (!prog->static_block || !prog->prims) {
    snprintf(prog->error, sizeof prog->error, "out of memory loading the image");
    return false;
  }
  uint8_t *at = (uint8_t *)(((uintptr_t)prog->static_block + 7) & ~(uintptr_t)7);
  prog->static_lo = at;
  for (int i = 0; i < VM_ERR_COUNT; i++) {
    obj_bytes *s = (obj_bytes *)at;
    size_t n = strlen(error_names[i]);
    s->hdr = img->class_ids[IMG_CLASS_STRING];
    s->size = (uint32_t)n;
    memcpy(s->bytes, error_names[i], n + 1);
    prog->error_values[i] = obj_value(s);
    at += WORD_ALIGN(sizeof(obj_bytes) + n + 1);
  }
  prog->static_hi = at;
  const uint8_t *prims = img_section_ptr(img, IMG_SEC_PRIMS);
  for (uint32_t i = 0; i < img->prim_count; i++) {
    const char *name = img_name(img, img_rd32(prims + 8 * i));
    int arity;
    prog->prims[i] = vm_primitive_lookup(name, &arity);
    if (prog->prims[i] && (uint32_t)arity != img_rd32(prims + 8 * i + 4)) {
      snprintf(prog->error, sizeof prog->error, "the image calls primitive '%s' with the wrong arity", name);
      return false;
    }
    if (!prog->prims[i]) {
      snprintf(prog->error, sizeof prog->error, "the image needs primitive '%s', which this VM lacks", name);
      return false;
    }
    uint32_t need = vm_primitive_cap(name);
    if (need && !(caps & need)) prog->prims[i] = prim_not_granted;
  }
  return true;
}

void vm_program_free(vm_program *prog) {
  free(prog->static_block);
  free(prog->prims);
  prog->static_block = NULL;
  prog->prims = NULL;
}

/* ---- processes ---- */

static void scan_roots(vm_heap *h, void *ctx, vm_root_visitor visit) {
  vm_process *p = ctx;
  for (int i = 0; i < p->task_count; i++)
    if (i != p->current && p->tasks[i].state != VM_TASK_FREE) {
      visit(h, &p->tasks[i].stack);
      if (p->tasks[i].wait_obj) visit(h, &p->tasks[i].wait_obj);
    }
  for (uint32_t i = 0; i < p->img->global_count; i++) visit(h, &p->globals[i]);
  visit(h, &p->stack);
  visit(h, &p->pending);
  visit(h, &p->vm_exc);
  for (int i = 0; i < p->handle_count; i++) visit(h, &p->handles[i]);
}

bool vm_process_init_shared(vm_process *p, const vm_program *prog, const vm_options *opt) {
  memset(p, 0, sizeof *p);
  const img_image *img = prog->img;
  p->img = img;
  p->prog = prog;
  p->prims = prog->prims;
  p->error_values = prog->error_values;
  p->code = img_section_ptr(img, IMG_SEC_CODE);
  p->opt = *opt;
  p->container = -1;
  if (!p->opt.heap_limit) p->opt.heap_limit = VM_HEAP_DEFAULT;
  if (!p->opt.max_stack_slots) p->opt.max_stack_slots = VM_STACK_DEFAULT_SLOTS;
  if (!p->opt.out) p->opt.out = stdout;
  if (!p->opt.err) p->opt.err = stderr;
  p->try_top = -1;
  p->exit_code = -1;
  p->interrupt = &p->own_interrupt;
  value null_v = vm_null(p);
  p->pending = null_v;
  p->vm_exc = null_v;
  p->stack = null_v;
  p->uncaught = null_v;
  if (!p->opt.pool) {
    /* A lone process: a private pool as big as its heap may grow. */
    p->opt.pool = malloc(sizeof(vm_pool));
    if (!p->opt.pool) {
      p->error = "out of memory creating the process";
      return false;
    }
    p->own_pool = true;
    if (p->opt.static_pool) {
      /* As on a device: one block, in units, with the unit table in front. */
      size_t bytes = vm_pool_static_size(p->opt.heap_limit);
      p->own_pool_mem = malloc(bytes);
      if (!p->own_pool_mem || !vm_pool_init_static(p->opt.pool, p->own_pool_mem, bytes)) {
        p->error = "out of memory creating the process";
        return false;
      }
    } else {
      vm_pool_init(p->opt.pool, p->opt.heap_limit);
    }
  }
  vm_heap_init(&p->heap, img, p->opt.heap_limit, p->opt.pool);
  p->heap.reserve = p->opt.heap_reserve;
  p->heap.static_lo = prog->static_lo;
  p->heap.static_hi = prog->static_hi;
  p->heap.scan_roots = scan_roots;
  p->heap.roots_ctx = p;
  p->heap.stress = opt->gc_stress;
  p->heap.fail_countdown = opt->fail_allocation;
  p->globals = malloc(sizeof(value) * (img->global_count + 1));
  p->global_state = calloc(img->global_count + 1, 1);
  if (!p->globals || !p->global_state) {
    p->error = "out of memory creating the process";
    return false;
  }
  for (uint32_t i = 0; i < img->global_count; i++) p->globals[i] = null_v;
  return true;
}

bool vm_process_init(vm_process *p, const img_image *img, const vm_options *opt) {
  vm_program *prog = malloc(sizeof *prog);
  if (!prog) {
    memset(p, 0, sizeof *p);
    p->error = "out of memory creating the process";
    return false;
  }
  if (!vm_program_init(prog, img, opt->caps)) {
    memset(p, 0, sizeof *p);
    p->own_prog = prog;
    p->error = prog->error;
    return false;
  }
  bool ok = vm_process_init_shared(p, prog, opt);
  p->own_prog = prog;
  return ok;
}

void vm_process_free(vm_process *p) {
  if (p->opt.pool) vm_heap_free(&p->heap);
  free(p->tasks);
  free(p->ready);
  free(p->timers);
  free(p->waitq);
  p->waitq = NULL;
  p->tasks = NULL;
  p->ready = NULL;
  p->timers = NULL;
  free(p->globals);
  free(p->global_state);
  p->globals = NULL;
  vm_mail_drop_all(p);
  if (p->own_pool) {
    vm_pool_free(p->opt.pool);
    free(p->opt.pool);
    p->opt.pool = NULL;
    free(p->own_pool_mem);
    p->own_pool_mem = NULL;
    p->own_pool = false;
  }
  if (p->own_prog) {
    vm_program_free(p->own_prog);
    free(p->own_prog);
    p->own_prog = NULL;
  }
}

size_t vm_process_footprint(const vm_process *p) {
  size_t n = sizeof *p + p->heap.committed;
  n += (sizeof(value) + 1) * (p->img->global_count + 1);
  n += (size_t)p->task_cap * (sizeof(vm_task) + sizeof(int));
  n += (size_t)p->timer_cap * sizeof(vm_timer);
  n += (size_t)p->waitq_cap * sizeof(vm_waitq);
  return n;
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

void vm_throw_too_few(vm_process *p, const char *what, int given, int expected, uint32_t target) {
  img_position pos;
  img_lookup_position(p->img, target, 0, &pos);
  char where[160];
  if (pos.file && pos.line)
    snprintf(where, sizeof where, "%-30s %s:%u:%u", pos.method_name ? pos.method_name : "?", pos.file, pos.line, pos.col);
  else
    snprintf(where, sizeof where, "%s", pos.method_name ? pos.method_name : "?");
  throw_vm(p, p->error_values[VM_ERR_CODE_INVOCATION_FAILED],
           "Called %s with too few arguments.\nGot: %d Expected: %d.\nTarget:\n     %s\n", what, given,
           expected, where);
}

void vm_throw_lookup_failed(vm_process *p, const uint8_t *bcp) {
  const img_image *img = p->img;
  uint8_t op = *bcp;
  if (op >= OP_INVOKE_ADD_TEMP && op <= OP_INVOKE_MOD_TEMP) op = (uint8_t)(OP_INVOKE_ADD + (op - OP_INVOKE_ADD_TEMP));
  if (op >= OP_INVOKE_ADD_SETF && op <= OP_INVOKE_DIV_SETF) op = (uint8_t)(OP_INVOKE_ADD + (op - OP_INVOKE_ADD_SETF));
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
  } else if (op == OP_INVOKE_LOCAL || op == OP_INVOKE_FIELD_LOCAL || op == OP_LOAD_LOCAL_FIELD ||
             (op >= OP_INVOKE_FIELD_ADD && op <= OP_INVOKE_FIELD_DIV)) {
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
  int shown = 0;
  for (int k = 0; k < n; k++) {
    img_position pos;
    img_lookup_position(p->img, f[k].method, f[k].bci, &pos);
    if (pos.file && pos.line == 0) continue; /* compiler-made helpers have no source */
    /* The core's Lambda.call only forwards to the lambda's code. */
    if (pos.file && pos.method_name && strcmp(pos.file, "<core>") == 0 && strcmp(pos.method_name, "Lambda.call") == 0)
      continue;
    char left[128];
    snprintf(left, sizeof left, "%3d: %s", shown++, pos.method_name ? pos.method_name : "?");
    if (pos.file)
      vm_printf(p, 1, "%-30s %s:%u:%u\n", left, pos.file, pos.line, pos.col);
    else
      vm_printf(p, 1, "%-30s <stripped>\n", left);
  }
  if (total > n) vm_printf(p, 1, "  ... %d more frames\n", total - n);
}

static void print_exception_header(vm_process *p, value exc) {
  if (exc == p->vm_exc && p->vm_message[0]) {
    vm_printf(p, 1, "%s\n", p->vm_message);
    return;
  }
  vm_printf(p, 1, "EXCEPTION error. \n");
  int64_t i;
  double d;
  if (vm_is_string(p, exc)) {
    obj_bytes *s = (obj_bytes *)as_obj(exc);
    vm_write(p, 1, (const char *)s->bytes, s->size);
    vm_write(p, 1, "\n", 1);
  } else if (vm_is_int(p, exc, &i)) {
    vm_printf(p, 1, "%" PRId64 "\n", i);
  } else if (vm_is_float(p, exc, &d)) {
    char buf[NUMFMT_BUF];
    numfmt_float(buf, d);
    vm_printf(p, 1, "%s\n", buf);
  } else {
    char what[128];
    describe_value(p, exc, what, sizeof what);
    vm_printf(p, 1, "%s\n", what);
  }
}

#define MAX_TRACE 64

static void report_uncaught_live(vm_process *p, value exc) {
  frame_pos f[MAX_TRACE];
  int total = collect_frames(p, p->saved_bci, f, MAX_TRACE);
  print_exception_header(p, exc);
  print_frames(p, f, total < MAX_TRACE ? total : MAX_TRACE, total);
  p->uncaught = exc;
}

static int frames_of_trace(vm_process *p, value trace, frame_pos *f) {
  int n = 0;
  if (is_obj(trace) && obj_class(as_obj(trace)) == p->img->class_ids[IMG_CLASS_ARRAY]) {
    obj_array *a = (obj_array *)as_obj(trace);
    for (uint32_t k = 0; k + 1 < a->length && n < MAX_TRACE; k += 2) {
      if (!is_smi(a->elems[k]) || !is_smi(a->elems[k + 1])) continue;
      intptr_t m = smi_value(a->elems[k]);
      if (m < 0 || (uintptr_t)m >= p->img->method_count) continue;
      f[n].method = (uint32_t)m;
      f[n].bci = (uint32_t)smi_value(a->elems[k + 1]);
      n++;
    }
  }
  return n;
}

static void report_uncaught_trace(vm_process *p, value exc, value trace) {
  frame_pos f[MAX_TRACE];
  int n = frames_of_trace(p, trace, f);
  print_exception_header(p, exc);
  print_frames(p, f, n, n);
  p->uncaught = exc;
}

void vm_report_trace(vm_process *p, const char *header) {
  frame_pos f[MAX_TRACE];
  int total = collect_frames(p, p->saved_bci, f, MAX_TRACE);
  vm_printf(p, 1, "%s\n", header);
  print_frames(p, f, total < MAX_TRACE ? total : MAX_TRACE, total);
}

void vm_print_exception(vm_process *p, value exc, value text, value trace) {
  frame_pos f[MAX_TRACE];
  int n = frames_of_trace(p, trace, f);
  if (vm_is_string(p, text) && !(exc == p->vm_exc && p->vm_message[0])) {
    obj_bytes *s = (obj_bytes *)as_obj(text);
    vm_printf(p, 1, "EXCEPTION error. \n");
    vm_write(p, 1, (const char *)s->bytes, s->size);
    vm_write(p, 1, "\n", 1);
  } else {
    print_exception_header(p, exc);
  }
  print_frames(p, f, n, n);
}

/* A global whose initializer is unwound by a throw stays uninitialised
 * (and is retried on the next read): resets the globals of the initializer
 * frames above stack slot `stop` (the handler's link; -1 when uncaught). */
static void reset_unwound_globals(vm_process *p, int64_t stop) {
  const img_image *img = p->img;
  obj_stack *s = (obj_stack *)as_obj(p->stack);
  uint32_t pc = p->saved_bci;
  int64_t i = (int64_t)s->top - 1;
  for (;;) {
    while (i >= 0 && !is_frame_marker(s->slots[i])) i--;
    if (i <= stop) break; /* this frame holds the handler: it survives */
    int m = img_method_at_code_offset(img, pc);
    if (m >= 0 && img_method(img, (uint32_t)m)[1] == IMG_METHOD_GLOBAL_INIT) {
      const img_global *gl = (const img_global *)img_section_ptr(img, IMG_SEC_GLOBALS);
      for (uint32_t g = 0; g < img->global_count; g++)
        if (img_rd16((const uint8_t *)&gl[g].init) == (uint32_t)m && p->global_state[g] == 1) p->global_state[g] = 0;
    }
    uint32_t ret = (uint32_t)frame_marker_offset(s->slots[i]);
    i--;
    if (ret == 0) break;
    pc = ret - 1;
  }
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

/* A canceled task that does not catch CANCELED just ends: it is not an
 * error for the program. */
static bool ends_quietly(vm_process *p, value exc) {
  if (exc != p->error_values[VM_ERR_CANCELED] || p->current < 0 || p->current >= p->task_count) return false;
  if (!p->tasks[p->current].canceled) return false;
  p->quiet_end = true;
  return true;
}

bool vm_throw_to_handler(vm_process *p, value exc) {
  if (p->rethrow_trace) {
    value trace = p->rethrow_trace;
    p->rethrow_trace = 0;
    return vm_rethrow(p, exc, trace);
  }
  reset_unwound_globals(p, p->try_top);
  if (p->try_top < 0) {
    if (ends_quietly(p, exc)) return false;
    report_uncaught_live(p, exc);
    return false;
  }
  value trace = capture_trace(p, exc);
  enter_handler(p, exc, trace);
  return true;
}

bool vm_rethrow(vm_process *p, value exc, value trace) {
  reset_unwound_globals(p, p->try_top);
  if (p->try_top < 0) {
    if (ends_quietly(p, exc)) return false;
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
  if (p->task_cap >= VM_MAX_TASKS) return false;
  int cap = p->task_cap ? p->task_cap * 2 : 2;
  if (cap > VM_MAX_TASKS) cap = VM_MAX_TASKS;
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

/* A free slot (reusing finished tasks' slots), or -1. */
static int new_task_slot(vm_process *p) {
  if (p->live_tasks < p->task_count) {
    for (int i = 0; i < p->task_count; i++)
      if (p->tasks[i].state == VM_TASK_FREE) return i;
  }
  if (!ensure_task_room(p)) return -1;
  int t = p->task_count++;
  p->tasks[t].gen = 0;
  p->tasks[t].state = VM_TASK_FREE;
  return t;
}

/* ---- wait queues: tasks waiting on an object (await-on_), found by the
 * object's address in a linear-probing table; each queue is a FIFO list
 * through the tasks' wait_next. A task is in a queue exactly while it is
 * WAITING with a wait_obj. ---- */

static uint32_t waitq_hash(value obj) {
  uint64_t x = (uint64_t)obj >> 3;
  x *= 0x9e3779b97f4a7c15ull;
  return (uint32_t)(x >> 32);
}

static vm_waitq *waitq_find(vm_process *p, value obj) {
  if (!p->waitq_cap) return NULL;
  uint32_t mask = (uint32_t)p->waitq_cap - 1;
  for (uint32_t i = waitq_hash(obj) & mask;; i = (i + 1) & mask) {
    if (p->waitq[i].obj == obj) return &p->waitq[i];
    if (!p->waitq[i].obj) return NULL;
  }
}

static void waitq_delete(vm_process *p, vm_waitq *slot) {
  /* Backward-shift deletion keeps probe chains intact without tombstones. */
  uint32_t mask = (uint32_t)p->waitq_cap - 1;
  uint32_t i = (uint32_t)(slot - p->waitq);
  for (uint32_t j = (i + 1) & mask; p->waitq[j].obj; j = (j + 1) & mask) {
    uint32_t home = waitq_hash(p->waitq[j].obj) & mask;
    /* Move j into the hole at i if its home is not in (i, j]. */
    if (((j - home) & mask) >= ((j - i) & mask)) {
      p->waitq[i] = p->waitq[j];
      i = j;
    }
  }
  p->waitq[i].obj = 0;
  p->waitq_count--;
}

static bool waitq_grow(vm_process *p) {
  int cap = p->waitq_cap ? p->waitq_cap * 2 : 8;
  vm_waitq *n = calloc((size_t)cap, sizeof *n);
  if (!n) return false;
  vm_waitq *old = p->waitq;
  int old_cap = p->waitq_cap;
  p->waitq = n;
  p->waitq_cap = cap;
  for (int i = 0; i < old_cap; i++) {
    if (!old[i].obj) continue;
    uint32_t mask = (uint32_t)cap - 1;
    uint32_t k = waitq_hash(old[i].obj) & mask;
    while (n[k].obj) k = (k + 1) & mask;
    n[k] = old[i];
  }
  free(old);
  return true;
}

/* The entry for obj, made if missing (NULL when out of memory). */
static vm_waitq *waitq_entry(vm_process *p, value obj) {
  vm_waitq *q = waitq_find(p, obj);
  if (q) return q;
  if ((p->waitq_count + 1) * 2 > p->waitq_cap && !waitq_grow(p)) return NULL;
  uint32_t mask = (uint32_t)p->waitq_cap - 1;
  uint32_t k = waitq_hash(obj) & mask;
  while (p->waitq[k].obj) k = (k + 1) & mask;
  q = &p->waitq[k];
  *q = (vm_waitq){obj, -1, -1, -1, 0};
  p->waitq_count++;
  return q;
}

/* An entry with no waiters and no lock holder goes. */
static void waitq_tidy(vm_process *p, vm_waitq *q) {
  if (q->head < 0 && q->depth == 0) waitq_delete(p, q);
}

static bool waitq_add(vm_process *p, value obj, int task) {
  vm_waitq *q = waitq_entry(p, obj);
  if (!q) return false;
  p->tasks[task].wait_next = -1;
  if (q->tail >= 0)
    p->tasks[q->tail].wait_next = task;
  else
    q->head = task;
  q->tail = task;
  return true;
}

/* Takes a task out of its object's queue (woken by cancel or a timer). */
static void waitq_remove(vm_process *p, int task) {
  vm_waitq *q = waitq_find(p, p->tasks[task].wait_obj);
  if (!q) return;
  int prev = -1;
  for (int i = q->head; i >= 0; prev = i, i = p->tasks[i].wait_next) {
    if (i != task) continue;
    int next = p->tasks[i].wait_next;
    if (prev >= 0)
      p->tasks[prev].wait_next = next;
    else
      q->head = next;
    if (q->tail == task) q->tail = prev;
    break;
  }
  waitq_tidy(p, q);
}

static void push_ready(vm_process *p, int task) {
  p->tasks[task].state = VM_TASK_READY;
  p->ready[(p->ready_head + p->ready_count) % p->task_cap] = task;
  p->ready_count++;
}

static void make_ready(vm_process *p, int task) {
  vm_task *t = &p->tasks[task];
  if (t->state == VM_TASK_WAITING) {
    if (t->wait_obj) {
      waitq_remove(p, task);
      p->keyed_waiting--;
    } else {
      p->waiting--;
    }
    t->wait_obj = 0;
  }
  if (t->state == VM_TASK_MESSAGE) p->message_waiters--;
  push_ready(p, task);
}

/* ---- timers: a binary min-heap on (when, seq) ---- */

static bool timer_before(const vm_timer *a, const vm_timer *b) {
  return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static bool timer_add(vm_process *p, int task, int64_t when) {
  if (p->timer_count == p->timer_cap) {
    int cap = p->timer_cap ? p->timer_cap * 2 : 4;
    vm_timer *t = realloc(p->timers, sizeof(vm_timer) * (size_t)cap);
    if (!t) return false;
    p->timers = t;
    p->timer_cap = cap;
  }
  vm_task *t = &p->tasks[task];
  t->wake_us = when;
  t->timer_seq = ++p->timer_seq;
  vm_timer e = {when, t->timer_seq, task};
  int i = p->timer_count++;
  while (i > 0) {
    int parent = (i - 1) / 2;
    if (!timer_before(&e, &p->timers[parent])) break;
    p->timers[i] = p->timers[parent];
    i = parent;
  }
  p->timers[i] = e;
  return true;
}

static void timer_pop(vm_process *p) {
  vm_timer last = p->timers[--p->timer_count];
  int i = 0, n = p->timer_count;
  for (;;) {
    int c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && timer_before(&p->timers[c + 1], &p->timers[c])) c++;
    if (!timer_before(&p->timers[c], &last)) break;
    p->timers[i] = p->timers[c];
    i = c;
  }
  if (n > 0) p->timers[i] = last;
}

/* Is the heap's top entry still the timer of a task that waits for it? */
static bool timer_live(const vm_process *p, const vm_timer *e) {
  const vm_task *t = &p->tasks[e->task];
  return t->timer_seq == e->seq && t->wake_us == e->when &&
         (t->state == VM_TASK_SLEEPING || t->state == VM_TASK_WAITING || t->state == VM_TASK_MESSAGE);
}

/* Drops stale entries; returns the first live timer's time or -1. */
static int64_t first_timer(vm_process *p) {
  while (p->timer_count > 0 && !timer_live(p, &p->timers[0])) timer_pop(p);
  return p->timer_count > 0 ? p->timers[0].when : -1;
}

/* ---- task ids ---- */

static int task_id(const vm_process *p, int index) {
  return index | ((int)(p->tasks[index].gen & 0x3fff) << 16);
}

int vm_task_index(const vm_process *p, int64_t id) {
  if (id < 0) return -1;
  int index = (int)(id & 0xffff);
  if (index >= p->task_count) return -1;
  const vm_task *t = &p->tasks[index];
  if (t->state == VM_TASK_FREE || (int64_t)(t->gen & 0x3fff) != (id >> 16)) return -1;
  return index;
}

int vm_spawn_task(vm_process *p, value lambda, bool background) {
  const img_image *img = p->img;
  uint16_t cls = img->class_ids[IMG_CLASS_LAMBDA];
  uint16_t off = img->selectors[IMG_SEL_CALL0];
  if (off == 0xffff) return -1;
  uint16_t entry = img_rd16(img_section_ptr(img, IMG_SEC_DISPATCH) + 2 * (cls + off));
  if (!entry || img_method(img, entry - 1u)[0] != 1) return -1;
  int t = new_task_slot(p);
  if (t < 0) return -1;
  p->handles[p->handle_count++] = lambda;
  obj_stack *s = vm_heap_alloc(&p->heap, img->class_ids[IMG_CLASS_STACK],
                               sizeof(obj_stack) + sizeof(value) * VM_INITIAL_STACK_SLOTS);
  lambda = p->handles[--p->handle_count];
  if (!s) return -1;
  s->length = VM_INITIAL_STACK_SLOTS;
  s->slots[0] = lambda;
  s->slots[1] = make_frame_marker(0);
  s->top = 2;
  vm_task *task = &p->tasks[t];
  uint16_t gen = (uint16_t)(task->gen + 1);
  *task = (vm_task){0};
  task->stack = obj_value(s);
  task->bci = img_method_offset(img, entry - 1u) + 8;
  task->try_top = -1;
  task->gen = gen;
  task->background = background;
  task->state = VM_TASK_FREE;
  p->live_tasks++;
  make_ready(p, t);
  return task_id(p, t);
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

static void end_task(vm_process *p) {
  vm_task *t = &p->tasks[p->current];
  t->state = VM_TASK_FREE;
  t->stack = vm_null(p);
  p->live_tasks--;
  p->stack = vm_null(p);
}

static int32_t current_id(const vm_process *p) {
  return (int32_t)task_id(p, p->current);
}

int vm_monitor_enter(vm_process *p, value obj) {
  vm_waitq *q = waitq_entry(p, obj);
  if (!q) return -1;
  if (q->depth > 0 && q->owner != current_id(p)) return 0;
  q->owner = current_id(p);
  q->depth++;
  return 1;
}

void vm_monitor_leave(vm_process *p, value obj) {
  vm_waitq *q = waitq_find(p, obj);
  if (!q || q->depth == 0 || q->owner != current_id(p)) return;
  if (--q->depth == 0) q->owner = -1;
  waitq_tidy(p, q);
}

int vm_monitor_release(vm_process *p, value obj) {
  vm_waitq *q = waitq_find(p, obj);
  if (!q || q->depth == 0 || q->owner != current_id(p)) return 0;
  int depth = q->depth;
  q->depth = 0;
  q->owner = -1;
  waitq_tidy(p, q);
  return depth;
}

int vm_monitor_acquire(vm_process *p, value obj, int depth) {
  if (depth <= 0) return 1;
  vm_waitq *q = waitq_entry(p, obj);
  if (!q) return -1;
  if (q->depth > 0 && q->owner != current_id(p)) return 0;
  q->owner = current_id(p);
  q->depth += depth;
  return 1;
}

void vm_make_ready(vm_process *p, int task) {
  make_ready(p, task);
}

/* Another task ran: the waiters on no particular object re-check their
 * conditions. */
static void wake_waiters(vm_process *p, int except) {
  if (p->waiting == 0) return;
  for (int i = 0; i < p->task_count && p->waiting > 0; i++)
    if (i != except && p->tasks[i].state == VM_TASK_WAITING && !p->tasks[i].wait_obj) make_ready(p, i);
}

void vm_notify(vm_process *p, value obj) {
  if (p->keyed_waiting == 0) return;
  vm_waitq *q = waitq_find(p, obj);
  if (!q) return;
  int i = q->head;
  q->head = q->tail = -1;
  waitq_tidy(p, q);
  while (i >= 0) {
    int next = p->tasks[i].wait_next;
    p->tasks[i].wait_obj = 0; /* the whole queue is gone already */
    p->keyed_waiting--;
    push_ready(p, i);
    i = next;
  }
}

void vm_wake_message_waiters(vm_process *p) {
  for (int i = 0; i < p->task_count && p->message_waiters > 0; i++)
    if (p->tasks[i].state == VM_TASK_MESSAGE) make_ready(p, i);
}

/* Wakes the tasks whose timers are due, then loads the first ready task.
 * Returns false when none is ready. */
static bool schedule(vm_process *p) {
  if (p->timer_count > 0) {
    int64_t now = vm_monotonic_us();
    for (;;) {
      int64_t when = first_timer(p);
      if (when < 0 || when > now) break;
      int task = p->timers[0].task;
      timer_pop(p);
      make_ready(p, task);
    }
  }
  if (p->ready_count == 0) return false;
  int next = p->ready[p->ready_head];
  p->ready_head = (p->ready_head + 1) % p->task_cap;
  p->ready_count--;
  load_task(p, next);
  return true;
}

/* Whether some non-background task has not finished. */
static bool has_live_foreground(const vm_process *p) {
  for (int i = 0; i < p->task_count; i++)
    if (p->tasks[i].state != VM_TASK_FREE && !p->tasks[i].background) return true;
  return false;
}

/* No task is ready: done, idle until a timer or a message, or stuck. */
static vm_status idle_status(vm_process *p) {
  p->current = -1;
  if (!has_live_foreground(p)) return VM_DONE;
  int64_t when = first_timer(p);
  p->idle = true;
  if (when >= 0) {
    p->wake_us = when;
    return VM_IDLE;
  }
  if (p->message_waiters > 0) {
    p->wake_us = INT64_MAX;
    return VM_IDLE;
  }
  vm_printf(p, 1, "DEADLOCK error.\nEvery task of the program waits (%d in `await`) and none can wake another.\n",
            p->waiting + p->keyed_waiting);
  return VM_DEADLOCK;
}

/* The task just loaded resumes at a yield point: a cancelation or a passed
 * `with-timeout` deadline is thrown there. Returns false if that ended the
 * process (uncaught). */
static bool throw_at_resume(vm_process *p, bool *task_ended) {
  vm_task *t = &p->tasks[p->current];
  *task_ended = false;
  int error;
  if (t->canceled) {
    error = VM_ERR_CANCELED;
  } else if (t->deadline_us && vm_monotonic_us() >= t->deadline_us) {
    error = VM_ERR_DEADLINE_EXCEEDED;
  } else {
    return true;
  }
  value exc = p->error_values[error];
  snprintf(p->vm_message, sizeof p->vm_message, "%s error.", error_names[error]);
  p->vm_exc = exc;
  if (vm_throw_to_handler(p, exc)) return true;
  if (p->quiet_end) {
    p->quiet_end = false;
    end_task(p);
    *task_ended = true;
    return true;
  }
  return false;
}

/* Puts the task that just switched out where its request says. Returns
 * false if a timer could not be allocated. */
static bool switch_out(vm_process *p) {
  save_task(p);
  int cur = p->current;
  vm_task *t = &p->tasks[cur];
  int request = p->switch_request;
  value await_obj = p->await_obj;
  p->switch_request = 0;
  p->await_obj = 0;
  p->yields++;
  switch (request) {
    case VM_SWITCH_SLEEP: {
      /* A `with-timeout` deadline ends the sleep early (then throws). */
      int64_t wake = p->sleep_until;
      if (t->deadline_us && t->deadline_us < wake) wake = t->deadline_us;
      if (t->canceled) break;
      t->state = VM_TASK_SLEEPING;
      if (!timer_add(p, cur, wake)) return false;
      wake_waiters(p, cur);
      return true;
    }
    case VM_SWITCH_AWAIT:
    case VM_SWITCH_REAWAIT:
    case VM_SWITCH_MESSAGE: {
      if (t->canceled || (t->deadline_us && vm_monotonic_us() >= t->deadline_us)) break;
      if (request == VM_SWITCH_MESSAGE) {
        t->state = VM_TASK_MESSAGE;
        p->message_waiters++;
      } else {
        t->state = VM_TASK_WAITING;
        t->wait_obj = await_obj;
        if (t->wait_obj) {
          if (!waitq_add(p, t->wait_obj, cur)) return false;
          p->keyed_waiting++;
        } else {
          p->waiting++;
        }
      }
      if (t->deadline_us && !timer_add(p, cur, t->deadline_us)) return false;
      /* A waiter that only re-checked its condition changed nothing. */
      if (request != VM_SWITCH_REAWAIT) wake_waiters(p, cur);
      return true;
    }
    default:
      break;
  }
  wake_waiters(p, cur);
  make_ready(p, cur);
  return true;
}

/* Loads the next ready task, throwing a pending cancelation or timeout at
 * its yield point. VM_TASK_SWITCH: a task is loaded; otherwise what vm_run
 * returns (idle, done, deadlock, or an uncaught error). */
static vm_status resume_next(vm_process *p) {
  for (;;) {
    if (!schedule(p)) return idle_status(p);
    bool ended;
    if (!throw_at_resume(p, &ended)) return VM_UNCAUGHT;
    if (!ended) return VM_TASK_SWITCH;
  }
}

vm_status vm_run(vm_process *p) {
  if (!p->started) {
    int t = new_task_slot(p);
    if (t < 0 || !start(p)) {
      p->error = "out of memory starting the process";
      return VM_OOM;
    }
    p->tasks[t] = (vm_task){0};
    p->tasks[t].stack = vm_null(p);
    p->tasks[t].try_top = -1;
    p->tasks[t].state = VM_TASK_READY;
    p->live_tasks = 1;
    p->current = t;
  } else if (p->idle) {
    p->idle = false;
    vm_status st = resume_next(p);
    if (st != VM_TASK_SWITCH) return st;
  }
  for (;;) {
    vm_status st = vm_interpret(p);
    if (st == VM_YIELDED) {
      obj_stack *s = (obj_stack *)as_obj(p->stack);
      p->saved_top = s->top;
      return st; /* time slice over: the same task continues next time */
    }
    if (st == VM_TASK_SWITCH) {
      if (!switch_out(p)) {
        p->error = "out of memory for a timer";
        return VM_OOM;
      }
    } else if (st == VM_DONE || (st == VM_UNCAUGHT && p->quiet_end)) {
      p->quiet_end = false;
      p->yields++;
      end_task(p);
      wake_waiters(p, -1);
    } else {
      return st;
    }
    vm_status next = resume_next(p);
    if (next != VM_TASK_SWITCH) return next;
  }
}

vm_status vm_run_to_end(vm_process *p) {
  for (;;) {
    vm_status st = vm_run(p);
    if (st == VM_YIELDED) continue;
    if (st != VM_IDLE) return st;
    if (p->wake_us == INT64_MAX) {
      /* A lone process: no other process can send it a message. */
      vm_printf(p, 1, "DEADLOCK error.\nEvery task of the program waits for a message and no other process runs.\n");
      return VM_DEADLOCK;
    }
    int64_t wait = p->wake_us - vm_monotonic_us();
    if (wait > 0) {
      struct timespec ts = {(time_t)(wait / 1000000), (long)(wait % 1000000) * 1000};
      nanosleep(&ts, NULL);
    }
  }
}
