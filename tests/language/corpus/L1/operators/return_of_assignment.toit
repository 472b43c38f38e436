// Checks that `return x = v` is allowed and returns v.
g := 0
set-g v:
  return g = v
main:
  print (set-g 4)
  print g

// expect: 4
// expect: 4
