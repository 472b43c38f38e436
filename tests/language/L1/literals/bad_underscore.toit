main:
  print 1__0  // expect compile error: Invalid number literal
