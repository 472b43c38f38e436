// Checks that `print 1 + 2` prints 3: + binds tighter than call juxtaposition.
main:
  print 1 + 2
  print 2 * 3 + 4
  print 2 + 3 * 4

// expect: 3
// expect: 10
// expect: 14
