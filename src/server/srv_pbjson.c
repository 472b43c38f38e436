/* Protobuf <-> JSON through protobuf-c descriptors (see srv_pbjson.h). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "google/protobuf/timestamp.pb-c.h"
#include "srv_pbjson.h"
#include "srv_util.h"


static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcmp(s + n - k, suffix) == 0;
}

static bool is_map_entry(const ProtobufCMessageDescriptor *d) {
  return d->n_fields == 2 && strcmp(d->fields[0].name, "key") == 0 && strcmp(d->fields[1].name, "value") == 0 &&
         ends_with(d->short_name, "Entry");
}

static size_t elem_size(ProtobufCType t) {
  switch (t) {
  case PROTOBUF_C_TYPE_INT64:
  case PROTOBUF_C_TYPE_SINT64:
  case PROTOBUF_C_TYPE_SFIXED64:
  case PROTOBUF_C_TYPE_UINT64:
  case PROTOBUF_C_TYPE_FIXED64:
  case PROTOBUF_C_TYPE_DOUBLE:
    return 8;
  case PROTOBUF_C_TYPE_STRING:
  case PROTOBUF_C_TYPE_MESSAGE:
    return sizeof(void *);
  case PROTOBUF_C_TYPE_BYTES:
    return sizeof(ProtobufCBinaryData);
  case PROTOBUF_C_TYPE_BOOL:
    return sizeof(protobuf_c_boolean);
  default:
    return 4;
  }
}

/* The enum value prefix: "Health" -> "HEALTH_", "SyncStatus" -> "SYNC_STATUS_". */
static void enum_prefix(const ProtobufCEnumDescriptor *e, char out[64]) {
  size_t k = 0;
  for (const char *p = e->short_name; *p && k < 60; p++) {
    if (p != e->short_name && *p >= 'A' && *p <= 'Z') out[k++] = '_';
    out[k++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
  }
  out[k++] = '_';
  out[k] = 0;
}


/* One element of a request field as JSON; NULL when it holds the default. */
static json_t *elem_to_json(const ProtobufCFieldDescriptor *f, const void *p, bool keep_default, char *bad, size_t badlen) {
  switch (f->type) {
  case PROTOBUF_C_TYPE_INT32:
  case PROTOBUF_C_TYPE_SINT32:
  case PROTOBUF_C_TYPE_SFIXED32:
    return *(const int32_t *)p || keep_default ? json_integer(*(const int32_t *)p) : NULL;
  case PROTOBUF_C_TYPE_UINT32:
  case PROTOBUF_C_TYPE_FIXED32:
    return *(const uint32_t *)p || keep_default ? json_integer(*(const uint32_t *)p) : NULL;
  case PROTOBUF_C_TYPE_INT64:
  case PROTOBUF_C_TYPE_SINT64:
  case PROTOBUF_C_TYPE_SFIXED64:
  case PROTOBUF_C_TYPE_UINT64:
  case PROTOBUF_C_TYPE_FIXED64:
    return *(const int64_t *)p || keep_default ? json_integer(*(const int64_t *)p) : NULL;
  case PROTOBUF_C_TYPE_FLOAT:
    return *(const float *)p != 0 || keep_default ? json_real(*(const float *)p) : NULL;
  case PROTOBUF_C_TYPE_DOUBLE:
    return *(const double *)p != 0 || keep_default ? json_real(*(const double *)p) : NULL;
  case PROTOBUF_C_TYPE_BOOL:
    return *(const protobuf_c_boolean *)p || keep_default ? json_boolean(*(const protobuf_c_boolean *)p) : NULL;
  case PROTOBUF_C_TYPE_ENUM: {
    int v = *(const int *)p;
    const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(f->descriptor, v);
    if (!v || !ev) return NULL;
    char pre[64], low[128];
    enum_prefix(f->descriptor, pre);
    const char *n = strncmp(ev->name, pre, strlen(pre)) == 0 ? ev->name + strlen(pre) : ev->name;
    size_t k = 0;
    for (; n[k] && k < sizeof low - 1; k++) low[k] = (char)(n[k] >= 'A' && n[k] <= 'Z' ? n[k] + 32 : n[k]);
    low[k] = 0;
    return json_string(low);
  }
  case PROTOBUF_C_TYPE_STRING: {
    const char *str = *(char *const *)p;
    if (!str || (!*str && !keep_default)) return NULL;
    if (ends_with(f->name, "_json") && *str) {
      json_t *v = json_loads(str, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
      if (!v) snprintf(bad, badlen, "%s: malformed JSON", f->name);
      return v;
    }
    json_t *v = json_string(str);
    if (!v) snprintf(bad, badlen, "%s: not UTF-8", f->name);
    return v;
  }
  case PROTOBUF_C_TYPE_BYTES:
    return NULL; /* raw bodies are taken directly (see dispatch) */
  case PROTOBUF_C_TYPE_MESSAGE: {
    const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)p;
    return sub ? srv_pb_to_json(sub, bad, badlen) : NULL;
  }
  }
  return NULL;
}

json_t *srv_pb_to_json(const ProtobufCMessage *m, char *bad, size_t badlen) {
  const ProtobufCMessageDescriptor *d = m->descriptor;
  json_t *o = json_object();
  for (unsigned i = 0; i < d->n_fields && !*bad; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    const char *base = (const char *)m + f->offset;
    char key[128];
    snprintf(key, sizeof key, "%s", f->name);
    if (f->type == PROTOBUF_C_TYPE_STRING && ends_with(key, "_json")) key[strlen(key) - 5] = 0;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      size_t n = *(const size_t *)((const char *)m + f->quantifier_offset);
      if (!n) continue;
      const char *arr = *(char *const *)base;
      if (f->type == PROTOBUF_C_TYPE_MESSAGE && is_map_entry(f->descriptor)) {
        json_t *obj = json_object();
        for (size_t k = 0; k < n; k++) {
          const ProtobufCMessage *e = ((const ProtobufCMessage *const *)arr)[k];
          const ProtobufCMessageDescriptor *ed = f->descriptor;
          const char *mk = *(char *const *)((const char *)e + ed->fields[0].offset);
          json_t *mv = elem_to_json(&ed->fields[1], (const char *)e + ed->fields[1].offset, true, bad, badlen);
          if (mk && mv) json_object_set_new(obj, mk, mv);
          else json_decref(mv);
        }
        json_object_set_new(o, key, obj);
      } else {
        json_t *a = json_array();
        for (size_t k = 0; k < n; k++) {
          json_t *v = elem_to_json(f, arr + k * elem_size(f->type), true, bad, badlen);
          if (v) json_array_append_new(a, v);
        }
        json_object_set_new(o, key, a);
      }
    } else {
      if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset && f->type != PROTOBUF_C_TYPE_STRING &&
          f->type != PROTOBUF_C_TYPE_MESSAGE && !*(const protobuf_c_boolean *)((const char *)m + f->quantifier_offset))
        continue;
      json_t *v = elem_to_json(f, base, false, bad, badlen);
      if (v) json_object_set_new(o, key, v);
    }
  }
  return o;
}

static Google__Protobuf__Timestamp *ts_new(json_t *v) {
  int64_t ms;
  if (!json_is_string(v) || !srv_time_parse(json_string_value(v), &ms)) return NULL;
  Google__Protobuf__Timestamp *t = malloc(sizeof *t);
  google__protobuf__timestamp__init(t);
  t->seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  t->nanos = (int32_t)((ms - t->seconds * 1000) * 1000000);
  return t;
}


static int64_t json_as_int(json_t *v) {
  if (json_is_integer(v)) return json_integer_value(v);
  if (json_is_real(v)) return (int64_t)json_real_value(v);
  if (json_is_string(v)) return strtoll(json_string_value(v), NULL, 10);
  return json_is_true(v);
}

/* Writes the JSON value v into one element of field f at p (which holds the
 * field's default). Returns false when v does not fit (left default). */
static bool elem_from_json(const ProtobufCFieldDescriptor *f, void *p, json_t *v) {
  switch (f->type) {
  case PROTOBUF_C_TYPE_INT32:
  case PROTOBUF_C_TYPE_SINT32:
  case PROTOBUF_C_TYPE_SFIXED32:
  case PROTOBUF_C_TYPE_UINT32:
  case PROTOBUF_C_TYPE_FIXED32:
    *(int32_t *)p = (int32_t)json_as_int(v);
    return true;
  case PROTOBUF_C_TYPE_INT64:
  case PROTOBUF_C_TYPE_SINT64:
  case PROTOBUF_C_TYPE_SFIXED64:
  case PROTOBUF_C_TYPE_UINT64:
  case PROTOBUF_C_TYPE_FIXED64:
    *(int64_t *)p = json_as_int(v);
    return true;
  case PROTOBUF_C_TYPE_FLOAT:
    *(float *)p = (float)json_number_value(v);
    return true;
  case PROTOBUF_C_TYPE_DOUBLE:
    *(double *)p = json_number_value(v);
    return true;
  case PROTOBUF_C_TYPE_BOOL:
    *(protobuf_c_boolean *)p = json_is_true(v) || (json_is_integer(v) && json_integer_value(v));
    return true;
  case PROTOBUF_C_TYPE_ENUM: {
    if (!json_is_string(v)) return false;
    char pre[64], name[192];
    enum_prefix(f->descriptor, pre);
    size_t k = (size_t)snprintf(name, sizeof name, "%s", pre);
    for (const char *s = json_string_value(v); *s && k < sizeof name - 1; s++)
      name[k++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 32 : *s == '-' ? '_' : *s);
    name[k] = 0;
    const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value_by_name(f->descriptor, name);
    if (!ev) return false;
    *(int *)p = ev->value;
    return true;
  }
  case PROTOBUF_C_TYPE_STRING: {
    char *s = json_is_string(v) ? strdup(json_string_value(v)) : json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (!s) return false;
    *(char **)p = s;
    return true;
  }
  case PROTOBUF_C_TYPE_BYTES: {
    if (!json_is_string(v)) return false;
    const char *b64 = json_string_value(v);
    size_t n = strlen(b64), out_len = 0;
    uint8_t *buf = malloc(n + 1);
    if (sodium_base642bin(buf, n + 1, b64, n, NULL, &out_len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
      memcpy(buf, b64, n);
      out_len = n;
    }
    ((ProtobufCBinaryData *)p)->data = buf;
    ((ProtobufCBinaryData *)p)->len = out_len;
    return true;
  }
  case PROTOBUF_C_TYPE_MESSAGE: {
    ProtobufCMessage *sub = NULL;
    if (f->descriptor == &google__protobuf__timestamp__descriptor) sub = (ProtobufCMessage *)ts_new(v);
    else if (json_is_object(v)) sub = srv_pb_from_json(f->descriptor, v);
    if (!sub) return false;
    *(ProtobufCMessage **)p = sub;
    return true;
  }
  }
  return false;
}

/* Builds a message of type d from a JSON object (fields absent from the
 * JSON keep their defaults; JSON keys absent from d are dropped). All
 * memory comes from malloc, so protobuf_c_message_free_unpacked frees it. */
ProtobufCMessage *srv_pb_from_json(const ProtobufCMessageDescriptor *d, json_t *o) {
  ProtobufCMessage *m = calloc(1, d->sizeof_message);
  d->message_init(m);
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    char *base = (char *)m + f->offset;
    char key[128];
    snprintf(key, sizeof key, "%s", f->name);
    bool as_json = f->type == PROTOBUF_C_TYPE_STRING && ends_with(key, "_json");
    if (as_json) key[strlen(key) - 5] = 0;
    json_t *v = json_object_get(o, key);
    if (f->type == PROTOBUF_C_TYPE_BOOL && strcmp(key, "known") == 0 && !v) v = json_true(); /* Power: reported */
    if (!v || json_is_null(v)) continue;
    if (as_json) {
      char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
      if (s) *(char **)base = s;
      continue;
    }
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
      size_t *n = (size_t *)((char *)m + f->quantifier_offset);
      if (f->type == PROTOBUF_C_TYPE_MESSAGE && is_map_entry(f->descriptor)) {
        if (!json_is_object(v)) continue;
        const ProtobufCMessageDescriptor *ed = f->descriptor;
        ProtobufCMessage **arr = calloc(json_object_size(v) + 1, sizeof *arr);
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) {
          ProtobufCMessage *e = calloc(1, ed->sizeof_message);
          ed->message_init(e);
          *(char **)((char *)e + ed->fields[0].offset) = strdup(k);
          if (!json_is_null(x)) elem_from_json(&ed->fields[1], (char *)e + ed->fields[1].offset, x);
          arr[(*n)++] = e;
        }
        *(void **)base = arr;
      } else {
        if (!json_is_array(v)) continue;
        size_t es = elem_size(f->type);
        char *arr = calloc(json_array_size(v) + 1, es);
        size_t k;
        json_t *x;
        json_array_foreach(v, k, x) {
          if (json_is_null(x)) continue;
          if (f->type == PROTOBUF_C_TYPE_STRING) *(char **)(arr + *n * es) = NULL;
          if (elem_from_json(f, arr + *n * es, x)) (*n)++;
        }
        *(void **)base = arr;
      }
      continue;
    }
    if (elem_from_json(f, base, v) && f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset &&
        f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
      *(protobuf_c_boolean *)((char *)m + f->quantifier_offset) = 1;
  }
  return m;
}

