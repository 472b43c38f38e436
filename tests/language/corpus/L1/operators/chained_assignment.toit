// Checks `a = b = 0`: assignment as right side of another assignment.
main:
  a := 1
  b := 2
  a = b = 7
  print a
  print b

// expect: 7
// expect: 7
