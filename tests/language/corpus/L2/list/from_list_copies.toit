// Checks that List.from makes an independent copy.
main:
  a := [1, 2]
  b := List.from a
  b[0] = 9
  print a
  print b

// expect: [1, 2]
// expect: [9, 2]
