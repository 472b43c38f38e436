// Checks field-storing constructor parameters and field access.
class Point:
  x /int
  y /int
  constructor .x .y:
main:
  p := Point 3 4
  print p.x
  print p.y

// expect: 3
// expect: 4
