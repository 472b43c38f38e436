// Checks that indexing past the end throws OUT_OF_BOUNDS.
main:
  l := [1, 2]
  print (catch: l[2])
  print (catch: l[5] = 0)
  print l

// expect: OUT_OF_BOUNDS
// expect: OUT_OF_BOUNDS
// expect: [1, 2]
