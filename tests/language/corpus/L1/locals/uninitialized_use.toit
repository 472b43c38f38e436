// Checks that reading a `?` local before assignment is a compile error.
main:
  x := ?
  print x  // expect compile error: Local 'x' must be initialized before first use
