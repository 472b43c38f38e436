/* Values and object layouts.
 *
 * A value is one machine word:
 *   ...xxx0  small integer (SMI), the integer shifted left by one
 *   ...xx01  pointer to an object (heap or image) plus one
 *   ...x011  block reference: a stack slot index << 3 (only on task stacks)
 *   ...x111  frame marker: return address as a CODE offset << 3 (stacks only)
 * Objects are 4-byte aligned and start with a 32-bit header whose low 16 bits
 * are the class id; the same layouts are used in the read-only image, so an
 * image string and a heap string are the same to the interpreter. */
#ifndef TOIT_VM_OBJECT_H
#define TOIT_VM_OBJECT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef uintptr_t value;

#define SMI_BITS (sizeof(value) * 8 - 1)
#define SMI_MAX ((intptr_t)(UINTPTR_MAX >> 2))
#define SMI_MIN (-SMI_MAX - 1)

static inline bool is_smi(value v) {
  return (v & 1) == 0;
}
static inline intptr_t smi_value(value v) {
  return (intptr_t)v >> 1;
}
static inline value make_smi(intptr_t i) {
  return (value)((uintptr_t)i << 1);
}
static inline bool smi_fits(int64_t i) {
  return i >= (int64_t)SMI_MIN && i <= (int64_t)SMI_MAX;
}
static inline bool is_obj(value v) {
  return (v & 3) == 1;
}
static inline bool is_special(value v) {
  return (v & 3) == 3;
}
static inline bool is_block_ref(value v) {
  return (v & 7) == 3;
}
static inline bool is_frame_marker(value v) {
  return (v & 7) == 7;
}
static inline value make_block_ref(uintptr_t slot) {
  return (slot << 3) | 3;
}
static inline uintptr_t block_ref_slot(value v) {
  return v >> 3;
}
static inline value make_frame_marker(uintptr_t code_offset) {
  return (code_offset << 3) | 7;
}
static inline uintptr_t frame_marker_offset(value v) {
  return v >> 3;
}

/* Header bits above the 16-bit class id. */
#define HDR_CLASS_MASK 0xffffu
#define HDR_MARK (1u << 16)
#define HDR_GREY (1u << 17)   /* marked, fields not yet scanned (mark-stack overflow) */
#define HDR_SIZE_SHIFT 18      /* heap objects: size in words (0: compute from the class) */
#define HDR_SIZE_MAX ((1u << 14) - 1)

typedef struct {
  uint32_t hdr;
} obj_header;

static inline obj_header *as_obj(value v) {
  return (obj_header *)(v - 1);
}
static inline value obj_value(const void *o) {
  return (value)o + 1;
}
static inline uint32_t obj_class(const obj_header *o) {
  return o->hdr & HDR_CLASS_MASK;
}

typedef struct {
  uint32_t hdr;
  value fields[];
} obj_instance;

typedef struct {
  uint32_t hdr;
  uint32_t size;
  uint8_t bytes[];   /* strings: NUL-terminated (not counted in size) */
} obj_bytes;

typedef struct {
  uint32_t hdr;
  uint32_t pad;
  double value;
} obj_float;

typedef struct {
  uint32_t hdr;
  uint32_t pad;
  int64_t value;
} obj_largeint;

typedef struct {
  uint32_t hdr;
  uint32_t length;
  value elems[];
} obj_array;

/* A task's stack: a heap object so that the GC scans it precisely. `top`
 * is the number of slots in use; slot indexes (not addresses) are stored in
 * block references so the stack may be moved when it grows. */
typedef struct {
  uint32_t hdr;
  uint32_t length;
  uint32_t top;
  uint32_t pad;
  value slots[];
} obj_stack;

/* A free gap in a heap page (class id FREE_CLASS_ID). */
typedef struct {
  uint32_t hdr;
  uint32_t size;     /* bytes, including this header */
} obj_free;
#define FREE_CLASS_ID 0xffffu

#define WORD_ALIGN(n) (((n) + sizeof(value) - 1) & ~(sizeof(value) - 1))

static inline double float_value(value v) {
  double d;
  memcpy(&d, &((obj_float *)as_obj(v))->value, sizeof d);
  return d;
}
static inline int64_t largeint_value(value v) {
  int64_t i;
  memcpy(&i, &((obj_largeint *)as_obj(v))->value, sizeof i);
  return i;
}

#endif
