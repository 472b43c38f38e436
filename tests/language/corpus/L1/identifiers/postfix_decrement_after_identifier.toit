// Checks that `x--` is x followed by the -- operator, not an identifier ending in '-'.
main:
  x := 5
  x--
  print x

// expect: 4
