// Checks that a statically incompatible global initializer is a compile error.
G /int := "x"  // expect compile error: Type mismatch
main:
  print G
