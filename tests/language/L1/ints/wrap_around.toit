// +, -, * and << wrap around silently.
main:
  print int.MAX + 1 == int.MIN
  print int.MIN - 1 == int.MAX
  print int.MAX * 2
  print 1 << 63
  print 1 << 64

// expect: true
// expect: true
// expect: -2
// expect: -9223372036854775808
// expect: 0
