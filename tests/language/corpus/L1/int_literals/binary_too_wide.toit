// Checks that a binary literal wider than 64 bits is a compile error.
main:
  print 0b1_0000000000000000000000000000000000000000000000000000000000000000  // expect compile error:
