// A failed assert is catchable as "ASSERTION_FAILED"; a passing one does nothing.
main:
  assert: 1 + 1 == 2
  print (catch: assert: false)
  print (catch: assert: null)
  print (catch: assert: 0)

// expect: ASSERTION_FAILED
// expect: ASSERTION_FAILED
// expect: null
