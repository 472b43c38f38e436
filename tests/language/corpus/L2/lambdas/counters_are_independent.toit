// Checks that two calls of a lambda factory get independent captured variables.
make-counter:
  n := 0
  return :: ++n
main:
  a := make-counter
  b := make-counter
  a.call
  a.call
  print a.call
  print b.call

// expect: 3
// expect: 1
