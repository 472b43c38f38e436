// Checks that an uncaught assert failure reports ASSERTION_FAILED error.
main:
  assert: 2 + 2 == 5

// expect runtime error: ASSERTION_FAILED error.
