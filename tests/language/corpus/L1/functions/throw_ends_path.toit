// Checks that a path ending in throw does not fall off the end.
f x -> int:
  if x > 0: return x
  throw "negative"
main:
  print (f 3)
  print (catch: f -1)

// expect: 3
// expect: negative
