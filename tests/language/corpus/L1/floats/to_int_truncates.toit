// Checks that to-int truncates toward zero.
main:
  print 3.99.to-int
  print -3.99.to-int
  print 1e18.to-int

// expect: 3
// expect: -3
// expect: 1000000000000000000
