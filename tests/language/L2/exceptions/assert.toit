main:
  assert: 1 < 2
  print (catch: assert: 1 > 2)

// expect: ASSERTION_FAILED
