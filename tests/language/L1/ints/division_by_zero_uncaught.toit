main:
  print "before"
  x := 0
  print 5 / x

// expect: before
// expect runtime error: DIVISION_BY_ZERO
