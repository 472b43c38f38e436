/* Containers and the scheduler across processes (see system.h). */
#include "vm/system.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vm/errors.h"

#define SLICE_US_DEFAULT 10000
#define WATCHDOG_MS_DEFAULT 10000
#define HARD_WATCHDOG_MS_DEFAULT 5000
#define BACKOFF_MS_DEFAULT 100
#define BACKOFF_MAX_MS_DEFAULT 30000
/* A process that ran this long before failing starts its back-off anew. */
#define BACKOFF_RESET_US (60 * 1000000LL)

static const char *const reason_names[] = {
    "none", "done", "exit", "uncaught exception", "out of memory", "deadlock", "watchdog", "stopped",
};

const char *vm_stop_reason_name(vm_stop_reason r) {
  return (unsigned)r < sizeof reason_names / sizeof *reason_names ? reason_names[r] : "?";
}

void vm_container_options_default(vm_container_options *o) {
  memset(o, 0, sizeof *o);
  o->caps = VM_CAPS_DEFAULT;
  o->restart = VM_RESTART_NEVER;
  o->max_restarts = 5;
  o->backoff_ms = BACKOFF_MS_DEFAULT;
  o->backoff_max_ms = BACKOFF_MAX_MS_DEFAULT;
}

static void system_defaults(vm_system *s) {
  s->slice_us = SLICE_US_DEFAULT;
  s->watchdog_ms = WATCHDOG_MS_DEFAULT;
  s->hard_watchdog_ms = HARD_WATCHDOG_MS_DEFAULT;
}

void vm_system_init(vm_system *s, size_t pool_bytes) {
  memset(s, 0, sizeof *s);
  vm_pool_init(&s->pool, pool_bytes ? pool_bytes : VM_POOL_DEFAULT);
  system_defaults(s);
}

bool vm_system_init_static(vm_system *s, void *mem, size_t bytes) {
  memset(s, 0, sizeof *s);
  system_defaults(s);
  return vm_pool_init_static(&s->pool, mem, bytes);
}

/* ---- output ---- */

static void emit_event(vm_system *s, const vm_container *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void emit_event(vm_system *s, const vm_container *c, const char *fmt, ...) {
  if (!s->event) return;
  char buf[320];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  s->event(s->ctx, c, buf);
}

static void flush_line(vm_container *c, int stream) {
  vm_system *s = c->sys;
  if (s->line) s->line(s->ctx, c, stream, c->line[stream], c->line_len[stream]);
  c->line_len[stream] = 0;
}

/* The process's vm_write: whole lines go to the system's line callback;
 * the error report is also kept as the container's last report. */
static void container_write(void *ctx, int stream, const char *bytes, size_t size) {
  vm_container *c = ctx;
  if (stream != 0) {
    stream = 1;
    size_t room = VM_REPORT_MAX - 1 - c->report_len;
    size_t n = size < room ? size : room;
    memcpy(c->report + c->report_len, bytes, n);
    c->report_len += n;
    c->report[c->report_len] = 0;
  }
  for (size_t i = 0; i < size; i++) {
    if (bytes[i] == '\n') {
      flush_line(c, stream);
      continue;
    }
    if (c->line_len[stream] == sizeof c->line[stream]) flush_line(c, stream);
    c->line[stream][c->line_len[stream]++] = bytes[i];
  }
}

/* ---- installing ---- */

int vm_container_install(vm_system *s, const uint8_t *image, size_t size, const vm_container_options *opt,
                         char *err, size_t err_size) {
  if (!opt->name || !opt->name[0] || strlen(opt->name) >= sizeof ((vm_container *)0)->name) {
    snprintf(err, err_size, "a container needs a name of 1 to 31 bytes");
    return -1;
  }
  if (vm_container_find(s, opt->name) >= 0) {
    snprintf(err, err_size, "a container named '%s' is already installed", opt->name);
    return -1;
  }
  size_t limit = opt->heap_limit ? opt->heap_limit : VM_CONTAINER_HEAP_DEFAULT;
  if (opt->heap_reserve > limit) {
    snprintf(err, err_size, "'%s' reserves %zu bytes, more than its heap limit of %zu", opt->name,
             opt->heap_reserve, limit);
    return -1;
  }
  vm_container *c = calloc(1, sizeof *c);
  uint8_t *copy = malloc(size + 8);
  if (!c || !copy) {
    free(c);
    free(copy);
    snprintf(err, err_size, "out of memory installing '%s'", opt->name);
    return -1;
  }
  memcpy(copy, image, size);
  char why[200];
  if (img_open(&c->img, copy, size, why, sizeof why) != IMG_OK) {
    snprintf(err, err_size, "bad image: %s", why);
    free(c);
    free(copy);
    return -1;
  }
  if (!vm_program_init(&c->prog, &c->img, opt->caps)) {
    snprintf(err, err_size, "%s", c->prog.error);
    vm_program_free(&c->prog);
    free(c);
    free(copy);
    return -1;
  }
  if (s->count == s->cap) {
    int cap = s->cap ? s->cap * 2 : 4;
    vm_container **a = realloc(s->containers, sizeof *a * (size_t)cap);
    if (!a) {
      snprintf(err, err_size, "out of memory installing '%s'", opt->name);
      goto refuse;
    }
    s->containers = a;
    s->cap = cap;
  }
  /* The reservation holds from now until the container is removed, across
   * stops and restarts, so a restart always finds its memory. */
  if (opt->heap_reserve && !vm_pool_reserve(&s->pool, opt->heap_reserve)) {
    snprintf(err, err_size,
             "cannot reserve %zu bytes for '%s': the pool holds %zu bytes, of which %zu are in use or "
             "reserved",
             opt->heap_reserve, opt->name, s->pool.capacity, s->pool.used + s->pool.outstanding);
    goto refuse;
  }
  snprintf(c->name, sizeof c->name, "%s", opt->name);
  c->sys = s;
  c->index = s->count;
  c->image_bytes = copy;
  c->image_size = size;
  c->opt = *opt;
  c->opt.name = c->name;
  if (!c->opt.heap_limit) c->opt.heap_limit = VM_CONTAINER_HEAP_DEFAULT;
  if (!c->opt.watchdog_ms) c->opt.watchdog_ms = s->watchdog_ms;
  if (!c->opt.backoff_ms) c->opt.backoff_ms = BACKOFF_MS_DEFAULT;
  if (c->opt.backoff_max_ms < c->opt.backoff_ms) c->opt.backoff_max_ms = c->opt.backoff_ms;
  c->backoff_next_ms = c->opt.backoff_ms;
  c->state = VM_CONTAINER_INSTALLED;
  s->containers[s->count++] = c;
  return c->index;
refuse:
  vm_program_free(&c->prog);
  free(c);
  free(copy);
  return -1;
}

int vm_container_find(const vm_system *s, const char *name) {
  for (int i = 0; i < s->count; i++)
    if (!s->containers[i]->removed && strcmp(s->containers[i]->name, name) == 0) return i;
  return -1;
}

const char *vm_system_container_name(const vm_system *s, int index) {
  return index >= 0 && index < s->count ? s->containers[index]->name : "";
}

/* ---- starting and stopping processes ---- */

static bool start_process(vm_system *s, vm_container *c) {
  vm_process *p = malloc(sizeof *p);
  if (!p) return false;
  vm_options o;
  vm_options_default(&o);
  o.heap_limit = c->opt.heap_limit;
  o.heap_reserve = c->opt.heap_reserve;
  o.max_stack_slots = c->opt.max_stack_slots;
  o.gc_stress = c->opt.gc_stress;
  o.fail_allocation = c->opt.fail_allocation;
  o.write = container_write;
  o.write_ctx = c;
  o.source_path = c->opt.source_path;
  o.argc = c->opt.argc;
  o.argv = c->opt.argv;
  o.caps = c->opt.caps;
  o.pool = &s->pool;
  if (!vm_process_init_shared(p, &c->prog, &o)) {
    emit_event(s, c, "cannot start: %s", p->error);
    vm_process_free(p);
    free(p);
    return false;
  }
  p->sys = s;
  p->container = c->index;
  c->proc = p;
  c->state = VM_CONTAINER_RUNNING;
  c->report_len = 0;
  c->report[0] = 0;
  c->busy_us = 0;
  c->yields_seen = 0;
  c->starts++;
  return true;
}

bool vm_container_start(vm_system *s, int index) {
  if (index < 0 || index >= s->count) return false;
  vm_container *c = s->containers[index];
  if (c->removed || c->state == VM_CONTAINER_RUNNING) return false;
  c->restarts = 0;
  c->backoff_next_ms = c->opt.backoff_ms;
  return start_process(s, c);
}

static bool is_failure(vm_stop_reason r, int exit_code) {
  return !(r == VM_STOP_DONE || (r == VM_STOP_EXIT && exit_code == 0) || r == VM_STOP_REQUESTED);
}

/* Records why the process stopped, frees it and decides what comes next. */
static void stop_process(vm_system *s, vm_container *c, vm_stop_reason reason, int exit_code, int64_t ran_us) {
  vm_process *p = c->proc;
  for (int k = 0; k < 2; k++)
    if (c->line_len[k]) flush_line(c, k);
  size_t fp = vm_process_footprint(p);
  if (fp > c->peak_footprint) c->peak_footprint = fp;
  vm_process_free(p);
  free(p);
  c->proc = NULL;
  c->last_reason = reason;
  c->last_exit_code = exit_code;
  bool failed = is_failure(reason, exit_code);
  if (failed) {
    /* The report's first line says what happened. */
    const char *nl = memchr(c->report, '\n', c->report_len);
    size_t n = nl ? (size_t)(nl - c->report) : c->report_len;
    if (reason == VM_STOP_EXIT)
      snprintf(c->last_error, sizeof c->last_error, "exit %d", exit_code);
    else if (n && strncmp(c->report, "EXCEPTION error.", 16) == 0 && nl) {
      /* Upstream's header line: the thrown value follows. */
      const char *v = nl + 1;
      const char *end = memchr(v, '\n', c->report_len - (size_t)(v - c->report));
      snprintf(c->last_error, sizeof c->last_error, "%.*s", (int)(end ? end - v : 100), v);
    } else if (n > 7 && nl && memcmp(c->report + n - 7, " error.", 7) == 0 && nl[1] && nl[1] != ' ') {
      /* "WATCHDOG error." then an explanation: keep both. */
      const char *v = nl + 1;
      const char *end = memchr(v, '\n', c->report_len - (size_t)(v - c->report));
      snprintf(c->last_error, sizeof c->last_error, "%.*s: %.*s", (int)(n - 7), c->report,
               (int)(end ? end - v : 100), v);
    } else if (n)
      snprintf(c->last_error, sizeof c->last_error, "%.*s", (int)n, c->report);
    else
      snprintf(c->last_error, sizeof c->last_error, "%s", vm_stop_reason_name(reason));
  } else {
    c->last_error[0] = 0;
  }
  bool again = reason != VM_STOP_REQUESTED &&
               ((c->opt.restart == VM_RESTART_ON_FAILURE && failed) || c->opt.restart == VM_RESTART_ALWAYS);
  if (again && c->opt.max_restarts >= 0 && c->restarts >= c->opt.max_restarts) {
    c->state = VM_CONTAINER_STOPPED;
    emit_event(s, c, "stopped (%s%s%s); gave up after %d restarts", vm_stop_reason_name(reason),
               failed ? ": " : "", failed ? c->last_error : "", c->restarts);
    return;
  }
  if (!again) {
    c->state = VM_CONTAINER_STOPPED;
    if (failed)
      emit_event(s, c, "stopped (%s: %s)", vm_stop_reason_name(reason), c->last_error);
    return;
  }
  if (ran_us > BACKOFF_RESET_US) c->backoff_next_ms = c->opt.backoff_ms;
  uint32_t delay = c->backoff_next_ms;
  c->backoff_next_ms = delay * 2 > c->opt.backoff_max_ms ? c->opt.backoff_max_ms : delay * 2;
  c->restart_at = vm_monotonic_us() + (int64_t)delay * 1000;
  c->restarts++;
  c->state = VM_CONTAINER_BACKOFF;
  emit_event(s, c, "stopped (%s%s%s); restart %d%s in %u ms", vm_stop_reason_name(reason), failed ? ": " : "",
             failed ? c->last_error : "", c->restarts, c->opt.max_restarts >= 0 ? "" : " (no limit)", delay);
}

void vm_container_stop(vm_system *s, int index) {
  if (index < 0 || index >= s->count) return;
  vm_container *c = s->containers[index];
  if (c->proc) stop_process(s, c, VM_STOP_REQUESTED, 0, 0);
  c->state = VM_CONTAINER_STOPPED;
}

void vm_container_remove(vm_system *s, int index) {
  if (index < 0 || index >= s->count) return;
  vm_container *c = s->containers[index];
  vm_container_stop(s, index);
  if (c->removed) return;
  c->removed = true;
  vm_pool_unreserve(&s->pool, c->opt.heap_reserve);
  vm_program_free(&c->prog);
  free(c->image_bytes);
  c->image_bytes = NULL;
}

void vm_system_free(vm_system *s) {
  if (s->watchdog) {
    pthread_t *t = s->watchdog;
    s->hard_watchdog_ms = 0; /* tells the thread to end */
    pthread_join(*t, NULL);
    free(t);
    s->watchdog = NULL;
  }
  for (int i = 0; i < s->count; i++) {
    vm_container_remove(s, i);
    free(s->containers[i]);
  }
  free(s->containers);
  s->containers = NULL;
  s->count = 0;
  vm_pool_free(&s->pool);
}

/* ---- messages ---- */

int vm_system_deliver(vm_system *s, vm_process *from, const char *to, vm_mail *m) {
  int i = vm_container_find(s, to);
  if (i < 0) return -1;
  vm_container *c = s->containers[i];
  if (c->state != VM_CONTAINER_RUNNING || !c->proc) return -1;
  snprintf(m->from, sizeof m->from, "%s", vm_system_container_name(s, from->container));
  return vm_mail_deliver(c->proc, m) ? 1 : 0;
}

/* ---- scheduling ---- */

static bool runnable(const vm_container *c, int64_t now) {
  if (c->state == VM_CONTAINER_BACKOFF) return c->restart_at <= now;
  if (c->state != VM_CONTAINER_RUNNING) return false;
  const vm_process *p = c->proc;
  return !p->idle || p->ready_count > 0 || p->wake_us <= now;
}

/* Writes the running process's stack trace as its failure report. */
static void report_watchdog(vm_container *c, int64_t busy_us) {
  char head[160];
  snprintf(head, sizeof head, "WATCHDOG error.\nNo yield point for %lld ms (the limit is %u ms).",
           (long long)(busy_us / 1000), c->opt.watchdog_ms);
  vm_report_trace(c->proc, head);
}

/* Runs one slice of c's process. */
static void run_slice(vm_system *s, vm_container *c) {
  vm_process *p = c->proc;
  int64_t start = vm_monotonic_us();
  s->interrupt = 0;
  p->interrupt = &s->interrupt;
  s->running_container = c->index;
  s->running = p;
  s->slice_start_us = start;
  vm_status st;
  int64_t now;
  for (;;) {
    st = vm_run(p);
    now = vm_monotonic_us();
    if (st != VM_YIELDED || now - start >= s->slice_us) break;
  }
  s->slice_start_us = 0;
  s->running = NULL;
  int64_t ran = now - start;
  c->cpu_us += (uint64_t)ran;
  size_t fp = vm_process_footprint(p);
  if (fp > c->peak_footprint) c->peak_footprint = fp;
  if (p->yields != c->yields_seen || st == VM_IDLE) {
    c->yields_seen = p->yields;
    c->busy_us = st == VM_YIELDED ? ran / 2 : 0; /* it yielded somewhere in this slice */
  } else {
    c->busy_us += ran;
  }
  switch (st) {
    case VM_YIELDED:
      if (c->busy_us > (int64_t)c->opt.watchdog_ms * 1000) {
        report_watchdog(c, c->busy_us);
        stop_process(s, c, VM_STOP_WATCHDOG, 0, (int64_t)c->cpu_us);
      }
      break;
    case VM_IDLE: break;
    case VM_DONE: stop_process(s, c, VM_STOP_DONE, 0, ran); break;
    case VM_EXITED: stop_process(s, c, VM_STOP_EXIT, p->exit_code, ran); break;
    case VM_UNCAUGHT:
      stop_process(s, c, p->uncaught == p->error_values[VM_ERR_OUT_OF_MEMORY] ? VM_STOP_OOM : VM_STOP_UNCAUGHT, 1, ran);
      break;
    case VM_DEADLOCK: stop_process(s, c, VM_STOP_DEADLOCK, 1, ran); break;
    default:
      if (p->error) container_write(c, 1, p->error, strlen(p->error));
      container_write(c, 1, "\n", 1);
      stop_process(s, c, VM_STOP_OOM, 1, ran);
      break;
  }
}

bool vm_system_step(vm_system *s, int64_t *sleep_us) {
  *sleep_us = 0;
  int64_t now = vm_monotonic_us();
  for (int k = 0; k < s->count; k++) {
    int i = (s->next + k) % s->count;
    vm_container *c = s->containers[i];
    if (!runnable(c, now)) continue;
    s->next = (i + 1) % s->count;
    if (c->state == VM_CONTAINER_BACKOFF) {
      emit_event(s, c, "restarting (restart %d)", c->restarts);
      if (!start_process(s, c)) {
        c->state = VM_CONTAINER_STOPPED;
        return true;
      }
    }
    run_slice(s, c);
    return true;
  }
  /* Nothing can run now: when will something be due? */
  int64_t due = INT64_MAX;
  bool alive = false;
  for (int i = 0; i < s->count; i++) {
    vm_container *c = s->containers[i];
    if (c->state == VM_CONTAINER_BACKOFF) {
      alive = true;
      if (c->restart_at < due) due = c->restart_at;
    } else if (c->state == VM_CONTAINER_RUNNING) {
      if (c->proc->wake_us != INT64_MAX) alive = true;
      if (c->proc->wake_us < due) due = c->proc->wake_us;
    }
  }
  if (!alive) return false; /* at most message waiters left, and no one to send */
  *sleep_us = due - now > 0 ? due - now : 0;
  return true;
}

void vm_system_run(vm_system *s, int64_t deadline_us) {
  for (;;) {
    int64_t sleep_us;
    bool more = vm_system_step(s, &sleep_us);
    int64_t now = vm_monotonic_us();
    if (!more || (deadline_us && now >= deadline_us)) break;
    if (sleep_us > 0) {
      if (deadline_us && now + sleep_us > deadline_us) sleep_us = deadline_us - now;
      struct timespec ts = {(time_t)(sleep_us / 1000000), (long)(sleep_us % 1000000) * 1000};
      nanosleep(&ts, NULL);
    }
  }
  /* What is left waits for messages no one can send, or ran out of time. */
  for (int i = 0; i < s->count; i++) {
    vm_container *c = s->containers[i];
    if (c->state == VM_CONTAINER_RUNNING && c->proc) {
      bool waiting = c->proc->idle && c->proc->wake_us == INT64_MAX;
      if (waiting) {
        const char *msg = "DEADLOCK error.\nEvery task waits for a message and no container can send one.\n";
        container_write(c, 1, msg, strlen(msg));
        stop_process(s, c, VM_STOP_DEADLOCK, 1, 0);
      } else {
        stop_process(s, c, VM_STOP_REQUESTED, 0, 0);
      }
      c->state = VM_CONTAINER_STOPPED;
    } else if (c->state == VM_CONTAINER_BACKOFF) {
      c->state = VM_CONTAINER_STOPPED;
    }
  }
}

/* ---- the watchdog thread ---- */

static void *watchdog_main(void *arg) {
  vm_system *s = arg;
  while (s->hard_watchdog_ms) {
    struct timespec ts = {0, 10 * 1000000};
    nanosleep(&ts, NULL);
    int64_t start = s->slice_start_us;
    vm_process *p = s->running;
    if (!start || !p) continue;
    int64_t stuck = vm_monotonic_us() - start;
    uint32_t hard = s->hard_watchdog_ms;
    if (hard && stuck > (int64_t)hard * 500) s->interrupt = 1; /* half-way: ask it to stop */
    if (hard && stuck > (int64_t)hard * 1000 && s->slice_start_us == start) {
      const char *name = vm_system_container_name(s, s->running_container);
      char msg[200];
      int n = snprintf(msg, sizeof msg,
                       "toit: watchdog: container '%s' reached no preemption check for %lld ms; resetting the VM\n",
                       name, (long long)(stuck / 1000));
      /* Keep what the others printed, unless the stuck thread holds stdout. */
      if (ftrylockfile(stdout) == 0) {
        fflush_unlocked(stdout);
        funlockfile(stdout);
      }
      if (n > 0) {
        ssize_t w = write(2, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
        (void)w;
      }
      _exit(6);
    }
  }
  return NULL;
}

bool vm_system_start_watchdog(vm_system *s) {
  if (s->watchdog || !s->hard_watchdog_ms) return true;
  pthread_t *t = malloc(sizeof *t);
  if (!t) return false;
  if (pthread_create(t, NULL, watchdog_main, s) != 0) {
    free(t);
    return false;
  }
  s->watchdog = t;
  return true;
}
