// Checks that round gives an int, rounding halves away from zero.
main:
  print 2.5.round
  print -2.5.round
  print 2.4.round
  print 0.5.round
  print -0.4.round

// expect: 3
// expect: -3
// expect: 2
// expect: 1
// expect: 0
