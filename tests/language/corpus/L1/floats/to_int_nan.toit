// Checks that to-int of nan throws INVALID_ARGUMENT.
main:
  print (catch: float.NAN.to-int)

// expect: INVALID_ARGUMENT
