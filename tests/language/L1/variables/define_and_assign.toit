main:
  x := 1
  x = x + 1
  y ::= 10
  print x + y

// expect: 12
