// Checks that a character literal with two characters is a compile error.
main:
  print 'ab'  // expect compile error:
