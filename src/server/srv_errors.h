/* The API's error codes, defined once: name, gRPC status code, HTTP status. */
#ifndef TOIT_SRV_ERRORS_H
#define TOIT_SRV_ERRORS_H

#define SRV_ERRORS(X)                        \
  X(OK, "ok", 0, 200)                        \
  X(INVALID_ARGUMENT, "invalid_argument", 3, 400) \
  X(UNAUTHENTICATED, "unauthenticated", 16, 401)  \
  X(PERMISSION_DENIED, "permission_denied", 7, 403) \
  X(NOT_FOUND, "not_found", 5, 404)          \
  X(ALREADY_EXISTS, "already_exists", 6, 409) \
  X(CONFLICT, "conflict", 10, 409)           \
  X(FAILED_PRECONDITION, "failed_precondition", 9, 412) \
  X(TOO_LARGE, "too_large", 8, 413)          \
  X(RESOURCE_EXHAUSTED, "resource_exhausted", 8, 429) \
  X(UNAVAILABLE, "unavailable", 14, 503)     \
  X(INTERNAL, "internal", 13, 500)

typedef enum {
#define X(e, name, grpc, http) SRV_E_##e,
  SRV_ERRORS(X)
#undef X
} srv_err;

const char *srv_err_name(srv_err e);
int srv_err_http(srv_err e);
int srv_err_grpc(srv_err e);

#endif
