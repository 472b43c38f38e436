// Checks decimal, hex (0x/0X) and binary (0b/0B) int literals.
main:
  print 42
  print 0xff
  print 0XFF
  print 0b1010
  print 0B11
  print 0

// expect: 42
// expect: 255
// expect: 255
// expect: 10
// expect: 3
// expect: 0
