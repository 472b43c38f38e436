// Checks that + - * and unary minus wrap around on 64-bit overflow.
main:
  print int.MAX + 1 == int.MIN
  print int.MIN - 1 == int.MAX
  print int.MAX * 2
  print -int.MIN == int.MIN
  print 0x4000_0000_0000_0000 * 4

// expect: true
// expect: true
// expect: -2
// expect: true
// expect: 0
