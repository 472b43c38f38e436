class Point:
  x /int
  y /int
  constructor .x .y:
  length-squared -> int: return x * x + y * y
  stringify -> string: return "($x, $y)"

main:
  p := Point 3 4
  print p.x
  print p.length-squared
  print p

// expect: 3
// expect: 25
// expect: (3, 4)
