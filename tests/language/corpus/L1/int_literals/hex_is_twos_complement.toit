// Checks that 64-bit hex/binary literals are read as two's-complement bit patterns.
main:
  print 0xFFFF_FFFF_FFFF_FFFF
  print 0x8000_0000_0000_0000
  print 0x7FFF_FFFF_FFFF_FFFF
  print 0xFFFF_FFFF_FFFF_FFFF == -1
  print 0b1111111111111111111111111111111111111111111111111111111111111110

// expect: -1
// expect: -9223372036854775808
// expect: 9223372036854775807
// expect: true
// expect: -2
