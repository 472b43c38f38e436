/* A stand-in for `toit` in the server tests: runs the fleet commands only, so
 * the tests do not depend on the compiler and VM being built. */
#include <stdio.h>

#include "cli/fleet.h"

int main(int argc, char **argv) {
  int rc = cli_fleet_main(argc, argv);
  if (rc < 0) {
    fprintf(stderr, "usage: toit-fleet COMMAND ...\n");
    cli_fleet_help(stderr);
    return 2;
  }
  return rc;
}
