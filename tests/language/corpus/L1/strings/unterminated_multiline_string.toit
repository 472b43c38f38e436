// Checks that a multi-line string without closing quotes is a compile error.
main:
  print 1
  x := """abc  // expect compile error:
