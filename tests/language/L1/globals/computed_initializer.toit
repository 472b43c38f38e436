SQUARES := squares 4

squares n:
  s := 0
  for i := 1; i <= n; i++: s += i * i
  return s

main:
  print SQUARES

// expect: 30
