/* Interpreter internals shared by interp.c (the loop) and vm.c (throwing,
 * stack traces, object helpers). Not part of the public VM interface. */
#ifndef TOIT_VM_INTERP_H
#define TOIT_VM_INTERP_H

#include "vm/vm.h"

vm_status vm_interpret(vm_process *p);

/* Primitives the interpreter runs inline when a PRIMITIVE names them. */
value vm_prim_array_at(vm_process *p, value *args);
value vm_prim_array_at_put(vm_process *p, value *args);

bool vm_identical(const vm_process *p, value a, value b);
/* Concatenates n strings; VM_FAILED (exception pending) if one is not a
 * string or memory runs out. */
value vm_concat(vm_process *p, value *parts, int n);

/* Set the pending exception (and the VM message printed if it is uncaught). */
void vm_throw_as_check(vm_process *p, value v, const char *type_name);
void vm_throw_lookup_failed(vm_process *p, const uint8_t *bcp);
void vm_throw_too_few(vm_process *p, const char *what, int given, int expected, uint32_t target);

/* Unwinds to the innermost try link with exception `exc` (state saved in
 * p->stack's top and p->saved_bci). Returns true if a handler takes it (the
 * saved state now points at the handler); false if uncaught (reported). */
bool vm_throw_to_handler(vm_process *p, value exc);
bool vm_rethrow(vm_process *p, value exc, value trace);

/* Prints an exception as an uncaught one is printed (LANGUAGE.md 21.2):
 * `text` is the thrown value's stringify, `trace` its (method, bci) array.
 * Used by `catch --trace` and for uncaught objects with a stringify. */
void vm_print_exception(vm_process *p, value exc, value text, value trace);

#endif
