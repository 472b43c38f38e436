// Checks that parameters are captured by reference.
make x:
  inc := :: x++
  get := :: x
  return [inc, get]
main:
  p := make 5
  p[0].call
  p[0].call
  print p[1].call

// expect: 7
