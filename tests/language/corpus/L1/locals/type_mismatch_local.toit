// Checks that a statically incompatible initializer of a typed local is a compile error.
main:
  x /int := "str"  // expect compile error: Type mismatch
