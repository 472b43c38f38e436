#ifndef TOIT_CLI_CONTAINERS_H
#define TOIT_CLI_CONTAINERS_H

#include <stdbool.h>

extern const char *const usage_run;
/* Does this `toit run` command line ask for containers? */
bool run_is_container_mode(int argc, char **argv);
int run_containers(int argc, char **argv);

#endif
