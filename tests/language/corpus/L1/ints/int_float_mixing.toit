// Checks that mixing int and float operands gives a float.
main:
  print 1 + 0.5
  print 7 / 2.0
  print 2.0 * 3
  print 3 - 0.5
  print 1 == 1.0
  print 2 < 2.5
  print 10 / 4

// expect: 1.5
// expect: 3.5
// expect: 6.0
// expect: 2.5
// expect: true
// expect: true
// expect: 2
