// Checks that a bare function name with no arguments is a zero-argument call.
counter := 0
tick:
  counter++
  return counter
main:
  tick
  tick
  print tick

// expect: 3
