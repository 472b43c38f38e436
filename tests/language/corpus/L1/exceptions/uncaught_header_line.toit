// Checks the first line of the uncaught exception report.
main:
  throw "X"

// expect runtime error: EXCEPTION error.
