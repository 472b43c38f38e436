main:
  l := [1]
  print (catch: l[1])
  print (catch: l[-1])

// expect: OUT_OF_BOUNDS
// expect: OUT_OF_BOUNDS
