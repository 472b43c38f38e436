main:
  print 1
 foo := 2  // expect compile error: All expressions in a sequence must be indented the same way
