// Checks that `not foo x` is `not (foo x)`.
is-zero x: return x == 0
main:
  x := not is-zero 0
  y := not is-zero 1
  print x
  print y

// expect: false
// expect: true
