// Checks that an uncaught assertion failure reports ASSERTION_FAILED.
main:
  print "a"
  assert: false

// expect: a
// expect runtime error: ASSERTION_FAILED
