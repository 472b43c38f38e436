main:
  print "never closed  // expect compile error: Unterminated string
