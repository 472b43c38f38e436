main:
  [1].do:  // expect compile error: Empty blocks are not allowed
  print 1
