main:
  a := 0
  b := 0
  a = b = 7
  print a
  print b

// expect: 7
// expect: 7
