// Checks that a hex literal wider than 64 bits is a compile error.
main:
  print 0x1_0000_0000_0000_0000  // expect compile error:
