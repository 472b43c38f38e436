/* The fleet commands of `toit` (serve, login, device, app, ...), built only
 * with the fleet server (TOIT_SERVER=ON; see src/server/). */
#ifndef TOIT_CLI_FLEET_H
#define TOIT_CLI_FLEET_H

#include <stdio.h>

/* Runs `toit <argv[1]> ...` if argv[1] is a fleet command and returns its exit
 * code; returns -1 if argv[1] is not a fleet command. */
int cli_fleet_main(int argc, char **argv);

/* Writes the fleet commands' lines for `toit --help`. */
void cli_fleet_help(FILE *out);

#endif
