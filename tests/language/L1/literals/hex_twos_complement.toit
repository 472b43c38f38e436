// Hex literals use all 64 bits as a two's complement bit pattern.
main:
  print 0xFFFF_FFFF_FFFF_FFFF
  print 0x8000_0000_0000_0000 == int.MIN

// expect: -1
// expect: true
