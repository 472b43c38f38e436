/* The program image: what the compiler writes and the VM runs in place.
 * Format: docs/image-format.md. Every reference inside an image is an offset
 * or an index, so an image runs wherever it is mapped (flash, mmap, a
 * malloc'd buffer) and is never written at run time.
 *
 * img_open validates an image completely (header, checksum, every section's
 * bounds, every object, every method's bytecodes and operands, every branch
 * target, stack heights, the class table and the dispatch table): after it
 * succeeds, the interpreter trusts the image and checks nothing in its hot
 * loop. */
#ifndef TOIT_IMAGE_IMAGE_H
#define TOIT_IMAGE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define IMG_MAGIC 0x54494f54u /* "TOIT" little-endian */
#define IMG_VERSION 2
#define IMG_HEADER_SIZE 32
#define IMG_MAX_SIZE (16u * 1024 * 1024)

/* Sections, in the order they appear. */
#define IMG_SECTIONS(X)                                                          \
  X(ROOTS, "roots")       /* well-known class ids, objects, selector offsets */ \
  X(OBJECTS, "objects")   /* immutable objects: null/true/false, literals */    \
  X(CONSTS, "consts")     /* u32 offset into OBJECTS per constant */            \
  X(CLASSES, "classes")   /* img_class per class id */                          \
  X(METHODS, "methods")   /* u32 offset into CODE per method index */           \
  X(CODE, "code")         /* method headers + bytecodes */                      \
  X(DISPATCH, "dispatch") /* u16 method index + 1 per slot (0 = empty) */       \
  X(GLOBALS, "globals")   /* img_global per global */                           \
  X(PRIMS, "primitives")  /* img_prim per primitive used */                     \
  X(NAMES, "names")       /* class and selector names (for error messages) */  \
  X(DEBUG, "debug")       /* method names, files, line tables (strippable) */

typedef enum {
#define IMG_SECTION_ENUM(name, text) IMG_SEC_##name,
  IMG_SECTIONS(IMG_SECTION_ENUM)
#undef IMG_SECTION_ENUM
  IMG_SEC_COUNT
} img_section_id;

/* Object layouts: how the VM and the GC read an object of a class. */
typedef enum {
  LAYOUT_INSTANCE = 0, /* header + field_count values */
  LAYOUT_SMI,          /* the class of small integers: never a heap object */
  LAYOUT_LARGEINT,     /* header, pad, int64 */
  LAYOUT_FLOAT,        /* header, pad, double */
  LAYOUT_STRING,       /* header, u32 size, size bytes, NUL */
  LAYOUT_BYTES,        /* header, u32 size, size bytes */
  LAYOUT_ARRAY,        /* header, u32 length, length values */
  LAYOUT_STACK,        /* a task's stack (see vm/object.h) */
  LAYOUT_COUNT
} img_layout;

/* Well-known classes and objects the VM needs by identity. */
#define IMG_ROOT_CLASSES(X)                                                      \
  X(OBJECT) X(NULL_) X(BOOL) X(SMI) X(LARGEINT) X(FLOAT) X(STRING) X(ARRAY)     \
  X(BYTE_ARRAY) X(LIST) X(LAMBDA) X(BOX) X(STACK) X(TASK) X(ABSENT) X(INT) X(NUM)
#define IMG_ROOT_OBJECTS(X) X(NULL_OBJ) X(TRUE_OBJ) X(FALSE_OBJ) X(ABSENT_OBJ)
/* Selectors the interpreter's fast paths fall back to (0xffff: not used). */
#define IMG_ROOT_SELECTORS(X)                                                    \
  X(EQ) X(LT) X(LE) X(GT) X(GE) X(ADD) X(SUB) X(MUL) X(DIV) X(MOD) X(BIT_AND)     \
  X(BIT_OR) X(BIT_XOR) X(SHL) X(SHR) X(USHR) X(INDEX) X(INDEX_SET) X(STRINGIFY)  \
  X(CALL0) X(CALL1) X(CALL2) X(CALL3) X(CALL4)

typedef enum {
#define IMG_E(n) IMG_CLASS_##n,
  IMG_ROOT_CLASSES(IMG_E)
#undef IMG_E
  IMG_CLASS_ROOT_COUNT
} img_root_class;
typedef enum {
#define IMG_E(n) IMG_##n,
  IMG_ROOT_OBJECTS(IMG_E)
#undef IMG_E
  IMG_OBJECT_ROOT_COUNT
} img_root_object;
typedef enum {
#define IMG_E(n) IMG_SEL_##n,
  IMG_ROOT_SELECTORS(IMG_E)
#undef IMG_E
  IMG_SELECTOR_ROOT_COUNT
} img_root_selector;

/* ROOTS section layout: u16 class ids, then u32 object offsets (into
 * OBJECTS), then u16 selector offsets, then u16 main method index, u16
 * global count. */
#define IMG_ROOTS_SIZE                                                           \
  (2 * IMG_CLASS_ROOT_COUNT + 4 * IMG_OBJECT_ROOT_COUNT + 2 * IMG_SELECTOR_ROOT_COUNT + 4)

/* A class (12 bytes in the image). Class ids are numbered depth-first, so
 * the subclasses of class c are exactly the ids in (c, c.end). */
typedef struct {
  uint16_t super;       /* 0xffff for Object */
  uint16_t end;         /* one past the last id of the subtree */
  uint16_t fields;      /* instance fields, including inherited ones */
  uint8_t layout;       /* img_layout */
  uint8_t flags;        /* IMG_CLASS_ABSTRACT, ... */
  uint32_t name;        /* offset of the NUL-terminated name in NAMES */
} img_class;
#define IMG_CLASS_ABSTRACT 1
/* INVOKE_FIELD_LOCAL / INVOKE_FIELD_SET name a class whose subtree has at
 * most this many classes (the validator checks each). */
#define IMG_FIELD_RANGE_MAX 256
#define IMG_CLASS_INTERFACE 2

/* Method header in CODE (8 bytes), followed by the bytecodes. */
typedef struct {
  uint8_t arity;        /* parameters including the receiver / block */
  uint8_t kind;         /* IMG_METHOD_* */
  uint16_t max_height;  /* stack slots the method needs above its frame marker */
  uint16_t selector;    /* selector offset (virtual methods), else 0xffff */
  uint16_t length;      /* bytecode length */
} img_method_header;
/* GETTER and SETTER are a field's implicit accessors, with exactly the
 * bytecodes `load local 1; load field f; return` resp. `load local 2; load
 * local 2; store field f; return` (checked): the interpreter runs them
 * inline at the call. */
enum { IMG_METHOD_NORMAL, IMG_METHOD_BLOCK, IMG_METHOD_LAMBDA, IMG_METHOD_GLOBAL_INIT,
       IMG_METHOD_GETTER, IMG_METHOD_SETTER };

/* A global variable (4 bytes). */
typedef struct {
  uint16_t init;        /* initializer method index, 0xffff = none (starts null) */
  uint16_t flags;       /* IMG_GLOBAL_FINAL */
} img_global;
#define IMG_GLOBAL_FINAL 1

/* A primitive used by the program (4 bytes): looked up by name when the
 * image is loaded, so the VM may refuse what it does not offer or what the
 * container may not call. */
typedef struct {
  uint32_t name;        /* offset of "module.name" in NAMES */
  uint32_t arity;       /* arguments; every call site and the VM must agree */
} img_prim;

typedef struct {
  uint32_t offset, size;
} img_section;

/* An opened (validated) image. Pointers point into the image bytes. */
typedef struct {
  const uint8_t *base;
  uint32_t size;
  uint16_t flags;
  img_section sec[IMG_SEC_COUNT];
  uint16_t class_ids[IMG_CLASS_ROOT_COUNT];
  uint32_t objects[IMG_OBJECT_ROOT_COUNT];   /* offsets into OBJECTS */
  uint16_t selectors[IMG_SELECTOR_ROOT_COUNT];
  uint16_t main_method;
  uint32_t class_count, method_count, const_count, dispatch_count, global_count,
      prim_count;
} img_image;

#define IMG_FLAG_DEBUG 1

typedef enum {
  IMG_OK = 0,
  IMG_ERR_TRUNCATED,
  IMG_ERR_MAGIC,
  IMG_ERR_VERSION,
  IMG_ERR_CHECKSUM,
  IMG_ERR_SECTION,
  IMG_ERR_OBJECT,
  IMG_ERR_CLASS,
  IMG_ERR_METHOD,
  IMG_ERR_BYTECODE,
  IMG_ERR_DISPATCH,
  IMG_ERR_GLOBAL,
  IMG_ERR_NAME,
  IMG_ERR_DEBUG,
} img_status;

/* Validates `size` bytes at `bytes` (which must stay mapped and unchanged
 * while the image is used; 8-byte aligned). On failure fills `err` (a
 * sentence for the user) and returns the reason. */
img_status img_open(img_image *img, const uint8_t *bytes, size_t size, char *err, size_t err_cap);

/* CRC-32 (IEEE) used for the image checksum. */
uint32_t img_crc32(const uint8_t *p, size_t n, uint32_t crc);

/* Little-endian readers, safe for unaligned addresses. */
static inline uint16_t img_rd16(const uint8_t *p) {
  return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t img_rd32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline const uint8_t *img_section_ptr(const img_image *img, img_section_id s) {
  return img->base + img->sec[s].offset;
}
static inline const img_class *img_class_at(const img_image *img, uint32_t id) {
  return (const img_class *)(img_section_ptr(img, IMG_SEC_CLASSES) + 12 * id);
}
static inline uint32_t img_method_offset(const img_image *img, uint32_t index) {
  return img_rd32(img_section_ptr(img, IMG_SEC_METHODS) + 4 * index);
}
/* The method header of method `index`; bytecodes follow at +8. */
static inline const uint8_t *img_method(const img_image *img, uint32_t index) {
  return img_section_ptr(img, IMG_SEC_CODE) + img_method_offset(img, index);
}
static inline const char *img_name(const img_image *img, uint32_t offset) {
  return (const char *)img_section_ptr(img, IMG_SEC_NAMES) + offset;
}
static inline const uint8_t *img_object(const img_image *img, uint32_t offset) {
  return img_section_ptr(img, IMG_SEC_OBJECTS) + offset;
}
static inline uint32_t img_const_offset(const img_image *img, uint32_t index) {
  return img_rd32(img_section_ptr(img, IMG_SEC_CONSTS) + 4 * index);
}

/* ---- Debug info (DEBUG section) ----
 * u32 file_count, then per file u32 name offset (into DEBUG);
 * u32 method_count (== METHODS count), then per method:
 *   u32 name offset (into DEBUG), u32 holder class name offset or 0xffffffff,
 *   u32 line-table offset (into DEBUG);
 * u32 selector_count, then per selector u16 offset, u16 pad, u32 name offset;
 * string data; line tables: u16 file, u16 count, then count x
 * (u16 bytecode offset, u16 column, u32 line), sorted by bytecode offset. */
typedef struct {
  const char *method_name;  /* e.g. "fib", "Point.move", "main.<block>" */
  const char *file;         /* NULL when the image has no debug info */
  uint32_t line, col;
} img_position;

/* Finds the source position of bytecode offset `bci` in method `index`.
 * Works (with file NULL) on stripped images. */
void img_lookup_position(const img_image *img, uint32_t index, uint32_t bci, img_position *pos);
/* Is bci the start of an instruction of a (validated) method? */
bool img_is_instruction_start(const img_image *img, uint32_t method, uint32_t bci);
/* Finds the method containing a CODE-section offset; returns -1 if none. */
int img_method_at_code_offset(const img_image *img, uint32_t code_offset);
/* Name of a selector offset (from NAMES), or NULL. */
const char *img_selector_name(const img_image *img, uint32_t offset);

#endif
