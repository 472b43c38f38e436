main:
  if true print 1  // expect compile error: Missing colon
