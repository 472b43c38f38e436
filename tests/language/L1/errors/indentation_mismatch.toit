main:
  print 1
    print 2
 print 3  // expect compile error: All expressions in a sequence must be indented the same way
