// A path that ends in a throw does not fall off the end.
check x -> int:
  if x > 0: return x
  throw "NEGATIVE"

main:
  print (check 3)
  print (catch: check -1)

// expect: 3
// expect: NEGATIVE
