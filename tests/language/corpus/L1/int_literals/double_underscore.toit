// Checks that a doubled underscore in a number is a compile error.
main:
  print 1__000  // expect compile error:
