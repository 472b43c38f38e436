main:
  print 1 | 2 ^ 3
  print 6 & 3 | 8
  print 1 << 2 + 1
  print 1 | 3 < 2

// expect: 1
// expect: 10
// expect: 8
// expect: false
