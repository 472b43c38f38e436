// Checks that to-int of infinities and too large values throws OUT_OF_RANGE.
main:
  print (catch: float.INFINITY.to-int)
  print (catch: (-float.INFINITY).to-int)
  print (catch: 1e19.to-int)

// expect: OUT_OF_RANGE
// expect: OUT_OF_RANGE
// expect: OUT_OF_RANGE
