// Checks that a while without ':' is a compile error.
main:
  while false print 1  // expect compile error:
