/* Containers: many isolated programs in one VM (issue 5, DESIGN.md §4).
 *
 * A container is an installed image plus the process that runs it. Each
 * process has its own heap (pages from the system's shared pool, up to the
 * container's heap limit), its own tasks, globals and mailbox; messages
 * between processes are copied (message.h). The system runs the processes
 * round-robin in time slices (the interpreter's budget check at every call
 * and back-edge), stops a process that fails (uncaught error, out of
 * memory, stack overflow, deadlock, a denied primitive, or no yield point
 * for longer than its watchdog limit) with a recorded reason and stack
 * trace, and restarts it with exponential back-off as its policy says.
 *
 * A watchdog thread notices a process that does not even reach a check
 * (stuck inside a native call): first it asks the call to stop
 * (*p->interrupt), then, past the hard limit, it resets the VM, as the
 * hardware watchdog of a device would. */
#ifndef TOIT_VM_SYSTEM_H
#define TOIT_VM_SYSTEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/message.h"
#include "vm/vm.h"

typedef enum { VM_RESTART_NEVER, VM_RESTART_ON_FAILURE, VM_RESTART_ALWAYS } vm_restart_policy;

typedef struct {
  const char *name;          /* unique, at most 31 bytes */
  size_t heap_limit;         /* 0: VM_CONTAINER_HEAP_DEFAULT */
  size_t heap_reserve;       /* bytes of the pool kept for this container while it
                                is installed, whatever its neighbours allocate;
                                at most heap_limit; 0: none */
  size_t max_stack_slots;    /* per task; 0: default */
  uint32_t caps;             /* granted primitive modules (VM_CAP_*) */
  vm_restart_policy restart;
  int max_restarts;          /* -1: no limit */
  uint32_t backoff_ms;       /* first restart delay; doubles up to backoff_max_ms */
  uint32_t backoff_max_ms;
  uint32_t watchdog_ms;      /* longest run without a yield point; 0: system default */
  int gc_stress;
  long fail_allocation;
  const char *source_path;   /* shown in stack traces */
  int argc;
  char **argv;
} vm_container_options;

void vm_container_options_default(vm_container_options *o);

typedef enum {
  VM_CONTAINER_INSTALLED, /* not started */
  VM_CONTAINER_RUNNING,
  VM_CONTAINER_BACKOFF,   /* failed; restarts at restart_at */
  VM_CONTAINER_STOPPED,   /* for good (finished, stopped, or out of restarts) */
} vm_container_state;

typedef enum {
  VM_STOP_NONE,
  VM_STOP_DONE,        /* every task finished */
  VM_STOP_EXIT,        /* `exit n` (a failure when n != 0) */
  VM_STOP_UNCAUGHT,    /* uncaught exception (incl. stack overflow, denied primitive) */
  VM_STOP_OOM,         /* out of memory (heap limit or pool) */
  VM_STOP_DEADLOCK,
  VM_STOP_WATCHDOG,    /* ran too long without a yield point */
  VM_STOP_REQUESTED,   /* vm_container_stop */
} vm_stop_reason;

const char *vm_stop_reason_name(vm_stop_reason r);

#define VM_REPORT_MAX 2048

typedef struct {
  char name[32];
  struct vm_system *sys;
  int index;
  uint8_t *image_bytes;      /* owned copy (flash, on a device) */
  size_t image_size;
  img_image img;
  vm_program prog;
  vm_container_options opt;
  vm_container_state state;
  vm_process *proc;
  bool removed;
  /* History. */
  int starts, restarts;
  int64_t restart_at;
  uint32_t backoff_next_ms;
  vm_stop_reason last_reason;
  int last_exit_code;
  char last_error[160];      /* first line of the last failure's report */
  char report[VM_REPORT_MAX];/* the last failure's full report (trace) */
  size_t report_len;
  bool reporting;            /* the running process writes its report */
  /* Scheduling. */
  int64_t busy_us;           /* CPU time since its last yield point */
  uint32_t yields_seen;
  uint64_t cpu_us;
  size_t peak_footprint;
  /* Output line buffers (stream 0 print, 1 error report). */
  char line[2][256];
  size_t line_len[2];
} vm_container;

struct vm_system;
/* Receives each complete output line of a container (without '\n'). */
typedef void (*vm_line_fn)(void *ctx, const vm_container *c, int stream, const char *line, size_t size);
/* Receives lifecycle events ("started", "stopped: ...", "restarting ..."). */
typedef void (*vm_event_fn)(void *ctx, const vm_container *c, const char *event);

typedef struct vm_system {
  vm_pool pool;
  vm_container **containers;
  int count, cap;
  uint32_t slice_us;         /* time slice before another process runs */
  uint32_t watchdog_ms;      /* default for containers */
  uint32_t hard_watchdog_ms; /* no check at all for this long: reset */
  vm_line_fn line;
  vm_event_fn event;
  void *ctx;
  int next;                  /* round-robin position */
  /* The watchdog thread's view of the running slice. */
  void *watchdog;            /* pthread state; NULL when not started */
  volatile int64_t slice_start_us; /* 0 when no slice runs */
  vm_process *volatile running;
  volatile int interrupt;    /* the running process's interrupt request */
  volatile int running_container;
} vm_system;

#define VM_POOL_DEFAULT (64u * 1024 * 1024)
#define VM_CONTAINER_HEAP_DEFAULT (4u * 1024 * 1024)

void vm_system_init(vm_system *s, size_t pool_bytes);
/* The same with every heap's pages carved from `bytes` at `mem`, as on a
 * device (vm_pool_init_static); false if that is too small. */
bool vm_system_init_static(vm_system *s, void *mem, size_t bytes);
void vm_system_free(vm_system *s);

/* Copies and validates the image; returns the container's index or -1
 * (message in err). */
int vm_container_install(vm_system *s, const uint8_t *image, size_t size, const vm_container_options *opt,
                         char *err, size_t err_size);
bool vm_container_start(vm_system *s, int index);
/* Stops the container's process for good (no restart). */
void vm_container_stop(vm_system *s, int index);
/* Stops it and frees its image. */
void vm_container_remove(vm_system *s, int index);
int vm_container_find(const vm_system *s, const char *name);
const char *vm_system_container_name(const vm_system *s, int index);

/* Runs one time slice of the next runnable process. Returns false when no
 * container will ever run again (all stopped); *sleep_us says how long
 * nothing is due when it returns true without running anything. */
bool vm_system_step(vm_system *s, int64_t *sleep_us);
/* Steps until every container has stopped for good, or until deadline_us
 * (monotonic; 0 = none) passes. */
void vm_system_run(vm_system *s, int64_t deadline_us);
/* Starts the watchdog thread (optional). */
bool vm_system_start_watchdog(vm_system *s);

/* Used by message.c: 1 delivered, 0 the mailbox is full, -1 no such
 * running container. */
int vm_system_deliver(vm_system *s, vm_process *from, const char *to, vm_mail *m);

#endif
