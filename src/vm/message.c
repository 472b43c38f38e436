/* Messages between processes (see message.h). Encoding: one tag byte per
 * value, then: int and float 8 bytes little-endian; string and ByteArray a
 * 4-byte length and the bytes; List and raw array a 4-byte count and the
 * elements. */
#include "vm/message.h"

#include <stdlib.h>
#include <string.h>

#include "vm/errors.h"
#include "vm/system.h"

/* TAG_ARRAY: a raw array, which only the messaging module makes (a Map
 * travels as an array of keys and values, and is rebuilt on arrival). */
enum { TAG_NULL, TAG_TRUE, TAG_FALSE, TAG_INT, TAG_FLOAT, TAG_STRING, TAG_BYTES, TAG_LIST, TAG_ARRAY };

typedef struct {
  uint8_t *buf;
  size_t size, cap;
  bool too_big, bad_type;
} encoder;

static void put(encoder *e, const void *bytes, size_t n) {
  if (e->too_big) return;
  if (e->size + n > VM_MAIL_MAX_BYTES) {
    e->too_big = true;
    return;
  }
  if (e->size + n > e->cap) {
    size_t cap = e->cap ? e->cap * 2 : 64;
    while (cap < e->size + n) cap *= 2;
    uint8_t *b = realloc(e->buf, sizeof(vm_mail) + cap);
    if (!b) {
      e->too_big = true;
      return;
    }
    e->buf = b;
    e->cap = cap;
  }
  memcpy(e->buf + sizeof(vm_mail) + e->size, bytes, n);
  e->size += n;
}

static void put_u8(encoder *e, uint8_t b) {
  put(e, &b, 1);
}

static void put_u32(encoder *e, uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  put(e, b, 4);
}

static void put_u64(encoder *e, uint64_t v) {
  put_u32(e, (uint32_t)v);
  put_u32(e, (uint32_t)(v >> 32));
}

static bool is_class(const vm_process *p, value v, int root) {
  return is_obj(v) && obj_class(as_obj(v)) == p->img->class_ids[root];
}

static void encode(vm_process *p, encoder *e, value v, int depth) {
  int64_t i;
  double d;
  if (e->too_big || e->bad_type) return;
  if (depth > VM_MAIL_MAX_DEPTH) {
    e->bad_type = true;
    return;
  }
  if (v == vm_null(p)) {
    put_u8(e, TAG_NULL);
  } else if (v == vm_bool(p, true)) {
    put_u8(e, TAG_TRUE);
  } else if (v == vm_bool(p, false)) {
    put_u8(e, TAG_FALSE);
  } else if (vm_is_int(p, v, &i)) {
    put_u8(e, TAG_INT);
    put_u64(e, (uint64_t)i);
  } else if (vm_is_float(p, v, &d)) {
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    put_u8(e, TAG_FLOAT);
    put_u64(e, bits);
  } else if (vm_is_string(p, v) ||
             (is_class(p, v, IMG_CLASS_BYTE_ARRAY) &&
              img_class_at(p->img, obj_class(as_obj(v)))->layout == LAYOUT_BYTES)) {
    obj_bytes *b = (obj_bytes *)as_obj(v);
    put_u8(e, vm_is_string(p, v) ? TAG_STRING : TAG_BYTES);
    put_u32(e, b->size);
    put(e, b->bytes, b->size);
  } else if (is_class(p, v, IMG_CLASS_LIST) && img_class_at(p->img, p->img->class_ids[IMG_CLASS_LIST])->fields >= 2) {
    /* List keeps its backing array and its size in its first two fields. */
    obj_instance *list = (obj_instance *)as_obj(v);
    value arr = list->fields[0];
    int64_t n = is_smi(list->fields[1]) ? smi_value(list->fields[1]) : -1;
    if (!is_class(p, arr, IMG_CLASS_ARRAY) || n < 0 || n > ((obj_array *)as_obj(arr))->length) {
      e->bad_type = true;
      return;
    }
    put_u8(e, TAG_LIST);
    put_u32(e, (uint32_t)n);
    for (int64_t k = 0; k < n; k++) encode(p, e, ((obj_array *)as_obj(arr))->elems[k], depth + 1);
  } else if (is_class(p, v, IMG_CLASS_ARRAY)) {
    obj_array *a = (obj_array *)as_obj(v);
    put_u8(e, TAG_ARRAY);
    put_u32(e, a->length);
    for (uint32_t k = 0; k < a->length; k++) encode(p, e, ((obj_array *)as_obj(v))->elems[k], depth + 1);
  } else {
    e->bad_type = true;
  }
}

vm_mail *vm_mail_encode(vm_process *p, value v) {
  encoder e = {0};
  encode(p, &e, v, 0);
  if (e.bad_type || e.too_big) {
    free(e.buf);
    vm_throw_string(p, e.bad_type ? "MESSAGE_NOT_SENDABLE" : "MESSAGE_TOO_LARGE");
    return NULL;
  }
  if (!e.buf) {
    e.buf = malloc(sizeof(vm_mail));
    if (!e.buf) {
      vm_oom(p);
      return NULL;
    }
  }
  vm_mail *m = (vm_mail *)e.buf;
  m->next = NULL;
  m->from[0] = 0;
  m->size = e.size;
  return m;
}

/* ---- decoding into the receiver's heap ---- */

typedef struct {
  const uint8_t *at, *end;
  bool bad;  /* corrupt buffer */
  bool oom;
} decoder;

static uint32_t get_u32(decoder *d) {
  if (d->end - d->at < 4) {
    d->bad = true;
    return 0;
  }
  uint32_t v = (uint32_t)d->at[0] | (uint32_t)d->at[1] << 8 | (uint32_t)d->at[2] << 16 | (uint32_t)d->at[3] << 24;
  d->at += 4;
  return v;
}

static uint64_t get_u64(decoder *d) {
  uint64_t lo = get_u32(d);
  return lo | (uint64_t)get_u32(d) << 32;
}

/* Sets d->oom on out-of-memory, d->bad on a corrupt buffer (the SMI 0 is a
 * value, so failures are flags). Values being built are kept in p->handles
 * across allocations. */
static value decode(vm_process *p, decoder *d, int depth);

static value alloc_failed(decoder *d) {
  d->oom = true;
  return make_smi(0);
}

static value decode(vm_process *p, decoder *d, int depth) {
  if (d->at >= d->end || depth > VM_MAIL_MAX_DEPTH) {
    d->bad = true;
    return 0;
  }
  uint8_t tag = *d->at++;
  switch (tag) {
    case TAG_NULL: return vm_null(p);
    case TAG_TRUE: return vm_bool(p, true);
    case TAG_FALSE: return vm_bool(p, false);
    case TAG_INT: {
      int64_t i = (int64_t)get_u64(d);
      if (smi_fits(i)) return make_smi((intptr_t)i);
      value r = vm_new_int(p, i);
      return r ? r : alloc_failed(d);
    }
    case TAG_FLOAT: {
      uint64_t bits = get_u64(d);
      double x;
      memcpy(&x, &bits, sizeof x);
      value r = vm_new_float(p, x);
      return r ? r : alloc_failed(d);
    }
    case TAG_STRING:
    case TAG_BYTES: {
      uint32_t n = get_u32(d);
      if (d->bad || (size_t)(d->end - d->at) < n) {
        d->bad = true;
        return 0;
      }
      value r;
      if (tag == TAG_STRING) {
        r = vm_new_string(p, (const char *)d->at, n);
      } else {
        obj_bytes *b = vm_heap_alloc(&p->heap, p->img->class_ids[IMG_CLASS_BYTE_ARRAY], sizeof(obj_bytes) + n);
        if (b) {
          b->size = n;
          memcpy(b->bytes, d->at, n);
        }
        r = b ? obj_value(b) : 0;
      }
      d->at += n;
      return r ? r : alloc_failed(d);
    }
    case TAG_ARRAY:
    case TAG_LIST: {
      uint32_t n = get_u32(d);
      if (d->bad || n > (size_t)(d->end - d->at) || p->handle_count + 2 > (int)(sizeof p->handles / sizeof *p->handles)) {
        d->bad = true;
        return 0;
      }
      value arr = vm_new_array(p, tag == TAG_ARRAY || n >= 4 ? n : 4, vm_null(p));
      if (!arr) return alloc_failed(d);
      int h = p->handle_count++;
      p->handles[h] = arr;
      for (uint32_t k = 0; k < n; k++) {
        value e = decode(p, d, depth + 1);
        if (d->bad || d->oom) {
          p->handle_count = h;
          return make_smi(0);
        }
        ((obj_array *)as_obj(p->handles[h]))->elems[k] = e;
      }
      if (tag == TAG_ARRAY) {
        p->handle_count = h;
        return p->handles[h];
      }
      uint16_t cls = p->img->class_ids[IMG_CLASS_LIST];
      obj_instance *list = vm_heap_alloc(&p->heap, cls, sizeof(obj_instance) + sizeof(value) * img_class_at(p->img, cls)->fields);
      arr = p->handles[h];
      p->handle_count = h;
      if (!list) return alloc_failed(d);
      for (uint32_t f = 0; f < img_class_at(p->img, cls)->fields; f++) list->fields[f] = vm_null(p);
      list->fields[0] = arr;
      list->fields[1] = make_smi(n);
      return obj_value(list);
    }
    default:
      d->bad = true;
      return 0;
  }
}

bool vm_mail_deliver(vm_process *p, vm_mail *m) {
  if (p->mail_count >= VM_MAIL_MAX_COUNT) return false;
  m->next = NULL;
  if (p->mail_tail)
    p->mail_tail->next = m;
  else
    p->mail_head = m;
  p->mail_tail = m;
  p->mail_count++;
  vm_wake_message_waiters(p);
  return true;
}

void vm_mail_drop_all(vm_process *p) {
  vm_mail *m = p->mail_head;
  while (m) {
    vm_mail *n = m->next;
    free(m);
    m = n;
  }
  p->mail_head = p->mail_tail = NULL;
  p->mail_count = 0;
}

/* ---- primitives ---- */

/* message.send target value: true if delivered, false if the target's
 * mailbox is full; throws if there is no such running container. */
value vm_prim_message_send(vm_process *p, value *args) {
  if (!vm_is_string(p, args[0])) return vm_throw_error(p, VM_ERR_WRONG_ARGUMENT_TYPE);
  obj_bytes *to = (obj_bytes *)as_obj(args[0]);
  char name[32];
  if (to->size >= sizeof name) return vm_throw_string(p, "NO_SUCH_CONTAINER");
  memcpy(name, to->bytes, to->size);
  name[to->size] = 0;
  vm_mail *m = vm_mail_encode(p, args[1]);
  if (!m) return VM_FAILED;
  int r = p->sys ? vm_system_deliver(p->sys, p, name, m) : -1;
  if (r < 0) {
    free(m);
    return vm_throw_string(p, "NO_SUCH_CONTAINER");
  }
  if (r == 0) free(m);
  return vm_bool(p, r > 0);
}

value vm_prim_message_count(vm_process *p, value *args) {
  (void)args;
  return make_smi(p->mail_count);
}

static void mail_pop(vm_process *p) {
  vm_mail *m = p->mail_head;
  p->mail_head = m->next;
  if (!p->mail_head) p->mail_tail = NULL;
  p->mail_count--;
  free(m);
}

/* Decodes the first message into a two-element List [sender, value]. The
 * message leaves the mailbox only once that worked: out of memory loses
 * nothing. */
value vm_prim_message_take(vm_process *p, value *args) {
  (void)args;
  vm_mail *m = p->mail_head;
  if (!m) return vm_null(p);
  decoder d = {m->data, m->data + m->size, false, false};
  value v = decode(p, &d, 0);
  if (d.bad || (!d.oom && d.at != d.end)) {
    /* Cannot happen for a buffer we encoded; drop it rather than loop. */
    mail_pop(p);
    return vm_throw_string(p, "MESSAGE_CORRUPT");
  }
  if (d.oom) return vm_oom(p);
  p->handles[p->handle_count++] = v;
  value from = vm_new_string(p, m->from, strlen(m->from));
  if (!from) {
    p->handle_count--;
    return vm_oom(p);
  }
  p->handles[p->handle_count++] = from;
  value pair = vm_new_array(p, 2, vm_null(p));
  from = p->handles[--p->handle_count];
  v = p->handles[--p->handle_count];
  if (!pair) return vm_oom(p);
  ((obj_array *)as_obj(pair))->elems[0] = from;
  ((obj_array *)as_obj(pair))->elems[1] = v;
  mail_pop(p);
  return pair;
}

value vm_prim_message_wait(vm_process *p, value *args) {
  (void)args;
  if (p->mail_count > 0) return vm_null(p);
  p->switch_request = VM_SWITCH_MESSAGE;
  return VM_SWITCH;
}

value vm_prim_message_self(vm_process *p, value *args) {
  (void)args;
  const char *name = p->sys ? vm_system_container_name(p->sys, p->container) : "";
  value s = vm_new_string(p, name, strlen(name));
  return s ? s : vm_oom(p);
}
