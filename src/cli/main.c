/* The `toit` command: language tools (execute, compile, run, disasm) and,
 * when built with the fleet server, the fleet commands (src/cli/fleet/).
 * Exit codes (docs/cli.md): 0 ok, 1 uncaught exception, 2 usage error,
 * 3 out of memory, 4 compile error, 5 bad image; `exit n` exits with n. */
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/containers.h"
#include "compiler/compiler.h"
#include "image/disasm.h"
#include "image/image.h"
#include "vm/errors.h"
#include "vm/vm.h"

#define TOIT_VERSION "0.1.0"

enum { EXIT_OK = 0, EXIT_UNCAUGHT = 1, EXIT_USAGE = 2, EXIT_OOM = 3, EXIT_COMPILE = 4, EXIT_IMAGE = 5 };

static const char *const usage_main =
    "Usage: toit <command> [options]\n"
    "\n"
    "Language commands:\n"
    "  execute FILE.toit [ARGS...]   compile and run a program\n"
    "  compile FILE.toit -o FILE.img compile a program to an image\n"
    "  run FILE.img [ARGS...]        run a compiled image\n"
    "  run A.img B.img ...           run images as isolated containers in one VM\n"
    "  disasm FILE.toit|FILE.img     show the bytecodes of every method\n"
    "\n"
    "Options:\n"
    "  --help                        show help (also: toit <command> --help)\n"
    "  --version                     show the version\n";

static const char *const usage_execute =
    "Usage: toit execute [options] FILE.toit [ARGS...]\n"
    "Compiles FILE.toit with the core library and runs it; ARGS go to `main args`.\n"
    "\n"
    "Options:\n"
    "  --heap-limit=BYTES   the program's heap limit (default 64 MB; k/m suffixes)\n"
    "  --gc-stress          collect garbage before every allocation (testing)\n"
    "  --fail-alloc=N       make the Nth allocation fail (testing)\n"
    "  --static-pool        take the heap's pages from one block in 1 KB units, as on\n"
    "                       a device (also TOIT_STATIC_POOL=1)\n"
    "  --vm-stats           print heap and GC statistics to stderr at exit\n"
    "  -I DIR               a library root for `import a.b` (a/b.toit or a/b/b.toit);\n"
    "                       repeatable, searched in order, then $TOIT_LIB_PATH\n"
    "\n"
    "Exit codes: 0 ok, 1 uncaught exception, 2 usage, 3 out of memory,\n"
    "4 compile error, 5 bad image; `exit n` exits with n.\n";

static const char *const usage_compile =
    "Usage: toit compile [options] FILE.toit -o FILE.img\n"
    "Compiles FILE.toit to a program image (docs/image-format.md).\n"
    "\n"
    "Options:\n"
    "  -o FILE.img   where to write the image (required)\n"
    "  --strip       leave out debug information (names, line tables)\n"
    "  -I DIR        a library root for `import a.b` (repeatable; then $TOIT_LIB_PATH)\n";

static const char *const usage_disasm =
    "Usage: toit disasm [options] FILE.toit|FILE.img\n"
    "Prints every method of the program with its bytecodes, operands resolved\n"
    "to names and constants, and source line numbers.\n"
    "\n"
    "Options:\n"
    "  --stats          print class, selector and dispatch-table statistics instead\n"
    "  --method=NAME    only the methods named NAME (e.g. fib, Point.move)\n"
    "  -I DIR           a library root for `import a.b` (repeatable)\n";

static int usage_error(const char *usage, const char *fmt, const char *arg) {
  fprintf(stderr, "toit: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n\n%s", usage);
  return EXIT_USAGE;
}

static bool has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool parse_size(const char *s, size_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (end == s || errno) return false;
  if (*end == 'k' || *end == 'K') v *= 1024, end++;
  else if (*end == 'm' || *end == 'M') v *= 1024 * 1024, end++;
  if (*end) return false;
  *out = (size_t)v;
  return true;
}

typedef struct {
  vm_options vm;
  const char *file;
  int first_arg;
  bool stats;
} run_args;

static bool vm_stats;

/* Parses VM options before the file; returns -1 or an exit code. */
static int parse_run_args(int argc, char **argv, const char *usage, run_args *ra) {
  vm_options_default(&ra->vm);
  const char *env = getenv("TOIT_GC_STRESS");
  if (env && *env && strcmp(env, "0") != 0) ra->vm.gc_stress = 1;
  env = getenv("TOIT_STATIC_POOL");
  if (env && *env && strcmp(env, "0") != 0) ra->vm.static_pool = 1;
  env = getenv("TOIT_FAIL_ALLOC");
  if (env && *env) ra->vm.fail_allocation = atol(env);
  int i = 2;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(usage, stdout);
      return EXIT_OK;
    }
    if (a[0] != '-' || strcmp(a, "-") == 0) break;
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if (strncmp(a, "--heap-limit=", 13) == 0) {
      if (!parse_size(a + 13, &ra->vm.heap_limit) || ra->vm.heap_limit < 4096)
        return usage_error(usage, "bad heap limit '%s'", a + 13);
    } else if (strcmp(a, "--gc-stress") == 0) {
      ra->vm.gc_stress = 1;
    } else if (strcmp(a, "--static-pool") == 0) {
      ra->vm.static_pool = 1;
    } else if (strcmp(a, "--vm-stats") == 0) {
      vm_stats = true;
    } else if (strncmp(a, "--fail-alloc=", 13) == 0) {
      ra->vm.fail_allocation = atol(a + 13);
    } else {
      return usage_error(usage, "unknown option '%s'", a);
    }
  }
  if (i >= argc) return usage_error(usage, "%s", "missing file");
  ra->file = argv[i];
  ra->first_arg = i + 1;
  ra->vm.source_path = ra->file;
  ra->vm.argc = argc - i - 1;
  ra->vm.argv = argv + i + 1;
  return -1;
}

static uint8_t *read_image(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) != 0) {
    fclose(f);
    return NULL;
  }
  long n = ftell(f);
  if (n < 0 || n > (long)IMG_MAX_SIZE) {
    fclose(f);
    errno = EFBIG;
    return NULL;
  }
  rewind(f);
  uint8_t *buf = malloc((size_t)n + 8);
  if (!buf) {
    fclose(f);
    return NULL;
  }
  size_t got = fread(buf, 1, (size_t)n, f);
  fclose(f);
  *size = got;
  return buf;
}

static int run_image(const uint8_t *bytes, size_t size, const char *what, vm_options *opt) {
  img_image img;
  char err[256];
  if (img_open(&img, bytes, size, err, sizeof err) != IMG_OK) {
    fprintf(stderr, "toit: %s: bad image: %s\n", what, err);
    return EXIT_IMAGE;
  }
  vm_process p;
  if (!vm_process_init(&p, &img, opt)) {
    fprintf(stderr, "toit: %s: %s\n", what, p.error);
    vm_process_free(&p);
    return EXIT_IMAGE;
  }
  vm_status st = vm_run_to_end(&p);
  fflush(stdout);
  if (vm_stats) {
    fprintf(stderr, "vm: %u collections, peak heap %zu bytes in pages, live after last collection %zu bytes%s\n",
            p.heap.gc_count, p.heap.peak_committed, p.heap.live,
            p.opt.pool && p.opt.pool->region ? " (static pool)" : "");
  }
  int code = EXIT_OK;
  switch (st) {
    case VM_DONE: code = EXIT_OK; break;
    case VM_EXITED: code = p.exit_code; break;
    case VM_DEADLOCK: code = EXIT_UNCAUGHT; break;
    case VM_UNCAUGHT: code = p.uncaught == p.error_values[VM_ERR_OUT_OF_MEMORY] ? EXIT_OOM : EXIT_UNCAUGHT; break;
    case VM_OOM:
      fprintf(stderr, "toit: %s: %s\n", what, p.error);
      code = EXIT_OOM;
      break;
    default: code = EXIT_UNCAUGHT; break;
  }
  vm_process_free(&p);
  return code;
}

/* Library roots for `import a.b` (-I DIR, then $TOIT_LIB_PATH). */
static const char *lib_dirs[64];
static int lib_dir_count;

/* Takes `-I DIR`, `-IDIR` and `--lib=DIR` out of argv (for execute: only
 * before the program's file, whose arguments are the program's). Returns
 * the new argc, or -1 after a usage error. */
static int take_lib_dirs(int argc, char **argv, bool stop_at_file) {
  int out = 2;
  bool seen_file = false;
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    const char *dir = NULL;
    if (!seen_file && strcmp(a, "-I") == 0) {
      if (i + 1 >= argc) {
        fprintf(stderr, "toit: -I needs a directory\n");
        return -1;
      }
      dir = argv[++i];
    } else if (!seen_file && strncmp(a, "-I", 2) == 0) {
      dir = a + 2;
    } else if (!seen_file && strncmp(a, "--lib=", 6) == 0) {
      dir = a + 6;
    }
    if (dir) {
      if (lib_dir_count == 63) {
        fprintf(stderr, "toit: too many library roots\n");
        return -1;
      }
      lib_dirs[lib_dir_count++] = dir;
      continue;
    }
    if (stop_at_file && a[0] != '-') seen_file = true;
    if (strcmp(a, "--") == 0 && stop_at_file) seen_file = true;
    argv[out++] = argv[i];
  }
  argv[out] = NULL;
  return out;
}

static void env_lib_dirs(void) {
  const char *env = getenv("TOIT_LIB_PATH");
  if (env && *env) {
    /* Colon-separated, after the command line's roots. */
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s", env);
    for (char *tok = strtok(buf, ":"); tok && lib_dir_count < 63; tok = strtok(NULL, ":"))
      if (*tok) lib_dirs[lib_dir_count++] = tok;
  }
}

static bool compile_file(const char *path, bool strip, cmp_result *res) {
  cmp_options co = {0};
  co.lib_dirs = lib_dirs;
  co.lib_dir_count = lib_dir_count;
  co.path = path;
  co.strip = strip;
  return cmp_compile(&co, res);
}

static int cmd_execute(int argc, char **argv) {
  run_args ra;
  int r = parse_run_args(argc, argv, usage_execute, &ra);
  if (r >= 0) return r;
  cmp_result res;
  if (!compile_file(ra.file, false, &res)) {
    fprintf(stderr, "Compilation failed\n");
    return EXIT_COMPILE;
  }
  int code = run_image(res.image, res.size, ra.file, &ra.vm);
  free(res.image);
  return code;
}

static int cmd_compile(int argc, char **argv) {
  const char *in = NULL, *out = NULL;
  bool strip = false;
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(usage_compile, stdout);
      return EXIT_OK;
    } else if (strcmp(a, "-o") == 0) {
      if (i + 1 >= argc) return usage_error(usage_compile, "%s", "-o needs a file name");
      out = argv[++i];
    } else if (strncmp(a, "-o", 2) == 0 && a[2]) {
      out = a + 2;
    } else if (strcmp(a, "--strip") == 0) {
      strip = true;
    } else if (a[0] == '-') {
      return usage_error(usage_compile, "unknown option '%s'", a);
    } else if (!in) {
      in = a;
    } else {
      return usage_error(usage_compile, "unexpected argument '%s'", a);
    }
  }
  if (!in) return usage_error(usage_compile, "%s", "missing FILE.toit");
  if (!out) return usage_error(usage_compile, "%s", "missing -o FILE.img");
  cmp_result res;
  if (!compile_file(in, strip, &res)) {
    fprintf(stderr, "Compilation failed\n");
    return EXIT_COMPILE;
  }
  /* Write to a temporary file and rename: a failed write never leaves a
   * half-written image behind. */
  size_t tlen = strlen(out) + 8;
  char *tmp = malloc(tlen);
  snprintf(tmp, tlen, "%s.tmp", out);
  FILE *f = fopen(tmp, "wb");
  bool ok = f && fwrite(res.image, 1, res.size, f) == res.size;
  if (f && fclose(f) != 0) ok = false;
  if (ok && rename(tmp, out) != 0) ok = false;
  if (!ok) {
    fprintf(stderr, "toit: cannot write '%s': %s\n", out, strerror(errno));
    remove(tmp);
  }
  free(tmp);
  free(res.image);
  return ok ? EXIT_OK : EXIT_USAGE;
}

static int cmd_run(int argc, char **argv) {
  if (run_is_container_mode(argc, argv)) return run_containers(argc, argv);
  run_args ra;
  int r = parse_run_args(argc, argv, usage_run, &ra);
  if (r >= 0) return r;
  size_t size;
  uint8_t *bytes = read_image(ra.file, &size);
  if (!bytes) {
    fprintf(stderr, "toit: cannot read '%s': %s\n", ra.file, strerror(errno));
    return EXIT_USAGE;
  }
  int code = run_image(bytes, size, ra.file, &ra.vm);
  free(bytes);
  return code;
}

static int cmd_disasm(int argc, char **argv) {
  const char *file = NULL, *only = NULL;
  bool stats = false;
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(usage_disasm, stdout);
      return EXIT_OK;
    } else if (strcmp(a, "--stats") == 0) {
      stats = true;
    } else if (strncmp(a, "--method=", 9) == 0) {
      only = a + 9;
    } else if (a[0] == '-') {
      return usage_error(usage_disasm, "unknown option '%s'", a);
    } else if (!file) {
      file = a;
    } else {
      return usage_error(usage_disasm, "unexpected argument '%s'", a);
    }
  }
  if (!file) return usage_error(usage_disasm, "%s", "missing file");
  uint8_t *bytes;
  size_t size;
  if (has_suffix(file, ".toit")) {
    cmp_result res;
    if (!compile_file(file, false, &res)) {
      fprintf(stderr, "Compilation failed\n");
      return EXIT_COMPILE;
    }
    bytes = res.image;
    size = res.size;
  } else {
    bytes = read_image(file, &size);
    if (!bytes) {
      fprintf(stderr, "toit: cannot read '%s': %s\n", file, strerror(errno));
      return EXIT_USAGE;
    }
  }
  img_image img;
  char err[256];
  if (img_open(&img, bytes, size, err, sizeof err) != IMG_OK) {
    fprintf(stderr, "toit: %s: bad image: %s\n", file, err);
    free(bytes);
    return EXIT_IMAGE;
  }
  if (stats) img_stats(&img, stdout);
  else img_disasm(&img, stdout, only);
  free(bytes);
  return EXIT_OK;
}

/* The path of `toit-fleet` next to this executable, or NULL. */
static const char *fleet_program(void) {
  static char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof path - 16);
  if (n <= 0) return NULL;
  path[n] = 0;
  char *slash = strrchr(path, '/');
  if (!slash) return NULL;
  strcpy(slash + 1, "toit-fleet");
  return access(path, X_OK) == 0 ? path : NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage_main, stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    fputs(usage_main, stdout);
    const char *fleet = fleet_program();
    if (fleet) {
      /* The fleet program lists its commands when run without any. */
      fflush(stdout);
      pid_t pid = fork();
      if (pid == 0) {
        dup2(1, 2);
        char *fargv[] = {(char *)fleet, NULL};
        execv(fleet, fargv);
        _exit(127);
      }
      if (pid > 0) waitpid(pid, NULL, 0);
    }
    return EXIT_OK;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
    printf("toit %s (image format %d)\n", TOIT_VERSION, IMG_VERSION);
    return EXIT_OK;
  }
  if (strcmp(cmd, "execute") == 0 || strcmp(cmd, "compile") == 0 || strcmp(cmd, "disasm") == 0) {
    int n = take_lib_dirs(argc, argv, strcmp(cmd, "execute") == 0);
    if (n < 0) return EXIT_USAGE;
    argc = n;
  }
  env_lib_dirs();
  if (strcmp(cmd, "execute") == 0) return cmd_execute(argc, argv);
  if (strcmp(cmd, "compile") == 0) return cmd_compile(argc, argv);
  if (strcmp(cmd, "run") == 0) return cmd_run(argc, argv);
  if (strcmp(cmd, "disasm") == 0) return cmd_disasm(argc, argv);
  const char *fleet = fleet_program();
  if (fleet && !has_suffix(cmd, ".toit")) {
    argv[0] = (char *)fleet;
    execv(fleet, argv);
    fprintf(stderr, "toit: cannot run %s: %s\n", fleet, strerror(errno));
    return EXIT_USAGE;
  }
  if (has_suffix(cmd, ".toit")) {
    /* `toit hello.toit` is `toit execute hello.toit`. */
    char **nargv = malloc(sizeof(char *) * (size_t)(argc + 2));
    nargv[0] = argv[0];
    nargv[1] = "execute";
    for (int i = 1; i < argc; i++) nargv[i + 1] = argv[i];
    nargv[argc + 1] = NULL;
    int code = cmd_execute(argc + 1, nargv);
    free(nargv);
    return code;
  }
  fprintf(stderr, "toit: unknown command '%s'\n\n%s", cmd, usage_main);
  return EXIT_USAGE;
}
