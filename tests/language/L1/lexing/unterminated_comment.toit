main:
  print 1 /* never closed  // expect compile error: Unterminated comment
