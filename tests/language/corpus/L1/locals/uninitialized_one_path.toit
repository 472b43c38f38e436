// Checks that a `?` local assigned on only one path cannot be read.
main:
  x := ?
  if 3 > 2: x = 1
  print x  // expect compile error: Local 'x' must be initialized before first use
