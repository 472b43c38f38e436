// Checks that `1.abs` is a method call on the int 1 and `1.0` is a float.
main:
  print 1.abs
  print -3.abs
  print 1.0

// expect: 1
// expect: 3
// expect: 1.0
