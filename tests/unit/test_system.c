/* Unit tests of the container C API (src/vm/system.h): install, start,
 * stop, remove; bad images and names; the shared pool given back when a
 * process stops; messages; and the footprint of a minimal container. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compiler.h"
#include "vm/system.h"

#include "check.h"

static uint8_t *compile(const char *source, size_t *size) {
  cmp_options co = {0};
  co.path = "test.toit";
  co.source = source;
  co.source_size = strlen(source);
  co.strip = true;
  cmp_result r;
  if (!cmp_compile(&co, &r)) return NULL;
  *size = r.size;
  return r.image;
}

/* Output lines of all containers, as "name|stream|line\n". */
static char out[8192];
static size_t out_len;

static void on_line(void *ctx, const vm_container *c, int stream, const char *line, size_t size) {
  (void)ctx;
  int n = snprintf(out + out_len, sizeof out - out_len, "%s|%d|%.*s\n", c->name, stream, (int)size, line);
  if (n > 0 && (size_t)n < sizeof out - out_len) out_len += (size_t)n;
}

static int events;
static void on_event(void *ctx, const vm_container *c, const char *event) {
  (void)ctx;
  (void)c;
  (void)event;
  events++;
}

static void init(vm_system *s, size_t pool) {
  vm_system_init(s, pool);
  s->line = on_line;
  s->event = on_event;
  out_len = 0;
  out[0] = 0;
}

static int install(vm_system *s, const char *name, const char *source, vm_restart_policy restart) {
  size_t size;
  uint8_t *img = compile(source, &size);
  if (!img) return -1;
  vm_container_options o;
  vm_container_options_default(&o);
  o.name = name;
  o.restart = restart;
  o.backoff_ms = 1;
  char err[200];
  int i = vm_container_install(s, img, size, &o, err, sizeof err);
  free(img);
  return i;
}

static void test_two_containers(void) {
  vm_system s;
  init(&s, 0);
  int a = install(&s, "a", "main:\n  3.repeat:\n    print \"a$it\"\n    yield\n", VM_RESTART_NEVER);
  int b = install(&s, "b", "main:\n  print \"b0\"\n  sleep --ms=1\n  print \"b1\"\n", VM_RESTART_NEVER);
  CHECK(a == 0 && b == 1, "install: %d %d", a, b);
  CHECK(vm_container_find(&s, "b") == 1, "find");
  CHECK(vm_container_find(&s, "c") == -1, "find missing");
  CHECK(vm_container_start(&s, a) && vm_container_start(&s, b), "start");
  CHECK(!vm_container_start(&s, a), "starting a running container fails");
  vm_system_run(&s, 0);
  CHECK(strstr(out, "a|0|a0\na|0|a1\na|0|a2\n") != NULL, "a's output in order: %s", out);
  CHECK(strstr(out, "b|0|b0\n") && strstr(out, "b|0|b1\n"), "b's output: %s", out);
  CHECK(s.containers[a]->last_reason == VM_STOP_DONE, "a done");
  CHECK(s.containers[b]->state == VM_CONTAINER_STOPPED, "b stopped");
  CHECK(s.pool.used == 0, "every page back in the pool: %zu", s.pool.used);
  vm_system_free(&s);
}

static void test_bad_install(void) {
  vm_system s;
  init(&s, 0);
  vm_container_options o;
  vm_container_options_default(&o);
  char err[200];
  const uint8_t junk[] = "definitely not an image";
  o.name = "junk";
  CHECK(vm_container_install(&s, junk, sizeof junk, &o, err, sizeof err) == -1, "junk refused");
  CHECK(strstr(err, "bad image") != NULL, "says why: %s", err);
  size_t size;
  uint8_t *img = compile("main:\n  print 1\n", &size);
  o.name = "";
  CHECK(vm_container_install(&s, img, size, &o, err, sizeof err) == -1, "empty name refused");
  o.name = "this-name-is-much-longer-than-thirty-one-bytes";
  CHECK(vm_container_install(&s, img, size, &o, err, sizeof err) == -1, "long name refused");
  o.name = "one";
  CHECK(vm_container_install(&s, img, size, &o, err, sizeof err) == 0, "good image");
  CHECK(vm_container_install(&s, img, size, &o, err, sizeof err) == -1, "duplicate refused");
  CHECK(strstr(err, "already installed") != NULL, "says why: %s", err);
  /* The image was copied: the caller's buffer can go. */
  memset(img, 0, size);
  free(img);
  vm_container_start(&s, 0);
  vm_system_run(&s, 0);
  CHECK(strstr(out, "one|0|1\n") != NULL, "runs from its own copy: %s", out);
  vm_system_free(&s);
}

static void test_stop_and_remove(void) {
  vm_system s;
  init(&s, 0);
  int l = install(&s, "loop", "main:\n  x := 0\n  while true: x++\n", VM_RESTART_ALWAYS);
  vm_container_start(&s, l);
  int64_t sleep_us;
  for (int i = 0; i < 3; i++) vm_system_step(&s, &sleep_us);
  CHECK(s.containers[l]->state == VM_CONTAINER_RUNNING, "running");
  CHECK(s.pool.used > 0, "holds pages");
  vm_container_stop(&s, l);
  CHECK(s.containers[l]->state == VM_CONTAINER_STOPPED, "stopped for good, even with restart=always");
  CHECK(s.containers[l]->last_reason == VM_STOP_REQUESTED, "reason: requested");
  CHECK(s.pool.used == 0, "pages back: %zu", s.pool.used);
  CHECK(!vm_system_step(&s, &sleep_us), "nothing left to run");
  CHECK(vm_container_start(&s, l), "starts again");
  vm_system_step(&s, &sleep_us);
  vm_container_remove(&s, l);
  CHECK(vm_container_find(&s, "loop") == -1, "removed");
  CHECK(!vm_container_start(&s, l), "a removed container does not start");
  CHECK(s.pool.used == 0, "pages back after remove");
  vm_system_free(&s);
}

/* Runs a leaker (restarted once) beside a container "ok" running `ok_src`
 * until both stop; checks that the leaker ran out of memory. */
static int run_leak_beside(vm_system *s, const char *ok_src) {
  int leak = install(s, "leak", "main:\n  l := []\n  while true: l.add (List 32)\n", VM_RESTART_ON_FAILURE);
  int ok = install(s, "ok", ok_src, VM_RESTART_NEVER);
  s->containers[leak]->opt.max_restarts = 1;
  vm_container_start(s, leak);
  vm_container_start(s, ok);
  vm_system_run(s, 0);
  CHECK(s->containers[leak]->last_reason == VM_STOP_OOM, "leak: out of memory (%s)",
        vm_stop_reason_name(s->containers[leak]->last_reason));
  return leak;
}

static void test_pool_exhaustion(void) {
  vm_system s;
  /* The pool is smaller than the leaker's heap limit: the pool runs out. */
  init(&s, 256 * 1024);
  int leak = run_leak_beside(&s, "main:\n  sleep --ms=30\n  print (List 100).size\n");
  CHECK(s.containers[leak]->restarts == 1, "restarted once");
  CHECK(strstr(out, "ok|0|100\n") != NULL, "the other one still allocates after the leaker stopped: %s", out);
  CHECK(s.pool.peak <= 256 * 1024, "the pool's capacity holds: %zu", s.pool.peak);
  CHECK(s.pool.used == 0, "all pages back");
  vm_system_free(&s);
}

/* Reservations: a container's reserve is kept for it while it is
 * installed (running or not); a greedy neighbour gets the rest only. */
static void test_reservations(void) {
  vm_system s;
  init(&s, 256 * 1024);
  size_t size;
  uint8_t *hog_img = compile("main:\n  l := []\n  e := catch: while true: l.add (ByteArray 3000)\n"
                             "  print \"full\"\n  sleep --ms=40\n",
                             &size);
  vm_container_options o;
  vm_container_options_default(&o);
  o.name = "hog";
  o.heap_limit = 256 * 1024;
  char err[200];
  int hog = vm_container_install(&s, hog_img, size, &o, err, sizeof err);
  free(hog_img);
  uint8_t *img = compile("main:\n  sleep --ms=10\n  l := []\n  20.repeat: l.add (ByteArray 3000)\n"
                         "  print l.size\n",
                         &size);
  vm_container_options_default(&o);
  o.name = "big";
  o.heap_reserve = 300 * 1024;
  o.heap_limit = 400 * 1024;
  CHECK(vm_container_install(&s, img, size, &o, err, sizeof err) == -1, "a reserve bigger than the pool is refused");
  CHECK(strstr(err, "cannot reserve") != NULL, "says why: %s", err);
  o.name = "over";
  o.heap_reserve = 100 * 1024;
  o.heap_limit = 64 * 1024;
  CHECK(vm_container_install(&s, img, size, &o, err, sizeof err) == -1, "a reserve above the limit is refused");
  CHECK(strstr(err, "more than its heap limit") != NULL, "says why: %s", err);
  o.name = "kept";
  o.heap_reserve = 96 * 1024;
  o.heap_limit = 0;
  int kept = vm_container_install(&s, img, size, &o, err, sizeof err);
  CHECK(kept >= 0, "a reserve that fits: %s", kept < 0 ? err : "");
  CHECK(s.pool.outstanding == 96 * 1024, "promised before it starts: %zu", s.pool.outstanding);
  o.name = "second";
  o.heap_reserve = 200 * 1024;
  CHECK(vm_container_install(&s, img, size, &o, err, sizeof err) == -1, "promises never add up past the pool");
  free(img);
  vm_container_start(&s, hog);
  vm_container_start(&s, kept);
  vm_system_run(&s, 0);
  CHECK(strstr(out, "hog|0|full\n") != NULL, "the hog got what it could: %s", out);
  CHECK(strstr(out, "kept|0|20\n") != NULL, "the reserved one got its memory while the hog held the rest: %s", out);
  CHECK(s.containers[kept]->last_reason == VM_STOP_DONE, "kept: done (%s)",
        vm_stop_reason_name(s.containers[kept]->last_reason));
  CHECK(s.pool.peak <= 256 * 1024, "within the pool: %zu", s.pool.peak);
  CHECK(s.pool.used == 0, "all pages back");
  CHECK(s.pool.outstanding == 96 * 1024, "the promise outlives the process: %zu", s.pool.outstanding);
  vm_container_remove(&s, kept);
  CHECK(s.pool.outstanding == 0, "and ends with the container: %zu", s.pool.outstanding);
  vm_system_free(&s);
}

/* A static pool: pages are runs of units of one block; every unit is free
 * again when the containers are gone. */
static void test_static_pool(void) {
  vm_system s;
  static uint8_t small[4096];
  CHECK(!vm_system_init_static(&s, small, sizeof small), "a block smaller than a page plus its table is refused");
  size_t bytes = 256 * 1024;
  uint8_t *block = malloc(bytes);
  CHECK(vm_system_init_static(&s, block, bytes), "a 256 KB block");
  s.line = on_line;
  s.event = on_event;
  out_len = 0;
  out[0] = 0;
  CHECK(s.pool.capacity >= 250 * 1024 && s.pool.capacity < bytes, "capacity: the block less its unit table: %zu",
        s.pool.capacity);
  CHECK((uint8_t *)s.pool.unit_start >= block && s.pool.region + s.pool.capacity <= block + bytes,
        "table and units inside the block");
  run_leak_beside(&s, "main:\n  sleep --ms=30\n  print (ByteArray 9000).size\n");
  CHECK(strstr(out, "ok|0|9000\n") != NULL, "a 9 KB object in contiguous units after the leaker stopped: %s", out);
  CHECK(s.pool.used == 0, "all pages back: %zu", s.pool.used);
  uint32_t busy = 0;
  for (uint32_t u = 0; u < s.pool.units; u++) busy += s.pool.unit_start[u] != VM_UNIT_FREE;
  CHECK(busy == 0, "every unit free: %u busy", busy);
  vm_system_free(&s);
  free(block);
}

static void test_mailbox_full(void) {
  vm_system s;
  init(&s, 0);
  install(&s, "sink", "import messaging\nmain:\n  sleep --ms=50\n  n := 0\n"
                      "  while messaging.receive --no-blocking: n++\n  print n\n", VM_RESTART_NEVER);
  install(&s, "src", "import messaging\nmain:\n  sent := 0\n"
                     "  100.repeat: if messaging.send \"sink\" it: sent++\n  print sent\n", VM_RESTART_NEVER);
  vm_container_start(&s, 0);
  vm_container_start(&s, 1);
  vm_system_run(&s, 0);
  char want[64];
  snprintf(want, sizeof want, "src|0|%d\n", VM_MAIL_MAX_COUNT);
  CHECK(strstr(out, want) != NULL, "sends beyond a full mailbox fail: %s", out);
  snprintf(want, sizeof want, "sink|0|%d\n", VM_MAIL_MAX_COUNT);
  CHECK(strstr(out, want) != NULL, "the mailbox kept what fit: %s", out);
  vm_system_free(&s);
}

/* RAM a hello-world container holds beyond its image: process, tables,
 * heap pages, first task. Printed for bench/README.md. */
static void test_footprint(void) {
  vm_system s;
  init(&s, 0);
  install(&s, "hello", "main:\n  print \"hello\"\n", VM_RESTART_NEVER);
  vm_container_start(&s, 0);
  vm_system_run(&s, 0);
  size_t fp = s.containers[0]->peak_footprint;
  printf("footprint of a hello-world container: %zu bytes (%d-bit), program tables %zu bytes\n", fp,
         (int)(8 * sizeof(void *)), (size_t)(s.containers[0]->prog.static_hi - s.containers[0]->prog.static_lo) +
                                        s.containers[0]->img.prim_count * sizeof(vm_primitive_fn));
  if (sizeof(void *) == 4)
    CHECK(fp <= 4096, "32-bit hello container within 4 KB: %zu", fp);
  else
    CHECK(fp <= 8192, "64-bit hello container within 8 KB: %zu", fp);
  vm_system_free(&s);
}

int main(void) {
  test_two_containers();
  test_bad_install();
  test_stop_and_remove();
  test_pool_exhaustion();
  test_reservations();
  test_static_pool();
  test_mailbox_full();
  test_footprint();
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
