// Checks float abs, sign (including -0.0), sqrt, floor, ceil, truncate.
main:
  print -2.5.abs
  print -2.5.sign
  print -0.0.sign
  print 0.0.sign
  print 3.5.sign
  print 2.25.sqrt
  print 2.7.floor
  print -2.7.floor
  print 2.1.ceil
  print -2.7.truncate

// expect: 2.5
// expect: -1
// expect: -1
// expect: 0
// expect: 1
// expect: 1.5
// expect: 2.0
// expect: -3.0
// expect: 3.0
// expect: -2.0
