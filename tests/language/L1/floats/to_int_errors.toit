main:
  print (catch: float.NAN.to-int)
  print (catch: float.INFINITY.to-int)
  print (catch: (1.0 / 0).round)
  print (catch: 1e30.to-int)

// expect: INVALID_ARGUMENT
// expect: OUT_OF_RANGE
// expect: OUT_OF_RANGE
// expect: OUT_OF_RANGE
