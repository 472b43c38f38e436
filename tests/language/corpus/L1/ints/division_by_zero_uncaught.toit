// Checks that an uncaught int division by zero ends the program with DIVISION_BY_ZERO.
main:
  print "before"
  z := 0
  print 10 / z
  print "after"

// expect: before
// expect runtime error: DIVISION_BY_ZERO
