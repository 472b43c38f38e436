// Checks that first and last on an empty list throw OUT_OF_BOUNDS.
main:
  print (catch: [].first)
  print (catch: [].last)

// expect: OUT_OF_BOUNDS
// expect: OUT_OF_BOUNDS
