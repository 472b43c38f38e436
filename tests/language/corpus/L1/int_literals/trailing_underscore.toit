// Checks that a trailing underscore in a number is a compile error.
main:
  print 1000_  // expect compile error:
