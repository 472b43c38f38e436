main:
  print 0x1_0000_0000_0000_0000  // expect compile error: Number literal out of range
