// Checks int abs and sign.
main:
  print -5.abs
  print 5.abs
  print -7.sign
  print 0.sign
  print 9.sign

// expect: 5
// expect: 5
// expect: -1
// expect: 0
// expect: 1
