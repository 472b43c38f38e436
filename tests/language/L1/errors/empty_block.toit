main:
  3.repeat:  // expect compile error: Empty blocks are not allowed
  print 1
