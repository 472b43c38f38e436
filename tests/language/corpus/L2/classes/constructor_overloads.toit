// Checks constructors overloaded by shape.
class P:
  x := 0
  y := 0
  constructor:
  constructor .x:
  constructor .x .y:
  stringify: return "($x, $y)"
main:
  print P
  print (P 1)
  print (P 1 2)

// expect: (0, 0)
// expect: (1, 0)
// expect: (1, 2)
