/* Unit tests of the image validator, the interpreter and the heap, on
 * images assembled by hand (no compiler involved): hostile bytecode that
 * the validator must refuse, and small programs whose results we check. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "image/opcodes.h"
#include "image/writer.h"
#include "vm/vm.h"

#include "check.h"

/* The well-known classes, in a flat hierarchy under Object. */
enum { C_OBJECT, C_NULL, C_BOOL, C_NUM, C_INT, C_SMI, C_LARGE, C_FLOAT, C_STRING, C_ARRAY, C_BYTES,
       C_LIST, C_LAMBDA, C_BOX, C_STACK, C_TASK, C_ABSENT, C_PAIR, C_COUNT };

typedef struct {
  uint8_t code[512];
  int len;
  uint8_t arity, kind;
  uint16_t max, selector;
} asm_method;

static void emit(asm_method *m, int n, ...) {
  va_list ap;
  va_start(ap, n);
  for (int i = 0; i < n; i++) m->code[m->len++] = (uint8_t)va_arg(ap, int);
  va_end(ap);
}

typedef struct {
  asm_method methods[8];
  int count;
  int prims; /* 1: declare core.print (arity 1) */
  uint16_t dispatch[64];
  int dispatch_count;
  int globals;
} program_spec;

/* Builds an image: main is method 0. Returns malloc'd bytes. */
static uint8_t *build(program_spec *ps, size_t *size, uint32_t *print_string_const) {
  img_writer *w = img_writer_new();
  static const struct {
    const char *name;
    int super, layout, fields;
  } classes[C_COUNT] = {
      {"Object", -1, LAYOUT_INSTANCE, 0}, {"Null_", C_OBJECT, LAYOUT_INSTANCE, 0},
      {"bool", C_OBJECT, LAYOUT_INSTANCE, 0}, {"num", C_OBJECT, LAYOUT_INSTANCE, 0},
      {"int", C_NUM, LAYOUT_INSTANCE, 0}, {"SmallInteger_", C_INT, LAYOUT_SMI, 0},
      {"LargeInteger_", C_INT, LAYOUT_LARGEINT, 0}, {"float", C_NUM, LAYOUT_FLOAT, 0},
      {"string", C_OBJECT, LAYOUT_STRING, 0}, {"Array_", C_OBJECT, LAYOUT_ARRAY, 0},
      {"ByteArray", C_OBJECT, LAYOUT_BYTES, 0}, {"List", C_OBJECT, LAYOUT_INSTANCE, 2},
      {"Lambda", C_OBJECT, LAYOUT_INSTANCE, 0}, {"Box_", C_OBJECT, LAYOUT_INSTANCE, 1},
      {"Stack_", C_OBJECT, LAYOUT_STACK, 0}, {"Task_", C_OBJECT, LAYOUT_INSTANCE, 0},
      {"Absent_", C_OBJECT, LAYOUT_INSTANCE, 0}, {"Pair", C_OBJECT, LAYOUT_INSTANCE, 2}};
  /* Depth-first ids: this table is already in a valid pre-order except that
   * num's subtree (num, int, SMI, Large, float) is contiguous: ok. */
  for (int i = 0; i < C_COUNT; i++) {
    int end = i + 1;
    for (int k = i + 1; k < C_COUNT; k++) {
      int s = classes[k].super;
      while (s > i) s = classes[s].super;
      if (s == i) end = k + 1;
    }
    img_writer_class(w, classes[i].super < 0 ? 0xffff : (uint16_t)classes[i].super, (uint16_t)end,
                     (uint16_t)classes[i].fields, (uint8_t)classes[i].layout, 0, classes[i].name);
  }
  uint32_t o_null = img_writer_plain(w, C_NULL), o_true = img_writer_plain(w, C_BOOL),
           o_false = img_writer_plain(w, C_BOOL), o_absent = img_writer_plain(w, C_ABSENT);
  uint32_t hello = img_writer_const(w, img_writer_string(w, C_STRING, "hello", 5));
  if (print_string_const) *print_string_const = hello;
  if (ps->prims) img_writer_prim(w, "core.print", 1);
  for (int i = 0; i < ps->count; i++) {
    asm_method *m = &ps->methods[i];
    img_writer_method(w, m->arity, m->kind, m->max ? m->max : 16, m->selector ? m->selector : 0xffff,
                      m->code, (uint16_t)m->len, "m", NULL, -1, NULL, 0);
  }
  uint16_t dispatch[64] = {0};
  int dcount = ps->dispatch_count ? ps->dispatch_count : C_COUNT;
  memcpy(dispatch, ps->dispatch, sizeof(uint16_t) * (size_t)dcount);
  img_writer_dispatch(w, dispatch, (uint32_t)dcount);
  for (int g = 0; g < ps->globals; g++) img_writer_global(w, 0xffff, 0);
  uint16_t cls[IMG_CLASS_ROOT_COUNT] = {C_OBJECT, C_NULL, C_BOOL, C_SMI, C_LARGE, C_FLOAT,
                                        C_STRING, C_ARRAY, C_BYTES, C_LIST, C_LAMBDA, C_BOX,
                                        C_STACK, C_TASK, C_ABSENT, C_INT, C_NUM};
  uint32_t objs[IMG_OBJECT_ROOT_COUNT] = {o_null, o_true, o_false, o_absent};
  uint16_t sels[IMG_SELECTOR_ROOT_COUNT];
  for (int i = 0; i < IMG_SELECTOR_ROOT_COUNT; i++) sels[i] = 0xffff;
  img_writer_roots(w, cls, objs, sels, 0);
  uint8_t *bytes = img_writer_finish(w, false, size);
  img_writer_free(w);
  return bytes;
}

static img_status validate(program_spec *ps, char *err) {
  size_t size;
  uint8_t *b = build(ps, &size, NULL);
  img_image img;
  img_status st = img_open(&img, b, size, err, 256);
  free(b);
  return st;
}

static asm_method *method(program_spec *ps, int arity) {
  asm_method *m = &ps->methods[ps->count++];
  memset(m, 0, sizeof *m);
  m->arity = (uint8_t)arity;
  return m;
}

/* Runs main and returns its printed output (static buffer). */
static vm_status run(program_spec *ps, char *out, size_t cap, size_t heap) {
  size_t size;
  uint8_t *b = build(ps, &size, NULL);
  img_image img;
  char err[256];
  vm_status st = VM_ERROR;
  if (img_open(&img, b, size, err, sizeof err) != IMG_OK) {
    printf("  (image refused: %s)\n", err);
    free(b);
    return VM_ERROR;
  }
  FILE *o = fmemopen(out, cap, "w");
  FILE *e = fopen("/dev/null", "w");
  vm_options opt;
  vm_options_default(&opt);
  opt.out = o;
  opt.err = e;
  if (heap) opt.heap_limit = heap;
  vm_process p;
  if (vm_process_init(&p, &img, &opt)) {
    do st = vm_run(&p);
    while (st == VM_YIELDED);
  }
  vm_process_free(&p);
  fclose(o);
  fclose(e);
  free(b);
  return st;
}

static void test_validator(void) {
  char err[256];
  program_spec ps;
  asm_method *m;

  memset(&ps, 0, sizeof ps);
  m = method(&ps, 0);
  emit(m, 3, OP_LOAD_NULL, OP_RETURN, 1);
  emit(m, 1, 0);
  CHECK(validate(&ps, err) == IMG_OK, "minimal main accepted: %s", err);

  memset(&ps, 0, sizeof ps);
  m = method(&ps, 0);
  emit(m, 1, OP_LOAD_NULL);
  CHECK(validate(&ps, err) == IMG_ERR_BYTECODE && strstr(err, "runs off its end"), "falls off the end: %s", err);

  memset(&ps, 0, sizeof ps);
  m = method(&ps, 0);
  emit(m, 3, OP_POP_1, OP_RETURN_NULL, 0);
  emit(m, 1, 0);
  CHECK(validate(&ps, err) == IMG_ERR_BYTECODE && strstr(err, "underflow"), "stack underflow: %s", err);

  memset(&ps, 0, sizeof ps);
  m = method(&ps, 0);
  emit(m, 2, OP_LOAD_LOCAL, 0); /* slot 0 at height 0 is the frame marker */
  emit(m, 3, OP_RETURN, 1, 0);
  CHECK(validate(&ps, err) == IMG_ERR_BYTECODE && strstr(err, "bad local"), "frame marker read: %s", err);

  memset(&ps, 0, sizeof ps);
  m = method(&ps, 0);
  emit(m, 3, OP_BRANCH, 40, 0);
  emit(m, 3, OP_RETURN_NULL, 0, 0);
  CHECK(validate(&ps, err) == IMG_ERR_BYTECODE, "branch out of the method: %s", err);

  memset(&ps, 0, sizeof ps);
  m = method(&ps, 0);
  emit(m, 3, OP_BRANCH, 4, 0); /* into the middle of the next instruction */
  emit(m, 3, OP_LOAD_SMI16, 1, 0);
  emit(m, 3, OP_RETURN, 1, 0);
  CHECK(validate(&ps, err) == IMG_ERR_BYTECODE, "branch into an instruction: %s", err);

  memset(&ps, 0, sizeof ps);
  m = method(&ps, 0);
  emit(m, 3, OP_LOAD_CONST, 9, 0);
  emit(m, 3, OP_RETURN, 1, 0);
  CHECK(validate(&ps, err) == IMG_ERR_BYTECODE && strstr(err, "constant"), "bad constant: %s", err);

  memset(&ps, 0, sizeof ps);
  m = method(&ps, 0);
  emit(m, 3, OP_INVOKE_STATIC, 7, 0);
  emit(m, 3, OP_RETURN, 1, 0);
  CHECK(validate(&ps, err) == IMG_ERR_BYTECODE, "bad method index: %s", err);

  memset(&ps, 0, sizeof ps);
  m = method(&ps, 0);
  emit(m, 4, OP_INVOKE_VIRTUAL, 1, 200, 0);
  emit(m, 3, OP_RETURN, 1, 0);
  CHECK(validate(&ps, err) == IMG_ERR_BYTECODE, "selector outside the dispatch table: %s", err);

  memset(&ps, 0, sizeof ps);
  m = method(&ps, 0);
  emit(m, 1, 0xfe);
  CHECK(validate(&ps, err) == IMG_ERR_BYTECODE && strstr(err, "unknown opcode"), "unknown opcode: %s", err);

  memset(&ps, 0, sizeof ps);
  m = method(&ps, 0);
  emit(m, 1, OP_LOAD_NULL);
  emit(m, 3, OP_RETURN, 2, 0); /* wrong drop */
  CHECK(validate(&ps, err) == IMG_ERR_BYTECODE && strstr(err, "bad return"), "bad return: %s", err);

  memset(&ps, 0, sizeof ps);
  m = method(&ps, 0);
  m->max = 1;
  emit(m, 2, OP_LOAD_NULL, OP_LOAD_NULL);
  emit(m, 3, OP_RETURN, 2, 0);
  CHECK(validate(&ps, err) == IMG_ERR_BYTECODE && strstr(err, "declared height"), "max stack: %s", err);

  memset(&ps, 0, sizeof ps);
  m = method(&ps, 0);
  emit(m, 3, OP_PRIMITIVE, 0, 0);
  CHECK(validate(&ps, err) != IMG_OK, "primitive without table: %s", err);

  memset(&ps, 0, sizeof ps);
  ps.prims = 1;
  m = method(&ps, 0);
  emit(m, 1, OP_LOAD_NULL);
  emit(m, 4, OP_PRIMITIVE, 0, 0, 2); /* core.print takes 1 */
  emit(m, 3, OP_RETURN, 0, 0);
  CHECK(validate(&ps, err) == IMG_ERR_BYTECODE && strstr(err, "primitive"), "primitive arity: %s", err);

  memset(&ps, 0, sizeof ps);
  m = method(&ps, 0);
  emit(m, 3, OP_ALLOCATE, C_STRING, 0);
  emit(m, 3, OP_RETURN, 1, 0);
  CHECK(validate(&ps, err) == IMG_ERR_BYTECODE, "allocate a string as an instance: %s", err);

  /* Loop heights must agree. */
  memset(&ps, 0, sizeof ps);
  m = method(&ps, 0);
  emit(m, 1, OP_LOAD_NULL);         /* 0: h=1 */
  emit(m, 3, OP_BRANCH_BACK, 1, 0); /* 1: back to 0 with h=1, but 0 has h=0 */
  CHECK(validate(&ps, err) == IMG_ERR_BYTECODE, "loop height mismatch: %s", err);

  /* Field accessors run inline without a class check: the class a dispatch
   * entry serves must have the field. Selector 1, so class Pair's entry is
   * dispatch[C_PAIR + 1]. */
  for (int field = 1; field <= 5; field += 4) {
    memset(&ps, 0, sizeof ps);
    m = method(&ps, 0);
    emit(m, 2, OP_LOAD_NULL, OP_RETURN);
    emit(m, 2, 1, 0);
    m = method(&ps, 1);
    m->kind = IMG_METHOD_GETTER;
    m->max = 1;
    m->selector = 1;
    emit(m, 3, OP_LOAD_LOCAL_1, OP_LOAD_FIELD, field);
    emit(m, 3, OP_RETURN, 1, 1);
    ps.dispatch[C_PAIR + 1] = 2; /* method 1, plus one */
    ps.dispatch_count = C_COUNT + 1;
    img_status st = validate(&ps, err);
    if (field == 1) CHECK(st == IMG_OK, "getter of Pair's field 1 accepted: %s", err);
    else CHECK(st == IMG_ERR_DISPATCH && strstr(err, "accessor"), "getter of a field Pair lacks: %s", err);
  }

  /* `op local n` pushes the local on its slow path: one slot must be free. */
  for (int max = 2; max <= 3; max++) {
    memset(&ps, 0, sizeof ps);
    m = method(&ps, 0);
    m->max = (uint16_t)max;
    emit(m, 2, OP_LOAD_SMI_1, OP_LOAD_SMI_1);
    emit(m, 2, OP_INVOKE_ADD_LOCAL, 1);
    emit(m, 4, OP_POP_1, OP_RETURN, 1, 0);
    img_status st = validate(&ps, err);
    if (max == 3) CHECK(st == IMG_OK, "op local with room accepted: %s", err);
    else CHECK(st == IMG_ERR_BYTECODE && strstr(err, "declared height"), "op local without room: %s", err);
  }

  /* A field read on a class id range: every class in it must have the
   * field (Pair has 2 fields; Object's range holds classes with none). */
  for (int k = 0; k < 3; k++) {
    memset(&ps, 0, sizeof ps);
    m = method(&ps, 0);
    m->max = 2;
    emit(m, 1, OP_LOAD_NULL);
    emit(m, 8, OP_INVOKE_FIELD_LOCAL, 0, 0, 0, k == 2 ? C_OBJECT : C_PAIR, 0, k == 1 ? 2 : 1,
         k == 2 ? C_COUNT - 1 : 0);
    emit(m, 4, OP_POP_1, OP_RETURN, 1, 0);
    img_status st = validate(&ps, err);
    if (k == 0) CHECK(st == IMG_OK, "field 1 of Pair's range accepted: %s", err);
    else CHECK(st == IMG_ERR_BYTECODE && strstr(err, "lacks field"), "field read on a range without it: %s", err);
  }

  /* The range's width in the instruction must be the class's subtree. */
  memset(&ps, 0, sizeof ps);
  m = method(&ps, 0);
  m->max = 2;
  emit(m, 1, OP_LOAD_NULL);
  emit(m, 8, OP_INVOKE_FIELD_LOCAL, 0, 0, 0, C_PAIR, 0, 1, 1);
  emit(m, 4, OP_POP_1, OP_RETURN, 1, 0);
  CHECK(validate(&ps, err) == IMG_ERR_BYTECODE && strstr(err, "bad class"), "field read with a wrong range width: %s", err);

  /* A fused field read must be followed by its operator, and a fused
   * operator by a set field. */
  for (int k = 0; k < 2; k++) {
    memset(&ps, 0, sizeof ps);
    m = method(&ps, 0);
    m->max = 3;
    emit(m, 2, OP_LOAD_NULL, OP_LOAD_NULL);
    emit(m, 8, OP_INVOKE_FIELD_SUB, 1, 0, 0, C_PAIR, 0, 1, 0);
    emit(m, 1, k == 0 ? OP_INVOKE_SUB : OP_INVOKE_ADD);
    emit(m, 4, OP_POP_1, OP_RETURN, 1, 0);
    img_status st = validate(&ps, err);
    if (k == 0) CHECK(st == IMG_OK, "fused field read with its operator accepted: %s", err);
    else CHECK(st == IMG_ERR_BYTECODE && strstr(err, "without its operator"), "fused field read, other operator: %s", err);
  }
  for (int k = 0; k < 2; k++) {
    memset(&ps, 0, sizeof ps);
    m = method(&ps, 0);
    m->max = 3;
    emit(m, 3, OP_LOAD_NULL, OP_LOAD_NULL, OP_LOAD_NULL);
    emit(m, 1, OP_INVOKE_MUL_SETF);
    if (k == 0) emit(m, 7, OP_INVOKE_FIELD_SET, 0, 0, C_PAIR, 0, 1, 0);
    else emit(m, 1, OP_IDENTICAL);
    emit(m, 3, OP_RETURN, 1, 0);
    img_status st = validate(&ps, err);
    if (k == 0) CHECK(st == IMG_OK, "fused operator with its set field accepted: %s", err);
    else CHECK(st == IMG_ERR_BYTECODE && strstr(err, "without its set field"), "fused operator, no set field: %s", err);
  }

  /* The same for a field write. */
  for (int k = 0; k < 2; k++) {
    memset(&ps, 0, sizeof ps);
    m = method(&ps, 0);
    m->max = 2;
    emit(m, 2, OP_LOAD_NULL, OP_LOAD_NULL);
    emit(m, 7, OP_INVOKE_FIELD_SET, 0, 0, C_PAIR, 0, k == 1 ? 2 : 1, 0);
    emit(m, 3, OP_RETURN, 1, 0);
    img_status st = validate(&ps, err);
    if (k == 0) CHECK(st == IMG_OK, "field write in Pair's range accepted: %s", err);
    else CHECK(st == IMG_ERR_BYTECODE && strstr(err, "lacks field"), "field write on a range without it: %s", err);
  }

  /* `locals op` pushes both locals on its slow path: two slots; and both
   * operand bytes are checked as slots. */
  for (int max = 2; max <= 4; max++) {
    memset(&ps, 0, sizeof ps);
    m = method(&ps, 0);
    m->max = (uint16_t)(max == 4 ? 3 : max);
    emit(m, 1, OP_LOAD_SMI_1);
    emit(m, 3, OP_LOCALS_ADD, 0, max == 4 ? 1 : 0); /* slot 1 at height 1 is the frame marker */
    emit(m, 4, OP_POP_1, OP_RETURN, 1, 0);
    img_status st = validate(&ps, err);
    if (max == 3) CHECK(st == IMG_OK, "locals op with room accepted: %s", err);
    else if (max == 2) CHECK(st == IMG_ERR_BYTECODE && strstr(err, "declared height"), "locals op without room: %s", err);
    else CHECK(st == IMG_ERR_BYTECODE && strstr(err, "bad local"), "locals op reading the frame marker: %s", err);
  }
}

static void test_structure(void) {
  char err[256];
  program_spec ps;
  memset(&ps, 0, sizeof ps);
  asm_method *m = method(&ps, 0);
  emit(m, 3, OP_RETURN_NULL, 0, 0);
  size_t size;
  uint8_t *b = build(&ps, &size, NULL);
  img_image img;
  CHECK(img_open(&img, b, size, err, sizeof err) == IMG_OK, "base image: %s", err);
  /* Every truncation is refused. */
  int refused = 0;
  for (size_t n = 0; n < size; n++)
    if (img_open(&img, b, n, err, sizeof err) != IMG_OK) refused++;
  CHECK((size_t)refused == size, "all %zu truncations refused (%d)", size, refused);
  /* Every single-bit flip is refused (the checksum covers everything after
   * the first 16 bytes; flips in those are caught by the field checks). */
  refused = 0;
  int total = 0;
  for (size_t i = 0; i < size; i++) {
    for (int bit = 0; bit < 8; bit++) {
      b[i] ^= (uint8_t)(1 << bit);
      if (img_open(&img, b, size, err, sizeof err) != IMG_OK) refused++;
      total++;
      b[i] ^= (uint8_t)(1 << bit);
    }
  }
  CHECK(refused == total, "all %d bit flips refused (%d)", total, refused);
  /* An unaligned mapping is refused, not read. */
  uint8_t *u = malloc(size + 1);
  memcpy(u + 1, b, size);
  CHECK(img_open(&img, u + 1, size, err, sizeof err) != IMG_OK, "unaligned image refused");
  free(u);
  free(b);
}

static void test_run(void) {
  char out[4096];
  program_spec ps;
  /* fib(20) by recursion: method 1 is fib. */
  memset(&ps, 0, sizeof ps);
  ps.globals = 1;
  asm_method *main = method(&ps, 0);
  asm_method *fib = method(&ps, 1);
  emit(main, 2, OP_LOAD_SMI, 25);
  emit(main, 3, OP_INVOKE_STATIC, 1, 0);
  emit(main, 3, OP_STORE_GLOBAL, 0, 0);
  emit(main, 3, OP_RETURN, 1, 0);
  /* fib n: if n < 2: return n; return (fib n-1) + (fib n-2) */
  emit(fib, 1, OP_LOAD_LOCAL_1);          /* 0 n */
  emit(fib, 2, OP_LOAD_SMI, 2);           /* 1 */
  emit(fib, 1, OP_INVOKE_LT);             /* 3 */
  emit(fib, 3, OP_BRANCH_IF_FALSE, 6, 0); /* 4 -> 10 */
  emit(fib, 1, OP_LOAD_LOCAL_1);          /* 7 */
  emit(fib, 3, OP_RETURN, 1, 1);          /* 8..10? */
  /* offsets: 0,1,3,4,7,8 -> next is 11; fix the branch to 11 */
  fib->code[5] = 7;
  emit(fib, 1, OP_LOAD_LOCAL_1);          /* 11 */
  emit(fib, 1, OP_LOAD_SMI_1);
  emit(fib, 1, OP_INVOKE_SUB);
  emit(fib, 3, OP_INVOKE_STATIC, 1, 0);
  emit(fib, 1, OP_LOAD_LOCAL_2);
  emit(fib, 2, OP_LOAD_SMI, 2);
  emit(fib, 1, OP_INVOKE_SUB);
  emit(fib, 3, OP_INVOKE_STATIC, 1, 0);
  emit(fib, 1, OP_INVOKE_ADD);
  emit(fib, 3, OP_RETURN, 1, 1);
  size_t size;
  uint8_t *b = build(&ps, &size, NULL);
  img_image img;
  char err[256];
  CHECK(img_open(&img, b, size, err, sizeof err) == IMG_OK, "fib image: %s", err);
  vm_options opt;
  vm_options_default(&opt);
  vm_process p;
  CHECK(vm_process_init(&p, &img, &opt), "process");
  vm_status st;
  int slices = 0;
  do {
    st = vm_run(&p);
    slices++;
  } while (st == VM_YIELDED);
  CHECK(st == VM_DONE, "fib ran to the end (%d)", st);
  CHECK(p.globals[0] == make_smi(75025), "fib(25) = 75025, got %ld", (long)smi_value(p.globals[0]));
  CHECK(slices > 1, "the budget check preempted the run (%d slices)", slices);
  vm_process_free(&p);
  free(b);

  /* Unbounded recursion throws STACK_OVERFLOW instead of crashing. */
  memset(&ps, 0, sizeof ps);
  main = method(&ps, 0);
  emit(main, 3, OP_INVOKE_STATIC, 0, 0);
  emit(main, 3, OP_RETURN, 1, 0);
  CHECK(run(&ps, out, sizeof out, 0) == VM_UNCAUGHT, "infinite recursion is an uncaught exception");

  /* A counting loop whose limit is read through a field of a small int:
   * the fused loop step must not touch it (the plain instructions then
   * throw LOOKUP_FAILED). */
  memset(&ps, 0, sizeof ps);
  main = method(&ps, 0);
  main->max = 4;
  emit(main, 2, OP_LOAD_SMI_0, OP_LOAD_SMI_1);             /* i, x = 1 */
  emit(main, 4, OP_LOAD_LOCAL_ADD_SMI, 1, 1, 0);           /* 2: i + 1 */
  emit(main, 2, OP_STORE_LOCAL_POP, 2);                    /* 6: i = */
  emit(main, 1, OP_LOAD_LOCAL_1);                          /* 8: i */
  emit(main, 3, OP_LOAD_FIELD_LOCAL, 1, 0);                /* 9: x.field 0 */
  emit(main, 2, OP_LOAD_FIELD, 0);                         /* 12: .field 0 */
  emit(main, 1, OP_INVOKE_LT);                             /* 14 */
  emit(main, 3, OP_BRANCH_BACK_IF_TRUE, 13, 0);            /* 15: to 2 */
  emit(main, 1, OP_LOAD_NULL);
  emit(main, 3, OP_RETURN, 3, 0);
  CHECK(run(&ps, out, sizeof out, 0) == VM_UNCAUGHT, "a loop limit through a non-object is an uncaught exception");

  /* Printing a string constant through a primitive. */
  memset(&ps, 0, sizeof ps);
  ps.prims = 1;
  main = method(&ps, 0);
  uint32_t hello;
  size_t sz;
  free(build(&ps, &sz, &hello));
  emit(main, 3, OP_LOAD_CONST, (int)hello, 0);
  emit(main, 4, OP_PRIMITIVE, 0, 0, 1);
  emit(main, 3, OP_RETURN, 1, 0);
  memset(out, 0, sizeof out);
  CHECK(run(&ps, out, sizeof out, 0) == VM_DONE, "print program ran");
  CHECK(strcmp(out, "hello\n") == 0, "printed hello, got '%s'", out);

  /* A receiver-only primitive method (`load local 1; primitive; [as class;]
   * return`) runs without its frame; a result that fails the `as` check is
   * thrown from the method's frame, the primitive having run once. */
  for (int k = 0; k < 3; k++) {
    memset(&ps, 0, sizeof ps);
    ps.prims = 1;
    main = method(&ps, 0);
    asm_method *leaf = method(&ps, 1);
    free(build(&ps, &sz, &hello));
    ps.dispatch_count = C_COUNT + 1;
    ps.dispatch[C_STRING + 1] = 2; /* selector offset 1 on strings: method 1 */
    leaf->selector = 1;
    emit(leaf, 1, OP_LOAD_LOCAL_1);
    emit(leaf, 4, OP_PRIMITIVE, 0, 0, 1); /* core.print returns null */
    if (k == 1) emit(leaf, 3, OP_AS_CLASS, C_PAIR, 0);
    if (k == 2) emit(leaf, 3, OP_AS_CLASS, C_PAIR, 0x80); /* Pair? */
    emit(leaf, 3, OP_RETURN, 1, 1);
    emit(main, 3, OP_LOAD_CONST, (int)hello, 0);
    emit(main, 4, OP_INVOKE_VIRTUAL, 1, 1, 0);
    emit(main, 1, OP_POP_1);
    emit(main, 3, OP_LOAD_CONST, (int)hello, 0);
    emit(main, 4, OP_INVOKE_VIRTUAL, 1, 1, 0);
    emit(main, 3, OP_RETURN, 1, 0);
    memset(out, 0, sizeof out);
    vm_status want = k == 1 ? VM_UNCAUGHT : VM_DONE;
    CHECK(run(&ps, out, sizeof out, 0) == want, "leaf primitive method %d: status", k);
    CHECK(strcmp(out, k == 1 ? "hello\n" : "hello\nhello\n") == 0, "leaf primitive method %d printed '%s'", k, out);
  }

  /* Allocation in a loop stays within a small heap: garbage is collected. */
  memset(&ps, 0, sizeof ps);
  main = method(&ps, 0);
  emit(main, 2, OP_LOAD_SMI_0, OP_POP_1); /* pad */
  emit(main, 3, OP_LOAD_SMI16, 0x10, 0x27); /* counter = 10000 at h1 */
  int loop = main->len;
  emit(main, 3, OP_ALLOCATE, C_PAIR, 0);  /* garbage */
  emit(main, 1, OP_POP_1);
  emit(main, 1, OP_LOAD_LOCAL_0);
  emit(main, 1, OP_LOAD_SMI_1);
  emit(main, 1, OP_INVOKE_SUB);
  emit(main, 2, OP_STORE_LOCAL_POP, 1);
  emit(main, 1, OP_LOAD_LOCAL_0);
  emit(main, 1, OP_LOAD_SMI_0);
  emit(main, 1, OP_INVOKE_GT);
  int back = main->len;
  emit(main, 3, OP_BRANCH_BACK_IF_TRUE, back - loop, 0);
  emit(main, 3, OP_RETURN, 1, 0);
  CHECK(run(&ps, out, sizeof out, 64 * 1024) == VM_DONE, "10000 allocations in a 64 KB heap");

  /* Keeping everything alive exhausts the heap: OUT_OF_MEMORY, no crash. */
  memset(&ps, 0, sizeof ps);
  main = method(&ps, 0);
  emit(main, 1, OP_LOAD_NULL);            /* h1: list head */
  loop = main->len;
  emit(main, 3, OP_ALLOCATE, C_PAIR, 0);  /* h2 */
  emit(main, 1, OP_DUP);                  /* h3 */
  emit(main, 1, OP_LOAD_LOCAL_2);         /* h4: head */
  emit(main, 2, OP_STORE_FIELD, 0);       /* h3: pair.f0 = head; leaves head */
  emit(main, 1, OP_POP_1);                /* h2: [head, pair] */
  emit(main, 2, OP_STORE_LOCAL_POP, 1);   /* h1: head = pair */
  back = main->len;
  emit(main, 3, OP_BRANCH_BACK, back - loop, 0);
  CHECK(run(&ps, out, sizeof out, 64 * 1024) == VM_UNCAUGHT, "unbounded live data ends in OUT_OF_MEMORY");
}

int main(void) {
  test_validator();
  test_structure();
  test_run();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
