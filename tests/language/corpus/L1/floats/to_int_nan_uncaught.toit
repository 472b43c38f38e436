// Checks that an uncaught nan.to-int ends the program with INVALID_ARGUMENT.
main:
  x := 0.0 / 0.0
  print x.to-int

// expect runtime error: INVALID_ARGUMENT
