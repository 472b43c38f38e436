/* The VM's public interface: a process runs one image in its own heap.
 * Later work puts several processes (containers) in one VM; nothing here is
 * global, so each process is isolated by construction. */
#ifndef TOIT_VM_VM_H
#define TOIT_VM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "image/image.h"
#include "vm/heap.h"
#include "vm/object.h"

typedef struct vm_process vm_process;

/* A primitive: gets its arguments, returns a value, or VM_FAILED after
 * setting the process's pending exception (vm_throw_*). */
typedef value (*vm_primitive_fn)(vm_process *p, value *args);
#define VM_FAILED ((value)3)
/* Returned by a primitive that ends the current task's turn (yield,
 * sleep): the instruction completes with null and the scheduler runs. */
#define VM_SWITCH ((value)11)

typedef enum {
  VM_DONE,        /* main returned */
  VM_EXITED,      /* `exit n` */
  VM_UNCAUGHT,    /* an uncaught exception terminated the process */
  VM_OOM,         /* out of memory that could not even be thrown */
  VM_YIELDED,     /* time slice used up; call vm_run again */
  VM_ERROR,       /* the image could not be started (message in error) */
  VM_TASK_SWITCH, /* internal: the running task yielded or went to sleep */
} vm_status;

/* A task: a green thread of the process with its own stack. */
enum { VM_TASK_READY, VM_TASK_SLEEPING, VM_TASK_DONE };
typedef struct {
  value stack;              /* obj_stack */
  uint32_t bci;             /* where it continues (CODE offset) */
  int32_t try_top;
  int64_t wake_us;          /* sleeping: monotonic deadline */
  uint32_t sleep_seq;       /* sleepers due together wake in the order they slept */
  uint8_t state;
  bool background;          /* does not keep the program alive */
} vm_task;

typedef struct {
  size_t heap_limit;        /* bytes; 0 = default */
  size_t max_stack_slots;   /* per task; 0 = default */
  int gc_stress;            /* collect at every allocation */
  long fail_allocation;     /* fail the Nth allocation (0 = never) */
  FILE *out;                /* print goes here (stdout by default) */
  FILE *err;                /* uncaught exceptions go here */
  const char *source_path;  /* path printed in stack traces */
  int argc;                 /* main's arguments */
  char **argv;
} vm_options;

struct vm_process {
  const img_image *img;
  const uint8_t *code;      /* start of CODE */
  vm_heap heap;
  vm_options opt;
  value *globals;
  uint8_t *global_state;    /* 0 uninitialised, 1 initialising, 2 ready */
  vm_primitive_fn *prims;   /* resolved per image primitive */
  value stack;              /* current task's obj_stack */
  int32_t try_top;          /* slot index of the innermost try link, -1 none */
  value pending;            /* exception value set by a failing primitive */
  value rethrow_trace;      /* trace for the pending exception (`rethrow`), 0 if none */
  int exit_code;
  int budget;               /* calls/back-edges left in this time slice */
  value handles[16];        /* values C code keeps across allocation */
  int handle_count;
  char error[256];
  /* Interpreter state saved between time slices (the stack's top is in
   * the stack object). */
  uint32_t saved_bci;       /* CODE offset */
  uint32_t saved_top;
  bool started;
  /* Errors the VM raises: their values, and the message printed if the
   * last one raised (vm_exc) goes uncaught. */
  value error_values[32];
  value vm_exc;
  char vm_message[256];
  value uncaught;
  uint64_t random_state;    /* the process's pseudo-random generator */
  /* Tasks: the running one's state lives in stack/saved_bci/try_top. */
  vm_task *tasks;
  int task_count, task_cap;
  int current;
  int *ready;               /* FIFO of ready task indexes (circular) */
  int ready_head, ready_count;
  int switch_request;       /* 1 yield, 2 sleep (set by primitives) */
  int64_t sleep_until;
  uint32_t sleep_seq;
  uint8_t *static_block;
};

void vm_options_default(vm_options *o);

/* Prepares a process for an opened image; resolves primitives. Returns
 * false (with p->error set) if the image uses a primitive the VM lacks. */
bool vm_process_init(vm_process *p, const img_image *img, const vm_options *opt);
void vm_process_free(vm_process *p);

/* Runs the process until it finishes or its time slice ends. */
vm_status vm_run(vm_process *p);

/* ---- for primitives and the interpreter ---- */
value vm_throw_string(vm_process *p, const char *msg);      /* returns VM_FAILED */
value vm_throw_value(vm_process *p, value v);
value vm_throw_error(vm_process *p, int error);                      /* a vm_error */
value vm_new_string(vm_process *p, const char *bytes, size_t size);  /* 0 on OOM */
value vm_new_float(vm_process *p, double d);
/* SMI or LargeInt; 0 on failure, so check smi_fits first where the
 * result may be the SMI 0. */
value vm_new_int(vm_process *p, int64_t i);
value vm_new_array(vm_process *p, uint32_t length, value fill);
value vm_null(const vm_process *p);
value vm_bool(const vm_process *p, bool b);
uint32_t vm_class_of(const vm_process *p, value v);
bool vm_is_string(const vm_process *p, value v);
bool vm_is_int(const vm_process *p, value v, int64_t *out);
bool vm_is_float(const vm_process *p, value v, double *out);
value vm_oom(vm_process *p);
const char *vm_class_name(const vm_process *p, uint32_t cls);

/* Creates a task that runs lambda.call; returns its index or -1. */
int vm_spawn_task(vm_process *p, value lambda, bool background);
int64_t vm_monotonic_us(void);

/* Primitive lookup by "module.name". */
vm_primitive_fn vm_primitive_lookup(const char *name, int *arity);

#define VM_HEAP_DEFAULT (64u * 1024 * 1024)
#define VM_STACK_DEFAULT_SLOTS (64u * 1024)
#define VM_INITIAL_STACK_SLOTS 256u

#endif
