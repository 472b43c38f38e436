/* Protobuf messages <-> the API's JSON, generically through protobuf-c's
 * descriptors (srv_pbjson.c), so the gRPC door can hand the same JSON to the
 * srv_op_* functions as the HTTP door. Rules: a field's JSON key is its name;
 * a string field `x_json` carries the JSON value of key `x`; enums are the
 * lower-case JSON strings without the type prefix (HEALTH_NEVER_SEEN <->
 * "never_seen"); google.protobuf.Timestamp <-> RFC 3339 strings; bytes <->
 * base64 strings (JSON to protobuf only); maps <-> objects; repeated <->
 * arrays. */
#ifndef TOIT_SRV_PBJSON_H
#define TOIT_SRV_PBJSON_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

/* The request message as JSON; fields holding their proto3 default are left
 * out (they mean "not given"). A malformed `_json` string or bad UTF-8 writes
 * why into bad (the result is then partial). */
json_t *srv_pb_to_json(const ProtobufCMessage *m, char *bad, size_t badlen);

/* A message of type d from a JSON object; keys the message lacks are
 * dropped, fields the JSON lacks keep their defaults. All memory is from
 * malloc: free with protobuf_c_message_free_unpacked(m, NULL). */
ProtobufCMessage *srv_pb_from_json(const ProtobufCMessageDescriptor *d, json_t *o);

#endif
