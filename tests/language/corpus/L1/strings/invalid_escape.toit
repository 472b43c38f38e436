// Checks that an unknown escape sequence is a compile error.
main:
  print "a\qb"  // expect compile error:
