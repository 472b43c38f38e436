/* Internal interface of the fleet CLI commands. */
#ifndef TOIT_CLI_FLEET_INT_H
#define TOIT_CLI_FLEET_INT_H

#include <jansson.h>
#include <stdbool.h>

enum { CLI_OK = 0, CLI_ERR = 1, CLI_USAGE = 2, CLI_NOT_FOUND = 3, CLI_DENIED = 4 };

int cli_fleet_serve(int argc, char **argv);
int cli_fleet_login(int argc, char **argv);
int cli_fleet_logout(int argc, char **argv);
int cli_fleet_whoami(int argc, char **argv);
int cli_fleet_org(int argc, char **argv);
int cli_fleet_user(int argc, char **argv);
int cli_fleet_apikey(int argc, char **argv);
int cli_fleet_events(int argc, char **argv);
int cli_fleet_device(int argc, char **argv);
int cli_fleet_app(int argc, char **argv);
int cli_fleet_data(int argc, char **argv);
int cli_fleet_simulator(int argc, char **argv);
int cli_fleet_group(int argc, char **argv);
int cli_fleet_rollout(int argc, char **argv);
int cli_fleet_firmware(int argc, char **argv);


/* HTTP client (cli_fleet_http.c). Calls METHOD /api/v1PATH with an optional
 * JSON body; *out gets the parsed answer (or the error object). Returns the
 * CLI exit code that fits the HTTP status and prints errors to stderr. */
typedef struct {
  char server[512];
  char token[512];
  char org[64];
  char config_path[1024];
} cli_conf;

int cli_conf_load(cli_conf *cf);
/* Resolves a device name, id or unique id prefix (cli_device.c). */
int cli_device_resolve(cli_conf *cf, const char *want, char id[40]);
int cli_conf_save(const cli_conf *cf);
int cli_api(const cli_conf *cf, const char *method, const char *path, json_t *body, json_t **out);

/* Follows an SSE stream (GET /api/v1PATH): cb gets each `data:` item and
 * returns false to stop. The exit code; errors are printed. */
int cli_sse(const cli_conf *cf, const char *path, bool (*cb)(json_t *item, void *ctx), void *ctx);
/* POSTs raw bytes with one extra header (progress bar on a terminal);
 * *out gets the answer (cli_app_data.c). */
int cli_post_raw(const cli_conf *cf, const char *path, const char *data, size_t len, const char *header, json_t **out,
                 bool show_progress);
/* Uploads FILE to path with `spec` (taken) as JSON in the header
 * `spec_header` (e.g. "X-App-Spec"), with a progress bar; `what` names the
 * command in errors ("toit app upload"). The exit code; *out the answer. */
int cli_upload_with_spec(const cli_conf *cf, const char *what, const char *file, const char *path,
                         const char *spec_header, json_t *spec, json_t **out);
/* Reads a file ("-" = stdin), malloc'd; NULL when it cannot. */
char *cli_read_file(const char *path, size_t *len);

/* Table output: prints rows of columns aligned; cells are copied. */
typedef struct cli_table cli_table;
cli_table *cli_table_new(int ncols, const char *const *headers);
void cli_table_row(cli_table *t, const char *const *cells);
void cli_table_print(cli_table *t, FILE *out);
void cli_table_free(cli_table *t);

/* Common flag handling: returns true and advances *i if argv[*i] is `name`
 * followed by a value (stored in *val) or `name=value`. */
bool cli_flag(int argc, char **argv, int *i, const char *name, const char **val);

/* Removes every `flag` from argv (adjusting *argc); true if there was one. */
bool cli_strip_flag(int *argc, char **argv, const char *flag);
/* Prints text on stdout and returns true when argv holds --help or -h. */
bool cli_wants_help(int argc, char **argv, const char *text);
/* A value on the command line as JSON: an integer, any JSON, else a string. */
json_t *cli_value(const char *v);

/* URL-escapes a query value (malloc'd). */
char *cli_escape(const char *s);

/* Prints JSON for --json output (indented). */
void cli_print_json(json_t *j);

#endif
