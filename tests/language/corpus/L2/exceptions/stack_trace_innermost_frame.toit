// Checks that the uncaught-exception trace starts with frame 0, the throwing function.
helper:
  throw "MY_ERROR"
main:
  helper

// expect runtime error: 0: helper
