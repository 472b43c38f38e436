main:
  print 0xFF & 0b1010
  print 0xF0 | 0x0F
  print 0xFF ^ 0x0F
  print -1 & 0xFF

// expect: 10
// expect: 255
// expect: 240
// expect: 255
