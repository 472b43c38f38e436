// `1.` is not a float: `1.abs` calls a method on the int.
main:
  print 1.abs
  print -5.abs

// expect: 1
// expect: 5
