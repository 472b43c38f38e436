main:
  print 0xFF
  print 0x10
  print 0b1010
  print 0xFFFF_FFFF
  print 0b1010_0101

// expect: 255
// expect: 16
// expect: 10
// expect: 4294967295
// expect: 165
