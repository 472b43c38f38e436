main:
  print 7 / 2.0
  print 1 + 0.5
  print 2.0 * 3
  print 3 - 0.5
  print 1 == 1.0
  print 2 < 2.5
  print 0.0 == -0.0

// expect: 3.5
// expect: 1.5
// expect: 6.0
// expect: 2.5
// expect: true
// expect: true
// expect: true
