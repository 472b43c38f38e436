// Checks that an exponent without digits is a compile error.
main:
  print 1e  // expect compile error:
