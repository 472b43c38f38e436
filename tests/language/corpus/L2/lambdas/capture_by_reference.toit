// Checks that lambdas capture locals by reference, both ways.
make-counter:
  count := 0
  return ::
    count++
    count
main:
  c := make-counter
  c.call
  c.call
  print c.call
  total := 10
  bump := :: total += 5
  bump.call
  print total
  total = 0
  bump.call
  print total

// expect: 3
// expect: 15
// expect: 5
