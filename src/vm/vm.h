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
/* p->switch_request values that go with VM_SWITCH. */
enum {
  VM_SWITCH_YIELD = 1,
  VM_SWITCH_SLEEP,   /* until p->sleep_until */
  VM_SWITCH_AWAIT,   /* `await`: wait until another task ran */
  VM_SWITCH_REAWAIT, /* the same, after a re-check that changed nothing */
  VM_SWITCH_MESSAGE, /* until a message arrives */
};

typedef enum {
  VM_DONE,        /* every non-background task finished */
  VM_EXITED,      /* `exit n` */
  VM_UNCAUGHT,    /* an uncaught exception terminated the process */
  VM_OOM,         /* out of memory that could not even be thrown */
  VM_YIELDED,     /* time slice used up; call vm_run again */
  VM_ERROR,       /* the image could not be started (message in error) */
  VM_TASK_SWITCH, /* internal: the running task yielded, slept or waits */
  VM_IDLE,        /* no task can run before p->wake_us (INT64_MAX: only a
                     message can wake it); call vm_run again then */
  VM_DEADLOCK,    /* every live task waits and nothing can wake one */
} vm_status;

/* A task: a green thread of the process with its own growable stack. */
enum {
  VM_TASK_FREE,     /* slot unused (a finished task's slot is reused) */
  VM_TASK_READY,
  VM_TASK_SLEEPING, /* `sleep`: woken by its timer */
  VM_TASK_WAITING,  /* `await` in a monitor: woken when another task ran */
  VM_TASK_MESSAGE,  /* waits for a message to the process */
};
typedef struct {
  value stack;              /* obj_stack; null while it is the running task */
  uint32_t bci;             /* where it continues (CODE offset) */
  int32_t try_top;
  int64_t wake_us;          /* its timer (sleep, or a deadline while waiting); 0 none */
  int64_t deadline_us;      /* `with-timeout`; 0 none */
  value wait_obj;           /* VM_TASK_WAITING: the monitor it waits on (0: any task switch wakes it) */
  int32_t wait_next;        /* next task in that object's wait queue, -1 last */
  uint32_t timer_seq;       /* identifies its live timer entry */
  uint16_t gen;             /* bumped when the slot is reused: stale Task ids fail */
  uint8_t state;
  bool background;          /* does not keep the program alive */
  bool canceled;            /* CANCELED is thrown at each of its yield points */
} vm_task;

/* A timer: a min-heap entry ordered by (when, seq). Stale entries (the task
 * was woken otherwise) are skipped when they come up. */
typedef struct {
  int64_t when;
  uint32_t seq;
  int32_t task;
} vm_timer;

/* A wait queue: the tasks waiting on one object (a monitor). */
typedef struct vm_waitq {
  value obj;                /* 0: an empty slot */
  int32_t head, tail;       /* tasks, linked through wait_next */
  int32_t owner;            /* a monitor's lock: the holding task's id */
  int32_t depth;            /* times the owner entered (0: unlocked) */
} vm_waitq;

/* Where a process's text goes: stream 0 is `print`, 1 is the uncaught-error
 * report. The default writes to opt.out / opt.err. */
typedef void (*vm_write_fn)(void *ctx, int stream, const char *bytes, size_t size);

/* Primitive modules a process may be denied (its capabilities). The pure
 * ones (object, int, float, string, bytes, array, map, core, math) are
 * always granted. */
enum {
  VM_CAP_TIME = 1 << 0,
  VM_CAP_RANDOM = 1 << 1,
  VM_CAP_TASK = 1 << 2,
  VM_CAP_MESSAGE = 1 << 3,
  VM_CAP_DEBUG = 1 << 4, /* test hooks such as a primitive that never returns */
};
#define VM_CAPS_DEFAULT (VM_CAP_TIME | VM_CAP_RANDOM | VM_CAP_TASK | VM_CAP_MESSAGE)
#define VM_CAPS_ALL (VM_CAPS_DEFAULT | VM_CAP_DEBUG)
/* "time,task" -> mask; returns false on an unknown name. */
bool vm_caps_parse(const char *list, uint32_t *out);
/* The capability a primitive needs (0: always granted). */
uint32_t vm_primitive_cap(const char *name);

struct vm_system;
struct vm_mail;

typedef struct {
  size_t heap_limit;        /* bytes; 0 = default */
  size_t heap_reserve;      /* bytes the pool promised this process (vm_pool_reserve); 0 = none */
  size_t max_stack_slots;   /* per task; 0 = default */
  int gc_stress;            /* collect at every allocation */
  int static_pool;          /* a lone process: its pool is a static block (vm_pool_init_static) */
  long fail_allocation;     /* fail the Nth allocation (0 = never) */
  FILE *out;                /* print goes here (stdout by default) */
  FILE *err;                /* uncaught exceptions go here */
  vm_write_fn write;        /* if set, used instead of out/err */
  void *write_ctx;
  const char *source_path;  /* path printed in stack traces */
  int argc;                 /* main's arguments */
  char **argv;
  uint32_t caps;            /* granted capabilities (VM_CAP_*) */
  vm_pool *pool;            /* pages come from here (NULL: a private pool) */
} vm_options;

/* What processes of one image share: the image, its resolved primitives
 * (capabilities applied) and the VM-owned error strings. A container keeps
 * one for all its processes and restarts. */
typedef struct {
  const img_image *img;
  vm_primitive_fn *prims;
  value error_values[32];
  uint8_t *static_block;
  const uint8_t *static_lo, *static_hi;
  uint32_t caps;
  char error[160];          /* why vm_program_init failed */
} vm_program;

bool vm_program_init(vm_program *prog, const img_image *img, uint32_t caps);
void vm_program_free(vm_program *prog);

struct vm_process {
  const img_image *img;
  const uint8_t *code;      /* start of CODE */
  const vm_program *prog;
  vm_program *own_prog;     /* set when the process made its own */
  bool own_pool;            /* opt.pool was made by the process */
  void *own_pool_mem;       /* and its static block, if any */
  vm_heap heap;
  vm_options opt;
  value *globals;
  uint8_t *global_state;    /* 0 uninitialised, 1 initialising, 2 ready */
  vm_primitive_fn *prims;   /* prog->prims */
  const value *error_values; /* prog->error_values */
  value stack;              /* current task's obj_stack */
  int32_t try_top;          /* slot index of the innermost try link, -1 none */
  value pending;            /* exception value set by a failing primitive */
  value rethrow_trace;      /* trace for the pending exception (`rethrow`), 0 if none */
  int exit_code;
  int budget;               /* calls/back-edges left in this time slice */
  value handles[8];         /* values C code keeps across allocation */
  int handle_count;
  const char *error;        /* why vm_process_init or vm_run failed */
  /* Interpreter state saved between time slices (the stack's top is in
   * the stack object). */
  uint32_t saved_bci;       /* CODE offset */
  uint32_t saved_top;
  bool started;
  bool idle;                /* vm_run returned VM_IDLE */
  bool quiet_end;           /* the running task ended by its own cancelation */
  /* Set asynchronously (the watchdog thread) to ask a long primitive to
   * stop: the system's flag for a container's process (so the watchdog
   * never touches a process that may be gone), else the process's own. */
  volatile int *interrupt;
  volatile int own_interrupt;
  /* The last error the VM raised (vm_exc) and the message printed if it
   * goes uncaught. */
  value vm_exc;
  char vm_message[200];
  value uncaught;
  uint64_t random_state;    /* the process's pseudo-random generator */
  /* Tasks: the running one's state lives in stack/saved_bci/try_top. */
  vm_task *tasks;
  int task_count, task_cap; /* slots in use (incl. free ones below count) */
  int live_tasks;           /* tasks not FREE */
  int current;
  int *ready;               /* FIFO of ready task indexes (circular) */
  int ready_head, ready_count;
  int waiting;              /* tasks in VM_TASK_WAITING on no object */
  int keyed_waiting;        /* tasks in VM_TASK_WAITING on an object */
  value await_obj;          /* the object of a VM_SWITCH_AWAIT request, or 0 */
  vm_waitq *waitq;   /* wait queues by object: open addressing */
  int waitq_cap, waitq_count;
  int message_waiters;      /* tasks in VM_TASK_MESSAGE */
  vm_timer *timers;
  int timer_count, timer_cap;
  uint32_t timer_seq;
  int switch_request;       /* set by primitives: see vm.c */
  int64_t sleep_until;
  int64_t wake_us;          /* VM_IDLE: when the first timer fires */
  uint32_t yields;          /* task switches so far (the watchdog's progress mark) */
  /* Messages (copied in from other processes). */
  struct vm_system *sys;
  int container;            /* index in sys */
  struct vm_mail *mail_head, *mail_tail;
  int mail_count;
};

void vm_options_default(vm_options *o);

/* Prepares a process for an opened image; resolves primitives. Returns
 * false (with p->error set) if the image uses a primitive the VM lacks. */
bool vm_process_init(vm_process *p, const img_image *img, const vm_options *opt);
void vm_process_free(vm_process *p);

/* Like vm_process_init, sharing a program (and its capabilities). */
bool vm_process_init_shared(vm_process *p, const vm_program *prog, const vm_options *opt);

/* Runs the process until it finishes, its time slice ends or it has nothing
 * to do (VM_IDLE). */
vm_status vm_run(vm_process *p);
/* Runs a lone process to its end, sleeping while it is idle. */
vm_status vm_run_to_end(vm_process *p);
/* Writes to the process's output (stream 0) or error report (stream 1). */
void vm_write(vm_process *p, int stream, const char *bytes, size_t size);
/* Writes `header` and the running task's stack trace as the error report
 * (the process must be stopped between instructions: VM_YIELDED). */
void vm_report_trace(vm_process *p, const char *header);
/* Frees the messages still in the process's mailbox. */
void vm_mail_drop_all(vm_process *p);
/* Wakes the process's tasks that wait for a message. */
void vm_wake_message_waiters(vm_process *p);
/* Bytes of RAM the process holds beyond its image and shared program:
 * the process struct, its tables and its heap's pages. */
size_t vm_process_footprint(const vm_process *p);

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

/* Creates a task that runs lambda.call; returns its id (index | gen << 16)
 * or -1. */
int vm_spawn_task(vm_process *p, value lambda, bool background);
/* Moves a blocked task to the ready queue. */
void vm_make_ready(vm_process *p, int task);
/* Wakes the tasks waiting on obj (task.notify). */
void vm_notify(vm_process *p, value obj);
/* A monitor's lock on obj for the current task: enter (false: another task
 * holds it), leave one level, release all levels (returning how many),
 * and take it back with that many. */
int vm_monitor_enter(vm_process *p, value obj);   /* 1 entered, 0 busy, -1 out of memory */
void vm_monitor_leave(vm_process *p, value obj);
int vm_monitor_release(vm_process *p, value obj);
int vm_monitor_acquire(vm_process *p, value obj, int depth); /* as enter */
/* The task with that id, or -1 if it has finished. */
int vm_task_index(const vm_process *p, int64_t id);
int64_t vm_monotonic_us(void);

/* Primitive lookup by "module.name". */
vm_primitive_fn vm_primitive_lookup(const char *name, int *arity);

#define VM_HEAP_DEFAULT (64u * 1024 * 1024)
#define VM_STACK_DEFAULT_SLOTS (64u * 1024)
#define VM_INITIAL_STACK_SLOTS 64u
#define VM_MAX_TASKS 65535

#endif
