// Checks `a == b < c` is `a == (b < c)` and `1 | 3 < 2` is `(1 | 3) < 2`.
main:
  print true == 1 < 2
  print false == 3 < 2
  print 1 | 3 < 2

// expect: true
// expect: true
// expect: false
