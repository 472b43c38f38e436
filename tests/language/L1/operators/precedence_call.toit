// `+` binds tighter than the call: `print 1 + 2` prints 3.
main:
  print 1 + 2
  print 2 + 3 * 4
  print (2 + 3) * 4
  print 10 - 4 - 3

// expect: 3
// expect: 14
// expect: 20
// expect: 3
