/* `toit run A.img B.img ...`: several images as containers in one VM
 * (src/vm/system.h), each line of output prefixed by the container's name. */
#include "cli/containers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/system.h"

const char *const usage_run =
    "Usage: toit run [options] FILE.img [ARGS...]\n"
    "       toit run [system options] [container options] A.img [[container options] B.img ...]\n"
    "Validates and runs a compiled image. With two or more images (or any\n"
    "container option) each image runs as a container in one VM: its own heap,\n"
    "tasks and limits, output lines prefixed with its name, restarted by its\n"
    "policy when it fails. Container options apply to the next image.\n"
    "\n"
    "Options for a single image:\n"
    "  --heap-limit=BYTES, --gc-stress, --fail-alloc=N, --vm-stats   as for `toit execute`\n"
    "\n"
    "Container options (before the image they apply to):\n"
    "  --name=NAME           its name (default: the file name without .img)\n"
    "  --heap-limit=BYTES    its heap limit (default 4M; k/m suffixes)\n"
    "  --heap-reserve=BYTES  pool memory kept for it whatever the others\n"
    "                        allocate (at most its heap limit; default 0)\n"
    "  --restart=POLICY      never (default), on-failure, always\n"
    "  --max-restarts=N      give up after N restarts (default 5; -1 no limit)\n"
    "  --backoff=MS          first restart delay, doubled each time (default 100)\n"
    "  --backoff-max=MS      the longest delay (default 30000)\n"
    "  --watchdog=MS         stop it when it runs MS ms without a yield point\n"
    "                        (default 10000)\n"
    "  --caps=LIST           primitive modules it may use: time,random,task,\n"
    "                        message,debug, all or none (default: all but debug)\n"
    "  --gc-stress, --fail-alloc=N   testing modes\n"
    "\n"
    "System options (anywhere):\n"
    "  --pool=BYTES          RAM all containers' heaps share (default 64M)\n"
    "  --duration=MS         stop every container after MS ms\n"
    "  --slice=US            time slice of a process (default 10000)\n"
    "  --hard-watchdog=MS    reset the VM when a process reaches no preemption\n"
    "                        check for MS ms (default 5000; 0 off)\n"
    "  --vm-stats            print each container's history and footprint at the end\n"
    "  --static-pool         carve the pool from one block in 1 KB units, as on a\n"
    "                        device without an MMU (a page needs contiguous units)\n"
    "\n"
    "Exit code: 0 when every container ended well (or was stopped by\n"
    "--duration), 1 when one failed for good, 2 usage, 5 bad image, 6 watchdog reset.\n";

static const char *const container_flags[] = {"--name=", "--heap-reserve=", "--static-pool", "--restart=", "--max-restarts=", "--backoff=",
                                              "--backoff-max=", "--watchdog=", "--caps=", NULL};

static bool starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool run_is_container_mode(int argc, char **argv) {
  int images = 0;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) break;
    for (int k = 0; container_flags[k]; k++)
      if (starts_with(argv[i], container_flags[k])) return true;
    if (argv[i][0] != '-' && ends_with(argv[i], ".img")) images++;
  }
  return images >= 2;
}

static bool parse_u64(const char *s, long long *out, bool sizes) {
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (end == s || errno) return false;
  if (sizes && (*end == 'k' || *end == 'K')) v *= 1024, end++;
  else if (sizes && (*end == 'm' || *end == 'M')) v *= 1024 * 1024, end++;
  if (*end) return false;
  *out = v;
  return true;
}

static int usage(const char *fmt, const char *arg) {
  fprintf(stderr, "toit: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n\n%s", usage_run);
  return 2;
}

static uint8_t *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *buf = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n == cap) {
      cap = cap ? cap * 2 : 4096;
      if (cap > IMG_MAX_SIZE + 4096) {
        errno = EFBIG;
        break;
      }
      uint8_t *b = realloc(buf, cap);
      if (!b) break;
      buf = b;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) {
      fclose(f);
      *size = n;
      return buf;
    }
  }
  fclose(f);
  free(buf);
  return NULL;
}

static void print_line(void *ctx, const vm_container *c, int stream, const char *line, size_t size) {
  (void)ctx;
  FILE *f = stream == 0 ? stdout : stderr;
  if (stream != 0) fflush(stdout);
  fprintf(f, "[%s] %.*s\n", c->name, (int)size, line);
  if (stream != 0) fflush(stderr);
}

static void print_event(void *ctx, const vm_container *c, const char *event) {
  (void)ctx;
  fflush(stdout);
  fprintf(stderr, "[%s] ** %s\n", c->name, event);
}

int run_containers(int argc, char **argv) {
  vm_system sys;
  long long pool = VM_POOL_DEFAULT, duration = 0, slice = 10000, hard = 5000;
  bool stats = false, static_pool = false;
  /* First pass: system options. */
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    long long v;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(usage_run, stdout);
      return 0;
    }
    if (starts_with(a, "--pool=")) {
      if (!parse_u64(a + 7, &v, true) || v < 4096) return usage("bad pool size '%s'", a + 7);
      pool = v;
    } else if (starts_with(a, "--duration=")) {
      if (!parse_u64(a + 11, &v, false) || v < 0) return usage("bad duration '%s'", a + 11);
      duration = v;
    } else if (starts_with(a, "--slice=")) {
      if (!parse_u64(a + 8, &v, false) || v < 100 || v > 10000000) return usage("bad time slice '%s'", a + 8);
      slice = v;
    } else if (starts_with(a, "--hard-watchdog=")) {
      if (!parse_u64(a + 16, &v, false) || v < 0) return usage("bad watchdog time '%s'", a + 16);
      hard = v;
    } else if (strcmp(a, "--vm-stats") == 0) {
      stats = true;
    } else if (strcmp(a, "--static-pool") == 0) {
      static_pool = true;
    }
  }
  void *region = NULL;
  if (static_pool) {
    region = malloc((size_t)pool);
    if (!region || !vm_system_init_static(&sys, region, (size_t)pool)) {
      free(region);
      return usage("%s", "--pool is too small for a static pool (it needs a page and its unit table)");
    }
  } else {
    vm_system_init(&sys, (size_t)pool);
  }
  sys.slice_us = (uint32_t)slice;
  sys.hard_watchdog_ms = (uint32_t)hard;
  sys.line = print_line;
  sys.event = print_event;
  vm_container_options o;
  vm_container_options_default(&o);
  char name[32] = "";
  int code = 0;
  int installed = 0;
  const char *env = getenv("TOIT_GC_STRESS");
  int env_stress = env && *env && strcmp(env, "0") != 0;
  o.gc_stress = env_stress;
  for (int i = 2; i < argc && code == 0; i++) {
    const char *a = argv[i];
    long long v;
    if (starts_with(a, "--pool=") || starts_with(a, "--duration=") || starts_with(a, "--slice=") ||
        starts_with(a, "--hard-watchdog=") || strcmp(a, "--vm-stats") == 0 || strcmp(a, "--static-pool") == 0) {
      continue;
    } else if (starts_with(a, "--name=")) {
      if (!a[7] || strlen(a + 7) >= sizeof name) code = usage("bad container name '%s' (1 to 31 bytes)", a + 7);
      else snprintf(name, sizeof name, "%s", a + 7);
    } else if (starts_with(a, "--heap-limit=")) {
      if (!parse_u64(a + 13, &v, true) || v < 4096) code = usage("bad heap limit '%s'", a + 13);
      else o.heap_limit = (size_t)v;
    } else if (starts_with(a, "--heap-reserve=")) {
      if (!parse_u64(a + 15, &v, true) || v < 0) code = usage("bad heap reservation '%s'", a + 15);
      else o.heap_reserve = (size_t)v;
    } else if (starts_with(a, "--restart=")) {
      const char *r = a + 10;
      if (strcmp(r, "never") == 0 || strcmp(r, "no") == 0) o.restart = VM_RESTART_NEVER;
      else if (strcmp(r, "on-failure") == 0) o.restart = VM_RESTART_ON_FAILURE;
      else if (strcmp(r, "always") == 0) o.restart = VM_RESTART_ALWAYS;
      else code = usage("bad restart policy '%s' (never, on-failure, always)", r);
    } else if (starts_with(a, "--max-restarts=")) {
      if (!parse_u64(a + 15, &v, false) || v < -1 || v > 1000000) code = usage("bad restart count '%s'", a + 15);
      else o.max_restarts = (int)v;
    } else if (starts_with(a, "--backoff=")) {
      if (!parse_u64(a + 10, &v, false) || v < 1 || v > 3600000) code = usage("bad back-off '%s'", a + 10);
      else o.backoff_ms = (uint32_t)v;
    } else if (starts_with(a, "--backoff-max=")) {
      if (!parse_u64(a + 14, &v, false) || v < 1 || v > 3600000) code = usage("bad back-off '%s'", a + 14);
      else o.backoff_max_ms = (uint32_t)v;
    } else if (starts_with(a, "--watchdog=")) {
      if (!parse_u64(a + 11, &v, false) || v < 1 || v > 3600000) code = usage("bad watchdog time '%s'", a + 11);
      else o.watchdog_ms = (uint32_t)v;
    } else if (starts_with(a, "--caps=")) {
      if (!vm_caps_parse(a + 7, &o.caps)) code = usage("bad capability list '%s' (time,random,task,message,debug)", a + 7);
    } else if (strcmp(a, "--gc-stress") == 0) {
      o.gc_stress = 1;
    } else if (starts_with(a, "--fail-alloc=")) {
      o.fail_allocation = atol(a + 13);
    } else if (a[0] == '-') {
      code = usage("unknown option '%s'", a);
    } else {
      if (!ends_with(a, ".img")) {
        code = usage("'%s' is not an image (FILE.img); arguments can't be given to containers", a);
        break;
      }
      if (!name[0]) {
        const char *base = strrchr(a, '/');
        base = base ? base + 1 : a;
        size_t n = strlen(base) - 4;
        if (n >= sizeof name) n = sizeof name - 1;
        memcpy(name, base, n);
        name[n] = 0;
      }
      size_t size;
      uint8_t *bytes = read_file(a, &size);
      if (!bytes) {
        fprintf(stderr, "toit: cannot read '%s': %s\n", a, strerror(errno));
        code = 2;
        break;
      }
      o.name = name;
      o.source_path = a;
      char err[256];
      int index = vm_container_install(&sys, bytes, size, &o, err, sizeof err);
      free(bytes);
      if (index < 0) {
        fprintf(stderr, "toit: %s: %s\n", a, err);
        code = strstr(err, "already installed") || strstr(err, "reserve") ? 2 : 5;
        break;
      }
      installed++;
      vm_container_options_default(&o);
      o.gc_stress = env_stress;
      name[0] = 0;
    }
  }
  if (code == 0 && installed == 0) code = usage("%s", "no image given");
  if (code == 0 && name[0]) code = usage("--name=%s is not followed by an image", name);
  if (code != 0) {
    vm_system_free(&sys);
    free(region);
    return code;
  }
  for (int i = 0; i < sys.count; i++) vm_container_start(&sys, i);
  if (hard > 0 && !vm_system_start_watchdog(&sys)) fprintf(stderr, "toit: could not start the watchdog thread\n");
  vm_system_run(&sys, duration ? vm_monotonic_us() + duration * 1000 : 0);
  fflush(stdout);
  for (int i = 0; i < sys.count; i++) {
    vm_container *c = sys.containers[i];
    bool ok = c->last_reason == VM_STOP_DONE || c->last_reason == VM_STOP_REQUESTED ||
              (c->last_reason == VM_STOP_EXIT && c->last_exit_code == 0);
    if (!ok) code = 1;
  }
  if (stats) {
    fprintf(stderr, "%-16s %6s %8s %-20s %9s %10s\n", "container", "starts", "restarts", "last stop", "cpu ms",
            "peak bytes");
    for (int i = 0; i < sys.count; i++) {
      vm_container *c = sys.containers[i];
      fprintf(stderr, "%-16s %6d %8d %-20s %9llu %10zu\n", c->name, c->starts, c->restarts,
              vm_stop_reason_name(c->last_reason), (unsigned long long)(c->cpu_us / 1000), c->peak_footprint);
    }
    size_t reserved = 0;
    for (int i = 0; i < sys.count; i++) reserved += sys.containers[i]->opt.heap_reserve;
    fprintf(stderr, "pool: peak %zu of %zu bytes (%zu reserved)%s\n", sys.pool.peak, sys.pool.capacity, reserved,
            static_pool ? ", static" : "");
  }
  vm_system_free(&sys);
  free(region);
  return code;
}
