// Checks that \s is only allowed in multi-line strings.
main:
  print "a\sb"  // expect compile error:
