// Checks that `a - b` is a subtraction while `a-b` is one identifier.
main:
  a := 10
  b := 3
  a-b := 100
  print a - b
  print a-b

// expect: 7
// expect: 100
