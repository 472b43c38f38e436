// Checks that calling a constructor with the wrong arguments is a compile error.
class P:
  constructor x:
main:
  p := P 1 2  // expect compile error: Argument mismatch
