// Checks the error for a string that is not closed on its line.
main:
  print "abc  // expect compile error: Unterminated string
