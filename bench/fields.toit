// Allocate many small objects and read their fields.
class Point:
  x /int
  y /int
  constructor .x .y:

main:
  sum := 0
  for i := 0; i < 2000000; i++:
    p := Point i (i + 1)
    sum += p.x + p.y
  print sum
