// Checks that a list slice beyond the size throws OUT_OF_BOUNDS.
main:
  l := [1, 2, 3]
  print l[1..3]
  print (catch: l[1..5])

// expect: [2, 3]
// expect: OUT_OF_BOUNDS
