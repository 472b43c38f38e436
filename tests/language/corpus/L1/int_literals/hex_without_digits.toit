// Checks that `0x` without digits is a compile error.
main:
  print 0x  // expect compile error:
