// Checks that a statically incompatible return expression is a compile error.
f -> int:
  return "no"  // expect compile error: Type mismatch
main:
  print (f)
