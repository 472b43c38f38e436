// Checks that an uncaught OUT_OF_RANGE from float.to-int ends the program.
main:
  print "x"
  print 1e300.to-int

// expect: x
// expect runtime error: OUT_OF_RANGE
