/* The device query language (FLEET.md §3.6), compiled to a SQL condition
 * over the `devices` table with bound parameters (never spliced text).
 *
 *   expr := conj { "or" conj }   conj := unary { "and" unary }
 *   unary := ["not"] ( "(" expr ")" | field op value | bool_field | word )
 *
 * Fields: name, id, firmware, group, health, sync, tag.<key>, last_seen
 * (a duration: `last_seen > 2h` = not seen for over 2 h); boolean fields sim,
 * connected. Ops: = != < <= > >= ~ (~: substring, case-insensitive). A bare
 * word matches name (substring), id prefix or a tag value. Not yet: reason,
 * battery, app.<name>, plugged, favourite, semver comparison. */
#ifndef TOIT_SRV_QUERY_H
#define TOIT_SRV_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "srv_db.h"

#define SRV_QUERY_MAX_PARAMS 48

typedef struct {
  char sql[4096];                      /* condition, e.g. "(name = ? AND ...)" */
  srv_val params[SRV_QUERY_MAX_PARAMS];
  char store[SRV_QUERY_MAX_PARAMS][160]; /* text of the parameters */
  int nparams;
  char error[160];                     /* set when compile fails */
} srv_query;

/* Compiles text (≤ 512 bytes); now_ms anchors durations. Returns 0 or -1
 * with q->error saying what is wrong and where. */
int srv_query_compile(const char *text, int64_t now_ms, srv_query *q);

#endif
