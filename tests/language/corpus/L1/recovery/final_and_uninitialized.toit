// Checks that two different semantic errors in one function are both reported.
main:
  a ::= 1
  a = 2  // expect compile error: Can't assign to final local
  b := ?
  print b  // expect compile error: Local 'b' must be initialized before first use
