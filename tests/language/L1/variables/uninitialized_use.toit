main:
  x := ?
  print x  // expect compile error: Local 'x' must be initialized before first use
