/* Goal state (FLEET.md §1.3): layer merge, canonical form and checksum. */
#ifndef TOIT_SRV_GOAL_H
#define TOIT_SRV_GOAL_H

#include <jansson.h>
#include <stdbool.h>

/* Applies a JSON merge patch to target in place: objects merge, null
 * deletes, anything else (lists too) replaces. */
void srv_goal_merge(json_t *target, json_t *patch);

/* Canonical form (sorted keys, compact, UTF-8 literal) of doc without its
 * top-level rev, sum and sig; malloc'd. */
char *srv_goal_canonical(json_t *doc);

/* sum = first 16 bytes of SHA-256 of the canonical form, 32 hex chars. */
void srv_goal_sum(json_t *doc, char out[33]);

/* Validates a device or group layer patch: an object of known goal fields,
 * integers only (no fractions), nesting at most 8 deep, ≤ 32 KiB. On error
 * writes the offending field into field[64] and the reason into why[128]. */
bool srv_goal_patch_ok(json_t *patch, char field[64], char why[128]);

/* The materialized goal of a device: defaults < group layer < rollout pin
 * layer < device layer (any may be NULL), plus name. */
json_t *srv_goal_materialize(const char *name, json_t *group_layer, json_t *pin_layer, json_t *device_layer);

#endif
