// Checks that round throws OUT_OF_RANGE for nan and infinity.
main:
  print (catch: float.NAN.round)
  print (catch: float.INFINITY.round)

// expect: OUT_OF_RANGE
// expect: OUT_OF_RANGE
