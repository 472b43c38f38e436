/* The error values the VM itself throws (LANGUAGE.md §21.2), defined once.
 * Each is a string object the VM owns, so throwing one never allocates. */
#ifndef TOIT_VM_ERRORS_H
#define TOIT_VM_ERRORS_H

#define VM_ERRORS(X)                                                             \
  X(LOOKUP_FAILED) X(AS_CHECK_FAILED) X(DIVISION_BY_ZERO) X(OUT_OF_BOUNDS)       \
  X(OUT_OF_RANGE) X(INTEGER_PARSING_ERROR) X(FLOAT_PARSING_ERROR)                \
  X(ASSERTION_FAILED) X(NEGATIVE_ARGUMENT) X(INVALID_ARGUMENT) X(ILLEGAL_UTF_8)  \
  X(INITIALIZATION_IN_PROGRESS) X(OUT_OF_MEMORY) X(STACK_OVERFLOW) X(CANCELED)   \
  X(DEADLINE_EXCEEDED) X(CODE_INVOCATION_FAILED) X(WRONG_ARGUMENT_TYPE)         \
  X(UNIMPLEMENTED) X(WRONG_TYPE_IN_FORMAT) X(ZERO_PADDING_ONLY_WITH_RIGHT_ALIGNMENT) \
  X(PRIMITIVE_NOT_ALLOWED)

typedef enum {
#define VM_ERROR_ENUM(name) VM_ERR_##name,
  VM_ERRORS(VM_ERROR_ENUM)
#undef VM_ERROR_ENUM
  VM_ERR_COUNT
} vm_error;

#endif
