main:
  x := ?
  x = 3
  print x

// expect: 3
