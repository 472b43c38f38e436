// Checks that a statically incompatible assignment to a typed local is a compile error.
main:
  x /string := "a"
  x = 3  // expect compile error: Type mismatch
