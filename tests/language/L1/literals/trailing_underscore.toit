main:
  print 10_  // expect compile error: Invalid number literal
