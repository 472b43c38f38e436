// `a == b < c` is `a == (b < c)`.
main:
  print true == 1 < 2
  print 3 != 4

// expect: true
// expect: true
