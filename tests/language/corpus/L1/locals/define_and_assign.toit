// Checks := definitions and = assignment.
main:
  x := 1
  x = x + 1
  print x

// expect: 2
