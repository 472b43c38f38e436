sum3 a b c: return a + b + c

main:
  total := sum3
      1
      2
      3
  print total
  x := 1 +
      2
  print x

// expect: 6
// expect: 3
