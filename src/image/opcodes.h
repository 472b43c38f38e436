/* The bytecode set, defined once. Each entry: X(NAME, FORMAT, PRINT_NAME).
 * FORMAT gives the operand layout (see OPF_*); the enum, the name table, the
 * instruction lengths, the validator and the disassembler are all generated
 * from this list.
 *
 * Stack machine; the stack grows upward. "local n" is counted from the top
 * of the stack (0 = top), like the original Toit VM: the compiler tracks the
 * exact stack height, so no frame pointer is needed. A call pushes the
 * arguments (receiver first), then the call instruction pushes the return
 * address (a frame marker), and the callee's locals live above it. */
#ifndef TOIT_IMAGE_OPCODES_H
#define TOIT_IMAGE_OPCODES_H

#include <stdint.h>

/* Operand formats. All multi-byte operands are little-endian, unaligned. */
enum {
  OPF_NONE,     /* no operand */
  OPF_U8,       /* one byte */
  OPF_LOCAL,    /* one byte: stack slot (0 = top) */
  OPF_SMI8,     /* one byte: small int 0..255 */
  OPF_SMI16,    /* two bytes: small int -32768..32767 */
  OPF_SMI32,    /* four bytes: small int, 31-bit signed (an SMI on every VM) */
  OPF_LOCAL_IMM,/* one byte: stack slot; two bytes: small int */
  OPF_LAMBDA,   /* two bytes: method index; one byte: captured values on the stack */
  OPF_CONST,    /* two bytes: constant index */
  OPF_GLOBAL,   /* two bytes: global index */
  OPF_FIELD,    /* one byte: field index */
  OPF_CLASS,    /* two bytes: class id */
  OPF_METHOD,   /* two bytes: method index (static call) */
  OPF_VIRTUAL,  /* one byte argc (incl. receiver) + two bytes selector offset */
  OPF_BRANCH,   /* two bytes: forward offset from the instruction start */
  OPF_BACK,     /* two bytes: backward offset from the instruction start */
  OPF_PRIM,     /* two bytes: primitive index (into the image's primitive table) + one byte argc */
  OPF_RETURN,   /* one byte: slots above the frame marker to drop; one byte: arity */
  OPF_OUTER,    /* one byte: distance from the block slot down to the variable */
  OPF_N,        /* two bytes: a count */
  OPF_NLBRANCH, /* one byte: block slot distance; four bytes: absolute CODE offset */
  OPF_LOCAL_VIRTUAL, /* one byte: stack slot; two bytes: selector offset */
  OPF_LOCAL_FIELD,   /* one byte: stack slot; two bytes: selector offset; two bytes: class id; one byte: field;
                        one byte: classes in the range minus one */
  OPF_SET_FIELD,     /* two bytes: selector offset; two bytes: class id; one byte: field; one byte: range - 1 */
  OPF_LOCAL_U8, /* one byte: stack slot; one byte: a field index or (outer) a distance below a block slot */
  OPF_COUNT
};

#define TOIT_OPCODES(X)                                                          \
  X(LOAD_LOCAL, OPF_LOCAL, "load local")                                         \
  X(LOAD_LOCAL_0, OPF_NONE, "load local 0")                                      \
  X(LOAD_LOCAL_1, OPF_NONE, "load local 1")                                      \
  X(LOAD_LOCAL_2, OPF_NONE, "load local 2")                                      \
  X(LOAD_LOCAL_3, OPF_NONE, "load local 3")                                      \
  X(LOAD_LOCAL_4, OPF_NONE, "load local 4")                                      \
  X(LOAD_LOCAL_5, OPF_NONE, "load local 5")                                      \
  X(STORE_LOCAL, OPF_LOCAL, "store local")                                       \
  X(STORE_LOCAL_POP, OPF_LOCAL, "store local pop")                               \
  X(POP, OPF_U8, "pop")                                                          \
  X(POP_1, OPF_NONE, "pop 1")                                                    \
  X(DUP, OPF_NONE, "dup")                                                        \
  X(LOAD_SMI_0, OPF_NONE, "load smi 0")                                          \
  X(LOAD_SMI_1, OPF_NONE, "load smi 1")                                          \
  X(LOAD_SMI, OPF_SMI8, "load smi")                                              \
  X(LOAD_SMI16, OPF_SMI16, "load smi")                                           \
  X(LOAD_SMI32, OPF_SMI32, "load smi")                                           \
  X(LOAD_CONST, OPF_CONST, "load const")                                         \
  X(LOAD_INT, OPF_CONST, "load int")                                             \
  X(LOAD_NULL, OPF_NONE, "load null")                                            \
  X(LOAD_TRUE, OPF_NONE, "load true")                                            \
  X(LOAD_FALSE, OPF_NONE, "load false")                                          \
  X(LOAD_ABSENT, OPF_NONE, "load absent")                                        \
  X(LOAD_GLOBAL, OPF_GLOBAL, "load global")                                      \
  X(STORE_GLOBAL, OPF_GLOBAL, "store global")                                    \
  X(LOAD_FIELD, OPF_FIELD, "load field")                                         \
  X(STORE_FIELD, OPF_FIELD, "store field")                                       \
  X(LOAD_OUTER, OPF_OUTER, "load outer")                                         \
  X(STORE_OUTER, OPF_OUTER, "store outer")                                       \
  X(LOAD_BLOCK, OPF_LOCAL, "load block")                                         \
  X(IF_ABSENT, OPF_BRANCH, "branch if present")                                  \
  X(ALLOCATE, OPF_CLASS, "allocate")                                             \
  X(INVOKE_STATIC, OPF_METHOD, "invoke static")                                  \
  X(INVOKE_VIRTUAL, OPF_VIRTUAL, "invoke virtual")                               \
  X(INVOKE_BLOCK, OPF_U8, "invoke block")                                        \
  X(INVOKE_EQ, OPF_NONE, "invoke ==")                                            \
  X(INVOKE_LT, OPF_NONE, "invoke <")                                             \
  X(INVOKE_LE, OPF_NONE, "invoke <=")                                            \
  X(INVOKE_GT, OPF_NONE, "invoke >")                                             \
  X(INVOKE_GE, OPF_NONE, "invoke >=")                                            \
  X(INVOKE_ADD, OPF_NONE, "invoke +")                                            \
  X(INVOKE_SUB, OPF_NONE, "invoke -")                                            \
  X(INVOKE_MUL, OPF_NONE, "invoke *")                                            \
  X(INVOKE_DIV, OPF_NONE, "invoke /")                                            \
  X(INVOKE_MOD, OPF_NONE, "invoke %")                                            \
  X(INVOKE_BIT_AND, OPF_NONE, "invoke &")                                        \
  X(INVOKE_BIT_OR, OPF_NONE, "invoke |")                                         \
  X(INVOKE_BIT_XOR, OPF_NONE, "invoke ^")                                        \
  X(INVOKE_SHL, OPF_NONE, "invoke <<")                                           \
  X(INVOKE_SHR, OPF_NONE, "invoke >>")                                           \
  X(INVOKE_USHR, OPF_NONE, "invoke >>>")                                         \
  X(INVOKE_INDEX, OPF_NONE, "invoke []")                                         \
  X(INVOKE_INDEX_SET, OPF_NONE, "invoke []=")                                    \
  X(INVOKE_EQ_SMI, OPF_SMI16, "invoke == smi")                                   \
  X(INVOKE_LT_SMI, OPF_SMI16, "invoke < smi")                                    \
  X(INVOKE_LE_SMI, OPF_SMI16, "invoke <= smi")                                   \
  X(INVOKE_GT_SMI, OPF_SMI16, "invoke > smi")                                    \
  X(INVOKE_GE_SMI, OPF_SMI16, "invoke >= smi")                                   \
  X(INVOKE_ADD_SMI, OPF_SMI16, "invoke + smi")                                   \
  X(INVOKE_SUB_SMI, OPF_SMI16, "invoke - smi")                                   \
  X(LOAD_LOCAL_ADD_SMI, OPF_LOCAL_IMM, "load local + smi")                       \
  X(IDENTICAL, OPF_NONE, "identical")                                            \
  X(NOT, OPF_NONE, "not")                                                        \
  X(IS_CLASS, OPF_CLASS, "is class")                                             \
  X(AS_CLASS, OPF_CLASS, "as class")                                             \
  X(IS_INTERFACE, OPF_VIRTUAL, "is interface")                                   \
  X(AS_INTERFACE, OPF_VIRTUAL, "as interface")                                   \
  X(BRANCH, OPF_BRANCH, "branch")                                                \
  X(BRANCH_IF_TRUE, OPF_BRANCH, "branch if true")                                \
  X(BRANCH_IF_FALSE, OPF_BRANCH, "branch if false")                              \
  X(BRANCH_BACK, OPF_BACK, "branch back")                                        \
  X(BRANCH_BACK_IF_TRUE, OPF_BACK, "branch back if true")                        \
  X(PRIMITIVE, OPF_PRIM, "primitive")                                            \
  X(RETURN, OPF_RETURN, "return")                                                \
  X(RETURN_NULL, OPF_RETURN, "return null")                                      \
  X(RETURN_UNWIND, OPF_RETURN, "return through finally")                       \
  X(NON_LOCAL_RETURN, OPF_RETURN, "non-local return")                            \
  X(NON_LOCAL_BRANCH, OPF_NLBRANCH, "non-local branch")                          \
  X(THROW, OPF_NONE, "throw")                                                    \
  X(LINK, OPF_BRANCH, "link try")                                                \
  X(UNLINK, OPF_NONE, "unlink try")                                              \
  X(UNWIND, OPF_NONE, "unwind")                                                  \
  X(CONCAT, OPF_U8, "concat strings")                                            \
  X(CREATE_ARRAY, OPF_N, "create array")                                         \
  X(CREATE_LAMBDA, OPF_LAMBDA, "create lambda")                                  \
  X(INVOKE_LAMBDA, OPF_U8, "invoke lambda")                                      \
  X(LOAD_GLOBAL_LAZY, OPF_GLOBAL, "load global lazy")                            \
  X(HALT, OPF_NONE, "halt")                                                      \
  /* `a op b` whose result is an operand of another + - * / % (the compiler  \
   * knows it is used once): a float result is marked as a temporary, which \
   * that next operation may overwrite instead of allocating (interp.c). */  \
  X(INVOKE_ADD_TEMP, OPF_NONE, "invoke + (temporary)")                           \
  X(INVOKE_SUB_TEMP, OPF_NONE, "invoke - (temporary)")                           \
  X(INVOKE_MUL_TEMP, OPF_NONE, "invoke * (temporary)")                           \
  X(INVOKE_DIV_TEMP, OPF_NONE, "invoke / (temporary)")                           \
  X(INVOKE_MOD_TEMP, OPF_NONE, "invoke % (temporary)")                          \
  /* `load local n; invoke virtual s (1 arg)` in one: x.name on a local. */    \
  X(INVOKE_LOCAL, OPF_LOCAL_VIRTUAL, "invoke virtual on local")                 \
  /* `load local n; invoke op` in one: [.., a] -> [.., a op local n]. The     \
   * slow path pushes the local, so one slot above the height must be free. */ \
  X(INVOKE_ADD_LOCAL, OPF_LOCAL, "invoke + local")                               \
  X(INVOKE_SUB_LOCAL, OPF_LOCAL, "invoke - local")                               \
  X(INVOKE_MUL_LOCAL, OPF_LOCAL, "invoke * local")                               \
  X(INVOKE_DIV_LOCAL, OPF_LOCAL, "invoke / local")                               \
  X(INVOKE_ADD_LOCAL_TEMP, OPF_LOCAL, "invoke + local (temporary)")              \
  X(INVOKE_SUB_LOCAL_TEMP, OPF_LOCAL, "invoke - local (temporary)")              \
  X(INVOKE_MUL_LOCAL_TEMP, OPF_LOCAL, "invoke * local (temporary)")              \
  X(INVOKE_DIV_LOCAL_TEMP, OPF_LOCAL, "invoke / local (temporary)")            \
  /* `local n op top`: [.., b] -> [.., local n op b], for a right operand    \
   * that cannot see or change the local (the compiler checks), so it may be  \
   * evaluated first. The slow path pushes one slot, like the above. */       \
  X(LOCAL_ADD, OPF_LOCAL, "local + top")                                         \
  X(LOCAL_SUB, OPF_LOCAL, "local - top")                                         \
  X(LOCAL_MUL, OPF_LOCAL, "local * top")                                         \
  X(LOCAL_ADD_TEMP, OPF_LOCAL, "local + top (temporary)")                        \
  X(LOCAL_SUB_TEMP, OPF_LOCAL, "local - top (temporary)")                        \
  X(LOCAL_MUL_TEMP, OPF_LOCAL, "local * top (temporary)")                      \
  /* A block's variable of an enclosing frame through the block reference in \
   * local n: `load local n; load outer d` and (value on top, kept)          \
   * `load local n; load local 1; store outer d; pop 1` in one. */            \
  X(LOAD_OUTER_LOCAL, OPF_LOCAL_U8, "load outer via local")                   \
  X(STORE_OUTER_LOCAL, OPF_LOCAL_U8, "store outer via local")                   \
  /* `load local n; load field f` in one (this.f in methods, boxes). */       \
  X(LOAD_FIELD_LOCAL, OPF_LOCAL_U8, "load field of local")                      \
  /* `local a op local b` (both bytes are slots): [..] -> [.., a op b]. The  \
   * slow path pushes both, so two slots above the height must be free. */   \
  X(LOCALS_ADD, OPF_LOCAL_U8, "locals +")                                        \
  X(LOCALS_SUB, OPF_LOCAL_U8, "locals -")                                        \
  X(LOCALS_MUL, OPF_LOCAL_U8, "locals *")                                        \
  X(LOCALS_ADD_TEMP, OPF_LOCAL_U8, "locals + (temporary)")                       \
  X(LOCALS_SUB_TEMP, OPF_LOCAL_U8, "locals - (temporary)")                       \
  X(LOCALS_MUL_TEMP, OPF_LOCAL_U8, "locals * (temporary)")                     \
  /* x.name on a local where the compiler saw that only class C (and its     \
   * subclasses, which cannot override it) has `name`, a field: a receiver   \
   * in C's id range reads the field; anything else dispatches as            \
   * INVOKE_LOCAL (the validator checks every class of the range has it). */ \
  X(INVOKE_FIELD_LOCAL, OPF_LOCAL_FIELD, "get field on local")                  \
  /* o.name = v the same way: [o, v] -> [v]. */                                \
  X(INVOKE_FIELD_SET, OPF_SET_FIELD, "set field")                               \
  /* INVOKE_FIELD_LOCAL whose field is the right operand of the next          \
   * instruction, `invoke +` (or - * /: plain, temporary or into a field; the \
   * validator checks): on floats both are done at once, without pushing the \
   * field; otherwise it is INVOKE_FIELD_LOCAL and the next instruction runs. */ \
  X(INVOKE_FIELD_ADD, OPF_LOCAL_FIELD, "get field on local, then")              \
  X(INVOKE_FIELD_SUB, OPF_LOCAL_FIELD, "get field on local, then")              \
  X(INVOKE_FIELD_MUL, OPF_LOCAL_FIELD, "get field on local, then")              \
  X(INVOKE_FIELD_DIV, OPF_LOCAL_FIELD, "get field on local, then")            \
  /* `invoke + - * /` whose result goes to the `set field` right after it  \
   * (the validator checks): a float result is stored at once; otherwise it \
   * is `invoke op` and the set field runs itself. */                        \
  X(INVOKE_ADD_SETF, OPF_NONE, "invoke + (into the field)")                    \
  X(INVOKE_SUB_SETF, OPF_NONE, "invoke - (into the field)")                    \
  X(INVOKE_MUL_SETF, OPF_NONE, "invoke * (into the field)")                    \
  X(INVOKE_DIV_SETF, OPF_NONE, "invoke / (into the field)")                   \
  /* `load local n; dup; get field` in one: [..] -> [.., o, o.f] for o the   \
   * local (the object and old value of `o.f op= v`); the getter is called   \
   * as INVOKE_FIELD_LOCAL would. */                                          \
  X(LOAD_LOCAL_FIELD, OPF_LOCAL_FIELD, "load local and get field")

typedef enum {
#define TOIT_OPCODE_ENUM(name, fmt, text) OP_##name,
  TOIT_OPCODES(TOIT_OPCODE_ENUM)
#undef TOIT_OPCODE_ENUM
  OP_COUNT
} toit_opcode;

/* Length in bytes (opcode + operands) of each operand format. */
static inline int opf_length(int fmt) {
  switch (fmt) {
    case OPF_NONE: return 1;
    case OPF_U8: case OPF_LOCAL: case OPF_SMI8: case OPF_FIELD: case OPF_OUTER: return 2;
    case OPF_SMI16: case OPF_CONST: case OPF_GLOBAL: case OPF_CLASS: case OPF_METHOD: case OPF_LOCAL_U8:
    case OPF_BRANCH: case OPF_BACK: case OPF_RETURN: case OPF_N: return 3;
    case OPF_VIRTUAL: case OPF_PRIM: case OPF_LAMBDA: return 4;
    case OPF_NLBRANCH: return 6;
    case OPF_SMI32: return 5;
    case OPF_LOCAL_IMM: case OPF_LOCAL_VIRTUAL: return 4;
    case OPF_LOCAL_FIELD: return 8;
    case OPF_SET_FIELD: return 7;
    default: return 0;
  }
}

extern const uint8_t toit_opcode_format[OP_COUNT];
extern const char *const toit_opcode_name[OP_COUNT];

#endif
