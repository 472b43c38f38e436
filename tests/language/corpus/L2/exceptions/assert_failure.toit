// Checks that a failing assert throws ASSERTION_FAILED.
main:
  assert: 1 < 2
  print (catch: assert: 1 > 2)
  print (catch: assert: null)

// expect: ASSERTION_FAILED
// expect: ASSERTION_FAILED
