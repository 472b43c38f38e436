// Checks that a for-initializer variable is not visible after the loop.
main:
  for i := 0; i < 2; i++: print i
  print i  // expect compile error: Unresolved identifier: 'i'
