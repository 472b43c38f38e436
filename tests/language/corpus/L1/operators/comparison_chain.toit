// Checks that comparison chains mean `a < b and b < c`.
main:
  print 1 < 5 < 10
  print 1 < 5 < 3
  print 3 > 2 > 1
  print 1 <= 1 < 2 <= 2
  print 5 > 3 < 4

// expect: true
// expect: false
// expect: true
// expect: true
// expect: true
